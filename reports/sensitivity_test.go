package reports

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/gsa"
	"github.com/tokensim/tokensim/study"
)

var sensTestFactors = []study.Factor{
	{Param: "network.effect", Low: 0.2, High: 1.2},
	{Param: "centralization.quality_growth_per_year", Low: 0, High: 0.2},
	{Param: "fund.reserve_usd", Dist: study.DistLogUniform, Low: 2e8, High: 2e10},
	{Param: "share_cap.cap", Low: 0.25, High: 0.6},
}

// sensTestOutputs are two known functions of the unit values: a G-function
// (a = 0, 1, 4.5, 99) and a linear function with a negative coefficient.
func sensTestEval(u []float64) [2]float64 {
	g := 1.0
	for i, a := range []float64{0, 1, 4.5, 99} {
		g *= (math.Abs(4*u[i]-2) + a) / (1 + a)
	}
	return [2]float64{g, 2000 + 3000*u[0] - 1500*u[3] + 200*u[1]*u[3]}
}

func sensTestResult(t *testing.T, method string) *aggregate.SensitivityResult {
	t.Helper()
	res := &aggregate.SensitivityResult{Study: "sens", Method: method, Scenario: "volatile_centralized", Policy: "all",
		Factors: sensTestFactors, Replicates: 4, Level: 0.95, Resamples: 200}
	var pts [][]float64
	var sd *gsa.SaltelliDesign
	var md *gsa.MorrisDesign
	var err error
	switch method {
	case study.SensitivitySobol:
		sd, err = gsa.NewSaltelliDesign(256, 4, false, gsa.SobolOptions{})
		if err == nil {
			pts = sd.Points
		}
	case study.SensitivityMorris:
		md, err = gsa.NewMorrisDesign(20, 4, 4, 1)
		if err == nil {
			pts = md.Points
		}
	default:
		pts, err = gsa.LatinHypercube(60, 4, 1)
	}
	if err != nil {
		t.Fatal(err)
	}
	res.DesignPoints, res.Runs = len(pts), 4*len(pts)
	for o, name := range []string{"peg_mad", "hhi_final"} {
		y := make([]float64, len(pts))
		for i, p := range pts {
			y[i] = sensTestEval(p)[o]
		}
		out := aggregate.SensitivityOutput{Output: name, PointsUsed: len(pts), NoiseShare: 0.02 + 0.1*float64(o), WithinNoiseShare: 0.3}
		ci := gsa.SensitivityCI{Resamples: 200, Seed: 1}
		switch method {
		case study.SensitivitySobol:
			out.Sobol, err = gsa.SaltelliAnalyze(sd, y, ci)
		case study.SensitivityMorris:
			out.Morris, err = gsa.MorrisAnalyze(md, y, ci)
		default:
			out.PRCC, err = gsa.PRCC(pts, y, 0.95)
		}
		if err != nil {
			t.Fatal(err)
		}
		res.Outputs = append(res.Outputs, out)
	}
	return res
}

func TestSensitivitySectionFigures(t *testing.T) {
	for _, c := range []struct{ method, fig, header string }{
		{study.SensitivitySobol, "sensitivity_sobol", "ST"},
		{study.SensitivityMorris, "sensitivity_morris", "μ*"},
		{study.SensitivityLHSPRCC, "sensitivity_prcc", "p-value"},
	} {
		res := sensTestResult(t, c.method)
		sec, err := SensitivitySection(res)
		if err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
		if sec.ID != SensitivitySectionID || len(sec.Figures) != 1 || len(sec.Tables) != 1 {
			t.Fatalf("%s: section %+v", c.method, sec)
		}
		fig := sec.Figures[0]
		if fig.ID != c.fig || len(fig.SVG) == 0 {
			t.Fatalf("%s: figure %s, %d SVG bytes", c.method, fig.ID, len(fig.SVG))
		}
		img, err := png.Decode(bytes.NewReader(fig.PNG))
		if err != nil || img.Bounds().Dx() != 900 {
			t.Fatalf("%s: PNG: %v", c.method, err)
		}
		checkGolden(t, c.fig, fig)
		tab := sec.Tables[0]
		if len(tab.Rows) != 2*4 || !strings.Contains(strings.Join(tab.Header, "|"), c.header) {
			t.Fatalf("%s: table %v with %d rows", c.method, tab.Header, len(tab.Rows))
		}
		for _, r := range tab.Rows {
			if len(r) != len(tab.Header) {
				t.Fatalf("%s: row %v does not match header %v", c.method, r, tab.Header)
			}
		}
		intro := strings.Join(sec.Intro, "\n")
		// Both outputs are led by network.effect (u0 dominates both
		// functions), except that PRCC cannot see the G-function's
		// non-monotone effect.
		want := 2
		if c.method == study.SensitivityLHSPRCC {
			want = 1
			if !strings.Contains(intro, "No factor has a clear effect on peg_mad") {
				t.Errorf("PRCC of a non-monotone output: %q", intro)
			}
		}
		if strings.Count(intro, "driven most by network.effect") != want || !strings.Contains(intro, "Replicate noise") {
			t.Errorf("%s: intro %q", c.method, intro)
		}
	}
}

func TestSensitivitySectionNoIndices(t *testing.T) {
	res := sensTestResult(t, study.SensitivitySobol)
	for i := range res.Outputs {
		res.Outputs[i].Sobol = nil
		res.Outputs[i].Note = "the output is constant across the design: its indices are undefined"
	}
	sec, err := SensitivitySection(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Figures) != 0 || len(sec.Tables[0].Rows) != 8 || !strings.Contains(strings.Join(sec.Intro, " "), "constant") {
		t.Fatalf("section without indices: %+v", sec)
	}
}

