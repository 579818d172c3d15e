package model

import (
	"math"
	"slices"
)

// kOutside is consumer.k for a consumer using LLMs outside the token system
// (MODEL-SPEC-v2 §B.1); −1 stays "no provider yet".
const kOutside int32 = -2

// llmGroup0 offsets consumer.k to a group index: outside 0, none 1,
// provider i at i+2 (welfare and pricing aggregate consumers by group and
// price-sensitivity node).
const llmGroup0 = 2

// Price-sensitivity grid (llm_welfare.go, llm_pricing.go): nodes z = −3,
// −2.5, …, 3 of z_j = ln(b_j/b̄)/σ_b, so b at node g is b̄ exp(σ_b z_g). A
// consumer's weight is split linearly between the two nodes around its z_j
// (z clamped to [−3, 3]: 0.27% of consumers lie beyond).
const (
	zNodes = 13
	zLo    = -3.0
	zStep  = 0.5
)

// zNode returns the grid node below z = ln(b/b̄)/σ_b and the weight of the
// node above it (linear interpolation in z). With σ_b = 0 (or b̄ = 0) every
// consumer has the median b: the middle node with weight 0.
func zNode(b, bMedian, sigma float64) (int32, float64) {
	z := 0.0
	if sigma > 0 && bMedian > 0 && b > 0 {
		z = math.Log(b/bMedian) / sigma
	}
	pos := (max(zLo, min(-zLo, z)) - zLo) / zStep
	g := int(pos)
	if g >= zNodes-1 {
		return zNodes - 2, 1
	}
	return int32(g), pos - float64(g)
}

// zPos is a consumer's place on the grid of price-sensitivity nodes: the
// node g below its z_j and the weight w of node g+1 (one record, so that
// moving a consumer between aggregates reads one cache line).
type zPos struct {
	w float64
	g int32
}

// llmState is the state of MODEL-SPEC-v2 §B in a run.
type llmState struct {
	on       bool    // the v2 consumer loop is used (any §B.1, §B.2, §B.4 switch on)
	outside  bool    // outside.enabled
	u0       float64 // U_0, utility of the outside option at day 0
	outDrift float64 // δ t/365: the outside option's log cost fall to date (its utility is U_0 + b_j × outDrift)
	refA     float64 // smoothing weight a = 1 − 2^(−1/half-life); 0 = v1 reset at each choice
	kappaF   float64 // provider's part of a payment: 1 − protocol fee − burn fraction
	bNode    [zNodes]float64
	ivBase   [zNodes]float64 // day-0 log-sum of an unattached consumer at each node
	pbar0    float64         // day-0 volume-weighted USD list price, USD/Mtok
	refPow0  float64         // pbar0^ε, reference of consumers who never used the token system
	ratioMed float64         // median implied c/p of incumbents (entrants' cost under best_response)
	decl     float64         // today's cost-decline factor exp(−δ t/365)

	// Today's risk and deferral terms (§B.4).
	sigmaHat, rho, risk, gain, f, pull float64

	// Aggregates of the consumer population by (group, node), each
	// consumer's weight split between its two nodes: ad = Σ d_j, ay = Σ d_j
	// c_ref,j^ε (consumer.dsc; d_j p̄_0^ε for a consumer without a
	// reference). Updated on every move and by the daily smoothing, rebuilt
	// exactly every rebuildDays (llmRebuild) so rounding cannot drift. Today's
	// desired Mtok of the consumers at node g is Σ_k cost_k^−ε ay[k, g] +
	// ad[outside, g] (welfare weights without a pass over consumers).
	ad, ay              []float64
	z                   []zPos // per consumer in the aggregates: its place on the grid of nodes (parallel to sim.cons)
	wD                  [zNodes]float64
	eg                  []float64 // exp(utility) by (group, option) for pricing
	tot                 []float64
	br                  []float64
	tierPow             []float64 // per provider: (day-0 or entry list price)^ε, its tier level
	outsideMtok         float64
	released, abandoned float64

	pm pricingModel

	prepaid, prepaidGain float64 // consumers' CLT balance; cumulative USD gain on it

	// Run accumulators.
	welfare, qaSum                float64
	qaDay, priceIdxDay, insideDay float64
	markupNum, markupDen          float64

	// The welfare log-sums' factors (llm_welfare.go, welfareFactors): per
	// node (P_t−1/P_ref)^−b_g; per provider e_i = exp(a_i − risk), the list
	// price p_i for which wPow holds p_i^−b_g at its zNodes nodes (NaN: not
	// cached).
	wP        [zNodes]float64
	wE, wList []float64
	// The outside option's exp(U_0 + b_g outDrift) at each node for day
	// eOutDay (0: none yet in this run), and its daily ratio exp(b_g δ/365)
	// (llmMetricsDay).
	eOutN, qOut [zNodes]float64
	eOutDay     int
	wPow        []float64

	cells demandCells // a best response's compacted demand cells (llm_pricing.go)
}

