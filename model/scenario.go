package model

import (
	"fmt"
	"sort"
)

// Shock is a scheduled log-price shock (MODEL-SPEC §2.6, §10): ln(1+Size) is
// spread evenly over DurationDays days starting at Day.
type Shock struct {
	Day          int     `yaml:"day" json:"day"`
	Size         float64 `yaml:"size" json:"size"`
	DurationDays int     `yaml:"duration_days" json:"duration_days"`
}

// RegimeSpan puts the named regime in force on days FromDay..ToDay inclusive.
type RegimeSpan struct {
	Regime  string `yaml:"regime" json:"regime"`
	FromDay int    `yaml:"from_day" json:"from_day"`
	ToDay   int    `yaml:"to_day" json:"to_day"`
}

// Schedule is a scenario's time line: the base regime, the spans that replace
// it, and the scheduled shocks.
type Schedule struct {
	BaseRegime string       `yaml:"base_regime" json:"base_regime"`
	Regimes    []RegimeSpan `yaml:"regimes" json:"regimes"`
	Shocks     []Shock      `yaml:"shocks" json:"shocks"`
	// ReserveEvents are MODEL-SPEC-v2 §A.4's reserve events (market_events.go).
	ReserveEvents `yaml:",inline"`
}

// RegimeOn returns the regime name in force on day t (later spans win).
func (s Schedule) RegimeOn(t int) string {
	if name, ok := s.forcedRegime(t); ok {
		return name
	}
	return s.BaseRegime
}

// forcedRegime returns the regime a span of the schedule forces on day t
// (later spans win); ok is false when no span covers t.
func (s Schedule) forcedRegime(t int) (name string, ok bool) {
	for _, r := range s.Regimes {
		if t >= r.FromDay && t <= r.ToDay {
			name, ok = r.Regime, true
		}
	}
	return name, ok
}

// Scenario is a named world: parameter overrides plus a schedule (MODEL-SPEC §5).
type Scenario struct {
	Name      string
	Overrides []Override
	Schedule  Schedule
}

// Policy is a named set of policy levers, as parameter overrides (MODEL-SPEC §5, §7).
type Policy struct {
	Name      string
	Overrides []Override
}

// Built-in scenario names (MODEL-SPEC §5).
const (
	ScenarioBaseline            = "baseline"
	ScenarioVolatility          = "volatility"
	ScenarioCentralization      = "centralization"
	ScenarioVolatileCentralized = "volatile_centralized"
)

// Built-in policy-variant names (MODEL-SPEC §5).
const (
	PolicyNone           = "none"
	PolicyFund           = "fund"
	PolicyCircuitBreaker = "circuit_breaker"
	PolicyShareCap       = "share_cap"
	PolicyGrants         = "grants"
	PolicyBurnBuyback    = "burn_buyback"
	PolicyIndexedPricing = "indexed_pricing"
	PolicyHedging        = "hedging"
	PolicyAll            = "all"
	PolicyAllGoverned    = "all_governed"
)

var (
	volatilitySchedule = Schedule{
		BaseRegime: RegimePegged,
		Regimes: []RegimeSpan{
			{Regime: RegimeVolatile, FromDay: 90, ToDay: 149},
			{Regime: RegimeVolatile, FromDay: 240, ToDay: 299},
		},
		Shocks: []Shock{{Day: 90, Size: -0.20, DurationDays: 3}, {Day: 240, Size: 0.20, DurationDays: 3}},
	}
	centralizationOverrides = []Override{
		{"centralization.quality_growth_per_year", 0.10},
		{"network.effect", 0.8},
		{"centralization.breakthrough_size", 0.10}, // v2 §C.1 (mode breakthrough; inert under ramp)
	}
	levers = map[string][]Override{
		PolicyFund:           {{"fund.enabled", true}},
		PolicyCircuitBreaker: {{"circuit_breaker.enabled", true}},
		PolicyShareCap:       {{"share_cap.enabled", true}},
		PolicyGrants:         {{"grants.enabled", true}},
		PolicyBurnBuyback:    {{"fees.burn_fraction", 0.01}, {"supply.buyback_share", 0.5}},
		PolicyIndexedPricing: {{"pricing.reprice_interval_days", 0}},
		PolicyHedging:        {{"providers.hedge_ratio", 0.5}},
	}
	leverOrder = []string{PolicyFund, PolicyCircuitBreaker, PolicyShareCap, PolicyGrants,
		PolicyBurnBuyback, PolicyIndexedPricing, PolicyHedging}
)

