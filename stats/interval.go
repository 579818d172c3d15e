package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// MeanCI returns the mean of x, its sample standard deviation (n−1), and the
// two-sided Student-t confidence interval of the mean at level conf:
// mean ± t_{(1+conf)/2, n−1} · sd/√n. The mean is computed in two passes
// (with a compensating correction) for accuracy. With n = 0 everything is NaN;
// with n = 1 the sd and the interval are NaN.
func MeanCI(x []float64, conf float64) (mean, sd, lo, hi float64) {
	n := len(x)
	nan := math.NaN()
	if n == 0 {
		return nan, nan, nan, nan
	}
	mean, sd = MeanSD(x)
	if n < 2 {
		return mean, nan, nan, nan
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.5 + conf/2)
	half := t * sd / math.Sqrt(float64(n))
	return mean, sd, mean - half, mean + half
}

// MeanSD returns the mean and the n−1 standard deviation of x (NaN sd for
// n < 2; both NaN for an empty x), by the corrected two-pass algorithm
// (Chan, Golub & LeVeque 1983).
func MeanSD(x []float64) (mean, sd float64) {
	n := float64(len(x))
	var s float64
	for _, v := range x {
		s += v
	}
	mean = s / n
	var ss, comp float64
	for _, v := range x {
		d := v - mean
		ss += d * d
		comp += d
	}
	mean += comp / n
	if len(x) < 2 {
		return mean, math.NaN()
	}
	v := (ss - comp*comp/n) / (n - 1)
	if v < 0 {
		v = 0
	}
	return mean, math.Sqrt(v)
}

// Wilson returns the Wilson (1927) score interval for a binomial proportion
// with k successes in n trials at two-sided level conf: with p̂ = k/n and
// z = Φ⁻¹((1+conf)/2),
//
//	centre = (p̂ + z²/(2n)) / (1 + z²/n)
//	half   = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/(4n²)).
//
// It equals R's prop.test(k, n, correct = FALSE)$conf.int. With n = 0 it
// returns NaN for all three.
func Wilson(k, n int, conf float64) (p, lo, hi float64) {
	if n <= 0 || k < 0 || k > n {
		nan := math.NaN()
		return nan, nan, nan
	}
	z := distuv.UnitNormal.Quantile(0.5 + conf/2)
	nf := float64(n)
	p = float64(k) / nf
	z2 := z * z
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return p, lo, hi
}

// NewProportion returns the Proportion of an event with k of n at level conf
// (Wilson interval).
func NewProportion(event string, k, n int, conf float64) Proportion {
	p, lo, hi := Wilson(k, n, conf)
	return Proportion{Event: event, K: k, N: n, P: p, Lo: lo, Hi: hi}
}
