package aggregate

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
	"golang.org/x/sync/errgroup"
)

// fanColumns are the steps columns the fans are computed from (besides
// run_id and day), in the order fanPass unpacks them.
var fanColumns = []string{"price", "hhi", "served_mtok", "desired_mtok", "cost_usd_per_mtok", "n_active", "top_share"}

const fanNVar = 7 // len(FanVariables())

// fanCell accumulates one cell's daily values: vals[v][day] holds one value
// per run with a finite value of variable v on that day, in row order.
type fanCell struct {
	vals [fanNVar][][]float64
	runs int // runs of the cell: the capacity of each day's slice
}

// newFanCell returns a fanCell for a cell of runs runs with room for days
// days: each variable's days share one backing array of runs × days values
// (day d holds flat[d·runs : d·runs : (d+1)·runs], so a day that receives
// more than runs values reallocates instead of overwriting the next day).
func newFanCell(runs, days int) fanCell {
	fc := fanCell{runs: runs}
	for v := range fanNVar {
		flat := make([]float64, runs*days)
		col := make([][]float64, days)
		for d := range col {
			col[d] = flat[d*runs : d*runs : (d+1)*runs]
		}
		fc.vals[v] = col
	}
	return fc
}

func (fc *fanCell) add(day int, x *[fanNVar]float64) {
	for v := range fanNVar {
		if !isFinite(x[v]) {
			continue
		}
		col := fc.vals[v]
		if day >= len(col) {
			for len(col) <= day {
				col = append(col, nil)
			}
			fc.vals[v] = col
		}
		if col[day] == nil {
			col[day] = make([]float64, 0, fc.runs)
		}
		col[day] = append(col[day], x[v])
	}
}

// fans turns the accumulated values into Fans (sorting them in place).
func (fc *fanCell) fans(g *cellGroup) []Fan {
	var srt floatSorter
	out := make([]Fan, 0, fanNVar)
	for v, name := range FanVariables() {
		f := Fan{Cell: g.cell, Scenario: g.scenario, Policy: g.policy, Sweep: g.sweep, Variable: name, Unit: fanUnit(name)}
		nd := 0
		for _, x := range fc.vals[v] {
			if len(x) > 0 {
				nd++
			}
		}
		f.Days, f.N = make([]int32, 0, nd), make([]int, 0, nd)
		f.P5, f.P25, f.P50 = make([]float64, 0, nd), make([]float64, 0, nd), make([]float64, 0, nd)
		f.P75, f.P95, f.Mean = make([]float64, 0, nd), make([]float64, 0, nd), make([]float64, 0, nd)
		for day, x := range fc.vals[v] {
			if len(x) == 0 {
				continue
			}
			srt.sort(x)
			mean, _ := stats.MeanSD(x)
			f.Days = append(f.Days, int32(day))
			f.N = append(f.N, len(x))
			f.P5 = append(f.P5, stats.Quantile(0.05, x))
			f.P25 = append(f.P25, stats.Quantile(0.25, x))
			f.P50 = append(f.P50, stats.Quantile(0.5, x))
			f.P75 = append(f.P75, stats.Quantile(0.75, x))
			f.P95 = append(f.P95, stats.Quantile(0.95, x))
			f.Mean = append(f.Mean, mean)
		}
		out = append(out, f)
	}
	return out
}

