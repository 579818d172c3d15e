package study

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tokensim/tokensim/model"
)

// Limits on a study's size, checked by Study.Validate before any cell is
// built. A cell holds its resolved parameters (about 2 kB with the default
// provider table), so MaxCells bounds a plan's memory at about 0.5 GB;
// MaxRuns keeps run ids and row counts far inside int64 and is ~10⁶ times
// anything a machine runs in a day.
const (
	MaxCells = 1 << 18 // 262,144 cells (scenarios × policies × sweep points)
	MaxRuns  = 1 << 40 // 1.1·10¹² runs (cells × replicates)
)

// SweepPoints returns the number of sweep grid points (1 without sweeps),
// saturating at math.MaxInt64.
func SweepPoints(sweeps []Sweep) int64 {
	n := int64(1)
	for _, sw := range sweeps {
		n = SatMul(n, int64(len(sw.Values)))
	}
	return n
}

// SatMul multiplies non-negative a and b, saturating at math.MaxInt64.
func SatMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// Cells returns the number of cells of the study: scenarios × policies ×
// sweep points (saturating at math.MaxInt64), without building them.
func (s *Study) Cells() int64 {
	return SatMul(int64(len(s.Scenarios))*int64(len(s.Policies)), SweepPoints(s.Sweeps))
}

// GridValue returns sweep j's value at grid point i of the sweep grid (the
// first sweep varies slowest, as in a plan's cells).
func GridValue(sweeps []Sweep, i int64, j int) float64 {
	for q := len(sweeps) - 1; q > j; q-- {
		i /= int64(len(sweeps[q].Values))
	}
	return sweeps[j].Values[i%int64(len(sweeps[j].Values))]
}

// checkSize refuses a study above MaxCells or MaxRuns.
func (s *Study) checkSize() error {
	cells := s.Cells()
	if cells > MaxCells {
		return s.fieldErr("sweeps", "%d scenarios × %d policies × %d sweep points = %s cells: at most %d cells per study",
			len(s.Scenarios), len(s.Policies), SweepPoints(s.Sweeps), fmtCount(cells), MaxCells)
	}
	if runs := SatMul(cells, int64(s.Replicates)); runs > MaxRuns {
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

// checkUnlistedDefs validates scenario and policy definitions that the
// study does not list as if they were listed: an unlisted scenario with every
// listed policy, an unlisted policy with every listed scenario, so a typo in a
// definition kept for later fails now rather than when it is first used.
func (s *Study) checkUnlistedDefs() error {
	for _, name := range sortedKeys(s.ScenarioDefs) {
		if slices.Contains(s.Scenarios, name) {
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
		if slices.Contains(s.Policies, name) {
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
