package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

// repFakeRun is a fast stand-in for the model with the report's shapes: a
// mean-reverting price whose volatility the fund and the breaker damp, an HHI
// that drifts up with the network effect and that the share cap holds down,
// and a summary computed from those days. Randomness comes from the run's
// market stream only, so replicates are paired across policies as in the
// model (common random numbers). Runs in fail return an error.
func repFakeRun(fail map[int64]bool) pipeline.RunFunc {
	return func(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
		p := &spec.Params
		rng := model.NewStream(spec.Seed, spec.Replicate, model.StreamMarket)
		damp := 1.0
		if p.Fund.Enabled {
			damp *= 0.5
		}
		if p.CircuitBreaker.Enabled {
			damp *= 0.8
		}
		lnP, hhi := 0.0, 2200.0
		var sumAbs, sumRet, sumRet2, served, desired float64
		outside := 0
		var st model.Step
		for day := 1; day <= spec.HorizonDays; day++ {
			r := damp * 0.01 * rng.NormFloat64()
			lnP += r - 0.2*lnP
			drift := 1.5 * p.Network.Effect
			if p.ShareCap.Enabled {
				drift -= 1
			}
			hhi = math.Max(1500, hhi+drift+8*rng.NormFloat64())
			price := math.Exp(lnP)
			dev := math.Abs(price - p.Market.Peg)
			sumAbs += dev
			sumRet += r
			sumRet2 += r * r
			if dev > p.Metrics.PegBand {
				outside++
			}
			d := 2e7 * (1 + 0.001*float64(day))
			s := d * (1 - 0.2*math.Min(1, math.Abs(r)/0.02))
			served += s
			desired += d
			if spec.RecordEveryDays > 0 && (day%spec.RecordEveryDays == 0 || day == spec.HorizonDays) {
				st = model.Step{RunID: spec.RunID, Day: int64(day), Price: price, LogReturn: r,
					InBand: dev <= p.Metrics.PegBand, DesiredMtok: d, ServedMtok: s,
					CostUSDPerMtok: 4 * price, HHI: hhi, NActive: 6, TopShare: math.Sqrt(hhi / 1e4),
					Nakamoto: 2, RevenueUSD: 8e7, ProfitUSD: 1e7, CapInForce: p.ShareCap.Enabled}
				if rec != nil {
					rec.Step(&st)
				}
			}
		}
		if fail[spec.RunID] {
			return model.Summary{}, fmt.Errorf("day 3: %w: price", model.ErrNonFinite)
		}
		n := float64(spec.HorizonDays)
		sd := math.Sqrt(math.Max(0, (sumRet2-sumRet*sumRet/n)/(n-1)))
		return model.Summary{
			RealizedVolAnnual: sd * math.Sqrt(365), MaxDrawdown: 0.1 * damp, PegMAD: sumAbs / n,
			DaysOutsideBandFrac: float64(outside) / n,
			PriceFinal:          math.Exp(lnP), HHIFinal: hhi, HHIMean: (hhi + 2200) / 2, HHIDeltaFinal: hhi - 2200,
			EntropyFinal: 1.6, EffectiveNFinal: 1e4 / hhi, NActiveFinal: 6, TopShareFinal: math.Sqrt(hhi / 1e4),
			CR4Final: 0.84, NakamotoFinal: 2, LeaderShareFinal: math.Sqrt(hhi / 1e4),
			ProviderProfitUSD: 3.6e9 - 1e11*sd, ProfitableFrac: 0.83, RevenueCV: 0.1 + 10*sd,
			Satisfaction: served / desired, MeanCostUSDPerMtok: 4, DeferredFrac: 1 - served/desired,
			CostVolatility: sd, SupplyFinalCLT: 1e10, Velocity: 3, ConsumerDays: int64(spec.HorizonDays) * 2000,
		}, nil
	}
}

