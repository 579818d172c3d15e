package model

import (
	"fmt"
	"math"
)

// dayStep simulates day t ≥ 1 in the order of MODEL-SPEC §2 (steps 1–10).
func (s *sim) dayStep(t int) error {
	p := s.p
	d := &s.day
	*d = dayTotals{halted: s.cb.halted()}
	pPrev := s.price[t-1]
	if t%rebuildDays == 0 {
		s.rebuildAggregates(t)
	}
	lnPrev := s.lnP[t-1]
	for i := range s.provs {
		pr := &s.provs[i]
		pr.startAct = pr.active
		pr.vol, pr.feeCLT, pr.revToday, pr.costToday, pr.grantToday = 0, 0, 0, 0, 0
	}

	// 1. Governance (§2.7): stakes and which governable policies are in force.
	s.govern(t)

	// 2. Repricing (§2.4, §10): one common reference price.
	s.pRef = refPrice(s.price, t, p.Pricing.RepriceIntervalDays, p.Pricing.TWAPDays, s.pRef)

	// 3. Arrivals and entry (§1, §2.5).
	m := len(s.cons)
	if g := p.Consumers.GrowthPerYear; g > 0 {
		nArr := poisson(s.rArr, float64(m)*g/365)
		cp := &p.Consumers
		scale := cp.TotalDemandMtokPerDay / float64(cp.Count) * math.Exp(-cp.DemandSigma*cp.DemandSigma/2)
		for a := 0; a < nArr; a++ {
			c := s.drawConsumer()
			c.d *= scale
			s.cons = append(s.cons, c)
		}
	}
	s.enter(t)
	s.llmBeforeCosts(t, pPrev) // v2 §B.3: cost decline, best-response prices (llm_pricing.go)
	for i := range s.provs {
		pr := &s.provs[i]
		if pr.active {
			pr.pi = pr.listPrice / s.pRef
			pr.cost = pr.pi * pPrev
		}
	}

	// 4. Choice preparation (§2.1, §10): share-cap status from s_t−1, the
	// leader's quality, the common parts of the utilities.
	s.prepareChoice(t)
	s.welfareFactors(t) // the welfare log-sums' factors and the grid's exp(A_i) (llm_welfare.go)
	if s.ev.on {
		s.buildChoiceGrid(t) // choicegrid.go
	}

	// 5. Choice and demand, one pass over consumers (§2.1, §2.2).
	d.sigmaHat = realizedVol(s.rets, p.Consumers.VolWindowDays)
	d.f = deferFraction(d.sigmaHat, p.Consumers.DeferVolStart, p.Consumers.DeferVolFull)
	if s.ev.on {
		s.evConsumersDay(t) // the event engine (engine.go)
	} else {
		s.refConsumersDay() // the per-consumer-day reference loop (llm_demand.go)
	}

	// 6. Payments, fee split, buyback, issuance, grants (§2.3, §2.7).
	s.payments(t, pPrev)
	s.llmPrepaid(pPrev) // v2 §B.4: prepaid top-ups are consumer purchases (llm_demand.go)

	// 7. Provider sales, costs, cash, exits (§2.5); futures marks (v2 §C.2).
	s.futuresPrice(pPrev)
	s.providersDay(t, pPrev)
	s.hedgePositions()

	// 8. Fund trades on P_t−1 (§2.7).
	if p.Fund.Enabled && !d.halted {
		buy, sell := fundTrade(p.Market.Peg, p.Fund.Band, p.Fund.Aggressiveness, s.fundDepth(), pPrev, s.fundUSD, s.fundCLT)
		if buy > 0 {
			clt := buy / pPrev
			s.fundUSD -= buy
			s.fundCLT += clt
			d.fundBuy = buy
			d.fundBoughtCLT = clt
			s.aud.FundBuyUSD += buy
			s.aud.FundBoughtCLT += clt
		}
		if sell > 0 {
			clt := sell / pPrev
			if clt >= s.fundCLT {
				clt = s.fundCLT
			}
			s.fundCLT -= clt
			s.fundUSD += sell
			d.fundSell = sell
			d.fundSoldCLT = clt
			s.aud.FundSellUSD += sell
			s.aud.FundSoldCLT += clt
		}
	}

	// 9. Price formation and circuit breaker (§2.6, §2.7, §10).
	if err := s.priceDay(t, lnPrev); err != nil {
		return err
	}

	// 10. Metrics (§4.1).
	return s.metricsDay(t)
}

