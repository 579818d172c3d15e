package model

import (
	"math"
	"testing"
)

// TestBrandInterceptsInvertShares: with the day-0 costs (list prices), the
// configured shares in the network term and the median price sensitivity,
// the logit probabilities equal the configured initial shares and max ξ = 0
// (Berry 1994; MODEL-SPEC §2.1).
func TestBrandInterceptsInvertShares(t *testing.T) {
	for _, gamma := range []float64{0, 0.3, 0.8} {
		p := Default()
		p.Network.Effect = gamma
		spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 1}
		s := newSim(t, &spec)
		u := make([]float64, len(s.provs))
		z, maxXi := 0.0, math.Inf(-1)
		for i, row := range p.Providers.Table {
			xi := s.provs[i].xi
			maxXi = math.Max(maxXi, xi)
			u[i] = math.Exp(xi + p.Consumers.QualityWeight*row.Quality - p.Consumers.PriceWeight*math.Log(row.ListPriceUSDPerMtok) +
				gamma*math.Log(row.InitialShare+p.Network.ShareFloor))
			z += u[i]
		}
		if maxXi != 0 {
			t.Errorf("γ=%v: max ξ = %v, want 0", gamma, maxXi)
		}
		for i, row := range p.Providers.Table {
			if !near(u[i]/z, row.InitialShare, 1e-12) {
				t.Errorf("γ=%v: %s median-consumer probability %v, want the initial share %v", gamma, row.Name, u[i]/z, row.InitialShare)
			}
		}
	}
}

// TestChooseMatchesLogit feeds choose a fine uniform grid of v and compares
// the frequencies with logit probabilities computed here from the utility
// of §2.1, including the switching cost and the share cap's availability rule.
func TestChooseMatchesLogit(t *testing.T) {
	p := DefaultV1() // fixed qualities (no v2 §C.1 dynamics)
	p.ShareCap.Enabled, p.ShareCap.Cap, p.ShareCap.Hysteresis = true, 0.30, 0.02
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 5}
	s := newSim(t, &spec)
	s.capInForce = true
	shares := []float64{0.35, 0.25, 0.18, 0.10, 0.07, 0.05}
	costs := []float64{6.3, 4.1, 3.5, 0.9, 3.2, 0.5}
	for i := range s.provs {
		s.provs[i].share = shares[i]
		s.provs[i].cost = costs[i]
	}
	s.prepareChoice(100)
	if !s.provs[0].closed {
		t.Fatal("setup: the 35% provider should be closed by a 30% cap")
	}
	lead := &s.provs[s.leader]
	wantQ := math.Min(1, lead.q0) // quality growth 0 in the defaults
	if lead.q != wantQ {
		t.Fatalf("leader quality %v, want %v", lead.q, wantQ)
	}
	cp := &p.Consumers
	probs := func(b float64, k int, avail []int) []float64 {
		out := make([]float64, len(s.provs))
		z := 0.0
		for _, i := range avail {
			pr := &s.provs[i]
			u := pr.xi + cp.QualityWeight*pr.q - b*math.Log(costs[i]) + p.Network.Effect*math.Log(shares[i]+p.Network.ShareFloor)
			if k >= 0 && i != k {
				u -= cp.SwitchingCost
			}
			out[i] = math.Exp(u)
			z += out[i]
		}
		for i := range out {
			out[i] /= z
		}
		return out
	}
	cases := []struct {
		name  string
		b     float64
		k     int
		avail []int
	}{
		{"arrival: no switching cost, closed provider unavailable", 0.3, -1, []int{1, 2, 3, 4, 5}},
		{"customer of the closed provider keeps it available", 0.3, 0, []int{0, 1, 2, 3, 4, 5}},
		{"price-sensitive customer of a small provider", 2.5, 5, []int{1, 2, 3, 4, 5}},
		{"price-insensitive consumer", 0, 3, []int{1, 2, 3, 4, 5}},
	}
	const n = 200000
	for _, c := range cases {
		want := probs(c.b, c.k, c.avail)
		got := make([]float64, len(s.provs))
		for x := 0; x < n; x++ {
			v := (float64(x) + 0.5) / n
			i := s.choose(c.b, int32(c.k), v)
			got[i]++
		}
		for i := range got {
			got[i] /= n
			if math.Abs(got[i]-want[i]) > 2.0/n {
				t.Errorf("%s: P(%s) = %v, want %v", c.name, s.provs[i].name, got[i], want[i])
			}
		}
	}
	// The cap reopens only below cap − hysteresis.
	s.provs[0].share = 0.29
	s.prepareChoice(101)
	if !s.provs[0].closed {
		t.Error("share 0.29 is inside the hysteresis band: must stay closed")
	}
	s.provs[0].share = 0.279
	s.prepareChoice(102)
	if s.provs[0].closed {
		t.Error("share 0.279 < cap − hysteresis: must reopen")
	}
	s.provs[0].share = 0.5
	s.capInForce = false
	s.prepareChoice(103)
	if s.provs[0].closed {
		t.Error("cap not in force: every provider is open")
	}
}

