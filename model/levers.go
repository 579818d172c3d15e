package model

import (
	"math"
	"math/rand/v2"
)

// This file holds MODEL-SPEC-v2 §C, "levers that act": grants that buy
// capability, providers that invest in quality against a moving frontier, a
// one-off breakthrough for the leader (§C.1); hedging with short CLT futures
// (§C.2); votes by interest under four governance modes (§C.3); and their run
// metrics (§D). Each piece has its own switch whose v1 value restores
// MODEL-SPEC v1 exactly (model.DefaultV1, TestV1Reproduced).

// Switch values of MODEL-SPEC-v2 §C.
const (
	// GrantsUseCash: grants are USD cash (v1).
	GrantsUseCash = "cash"
	// GrantsUseQuality: grants raise quality by the law of qualityLaw.
	GrantsUseQuality = "quality"
	// GrantsUseCost: grants lower marginal cost by the law of costLaw.
	GrantsUseCost = "cost"

	// CentralizationRamp: the leader's quality grows linearly (v1).
	CentralizationRamp = "ramp"
	// CentralizationBreakthrough: a one-off quality jump for the leader.
	CentralizationBreakthrough = "breakthrough"

	// HedgingSpot: the hedged part of receipts is sold the same day (v1).
	HedgingSpot = "spot"
	// HedgingFutures: short CLT futures, marked to market daily.
	HedgingFutures = "futures"

	// VotingShareRule: a provider votes for the cap when its share is below
	// the cap and for grants when below grants.small_share (v1).
	VotingShareRule = "share_rule"
	// VotingInterest: a provider votes for a policy when its expected profit
	// over the next vote interval is higher with it.
	VotingInterest = "interest"

	// GovernanceOneMemberOneVote: every identity has one vote.
	GovernanceOneMemberOneVote = "one_member_one_vote"
	// GovernanceQuadratic: an identity's weight is √stake (Buterin, Hitzig &
	// Weyl 2019).
	GovernanceQuadratic = "quadratic"
)

// Random streams of §C. They are numbered apart from the v1 components (and
// from those other v2 mechanisms add) so that adding them changes no other
// stream; like every stream they depend on (seed, replicate, component) only.
const (
	// StreamHedging draws the futures basis noise: one normal a day under
	// hedging.mode futures, whatever the hedge ratio.
	StreamHedging Component = 101
	// StreamGovernance draws turnout: providers.max uniforms at every vote
	// when governance.turnout < 1.
	StreamGovernance Component = 102
)

// Defaults of §C shared by the v1 and v2 settings (the v1 switch values make
// them inert). All are assumptions; docs/model.md section C says why.
const (
	defaultQualityGainMax     = 0.5
	defaultHalfGainUSD        = 1.0e9
	defaultRDShare            = 0.1
	defaultObsolescence       = 0.5
	defaultBreakthroughDay    = 60
	defaultFundingRatePerYear = 0.05
	defaultBasisSD            = 0.002
	defaultTurnout            = 0.9
)

// capabilityMechanism is §C.1: grants buy capability, providers invest a
// share of profit in quality, quality falls behind a moving frontier, and
// centralization is a one-off breakthrough.
var capabilityMechanism = mechanism{
	name: "grants buy capability; R&D; obsolescence; breakthrough (v2 §C.1)",
	v1: func(p *Params) {
		capabilityDefaults(p)
		p.Grants.Use = GrantsUseCash
		p.Providers.RDShare = 0
		p.Providers.ObsolescencePerYear = 0
		p.Centralization.Mode = CentralizationRamp
	},
	v2: func(p *Params) {
		capabilityDefaults(p)
		p.Grants.Use = GrantsUseQuality
		p.Providers.RDShare = defaultRDShare
		p.Providers.ObsolescencePerYear = defaultObsolescence
		p.Centralization.Mode = CentralizationBreakthrough
	},
}

func capabilityDefaults(p *Params) {
	p.Grants.QualityGainMax = defaultQualityGainMax
	p.Grants.HalfGainUSD = defaultHalfGainUSD
	p.Centralization.BreakthroughDay = defaultBreakthroughDay
}

// hedgingMechanism is §C.2: short CLT futures with funding and basis noise.
var hedgingMechanism = mechanism{
	name: "hedging with short CLT futures (v2 §C.2)",
	v1: func(p *Params) {
		p.Hedging.Mode = HedgingSpot
		p.Hedging.FundingRatePerYear, p.Hedging.BasisSD = defaultFundingRatePerYear, defaultBasisSD
	},
	v2: func(p *Params) {
		p.Hedging.Mode = HedgingFutures
		p.Hedging.FundingRatePerYear, p.Hedging.BasisSD = defaultFundingRatePerYear, defaultBasisSD
	},
}

