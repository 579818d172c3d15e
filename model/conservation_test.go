package model

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
)

// cellSpec resolves a built-in scenario × policy on the defaults (v2).
func cellSpec(t testing.TB, scenario, policy string, consumers, days, rep int) RunSpec {
	t.Helper()
	return cellSpecOn(t, Default(), scenario, policy, consumers, days, rep)
}

// cellSpecV1 resolves a built-in scenario × policy on v1's defaults
// (model.version 1: the exogenous price of MODEL-SPEC §2.6).
func cellSpecV1(t testing.TB, scenario, policy string, consumers, days, rep int) RunSpec {
	t.Helper()
	return cellSpecOn(t, DefaultV1(), scenario, policy, consumers, days, rep)
}

func cellSpecOn(t testing.TB, base Params, scenario, policy string, consumers, days, rep int) RunSpec {
	t.Helper()
	sc := Scenarios()[scenario]
	p, err := Resolve(base, sc, Policies()[policy])
	if err != nil {
		t.Fatal(err)
	}
	p.Consumers.Count = consumers
	return RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: days, Seed: 20261121, Replicate: rep}
}

// closeTo compares two ledger totals with a relative tolerance on the scale
// of the flows involved.
func closeTo(t *testing.T, what string, got, want, scale float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(scale, 1) {
		t.Errorf("%s: %v ≠ %v (difference %g, scale %g)", what, got, want, got-want, scale)
	}
}

// dayChecker verifies the per-day conservation properties of MODEL-SPEC §6.1
// on recorded rows: shares of the providers that served sum to 1 and
// 1/K ≤ HHI/10,000 ≤ 1 for K providers with a positive share.
type dayChecker struct {
	t     *testing.T
	label string
	day   int64
	sum   float64
	k     int
	steps []Step
	rows  int
}

func (c *dayChecker) Step(s *Step) {
	c.flush()
	c.steps = append(c.steps, *s)
	c.day = s.Day
}

func (c *dayChecker) ProviderStep(ps *ProviderStep) {
	if ps.Day != c.day {
		c.t.Errorf("%s: provider row of day %d after the step of day %d", c.label, ps.Day, c.day)
	}
	c.sum += ps.Share
	if ps.Share > 0 {
		c.k++
	}
	c.rows++
	if ps.Share < 0 || ps.Share > 1 || math.IsNaN(ps.Share) {
		c.t.Errorf("%s day %d: share %v of %s", c.label, ps.Day, ps.Share, ps.Provider)
	}
}

// flush checks the day just completed (its provider rows follow its step).
func (c *dayChecker) flush() {
	if len(c.steps) == 0 {
		return
	}
	s := c.steps[len(c.steps)-1]
	if s.ServedMtok > 0 && c.rows > 0 {
		if math.Abs(c.sum-1) > 1e-9 {
			c.t.Errorf("%s day %d: shares sum to %v", c.label, s.Day, c.sum)
		}
		h := s.HHI / 1e4
		if h < 1/float64(c.k)-1e-12 || h > 1+1e-12 {
			c.t.Errorf("%s day %d: HHI %v outside [1/%d, 1]", c.label, s.Day, s.HHI, c.k)
		}
	}
	c.sum, c.k, c.rows = 0, 0, 0
}

