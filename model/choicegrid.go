package model

import "math"

// The event engine's shortcut for the logit choice (MODEL-SPEC §2.1): a
// consumer's choice is the inverse CDF of its choice uniform v over the
// options' weights w_x(b) = exp(A_x − κ_x − b l_x) in a fixed order (choose).
// Every w_x(b) is monotone in the consumer's price sensitivity b, so on a
// day's grid of b (nodes m h, m = 0…choiceGridNodes) the weights of a
// consumer with m h ≤ b ≤ (m+1) h lie between their values at the two
// nodes, and so do the cumulative sums C_x. When v S falls, with a margin,
// between the bounds of C_x−1 and of C_x (S = C_last), the choice is x —
// the choice choose would make — without an exponential; otherwise choose
// computes the weights. The shortcut changes no choice, so the outputs are
// those of choose bit for bit (TestChoiceGridMatchesChoose; the datasets'
// hashes are unchanged); it settles about 96% of the default study's
// choices, the choices of a closed provider's own customers included (its
// row is inserted where choose puts it, between the open providers and the
// outside option).

// choiceGridNodes is the number of grid intervals; the grid covers b in
// [0, PriceWeight e^(choiceGridZ σ)], above which consumers (a fraction
// 2.3e−4 of a log-normal population) take choose's path.
const (
	choiceGridNodes = 256
	choiceGridZ     = 3.5
	// choiceGridMargin is the relative margin on every bound: far above the
	// rounding of the node values (≤ nodes + a few ulp) and of choose's own
	// sums (a few ulp), far below any gap the shortcut needs.
	choiceGridMargin = 1e-10
)

// choiceGrid is the day's grid. Every option's weight is factored as
// w_p(b) = e_p r_p(b) e^(−b c) with e_p = exp(A_p) (A_p its utility apart
// from cost and switching: candList.a, u0 outside), r_p(b) = exp(−b (l_p −
// c)), l_p its log cost (ln π_p + ln P_t−1 = ln list_p − ln P_ref + ln P_t−1
// for a provider, −outDrift outside) and c = ln P_t−1 − ln P_ref + c0 a
// common reference (c0 fixed for the run): e^(−b c) is common to every
// option and cancels in the inverse CDF. A provider's r_p at the nodes,
// exp(−m h (ln list_p − c0)), depends only on its list price, which moves
// only at pricing reviews, so its row is cached per provider (under indexed
// pricing the reference price P_ref moves daily; it enters only the
// outside option's row); the outside option's row is rebuilt daily (one
// product per node).
type choiceGrid struct {
	ok      bool
	h, invH float64
	c0      float64 // the run's reference log list price (first day's mid-range)
	c0set   bool
	eOut    float64   // exp(u0), the outside option's e (a provider's is llmState.wE)
	eInvK   float64   // e^κ
	opts    []gridOpt // today's options, in choose's order
	nOpen   int       // the number of open providers (options before the outside one)
	own     []gridOpt // opts with a slot at nOpen for a closed provider's own customer's provider
	rows    []float64 // node values of r, (choiceGridNodes+1) per row: the outside option's today, then each provider's (rowOff)
	rList   []float64 // per provider: the list price its row holds (NaN: none)
	cl, ch  []float64 // a choice's bounds on the cumulative weights (scratch)
	off     bool      // tests: never use the grid (TestChoiceGridChangesNoRun)
}

// choiceGridRow is the length of a node row.
const choiceGridRow = choiceGridNodes + 1

// resetChoiceGrid sets the run's grid constants and forgets the previous
// run's rows (evInit, after llmInit).
func (s *sim) resetChoiceGrid() {
	g := &s.cg
	cp := &s.p.Consumers
	g.ok, g.c0set = false, false
	g.rList = g.rList[:0]
	g.h = cp.PriceWeight * math.Exp(choiceGridZ*cp.PriceWeightSigma) / choiceGridNodes
	g.invH = 1 / g.h
	g.eInvK = math.Exp(cp.SwitchingCost)
	g.eOut = math.Exp(s.llm.u0)
}

// nodeRow fills row with exp(−m h x), m = 0…choiceGridNodes, by products in
// four interleaved chains (node m+4 = node m × q⁴, so the products do not
// wait on one another; rounding grows by a few ulp every four nodes, far
// inside choiceGridMargin); false when a value is not finite or the ratio
// underflows.
func nodeRow(row []float64, h, x float64) bool {
	q := math.Exp(-h * x)
	if math.IsInf(q, 0) || math.IsNaN(q) || q == 0 {
		return false
	}
	q2 := q * q
	q4 := q2 * q2
	w0, w1, w2, w3 := 1.0, q, q2, q2*q
	m := 0
	for ; m+4 <= len(row); m += 4 {
		row[m], row[m+1], row[m+2], row[m+3] = w0, w1, w2, w3
		w0, w1, w2, w3 = w0*q4, w1*q4, w2*q4, w3*q4
	}
	for x := range row[m:] {
		row[m+x] = [4]float64{w0, w1, w2, w3}[x]
	}
	last := row[len(row)-1]
	return !math.IsInf(last, 0) && !math.IsNaN(last)
}

