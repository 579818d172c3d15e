package model

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Consumer engines (`model.engine`). Both simulate the same consumer model
// (MODEL-SPEC §2.1–§2.2, v2 §B); they differ in how the random review days
// are drawn and in how much work a day costs. docs/model.md "Consumer
// engines" gives the algebra.
const (
	// EngineEvent touches a consumer only when something happens to it: its
	// next review day is drawn when it reviews (geometric with
	// consumers.review_rate, from the consumer's own random stream), and
	// between reviews its contribution to its provider's demand, deferral
	// and backlog is carried in per-provider aggregates that are exact
	// linear functions of common per-day factors. A day costs O(reviews +
	// providers × rebuildDays); every rebuildDays days all consumers are
	// brought up to date and the aggregates rebuilt exactly. Default of
	// model.version 2.
	EngineEvent = "event"
	// EngineReference is the per-consumer-day loop of MODEL-SPEC §10: every
	// consumer draws one uniform from the run's choice stream every day and
	// reviews when it falls below review_rate. It is model.version 1's engine
	// (its draws are v1's contract, pinned by TestV1Reproduced) and the
	// reference the event engine is tested against.
	EngineReference = "reference"
)

// engineMechanism is `model.engine`: v1 keeps the per-consumer-day loop,
// v2 uses the event-driven engine.
var engineMechanism = mechanism{
	name: "model.engine",
	v1:   func(p *Params) { p.Model.Engine = EngineReference },
	v2:   func(p *Params) { p.Model.Engine = EngineEvent },
}

func (c *checker) engine(p *Params) {
	c.oneOf("model.engine", p.Model.Engine, EngineEvent, EngineReference)
}

// evState is the event engine's state. Its per-consumer records (c) run
// parallel to sim.cons. A consumer's stored dsc and backlog (consumer.dsc,
// consumer.backlog) hold its state at the start of day c[j].t0, after that
// day's review; evCatchUp brings them to a later day from the per-offset
// factors below. Days are grouped into epochs of rebuildDays days starting
// at day epoch; an offset o = t0 − epoch indexes the factors accumulated
// since day t0.
type evState struct {
	on    bool
	epoch int // first day of the current epoch (its offsets are 0..rebuildDays−1; the
	// exact rebuilds fall on the welfare aggregates' days, llmRebuild)

	c         []evCons   // per consumer (parallel to sim.cons)
	head      []int32    // per day 0..T+1: the first consumer scheduled to review, −1 for none
	key       [2]uint64  // the run's review-stream key (StreamSeed(seed, rep, StreamReviews))
	lambda    float64    // −ln(1 − review_rate): the review hazard per day
	invLambda float64    // 1/lambda
	src       pcgRef     // the stream evGap draws from
	exp       *rand.Rand // over src

	// Per provider: Σ over its consumers of d_j, d_j c_ref,j^ε (dsc), u_j
	// dsc_j, u_j d_j, B_j, and their count.
	D, Y, U, UD, B []float64
	n              []int32
	dOut           float64 // Σ d_j of consumers outside the token system

	// Per offset o (days t0..t−1 since t0 = epoch + o): Lam = Π λ_m, the
	// backlog's decay factor; Rp = (1 − a)^(t−t0), the reference smoothing's.
	Lam, Rp []float64
	// Per provider k and offset o at k×rebuildDays + o: G, B1, B2 with
	// dsc_j(t) = Rp dsc_j(t0) + d_j G and
	// B_j(t) = Lam B_j(t0) + u_j (dsc_j(t0) B1 + d_j B2).
	G, B1, B2 []float64

	none, noneNext []int32 // consumers with no provider (k = −1), reviewed daily

	sink  float64 // evTouch's loads (never read)
	touch bool    // evTouch is worth its loads (evInit: touchConsumers)
}

// touchConsumers is the day-0 population from which evConsumersDay touches
// the next reviewer's records ahead (evTouch). Below it the records of
// every consumer (about 100 bytes each, 400 kB at 4,096) stay in a core's
// cache and the loads are pure cost: 2,000 consumers ran 1.5% faster
// without them (3.57 → 3.52 ms of CPU a run, medians of 3 pairs), while at
// 20,000 the touch saves 8% (26.0 → 23.6 ms).
const touchConsumers = 1 << 12

