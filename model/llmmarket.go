package model

// ScenarioLLMMarket2023 names the scenario of MODEL-SPEC-v2 §C.4 that starts
// the LLM-API market from its 2023 state, for checking the model's evolution
// against the published 2025 shares (run it with horizon_days ≥ 730).
const ScenarioLLMMarket2023 = "llm_market_2023"

// LLMMarket2023Provider maps a provider of the default table to the company
// whose published enterprise LLM-API spend share it carries in
// llm_market_2023, with the model whose list price it takes from
// ../shared/data/llm_price_history.csv (blended 3:1 input:output) and its
// 2023 share. Companies without a published 2023 share carry an equal part of
// the rest (an assumption).
type LLMMarket2023Provider struct {
	Name, Company, Model string
	// ListPriceUSDPerMtok is (3 × input + output)/4 of Model's first dated
	// price in llm_price_history.csv that is not a known error or placeholder.
	ListPriceUSDPerMtok float64
	Quality             float64
	InitialShare        float64
}

// LLMMarket2023Providers returns the provider rows of llm_market_2023
// (MODEL-SPEC-v2 §C.4; checks.TestLLMMarket2023Data recomputes the prices and
// shares from the shipped data). The shares are Menlo Ventures' 2023 enterprise
// LLM-API spend shares (OpenAI 0.50, Anthropic 0.12, Google 0.07); the other
// 0.31 is split over the three other rows (0.11, 0.10, 0.10), an assumption:
// the source gives no split. List prices are each company's earliest
// frontier-tier price in the price history: OpenAI's GPT-4 Turbo of
// 2023-11 (the late-2023 frontier tier), Anthropic's and Google's first
// listed models (Claude 3 Sonnet, 2024-03; Gemini 1.5 Pro, 2024-07: the file
// has no 2023 row for them), Llama 3 70B on Groq for open weights and Mistral
// Large for the mid tier; the budget row keeps GPT-3.5 Turbo's 2023 price (the
// cheap tier of 2023). Qualities are the default table's with the two
// leaders swapped (GPT-4 led in 2023), an assumption: the brand intercepts
// carry every level difference at day 0, quality matters through the
// investment law's headroom (1 − q).
func LLMMarket2023Providers() []LLMMarket2023Provider {
	return []LLMMarket2023Provider{
		{"frontier_a", "Anthropic", "claude-3-sonnet", 6.0, 0.88, 0.12},
		{"frontier_b", "OpenAI", "gpt-4-turbo", 15.0, 0.90, 0.50},
		{"frontier_c", "Google", "gemini-1.5-pro", 5.25, 0.87, 0.07},
		{"open_weights_host", "Meta (open weights)", "llama-3-70b@groq", 0.68, 0.75, 0.11},
		{"mid_tier", "Mistral", "mistral-large", 12.0, 0.72, 0.10},
		{"budget", "other (budget tier)", "gpt-3.5-turbo", 1.625, 0.80, 0.10},
	}
}

// llmMarket2023 is the scenario: the provider table of LLMMarket2023Providers,
// OpenAI's row as the leader, the pegged regime throughout. It sets no cost
// decline of its own: on the v2 defaults it runs with the calibrated
// providers.cost_decline_per_year and best-response pricing (MODEL-SPEC-v2
// §B.3), on v1 with fixed costs and prices.
func llmMarket2023() Scenario {
	var ov []Override
	for _, r := range LLMMarket2023Providers() {
		base := "providers.table." + r.Name + "."
		ov = append(ov,
			Override{base + "list_price_usd_per_mtok", r.ListPriceUSDPerMtok},
			Override{base + "quality", r.Quality},
			Override{base + "initial_share", r.InitialShare})
	}
	ov = append(ov, Override{"centralization.leader", "frontier_b"})
	return Scenario{Name: ScenarioLLMMarket2023, Overrides: ov, Schedule: Schedule{BaseRegime: RegimePegged}}
}
