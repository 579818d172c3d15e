package study

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tokensim/tokensim/model"
)

// Sensitivity methods (SensitivitySpec.Method).
const (
	SensitivitySobol   = "sobol"    // Saltelli design, Sobol first-order, total (and second-order) indices
	SensitivityMorris  = "morris"   // Morris elementary effects: μ, μ*, σ
	SensitivityLHSPRCC = "lhs_prcc" // Latin hypercube, partial rank correlation coefficients
)

// Factor distributions (Factor.Dist).
const (
	DistUniform    = "uniform"    // uniform on [low, high]
	DistLogUniform = "loguniform" // ln(value) uniform on [ln low, ln high]; low > 0
)

// Defaults and limits of a sensitivity design.
const (
	// DefaultMorrisLevels is the Morris grid's number of levels p when `levels` is 0.
	DefaultMorrisLevels = 4
	// DefaultSensitivityBootstrap is the number of bootstrap resamples when `bootstrap` is 0.
	DefaultSensitivityBootstrap = 1000
	// MaxSensitivityFactors is the largest number of factors: a Sobol design
	// uses 2k dimensions of the embedded Joe–Kuo table (128 dimensions).
	MaxSensitivityFactors = 64
)

// SensitivitySpec is the `sensitivity:` block of a study: a global sensitivity
// design over Factors for one scenario and policy (issue 6). Each design
// point becomes one cell of the plan (its factor values are the cell's sweep
// values, so they appear as runs-table columns) and is run for the study's
// `replicates` replicates with common random numbers (MODEL-SPEC §3); the
// indices are computed on the replicate means.
//
// Samples is the Sobol base sample N (N(k+2) design points, N(2k+2) with
// SecondOrder; a power of two keeps the Sobol net balanced), the number of
// Morris trajectories r (r(k+1) points), or the number of Latin hypercube
// points (more than k+2). Levels is the Morris grid (even, ≥ 2; 0 means
// DefaultMorrisLevels). Scramble scrambles the Sobol sequence (seeded from the
// study seed). Bootstrap is the number of bootstrap resamples of the
// intervals (0 means DefaultSensitivityBootstrap, else ≥ 10). Policy
// defaults to "none".
type SensitivitySpec struct {
	Method      string   `yaml:"method" json:"method"` // sobol | morris | lhs_prcc
	Scenario    string   `yaml:"scenario" json:"scenario"`
	Policy      string   `yaml:"policy" json:"policy"`
	Samples     int      `yaml:"samples" json:"samples"` // Sobol base N, Morris trajectories r, LHS points
	Levels      int      `yaml:"levels" json:"levels"`   // Morris grid levels p
	SecondOrder bool     `yaml:"second_order" json:"second_order"`
	Scramble    bool     `yaml:"scramble" json:"scramble"`
	Bootstrap   int      `yaml:"bootstrap" json:"bootstrap"`
	Factors     []Factor `yaml:"factors" json:"factors"`
	Outputs     []string `yaml:"outputs" json:"outputs"` // §4.2 run metrics
}

// Factor is one uncertain parameter of a sensitivity design: a numeric model
// parameter by its dotted path and its range. A design's unit value u ∈ [0,1]
// maps to low + u(high − low) (uniform) or low·(high/low)^u (log-uniform). An
// integer parameter takes the value rounded to the nearest whole number.
type Factor struct {
	Param string  `yaml:"param" json:"param"` // dotted model parameter path
	Dist  string  `yaml:"dist" json:"dist"`   // uniform | loguniform
	Low   float64 `yaml:"low" json:"low"`
	High  float64 `yaml:"high" json:"high"`
}

// ErrSensitivity is wrapped by every error of SensitivitySpec.Validate.
var ErrSensitivity = errors.New("invalid sensitivity design")

// SensitivityError is an error of the `sensitivity:` block; Field is the path
// below `sensitivity` (e.g. "factors[2].low").
type SensitivityError struct {
	Field string
	Msg   string
}

