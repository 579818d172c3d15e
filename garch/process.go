package garch

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrParams is wrapped by the errors of Params.Validate.
var ErrParams = errors.New("garch: invalid parameters")

// Params are the parameters of the GARCH(1,1) process with standardized
// Student-t innovations of MODEL-SPEC §2.6 (Bollerslev 1986, 1987), for
// daily log returns r_t:
//
//	r_t = μ + e_t,  e_t = σ_t·z_t,  z_t ~ t_ν·sqrt((ν−2)/ν)  (unit variance),
//	σ²_t = ω + α·e²_{t−1} + β·σ²_{t−1},
//
// with ω > 0, α, β ≥ 0, α+β < 1 and ν > 2 (Validate). Mu is per day (log
// units), Omega per day squared. The YAML and JSON names are those of a
// model regime (market.regimes.<name>.mu, …), which embeds Params.
type Params struct {
	Mu    float64 `yaml:"mu" json:"mu"`
	Omega float64 `yaml:"omega" json:"omega"`
	Alpha float64 `yaml:"alpha" json:"alpha"`
	Beta  float64 `yaml:"beta" json:"beta"`
	Nu    float64 `yaml:"nu" json:"nu"`
}

// Persistence returns α+β, the factor by which a variance shock decays per day.
func (p Params) Persistence() float64 { return p.Alpha + p.Beta }

// UnconditionalVariance returns ω/(1−α−β), the stationary daily variance
// of e_t; +Inf when α+β ≥ 1 (no stationary variance).
func (p Params) UnconditionalVariance() float64 {
	if p.Alpha+p.Beta >= 1 {
		return math.Inf(1)
	}
	return p.Omega / (1 - p.Alpha - p.Beta)
}

// Validate checks that the process is a stationary GARCH(1,1)-t with finite
// unit-variance innovations: μ finite, ω > 0 finite, α ≥ 0, β ≥ 0,
// α+β < 1, ν > 2 (ν may be +Inf: Gaussian innovations are its limit, but
// StdT needs a finite ν). Errors wrap ErrParams and name the parameter.
func (p Params) Validate() error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case !finite(p.Mu):
		return fmt.Errorf("%w: mu = %v must be finite", ErrParams, p.Mu)
	case !finite(p.Omega) || !(p.Omega > 0):
		return fmt.Errorf("%w: omega = %v must be positive and finite", ErrParams, p.Omega)
	case !finite(p.Alpha) || p.Alpha < 0:
		return fmt.Errorf("%w: alpha = %v must be ≥ 0", ErrParams, p.Alpha)
	case !finite(p.Beta) || p.Beta < 0:
		return fmt.Errorf("%w: beta = %v must be ≥ 0", ErrParams, p.Beta)
	case !(p.Alpha+p.Beta < 1):
		return fmt.Errorf("%w: alpha + beta = %v must be < 1 (stationarity)", ErrParams, p.Alpha+p.Beta)
	case !finite(p.Nu) || !(p.Nu > 2):
		return fmt.Errorf("%w: nu = %v must be finite and > 2 (finite variance)", ErrParams, p.Nu)
	}
	return nil
}

// Simulate returns n daily log returns r_t = μ + e_t of the process (no peg
// reversion, jumps or flows: those are the model's), started at the
// unconditional variance σ²_1 = ω/(1−α−β). It draws from rng only (StdT per
// day), so the same rng state gives the same series; p should pass Validate.
func Simulate(p Params, n int, rng *rand.Rand) []float64 {
	out := make([]float64, n)
	s2 := p.UnconditionalVariance()
	e := 0.0
	for t := 0; t < n; t++ {
		if t > 0 {
			s2 = p.Omega + p.Alpha*e*e + p.Beta*s2
		}
		e = math.Sqrt(s2) * StdT(rng, p.Nu)
		out[t] = p.Mu + e
	}
	return out
}

// StdT draws a Student-t variate with ν > 2 degrees of freedom scaled to unit
// variance, z = T·sqrt((ν−2)/ν) (MODEL-SPEC §2.6), as N(0,1)/sqrt(χ²_ν/ν)
// with χ²_ν = 2·Gamma(ν/2). It uses one normal and the gamma draws of
// Marsaglia and Tsang (2000) from rng.
func StdT(rng *rand.Rand, nu float64) float64 {
	n := rng.NormFloat64()
	chi2 := 2 * GammaVariate(rng, nu/2)
	return n / math.Sqrt(chi2/nu) * math.Sqrt((nu-2)/nu)
}

// GammaVariate draws Gamma(shape, 1) by Marsaglia and Tsang (2000), with the
// shape < 1 boost U^(1/shape): the draw behind StdT, also the model's Beta
// variates (two Gammas). shape > 0.
func GammaVariate(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := rng.Float64()
		return GammaVariate(rng, shape+1) * math.Pow(u, 1/shape)
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