// governanceMechanism is §C.3: votes by interest, turnout, Sybil identities.
var governanceMechanism = mechanism{
	name: "governance by interest (v2 §C.3)",
	v1: func(p *Params) {
		p.Governance.Voting = VotingShareRule
		p.Governance.Turnout = 1
		p.Governance.SybilIdentities = 1
	},
	v2: func(p *Params) {
		p.Governance.Voting = VotingInterest
		p.Governance.Turnout = defaultTurnout
		p.Governance.SybilIdentities = 1
	},
}

// qualityLaw returns the quality of a provider with base quality b (before
// investment) and investment k USD (MODEL-SPEC-v2 §C.1; cumulative, net of
// obsolescence):
//
//	q = b + gainMax × (1 − b) × k/(k + halfGain),  capped at 1,
//
// so that k = halfGain buys half of the largest gain gainMax × (1 − b): the
// returns diminish both in the money spent and in the distance left to q = 1.
// With k = 0 it returns b exactly. halfGain must be > 0.
func qualityLaw(b, k, gainMax, halfGain float64) float64 {
	if !(k > 0) {
		return b
	}
	return min(1, b+gainMax*(1-b)*k/(k+halfGain))
}

// costLaw returns the marginal cost (USD per Mtok) of a provider whose
// marginal cost before grants is c0 after k USD of cumulative grants spent on
// cost (grants.use cost; MODEL-SPEC-v2 §C.1, the law of qualityLaw applied to
// the cost): c = c0 × (1 − gainMax × k/(k + halfGain)). With k = 0 it returns c0.
func costLaw(c0, k, gainMax, halfGain float64) float64 {
	if !(k > 0) {
		return c0
	}
	return c0 * (1 - gainMax*k/(k+halfGain))
}

// costGrantFactor returns the factor by which usd more of grants spent on
// cost scales the marginal cost of a provider that has spent k USD so far:
// costLaw after the grant over costLaw before it (grants.use cost).
func costGrantFactor(g *GrantsParams, k, usd float64) float64 {
	return costLaw(1, k+usd, g.QualityGainMax, g.HalfGainUSD) / costLaw(1, k, g.QualityGainMax, g.HalfGainUSD)
}

// leverState is the §C state of a run.
type leverState struct {
	dyn     bool // quality dynamics on (§C.1)
	fut     bool // futures hedging (§C.2)
	perProv bool // futures or R&D: providersDay calls providerLevers
	govV2   bool // governance other than v1's stake vote by share rule

	cBasis, cGov *rand.ChaCha8
	rBasis, rGov *rand.Rand

	fNow, fLast float64 // futures price today and at the last mark, USD/CLT
	// lockUSD and lockCLT run beside sim.lots: per lot, h × Σ x F_r (USD) and
	// the CLT Σ x covered, for hedge accounting (providerLevers).
	lockUSD, lockCLT []float64

	top                                       int // provider with the largest share on the last day, −1 none
	leaderChanges, captureDays                int
	capDays, grantsDays                       int
	capCapt, grantsCapt                       bool // the last vote's outcome was a capture
	hedgePnL                                  float64
	active                                    []int // scratch: active provider indices at a vote
	weight, gainCap, gainGrants               []float64
	voted, yesCap, yesGrants                  []bool
	util, lnc, margin, utilG, marginG, bonusG []float64
	grpW, grpB                                []float64 // demand and demand-weighted b by (provider, b bucket)
	volA, volB, probs                         []float64
}

// initLevers sets up the §C state at day 0 (after the incumbents exist and
// before the warm start, which uses each provider's spot hedge ratio).
func (s *sim) initLevers() {
	p := s.p
	lv := &s.lv
	lv.dyn = p.Grants.Use != GrantsUseCash || p.Providers.RDShare > 0 ||
		p.Providers.ObsolescencePerYear > 0 || p.Centralization.Mode == CentralizationBreakthrough
	lv.fut = p.Hedging.Mode == HedgingFutures
	lv.perProv = lv.fut || p.Providers.RDShare > 0
	g := &p.Governance
	lv.govV2 = g.Mode != GovernanceNone &&
		!(g.Mode == GovernanceStakeVote && g.Voting == VotingShareRule && g.Turnout >= 1)
	lv.fNow, lv.fLast = p.Market.Peg, p.Market.Peg
	lv.leaderChanges, lv.captureDays, lv.capDays, lv.grantsDays = 0, 0, 0, 0
	lv.capCapt, lv.grantsCapt = false, false
	lv.hedgePnL = 0
	lv.lockUSD, lv.lockCLT = lv.lockUSD[:0], lv.lockCLT[:0]
	if lv.fut {
		if lv.cBasis == nil {
			lv.cBasis = new(rand.ChaCha8)
			lv.rBasis = rand.New(lv.cBasis)
		}
		lv.cBasis.Seed(StreamSeed(s.spec.Seed, s.spec.Replicate, StreamHedging))
	}
	if g.Mode != GovernanceNone && g.Turnout < 1 {
		if lv.cGov == nil {
			lv.cGov = new(rand.ChaCha8)
			lv.rGov = rand.New(lv.cGov)
		}
		lv.cGov.Seed(StreamSeed(s.spec.Seed, s.spec.Replicate, StreamGovernance))
	}
	lv.top = -1
	best := -1.0
	for i := range s.provs {
		s.initProvLevers(&s.provs[i])
		if sh := s.p.Providers.Table[i].InitialShare; sh > best {
			best, lv.top = sh, i
		}
	}
}