// checkAudit asserts the stock-flow identities of Audit (MODEL-SPEC §6.1).
func checkAudit(t *testing.T, label string, a Audit, sum Summary) {
	t.Helper()
	s := math.Max(a.SupplyInitialCLT, a.Market.GrossCLT) // rounding scales with the gross flows
	mk := &a.Market                                      // zero under market.mode garch
	closeTo(t, label+": supply = initial + issued − burned + minted − redeemed", a.SupplyFinalCLT,
		a.SupplyInitialCLT+a.IssuedToProvidersCLT+a.IssuedToFundCLT-a.BurnedFeeCLT-a.BurnedBuybackCLT+
			mk.ArbMintedCLT-mk.ArbRedeemedCLT-mk.HoldersRedeemedCLT, s)
	closeTo(t, label+": summary minted", sum.MintedCLT, mk.ArbMintedCLT, s)
	closeTo(t, label+": summary redeemed", sum.RedeemedCLT, mk.ArbRedeemedCLT+mk.HoldersRedeemedCLT, s)
	closeTo(t, label+": summary supply", sum.SupplyFinalCLT, a.SupplyFinalCLT, s)
	closeTo(t, label+": summary issued", sum.IssuedCLT, a.IssuedToProvidersCLT+a.IssuedToFundCLT, s)
	closeTo(t, label+": summary burned", sum.BurnedCLT, a.BurnedFeeCLT+a.BurnedBuybackCLT, s)
	// Consumers' purchases pay for today's usage or raise their prepaid
	// balances (v2 §B.4).
	pay := a.ConsumerBoughtCLT - (a.PrepaidFinalCLT - a.PrepaidInitialCLT)
	closeTo(t, label+": payments = pool + burn + providers", pay, a.PoolFeeCLT+a.BurnedFeeCLT+a.ProviderFeeCLT, pay)
	closeTo(t, label+": provider CLT held", a.ProviderHeldFinalCLT,
		a.ProviderHeldInitialCLT+a.ProviderFeeCLT+a.IssuedToProvidersCLT-a.ProviderSoldCLT, pay)
	closeTo(t, label+": fund CLT", a.FundFinalCLT, a.FundInitialCLT+a.FundBoughtCLT-a.FundSoldCLT+a.IssuedToFundCLT, s)
	closeTo(t, label+": fund USD", a.FundFinalUSD, a.FundInitialUSD-a.FundBuyUSD+a.FundSellUSD, a.FundInitialUSD+a.FundBuyUSD+a.FundSellUSD)
	closeTo(t, label+": pool USD", a.PoolFinalUSD, a.PoolInitialUSD+a.PoolFeeUSD-a.PoolBuybackUSD-a.PoolGrantsUSD, a.PoolFeeUSD+a.PoolInitialUSD)
	closeTo(t, label+": grants paid = received", a.ProviderGrantsUSD, a.PoolGrantsUSD, a.PoolInitialUSD)
	// Scale of the USD flows: rounding scales with the gross flows (consumers
	// may buy nothing in a run when they leave the token system or draw down
	// prepaid balances, v2 §B).
	usd := math.Max(a.ConsumerSpentUSD+a.ProviderSalesUSD+a.ProviderCostUSD, a.Market.GrossUSD)
	// Futures P&L (MODEL-SPEC-v2 §C.2) is paid through cash at once and
	// recognized in revenue as the hedged CLT is sold (hedge accounting).
	closeTo(t, label+": provider revenue = sales − hedging cost + recognized futures P&L", a.ProviderRevenueUSD,
		a.ProviderSalesUSD-a.HedgeCostUSD+a.HedgePnLUSD-a.HedgeDeferredUSD, usd+math.Abs(a.HedgePnLUSD))
	closeTo(t, label+": provider cash", a.ProviderCashFinalUSD,
		a.ProviderCashInjectedUSD+a.ProviderRevenueUSD-a.ProviderCostUSD+a.ProviderGrantsUSD-a.ProviderGrantsInvestedUSD+a.HedgeDeferredUSD,
		usd+math.Abs(a.HedgePnLUSD))
	if sum.HedgePnLUSD != nil {
		closeTo(t, label+": summary hedge P&L", *sum.HedgePnLUSD, a.HedgePnLUSD, usd)
	} else if a.HedgePnLUSD != 0 {
		t.Errorf("%s: hedge_pnl_usd null with a futures P&L of %v", label, a.HedgePnLUSD)
	}
	closeTo(t, label+": summary profit", sum.ProviderProfitUSD, a.ProviderRevenueUSD-a.ProviderCostUSD, usd)
	closeTo(t, label+": market flow", a.NetFlowUSD,
		a.ConsumerSpentUSD-a.PoolFeeUSD+a.PoolBuybackUSD-a.ProviderSalesUSD+a.FundBuyUSD-a.FundSellUSD, usd)
	// The outside market's CLT: O = S − provider lots − fund CLT − prepaid balances.
	o0 := a.SupplyInitialCLT - a.ProviderHeldInitialCLT - a.FundInitialCLT - a.PrepaidInitialCLT
	o1 := a.SupplyFinalCLT - a.ProviderHeldFinalCLT - a.FundFinalCLT - a.PrepaidFinalCLT
	closeTo(t, label+": outside market CLT", o1-o0,
		-a.ConsumerBoughtCLT+a.PoolFeeCLT-a.BurnedBuybackCLT+a.ProviderSoldCLT-a.FundBoughtCLT+a.FundSoldCLT+
			mk.ArbMintedCLT-mk.ArbRedeemedCLT-mk.HoldersRedeemedCLT, s)
	// USD: what consumers spent ends with the pool, providers, fund, the
	// outside market (which receives the net buy flow Σ Flow_t) or leaves as
	// costs and hedging fees.
	// Futures P&L comes from an outside counterparty; grants spent on quality
	// or cost leave the system like costs (MODEL-SPEC-v2 §C).
	in := a.ConsumerSpentUSD + a.PoolInitialUSD + a.ProviderCashInjectedUSD + a.FundInitialUSD + a.HedgePnLUSD
	out := a.PoolFinalUSD + a.ProviderCashFinalUSD + a.FundFinalUSD + a.ProviderCostUSD + a.HedgeCostUSD + a.NetFlowUSD +
		a.ProviderGrantsInvestedUSD
	closeTo(t, label+": USD balance", out, in, math.Max(math.Abs(in), usd)+math.Abs(a.HedgePnLUSD))
	// Mtok (v2 §B): demand inside the token system is served, deferred or
	// abandoned; what the outside option serves is counted apart.
	mt := a.DesiredMtok + a.OutsideMtok
	closeTo(t, label+": served = desired − deferred + released", a.ServedMtok, a.DesiredMtok-a.DeferredMtok+a.ReleasedMtok, mt)
	closeTo(t, label+": backlog = deferred − released − abandoned", a.BacklogFinalMtok, a.DeferredMtok-a.ReleasedMtok-a.AbandonedMtok, mt)
	if a.PrepaidFinalCLT < -1e-6 || a.OutsideMtok < 0 || a.BacklogFinalMtok < -1e-6 {
		t.Errorf("%s: negative stock: prepaid %v CLT, outside %v Mtok, backlog %v Mtok", label, a.PrepaidFinalCLT, a.OutsideMtok, a.BacklogFinalMtok)
	}
	if a.ProviderHeldFinalCLT < -1e-6 || a.FundFinalCLT < -1e-6 || a.FundFinalUSD < -1e-6 {
		t.Errorf("%s: negative stock: held %v fund %v CLT %v USD", label, a.ProviderHeldFinalCLT, a.FundFinalCLT, a.FundFinalUSD)
	}
	if mk.PoolInitialUSD > 0 {
		checkMarketAudit(t, label, a, sum)
	}
}

