package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/configs"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/gsa"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/reports"
	"github.com/tokensim/tokensim/study"
)

const sensTinyStudy = `name: sens-tiny
seed: 7
replicates: 2
horizon_days: 20
outputs: {steps: false}
params:
  consumers: {count: 100}
sensitivity:
  method: %s
  scenario: volatile_centralized
  policy: all
  samples: %d
  bootstrap: 50
  factors:
    - {param: network.effect, low: 0.1, high: 1.2}
    - {param: share_cap.cap, low: 0.25, high: 0.6}
    - {param: fund.reserve_usd, dist: loguniform, low: 2.0e+8, high: 2.0e+10}
  outputs: [peg_mad, hhi_final, satisfaction]
`

func sensWriteStudy(t *testing.T, method string, samples int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sens.yaml")
	data := strings.Replace(strings.Replace(sensTinyStudy, "%s", method, 1), "%d", strconv.Itoa(samples), 1)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSensitivityCommand runs a tiny Morris study end to end: runs, indices,
// summary table, report; a second invocation resumes (no new runs) and
// rewrites identical summary bytes, as does a run with another worker count.
func TestSensitivityCommand(t *testing.T) {
	study := sensWriteStudy(t, study.SensitivityMorris, 3)
	out := t.TempDir()
	stdout, stderr, code := cli(t, "sensitivity", study, "-o", out, "-j", "2")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	dir := filepath.Join(out, "sens-tiny")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if last := lines[len(lines)-1]; last != filepath.Join(dir, "report.html") {
		t.Errorf("last line %q, want the report path", last)
	}
	for _, want := range []string{"peg_mad", "hhi_final", "μ*", "network.effect", "replicate noise"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"summary/sensitivity.parquet", "summary/sensitivity.arrow", "figures/sensitivity_morris.png", "report.html", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	// The figure is inlined as PNG or SVG, whichever is smaller.
	if !bytes.Contains(page, []byte("Global sensitivity analysis")) || !bytes.Contains(page, []byte(";base64,")) {
		t.Error("report.html lacks the sensitivity section or its figure")
	}
	m, err := dataset.ReadManifest(dir)
	if err != nil || m.RunsDone != 3*4*2 || m.State != dataset.StateComplete {
		t.Fatalf("manifest: %v %+v", err, m)
	}
	first, _ := os.ReadFile(filepath.Join(dir, "summary", "sensitivity.parquet"))

	// Resume: nothing left to run, same indices.
	stdout2, stderr2, code := cli(t, "sensitivity", study, "-o", out, "--quiet", "--no-report")
	if code != 0 || strings.Contains(stdout2, "μ*") {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout2, stderr2)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "summary", "sensitivity.parquet"))
	if !bytes.Equal(first, again) {
		t.Error("summary/sensitivity.parquet changed on resume")
	}
	// One worker, another directory: identical bytes.
	out1 := t.TempDir()
	if _, se, code := cli(t, "sensitivity", study, "-o", out1, "-j", "1", "--quiet"); code != 0 {
		t.Fatalf("-j 1: %s", se)
	}
	one, _ := os.ReadFile(filepath.Join(out1, "sens-tiny", "summary", "sensitivity.parquet"))
	if !bytes.Equal(first, one) {
		t.Error("summary/sensitivity.parquet differs between -j 2 and -j 1")
	}
	runs2, _ := filepath.Glob(filepath.Join(dir, "runs", "*.parquet"))
	runs1, _ := filepath.Glob(filepath.Join(out1, "sens-tiny", "runs", "*.parquet"))
	if len(runs1) != len(runs2) || len(runs1) == 0 {
		t.Fatalf("runs parts: %d vs %d", len(runs1), len(runs2))
	}
	for i := range runs1 {
		a, _ := os.ReadFile(runs1[i])
		b, _ := os.ReadFile(runs2[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between -j 1 and -j 2", filepath.Base(runs1[i]))
		}
	}
	// `tokensim report` path for a sensitivity study.
	if p, ok, err := sensitivityReport(context.Background(), dir, reports.DefaultOptions()); err != nil || !ok || p != filepath.Join(dir, "report.html") {
		t.Errorf("sensitivityReport: %q %v %v", p, ok, err)
	}
}

func TestSensitivityCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sensitivity"}, "one study file"},
		{[]string{"sensitivity", "-j", "0", "x.yaml"}, "-j 0"},
		{[]string{"sensitivity", "--shard", "3/2", "x.yaml"}, "--shard"},
		{[]string{"sensitivity", "../../configs/default.yaml"}, "no sensitivity: block"},
	} {
		_, stderr, code := cli(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, stderr, c.want)
		}
	}
	// A design error names the field.
	path := filepath.Join(t.TempDir(), "bad.yaml")
	bad := strings.Replace(strings.Replace(sensTinyStudy, "%s", "sobol", 1), "%d", "64", 1)
	bad = strings.Replace(bad, "low: 0.25, high: 0.6", "low: 0.6, high: 0.25", 1)
	os.WriteFile(path, []byte(bad), 0o644)
	_, stderr, code := cli(t, "sensitivity", path, "-o", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "sensitivity.factors[1]") || !strings.Contains(stderr, "bad.yaml:") {
		t.Errorf("bad factor range: exit %d, %q", code, stderr)
	}
}

