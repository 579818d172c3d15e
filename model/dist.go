package model

import (
	"math"
	"math/rand/v2"

	"github.com/tokensim/tokensim/garch"
)

// poisson draws a Poisson(lambda) variate from rng: by multiplication of
// uniforms (Knuth) for lambda < 10, else by the transformed rejection method
// with squeeze PTRS of Hörmann (1993, "The transformed rejection method for
// generating Poisson random variables", Insurance: Mathematics and Economics
// 12:39–45). It allocates nothing.
func poisson(rng *rand.Rand, lambda float64) int {
	if !(lambda > 0) {
		return 0
	}
	if lambda < 10 {
		l := math.Exp(-lambda)
		k := 0
		p := rng.Float64()
		for p > l {
			k++
			p *= rng.Float64()
		}
		return k
	}
	slam := math.Sqrt(lambda)
	loglam := math.Log(lambda)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := rng.Float64() - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + lambda + 0.43)
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invAlpha)-math.Log(a/(us*us)+b) <= -lambda+k*loglam-lg {
			return int(k)
		}
	}
}

// betaVariate draws Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
func betaVariate(rng *rand.Rand, a, b float64) float64 {
	x := garch.GammaVariate(rng, a)
	y := garch.GammaVariate(rng, b)
	if x+y == 0 {
		return 0.5
	}
	return x / (x + y)
}