// TestLeaderQualityGrowth: q_lead(t) = q_lead(0) + g·t/365, capped at 1.
func TestLeaderQualityGrowth(t *testing.T) {
	p := DefaultV1() // centralization.mode ramp
	p.Centralization.QualityGrowthPerYear = 0.1
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 5}
	s := newSim(t, &spec)
	for _, c := range []struct{ day, want float64 }{{73, 0.92}, {365, 1}, {36, 0.9 + 0.1*36/365.0}} {
		s.prepareChoice(int(c.day))
		if got := s.provs[s.leader].q; !near(got, c.want, 1e-12) {
			t.Errorf("day %v: leader quality %v, want %v", c.day, got, c.want)
		}
	}
}

// TestDemandDeferralBacklog computes one consumer's day by hand (§2.2, §10):
// D = d·(cost/c_ref)^−ε; with f > 0 nothing is released, u·f·D is deferred and
// the old backlog decays; with f = 0 rate × B is released and served, the rest
// decays.
func TestDemandDeferralBacklog(t *testing.T) {
	p := DefaultV1() // the v1 loop (v2 §B: llm_test.go)
	p.Consumers.ReviewRate = 0
	spec := RunSpec{Params: p, Schedule: pegged(), HorizonDays: 5}
	eps := p.Consumers.PriceElasticity
	cases := []struct {
		name                     string
		f                        float64
		wantServed, wantBacklog  func(D float64) float64
		wantDesired, wantDeferrd func(D float64) float64
	}{
		{"deferral at f = 0.5", 0.5,
			func(D float64) float64 { return D - 0.4*0.5*D },
			func(D float64) float64 { return 4*0.95 + 0.4*0.5*D },
			func(D float64) float64 { return D },
			func(D float64) float64 { return 0.4 * 0.5 * D }},
		{"release at f = 0", 0,
			func(D float64) float64 { return D + 0.1*4 },
			func(D float64) float64 { return (4 - 0.4) * 0.95 },
			func(D float64) float64 { return D },
			func(D float64) float64 { return 0 }},
	}
	for _, c := range cases {
		s := newSim(t, &spec)
		for i := range s.provs {
			s.provs[i].cost = s.provs[i].listPrice * 1.25 // today's cost: 25% above the reference
		}
		s.prepareChoice(1)
		s.cons = s.cons[:1]
		cj := &s.cons[0]
		cref := s.provs[cj.k].listPrice
		cj.d, cj.u, cj.backlog = 10, 0.4, 4
		cj.dsc = cj.d * math.Pow(cref, eps)
		s.day = dayTotals{f: c.f}
		s.refConsumersDay()
		D := 10 * math.Pow(1.25, -eps)
		if got := s.vol[cj.k]; !near(got, c.wantServed(D), 1e-12) {
			t.Errorf("%s: served %v, want %v", c.name, got, c.wantServed(D))
		}
		if !near(cj.backlog, c.wantBacklog(D), 1e-12) || !near(s.day.backlog, c.wantBacklog(D), 1e-12) {
			t.Errorf("%s: backlog %v, want %v", c.name, cj.backlog, c.wantBacklog(D))
		}
		if !near(s.day.desired, c.wantDesired(D), 1e-12) || !near(s.day.deferred, c.wantDeferrd(D), 1e-12) {
			t.Errorf("%s: desired %v deferred %v, want %v %v", c.name, s.day.desired, s.day.deferred, c.wantDesired(D), c.wantDeferrd(D))
		}
	}
}
