package model

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

// symmetricMarket is a quiet market of n identical providers (equal
// quality, list price, share, hence brand intercept) with the outside option,
// constant b (σ_b = 0), no network effect, no switching cost, no risk term,
// daily re-indexing (consumer cost = list price) and best-response pricing
// reviewed every day: the setting of MODEL-SPEC-v2 §E.4.
func symmetricMarket(n int) Params {
	p := quietParams()
	p.Outside.Enabled = true
	p.Pricing.Mode = PricingBestResponse
	p.Pricing.ReviewDays = 1
	p.Pricing.RepriceIntervalDays = 0
	p.Providers.Table = nil
	for i := 0; i < n; i++ {
		p.Providers.Table = append(p.Providers.Table,
			ProviderSpec{Name: fmt.Sprintf("p%d", i), ListPriceUSDPerMtok: 2, Quality: 0.8, InitialShare: 1 / float64(n)})
	}
	p.Centralization.Leader = "p0"
	p.Consumers.PriceWeightSigma = 0
	p.Network.Effect = 0
	p.Consumers.SwitchingCost = 0
	p.Providers.RunwayDays = 1e6
	return p
}

// symmetricFOCPrice solves, independently of the model's pricing code, the
// symmetric logit–Nash first-order condition with n providers of non-price
// utility a, an outside option of utility u0, log-cost utility with constant
// b, volume elasticity eps and payment share kappaF: the Lerner rule
// (κ_f p − c)/(κ_f p) = 1/(ε + b(1 − s(p))), s(p) = e^(a − b ln p)/(n e^(a − b ln p) + e^u0),
// by bisection on p in (c/κ_f, 100 c).
func symmetricFOCPrice(n int, a, u0, b, eps, kappaF, c float64) float64 {
	g := func(p float64) float64 {
		e := math.Exp(a - b*math.Log(p))
		s := e / (float64(n)*e + math.Exp(u0))
		return kappaF*p*(1-1/(eps+b*(1-s))) - c
	}
	lo, hi := c/kappaF, 100*c
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if g(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// TestLogitNashConvergence is MODEL-SPEC-v2 §E.4: from asymmetric starting
// prices, best-response pricing with partial adjustment converges to the
// symmetric equilibrium of the first-order condition (solved in the test),
// within 0.5%; with one provider, to the monopoly price against the outside
// option.
func TestLogitNashConvergence(t *testing.T) {
	for _, n := range []int{3, 1} {
		p := symmetricMarket(n)
		spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 90, Seed: 11}
		s := newSim(t, &spec)
		const c = 1.0 // marginal cost, USD/Mtok (set, not inverted: the equilibrium is not the table's price)
		start := []float64{1.6, 0.8, 1.2}
		for i := range s.provs {
			s.provs[i].mcost, s.provs[i].mcost0 = c, c
			s.provs[i].listPrice *= start[i]
		}
		stepDays(t, s, 1, spec.HorizonDays)
		pr := &s.provs[0]
		a := pr.xi + p.Consumers.QualityWeight*pr.q
		want := symmetricFOCPrice(n, a, s.llm.u0, p.Consumers.PriceWeight, p.Consumers.PriceElasticity, s.llm.kappaF, c)
		for i := range s.provs {
			got := s.provs[i].listPrice
			if math.Abs(got/want-1) > 0.005 {
				t.Errorf("%d providers: provider %d price %.6f, FOC equilibrium %.6f (%.3f%% off)", n, i, got, want, 100*(got/want-1))
			}
		}
		t.Logf("%d providers: equilibrium %.5f USD/Mtok at c = %v (Lerner %.4f); prices %.5f…", n, want, c,
			(s.llm.kappaF*want-c)/(s.llm.kappaF*want), s.provs[0].listPrice)
	}
}

// TestCostInversionSatisfiesFOC: with the default parameters, the day-0
// marginal costs make each incumbent's table price its own best response
// (the numerical maximization recovers it), and the implied margins follow
// the Lerner rule with the demand model's elasticity.
func TestCostInversionSatisfiesFOC(t *testing.T) {
	p := Default()
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 1, Seed: 1}
	s := newSim(t, &spec)
	margins, err := ImpliedMargins(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < s.nInc; i++ {
		pr := &s.provs[i]
		br := s.bestResponse(i)
		if math.Abs(br/pr.listPrice-1) > 1e-4 {
			t.Errorf("%s: best response at day 0 %.6f, table price %.6f", pr.name, br, pr.listPrice)
		}
		e := s.demandElasticity(i, pr.listPrice)
		lerner := (s.llm.kappaF*pr.listPrice - pr.mcost) / (s.llm.kappaF * pr.listPrice)
		if !near(lerner, 1/e, 1e-12) {
			t.Errorf("%s: Lerner index %v, 1/E = %v", pr.name, lerner, 1/e)
		}
		if !near(margins[i], (pr.listPrice-pr.mcost)/pr.listPrice, 1e-12) {
			t.Errorf("%s: ImpliedMargins %v, sim %v", pr.name, margins[i], (pr.listPrice-pr.mcost)/pr.listPrice)
		}
	}
	t.Logf("implied day-0 margins (p − c)/p: %.3f", margins)
}

// TestBrentMaxAgreesWithGonum checks the bounded Brent maximizer against
// gonum's Nelder–Mead on the same expected-profit function (an independent
// implementation), away from the bounds.
func TestBrentMaxAgreesWithGonum(t *testing.T) {
	p := Default()
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 1, Seed: 2}
	s := newSim(t, &spec)
	for i := 0; i < s.nInc; i++ {
		s.provs[i].mcost *= 0.7 // move the optimum away from the table price
		obj := s.profit(i)
		c := s.provs[i].mcost
		x := brentMax(obj, math.Log(c), math.Log(p.Pricing.MaxMarkup*c), 1e-9)
		res, err := optimize.Minimize(optimize.Problem{Func: func(v []float64) float64 { return -obj.value(v[0]) }},
			[]float64{math.Log(s.provs[i].listPrice)}, &optimize.Settings{}, &optimize.NelderMead{})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(x-res.X[0]) > 1e-4 {
			t.Errorf("%s: Brent ln p* = %.6f, Nelder–Mead %.6f", s.provs[i].name, x, res.X[0])
		}
	}
}

