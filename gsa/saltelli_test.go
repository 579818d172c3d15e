package gsa

import (
	"math"
	"testing"
)

// sensIshigami is the Ishigami–Homma function on the unit cube mapped to
// [−π, π]^3 with a = 7, b = 0.1.
func sensIshigami(u []float64) float64 {
	x1, x2, x3 := -math.Pi+2*math.Pi*u[0], -math.Pi+2*math.Pi*u[1], -math.Pi+2*math.Pi*u[2]
	s2 := math.Sin(x2)
	return math.Sin(x1) + 7*s2*s2 + 0.1*math.Pow(x3, 4)*math.Sin(x1)
}

// Analytic indices of the Ishigami function, a = 7, b = 0.1 (Saltelli et al.
// 2008, Global Sensitivity Analysis: The Primer, §4.9; computed from
// V1 = 1/2(1 + bπ⁴/5)², V2 = a²/8, V13 = b²π⁸(1/18 − 1/50)).
func sensIshigamiTruth() (s1, st []float64) {
	const a, b = 7.0, 0.1
	pi4 := math.Pow(math.Pi, 4)
	v1 := 0.5 * (1 + b*pi4/5) * (1 + b*pi4/5)
	v2 := a * a / 8
	v13 := b * b * pi4 * pi4 * (1.0/18 - 1.0/50)
	v := v1 + v2 + v13
	return []float64{v1 / v, v2 / v, 0}, []float64{(v1 + v13) / v, v2 / v, v13 / v}
}

func sensEval(points [][]float64, f func([]float64) float64) []float64 {
	y := make([]float64, len(points))
	for i, p := range points {
		y[i] = f(p)
	}
	return y
}

func TestSaltelliDesignLayout(t *testing.T) {
	for _, so := range []bool{false, true} {
		d, err := NewSaltelliDesign(8, 3, so, SobolOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Points) != d.Evaluations() || d.Evaluations() != 8*d.Stride() {
			t.Fatalf("second=%v: %d points, %d evaluations", so, len(d.Points), d.Evaluations())
		}
		seq, _ := NewSobol(6, SobolOptions{})
		for j := range 8 {
			p := seq.Next(nil)
			blk := d.Points[j*d.Stride() : (j+1)*d.Stride()]
			for i := range 3 {
				if blk[0][i] != p[i] || blk[len(blk)-1][i] != p[3+i] {
					t.Fatalf("base %d: A/B rows do not come from the 6-dim Sobol point", j)
				}
				for c := range 3 {
					want := p[c]
					if c == i {
						want = p[3+c]
					}
					if blk[1+i][c] != want {
						t.Fatalf("base %d: A_B^%d column %d = %v want %v", j, i, c, blk[1+i][c], want)
					}
				}
			}
		}
	}
}

func sensCheckIndices(t *testing.T, name string, got, lo, hi, truth []float64, tol float64) {
	t.Helper()
	for i := range truth {
		t.Logf("%s[%d] = %.4f [%.4f, %.4f], analytic %.4f", name, i, got[i], lo[i], hi[i], truth[i])
		if math.Abs(got[i]-truth[i]) > tol {
			t.Errorf("%s[%d] = %.4f, analytic %.4f: error above tolerance %v", name, i, got[i], truth[i], tol)
		}
		if truth[i] < lo[i] || truth[i] > hi[i] {
			t.Errorf("%s[%d]: analytic %.4f outside the 95%% interval [%.4f, %.4f]", name, i, truth[i], lo[i], hi[i])
		}
	}
}

