package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/garch"
)

// memRec keeps every recorded row.
type memRec struct {
	steps []Step
	prov  []ProviderStep
}

func (m *memRec) Step(s *Step)                 { m.steps = append(m.steps, *s) }
func (m *memRec) ProviderStep(p *ProviderStep) { m.prov = append(m.prov, *p) }

// row returns provider name's row of day d.
func (m *memRec) row(t *testing.T, d int, name string) ProviderStep {
	t.Helper()
	for _, r := range m.prov {
		if int(r.Day) == d && r.Provider == name {
			return r
		}
	}
	t.Fatalf("no provider_steps row for %s on day %d", name, d)
	return ProviderStep{}
}

// quietParams is the default model with a near-deterministic token market
// (σ ≈ 1e-7 a day, no jumps, no peg reversion, infinite depth, no issuance, no
// entry), so that days can be computed by hand.
// quietParams is a quiet v1 market (MODEL-SPEC v1 mechanics; v2 §B tests
// switch mechanisms on explicitly).
func quietParams() Params {
	p := DefaultV1()
	p.Consumers.Count = 300
	p.Market.JumpRatePerYear = 0
	p.Market.DepthUSD = math.Inf(1)
	p.Market.Regimes = map[string]Regime{RegimePegged: {Params: garch.Params{Omega: 1e-14, Alpha: 0, Beta: 0, Nu: 30}, PegReversion: 0}}
	p.Supply.IssuancePerYear = 0
	p.Entry.RatePerYear = 0
	return p
}

func pegged() Schedule { return Schedule{BaseRegime: RegimePegged} }

func runRecorded(t *testing.T, spec RunSpec) (Summary, *memRec) {
	t.Helper()
	rec := &memRec{}
	spec.RecordEveryDays = 1
	spec.ProviderSteps = true
	var r Runner
	sum, err := r.Run(&spec, rec)
	if err != nil {
		t.Fatal(err)
	}
	return sum, rec
}

// TestDayCircuitBreaker: a −30% scheduled shock on day 5 trips the breaker
// (threshold 0.15); day 5 closes at P_4, day 6 is halted and reopens at
// P_4 × exp(0.5 × ln 0.7); no provider sells on day 6 and day 7 sells the
// lots of days 6 and 7 at P_6.
func TestDayCircuitBreaker(t *testing.T) {
	p := quietParams()
	p.CircuitBreaker = CircuitBreakerParams{Enabled: true, Threshold: 0.15, WindowDays: 1, HaltDays: 1, Damping: 0.5}
	s := pegged()
	s.Shocks = []Shock{{Day: 5, Size: -0.30, DurationDays: 1}}
	sum, rec := runRecorded(t, RunSpec{Params: p, Schedule: s, HorizonDays: 10, Seed: 3})
	st := rec.steps
	if len(st) != 10 {
		t.Fatalf("recorded %d days, want 10", len(st))
	}
	p4 := st[3].Price
	if st[4].Price != p4 {
		t.Errorf("trigger day 5 closes at %v, want the frozen P_4 = %v", st[4].Price, p4)
	}
	if st[4].Halted || !st[5].Halted || st[6].Halted {
		t.Errorf("halted flags days 5,6,7 = %v %v %v, want false true false", st[4].Halted, st[5].Halted, st[6].Halted)
	}
	want6 := p4 * math.Exp(0.5*math.Log(0.7))
	if !near(st[5].Price, want6, 1e-5) {
		t.Errorf("reopening close day 6 = %v, want ≈ %v", st[5].Price, want6)
	}
	if orV1(sum.Halts, -1) != 1 {
		t.Errorf("halts = %v, want 1", orV1(sum.Halts, -1))
	}
	pf := p.Fees.ProtocolFee
	for _, row := range p.Providers.Table {
		if r6 := rec.row(t, 6, row.Name); r6.RevenueUSD != 0 {
			t.Errorf("%s sold %v USD on the halted day 6", row.Name, r6.RevenueUSD)
		}
		// Lots due on days 6 and 7 are the receipts of days 3 and 4 (hold 3).
		f3 := rec.row(t, 3, row.Name)
		f4 := rec.row(t, 4, row.Name)
		lots := (f3.VolumeMtok*f3.PriceCLTPerMtok + f4.VolumeMtok*f4.PriceCLTPerMtok) * (1 - pf)
		want := lots * st[5].Price
		if got := rec.row(t, 7, row.Name).RevenueUSD; !near(got, want, 1e-12) {
			t.Errorf("%s revenue on day 7 = %v, want the two lots at P_6 = %v", row.Name, got, want)
		}
	}
}

