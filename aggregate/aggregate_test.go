package aggregate

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/synthstudy"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

func aggTestOptions() Options {
	o := DefaultOptions()
	o.Bootstrap = 1000
	return o
}

// synthValues recomputes a metric of every present run of cell c.
func synthValues(s synthstudy.Study, c synthstudy.Cell, f func(*model.Summary) float64) (reps []int, vals []float64) {
	for rep := range s.Replicates {
		if s.Skip[s.RunID(c, rep)] {
			continue
		}
		sum := synthstudy.Summary(c, rep, 7)
		reps = append(reps, rep)
		vals = append(vals, f(&sum))
	}
	return reps, vals
}

func TestAggregateSynthetic(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"volatility", "baseline"}, Policies: []string{"none", "fund", "all"},
		Replicates: 40, Horizon: 30, Steps: true, ChunkRuns: 50, Skip: map[int64]bool{45: true}}
	synthstudy.Write(t, dir, s)
	st, err := Aggregate(context.Background(), dir, aggTestOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.Info.RunsFound != 239 || st.Info.RunsFailed != 1 || st.Info.RunsPlanned != 240 || !st.Info.Complete || st.Info.Running() {
		t.Errorf("info: %+v", st.Info)
	}
	if st.Info.ConsumerDays != 239*1000 || st.Info.Seed != 7 || st.Info.WallSeconds != 90 || st.Info.Peg != 1 || st.Info.PegBand != 0.05 {
		t.Errorf("info: consumer days %d seed %d wall %v peg %v band %v", st.Info.ConsumerDays, st.Info.Seed, st.Info.WallSeconds, st.Info.Peg, st.Info.PegBand)
	}
	if len(st.Info.FailedRuns) != 1 || !strings.Contains(st.Info.FailedRuns[0], "synthetic failure") {
		t.Errorf("failed runs: %q", st.Info.FailedRuns)
	}
	if !slices.ContainsFunc(st.Warnings, func(w string) bool { return strings.Contains(w, "1 run(s) failed") }) {
		t.Errorf("warnings %q lack the failed run", st.Warnings)
	}
	// Cells follow the study's scenario and policy order.
	var order []string
	for _, c := range st.Cells {
		order = append(order, c.Scenario+"/"+c.Policy)
	}
	wantOrder := []string{"volatility/none", "volatility/fund", "volatility/all", "baseline/none", "baseline/fund", "baseline/all"}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("cell order %v, want %v", order, wantOrder)
	}
	if len(st.Metrics) != len(model.CatalogueOf(model.TableRuns)) {
		t.Errorf("%d metrics, want %d", len(st.Metrics), len(model.CatalogueOf(model.TableRuns)))
	}
	cells := s.Cells()
	for _, cs := range st.Cells {
		c := cells[cs.Cell]
		reps, peg := synthValues(s, c, func(m *model.Summary) float64 { return m.PegMAD })
		if cs.Runs != len(reps) || cs.Expected != 40 {
			t.Errorf("cell %d: runs %d expected %d, want %d, 40", cs.Cell, cs.Runs, cs.Expected, len(reps))
		}
		if rv := st.RunValues(cs.Cell, "peg_mad"); !slices.Equal(rv, peg) || !slices.Equal(st.RunReplicates(cs.Cell), reps) {
			t.Errorf("cell %d: RunValues %v, want %v", cs.Cell, rv, peg)
		}
		d, ok := cs.Metric("peg_mad")
		want := stats.Describe(peg, 0.95)
		if !ok || fmt.Sprint(d) != fmt.Sprint(want) {
			t.Errorf("cell %d peg_mad: %+v, want %+v", cs.Cell, d, want)
		}
		var sum float64
		for _, v := range peg {
			sum += v
		}
		if !refClose(d.Mean, sum/float64(len(peg)), 1e-14) {
			t.Errorf("cell %d: mean %v, want %v", cs.Cell, d.Mean, sum/float64(len(peg)))
		}
		// Nulls: leader_profit_share is null for replicates ≡ 0 mod 5.
		lp, _ := cs.Metric("leader_profit_share")
		nulls := 0
		for _, r := range reps {
			if r%5 == 0 {
				nulls++
			}
		}
		if lp.N != len(reps)-nulls || lp.Missing != nulls {
			t.Errorf("cell %d leader_profit_share: N=%d Missing=%d, want %d, %d", cs.Cell, lp.N, lp.Missing, len(reps)-nulls, nulls)
		}
		// Events.
		k := 0
		if c.Policy == "fund" {
			for _, r := range reps {
				if r%4 == 0 {
					k++
				}
			}
		}
		// Null ("never" or no fund) is missing in the distribution; the
		// event counts the runs with a fund (fund_depleted not null).
		if fdd, _ := cs.Metric("fund_depleted_day"); fdd.N != k || fdd.Missing != len(reps)-k || (k > 0 && fdd.Min < 100) {
			t.Errorf("cell %d fund_depleted_day: %+v, want N=%d", cs.Cell, fdd, k)
		}
		fd, _ := cs.Event("fund_depleted")
		withFund := 0
		if c.Policy == "fund" || c.Policy == "all" {
			withFund = len(reps)
		}
		if fd.K != k || fd.N != withFund || withFund > 0 && fd != stats.NewProportion("fund_depleted", k, withFund, 0.95) {
			t.Errorf("cell %d fund_depleted: %+v, want k=%d n=%d", cs.Cell, fd, k, withFund)
		}
		_, exits := synthValues(s, c, func(m *model.Summary) float64 { return float64(m.Exits) })
		k = 0
		for _, v := range exits {
			if v > 0 {
				k++
			}
		}
		if e, _ := cs.Event("any_exit"); e.K != k || e.N != len(reps) {
			t.Errorf("cell %d any_exit: %+v, want %d/%d", cs.Cell, e, k, len(reps))
		}
	}
	// Effects: 2 scenarios × 2 policies × metrics.
	if len(st.Effects) != 4*len(st.Metrics) {
		t.Fatalf("%d effects, want %d", len(st.Effects), 4*len(st.Metrics))
	}
	for _, e := range st.EffectsOf("baseline", "peg_mad") {
		var pc, bc synthstudy.Cell
		for _, c := range cells {
			if c.Scenario == "baseline" && c.Policy == e.Policy {
				pc = c
			}
			if c.Scenario == "baseline" && c.Policy == "none" {
				bc = c
			}
		}
		prep, pv := synthValues(s, pc, func(m *model.Summary) float64 { return m.PegMAD })
		brep, bv := synthValues(s, bc, func(m *model.Summary) float64 { return m.PegMAD })
		var diffs []float64
		for i, r := range prep {
			if j := slices.Index(brep, r); j >= 0 {
				diffs = append(diffs, pv[i]-bv[j])
			}
		}
		mean, sd := stats.MeanSD(diffs)
		var pcell, bcell int = -1, -1
		for _, c := range st.CellsOf("baseline") {
			switch c.Policy {
			case e.Policy:
				pcell = c.Cell
			case "none":
				bcell = c.Cell
			}
		}
		if got := st.PairedDifferences(pcell, bcell, "peg_mad"); !slices.Equal(got, diffs) {
			t.Errorf("%s: PairedDifferences = %v, want %v", e.Policy, got, diffs)
		}
		if e.N != len(diffs) || !refClose(e.MeanDiff, mean, 1e-12) || !refClose(e.SDDiff, sd, 1e-12) {
			t.Errorf("%s: N=%d diff=%v sd=%v, want %d %v %v", e.Policy, e.N, e.MeanDiff, e.SDDiff, len(diffs), mean, sd)
		}
		if !refClose(e.MeanDiff, e.PolicyMean-e.BaseMean, 1e-12) {
			t.Errorf("%s: MeanDiff %v ≠ PolicyMean − BaseMean %v", e.Policy, e.MeanDiff, e.PolicyMean-e.BaseMean)
		}
		// The true effect is known; the interval is about ±1.96 sd/√n wide.
		half := 1.96 * sd / math.Sqrt(float64(len(diffs)))
		if !(e.Lo < e.MeanDiff && e.MeanDiff < e.Hi) || math.Abs((e.Hi-e.Lo)/(2*half)-1) > 0.25 {
			t.Errorf("%s: interval [%v, %v] around %v, want half-width ≈ %v", e.Policy, e.Lo, e.Hi, e.MeanDiff, half)
		}
		if math.Abs(e.MeanDiff-synthstudy.Effect(e.Policy)) > 4*sd/math.Sqrt(float64(len(diffs))) {
			t.Errorf("%s: effect %v, true %v", e.Policy, e.MeanDiff, synthstudy.Effect(e.Policy))
		}
		if e.FracBetter != 1 || e.Method != stats.MethodBCa || e.B != 1000 {
			t.Errorf("%s: FracBetter %v method %s B %d", e.Policy, e.FracBetter, e.Method, e.B)
		}
	}
	// A metric that only depends on the replicate has zero paired difference:
	// runs are matched by replicate (common random numbers).
	for _, e := range st.EffectsOf("volatility", "realized_vol_annual") {
		if e.MeanDiff != 0 || e.Lo != 0 || e.Hi != 0 || e.SDDiff != 0 {
			t.Errorf("%s realized_vol_annual: %+v, want an exact zero", e.Policy, e)
		}
	}
	// Fans.
	if len(st.Fans) != 6*len(FanVariables()) {
		t.Fatalf("%d fans, want %d", len(st.Fans), 6*len(FanVariables()))
	}
	for _, f := range st.FansOf("baseline", FanPrice) {
		c := cells[f.Cell]
		if len(f.Days) != 31 || f.Days[0] != 0 || f.Days[30] != 30 || f.Unit != "USD/CLT" {
			t.Fatalf("fan days %v", f.Days)
		}
		for k, day := range f.Days {
			var x []float64
			for rep := range s.Replicates {
				if !s.Skip[s.RunID(c, rep)] {
					x = append(x, synthstudy.Step(0, c, rep, int(day)).Price)
				}
			}
			slices.Sort(x)
			if f.N[k] != len(x) || f.P5[k] != stats.Quantile(0.05, x) || f.P50[k] != stats.Quantile(0.5, x) || f.P95[k] != stats.Quantile(0.95, x) {
				t.Fatalf("cell %d day %d: N=%d P5=%v P50=%v P95=%v", f.Cell, day, f.N[k], f.P5[k], f.P50[k], f.P95[k])
			}
		}
	}
	for _, f := range st.FansOf("volatility", FanSatisfaction) {
		// Days without demand have no satisfaction value: N drops on day 2.
		c := cells[f.Cell]
		present, want := 0, 0
		for rep := range s.Replicates {
			if !s.Skip[s.RunID(c, rep)] {
				present++
				if rep%9 != 0 {
					want++
				}
			}
		}
		if f.N[1] != present || f.N[2] != want {
			t.Errorf("cell %d satisfaction N: day 1 %d, day 2 %d, want day 2 %d", f.Cell, f.N[1], f.N[2], want)
		}
		if f.P5[0] != 0.9 || f.P95[0] < 0.98 || f.P95[0] > 0.99 {
			t.Errorf("satisfaction fan day 0: P5 %v P95 %v", f.P5[0], f.P95[0])
		}
	}
	for _, f := range st.FansOf("volatility", FanPegDeviation) {
		for k := range f.Days {
			if f.P5[k] < 0 || f.P95[k] > 0.0125 {
				t.Errorf("peg deviation out of range: %v %v", f.P5[k], f.P95[k])
			}
		}
	}
}

