package model

import (
	"fmt"
	"math"
)

// LogSum returns IV = ln Σ_m exp(u_m), the inclusive value of a logit choice
// over options with utilities u (Anderson, de Palma & Thisse 1992, ch. 2);
// −Inf for no option.
func LogSum(u []float64) float64 {
	iv := math.Inf(-1)
	for _, x := range u {
		iv = logAddExp(iv, x)
	}
	return iv
}

// QACost returns the quality-adjusted cost c* (USD/Mtok) of a consumer with
// price sensitivity b > 0 whose choice has log-sum iv, relative to the
// log-sum ivBase of the day-0 market at the same b and the day-0
// volume-weighted price pbar0 (MODEL-SPEC-v2 §B.5):
//
//	c* = pbar0 × exp((ivBase − iv)/b).
//
// With log-cost utility, c* is the cost at which a single option with
// non-price utility ivBase + b ln pbar0 gives the same log-sum iv (so c* is
// the exact CES price index of the choice set; Anderson, de Palma & Thisse
// 1992), normalized so that on day 0 it equals the average price paid.
// With b ≤ 0 the index is undefined and QACost returns pbar0; the ratio
// c*/pbar0 is clamped to [e^−30, e^30].
func QACost(iv, ivBase, pbar0, b float64) float64 {
	if !(b > 0) {
		return pbar0
	}
	return pbar0 * math.Exp(max(-maxLogQA, min(maxLogQA, (ivBase-iv)/b)))
}

// maxLogQA bounds |ln(c*/p̄_0)|: a numerical guard for consumers with b near
// 0, whose money-metric index is extreme (e^30 ≈ 10^13; the default
// population never comes near it).
const maxLogQA = 30

// llmMetricsDay computes the day's §B.5 metrics after the close: c* by
// price-sensitivity node from today's options, the welfare and quality-adjusted cost,
// the token system's share of demand, the price index, the markup, and the
// consumers' gain on prepaid balances; it feeds the ledger.
func (s *sim) llmMetricsDay(t int) {
	L := &s.llm
	d := &s.day
	// IV is the log-sum of a consumer choosing afresh today (no switching
	// cost): the value of the choice set, which depends on b_j (and, under
	// the share cap, on whether the consumer is a closed provider's customer).
	cands := s.openList
	if len(cands) == 0 {
		cands = s.activeList
	}
	// Today's desired Mtok by node from the aggregates (before today's
	// smoothing, which then moves them to tomorrow's references).
	for g := range L.wD {
		L.wD[g] = L.ad[g] // outside: base demand d_j
	}
	for k := range s.provs {
		if !s.act[k] {
			continue
		}
		cp := s.cpn[k]
		base := (k + llmGroup0) * zNodes
		for g := range L.wD {
			L.wD[g] += cp * L.ay[base+g]
		}
	}
	s.llmSmoothAggregates()
	// Providers closed by the share cap stay available to their own
	// customers (§2.1): their customers' log-sum includes them.
	closedAvail := len(s.openList) > 0
	// exp(a_i − b ln cost_i − risk) = e_i × p_i^−b × (P_t−1/P_ref)^−b with
	// e_i = exp(a_i − risk), p_i the list price and cost_i = (p_i/P_ref)
	// P_t−1 (day.go): p_i^−b at the nodes changes only when the list price
	// does (every pricing.review_days), so it is cached per provider (the
	// reference price P_ref, which indexed pricing moves daily, is in the
	// common factor); a day costs one exponential per provider and two per
	// node instead of one per (provider, node); prepareChoice set them
	// (welfareFactors). welfareTerm falls back on the direct exponential
	// where the product leaves the floating-point range.
	if L.outside {
		s.outsideTerms(t)
	}
	wsum, dsum := 0.0, 0.0
	for node, w := range L.wD {
		if w <= 0 {
			continue
		}
		b := L.bNode[node]
		sum := 0.0
		if L.outside {
			sum = L.eOutN[node]
		}
		cP := L.wP[node]
		for _, i := range cands {
			sum += s.welfareTerm(int(i), node, cP, b)
		}
		rest := w
		if closedAvail {
			for _, i := range s.activeList {
				if !s.provs[i].closed {
					continue
				}
				wk := s.cpn[i] * L.ay[(int(i)+llmGroup0)*zNodes+node]
				if wk <= 0 {
					continue
				}
				sk := sum + s.welfareTerm(int(i), node, cP, b)
				wsum += wk * QACost(math.Log(sk), L.ivBase[node], L.pbar0, b)
				rest -= wk
			}
		}
		if sum > 0 && rest > 0 {
			wsum += rest * QACost(math.Log(sum), L.ivBase[node], L.pbar0, b)
		}
		dsum += w
	}
	L.qaDay = 0
	if dsum > 0 {
		L.qaDay = wsum / dsum
	}
	L.welfare -= wsum
	L.qaSum += L.qaDay

	all := d.desired + L.outsideMtok
	L.insideDay = 1
	if all > 0 {
		L.insideDay = d.desired / all
	}
	pv, vol := 0.0, 0.0
	for i := range s.provs {
		pr := &s.provs[i]
		if !pr.startAct || pr.vol == 0 {
			continue
		}
		pv += pr.vol * pr.listPrice
		vol += pr.vol
		L.markupNum += pr.vol * (pr.listPrice - pr.mcost) / pr.listPrice
	}
	L.markupDen += vol
	if vol > 0 {
		L.priceIdxDay = pv / vol / L.pbar0
	}
	gain := L.prepaid * (s.price[t] - s.price[t-1])
	L.prepaidGain += gain

	a := &s.aud
	a.PrepaidGainUSD += gain
	a.DesiredMtok += d.desired
	a.ServedMtok += d.volume
	a.DeferredMtok += d.deferred
	a.ReleasedMtok += L.released
	a.AbandonedMtok += L.abandoned
	a.OutsideMtok += L.outsideMtok
	L.released, L.abandoned, L.outsideMtok = 0, 0, 0
}

