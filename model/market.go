package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tokensim/tokensim/garch"
)

// StreamRegimeSwitch is the random stream of the endogenous regime switches
// of MODEL-SPEC-v2 §A.2 (one uniform a day under market.mode amm, whether or
// not it is used, so paired runs share it). v2 §A components are numbered
// from 0xA1 so that they cannot collide with other components' numbers.
const StreamRegimeSwitch Component = 0xA1

// maxLPVol bounds the realized volatility (annualized) that liquidity
// providers react to: beyond 200% a year (BTC's worst months) the pool stops
// shrinking. Without it a collapsed token's realized volatility (thousands of
// percent) empties the pool, holders' orders become many times its depth and
// the price oscillates explosively (docs/model.md §A.2). Days it binds count
// in market_clamp_days.
const maxLPVol = 2.0

// maxPoolTake bounds the CLT one day's net buy can take out of the pool, as a
// fraction of the pool's CLT reserve X: a constant-product pool cannot
// deliver X or more at any price. The excess is cancelled (holders keep
// their position; a market order carried to the next day whatever the price
// would ratchet the price by the bound every day) and the day counts in
// market_clamp_days.
const maxPoolTake = 0.5

// maxPoolGive bounds one day's net sale into the pool to the pool's CLT
// reserve X (the spot price falls at most 4-fold, as maxPoolTake's bound
// lets it rise at most 4-fold); the rest is cancelled. Both bind only when
// orders are many times the pool's depth: after a collapse with CLT-quoted
// prices (docs/model.md §A.3).
const maxPoolGive = 1.0

// marketState is the state of the v2 token market (MODEL-SPEC-v2 §A) of one
// run. Under market.mode garch only the metric accumulators are used.
type marketState struct {
	amm      bool
	pool     cpPool  // the AMM pool
	holders  float64 // H_t, holders' CLT (the residual holders of supply)
	queue    float64 // pool order (CLT, > 0 a buy) queued by a halt
	reopen   bool    // today is the first trading day after a halt: no breaker test
	outflow  float64 // holders' net sell fraction of the previous day, floored at 0
	volatile bool    // the regime chain is in the volatile regime (TVTP)
	volName  string  // the volatile regime's name, "" when switching cannot act

	reserveOn bool
	algo      bool
	assets    float64 // reserve asset units (USD for backed)
	sisterP   float64 // USD per unit of the reserve asset (1 for backed)
	hidden    float64 // units frozen but not yet seen by holders
	hiddenTo  int     // last day the hidden impairment is hidden

	cSwitch *rand.ChaCha8
	rSwitch *rand.Rand

	// Today (read by the metrics of the day).
	beta, runFrac float64

	// Accumulators (runs metrics).
	betaMin     float64
	redeemedCLT float64
	mintedCLT   float64
	runDays     int
	depegMax    float64
	haltUnsold  float64
	clampDays   int
	holdersUSD  float64 // holders' net USD received (sales at P_t−1 less netting slippage)
	arbPnLUSD   float64
	lpOutUSD    float64 // USD withdrawn by liquidity providers (net)
	lpOutCLT    float64 // CLT withdrawn by liquidity providers (net), to holders
	tradeUSD    float64 // Σ USD paid into the pool by the netted trades
	tradeCLT    float64 // Σ CLT taken out of the pool by the netted trades
	holdersSold float64 // Σ holders' sell orders h_t (CLT)
	impairedU   float64 // reserve units frozen
	backstopU   float64 // reserve units injected by the backstop
	boughtU     float64 // reserve units bought with mint proceeds
	paidU       float64 // reserve units paid out to redeemers
	backstopUSD float64
	impairedUSD float64
	partNetCLT  float64 // Σ participants' net CLT buy at P_t−1
	grossCLT    float64 // Σ |daily market flows| in CLT (rounding scale of the ledger)
	grossUSD    float64 // Σ |daily market flows| in USD

	// Holders' exit (market_exit.go).
	flightMem        float64 // m_t, the shortfall holders remember
	holdersRedeemed  float64 // Σ CLT holders redeemed directly (exit routing)
	holdersRedeemUSD float64 // Σ USD they received for it
}