// repStudy writes a study made by the fake model into a fresh directory. The
// YAML overrides the defaults below key by key.
func repStudy(t testing.TB, dir, extra string, opts pipeline.Options, fail map[int64]bool) *pipeline.Result {
	t.Helper()
	src := extra
	for _, line := range []string{"name: rep", "seed: 11", "replicates: 12", "horizon_days: 40",
		"scenarios: [baseline, volatility]", "policies: [none, fund, share_cap]"} {
		key, _, _ := strings.Cut(line, ":")
		if !strings.HasPrefix(extra, key+":") && !strings.Contains(extra, "\n"+key+":") {
			src = line + "\n" + src
		}
	}
	s, err := study.ParseStudy("rep.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pipeline.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Shards > 1 {
		plan.ChunkRuns = 8 // several chunks, so that every shard owns some
	}
	opts.Dir = dir
	opts.ToolVersion = "v0.0.0-reptest"
	opts.NewRun = func() pipeline.RunFunc { return repFakeRun(fail) }
	if opts.Workers == 0 {
		opts.Workers = 2
	}
	res, err := pipeline.Execute(context.Background(), plan, opts)
	if err != nil {
		t.Fatalf("pipeline.Execute: %v", err)
	}
	return res
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	repStudy(t, dir, "horizon_days: 30\n", pipeline.Options{}, nil)
	var out, errb bytes.Buffer
	if err := cmdReport(context.Background(), []string{"-bootstrap", "200", dir}, &out, &errb); err != nil {
		t.Fatalf("report: %v\nstderr: %s", err, errb.String())
	}
	want := filepath.Join(dir, dataset.ReportFile)
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	page, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`id="stability"`, `id="diversity"`, `id="profitability"`, `id="consumers"`,
		`id="effects"`, `id="method"`, `id="config"`, "v0.0.0-reptest", "In volatility, fund lowers mean distance from the peg"} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("report lacks %q", s)
		}
	}
	if bytes.Contains(page, []byte(`class="alert"`)) {
		t.Errorf("complete study has a first-screen alert")
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "fan_price_*.png"))
	if len(pngs) != 2 {
		t.Errorf("price fan figures: %v, want one per scenario", pngs)
	}
	if ents, err := os.ReadDir(filepath.Join(dir, "summary")); err != nil || len(ents) == 0 {
		t.Errorf("summary/ not written: %v", err)
	}
	// writeReport (what `tokensim run` calls) gives the same path.
	if testing.Short() {
		return
	}
	if p, err := writeReport(context.Background(), dir, false, &errb); err != nil || p != want {
		t.Errorf("writeReport = %q, %v", p, err)
	}
}

func TestReportUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if err := cmdReport(context.Background(), []string{"-help"}, &out, &errb); err != nil {
		t.Errorf("-help: %v", err)
	}
	if !strings.Contains(errb.String(), "Usage: tokensim report [flags] DIR") || !strings.Contains(errb.String(), "-bootstrap") {
		t.Errorf("-help output:\n%s", errb.String())
	}
	for _, args := range [][]string{nil, {"a", "b"}, {"-nope", "x"}, {"-bootstrap", "5", t.TempDir()}, {"-method", "jackknife", t.TempDir()}} {
		errb.Reset()
		if err := cmdReport(context.Background(), args, &out, &errb); !errors.Is(err, errUsage) {
			t.Errorf("report %q: %v, want a usage error", args, err)
		}
	}
}

// TestReportBadInput: not a study, a corrupt part file, a missing part file,
// another schema version: a clear error naming the file, and no report.
func TestReportBadInput(t *testing.T) {
	good := t.TempDir()
	repStudy(t, good, "replicates: 4\nhorizon_days: 10\n", pipeline.Options{}, nil)
	copyDir := func(t *testing.T) string {
		dst := t.TempDir()
		err := filepath.WalkDir(good, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(good, p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
		return dst
	}
	firstRuns := func(dir string) string {
		m, _ := filepath.Glob(filepath.Join(dir, "runs", "*.parquet"))
		if len(m) == 0 {
			t.Fatal("no runs part file")
		}
		return m[0]
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T) (dir, wantInErr string)
		is      error
	}{
		{"not a study", func(t *testing.T) (string, string) {
			d := t.TempDir()
			os.WriteFile(filepath.Join(d, "notes.txt"), []byte("hello"), 0o644)
			return d, d
		}, dataset.ErrNotStudy},
		{"corrupt part file", func(t *testing.T) (string, string) {
			d := copyDir(t)
			p := firstRuns(d)
			os.WriteFile(p, []byte("PAR1 this is not parquet PAR1"), 0o644)
			return d, p
		}, dataset.ErrCorrupt},
		{"missing part file", func(t *testing.T) (string, string) {
			d := copyDir(t)
			p := firstRuns(d)
			os.Remove(p)
			return d, p
		}, dataset.ErrCorrupt},
		{"other schema version", func(t *testing.T) (string, string) {
			d := copyDir(t)
			mp := filepath.Join(d, dataset.ManifestFile)
			var m map[string]any
			b, _ := os.ReadFile(mp)
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m["schema_version"] = 99
			b, _ = json.Marshal(m)
			os.WriteFile(mp, b, 0o644)
			return d, mp
		}, dataset.ErrSchema},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, want := c.prepare(t)
			var out, errb bytes.Buffer
			err := cmdReport(context.Background(), []string{dir}, &out, &errb)
			if err == nil {
				t.Fatal("report succeeded")
			}
			if !errors.Is(err, c.is) {
				t.Errorf("error %v does not wrap %v", err, c.is)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
			if exitCode(err, &bytes.Buffer{}) != 1 {
				t.Errorf("exit code %d, want 1", exitCode(err, &bytes.Buffer{}))
			}
			for _, f := range []string{dataset.ReportFile, dataset.FiguresDir} {
				if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
					t.Errorf("%s left behind after a failed report", f)
				}
			}
			if out.Len() != 0 {
				t.Errorf("stdout on error: %q", out.String())
			}
		})
	}
}