// TestDayFundTrade: the fund does nothing while P_t−1 is inside its band and
// buys aggressiveness × depth × ln(lower edge / P_t−1) the day after a −10%
// shock takes the price below the band.
func TestDayFundTrade(t *testing.T) {
	p := quietParams()
	p.Market.DepthUSD = 5e9
	p.Fund.Enabled = true
	s := pegged()
	s.Shocks = []Shock{{Day: 5, Size: -0.10, DurationDays: 1}}
	_, rec := runRecorded(t, RunSpec{Params: p, Schedule: s, HorizonDays: 8, Seed: 4})
	st := rec.steps
	lo := p.Market.Peg * (1 - p.Fund.Band)
	for d := 1; d <= 5; d++ {
		pPrev := 1.0
		if d > 1 {
			pPrev = st[d-2].Price
		}
		if pPrev < lo || pPrev > p.Market.Peg*(1+p.Fund.Band) {
			t.Fatalf("setup: P_%d = %v is outside the band", d-1, pPrev)
		}
		if st[d-1].FundReserveUSD != p.Fund.ReserveUSD || st[d-1].FundReserveCLT != p.Fund.ReserveCLT {
			t.Errorf("day %d inside the band: reserves %v USD %v CLT changed", d, st[d-1].FundReserveUSD, st[d-1].FundReserveCLT)
		}
	}
	p5 := st[4].Price
	if !(p5 < lo) {
		t.Fatalf("setup: P_5 = %v not below the band edge %v", p5, lo)
	}
	buy := math.Min(p.Fund.Aggressiveness*p.Market.DepthUSD*(math.Log(lo)-math.Log(p5)), p.Fund.ReserveUSD)
	if got := st[4].FundReserveUSD - st[5].FundReserveUSD; !near(got, buy, 1e-12) {
		t.Errorf("day 6 fund purchase = %v USD, want %v", got, buy)
	}
	if got := st[5].FundReserveCLT - st[4].FundReserveCLT; !near(got, buy/p5, 1e-12) {
		t.Errorf("day 6 fund CLT bought = %v, want %v", got, buy/p5)
	}
}

