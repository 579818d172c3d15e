package model

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func resolveT(t *testing.T, scenario, policy string) Params {
	t.Helper()
	s, ok := Scenarios()[scenario]
	if !ok {
		t.Fatalf("no built-in scenario %q", scenario)
	}
	pol, ok := Policies()[policy]
	if !ok {
		t.Fatalf("no built-in policy %q", policy)
	}
	p, err := Resolve(Default(), s, pol)
	if err != nil {
		t.Fatalf("Resolve(%s, %s): %v", scenario, policy, err)
	}
	return p
}

func TestBuiltinNames(t *testing.T) {
	names := func(m []string) []string { s := append([]string(nil), m...); sort.Strings(s); return s }
	var sc, po []string
	for k, v := range Scenarios() {
		if v.Name != k {
			t.Errorf("scenario key %q has Name %q", k, v.Name)
		}
		sc = append(sc, k)
	}
	for k, v := range Policies() {
		if v.Name != k {
			t.Errorf("policy key %q has Name %q", k, v.Name)
		}
		po = append(po, k)
	}
	wantSc := []string{"baseline", "volatility", "centralization", "volatile_centralized"}
	wantPo := []string{"none", "fund", "circuit_breaker", "share_cap", "grants", "burn_buyback",
		"indexed_pricing", "hedging", "all", "all_governed"}
	wantSc2 := append(append([]string(nil), wantSc...), "depeg_backed", "depeg_algorithmic", "llm_market_2023") // MODEL-SPEC-v2 §A.4, §C.4
	if !reflect.DeepEqual(ScenarioNames(), wantSc) || !reflect.DeepEqual(ScenarioNamesV2(), wantSc2) ||
		!reflect.DeepEqual(names(sc), names(wantSc2)) {
		t.Errorf("scenarios %v, %v / %v, want %v (MODEL-SPEC §5, MODEL-SPEC-v2 §A.4, §C.4)", ScenarioNames(), ScenarioNamesV2(), sc, wantSc2)
	}
	if !reflect.DeepEqual(PolicyNames(), wantPo) || !reflect.DeepEqual(names(po), names(wantPo)) {
		t.Errorf("policies %v / %v, want %v (MODEL-SPEC §5)", PolicyNames(), po, wantPo)
	}
}

func TestScenarioValues(t *testing.T) {
	def := Default()
	// baseline × none is exactly the defaults, pegged throughout, no shocks.
	if p := resolveT(t, "baseline", "none"); !reflect.DeepEqual(p, def) {
		t.Error("baseline × none differs from Default()")
	}
	base := Scenarios()["baseline"].Schedule
	if base.BaseRegime != RegimePegged || len(base.Regimes) != 0 || len(base.Shocks) != 0 {
		t.Errorf("baseline schedule %+v, want pegged throughout without shocks", base)
	}
	if _, ok := base.LargestShock(); ok {
		t.Error("baseline has a largest shock")
	}
	// centralization: quality growth 0.10/yr and network effect 0.8, pegged.
	for _, name := range []string{"centralization", "volatile_centralized"} {
		p := resolveT(t, name, "none")
		if p.Centralization.QualityGrowthPerYear != 0.10 || p.Network.Effect != 0.8 || p.Centralization.BreakthroughSize != 0.10 {
			t.Errorf("%s: quality growth %v, network effect %v, breakthrough %v; want 0.10, 0.8 and 0.10 (MODEL-SPEC §5, §7; v2 §C.1)",
				name, p.Centralization.QualityGrowthPerYear, p.Network.Effect, p.Centralization.BreakthroughSize)
		}
		q := p.Clone()
		q.Centralization.QualityGrowthPerYear, q.Network.Effect = def.Centralization.QualityGrowthPerYear, def.Network.Effect
		q.Centralization.BreakthroughSize = def.Centralization.BreakthroughSize
		if !reflect.DeepEqual(q, def) {
			t.Errorf("%s changes more than quality growth and network effect", name)
		}
	}
	if p := resolveT(t, "volatility", "none"); !reflect.DeepEqual(p, def) {
		t.Error("volatility changes parameters (it should change only the schedule)")
	}
	if Scenarios()["centralization"].Schedule.BaseRegime != RegimePegged ||
		len(Scenarios()["centralization"].Schedule.Shocks) != 0 {
		t.Error("centralization is not pegged throughout")
	}
	// volatility: shocks −20% from day 90 and +20% from day 240 over 3 days; volatile on 90–149 and 240–299.
	for _, name := range []string{"volatility", "volatile_centralized"} {
		s := Scenarios()[name].Schedule
		wantShocks := []Shock{{Day: 90, Size: -0.20, DurationDays: 3}, {Day: 240, Size: 0.20, DurationDays: 3}}
		if !reflect.DeepEqual(s.Shocks, wantShocks) {
			t.Errorf("%s shocks %+v, want %+v", name, s.Shocks, wantShocks)
		}
		for day := 1; day <= 365; day++ {
			want := RegimePegged
			if (day >= 90 && day <= 149) || (day >= 240 && day <= 299) {
				want = RegimeVolatile
			}
			if got := s.RegimeOn(day); got != want {
				t.Errorf("%s day %d: regime %s, want %s", name, day, got, want)
			}
		}
		// |ln 0.8| = 0.223 > ln 1.2 = 0.182: the crash is the largest shock.
		if sh, ok := s.LargestShock(); !ok || sh.Day != 90 {
			t.Errorf("%s largest shock %+v, want the day-90 crash", name, sh)
		}
	}
}

