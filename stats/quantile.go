package stats

import (
	"math"
	"slices"
)

// Quantile returns the p-quantile of the ascending-sorted sample x by
// Hyndman & Fan (1996) definition 7, the default of R's quantile() and
// numpy's "linear" method: with h = (n−1)·p, Q(p) = x[⌊h⌋] + (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])
// (0-based). x must be sorted and free of NaN; it returns NaN for an empty x
// or p outside [0, 1].
func Quantile(p float64, x []float64) float64 {
	n := len(x)
	if n == 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return x[n-1]
	}
	frac := h - float64(lo)
	if frac == 0 {
		return x[lo]
	}
	return x[lo] + frac*(x[lo+1]-x[lo])
}

// Quantiles returns the type-7 quantiles (see Quantile) of the sorted sample
// x at each probability in ps, appended to dst.
func Quantiles(dst []float64, ps []float64, x []float64) []float64 {
	for _, p := range ps {
		dst = append(dst, Quantile(p, x))
	}
	return dst
}

// Describe summarises a sample: n, mean with its two-sided Student-t
// confidence interval at level conf (see MeanCI), sd (n−1), min, type-7
// P5/P25/median/P75/P95 and max. NaN and ±Inf values are not used and are
// counted in Dist.Missing. x is not modified.
func Describe(x []float64, conf float64) Dist {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			v = append(v, f)
		}
	}
	d := describeFinite(v, conf)
	d.Missing = len(x) - len(v)
	return d
}

// describeFinite is Describe on a sample known to be finite; it sorts v in place.
func describeFinite(v []float64, conf float64) Dist {
	nan := math.NaN()
	d := Dist{N: len(v), Mean: nan, MeanLo: nan, MeanHi: nan, SD: nan, Min: nan,
		P5: nan, P25: nan, Median: nan, P75: nan, P95: nan, Max: nan}
	if len(v) == 0 {
		return d
	}
	slices.Sort(v)
	d.Mean, d.SD, d.MeanLo, d.MeanHi = MeanCI(v, conf)
	d.Min, d.Max = v[0], v[len(v)-1]
	d.P5 = Quantile(0.05, v)
	d.P25 = Quantile(0.25, v)
	d.Median = Quantile(0.5, v)
	d.P75 = Quantile(0.75, v)
	d.P95 = Quantile(0.95, v)
	return d
}
