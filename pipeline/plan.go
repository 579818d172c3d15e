package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// MaxAutoChunks: when a study does not set chunk_runs, the chunk size is
// raised above dataset.DefaultChunkRuns as needed to keep at most this many chunks
// (the manifest lists every chunk's files and is rewritten after each).
const MaxAutoChunks = 2000

// Cell is one cell of a plan: a scenario × policy × sweep point (MODEL-SPEC
// §3), with its resolved parameters and schedule. Index is its position in
// Plan.Cells.
type Cell struct {
	Index    int
	Scenario string
	Policy   string
	Sweep    []dataset.SweepValue // one per Plan.SweepParams, in that order
	Params   model.Params
	Schedule model.Schedule
}

// Label is a short human-readable name of the cell, e.g.
// "volatility/fund share_cap.cap=0.3".
func (c *Cell) Label() string {
	var b strings.Builder
	b.WriteString(c.Scenario)
	b.WriteByte('/')
	b.WriteString(c.Policy)
	for _, sv := range c.Sweep {
		b.WriteByte(' ')
		b.WriteString(sv.Param)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(sv.Value, 'g', -1, 64))
	}
	return b.String()
}

// Plan is the full list of runs of a study: every cell × every replicate.
//
// Run ids are run_id = cell × Replicates + replicate (cell and replicate
// 0-based), so they do not depend on order, worker count or shard. A run's
// random streams come from (Seed, replicate, component) only (model.RunSeed,
// model.NewStream): the same replicate sees the same draws in every cell
// (common random numbers, MODEL-SPEC §3).
//
// A plan may be built by NewPlan from a study or directly (e.g. a sensitivity
// design: one cell per design point, the factors as SweepParams); study.Study must
// be set either way (it names the study and supplies the resolved config).
type Plan struct {
	Study       *study.Study
	Cells       []Cell
	Replicates  int
	Seed        uint64
	HorizonDays int
	Outputs     dataset.Outputs
	// SweepParams are the dotted paths of the swept parameters: the runs
	// table's extra columns. Every cell's study.Sweep has one value per entry.
	SweepParams []string
	// ChunkRuns is the number of consecutive run ids per chunk (dataset.DefaultChunkRuns when 0).
	ChunkRuns int
}

// NewPlan builds the plan of a validated study (chunk size: the study's
// chunk_runs, else dataset.DefaultChunkRuns or more, see MaxAutoChunks): cells in the order scenarios
// × policies × sweep grid (first listed varies slowest; within the grid the
// first sweep varies slowest). Each cell's parameters are the study's Params,
// then the scenario's overrides, the policy's, and the sweep values, and must
// pass model.Params.Validate.
func NewPlan(s *study.Study) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p := &Plan{Study: s, Replicates: s.Replicates, Seed: s.Seed, HorizonDays: s.HorizonDays,
		Outputs: s.Outputs, ChunkRuns: s.ChunkRuns}
	if p.ChunkRuns == 0 {
		p.ChunkRuns = autoChunkRuns(s.Cells() * int64(s.Replicates)) // ≤ study.MaxRuns (Validate)
	}
	// Refuse a study over its disk budget before building its cells, so a
	// huge sweep list is refused in bounded memory.
	if err := checkStudyBudget(s); err != nil {
		return nil, err
	}
	for _, sw := range s.Sweeps {
		p.SweepParams = append(p.SweepParams, sw.Param)
	}
	grid := sweepGrid(s.Sweeps)
	for _, sn := range s.Scenarios {
		sc, err := s.Scenario(sn)
		if err != nil {
			return nil, err
		}
		for _, pn := range s.Policies {
			pol, err := s.Policy(pn)
			if err != nil {
				return nil, err
			}
			base, err := model.Resolve(s.Params, sc, pol)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", study.ErrStudy, err)
			}
			for _, point := range grid {
				c, err := newCell(len(p.Cells), sn, pn, &base, sc.Schedule, point, func(q *model.Params, _ int, sv dataset.SweepValue) error {
					return model.SetParam(q, sv.Param, sv.Value)
				})
				if err == nil {
					err = c.Params.Validate()
				}
				if err != nil {
					return nil, fmt.Errorf("%w: cell %s: %w", study.ErrStudy, c.Label(), err)
				}
				p.Cells = append(p.Cells, c)
			}
		}
	}
	return p, nil
}

// newCell builds cell index of a plan: a clone of base with the sweep point's
// values set by set (called with each value's index in point). NewPlan and
// SensitivityPlan build every cell with it, then validate it
// (model.Params.Validate). On error, the cell is returned for its label.
func newCell(index int, scenario, policy string, base *model.Params, sched model.Schedule, point []dataset.SweepValue,
	set func(p *model.Params, i int, sv dataset.SweepValue) error) (Cell, error) {
	c := Cell{Index: index, Scenario: scenario, Policy: policy, Sweep: point, Params: base.Clone(), Schedule: sched}
	for i, sv := range point {
		if err := set(&c.Params, i, sv); err != nil {
			return c, err
		}
	}
	return c, nil
}

// sweepGrid returns the cross product of the sweeps (one empty point when
// there are none), the first sweep varying slowest.
func sweepGrid(sweeps []study.Sweep) [][]dataset.SweepValue {
	grid := [][]dataset.SweepValue{nil}
	for _, sw := range sweeps {
		var next [][]dataset.SweepValue
		for _, point := range grid {
			for _, v := range sw.Values {
				q := append(append([]dataset.SweepValue(nil), point...), dataset.SweepValue{Param: sw.Param, Value: v})
				next = append(next, q)
			}
		}
		grid = next
	}
	return grid
}

