package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// MedianCI returns the type-7 sample median of x and the distribution-free
// order-statistic confidence interval of the population median at level conf
// (the interval of the sign test; Conover 1999, Practical Nonparametric
// Statistics §3.2): with K ~ Binomial(n, ½) and k the largest integer ≥ 1 with
// P(K ≤ k−1) ≤ (1−conf)/2, the interval is [x_(k), x_(n−k+1)] (1-based order
// statistics), whose coverage is 1 − 2·P(K ≤ k−1) ≥ conf for any continuous
// distribution. NaN and ±Inf values are not used. lo and hi are NaN when n is
// too small for the level (n < 6 at conf 0.95); med is NaN when n is 0. x is
// not modified.
func MedianCI(x []float64, conf float64) (med, lo, hi float64) {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			v = append(v, f)
		}
	}
	slices.Sort(v)
	n := len(v)
	med, lo, hi = Quantile(0.5, v), math.NaN(), math.NaN()
	k := medianRank(n, conf)
	if k == 0 {
		return med, lo, hi
	}
	return med, v[k-1], v[n-k]
}

// medianRank returns MedianCI's k for n and conf, or 0 when even [x_(1), x_(n)]
// has coverage below conf.
func medianRank(n int, conf float64) int {
	if n < 1 || !(conf > 0 && conf < 1) {
		return 0
	}
	bin := distuv.Binomial{N: float64(n), P: 0.5}
	alpha2 := (1 - conf) / 2
	k := 0
	for j := 1; j <= (n+1)/2; j++ {
		if bin.CDF(float64(j-1)) <= alpha2 {
			k = j
		} else {
			break
		}
	}
	return k
}
