package reports

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/internal/golden"
	"gonum.org/v1/plot/cmpimg"
)

// goldenDelta is the per-pixel tolerance of the golden-image comparison
// (normalized YIQ distance, cmpimg.EqualApprox): it absorbs anti-aliasing
// differences between rasterizer versions, not a changed line or label.
const goldenDelta = 0.1

// checkGolden compares fig's PNG with testdata/<name>_golden.png (rewritten
// with -update), writing the rendering and a diff image next to the test's
// temp dir when they differ.
func checkGolden(t *testing.T, name string, fig Figure) {
	t.Helper()
	path := filepath.Join("testdata", name+"_golden.png")
	if golden.Update(t, path, fig.PNG) {
		return
	}
	want := golden.Read(t, path)
	ok, err := cmpimg.EqualApprox("png", fig.PNG, want, goldenDelta)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		out := filepath.Join(t.TempDir(), name+".png")
		os.WriteFile(out, fig.PNG, 0o644)
		a, _ := png.Decode(bytes.NewReader(fig.PNG))
		b, _ := png.Decode(bytes.NewReader(want))
		if a != nil && b != nil && a.Bounds() == b.Bounds() {
			diff := image.NewRGBA(a.Bounds())
			cmpimg.Diff(diff, a, b)
			var buf bytes.Buffer
			png.Encode(&buf, diff)
			os.WriteFile(strings.TrimSuffix(out, ".png")+"_diff.png", buf.Bytes(), 0o644)
		}
		t.Errorf("figure %s differs from %s beyond tolerance %v; got %s", name, path, goldenDelta, out)
	}
}

func goldenFan() FanSpec {
	var ser []FanSeries
	for i, pol := range []string{"none", "fund", "all"} {
		s := FanSeries{Policy: pol}
		for d := 0; d <= 120; d += 2 {
			w := 0.01 * (1 + float64(d)/40) / float64(i+1)
			m := 1 - 0.03*math.Sin(float64(d)/25)/float64(i+1)
			s.Day = append(s.Day, float64(d))
			s.P5 = append(s.P5, m-2.5*w)
			s.P25 = append(s.P25, m-w)
			s.P50 = append(s.P50, m)
			s.P75 = append(s.P75, m+w)
			s.P95 = append(s.P95, m+2.5*w)
		}
		ser = append(ser, s)
	}
	// A gap (no runs on some days) must not break the drawing.
	ser[1].P50[10], ser[1].P5[10] = math.NaN(), math.NaN()
	return FanSpec{ID: "fan_price_volatility", Scenario: "volatility", Quantity: "Token price",
		YLabel: "price (USD per CLT)", Reference: "none", Series: ser,
		Band: [2]float64{0.95, 1.05}, BandLabel: "peg band 1 ± 5%"}
}

func TestFanChartGolden(t *testing.T) {
	fig, err := FanChart(goldenFan())
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "fan", fig)
	if !bytes.HasPrefix(fig.SVG, []byte("<?xml")) || !bytes.Contains(fig.SVG, []byte("<svg")) {
		t.Errorf("SVG output is not an SVG document")
	}
	// HHI with its two threshold lines.
	spec := goldenFan()
	spec.ID, spec.Quantity, spec.YLabel = "fan_hhi", "Concentration (HHI)", "HHI (0–10,000)"
	spec.Band = [2]float64{}
	for i := range spec.Series {
		s := &spec.Series[i]
		for k := range s.Day {
			for _, q := range []*float64{&s.P5[k], &s.P25[k], &s.P50[k], &s.P75[k], &s.P95[k]} {
				*q = 2000 + 8000*(*q-0.9)
			}
		}
	}
	spec.Lines = []RefLine{{1800, "HHI 1,800 (2023 Guidelines)"}, {2500, "HHI 2,500 (2010 Guidelines)"}}
	fig, err = FanChart(spec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "fan_hhi", fig)
}