// TestDayRepricing: with interval 10 and a 4-day TWAP, quotes are p_i / P_0
// on days 1–9, p_i / mean(P_6..P_9) on days 10–19 and p_i / mean(P_16..P_19)
// on day 20; with interval 0 the consumer's USD cost is the list price.
func TestDayRepricing(t *testing.T) {
	p := DefaultV1()
	p.Consumers.Count = 200
	p.Pricing.TWAPDays, p.Pricing.RepriceIntervalDays = 4, 10
	_, rec := runRecorded(t, RunSpec{Params: p, Schedule: pegged(), HorizonDays: 21, Seed: 5})
	price := func(d int) float64 {
		if d == 0 {
			return p.Market.Peg
		}
		return rec.steps[d-1].Price
	}
	twap := func(from, to int) float64 {
		s := 0.0
		for d := from; d <= to; d++ {
			s += price(d)
		}
		return s / float64(to-from+1)
	}
	for _, d := range []int{1, 9, 10, 15, 19, 20, 21} {
		ref := p.Market.Peg
		switch {
		case d >= 20:
			ref = twap(16, 19)
		case d >= 10:
			ref = twap(6, 9)
		}
		for _, row := range p.Providers.Table {
			if got, want := rec.row(t, d, row.Name).PriceCLTPerMtok, row.ListPriceUSDPerMtok/ref; !near(got, want, 1e-13) {
				t.Errorf("day %d %s: π = %v CLT/Mtok, want %v", d, row.Name, got, want)
			}
		}
	}

	p.Pricing.RepriceIntervalDays = 0
	_, rec = runRecorded(t, RunSpec{Params: p, Schedule: pegged(), HorizonDays: 10, Seed: 5})
	for _, st := range rec.steps {
		vol, usd := 0.0, 0.0
		for _, r := range rec.prov {
			if r.Day == st.Day {
				vol += r.VolumeMtok
				usd += r.VolumeMtok * p.Providers.Table[indexOf(p, r.Provider)].ListPriceUSDPerMtok
			}
		}
		if !near(st.CostUSDPerMtok, usd/vol, 1e-12) {
			t.Errorf("indexed pricing day %d: cost %v USD/Mtok, want the volume-weighted list price %v", st.Day, st.CostUSDPerMtok, usd/vol)
		}
	}
}