// computeFans reads the steps table one partition at a time and returns the
// fans of every cell, ordered like groups then FanVariables. Within a
// partition, cells are processed in passes whose estimated accumulator size
// (runs × days × variables × 8 bytes) stays within
// opts.FanMemoryBytes / opts.Workers (at least one cell per pass); each pass
// rereads the partition's files and keeps only its cells' rows.
func computeFans(ctx context.Context, ds *dataset.Dataset, groups []*cellGroup, t *dataset.RunTable, opts Options) ([]Fan, []string, error) {
	type job struct {
		files []string
		cells []*cellGroup
		first bool // first pass over its partition: counts rows of unknown runs
	}
	days := ds.Info.HorizonDays + 1
	if ds.Info.HorizonDays <= 0 {
		days = 366
	}
	budget := opts.FanMemoryBytes / int64(max(1, opts.Workers))
	var jobs []job
	var warns []string
	for _, sp := range ds.Steps {
		var cells []*cellGroup
		for _, g := range groups {
			if g.scenario == sp.Scenario && g.policy == sp.Policy {
				cells = append(cells, g)
			}
		}
		if len(cells) == 0 {
			warns = append(warns, fmt.Sprintf("steps partition scenario=%s/policy=%s has no runs in the runs table", sp.Scenario, sp.Policy))
			continue
		}
		var pass []*cellGroup
		var bytes int64
		first := true
		for _, g := range cells {
			est := int64(len(g.rows)) * int64(days) * fanNVar * 8
			if len(pass) > 0 && bytes+est > budget {
				jobs = append(jobs, job{sp.Files, pass, first})
				pass, bytes, first = nil, 0, false
			}
			pass = append(pass, g)
			bytes += est
		}
		jobs = append(jobs, job{sp.Files, pass, first})
	}
	known := make(map[int64]bool, len(t.RunID))
	for _, id := range t.RunID {
		known[id] = true
	}
	results := map[int][]Fan{}
	var unknown int64
	var mu sync.Mutex
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(max(1, opts.Workers))
	for _, j := range jobs {
		eg.Go(func() error {
			var kn map[int64]bool
			if j.first {
				kn = known
			}
			fans, unk, err := fanPass(ctx, ds, j.files, j.cells, t, kn, days)
			if err != nil {
				return err
			}
			mu.Lock()
			unknown += unk
			for c, f := range fans {
				results[c] = f
			}
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, nil, err
	}
	var out []Fan
	for _, g := range groups {
		out = append(out, results[g.cell]...)
	}
	if unknown > 0 {
		warns = append(warns, fmt.Sprintf("%d steps row(s) of runs missing from the runs table were ignored", unknown))
	}
	return out, warns, nil
}

// fanPass streams the given steps files and accumulates the rows of cells;
// when known is not nil it also counts the rows whose run is not in it.
//
// A run's rows are contiguous in the steps files (one run's days follow each
// other), so the cell of the previous row is reused while run_id repeats.
// days is the number of days the accumulators are sized for (later days
// still fit, at the cost of a reallocation).
func fanPass(ctx context.Context, ds *dataset.Dataset, files []string, cells []*cellGroup, t *dataset.RunTable, known map[int64]bool, days int) (map[int][]Fan, int64, error) {
	var unknown int64
	acc := make([]fanCell, len(cells))
	slot := map[int64]int{}
	for i, g := range cells {
		acc[i] = newFanCell(len(g.rows), days)
		for _, r := range g.rows {
			slot[t.RunID[r]] = i
		}
	}
	peg, _ := ds.Info.PegAndBand()
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		err := ds.ReadStepsColumns(ctx, path, fanColumns, func(runID, day []int64, v [][]float64) error {
			price, hhi, served, desired, cost, nact, ts := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
			var x [fanNVar]float64
			prevID, prevSlot, prevOK, have := int64(0), 0, false, false
			for i, id := range runID {
				var s int
				var ok bool
				if have && id == prevID {
					s, ok = prevSlot, prevOK
				} else {
					s, ok = slot[id]
					prevID, prevSlot, prevOK, have = id, s, ok, true
				}
				if !ok {
					if known != nil && !known[id] {
						unknown++
					}
					continue
				}
				d := day[i]
				if d < 0 || d > 1<<20 {
					return fmt.Errorf("%w: %s: row %d: day %d out of range", dataset.ErrCorrupt, path, i, d)
				}
				sat := math.NaN()
				if desired[i] > 0 {
					sat = served[i] / desired[i]
				}
				x = [fanNVar]float64{price[i], math.Abs(price[i] - peg), hhi[i], sat, cost[i], nact[i], ts[i]}
				acc[s].add(int(d), &x)
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	out := make(map[int][]Fan, len(cells))
	for i, g := range cells {
		out[g.cell] = acc[i].fans(g)
		acc[i] = fanCell{}
	}
	return out, unknown, nil
}

// fanUnit is the unit of a fan variable: its steps entry in the metric
// catalogue (model.LookupMetric).
func fanUnit(name string) string {
	m, _ := model.LookupMetric(model.TableSteps, name)
	return m.Unit
}