// Scenarios returns the built-in scenarios of MODEL-SPEC §5 keyed by name.
func Scenarios() map[string]Scenario {
	pegged := Schedule{BaseRegime: RegimePegged}
	out := map[string]Scenario{
		ScenarioBaseline:       {Name: ScenarioBaseline, Schedule: pegged},
		ScenarioVolatility:     {Name: ScenarioVolatility, Schedule: volatilitySchedule},
		ScenarioCentralization: {Name: ScenarioCentralization, Overrides: centralizationOverrides, Schedule: pegged},
		ScenarioVolatileCentralized: {Name: ScenarioVolatileCentralized, Overrides: centralizationOverrides,
			Schedule: volatilitySchedule},
		ScenarioLLMMarket2023: llmMarket2023(), // MODEL-SPEC-v2 §C.4 (llmmarket.go); not in ScenarioNames
	}
	for name, sc := range marketScenarios() { // MODEL-SPEC-v2 §A.4 (market_scenarios.go)
		out[name] = sc
	}
	return out
}

// Policies returns the built-in policy variants of MODEL-SPEC §5 keyed by name.
// `none` is the defaults; `all` switches every lever on; `all_governed` is `all`
// with governance.mode stake_vote.
func Policies() map[string]Policy {
	out := map[string]Policy{PolicyNone: {Name: PolicyNone}}
	var all []Override
	for _, name := range leverOrder {
		out[name] = Policy{Name: name, Overrides: levers[name]}
		all = append(all, levers[name]...)
	}
	out[PolicyAll] = Policy{Name: PolicyAll, Overrides: all}
	gov := append(append([]Override(nil), all...), Override{"governance.mode", GovernanceStakeVote})
	out[PolicyAllGoverned] = Policy{Name: PolicyAllGoverned, Overrides: gov}
	return out
}

// ScenarioNames and PolicyNames list the built-in names in the spec's order
// (MODEL-SPEC §5; the default study runs these scenarios). Scenarios also
// holds llm_market_2023 (MODEL-SPEC-v2 §C.4), a check run over two years.
func ScenarioNames() []string {
	return []string{ScenarioBaseline, ScenarioVolatility, ScenarioCentralization, ScenarioVolatileCentralized}
}

// PolicyNames lists the built-in policy variants in the spec's order.
func PolicyNames() []string {
	return append(append([]string{PolicyNone}, leverOrder...), PolicyAll, PolicyAllGoverned)
}

// Resolve returns base with the scenario's and then the policy's overrides applied.
func Resolve(base Params, s Scenario, pol Policy) (Params, error) {
	p := base.Clone()
	if err := Apply(&p, s.Overrides); err != nil {
		return p, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if err := Apply(&p, pol.Overrides); err != nil {
		return p, fmt.Errorf("policy %s: %w", pol.Name, err)
	}
	return p, nil
}

// LargestShock returns the scheduled shock with the largest |ln(1+size)|
// (earliest on ties) and whether there is one.
func (s Schedule) LargestShock() (Shock, bool) {
	if len(s.Shocks) == 0 {
		return Shock{}, false
	}
	sh := append([]Shock(nil), s.Shocks...)
	sort.SliceStable(sh, func(i, j int) bool { return sh[i].Day < sh[j].Day })
	best := sh[0]
	for _, x := range sh[1:] {
		if abslog1p(x.Size) > abslog1p(best.Size) {
			best = x
		}
	}
	return best, true
}
