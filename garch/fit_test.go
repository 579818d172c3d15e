package garch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestGARCHLogLikelihoodDensity checks LogLikelihood against a direct
// sum of gonum's Student-t log density (distuv.StudentsT with scale
// σ_t·sqrt((ν−2)/ν)), with the variance recursion written out separately.
func TestGARCHLogLikelihoodDensity(t *testing.T) {
	p := Params{Mu: 0.001, Omega: 2e-5, Alpha: 0.1, Beta: 0.85, Nu: 4.5}
	r := Simulate(p, 500, rand.New(rand.NewPCG(1, 2)))
	h1 := 0.0009
	want, h := 0.0, h1
	for i, x := range r {
		if i > 0 {
			e := r[i-1] - p.Mu
			h = p.Omega + p.Alpha*e*e + p.Beta*h
		}
		d := distuv.StudentsT{Mu: p.Mu, Sigma: math.Sqrt(h * (p.Nu - 2) / p.Nu), Nu: p.Nu}
		want += d.LogProb(x)
	}
	got := LogLikelihood(r, p, h1)
	if math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Fatalf("log-likelihood %.12g, direct sum of t log densities %.12g", got, want)
	}
	for _, bad := range []Params{{Omega: -1, Alpha: 0.1, Beta: 0.8, Nu: 5}, {Omega: 1e-5, Alpha: 0.1, Beta: 0.8, Nu: 2}} {
		if ll := LogLikelihood(r, bad, h1); !math.IsInf(ll, -1) {
			t.Errorf("invalid parameters %+v: log-likelihood %v, want -Inf", bad, ll)
		}
	}
}

// TestGARCHGradient checks the analytic gradient of the log-likelihood
// against central finite differences (relative error < 1e-5).
func TestGARCHGradient(t *testing.T) {
	p := Params{Mu: 0.05, Omega: 0.08, Alpha: 0.12, Beta: 0.8, Nu: 5}
	y := Simulate(p, 800, rand.New(rand.NewPCG(3, 4)))
	th := [5]float64{0.03, 0.1, 0.15, 0.75, 6}
	_, g := garchLogLik(y, th, 1.1, true)
	for i := range 5 {
		h := 1e-6 * math.Max(1, math.Abs(th[i]))
		tp, tm := th, th
		tp[i] += h
		tm[i] -= h
		lp, _ := garchLogLik(y, tp, 1.1, false)
		lm, _ := garchLogLik(y, tm, 1.1, false)
		fd := (lp - lm) / (2 * h)
		if math.Abs(fd-g[i]) > 1e-5*math.Max(1, math.Abs(fd)) {
			t.Errorf("d/dθ[%d]: analytic %.9g, finite difference %.9g", i, g[i], fd)
		}
	}
}

// garchRecoverySets are the known parameter sets of the recovery check: a
// BTC-like heavy-tailed persistent regime, a stablecoin-like one with a
// large α, and a mild near-normal one.
var garchRecoverySets = []struct {
	name string
	p    Params
}{
	{"volatile", Params{Mu: 0.0016, Omega: 1.88e-5, Alpha: 0.121, Beta: 0.868, Nu: 3.33}},
	{"peg-like", Params{Mu: 0, Omega: 3e-6, Alpha: 0.25, Beta: 0.65, Nu: 4.5}},
	{"mild", Params{Mu: 0.0005, Omega: 4e-6, Alpha: 0.06, Beta: 0.92, Nu: 8}},
}