func TestSaltelliIshigami(t *testing.T) {
	n, tol := 1<<14, 0.02
	if testing.Short() {
		n, tol = 1<<12, 0.04
	}
	d, err := NewSaltelliDesign(n, 3, true, SobolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := SaltelliAnalyze(d, sensEval(d.Points, sensIshigami), SensitivityCI{Resamples: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s1, st := sensIshigamiTruth()
	// Published values (a = 7, b = 0.1): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
	for i, w := range []float64{0.3139, 0.4424, 0} {
		if math.Abs(s1[i]-w) > 5e-5 {
			t.Fatalf("analytic S1[%d] = %v, published %v", i, s1[i], w)
		}
	}
	sensCheckIndices(t, "Ishigami S1", res.S1, res.S1Low, res.S1High, s1, tol)
	sensCheckIndices(t, "Ishigami ST", res.ST, res.STLow, res.STHigh, st, tol)
	// Second order: only S13 = V13/V ≈ 0.2437 is non-zero.
	s13 := st[2]
	want := [][]float64{{0, 0, s13}, {0, 0, 0}}
	for i := range 2 {
		for j := i + 1; j < 3; j++ {
			t.Logf("Ishigami S2[%d][%d] = %.4f [%.4f, %.4f], analytic %.4f", i, j, res.S2[i][j], res.S2Low[i][j], res.S2High[i][j], want[i][j])
			if math.Abs(res.S2[i][j]-want[i][j]) > 2*tol {
				t.Errorf("S2[%d][%d] = %.4f, analytic %.4f", i, j, res.S2[i][j], want[i][j])
			}
			if want[i][j] < res.S2Low[i][j] || want[i][j] > res.S2High[i][j] {
				t.Errorf("S2[%d][%d]: analytic outside interval", i, j)
			}
		}
	}
}

func TestSaltelliGFunction(t *testing.T) {
	a := []float64{0, 1, 4.5, 9, 99, 99}
	n, tol := 1<<14, 0.02
	if testing.Short() {
		n, tol = 1<<12, 0.04
	}
	for _, scr := range []bool{false, true} {
		d, err := NewSaltelliDesign(n, len(a), false, SobolOptions{Scramble: scr, Seed: 11})
		if err != nil {
			t.Fatal(err)
		}
		res, err := SaltelliAnalyze(d, sensEval(d.Points, GFunction(a)), SensitivityCI{Resamples: 500, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		s1, st, _ := GFunctionIndices(a)
		sensCheckIndices(t, "G S1", res.S1, res.S1Low, res.S1High, s1, tol)
		sensCheckIndices(t, "G ST", res.ST, res.STLow, res.STHigh, st, tol)
	}
}

func TestSaltelliErrors(t *testing.T) {
	if _, err := NewSaltelliDesign(1, 3, false, SobolOptions{}); err == nil {
		t.Error("N = 1 accepted")
	}
	if _, err := NewSaltelliDesign(8, SobolMaxDim, false, SobolOptions{}); err == nil {
		t.Error("too many factors accepted")
	}
	d, _ := NewSaltelliDesign(8, 2, false, SobolOptions{})
	if _, err := SaltelliAnalyze(d, make([]float64, 5), SensitivityCI{}); err == nil {
		t.Error("wrong output length accepted")
	}
	y := make([]float64, d.Evaluations())
	y[3] = math.NaN()
	if _, err := SaltelliAnalyze(d, y, SensitivityCI{}); err == nil {
		t.Error("NaN output accepted")
	}
	// Constant output: indices are NaN, not an error.
	res, err := SaltelliAnalyze(d, make([]float64, d.Evaluations()), SensitivityCI{Resamples: 20})
	if err != nil || !math.IsNaN(res.S1[0]) {
		t.Errorf("constant output: %v, S1 = %v", err, res.S1)
	}
}

// BenchmarkSaltelliAnalyze reports model evaluations analysed per second:
// 9 factors, N = 256 (2,816 evaluations), 1,000 bootstrap resamples.
func BenchmarkSaltelliAnalyze(b *testing.B) {
	a := []float64{0, 1, 4.5, 9, 99, 99, 99, 99, 99}
	d, _ := NewSaltelliDesign(256, len(a), false, SobolOptions{})
	y := sensEval(d.Points, GFunction(a))
	for b.Loop() {
		if _, err := SaltelliAnalyze(d, y, SensitivityCI{Resamples: 1000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*d.Evaluations())/b.Elapsed().Seconds(), "evaluations/s")
}

// The bootstrap intervals cover the analytic indices at least at their
// nominal rate over independently scrambled designs (randomized QMC: the
// iid bootstrap is conservative for it, so coverage above 95% is expected).
func TestSaltelliIntervalCoverage(t *testing.T) {
	a := []float64{0, 1, 4.5, 9}
	reps := 200
	if testing.Short() {
		reps = 60
	}
	s1, st, _ := GFunctionIndices(a)
	cover := make([]int, 2*len(a))
	for r := range reps {
		d, err := NewSaltelliDesign(256, len(a), false, SobolOptions{Scramble: true, Seed: uint64(r)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := SaltelliAnalyze(d, sensEval(d.Points, GFunction(a)), SensitivityCI{Resamples: 300, Seed: uint64(r)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if res.S1Low[i] <= s1[i] && s1[i] <= res.S1High[i] {
				cover[i]++
			}
			if res.STLow[i] <= st[i] && st[i] <= res.STHigh[i] {
				cover[len(a)+i]++
			}
		}
	}
	se := math.Sqrt(0.95 * 0.05 / float64(reps))
	for j, c := range cover {
		rate := float64(c) / float64(reps)
		t.Logf("index %d: coverage %.3f", j, rate)
		if rate < 0.95-4*se {
			t.Errorf("index %d: 95%% interval covers the analytic value in %.3f of designs (< %.3f)", j, rate, 0.95-4*se)
		}
	}
}
