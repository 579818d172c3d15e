package model

import (
	"math"
	"math/rand/v2"
)

// StdT draws a Student-t variate with ν > 2 degrees of freedom scaled to unit
// variance, z = T·sqrt((ν−2)/ν) (MODEL-SPEC §2.6), as N(0,1)/sqrt(χ²_ν/ν).
func StdT(rng *rand.Rand, nu float64) float64 {
	n := rng.NormFloat64()
	chi2 := 2 * gammaVariate(rng, nu/2)
	return n / math.Sqrt(chi2/nu) * math.Sqrt((nu-2)/nu)
}

// gammaVariate draws Gamma(shape, 1) by Marsaglia and Tsang (2000), with the
// shape < 1 boost U^(1/shape).
func gammaVariate(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := rng.Float64()
		return gammaVariate(rng, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// SimulateGARCH returns n daily log returns r_t = μ + e_t of the GARCH(1,1)
// process with standardized Student-t shocks of MODEL-SPEC §2.6 (no peg
// reversion, jumps or flows), started at the unconditional variance. It draws
// from rng only; the same rng state gives the same series.
func SimulateGARCH(r Regime, n int, rng *rand.Rand) []float64 {
	out := make([]float64, n)
	s2 := r.UnconditionalVariance()
	e := 0.0
	for t := 0; t < n; t++ {
		if t > 0 {
			s2 = r.Omega + r.Alpha*e*e + r.Beta*s2
		}
		e = math.Sqrt(s2) * StdT(rng, r.Nu)
		out[t] = r.Mu + e
	}
	return out
}

func abslog1p(x float64) float64 { return math.Abs(math.Log1p(x)) }
