package pipeline

import (
	"fmt"
	"math"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/gsa"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// SensitivityDesign is the design of a sensitivity study (study.SensitivitySpec):
// its points on the unit cube [0,1]^k and the factor values they map to. It
// is a pure function of the spec and the study seed.
//
// Unit[p][i] is factor i's unit value at design point p; Values[p][i] the
// parameter value set in cell p (uniform: low + u(high−low); log-uniform:
// low·(high/low)^u; rounded for an integer parameter). Exactly one of
// Saltelli, Morris or LHS is set, by Spec.Method.
type SensitivityDesign struct {
	Spec     study.SensitivitySpec // resolved (study.SensitivitySpec.Resolved)
	Seed     uint64                // the study's master seed
	Unit     [][]float64
	Values   [][]float64
	Saltelli *gsa.SaltelliDesign
	Morris   *gsa.MorrisDesign
	LHS      bool
}

// Seeds of a design, derived from the study seed so that the design does not
// share a stream with the runs (which use model.StreamSeed).
const (
	sensTagScramble  = 0x736f626f6c // "sobol"
	sensTagMorris    = 0x6d6f727269 // "morri"
	sensTagLHS       = 0x6c6873     // "lhs"
	sensTagBootstrap = 0x626f6f74   // "boot"
)

// BootstrapSeed is the seed of the bootstrap intervals of output o (its
// index in Spec.Outputs), derived from the study seed.
func (d *SensitivityDesign) BootstrapSeed(o int) uint64 {
	return gsa.MixSeed(d.Seed, sensTagBootstrap+uint64(o))
}

// NewSensitivityDesign builds the design of spec (validated with
// study.SensitivitySpec.Validate) for a study with master seed seed:
//   - sobol: gsa.NewSaltelliDesign(samples, k, second_order) on the unscrambled
//     gsa.Sobol sequence starting at its first point (the origin), or, with
//     scramble, the Matoušek linear scramble + digital shift seeded from seed;
//   - morris: gsa.NewMorrisDesign(samples, k, levels) seeded from seed;
//   - lhs_prcc: gsa.LatinHypercube(samples, k) seeded from seed.
func NewSensitivityDesign(spec study.SensitivitySpec, seed uint64) (*SensitivityDesign, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	sp := spec.Resolved()
	k := len(sp.Factors)
	d := &SensitivityDesign{Spec: sp, Seed: seed}
	var err error
	switch sp.Method {
	case study.SensitivitySobol:
		d.Saltelli, err = gsa.NewSaltelliDesign(sp.Samples, k, sp.SecondOrder,
			gsa.SobolOptions{Scramble: sp.Scramble, Seed: gsa.MixSeed(seed, sensTagScramble)})
		if err == nil {
			d.Unit = d.Saltelli.Points
		}
	case study.SensitivityMorris:
		d.Morris, err = gsa.NewMorrisDesign(sp.Samples, k, sp.Levels, gsa.MixSeed(seed, sensTagMorris))
		if err == nil {
			d.Unit = d.Morris.Points
		}
	case study.SensitivityLHSPRCC:
		d.LHS = true
		d.Unit, err = gsa.LatinHypercube(sp.Samples, k, gsa.MixSeed(seed, sensTagLHS))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", study.ErrSensitivity, err)
	}
	def := model.Default()
	isInt := make([]bool, k)
	for i, f := range sp.Factors {
		v, _ := model.GetParam(&def, f.Param)
		_, isInt[i] = v.(int)
	}
	d.Values = make([][]float64, len(d.Unit))
	for p, u := range d.Unit {
		row := make([]float64, k)
		for i, f := range sp.Factors {
			row[i] = FactorValue(f, u[i])
			if isInt[i] {
				row[i] = math.Round(row[i])
			}
		}
		d.Values[p] = row
	}
	return d, nil
}

// FactorValue maps a unit value u ∈ [0,1] to factor f's scale: low + u(high−low)
// for uniform, low·(high/low)^u for log-uniform.
func FactorValue(f study.Factor, u float64) float64 {
	if f.Dist == study.DistLogUniform {
		return f.Low * math.Exp(u*math.Log(f.High/f.Low))
	}
	return f.Low + u*(f.High-f.Low)
}

// Points returns the number of design points (cells of the plan).
func (d *SensitivityDesign) Points() int { return len(d.Unit) }

// SensitivityPlan builds the plan of a sensitivity study: one cell per design
// point, in design order, each with the study's parameters, the design's
// scenario and policy overrides, and the point's factor values (set with
// study.SetFactor, and recorded as the cell's sweep values so that they
// are columns of the runs table); every cell runs the study's replicates with
// common random numbers. Errors name the study field or the design point.
func SensitivityPlan(s *study.Study) (*Plan, *SensitivityDesign, error) {
	if s.Sensitivity == nil {
		return nil, nil, fmt.Errorf("%w: study %s has no sensitivity: block", study.ErrStudy, s.Name)
	}
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	if err := s.Sensitivity.ValidateIn(s); err != nil {
		return nil, nil, err
	}
	d, err := NewSensitivityDesign(*s.Sensitivity, s.Seed)
	if err != nil {
		return nil, nil, err
	}
	sp := d.Spec
	base, err := sp.BaseParams(s)
	if err != nil {
		return nil, nil, err
	}
	sc, _ := s.Scenario(sp.Scenario)
	plan := &Plan{Study: s, Replicates: s.Replicates, Seed: s.Seed, HorizonDays: s.HorizonDays,
		Outputs: s.Outputs, ChunkRuns: dataset.DefaultChunkRuns}
	for _, f := range sp.Factors {
		plan.SweepParams = append(plan.SweepParams, f.Param)
	}
	plan.Cells = make([]Cell, len(d.Values))
	for p, vals := range d.Values {
		point := make([]dataset.SweepValue, len(vals))
		for i, f := range sp.Factors {
			point[i] = dataset.SweepValue{Param: f.Param, Value: vals[i]}
		}
		c, err := newCell(p, sp.Scenario, sp.Policy, &base, sc.Schedule, point, func(q *model.Params, i int, sv dataset.SweepValue) error {
			return study.SetFactor(q, sp.Factors[i], sv.Value)
		})
		if err != nil {
			return nil, nil, fmt.Errorf("%w: design point %d: %w", study.ErrSensitivity, p, err)
		}
		if err := c.Params.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%w: design point %d (%s): %w", study.ErrSensitivity, p, c.Label(), err)
		}
		plan.Cells[p] = c
	}
	if err := plan.Check(); err != nil {
		return nil, nil, err
	}
	return plan, d, nil
}