// MarketAudit is the stock-and-flow ledger of the v2 token market of one run
// (MODEL-SPEC-v2 §A; see Audit.Market). CLT in CLT, money in USD, reserve
// assets in units of the reserve asset (USD for backed). Identities (checked
// by TestMarketConservation):
//
//	PoolFinalCLT = PoolInitialCLT − TradeCLT + ArbMintedCLT − ArbRedeemedCLT − LPOutCLT
//	PoolFinalUSD = PoolInitialUSD + TradeUSD − ArbMintPoolUSD + ArbBuyPoolUSD − LPOutUSD
//	HoldersFinalCLT = HoldersInitialCLT + TradeCLT − ParticipantsNetCLT + LPOutCLT
//	ReserveFinalUnits = ReserveInitialUnits + BoughtUnits − PaidUnits − ImpairedUnits + BackstopUnits
//	S_T = PoolFinalCLT + HoldersFinalCLT + provider CLT + fund CLT + consumers' prepaid CLT (v2 §B.4)
//	Audit.NetFlowUSD = TradeUSD + HoldersUSD
//	ArbPnLUSD = ArbMintPoolUSD − ArbMintCostUSD + ArbRedeemValueUSD − ArbBuyPoolUSD
//
// ParticipantsNetCLT is Σ_t of the participants' net CLT buy at P_t−1
// (consumers' purchases incl. prepaid top-ups − fee sale + buyback − provider
// sales + fund); QueueCLT is a
// pool order still waiting (a halt or a daily bound) at the end, owed by
// holders.
type MarketAudit struct {
	PoolInitialCLT, PoolInitialUSD, PoolFinalCLT, PoolFinalUSD float64
	HoldersInitialCLT, HoldersFinalCLT                         float64
	HoldersSoldCLT, HoldersUSD, ParticipantsNetCLT             float64
	QueueCLT                                                   float64 // pool order still queued at the end
	TradeCLT, TradeUSD                                         float64
	ArbMintedCLT, ArbMintCostUSD, ArbMintPoolUSD               float64
	ArbRedeemedCLT, ArbBuyPoolUSD, ArbRedeemValueUSD           float64
	ArbPnLUSD                                                  float64
	LPOutCLT, LPOutUSD                                         float64
	ReserveInitialUnits, ReserveFinalUnits                     float64
	BoughtUnits, PaidUnits, ImpairedUnits, BackstopUnits       float64
	BackstopUSD, ImpairedUSD, SisterPriceFinal                 float64
	// GrossCLT and GrossUSD sum the absolute daily market flows (orders,
	// pool trades, arbitrage, liquidity moves): the scale of the ledger's
	// rounding error.
	GrossCLT, GrossUSD float64
	// HoldersRedeemedCLT is the CLT holders redeemed at the primary market
	// themselves (exit routing, market_exit.go) for HoldersRedeemUSD; it
	// leaves holders' stock and supply (HoldersFinalCLT's identity gains
	// − HoldersRedeemedCLT, supply's − HoldersRedeemedCLT).
	HoldersRedeemedCLT, HoldersRedeemUSD float64
}

// marketInit sets up the v2 market at day 0 (MODEL-SPEC-v2 §A.1): the pool
// holds X_0 = Y_0/peg CLT and Y_0 = amm.liquidity_usd USD; holders hold the
// rest of the supply not held by providers' warm-start lots or the fund; the
// reserve holds β_0 × S_0 × peg USD of assets. Errors wrap ErrInvalidParam.
func (s *sim) marketInit() error {
	p := s.p
	m := &s.mkt
	*m = marketState{cSwitch: m.cSwitch, rSwitch: m.rSwitch, betaMin: math.Inf(1)} // keep the stream's buffers
	m.amm = p.Market.Mode == MarketAMM
	if !m.amm {
		m.betaMin = 0
		return nil
	}
	if m.cSwitch == nil {
		m.cSwitch = new(rand.ChaCha8)
		m.rSwitch = rand.New(m.cSwitch)
	}
	m.cSwitch.Seed(StreamSeed(s.spec.Seed, s.spec.Replicate, StreamRegimeSwitch))
	peg := p.Market.Peg
	m.pool = cpPool{x: p.AMM.LiquidityUSD / peg, y: p.AMM.LiquidityUSD}
	m.holders = s.supply - m.pool.x - s.aud.ProviderHeldInitialCLT - s.fundCLT - s.llm.prepaid // consumers' prepaid balances are theirs (v2 §B.4)
	if !(m.holders >= 0) {
		return fmt.Errorf("%w: supply.initial_clt = %v: smaller than the AMM pool's CLT (amm.liquidity_usd/peg = %v) plus providers' warm-start lots (%v) and the fund's CLT (%v)",
			ErrInvalidParam, s.supply, m.pool.x, s.aud.ProviderHeldInitialCLT, s.fundCLT)
	}
	if _, ok := p.Market.Regimes[RegimeVolatile]; ok && p.Market.Switch.Enabled {
		m.volName = RegimeVolatile
	}
	m.reserveOn = p.Reserve.Mode != ReserveNone
	m.algo = p.Reserve.Mode == ReserveAlgorithmic
	m.sisterP = 1
	if m.reserveOn {
		m.assets = p.Reserve.BackingTarget * s.supply * peg
	}
	m.beta = m.backing(s.supply, peg)
	s.aud.Market = MarketAudit{
		PoolInitialCLT: m.pool.x, PoolInitialUSD: m.pool.y, HoldersInitialCLT: m.holders,
		ReserveInitialUnits: m.assets,
	}
	return nil
}

