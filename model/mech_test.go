package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestFeeSplit(t *testing.T) {
	cases := []struct {
		clt, fee, burn      float64
		pool, burned, toPro float64
	}{
		{1000, 0.01, 0, 10, 0, 990},
		{1000, 0.01, 0.01, 10, 10, 980},
		{250, 0, 0, 0, 0, 250},
		{80, 0.5, 0.5, 40, 40, 0},
	}
	for _, c := range cases {
		pool, burn, pro := feeSplit(c.clt, c.fee, c.burn)
		if !near(pool, c.pool, 1e-15) || !near(burn, c.burned, 1e-15) || !near(pro, c.toPro, 1e-15) {
			t.Errorf("feeSplit(%v, %v, %v) = %v, %v, %v; want %v, %v, %v", c.clt, c.fee, c.burn, pool, burn, pro, c.pool, c.burned, c.toPro)
		}
		if pool+burn+pro != c.clt {
			t.Errorf("feeSplit(%v, …) parts sum to %v", c.clt, pool+burn+pro)
		}
	}
}

func TestRefPrice(t *testing.T) {
	// Closes P_0..P_9.
	prices := []float64{1, 1.1, 1.2, 0.9, 0.8, 1.0, 1.3, 1.05, 0.95, 1.15}
	cases := []struct {
		name                  string
		t, interval, twap     int
		cur, want             float64
		wantUnchangedFromPrev bool
	}{
		{"daily re-indexing uses P_t-1", 5, 0, 7, 0.5, 0.8, false},
		{"not a repricing day keeps P_ref", 5, 3, 2, 0.77, 0.77, true},
		{"repricing day: TWAP of the last 2 closes", 6, 3, 2, 0.77, (0.8 + 1.0) / 2, false},
		{"repricing day: TWAP of the last 4 closes", 8, 4, 4, 0.77, (1.0 + 1.3 + 0.8 + 1.05) / 4, false},
		{"early day: fewer closes, P_0 included", 3, 3, 7, 0.77, (1 + 1.1 + 1.2) / 3, false},
		{"TWAP window of 1 is the spot", 9, 9, 1, 0.77, 0.95, false},
	}
	for _, c := range cases {
		got := refPrice(prices, c.t, c.interval, c.twap, c.cur)
		if !near(got, c.want, 1e-14) {
			t.Errorf("%s: refPrice(t=%d, k=%d, twap=%d) = %v, want %v", c.name, c.t, c.interval, c.twap, got, c.want)
		}
	}
}

func TestFundTrade(t *testing.T) {
	const peg, band, aggr, depth = 1.0, 0.02, 0.25, 5e9
	lo, hi := 0.98, 1.02
	cases := []struct {
		name              string
		p, usd, clt       float64
		depth             float64
		wantBuy, wantSell float64
	}{
		{"at the peg", 1.0, 1e9, 1e9, depth, 0, 0},
		{"exactly at the lower edge: no trade", lo, 1e9, 1e9, depth, 0, 0},
		{"exactly at the upper edge: no trade", hi, 1e9, 1e9, depth, 0, 0},
		{"below: buy aggr·depth·ln(lo/P)", 0.95, 1e9, 1e9, depth, aggr * depth * math.Log(lo/0.95), 0},
		{"below, limited by the USD reserve", 0.5, 1e8, 1e9, depth, 1e8, 0},
		{"above: sell aggr·depth·ln(P/hi)", 1.05, 1e9, 1e9, depth, 0, aggr * depth * math.Log(1.05/hi)},
		{"above, limited by the CLT reserve's value", 1.5, 1e9, 1e6, depth, 0, 1e6 * 1.5},
		{"infinite depth: the whole reserve", 0.9, 3e8, 1e9, math.Inf(1), 3e8, 0},
	}
	for _, c := range cases {
		buy, sell := fundTrade(peg, band, aggr, c.depth, c.p, c.usd, c.clt)
		if !near(buy, c.wantBuy, 1e-12) || !near(sell, c.wantSell, 1e-12) {
			t.Errorf("%s: fundTrade(P=%v) = buy %v sell %v; want buy %v sell %v", c.name, c.p, buy, sell, c.wantBuy, c.wantSell)
		}
	}
	// Just outside the lower edge the trade is tiny and proportional to the distance.
	p := lo * math.Exp(-1e-6)
	buy, _ := fundTrade(peg, band, aggr, depth, p, 1e9, 1e9)
	if !near(buy, aggr*depth*1e-6, 1e-6) {
		t.Errorf("just below the band: buy %v, want %v", buy, aggr*depth*1e-6)
	}
}

