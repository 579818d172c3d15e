package stats

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// binomHalfCDF is P(K ≤ j) for K ~ Binomial(n, ½), computed exactly with
// big integers (independent of gonum's distuv).
func binomHalfCDF(n, j int) float64 {
	sum := new(big.Int)
	for i := 0; i <= j; i++ {
		sum.Add(sum, new(big.Int).Binomial(int64(n), int64(i)))
	}
	r, _ := new(big.Rat).SetFrac(sum, new(big.Int).Lsh(big.NewInt(1), uint(n))).Float64()
	return r
}

// The rank is the largest one whose exact coverage 1 − 2·P(K ≤ k−1) reaches
// the level; known values from Conover's table (n = 10: k = 2, coverage
// 0.9785; n = 20: k = 6, coverage 0.9586; n = 5: no 95% interval).
func TestMedianRankExact(t *testing.T) {
	for _, c := range []struct{ n, k int }{{5, 0}, {6, 1}, {10, 2}, {20, 6}, {60, 22}} {
		if got := medianRank(c.n, 0.95); got != c.k {
			t.Errorf("medianRank(%d) = %d, want %d", c.n, got, c.k)
		}
	}
	for n := 6; n <= 200; n++ {
		k := medianRank(n, 0.95)
		cov := 1 - 2*binomHalfCDF(n, k-1)
		if cov < 0.95 {
			t.Errorf("n=%d k=%d: coverage %.4f < 0.95", n, k, cov)
		}
		if k < (n+1)/2 {
			if next := 1 - 2*binomHalfCDF(n, k); next >= 0.95 {
				t.Errorf("n=%d: rank %d is not the largest (k+1 covers %.4f)", n, k, next)
			}
		}
	}
}

// Coverage by simulation from a heavy-tailed (Cauchy) law with median 3: the
// share of intervals holding 3 is within 4 standard errors of the exact
// coverage.
func TestMedianCICoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, reps = 30, 4000
	k := medianRank(n, 0.95)
	want := 1 - 2*binomHalfCDF(n, k-1)
	hits := 0
	x := make([]float64, n)
	for range reps {
		for i := range x {
			x[i] = 3 + math.Tan(math.Pi*(rng.Float64()-0.5))
		}
		med, lo, hi := MedianCI(x, 0.95)
		if !(lo <= med && med <= hi) {
			t.Fatalf("median %g outside [%g, %g]", med, lo, hi)
		}
		if lo <= 3 && 3 <= hi {
			hits++
		}
	}
	got := float64(hits) / reps
	se := math.Sqrt(want * (1 - want) / reps)
	if math.Abs(got-want) > 4*se {
		t.Errorf("coverage %.4f, want %.4f ± %.4f", got, want, 4*se)
	}
	if _, lo, hi := MedianCI([]float64{1, 2, 3}, 0.95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("n=3: interval [%g, %g], want NaN (too few values)", lo, hi)
	}
}
