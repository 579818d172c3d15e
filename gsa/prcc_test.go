package gsa

import (
	"math"
	"testing"
)

func TestPRCCMatchesNumpy(t *testing.T) {
	in := sensReadCSV(t, "prcc_input.csv")
	ref := sensReadCSV(t, "prcc_ref.csv")
	x := make([][]float64, len(in))
	y := make([]float64, len(in))
	for i, r := range in {
		x[i], y[i] = r[:4], r[4]
	}
	res, err := PRCC(x, y, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if res.DF != 60-2-3 {
		t.Fatalf("df = %d", res.DF)
	}
	for j, w := range ref {
		if math.Abs(res.Coef[j]-w[0]) > 1e-10 || math.Abs(res.T[j]-w[1]) > 1e-8 || math.Abs(res.P[j]-w[2]) > 1e-10*math.Max(1, w[2]/1e-3) {
			t.Errorf("input %d: PRCC %v t %v p %v, numpy %v %v %v", j, res.Coef[j], res.T[j], res.P[j], w[0], w[1], w[2])
		}
		if !(res.Low[j] < res.Coef[j] && res.Coef[j] < res.High[j]) {
			t.Errorf("input %d: interval [%v, %v] does not contain %v", j, res.Low[j], res.High[j], res.Coef[j])
		}
	}
}

func TestLatinHypercubeStrata(t *testing.T) {
	const n, k = 97, 5
	pts, err := LatinHypercube(n, k, 3)
	if err != nil {
		t.Fatal(err)
	}
	for d := range k {
		seen := make([]bool, n)
		for _, p := range pts {
			s := int(p[d] * n)
			if p[d] < 0 || p[d] >= 1 || seen[s] {
				t.Fatalf("dim %d: stratum %d hit twice or out of range", d, s)
			}
			seen[s] = true
		}
	}
	again, _ := LatinHypercube(n, k, 3)
	if again[10][2] != pts[10][2] {
		t.Fatal("same seed, different hypercube")
	}
	if _, err := LatinHypercube(0, 2, 1); err == nil {
		t.Fatal("n = 0 accepted")
	}
}

// Monte Carlo check: on LHS samples of y = x1 + noise with an inert x2, the
// PRCC of x2 has p < 0.05 in about 5% of designs (a valid test), and the PRCC
// of x1 is always significant.
func TestPRCCNullRejectionRate(t *testing.T) {
	reps := 400
	if testing.Short() {
		reps = 150
	}
	rej := 0
	for s := range reps {
		x, _ := LatinHypercube(40, 3, uint64(s))
		noise, _ := LatinHypercube(40, 1, uint64(1000+s))
		y := make([]float64, 40)
		for i := range y {
			y[i] = x[i][0] + 0.2*sensNormQuantile(noise[i][0])
		}
		res, err := PRCC(x, y, 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.P[0] > 0.01 {
			t.Fatalf("rep %d: p of the active input %v", s, res.P[0])
		}
		if res.P[1] < 0.05 {
			rej++
		}
	}
	rate := float64(rej) / float64(reps)
	se := math.Sqrt(0.05 * 0.95 / float64(reps))
	if math.Abs(rate-0.05) > 4*se {
		t.Fatalf("null rejection rate %v, want 0.05 ± %v", rate, 4*se)
	}
}

func sensNormQuantile(u float64) float64 { return math.Sqrt2 * math.Erfinv(2*u-1) }

func TestPRCCErrors(t *testing.T) {
	if _, err := PRCC([][]float64{{1, 2}, {2, 3}, {3, 1}}, []float64{1, 2, 3}, 0); err == nil {
		t.Error("too few points accepted")
	}
	x, _ := LatinHypercube(20, 2, 1)
	y := make([]float64, 20)
	res, err := PRCC(x, y, 0)
	if err != nil || !math.IsNaN(res.Coef[0]) {
		t.Errorf("constant output: %v %v", err, res)
	}
	y[3] = math.Inf(1)
	if _, err := PRCC(x, y, 0); err == nil {
		t.Error("infinite output accepted")
	}
}

// BenchmarkPRCC reports design points analysed per second: 9 inputs, 1,000
// Latin hypercube points.
func BenchmarkPRCC(b *testing.B) {
	x, _ := LatinHypercube(1000, 9, 1)
	y := make([]float64, len(x))
	for i, p := range x {
		y[i] = math.Exp(p[0]) - 2*p[1] + p[2]*p[3]
	}
	for b.Loop() {
		if _, err := PRCC(x, y, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(x))/b.Elapsed().Seconds(), "points/s")
}