func TestDeferFraction(t *testing.T) {
	cases := []struct{ sigma, want float64 }{
		{0, 0}, {0.30, 0}, {0.65, 0.5}, {1.0, 1}, {2.5, 1}, {0.44, 0.2},
	}
	for _, c := range cases {
		if got := deferFraction(c.sigma, 0.30, 1.00); !near(got, c.want, 1e-12) {
			t.Errorf("deferFraction(%v) = %v, want %v", c.sigma, got, c.want)
		}
	}
}

func TestRealizedVol(t *testing.T) {
	// sd(n−1) of {0.01, −0.01, 0.02} = sqrt(((0.01−1/300)²+(−0.01−1/300)²+(0.02−1/300)²)/2).
	rets := []float64{0.5, 0.01, -0.01, 0.02}
	m := 0.02 / 3
	ss := math.Pow(0.01-m, 2) + math.Pow(-0.01-m, 2) + math.Pow(0.02-m, 2)
	want := math.Sqrt(ss/2) * math.Sqrt(365)
	if got := realizedVol(rets, 3); !near(got, want, 1e-12) {
		t.Errorf("realizedVol(window 3) = %v, want %v", got, want)
	}
	if got := realizedVol(rets[:1], 14); got != 0 {
		t.Errorf("realizedVol with one return = %v, want 0", got)
	}
	if got := realizedVol(nil, 14); got != 0 {
		t.Errorf("realizedVol with no return = %v, want 0", got)
	}
}

// TestBreakerHaltAndDampedReopen walks the circuit breaker through hand-computed
// days (MODEL-SPEC §2.7, §10): threshold 0.15, damping 0.5.
func TestBreakerHaltAndDampedReopen(t *testing.T) {
	type day struct {
		move, lnRef float64 // the day's log move and ln P_t−w
		wantClose   float64 // expected ln close
		wantHalted  bool
	}
	cases := []struct {
		name     string
		haltDays int
		on       bool
		days     []day
		halts    int
	}{
		{"one halted day: trigger, halt, reopen at half the pending move", 1, true, []day{
			{0.01, 0, 0.01, false},
			{-0.20, 0.01, 0.01, false},               // candidate −0.19 vs ref 0.01: |−0.20| > 0.15 → trigger, close frozen
			{-0.02, 0.01, 0.01 - 0.5*0.22, true},     // halted last day: pending −0.22, close frozen + 0.5 × pending
			{0.03, 0.01 - 0.11, -0.10 + 0.03, false}, // trading again, no trigger (|0.03| < 0.15)
		}, 1},
		{"two halted days accumulate", 2, true, []day{
			{0.16, 0, 0, false},                          // trigger
			{0.04, 0, 0, true},                           // halted, frozen
			{-0.02, 0, 0.5 * (0.16 + 0.04 - 0.02), true}, // last halted day reopens without a test
			{0.0, 0.09, 0.09, false},
		}, 1},
		{"window reference, not the previous close", 1, true, []day{
			{0.10, 0, 0.10, false},
			{0.10, 0, 0.10, false}, // candidate 0.20 vs ln P_t−2 = 0: trigger
			{0, 0.10, 0.10 + 0.05, true},
		}, 1},
		{"switched off: never triggers", 1, false, []day{
			{-0.5, 0, -0.5, false},
			{0.3, -0.5, -0.2, false},
		}, 0},
	}
	for _, c := range cases {
		b := breaker{on: c.on, threshold: 0.15, haltDays: c.haltDays, damping: 0.5}
		ln := 0.0
		for i, d := range c.days {
			if got := b.halted(); got != d.wantHalted {
				t.Errorf("%s, day %d: halted() before the day = %v, want %v", c.name, i+1, got, d.wantHalted)
			}
			cl, h := b.close(ln, d.move, d.lnRef)
			if math.Abs(cl-d.wantClose) > 1e-14 || h != d.wantHalted {
				t.Errorf("%s, day %d: close = %v (halted %v), want %v (halted %v)", c.name, i+1, cl, h, d.wantClose, d.wantHalted)
			}
			ln = cl
		}
		if b.halts != c.halts {
			t.Errorf("%s: halts = %d, want %d", c.name, b.halts, c.halts)
		}
	}
}