// insideShare0 is the token system's share of day-0 demand: 1 without the
// outside option (v1), outside.initial_inside_share with it.
func (s *sim) insideShare0() float64 {
	if s.p.Outside.Enabled {
		return s.p.Outside.InitialInsideShare
	}
	return 1
}

// assignOutside0 puts a day-0 consumer outside the token system with
// probability 1 − initial_inside_share, independently of its attributes (as
// v1 assigns providers by the initial shares). One uniform from the consumers
// stream, only when the outside option is on.
func (s *sim) assignOutside0(c *consumer) {
	if !s.p.Outside.Enabled {
		return
	}
	if s.rCons.Float64() >= s.p.Outside.InitialInsideShare {
		c.k = kOutside
	}
}

// llmInit sets the §B state at the end of day 0: U_0 by the Berry inversion
// at the median consumer, the day-0 price index and welfare base, the
// prepaid balances, and under best_response the marginal costs backed out of
// the first-order conditions.
func (s *sim) llmInit() {
	p := s.p
	L := &s.llm
	ad, ay, eg, tot, br, z, tp := L.ad, L.ay, L.eg, L.tot, L.br, L.z[:0], L.tierPow[:0]
	wList, wE, wPow, cells := L.wList[:0], L.wE, L.wPow, L.cells
	*L = llmState{ad: ad, ay: ay, eg: eg, tot: tot, br: br, z: z, tierPow: tp, wList: wList, wE: wE, wPow: wPow, cells: cells}
	cp := &p.Consumers
	L.outside = p.Outside.Enabled
	L.on = L.outside || cp.RefHalflifeDays > 0 || cp.PrepaidDays > 0 || cp.RiskAversion > 0 ||
		cp.DeferralMode == DeferralDirectional
	if h := cp.RefHalflifeDays; h > 0 {
		L.refA = 1 - math.Exp2(-1/h)
	}
	L.kappaF = 1 - p.Fees.ProtocolFee - p.Fees.BurnFraction
	L.decl = 1
	for g := range L.bNode {
		L.bNode[g] = cp.PriceWeight * math.Exp(cp.PriceWeightSigma*(zLo+zStep*float64(g)))
	}
	s.growLLM()

	// Day-0 utilities at list prices (P_0 = P_ref = peg, so cost = p).
	n := s.nInc
	b0, wq, gamma, floor := cp.PriceWeight, cp.QualityWeight, p.Network.Effect, p.Network.ShareFloor
	// U_0 (§B.1): the median consumer's choice probabilities at day 0 put
	// initial_inside_share on the token system: with V_i its utilities
	// (brand intercepts from the configured shares), exp(U_0)/(Σ exp V_i +
	// exp U_0) = 1 − s_in.
	lsum := math.Inf(-1)
	for i, row := range p.Providers.Table {
		if row.InitialShare <= 0 {
			continue
		}
		pr := &s.provs[i]
		net0 := 0.0
		if gamma != 0 {
			net0 = gamma * math.Log(row.InitialShare+floor)
		}
		lsum = logAddExp(lsum, pr.xi+wq*pr.q-b0*math.Log(pr.listPrice)+net0)
	}
	if L.outside {
		s0 := p.Outside.InitialInsideShare
		L.u0 = lsum + math.Log((1-s0)/s0) + p.Outside.Utility - p.Outside.TokenConvenience
	}

	// Day-0 volume-weighted list price: the base of price_index and of c*.
	vol, pv := 0.0, 0.0
	for i := 0; i < n; i++ {
		vol += s.vol[i]
		pv += s.vol[i] * s.provs[i].listPrice
	}
	L.pbar0 = pv / vol
	L.refPow0 = math.Pow(L.pbar0, cp.PriceElasticity)
	for j := range s.cons {
		if c := &s.cons[j]; c.k == kOutside {
			c.dsc = c.d * L.refPow0
		}
	}
	// Welfare base: an unattached consumer's log-sum at each node on day 0.
	for g, b := range L.bNode {
		iv := math.Inf(-1)
		for i := 0; i < n; i++ {
			pr := &s.provs[i]
			iv = logAddExp(iv, s.netUtility(pr)-b*math.Log(pr.listPrice))
		}
		if L.outside {
			iv = logAddExp(iv, L.u0)
		}
		L.ivBase[g] = iv
	}

	// Prepaid balances (§B.4): prepaid_days of day-0 spend, in CLT at P_0.
	if h := cp.PrepaidDays; h > 0 {
		L.prepaid = h * pv / p.Market.Peg
		s.aud.PrepaidInitialCLT = L.prepaid
	}

	for i := range s.provs {
		s.provs[i].mcost0 = s.provs[i].mcost
	}
	s.llmRebuild()
	if p.Pricing.Mode == PricingBestResponse {
		s.invertCosts()
	}
}