// engineVariants are the model versions and engines the ledger is checked
// on: v1 (reference engine), v2 with its event engine, v2 with the
// reference engine.
var engineVariants = []struct {
	v      int
	engine string
}{{ModelV1, EngineReference}, {ModelV2, EngineEvent}, {ModelV2, EngineReference}}

// TestConservation runs every scenario × policy and checks the ledger and the
// per-day share and HHI properties (MODEL-SPEC §6.1).
func TestConservation(t *testing.T) {
	consumers, days := 2000, 365
	if testing.Short() {
		consumers = 500
	}
	var r Runner
	for _, vc := range engineVariants {
		v := vc.v
		for _, sc := range ScenarioNames() {
			for _, pol := range PolicyNames() {
				label := fmt.Sprintf("v%d/%s/%s/%s", v, vc.engine, sc, pol)
				base, _ := DefaultFor(v)
				base.Model.Engine = vc.engine
				spec := cellSpecOn(t, base, sc, pol, consumers, days, 1)
				spec.RecordEveryDays, spec.ProviderSteps = 1, true
				c := &dayChecker{t: t, label: label}
				sum, err := r.Run(&spec, c)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				c.flush()
				if len(c.steps) != days {
					t.Errorf("%s: %d days recorded", label, len(c.steps))
				}
				checkAudit(t, label, r.Audit(), sum)
			}
		}
	}
}