// backing returns β = reserve assets (USD) / (S × peg); 0 without a reserve.
func (m *marketState) backing(supply, peg float64) float64 {
	if !m.reserveOn {
		return 0
	}
	return m.assets * m.sisterP / (supply * peg)
}

// fundDepth is the depth the stabilization fund sizes its trades with
// (MODEL-SPEC §2.7): market.depth_usd under garch; under amm the pool's
// current depth Y/2, the USD of a small buy that moves ln P by 1.
func (s *sim) fundDepth() float64 {
	if s.mkt.amm {
		return s.mkt.pool.y / 2
	}
	return s.p.Market.DepthUSD
}

// ammDay forms the close P_t under market.mode amm (MODEL-SPEC-v2 §A, at
// MODEL-SPEC §2's step 9): reserve events, the regime (forced or TVTP), the
// holders' GARCH-t sentiment and jumps, their run, liquidity flight, the
// day's netted pool trade, arbitrage and the circuit breaker.
func (s *sim) ammDay(t int, lnPrev float64) error {
	p := s.p
	d := &s.day
	m := &s.mkt
	peg := p.Market.Peg
	lnPeg := math.Log(peg)
	pPrev := s.price[t-1]
	ev := &s.spec.Schedule.ReserveEvents

	shortfall := 0.0 // the reserve shortfall holders see, max(0, 1 − β̂)
	if m.reserveOn {
		s.reserveEvents(t) // at the start of the day (§A.3, §A.4)
		seen := (m.assets + m.hidden) * m.sisterP / (s.supply * peg)
		shortfall = max(0, 1-seen)
	}
	gap := math.Abs(lnPrev - lnPeg)

	// Regime (§A.2): forced by the scenario, else the TVTP chain; one uniform a day.
	u := m.rSwitch.Float64()
	e := s.garchInnovation(t, s.ammRegime(t, u, shortfall, gap))
	jSched := s.scheduledShock(t) // scheduled sentiment shocks (holders.shocks_to_holdings, market_exit.go)
	j := s.addJumps(jSched)

	// Holders' order (§A.2): desired holdings move by exp(μ + e + J); the run.
	hp := &p.Holders
	drawdown := max(0, 1-pPrev/peg)
	m.runFrac = runFraction(hp, shortfall, drawdown, m.outflow)
	frac := hp.FlowScale*(1-math.Exp(s.reg.Mu+e+j)) + m.runFrac
	if hp.ShocksToHoldings {
		frac = hp.FlowScale*(1-math.Exp(s.reg.Mu+e+j-jSched)) + (1 - math.Exp(jSched)) + m.runFrac
	}
	flight := 0.0 // flight to safety at the redemption value (market_exit.go)
	if hp.FlightRate > 0 && m.reserveOn {
		m.flightMem = flightMemory(m.flightMem, shortfall-hp.RunThreshold, hp.FlightDecay)
		if hp.ExitRouting {
			flight = hp.FlightRate * m.flightMem
		} else {
			frac += hp.FlightRate * m.flightMem
		}
	}
	clamped := false
	if frac > 1 {
		frac, clamped = 1, true
	}
	h := frac * max(m.holders, 0) // holders left short by a halt order nothing more
	if m.holders > 0 {
		m.outflow = max(0, frac)
	}
	if m.runFrac > 0.01 {
		m.runDays++
	}

	// Participants' net CLT buy at P_t−1 (MODEL-SPEC §10's Flow_t in CLT).
	nPart := d.consumerCLT + d.prepaidCLT - d.poolCLT + d.buybackCLT - d.salesCLT + d.fundBoughtCLT - d.fundSoldCLT
	flow := d.netFlowUSD()
	s.aud.NetFlowUSD += flow
	m.holdersSold += h

	dS, err := s.supplyChange(t)
	if err != nil {
		return err
	}

	m.partNetCLT += nPart
	m.grossCLT += math.Abs(nPart) + math.Abs(h) + d.consumerCLT + d.salesCLT + m.pool.x
	m.grossUSD += math.Abs(flow) + d.consumerUSD + d.salesUSD + m.pool.y
	sisterSold := 0.0 // USD of reserve assets sold by arbitrageurs today (algorithmic)
	lnClose := lnPrev
	if d.halted {
		// The pool is paused (§A.3): holders take the other side of every
		// order at P_t−1 and the pool order waits for the reopening.
		s.pausedTrade(nPart, flow, dS)
		m.queue += nPart - h
		s.cb.left--
		m.reopen = s.cb.left == 0
	} else {
		if s.lpFlight(h) {
			clamped = true
		}
		open := !ev.redemptionHalted(t) // the primary market redeems today
		order := nPart - h + m.queue    // net CLT the pool must deliver (> 0) or absorb (< 0)
		routed := 0.0                   // CLT holders redeem themselves (exit routing, market_exit.go)
		if fl := flight * max(0, m.holders-max(h, 0)); fl > 0 && open {
			order -= fl
			m.holdersSold += fl
		}
		if m.reserveOn && hp.ExitRouting && order < 0 && open {
			var usd float64
			routed, usd = s.holdersRedeem(-order, dS)
			order += routed
			sisterSold += usd
		}
		exec := order
		if lim := maxPoolTake * m.pool.x; exec > lim {
			exec, clamped = lim, true
		} else if lim := maxPoolGive * m.pool.x; exec < -lim {
			exec, clamped = -lim, true
		}
		cand := m.pool
		var dy float64 // USD into the pool for exec
		if exec >= 0 {
			dy = cand.usdForCLT(exec, p.AMM.Fee)
			cand.y += dy
			cand.x -= exec
		} else {
			dy = -cand.sellCLT(-exec, p.AMM.Fee)
		}
		supply := s.supply + dS
		sisterP := m.sisterP
		var arb arbTrade
		if m.reserveOn {
			vMint := peg * (1 + p.Reserve.MintFee)
			vRedeem := s.redeemValue(supply)
			capCLT := p.Reserve.RedeemCapFracPerDay*(s.supply+routed) - routed
			arb = arbitrage(&cand, p.AMM.Fee, vMint, vRedeem, p.Arbitrage.CapacityUSDPerDay, capCLT, open)
		}
		lnCand := math.Log(cand.spot())
		w := max(p.CircuitBreaker.WindowDays, 1)
		if s.cb.on && !m.reopen && math.Abs(lnCand-s.lnP[max(t-w, 0)]) > s.cb.threshold {
			// Limit-up/limit-down (§A.3): the pool pauses for halt_days; the
			// day's orders queue as on a halted day.
			s.cb.halts++
			s.cb.left = s.cb.haltDays
			s.pausedTrade(nPart, flow, dS)
			m.queue = order
		} else {
			m.reopen = false
			m.pool = cand
			// What the pool could not fill at any sane price is cancelled, not
			// carried: a market order carried from day to day whatever the
			// price ratchets the price up (or down) by the clamp every day
			// (docs/model.md §A.3). Orders queue only across a halt.
			m.queue = 0
			m.tradeCLT += exec
			m.tradeUSD += dy
			m.grossCLT += math.Abs(exec) + arb.mintCLT + arb.redeemCLT
			m.grossUSD += math.Abs(dy) + arb.mintCostUSD + arb.mintPoolUSD + arb.buyPoolUSD + arb.redeemValueUSD
			m.holders += exec - nPart
			m.holdersUSD += flow - dy
			supply += arb.mintCLT - arb.redeemCLT
			s.supply = supply
			m.mintedCLT += arb.mintCLT
			m.redeemedCLT += arb.redeemCLT
			if arb.mintCLT > 0 {
				un := arb.mintCostUSD / sisterP
				m.assets += un
				m.boughtU += un
				sisterSold -= arb.mintCostUSD
			}
			if arb.redeemCLT > 0 {
				un := arb.redeemValueUSD / sisterP
				m.assets -= un
				m.paidU += un
				sisterSold += arb.redeemValueUSD
			}
			m.arbPnLUSD += arb.mintPoolUSD - arb.mintCostUSD + arb.redeemValueUSD - arb.buyPoolUSD
			s.aud.Market.ArbMintedCLT += arb.mintCLT
			s.aud.Market.ArbMintCostUSD += arb.mintCostUSD
			s.aud.Market.ArbMintPoolUSD += arb.mintPoolUSD
			s.aud.Market.ArbRedeemedCLT += arb.redeemCLT
			s.aud.Market.ArbBuyPoolUSD += arb.buyPoolUSD
			s.aud.Market.ArbRedeemValueUSD += arb.redeemValueUSD
			lnClose = lnCand
		}
	}
	if clamped {
		m.clampDays++
	}
	if !isFinite(lnClose) {
		return fmt.Errorf("%w: day %d: log close = %v (holders' order %v CLT, pool %v CLT / %v USD)",
			ErrNonFinite, t, lnClose, h, m.pool.x, m.pool.y)
	}

	// Sister asset (§A.1, algorithmic): sentiment, beta to the token's return,
	// and the impact of its net sales.
	if m.algo {
		r := e + j + p.Reserve.SisterBeta*(lnClose-lnPrev) - sisterSold/p.Reserve.SisterDepthUSD
		m.sisterP *= math.Exp(r)
	}
	m.beta = m.backing(s.supply, peg)
	s.lnP = append(s.lnP, lnClose)
	s.price = append(s.price, math.Exp(lnClose))
	s.rets = append(s.rets, lnClose-lnPrev)
	return nil
}

