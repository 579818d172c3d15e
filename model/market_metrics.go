package model

import (
	"fmt"
	"math"
)

// marketMetricsDay feeds the market metrics of day t (MODEL-SPEC-v2 §D) and
// ends the run when a market state variable is not finite or a stock that
// cannot be negative is.
func (s *sim) marketMetricsDay(t int) error {
	m := &s.mkt
	d := &s.day
	peg := s.p.Market.Peg
	m.depegMax = max(m.depegMax, math.Abs(s.price[t]/peg-1))
	if d.halted {
		// Providers' CLT that could not be sold today (lots due, overdue
		// lots and hedged receipts): halt_unsold_clt sums it over halted days.
		for i := range s.provs {
			m.haltUnsold += s.provs[i].overdue + s.provs[i].hedgeWait
		}
	}
	if !m.amm {
		return nil
	}
	if m.reserveOn {
		m.betaMin = min(m.betaMin, m.beta)
	}
	vals := [...]struct {
		name string
		v    float64
	}{
		{"pool_clt", m.pool.x}, {"pool_usd", m.pool.y}, {"holders_clt", m.holders},
		{"reserve_assets", m.assets}, {"sister_price", m.sisterP}, {"backing_ratio", m.beta},
		{"run_frac", m.runFrac}, {"queue_clt", m.queue},
	}
	for _, x := range vals {
		if !isFinite(x.v) {
			return fmt.Errorf("%w: day %d: %s = %v", ErrNonFinite, t, x.name, x.v)
		}
	}
	if !(m.pool.x > 0 && m.pool.y > 0) {
		return fmt.Errorf("%w: day %d: AMM pool reserves %v CLT, %v USD: must be > 0", ErrNonFinite, t, m.pool.x, m.pool.y)
	}
	return nil
}

// marketStep fills the market columns of a steps row (MODEL-SPEC-v2 §D).
func (s *sim) marketStep(st *Step) {
	m := &s.mkt
	if !m.amm {
		return
	}
	st.PoolUSD, st.PoolCLT = m.pool.y, m.pool.x
	st.BackingRatio, st.RunFrac = m.beta, m.runFrac
}

// marketSummary completes the market columns of the runs row and the
// market ledger of the audit (MODEL-SPEC-v2 §D).
func (s *sim) marketSummary(sum *Summary) {
	m := &s.mkt
	sum.DepegMax = m.depegMax // halt_unsold_clt: leverMetrics (nulls.go)
	if !m.amm {
		return
	}
	if m.reserveOn {
		sum.BackingRatioMin = m.betaMin
	}
	sum.RedeemedCLT = m.redeemedCLT
	sum.MintedCLT = m.mintedCLT
	sum.RunDays = int32(m.runDays)
	sum.PoolLiquidityUSDFinal = m.pool.y
	sum.MarketClampDays = int32(m.clampDays)
	a := &s.aud.Market
	a.PoolFinalCLT, a.PoolFinalUSD = m.pool.x, m.pool.y
	a.HoldersFinalCLT, a.HoldersSoldCLT, a.HoldersUSD = m.holders, m.holdersSold, m.holdersUSD
	a.HoldersRedeemedCLT, a.HoldersRedeemUSD = m.holdersRedeemed, m.holdersRedeemUSD
	a.ParticipantsNetCLT = m.partNetCLT
	a.QueueCLT = m.queue
	a.TradeCLT, a.TradeUSD = m.tradeCLT, m.tradeUSD
	a.ArbPnLUSD = m.arbPnLUSD
	a.LPOutCLT, a.LPOutUSD = m.lpOutCLT, m.lpOutUSD
	a.ReserveFinalUnits = m.assets
	a.BoughtUnits, a.PaidUnits, a.ImpairedUnits, a.BackstopUnits = m.boughtU, m.paidU, m.impairedU, m.backstopU
	a.BackstopUSD, a.ImpairedUSD = m.backstopUSD, m.impairedUSD
	a.SisterPriceFinal = m.sisterP
	a.GrossCLT, a.GrossUSD = m.grossCLT, m.grossUSD
}

