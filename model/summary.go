package model

import (
	"fmt"
	"math"
)

// Audit is the stock-and-flow ledger of one run (MODEL-SPEC §6.1), returned by
// Runner.Audit for the last completed run. Everything is cumulative over days
// 1..T. CLT amounts in CLT, money in USD. The actors are consumers (who buy
// the CLT they pay with on the market), providers (CLT lots held, USD cash),
// the stabilization fund, the grant pool and the outside market (every other
// CLT holder). With O = S − held − fund CLT the outside market's CLT, these
// identities hold up to rounding:
//
//	SupplyFinalCLT = SupplyInitialCLT + IssuedToProvidersCLT + IssuedToFundCLT − BurnedFeeCLT − BurnedBuybackCLT
//	ConsumerBoughtCLT = PoolFeeCLT + BurnedFeeCLT + ProviderFeeCLT
//	ProviderHeldFinalCLT = ProviderHeldInitialCLT + ProviderFeeCLT + IssuedToProvidersCLT − ProviderSoldCLT
//	FundFinalCLT = FundInitialCLT + FundBoughtCLT − FundSoldCLT + IssuedToFundCLT
//	FundFinalUSD = FundInitialUSD − FundBuyUSD + FundSellUSD
//	PoolFinalUSD = PoolInitialUSD + PoolFeeUSD − PoolBuybackUSD − PoolGrantsUSD
//	ProviderCashFinalUSD = ProviderCashInjectedUSD + ProviderRevenueUSD − ProviderCostUSD + ProviderGrantsUSD
//	ProviderRevenueUSD = ProviderSalesUSD − HedgeCostUSD;  ProviderGrantsUSD = PoolGrantsUSD
//	NetFlowUSD = ConsumerSpentUSD − PoolFeeUSD + PoolBuybackUSD − ProviderSalesUSD + FundBuyUSD − FundSellUSD
//	ΔO = −ConsumerBoughtCLT + PoolFeeCLT − BurnedBuybackCLT + ProviderSoldCLT − FundBoughtCLT + FundSoldCLT
type Audit struct {
	SupplyInitialCLT, SupplyFinalCLT          float64
	IssuedToProvidersCLT, IssuedToFundCLT     float64
	BurnedFeeCLT, BurnedBuybackCLT            float64
	ConsumerBoughtCLT, ConsumerSpentUSD       float64
	PoolFeeCLT, PoolFeeUSD                    float64 // fee CLT to the pool and the USD of its sale
	PoolBuybackUSD, PoolGrantsUSD             float64
	PoolInitialUSD, PoolFinalUSD              float64
	ProviderFeeCLT                            float64 // providers' part of payments
	ProviderHeldInitialCLT                    float64 // warm-start lots
	ProviderHeldFinalCLT                      float64 // lots, overdue and hedged CLT not yet sold
	ProviderSoldCLT, ProviderSalesUSD         float64 // sales at P_t−1, gross of hedging cost
	HedgeCostUSD                              float64
	ProviderRevenueUSD, ProviderCostUSD       float64
	ProviderGrantsUSD                         float64
	ProviderCashInjectedUSD                   float64 // initial cash of incumbents and entrants
	ProviderCashFinalUSD                      float64
	FundInitialUSD, FundInitialCLT            float64
	FundFinalUSD, FundFinalCLT                float64
	FundBuyUSD, FundSellUSD                   float64
	FundBoughtCLT, FundSoldCLT                float64
	NetFlowUSD                                float64 // Σ_t Flow_t
	IssuedCLT, BurnedCLT, SupplyChangeCLT     float64 // totals: issued, burned, S_T − S_0
	HaltedDays, ProvidersEver, ProvidersFinal int
	// Market is the v2 token market's ledger (MODEL-SPEC-v2 §A; zero under market.mode garch).
	Market MarketAudit

	// MODEL-SPEC-v2 §B (llm_welfare.go): consumers' prepaid CLT balances
	// (bought from and counted outside O), and the Mtok ledger of demand,
	// with the outside channel. With them:
	//   ConsumerBoughtCLT − (PrepaidFinalCLT − PrepaidInitialCLT) = PoolFeeCLT + BurnedFeeCLT + ProviderFeeCLT
	//   O = S − held − fund CLT − prepaid CLT
	//   ServedMtok = DesiredMtok − DeferredMtok + ReleasedMtok;  BacklogFinalMtok = DeferredMtok − ReleasedMtok − AbandonedMtok
	//   ServedMtok = Σ providers' volumes; OutsideMtok = volume served outside the token system
	PrepaidInitialCLT, PrepaidFinalCLT    float64
	PrepaidGainUSD                        float64 // Σ_t balance × (P_t − P_t−1): consumers' gain on balances
	DesiredMtok, ServedMtok, DeferredMtok float64
	ReleasedMtok, AbandonedMtok           float64
	BacklogFinalMtok, OutsideMtok         float64

	// MODEL-SPEC-v2 §C (levers.go): grants spent on quality or marginal cost
	// instead of cash (they leave the providers' cash), and the futures
	// hedges' P&L (paid to or from an outside counterparty; part of revenue).
	ProviderGrantsInvestedUSD float64
	HedgePnLUSD               float64
	HedgeDeferredUSD          float64 // futures P&L paid in cash, not yet recognized in revenue (final)
}

