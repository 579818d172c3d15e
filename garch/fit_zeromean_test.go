package garch

import (
	"math"
	"testing"
)

// TestFitZeroMean: with μ fixed at 0 (FitOptions.ZeroMean), on a series
// simulated with μ = 0 the estimates of ω, α, β, ν agree with the
// unconstrained fit's within 2 of its SEs, the likelihood-ratio statistic
// 2(ℓ_free − ℓ_0) is ≥ 0 (the constrained maximum cannot exceed the free one)
// and below 6.63 (χ²₁'s 1% point; it is a draw from χ²₁ under μ = 0), and
// μ̂ = 0 with a NaN SE; on a series simulated with a large drift (μ =
// 0.004/day over 3,000 days, about 14 SEs of μ̂) the statistic exceeds
// 6.63, as a test of μ = 0 should.
func TestFitZeroMean(t *testing.T) {
	truth := Params{Mu: 0, Omega: 2e-5, Alpha: 0.1, Beta: 0.85, Nu: 5}
	r := calibSimulate(truth, 3000, 31)
	free, err := Fit(r, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zero, err := Fit(r, FitOptions{ZeroMean: true})
	if err != nil {
		t.Fatal(err)
	}
	if zero.Mu != 0 || !math.IsNaN(zero.SE.Mu) || !zero.ZeroMean {
		t.Errorf("zero-mean fit: μ = %v, SE %v, ZeroMean %v", zero.Mu, zero.SE.Mu, zero.ZeroMean)
	}
	for _, c := range []struct {
		name           string
		zero, free, se float64
	}{
		{"omega", zero.Omega, free.Omega, free.SE.Omega},
		{"alpha", zero.Alpha, free.Alpha, free.SE.Alpha},
		{"beta", zero.Beta, free.Beta, free.SE.Beta},
		{"nu", zero.Nu, free.Nu, free.SE.Nu},
	} {
		if !(math.Abs(c.zero-c.free) <= 2*c.se) {
			t.Errorf("%s: zero-mean %v vs free %v (SE %v)", c.name, c.zero, c.free, c.se)
		}
	}
	lr := 2 * (free.LogLikelihood - zero.LogLikelihood)
	t.Logf("μ = 0 series: free μ̂ = %.2e (SE %.1e), LR = %.3f", free.Mu, free.SE.Mu, lr)
	if !(lr >= -1e-6 && lr < 6.63) {
		t.Errorf("LR statistic %v under μ = 0: want in [0, 6.63)", lr)
	}
	if len(zero.Warnings) > 0 {
		t.Logf("warnings: %v", zero.Warnings)
	}

	drift := truth
	drift.Mu = 0.004
	rd := calibSimulate(drift, 3000, 32)
	freeD, err := Fit(rd, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zeroD, err := Fit(rd, FitOptions{ZeroMean: true})
	if err != nil {
		t.Fatal(err)
	}
	lrD := 2 * (freeD.LogLikelihood - zeroD.LogLikelihood)
	t.Logf("μ = 0.004 series: free μ̂ = %.2e (SE %.1e), LR = %.1f", freeD.Mu, freeD.SE.Mu, lrD)
	if !(lrD > 6.63) {
		t.Errorf("LR statistic %v with a drift of 0.004/day: the zero-mean restriction is not rejected", lrD)
	}
	// Variance targeting combines with it.
	zt, err := Fit(r, FitOptions{ZeroMean: true, VarianceTargeting: true})
	if err != nil {
		t.Fatal(err)
	}
	if zt.Mu != 0 || !(math.Abs(zt.Alpha-zero.Alpha) <= 2*free.SE.Alpha) {
		t.Errorf("targeted zero-mean fit μ %v α %v vs %v", zt.Mu, zt.Alpha, zero.Alpha)
	}
}