// evCons is a consumer's event-engine state, in one 32-byte record so that
// a review touches one cache line of it.
type evCons struct {
	rng  rand.PCG // its review stream (review days and choice uniforms)
	t0   int32    // the day its stored state (consumer.dsc, backlog) refers to
	last int32    // the last day it reviewed
	next int32    // the next consumer in its review-day bucket, −1 at the end
	_    int32
}

// splitmix64 is the SplitMix64 finalizer (Steele, Lea & Flood 2014): a
// bijective 64-bit mix used to turn (run key, consumer index) into a
// well-spread PCG seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// evSeed seeds consumer j's review stream: a PCG-DXSM whose 128-bit state is
// a hash of the run's review key and j, so that consumer j's review days and
// choice uniforms are the same in every policy of a replicate (common random
// numbers) and independent across consumers.
func (e *evState) evSeed(j int) {
	u := uint64(j)
	e.c[j].rng.Seed(splitmix64(e.key[0]^splitmix64(u)), splitmix64(e.key[1]+u))
}

// uniform01 maps 64 random bits to [0, 1) with 53 bits.
func uniform01(x uint64) float64 { return float64(x>>11) * 0x1p-53 }

// evGap draws a review gap G ≥ 1 (days) from consumer j's stream:
// Geometric(r) on {1, 2, …} with r = review_rate, as G = 1 + ⌊E/λ⌋ with E ~
// Exp(1) (math/rand/v2's ziggurat ExpFloat64) and λ = −ln(1 − r), since
// P(G > g) = P(E ≥ gλ) = (1 − r)^g. It returns math.MaxInt32 (never) when r
// is 0 and 1 when r is 1.
func (s *sim) evGap(j int) int {
	e := &s.ev
	rr := s.p.Consumers.ReviewRate
	switch {
	case rr >= 1:
		return 1
	case rr <= 0:
		return math.MaxInt32
	}
	e.src.p = &e.c[j].rng
	return gapOf(e.exp.ExpFloat64(), e.lambda, e.invLambda)
}

// gapOf returns 1 + ⌊x/λ⌋ (math.MaxInt32 from 2³¹ − 2 on), x ≥ 0, with
// invLambda = 1/λ: from the product x × (1/λ), a multiplication instead of a
// division, since the product and the quotient differ by at most 3 ulp
// (|Δ| ≤ 3.3e−16 g) and so have the same integer part unless the product
// lies within 1e−12 g of an integer, when the quotient is taken
// (TestGapOfMatchesQuotient).
func gapOf(x, lambda, invLambda float64) int {
	if g := x * invLambda; g < math.MaxInt32-2 {
		n := int(g) // g ≥ 0: int truncates
		if f := g - float64(n); f > 1e-12*g && 1-f > 1e-12*g {
			return 1 + n
		}
	}
	g := x / lambda
	if g >= math.MaxInt32-1 {
		return math.MaxInt32
	}
	return 1 + int(g)
}

// pcgRef is a rand.Source reading the PCG it points to, so that one
// rand.Rand can draw from any consumer's stream without allocating.
type pcgRef struct{ p *rand.PCG }

func (r *pcgRef) Uint64() uint64 { return r.p.Uint64() }

// evSchedule puts consumer j's next review at day t + gap.
func (s *sim) evSchedule(j, t int) {
	e := &s.ev
	g := s.evGap(j)
	if g > s.T-t {
		return
	}
	d := t + g
	e.c[j].next = e.head[d]
	e.head[d] = int32(j)
}

