package model

import "math"

// exposureCapDays caps a consumer's token exposure (a consumer plans over at
// most a year of spend).
const exposureCapDays = 365

// TokenExposureDays returns a consumer's exposure to the token price in days
// of its spend (MODEL-SPEC-v2 §B.4): the days of spend whose USD value is
// fixed in CLT, namely its prepaid balance (prepaidDays) plus, when list
// prices are set in CLT between resets (reprice interval k > 0), the mean
// time k/2 until the next reset; at most 365. With daily indexing (k = 0) and
// no prepaid balance it is 0: the consumer bears no token risk.
func TokenExposureDays(prepaidDays float64, repriceIntervalDays int) float64 {
	x := prepaidDays
	if repriceIntervalDays > 0 {
		x += float64(repriceIntervalDays) / 2
	}
	return min(x, exposureCapDays)
}

// DirectionalDeferral returns the fraction f of non-critical usage deferred
// and the fraction pull of the backlog pulled forward today (MODEL-SPEC-v2
// §B.4): with gain the expected saving from waiting (log points: ln of
// today's CLT price over its TWAP, to which it is expected to revert; 0 under
// daily indexing) and rho the cost risk (σ̂ × √(exposure/365), the sd of the
// log USD cost over the exposure), f = clamp((gain + rho − g0)/(g1 − g0), 0, 1)
// and, when the token is cheap (gain < −g0), pull = clamp((−gain − g0)/(g1 −
// g0), 0, 1), else 0.
func DirectionalDeferral(gain, rho, g0, g1 float64) (f, pull float64) {
	clamp := func(x float64) float64 { return max(0, min(1, x)) }
	f = clamp((gain + rho - g0) / (g1 - g0))
	if gain < -g0 {
		pull = clamp((-gain - g0) / (g1 - g0))
	}
	return f, pull
}

// llmDayTerms sets today's risk and deferral terms from prices up to P_t−1.
func (s *sim) llmDayTerms(t int) {
	p := s.p
	L := &s.llm
	cp := &p.Consumers
	L.sigmaHat = realizedVol(s.rets, cp.VolWindowDays)
	x := TokenExposureDays(cp.PrepaidDays, p.Pricing.RepriceIntervalDays)
	L.rho = L.sigmaHat * math.Sqrt(x/365)
	L.risk = cp.RiskAversion * L.rho
	L.gain = 0
	if p.Pricing.RepriceIntervalDays > 0 {
		w := max(p.Pricing.TWAPDays, 1)
		from := max(t-w, 0)
		sum := 0.0
		for _, x := range s.price[from:t] {
			sum += x
		}
		L.gain = math.Log(s.price[t-1] / (sum / float64(t-from)))
	}
	L.f, L.pull = 0, 0
	if cp.DeferralMode == DeferralDirectional {
		L.f, L.pull = DirectionalDeferral(L.gain, L.rho, cp.DeferGainStart, cp.DeferGainFull)
	}
}

// refConsumersDay is the reference engine's consumer loop (MODEL-SPEC §2.1,
// §2.2, §10; v2 §B.1, §B.2, §B.4): each consumer draws one uniform u from the
// choice stream every day (common random numbers). It reviews when u <
// review_rate, or always when it has no provider (arrivals) or its provider
// is gone; the choice uniform is u rescaled within the part of [0,1) it fell
// in, which is again uniform and independent of the review decision. Then
// its demand, deferral and backlog. With every §B switch off (s.llm.on
// false, model.version 1) it is v1's loop bit for bit: no outside option, the
// reference cost reset at each review, v1 deferral, and a consumer without a
// provider keeps (and decays) its backlog; under §B that backlog is
// abandoned. It allocates nothing.
func (s *sim) refConsumersDay() {
	p := &s.p.Consumers
	d := &s.day
	L := &s.llm
	v2 := L.on
	rr := p.ReviewRate
	f, rel, keep := s.backlogTerms()
	refA := L.refA
	ch := s.cChoice
	act, cpn, powEps, vol := s.act, s.cpn, s.powEps, s.vol
	var desired, deferred, backlog, released, abandoned, outside float64
	for j := range s.cons {
		c := &s.cons[j]
		u := uniform01(ch.Uint64())
		k := c.k
		if u < rr || k == -1 || (k >= 0 && !act[k]) {
			var v float64
			if u < rr {
				v = u / rr
			} else {
				v = (u - rr) / (1 - rr)
			}
			old, oldDsc := k, c.dsc
			k = s.choose(c.b, k, v)
			s.chosen(c, old, k)
			s.llmMove(j, old, oldDsc)
		}
		if k < 0 {
			if !v2 { // v1: no active provider at all, nothing is served
				desired += c.d
				c.backlog *= keep
				backlog += c.backlog
				continue
			}
			// Outside the token system (or no option at all): base demand
			// d_j, served outside; its token backlog is abandoned.
			b := c.backlog
			abandoned += b
			c.backlog = 0
			if k == kOutside {
				outside += c.d
			} else {
				desired += c.d
			}
			continue
		}
		dj := c.dsc * cpn[k]
		if refA > 0 { // ln-free smoothing of c_ref^ε toward today's cost^ε
			c.dsc += refA * (c.d*powEps[k] - c.dsc)
		}
		def := c.u * f * dj
		b, rl, ab := backlogDay(c.backlog, def, rel, keep, f == 0)
		served := rl + (dj - def)
		released += rl
		abandoned += ab
		c.backlog = b
		vol[k] += served
		desired += dj
		deferred += def
		backlog += b
	}
	d.desired, d.deferred, d.backlog = desired, deferred, backlog
	L.released, L.abandoned, L.outsideMtok = released, abandoned, outside
}

