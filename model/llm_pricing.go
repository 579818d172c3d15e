package model

import "math"

// llmBeforeCosts runs before today's CLT prices and costs are set (after
// arrivals and entry, MODEL-SPEC §2 step 3): today's risk and deferral terms,
// the marginal-cost decline c_i,t = c_i,0 exp(−δ t/365), and, under
// pricing.mode best_response on days t with t mod review_days = 0, each
// active provider's move toward its best response (MODEL-SPEC-v2 §B.3).
func (s *sim) llmBeforeCosts(t int, pPrev float64) {
	p := s.p
	L := &s.llm
	s.llmArrivals()
	s.llmDayTerms(t)
	if dl := p.Providers.CostDeclinePerYear; dl > 0 {
		L.outDrift = dl * float64(t) / 365
		L.decl = math.Exp(-L.outDrift)
		for i := range s.provs {
			if pr := &s.provs[i]; pr.active {
				pr.mcost = pr.mcost0 * L.decl
			}
		}
	}
	if p.Pricing.Mode != PricingBestResponse || t%p.Pricing.ReviewDays != 0 {
		return
	}
	s.pricingSetup(pPrev / s.pRef)
	for i := range s.provs {
		if pr := &s.provs[i]; pr.active {
			L.br[i] = s.bestResponse(i)
		}
	}
	lam := p.Pricing.Adjust
	for i := range s.provs {
		if pr := &s.provs[i]; pr.active {
			pr.listPrice += lam * (L.br[i] - pr.listPrice)
		}
	}
}

// maxPricingProviders bounds the per-(node, provider) table of cost terms
// kept on the stack (providers.max defaults to 16; beyond it they are
// recomputed per cell).
const maxPricingProviders = 32

// pricingModel holds a review's demand model: consumers aggregated by group
// (outside, none, provider) and price-sensitivity node, with the
// exponentiated utilities of every option at current prices.
type pricingModel struct {
	r      float64 // P_t−1/P_ref: consumer cost = r × list price
	nOpt   int     // providers + 1 (option n is the outside option)
	groups int
}

// netUtility returns provider pr's utility apart from cost and switching,
// ξ + w_q q + γ ln(s + s_floor) at its current quality and share (MODEL-SPEC
// §2.1; the network term only when γ ≠ 0).
func (s *sim) netUtility(pr *prov) float64 {
	a := pr.xi + s.p.Consumers.QualityWeight*pr.q
	if gamma := s.p.Network.Effect; gamma != 0 {
		a += gamma * math.Log(pr.share+s.p.Network.ShareFloor)
	}
	return a
}

// pricingSetup builds the provider's-eye demand model for list-price factor
// r = P_t−1/P_ref (MODEL-SPEC-v2 §B.3): the current consumer distribution
// aggregated into (group, node) cells weighted by d_j c_ref,j^ε (the demand
// scale of D_j = d_j (cost/c_ref,j)^−ε), each cell's logit over the options
// it can choose (availability and switching costs as in the choice, §2.1;
// yesterday's shares in the network term; the risk term on token options;
// the outside option), at current list prices.
func (s *sim) pricingSetup(r float64) {
	L := &s.llm
	p := s.p
	n := len(s.provs)
	G := zNodes
	nG := n + llmGroup0
	kappa := p.Consumers.SwitchingCost
	nOpen := 0
	for i := range s.provs {
		if pr := &s.provs[i]; pr.active && !pr.closed {
			nOpen++
		}
	}
	nOpt := n + 1
	eg := L.eg[:nG*G*nOpt]
	// exp(utility) = exp(a_i − risk) × cost_i^−b × e^−κ (switching): one
	// exponential per (provider, node), the rest products.
	ea := L.br[:n] // scratch: exp(a_i − risk), 0 when unavailable
	for i := range s.provs {
		pr := &s.provs[i]
		ea[i] = 0
		if pr.active {
			ea[i] = math.Exp(s.netUtility(pr) - L.risk)
		}
	}
	ek := math.Exp(-kappa)
	var cb [zNodes][maxPricingProviders]float64
	big := n > maxPricingProviders
	if !big {
		for i := range s.provs {
			if ea[i] != 0 {
				lc := math.Log(r * s.provs[i].listPrice)
				for node, b := range L.bNode {
					cb[node][i] = math.Exp(-b * lc)
				}
			}
		}
	}
	// The outside option's exp(utility) by node (before switching costs).
	var eo [zNodes]float64
	if L.outside {
		for node, b := range L.bNode {
			eo[node] = math.Exp(L.u0 + b*L.outDrift)
		}
	}
	for gi := 0; gi < nG; gi++ {
		k := int32(gi - llmGroup0)
		for node := 0; node < G; node++ {
			cell := gi*G + node
			row := eg[cell*nOpt : (cell+1)*nOpt]
			tot := 0.0
			if L.ay[cell] <= 0 {
				for x := range row {
					row[x] = 0
				}
				L.tot[cell] = 0
				continue
			}
			b := L.bNode[node]
			for i := range s.provs {
				pr := &s.provs[i]
				row[i] = 0
				if ea[i] == 0 || (pr.closed && int32(i) != k && nOpen > 0) {
					continue
				}
				var c float64
				if big {
					c = math.Exp(-b * math.Log(r*pr.listPrice))
				} else {
					c = cb[node][i]
				}
				e := ea[i] * c
				if k != -1 && int32(i) != k {
					e *= ek
				}
				row[i] = e
				tot += e
			}
			row[n] = 0
			if L.outside {
				e := eo[node]
				if k >= 0 {
					e *= ek
				}
				row[n] = e
				tot += e
			}
			L.tot[cell] = tot
		}
	}
	L.pm = pricingModel{r: r, nOpt: nOpt, groups: nG}
}

