package garch

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGARCHReparamRoundTrip checks that garchReparam.coords inverts theta
// (coords(theta(u)) = u) with and without a persistence cap, that θ obeys
// the cap, and that the Jacobian dθ/du matches central differences.
func TestGARCHReparamRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, pcap := range []float64{1, 0.98, 0.5} {
		for _, target := range []bool{false, true} {
			rp := garchReparam{target: target, s2: 1.3, cap: pcap}
			for trial := range 50 {
				u := make([]float64, rp.dim())
				for k := range u {
					u[k] = 4 * (2*rng.Float64() - 1)
				}
				th, J := rp.theta(u)
				if p := th[2] + th[3]; !(p > 0 && p < pcap) || th[2] <= 0 || th[3] <= 0 || th[4] <= 2 {
					t.Fatalf("cap %g target %v u %v: θ %v violates the constraints", pcap, target, u, th)
				}
				back := rp.coords(th)
				for k := range u {
					if math.Abs(back[k]-u[k]) > 1e-9*math.Max(1, math.Abs(u[k])) {
						t.Errorf("cap %g target %v trial %d: coords(theta(u))[%d] = %.12g, u = %.12g", pcap, target, trial, k, back[k], u[k])
					}
				}
				for k := range u {
					h := 1e-6
					up, um := append([]float64{}, u...), append([]float64{}, u...)
					up[k] += h
					um[k] -= h
					tp, _ := rp.theta(up)
					tm, _ := rp.theta(um)
					for i := range 5 {
						fd := (tp[i] - tm[i]) / (2 * h)
						if math.Abs(fd-J[i][k]) > 1e-6*math.Max(1, math.Abs(fd)) {
							t.Errorf("cap %g target %v: dθ[%d]/du[%d] = %.9g, finite difference %.9g", pcap, target, i, k, J[i][k], fd)
						}
					}
				}
			}
		}
	}
}

// TestGARCHPersistenceCapNonBinding checks that a cap above the free
// optimum's α+β leaves the fit unchanged: same estimates (within the
// optimizer's tolerance) and log-likelihood, no cap warning, same SEs.
func TestGARCHPersistenceCapNonBinding(t *testing.T) {
	r := calibSimulate(Params{Mu: 0.0005, Omega: 2e-5, Alpha: 0.1, Beta: 0.8, Nu: 6}, 3000, 21)
	for _, target := range []bool{false, true} {
		free, err := Fit(r, FitOptions{VarianceTargeting: target})
		if err != nil {
			t.Fatal(err)
		}
		if free.Persistence() > 0.95 {
			t.Fatalf("test series: free persistence %.4f is too close to the cap 0.97 for this check", free.Persistence())
		}
		capped, err := Fit(r, FitOptions{VarianceTargeting: target, MaxPersistence: 0.97})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("target %v: free %+v ll %.6f; capped %+v ll %.6f", target, free.Params, free.LogLikelihood, capped.Params, capped.LogLikelihood)
		if capped.AtPersistenceCap || calibHasWarning(capped.Warnings, "at the cap") {
			t.Errorf("target %v: non-binding cap reported as binding (persistence %.6f): %q", target, capped.Persistence(), capped.Warnings)
		}
		if d := math.Abs(capped.LogLikelihood - free.LogLikelihood); d > 1e-6 {
			t.Errorf("target %v: log-likelihood %.9f capped vs %.9f free", target, capped.LogLikelihood, free.LogLikelihood)
		}
		// Estimates within 1% of their SE (the optimizer's tolerance, not sampling error).
		pairs := []struct {
			name         string
			got, want, s float64
		}{
			{"mu", capped.Mu, free.Mu, free.SE.Mu},
			{"omega", capped.Omega, free.Omega, free.SE.Omega},
			{"alpha", capped.Alpha, free.Alpha, free.SE.Alpha},
			{"beta", capped.Beta, free.Beta, free.SE.Beta},
			{"nu", capped.Nu, free.Nu, free.SE.Nu},
		}
		for _, p := range pairs {
			if !(math.Abs(p.got-p.want) <= 0.01*p.s) {
				t.Errorf("target %v: %s = %.8g capped, %.8g free (SE %.3g)", target, p.name, p.got, p.want, p.s)
			}
		}
		if math.Abs(capped.SE.Alpha-free.SE.Alpha) > 0.01*free.SE.Alpha {
			t.Errorf("target %v: SE α %.6g capped, %.6g free", target, capped.SE.Alpha, free.SE.Alpha)
		}
	}
}