// TestProfitQuantityIsExpectedDemand checks the best response's compacted
// demand (profitAt.quantity) against expectedDemand, the direct sum over
// cells, bit for bit over a grid of prices and every provider, after a
// volatile run has moved the consumer distribution across groups.
func TestProfitQuantityIsExpectedDemand(t *testing.T) {
	spec := benchSpec(400)
	spec.Schedule = Scenarios()[ScenarioVolatility].Schedule
	spec.HorizonDays = 90
	s := lastDay(t, &spec)
	s.pricingSetup(1.03)
	n := 0
	for i := range s.provs {
		if !s.provs[i].active {
			continue
		}
		o := s.profit(i)
		for _, f := range []float64{0.3, 0.9, 1, 1.01, 2.5, 7} {
			p := f * s.provs[i].listPrice
			want, _ := s.expectedDemand(i, p)
			if got := o.quantity(p); got != want {
				t.Errorf("provider %d at %v × list price: quantity %v, expectedDemand %v", i, f, got, want)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no active provider")
	}
}

// TestImpliedMarginalCostLerner: the inversion is the Lerner rule, clamped by
// the markup cap where demand is inelastic.
func TestImpliedMarginalCostLerner(t *testing.T) {
	// Single-product logit, constant b: E = ε + b(1 − s).
	eps, b, s, p, kf := 1.2, 0.3, 0.25, 4.0, 0.99
	c := ImpliedMarginalCost(p, eps+b*(1-s), kf, 5)
	if got, want := (kf*p-c)/(kf*p), 1/(eps+b*(1-s)); !near(got, want, 1e-14) {
		t.Errorf("Lerner index %v, want %v", got, want)
	}
	if got := ImpliedMarginalCost(p, 0.9, kf, 5); !near(got, p/5, 1e-15) {
		t.Errorf("inelastic demand: c = %v, want p/max_markup = %v", got, p/5)
	}
}

// TestOutsideCalibration: at day 0 the median consumer's logit puts
// outside.initial_inside_share on the token system, and the day-0
// assignment draws that share of consumers inside.
func TestOutsideCalibration(t *testing.T) {
	p := Default()
	p.Consumers.Count = 20000
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 1, Seed: 4}
	s := newSim(t, &spec)
	b0, wq := p.Consumers.PriceWeight, p.Consumers.QualityWeight
	in := 0.0
	for i, row := range p.Providers.Table {
		pr := &s.provs[i]
		in += math.Exp(pr.xi + wq*pr.q - b0*math.Log(row.ListPriceUSDPerMtok) + p.Network.Effect*math.Log(row.InitialShare+p.Network.ShareFloor))
	}
	if got := in / (in + math.Exp(s.llm.u0)); !near(got, 0.8, 1e-12) {
		t.Errorf("median consumer's inside probability %v, want 0.8", got)
	}
	inside := 0
	for j := range s.cons {
		if s.cons[j].k >= 0 {
			inside++
		}
	}
	m := float64(len(s.cons))
	frac, se := float64(inside)/m, math.Sqrt(0.8*0.2/m)
	if math.Abs(frac-0.8) > 4*se {
		t.Errorf("day-0 consumers inside %.4f, want 0.8 ± %.4f", frac, 4*se)
	}
}

// TestQACostSingleOption is MODEL-SPEC-v2 §E.5 (first part): c* is the cost
// at which a single option with the reference non-price utility gives the
// same log-sum; and a uniform price cut of x% on every option (no outside
// option) lowers c* by exactly x%.
func TestQACostSingleOption(t *testing.T) {
	b, pbar0 := 0.35, 4.2
	a := []float64{1.1, 0.4, -0.3, 0.9}
	cost := []float64{6, 3, 0.5, 2.2}
	u := make([]float64, len(a))
	for i := range a {
		u[i] = a[i] - b*math.Log(cost[i])
	}
	direct := 0.0
	for _, x := range u {
		direct += math.Exp(x)
	}
	iv := LogSum(u)
	if !near(iv, math.Log(direct), 1e-14) {
		t.Fatalf("LogSum %v, ln Σ e^u %v", iv, math.Log(direct))
	}
	ivBase := 2.0
	c := QACost(iv, ivBase, pbar0, b)
	aRef := ivBase + b*math.Log(pbar0) // the single option's non-price utility
	if single := aRef - b*math.Log(c); !near(single, iv, 1e-13) {
		t.Errorf("single option at c* = %v has utility %v, log-sum %v", c, single, iv)
	}
	const x = 0.07
	for i := range u {
		u[i] = a[i] - b*math.Log(cost[i]*(1-x))
	}
	if got := QACost(LogSum(u), ivBase, pbar0, b); !near(got, c*(1-x), 1e-13) {
		t.Errorf("after a %v%% cut c* = %v, want %v", 100*x, got, c*(1-x))
	}
}

// TestWelfarePriceCutFirstOrder is MODEL-SPEC-v2 §E.5 (second part): a
// uniform x% cut of every list price from day 1, nothing else changed, raises
// consumer_welfare_usd by the first-order amount x Σ_t Σ_j D_j,t c*_j,t
// s_in,j,t (Roy's identity for the log-sum: d ln c*/d ln p_i = s_i), computed
// here from the uncut run's days, within 1%. With ε = 0 the volumes do not
// move, and with σ_b = 0 c* is exact (no grid). The test also recomputes c*
// every day from the day's utilities.
func TestWelfarePriceCutFirstOrder(t *testing.T) {
	p := quietParams()
	p.Outside.Enabled = true
	p.Consumers.PriceWeightSigma = 0
	p.Consumers.PriceElasticity = 0
	p.Network.Effect = 0
	p.Providers.RunwayDays = 1e6
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 60, Seed: 3}
	const x = 0.005
	b := p.Consumers.PriceWeight
	run := func(cut float64) (w, firstOrder float64) {
		s := newSim(t, &spec)
		for i := range s.provs {
			s.provs[i].listPrice *= 1 - cut
		}
		for d := 1; d <= spec.HorizonDays; d++ {
			stepDays(t, s, d, d)
			sum := math.Exp(s.llm.u0)
			for _, i := range s.openList {
				sum += math.Exp(s.aNet[i] - b*s.lnCost[i])
			}
			cstar := s.llm.pbar0 * math.Exp((s.llm.ivBase[zNodes/2]-math.Log(sum))/b)
			if !near(s.llm.qaDay, cstar, 1e-10) {
				t.Fatalf("day %d: model c* %v, recomputed %v", d, s.llm.qaDay, cstar)
			}
			sIn := 1 - math.Exp(s.llm.u0)/sum
			D := 0.0
			for j := range s.cons {
				if s.cons[j].k != -1 {
					D += s.cons[j].d
				}
			}
			firstOrder += x * D * cstar * sIn
		}
		sum, err := s.summary()
		if err != nil {
			t.Fatal(err)
		}
		return sum.ConsumerWelfareUSD, firstOrder
	}
	w0, fo := run(0)
	w1, _ := run(x)
	dw := w1 - w0
	if math.Abs(dw/fo-1) > 0.01 {
		t.Errorf("welfare gain of a %.1f%% cut: %.6g USD, first-order %.6g USD (ratio %.5f)", 100*x, dw, fo, dw/fo)
	}
	t.Logf("%.1f%% price cut: ΔW = %.6g USD, first order %.6g USD, ratio %.5f", 100*x, dw, fo, dw/fo)
}

