package pipeline

import (
	"fmt"
	"math"
	"strings"

	"github.com/tokensim/tokensim/model"
)

// Limits on a study's size, checked by Study.Validate before any cell is
// built. A cell holds its resolved parameters (about 2 kB with the default
// provider table), so MaxCells bounds the plan's memory at about 0.5 GB;
// MaxRuns keeps run ids and row counts far inside int64 and is ~10⁶ times
// anything a machine runs in a day.
const (
	MaxCells = 1 << 18 // 262,144 cells (scenarios × policies × sweep points)
	MaxRuns  = 1 << 40 // 1.1·10¹² runs (cells × replicates)
)

// sweepPoints returns the number of sweep grid points (1 without sweeps),
// saturating at math.MaxInt64.
func sweepPoints(sweeps []Sweep) int64 {
	n := int64(1)
	for _, sw := range sweeps {
		n = satMul(n, int64(len(sw.Values)))
	}
	return n
}

// satMul multiplies non-negative a and b, saturating at math.MaxInt64.
func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// StudyCells returns the number of cells of a study: scenarios × policies ×
// sweep points (saturating at math.MaxInt64), without building them.
func StudyCells(s *Study) int64 {
	return satMul(int64(len(s.Scenarios))*int64(len(s.Policies)), sweepPoints(s.Sweeps))
}

// checkSize refuses a study above MaxCells or MaxRuns.
func (s *Study) checkSize() error {
	cells := StudyCells(s)
	if cells > MaxCells {
		return s.fieldErr("sweeps", "%d scenarios × %d policies × %d sweep points = %s cells: at most %d cells per study",
			len(s.Scenarios), len(s.Policies), sweepPoints(s.Sweeps), fmtCount(cells), MaxCells)
	}
	if runs := satMul(cells, int64(s.Replicates)); runs > MaxRuns {
		return s.fieldErr("replicates", "%d cells × %d replicates = %s runs: at most %d runs per study", cells, s.Replicates, fmtCount(runs), int64(MaxRuns))
	}
	return nil
}

func fmtCount(n int64) string {
	if n == math.MaxInt64 {
		return "more than 9.2·10¹⁸"
	}
	return fmt.Sprint(n)
}

// estimateStudy returns Estimate(NewPlan(s)) without building the plan's
// cells: the provider_steps estimate needs only each cell's provider count
// and entry rate, found per scenario × policy and, when entry.rate_per_year
// is swept, from the sweep value. It walks the cells in plan order so that
// its float sums equal Estimate's exactly. Memory is O(scenarios × policies).
func estimateStudy(s *Study, chunkRuns int) (SizeEstimate, error) {
	cells := StudyCells(s)
	p := &Plan{Study: s, Replicates: s.Replicates, HorizonDays: s.HorizonDays, Outputs: s.Outputs, ChunkRuns: chunkRuns}
	est := SizeEstimate{Runs: satMul(cells, int64(s.Replicates))}
	k := p.RecordEveryDays()
	if k > 0 {
		days := p.HorizonDays / k
		if p.HorizonDays%k != 0 {
			days++
		}
		est.RecordedDaysPerRun = days
		if p.Outputs.Steps {
			est.StepRows = satMul(est.Runs, int64(days))
		}
		if p.Outputs.ProviderSteps {
			rateSweep := -1
			for i, sw := range s.Sweeps {
				if sw.Param == "entry.rate_per_year" {
					rateSweep = i
				}
			}
			points := sweepPoints(s.Sweeps)
			var providers float64
			for _, sn := range s.Scenarios {
				sc, err := s.Scenario(sn)
				if err != nil {
					return est, err
				}
				for _, pn := range s.Policies {
					pol, err := s.Policy(pn)
					if err != nil {
						return est, err
					}
					base, err := model.Resolve(s.Params, sc, pol)
					if err != nil {
						return est, fmt.Errorf("%w: %v", ErrStudy, err)
					}
					n := float64(len(base.Providers.Table))
					for i := int64(0); i < points; i++ {
						rate := base.Entry.RatePerYear
						if rateSweep >= 0 {
							rate = gridValue(s.Sweeps, i, rateSweep)
						}
						providers += n + rate*float64(p.HorizonDays)/365
					}
				}
			}
			providers /= float64(max(cells, 1))
			est.ProviderStepRows = int64(float64(est.Runs*int64(days)) * providers)
		}
	}
	est.Bytes = est.Runs*estRunRowBytes + est.StepRows*estStepRowBytes + est.ProviderStepRows*estProviderStepRowBytes
	return est, nil
}

