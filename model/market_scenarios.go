package model

// Scenarios of MODEL-SPEC-v2 §A.4: the two real de-peg episodes as
// mechanisms. Both run the token market (market.mode amm) whatever the
// base parameters' version, since their events act only there.
const (
	// ScenarioDepegBacked is USDC in March 2023: a fiat-backed token (β_0 = 1)
	// whose reserve loses 8% on day 90 (SVB), hidden to holders for 1 day,
	// with redemptions halted for 2 days (a weekend) and a backstop restoring
	// β to 1 on day 93.
	ScenarioDepegBacked = "depeg_backed"
	// ScenarioDepegAlgorithmic is UST in May 2022: an algorithmic token
	// backed by a reflexive sister asset, hit by a −20% sentiment shock over
	// 3 days from day 90, with a stabilization fund (LFG's reserve) of 3e9 USD
	// available to the `fund` policy.
	ScenarioDepegAlgorithmic = "depeg_algorithmic"
)

// marketScenarios returns the §A.4 scenarios keyed by name.
func marketScenarios() map[string]Scenario {
	return map[string]Scenario{
		ScenarioDepegBacked: {
			Name: ScenarioDepegBacked,
			Overrides: []Override{
				{"market.mode", MarketAMM}, {"reserve.mode", ReserveBacked}, {"reserve.backing_target", 1.0},
			},
			Schedule: Schedule{
				BaseRegime: RegimePegged,
				ReserveEvents: ReserveEvents{
					Impairments:     []Impairment{{Day: 90, Fraction: 0.08, HiddenDays: 1}},
					RedemptionHalts: []DaySpan{{FromDay: 90, ToDay: 91}},
					BackstopDays:    []int{93},
				},
			},
		},
		ScenarioDepegAlgorithmic: {
			Name: ScenarioDepegAlgorithmic,
			Overrides: []Override{
				// β_0 = LUNA's market cap / UST's supply on 2022-05-06, the eve
				// of the run: 26.54e9 / 18.73e9 = 1.42 (../shared/data/stablecoins/
				// luna.csv, ust.csv; TestDepegAlgorithmicBackingFromData).
				{"market.mode", MarketAMM}, {"reserve.mode", ReserveAlgorithmic}, {"reserve.backing_target", 1.42},
				{"fund.reserve_usd", 3.0e9}, {"fund.reserve_clt", 0.0},
			},
			Schedule: Schedule{
				BaseRegime: RegimePegged,
				Shocks:     []Shock{{Day: 90, Size: -0.20, DurationDays: 3}},
			},
		},
	}
}

// ScenarioNamesV2 lists every built-in scenario: v1's four (ScenarioNames,
// which the v1 contract and the default study keep), the §A.4 episodes and
// llm_market_2023 (§C.4, llmmarket.go).
func ScenarioNamesV2() []string {
	return append(ScenarioNames(), ScenarioDepegBacked, ScenarioDepegAlgorithmic, ScenarioLLMMarket2023)
}