// TestShippedSensitivityConfig: configs/sensitivity.yaml screens at least 8
// factors in volatile_centralized with their levers on, and plans.
func TestShippedSensitivityConfig(t *testing.T) {
	data, err := configs.FS.ReadFile("sensitivity.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := study.ParseStudy("sensitivity.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sp := s.Sensitivity
	if sp == nil || sp.Scenario != "volatile_centralized" || len(sp.Factors) < 8 || len(sp.Outputs) < 6 {
		t.Fatalf("sensitivity block %+v", sp)
	}
	for _, want := range []string{"network.effect", "centralization.quality_growth_per_year", "fund.reserve_usd", "fund.band",
		"share_cap.cap", "grants.payout_rate", "consumers.price_elasticity", "providers.hedge_ratio", "consumers.review_rate"} {
		found := false
		for _, f := range sp.Factors {
			found = found || f.Param == want
		}
		if !found {
			t.Errorf("no factor %s", want)
		}
	}
	base, err := sp.BaseParams(s)
	if err != nil {
		t.Fatal(err)
	}
	if w := sp.Warnings(&base); len(w) != 0 {
		t.Errorf("shipped design has warnings: %v", w)
	}
	info, err := pipeline.SensitivityPlanInfo(context.Background(), s, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.Runs != int64(sp.Samples*(len(sp.Factors)+2)*s.Replicates) {
		t.Errorf("runs %d", info.Runs)
	}
}

func TestPrintSensitivityEstimate(t *testing.T) {
	path := sensWriteStudy(t, study.SensitivitySobol, 12)
	s, err := study.LoadStudy(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	tw := func(k, format string, args ...any) { b.WriteString(k + " " + fmt.Sprintf(format, args...) + "\n") }
	if err := printSensitivityEstimate(context.Background(), tw, s, 2); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "estimate ") || !strings.Contains(out, "4 calibration runs") || !strings.Contains(out, "not a power of two") {
		t.Errorf("estimate output:\n%s", out)
	}
}

// TestPrintSensitivityNoiseAbove100: a noise share estimate above 1 prints
// as ≥100% with what it means, and the measure is explained once.
func TestPrintSensitivityNoiseAbove100(t *testing.T) {
	res := &aggregate.SensitivityResult{Method: study.SensitivityLHSPRCC, Level: 0.95,
		Factors: []study.Factor{{Param: "network.effect"}},
		Outputs: []aggregate.SensitivityOutput{
			{Output: "peg_mad", Mean: 0.1, SD: 0.02, NoiseShare: 1.267, WithinNoiseShare: 1.4,
				PRCC: &gsa.PRCCResult{Coef: []float64{0.1}, Low: []float64{-0.2}, High: []float64{0.4}, P: []float64{0.5}}},
			{Output: "hhi_final", Mean: 2400, SD: 300, NoiseShare: 0.052, WithinNoiseShare: 0.3,
				PRCC: &gsa.PRCCResult{Coef: []float64{0.8}, Low: []float64{0.7}, High: []float64{0.9}, P: []float64{1e-6}}},
		}}
	var buf bytes.Buffer
	printSensitivityResult(&buf, res)
	out := buf.String()
	if strings.Contains(out, "126.7") {
		t.Errorf("noise share printed above 100%%:\n%s", out)
	}
	for _, want := range []string{
		"(" + reports.NoiseShareMeaning + ".)",
		"peg_mad  (mean 0.1, sd 0.02 across design points; replicate noise ≥100%)",
		"  note: replicate noise ≥100%: " + reports.NoiseDominates,
		"hhi_final  (mean 2.4e+03, sd 300 across design points; replicate noise 5.2%)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "note: replicate noise") != 1 {
		t.Errorf("the ≥100%% note should appear for peg_mad only:\n%s", out)
	}
}