// TestGARCHRecovery fits series simulated by Simulate with known
// parameters back. Criteria (all fits, every parameter set and seed; seeds
// are 1..K, not selected):
//   - per parameter: |θ̂ − θ| ≤ 4 SE for every estimated parameter (a wide
//     bound: P(|z| > 4) ≈ 6e-5 for a normal z), and at least 85% of all
//     |z| ≤ 2 (≈ 95% expected; the slack allows for the skewed small-sample
//     distribution of ν̂ and the finite number of fits);
//   - jointly: the sum over fits of the Wald statistics (θ̂−θ)ᵀ Cov⁻¹ (θ̂−θ)
//     (each ≈ χ²_k, k = 5 free or 4 targeted) lies between the 0.001 and
//     0.999 quantiles of χ² with Σk degrees of freedom: the estimates are
//     not biased beyond their SEs and the SEs are neither too small nor too
//     large;
//   - the robust (sandwich) SEs agree with the observed-information SEs
//     within 0.75..1.33 (information-matrix equality under the true model).
//
// Variance targeting is checked separately (TestGARCHRecoveryTargeted): its
// SEs treat the sample variance as known and are too small for this joint
// criterion.
func TestGARCHRecovery(t *testing.T) {
	days, seeds := 4000, 6
	if testing.Short() {
		days, seeds = 3000, 3
	}
	var sumW, df float64
	var nz, within2 int
	for _, set := range garchRecoverySets {
		for seed := 1; seed <= seeds; seed++ {
			r := Simulate(set.p, days, rand.New(rand.NewPCG(uint64(seed), 20261121)))
			fit, err := Fit(r, FitOptions{})
			if err != nil {
				t.Fatalf("%s seed %d: %v", set.name, seed, err)
			}
			if fit.Cov == nil {
				t.Fatalf("%s seed %d: no covariance: %v", set.name, seed, fit.Warnings)
			}
			idx := []int{0, 1, 2, 3, 4}
			est := []float64{fit.Mu, fit.Omega, fit.Alpha, fit.Beta, fit.Nu}
			tru := []float64{set.p.Mu, set.p.Omega, set.p.Alpha, set.p.Beta, set.p.Nu}
			names := []string{"mu", "omega", "alpha", "beta", "nu"}
			k := len(idx)
			c := mat.NewSymDense(k, nil)
			d := mat.NewVecDense(k, nil)
			line := ""
			for a, i := range idx {
				d.SetVec(a, est[i]-tru[i])
				for b := a; b < k; b++ {
					c.SetSym(a, b, fit.Cov[i][idx[b]])
				}
				z := (est[i] - tru[i]) / math.Sqrt(fit.Cov[i][i])
				nz++
				if math.Abs(z) <= 2 {
					within2++
				}
				if math.Abs(z) > 4 {
					t.Errorf("%s seed %d: %s = %.4g, true %.4g, SE %.3g: z = %.2f beyond 4", set.name, seed, names[i], est[i], tru[i], math.Sqrt(fit.Cov[i][i]), z)
				}
				line += fmt.Sprintf(" %s z=%+.2f", names[i], z)
			}
			// Information-matrix equality: under the true model the sandwich
			// SEs agree with the observed-information SEs (bound 0.75..1.33
			// for the sampling noise of the scores' outer product).
			rob := []float64{fit.RobustSE.Mu, fit.RobustSE.Omega, fit.RobustSE.Alpha, fit.RobustSE.Beta, fit.RobustSE.Nu}
			for i := range 5 {
				if q := rob[i] / math.Sqrt(fit.Cov[i][i]); !(q > 0.75 && q < 1.33) {
					t.Errorf("%s seed %d: %s robust SE / SE = %.2f outside 0.75..1.33", set.name, seed, names[i], q)
				}
			}
			var ch mat.Cholesky
			if !ch.Factorize(c) {
				t.Fatalf("%s seed %d: covariance not positive definite", set.name, seed)
			}
			var x mat.VecDense
			if err := ch.SolveVecTo(&x, d); err != nil {
				t.Fatal(err)
			}
			w := mat.Dot(d, &x)
			sumW += w
			df += float64(k)
			t.Logf("%s seed %d:%s Wald %.2f (k=%d) mean ẑ² %.3f", set.name, seed, line, w, k, fit.ResidualVariance)
		}
	}
	lo := distuv.ChiSquared{K: df}.Quantile(0.001)
	hi := distuv.ChiSquared{K: df}.Quantile(0.999)
	t.Logf("sum of Wald statistics %.1f on %.0f df (0.001..0.999 quantiles %.1f..%.1f); %d of %d |z| ≤ 2", sumW, df, lo, hi, within2, nz)
	if sumW < lo || sumW > hi {
		t.Errorf("sum of Wald statistics %.1f outside the χ²_%.0f 0.001..0.999 range %.1f..%.1f", sumW, df, lo, hi)
	}
	if float64(within2) < 0.85*float64(nz) {
		t.Errorf("only %d of %d estimates within 2 SE (want ≥ 85%%)", within2, nz)
	}
}