// initProvLevers sets a new provider's §C state (incumbents at day 0, entrants
// on entry): its base quality and, under futures hedging, its futures hedge
// ratio (its spot hedge ratio is then 0).
func (s *sim) initProvLevers(pr *prov) {
	pr.qBase, pr.capUSD, pr.costUSD, pr.boost = pr.q, 0, 0, 0
	pr.futH, pr.futN, pr.hedgeDef, pr.lockOver, pr.lockOverCLT = 0, 0, 0, 0, 0
	if s.lv.fut {
		pr.futH, pr.hedge = pr.hedge, 0
	}
}

// qualityDay moves quality for day t (§C.1). The frontier moves, so what
// put a provider ahead depreciates: its investment K and the leader's
// breakthrough advantage shrink by the factor exp(−obsolescence_per_year/365)
// a day (a provider that stops investing falls back to its day-0 quality;
// the day-0 qualities themselves, like the outside option, are measured
// against the moving frontier and do not fall). The leader's advantage jumps
// by breakthrough_size on breakthrough_day (mode breakthrough) or grows by
// quality_growth_per_year/365 a day (mode ramp). q = qualityLaw(b, K) with
// b = min(1, q0 + advantage).
func (s *sim) qualityDay(t int) {
	if !s.lv.dyn {
		return
	}
	p := s.p
	keep := 1.0
	if d := p.Providers.ObsolescencePerYear; d > 0 {
		keep = math.Exp(-d / 365)
	}
	c := &p.Centralization
	for i := range s.provs {
		pr := &s.provs[i]
		if !pr.active {
			continue
		}
		if keep != 1 {
			pr.capUSD *= keep
			pr.boost *= keep
		}
		if i == s.leader {
			switch {
			case c.Mode == CentralizationBreakthrough && t == c.BreakthroughDay:
				pr.boost += c.BreakthroughSize
			case c.Mode == CentralizationRamp && c.QualityGrowthPerYear != 0:
				pr.boost += c.QualityGrowthPerYear / 365
			}
		}
		pr.qBase = min(1, pr.q0+pr.boost)
		pr.q = qualityLaw(pr.qBase, pr.capUSD, p.Grants.QualityGainMax, p.Grants.HalfGainUSD)
	}
}

// receiveGrant pays a grant of usd to pr according to grants.use (§C.1):
// cash (v1), or spent at once on quality (raising K, effective from the next
// day's quality) or on marginal cost (effective at once).
func (s *sim) receiveGrant(pr *prov, usd float64) {
	g := &s.p.Grants
	switch g.Use {
	case GrantsUseQuality:
		pr.capUSD += usd
		s.aud.ProviderGrantsInvestedUSD += usd
	case GrantsUseCost:
		// The law scales the cost and its base before the decline of §B.3
		// (mcost = mcost0 × exp(−δ t/365)), so both carry the reduction.
		r := costGrantFactor(g, pr.costUSD, usd)
		pr.costUSD += usd
		pr.mcost *= r
		pr.mcost0 *= r
		s.aud.ProviderGrantsInvestedUSD += usd
	default:
		pr.cash += usd
	}
}

// futuresPrice draws today's futures price F = P_t−1 × exp(σ_b z − σ_b²/2)
// (basis noise with mean 1; §C.2), one normal a day under futures hedging.
func (s *sim) futuresPrice(pPrev float64) {
	if !s.lv.fut {
		return
	}
	sd := s.p.Hedging.BasisSD
	z := s.lv.rBasis.NormFloat64()
	s.lv.fNow = pPrev * math.Exp(sd*z-sd*sd/2)
}

// heldCLT returns the CLT provider i holds awaiting sale (lots, overdue and
// spot-hedged CLT).
func (s *sim) heldCLT(i int) float64 {
	pr := &s.provs[i]
	held := pr.overdue + pr.hedgeWait
	for x := 0; x < s.nSlot; x++ {
		held += s.lots[i*s.nSlot+x]
	}
	return held
}

