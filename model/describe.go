package model

import "strings"

// Described is the plain-language description of a built-in scenario or
// policy variant: the one source of the words the report uses for it.
type Described struct {
	// Name is the code name (the key of Scenarios or Policies).
	Name string
	// Label is a short plain label for figures and tables ("Volatile market").
	Label string
	// Text is one sentence saying what the scenario or policy is, in words a
	// reader who never saw the configuration understands (MODEL-SPEC §5, v2 §A.4).
	Text string
}

// scenarioDescriptions describe the built-in scenarios (MODEL-SPEC §5; v2 §A.4).
// The v2 scenarios are listed here so that a study naming them is described
// as soon as their mechanisms land.
var scenarioDescriptions = []Described{
	{Name: ScenarioBaseline, Label: "Calm market", Text: "The token holds its peg in a calm market (the pegged GARCH regime all year) and providers compete on price and quality as today."},
	{Name: ScenarioVolatility, Label: "Volatile market", Text: "Two 60-day spells of crypto-like volatility (days 90–149 and 240–299), opened by a 20% fall and then a 20% rise of the token price."},
	{Name: ScenarioCentralization, Label: "Winner-take-most", Text: "A calm token, but the leading provider's quality grows 10% a year and strong network effects pull users to the largest provider."},
	{Name: ScenarioVolatileCentralized, Label: "Volatile and winner-take-most", Text: "Both stresses at once: the volatile spells of the volatile market and the leader's pull of winner-take-most."},
	{Name: ScenarioDepegBacked, Label: "Reserve-backed depeg", Text: "A reserve-backed token loses 8% of its reserves on day 90 (as USDC in March 2023); redemptions halt for two days until a backstop restores them."},
	{Name: ScenarioDepegAlgorithmic, Label: "Algorithmic depeg", Text: "An algorithmic token whose holders cut their holdings 20% over three days from day 90 (as UST in May 2022), defended by a 3 billion USD fund."},
	{Name: ScenarioLLMMarket2023, Label: "LLM market since 2023", Text: "Providers' costs and prices fall as in the LLM API market since 2023, with entry and investment in capability."},
}

// policyDescriptions describe the built-in policy variants (MODEL-SPEC §5, §7).
var policyDescriptions = []Described{
	{Name: PolicyNone, Label: "No policy", Text: "No lever switched on: the reference every other policy is compared with."},
	{Name: PolicyFund, Label: "Stabilization fund", Text: "A fund with 2 billion USD and 2 billion USD worth of tokens buys the token when it trades more than 2% below the peg and sells it more than 2% above."},
	{Name: PolicyCircuitBreaker, Label: "Circuit breaker", Text: "Trading halts for a day after the token price moves more than 15% in a day, and the pent-up move is then halved."},
	{Name: PolicyShareCap, Label: "Market-share cap", Text: "A provider with 40% of the market or more takes no new customers until its share falls below 38%."},
	{Name: PolicyGrants, Label: "Grants to small providers", Text: "A pool funded by protocol fees pays 1% of its balance a day, as cash, to providers with less than 10% of the market."},
	{Name: PolicyBurnBuyback, Label: "Fee burn and buyback", Text: "1% of every payment in tokens is burned, and half of the protocol's fee income buys tokens back and burns them."},
	{Name: PolicyIndexedPricing, Label: "Daily USD-indexed prices", Text: "Token prices of the service are reset every day from the USD list price (instead of every 30 days), so customers pay a stable USD price."},
	{Name: PolicyHedging, Label: "Provider hedging", Text: "Providers sell half of the tokens they receive on the day they receive them."},
	{Name: PolicyAll, Label: "All levers", Text: "Every lever above switched on together."},
	{Name: PolicyAllGoverned, Label: "All levers, token vote", Text: "Every lever switched on, but the share cap and grants are in force only while a vote of token stakers passes them."},
}

// describedIn returns name's entry in list, or (for a name not in it) the
// name with underscores turned into spaces as its Label and ok false.
func describedIn(list []Described, name string) (d Described, ok bool) {
	for _, d := range list {
		if d.Name == name {
			return d, true
		}
	}
	return Described{Name: name, Label: plainName(name)}, false
}

// DescribeScenario returns the description of a built-in scenario; for any
// other name (a study's own scenario) ok is false and Label is the name with
// underscores turned into spaces.
func DescribeScenario(name string) (d Described, ok bool) {
	return describedIn(scenarioDescriptions, name)
}

// DescribePolicy returns the description of a built-in policy variant, as
// DescribeScenario does for scenarios.
func DescribePolicy(name string) (d Described, ok bool) {
	return describedIn(policyDescriptions, name)
}

// plainName turns a code name into words: "my_policy" → "my policy".
func plainName(name string) string { return strings.ReplaceAll(name, "_", " ") }

// DescribedNames returns the code names of every described scenario and
// policy (for checks that figure text carries labels, not code names).
func DescribedNames() []string {
	var out []string
	for _, d := range scenarioDescriptions {
		out = append(out, d.Name)
	}
	for _, d := range policyDescriptions {
		out = append(out, d.Name)
	}
	return out
}
