package aggregate

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
	"golang.org/x/sync/errgroup"
)

// ErrNoRuns: the study holds no completed runs yet. Errors about one file
// of the study wrap dataset.ErrNotStudy, dataset.ErrCorrupt or
// dataset.ErrSchema and name the file.
var ErrNoRuns = errors.New("aggregate: study has no completed runs")

// BaselinePolicy is the policy variant that policy effects are measured
// against (MODEL-SPEC §5).
const BaselinePolicy = "none"

// EventInfo describes one run-level event whose probability is estimated per
// cell (stats.Proportion.Event is EventInfo.Name).
type EventInfo struct {
	Name   string // e.g. "fund_depleted"
	Label  string // e.g. "P(fund depleted)"
	Metric string // runs column it is computed from
	Rule   string // the rule in words, e.g. "fund_depleted_day ≥ 0"
	Better model.Direction
}

// MetricDist is one metric's distribution in one cell.
type MetricDist struct {
	Metric string
	stats.Dist
}

// CellStats is the aggregate of one cell (scenario × policy × sweep point).
type CellStats struct {
	Cell     int
	Scenario string
	Policy   string
	Sweep    []dataset.SweepValue // in the study's sweep order; empty without sweeps
	Runs     int                  // runs found in the runs table
	Expected int                  // runs planned (replicates), 0 when unknown
	Metrics  []MetricDist         // in Study.Metrics order
	Events   []stats.Proportion   // in Study.Events order
}

// Metric returns the distribution of the named metric in the cell.
func (c *CellStats) Metric(name string) (stats.Dist, bool) {
	for _, m := range c.Metrics {
		if m.Metric == name {
			return m.Dist, true
		}
	}
	return stats.Dist{}, false
}

// Event returns the named event's probability in the cell.
func (c *CellStats) Event(name string) (stats.Proportion, bool) {
	for _, e := range c.Events {
		if e.Event == name {
			return e, true
		}
	}
	return stats.Proportion{}, false
}

// Effect is the paired effect of a policy versus BaselinePolicy on one metric,
// in one scenario and sweep point, under common random numbers: the runs of
// both cells are matched by replicate and d_r = policy_r − none_r.
// MeanDiff = mean(d); [Lo, Hi] is a bootstrap confidence interval of mean(d)
// at Options.Confidence by Method ("bca" or "percentile") with B resamples.
type Effect struct {
	Scenario   string
	Policy     string
	Sweep      []dataset.SweepValue
	Metric     string
	N          int     // matched replicate pairs with both values present
	BaseMean   float64 // mean of the baseline over the pairs
	PolicyMean float64 // mean of the policy over the pairs
	MeanDiff   float64 // PolicyMean − BaseMean
	Lo, Hi     float64 // bootstrap interval of MeanDiff; NaN when N < 2
	SDDiff     float64 // sd (n−1) of the paired differences
	FracBetter float64 // share of pairs where the policy is better (by model.Metric.Better); NaN if model.Neutral
	Method     string
	B          int
}

// RelDiff returns MeanDiff / |BaseMean| (NaN when BaseMean is 0).
func (e *Effect) RelDiff() float64 {
	if e.BaseMean == 0 {
		return math.NaN()
	}
	return e.MeanDiff / math.Abs(e.BaseMean)
}

// Fan variables read from the `steps` table.
const (
	FanPrice        = "price"             // USD per CLT
	FanPegDeviation = "peg_deviation"     // |price − peg|, USD per CLT
	FanHHI          = "hhi"               // 0–10,000
	FanSatisfaction = "satisfaction"      // served_mtok / desired_mtok of the day
	FanCost         = "cost_usd_per_mtok" // USD per Mtok
	FanNActive      = "n_active"          // providers
	FanTopShare     = "top_share"         // fraction
)

// FanVariables lists the fan variables in the order Aggregate computes them.
func FanVariables() []string {
	return []string{FanPrice, FanPegDeviation, FanHHI, FanSatisfaction, FanCost, FanNActive, FanTopShare}
}

// Fan is the across-replicate distribution of one daily variable in one cell:
// for each recorded day Days[k], the type-7 quantiles of the variable over the
// cell's runs that have a finite value that day (N[k] of them).
type Fan struct {
	Cell     int
	Scenario string
	Policy   string
	Sweep    []dataset.SweepValue
	Variable string // one of the Fan… constants
	Unit     string
	Days     []int32
	N        []int
	P5       []float64
	P25      []float64
	P50      []float64
	P75      []float64
	P95      []float64
	Mean     []float64
}