// TestAggregateDeterministic: the result does not depend on the number of
// workers or on how the fan computation is split into passes.
func TestAggregateDeterministic(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"}, SweepParam: "share_cap.cap",
		SweepVals: []float64{0.3, 0.5, 0.4}, Replicates: 25, Horizon: 12, Steps: true, ChunkRuns: 17}
	synthstudy.Write(t, dir, s)
	o1 := aggTestOptions()
	o1.Workers, o1.WriteSummary = 1, false
	a, err := Aggregate(context.Background(), dir, o1)
	if err != nil {
		t.Fatal(err)
	}
	o2 := aggTestOptions()
	o2.Workers, o2.FanMemoryBytes, o2.WriteSummary = 3, 1, false // one cell per pass
	b, err := Aggregate(context.Background(), dir, o2)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Cells) != fmt.Sprint(b.Cells) || fmt.Sprint(a.Effects) != fmt.Sprint(b.Effects) || fmt.Sprint(a.Fans) != fmt.Sprint(b.Fans) {
		t.Error("results differ between 1 worker/one pass and 3 workers/one cell per pass")
	}
	// The summary files are the same bytes whatever the worker count.
	da, db := t.TempDir(), t.TempDir()
	if err := WriteSummary(da, a); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(db, b); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"metrics", "events", "effects", "fans"} {
		for _, ext := range []string{".parquet", ".arrow"} {
			x, err1 := os.ReadFile(filepath.Join(da, "summary", name+ext))
			y, err2 := os.ReadFile(filepath.Join(db, "summary", name+ext))
			if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
				t.Errorf("summary/%s%s differs between runs (%v, %v)", name, ext, err1, err2)
			}
		}
	}
	if len(a.Cells) != 6 || len(a.Fans) != 6*len(FanVariables()) || len(a.Effects) != 3*len(a.Metrics) {
		t.Fatalf("%d cells, %d fans, %d effects", len(a.Cells), len(a.Fans), len(a.Effects))
	}
	// Sweep points are sorted numerically and effects pair equal sweep points.
	var sw []float64
	for _, c := range a.Cells[:3] {
		sw = append(sw, c.Sweep[0].Value)
	}
	if !slices.Equal(sw, []float64{0.3, 0.4, 0.5}) || a.Cells[0].Sweep[0].Param != "share_cap.cap" || a.Cells[0].Sweep[0].Text != "0.3" {
		t.Errorf("sweep order %v (%+v)", sw, a.Cells[0].Sweep)
	}
	if !slices.Equal(a.Info.SweepParams, []string{"share_cap.cap"}) {
		t.Errorf("sweep params %v", a.Info.SweepParams)
	}
	for _, e := range a.Effects {
		if e.Metric == "realized_vol_annual" && (e.MeanDiff != 0 || e.N != 25) {
			t.Errorf("effect at %v: %+v", e.Sweep, e)
		}
	}
}

