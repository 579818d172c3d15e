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

const (
	fanNVar = 7 // len(FanVariables())
	// fanPegDev is the index of FanPegDeviation in FanVariables: it is not
	// accumulated but derived from each day's sorted prices (pegDeviations).
	fanPegDev = 1
	// fanNAcc is the number of accumulated variables (all but fanPegDev).
	fanNAcc = fanNVar - 1
)

// fanCell accumulates one cell's daily values: vals[v][day] holds one value
// per run with a finite value of variable v on that day, in row order
// (vals[fanPegDev] stays empty).
type fanCell struct {
	vals [fanNVar][][]float64
	flat [fanNVar][]float64 // vals[v]'s backing array (from floatBufs)
	runs int                // runs of the cell: the capacity of each day's slice
}

// newFanCell returns a fanCell for a cell of runs runs with room for days
// days: each accumulated variable's days share one backing array of runs ×
// days values taken from bufs (day d holds flat[d·runs : d·runs : (d+1)·runs],
// so a day that receives more than runs values reallocates instead of
// overwriting the next day; a recycled array's old contents are never read,
// every day being filled by append).
func newFanCell(runs, days int, bufs *floatBufs) fanCell {
	fc := fanCell{runs: runs}
	for v := range fanNVar {
		if v == fanPegDev {
			continue
		}
		flat := bufs.get(runs * days)
		fc.flat[v] = flat
		col := make([][]float64, days)
		for d := range col {
			col[d] = flat[d*runs : d*runs : (d+1)*runs]
		}
		fc.vals[v] = col
	}
	return fc
}

// release returns fc's backing arrays to bufs; fc must not be used after.
func (fc *fanCell) release(bufs *floatBufs) {
	for _, flat := range fc.flat {
		bufs.put(flat)
	}
	*fc = fanCell{}
}

// addColumn adds one run's values x of variable v on days (x[k] on day
// days[k], days in range), skipping NaN and ±Inf.
func (fc *fanCell) addColumn(v int, days []int64, x []float64) {
	col := fc.vals[v]
	x = x[:len(days)]
	for k, d := range days {
		f := x[k]
		if !isFinite(f) {
			continue
		}
		for len(col) <= int(d) {
			col = append(col, nil)
		}
		if col[d] == nil {
			col[d] = make([]float64, 0, fc.runs)
		}
		col[d] = append(col[d], f)
	}
	fc.vals[v] = col
}