// TestGARCHPersistenceCapBinding fits a series simulated with α+β = 0.995
// under the cap 0.97: the fit must land at the cap, say so in a warning,
// report conditional SEs (finite for α, β, ν; none for ω and α+β), and with
// variance targeting keep ω = s²(1−α−β).
func TestGARCHPersistenceCapBinding(t *testing.T) {
	r := calibSimulate(Params{Mu: 0, Omega: 2e-7, Alpha: 0.08, Beta: 0.915, Nu: 5}, 3000, 22)
	for _, target := range []bool{false, true} {
		free, err := Fit(r, FitOptions{VarianceTargeting: target})
		if err != nil {
			t.Fatal(err)
		}
		if free.Persistence() < 0.98 {
			t.Fatalf("test series: free persistence %.4f does not exceed the cap 0.97 clearly", free.Persistence())
		}
		fit, err := Fit(r, FitOptions{VarianceTargeting: target, MaxPersistence: 0.97})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("target %v: free persistence %.5f; capped %+v SE %+v warnings %q", target, free.Persistence(), fit.Params, fit.SE, fit.Warnings)
		if p := fit.Persistence(); p > 0.97 || p < 0.97-garchCapTolerance {
			t.Errorf("target %v: capped persistence %.8f, want the cap 0.97", target, p)
		}
		if !fit.AtPersistenceCap || !calibHasWarning(fit.Warnings, "at the cap MaxPersistence = 0.97") || !calibHasWarning(fit.Warnings, "conditional on α+β fixed at the cap") {
			t.Errorf("target %v: no cap warning (AtPersistenceCap %v): %q", target, fit.AtPersistenceCap, fit.Warnings)
		}
		if calibHasWarning(fit.Warnings, "at its bound 1") {
			t.Errorf("target %v: capped fit warns about the bound 1: %q", target, fit.Warnings)
		}
		if fit.GradientNorm > GradientTolerance {
			t.Errorf("target %v: gradient norm %.3g of the free coordinates at the cap", target, fit.GradientNorm)
		}
		if fit.LogLikelihood > free.LogLikelihood+1e-9 {
			t.Errorf("target %v: capped log-likelihood %.6f above the free one %.6f", target, fit.LogLikelihood, free.LogLikelihood)
		}
		for name, se := range map[string]float64{"mu": fit.SE.Mu, "alpha": fit.SE.Alpha, "beta": fit.SE.Beta, "nu": fit.SE.Nu} {
			if !(se > 0) || math.IsInf(se, 0) {
				t.Errorf("target %v: conditional SE of %s = %v, want finite", target, name, se)
			}
		}
		if math.Abs(fit.SE.Alpha-fit.SE.Beta) > 1e-12 || !math.IsNaN(fit.SE.Omega) || !math.IsNaN(fit.SEPersistence) {
			t.Errorf("target %v: conditional SEs α %v β %v ω %v α+β %v: want SE β = SE α and none for ω, α+β", target, fit.SE.Alpha, fit.SE.Beta, fit.SE.Omega, fit.SEPersistence)
		}
		if target {
			if got, want := fit.Omega, fit.SampleSD*fit.SampleSD*(1-fit.Persistence()); math.Abs(got-want) > 1e-12*want {
				t.Errorf("targeted ω %.10g, s²(1−α−β) %.10g", got, want)
			}
		}
	}
}

// TestGARCHPersistenceCapValidation checks that MaxPersistence outside
// (0, 1] is rejected by Fit (ErrFit) (and by Calibrate, see
// calibrate's TestCalibratePersistenceCapValidation), and that the cap 1 is
// the same as no cap.
func TestGARCHPersistenceCapValidation(t *testing.T) {
	r := calibSimulate(Params{Mu: 0, Omega: 2e-5, Alpha: 0.1, Beta: 0.8, Nu: 6}, 600, 23)
	for _, bad := range []float64{-0.5, 1.0000001, 2, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := Fit(r, FitOptions{MaxPersistence: bad}); !errors.Is(err, ErrFit) {
			t.Errorf("Fit MaxPersistence %v: err %v, want ErrFit", bad, err)
		}
	}
	free, err := Fit(r, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	one, err := Fit(r, FitOptions{MaxPersistence: 1})
	if err != nil {
		t.Fatal(err)
	}
	if free.Params != one.Params || free.LogLikelihood != one.LogLikelihood {
		t.Errorf("MaxPersistence 1 %+v differs from no cap %+v", one.Params, free.Params)
	}
}