// Study is the full aggregate of one study directory.
type Study struct {
	Info     dataset.StudyInfo
	Metrics  []model.Metric // metrics present in the runs table, in report order
	Events   []EventInfo
	Cells    []CellStats // sorted by scenario, policy (study order), then sweep point
	Effects  []Effect    // sorted like Cells, then by metric in Metrics order
	Fans     []Fan       // sorted like Cells, then by variable in FanVariables order
	Warnings []string    // non-fatal problems (missing baseline, unmatched replicates, …)
	Options  Options     // the options used

	runs   *dataset.RunTable // the runs table, for RunValues
	rowsOf map[int][]int     // cell → its rows in runs, by replicate
}

// RunValues returns the finite values of one metric over the runs of a cell
// (CellStats.Cell), in replicate order, for histograms, ECDFs and box plots;
// nil when the cell or metric is unknown. The slice is a copy.
func (s *Study) RunValues(cell int, metric string) []float64 {
	if s.runs == nil {
		return nil
	}
	m := s.runs.MetricIndex(metric)
	rows, ok := s.rowsOf[cell]
	if m < 0 || !ok {
		return nil
	}
	out := make([]float64, 0, len(rows))
	for _, r := range rows {
		if v := s.runs.Values[m][r]; isFinite(v) {
			out = append(out, v)
		}
	}
	return out
}

// RunReplicates returns the replicate numbers of the runs of a cell, in the
// order of RunValues' rows before nulls are dropped; nil when unknown.
func (s *Study) RunReplicates(cell int) []int {
	rows, ok := s.rowsOf[cell]
	if !ok {
		return nil
	}
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = s.runs.Replicate[r]
	}
	return out
}

// model.Metric returns the description of the named metric.
func (s *Study) MetricInfo(name string) (model.Metric, bool) {
	for _, m := range s.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return model.Metric{}, false
}

// CellsOf returns the cells of one scenario, in Study.Cells order.
func (s *Study) CellsOf(scenario string) []*CellStats {
	var out []*CellStats
	for i := range s.Cells {
		if s.Cells[i].Scenario == scenario {
			out = append(out, &s.Cells[i])
		}
	}
	return out
}

// EffectsOf returns the effects on one metric in one scenario (all sweep
// points and policies), in Study.Effects order.
func (s *Study) EffectsOf(scenario, metric string) []*Effect {
	var out []*Effect
	for i := range s.Effects {
		if s.Effects[i].Scenario == scenario && s.Effects[i].Metric == metric {
			out = append(out, &s.Effects[i])
		}
	}
	return out
}

// FansOf returns the fans of one variable in one scenario, in Study.Fans order.
func (s *Study) FansOf(scenario, variable string) []*Fan {
	var out []*Fan
	for i := range s.Fans {
		if s.Fans[i].Scenario == scenario && s.Fans[i].Variable == variable {
			out = append(out, &s.Fans[i])
		}
	}
	return out
}

// Options controls Aggregate.
type Options struct {
	Confidence      float64 // two-sided level of every interval; default 0.95
	Bootstrap       int     // bootstrap resamples B; default 2,000
	BootstrapMethod string  // stats.MethodBCa (default) or stats.MethodPercentile
	Seed            uint64  // seed of the bootstrap streams; default: the study's seed
	Fans            bool    // read `steps` and compute fans; default true
	// FanMemoryBytes bounds the memory of the fan accumulators, split evenly
	// over Workers: the cells of one steps partition are grouped into passes
	// whose estimated size (runs × days × 6 accumulated variables × 8
	// bytes; the peg deviation is derived from the price) fits one
	// worker's share, at least one cell per pass (0: one cell per pass).
	// Default 256 MiB.
	FanMemoryBytes int64
	WriteSummary   bool // write summary/*.parquet and *.arrow; default true
	Workers        int  // goroutines for effects, and for steps passes, which run concurrently; default 2 (0 means 1)
	// Verify selects the part files checked against the manifest's SHA-256
	// before they are read; default VerifyRead (the files read).
	Verify Verify
}

// DefaultOptions returns the defaults documented on Options.
func DefaultOptions() Options {
	return Options{
		Confidence:      0.95,
		Bootstrap:       2000,
		BootstrapMethod: stats.MethodBCa,
		Fans:            true,
		FanMemoryBytes:  256 << 20,
		WriteSummary:    true,
		Workers:         2,
	}
}

// Validate checks the options.
func (o Options) Validate() error {
	if !(o.Confidence > 0 && o.Confidence < 1) {
		return fmt.Errorf("aggregate: Options.Confidence %v: must be in (0,1)", o.Confidence)
	}
	if o.Bootstrap < 100 {
		return fmt.Errorf("aggregate: Options.Bootstrap %d: must be ≥ 100", o.Bootstrap)
	}
	if o.BootstrapMethod != stats.MethodBCa && o.BootstrapMethod != stats.MethodPercentile {
		return fmt.Errorf("aggregate: Options.BootstrapMethod %q: must be %q or %q", o.BootstrapMethod, stats.MethodBCa, stats.MethodPercentile)
	}
	if o.FanMemoryBytes < 0 {
		return fmt.Errorf("aggregate: Options.FanMemoryBytes %d: must be ≥ 0", o.FanMemoryBytes)
	}
	if o.Workers < 0 {
		return fmt.Errorf("aggregate: Options.Workers %d: must be ≥ 0", o.Workers)
	}
	return nil
}

