package model_test

import (
	"math"
	"testing"

	"github.com/tokensim/tokensim/garch"
	"github.com/tokensim/tokensim/model"
)

// freeFloatRegime is the GARCH(1,1)-t regime of the free-float check: daily
// drift 0.1%, unconditional daily sd 2% (ω/(1−α−β) = 4e-4), ν = 8 so that the
// standardized shocks have a finite fourth moment (kurtosis 3 + 6/(ν−4) = 4.5)
// and β² + 2αβ + α²·4.5 = 0.9375 < 1: the returns' fourth moment exists too
// (He and Teräsvirta 1999), so sample variances have finite standard errors.
var freeFloatRegime = model.Regime{Params: garch.Params{Mu: 0.001, Omega: 2e-5, Alpha: 0.1, Beta: 0.85, Nu: 8}, PegReversion: 0}

// freeFloatParams switches off every feedback into the price (MODEL-SPEC §6.4):
// θ = 0, depth = +Inf, no jumps, no issuance, no burn, no dilution, no levers;
// the pegged regime (the base regime) is freeFloatRegime.
func freeFloatParams() model.Params {
	p := model.DefaultV1()
	p.Market.Regimes[model.RegimePegged] = freeFloatRegime
	p.Market.DepthUSD = math.Inf(1)
	p.Market.JumpRatePerYear = 0
	p.Supply.IssuancePerYear = 0
	p.Supply.DilutionImpact = 0
	p.Fees.BurnFraction = 0
	p.Supply.BuybackShare = 0
	p.Consumers.Count = 20 // consumers do not move the price here; few keep the check fast
	p.Entry.RatePerYear = 0
	return p
}

// TestCheckFreeFloatGARCH is MODEL-SPEC §6.4. Under free float without
// feedback ln P_T = ln peg + Σ_t (μ + e_t) with e_t the GARCH(1,1)-t
// innovation started at the unconditional variance σ̄² = ω/(1−α−β)
// (Bollerslev 1986); the e_t are martingale differences with E e_t² = σ̄² on
// every day, so E ln P_T = T·μ and Var ln P_T = T·σ̄² exactly. Both are
// compared with 4 standard errors of the sample mean and of the sample
// variance (the latter from the sample's fourth moment).
//
// The recorded days also allow two sharper checks of the mechanism: the
// conditional variance follows σ²_t = ω + α·e²_t−1 + β·σ²_t−1 from
// σ²_1 = σ̄² (to rounding), and the standardized shocks z_t = e_t/σ_t have
// variance 1 and the unit-variance t_ν distribution (KS test).
func TestCheckFreeFloatGARCH(t *testing.T) {
	const horizon = 365
	n := size(2000, 10000)
	reg := freeFloatRegime
	s2bar := reg.UnconditionalVariance()
	p := freeFloatParams()
	sched := model.Schedule{BaseRegime: model.RegimePegged}
	mustValidate(t, &p, sched)

	var runner model.Runner
	logP := make([]float64, n)
	var z []float64 // standardized shocks of the first zReps replicates (all days)
	zReps := size(200, 1000)
	maxRel := 0.0
	for rep := 0; rep < n; rep++ {
		rec := newProviderRecorder(true)
		spec := &model.RunSpec{Params: p, Schedule: sched, HorizonDays: horizon, Seed: checkSeed,
			Replicate: rep, RunID: int64(rep), RecordEveryDays: 1}
		sum, err := runner.Run(spec, rec)
		if err != nil {
			t.Fatalf("replicate %d: %v", rep, err)
		}
		if len(rec.steps) != horizon {
			t.Fatalf("replicate %d: %d recorded days, want %d", rep, len(rec.steps), horizon)
		}
		logP[rep] = math.Log(sum.PriceFinal)
		if last := rec.steps[horizon-1]; math.Abs(math.Log(last.Price)-logP[rep]) > 1e-12 {
			t.Fatalf("replicate %d: price_final %v differs from day %d's price %v", rep, sum.PriceFinal, horizon, last.Price)
		}
		// The variance recursion, day by day.
		s2 := s2bar
		sumR := 0.0
		for i, st := range rec.steps {
			if st.Halted {
				t.Fatalf("replicate %d day %d: halted without a circuit breaker", rep, st.Day)
			}
			e := st.LogReturn - reg.Mu
			sumR += st.LogReturn
			if i > 0 {
				prev := rec.steps[i-1]
				ePrev := prev.LogReturn - reg.Mu
				s2 = reg.Omega + reg.Alpha*ePrev*ePrev + reg.Beta*prev.Sigma*prev.Sigma
			}
			rel := math.Abs(st.Sigma*st.Sigma-s2) / s2
			maxRel = math.Max(maxRel, rel)
			if rel > 1e-9 {
				t.Fatalf("replicate %d day %d: σ² = %.10g, the GARCH recursion from the recorded returns gives %.10g "+
					"(σ²_1 must be ω/(1−α−β) = %g)", rep, st.Day, st.Sigma*st.Sigma, s2, s2bar)
			}
			if rep < zReps {
				z = append(z, e/st.Sigma)
			}
		}
		if math.Abs(sumR-logP[rep]) > 1e-9 {
			t.Fatalf("replicate %d: Σ log_return = %v but ln P_T = %v (ln peg = 0): the price has feedback", rep, sumR, logP[rep])
		}
	}

	m := sampleMoments(logP)
	wantMean, wantVar := horizon*reg.Mu, horizon*s2bar
	t.Logf("free float, %d replicates × %d days: mean ln P_T = %.5f ± %.5f (want T·μ = %.5f); var = %.5f ± %.5f (want T·σ̄² = %.5f); "+
		"max relative error of the σ² recursion %.1e", n, horizon, m.mean, m.seMean, wantMean, m.variance, m.seVar, wantVar, maxRel)
	if math.Abs(m.mean-wantMean) > 4*m.seMean {
		t.Errorf("mean ln P_T = %.5f, want %.5f within 4 SE (%.5f)", m.mean, wantMean, 4*m.seMean)
	}
	if math.Abs(m.variance-wantVar) > 4*m.seVar {
		t.Errorf("var ln P_T = %.5f, want %.5f within 4 SE (%.5f)", m.variance, wantVar, 4*m.seVar)
	}

	// Standardized shocks: unit variance (checks the √((ν−2)/ν) scaling) and the t_ν law.
	mz := sampleMoments(z)
	t.Logf("standardized shocks: %d draws, mean %.4f ± %.4f, variance %.4f ± %.4f (want 0 and 1)",
		len(z), mz.mean, mz.seMean, mz.variance, mz.seVar)
	if math.Abs(mz.mean) > 4*mz.seMean || math.Abs(mz.variance-1) > 4*mz.seVar {
		t.Errorf("z_t = e_t/σ_t: mean %.4f, variance %.4f; want 0 and 1 within 4 SE (%.4f, %.4f)",
			mz.mean, mz.variance, 4*mz.seMean, 4*mz.seVar)
	}
	st := stdT(reg.Nu)
	u := make([]float64, len(z))
	for i, x := range z {
		u[i] = st.CDF(x)
	}
	d, pval := ksUniform(u)
	t.Logf("KS of z_t against the unit-variance t_%g: D = %.5f, p = %.3f", reg.Nu, d, pval)
	if pval < 0.001 {
		t.Errorf("standardized shocks are not unit-variance t_%g: KS D = %.5f, p = %.2g", reg.Nu, d, pval)
	}
}
