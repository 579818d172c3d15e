package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Bootstrap methods of BootstrapMean (and the aggregate's Options.BootstrapMethod).
const (
	MethodBCa        = "bca"
	MethodPercentile = "percentile"
)

// BootstrapMean returns a nonparametric bootstrap confidence interval for the
// mean of x at two-sided level conf, from b resamples drawn with rng, by
// method MethodBCa (bias-corrected and accelerated, Efron 1987; DiCiccio &
// Efron 1996 §2) or MethodPercentile (Efron & Tibshirani 1993 §13.3). Interval
// endpoints are type-7 quantiles of the b resample means (see Quantile).
//
// NaN values of x are dropped. With fewer than 2 values lo and hi are NaN;
// when every value is equal the interval is that value. rng must not be nil.
func BootstrapMean(x []float64, b int, conf float64, method string, rng *rand.Rand) (lo, hi float64, err error) {
	if b < 1 {
		return math.NaN(), math.NaN(), fmt.Errorf("stats: BootstrapMean: b = %d resamples", b)
	}
	if method != MethodBCa && method != MethodPercentile {
		return math.NaN(), math.NaN(), fmt.Errorf("stats: BootstrapMean: unknown method %q", method)
	}
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if !math.IsNaN(f) {
			v = append(v, f)
		}
	}
	if len(v) < 2 {
		return math.NaN(), math.NaN(), nil
	}
	star := ResampleMeans(v, b, rng)
	lo, hi = BootstrapInterval(v, star, conf, method)
	return lo, hi, nil
}

// ResampleMeans draws b nonparametric bootstrap resamples of x (with replacement, n = len(x))
// and returns their means.
func ResampleMeans(x []float64, b int, rng *rand.Rand) []float64 {
	n := len(x)
	star := make([]float64, b)
	for k := range star {
		var s float64
		for range n {
			s += x[rng.IntN(n)]
		}
		star[k] = s / float64(n)
	}
	return star
}

// ResampleMeansRows resamples the rows of the n×m row-major matrix d
// (n = len(d)/m) b times, all m columns with the same row indices, and
// returns the b×m row-major matrix of column means. One draw of indices
// serves every column, so columns cost no extra random numbers.
//
// Each column mean is the sum of the drawn rows' values in draw order times
// 1/n; rows are added four at a time (the same additions in the same order,
// with fewer loads and stores of the running sums: BenchmarkResampleMeansRows).
func ResampleMeansRows(d []float64, m, b int, rng *rand.Rand) []float64 {
	n := len(d) / m
	star := make([]float64, b*m)
	inv := 1 / float64(n)
	for k := range b {
		acc := star[k*m : (k+1)*m]
		i := 0
		for ; i+4 <= n; i += 4 {
			// Function calls in one expression list run left to right: the
			// draws are taken in the same order as one at a time.
			r0, r1, r2, r3 := rng.IntN(n)*m, rng.IntN(n)*m, rng.IntN(n)*m, rng.IntN(n)*m
			x0, x1, x2, x3 := d[r0:r0+m], d[r1:r1+m], d[r2:r2+m], d[r3:r3+m]
			x1, x2, x3 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
			a := acc[:len(x0)]
			for j, v := range x0 {
				a[j] = a[j] + v + x1[j] + x2[j] + x3[j]
			}
		}
		for ; i < n; i++ {
			r := rng.IntN(n) * m
			x := d[r : r+m]
			a := acc[:len(x)]
			for j, v := range x {
				a[j] += v
			}
		}
		for j := range acc {
			acc[j] *= inv
		}
	}
	return star
}

// BootstrapInterval returns the bootstrap interval of mean(x) at level conf
// from the resample means star (sorted in place) by method (MethodBCa:
// Efron 1987, see bcaLevels; MethodPercentile). NaN for len(x) < 2. Equal x give a zero-width
// interval at their value.
func BootstrapInterval(x, star []float64, conf float64, method string) (lo, hi float64) {
	n := len(x)
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	allEq := true
	for _, v := range x[1:] {
		if v != x[0] {
			allEq = false
			break
		}
	}
	if allEq {
		return x[0], x[0]
	}
	slices.Sort(star)
	alpha := (1 - conf) / 2
	if method == MethodPercentile {
		return Quantile(alpha, star), Quantile(1-alpha, star)
	}
	mean, _ := MeanSD(x)
	a1, a2 := bcaLevels(x, mean, star, alpha)
	return Quantile(a1, star), Quantile(1-a2, star)
}

// bcaLevels returns the BCa-adjusted lower level α₁ and the upper tail α₂
// (the interval is [Q(α₁), Q(1−α₂)]) for the mean of x with estimate thetaHat
// and sorted resample means star, at nominal tail alpha:
//
//	z₀ = Φ⁻¹(#{θ* < θ̂} + ½#{θ* = θ̂}) / B),
//	a  = Σ(θ̄₍.₎ − θ₍ᵢ₎)³ / (6 [Σ(θ̄₍.₎ − θ₍ᵢ₎)²]^{3/2}),  θ₍ᵢ₎ the jackknife means,
//	α₁ = Φ(z₀ + (z₀ + z_α)/(1 − a(z₀ + z_α))), and likewise for 1 − α₂ with z_{1−α}.
//
// This is the same construction as scipy.stats.bootstrap(method="BCa"). The
// proportion in z₀ is clamped to [1/(2B), 1 − 1/(2B)] so that z₀ stays finite
// when θ̂ lies outside every resample mean.
func bcaLevels(x []float64, thetaHat float64, star []float64, alpha float64) (a1, a2 float64) {
	n := float64(len(x))
	b := float64(len(star))
	less, _ := slices.BinarySearch(star, thetaHat)
	upTo := less
	for upTo < len(star) && star[upTo] <= thetaHat {
		upTo++
	}
	prop := (float64(less) + float64(upTo)) / 2 / b
	prop = math.Min(math.Max(prop, 0.5/b), 1-0.5/b)
	norm := distuv.UnitNormal
	z0 := norm.Quantile(prop)

	var sum float64
	for _, v := range x {
		sum += v
	}
	// Jackknife means θ₍ᵢ₎ = (Σx − xᵢ)/(n−1); θ̄₍.₎ − θ₍ᵢ₎ = (xᵢ − x̄)/(n−1).
	mbar := sum / n
	var s2, s3 float64
	for _, v := range x {
		d := (v - mbar) / (n - 1)
		s2 += d * d
		s3 += d * d * d
	}
	acc := 0.0
	if s2 > 0 {
		acc = s3 / (6 * math.Pow(s2, 1.5))
	}
	za := norm.Quantile(alpha)
	zb := norm.Quantile(1 - alpha)
	a1 = norm.CDF(z0 + (z0+za)/(1-acc*(z0+za)))
	up := norm.CDF(z0 + (z0+zb)/(1-acc*(z0+zb)))
	return a1, 1 - up
}