// Aggregate reads the study in dir (MODEL-SPEC §8), computes per-cell
// distributions and event probabilities, paired policy effects and (when
// opts.Fans) fan data, writes the summary tables (when opts.WriteSummary)
// and returns the result. A study that is still running or has failed runs
// is aggregated from what is present and flagged in Study.Info and
// Study.Warnings. Memory: the runs table, plus the fan accumulators of at
// most opts.Workers steps passes (see Options.FanMemoryBytes), plus the
// columns of the steps files read ahead (prefetchPartitions) until their
// passes take them.
//
// Errors wrap dataset.ErrNotStudy, dataset.ErrCorrupt, dataset.ErrSchema or ErrNoRuns and name the file.
func Aggregate(ctx context.Context, dir string, opts Options) (*Study, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Workers == 0 {
		opts.Workers = 1
	}
	ds, err := dataset.OpenDataset(dir)
	if err != nil {
		return nil, err
	}
	if err := verifyFor(ctx, ds, opts); err != nil {
		return nil, err
	}
	// The first steps files are read while the runs table is (the fan
	// passes need it to start).
	var prefetch *stepsPrefetch
	if opts.Fans && ds.Info.StepsPresent {
		var stop func()
		prefetch, stop = startPrefetch(ctx, ds)
		defer stop()
	}
	runs, err := ds.ReadRuns(ctx)
	if err != nil {
		return nil, err
	}
	if runs.Len() == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoRuns, ds.RunsDir())
	}
	if opts.Seed == 0 {
		opts.Seed = ds.Info.Seed
	}
	st := &Study{Info: ds.Info, Options: opts}
	st.Info.RunsFound = runs.Len()
	st.Info.ConsumerDays = runs.ConsumerDays
	st.Info.SweepParams = runs.SweepParams
	st.Metrics = runs.Metrics
	st.Events = presentEvents(runs)
	if runs.Duplicates > 0 {
		st.Warnings = append(st.Warnings, fmt.Sprintf("%d duplicate run row(s) ignored (same run_id)", runs.Duplicates))
	}
	groups, err := groupCells(runs, ds.Info)
	if err != nil {
		return nil, err
	}
	st.runs, st.rowsOf = runs, map[int][]int{}
	for _, g := range groups {
		st.rowsOf[g.cell] = g.rows
	}
	// The cells' distributions, the effects and the fans are independent:
	// computed concurrently (effects and fans each with up to opts.Workers
	// goroutines), their warnings kept in this order.
	var effWarns, fanWarns []string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		st.Cells = make([]CellStats, 0, len(groups))
		for _, cg := range groups {
			st.Cells = append(st.Cells, cellStats(cg, runs, st.Events, opts.Confidence, ds.Info.Replicates))
		}
		return nil
	})
	g.Go(func() (err error) {
		st.Effects, effWarns, err = computeEffects(gctx, groups, runs, opts)
		return err
	})
	if opts.Fans && ds.Info.StepsPresent {
		g.Go(func() (err error) {
			st.Fans, fanWarns, err = computeFans(gctx, ds, groups, runs, opts, prefetch)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	st.Warnings = append(st.Warnings, effWarns...)
	st.Warnings = append(st.Warnings, fanWarns...)
	if st.Info.RunsFailed > 0 {
		st.Warnings = append(st.Warnings, fmt.Sprintf("%d run(s) failed; their cells have fewer runs", st.Info.RunsFailed))
	}
	if st.Info.Running() {
		st.Warnings = append(st.Warnings, fmt.Sprintf("study not complete (still running or interrupted): %d of %d planned runs present",
			st.Info.RunsFound, st.Info.RunsPlanned))
	}
	present := map[int]bool{}
	for _, g := range groups {
		present[g.cell] = true
	}
	if ds.Manifest != nil && st.Info.Complete {
		for _, c := range ds.Manifest.Cells {
			if !present[c.Index] {
				st.Warnings = append(st.Warnings, fmt.Sprintf("cell %d (%s/%s) has no runs", c.Index, c.Scenario, c.Policy))
			}
		}
	}
	for _, g := range groups {
		if st.Info.Replicates > 0 && len(g.rows) < st.Info.Replicates && st.Info.Complete {
			st.Warnings = append(st.Warnings, fmt.Sprintf("%s/%s %s: %d of %d replicates", g.scenario, g.policy, g.sweepKey, len(g.rows), st.Info.Replicates))
		}
	}
	if opts.WriteSummary {
		if err := WriteSummary(dir, st); err != nil {
			return nil, err
		}
	}
	return st, nil
}