// quickReport writes the report with fewer bootstrap resamples and without
// SVG files, to keep the tests (and their race-detector runs) fast.
func quickReport(t *testing.T, dir string, fans bool) string {
	t.Helper()
	rf := defaultReportFlags()
	rf.bootstrap, rf.noSVG, rf.noFans = 200, true, !fans
	path, err := buildReport(context.Background(), dir, rf, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportSweep: a two-parameter sweep gets heatmaps (reports' tests check
// the charts over time per sweep point; -no-fans keeps this one fast).
func TestReportSweep(t *testing.T) {
	dir := t.TempDir()
	repStudy(t, dir, "replicates: 6\nhorizon_days: 10\nscenarios: [centralization]\npolicies: [none, share_cap]\nsweeps:\n"+
		"  - {param: share_cap.cap, values: [0.3, 0.4, 0.5]}\n  - {param: network.effect, values: [0.3, 0.8]}\n", pipeline.Options{}, nil)
	path := quickReport(t, dir, false)
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte(`id="sweep"`)) {
		t.Errorf("no sweep section")
	}
	heat, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "heat_*.png"))
	if len(heat) != 4 { // 2 policies × (peg_mad, hhi_final)
		t.Errorf("%d heatmaps, want 4", len(heat))
	}
	if !bytes.Contains(b, []byte("Mean distance from the peg, mean of runs over share_cap.cap × network.effect — scenario Winner-take-most, policy Market-share cap")) {
		t.Errorf("heatmap titles missing from the page")
	}
}

// TestReportIncompleteAndFailed: a study with one shard of two done and some
// failed runs is reported, and the first screen says so.
func TestReportIncompleteAndFailed(t *testing.T) {
	dir := t.TempDir()
	fail := map[int64]bool{1: true, 5: true}
	res := repStudy(t, dir, "replicates: 8\nhorizon_days: 10\npolicies: [none, fund]\n", pipeline.Options{Shard: 1, Shards: 2}, fail)
	if res.Manifest.State == dataset.StateComplete {
		t.Fatalf("manifest state %q after one shard of two", res.Manifest.State)
	}
	path := quickReport(t, dir, true)
	b, _ := os.ReadFile(path)
	page := string(b)
	head := page[:strings.Index(page, `<section id="run">`)]
	if !strings.Contains(head, "This study is incomplete") {
		t.Errorf("first screen lacks the incomplete-study notice")
	}
	if !strings.Contains(head, "runs failed") || !strings.Contains(head, "non-finite") {
		t.Errorf("first screen lacks the failed-runs notice:\n%s", head)
	}
}

// makeBenchStudy writes the 10,000-run study of BenchmarkReport: 2 scenarios ×
// 5 policies × 1,000 replicates of 365 days, daily steps recorded.
func makeBenchStudy(b *testing.B) string {
	dir := b.TempDir()
	t0 := time.Now()
	repStudy(b, dir, "replicates: 1000\nhorizon_days: 365\npolicies: [none, fund, circuit_breaker, share_cap, all]\n",
		pipeline.Options{Workers: runtime.NumCPU()}, nil)
	b.Logf("made the 10,000-run study in %v", time.Since(t0).Round(time.Millisecond))
	return dir
}

// BenchmarkReport measures `tokensim report` on a study of 10,000 runs with
// daily steps (365 days; 3.65 million step rows): aggregate.Aggregate (with the
// summary tables and fans) plus reports.Write (figures and page). Reported:
// seconds per report (wall), CPU seconds per report (user + system, all
// goroutines: the cost independent of other load on the machine), runs/s,
// step rows/s and the peak heap growth.
func BenchmarkReport(b *testing.B) {
	dir := makeBenchStudy(b)
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak {
					peak = m.HeapAlloc
				}
			}
		}
	}()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := writeReport(context.Background(), dir, false, &bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	close(stop)
	<-done
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/report")
	b.ReportMetric(10000/sec, "runs/s")
	b.ReportMetric(10000*365/sec, "step-rows/s")
	if cpu > 0 {
		// CPU seconds per report: the machine-load-independent cost.
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/report")
	}
	if peak > base {
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MiB")
	}
}
