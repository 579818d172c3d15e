package model

import (
	"math"
	"testing"
)

// Reference values from testdata/metrics_ref.py (scipy.stats.entropy for the
// entropy; output stored in testdata/metrics_ref.txt).
var metricRefs = []struct {
	name    string
	shares  []float64
	hhi     float64
	entropy float64
	effN    float64
}{
	{"three", []float64{0.5, 0.3, 0.2}, 3800, 1.0296530140645737, 2.6315789473684212},
	{"spec_default", []float64{0.32, 0.25, 0.20, 0.10, 0.07, 0.06}, 2234, 1.6182914982773708, 4.476275738585497},
	{"uniform4", []float64{0.25, 0.25, 0.25, 0.25}, 2500, 1.3862943611198906, 4},
	{"monopoly", []float64{1, 0, 0}, 10000, 0, 1},
	{"skewed", []float64{0.9, 0.05, 0.03, 0.02}, 8138, 0.42804827479790564, 1.2288031457360531},
}

func TestConcentrationReferenceValues(t *testing.T) {
	const tol = 1e-12
	for _, r := range metricRefs {
		if got := HHI(r.shares); math.Abs(got-r.hhi) > tol*r.hhi {
			t.Errorf("%s: HHI = %.17g, want %v", r.name, got, r.hhi)
		}
		if got := Entropy(r.shares); math.Abs(got-r.entropy) > tol {
			t.Errorf("%s: Entropy = %.17g, want %.17g (scipy)", r.name, got, r.entropy)
		}
		if got := EffectiveN(r.shares); math.Abs(got-r.effN) > tol*r.effN {
			t.Errorf("%s: EffectiveN = %.17g, want %.17g", r.name, got, r.effN)
		}
	}
}

func TestConcentrationBounds(t *testing.T) {
	// 1/N ≤ HHI/10^4 ≤ 1 and 0 ≤ entropy ≤ ln N for shares summing to 1 (MODEL-SPEC §6.1);
	// the uniform vector attains the lower HHI bound and the upper entropy bound.
	for n := 1; n <= 16; n++ {
		u := make([]float64, n)
		for i := range u {
			u[i] = 1 / float64(n)
		}
		if got, want := HHI(u), 1e4/float64(n); math.Abs(got-want) > 1e-9 {
			t.Errorf("uniform %d: HHI = %v, want %v", n, got, want)
		}
		if got, want := Entropy(u), math.Log(float64(n)); math.Abs(got-want) > 1e-12 {
			t.Errorf("uniform %d: entropy = %v, want ln %d = %v", n, got, n, want)
		}
		if got := EffectiveN(u); math.Abs(got-float64(n)) > 1e-9 {
			t.Errorf("uniform %d: EffectiveN = %v, want %d", n, got, n)
		}
	}
	for _, r := range metricRefs {
		n := float64(len(r.shares))
		h := HHI(r.shares) / 1e4
		if h < 1/n-1e-12 || h > 1+1e-12 {
			t.Errorf("%s: HHI/1e4 = %v outside [1/%v, 1]", r.name, h, n)
		}
		if e := Entropy(r.shares); e < 0 || e > math.Log(n)+1e-12 {
			t.Errorf("%s: entropy %v outside [0, ln %v]", r.name, e, n)
		}
	}
	if got := EffectiveN(nil); got != 0 {
		t.Errorf("EffectiveN(nil) = %v, want 0", got)
	}
	if got := Entropy([]float64{0, 0}); got != 0 {
		t.Errorf("Entropy of zeros = %v, want 0 (0·ln 0 = 0)", got)
	}
}

func TestCR(t *testing.T) {
	cases := []struct {
		shares []float64
		k      int
		want   float64
	}{
		{[]float64{0.2, 0.5, 0.3}, 1, 0.5},
		{[]float64{0.2, 0.5, 0.3}, 2, 0.8},
		{[]float64{0.32, 0.25, 0.20, 0.10, 0.07, 0.06}, 4, 0.87},
		{[]float64{0.06, 0.07, 0.10, 0.20, 0.25, 0.32}, 4, 0.87}, // order does not matter
		{[]float64{0.6, 0.4}, 4, 1},                              // k beyond N: all shares
		{[]float64{0.6, 0.4}, 0, 0},
		{nil, 4, 0},
	}
	for _, c := range cases {
		in := append([]float64(nil), c.shares...)
		if got := CR(c.shares, c.k, nil); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("CR(%v, %d) = %v, want %v", c.shares, c.k, got, c.want)
		}
		for i := range in {
			if in[i] != c.shares[i] {
				t.Fatalf("CR reordered its input: %v, was %v", c.shares, in)
			}
		}
	}
}

func TestNakamoto(t *testing.T) {
	cases := []struct {
		name   string
		shares []float64
		want   int
	}{
		{"majority holder", []float64{0.51, 0.49}, 1},
		{"exactly one half is not above", []float64{0.5, 0.5}, 2},
		{"half then more", []float64{0.5, 0.3, 0.2}, 2},
		{"four quarters: two reach exactly 0.5", []float64{0.25, 0.25, 0.25, 0.25}, 3},
		{"unsorted input", []float64{0.06, 0.07, 0.10, 0.20, 0.25, 0.32}, 2}, // 0.32+0.25 = 0.57
		{"monopoly", []float64{1, 0, 0}, 1},
		{"ten equal", []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 6},
		{"no shares", nil, 0},
		{"all zero", []float64{0, 0, 0}, 0},
	}
	for _, c := range cases {
		if got := Nakamoto(c.shares, nil); got != c.want {
			t.Errorf("%s: Nakamoto(%v) = %d, want %d", c.name, c.shares, got, c.want)
		}
	}
}

func TestScratchAvoidsAllocation(t *testing.T) {
	shares := []float64{0.06, 0.07, 0.10, 0.20, 0.25, 0.32}
	scratch := make([]float64, 0, 16)
	var sink float64
	allocs := testing.AllocsPerRun(100, func() {
		sink += CR(shares, 4, scratch)
		sink += float64(Nakamoto(shares, scratch))
	})
	if allocs != 0 {
		t.Errorf("CR+Nakamoto with scratch allocate %v times per call, want 0", allocs)
	}
	_ = sink
}
