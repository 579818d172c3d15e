package aggregate

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/gsa"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

// The fake-model study: three factors whose unit values drive a G-function
// (a = 0, 1, 9) written as peg_mad, plus Monte Carlo noise made of a part
// common to all design points (z_r: common random numbers) and a part
// specific to the run (e_pr).
var sensFakeFactors = []study.Factor{
	{Param: "network.effect", Low: 0.1, High: 1.0},
	{Param: "centralization.quality_growth_per_year", Low: 0, High: 0.2},
	{Param: "fund.reserve_usd", Dist: study.DistLogUniform, Low: 2e8, High: 2e10},
}

var sensFakeA = []float64{0, 1, 9}

const (
	sensFakeCommonSD = 1.0
	sensFakeRunSD    = 0.3
)

func sensUnitOf(f study.Factor, v float64) float64 {
	if f.Dist == study.DistLogUniform {
		return math.Log(v/f.Low) / math.Log(f.High/f.Low)
	}
	return (v - f.Low) / (f.High - f.Low)
}

// sensHashNormal is a deterministic standard normal draw keyed by ints.
func sensHashNormal(keys ...uint64) float64 {
	h := fnv.New64a()
	var b [8]byte
	for _, k := range keys {
		binary.LittleEndian.PutUint64(b[:], k)
		h.Write(b[:])
	}
	u := (float64(h.Sum64()>>11) + 0.5) / (1 << 53)
	return math.Sqrt2 * math.Erfinv(2*u-1)
}

func sensFakeRun(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
	u := make([]float64, len(sensFakeFactors))
	for i, f := range sensFakeFactors {
		v, err := model.GetParam(&spec.Params, f.Param)
		if err != nil {
			return model.Summary{}, err
		}
		u[i] = sensUnitOf(f, v.(float64))
	}
	g := gsa.GFunction(sensFakeA)(u)
	noise := sensFakeCommonSD*sensHashNormal(uint64(spec.Replicate)) + sensFakeRunSD*sensHashNormal(uint64(spec.RunID), 7)
	return model.Summary{PegMAD: g + noise, HHIFinal: 1000 + 3000*u[0] - 1000*u[1], Satisfaction: 0.9}, nil
}

func sensFakeStudy(method string, samples, replicates int) *study.Study {
	s := study.DefaultStudy()
	s.Name = "sens-" + method
	s.Replicates = replicates
	s.HorizonDays = 5
	s.Outputs.Steps = false
	s.Sensitivity = &study.SensitivitySpec{Method: method, Scenario: model.ScenarioVolatileCentralized, Policy: model.PolicyAll,
		Samples: samples, Bootstrap: 300, Factors: sensFakeFactors, Outputs: []string{"peg_mad", "hhi_final", "satisfaction"}}
	return s
}

// sensRunFake runs a sensitivity study through pipeline.Execute with the fake
// model and returns its recomputed indices.
func sensRunFake(t *testing.T, s *study.Study, workers int) (*SensitivityResult, string) {
	t.Helper()
	plan, d, err := pipeline.SensitivityPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Cells) != d.Points() || plan.Runs() != int64(d.Points()*s.Replicates) {
		t.Fatalf("plan has %d cells / %d runs for %d design points", len(plan.Cells), plan.Runs(), d.Points())
	}
	dir := filepath.Join(t.TempDir(), s.Name)
	_, err = pipeline.Execute(context.Background(), plan, pipeline.Options{Dir: dir, Workers: workers,
		NewRun: func() pipeline.RunFunc { return sensFakeRun }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := SensitivityFromDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return res, dir
}

func TestSensitivityPlanCells(t *testing.T) {
	s := sensFakeStudy(study.SensitivitySobol, 8, 2)
	plan, d, err := pipeline.SensitivityPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Cells) != 8*5 || plan.Replicates != 2 || len(plan.SweepParams) != 3 {
		t.Fatalf("cells %d, replicates %d, sweep params %v", len(plan.Cells), plan.Replicates, plan.SweepParams)
	}
	for p, c := range plan.Cells {
		if c.Scenario != model.ScenarioVolatileCentralized || c.Policy != model.PolicyAll {
			t.Fatalf("cell %d is %s/%s", p, c.Scenario, c.Policy)
		}
		for i, f := range sensFakeFactors {
			v, _ := model.GetParam(&c.Params, f.Param)
			if v.(float64) != d.Values[p][i] || c.Sweep[i].Value != d.Values[p][i] || c.Sweep[i].Param != f.Param {
				t.Fatalf("cell %d factor %s: param %v, sweep %v, design %v", p, f.Param, v, c.Sweep[i], d.Values[p][i])
			}
			if d.Values[p][i] < f.Low || d.Values[p][i] > f.High {
				t.Fatalf("cell %d: %s = %v outside [%v, %v]", p, f.Param, d.Values[p][i], f.Low, f.High)
			}
		}
		// The policy's levers are on: the fund factor matters.
		if !c.Params.Fund.Enabled {
			t.Fatal("policy all did not enable the fund")
		}
	}
	// Deterministic from the study seed (scrambled too), different for another seed.
	s.Sensitivity.Scramble = true
	_, d1, _ := pipeline.SensitivityPlan(s)
	_, d2, _ := pipeline.SensitivityPlan(s)
	s.Seed++
	_, d3, _ := pipeline.SensitivityPlan(s)
	if d1.Values[9][1] != d2.Values[9][1] || d1.Values[9][1] == d3.Values[9][1] {
		t.Fatal("scrambled design not a function of the study seed")
	}
}