func TestBoxChartGolden(t *testing.T) {
	spec := BoxSpec{ID: "dist_stability", Scenario: "volatility", Family: "Stability"}
	for j, m := range []string{"peg_mad (USD/CLT)", "realized_vol_annual (per year)", "days_outside_band_frac (fraction of days)"} {
		pn := BoxPanel{Title: m, XLabel: m}
		for i, pol := range []string{"none", "fund", "circuit_breaker", "all"} {
			c := float64(j+1) * (1 - 0.2*float64(i))
			pn.Boxes = append(pn.Boxes, BoxStat{Label: pol, N: 100, Mean: 1.05 * c, P5: 0.6 * c, P25: 0.85 * c, P50: c, P75: 1.2 * c, P95: 1.7 * c})
		}
		spec.Panels = append(spec.Panels, pn)
	}
	spec.Panels[2].Boxes[3].N = 0 // a cell without data
	fig, err := BoxChart(spec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "box", fig)
}

func TestEffectChartGolden(t *testing.T) {
	spec := EffectSpec{ID: "effects_volatility", Scenario: "volatility", Reference: "none"}
	for j, fam := range []string{"Stability: mean |price − peg|", "Diversity: HHI at the end", "Profitability: total provider profit", "Consumers: served / desired volume"} {
		pn := EffectPanel{Title: fam, XLabel: "Δ (unit); negative is better"}
		for i, pol := range []string{"fund", "circuit_breaker", "share_cap", "all"} {
			d := float64(i-1) * float64(j+1)
			pn.Rows = append(pn.Rows, EffectRow{Label: pol, Diff: d, Lo: d - 0.8, Hi: d + 0.8, N: 100})
		}
		spec.Panels = append(spec.Panels, pn)
	}
	spec.Panels[0].Rows[2].Lo, spec.Panels[0].Rows[2].Hi = math.NaN(), math.NaN()
	fig, err := EffectChart(spec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "effects", fig)
}

func TestHeatmapGolden(t *testing.T) {
	spec := HeatSpec{ID: "heat", Scenario: "centralization", Policy: "share_cap", Metric: "mean HHI at the end",
		Unit: "HHI (0–10,000)", XParam: "share_cap.cap", YParam: "network.effect",
		X: []string{"0.3", "0.4", "0.5"}, Y: []string{"0.3", "0.8"},
		Z: [][]float64{{1850, 2010, 2240}, {2600, math.NaN(), 3420}}}
	fig, err := Heatmap(spec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "heatmap", fig)
}

// TestFiguresGrayscaleDistinct checks that the fan chart's bands and median
// stay distinct when printed in gray: their luminances differ.
func TestFiguresGrayscaleDistinct(t *testing.T) {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		return 0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(b>>8)
	}
	levels := []float64{lum(color.White), lum(pegFill), lum(bandOuter), lum(bandInner), lum(medianLine)}
	for i := 1; i < len(levels); i++ {
		if levels[i-1]-levels[i] < 25 {
			t.Errorf("gray levels %v: step %d too small to tell apart in print", levels, i)
		}
	}
	// Overlaid policies differ in dash pattern or marker for the first 24.
	seen := map[string]bool{}
	for i := range 24 {
		s := StyleFor(i)
		key := fmt.Sprintf("%v/%T", s.Dashes, s.Glyph)
		if seen[key] {
			t.Errorf("policy style %d repeats %s", i, key)
		}
		seen[key] = true
	}
}

func TestFigureErrors(t *testing.T) {
	if _, err := FanChart(FanSpec{ID: "x"}); !errors.Is(err, ErrNoData) {
		t.Errorf("empty fan: %v", err)
	}
	bad := goldenFan()
	bad.Series[0].P95 = bad.Series[0].P95[:3]
	if _, err := FanChart(bad); !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "policy none") {
		t.Errorf("ragged fan: %v", err)
	}
	if _, err := BoxChart(BoxSpec{ID: "x", Panels: []BoxPanel{{Boxes: []BoxStat{{Label: "a"}}}}}); !errors.Is(err, ErrNoData) {
		t.Errorf("box without data: %v", err)
	}
	if _, err := EffectChart(EffectSpec{ID: "x"}); !errors.Is(err, ErrNoData) {
		t.Errorf("empty effects: %v", err)
	}
	if _, err := Heatmap(HeatSpec{ID: "x", X: []string{"a"}, Y: []string{"b"}, Z: [][]float64{{math.NaN()}}}); !errors.Is(err, ErrNoData) {
		t.Errorf("all-NaN heatmap: %v", err)
	}
	spec := goldenFan()
	spec.ID = "Bad ID!"
	if _, err := FanChart(spec); err == nil || !strings.Contains(err.Error(), "Bad ID!") {
		t.Errorf("bad id: %v", err)
	}
}