// TestReferenceHalfLife: after a permanent cut of its provider's cost from
// c0 to c1, a consumer's demand is d (c1/c_ref)^−ε with c_ref^ε smoothed
// toward c1^ε: c_ref,t^ε = c1^ε + (c0^ε − c1^ε)(1 − a)^(t−1), a = 1 − 2^(−1/h),
// so the extra demand halves every h days (MODEL-SPEC-v2 §B.2).
func TestReferenceHalfLife(t *testing.T) {
	p := DefaultV1()
	p.Consumers.ReviewRate = 0
	const h = 30.0
	p.Consumers.RefHalflifeDays = h
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 5, Seed: 5}
	s := newSim(t, &spec)
	eps := p.Consumers.PriceElasticity
	for i := range s.provs {
		s.provs[i].cost = 0.5 * s.provs[i].listPrice
	}
	s.prepareChoice(1)
	s.cons = s.cons[:1]
	cj := &s.cons[0]
	c0 := s.provs[cj.k].listPrice
	c1 := 0.5 * c0
	cj.d, cj.backlog = 10, 0
	cj.dsc = 10 * math.Pow(c0, eps)
	a := 1 - math.Exp2(-1/h)
	var first, atH float64
	for d := 1; d <= 61; d++ {
		s.day = dayTotals{}
		s.refConsumersDay()
		yRef := math.Pow(c1, eps) + (math.Pow(c0, eps)-math.Pow(c1, eps))*math.Pow(1-a, float64(d-1))
		want := 10 * yRef * math.Pow(c1, -eps)
		if !near(s.day.desired, want, 1e-12) {
			t.Fatalf("day %d: desired %v, want %v", d, s.day.desired, want)
		}
		switch d {
		case 1:
			first = s.day.desired
		case 1 + int(h):
			atH = s.day.desired
		}
	}
	if excess0, excessH := first-10, atH-10; !near(excessH, excess0/2, 1e-9) {
		t.Errorf("extra demand %v on day 1, %v after the half-life: want half", excess0, excessH)
	}
}