// outsideTerms sets L.eOutN to day t's exp(U_0 + b_g outDrift) at every
// node for the welfare log-sums. outDrift = δ t/365 grows by δ/365 a day, so
// a day's value is the day before's × exp(b_g δ/365): one product per node
// instead of one exponential (computed directly on a run's first day). The
// chain adds about an ulp of rounding a day; these terms enter only the
// welfare metrics, which moved by at most 3.6e−13 relative over 365-day runs
// (60 runs of the default cells and depeg_algorithmic; c* divides the
// log-sum's error by b, which amplifies it at the low-sensitivity nodes).
func (s *sim) outsideTerms(t int) {
	L := &s.llm
	if t > 1 && L.eOutDay == t-1 { // the day before's values are there
		for g := range L.eOutN {
			L.eOutN[g] *= L.qOut[g]
		}
	} else {
		dl := s.p.Providers.CostDeclinePerYear
		for g, b := range L.bNode {
			L.eOutN[g] = math.Exp(L.u0 + b*L.outDrift)
			L.qOut[g] = math.Exp(b * dl / 365)
		}
	}
	L.eOutDay = t
}

// welfareFactors sets day t's factors of the welfare log-sums (and, in wE,
// the choice grid's exp(A_i)) after the day's utilities: per node g
// (P_t−1/P_ref)^−b_g (wP), per active provider e_i = exp(a_i − risk) (wE)
// and, when its list price p_i changed since they were cached, p_i^−b_g at
// every node (wPow).
func (s *sim) welfareFactors(t int) {
	L := &s.llm
	n := len(s.provs)
	for len(L.wList) < n {
		L.wList = append(L.wList, math.NaN()) // not cached
	}
	L.wE = grow(L.wE, n)
	L.wPow = grow(L.wPow, n*zNodes)
	lp := math.Log(s.price[t-1] / s.pRef)
	for g, b := range L.bNode {
		L.wP[g] = math.Exp(-b * lp)
	}
	for _, i := range s.activeList {
		pr := &s.provs[i]
		L.wE[i] = math.Exp(s.aNet[i] - L.risk)
		if pr.listPrice == L.wList[i] {
			continue
		}
		L.wList[i] = pr.listPrice
		lpi := math.Log(pr.listPrice)
		row := L.wPow[int(i)*zNodes : (int(i)+1)*zNodes]
		for g, b := range L.bNode {
			row[g] = math.Exp(-b * lpi)
		}
	}
}

// welfareTerm returns exp(a_i − b ln cost_i − risk) at node g from the
// day's factors (cP = P_t−1^−b), or directly when the product of the factors
// overflows, underflows or is NaN (extreme prices).
func (s *sim) welfareTerm(i, g int, cP, b float64) float64 {
	L := &s.llm
	x := L.wE[i] * L.wPow[i*zNodes+g] * cP
	if x > 0 && x <= math.MaxFloat64 {
		return x
	}
	return math.Exp(s.aNet[i] - b*s.lnCost[i] - L.risk)
}