// TestTickLabels: axis labels name every tick value exactly (gonum may place
// ticks off the multiples of their step, e.g. 0.5, 2.0, 3.5, which must not
// print as "0", "2", "4"), with one number of decimals per axis; a round step
// placed off its grid is moved onto it (0.9, 1.0, 1.1, not 0.925, 1.025,
// 1.125); axes of 10 million or more are in millions/billions, not e-notation.
func TestTickLabels(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   map[float64]string // tick value → label (every labelled tick must be listed)
	}{
		{0.45, 3.9, map[float64]string{0.5: "0.5", 2: "2.0", 3.5: "3.5"}},
		{-2.9, 5.2, map[float64]string{-2.5: "−2.5", 0: "0.0", 2.5: "2.5", 5: "5.0"}},
		{0.89, 1.13, map[float64]string{0.9: "0.9", 1: "1.0", 1.1: "1.1"}},
		{0.45, 4.6, map[float64]string{2: "2", 4: "4"}},
		{0.04, 0.14, map[float64]string{0.04: "0.04", 0.08: "0.08", 0.12: "0.12"}},
		{-1.4, 0.05, map[float64]string{-1.2: "−1.2", -0.6: "−0.6", 0: "0.0"}},
		{0, 3e5, map[float64]string{0: "0", 1e5: "100,000", 2e5: "200,000", 3e5: "300,000"}},
		{1.5e7, 9.1e7, map[float64]string{3e7: "30 M", 6e7: "60 M", 9e7: "90 M"}},
		{-6e8, 3.8e9, map[float64]string{0: "0", 2e9: "2 bn"}},
		{6.2e9, 9.6e9, map[float64]string{6.5e9: "6.5 bn", 8e9: "8.0 bn", 9.5e9: "9.5 bn"}},
		{9.5e9, 1.03e10, map[float64]string{9.5e9: "9.50 bn", 9.75e9: "9.75 bn", 1e10: "10.00 bn", 1.025e10: "10.25 bn"}},
	} {
		n := 0
		for _, tk := range (cleanTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label == "" {
				continue
			}
			n++
			found := false
			for v, want := range c.want {
				if math.Abs(tk.Value-v) <= 1e-9*math.Max(1, math.Abs(v)) {
					found = true
					if tk.Label != want {
						t.Errorf("axis [%g, %g]: tick %g labelled %q, want %q", c.lo, c.hi, tk.Value, tk.Label, want)
					}
				}
			}
			if !found {
				t.Errorf("axis [%g, %g]: unexpected tick %g (%q)", c.lo, c.hi, tk.Value, tk.Label)
			}
		}
		if n != len(c.want) {
			t.Errorf("axis [%g, %g]: %d labelled ticks, want %d", c.lo, c.hi, n, len(c.want))
		}
	}
}

// TestDayTicks: day axes tick at calendar-like steps (quarters for a year,
// months for half a year, years beyond), ending on the horizon's last day.
func TestDayTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
		minor  int
	}{
		{0, 365, []string{"0", "90", "180", "270", "365"}, 8},
		{0, 180, []string{"0", "30", "60", "90", "120", "150", "180"}, 12},
		{0, 100, []string{"0", "30", "60", "90"}, 7},
		{0, 60, []string{"0", "10", "20", "30", "40", "50", "60"}, 6},
		{0, 20, []string{"0", "5", "10", "15", "20"}, 16},
		{0, 730, []string{"0", "180", "360", "540", "730"}, 4},
		{0, 1095, []string{"0", "365", "730", "1095"}, 0},
		{1, 365, []string{"90", "180", "270", "365"}, 8},
	} {
		var got []string
		minor := 0
		for _, tk := range (dayTicks{}).Ticks(c.lo, c.hi) {
			if tk.Value < c.lo-1e-9 || tk.Value > c.hi+1e-9 {
				t.Errorf("axis [%g, %g]: tick %g outside the axis", c.lo, c.hi, tk.Value)
			}
			if tk.Label == "" {
				minor++
				continue
			}
			got = append(got, tk.Label)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") || minor != c.minor {
			t.Errorf("axis [%g, %g]: ticks %v with %d minor, want %v with %d", c.lo, c.hi, got, minor, c.want, c.minor)
		}
	}
}