// providerLevers is called by providersDay for provider i on day t after
// its revenue and costs of the day are known and before its cash and exit
// (§C.1, §C.2).
//
// Futures: the short position N set yesterday is marked to market, P&L
// −N × (F_t − F_last), and pays funding funding_rate/365 × N × F_last, both
// through cash at once (margin: a loss in a rally can make a thin-cash
// provider exit). Funding is an expense of the day. The mark-to-market P&L is
// recognized in revenue when the hedged CLT is sold (cash-flow hedge
// accounting, IFRS 9 §6.5.11): each lot is locked at the futures price of the
// day its position was opened, F_r, so its sale at P_t−1 books
// x × ((1 − h) P_t−1 + h F_r) plus the basis difference h x (P_t−1 − F_t).
//
// R&D: rd_share of the day's positive operating profit (revenue − costs) is
// spent on quality: added to costs and to the provider's investment K.
func (s *sim) providerLevers(i int, pr *prov, t int, pPrev float64) {
	p := s.p
	if s.lv.fut {
		lv := &s.lv
		mtm, fund := 0.0, 0.0
		if pr.futN != 0 {
			mtm = -pr.futN * (lv.fNow - lv.fLast)
			fund = p.Hedging.FundingRatePerYear / 365 * pr.futN * lv.fLast
			lv.hedgePnL += mtm - fund
			s.aud.HedgePnLUSD += mtm - fund
		}
		// Today's sale slot (moved to overdue by providersDay) takes its lock along.
		if li := i*s.nSlot + t%s.nSlot; li < len(lv.lockUSD) {
			lv.releaseLock(pr, li)
		}
		rec := -fund
		if pr.revToday > 0 { // the overdue CLT was sold today (spot hedge ratio is 0)
			rec += pr.lockOver - pr.futH*pr.lockOverCLT*lv.fNow
			pr.lockOver, pr.lockOverCLT = 0, 0
		}
		pr.hedgeDef += mtm - fund - rec
		pr.revToday += rec
		pr.cash += mtm - fund - rec // the rest moves cash now; rec does through revenue
	}
	if rd := p.Providers.RDShare; rd > 0 && pr.active {
		if op := pr.revToday - pr.costToday; op > 0 {
			x := rd * op
			pr.costToday += x
			pr.capUSD += x
		}
	}
}

// releaseLock moves the hedge lock of lot slot li to pr's locks of overdue
// CLT (the slot's CLT left the lot ring: due today, or its provider exited).
func (lv *leverState) releaseLock(pr *prov, li int) {
	pr.lockOver += lv.lockUSD[li]
	pr.lockOverCLT += lv.lockCLT[li]
	lv.lockUSD[li], lv.lockCLT[li] = 0, 0
}

// hedgePositions sets each provider's short futures position after the day's
// sales (§C.2): hedge_ratio × the CLT it holds, i.e. the receipts of the
// holding period (hold_days) awaiting sale, and locks newly held CLT at
// today's futures price. Receipts expected later are not hedged: their CLT
// quantity is not fixed — demand responds to the USD cost π × P with
// elasticity ε, so a provider's USD revenue per day moves with (π P)^(1−ε),
// nearly insensitive to P at ε ≈ 1.2, and a short on them would add exposure
// rather than remove it (docs/model.md section C). A provider that exited
// holds none: its locks are realized at today's price.
func (s *sim) hedgePositions() {
	if !s.lv.fut {
		return
	}
	lv := &s.lv
	lv.lockUSD = grow(lv.lockUSD, len(s.lots))
	lv.lockCLT = grow(lv.lockCLT, len(s.lots))
	f := lv.fNow
	for i := range s.provs {
		pr := &s.provs[i]
		if pr.futH == 0 {
			pr.futN = 0
			continue
		}
		base := i * s.nSlot
		if !pr.active {
			for x := 0; x < s.nSlot; x++ {
				lv.releaseLock(pr, base+x)
			}
			pr.lockOver -= pr.futH * pr.lockOverCLT * f
			pr.lockOverCLT = 0
			pr.futN = 0
			continue
		}
		for x := 0; x < s.nSlot; x++ {
			if add := s.lots[base+x] - lv.lockCLT[base+x]; add > 0 {
				lv.lockUSD[base+x] += pr.futH * add * f
				lv.lockCLT[base+x] = s.lots[base+x]
			}
		}
		pr.futN = pr.futH * s.heldCLT(i)
	}
	lv.fLast = f
}

// hedgeDeferred returns the futures P&L paid through cash but not yet
// recognized in revenue, summed over providers (the audit's final balance).
func (s *sim) hedgeDeferred() float64 {
	x := 0.0
	for i := range s.provs {
		x += s.provs[i].hedgeDef
	}
	return x
}

