package model

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// paramErrors flattens a (joined) Validate error into its ParamErrors.
func paramErrors(t *testing.T, err error) []*ParamError {
	t.Helper()
	var out []*ParamError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var pe *ParamError
		if !errors.As(e, &pe) {
			t.Fatalf("error %q is not a *ParamError", e)
		}
		out = append(out, pe)
	}
	walk(err)
	return out
}

func TestDefaultValidates(t *testing.T) {
	p := Default()
	if err := p.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	for _, name := range ScenarioNames() {
		for _, pol := range PolicyNames() {
			q, err := Resolve(Default(), Scenarios()[name], Policies()[pol])
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Validate(); err != nil {
				t.Errorf("%s × %s: %v", name, pol, err)
			}
			if err := ValidateSchedule(Scenarios()[name].Schedule, &q); err != nil {
				t.Errorf("%s schedule: %v", name, err)
			}
		}
	}
}

func TestValidateRules(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	set := func(path string, v any) func(*Params) {
		return func(p *Params) {
			if err := SetParam(p, path, v); err != nil {
				panic(err)
			}
		}
	}
	regime := func(name string, f func(*Regime)) func(*Params) {
		return func(p *Params) {
			r := p.Market.Regimes[name]
			f(&r)
			p.Market.Regimes[name] = r
		}
	}
	cases := []struct {
		name   string
		mutate func(*Params)
		path   string // the ParamError path expected
		rule   string // a substring of its rule
	}{
		// providers.*
		{"max zero", set("providers.max", 0), "providers.max", "≥ 1"},
		{"table longer than max", set("providers.max", 5), "providers.table", "at most providers.max = 5"},
		{"empty table", func(p *Params) { p.Providers.Table = nil }, "providers.table", "at least one provider"},
		{"negative marginal cost", set("providers.marginal_cost_ratio", -0.1), "providers.marginal_cost_ratio", "≥ 0"},
		{"NaN fixed cost", set("providers.fixed_cost_ratio", nan), "providers.fixed_cost_ratio", "finite"},
		{"infinite runway", set("providers.runway_days", inf), "providers.runway_days", "finite"},
		{"hedge ratio above 1", set("providers.hedge_ratio", 1.5), "providers.hedge_ratio", "[0, 1]"},
		{"negative hold days", set("providers.hold_days", -1), "providers.hold_days", "≥ 0"},
		{"empty provider name", func(p *Params) { p.Providers.Table[2].Name = "" }, "providers.table[2].name", "non-empty"},
		{"dotted provider name", func(p *Params) { p.Providers.Table[1].Name = "a.b" }, "providers.table[1].name", "dots"},
		{"entrant-like provider name", func(p *Params) { p.Providers.Table[4].Name = "entrant_1" }, "providers.table[4].name", "reserved"},
		{"duplicate provider name", func(p *Params) { p.Providers.Table[3].Name = "frontier_b" }, "providers.table[3].name", "unique (also row 1)"},
		{"zero list price", set("providers.table.budget.list_price_usd_per_mtok", 0.0), "providers.table.budget.list_price_usd_per_mtok", "> 0"},
		{"quality above 1", set("providers.table.mid_tier.quality", 1.01), "providers.table.mid_tier.quality", "[0, 1]"},
		{"NaN quality", set("providers.table.mid_tier.quality", nan), "providers.table.mid_tier.quality", "[0, 1]"},
		{"negative share", set("providers.table.budget.initial_share", -0.06), "providers.table.budget.initial_share", "(0, 1]"},
		{"zero share", func(p *Params) {
			p.Providers.Table[5].InitialShare = 0
			p.Providers.Table[0].InitialShare += 0.06
		}, "providers.table.budget.initial_share", "(0, 1]"},
		{"shares sum above 1", set("providers.table.budget.initial_share", 0.07), "providers.table.*.initial_share", "must sum to 1"},
		{"shares sum below 1", set("providers.table.budget.initial_share", 0.0599), "providers.table.*.initial_share", "sum to 1"},
		// consumers.*
		{"zero consumers", set("consumers.count", 0), "consumers.count", "≥ 1"},
		{"too many consumers", set("consumers.count", MaxConsumers+1), "consumers.count", "at most 10000000"},
		{"zero demand", set("consumers.total_demand_mtok_per_day", 0.0), "consumers.total_demand_mtok_per_day", "> 0"},
		{"negative demand sigma", set("consumers.demand_sigma", -1.0), "consumers.demand_sigma", "≥ 0"},
		{"negative price weight", set("consumers.price_weight", -0.3), "consumers.price_weight", "≥ 0"},
		{"negative price weight sigma", set("consumers.price_weight_sigma", -0.5), "consumers.price_weight_sigma", "≥ 0"},
		{"negative quality weight", set("consumers.quality_weight", -10.0), "consumers.quality_weight", "≥ 0"},
		{"zero noncritical alpha", set("consumers.noncritical_alpha", 0.0), "consumers.noncritical_alpha", "> 0"},
		{"NaN noncritical beta", set("consumers.noncritical_beta", nan), "consumers.noncritical_beta", "> 0"},
		{"negative growth", set("consumers.growth_per_year", -0.5), "consumers.growth_per_year", "≥ 0"},
		{"review rate negative", set("consumers.review_rate", -0.1), "consumers.review_rate", "must be in [0, 1]"},
		{"review rate above 1", set("consumers.review_rate", 1.1), "consumers.review_rate", "[0, 1]"},
		{"negative switching cost", set("consumers.switching_cost", -1.0), "consumers.switching_cost", "≥ 0"},
		{"negative elasticity", set("consumers.price_elasticity", -1.2), "consumers.price_elasticity", "≥ 0"},
		{"vol window 1", set("consumers.vol_window_days", 1), "consumers.vol_window_days", "≥ 2"},
		{"negative defer start", set("consumers.defer_vol_start", -0.1), "consumers.defer_vol_start", "≥ 0"},
		{"defer full equals start", set("consumers.defer_vol_full", 0.30), "consumers.defer_vol_full", "> consumers.defer_vol_start"},
		{"defer full below start", set("consumers.defer_vol_full", 0.2), "consumers.defer_vol_full", "> consumers.defer_vol_start"},
		{"infinite defer full", set("consumers.defer_vol_full", inf), "consumers.defer_vol_full", "finite"},
		{"backlog release above 1", set("consumers.backlog_release", 2.0), "consumers.backlog_release", "[0, 1]"},
		{"negative backlog decay", set("consumers.backlog_decay", -0.05), "consumers.backlog_decay", "[0, 1]"},
		// network.*, centralization.*
		{"negative network effect", set("network.effect", -0.3), "network.effect", "≥ 0"},
		{"share floor above 1", set("network.share_floor", 2.0), "network.share_floor", "[0, 1]"},
		{"unknown leader", set("centralization.leader", "frontier_z"), "centralization.leader", "must name a provider"},
		{"NaN quality growth", set("centralization.quality_growth_per_year", nan), "centralization.quality_growth_per_year", "finite"},
		// fees.*, pricing.*, hedging.*
		{"protocol fee above 1", set("fees.protocol_fee", 1.5), "fees.protocol_fee", "[0, 1]"},
		{"negative burn", set("fees.burn_fraction", -0.01), "fees.burn_fraction", "[0, 1]"},
		{"fee plus burn above 1", func(p *Params) { p.Fees.ProtocolFee, p.Fees.BurnFraction = 0.6, 0.5 }, "fees.burn_fraction", "≤ 1 − fees.protocol_fee"},
		{"twap 0", set("pricing.twap_days", 0), "pricing.twap_days", "≥ 1"},
		{"negative reprice interval", set("pricing.reprice_interval_days", -1), "pricing.reprice_interval_days", "≥ 0"},
		{"hedging cost above 100%", set("hedging.cost_bps", 2e4), "hedging.cost_bps", "[0, 10000]"},
		// entry.*
		{"negative entry rate", set("entry.rate_per_year", -2.0), "entry.rate_per_year", "≥ 0"},
		{"negative grant boost", set("entry.grant_boost", -1.0), "entry.grant_boost", "≥ 0"},
		{"entry quality mean above 1", set("entry.quality_mean", 1.2), "entry.quality_mean", "[0, 1]"},
		{"negative entry quality sd", set("entry.quality_sd", -0.05), "entry.quality_sd", "≥ 0"},
		{"NaN brand gap", set("entry.brand_gap", nan), "entry.brand_gap", "finite"},
		{"zero entrant price", set("entry.list_price_usd_per_mtok", 0.0), "entry.list_price_usd_per_mtok", "> 0"},
		{"negative entrant cash", set("entry.cash_usd", -1.0), "entry.cash_usd", "≥ 0"},
		{"negative entrant fixed cost", set("entry.fixed_cost_usd_per_day", -1.0), "entry.fixed_cost_usd_per_day", "≥ 0"},
		// market.*
		{"zero peg", set("market.peg", 0.0), "market.peg", "> 0"},
		{"zero depth", set("market.depth_usd", 0.0), "market.depth_usd", "> 0"},
		{"negative depth", set("market.depth_usd", -5e9), "market.depth_usd", "> 0"},
		{"NaN depth", set("market.depth_usd", nan), "market.depth_usd", "> 0"},
		{"negative jump rate", set("market.jump_rate_per_year", -2.0), "market.jump_rate_per_year", "≥ 0"},
		{"infinite jump mean", set("market.jump_mean", math.Inf(-1)), "market.jump_mean", "finite"},
		{"negative jump sd", set("market.jump_sd", -0.03), "market.jump_sd", "≥ 0"},
		{"no pegged regime", func(p *Params) { delete(p.Market.Regimes, RegimePegged) }, "market.regimes", `"pegged" regime`},
		{"dotted regime name", func(p *Params) { p.Market.Regimes["a.b"] = p.Market.Regimes[RegimePegged] }, "market.regimes.a.b", "without dots"},
		{"NaN mu", regime(RegimeVolatile, func(r *Regime) { r.Mu = nan }), "market.regimes.volatile.mu", "finite"},
		{"zero omega", regime(RegimePegged, func(r *Regime) { r.Omega = 0 }), "market.regimes.pegged.omega", "> 0"},
		{"negative alpha", regime(RegimePegged, func(r *Regime) { r.Alpha = -0.1 }), "market.regimes.pegged.alpha", "≥ 0"},
		{"negative beta", regime(RegimeVolatile, func(r *Regime) { r.Beta = -0.1 }), "market.regimes.volatile.beta", "≥ 0"},
		{"alpha plus beta 1", regime(RegimeVolatile, func(r *Regime) { r.Alpha, r.Beta = 0.2, 0.8 }), "market.regimes.volatile.beta", "alpha + beta < 1"},
		{"integrated GARCH", regime(RegimeVolatile, func(r *Regime) { r.Alpha, r.Beta = 0.2, 0.85 }), "market.regimes.volatile.beta", "alpha + beta < 1"},
		{"nu 2", regime(RegimeVolatile, func(r *Regime) { r.Nu = 2 }), "market.regimes.volatile.nu", "> 2"},
		{"infinite nu", regime(RegimePegged, func(r *Regime) { r.Nu = inf }), "market.regimes.pegged.nu", "> 2"},
		{"peg reversion above 1", regime(RegimePegged, func(r *Regime) { r.PegReversion = 1.5 }), "market.regimes.pegged.peg_reversion", "[0, 1]"},
		{"negative peg reversion", regime(RegimePegged, func(r *Regime) { r.PegReversion = -0.1 }), "market.regimes.pegged.peg_reversion", "[0, 1]"},
		// supply.*
		{"zero supply", set("supply.initial_clt", 0.0), "supply.initial_clt", "> 0"},
		{"negative issuance", set("supply.issuance_per_year", -0.02), "supply.issuance_per_year", "≥ 0"},
		{"negative dilution", set("supply.dilution_impact", -1.0), "supply.dilution_impact", "≥ 0"},
		{"buyback above 1", set("supply.buyback_share", 1.5), "supply.buyback_share", "[0, 1]"},
		{"fund stake above 1", set("supply.fund_stake_share", 1.1), "supply.fund_stake_share", "[0, 1]"},
		// levers
		{"negative fund USD", set("fund.reserve_usd", -1.0), "fund.reserve_usd", "≥ 0"},
		{"NaN fund CLT", set("fund.reserve_clt", nan), "fund.reserve_clt", "finite"},
		{"fund band 1", set("fund.band", 1.0), "fund.band", "[0, 1)"},
		{"negative aggressiveness", set("fund.aggressiveness", -0.25), "fund.aggressiveness", "≥ 0"},
		{"zero breaker threshold", set("circuit_breaker.threshold", 0.0), "circuit_breaker.threshold", "> 0"},
		{"zero breaker window", set("circuit_breaker.window_days", 0), "circuit_breaker.window_days", "≥ 1"},
		{"zero halt days", set("circuit_breaker.halt_days", 0), "circuit_breaker.halt_days", "≥ 1"},
		{"damping above 1", set("circuit_breaker.damping", 1.5), "circuit_breaker.damping", "[0, 1]"},
		{"zero cap", set("share_cap.cap", 0.0), "share_cap.cap", "(0, 1]"},
		{"cap above 1", set("share_cap.cap", 1.2), "share_cap.cap", "(0, 1]"},
		{"hysteresis ≥ cap", set("share_cap.hysteresis", 0.4), "share_cap.hysteresis", "[0, share_cap.cap)"},
		{"negative hysteresis", set("share_cap.hysteresis", -0.02), "share_cap.hysteresis", "[0, share_cap.cap)"},
		{"negative pool", set("grants.pool_usd", -1.0), "grants.pool_usd", "≥ 0"},
		{"payout above 1", set("grants.payout_rate", 1.1), "grants.payout_rate", "[0, 1]"},
		{"small share negative", set("grants.small_share", -0.1), "grants.small_share", "[0, 1]"},
		{"unknown governance", set("governance.mode", "dictator"), "governance.mode", `"none", "stake_vote"`},
		{"zero vote interval", set("governance.vote_interval_days", 0), "governance.vote_interval_days", "≥ 1"},
		{"zero threshold", set("governance.threshold", 0.0), "governance.threshold", "(0, 1]"},
		{"threshold above 1", set("governance.threshold", 1.01), "governance.threshold", "(0, 1]"},
		{"zero peg band", set("metrics.peg_band", 0.0), "metrics.peg_band", "(0, 1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Default()
			p = p.Clone()
			tc.mutate(&p)
			err := p.Validate()
			if err == nil {
				t.Fatalf("Validate accepted the change; want an error at %s", tc.path)
			}
			if !errors.Is(err, ErrInvalidParam) {
				t.Errorf("error %v does not wrap ErrInvalidParam", err)
			}
			var found *ParamError
			for _, pe := range paramErrors(t, err) {
				if pe.Path == tc.path {
					found = pe
				}
			}
			if found == nil {
				t.Fatalf("no error at %s; got:\n%v", tc.path, err)
			}
			if !strings.Contains(found.Rule, tc.rule) {
				t.Errorf("rule %q does not mention %q", found.Rule, tc.rule)
			}
			if !strings.HasPrefix(found.Error(), tc.path+" = ") {
				t.Errorf("message %q does not start with the path", found.Error())
			}
		})
	}
}