// TestDeferralRiskChecks is MODEL-SPEC-v2 §E.6: under the volatility shock,
// with daily USD indexing and no prepaid balance nothing is deferred; with
// fixed CLT prices more is deferred than with indexing (same prepaid
// balance), paired by replicate.
func TestDeferralRiskChecks(t *testing.T) {
	run := func(interval int, prepaid float64, rep int) Summary {
		spec := cellSpec(t, ScenarioVolatility, PolicyNone, 300, 240, rep)
		spec.Params.Pricing.RepriceIntervalDays = interval
		spec.Params.Consumers.PrepaidDays = prepaid
		var r Runner
		sum, err := r.Run(&spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	var diff []float64
	for rep := 0; rep < 12; rep++ {
		if z := run(0, 0, rep); z.DeferredFrac != 0 {
			t.Errorf("replicate %d: indexed, no prepaid balance: deferred_frac %v, want 0", rep, z.DeferredFrac)
		}
		fixed, indexed := run(100000, 7, rep), run(0, 7, rep)
		diff = append(diff, fixed.DeferredFrac-indexed.DeferredFrac)
	}
	m, se := mean(diff), sdN1(diff)/math.Sqrt(float64(len(diff)))
	t.Logf("deferred_frac, fixed CLT prices − indexed (7 prepaid days): %.4f ± %.4f (paired, %d replicates)", m, se, len(diff))
	if !(m > 3*se) || !(m > 0) {
		t.Errorf("fixed CLT prices defer %.4f ± %.4f more than indexing: want > 3 se", m, se)
	}
}

// TestV2SwitchesOffUnderV1: model.version 1 sets every §B switch to its v1
// value (TestV1Reproduced checks the outputs bit for bit).
func TestV2SwitchesOffUnderV1(t *testing.T) {
	p := DefaultV1()
	if p.Outside.Enabled || p.Consumers.RefHalflifeDays != 0 || p.Pricing.Mode != PricingFixed ||
		p.Consumers.PrepaidDays != 0 || p.Consumers.DeferralMode != DeferralV1 || p.Consumers.RiskAversion != 0 ||
		p.Providers.CostDeclinePerYear != 0 {
		t.Errorf("v1 parameters have a §B switch on: %+v %+v %+v", p.Outside, p.Pricing, p.Consumers)
	}
	q := Default()
	if !q.Outside.Enabled || q.Pricing.Mode != PricingBestResponse || q.Consumers.DeferralMode != DeferralDirectional {
		t.Errorf("v2 defaults lack a §B mechanism: %+v %+v", q.Outside, q.Pricing)
	}
}

// TestDirectionalDeferral checks the deferral rule on hand-computed days.
func TestDirectionalDeferral(t *testing.T) {
	for _, c := range []struct{ gain, rho, f, pull float64 }{
		{0, 0, 0, 0},
		{0.06, 0, 0.5, 0},
		{0.03, 0.03, 0.5, 0},
		{0.2, 0, 1, 0},
		{-0.06, 0, 0, 0.5},
		{-0.06, 0.05, 0, 0.5}, // the risk offsets part of the saving: no deferral, still pulled forward
		{-0.5, 0, 0, 1},
	} {
		f, pull := DirectionalDeferral(c.gain, c.rho, 0.02, 0.10)
		if !near(f, c.f, 1e-12) || !near(pull, c.pull, 1e-12) {
			t.Errorf("gain %v rho %v: f %v pull %v, want %v %v", c.gain, c.rho, f, pull, c.f, c.pull)
		}
	}
	if x := TokenExposureDays(0, 0); x != 0 {
		t.Errorf("indexed, no balance: exposure %v, want 0", x)
	}
	if x := TokenExposureDays(7, 30); x != 22 {
		t.Errorf("7 prepaid days, 30-day repricing: exposure %v, want 22", x)
	}
}

// TestWelfareGridAccuracy compares the day's quality-adjusted cost, which the
// model computes on the price-sensitivity grid (13 nodes, consumers' demand
// split linearly between the two nodes around z_j), with the exact
// per-consumer c*_j = p̄_0 exp((IV_0(b_j) − IV_j)/b_j) computed here consumer
// by consumer from the day's utilities, under the default σ_b = 0.5.
func TestWelfareGridAccuracy(t *testing.T) {
	p := Default()
	p.Consumers.RefHalflifeDays = 0 // references fixed between choices: D_j is recomputable after the day
	spec := RunSpec{Params: p, Schedule: Scenarios()[ScenarioVolatility].Schedule, HorizonDays: 120, Seed: 9}
	s := newSim(t, &spec)
	n := s.nInc
	a0, lp0 := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		pr := &s.provs[i]
		a0[i] = pr.xi + p.Consumers.QualityWeight*pr.q + p.Network.Effect*math.Log(pr.share+p.Network.ShareFloor)
		lp0[i] = math.Log(pr.listPrice)
	}
	u0 := s.llm.u0
	ivBase := func(b float64) float64 {
		sum := math.Exp(u0)
		for i := range a0 {
			sum += math.Exp(a0[i] - b*lp0[i])
		}
		return math.Log(sum)
	}
	worst := 0.0
	for d := 1; d <= spec.HorizonDays; d++ {
		stepDays(t, s, d, d)
		if d%20 != 0 {
			continue
		}
		num, den := 0.0, 0.0
		for j := range s.cons {
			c := &s.cons[j]
			var D float64
			switch {
			case c.k == kOutside:
				D = c.d
			case c.k >= 0:
				D = c.dsc * s.cpn[c.k]
			default:
				continue
			}
			sum := math.Exp(u0 + c.b*s.llm.outDrift) // the outside option's cost falls at δ too
			for _, i := range s.openList {
				sum += math.Exp(s.aNet[i] - c.b*s.lnCost[i] - s.llm.risk)
			}
			num += D * s.llm.pbar0 * math.Exp((ivBase(c.b)-math.Log(sum))/c.b)
			den += D
		}
		exact := num / den
		rel := s.llm.qaDay/exact - 1
		worst = math.Max(worst, math.Abs(rel))
		t.Logf("day %d: qa cost grid %.5f, exact %.5f (%+.3f%%)", d, s.llm.qaDay, exact, 100*rel)
	}
	if worst > 0.01 {
		t.Errorf("grid quality-adjusted cost off the exact one by up to %.2f%%: want ≤ 1%%", 100*worst)
	}
}

// TestElasticityActsUnderIndexing: in v1 `price_elasticity` has no effect
// under daily USD indexing (the reference reset at each choice;
// TestAuditElasticityUnderIndexedPricing). With v2's adaptive references and
// moving list prices it does: the `volatility` scenario under
// `indexed_pricing` with ε = 0 and ε = 1.8 differ in demand. It also logs
// the deferral under indexing and without (the 0.054 vs 0.056 in v1).
func TestElasticityActsUnderIndexing(t *testing.T) {
	run := func(policy string, eps float64, rep int) Summary {
		spec := cellSpec(t, ScenarioVolatility, policy, 400, 365, rep)
		spec.Params.Consumers.PriceElasticity = eps
		var r Runner
		sum, err := r.Run(&spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	a, b := run(PolicyIndexedPricing, 0, 0), run(PolicyIndexedPricing, 1.8, 0)
	if near(a.MeanCostUSDPerMtok, b.MeanCostUSDPerMtok, 1e-6) || near(a.ConsumerWelfareUSD, b.ConsumerWelfareUSD, 1e-6) {
		t.Errorf("ε changes nothing under indexing: cost %v vs %v, welfare %v vs %v", a.MeanCostUSDPerMtok, b.MeanCostUSDPerMtok, a.ConsumerWelfareUSD, b.ConsumerWelfareUSD)
	}
	var dNone, dIdx []float64
	for rep := 0; rep < 10; rep++ {
		dNone = append(dNone, run(PolicyNone, 1.2, rep).DeferredFrac)
		dIdx = append(dIdx, run(PolicyIndexedPricing, 1.2, rep).DeferredFrac)
	}
	t.Logf("volatility, v2 defaults: deferred_frac %.4f without indexing, %.4f with daily indexing (10 replicates)", mean(dNone), mean(dIdx))
	if !(mean(dIdx) < mean(dNone)) {
		t.Errorf("indexing does not lower deferral: %.4f vs %.4f", mean(dIdx), mean(dNone))
	}
}

// TestWelfareWeightsMatchDemand: the welfare weights, kept as aggregates
// updated on moves and smoothed daily (not recomputed from the consumers),
// sum every day to the day's desired Mtok inside plus the outside demand,
// with the default adaptive references, arrivals, exits and the share cap.
func TestWelfareWeightsMatchDemand(t *testing.T) {
	spec := cellSpec(t, ScenarioVolatileCentralized, PolicyAll, 800, 200, 2)
	s := newSim(t, &spec)
	for d := 1; d <= spec.HorizonDays; d++ {
		stepDays(t, s, d, d)
		out := 0.0
		for j := range s.cons {
			if s.cons[j].k == kOutside {
				out += s.cons[j].d
			}
		}
		w := 0.0
		for _, x := range s.llm.wD {
			w += x
		}
		if want := s.day.desired + out; !near(w, want, 1e-9) {
			t.Fatalf("day %d: welfare weights %v Mtok, desired inside + outside %v", d, w, want)
		}
	}
}

// TestReferenceOnSwitch: a consumer whose provider (not repriced) leaves
// and who moves to a provider that has cut its price by 30% since day 0
// uses 0.7^−ε times its base demand under `rescale` (the cut counts, the
// tier gap does not), and (p_old/(0.7 p_new))^ε times under `carry`.
func TestReferenceOnSwitch(t *testing.T) {
	for _, mode := range []string{RefRescale, RefCarry} {
		p := DefaultV1()
		p.Consumers.RefHalflifeDays = 30
		p.Consumers.RefOnSwitch = mode
		p.Consumers.ReviewRate = 0
		spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 5, Seed: 6}
		s := newSim(t, &spec)
		eps := p.Consumers.PriceElasticity
		s.cons = s.cons[:1]
		cj := &s.cons[0]
		cj.k, cj.d, cj.backlog = 0, 10, 0
		p0, p1 := s.provs[0].listPrice, s.provs[1].listPrice
		cj.dsc = 10 * math.Pow(p0, eps) // reference: provider 0's unchanged price
		for i := range s.provs {
			s.provs[i].cost = s.provs[i].listPrice
			s.provs[i].active = i == 1 // provider 0 has left: the consumer must review
		}
		s.provs[1].cost = 0.7 * p1
		s.prepareChoice(1)
		s.day = dayTotals{}
		s.refConsumersDay()
		if cj.k != 1 {
			t.Fatalf("%s: consumer chose %d, want 1", mode, cj.k)
		}
		want := 10 * math.Pow(0.7, -eps)
		if mode == RefCarry {
			want = 10 * math.Pow(p0/(0.7*p1), eps)
		}
		if !near(s.day.desired, want, 1e-12) {
			t.Errorf("%s: desired %v after the switch, want %v", mode, s.day.desired, want)
		}
	}
}