// expectedDemand returns provider i's expected daily volume Q_i (Mtok, up to
// deferral) at list price p and, with it, Σ cells w s (ε + b(1 − s)) / Q, the
// elasticity −d ln Q/d ln p, given rivals' current prices: Q_i(p) =
// (r p)^−ε Σ_cells W_cell s_i,cell(p), s the cell's logit probability of i.
func (s *sim) expectedDemand(i int, p float64) (q, elasticity float64) {
	L := &s.llm
	pm := &L.pm
	eps := s.p.Consumers.PriceElasticity
	G := zNodes
	mult := s.priceFactors(i, p)
	sum, sumE := 0.0, 0.0
	s.eachCell(i, func(cell int, w, e0 float64) {
		b := L.bNode[cell%G]
		e := e0 * mult[cell%G]
		sh := e / (L.tot[cell] - e0 + e)
		sum += w * sh
		sumE += w * sh * b * (1 - sh)
	})
	if sum == 0 {
		return 0, eps
	}
	return math.Pow(pm.r*p, -eps) * sum, eps + sumE/sum
}

// demandElasticity returns −d ln Q_i/d ln p at list price p (analytic).
func (s *sim) demandElasticity(i int, p float64) float64 {
	_, e := s.expectedDemand(i, p)
	return e
}

// profitAt is provider i's expected daily profit (κ_f r p − c_i) Q_i(p), USD.
// It reads provider i's terms of expectedDemand's sum (cells with weight and
// i available) from llmState.cells, compacted once per best response
// (sim.profit) so that each of Brent's evaluations is one tight loop.
type profitAt struct {
	s *sim
	i int
}

// priceFactors returns (p/p_i)^−b = exp(−b ln(p/p_i)) at each price-
// sensitivity node: how provider i's exp(utility) scales when its list
// price p_i becomes p.
func (s *sim) priceFactors(i int, p float64) [zNodes]float64 {
	dx := math.Log(p / s.provs[i].listPrice)
	var mult [zNodes]float64
	for g, b := range s.llm.bNode {
		mult[g] = math.Exp(-b * dx)
	}
	return mult
}

// demandCells are the cells of expectedDemand's sum for one provider, in
// its order: weight W, exp(utility) e0 of the provider at its current
// price, the rest of the cell's denominator (tot − e0), and the node.
type demandCells struct {
	w, e0, rest []float64
	node        []uint8
}

// build compacts provider i's cells (after pricingSetup).
func (c *demandCells) build(s *sim, i int) {
	L := &s.llm
	c.w, c.e0, c.rest, c.node = c.w[:0], c.e0[:0], c.rest[:0], c.node[:0]
	s.eachCell(i, func(cell int, w, e0 float64) {
		c.w = append(c.w, w)
		c.e0 = append(c.e0, e0)
		c.rest = append(c.rest, L.tot[cell]-e0)
		c.node = append(c.node, uint8(cell%zNodes))
	})
}

// eachCell calls f, in cell order, with each (group, node) cell of the
// demand model (after pricingSetup) where provider i has customers to win:
// weight w = L.ay[cell] > 0 and i available (its exp(utility) e0 ≠ 0).
func (s *sim) eachCell(i int, f func(cell int, w, e0 float64)) {
	L := &s.llm
	pm := &L.pm
	for cell := 0; cell < pm.groups*zNodes; cell++ {
		w := L.ay[cell]
		if w <= 0 {
			continue
		}
		if e0 := L.eg[cell*pm.nOpt+i]; e0 != 0 {
			f(cell, w, e0)
		}
	}
}

// quantity is expectedDemand's Q_i(p) from the compacted cells (the same
// operations in the same order, so the same bits).
func (o profitAt) quantity(p float64) float64 {
	s := o.s
	L := &s.llm
	mult := s.priceFactors(o.i, p)
	c := &L.cells
	e0s, rest, node := c.e0[:len(c.w)], c.rest[:len(c.w)], c.node[:len(c.w)]
	sum := 0.0
	for x, w := range c.w {
		e := e0s[x] * mult[node[x]%zNodes]
		sum += w * (e / (rest[x] + e))
	}
	if sum == 0 {
		return 0
	}
	return math.Pow(L.pm.r*p, -s.p.Consumers.PriceElasticity) * sum
}