// govern sets today's stakes and, under stake_vote, holds the vote when due
// (day 1 and every vote_interval_days after) on shares s_t−1 (§2.7, §10).
func (s *sim) govern(t int) {
	p := s.p
	for i := range s.provs {
		pr := &s.provs[i]
		switch {
		case !pr.active:
			pr.stake = 0
		case t == 1:
			pr.stake = pr.stakeInit
		default:
			pr.stake = pr.feeUSDSum
		}
	}
	if p.Governance.Mode == GovernanceNone {
		s.capInForce, s.grantsInForce = p.ShareCap.Enabled, p.Grants.Enabled
		s.capBlocked, s.grantsBlocked = false, false
		return
	}
	due := t == 1 || (t-1)%p.Governance.VoteIntervalDays == 0
	if due && s.lv.govV2 {
		s.voteV2() // MODEL-SPEC-v2 §C.3 (levers.go)
	} else if due {
		n := 0
		for i := range s.provs {
			if s.provs[i].active {
				s.wts[n] = s.provs[i].stake
				n++
			}
		}
		ballot := func(enabled bool, yesBelow float64) (pass, blocked bool) {
			if !enabled {
				return false, false
			}
			n := 0
			for i := range s.provs {
				if pr := &s.provs[i]; pr.active {
					s.yes[n] = pr.share < yesBelow
					n++
				}
			}
			return vote(s.wts[:n], s.yes[:n], p.Governance.Threshold)
		}
		s.capInForce, s.capBlocked = ballot(p.ShareCap.Enabled, p.ShareCap.Cap)
		s.grantsInForce, s.grantsBlocked = ballot(p.Grants.Enabled, p.Grants.SmallShare)
		s.shareRuleCapture()
	}
	if s.capBlocked {
		s.acc.capBlockedDays++
	}
	if s.grantsBlocked {
		s.acc.grantsBlockedDays++
	}
}

// enter draws today's entrants (§2.5, §10). The entry stream is consumed the
// same way every day (one uniform for the count, one normal for a quality)
// except for the rare extra normals of a second entrant on the same day.
func (s *sim) enter(t int) {
	p := s.p
	lam := p.Entry.RatePerYear / 365
	if s.grantsInForce {
		lam *= 1 + p.Entry.GrantBoost
	}
	u := s.rEntry.Float64()
	z := s.rEntry.NormFloat64()
	k := poissonInv(u, lam)
	nAct := 0
	for i := range s.provs {
		if s.provs[i].active {
			nAct++
		}
	}
	for e := 0; e < k; e++ {
		if e > 0 {
			z = s.rEntry.NormFloat64()
		}
		if nAct >= p.Providers.Max {
			continue
		}
		q := min(1, max(0, p.Entry.QualityMean+p.Entry.QualitySD*z))
		s.acc.entries++
		pr := prov{
			name: s.entrantName(s.acc.entries), listPrice: p.Entry.ListPriceUSDPerMtok, q0: q, q: q,
			mcost: p.Providers.MarginalCostRatio * p.Entry.ListPriceUSDPerMtok,
			fixed: p.Entry.FixedCostUSDPerDay, xi: s.minXi0 - p.Entry.BrandGap,
			hedge: p.Providers.HedgeRatio, entryDay: t, exitDay: -1, active: true, startAct: true,
			cash: p.Entry.CashUSD,
		}
		s.provs = append(s.provs, pr)
		s.llmEntrant(&s.provs[len(s.provs)-1], t)
		s.initProvLevers(&s.provs[len(s.provs)-1])
		s.growProviderArrays()
		s.aud.ProviderCashInjectedUSD += pr.cash
		nAct++
	}
}