func TestAggregateRunningStudy(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"fund"}, Replicates: 10, Horizon: 3,
		State: dataset.StateRunning, Skip: map[int64]bool{8: true, 9: true}}
	synthstudy.Write(t, dir, s)
	st, err := Aggregate(context.Background(), dir, aggTestOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Info.Running() || st.Info.Complete || !st.Info.Finished.IsZero() {
		t.Errorf("running study not flagged: %+v", st.Info)
	}
	if !slices.ContainsFunc(st.Warnings, func(w string) bool { return strings.Contains(w, `no "none" runs in baseline`) }) {
		t.Errorf("warnings %q lack the missing baseline", st.Warnings)
	}
	if len(st.Effects) != 0 || len(st.Fans) != 0 {
		t.Errorf("%d effects, %d fans", len(st.Effects), len(st.Fans))
	}
	// Empty tables are still written with their columns.
	for _, name := range []string{SummaryEffects, SummaryFans} {
		an, ac := readArrowIPC(t, filepath.Join(dir, "summary", name+".arrow"))
		pn, pc := readParquetArrow(t, filepath.Join(dir, "summary", name+".parquet"))
		if len(an) < 10 || strings.Join(an, ",") != strings.Join(pn, ",") || len(ac[0]) != 0 || len(pc[0]) != 0 {
			t.Errorf("%s: columns %v / %v, rows %d / %d", name, an, pn, len(ac[0]), len(pc[0]))
		}
	}
}