// TestConservationWithExitsAndHalts stresses the ledger with forced exits,
// entries, halts, fund depletion and governance in one run per model
// version; under v2 also an impairment, redemption halts and a backstop.
func TestConservationWithExitsAndHalts(t *testing.T) {
	for _, vc := range engineVariants {
		v := vc.v
		base, _ := DefaultFor(v)
		base.Model.Engine = vc.engine
		spec := cellSpecOn(t, base, ScenarioVolatileCentralized, PolicyAllGoverned, 500, 365, 2)
		p := &spec.Params
		p.Providers.RunwayDays = 5
		p.Entry.RatePerYear = 20
		p.CircuitBreaker.Threshold = 0.03
		p.Fund.ReserveUSD, p.Fund.ReserveCLT = 2e8, 2e8
		p.Providers.HedgeRatio = 0.3
		if v == ModelV2 {
			// The peg holds the price within a fraction of a percent: a
			// tighter breaker and fund band, and a reserve crisis.
			p.CircuitBreaker.Threshold = 0.004
			p.Fund.Band = 0.001
			p.Fund.ReserveUSD, p.Fund.ReserveCLT = 2e7, 2e7
			spec.Schedule.ReserveEvents = ReserveEvents{
				Impairments:     []Impairment{{Day: 100, Fraction: 0.1, HiddenDays: 2}},
				RedemptionHalts: []DaySpan{{FromDay: 100, ToDay: 102}},
				BackstopDays:    []int{110},
			}
		}
		label := fmt.Sprintf("stress v%d %s", v, base.Model.Engine)
		var r Runner
		spec.RecordEveryDays, spec.ProviderSteps = 1, true
		c := &dayChecker{t: t, label: label}
		sum, err := r.Run(&spec, c)
		if err != nil {
			t.Fatal(err)
		}
		c.flush()
		if sum.Exits == 0 || sum.Entries == 0 || orV1(sum.Halts, 0) == 0 || orV1(sum.FundDepletedDay, -1) < 0 {
			t.Fatalf("%s did not exercise exits %d entries %d halts %d depletion %d",
				label, sum.Exits, sum.Entries, orV1(sum.Halts, 0), orV1(sum.FundDepletedDay, -1))
		}
		if v == ModelV2 && (sum.RedeemedCLT == 0 || sum.MintedCLT == 0 || sum.RunDays == 0 || orV1(sum.HaltUnsoldCLT, 0) == 0) {
			t.Fatalf("%s did not exercise redemptions %v, mints %v, runs %d, halted lots %v",
				label, sum.RedeemedCLT, sum.MintedCLT, sum.RunDays, orV1(sum.HaltUnsoldCLT, 0))
		}
		checkAudit(t, label, r.Audit(), sum)
	}
}

func recordAll(t *testing.T, r *Runner, spec RunSpec) (Summary, *memRec) {
	t.Helper()
	rec := &memRec{}
	spec.RecordEveryDays, spec.ProviderSteps = 1, true
	sum, err := r.Run(&spec, rec)
	if err != nil {
		t.Fatal(err)
	}
	return sum, rec
}

// TestDeterminism: the same spec gives identical summaries and day rows; a
// reused Runner (after runs of other sizes and shapes) gives the same result
// as a fresh one (MODEL-SPEC §3, §6.6).
func TestDeterminism(t *testing.T) {
	spec := cellSpec(t, ScenarioVolatility, PolicyAll, 800, 200, 3)
	spec.Params.Entry.RatePerYear = 20
	var fresh Runner
	sum1, rec1 := recordAll(t, &fresh, spec)

	var reused Runner
	other := cellSpec(t, ScenarioCentralization, PolicyAllGoverned, 3000, 365, 9)
	other.Params.Providers.HoldDays = 7
	small := cellSpec(t, ScenarioBaseline, PolicyNone, 50, 30, 0)
	small.Params.Providers.Table = []ProviderSpec{
		{Name: "frontier_a", ListPriceUSDPerMtok: 6, Quality: 0.9, InitialShare: 0.5},
		{Name: "budget", ListPriceUSDPerMtok: 0.5, Quality: 0.8, InitialShare: 0.5},
	}
	for _, s := range []RunSpec{other, small, spec, other} {
		recordAll(t, &reused, s)
	}
	sum2, rec2 := recordAll(t, &reused, spec)
	if !reflect.DeepEqual(sum1, sum2) {
		t.Errorf("summaries differ:\n%+v\n%+v", sum1, sum2)
	}
	if !reflect.DeepEqual(rec1.steps, rec2.steps) || !reflect.DeepEqual(rec1.prov, rec2.prov) {
		t.Errorf("day rows differ between a fresh and a reused Runner")
	}
	sum3, err := Run(&spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum1, sum3) {
		t.Errorf("recording changed the summary")
	}
	// A different replicate differs.
	spec.Replicate++
	if sum4, _ := Run(&spec, nil); sum4.PriceFinal == sum1.PriceFinal {
		t.Errorf("replicates 3 and 4 have the same final price %v", sum4.PriceFinal)
	}
}