func TestVote(t *testing.T) {
	cases := []struct {
		name          string
		w             []float64
		yes           []bool
		threshold     float64
		pass, blocked bool
	}{
		{"unanimous", []float64{3, 2, 1}, []bool{true, true, true}, 2.0 / 3, true, false},
		{"exactly at the threshold passes", []float64{2, 1}, []bool{true, false}, 2.0 / 3, true, false},
		{"leader with 48% votes no, the rest's yes would pass: blocked", []float64{0.48, 0.27, 0.17, 0.08}, []bool{false, true, true, true}, 0.6667, false, true},
		{"leader votes no but holds ≤ 1−threshold: fails, not blocked", []float64{0.30, 0.25, 0.25, 0.20}, []bool{false, true, true, false}, 0.6667, false, false},
		{"leader's yes would not pass it: not blocked", []float64{0.48, 0.06, 0.46}, []bool{false, true, false}, 0.6667, false, false},
		{"leader voted yes, others no: fails, not blocked", []float64{0.5, 0.5}, []bool{true, false}, 0.6667, false, false},
		{"no weights: equal votes", []float64{0, 0, 0}, []bool{true, true, false}, 0.6, true, false},
		{"scale does not matter", []float64{4.8e9, 2.7e9, 1.7e9, 0.8e9}, []bool{false, true, true, true}, 0.6667, false, true},
	}
	for _, c := range cases {
		pass, blocked := vote(c.w, c.yes, c.threshold)
		if pass != c.pass || blocked != c.blocked {
			t.Errorf("%s: vote = pass %v blocked %v, want %v %v", c.name, pass, blocked, c.pass, c.blocked)
		}
	}
}

// TestPoisson checks the samplers' mean and variance against λ with
// tolerances of 5 standard errors, and poissonInv against the CDF.
func TestPoisson(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 40000
	for _, lam := range []float64{0.3, 4, 9.9, 10, 37, 400} {
		var s, s2 float64
		for i := 0; i < n; i++ {
			k := float64(poisson(rng, lam))
			s += k
			s2 += k * k
		}
		mean := s / n
		v := s2/n - mean*mean
		seMean := math.Sqrt(lam / n)
		seVar := math.Sqrt((lam + 2*lam*lam) / n) // Var of (X−λ)² for Poisson: λ + 2λ²
		if math.Abs(mean-lam) > 5*seMean {
			t.Errorf("poisson(%v): mean %v, want %v ± %v", lam, mean, lam, 5*seMean)
		}
		if math.Abs(v-lam) > 5*seVar {
			t.Errorf("poisson(%v): variance %v, want %v ± %v", lam, v, lam, 5*seVar)
		}
	}
	// Inversion: P(K ≤ k) boundaries.
	lam := 2.0
	cdf := 0.0
	p := math.Exp(-lam)
	for k := 0; k < 8; k++ {
		cdf += p
		if got := poissonInv(cdf-1e-12, lam); got != k {
			t.Errorf("poissonInv(F(%d)−ε) = %d, want %d", k, got, k)
		}
		if got := poissonInv(cdf+1e-12, lam); got != k+1 {
			t.Errorf("poissonInv(F(%d)+ε) = %d, want %d", k, got, k+1)
		}
		p *= lam / float64(k+1)
	}
	if poissonInv(0.99, 0) != 0 {
		t.Error("poissonInv with λ = 0 must be 0")
	}
}

func TestBetaVariateMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 40000
	a, b := 2.0, 3.0
	s := 0.0
	for i := 0; i < n; i++ {
		s += betaVariate(rng, a, b)
	}
	mean := a / (a + b)
	sd := math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)))
	if got := s / n; math.Abs(got-mean) > 5*sd/math.Sqrt(n) {
		t.Errorf("Beta(2,3) mean %v, want %v ± %v", got, mean, 5*sd/math.Sqrt(n))
	}
}