func TestValidateMessageAndJoin(t *testing.T) {
	p := Default()
	p.Consumers.ReviewRate = -0.1
	p.Governance.Threshold = math.NaN()
	err := p.Validate()
	if err == nil {
		t.Fatal("want an error")
	}
	want := "consumers.review_rate = -0.1: must be in [0, 1]\n" +
		"governance.threshold = NaN: must be in (0, 1]"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	if n := len(paramErrors(t, err)); n != 2 {
		t.Errorf("joined %d errors, want 2 (every problem reported)", n)
	}
}

func TestValidateAllowsBoundaries(t *testing.T) {
	p := Default()
	p.Market.DepthUSD = math.Inf(1) // no flow impact
	p.Consumers.ReviewRate = 0
	p.Consumers.PriceWeight = 0
	p.Consumers.PriceWeightSigma = 0
	p.Consumers.DemandSigma = 0
	p.Network.ShareFloor = 0
	p.Fees.ProtocolFee, p.Fees.BurnFraction = 0.5, 0.5
	p.Pricing.RepriceIntervalDays = 0
	p.Providers.HoldDays = 0
	p.ShareCap.Cap, p.ShareCap.Hysteresis = 1, 0
	p.Governance.Threshold = 1
	p.Entry.BrandGap = -1 // an entrant with a brand above the weakest incumbent
	r := p.Market.Regimes[RegimeVolatile]
	r.Alpha, r.Beta = 0, 0 // i.i.d. Student-t returns
	p.Market.Regimes[RegimeVolatile] = r
	p.Providers.Table = []ProviderSpec{{Name: "only", ListPriceUSDPerMtok: 1, Quality: 1, InitialShare: 1}}
	p.Centralization.Leader = "only"
	if err := p.Validate(); err != nil {
		t.Fatalf("boundary values rejected: %v", err)
	}
	// Shares that sum to 1 within the tolerance pass.
	p.Providers.Table = []ProviderSpec{
		{Name: "a", ListPriceUSDPerMtok: 1, Quality: 0.5, InitialShare: 1.0 / 3},
		{Name: "b", ListPriceUSDPerMtok: 1, Quality: 0.5, InitialShare: 1.0 / 3},
		{Name: "c", ListPriceUSDPerMtok: 1, Quality: 0.5, InitialShare: 0.3333335},
	}
	p.Centralization.Leader = "b"
	if err := p.Validate(); err != nil {
		t.Fatalf("shares within 1e-6 of 1 rejected: %v", err)
	}
}