// evInit sets up the event engine at the end of day 0: every consumer's
// stream and first review day.
func (s *sim) evInit() {
	e := &s.ev
	e.on = s.p.Model.Engine == EngineEvent
	if !e.on {
		return
	}
	e.touch = len(s.cons) >= touchConsumers
	key := StreamSeed(s.spec.Seed, s.spec.Replicate, StreamReviews)
	e.key = [2]uint64{binary.LittleEndian.Uint64(key[0:8]), binary.LittleEndian.Uint64(key[8:16])}
	e.lambda = -math.Log1p(-s.p.Consumers.ReviewRate)
	e.invLambda = 1 / e.lambda
	if e.exp == nil {
		e.exp = rand.New(&e.src)
	}
	e.head = grow(e.head, s.T+2)
	for d := range e.head {
		e.head[d] = -1
	}
	if cap(e.c) < cap(s.cons) { // arrivals fit without growing (as sim.cons)
		e.c = make([]evCons, 0, cap(s.cons))
	}
	e.c = e.c[:0]
	e.none, e.noneNext = e.none[:0], e.noneNext[:0]
	s.resetChoiceGrid()
	s.evSee(0)
	s.evRebuild(1, false)
}

// evSee extends the per-consumer arrays to the consumers that arrived, each
// with its stream seeded; day-0 consumers (t = 0) get their first review day.
func (s *sim) evSee(t int) {
	e := &s.ev
	for j := len(e.c); j < len(s.cons); j++ {
		// Day 0's state is the state at the start of day 1.
		e.c = append(e.c, evCons{t0: int32(max(t, 1)), last: -1, next: -1})
		e.evSeed(j)
		if t == 0 {
			s.evSchedule(j, 0)
		}
	}
}

// evEnsureProviders sizes the per-provider arrays (entrants start empty).
func (s *sim) evEnsureProviders() {
	e := &s.ev
	n := len(s.provs)
	if len(e.D) >= n {
		return
	}
	e.D, e.Y, e.U, e.UD, e.B = grow(e.D, n), grow(e.Y, n), grow(e.U, n), grow(e.UD, n), grow(e.B, n)
	e.n = grow(e.n, n)
	e.G, e.B1, e.B2 = grow(e.G, n*rebuildDays), grow(e.B1, n*rebuildDays), grow(e.B2, n*rebuildDays)
}

// evCatchUp brings consumer j's dsc and backlog from day t0[j] to the start
// of day t (t0[j] ≤ t within the current epoch, or t = epoch + rebuildDays at a
// rebuild). Only consumers with a provider change between events.
func (s *sim) evCatchUp(j, t int) {
	e := &s.ev
	c := &s.cons[j]
	ec := &e.c[j]
	t0 := int(ec.t0)
	if c.k < 0 || t0 >= t {
		ec.t0 = int32(t)
		return
	}
	o := int(c.k)*rebuildDays + t0 - e.epoch
	dsc0 := c.dsc
	c.dsc = e.Rp[t0-e.epoch]*dsc0 + c.d*e.G[o]
	c.backlog = e.Lam[t0-e.epoch]*c.backlog + c.u*(dsc0*e.B1[o]+c.d*e.B2[o])
	ec.t0 = int32(t)
}

// evAdd adds (sign +1) or removes (−1) consumer j, with reference term dsc
// and backlog b, to or from group k's aggregates.
func (s *sim) evAdd(j int, k int32, dsc, b, sign float64) {
	e := &s.ev
	c := &s.cons[j]
	switch {
	case k >= 0:
		e.n[k] += int32(sign)
		if e.n[k] == 0 { // no consumers: the sums are exactly 0, not rounding residue
			e.D[k], e.Y[k], e.U[k], e.UD[k], e.B[k] = 0, 0, 0, 0, 0
			return
		}
		// Sums of non-negative terms: a removal can leave a residue of
		// rounding below 0 (≈1e-16 of the largest sum), never more.
		e.D[k] = max(0, e.D[k]+sign*c.d)
		e.Y[k] = max(0, e.Y[k]+sign*dsc)
		e.U[k] = max(0, e.U[k]+sign*c.u*dsc)
		e.UD[k] = max(0, e.UD[k]+sign*c.u*c.d)
		e.B[k] = max(0, e.B[k]+sign*b)
	case k == kOutside:
		e.dOut = max(0, e.dOut+sign*c.d)
	}
}