func TestSecondOrderTable(t *testing.T) {
	res := sensTestResult(t, study.SensitivitySobol)
	if _, ok := SecondOrderTable(res); ok {
		t.Fatal("second-order table without second-order indices")
	}
	d, err := gsa.NewSaltelliDesign(128, 4, true, gsa.SobolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(d.Points))
	for i, p := range d.Points {
		y[i] = sensTestEval(p)[1]
	}
	res.Outputs = res.Outputs[1:]
	res.Outputs[0].Sobol, err = gsa.SaltelliAnalyze(d, y, gsa.SensitivityCI{Resamples: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tab, ok := SecondOrderTable(res)
	if !ok || len(tab.Rows) != 6 || tab.Rows[0][1] != "network.effect" || tab.Rows[0][2] != "centralization.quality_growth_per_year" {
		t.Fatalf("table %+v", tab)
	}
	sec, err := SensitivitySection(res)
	if err != nil || len(sec.Tables) != 2 {
		t.Fatalf("section tables: %v %d", err, len(sec.Tables))
	}
}

func TestSensitivityReportPage(t *testing.T) {
	res := sensTestResult(t, study.SensitivityMorris)
	m := &dataset.Manifest{Seed: 9, RunsPlanned: 200, RunsDone: 150, RunsFailed: 2, State: dataset.StateRunning,
		Config: "name: sens\n", ConfigHash: "abc"}
	rep, err := SensitivityReport(res, m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Alerts) != 2 || len(rep.Findings) != 2 || len(rep.Sections) != 2 || rep.Config != m.Config {
		t.Fatalf("report: alerts %v findings %v sections %d", rep.Alerts, rep.Findings, len(rep.Sections))
	}
	var page bytes.Buffer
	if err := Render(&page, rep); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{`id="sensitivity"`, "Method notes", "not complete", "2 runs failed", "<table"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// WriteSensitivityReport writes the page and the figure.
	dir := t.TempDir()
	path, err := WriteSensitivityReport(context.Background(), dir, res, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, filepath.Join(dir, "figures", "sensitivity_morris.png"), filepath.Join(dir, "figures", "sensitivity_morris.svg")} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}

// TestNoiseShareAbove100: a noise share estimate above 1 (noise dominates)
// is shown as ≥100% with its meaning, never as "126.7%".
func TestNoiseShareAbove100(t *testing.T) {
	for _, c := range []struct {
		x          float64
		long, want string
	}{
		{0.123, "12.3%", "12.3%"}, {1, "100.0%", "100.0%"}, {0.0004, "<0.1%", "<0.1%"}, {math.NaN(), "–", "–"},
		{1.267, "≥100% (" + NoiseDominates + ")", "≥100%"},
	} {
		if got := NoiseShareText(c.x, true); got != c.long {
			t.Errorf("NoiseShareText(%v, long) = %q, want %q", c.x, got, c.long)
		}
		if got := NoiseShareText(c.x, false); got != c.want {
			t.Errorf("NoiseShareText(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	res := sensTestResult(t, study.SensitivitySobol)
	res.Outputs[0].NoiseShare = 1.267
	sec, err := SensitivitySection(res)
	if err != nil {
		t.Fatal(err)
	}
	intro := strings.Join(sec.Intro, "\n")
	if !strings.Contains(intro, res.Outputs[0].Output+" ≥100% ("+NoiseDominates+")") || !strings.Contains(intro, "exceeds 100% when noise dominates") {
		t.Errorf("intro: %s", intro)
	}
	page := intro + sec.Tables[0].Caption + sec.Figures[0].Caption
	for _, r := range sec.Tables[0].Rows {
		page += strings.Join(r, " ")
	}
	if strings.Contains(page, "126.7") {
		t.Errorf("noise share printed above 100%%: %s", page)
	}
	if !strings.Contains(sec.Tables[0].Caption, "≥100%: "+NoiseDominates) {
		t.Errorf("table caption does not explain ≥100%%: %s", sec.Tables[0].Caption)
	}
}

// TestElapsedLabel: the manifest's start-to-finish time includes the pauses
// of an interrupted and resumed study, and the pages say so instead of
// calling it wall time.
func TestElapsedLabel(t *testing.T) {
	res := sensTestResult(t, study.SensitivityMorris)
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	end := start.Add(26*time.Hour + 5*time.Minute)
	m := &dataset.Manifest{Seed: 9, RunsPlanned: 200, RunsDone: 200, State: dataset.StateComplete, Started: start, Ended: &end}
	rep, err := SensitivityReport(res, m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Facts {
		if strings.Contains(strings.ToLower(f[0]), "wall") {
			t.Errorf("fact %q: the time includes pauses, it is not wall time of the runs", f[0])
		}
		if f[0] == "elapsed (start to finish, including pauses)" {
			found = true
			if f[1] != "26 h 05 min" {
				t.Errorf("elapsed %q, want 26 h 05 min", f[1])
			}
		}
	}
	if !found {
		t.Errorf("sensitivity facts lack the elapsed time: %v", rep.Facts)
	}
	r, err := Build(context.Background(), synthStudy(basicOpts), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, f := range r.Facts {
		if strings.Contains(strings.ToLower(f[0]), "wall") {
			t.Errorf("fact %q: the time includes pauses, it is not wall time of the runs", f[0])
		}
		if f[0] == ElapsedLabel {
			found = f[1] == "3 min 07 s"
		}
	}
	if !found {
		t.Errorf("report facts lack %q = 3 min 07 s: %v", ElapsedLabel, r.Facts)
	}
}