// choose samples an option for a reviewing consumer with price sensitivity b
// and current provider k (−1 for none, kOutside outside) by inverting the
// logit CDF at the uniform v (MODEL-SPEC §2.1, §10, v2 §B.1, §B.4).
// Available: active and open providers, plus k itself when it is active but
// closed by the cap; with none available, all active providers; and the
// outside option when outside.enabled. Token option i has utility
// a_i − b ln cost_i − risk_aversion × ρ_t − κ 1[i ≠ k], the outside option
// U_0 − κ 1[k is a provider]; arrivals (k = −1) pay no switching cost. It
// returns kOutside for the outside option and −1 only when there is no
// option at all.
func (s *sim) choose(b float64, k int32, v float64) int32 {
	kappa := s.p.Consumers.SwitchingCost
	L := &s.llm
	cs := &s.cs
	own := s.keepsClosed(k)
	set := &cs.open
	if len(set.idx) == 0 && !own {
		set = &cs.active
	}
	n := len(set.idx)
	total := n
	if own {
		total++
	}
	nTok := total
	if L.outside {
		total++
	}
	if total == 0 {
		return -1
	}
	cw := s.cw[:total]
	aOwn := 0.0
	if own {
		aOwn = s.aNet[k]
	}
	best := s.utilities(cw, set.a, set.lc[:n], set.idx[:n], aOwn, b, kappa, k, own)
	if math.IsInf(best, -1) { // every network term is ln 0: ignore the network effect
		if own {
			aOwn = s.aBase[k]
		}
		best = s.utilities(cw, set.base, set.lc[:n], set.idx[:n], aOwn, b, kappa, k, own)
	}
	at := func(x int) int32 {
		switch {
		case x == nTok:
			return kOutside
		case x == n:
			return k
		}
		return set.idx[x]
	}
	if math.IsInf(best, -1) {
		return at(min(int(v*float64(total)), total-1))
	}
	sum := 0.0
	for x, u := range cw {
		w := math.Exp(u - best)
		cw[x] = w
		sum += w
	}
	target := v * sum
	acc := 0.0
	last := -1
	for x, w := range cw {
		if w == 0 {
			continue
		}
		acc += w
		last = x
		if target < acc {
			break
		}
	}
	if last < 0 {
		return -1
	}
	return at(last)
}

// keepsClosed reports whether a consumer of group k is the customer of an
// active provider the share cap has closed, which stays available to it
// (MODEL-SPEC §2.1).
func (s *sim) keepsClosed(k int32) bool { return k >= 0 && s.act[k] && s.provs[k].closed }

// utilities writes into cw the utilities of a consumer with price
// sensitivity b and provider k for choose: the candidates (a − b ln cost −
// κ for a provider other than k; a already carries the risk term), then k
// when own (its closed provider, utility aOwn − b ln cost_k − risk), then
// the outside option when enabled; it returns their maximum.
func (s *sim) utilities(cw, a, lc []float64, idx []int32, aOwn, b, kappa float64, k int32, own bool) float64 {
	L := &s.llm
	best := math.Inf(-1)
	a = a[:len(lc)]
	idx = idx[:len(lc)]
	for x, l := range lc {
		u := a[x] - b*l
		if k != -1 && idx[x] != k {
			u -= kappa
		}
		cw[x] = u
		if u > best {
			best = u
		}
	}
	x := len(lc)
	if own {
		u := aOwn - b*s.lnCost[k] - L.risk
		cw[x] = u
		if u > best {
			best = u
		}
		x++
	}
	if L.outside {
		u := L.u0 + b*L.outDrift
		if k != -1 && k != kOutside {
			u -= kappa
		}
		cw[x] = u
		if u > best {
			best = u
		}
	}
	return best
}