// prepareChoice sets the share-cap status, the leader's quality and the
// per-provider parts of the utilities for today (§2.1, §10).
func (s *sim) prepareChoice(t int) {
	p := s.p
	s.qualityDay(t) // MODEL-SPEC-v2 §C.1 (levers.go)
	if ld := &s.provs[s.leader]; !s.lv.dyn && p.Centralization.QualityGrowthPerYear != 0 {
		ld.q = min(1, ld.q0+p.Centralization.QualityGrowthPerYear*float64(t)/365)
	}
	gamma, floor := p.Network.Effect, p.Network.ShareFloor
	wq, eps := p.Consumers.QualityWeight, p.Consumers.PriceElasticity
	capV, hyst := p.ShareCap.Cap, p.ShareCap.Hysteresis
	s.openList, s.activeList = s.openList[:0], s.activeList[:0]
	for i := range s.provs {
		pr := &s.provs[i]
		s.act[i] = pr.active
		s.vol[i] = 0
		if !pr.active {
			continue
		}
		switch {
		case !s.capInForce:
			pr.closed = false
		case pr.share >= capV:
			pr.closed = true
		case pr.share < capV-hyst:
			pr.closed = false
		}
		s.aBase[i] = pr.xi + wq*pr.q
		net := 0.0
		if gamma != 0 {
			net = gamma * math.Log(pr.share+floor)
		}
		s.aNet[i] = s.aBase[i] + net
		s.lnCost[i] = math.Log(pr.cost)
		pe := 1.0
		if eps != 0 {
			pe = math.Pow(pr.cost, eps)
		}
		s.powEps[i] = pe
		s.cpn[i] = 1 / pe
		s.activeList = append(s.activeList, int32(i))
		if !pr.closed {
			s.openList = append(s.openList, int32(i))
		}
	}
	s.prepareCandidates()
}

// payments books today's payments and their split, the pool's fee sale and
// buyback, staking issuance and the grant payout (§2.3, §2.7, §10).
func (s *sim) payments(t int, pPrev float64) {
	p := s.p
	d := &s.day
	for i := range s.provs {
		pr := &s.provs[i]
		if !pr.active {
			continue
		}
		pr.vol = s.vol[i]
		pay := pr.vol * pr.pi
		poolC, burnC, provC := feeSplit(pay, p.Fees.ProtocolFee, p.Fees.BurnFraction)
		d.consumerCLT += pay
		d.poolCLT += poolC
		d.burnCLT += burnC
		pr.feeCLT = provC
		s.aud.ProviderFeeCLT += provC
	}
	d.consumerUSD = d.consumerCLT * pPrev
	d.poolUSD = d.poolCLT * pPrev
	s.pool += d.poolUSD
	d.buybackUSD = p.Supply.BuybackShare * d.poolUSD
	d.buybackCLT = d.buybackUSD / pPrev
	s.pool -= d.buybackUSD

	// Staking issuance on S_t−1: the fund's stake (when its lever is on), the
	// rest to active providers pro rata to stake.
	iss := p.Supply.IssuancePerYear * s.supply / 365
	fundIss := 0.0
	if p.Fund.Enabled {
		fundIss = p.Supply.FundStakeShare * iss
	}
	provIss := iss - fundIss
	totalStake := 0.0
	for i := range s.provs {
		// Only the providers that receive it below (active, positive stake).
		if pr := &s.provs[i]; pr.startAct && pr.stake > 0 {
			totalStake += pr.stake
		}
	}
	if !(totalStake > 0) {
		provIss = 0
	}
	d.issued = fundIss + provIss
	s.fundCLT += fundIss
	s.aud.IssuedToFundCLT += fundIss
	slot := t % stakeDays
	lotSlot := (t + s.hold) % s.nSlot
	for i := range s.provs {
		pr := &s.provs[i]
		if !pr.startAct {
			continue
		}
		rec := pr.feeCLT
		if provIss > 0 && pr.stake > 0 {
			x := provIss * pr.stake / totalStake
			rec += x
			s.aud.IssuedToProvidersCLT += x
		}
		hedged := pr.hedge * rec
		pr.hedgeWait += hedged
		s.lots[i*s.nSlot+lotSlot] += rec - hedged
		usd := pr.feeCLT * pPrev
		pr.feeUSDSum += usd - pr.feeUSD[slot]
		pr.feeUSD[slot] = usd
	}

	// Grants: payout_rate of the pool, equally to active providers with s_t−1 < small_share.
	if s.grantsInForce {
		n := 0
		for i := range s.provs {
			if pr := &s.provs[i]; pr.active && pr.share < p.Grants.SmallShare {
				n++
			}
		}
		if n > 0 {
			payout := p.Grants.PayoutRate * s.pool
			s.pool -= payout
			each := payout / float64(n)
			for i := range s.provs {
				if pr := &s.provs[i]; pr.active && pr.share < p.Grants.SmallShare {
					pr.grantToday = each
					pr.grantCum += each
					s.receiveGrant(pr, each)
				}
			}
			d.grants = payout
		}
	}
	s.aud.ConsumerBoughtCLT += d.consumerCLT
	s.aud.ConsumerSpentUSD += d.consumerUSD
	s.aud.PoolFeeCLT += d.poolCLT
	s.aud.PoolFeeUSD += d.poolUSD
	s.aud.PoolBuybackUSD += d.buybackUSD
	s.aud.BurnedBuybackCLT += d.buybackCLT
	s.aud.BurnedFeeCLT += d.burnCLT
	s.aud.PoolGrantsUSD += d.grants
}