// leverMetricsDay updates the §D counters at the end of day t: a change of
// the provider with the largest share of the day's volume, the days each
// governable policy was in force, and the days of capture.
func (s *sim) leverMetricsDay() {
	lv := &s.lv
	if s.day.volume > 0 {
		top, best := -1, -1.0
		for i := range s.provs {
			if pr := &s.provs[i]; pr.startAct && pr.vol > best {
				best, top = pr.vol, i
			}
		}
		if top >= 0 {
			if lv.top >= 0 && top != lv.top {
				lv.leaderChanges++
			}
			lv.top = top
		}
	}
	if s.capInForce {
		lv.capDays++
	}
	if s.grantsInForce {
		lv.grantsDays++
	}
	if lv.capCapt {
		lv.captureDays++
	}
	if lv.grantsCapt {
		lv.captureDays++
	}
}

// leverSummary writes the §D run metrics; the lever-only ones point into box
// (the run's one allocation for nullable values) and stay nil (Parquet null)
// when their lever is off (LeverOn, nulls.go).
func (s *sim) leverSummary(sum *Summary, box *leverVals) {
	lv := &s.lv
	sum.LeaderChanges = int32(lv.leaderChanges)
	if on, _ := LeverOn(s.p, LeverHedging); on {
		box.hedgePnL = lv.hedgePnL
		sum.HedgePnLUSD = &box.hedgePnL
	}
	if on, _ := LeverOn(s.p, LeverGovernance); on {
		box.captureDays = int32(lv.captureDays)
		sum.CaptureDays = &box.captureDays
	}
	if on, _ := LeverOn(s.p, LeverShareCap); on {
		box.capDays = int32(lv.capDays)
		sum.CapInForceDays = &box.capDays
	}
	if on, _ := LeverOn(s.p, LeverGrants); on {
		box.grantsDays = int32(lv.grantsDays)
		sum.GrantsInForceDays = &box.grantsDays
	}
}

// shareRuleCapture records, after a v1 stake vote by share rule, whether each
// governable policy was captured: enabled, failed, and wanted by a majority of
// the active providers by count (§C.3).
func (s *sim) shareRuleCapture() {
	p := s.p
	nAct, yesCap, yesGr := 0, 0, 0
	for i := range s.provs {
		if pr := &s.provs[i]; pr.active {
			nAct++
			if pr.share < p.ShareCap.Cap {
				yesCap++
			}
			if pr.share < p.Grants.SmallShare {
				yesGr++
			}
		}
	}
	s.lv.capCapt = p.ShareCap.Enabled && !s.capInForce && 2*yesCap > nAct
	s.lv.grantsCapt = p.Grants.Enabled && !s.grantsInForce && 2*yesGr > nAct
}

// identityWeights returns the voting weight of each actor (provider) under a
// governance mode (§C.3) given stakes (any scale) and the index of the
// largest provider, which splits its stake across sybil ≥ 1 identities:
// stake_vote weighs each identity by its stake (splitting changes nothing),
// one_member_one_vote gives each identity 1, quadratic gives each identity
// √stake (Buterin, Hitzig & Weyl 2019), so the splitter's weight is
// sybil × √(stake/sybil) = √sybil × √stake. out must have len(stakes).
func identityWeights(mode string, stakes []float64, lead, sybil int, out []float64) {
	total := 0.0
	for _, x := range stakes {
		total += x
	}
	for k, x := range stakes {
		st := 1 / float64(len(stakes))
		if total > 0 {
			st = x / total
		}
		n := 1.0
		if k == lead && sybil > 1 {
			n = float64(sybil)
		}
		switch mode {
		case GovernanceOneMemberOneVote:
			out[k] = n
		case GovernanceQuadratic:
			out[k] = n * math.Sqrt(st/n)
		default:
			out[k] = st
		}
	}
}

// tally decides one policy from the actors' weights, turnout and votes (§C.3):
// it passes when the yes-weight is at least threshold × the weight of the
// votes cast; with no vote cast the status quo holds. It is blocked when it
// fails, the lead actor voted no, holds more than 1 − threshold of the votes
// cast, and its yes would have passed it (v1's definition).
func tally(w []float64, voted, yes []bool, lead int, threshold float64, statusQuo bool) (pass, blocked bool) {
	cast, yesW := 0.0, 0.0
	for k := range w {
		if voted[k] {
			cast += w[k]
			if yes[k] {
				yesW += w[k]
			}
		}
	}
	if !(cast > 0) {
		return statusQuo, false
	}
	const eps = 1e-12
	if yesW >= threshold*cast-eps*cast {
		return true, false
	}
	if lead >= 0 && voted[lead] && !yes[lead] {
		wl := w[lead]
		blocked = wl > (1-threshold)*cast && yesW+wl >= threshold*cast-eps*cast
	}
	return false, blocked
}