// TestGARCHRecoveryTargeted fits the same simulated series with and without
// variance targeting. The targeted SEs are conditional on the sample
// variance (documented on FitResult.SE) and ignore its sampling error, which
// is large when ν < 4 (infinite fourth moment); so the targeted estimates
// are checked against the free fit's SEs, which carry that uncertainty:
// |θ̂_VT − θ| ≤ 4·SE_free for μ, α, β, ν, and at least 85% within 2·SE_free.
// The targeted fit's unconditional variance must equal the sample variance.
func TestGARCHRecoveryTargeted(t *testing.T) {
	days, seeds := 4000, 6
	if testing.Short() {
		days, seeds = 3000, 3
	}
	nz, within2 := 0, 0
	for _, set := range garchRecoverySets {
		for seed := 1; seed <= seeds; seed++ {
			r := Simulate(set.p, days, rand.New(rand.NewPCG(uint64(seed), 20261121)))
			free, err := Fit(r, FitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			vt, err := Fit(r, FitOptions{VarianceTargeting: true})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := vt.UnconditionalVariance(), vt.SampleSD*vt.SampleSD; math.Abs(got-want) > 1e-12*want {
				t.Errorf("%s seed %d: targeted unconditional variance %.10g, sample variance %.10g", set.name, seed, got, want)
			}
			est := []float64{vt.Mu, vt.Alpha, vt.Beta, vt.Nu}
			tru := []float64{set.p.Mu, set.p.Alpha, set.p.Beta, set.p.Nu}
			se := []float64{free.SE.Mu, free.SE.Alpha, free.SE.Beta, free.SE.Nu}
			names := []string{"mu", "alpha", "beta", "nu"}
			line := ""
			for i := range est {
				z := (est[i] - tru[i]) / se[i]
				nz++
				if math.Abs(z) <= 2 {
					within2++
				}
				if math.Abs(z) > 4 || math.IsNaN(z) {
					t.Errorf("%s seed %d targeted: %s = %.4g, true %.4g, free-fit SE %.3g: z = %.2f beyond 4", set.name, seed, names[i], est[i], tru[i], se[i], z)
				}
				line += fmt.Sprintf(" %s z=%+.2f", names[i], z)
			}
			t.Logf("%s seed %d targeted:%s", set.name, seed, line)
		}
	}
	if float64(within2) < 0.85*float64(nz) {
		t.Errorf("only %d of %d targeted estimates within 2 free-fit SE (want ≥ 85%%)", within2, nz)
	}
}

// calibSimulate simulates n returns of p with Simulate.
func calibSimulate(p Params, n int, seed uint64) []float64 {
	return Simulate(p, n, rand.New(rand.NewPCG(seed, 20261121)))
}

// TestFitGARCHBoundWarnings checks that binding constraints are reported:
// i.i.d. normal returns (no ARCH effect, normal tails) must warn that α is
// at 0 or ν is very large; a nearly integrated process (α+β = 0.9995) fitted
// freely must warn about the persistence bound or fit it below it.
func TestFitGARCHBoundWarnings(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	r := make([]float64, 3000)
	for i := range r {
		r[i] = 0.01 * rng.NormFloat64()
	}
	fit, err := Fit(r, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("iid normal: %+v warnings %q", fit.Params, fit.Warnings)
	if !calibHasWarning(fit.Warnings, "very large") {
		t.Errorf("i.i.d. normal returns: ν = %.4g without a 'very large' warning: %q", fit.Nu, fit.Warnings)
	}
	if fit.Alpha < garchWarnZero && !calibHasWarning(fit.Warnings, "α = ") {
		t.Errorf("α = %.3g without a bound warning: %q", fit.Alpha, fit.Warnings)
	}
	ig := calibSimulate(Params{Mu: 0, Omega: 1e-7, Alpha: 0.1, Beta: 0.8995, Nu: 5}, 3000, 9)
	fit, err = Fit(ig, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("near-integrated: persistence %.6f warnings %q", fit.Persistence(), fit.Warnings)
	if fit.Persistence() >= garchWarnPersistence && !calibHasWarning(fit.Warnings, "persistence") {
		t.Errorf("persistence %.6f without a warning: %q", fit.Persistence(), fit.Warnings)
	}
}

func calibHasWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// BenchmarkFitGARCH measures the free fit of 3,000 simulated BTC-like
// returns (8 BFGS starts, standard errors included); it reports returns/s.
func BenchmarkFitGARCH(b *testing.B) {
	p := Params{Mu: 0.0016, Omega: 1.88e-5, Alpha: 0.121, Beta: 0.868, Nu: 3.33}
	r := calibSimulate(p, 3000, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(r, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(r))*float64(b.N)/b.Elapsed().Seconds(), "returns/s")
}