// marketMetrics are the token-market metrics of MODEL-SPEC-v2 §D.
var marketMetrics = []Metric{
	{Name: "backing_ratio_min", Table: TableRuns, Family: FamilyStability, Unit: "ratio", Label: "Lowest backing ratio", Description: "Minimum over days of β_t = reserve assets (USD) / (supply × peg) (MODEL-SPEC-v2 §A.1); 0 without a reserve (reserve.mode none) or under market.mode garch.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 2},
	{Name: "redeemed_clt", Table: TableRuns, Family: FamilyToken, Unit: "CLT", Label: "Tokens redeemed at the reserve", Description: "CLT redeemed at the primary market by arbitrageurs over the horizon (MODEL-SPEC-v2 §A.1).", Lo: 0, Hi: infHi, Better: Neutral, Version: 2},
	{Name: "minted_clt", Table: TableRuns, Family: FamilyToken, Unit: "CLT", Label: "Tokens minted at the reserve", Description: "CLT minted at the primary market by arbitrageurs over the horizon (MODEL-SPEC-v2 §A.1).", Lo: 0, Hi: infHi, Better: Neutral, Version: 2},
	{Name: "run_days", Table: TableRuns, Family: FamilyStability, Unit: "days", Label: "Days with a run on the token", Description: "Days on which the holders' run fraction r_t exceeds 1% of holdings (MODEL-SPEC-v2 §A.2, §D).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, Version: 2},
	{Name: "depeg_max", Table: TableRuns, Family: FamilyStability, Unit: "fraction", Label: "Largest departure from the peg", Description: "Maximum over days of |P_t/peg − 1| (MODEL-SPEC-v2 §D).", Lo: 0, Hi: infHi, Better: LowerIsBetter, HeavyTailed: true, Version: 2},
	{Name: "pool_liquidity_usd_final", Table: TableRuns, Family: FamilyStability, Unit: "USD", Label: "Pool liquidity at the end", Description: "USD reserve Y_T of the AMM pool after liquidity providers' flight and return (MODEL-SPEC-v2 §A.1); 0 under market.mode garch.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 2},
	{Name: "halt_unsold_clt", Table: TableRuns, Family: FamilyProfitability, Unit: "CLT × days", Label: "Provider tokens held back by halts", Description: "Σ over halted days of the CLT providers could not sell that day (lots due, overdue and hedged): the circuit breaker's liquidity cost (MODEL-SPEC-v2 §A.3).", Lo: 0, Hi: infHi, Better: LowerIsBetter, LeverOnly: LeverCircuitBreaker, Version: 2},
	{Name: "market_clamp_days", Table: TableRuns, Family: FamilyStability, Unit: "days", Label: "Days a market bound acted", Description: "Days on which holders' sell order was capped at their holdings or a net buy was capped at half the pool's CLT (the rest queued to the next day) (docs/model.md §A).", Lo: 0, Hi: infHi, Better: Neutral, Integer: true, Version: 2},
	{Name: "pool_usd", Table: TableSteps, Family: FamilyStability, Unit: "USD", Label: "Pool USD reserve", Description: "USD reserve Y_t of the AMM pool at the close (MODEL-SPEC-v2 §A.1).", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 2},
	{Name: "pool_clt", Table: TableSteps, Family: FamilyStability, Unit: "CLT", Label: "Pool token reserve", Description: "CLT reserve X_t of the AMM pool at the close (MODEL-SPEC-v2 §A.1).", Lo: 0, Hi: infHi, Better: Neutral, Version: 2},
	{Name: "backing_ratio", Table: TableSteps, Family: FamilyStability, Unit: "ratio", Label: "Backing ratio", Description: "β_t = reserve assets (USD) / (supply × peg) at the close (MODEL-SPEC-v2 §A.1); 0 without a reserve.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 2},
	{Name: "run_frac", Table: TableSteps, Family: FamilyStability, Unit: "fraction of holdings", Label: "Run on the token", Description: "Holders' run fraction r_t of the day (MODEL-SPEC-v2 §A.2).", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 2},
}