// pausedTrade settles a day on which the pool is paused (a halted day or a
// breaker's trigger day, MODEL-SPEC-v2 §A.3): holders take the other side of
// the participants' net buy nPart (CLT) at P_t−1 for their net flow (USD),
// and the supply moves by the day's issuance and burns dS.
func (s *sim) pausedTrade(nPart, flow, dS float64) {
	s.mkt.holders -= nPart
	s.mkt.holdersUSD += flow
	s.supply += dS
}

// reserveEvents applies the schedule's reserve events of day t at the start
// of the day (§A.3, §A.4): impairments (hidden from holders for their
// hidden_days) and a backstop restoring β to 1. Only with a reserve.
func (s *sim) reserveEvents(t int) {
	m := &s.mkt
	ev := &s.spec.Schedule.ReserveEvents
	for _, im := range ev.Impairments {
		if im.Day == t {
			u := im.Fraction * m.assets
			m.assets -= u
			m.impairedU += u
			m.impairedUSD += u * m.sisterP
			if im.HiddenDays > 0 {
				m.hidden += u
				m.hiddenTo = t + im.HiddenDays - 1
			}
		}
	}
	if ev.backstopOn(t) {
		if need := s.supply*s.p.Market.Peg - m.assets*m.sisterP; need > 0 {
			u := need / m.sisterP
			m.assets += u
			m.backstopU += u
			m.backstopUSD += need
		}
		m.hidden = 0
	}
	if t > m.hiddenTo {
		m.hidden = 0
	}
}