func TestLargestShockTies(t *testing.T) {
	s := Schedule{Shocks: []Shock{{Day: 50, Size: 0.1, DurationDays: 1}, {Day: 10, Size: 0.1, DurationDays: 2}}}
	if sh, _ := s.LargestShock(); sh.Day != 10 {
		t.Errorf("tie broken to day %d, want the earliest (10)", sh.Day)
	}
	// ln(1−0.5) is larger in magnitude than ln(1+0.5).
	s = Schedule{Shocks: []Shock{{Day: 5, Size: 0.5, DurationDays: 1}, {Day: 9, Size: -0.5, DurationDays: 1}}}
	if sh, _ := s.LargestShock(); sh.Day != 9 {
		t.Errorf("largest of ±50%% = day %d, want the −50%% shock on day 9", sh.Day)
	}
}

// paramDiff lists the dotted paths where a and b differ, with b's values.
func paramDiff(t *testing.T, a, b Params) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, path := range ParamPaths(&b) {
		vb, _ := GetParam(&b, path)
		va, err := GetParam(&a, path)
		if err != nil || va != vb {
			out[path] = vb
		}
	}
	return out
}

func TestPolicyValues(t *testing.T) {
	def := Default()
	hedge := map[string]any{"providers.hedge_ratio": 0.5}
	want := map[string]map[string]any{
		"none":            {},
		"fund":            {"fund.enabled": true},
		"circuit_breaker": {"circuit_breaker.enabled": true},
		"share_cap":       {"share_cap.enabled": true},
		"grants":          {"grants.enabled": true},
		"burn_buyback":    {"fees.burn_fraction": 0.01, "supply.buyback_share": 0.5},
		"indexed_pricing": {"pricing.reprice_interval_days": 0},
		"hedging":         hedge,
	}
	all := map[string]any{}
	for name, w := range want {
		got := paramDiff(t, def, resolveT(t, "baseline", name))
		if !reflect.DeepEqual(got, w) {
			t.Errorf("policy %s changes %v, want %v (MODEL-SPEC §7)", name, got, w)
		}
		for k, v := range w {
			all[k] = v
		}
	}
	// `all` switches on every lever and nothing else; all_governed adds stake_vote.
	if got := paramDiff(t, def, resolveT(t, "baseline", "all")); !reflect.DeepEqual(got, all) {
		t.Errorf("all changes %v, want the union of the levers %v", got, all)
	}
	gov := map[string]any{"governance.mode": GovernanceStakeVote}
	for k, v := range all {
		gov[k] = v
	}
	if got := paramDiff(t, def, resolveT(t, "baseline", "all_governed")); !reflect.DeepEqual(got, gov) {
		t.Errorf("all_governed changes %v, want %v", got, gov)
	}
	// With `none` every lever is off and prices are re-indexed every 30 days (§5).
	p := resolveT(t, "volatility", "none")
	if p.Fund.Enabled || p.CircuitBreaker.Enabled || p.ShareCap.Enabled || p.Grants.Enabled ||
		p.Fees.BurnFraction != 0 || p.Supply.BuybackShare != 0 || p.Providers.HedgeRatio != 0 ||
		p.Pricing.RepriceIntervalDays != 30 || p.Governance.Mode != GovernanceNone {
		t.Errorf("policy none is not lever-free: %+v", p)
	}
	// Scenario and policy compose: centralization × all_governed has both.
	q := resolveT(t, "volatile_centralized", "all_governed")
	if q.Network.Effect != 0.8 || !q.ShareCap.Enabled || q.Governance.Mode != GovernanceStakeVote {
		t.Error("volatile_centralized × all_governed lost the scenario or the policy")
	}
}

func TestResolveDoesNotAlias(t *testing.T) {
	base := Default()
	p, err := Resolve(base, Scenario{Name: "s", Overrides: []Override{{"market.regimes.pegged.alpha", 0.1}}},
		Policy{Name: "p", Overrides: []Override{{"providers.table.budget.quality", 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	if base.Market.Regimes["pegged"].Alpha != Default().Market.Regimes["pegged"].Alpha || base.Providers.Table[5].Quality != 0.80 {
		t.Error("Resolve modified its base")
	}
	if p.Market.Regimes["pegged"].Alpha != 0.1 || p.Providers.Table[5].Quality != 0.5 {
		t.Error("Resolve did not apply the overrides")
	}
	_, err = Resolve(base, Scenario{Name: "bad", Overrides: []Override{{"no.such", 1}}}, Policies()["none"])
	if err == nil || !containsAll(err.Error(), "scenario bad", "no.such") {
		t.Errorf("Resolve with a bad scenario override = %v; want it to name the scenario and the path", err)
	}
	_, err = Resolve(base, Scenarios()["baseline"], Policy{Name: "worse", Overrides: []Override{{"share_cap.cap", "x"}}})
	if err == nil || !containsAll(err.Error(), "policy worse", "share_cap.cap") {
		t.Errorf("Resolve with a bad policy override = %v; want it to name the policy and the path", err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
