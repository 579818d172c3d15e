package garch

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestValidate: every bound of Params.Validate is enforced, wraps ErrParams
// and names the parameter; the model's calibrated regimes pass.
func TestValidate(t *testing.T) {
	good := Params{Mu: 0.00159, Omega: 1.88e-05, Alpha: 0.1214, Beta: 0.8683, Nu: 3.33}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid params: %v", err)
	}
	for _, c := range []struct {
		edit func(*Params)
		name string
	}{
		{func(p *Params) { p.Mu = math.NaN() }, "mu"},
		{func(p *Params) { p.Omega = 0 }, "omega"},
		{func(p *Params) { p.Omega = math.Inf(1) }, "omega"},
		{func(p *Params) { p.Alpha = -0.01 }, "alpha"},
		{func(p *Params) { p.Beta = -0.01 }, "beta"},
		{func(p *Params) { p.Alpha, p.Beta = 0.2, 0.8 }, "alpha + beta"},
		{func(p *Params) { p.Nu = 2 }, "nu"},
		{func(p *Params) { p.Nu = math.Inf(1) }, "nu"},
	} {
		p := good
		c.edit(&p)
		err := p.Validate()
		if !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%+v: err %v, want ErrParams naming %s", p, err, c.name)
		}
	}
}

// TestUnconditionalVariance: ω/(1−α−β), and +Inf without stationarity.
func TestUnconditionalVariance(t *testing.T) {
	p := Params{Omega: 2e-5, Alpha: 0.1, Beta: 0.8}
	if got, want := p.UnconditionalVariance(), 2e-5/0.1; math.Abs(got-want) > 1e-15 {
		t.Errorf("UnconditionalVariance = %v, want %v", got, want)
	}
	p.Beta = 0.9
	if v := p.UnconditionalVariance(); !math.IsInf(v, 1) {
		t.Errorf("α+β = 1: UnconditionalVariance = %v, want +Inf", v)
	}
}

// TestSimulateRecursion: Simulate is the recursion σ²_t = ω + α e²_{t−1} +
// β σ²_{t−1} from σ²_1 = ω/(1−α−β) driven by StdT draws, recomputed here
// from the same PCG stream.
func TestSimulateRecursion(t *testing.T) {
	p := Params{Mu: 0.001, Omega: 2e-5, Alpha: 0.1, Beta: 0.85, Nu: 6}
	got := Simulate(p, 500, rand.New(rand.NewPCG(5, 6)))
	rng := rand.New(rand.NewPCG(5, 6))
	s2 := p.Omega / (1 - p.Alpha - p.Beta)
	e := 0.0
	for i, r := range got {
		if i > 0 {
			s2 = p.Omega + p.Alpha*e*e + p.Beta*s2
		}
		e = math.Sqrt(s2) * StdT(rng, p.Nu)
		if want := p.Mu + e; r != want {
			t.Fatalf("day %d: %v, want %v", i, r, want)
		}
	}
}

// TestStdTUnitVariance: the standardized Student-t has mean 0 and variance
// 1. With ν = 10 its kurtosis is 3 + 6/(ν−4) = 4, so the sample variance of
// n draws has standard error sqrt((4−1)/n); the tolerance is 4 SE (and 4 SE
// of the mean, 1/√n).
func TestStdTUnitVariance(t *testing.T) {
	const n, nu = 200000, 10.0
	rng := rand.New(rand.NewPCG(7, 8))
	var s, ss float64
	for range n {
		z := StdT(rng, nu)
		s += z
		ss += z * z
	}
	mean := s / n
	v := ss/n - mean*mean
	if math.Abs(mean) > 4/math.Sqrt(n) {
		t.Errorf("mean %v, want 0 ± %v", mean, 4/math.Sqrt(n))
	}
	if se := math.Sqrt(3.0 / n); math.Abs(v-1) > 4*se {
		t.Errorf("variance %v, want 1 ± %v", v, 4*se)
	}
}