// ammRegime returns the regime of day t under market.mode amm (§A.2): the
// one a span of the schedule forces, else the base or volatile regime of the
// TVTP chain (Diebold, Lee & Weinbach 1994), which moves with the day's
// uniform u given the reserve shortfall holders see and the log peg gap
// |ln P_t−1 − ln peg|.
func (s *sim) ammRegime(t int, u, shortfall, gap float64) string {
	m := &s.mkt
	if forced, ok := s.spec.Schedule.forcedRegime(t); ok {
		m.volatile = forced == m.volName && m.volName != ""
		return forced
	}
	if m.volName == "" {
		return s.spec.Schedule.BaseRegime
	}
	sw := &s.p.Market.Switch
	if m.volatile {
		if u < logistic(sw.ExitIntercept-sw.ExitShortfall*shortfall-sw.ExitGap*gap) {
			m.volatile = false
		}
	} else if u < logistic(sw.EnterIntercept+sw.EnterShortfall*shortfall+sw.EnterGap*gap) {
		m.volatile = true
	}
	if m.volatile {
		return m.volName
	}
	return s.spec.Schedule.BaseRegime
}

// lpFlight moves the pool's liquidity toward its target (§A.1) at
// amm.lp_adjust_rate a day, both reserves in proportion (spot unchanged);
// h is holders' sell order of the day (CLT). It reports whether a bound
// acted: the volatility cap maxLPVol, or holders' stock limiting returning
// liquidity.
func (s *sim) lpFlight(h float64) (clamped bool) {
	p := s.p
	m := &s.mkt
	rate := p.AMM.LPAdjustRate
	if !(rate > 0) {
		return false
	}
	// The target is on the CLT side, X_0/(1 + s σ̂): at the peg the
	// spec's Y_0/(1 + s σ̂); away from it the pool keeps its share of
	// the float, so holders' orders (in CLT) keep their weight against
	// its depth (docs/model.md §A.2).
	vol := s.day.sigmaHat
	if vol > maxLPVol {
		vol, clamped = maxLPVol, true
	}
	target := p.AMM.LiquidityUSD / p.Market.Peg / (1 + p.AMM.LPVolSensitivity*vol)
	k := 1 + rate*(target/m.pool.x-1)
	if free := m.holders - max(h, 0); m.pool.x*(k-1) > free {
		// Returning liquidity providers bring CLT from holders' stock
		// (what holders keep after today's sale).
		k = 1 + max(0, free)/m.pool.x
		clamped = true
	}
	dx, dy := m.pool.x*(1-k), m.pool.y*(1-k)
	m.pool.scale(k)
	m.lpOutCLT += dx
	m.lpOutUSD += dy
	m.holders += dx
	return clamped
}

