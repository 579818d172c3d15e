package gsa

import (
	"math"
	"sort"
	"testing"
)

func TestMorrisDesignGrid(t *testing.T) {
	d, err := NewMorrisDesign(50, 5, 4, 9)
	if err != nil {
		t.Fatal(err)
	}
	if d.Delta != 4.0/6 || len(d.Points) != d.Evaluations() || d.Evaluations() != 300 {
		t.Fatalf("Δ = %v, %d points", d.Delta, len(d.Points))
	}
	for r, p := range d.Points {
		for _, x := range p {
			l := x * 3
			if x < 0 || x > 1 || math.Abs(l-math.Round(l)) > 1e-12 {
				t.Fatalf("row %d: %v not on the 4-level grid", r, p)
			}
		}
		if r%6 == 0 {
			continue
		}
		// Exactly one factor moved, by the recorded step.
		moved := 0
		for i := range p {
			if dx := p[i] - d.Points[r-1][i]; dx != 0 {
				moved++
				if i != d.Changed[r] || math.Abs(dx-d.Step[r]) > 1e-12 {
					t.Fatalf("row %d: factor %d moved %v, recorded %d by %v", r, i, dx, d.Changed[r], d.Step[r])
				}
			}
		}
		if moved != 1 {
			t.Fatalf("row %d: %d factors moved", r, moved)
		}
	}
}

// For a linear function every elementary effect equals the coefficient:
// μ = c_i, μ* = |c_i|, σ = 0.
func TestMorrisLinear(t *testing.T) {
	c := []float64{5, -3, 1, 0.2, 0}
	d, _ := NewMorrisDesign(20, len(c), 6, 1)
	y := sensEval(d.Points, func(x []float64) float64 {
		var s float64
		for i := range c {
			s += c[i] * x[i]
		}
		return s
	})
	res, err := MorrisAnalyze(d, y, SensitivityCI{Resamples: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range c {
		if math.Abs(res.Mu[i]-c[i]) > 1e-9 || math.Abs(res.MuStar[i]-math.Abs(c[i])) > 1e-9 || res.Sigma[i] > 1e-9 {
			t.Errorf("factor %d: μ=%v μ*=%v σ=%v, want %v, %v, 0", i, res.Mu[i], res.MuStar[i], res.Sigma[i], c[i], math.Abs(c[i]))
		}
	}
}

// On the G-function with a = (0, 1, 4.5, 9, 99, 99) the factors' importance
// decreases with a_i; μ* must rank the four influential factors in that order,
// and the two inert ones (a = 99) below all of them, with μ* intervals that
// separate factor 1 from 2 and 4 from 5.
func TestMorrisRanksGFunction(t *testing.T) {
	a := []float64{0, 1, 4.5, 9, 99, 99}
	r := 200
	if testing.Short() {
		r = 60
	}
	d, _ := NewMorrisDesign(r, len(a), 4, 3)
	res, err := MorrisAnalyze(d, sensEval(d.Points, GFunction(a)), SensitivityCI{Resamples: 500, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	order := make([]int, len(a))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return res.MuStar[order[i]] > res.MuStar[order[j]] })
	for i := range a {
		t.Logf("factor %d (a=%v): μ*=%.4f [%.4f, %.4f] σ=%.4f μ=%.4f", i, a[i], res.MuStar[i], res.MuStarLow[i], res.MuStarHigh[i], res.Sigma[i], res.Mu[i])
	}
	for pos, want := range []int{0, 1, 2, 3} {
		if order[pos] != want {
			t.Fatalf("μ* ranking %v, want factors 0,1,2,3 first in that order", order)
		}
	}
	if res.MuStarLow[0] <= res.MuStarHigh[1] || res.MuStarLow[3] <= res.MuStarHigh[4] {
		t.Errorf("μ* intervals do not separate the factors: %v / %v", res.MuStarLow, res.MuStarHigh)
	}
}

func TestMorrisErrors(t *testing.T) {
	for _, c := range [][3]int{{1, 3, 4}, {10, 0, 4}, {10, 3, 3}, {10, 3, 0}} {
		if _, err := NewMorrisDesign(c[0], c[1], c[2], 1); err == nil {
			t.Errorf("NewMorrisDesign(%v): want error", c)
		}
	}
	d, _ := NewMorrisDesign(4, 2, 4, 1)
	if _, err := MorrisAnalyze(d, make([]float64, 3), SensitivityCI{}); err == nil {
		t.Error("wrong output length accepted")
	}
}

// BenchmarkMorrisAnalyze reports evaluations analysed per second: 9 factors,
// 50 trajectories (500 evaluations), 1,000 bootstrap resamples.
func BenchmarkMorrisAnalyze(b *testing.B) {
	a := []float64{0, 1, 4.5, 9, 99, 99, 99, 99, 99}
	d, _ := NewMorrisDesign(50, len(a), 4, 1)
	y := sensEval(d.Points, GFunction(a))
	for b.Loop() {
		if _, err := MorrisAnalyze(d, y, SensitivityCI{Resamples: 1000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*d.Evaluations())/b.Elapsed().Seconds(), "evaluations/s")
}