// fans turns the accumulated values into Fans, one per FanVariables entry.
// Each day's sample of a variable is sorted (daySorter) and described by
// stats.MeanSD and stats.Quantile over the sorted values; the peg deviation's
// sorted sample is derived from the same day's sorted prices and peg
// (pegDeviations). The accumulated values are not modified.
func (fc *fanCell) fans(g *cellGroup, peg float64) []Fan {
	out := make([]Fan, fanNVar)
	ndays := 0
	for v, name := range FanVariables() {
		src := v
		if v == fanPegDev {
			src = 0 // the price's days (a capacity: a day's deviations may all overflow)
		}
		nd := 0
		for _, x := range fc.vals[src] {
			if len(x) > 0 {
				nd++
			}
		}
		ndays = max(ndays, len(fc.vals[src]))
		f := Fan{Cell: g.cell, Scenario: g.scenario, Policy: g.policy, Sweep: g.sweep, Variable: name, Unit: fanUnit(name)}
		f.Days, f.N = make([]int32, 0, nd), make([]int, 0, nd)
		f.P5, f.P25, f.P50 = make([]float64, 0, nd), make([]float64, 0, nd), make([]float64, 0, nd)
		f.P75, f.P95, f.Mean = make([]float64, 0, nd), make([]float64, 0, nd), make([]float64, 0, nd)
		out[v] = f
	}
	var sorters [fanNVar]daySorter
	var dev []float64
	for day := range ndays {
		var prices []float64 // the day's sorted prices
		for v := range fanNVar {
			var x []float64
			switch {
			case v == fanPegDev:
				dev = pegDeviations(dev[:0], prices, peg)
				x = dev
			case day < len(fc.vals[v]) && len(fc.vals[v][day]) > 0:
				x = sorters[v].sort(fc.vals[v][day])
			}
			if v == 0 {
				prices = x
			}
			if len(x) == 0 {
				continue
			}
			f := &out[v]
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
	}
	return out
}

// computeFans reads the steps table one partition at a time and returns the
// fans of every cell, ordered like groups then FanVariables. Within a
// partition, cells are processed in passes whose estimated accumulator size
// (runs × days × variables × 8 bytes) stays within
// opts.FanMemoryBytes / opts.Workers (at least one cell per pass); each pass
// rereads the partition's files and keeps only its cells' rows. Files read
// ahead (prefetch, nil for none) are taken by the first pass reading them.
func computeFans(ctx context.Context, ds *dataset.Dataset, groups []*cellGroup, t *dataset.RunTable, opts Options, prefetch *stepsPrefetch) ([]Fan, []string, error) {
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
			est := int64(len(g.rows)) * int64(days) * fanNAcc * 8
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
	bufs := floatBufs{limit: opts.FanMemoryBytes} // accumulator arrays, reused by later passes
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
			fans, unk, err := fanPass(ctx, ds, j.files, j.cells, t, kn, days, &bufs, prefetch)
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
// still fit, at the cost of a reallocation). The accumulators' arrays are
// taken from bufs and returned to it. The files are read through prefetch
// (stepsPrefetch.read: a copy read ahead, or the file).
func fanPass(ctx context.Context, ds *dataset.Dataset, files []string, cells []*cellGroup, t *dataset.RunTable, known map[int64]bool, days int, bufs *floatBufs, prefetch *stepsPrefetch) (map[int][]Fan, int64, error) {
	var unknown int64
	acc := make([]fanCell, len(cells))
	defer func() {
		for i := range acc {
			acc[i].release(bufs)
		}
	}()
	slot := map[int64]int{}
	for i, g := range cells {
		acc[i] = newFanCell(len(g.rows), days, bufs)
		for _, r := range g.rows {
			slot[t.RunID[r]] = i
		}
	}
	peg, _ := ds.Info.PegAndBand()
	var sat []float64 // one run's served / desired
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		err := prefetch.read(ctx, ds, path, func(runID, day []int64, v [][]float64) error {
			price, hhi, served, desired, cost, nact, ts := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
			// One run's rows at a time (rows of one run_id are contiguous),
			// one variable at a time: each (variable, day) sample still
			// receives its values in row order.
			for lo := 0; lo < len(runID); {
				id := runID[lo]
				hi := lo + 1
				for hi < len(runID) && runID[hi] == id {
					hi++
				}
				s, ok := slot[id]
				if !ok {
					if known != nil && !known[id] {
						unknown += int64(hi - lo)
					}
					lo = hi
					continue
				}
				runDays := day[lo:hi]
				for k, d := range runDays {
					if d < 0 || d > 1<<20 {
						return fmt.Errorf("%w: %s: row %d: day %d out of range", dataset.ErrCorrupt, path, lo+k, d)
					}
				}
				fc := &acc[s]
				sat = sat[:0]
				for i := lo; i < hi; i++ {
					q := math.NaN()
					if desired[i] > 0 {
						q = served[i] / desired[i]
					}
					sat = append(sat, q)
				}
				for v, x := range [fanNVar][]float64{price[lo:hi], nil, hhi[lo:hi], sat, cost[lo:hi], nact[lo:hi], ts[lo:hi]} {
					if v != fanPegDev {
						fc.addColumn(v, runDays, x)
					}
				}
				lo = hi
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	out := make(map[int][]Fan, len(cells))
	for i, g := range cells {
		out[g.cell] = acc[i].fans(g, peg)
		acc[i].release(bufs)
	}
	return out, unknown, nil
}

// fanUnit is the unit of a fan variable: its steps entry in the metric
// catalogue (model.LookupMetric).
func fanUnit(name string) string {
	m, _ := model.LookupMetric(model.TableSteps, name)
	return m.Unit
}