// llmSummary completes the §B.5 run metrics and the ledger's §B stocks.
func (s *sim) llmSummary(sum *Summary) error {
	L := &s.llm
	sum.QACostUSDPerMtokMean = L.qaSum / float64(s.T)
	sum.ConsumerWelfareUSD = L.welfare + L.prepaidGain
	sum.InsideShareFinal = L.insideDay
	sum.PriceIndexFinal = L.priceIdxDay
	if L.markupDen > 0 {
		sum.MarkupMean = L.markupNum / L.markupDen
	}
	s.aud.PrepaidFinalCLT = L.prepaid
	b := 0.0
	for j := range s.cons {
		b += s.cons[j].backlog
	}
	s.aud.BacklogFinalMtok = b
	for _, x := range [...]struct {
		name string
		v    float64
	}{
		{"qa_cost_usd_per_mtok", sum.QACostUSDPerMtokMean}, {"consumer_welfare_usd", sum.ConsumerWelfareUSD},
		{"price_index_final", sum.PriceIndexFinal}, {"markup_mean", sum.MarkupMean},
	} {
		if !isFinite(x.v) {
			return fmt.Errorf("%w: summary: %s = %v", ErrNonFinite, x.name, x.v)
		}
	}
	return nil
}

// llmMetrics are the §B.5 metrics (MODEL-SPEC-v2 §D).
var llmMetrics = []Metric{
	{Name: "qa_cost_usd_per_mtok", Table: TableRuns, Family: FamilyConsumers, Unit: "USD/Mtok", Label: "Quality-adjusted cost (mean)",
		Description: "Mean over days of the demand-weighted quality-adjusted cost c* = p̄_0 exp((IV_0 − IV)/b), the exact CES price index of each consumer's logit choice incl. the outside option (Anderson, de Palma & Thisse 1992), in day-0 USD per Mtok (MODEL-SPEC-v2 §B.5).",
		Lo:          0, Hi: infHi, Better: LowerIsBetter, HeavyTailed: true, Version: 2},
	{Name: "consumer_welfare_usd", Table: TableRuns, Family: FamilyConsumers, Unit: "USD", Label: "Consumer welfare",
		Description: "−Σ_t Σ_j D_j,t c*_j,t plus consumers' gains on prepaid CLT balances (MODEL-SPEC-v2 §B.5). Its level is a normalization; the paired difference between two policies is the compensating variation in USD over the horizon: what consumers would pay to have the first instead of the second.",
		Lo:          unbounded, Hi: unbounded, Better: HigherIsBetter, HeavyTailed: true, Version: 2, Key: true},
	{Name: "inside_share_final", Table: TableRuns, Family: FamilyConsumers, Unit: "share", Label: "Token system's share of demand at the end",
		Description: "Day-T desired volume inside the token system / all desired volume incl. the outside option (MODEL-SPEC-v2 §B.1).",
		Lo:          0, Hi: 1, Better: Neutral, Version: 2, Percent: true},
	{Name: "price_index_final", Table: TableRuns, Family: FamilyProfitability, Unit: "ratio to day 0", Label: "List-price index at the end",
		Description: "Day-T volume-weighted USD list price / the day-0 one (MODEL-SPEC-v2 §B.3, §D).",
		Lo:          0, Hi: infHi, Better: LowerIsBetter, Version: 2},
	{Name: "markup_mean", Table: TableRuns, Family: FamilyProfitability, Unit: "Lerner index", Label: "Average markup (Lerner index)",
		Description: "Volume-weighted mean over providers and days of (p − c)/p, USD list price p and marginal cost c (MODEL-SPEC-v2 §B.3, §D).",
		Lo:          unbounded, Hi: 1, Better: Neutral, Version: 2},
	{Name: "qa_cost_usd_per_mtok", Table: TableSteps, Family: FamilyConsumers, Unit: "USD/Mtok", Label: "Quality-adjusted cost",
		Description: "Demand-weighted quality-adjusted cost c* of the day (MODEL-SPEC-v2 §B.5).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 2},
	{Name: "price_index", Table: TableSteps, Family: FamilyProfitability, Unit: "ratio to day 0", Label: "List-price index",
		Description: "Volume-weighted USD list price / the day-0 one (MODEL-SPEC-v2 §D).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 2},
	{Name: "inside_share", Table: TableSteps, Family: FamilyConsumers, Unit: "share", Label: "Token system's share of demand",
		Description: "Desired volume inside the token system / all desired volume (MODEL-SPEC-v2 §B.1).", Lo: 0, Hi: 1, Better: Neutral, Version: 2, Percent: true},
}
