package episode

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// Moments are the free-float statistics of MODEL-SPEC-v2 §A.5 of a daily
// log-return series: the sample standard deviation (n−1), the excess
// kurtosis (gonum stat.ExKurtosis: 0 for a normal) and the autocorrelation
// of squared returns at lags 1..len(ACF2) (volatility clustering).
type Moments struct {
	SD, ExKurtosis float64
	ACF2           []float64
}

// MomentsOf returns the Moments of r with lags 1..maxLag of the ACF of r².
func MomentsOf(r []float64, maxLag int) Moments {
	m := Moments{SD: stat.StdDev(r, nil), ExKurtosis: stat.ExKurtosis(r, nil)}
	sq := make([]float64, len(r))
	for i, x := range r {
		sq[i] = x * x
	}
	m.ACF2 = ACF(sq, maxLag)
	return m
}

// ACF returns the sample autocorrelations of x at lags 1..maxLag: the lag-k
// autocovariance Σ (x_t − x̄)(x_t+k − x̄)/n over the variance Σ (x_t − x̄)²/n
// (the standard biased estimator, Box & Jenkins). NaN when x is constant.
func ACF(x []float64, maxLag int) []float64 {
	n := len(x)
	mean := stat.Mean(x, nil)
	den := 0.0
	for _, v := range x {
		den += (v - mean) * (v - mean)
	}
	out := make([]float64, maxLag)
	for k := 1; k <= maxLag; k++ {
		num := 0.0
		for t := 0; t+k < n; t++ {
			num += (x[t] - mean) * (x[t+k] - mean)
		}
		out[k-1] = num / den
		if den == 0 {
			out[k-1] = math.NaN()
		}
	}
	return out
}