// providersDay sells the lots due today (and hedged receipts) unless the
// market is halted, books revenue, costs and cash, and retires providers
// whose cash is negative (§2.5, §10).
func (s *sim) providersDay(t int, pPrev float64) {
	p := s.p
	d := &s.day
	hc := p.Hedging.CostBps / 1e4
	slot := t % s.nSlot
	for i := range s.provs {
		pr := &s.provs[i]
		li := i*s.nSlot + slot
		pr.overdue += s.lots[li]
		s.lots[li] = 0
		if !d.halted {
			if clt := pr.overdue + pr.hedgeWait; clt > 0 {
				gross := clt * pPrev
				cost := pr.hedgeWait * pPrev * hc
				pr.revToday = gross - cost
				d.salesUSD += gross
				d.salesCLT += clt
				s.aud.ProviderSoldCLT += clt
				s.aud.ProviderSalesUSD += gross
				s.aud.HedgeCostUSD += cost
				pr.overdue, pr.hedgeWait = 0, 0
			}
		}
		if pr.active {
			pr.costToday = pr.mcost*pr.vol + pr.fixed
		}
		if s.lv.perProv {
			s.providerLevers(i, pr, t, pPrev) // futures mark and R&D (v2 §C.1, §C.2; levers.go)
		}
		pr.cash += pr.revToday - pr.costToday
		pr.revCum += pr.revToday
		pr.costCum += pr.costToday
		d.revenue += pr.revToday
		d.costs += pr.costToday
		if pr.startAct {
			d.volume += pr.vol
			d.costVol += pr.cost * pr.vol
		}
		if pr.active && pr.cash < 0 {
			pr.active = false
			pr.exitDay = t
			s.acc.exits++
			// Its queued lots are sold on the next trading day.
			for x := 0; x < s.nSlot; x++ {
				pr.overdue += s.lots[i*s.nSlot+x]
				s.lots[i*s.nSlot+x] = 0
			}
		}
	}
	s.aud.ProviderRevenueUSD += d.revenue
	s.aud.ProviderCostUSD += d.costs
	s.aud.ProviderGrantsUSD += d.grants
}

// maxImpact bounds |Flow_t/depth| in the daily log-price move.
const maxImpact = 1.0

