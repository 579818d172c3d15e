package aggregate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// cellGroup is one cell's runs in a dataset.RunTable.
type cellGroup struct {
	cell     int
	scenario string
	policy   string
	sweep    []dataset.SweepValue
	sweepKey string // canonical text of the sweep point
	rows     []int  // indexes into the dataset.RunTable, ascending by replicate
}

func sweepKeyOf(sv []dataset.SweepValue) string {
	var b strings.Builder
	for i, v := range sv {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(v.Param)
		b.WriteByte('=')
		b.WriteString(v.Text)
	}
	return b.String()
}

// groupCells groups the runs by cell and orders the cells by scenario and
// policy (study order, then the spec's order, then by name) and sweep point.
func groupCells(t *dataset.RunTable, info dataset.StudyInfo) ([]*cellGroup, error) {
	byCell := map[int]*cellGroup{}
	var groups []*cellGroup
	for r := range t.RunID {
		c := t.Cell[r]
		g := byCell[c]
		var sw []dataset.SweepValue
		if t.Sweep != nil {
			sw = t.Sweep[r]
		}
		if g == nil {
			g = &cellGroup{cell: c, scenario: t.Scenario[r], policy: t.Policy[r], sweep: sw, sweepKey: sweepKeyOf(sw)}
			byCell[c] = g
			groups = append(groups, g)
		} else if g.scenario != t.Scenario[r] || g.policy != t.Policy[r] || g.sweepKey != sweepKeyOf(sw) {
			return nil, fmt.Errorf("%w: runs table: cell %d holds runs of (%s, %s, %s) and (%s, %s, %s)", dataset.ErrCorrupt,
				c, g.scenario, g.policy, g.sweepKey, t.Scenario[r], t.Policy[r], sweepKeyOf(sw))
		}
		g.rows = append(g.rows, r)
	}
	scenRank := rankOf(info.Scenarios, model.ScenarioNames())
	polRank := rankOf(info.Policies, model.PolicyNames())
	for _, g := range groups {
		slices.SortStableFunc(g.rows, func(a, b int) int { return cmp.Compare(t.Replicate[a], t.Replicate[b]) })
	}
	slices.SortStableFunc(groups, func(a, b *cellGroup) int {
		if c := cmpRank(scenRank, a.scenario, b.scenario); c != 0 {
			return c
		}
		if c := cmpRank(polRank, a.policy, b.policy); c != 0 {
			return c
		}
		if c := cmpSweep(a.sweep, b.sweep); c != 0 {
			return c
		}
		return cmp.Compare(a.cell, b.cell)
	})
	return groups, nil
}

func rankOf(lists ...[]string) map[string]int {
	r := map[string]int{}
	for _, l := range lists {
		for _, s := range l {
			if _, ok := r[s]; !ok {
				r[s] = len(r)
			}
		}
	}
	return r
}

func cmpRank(rank map[string]int, a, b string) int {
	ra, oka := rank[a]
	rb, okb := rank[b]
	switch {
	case oka && okb:
		return cmp.Compare(ra, rb)
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}

func cmpSweep(a, b []dataset.SweepValue) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		if !math.IsNaN(x.Value) && !math.IsNaN(y.Value) {
			if c := cmp.Compare(x.Value, y.Value); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(x.Text, y.Text); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// presentEvents returns the events whose metric column is in the table.
func presentEvents(t *dataset.RunTable) []EventInfo {
	var out []EventInfo
	for _, e := range knownEvents {
		if t.MetricIndex(e.Metric) >= 0 {
			out = append(out, e)
		}
	}
	return out
}

// cellStats computes the per-metric distributions and event probabilities of
// one cell.
func cellStats(g *cellGroup, t *dataset.RunTable, events []EventInfo, conf float64, expected int) CellStats {
	cs := CellStats{Cell: g.cell, Scenario: g.scenario, Policy: g.policy, Sweep: g.sweep,
		Runs: len(g.rows), Expected: expected}
	buf := make([]float64, 0, len(g.rows))
	for m, mi := range t.Metrics {
		buf = buf[:0]
		col := t.Values[m]
		for _, r := range g.rows {
			buf = append(buf, col[r])
		}
		cs.Metrics = append(cs.Metrics, MetricDist{Metric: mi.Name, Dist: stats.Describe(buf, conf)})
	}
	for _, e := range events {
		col := t.Values[t.MetricIndex(e.Metric)]
		k, n := 0, 0
		for _, r := range g.rows {
			v := col[r]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			n++
			if eventHolds(e.Name, v) {
				k++
			}
		}
		cs.Events = append(cs.Events, stats.NewProportion(e.Name, k, n, conf))
	}
	return cs
}