// gridValue returns sweep j's value at grid point i (the first sweep varies
// slowest, as in sweepGrid).
func gridValue(sweeps []Sweep, i int64, j int) float64 {
	for q := len(sweeps) - 1; q > j; q-- {
		i /= int64(len(sweeps[q].Values))
	}
	return sweeps[j].Values[i%int64(len(sweeps[j].Values))]
}

// checkStudyBudget is CheckDiskBudget for a study whose cells are not built yet.
func checkStudyBudget(s *Study, chunkRuns int) error {
	est, err := estimateStudy(s, chunkRuns)
	if err != nil {
		return err
	}
	if b := s.DiskBudgetGB; b > 0 && float64(est.Bytes) > b*1e9 {
		return fmt.Errorf("%w: estimated %s (%d runs, %d rows) > disk_budget_gb %g; lower replicates, horizon_days or the outputs, or raise disk_budget_gb",
			ErrDiskBudget, FormatBytes(est.Bytes), est.Runs, est.Rows(), b)
	}
	return nil
}

// checkUnlistedDefs validates scenario and policy definitions that the
// study does not list as if they were listed: an unlisted scenario with every
// listed policy, an unlisted policy with every listed scenario, so a typo in a
// definition kept for later fails now rather than when it is first used.
func (s *Study) checkUnlistedDefs() error {
	listed := func(list []string, name string) bool {
		for _, n := range list {
			if n == name {
				return true
			}
		}
		return false
	}
	for _, name := range sortedKeys(s.ScenarioDefs) {
		if listed(s.Scenarios, name) {
			continue
		}
		sc, err := s.Scenario(name)
		if err != nil {
			return s.fieldErr("scenario_defs."+name, "%v", err)
		}
		if err := s.checkSchedule(name, sc.Schedule); err != nil {
			return err
		}
		for _, pn := range s.Policies {
			pol, err := s.Policy(pn)
			if err != nil {
				continue // reported for the listed policy
			}
			if err := s.checkResolved("scenario_defs."+name, sc, pol); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(s.PolicyDefs) {
		if listed(s.Policies, name) {
			continue
		}
		pol, err := s.Policy(name)
		if err != nil {
			return s.fieldErr("policy_defs."+name, "%v", err)
		}
		for _, sn := range s.Scenarios {
			sc, err := s.Scenario(sn)
			if err != nil {
				continue
			}
			if err := s.checkResolved("policy_defs."+name, sc, pol); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkResolved resolves a scenario × policy and validates its parameters,
// reporting a problem at field (a definition's path).
func (s *Study) checkResolved(field string, sc model.Scenario, pol model.Policy) error {
	p, err := model.Resolve(s.Params, sc, pol)
	if err != nil {
		return s.fieldErr(field+".params", "%v (not listed, but every definition must be valid)", err)
	}
	if err := p.Validate(); err != nil {
		msg := err.Error()
		f := field + ".params"
		if i := strings.IndexAny(msg, " :"); i > 0 {
			if _, ok := s.pos[f+"."+msg[:i]]; ok {
				f += "." + msg[:i]
			}
		}
		return s.fieldErr(f, "scenario %s × policy %s: %v (not listed, but every definition must be valid)", sc.Name, pol.Name, err)
	}
	return nil
}

// Shape is the size of a study's plan, computed without building its cells
// (StudyShape): what `tokensim validate` prints even for a study over its
// disk budget.
type Shape struct {
	Cells     int64 // scenarios × policies × sweep points
	Runs      int64 // cells × replicates
	ChunkRuns int   // runs per chunk (chunk_runs, or the automatic size)
	Chunks    int64 // ⌈runs / ChunkRuns⌉
	Estimate  SizeEstimate
}

// StudyShape returns the shape of NewPlan(s) without building it: the same
// counts, chunk size and estimate (Estimate). s must be valid (Validate).
func StudyShape(s *Study) (Shape, error) {
	sh := Shape{Cells: StudyCells(s), ChunkRuns: s.ChunkRuns}
	sh.Runs = satMul(sh.Cells, int64(s.Replicates))
	if sh.ChunkRuns == 0 {
		sh.ChunkRuns = autoChunkRuns(sh.Runs)
	}
	sh.Chunks = (sh.Runs + int64(sh.ChunkRuns) - 1) / int64(sh.ChunkRuns)
	est, err := estimateStudy(s, sh.ChunkRuns)
	sh.Estimate = est
	return sh, err
}

// autoChunkRuns is the chunk size of a study that does not set chunk_runs:
// DefaultChunkRuns, raised to keep at most MaxAutoChunks chunks.
func autoChunkRuns(runs int64) int {
	c := int64(DefaultChunkRuns)
	if k := (runs + MaxAutoChunks - 1) / MaxAutoChunks; k > c {
		c = k
	}
	return int(c)
}