// priceDay forms the close P_t (§2.6, §2.7, §10).
func (s *sim) priceDay(t int, lnPrev float64) error {
	if s.mkt.amm {
		return s.ammDay(t, lnPrev) // MODEL-SPEC-v2 §A (market.go)
	}
	p := s.p
	d := &s.day
	e := s.garchInnovation(t, s.spec.Schedule.RegimeOn(t))
	// J_t: scheduled shocks plus Poisson jumps (one uniform and one normal a day).
	j := s.addJumps(s.scheduledShock(t))
	flow := d.netFlowUSD()
	s.aud.NetFlowUSD += flow
	impact := 0.0
	if !math.IsInf(p.Market.DepthUSD, 1) {
		// Linear impact Flow/depth (§2.6), saturating at one depth a day: a net
		// flow beyond depth_usd moves ln P by at most 1. Only extreme paths
		// reach it (default flows are ~0.02 depth); without it, hold lots sold
		// at a price tens of times the peg feed back into explosive
		// oscillations that overflow the price.
		impact = max(-maxImpact, min(maxImpact, flow/p.Market.DepthUSD))
	}
	dS, err := s.supplyChange(t)
	if err != nil {
		return err
	}
	move := s.reg.Mu + e + j - s.reg.PegReversion*(lnPrev-math.Log(p.Market.Peg)) + impact -
		p.Supply.DilutionImpact*dS/s.supply
	if !isFinite(move) {
		return fmt.Errorf("%w: day %d: log-price move = %v (flow %v USD, innovation %v)", ErrNonFinite, t, move, flow, e)
	}
	w := max(p.CircuitBreaker.WindowDays, 1)
	lnClose, _ := s.cb.close(lnPrev, move, s.lnP[max(t-w, 0)])
	s.supply += dS
	s.lnP = append(s.lnP, lnClose)
	s.price = append(s.price, math.Exp(lnClose))
	s.rets = append(s.rets, lnClose-lnPrev)
	return nil
}

// metricsDay computes the day's metrics (§4.1), checks that everything is
// finite, feeds the streaming summary and records the day when due.
func (s *sim) metricsDay(t int) error {
	p := s.p
	d := &s.day
	pt := s.price[t]
	s.llmMetricsDay(t) // v2 §B.5 welfare and price metrics (llm_welfare.go)
	// Shares among providers that served today.
	m := 0
	nActive := 0
	leaderShare := 0.0
	for i := range s.provs {
		pr := &s.provs[i]
		if pr.active {
			nActive++
		}
		if !pr.startAct {
			continue
		}
		sh := 0.0
		if d.volume > 0 {
			sh = pr.vol / d.volume
			pr.share = sh
		}
		if i == s.leader {
			leaderShare = sh
		}
		s.shares[m] = sh
		m++
	}
	sh := s.shares[:m]
	hhi := HHI(sh)
	ent := Entropy(sh)
	top := 0.0
	for _, x := range sh {
		top = max(top, x)
	}
	nak := Nakamoto(sh, s.scratch)
	cost := 0.0
	if d.volume > 0 {
		cost = d.costVol / d.volume
	}

	if err := s.checkFinite(t, pt, cost); err != nil {
		return err
	}
	if err := s.marketMetricsDay(t); err != nil { // MODEL-SPEC-v2 §A (market_metrics.go)
		return err
	}

	// Streaming summary (§4.2).
	a := &s.acc
	r := s.rets[t-1]
	a.ret.add(r)
	a.peak = max(a.peak, pt)
	a.maxDD = max(a.maxDD, 1-pt/a.peak)
	peg := p.Market.Peg
	a.pegAbs += math.Abs(pt - peg)
	inBand := math.Abs(pt/peg-1) <= p.Metrics.PegBand
	if !inBand {
		a.outside++
	}
	if s.shock.has && a.recoveryDay < 0 && t >= s.shock.lastDay && inBand {
		a.recoveryDay = t - s.shock.lastDay
	}
	if a.fundDepletedDay < 0 &&
		((s.aud.FundInitialUSD > 0 && s.fundUSD < 0.01*s.aud.FundInitialUSD) ||
			(s.aud.FundInitialCLT > 0 && s.fundCLT < 0.01*s.aud.FundInitialCLT)) {
		a.fundDepletedDay = t
	}
	a.hhiSum += hhi
	if d.halted {
		a.haltedDays++
	}
	if hhi > 1800 {
		a.above1800++
	}
	if hhi > 2500 {
		a.above2500++
	}
	a.rev.add(d.revenue)
	a.served += d.volume
	a.desired += d.desired
	a.deferred += d.deferred
	a.costServed += d.costVol
	if cost > 0 {
		if a.costPrev > 0 {
			a.costChg.add(math.Log(cost / a.costPrev))
		}
		a.costPrev = cost
	}
	a.consumerCLT += d.consumerCLT
	a.supplySum += s.supply
	a.consumerDays += int64(len(s.cons))
	if t == s.T {
		a.hhiFinal, a.entFinal, a.topFinal, a.nakFinal = hhi, ent, top, nak
		a.effNFinal = EffectiveN(sh)
		a.cr4Final = CR(sh, 4, s.scratch)
		a.nActiveFinal = nActive
		a.leaderShareFinal = leaderShare
	}

	s.leverMetricsDay()

	// Record.
	if s.rec == nil || s.spec.RecordEveryDays <= 0 || (t%s.spec.RecordEveryDays != 0 && t != s.T) {
		return nil
	}
	st := &s.step
	*st = Step{
		RunID: s.spec.RunID, Day: int64(t), Price: pt, LogReturn: r, Sigma: math.Sqrt(s.s2),
		RealizedVol: d.sigmaHat, InBand: inBand, Halted: d.halted,
		FundReserveUSD: s.fundUSD, FundReserveCLT: s.fundCLT, SupplyCLT: s.supply,
		DesiredMtok: d.desired, ServedMtok: d.volume, BacklogMtok: d.backlog, CostUSDPerMtok: cost,
		HHI: hhi, Entropy: ent, NActive: int32(nActive), TopShare: top, Nakamoto: int32(nak),
		RevenueUSD: d.revenue, ProfitUSD: d.revenue - d.costs, GrantsUSD: d.grants,
		CapInForce: s.capInForce, GrantsInForce: s.grantsInForce,
		QACostUSDPerMtok: s.llm.qaDay, PriceIndex: s.llm.priceIdxDay, InsideShare: s.llm.insideDay,
	}
	s.marketStep(st)
	s.rec.Step(st)
	if s.spec.ProviderSteps {
		ps := &s.ps
		for i := range s.provs {
			pr := &s.provs[i]
			if !pr.startAct {
				continue
			}
			sh := 0.0
			if d.volume > 0 {
				sh = pr.vol / d.volume
			}
			*ps = ProviderStep{
				RunID: s.spec.RunID, Day: int64(t), Provider: pr.name, Share: sh, VolumeMtok: pr.vol,
				PriceCLTPerMtok: pr.pi, RevenueUSD: pr.revToday, ProfitUSD: pr.revToday - pr.costToday,
				CashUSD: pr.cash, Active: pr.active,
			}
			s.rec.ProviderStep(ps)
		}
	}
	return nil
}