// voteV2 holds a vote on the governable policies under governance.mode and
// governance.voting (§C.3): every active provider's preference (its share
// rule, or its interest: the expected profit over the next interval with and
// without the policy, interestGains), turnout drawn from the governance
// stream, identity weights, and tally. Each policy is judged with the other
// at its current state. A policy a majority of active providers (by count)
// wanted that failed is a capture.
func (s *sim) voteV2() {
	p := s.p
	g := &p.Governance
	lv := &s.lv
	lv.active = lv.active[:0]
	lead, best := -1, -1.0
	for i := range s.provs {
		if pr := &s.provs[i]; pr.active {
			if pr.stake > best {
				best, lead = pr.stake, len(lv.active)
			}
			lv.active = append(lv.active, i)
		}
	}
	n := len(lv.active)
	lv.weight = grow(lv.weight, n)
	lv.gainCap = grow(lv.gainCap, n)
	lv.gainGrants = grow(lv.gainGrants, n)
	lv.voted = grow(lv.voted, n)
	lv.yesCap = grow(lv.yesCap, n)
	lv.yesGrants = grow(lv.yesGrants, n)
	stakes := s.scratch[:0]
	for _, i := range lv.active {
		stakes = append(stakes, s.provs[i].stake)
	}
	identityWeights(g.Mode, stakes, lead, g.SybilIdentities, lv.weight)
	// Turnout: providers.max uniforms at every vote (common random numbers).
	for k := range lv.voted {
		lv.voted[k] = true
	}
	if g.Turnout < 1 {
		for k := 0; k < p.Providers.Max; k++ {
			u := lv.rGov.Float64()
			if k < n {
				lv.voted[k] = u < g.Turnout
			}
		}
	}
	if g.Voting == VotingInterest {
		s.interestGains()
	}
	yc, yg := 0, 0
	for k, i := range lv.active {
		pr := &s.provs[i]
		if g.Voting == VotingInterest {
			lv.yesCap[k], lv.yesGrants[k] = lv.gainCap[k] > 0, lv.gainGrants[k] > 0
		} else {
			lv.yesCap[k], lv.yesGrants[k] = pr.share < p.ShareCap.Cap, pr.share < p.Grants.SmallShare
		}
		if lv.yesCap[k] {
			yc++
		}
		if lv.yesGrants[k] {
			yg++
		}
	}
	s.capInForce, s.capBlocked, lv.capCapt = false, false, false
	if p.ShareCap.Enabled {
		s.capInForce, s.capBlocked = tally(lv.weight, lv.voted, lv.yesCap, lead, g.Threshold, s.capInForce)
		lv.capCapt = !s.capInForce && 2*yc > n
	}
	s.grantsInForce, s.grantsBlocked, lv.grantsCapt = false, false, false
	if p.Grants.Enabled {
		s.grantsInForce, s.grantsBlocked = tally(lv.weight, lv.voted, lv.yesGrants, lead, g.Threshold, s.grantsInForce)
		lv.grantsCapt = !s.grantsInForce && 2*yg > n
	}
}

// gainBuckets is the number of price-sensitivity classes into which
// interestGains groups consumers (with their current provider).
const gainBuckets = 12