// evRebuild brings every consumer to the start of day t, starts a new epoch
// there and recomputes the aggregates exactly, so that rounding in the
// running sums cannot drift and the per-offset factors stay within one
// epoch (no underflow of Π λ). With llm (rebuildAggregates) it also
// rebuilds the welfare aggregates in the same pass over consumers, summing in
// llmRebuild's consumer order, so the result is llmRebuild's to the bit.
func (s *sim) evRebuild(t int, llm bool) {
	e := &s.ev
	L := &s.llm
	s.evEnsureProviders()
	for k := range e.D {
		e.D[k], e.Y[k], e.U[k], e.UD[k], e.B[k], e.n[k] = 0, 0, 0, 0, 0, 0
	}
	e.dOut = 0
	e.none = e.none[:0]
	if llm {
		clear(L.ad)
		clear(L.ay)
		s.llmSeeConsumers()
	}
	// Sums of non-negative terms from 0: no clamping (evAdd's max(0, ·)
	// guards removals only), so the sums equal evAdd's.
	for j := range s.cons {
		s.evCatchUp(j, t)
		c := &s.cons[j]
		switch k := c.k; {
		case k >= 0:
			e.n[k]++
			e.D[k] += c.d
			e.Y[k] += c.dsc
			e.U[k] += c.u * c.dsc
			e.UD[k] += c.u * c.d
			e.B[k] += c.backlog
		case k == kOutside:
			e.dOut += c.d
		default:
			e.none = append(e.none, int32(j))
		}
		if llm {
			s.llmAdd(j, c.k, c.dsc, 1)
		}
	}
	e.epoch = t
	e.Lam, e.Rp = grow(e.Lam, rebuildDays), grow(e.Rp, rebuildDays)
	for o := range e.Lam {
		e.Lam[o], e.Rp[o] = 1, 1
	}
	clear(e.G)
	clear(e.B1)
	clear(e.B2)
}

// evReview is consumer j's review on day t with choice uniform v (MODEL-SPEC
// §2.1, v2 §B.2): the choice, the reference-cost rules of the reference
// loop, and the move between aggregates. Under §B a consumer that leaves
// the token system abandons its backlog (counted in llm.abandoned).
func (s *sim) evReview(j, t int, v float64) {
	e := &s.ev
	L := &s.llm
	c := &s.cons[j]
	e.c[j].last = int32(t)
	s.evCatchUp(j, t)
	old, oldDsc, oldB := c.k, c.dsc, c.backlog
	k, ok := s.chooseOnGrid(c.b, old, v) // the same choice when it settles it (choicegrid.go)
	if !ok {
		k = s.choose(c.b, old, v)
	}
	s.chosen(c, old, k)
	if k == -1 {
		e.noneNext = append(e.noneNext, int32(j))
	}
	if k == old && c.dsc == oldDsc {
		return
	}
	s.evAdd(j, old, oldDsc, oldB, -1)
	if k < 0 && L.on { // v2 §B: leaving the token system abandons the backlog
		L.abandoned += c.backlog
		c.backlog = 0
	}
	s.evAdd(j, k, c.dsc, c.backlog, 1)
	s.llmMove(j, old, oldDsc)
}

// evTouch loads the records of consumer j, the next to review, while the
// current review is under way: in a large market (200,000 consumers, about
// 20 MB of records) each record is a cache miss, and touching them one
// review ahead overlaps their latency with the current review's work
// instead of stalling the next review on three misses in a row. Go has no
// prefetch intrinsic: the loads feed evState.sink, which nothing reads.
func (s *sim) evTouch(j int) {
	e := &s.ev
	x := float64(e.c[j].t0) + s.cons[j].dsc
	if j < len(s.llm.z) {
		x += s.llm.z[j].w
	}
	e.sink += x
}

// evForced reviews consumer j on day t unless it reviewed today, with a
// choice uniform from the run's shared choice stream (forced reviews happen
// in a deterministic order: arrivals, consumers of providers gone, consumers
// without a provider, each by index).
func (s *sim) evForced(j, t int) {
	if int(s.ev.c[j].last) == t {
		return
	}
	s.evReview(j, t, uniform01(s.cChoice.Uint64()))
}