// rebuildDays is the interval of the exact rebuild of the aggregates.
const rebuildDays = 60

// llmAdd adds consumer j in group k with reference term dsc to the
// aggregates, with weight sign (+1 or −1).
func (s *sim) llmAdd(j int, k int32, dsc, sign float64) {
	L := &s.llm
	c := &s.cons[j]
	z := L.z[j]
	g := (int(k)+llmGroup0)*zNodes + int(z.g)
	w1 := z.w
	w0 := 1 - w1
	y := dsc
	if y == 0 {
		y = c.d * L.refPow0
	}
	L.ad[g] += sign * c.d * w0
	L.ad[g+1] += sign * c.d * w1
	L.ay[g] += sign * y * w0
	L.ay[g+1] += sign * y * w1
}

// llmMove updates the aggregates after consumer j's review: it was in
// group old with reference term oldDsc.
func (s *sim) llmMove(j int, old int32, oldDsc float64) {
	c := &s.cons[j]
	if c.k == old && c.dsc == oldDsc {
		return
	}
	s.llmAdd(j, old, oldDsc, -1)
	s.llmAdd(j, c.k, c.dsc, 1)
}

// llmSeeConsumers computes the grid node of the consumers not yet seen (the
// day-0 population, then each day's arrivals): one logarithm each.
func (s *sim) llmSeeConsumers() {
	L := &s.llm
	cp := &s.p.Consumers
	for j := len(L.z); j < len(s.cons); j++ {
		g, w := zNode(s.cons[j].b, cp.PriceWeight, cp.PriceWeightSigma)
		L.z = append(L.z, zPos{w: w, g: g})
	}
}

// llmRebuild recomputes the aggregates from the consumers.
func (s *sim) llmRebuild() {
	L := &s.llm
	for x := range L.ad {
		L.ad[x], L.ay[x] = 0, 0
	}
	s.llmSeeConsumers()
	for j := range s.cons {
		c := &s.cons[j]
		s.llmAdd(j, c.k, c.dsc, 1)
	}
}

// rebuildAggregates recomputes the running aggregates exactly from the
// consumers at the start of day t (every rebuildDays days), so that
// rounding cannot drift: under the event engine its own and the welfare
// aggregates in one pass (evRebuild), under the reference engine the
// welfare aggregates. Today's arrivals are added after it (llmArrivals), in
// the consumers' order, as a rebuild after them would.
func (s *sim) rebuildAggregates(t int) {
	if s.ev.on {
		s.evRebuild(t, true) // engine.go
		return
	}
	s.llmRebuild()
}

// llmArrivals adds today's arrivals (group none) to the aggregates.
func (s *sim) llmArrivals() {
	seen := len(s.llm.z) // consumers already in the aggregates
	s.llmSeeConsumers()
	for j := seen; j < len(s.cons); j++ {
		c := &s.cons[j]
		s.llmAdd(j, c.k, c.dsc, 1)
	}
}