func TestValidateSchedule(t *testing.T) {
	p := Default()
	cases := []struct {
		name string
		s    Schedule
		path string
	}{
		{"unknown base", Schedule{BaseRegime: "calm"}, "schedule.base_regime"},
		{"unknown span regime", Schedule{BaseRegime: RegimePegged, Regimes: []RegimeSpan{{Regime: "crash", FromDay: 1, ToDay: 2}}}, "schedule.regimes[0].regime"},
		{"span backwards", Schedule{BaseRegime: RegimePegged, Regimes: []RegimeSpan{{Regime: RegimeVolatile, FromDay: 9, ToDay: 2}}}, "schedule.regimes[0].to_day"},
		{"shock day 0", Schedule{BaseRegime: RegimePegged, Shocks: []Shock{{Day: 0, Size: -0.1, DurationDays: 1}}}, "schedule.shocks[0].day"},
		{"shock duration 0", Schedule{BaseRegime: RegimePegged, Shocks: []Shock{{Day: 5, Size: -0.1, DurationDays: 0}}}, "schedule.shocks[0].duration_days"},
		{"shock −100%", Schedule{BaseRegime: RegimePegged, Shocks: []Shock{{Day: 5, Size: -1, DurationDays: 1}}}, "schedule.shocks[0].size"},
		{"shock NaN", Schedule{BaseRegime: RegimePegged, Shocks: []Shock{{Day: 5, Size: math.NaN(), DurationDays: 1}}}, "schedule.shocks[0].size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateSchedule(tc.s, &p)
			if !errors.Is(err, ErrInvalidParam) {
				t.Fatalf("got %v, want an ErrInvalidParam", err)
			}
			pes := paramErrors(t, err)
			if len(pes) != 1 || pes[0].Path != tc.path {
				t.Errorf("got %v, want one error at %s", err, tc.path)
			}
		})
	}
}

