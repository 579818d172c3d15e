package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// randomParams draws a valid parameter set far from the defaults: small and
// large markets, every lever on or off, extreme rates, zero hold, full
// hedging, infinite or thin depth.
func randomParams(rng *rand.Rand) (Params, Schedule, int) {
	p := Default()
	u := rng.Float64
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	n := 1 + rng.IntN(6)
	p.Providers.Table = p.Providers.Table[:n]
	sum := 0.0
	for i := range p.Providers.Table {
		p.Providers.Table[i].InitialShare = 0.05 + u()
		sum += p.Providers.Table[i].InitialShare
	}
	for i := range p.Providers.Table {
		p.Providers.Table[i].InitialShare /= sum
	}
	p.Providers.Max = n + rng.IntN(5)
	p.Providers.HoldDays = rng.IntN(6)
	p.Providers.HedgeRatio = pick(0, 0.5, 1, u())
	p.Providers.RunwayDays = pick(0, 5, 60, 1000)
	p.Providers.FixedCostRatio = pick(0, 0.35, 1.5)
	p.Consumers.Count = 1 + rng.IntN(400)
	p.Consumers.DemandSigma = pick(0, 1.5, 3)
	p.Consumers.PriceWeight = pick(0, 0.3, 3)
	p.Consumers.PriceWeightSigma = pick(0, 0.5, 2)
	p.Consumers.QualityWeight = pick(0, 10, 50)
	p.Consumers.GrowthPerYear = pick(0, 0.5, 5)
	p.Consumers.ReviewRate = pick(0, 0.02, 0.5, 1)
	p.Consumers.SwitchingCost = pick(0, 1, 5)
	p.Consumers.PriceElasticity = pick(0, 1.2, 3)
	p.Consumers.BacklogRelease = pick(0, 0.1, 1)
	p.Consumers.BacklogDecay = pick(0, 0.05, 1)
	p.Network.Effect = pick(0, 0.3, 1, 2)
	p.Network.ShareFloor = pick(0, 0.01)
	p.Centralization.Leader = p.Providers.Table[rng.IntN(n)].Name
	p.Centralization.QualityGrowthPerYear = pick(0, 0.1, 2)
	p.Fees.ProtocolFee = pick(0, 0.01, 0.2)
	p.Fees.BurnFraction = pick(0, 0.01, 0.3)
	p.Pricing.TWAPDays = 1 + rng.IntN(10)
	p.Pricing.RepriceIntervalDays = int(pick(0, 1, 7, 30, 1e6))
	p.Entry.RatePerYear = pick(0, 2, 100)
	p.Entry.BrandGap = pick(-2, 0, 1, 5)
	p.Market.DepthUSD = pick(1e7, 5e9, math.Inf(1))
	p.Market.JumpRatePerYear = pick(0, 2, 50)
	p.Market.JumpSD = pick(0, 0.03, 0.3)
	p.Supply.IssuancePerYear = pick(0, 0.02, 0.5)
	p.Supply.DilutionImpact = pick(0, 1, 5)
	p.Supply.BuybackShare = pick(0, 0.5, 1)
	p.Fund.Enabled = rng.IntN(2) == 0
	p.Fund.ReserveUSD = pick(0, 1e6, 2e9)
	p.Fund.ReserveCLT = pick(0, 1e6, 2e9)
	p.Fund.Aggressiveness = pick(0, 0.25, 10)
	p.CircuitBreaker.Enabled = rng.IntN(2) == 0
	p.CircuitBreaker.Threshold = pick(0.01, 0.15)
	p.CircuitBreaker.WindowDays = 1 + rng.IntN(5)
	p.CircuitBreaker.HaltDays = 1 + rng.IntN(3)
	p.ShareCap.Enabled = rng.IntN(2) == 0
	p.Grants.Enabled = rng.IntN(2) == 0
	p.Grants.PayoutRate = pick(0, 0.01, 1)
	if rng.IntN(2) == 0 {
		p.Governance.Mode = GovernanceStakeVote
		p.Governance.VoteIntervalDays = 1 + rng.IntN(40)
	}
	s := Schedule{BaseRegime: RegimePegged}
	if rng.IntN(2) == 0 {
		s = Scenarios()[ScenarioVolatility].Schedule
	}
	if rng.IntN(3) == 0 {
		s.Shocks = append(s.Shocks[:len(s.Shocks):len(s.Shocks)], Shock{Day: 1 + rng.IntN(30), Size: pick(-0.9, -0.5, 2), DurationDays: 1 + rng.IntN(3)})
	}
	return p, s, 1 + rng.IntN(150)
}

// TestRandomParamsRunOrFailCleanly runs many random valid configurations:
// every run completes with finite, in-range summaries or ends with an error
// wrapping ErrNonFinite or ErrSupplyExhausted (never a panic or another
// error), and its ledger
// balances.
func TestRandomParamsRunOrFailCleanly(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var r Runner
	nonFinite := 0
	for i := 0; i < n; i++ {
		p, s, days := randomParams(rng)
		if err := p.Validate(); err != nil {
			t.Fatalf("case %d: generated invalid parameters: %v", i, err)
		}
		spec := RunSpec{Params: p, Schedule: s, HorizonDays: days, Seed: uint64(i), Replicate: i % 3,
			RecordEveryDays: 1 + i%5, ProviderSteps: i%2 == 0}
		c := &dayChecker{t: t, label: "random"}
		sum, err := r.Run(&spec, c)
		if err != nil {
			if !errors.Is(err, ErrNonFinite) && !errors.Is(err, ErrSupplyExhausted) {
				t.Fatalf("case %d: %v", i, err)
			}
			nonFinite++
			t.Logf("case %d: %v", i, err)
			continue
		}
		c.flush()
		checkAudit(t, "random", r.Audit(), sum)
		if sum.HHIFinal < 0 || sum.HHIFinal > 1e4+1e-6 || sum.Satisfaction < 0 || sum.Satisfaction > 1 ||
			sum.DaysOutsideBandFrac < 0 || sum.DaysOutsideBandFrac > 1 || sum.ProfitableFrac < 0 || sum.ProfitableFrac > 1 ||
			sum.MaxDrawdown < 0 || sum.MaxDrawdown > 1 || sum.PriceFinal <= 0 {
			t.Errorf("case %d: out-of-range summary %+v", i, sum)
		}
	}
	t.Logf("%d of %d random runs ended with ErrNonFinite or ErrSupplyExhausted", nonFinite, n)
	if nonFinite > n/10 {
		t.Errorf("%d of %d random runs ended non-finite", nonFinite, n)
	}
}