// llmSmoothAggregates applies the day's reference smoothing (§B.2) to the
// aggregates of the provider groups: ay ← ay + a (cost_k^ε ad − ay).
func (s *sim) llmSmoothAggregates() {
	L := &s.llm
	a := L.refA
	if a == 0 {
		return
	}
	for k := range s.provs {
		if !s.act[k] {
			continue
		}
		pe := s.powEps[k]
		base := (k + llmGroup0) * zNodes
		for g := base; g < base+zNodes; g++ {
			L.ay[g] += a * (pe*L.ad[g] - L.ay[g])
		}
	}
}

// invertCosts backs out each incumbent's day-0 marginal cost from its
// first-order condition at the table's list price (BLP-style inversion,
// Berry 1994): c_i = κ_f p_i (1 − 1/E_i), E_i the elasticity of its expected
// demand (llm_pricing.go), clamped so that p_i/c_i ≤ pricing.max_markup
// (when E_i ≤ max_markup/(max_markup − 1) the cap binds) and c_i ≤ κ_f p_i.
func (s *sim) invertCosts() {
	L := &s.llm
	s.pricingSetup(1)
	ratios := s.scratch[:0]
	for i := 0; i < s.nInc; i++ {
		pr := &s.provs[i]
		c := ImpliedMarginalCost(pr.listPrice, s.demandElasticity(i, pr.listPrice), L.kappaF, s.p.Pricing.MaxMarkup)
		pr.mcost, pr.mcost0 = c, c
		ratios = append(ratios, c/pr.listPrice)
	}
	slices.Sort(ratios)
	m := len(ratios)
	L.ratioMed = ratios[m/2]
	if m%2 == 0 {
		L.ratioMed = (ratios[m/2-1] + ratios[m/2]) / 2
	}
}

// ImpliedMarginalCost returns the marginal cost c (USD/Mtok) at which list
// price p (USD/Mtok) satisfies the first-order condition of profit
// (κ_f p − c) Q(p) for a demand of elasticity E = −d ln Q/d ln p:
// c = κ_f p (1 − 1/E), the Lerner rule (κ_f p − c)/(κ_f p) = 1/E; for
// single-product logit with log-cost utility and constant b,
// E = ε + b(1 − s) (MODEL-SPEC-v2 §B.3). kappaF is the provider's part of a
// payment (1 − protocol fee − burn). The result is clamped to
// [p/maxMarkup, κ_f p]: where demand is inelastic (E ≤ 1) the markup cap binds.
func ImpliedMarginalCost(p, elasticity, kappaF, maxMarkup float64) float64 {
	c := 0.0
	if elasticity > 1 {
		c = kappaF * p * (1 - 1/elasticity)
	}
	return min(kappaF*p, max(c, p/maxMarkup))
}

// llmEntrant sets an entrant's marginal cost under best_response: the
// incumbents' median implied cost ratio c/p × its list price, declining from
// its entry day like every cost.
func (s *sim) llmEntrant(pr *prov, t int) {
	if s.p.Pricing.Mode == PricingBestResponse && s.llm.ratioMed > 0 {
		pr.mcost = s.llm.ratioMed * pr.listPrice
	}
	pr.mcost0 = pr.mcost / s.llm.decl
}

// growLLM sizes the per-(group, node) arrays to the provider count.
func (s *sim) growLLM() {
	n := len(s.provs) + llmGroup0
	L := &s.llm
	L.ad = grow(L.ad, n*zNodes)
	L.ay = grow(L.ay, n*zNodes)
	L.eg = grow(L.eg, n*zNodes*(len(s.provs)+1))
	L.tot = grow(L.tot, n*zNodes)
	L.br = grow(L.br, len(s.provs))
	old := len(L.tierPow)
	L.tierPow = grow(L.tierPow, len(s.provs))
	for i := old; i < len(s.provs); i++ { // incumbents at day 0 (llmInit), entrants at entry: the list price then
		L.tierPow[i] = math.Pow(s.provs[i].listPrice, s.p.Consumers.PriceElasticity)
	}
}

// logAddExp returns ln(e^a + e^b) without overflow.
func logAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}