// interestGains sets lv.gainCap and lv.gainGrants: for each active provider,
// its expected profit over the next vote interval (V days) with the policy
// minus without it, the other policy at its current state (§C.3). Expected
// profit is the margin × expected volume + grant cash, where the margin is
// the USD it receives per Mtok after fees minus its marginal cost, and the
// expected volume uses the model's own demand at current prices: a consumer
// of base demand d_j with provider k_j keeps it unless it reviews; over the
// interval a fraction ρ̄ = mean_{d=1..V} (1 − (1 − r)^d) of demand has
// reviewed and chooses by the logit of §2.1 (switching cost, network term at
// current shares, availability under the cap). Consumers are grouped by
// current provider and price sensitivity class. Fixed costs, entry and the
// feedback of shares on the network term are left out.
func (s *sim) interestGains() {
	p := s.p
	lv := &s.lv
	n := len(lv.active)
	V := float64(p.Governance.VoteIntervalDays)
	r := p.Consumers.ReviewRate
	rho := 1.0
	switch {
	case r == 0:
		rho = 0
	case r < 1:
		rho = 1 - (1-r)*(1-math.Pow(1-r, V))/(V*r)
	}
	// Per-provider utility parts, log cost and margin at current prices.
	lv.util = grow(lv.util, n)
	lv.lnc = grow(lv.lnc, n)
	lv.margin = grow(lv.margin, n)
	lv.utilG = grow(lv.utilG, n)
	lv.marginG = grow(lv.marginG, n)
	lv.bonusG = grow(lv.bonusG, n)
	wq := p.Consumers.QualityWeight
	keep := 1 - p.Fees.ProtocolFee - p.Fees.BurnFraction
	pPrev := s.price[len(s.price)-1]
	gr := &p.Grants
	nElig := 0
	for _, i := range lv.active {
		if s.provs[i].share < gr.SmallShare {
			nElig++
		}
	}
	grant := 0.0
	if nElig > 0 {
		grant = s.pool * (1 - math.Pow(1-gr.PayoutRate, V)) / float64(nElig)
	}
	for k, i := range lv.active {
		pr := &s.provs[i]
		cost := pr.listPrice / s.pRef * pPrev
		lv.lnc[k] = math.Log(cost)
		u := s.netUtility(pr)
		lv.util[k] = u
		lv.margin[k] = cost*keep - pr.mcost
		lv.utilG[k], lv.marginG[k], lv.bonusG[k] = u, lv.margin[k], 0
		if pr.share < gr.SmallShare && grant > 0 {
			switch gr.Use {
			case GrantsUseQuality:
				q := qualityLaw(pr.qBase, pr.capUSD+grant, gr.QualityGainMax, gr.HalfGainUSD)
				lv.utilG[k] += wq * (q - pr.q)
			case GrantsUseCost:
				lv.marginG[k] += pr.mcost * (1 - costGrantFactor(gr, pr.costUSD, grant))
			default:
				lv.bonusG[k] = grant
			}
		}
	}
	// Group consumers by (current provider's position in lv.active, or n for
	// none) and price-sensitivity class.
	pos := s.wts[:len(s.provs)]
	for i := range pos {
		pos[i] = float64(n)
	}
	for k, i := range lv.active {
		pos[i] = float64(k)
	}
	lv.grpW = grow(lv.grpW, (n+1)*gainBuckets)
	lv.grpB = grow(lv.grpB, (n+1)*gainBuckets)
	for x := range lv.grpW {
		lv.grpW[x], lv.grpB[x] = 0, 0
	}
	lnB0 := math.Log(max(p.Consumers.PriceWeight, 1e-300))
	span := 3 * p.Consumers.PriceWeightSigma
	for j := range s.cons {
		c := &s.cons[j]
		g := n
		if c.k >= 0 {
			g = int(pos[c.k])
		}
		b := 0
		if span > 0 && c.b > 0 {
			z := (math.Log(c.b) - lnB0 + span) / (2 * span)
			b = min(max(int(z*gainBuckets), 0), gainBuckets-1)
		}
		lv.grpW[g*gainBuckets+b] += c.d
		lv.grpB[g*gainBuckets+b] += c.d * c.b
	}
	closedNow := func(k int) bool { return s.provs[lv.active[k]].closed }
	wouldClose := func(k int) bool {
		pr := &s.provs[lv.active[k]]
		return pr.share >= p.ShareCap.Cap || (pr.closed && pr.share >= p.ShareCap.Cap-p.ShareCap.Hysteresis)
	}
	never := func(int) bool { return false }
	capNow := never
	if s.capInForce {
		capNow = closedNow
	}
	lv.volA = grow(lv.volA, n)
	lv.volB = grow(lv.volB, n)
	// Cap: with (closed as the cap would close) vs without (all open).
	s.expectedVolumes(lv.volA, lv.util, wouldClose, rho)
	s.expectedVolumes(lv.volB, lv.util, never, rho)
	for k := range lv.gainCap {
		lv.gainCap[k] = V * lv.margin[k] * (lv.volA[k] - lv.volB[k])
	}
	// Grants: with (the grant's effect on utility, margin or cash) vs without,
	// under the cap's current state.
	s.expectedVolumes(lv.volA, lv.utilG, capNow, rho)
	s.expectedVolumes(lv.volB, lv.util, capNow, rho)
	for k := range lv.gainGrants {
		lv.gainGrants[k] = V*(lv.marginG[k]*lv.volA[k]-lv.margin[k]*lv.volB[k]) + lv.bonusG[k]
	}
}