func TestSensitivitySobolThroughPipeline(t *testing.T) {
	n := 256
	if testing.Short() {
		n = 128
	}
	s := sensFakeStudy(study.SensitivitySobol, n, 4)
	res, dir := sensRunFake(t, s, 2)
	if res.Runs != n*5*4 || len(res.Outputs) != 3 {
		t.Fatalf("%d runs, %d outputs", res.Runs, len(res.Outputs))
	}
	peg := res.Outputs[0]
	// Analytic indices of the replicate means: the run-specific noise adds
	// σ²/R of variance that no factor explains (lowering S1) and that the
	// Jansen estimator attributes to every factor's total (raising ST); the
	// common part cancels (common random numbers).
	s1, st, _ := gsa.GFunctionIndices(sensFakeA)
	vi := []float64{1.0 / 3, 1.0 / 12, 1.0 / 300}
	v := (1+vi[0])*(1+vi[1])*(1+vi[2]) - 1
	noise := sensFakeRunSD * sensFakeRunSD / 4
	tol := 0.06
	for i := range s1 {
		w1 := s1[i] * v / (v + noise)
		wt := (st[i]*v + noise) / (v + noise)
		t.Logf("factor %d: S1 %.3f [%.3f, %.3f] (%.3f); ST %.3f [%.3f, %.3f] (%.3f)", i, peg.Sobol.S1[i], peg.Sobol.S1Low[i], peg.Sobol.S1High[i], w1,
			peg.Sobol.ST[i], peg.Sobol.STLow[i], peg.Sobol.STHigh[i], wt)
		if math.Abs(peg.Sobol.S1[i]-w1) > tol || math.Abs(peg.Sobol.ST[i]-wt) > tol {
			t.Errorf("factor %d: S1 %.3f ST %.3f, want %.3f %.3f ± %v", i, peg.Sobol.S1[i], peg.Sobol.ST[i], w1, wt, tol)
		}
	}
	wantShare := noise / (v + noise)
	t.Logf("noise share %.4f (want %.4f), within-point share %.4f", peg.NoiseShare, wantShare, peg.WithinNoiseShare)
	if math.Abs(peg.NoiseShare-wantShare) > 0.5*wantShare {
		t.Errorf("noise share %v, want %v ± 50%%", peg.NoiseShare, wantShare)
	}
	if peg.WithinNoiseShare < 2*peg.NoiseShare {
		t.Errorf("within-point share %v should count the common noise too (≫ %v)", peg.WithinNoiseShare, peg.NoiseShare)
	}
	// hhi_final is linear in u0, u1 without noise: additive, S1 = ST.
	hhi := res.Outputs[1]
	if hhi.NoiseShare != 0 || math.Abs(hhi.Sobol.S1[0]-0.9) > 0.05 || math.Abs(hhi.Sobol.ST[2]) > 1e-9 {
		t.Errorf("hhi_final: noise %v, S1 %v, ST %v", hhi.NoiseShare, hhi.Sobol.S1, hhi.Sobol.ST)
	}
	// satisfaction is constant: no indices, a note.
	if sat := res.Outputs[2]; sat.Note == "" || sat.Sobol != nil {
		t.Errorf("constant output: note %q, indices %v", sat.Note, sat.Sobol)
	}
	// The summary table round-trips.
	if err := WriteSensitivity(dir, res); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Output   string   `parquet:"output"`
		Index    string   `parquet:"index"`
		Factor   string   `parquet:"factor"`
		Estimate *float64 `parquet:"estimate,optional"`
		Noise    *float64 `parquet:"noise_share,optional"`
	}
	rows, err := parquet.ReadFile[row](filepath.Join(dir, "summary", "sensitivity.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2*2*3+1 {
		t.Fatalf("%d summary rows, want 13", len(rows))
	}
	if r := rows[0]; r.Output != "peg_mad" || r.Index != "S1" || r.Factor != "network.effect" || *r.Estimate != peg.Sobol.S1[0] {
		t.Errorf("first row %+v", r)
	}
}