// Runs returns the number of runs: cells × replicates.
func (p *Plan) Runs() int64 { return int64(len(p.Cells)) * int64(p.Replicates) }

// RunID returns the run id of (cell, replicate): cell × Replicates + replicate.
func (p *Plan) RunID(cell, replicate int) int64 {
	return int64(cell)*int64(p.Replicates) + int64(replicate)
}

// CellOf returns the cell and replicate of a run id.
func (p *Plan) CellOf(runID int64) (cell, replicate int) {
	return int(runID / int64(p.Replicates)), int(runID % int64(p.Replicates))
}

// chunkRuns returns the chunk size in use.
func (p *Plan) chunkRuns() int {
	if p.ChunkRuns <= 0 {
		return dataset.DefaultChunkRuns
	}
	return p.ChunkRuns
}

// Chunks returns the number of chunks: ⌈runs / ChunkRuns⌉.
func (p *Plan) Chunks() int {
	k := int64(p.chunkRuns())
	return int((p.Runs() + k - 1) / k)
}

// ChunkRange returns the run ids [from, to) of chunk k.
func (p *Plan) ChunkRange(k int) (from, to int64) {
	n := int64(p.chunkRuns())
	from = int64(k) * n
	to = min(from+n, p.Runs())
	return from, to
}

// partitionRuns is the number of runs of chunk k in cl's Hive partition
// (its scenario and policy: several cells of a sweep share one): the
// day parts' size estimate (dataset.CreateDayPart).
func (p *Plan) partitionRuns(k int, cl *Cell) int64 {
	from, to := p.ChunkRange(k)
	r := int64(p.Replicates)
	var n int64
	for c := from / r; c*r < to && c < int64(len(p.Cells)); c++ {
		if o := &p.Cells[c]; o.Scenario == cl.Scenario && o.Policy == cl.Policy {
			n += min(to, (c+1)*r) - max(from, c*r)
		}
	}
	return n
}

// RecordEveryDays is the RunSpec.RecordEveryDays the plan uses: the study's
// record_every_days when a day table is written, else 0 (nothing recorded).
func (p *Plan) RecordEveryDays() int { return recordEveryDays(p.Outputs) }

// recordEveryDays is the record_every_days of outputs when a day table is
// written, else 0.
func recordEveryDays(o dataset.Outputs) int {
	if !o.Steps && !o.ProviderSteps {
		return 0
	}
	return max(o.RecordEveryDays, 1)
}

// Spec returns the model.RunSpec of a run id. The spec's Params share the
// cell's provider table and regime map: callers must not modify them.
func (p *Plan) Spec(runID int64) model.RunSpec {
	c, r := p.CellOf(runID)
	cell := &p.Cells[c]
	return model.RunSpec{
		Params: cell.Params, Schedule: cell.Schedule, HorizonDays: p.HorizonDays,
		Seed: p.Seed, Replicate: r, RunID: runID,
		RecordEveryDays: p.RecordEveryDays(), ProviderSteps: p.Outputs.ProviderSteps,
	}
}

// CellInfos returns the cells' keys as written to the manifest.
func (p *Plan) CellInfos() []dataset.CellInfo {
	out := make([]dataset.CellInfo, len(p.Cells))
	for i, c := range p.Cells {
		out[i] = dataset.CellInfo{Index: c.Index, Scenario: c.Scenario, Policy: c.Policy, Sweep: c.Sweep}
	}
	return out
}

// Check reports an inconsistent plan: no cells, replicates < 1, a horizon < 1,
// cells out of order, or a cell whose sweep does not match SweepParams.
func (p *Plan) Check() error {
	if p.Study == nil {
		return fmt.Errorf("%w: plan without a study", study.ErrStudy)
	}
	if len(p.Cells) == 0 || p.Replicates < 1 || p.HorizonDays < 1 {
		return fmt.Errorf("%w: empty plan (%d cells, %d replicates, %d days)", study.ErrStudy, len(p.Cells), p.Replicates, p.HorizonDays)
	}
	for i, c := range p.Cells {
		if c.Index != i {
			return fmt.Errorf("%w: cell %d has index %d", study.ErrStudy, i, c.Index)
		}
		if len(c.Sweep) != len(p.SweepParams) {
			return fmt.Errorf("%w: cell %d has %d sweep values for %d sweep parameters", study.ErrStudy, i, len(c.Sweep), len(p.SweepParams))
		}
		for j, sv := range c.Sweep {
			if sv.Param != p.SweepParams[j] {
				return fmt.Errorf("%w: cell %d sweeps %q where the plan has %q", study.ErrStudy, i, sv.Param, p.SweepParams[j])
			}
		}
		if !study.ValidName(c.Scenario) || !study.ValidName(c.Policy) {
			return fmt.Errorf("%w: cell %d: scenario %q / policy %q are not valid directory names", study.ErrStudy, i, c.Scenario, c.Policy)
		}
	}
	return nil
}

// Hash returns the hex SHA-256 of the plan's shape: replicates, seed,
// horizon, outputs, chunk size, sweep parameters and every cell's keys.
func (p *Plan) Hash() string {
	data, _ := dataset.MarshalJSON(struct {
		Replicates  int
		Seed        uint64
		HorizonDays int
		Outputs     dataset.Outputs
		ChunkRuns   int
		SweepParams []string
		Cells       []dataset.CellInfo
	}{p.Replicates, p.Seed, p.HorizonDays, p.Outputs, p.chunkRuns(), p.SweepParams, p.CellInfos()})
	return dataset.SHA256Hex(data)
}