// evConsumersDay is the event engine's day (replaces the reference loop,
// MODEL-SPEC §2.1–§2.2, v2 §B.1–§B.4): today's reviews, then each
// provider's demand, deferral, release and backlog from its aggregates.
func (s *sim) evConsumersDay(t int) {
	e := &s.ev
	d := &s.day
	L := &s.llm
	s.evEnsureProviders()
	f, rel, keep := s.backlogTerms()
	if o := t - e.epoch; o < rebuildDays {
		e.Lam[o], e.Rp[o] = 1, 1
		for k := range s.provs {
			e.G[k*rebuildDays+o], e.B1[k*rebuildDays+o], e.B2[k*rebuildDays+o] = 0, 0, 0
		}
	}
	L.abandoned = 0

	// Scheduled reviews: the choice uniform and the next gap from the
	// consumer's own stream.
	for j := e.head[t]; j >= 0; {
		nx := e.c[j].next
		if nx >= 0 && e.touch {
			s.evTouch(int(nx))
		}
		jj := int(j)
		v := uniform01(e.c[jj].rng.Uint64())
		s.evReview(jj, t, v)
		s.evSchedule(jj, t)
		j = nx
	}
	e.head[t] = -1

	// Forced reviews: arrivals (no provider yet) get their first review and
	// their first review day; consumers of providers gone; consumers without
	// any provider review daily.
	first := len(e.c)
	s.evSee(t)
	for j := first; j < len(s.cons); j++ {
		s.evForced(j, t)
		s.evSchedule(j, t)
	}
	gone := false
	for k := range s.provs {
		if !s.act[k] && e.n[k] > 0 {
			gone = true
		}
	}
	if gone {
		for j := 0; j < first; j++ {
			if k := s.cons[j].k; k >= 0 && !s.act[k] {
				s.evForced(j, t)
			}
		}
	}
	for _, j := range e.none {
		if s.cons[j].k == -1 {
			s.evForced(int(j), t)
		}
	}
	e.none, e.noneNext = e.noneNext, e.none[:0]

	// Today's flows from the aggregates.
	a := L.refA
	r := 1 - a
	lam := keep
	if f == 0 {
		lam = keep * (1 - rel)
	}
	var desired, deferred, backlog, released, abandoned float64
	for k := range s.provs {
		if !s.act[k] {
			s.vol[k] = 0
			continue
		}
		cp := s.cpn[k]
		dk := cp * e.Y[k]
		def := f * cp * e.U[k]
		b, rl, ab := backlogDay(e.B[k], def, rel, keep, f == 0)
		released += rl
		abandoned += ab
		e.B[k] = b
		s.vol[k] = rl + (dk - def)
		desired += dk
		deferred += def
		backlog += b
		if a > 0 {
			pe := s.powEps[k]
			e.Y[k] += a * (pe*e.D[k] - e.Y[k])
			e.U[k] += a * (pe*e.UD[k] - e.U[k])
		}
		// The factors that carry each consumer of k from its last event.
		if o1 := t - e.epoch + 1; o1 <= rebuildDays {
			// Slices of one length, so the loops carry no bounds checks.
			G := e.G[k*rebuildDays : k*rebuildDays+o1]
			B1, B2, Rp := e.B1[k*rebuildDays:][:len(G)], e.B2[k*rebuildDays:][:len(G)], e.Rp[:len(G)]
			fc := f * cp
			ape := a * s.powEps[k]
			for o := range G {
				B1[o] = lam*B1[o] + fc*Rp[o]
				B2[o] = lam*B2[o] + fc*G[o]
				if a > 0 {
					G[o] = r*G[o] + ape
				}
			}
		}
	}
	if o1 := t - e.epoch + 1; o1 <= rebuildDays {
		Lam, Rp := e.Lam[:o1], e.Rp[:o1]
		for o := range Lam {
			Lam[o] *= lam
			Rp[o] *= r
		}
	}
	// Consumers without a provider (handled one by one; they review daily).
	for _, j := range e.none {
		c := &s.cons[j]
		desired += c.d
		if L.on {
			abandoned += c.backlog
			c.backlog = 0
			continue
		}
		c.backlog *= keep
		backlog += c.backlog
	}
	d.desired, d.deferred, d.backlog = desired, deferred, backlog
	L.released, L.abandoned = released, L.abandoned+abandoned
	L.outsideMtok = e.dOut
}