func (o profitAt) value(lnp float64) float64 {
	p := math.Exp(lnp)
	return (o.s.llm.kappaF*o.s.llm.pm.r*p - o.s.provs[o.i].mcost) * o.quantity(p)
}

// bestResponse returns provider i's profit-maximizing list price given its
// rivals' current prices: the maximum over ln p in [ln c_i, ln(max_markup ×
// c_i)] of (κ_f r p − c_i) Q_i(p), by Brent's method.
func (s *sim) bestResponse(i int) float64 {
	c := s.provs[i].mcost
	lo, hi := math.Log(c), math.Log(s.p.Pricing.MaxMarkup*c)
	return math.Exp(brentMax(s.profit(i), lo, hi, 1e-6))
}

// profit returns provider i's profit function at the current demand model
// (after pricingSetup), its cells compacted into llmState.cells.
func (s *sim) profit(i int) profitAt {
	s.llm.cells.build(s, i)
	return profitAt{s, i}
}

// brentMax maximizes f on [a, b] by Brent's method (golden-section search
// with parabolic interpolation; Brent 1973, "Algorithms for Minimization
// without Derivatives", ch. 5, procedure localmin), to absolute tolerance
// tol in x. gonum/optimize has no bounded scalar minimizer (its Minimize is
// multivariate and allocates per call), so this is the textbook routine;
// TestBrentMaxAgreesWithGonum checks it against gonum's Nelder–Mead.
func brentMax(f profitAt, a, b, tol float64) float64 {
	const cgold = 0.3819660112501051
	const zeps = 1e-12
	x := a + cgold*(b-a)
	w, v := x, x
	fx := -f.value(x)
	fw, fv := fx, fx
	var d, e float64
	for iter := 0; iter < 100; iter++ {
		xm := 0.5 * (a + b)
		tol1 := tol*math.Abs(x) + zeps
		tol2 := 2 * tol1
		if math.Abs(x-xm) <= tol2-0.5*(b-a) {
			break
		}
		if math.Abs(e) > tol1 {
			r := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			pp := (x-v)*q - (x-w)*r
			q = 2 * (q - r)
			if q > 0 {
				pp = -pp
			}
			q = math.Abs(q)
			etemp := e
			e = d
			if math.Abs(pp) >= math.Abs(0.5*q*etemp) || pp <= q*(a-x) || pp >= q*(b-x) {
				if x >= xm {
					e = a - x
				} else {
					e = b - x
				}
				d = cgold * e
			} else {
				d = pp / q
				u := x + d
				if u-a < tol2 || b-u < tol2 {
					d = math.Copysign(tol1, xm-x)
				}
			}
		} else {
			if x >= xm {
				e = a - x
			} else {
				e = b - x
			}
			d = cgold * e
		}
		u := x + d
		if math.Abs(d) < tol1 {
			u = x + math.Copysign(tol1, d)
		}
		fu := -f.value(u)
		if fu <= fx {
			if u >= x {
				a = x
			} else {
				b = x
			}
			v, w, x = w, x, u
			fv, fw, fx = fw, fx, fu
		} else {
			if u < x {
				a = u
			} else {
				b = u
			}
			if fu <= fw || w == x {
				v, w = w, u
				fv, fw = fw, fu
			} else if fu <= fv || v == x || v == w {
				v = u
				fv = fu
			}
		}
	}
	// The bounds themselves (the markup cap binds when profit still rises there).
	if fb := -f.value(b); fb < fx && b >= x {
		return b
	}
	return x
}

// ImpliedMargins returns, for the parameters p, each incumbent's day-0
// Lerner index (p_i − c_i)/p_i implied by the first-order conditions at the
// table's list prices (MODEL-SPEC-v2 §B.3), in table order; under
// pricing.mode fixed it returns 1 − providers.marginal_cost_ratio for each.
// It simulates day 0 only (the consumer draws of replicate 0, seed 1).
// Errors wrap ErrInvalidParam.
func ImpliedMargins(p Params) ([]float64, error) {
	spec := RunSpec{Params: p, Schedule: Schedule{BaseRegime: firstRegime(p)}, HorizonDays: 1, Seed: 1}
	var r Runner
	if err := r.sim.init(&spec, nil); err != nil {
		return nil, err
	}
	out := make([]float64, r.sim.nInc)
	for i := range out {
		pr := &r.sim.provs[i]
		out[i] = (pr.listPrice - pr.mcost) / pr.listPrice
	}
	return out, nil
}

// firstRegime names a regime of p for a day-0-only run (the regime does not
// enter day 0): pegged when defined, else the first name in sorted order.
func firstRegime(p Params) string {
	if _, ok := p.Market.Regimes[RegimePegged]; ok {
		return RegimePegged
	}
	names := sortedKeys(p.Market.Regimes)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}