// Validate runs once per simulated run (Runner.Run checks its spec), so a
// valid Params must cost no allocation.
func TestValidateAllocatesNothing(t *testing.T) {
	p := Default()
	s := Scenarios()[ScenarioVolatility].Schedule
	if a := testing.AllocsPerRun(100, func() {
		if p.Validate() != nil || ValidateSchedule(s, &p) != nil {
			t.Fatal("defaults rejected")
		}
	}); a != 0 {
		t.Errorf("Validate + ValidateSchedule of valid parameters allocate %v times, want 0", a)
	}
}

func BenchmarkValidate(b *testing.B) {
	p := Default()
	s := Scenarios()[ScenarioVolatility].Schedule
	b.ReportAllocs()
	for b.Loop() {
		if p.Validate() != nil || ValidateSchedule(s, &p) != nil {
			b.Fatal("defaults rejected")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "validations/s")
}

func TestValidateTableMessages(t *testing.T) {
	p := Default()
	p.Providers.Table[0].InitialShare = 0.5
	want := "providers.table.*.initial_share = 1.18 (sum): the initial shares must sum to 1 (tolerance 1e-06)"
	if err := p.Validate(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	p.Providers.Table = nil
	want = "providers.table = 0 rows: must list at least one provider"
	if err := p.Validate(); err == nil || err.Error() != want {
		t.Errorf("empty table: got %v, want only %q", err, want)
	}
}