// The steps of the close that market.mode amm shares with v1's garch price
// (MODEL-SPEC §2.6, §2.7, §10; day.go's priceDay writes them inline).

// garchInnovation advances the GARCH(1,1) variance of regime name to day t
// (reset to the regime's unconditional variance on day 1 and when the regime
// changes) and returns the day's innovation e_t = σ_t·z_t, z_t a unit-variance
// Student-t draw of the market stream (MODEL-SPEC §2.6).
func (s *sim) garchInnovation(t int, name string) float64 {
	if t == 1 || name != s.regName {
		s.regName = name
		s.reg = s.p.Market.Regimes[name]
		s.s2 = s.reg.UnconditionalVariance()
	} else {
		s.s2 = s.reg.Omega + s.reg.Alpha*s.ePrev*s.ePrev + s.reg.Beta*s.s2
	}
	e := math.Sqrt(s.s2) * garch.StdT(s.rMarket, s.reg.Nu)
	s.ePrev = e
	return e
}

// scheduledShock returns day t's part of the scheduled shocks: Σ ln(1+size)
// /duration_days over the shocks in progress on t (MODEL-SPEC §2.6).
func (s *sim) scheduledShock(t int) float64 {
	j := 0.0
	for _, sh := range s.spec.Schedule.Shocks {
		if t >= sh.Day && t < sh.Day+sh.DurationDays {
			j += math.Log1p(sh.Size) / float64(sh.DurationDays)
		}
	}
	return j
}

// addJumps adds the day's Poisson jumps to j and returns the sum: one
// uniform (the count) and one normal a day, and one more normal per jump, of
// the jumps stream (MODEL-SPEC §2.6).
func (s *sim) addJumps(j float64) float64 {
	p := s.p
	uj := s.rJumps.Float64()
	zj := s.rJumps.NormFloat64()
	for x := poissonInv(uj, p.Market.JumpRatePerYear/365); x > 0; x-- {
		j += p.Market.JumpMean + p.Market.JumpSD*zj
		zj = s.rJumps.NormFloat64()
	}
	return j
}

// netFlowUSD is the day's net market flow in USD at P_t−1 (MODEL-SPEC §10's
// Flow_t): consumers' purchases − fee sales + buyback − provider sales + the
// fund's net buy.
func (d *dayTotals) netFlowUSD() float64 {
	return d.consumerUSD - d.poolUSD + d.buybackUSD - d.salesUSD + d.fundBuy - d.fundSell
}

// supplyChange returns day t's supply change dS = issued − burned fees −
// buyback (CLT), or ErrSupplyExhausted when it would leave no supply.
func (s *sim) supplyChange(t int) (float64, error) {
	d := &s.day
	dS := d.issued - d.burnCLT - d.buybackCLT
	if !(s.supply+dS > 0) {
		return 0, fmt.Errorf("%w: day %d: %v CLT burned (fees %v, buyback %v) against a supply of %v CLT at price %v USD",
			ErrSupplyExhausted, t, d.burnCLT+d.buybackCLT, d.burnCLT, d.buybackCLT, s.supply+d.issued, s.price[t-1])
	}
	return dS, nil
}