func TestSensitivityMorrisAndPRCCThroughPipeline(t *testing.T) {
	s := sensFakeStudy(study.SensitivityMorris, 30, 2)
	res, _ := sensRunFake(t, s, 1)
	m := res.Outputs[0].Morris
	order := []int{0, 1, 2}
	sort.Slice(order, func(i, j int) bool { return m.MuStar[order[i]] > m.MuStar[order[j]] })
	if order[0] != 0 || order[1] != 1 {
		t.Errorf("Morris μ* %v ranks %v, want factor 0 then 1", m.MuStar, order)
	}
	h := res.Outputs[1].Morris // linear: μ = (3000, −1000, 0) per unit range, σ = 0
	if math.Abs(h.Mu[0]-3000) > 1e-6 || math.Abs(h.Mu[1]+1000) > 1e-6 || math.Abs(h.Mu[2]) > 1e-6 || h.Sigma[0] > 1e-6 {
		t.Errorf("linear output: μ %v σ %v", h.Mu, h.Sigma)
	}

	s = sensFakeStudy(study.SensitivityLHSPRCC, 80, 2)
	res, _ = sensRunFake(t, s, 2)
	p := res.Outputs[1].PRCC // hhi_final = 1000 + 3000u0 − 1000u1: gsa.PRCC ±1, u2 ≈ 0
	if p.Coef[0] < 0.95 || p.Coef[1] > -0.9 || p.P[0] > 1e-6 || math.Abs(p.Coef[2]) > 0.3 {
		t.Errorf("PRCC of a linear output: %v (p %v)", p.Coef, p.P)
	}
}

func TestSensitivityAnalyzeRejectsOtherDesign(t *testing.T) {
	s := sensFakeStudy(study.SensitivityLHSPRCC, 10, 1)
	_, d, err := pipeline.SensitivityPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	tab := &dataset.RunTable{RunID: []int64{0}, Cell: []int{0}, Scenario: []string{model.ScenarioVolatileCentralized},
		Policy: []string{model.PolicyAll}, Replicate: []int{0}, Seed: []uint64{1},
		SweepParams: []string{"network.effect", "centralization.quality_growth_per_year", "fund.reserve_usd"},
		Sweep:       [][]dataset.SweepValue{{{Param: "network.effect", Value: -1}, {Param: "centralization.quality_growth_per_year"}, {Param: "fund.reserve_usd"}}},
		Metrics:     []model.Metric{{Name: "peg_mad"}, {Name: "hhi_final"}, {Name: "satisfaction"}}, Values: [][]float64{{1}, {1}, {1}}}
	if _, err := AnalyzeSensitivity(d, tab, 1); err == nil {
		t.Fatal("a runs table of another design was accepted")
	}
}

func TestSensitivityPlanInfo(t *testing.T) {
	s := sensFakeStudy(study.SensitivitySobol, 100, 3)
	info, err := pipeline.SensitivityPlanInfo(context.Background(), s, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.DesignPoints != 500 || info.Runs != 1500 || info.Factors != 3 || info.Outputs != 3 || len(info.Warnings) != 1 {
		t.Fatalf("%+v", info)
	}
	// A real calibration run of the model (short horizon).
	s.HorizonDays = 10
	s.Params.Consumers.Count = 200
	info, err = pipeline.SensitivityPlanInfo(context.Background(), s, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if info.CalibrationRuns != 2 || !(info.SecondsPerRun > 0) || info.Estimated <= 0 {
		t.Fatalf("calibration: %+v", info)
	}
}

// Missing runs (failed, or a study still running) drop their Saltelli base
// block; the indices come from the complete blocks.
func TestSensitivityMissingRuns(t *testing.T) {
	s := sensFakeStudy(study.SensitivitySobol, 16, 2)
	_, dir := sensRunFake(t, s, 1)
	_, d, err := pipeline.SensitivityPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.OpenDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	full, err := ds.ReadRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Keep every run except design point 7's (base block 1 of stride 5).
	part := &dataset.RunTable{SweepParams: full.SweepParams, Metrics: full.Metrics, Values: make([][]float64, len(full.Values))}
	for i := range full.Len() {
		if full.Cell[i] == 7 {
			continue
		}
		part.RunID = append(part.RunID, full.RunID[i])
		part.Cell = append(part.Cell, full.Cell[i])
		part.Scenario = append(part.Scenario, full.Scenario[i])
		part.Policy = append(part.Policy, full.Policy[i])
		part.Replicate = append(part.Replicate, full.Replicate[i])
		part.Seed = append(part.Seed, full.Seed[i])
		part.Sweep = append(part.Sweep, full.Sweep[i])
		for m := range full.Values {
			part.Values[m] = append(part.Values[m], full.Values[m][i])
		}
	}
	res, err := AnalyzeSensitivity(d, part, 2)
	if err != nil {
		t.Fatal(err)
	}
	peg := res.Outputs[0]
	if res.Runs != (16*5-1)*2 || peg.PointsUsed != 16*5-1 || peg.Sobol.BasePoints != 15 || !strings.Contains(peg.Note, "15 of 16") {
		t.Errorf("runs %d, points %d, base points %d, note %q", res.Runs, peg.PointsUsed, peg.Sobol.BasePoints, peg.Note)
	}
	if math.IsNaN(peg.NoiseShare) || math.IsNaN(peg.WithinNoiseShare) {
		t.Errorf("incomplete layout: noise share %v, within %v", peg.NoiseShare, peg.WithinNoiseShare)
	}
}