// Error returns "sensitivity.<field>: <message>".
func (e *SensitivityError) Error() string { return "sensitivity." + e.Field + ": " + e.Msg }

// Unwrap makes a SensitivityError match ErrSensitivity.
func (e *SensitivityError) Unwrap() error { return ErrSensitivity }

// sensStudyErr is a study error (ErrStudy, with file position) that also
// matches ErrSensitivity.
type sensStudyErr struct{ err error }

func (e sensStudyErr) Error() string   { return e.err.Error() }
func (e sensStudyErr) Unwrap() []error { return []error{e.err, ErrSensitivity} }

func sensErr(field, format string, args ...any) error {
	return &SensitivityError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// SummaryColumns returns the outcome metrics of the runs table that a
// sensitivity design may take as outputs, in report order: the catalogue's
// runs entries (model.CatalogueOf(model.TableRuns), MODEL-SPEC §4.2).
// consumer_days, a unit of work and not an outcome, is not among them.
func SummaryColumns() []string {
	cat := model.CatalogueOf(model.TableRuns)
	out := make([]string, len(cat))
	for i, m := range cat {
		out[i] = m.Name
	}
	return out
}

// Resolved returns a copy of the spec with its defaults filled in: policy
// "none", dist "uniform", Morris levels DefaultMorrisLevels, bootstrap
// DefaultSensitivityBootstrap.
func (sp SensitivitySpec) Resolved() SensitivitySpec {
	if sp.Policy == "" {
		sp.Policy = model.PolicyNone
	}
	if sp.Method == SensitivityMorris && sp.Levels == 0 {
		sp.Levels = DefaultMorrisLevels
	}
	if sp.Bootstrap == 0 {
		sp.Bootstrap = DefaultSensitivityBootstrap
	}
	sp.Factors = slices.Clone(sp.Factors)
	for i := range sp.Factors {
		if sp.Factors[i].Dist == "" {
			sp.Factors[i].Dist = DistUniform
		}
	}
	return sp
}

// Validate checks the block on its own (the scenario and policy names are
// checked against a study by ValidateIn): a known method; a scenario; samples
// ≥ 2 (Morris ≥ 2 trajectories; LHS more than k+2 points, so that the PRCC
// t-test has ≥ 2 degrees of freedom); Morris levels even and ≥ 2; bootstrap 0
// or ≥ 10; 1 to MaxSensitivityFactors factors naming distinct numeric
// parameters of model.Default() with finite low < high (low > 0 for
// log-uniform) and a known dist; and at least one output, each a distinct
// column of SummaryColumns. Errors are *SensitivityError (wrapping
// ErrSensitivity) naming the field.
func (sp *SensitivitySpec) Validate() error {
	switch sp.Method {
	case SensitivitySobol, SensitivityMorris, SensitivityLHSPRCC:
	case "":
		return sensErr("method", "missing: choose %s, %s or %s", SensitivitySobol, SensitivityMorris, SensitivityLHSPRCC)
	default:
		return sensErr("method", "unknown method %q (known: %s, %s, %s)", sp.Method, SensitivitySobol, SensitivityMorris, SensitivityLHSPRCC)
	}
	if sp.Scenario == "" {
		return sensErr("scenario", "missing: name the scenario the design runs in (e.g. %s)", model.ScenarioVolatileCentralized)
	}
	k := len(sp.Factors)
	if k == 0 {
		return sensErr("factors", "empty: list at least one factor {param, low, high}")
	}
	if k > MaxSensitivityFactors {
		return sensErr("factors", "%d factors: at most %d", k, MaxSensitivityFactors)
	}
	switch {
	case sp.Samples < 2:
		return sensErr("samples", "%d: must be at least 2 (%s)", sp.Samples, sensSamplesMeaning(sp.Method))
	case sp.Method == SensitivityLHSPRCC && sp.Samples < k+3:
		return sensErr("samples", "%d Latin hypercube points for %d factors: PRCC needs at least k+3 = %d", sp.Samples, k, k+3)
	case sp.Samples > 1<<24:
		return sensErr("samples", "%d: too many (at most %d)", sp.Samples, 1<<24)
	}
	if sp.Method == SensitivityMorris && sp.Levels != 0 && (sp.Levels < 2 || sp.Levels%2 != 0) {
		return sensErr("levels", "%d: Morris levels must be even and at least 2 (typically 4)", sp.Levels)
	}
	if sp.Method != SensitivityMorris && sp.Levels != 0 {
		return sensErr("levels", "only used by method morris (this design is %s)", sp.Method)
	}
	if sp.SecondOrder && sp.Method != SensitivitySobol {
		return sensErr("second_order", "only used by method sobol (this design is %s)", sp.Method)
	}
	if sp.Scramble && sp.Method != SensitivitySobol {
		return sensErr("scramble", "only used by method sobol (this design is %s)", sp.Method)
	}
	if sp.Bootstrap != 0 && (sp.Bootstrap < 10 || sp.Bootstrap > 1_000_000) {
		return sensErr("bootstrap", "%d: use 0 (default %d) or 10..1000000 resamples", sp.Bootstrap, DefaultSensitivityBootstrap)
	}
	def := model.Default()
	seen := map[string]int{}
	for i, f := range sp.Factors {
		field := fmt.Sprintf("factors[%d]", i)
		if f.Param == "" {
			return sensErr(field+".param", "missing: name a parameter by its dotted path, e.g. network.effect")
		}
		if j, ok := seen[f.Param]; ok {
			return sensErr(field+".param", "%s is already factors[%d]", f.Param, j)
		}
		seen[f.Param] = i
		v, err := model.GetParam(&def, f.Param)
		if err != nil {
			return withCause(sensErr(field+".param", "%v", err), err)
		}
		switch v.(type) {
		case float64, int:
		default:
			return sensErr(field+".param", "%s is a %T parameter; factors must be numeric", f.Param, v)
		}
		if math.IsNaN(f.Low) || math.IsInf(f.Low, 0) {
			return sensErr(field+".low", "%v: must be a finite number", f.Low)
		}
		if math.IsNaN(f.High) || math.IsInf(f.High, 0) {
			return sensErr(field+".high", "%v: must be a finite number", f.High)
		}
		if !(f.Low < f.High) {
			return sensErr(field, "low %v must be below high %v", f.Low, f.High)
		}
		switch f.Dist {
		case "", DistUniform:
		case DistLogUniform:
			if f.Low <= 0 {
				return sensErr(field+".low", "%v: a loguniform factor needs low > 0", f.Low)
			}
		default:
			return sensErr(field+".dist", "unknown distribution %q (known: %s, %s)", f.Dist, DistUniform, DistLogUniform)
		}
	}
	if len(sp.Outputs) == 0 {
		return sensErr("outputs", "empty: list at least one runs-table metric, e.g. peg_mad, hhi_final")
	}
	cols := SummaryColumns()
	for i, o := range sp.Outputs {
		field := fmt.Sprintf("outputs[%d]", i)
		if !slices.Contains(cols, o) {
			return sensErr(field, "unknown output %q (runs-table metrics, MODEL-SPEC §4.2: %s)", o, strings.Join(cols, ", "))
		}
		if slices.Index(sp.Outputs, o) != i {
			return sensErr(field, "output %q listed twice", o)
		}
	}
	return nil
}

func sensSamplesMeaning(method string) string {
	switch method {
	case SensitivitySobol:
		return "the Sobol base sample N; a power of two such as 64 or 256"
	case SensitivityMorris:
		return "the number of Morris trajectories r, typically 10–50"
	default:
		return "the number of Latin hypercube points"
	}
}

// ValidateIn validates the block (Validate) and then against study s: the
// scenario and policy must resolve (built-in or defined in the study), and
// every factor's low and high, set on the resolved parameters, must give valid
// model parameters (model.Params.Validate). Errors name the field as
// "sensitivity.<field>" with its file position when s was parsed from a file,
// and wrap ErrStudy and ErrSensitivity.
func (sp *SensitivitySpec) ValidateIn(s *Study) error {
	if err := sp.Validate(); err != nil {
		var se *SensitivityError
		if errors.As(err, &se) {
			return sensStudyErr{s.fieldErr("sensitivity."+se.Field, "%s", se.Msg)}
		}
		return err
	}
	base, err := sp.BaseParams(s)
	if err != nil {
		return err
	}
	for i, f := range sp.Factors {
		for _, end := range []struct {
			name string
			v    float64
		}{{"low", f.Low}, {"high", f.High}} {
			p := base.Clone()
			if err := SetFactor(&p, f, end.v); err != nil {
				return sensStudyErr{withCause(s.fieldErr(fmt.Sprintf("sensitivity.factors[%d].%s", i, end.name), "%v", err), err)}
			}
			if err := p.Validate(); err != nil {
				return sensStudyErr{s.fieldErr(fmt.Sprintf("sensitivity.factors[%d].%s", i, end.name),
					"%s = %v gives invalid parameters: %v", f.Param, end.v, err)}
			}
		}
	}
	return nil
}

// BaseParams returns the study's parameters with the design's scenario and
// policy applied: the parameters every design point starts from. Errors name
// the field.
func (sp *SensitivitySpec) BaseParams(s *Study) (model.Params, error) {
	r := sp.Resolved()
	sc, err := s.Scenario(r.Scenario)
	if err != nil {
		return model.Params{}, sensStudyErr{withCause(s.fieldErr("sensitivity.scenario", "%v", err), err)}
	}
	pol, err := s.Policy(r.Policy)
	if err != nil {
		return model.Params{}, sensStudyErr{withCause(s.fieldErr("sensitivity.policy", "%v", err), err)}
	}
	p, err := model.Resolve(s.Params, sc, pol)
	if err != nil {
		return model.Params{}, sensStudyErr{withCause(s.fieldErr("sensitivity", "%v", err), err)}
	}
	return p, nil
}

// SetFactor sets factor f's parameter on p to v (rounded to the nearest whole
// number for an integer parameter) and returns nothing else; errors name the
// parameter.
func SetFactor(p *model.Params, f Factor, v float64) error {
	cur, err := model.GetParam(p, f.Param)
	if err != nil {
		return err
	}
	if _, ok := cur.(int); ok {
		v = math.Round(v)
	}
	return model.SetParam(p, f.Param, v)
}

// Warnings returns advice about a valid spec that is not an error: a Sobol
// base sample that is not a power of two, a Morris design with few
// trajectories, and factors of a policy lever that is switched off under the
// design's policy (they cannot matter). base is BaseParams (may be nil to skip
// the lever check).
func (sp *SensitivitySpec) Warnings(base *model.Params) []string {
	var w []string
	if sp.Method == SensitivitySobol && sp.Samples > 0 && sp.Samples&(sp.Samples-1) != 0 {
		next := 1
		for next < sp.Samples {
			next <<= 1
		}
		w = append(w, fmt.Sprintf("sensitivity.samples %d is not a power of two: the Sobol points lose their balance (the estimates stay consistent); %d is recommended", sp.Samples, next))
	}
	if sp.Method == SensitivityMorris && sp.Samples < 10 {
		w = append(w, fmt.Sprintf("sensitivity.samples %d: fewer than 10 Morris trajectories give wide intervals for μ* and σ", sp.Samples))
	}
	if base != nil {
		for i, f := range sp.Factors {
			group, _, ok := strings.Cut(f.Param, ".")
			if !ok {
				continue
			}
			if on, err := model.GetParam(base, group+".enabled"); err == nil {
				if b, isBool := on.(bool); isBool && !b {
					w = append(w, fmt.Sprintf("sensitivity.factors[%d]: %s cannot matter: %s.enabled is false under policy %s (choose a policy that switches the lever on, e.g. all)",
						i, f.Param, group, sp.Resolved().Policy))
				}
			}
		}
	}
	return w
}