// checkFinite ends the run when a state variable of day t is NaN or ±Inf.
func (s *sim) checkFinite(t int, price, cost float64) error {
	d := &s.day
	vals := [...]struct {
		name string
		v    float64
	}{
		{"price", price}, {"garch_variance", s.s2}, {"supply_clt", s.supply},
		{"fund_reserve_usd", s.fundUSD}, {"fund_reserve_clt", s.fundCLT}, {"grant_pool_usd", s.pool},
		{"desired_mtok", d.desired}, {"served_mtok", d.volume}, {"backlog_mtok", d.backlog},
		{"consumer_payments_usd", d.consumerUSD}, {"provider_sales_usd", d.salesUSD},
		{"revenue_usd", d.revenue}, {"costs_usd", d.costs}, {"cost_usd_per_mtok", cost},
		{"realized_vol", d.sigmaHat},
	}
	for _, x := range vals {
		if !isFinite(x.v) {
			return fmt.Errorf("%w: day %d: %s = %v", ErrNonFinite, t, x.name, x.v)
		}
	}
	if !(price > 0) {
		return fmt.Errorf("%w: day %d: price = %v (underflow)", ErrNonFinite, t, price)
	}
	for i := range s.provs {
		if pr := &s.provs[i]; !isFinite(pr.cash) {
			return fmt.Errorf("%w: day %d: cash_usd of provider %s = %v", ErrNonFinite, t, pr.name, pr.cash)
		}
	}
	return nil
}