func indexOf(p Params, name string) int {
	for i, r := range p.Providers.Table {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// newSim sets up a run for day-by-day tests.
func newSim(t *testing.T, spec *RunSpec) *sim {
	t.Helper()
	s := &sim{}
	if err := s.init(spec, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func stepDays(t *testing.T, s *sim, from, to int) {
	t.Helper()
	for d := from; d <= to; d++ {
		if err := s.dayStep(d); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDayExitAndForcedReview: a provider whose cash is negative after day 2's
// revenue and costs exits on day 2; with review_rate 0 exactly its consumers
// choose again on day 3 (and nobody else); its queued lots are sold on day 3
// and booked as its revenue, with no more costs.
func TestDayExitAndForcedReview(t *testing.T) {
	p := quietParams()
	p.Consumers.ReviewRate = 0
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 5, Seed: 6}
	s := newSim(t, &spec)
	const victim = 4 // mid_tier
	stepDays(t, s, 1, 1)
	s.provs[victim].cash = -1e15
	stepDays(t, s, 2, 2)
	v := &s.provs[victim]
	if v.active || v.exitDay != 2 || s.acc.exits != 1 {
		t.Fatalf("after day 2: active %v exitDay %d exits %d; want exit on day 2", v.active, v.exitDay, s.acc.exits)
	}
	if v.overdue <= 0 {
		t.Fatalf("exited provider's lots not queued for sale: overdue %v", v.overdue)
	}
	queued := v.overdue
	before := make([]int32, len(s.cons))
	for j := range s.cons {
		before[j] = s.cons[j].k
	}
	n := 0
	for _, k := range before {
		if k == victim {
			n++
		}
	}
	if n == 0 {
		t.Fatal("setup: the victim had no consumers")
	}
	pPrev := s.price[2]
	stepDays(t, s, 3, 3)
	for j, k := range before {
		now := s.cons[j].k
		if k == victim && now == victim {
			t.Errorf("consumer %d still with the exited provider on day 3", j)
		}
		if k != victim && now != k {
			t.Errorf("consumer %d switched %d → %d without a review (review_rate 0)", j, k, now)
		}
	}
	if !near(v.revToday, queued*pPrev, 1e-12) || v.overdue != 0 {
		t.Errorf("day 3: exited provider revenue %v, want its queued %v CLT at P_2 = %v", v.revToday, queued, queued*pPrev)
	}
	if v.costToday != 0 {
		t.Errorf("day 3: exited provider has costs %v", v.costToday)
	}
	for x := 0; x < s.nSlot; x++ {
		if s.lots[victim*s.nSlot+x] != 0 {
			t.Errorf("exited provider's lot slot %d not empty", x)
		}
	}
}

// TestDayGovernanceBlock: under stake_vote with cap 0.28, the leader (share
// ≈ 0.32, stake ≈ 48% of day-1 revenue) votes no; the others' yes would pass
// with its weight: the cap is blocked on every day. Grants (small_share 0.10)
// fail without a block. The expected outcome is computed from the day-0
// shares and stakes independently of vote().
func TestDayGovernanceBlock(t *testing.T) {
	p := quietParams()
	p.Consumers.Count = 2000
	p.Consumers.DemandSigma = 0
	p.ShareCap.Enabled, p.ShareCap.Cap = true, 0.28
	p.Grants.Enabled = true
	p.Governance.Mode, p.Governance.VoteIntervalDays, p.Governance.Threshold = GovernanceStakeVote, 5, 2.0/3
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 12, Seed: 8}
	s := newSim(t, &spec)

	// Day-1 vote by hand: stakes are initial daily revenues s_i(0)·D·p_i.
	total, yesCap, yesGr, lead, leadW := 0.0, 0.0, 0.0, -1, 0.0
	for i, row := range p.Providers.Table {
		w := row.InitialShare * row.ListPriceUSDPerMtok
		total += w
		if sh := s.provs[i].share; sh < 0.28 {
			yesCap += w
		} else if w > leadW {
			lead, leadW = i, w
		}
		if s.provs[i].share < 0.10 {
			yesGr += w
		}
	}
	yesCap, yesGr, leadW = yesCap/total, yesGr/total, leadW/total
	if lead != 0 || yesCap >= 2.0/3 || leadW <= 1.0/3 || yesCap+leadW < 2.0/3 {
		t.Fatalf("setup: want a blocking leader; lead %d weight %v, cap yes %v", lead, leadW, yesCap)
	}
	if yesGr >= 2.0/3 || yesGr+leadW >= 2.0/3 {
		t.Fatalf("setup: want grants to fail without block; yes %v", yesGr)
	}
	for d := 1; d <= spec.HorizonDays; d++ {
		stepDays(t, s, d, d)
		if s.capInForce || !s.capBlocked {
			t.Errorf("day %d: cap in force %v blocked %v; want out of force, blocked", d, s.capInForce, s.capBlocked)
		}
		if s.grantsInForce || s.grantsBlocked {
			t.Errorf("day %d: grants in force %v blocked %v; want failed, not blocked", d, s.grantsInForce, s.grantsBlocked)
		}
	}
	sum, err := s.summary()
	if err != nil {
		t.Fatal(err)
	}
	if orV1(sum.CapBlockedDays, -1) != 12 || orV1(sum.GrantsBlockedDays, -1) != 0 {
		t.Errorf("blocked days cap %d grants %d, want 12 and 0", orV1(sum.CapBlockedDays, -1), orV1(sum.GrantsBlockedDays, -1))
	}

	// Without governance the enabled levers are simply in force.
	p.Governance.Mode = GovernanceNone
	spec.Params = p
	s = newSim(t, &spec)
	stepDays(t, s, 1, 3)
	if !s.capInForce || !s.grantsInForce || s.acc.capBlockedDays != 0 {
		t.Errorf("governance none: cap %v grants %v blocked days %d", s.capInForce, s.grantsInForce, s.acc.capBlockedDays)
	}
}

// TestDayPaymentSplit checks day 1's payments: consumers buy Σ volume × π CLT;
// 1% goes to the pool, 1% is burned, the provider gets the rest; the pool
// sells its CLT at P_0 and spends buyback_share of that on burned CLT.
func TestDayPaymentSplit(t *testing.T) {
	p := quietParams()
	p.Fees = FeesParams{ProtocolFee: 0.01, BurnFraction: 0.01}
	p.Supply.BuybackShare = 0.5
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 1, Seed: 9}
	s := newSim(t, &spec)
	stepDays(t, s, 1, 1)
	d := &s.day
	pay := 0.0
	for i := range s.provs {
		pr := &s.provs[i]
		x := pr.vol * pr.pi
		pay += x
		if !near(pr.feeCLT, 0.98*x, 1e-13) {
			t.Errorf("%s receives %v CLT, want 98%% of %v", pr.name, pr.feeCLT, x)
		}
	}
	p0 := p.Market.Peg
	checks := []struct {
		name      string
		got, want float64
	}{
		{"consumer CLT", d.consumerCLT, pay},
		{"consumer USD", d.consumerUSD, pay * p0},
		{"pool CLT", d.poolCLT, 0.01 * pay},
		{"pool sale USD", d.poolUSD, 0.01 * pay * p0},
		{"fee burn CLT", d.burnCLT, 0.01 * pay},
		{"buyback USD", d.buybackUSD, 0.5 * 0.01 * pay * p0},
		{"buyback CLT", d.buybackCLT, 0.5 * 0.01 * pay},
		{"pool balance", s.pool, p.Grants.PoolUSD + 0.5*0.01*pay*p0},
		{"supply", s.supply, p.Supply.InitialCLT - 0.01*pay - 0.005*pay},
	}
	for _, c := range checks {
		if !near(c.got, c.want, 1e-12) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestDayHedgedAndHeldSales: with hold 2 and hedge ratio h, a provider's
// revenue on day t is h·F_t·P_t−1·(1 − cost) + (1 − h)·F_t−2·P_t−1, where F_t
// is its fee CLT of day t and F_−1 = F_0 is the warm start's daily receipts.
func TestDayHedgedAndHeldSales(t *testing.T) {
	for _, h := range []float64{0, 0.5, 1} {
		p := quietParams()
		p.Providers.HoldDays = 2
		p.Providers.HedgeRatio = h
		p.Hedging.CostBps = 20
		_, rec := runRecorded(t, RunSpec{Params: p, Schedule: pegged(), HorizonDays: 8, Seed: 10})
		net := 1 - p.Fees.ProtocolFee - p.Fees.BurnFraction
		for _, row := range p.Providers.Table {
			fee := func(d int) float64 {
				if d <= 0 {
					return row.InitialShare * p.Consumers.TotalDemandMtokPerDay * row.ListPriceUSDPerMtok / p.Market.Peg * net
				}
				r := rec.row(t, d, row.Name)
				return r.VolumeMtok * r.PriceCLTPerMtok * net
			}
			for d := 1; d <= 8; d++ {
				pPrev := p.Market.Peg
				if d > 1 {
					pPrev = rec.steps[d-2].Price
				}
				want := h*fee(d)*pPrev*(1-20e-4) + (1-h)*fee(d-2)*pPrev
				if got := rec.row(t, d, row.Name).RevenueUSD; !near(got, want, 1e-12) {
					t.Errorf("h=%v %s day %d: revenue %v, want %v", h, row.Name, d, got, want)
				}
			}
		}
	}
}

// TestDayEntry: with a high entry rate entrants appear with the spec's
// attributes and no consumers on their first day.
func TestDayEntry(t *testing.T) {
	p := quietParams()
	p.Entry.RatePerYear = 365 * 2 // two a day on average
	p.Providers.Max = 9
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 4, Seed: 11}
	s := newSim(t, &spec)
	stepDays(t, s, 1, 4)
	if len(s.provs) != 9 || s.acc.entries != 3 {
		t.Fatalf("providers %d entries %d, want 9 and 3 (capped by providers.max)", len(s.provs), s.acc.entries)
	}
	for i := 6; i < 9; i++ {
		pr := &s.provs[i]
		if pr.name != "entrant_"+string(rune('1'+i-6)) || pr.listPrice != p.Entry.ListPriceUSDPerMtok ||
			pr.fixed != p.Entry.FixedCostUSDPerDay || pr.q < 0 || pr.q > 1 ||
			!near(pr.xi, s.minXi0-p.Entry.BrandGap, 1e-15) || pr.mcost != p.Providers.MarginalCostRatio*p.Entry.ListPriceUSDPerMtok {
			t.Errorf("entrant %d = %+v", i, *pr)
		}
	}
}

func TestRunErrors(t *testing.T) {
	good := RunSpec{Params: quietParams(), Schedule: pegged(), HorizonDays: 5, RecordEveryDays: 1}
	cases := []struct {
		name   string
		mod    func(*RunSpec)
		target error
		text   string
	}{
		{"horizon 0", func(s *RunSpec) { s.HorizonDays = 0 }, ErrInvalidRunSpec, "horizon_days"},
		{"negative replicate", func(s *RunSpec) { s.Replicate = -1 }, ErrInvalidRunSpec, "replicate"},
		{"negative record interval", func(s *RunSpec) { s.RecordEveryDays = -2 }, ErrInvalidRunSpec, "record_every_days"},
		{"unknown regime", func(s *RunSpec) { s.Schedule.Regimes = []RegimeSpan{{Regime: "calm", FromDay: 3, ToDay: 4}} }, ErrInvalidParam, "calm"},
		{"shock on day 0", func(s *RunSpec) { s.Schedule.Shocks = []Shock{{Day: 0, Size: 0.1, DurationDays: 1}} }, ErrInvalidParam, "shocks"},
		{"bad parameter", func(s *RunSpec) { s.Params.Consumers.ReviewRate = -1 }, ErrInvalidParam, "review_rate"},
		{"non-finite price", func(s *RunSpec) {
			s.Params.Market.Regimes = map[string]Regime{RegimePegged: {Params: garch.Params{Mu: 800, Omega: 1e-6, Nu: 5}}}
		}, ErrNonFinite, "day 1"},
	}
	for _, c := range cases {
		spec := good
		spec.Params = good.Params.Clone()
		c.mod(&spec)
		rec := &memRec{}
		_, err := Run(&spec, rec)
		if !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: error %v, want %v mentioning %q", c.name, err, c.target, c.text)
		}
		if len(rec.steps) != 0 {
			t.Errorf("%s: %d days recorded before the error", c.name, len(rec.steps))
		}
	}
	if _, err := Run(nil, nil); !errors.Is(err, ErrInvalidRunSpec) {
		t.Errorf("nil spec: %v", err)
	}
}

// TestRecordCadence: days k, 2k, … and the last day are recorded; provider
// rows for every provider active at the start of a recorded day.
func TestRecordCadence(t *testing.T) {
	spec := RunSpec{Params: quietParams(), Schedule: pegged(), HorizonDays: 30, RecordEveryDays: 7, ProviderSteps: true, RunID: 42}
	rec := &memRec{}
	if _, err := Run(&spec, rec); err != nil {
		t.Fatal(err)
	}
	want := []int64{7, 14, 21, 28, 30}
	if len(rec.steps) != len(want) {
		t.Fatalf("recorded %d days, want %v", len(rec.steps), want)
	}
	for i, s := range rec.steps {
		if s.Day != want[i] || s.RunID != 42 {
			t.Errorf("row %d: day %d run %d, want day %d run 42", i, s.Day, s.RunID, want[i])
		}
	}
	if len(rec.prov) != 6*len(want) {
		t.Errorf("provider rows %d, want %d", len(rec.prov), 6*len(want))
	}
	spec.ProviderSteps = false
	rec = &memRec{}
	Run(&spec, rec)
	if len(rec.prov) != 0 {
		t.Errorf("provider rows written with ProviderSteps off")
	}
	spec.RecordEveryDays = 0
	rec = &memRec{}
	Run(&spec, rec)
	if len(rec.steps) != 0 {
		t.Errorf("days recorded with RecordEveryDays 0")
	}
}