// expectedVolumes sets vol[k] to the expected daily volume (Mtok) of active
// provider k over the next interval given utilities util (ξ + w_q q + network
// term), closed (which providers take no new customers) and the reviewed
// fraction rho (see interestGains). A consumer's own provider is always
// available; with none available, all active providers are.
func (s *sim) expectedVolumes(vol, util []float64, closed func(int) bool, rho float64) {
	lv := &s.lv
	n := len(vol)
	kappa := s.p.Consumers.SwitchingCost
	lv.probs = grow(lv.probs, n)
	for k := range vol {
		vol[k] = 0
	}
	anyOpen := false
	for k := 0; k < n; k++ {
		if !closed(k) {
			anyOpen = true
		}
	}
	for g := 0; g <= n; g++ {
		for b := 0; b < gainBuckets; b++ {
			w := lv.grpW[g*gainBuckets+b]
			if !(w > 0) {
				continue
			}
			bj := lv.grpB[g*gainBuckets+b] / w
			best := math.Inf(-1)
			for k := 0; k < n; k++ {
				lv.probs[k] = math.Inf(-1)
				if anyOpen && closed(k) && k != g {
					continue
				}
				u := util[k] - bj*lv.lnc[k]
				if g < n && k != g {
					u -= kappa
				}
				lv.probs[k] = u
				best = max(best, u)
			}
			if math.IsInf(best, -1) {
				continue
			}
			sum := 0.0
			for k := 0; k < n; k++ {
				e := math.Exp(lv.probs[k] - best)
				lv.probs[k] = e
				sum += e
			}
			stay := 0.0
			if g < n {
				stay = 1 - rho
				vol[g] += w * stay
			}
			move := w * (1 - stay) / sum
			for k := 0; k < n; k++ {
				vol[k] += move * lv.probs[k]
			}
		}
	}
}

// levers validates the §C parameters (called by Params.Validate).
func (c *checker) levers(p *Params) {
	c.oneOf("grants.use", p.Grants.Use, GrantsUseCash, GrantsUseQuality, GrantsUseCost)
	c.unit("grants.quality_gain_max", p.Grants.QualityGainMax)
	c.positive("grants.half_gain_usd", p.Grants.HalfGainUSD)
	c.unit("providers.rd_share", p.Providers.RDShare)
	c.nonneg("providers.obsolescence_per_year", p.Providers.ObsolescencePerYear)
	c.oneOf("centralization.mode", p.Centralization.Mode, CentralizationRamp, CentralizationBreakthrough)
	c.unit("centralization.breakthrough_size", p.Centralization.BreakthroughSize)
	c.intMin("centralization.breakthrough_day", p.Centralization.BreakthroughDay, 1)
	c.oneOf("hedging.mode", p.Hedging.Mode, HedgingSpot, HedgingFutures)
	c.finite("hedging.funding_rate_per_year", p.Hedging.FundingRatePerYear)
	c.nonneg("hedging.basis_sd", p.Hedging.BasisSD)
	c.oneOf("governance.voting", p.Governance.Voting, VotingShareRule, VotingInterest)
	c.openClosed("governance.turnout", p.Governance.Turnout, 0, 1)
	c.intMin("governance.sybil_identities", p.Governance.SybilIdentities, 1)
}

// leverMetrics are the run metrics of MODEL-SPEC-v2 §C (§D).
var leverMetrics = []Metric{
	{Name: "leader_changes", Table: TableRuns, Family: FamilyDiversity, Unit: "changes", Label: "Changes of the largest provider", Description: "Days on which the provider with the largest share of the day's volume differs from the previous day's (MODEL-SPEC-v2 §C.1, §D).", Lo: 0, Hi: infHi, Better: Neutral, Integer: true, Version: 2},
	{Name: "hedge_pnl_usd", Table: TableRuns, Family: FamilyProfitability, Unit: "USD", Label: "Providers' futures hedge profit and loss", Description: "Σ over providers and days of the short CLT futures' mark-to-market P&L less funding (MODEL-SPEC-v2 §C.2); included in provider revenue as the hedged CLT is sold; null without futures hedging.", Lo: unbounded, Hi: unbounded, Better: Neutral, HeavyTailed: true, LeverOnly: "hedging", Version: 2},
	{Name: "capture_days", Table: TableRuns, Family: FamilyGovernance, Unit: "policy-days", Label: "Days a policy most providers wanted was voted down", Description: "Σ over the governable policies of the days a policy that a majority of active providers by count wanted failed its vote by weight (MODEL-SPEC-v2 §C.3); null without governance.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, LeverOnly: "governance", Version: 2},
	{Name: "cap_in_force_days", Table: TableRuns, Family: FamilyGovernance, Unit: "days", Label: "Days the share cap was in force", Description: "Days the market-share cap was in force (enabled, and passed by the last vote under governance; MODEL-SPEC-v2 §C.3, §D); null without the cap.", Lo: 0, Hi: infHi, Better: Neutral, Integer: true, LeverOnly: "share_cap", Version: 2},
	{Name: "grants_in_force_days", Table: TableRuns, Family: FamilyGovernance, Unit: "days", Label: "Days grants were in force", Description: "Days grants were in force (enabled, and passed by the last vote under governance; MODEL-SPEC-v2 §C.3, §D); null without grants.", Lo: 0, Hi: infHi, Better: Neutral, Integer: true, LeverOnly: "grants", Version: 2},
}
