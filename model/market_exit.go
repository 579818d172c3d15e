package model

// Holders' exit (MODEL-SPEC-v2 §A.1–A.2, extended; docs/model.md §A.4):
//
//   - Exit routing (`holders.exit_routing`): a holder who sells uses the
//     cheapest exit. When the primary market is open, has room under its
//     daily cap and pays v_r = peg(1 − redeem_fee)·min(1, β) more than the
//     pool's marginal sale price P(1 − fee), holders' net sell order is
//     redeemed at v_r instead of sold into the pool. Without it only
//     arbitrageurs redeem (buying from the pool), so a holder's exit always
//     moves the price first and is redeemed only up to the arbitrageurs'
//     capacity: USDC's holders after the March 2023 backstop redeemed at
//     par, the price at the peg, while supply fell by 15% in a week.
//   - Flight to safety (`holders.flight_rate`, `holders.flight_decay`): a
//     shortfall holders have seen lowers their desired holdings after the
//     run is over (Anadu, Azar, Cipriani, Eisenbach, Huang, Landoni, Ortiz,
//     Shachar & Sánchez 2023, "Runs and flights to safety: are stablecoins
//     the new money market funds?": outflows from the stablecoin that
//     de-pegged continue for weeks after the peg is restored). Holders keep
//     a memory m_t = max(s_t − θ, (1 − flight_decay)·m_t−1, 0) of the
//     shortfall s_t they see beyond θ = holders.run_threshold and sell
//     flight_rate × m_t of their holdings a day. (The threshold keeps the
//     slow, unbacked-issuance drift of β (≈ 2% a year) from setting off a
//     flight in calm times: holders reallocate after a loss large enough
//     to make a run likely, not after any shortfall.) The
//     run (r_t) is a panic at any price that a backstop ends; the flight is
//     a portfolio reallocation that outlives it. With exit routing it is a
//     sale at the redemption value: it joins holders' order only on days
//     the primary market redeems (and then sells into the pool only while
//     the pool pays more than v_r), and waits on redemption-halt days and
//     days the pool is paused (on a breaker's trigger day what is not
//     redeemed queues with the day's orders); without exit routing it is a market order
//     like the rest of h_t.

//   - Scheduled shocks move desired holdings (`holders.shocks_to_holdings`):
//     a scenario's sentiment shock of size x (MODEL-SPEC-v2 §A.4: "a
//     sentiment shock of −20% to holders' desired holdings") sells
//     1 − exp(ln(1 + x)/d) of holdings on each of its d days, in full;
//     holders.flow_scale φ scales only the GARCH-t innovations and Poisson
//     jumps, the units it was fitted in (BTC's daily returns). Without the
//     switch the shock is scaled by φ = 0.12 too, and UST's −20% becomes a
//     −2.4% sale that arbitrage absorbs (the algorithmic episode then never
//     de-pegs; docs/model.md §A, Episode validation).

// exitMechanism is the holders' exit routing, flight to safety and
// scheduled-shock scaling above.
// v1 leaves both off (inert under market.mode garch anyway); v2's
// flight_rate and flight_decay are `tokensim calibrate --market`'s fit (episode.FitMarket).
var exitMechanism = mechanism{
	name: "exit",
	v1: func(p *Params) {
		p.Holders.ExitRouting = false
		p.Holders.FlightRate = 0
		p.Holders.FlightDecay = 0.1
		p.Holders.ShocksToHoldings = false
	},
	v2: func(p *Params) {
		p.Holders.ExitRouting = true
		p.Holders.ShocksToHoldings = true
		// tokensim calibrate --market ../shared/data (episode.FitMarket,
		// jointly with holders.run_max and arbitrage.capacity_usd_per_day):
		// depeg_backed's median net redemptions of days 89→97 = USDC's
		// 15.2% (2023-03-10 → 03-18) ...
		p.Holders.FlightRate = 0.82
		// ... and of days 97→104 = USDC's 6.4% (2023-03-18 → 03-25): a
		// memory half-life of ln 2/0.11 ≈ 6 days.
		p.Holders.FlightDecay = 0.11
	},
}

// flightMemory returns m_t = max(excess, (1 − decay)·prev, 0): the
// excess shortfall (beyond the run threshold; a fraction of reserve assets)
// holders remember.
func flightMemory(prev, excess, decay float64) float64 {
	return max(max(excess, (1-decay)*prev), 0)
}

// routeExit returns the CLT of holders' net sale sell ≥ 0 that they redeem
// at the primary market (exit routing) rather than sell into pool: they sell
// into the pool while its marginal sale price spot·(1 − fee) exceeds the
// redemption value vRedeem, i.e. the CLT x* that lowers the spot to
// vRedeem/(1 − fee) (cpPool.cltToSpot, closed form), and redeem the rest,
// at most capCLT: min(max(0, sell − x*), capCLT).
func routeExit(pool cpPool, fee, vRedeem, sell, capCLT float64) float64 {
	if !(sell > 0) || !(capCLT > 0) || !(vRedeem > 0) {
		return 0
	}
	return min(max(0, sell-pool.cltToSpot(vRedeem/(1-fee), fee)), capCLT)
}

// holdersRedeem executes exit routing for holders' net sale sell > 0 (CLT)
// on an open redemption day, before the pool trade: holders sell into the
// pool only while its marginal sale price P(1 − fee) exceeds the redemption
// value v_r = peg(1 − redeem_fee)·min(1, β) (β on the supply after the
// day's issuance and burns, supply+dS), and redeem the rest at v_r, at most
// the daily cap redeem_cap_frac_per_day × S_t−1. It updates holders' stock,
// supply and the reserve and returns the CLT redeemed and the USD paid.
func (s *sim) holdersRedeem(sell, dS float64) (clt, usd float64) {
	p := s.p
	m := &s.mkt
	vRedeem := s.redeemValue(s.supply + dS)
	clt = routeExit(m.pool, p.AMM.Fee, vRedeem, sell, p.Reserve.RedeemCapFracPerDay*s.supply)
	if clt <= 0 {
		return 0, 0
	}
	usd = clt * vRedeem
	un := usd / m.sisterP
	m.assets -= un
	m.paidU += un
	m.holders -= clt
	s.supply -= clt
	m.redeemedCLT += clt
	m.holdersRedeemed += clt
	m.holdersRedeemUSD += usd
	m.grossCLT += clt
	m.grossUSD += usd
	return clt, usd
}

// redeemValue returns the primary market's redemption value
// v_r = peg(1 − redeem_fee)·min(1, β) in USD per CLT, with the backing ratio β
// on the given supply (MODEL-SPEC-v2 §A.1). Only with a reserve.
func (s *sim) redeemValue(supply float64) float64 {
	peg := s.p.Market.Peg
	return peg * (1 - s.p.Reserve.RedeemFee) * min(1, s.mkt.backing(supply, peg))
}