// choiceSet is the day's candidate providers with the parts of their
// utilities common to every consumer (MODEL-SPEC §2.1, v2 §B.4): index,
// a = ξ + w_q q + γ ln(s + floor) − risk term, base = the same without the
// network term, and ln cost. open holds the active providers open to new
// customers; active all active providers (used when none is open).
type choiceSet struct {
	open, active candList
}

type candList struct {
	idx         []int32
	a, base, lc []float64
}

func (c *candList) build(s *sim, list []int32) {
	risk := s.llm.risk
	c.idx = append(c.idx[:0], list...)
	c.a, c.base, c.lc = c.a[:0], c.base[:0], c.lc[:0]
	for _, i := range list {
		c.a = append(c.a, s.aNet[i]-risk)
		c.base = append(c.base, s.aBase[i]-risk)
		c.lc = append(c.lc, s.lnCost[i])
	}
}

// prepareCandidates builds the day's choiceSet (after prepareChoice).
func (s *sim) prepareCandidates() {
	s.cs.open.build(s, s.openList)
	if len(s.openList) == 0 {
		s.cs.active.build(s, s.activeList)
	} else {
		s.cs.active.build(s, nil)
	}
}

// llmPrepaid tops up consumers' prepaid CLT balance (MODEL-SPEC-v2 §B.4):
// today's payments come out of the balance and consumers buy, at P_t−1, what
// restores it to prepaid_days × today's payments (no sale when it is above
// target). The purchase beyond today's payments is consumer buy flow: it is
// added to the day's consumer USD and to the ledger.
func (s *sim) llmPrepaid(pPrev float64) {
	h := s.p.Consumers.PrepaidDays
	if h <= 0 {
		return
	}
	L := &s.llm
	d := &s.day
	spend := d.consumerCLT
	buy := max(0, h*spend-(L.prepaid-spend))
	L.prepaid += buy - spend
	top := buy - spend
	d.prepaidCLT = top
	d.consumerUSD += top * pPrev
	s.aud.ConsumerBoughtCLT += top
	s.aud.ConsumerSpentUSD += top * pPrev
}

// backlogDay is one day of a backlog b (Mtok; MODEL-SPEC §2.2, v2 §B.4), of
// one consumer or the sum over a provider's consumers (the recursion is
// linear): when release (no deferral today) the fraction rel is released
// and served, then the fraction 1 − keep of the rest is abandoned, then
// today's deferral def is added. It returns the next backlog, the released
// and the abandoned Mtok.
func backlogDay(b, def, rel, keep float64, release bool) (next, released, abandoned float64) {
	if release {
		released = rel * b
		b -= released
	}
	abandoned = b - b*keep
	return b*keep + def, released, abandoned
}

// chosen records consumer c's choice k (its provider was old) and moves
// its reference term dsc = d_j c_ref,j^ε by the rules of MODEL-SPEC §2.1
// and v2 §B.2, in both engines: without reference smoothing (v1), or on
// entering the token system, c_ref becomes today's cost of the chosen
// provider; with smoothing and ref_on_switch rescale, a switch moves it
// with the products' tiers (not with their price changes); otherwise it
// is kept.
func (s *sim) chosen(c *consumer, old, k int32) {
	L := &s.llm
	c.k = k
	switch {
	case k < 0:
	case L.refA == 0 || c.dsc == 0 || old < 0:
		c.dsc = c.d * s.powEps[k]
	case s.p.Consumers.RefOnSwitch == RefRescale && k != old:
		c.dsc *= L.tierPow[k] / L.tierPow[old]
	}
}

// backlogTerms returns today's deferral fraction f, backlog release
// fraction rel and backlog keep fraction 1 − decay (MODEL-SPEC §2.2): f is
// v1's volatility deferral (day.f) unless the directional deferral of v2
// §B.4 is on, which sets day.f and adds its pull-forward to the release.
func (s *sim) backlogTerms() (f, rel, keep float64) {
	p := &s.p.Consumers
	L := &s.llm
	d := &s.day
	keep = 1 - p.BacklogDecay
	rel = p.BacklogRelease
	f = d.f
	if L.on && p.DeferralMode == DeferralDirectional {
		f = L.f
		d.f = f
		rel += (1 - rel) * L.pull
	}
	return f, rel, keep
}