// TestCommonRandomNumbers: policies that leave the market and the consumers'
// world untouched reproduce the same price path exactly; one that changes the
// flows keeps the same innovations (identical sigma path).
func TestCommonRandomNumbers(t *testing.T) {
	var r Runner
	_, none := recordAll(t, &r, cellSpec(t, ScenarioVolatility, PolicyNone, 300, 200, 5))
	_, fund := recordAll(t, &r, cellSpec(t, ScenarioVolatility, PolicyFund, 300, 200, 5))
	same := 0
	for i := range none.steps {
		if none.steps[i].Sigma != fund.steps[i].Sigma {
			t.Fatalf("day %d: GARCH sigma differs under fund (%v vs %v): innovations not common", i+1, none.steps[i].Sigma, fund.steps[i].Sigma)
		}
		if none.steps[i].DesiredMtok == fund.steps[i].DesiredMtok {
			same++
		}
	}
	if same == len(none.steps) {
		t.Errorf("the fund changed nothing in the consumers' world")
	}
}

// TestSummaryMatchesDays recomputes the streaming summary from the recorded
// days (MODEL-SPEC §4.2 from §4.1).
func TestSummaryMatchesDays(t *testing.T) {
	for _, pol := range []string{PolicyNone, PolicyAll} {
		spec := cellSpec(t, ScenarioVolatileCentralized, pol, 600, 365, 4)
		var r Runner
		sum, rec := recordAll(t, &r, spec)
		st := rec.steps
		T := float64(len(st))
		var rets, revs, costChg []float64
		pegAbs, outside, hhiSum, served, desired := 0.0, 0, 0.0, 0.0, 0.0
		peak, dd := spec.Params.Market.Peg, 0.0
		a1800 := 0
		prevCost := 0.0
		for _, s := range st {
			rets = append(rets, s.LogReturn)
			revs = append(revs, s.RevenueUSD)
			pegAbs += math.Abs(s.Price - 1)
			if !s.InBand {
				outside++
			}
			hhiSum += s.HHI
			if s.HHI > 1800 {
				a1800++
			}
			served += s.ServedMtok
			desired += s.DesiredMtok
			peak = math.Max(peak, s.Price)
			dd = math.Max(dd, 1-s.Price/peak)
			if prevCost > 0 {
				costChg = append(costChg, math.Log(s.CostUSDPerMtok/prevCost))
			}
			prevCost = s.CostUSDPerMtok
		}
		last := st[len(st)-1]
		// recovery_days: from the last day (92) of the largest shock (−20% from day 90).
		recovery, depleted := -1, -1
		for _, s := range st {
			if recovery < 0 && s.Day >= 92 && s.InBand {
				recovery = int(s.Day) - 92
			}
			if depleted < 0 && pol != PolicyNone && (s.FundReserveUSD < 0.01*spec.Params.Fund.ReserveUSD ||
				s.FundReserveCLT < 0.01*spec.Params.Fund.ReserveCLT) {
				depleted = int(s.Day)
			}
		}
		checks := []struct {
			name      string
			got, want float64
		}{
			{"realized_vol_annual", sum.RealizedVolAnnual, sdN1(rets) * math.Sqrt(365)},
			{"peg_mad", sum.PegMAD, pegAbs / T},
			{"days_outside_band_frac", sum.DaysOutsideBandFrac, float64(outside) / T},
			{"hhi_mean", sum.HHIMean, hhiSum / T},
			{"hhi_final", sum.HHIFinal, last.HHI},
			{"entropy_final", sum.EntropyFinal, last.Entropy},
			{"top_share_final", sum.TopShareFinal, last.TopShare},
			{"n_active_final", float64(sum.NActiveFinal), float64(last.NActive)},
			{"nakamoto_final", float64(sum.NakamotoFinal), float64(last.Nakamoto)},
			{"days_hhi_above_1800", float64(sum.DaysHHIAbove1800), float64(a1800)},
			{"max_drawdown", sum.MaxDrawdown, dd},
			{"satisfaction", sum.Satisfaction, math.Min(1, served/desired)},
			{"price_final", sum.PriceFinal, last.Price},
			{"supply_final_clt", sum.SupplyFinalCLT, last.SupplyCLT},
			{"revenue_cv", sum.RevenueCV, sdN1(revs) / mean(revs)},
			{"cost_volatility", sum.CostVolatility, sdN1(costChg)},
			{"recovery_days", float64(orV1(sum.RecoveryDays, -1)), float64(recovery)},
			{"fund_depleted_day", float64(orV1(sum.FundDepletedDay, -1)), float64(depleted)},
		}
		for _, c := range checks {
			if !near(c.got, c.want, 1e-9) {
				t.Errorf("%s: %s = %v, recomputed from the days %v", pol, c.name, c.got, c.want)
			}
		}
		// Final concentration from the last day's provider rows.
		var shares []float64
		for _, r := range rec.prov {
			if r.Day == last.Day {
				shares = append(shares, r.Share)
			}
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(shares)))
		cr4 := 0.0
		for i := 0; i < 4 && i < len(shares); i++ {
			cr4 += shares[i]
		}
		if !near(sum.CR4Final, cr4, 1e-12) || !near(sum.EffectiveNFinal, 1e4/last.HHI, 1e-9) {
			t.Errorf("%s: cr4 %v (want %v), effective_n %v (want %v)", pol, sum.CR4Final, cr4, sum.EffectiveNFinal, 1e4/last.HHI)
		}
		if sum.LeaderProfitShare != nil && sum.ProviderProfitUSD <= 0 {
			t.Errorf("%s: leader_profit_share set with total profit %v", pol, sum.ProviderProfitUSD)
		}
		if sum.ConsumerDays < int64(spec.Params.Consumers.Count)*int64(len(st)) {
			t.Errorf("%s: consumer_days %d below count × days", pol, sum.ConsumerDays)
		}
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func sdN1(x []float64) float64 {
	m := mean(x)
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// TestLeaderProfitShareNull: when total provider profit is ≤ 0 the share is
// nil (Parquet null), never NaN or Inf.
func TestLeaderProfitShareNull(t *testing.T) {
	spec := cellSpec(t, ScenarioBaseline, PolicyNone, 200, 30, 0)
	spec.Params.Providers.FixedCostRatio = 5 // every provider loses money
	spec.Params.Providers.RunwayDays = 1000
	sum, err := Run(&spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ProviderProfitUSD > 0 || sum.LeaderProfitShare != nil {
		t.Errorf("profit %v, leader_profit_share %v; want ≤ 0 and nil", sum.ProviderProfitUSD, sum.LeaderProfitShare)
	}
}

// TestDayLoopAllocatesNothing: on a warmed Runner the number of allocations
// of a run does not depend on the number of days or consumers (the day loop
// allocates nothing), and a run allocates at most one object beyond
// Params.Validate (the *float64 of leader_profit_share).
func TestDayLoopAllocatesNothing(t *testing.T) {
	var r Runner
	measure := func(consumers, days int) float64 {
		spec := cellSpec(t, ScenarioVolatileCentralized, PolicyAllGoverned, consumers, days, 1)
		if _, err := r.Run(&spec, nil); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(3, func() {
			if _, err := r.Run(&spec, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	base := measure(500, 30)
	for _, c := range []struct{ consumers, days int }{{500, 365}, {2000, 365}} {
		if got := measure(c.consumers, c.days); got != base {
			t.Errorf("%d consumers × %d days: %v allocations per run, %v at 500 × 30: the day loop allocates", c.consumers, c.days, got, base)
		}
	}
	p := Default()
	validate := testing.AllocsPerRun(3, func() { _ = p.Validate(); _ = ValidateSchedule(Scenarios()[ScenarioVolatility].Schedule, &p) })
	if base > validate+1 {
		t.Errorf("a run allocates %v objects, Validate alone %v: want at most one more", base, validate)
	}
}

func ExampleRunner_Audit() {
	sc := Scenarios()[ScenarioBaseline]
	p := Default()
	p.Consumers.Count = 200
	spec := RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: 30, Seed: 1}
	var r Runner
	sum, err := r.Run(&spec, nil)
	if err != nil {
		panic(err)
	}
	a := r.Audit()
	drift := a.SupplyFinalCLT - (a.SupplyInitialCLT + a.IssuedCLT - a.BurnedCLT + a.Market.ArbMintedCLT - a.Market.ArbRedeemedCLT - a.Market.HoldersRedeemedCLT)
	fmt.Println("supply identity holds:", math.Abs(drift) < 1e-6*a.SupplyInitialCLT)
	fmt.Println("summary agrees:", sum.SupplyFinalCLT == a.SupplyFinalCLT)
	// Output:
	// supply identity holds: true
	// summary agrees: true
}
