package model

import "math"

// This file holds the day's mechanisms that are pure functions of their
// inputs, so that each can be tested on hand-computed days (MODEL-SPEC §2, §10).

// feeSplit splits a payment of clt CLT (MODEL-SPEC §2.3): the protocol fee
// `fees.protocol_fee` goes to the grant pool, `fees.burn_fraction` is burned
// and the rest goes to the provider. The three parts sum to clt.
func feeSplit(clt, protocolFee, burnFraction float64) (pool, burn, provider float64) {
	pool = protocolFee * clt
	burn = burnFraction * clt
	provider = clt - pool - burn
	return pool, burn, provider
}

// refPrice returns the reference price P_ref in force on day t ≥ 1 given the
// closes prices[0..t−1] (prices[0] = P_0) and the current reference cur
// (MODEL-SPEC §2.4, §10): with interval k = 0 it is P_t−1 every day; with
// k > 0 it is reset on days with t mod k = 0 to the mean of the closes
// P_t−w..P_t−1 (w = twapDays, fewer at the start, P_0 included), and unchanged
// on other days.
func refPrice(prices []float64, t, interval, twapDays int, cur float64) float64 {
	if interval == 0 {
		return prices[t-1]
	}
	if t%interval != 0 {
		return cur
	}
	w := max(twapDays, 1)
	from := max(t-w, 0)
	sum := 0.0
	for _, p := range prices[from:t] {
		sum += p
	}
	return sum / float64(t-from)
}

// fundTrade returns the stabilization fund's trade on a day that opens at
// price p (MODEL-SPEC §2.7, §10): below the band [peg(1−band), peg(1+band)] the
// fund spends buyUSD buying CLT, above it sells CLT for sellUSD, each
// aggressiveness × depth × |ln(band edge) − ln p| USD, limited by its USD
// reserve (buying) or by the USD value of its CLT reserve at p (selling).
// Inside the band (edges included) it does nothing. depth may be +Inf: the
// trade is then the whole reserve on the side concerned.
func fundTrade(peg, band, aggressiveness, depth, p, reserveUSD, reserveCLT float64) (buyUSD, sellUSD float64) {
	lo, hi := peg*(1-band), peg*(1+band)
	switch {
	case p < lo:
		a := aggressiveness * depth * (math.Log(lo) - math.Log(p))
		if !(a > 0) { // 0 × Inf is NaN: no trade
			return 0, 0
		}
		return min(a, reserveUSD), 0
	case p > hi:
		a := aggressiveness * depth * (math.Log(p) - math.Log(hi))
		if !(a > 0) {
			return 0, 0
		}
		return 0, min(a, reserveCLT*p)
	}
	return 0, 0
}

// deferFraction returns f_t = clamp((σ̂ − v0)/(v1 − v0), 0, 1), the fraction of
// non-critical usage deferred at annualized realized volatility sigmaHat
// (MODEL-SPEC §2.2).
func deferFraction(sigmaHat, v0, v1 float64) float64 {
	if sigmaHat <= v0 {
		return 0
	}
	if sigmaHat >= v1 {
		return 1
	}
	return (sigmaHat - v0) / (v1 - v0)
}

// realizedVol returns σ̂: the sample standard deviation (n−1) of the last
// window entries of returns, × √365; 0 with fewer than 2 returns
// (MODEL-SPEC §10).
func realizedVol(returns []float64, window int) float64 {
	n := min(window, len(returns))
	if n < 2 {
		return 0
	}
	r := returns[len(returns)-n:]
	mean := 0.0
	for _, x := range r {
		mean += x
	}
	mean /= float64(n)
	ss := 0.0
	for _, x := range r {
		d := x - mean
		ss += d * d
	}
	return math.Sqrt(ss/float64(n-1)) * math.Sqrt(365)
}

// breaker is the circuit breaker's state (MODEL-SPEC §2.7, §10).
type breaker struct {
	on        bool
	threshold float64
	haltDays  int
	damping   float64

	left    int     // halted days still to come (including today, if > 0 at the start of a day)
	pending float64 // accumulated log move awaiting reopening
	halts   int     // triggers
}

// halted reports whether the coming day is a halted day.
func (b *breaker) halted() bool { return b.left > 0 }

// close returns the day's log close given the previous close lnPrev, the
// day's log move and lnRef = ln P_t−w, and whether the day was halted. On a
// halted day the close stays at lnPrev and the move joins the pending move;
// the last halted day closes at lnPrev + (1 − damping) × pending without a new
// test. On a trading day the candidate lnPrev + move is tested against lnRef:
// beyond the threshold the breaker triggers, the close stays lnPrev, the move
// becomes the pending move and the next haltDays days are halted.
func (b *breaker) close(lnPrev, move, lnRef float64) (lnClose float64, halted bool) {
	if b.left > 0 {
		b.pending += move
		b.left--
		if b.left == 0 {
			c := lnPrev + (1-b.damping)*b.pending
			b.pending = 0
			return c, true
		}
		return lnPrev, true
	}
	cand := lnPrev + move
	if b.on && math.Abs(cand-lnRef) > b.threshold {
		b.halts++
		if b.haltDays <= 0 {
			return lnPrev + (1-b.damping)*move, false
		}
		b.pending = move
		b.left = b.haltDays
		return lnPrev, false
	}
	return cand, false
}

// vote decides one governable policy under `stake_vote` (MODEL-SPEC §2.7,
// §10): weights are the voters' stakes (any scale; normalized here), yes their
// votes. The policy passes when the yes-weight share ≥ threshold. It is
// blocked when it fails, the largest-stake voter (the first on ties) voted
// no, holds more than 1 − threshold, and its yes would have passed it. With
// no weight at all every voter counts equally.
func vote(weights []float64, yes []bool, threshold float64) (pass, blocked bool) {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	n := len(weights)
	if n == 0 {
		return false, false
	}
	w := func(i int) float64 {
		if total > 0 {
			return weights[i] / total
		}
		return 1 / float64(n)
	}
	yesW := 0.0
	lead := 0
	for i := range weights {
		if yes[i] {
			yesW += w(i)
		}
		if w(i) > w(lead) {
			lead = i
		}
	}
	// A tiny tolerance so that e.g. 2/3 of the weight passes a 0.6667 threshold
	// only when it truly reaches it; sums of shares carry rounding error.
	const eps = 1e-12
	if yesW >= threshold-eps {
		return true, false
	}
	wl := w(lead)
	blocked = !yes[lead] && wl > 1-threshold && yesW+wl >= threshold-eps
	return false, blocked
}

// poissonInv returns the Poisson(lambda) variate of the uniform u by
// inversion of the CDF (one uniform per draw, so draws under different rates
// are coupled monotonically; use for small lambda).
func poissonInv(u, lambda float64) int {
	if !(lambda > 0) {
		return 0
	}
	p := math.Exp(-lambda)
	f := p
	k := 0
	for u > f && k < 10000 {
		k++
		p *= lambda / float64(k)
		f += p
		if p == 0 {
			break
		}
	}
	return k
}
