package episode

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// Moments are the free-float statistics of MODEL-SPEC-v2 §A.5 of a daily
// log-return series: the sample standard deviation (n−1), the excess
// kurtosis (gonum stat.ExKurtosis: 0 for a normal) and the autocorrelation
// of squared returns at lags 1..len(ACF2) (volatility clustering), and
// Moors' octile kurtosis (MoorsKurtosis), a tail statistic that exists for
// every distribution: with Student-t innovations of ν ≤ 4 degrees of freedom
// the population excess kurtosis is infinite and the sample's grows with n,
// dominated by the largest draws (docs/model.md §A.11).
type Moments struct {
	SD, ExKurtosis float64
	ACF2           []float64
	Moors          float64
}

// MomentsOf returns the Moments of r with lags 1..maxLag of the ACF of r².
func MomentsOf(r []float64, maxLag int) Moments {
	m := Moments{SD: stat.StdDev(r, nil), ExKurtosis: stat.ExKurtosis(r, nil)}
	sq := make([]float64, len(r))
	for i, x := range r {
		sq[i] = x * x
	}
	m.ACF2 = ACF(sq, maxLag)
	m.Moors = MoorsKurtosis(r)
	return m
}

// MoorsNormal is MoorsKurtosis of the normal distribution,
// 2(z_7/8 − z_5/8)/(z_6/8 − z_2/8) = 1.2331 (Moors 1988).
const MoorsNormal = 1.2331

// MoorsKurtosis returns Moors' (1988, "A quantile alternative for
// kurtosis", The Statistician 37) octile kurtosis of x,
// ((E7 − E5) + (E3 − E1))/(E6 − E2) with E_i the i/8 quantile (gonum
// stat.Quantile, empirical): 1.2331 for a normal, larger for heavier tails
// and a more peaked centre, finite for every distribution. NaN when E6 = E2
// or x has fewer than 8 values.
func MoorsKurtosis(x []float64) float64 {
	if len(x) < 8 {
		return math.NaN()
	}
	s := sortedCopy(x)
	e := func(i int) float64 { return stat.Quantile(float64(i)/8, stat.Empirical, s, nil) }
	den := e(6) - e(2)
	if den == 0 {
		return math.NaN()
	}
	return ((e(7) - e(5)) + (e(3) - e(1))) / den
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