// buildChoiceGrid sets today's grid after prepareChoice and welfareFactors (event engine
// only). The grid is off when no provider is open (choose then uses all
// active providers) or a node value is not finite.
func (s *sim) buildChoiceGrid(t int) {
	g := &s.cg
	L := &s.llm
	cp := &s.p.Consumers
	set := &s.cs.open
	n := len(set.idx)
	g.ok = false
	if g.off || n == 0 || cp.PriceWeight <= 0 || !(g.eInvK <= math.MaxFloat64) {
		return
	}
	if !g.c0set {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range set.idx {
			l := math.Log(s.provs[i].listPrice)
			lo, hi = min(lo, l), max(hi, l)
		}
		g.c0, g.c0set = 0.5*(lo+hi), true
	}
	np := len(s.provs)
	for len(g.rList) < np {
		g.rList = append(g.rList, math.NaN())
	}
	g.rows = grow(g.rows, (np+1)*choiceGridRow)
	g.opts = g.opts[:0]
	for _, i := range set.idx {
		if !s.gridRow(i) {
			return
		}
		g.opts = append(g.opts, gridOpt{k: i, e: L.wE[i], off: rowOff(i)})
	}
	// A closed provider stays available to its own customers (keepsClosed):
	// its row too, for their choices (a closed provider without a valid
	// row sends its customers to choose).
	g.nOpen = n
	for _, i := range s.activeList {
		if s.provs[i].closed {
			s.gridRow(i)
		}
	}
	if L.outside {
		if math.IsInf(g.eOut, 1) || math.IsNaN(g.eOut) {
			return
		}
		if !nodeRow(g.rows[:choiceGridRow], g.h, -L.outDrift-math.Log(s.price[t-1])+math.Log(s.pRef)-g.c0) {
			return
		}
		g.opts = append(g.opts, gridOpt{k: kOutside, e: g.eOut, off: 0})
	}
	// The options of a closed provider's own customer: its provider at
	// position nOpen (set by chooseOnGrid).
	g.own = append(append(append(g.own[:0], g.opts[:n]...), gridOpt{}), g.opts[n:]...)
	g.cl, g.ch = grow(g.cl, len(g.own)), grow(g.ch, len(g.own))
	g.ok = true
}

// gridOpt is an option of the day's grid.
type gridOpt struct {
	k   int32   // its group: a provider, or kOutside
	e   float64 // its e, today
	off int     // the offset of its row in rows
}

// rowOff is the offset of provider i's node row in choiceGrid.rows (the
// outside option's row is first).
func rowOff(i int32) int { return (int(i) + 1) * choiceGridRow }

// gridRow makes provider i's node row current (cached while its list price
// is unchanged); false when its e_i or a node value is not finite.
func (s *sim) gridRow(i int32) bool {
	g := &s.cg
	pr := &s.provs[i]
	if e := s.llm.wE[i]; math.IsInf(e, 1) || math.IsNaN(e) {
		g.rList[i] = math.NaN()
		return false
	}
	if pr.listPrice != g.rList[i] {
		g.rList[i] = math.NaN()
		if !nodeRow(g.rows[rowOff(i):rowOff(i)+choiceGridRow], g.h, math.Log(pr.listPrice)-g.c0) {
			return false
		}
		g.rList[i] = pr.listPrice
	}
	return true
}

// chooseOnGrid returns choose(b, k, v) and true when the grid settles the
// choice of a consumer with price sensitivity b and provider k, and false
// when choose must compute it (grid off, b off the grid, k a closed
// provider without a current row, or v S too close to a boundary).
//
// choose lowers every option but the consumer's own provider k by the
// switching cost (weights × e^−κ); the grid raises k's instead (× e^κ),
// which scales every weight, so every cumulative sum and v S, by the same
// factor e^κ and leaves the choice unchanged: one product per choice
// instead of one per option.
func (s *sim) chooseOnGrid(b float64, k int32, v float64) (int32, bool) {
	g := &s.cg
	if !g.ok || !(b >= 0) {
		return 0, false
	}
	opts := g.opts
	if s.keepsClosed(k) { // its closed provider, between the open ones and the outside option (choose's order)
		if !(g.rList[k] == s.provs[k].listPrice) {
			return 0, false
		}
		opts = g.own
		opts[g.nOpen] = gridOpt{k: k, e: s.llm.wE[k], off: rowOff(k)}
	}
	mf := b * g.invH
	if !(mf < choiceGridNodes) {
		return 0, false
	}
	m := int(mf)
	if b < float64(m)*g.h || b > float64(m+1)*g.h {
		return 0, false
	}
	cl, ch := g.cl[:len(opts)], g.ch[:len(opts)]
	rows := g.rows
	sl, sh := 0.0, 0.0
	for p, o := range opts {
		r := rows[o.off+m : o.off+m+2]
		lo, hi := o.e*r[0], o.e*r[1]
		if lo > hi {
			lo, hi = hi, lo
		}
		if o.k == k {
			lo *= g.eInvK
			hi *= g.eInvK
		}
		sl += lo
		sh += hi
		cl[p], ch[p] = sl, sh
	}
	lower := v * sl * (1 - choiceGridMargin) // ≤ v S
	upper := v * sh * (1 + choiceGridMargin) // ≥ v S
	prev := 0.0                              // the upper bound of C_x−1
	for p := range cl {
		if upper < cl[p]*(1-choiceGridMargin) { // v S < C_p
			if prev*(1+choiceGridMargin) <= lower { // C_p−1 ≤ v S
				return opts[p].k, true
			}
			return 0, false
		}
		prev = ch[p]
	}
	return 0, false
}