// TestAggregateStepsWithoutRuns: steps rows whose run is not in the runs
// table (e.g. a runs part lost) are left out of the fans and reported.
func TestAggregateStepsWithoutRuns(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"}, Replicates: 6, Horizon: 3,
		Steps: true, ChunkRuns: 4}
	synthstudy.Write(t, dir, s)
	editManifest(t, dir, func(m map[string]any) {
		var keep []any
		for _, f := range m["files"].([]any) {
			if f.(map[string]any)["path"] != "runs/"+dataset.PartName(0) {
				keep = append(keep, f)
			}
		}
		m["files"] = keep
	})
	opts := aggTestOptions()
	opts.FanMemoryBytes = 1 // one cell per pass: rows are counted once
	st, err := Aggregate(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Info.RunsFound != 8 {
		t.Errorf("%d runs found, want 8", st.Info.RunsFound)
	}
	want := "16 steps row(s) of runs missing from the runs table were ignored"
	if !slices.Contains(st.Warnings, want) {
		t.Errorf("warnings %q lack %q", st.Warnings, want)
	}
	for _, f := range st.Fans {
		if f.N[0] != st.Cells[slices.IndexFunc(st.Cells, func(c CellStats) bool { return c.Cell == f.Cell })].Runs {
			t.Errorf("cell %d %s: N %v", f.Cell, f.Variable, f.N)
		}
	}
}

// refClose: |got − want| ≤ tol·max(1, |want|).
func refClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestFanVariablesCatalogued: every fan variable has a steps entry in the
// metric catalogue, which gives its unit (the fans table's unit column).
func TestFanVariablesCatalogued(t *testing.T) {
	for _, v := range FanVariables() {
		m, ok := model.LookupMetric(model.TableSteps, v)
		if !ok || m.Unit == "" || fanUnit(v) != m.Unit {
			t.Errorf("fan variable %s: catalogue entry %+v, %v", v, m, ok)
		}
	}
}