// welford accumulates a sample mean and variance (Welford 1962).
type welford struct {
	n        int
	mean, m2 float64
}

func (w *welford) add(x float64) {
	w.n++
	d := x - w.mean
	w.mean += d / float64(w.n)
	w.m2 += d * (x - w.mean)
}

// sd returns the sample standard deviation (n−1); 0 with fewer than 2 values.
func (w *welford) sd() float64 {
	if w.n < 2 {
		return 0
	}
	return math.Sqrt(w.m2 / float64(w.n-1))
}

// accum holds the streaming summary of a run.
type accum struct {
	ret, rev, costChg                 welford
	peak, maxDD, pegAbs               float64
	outside                           int
	fundDepletedDay, recoveryDay      int
	hhi0, hhiSum                      float64
	above1800, above2500              int
	served, desired, deferred         float64
	costServed, costPrev              float64
	consumerCLT, supplySum            float64
	consumerDays                      int64
	capBlockedDays, grantsBlockedDays int
	exits, entries                    int
	hhiFinal, entFinal, topFinal      float64
	effNFinal, cr4Final               float64
	nakFinal, nActiveFinal            int
	leaderShareFinal                  float64
	haltedDays                        int
}

// summary completes the run: the §4.2 row and the audit's final stocks.
func (s *sim) summary() (Summary, error) {
	a := &s.acc
	T := float64(s.T)
	pT := s.price[s.T]
	sum := Summary{
		RealizedVolAnnual:   a.ret.sd() * math.Sqrt(365),
		MaxDrawdown:         a.maxDD,
		PegMAD:              a.pegAbs / T,
		DaysOutsideBandFrac: float64(a.outside) / T,
		PriceFinal:          pT,

		HHIFinal:         a.hhiFinal,
		HHIMean:          a.hhiSum / T,
		HHIDeltaFinal:    a.hhiFinal - a.hhi0,
		EntropyFinal:     a.entFinal,
		EffectiveNFinal:  a.effNFinal,
		NActiveFinal:     int32(a.nActiveFinal),
		TopShareFinal:    a.topFinal,
		CR4Final:         a.cr4Final,
		NakamotoFinal:    int32(a.nakFinal),
		Exits:            int32(a.exits),
		Entries:          int32(a.entries),
		DaysHHIAbove1800: int32(a.above1800),
		DaysHHIAbove2500: int32(a.above2500),
		LeaderShareFinal: a.leaderShareFinal,

		SupplyFinalCLT: s.supply,
		BurnedCLT:      s.aud.BurnedFeeCLT + s.aud.BurnedBuybackCLT,
		IssuedCLT:      s.aud.IssuedToProvidersCLT + s.aud.IssuedToFundCLT,

		ConsumerDays: a.consumerDays,
	}
	box := s.leverMetrics(&sum, pT)
	total, profitable := 0.0, 0
	for i := range s.provs {
		pr := &s.provs[i]
		pi := pr.revCum - pr.costCum
		total += pi
		if pi > 0 {
			profitable++
		}
	}
	sum.ProviderProfitUSD = total
	sum.ProfitableFrac = float64(profitable) / float64(len(s.provs))
	if total > 0 {
		box.leaderProfitShare = (s.provs[s.leader].revCum - s.provs[s.leader].costCum) / total
		sum.LeaderProfitShare = &box.leaderProfitShare
	}
	if a.rev.mean > 0 {
		sum.RevenueCV = a.rev.sd() / a.rev.mean
	}
	sum.Satisfaction = 1
	if a.desired > 0 {
		sum.Satisfaction = min(1, a.served/a.desired) // served ≤ desired up to rounding
		sum.DeferredFrac = a.deferred / a.desired
	}
	if a.served > 0 {
		sum.MeanCostUSDPerMtok = a.costServed / a.served
	}
	sum.CostVolatility = a.costChg.sd()
	if a.supplySum > 0 {
		sum.Velocity = a.consumerCLT * 365 / T / (a.supplySum / T)
	}

	// Audit: final stocks.
	au := &s.aud
	au.SupplyFinalCLT = s.supply
	au.PoolFinalUSD = s.pool
	au.FundFinalUSD, au.FundFinalCLT = s.fundUSD, s.fundCLT
	held, cash := 0.0, 0.0
	nFinal := 0
	for i := range s.provs {
		pr := &s.provs[i]
		held += pr.overdue + pr.hedgeWait
		for x := 0; x < s.nSlot; x++ {
			held += s.lots[i*s.nSlot+x]
		}
		cash += pr.cash
		if pr.active {
			nFinal++
		}
	}
	au.ProviderHeldFinalCLT = held
	au.HedgeDeferredUSD = s.hedgeDeferred()
	au.ProviderCashFinalUSD = cash
	au.IssuedCLT = sum.IssuedCLT
	au.BurnedCLT = sum.BurnedCLT
	au.SupplyChangeCLT = s.supply - au.SupplyInitialCLT
	au.ProvidersEver, au.ProvidersFinal = len(s.provs), nFinal
	au.HaltedDays = a.haltedDays
	if err := s.llmSummary(&sum); err != nil { // v2 §B.5 (llm_welfare.go)
		return Summary{}, err
	}

	s.marketSummary(&sum)
	s.leverSummary(&sum, box)
	if err := summaryFinite(&sum); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// summaryFinite guards the row against NaN or Inf (§4.2: never write NaN).
func summaryFinite(sum *Summary) error {
	vals := [...]struct {
		name string
		v    float64
	}{
		{"realized_vol_annual", sum.RealizedVolAnnual}, {"max_drawdown", sum.MaxDrawdown},
		{"peg_mad", sum.PegMAD}, {"price_final", sum.PriceFinal}, {"hhi_mean", sum.HHIMean},
		{"provider_profit_usd", sum.ProviderProfitUSD}, {"revenue_cv", sum.RevenueCV},
		{"satisfaction", sum.Satisfaction},
		{"mean_cost_usd_per_mtok", sum.MeanCostUSDPerMtok}, {"cost_volatility", sum.CostVolatility},
		{"supply_final_clt", sum.SupplyFinalCLT}, {"velocity", sum.Velocity},
	}
	for _, x := range vals {
		if !isFinite(x.v) {
			return fmt.Errorf("%w: summary: %s = %v", ErrNonFinite, x.name, x.v)
		}
	}
	for _, x := range [...]struct {
		name string
		v    *float64
	}{{"leader_profit_share", sum.LeaderProfitShare}, {"fund_pnl_usd", sum.FundPnLUSD}} {
		if x.v != nil && !isFinite(*x.v) {
			return fmt.Errorf("%w: summary: %s = %v", ErrNonFinite, x.name, *x.v)
		}
	}
	return nil
}
