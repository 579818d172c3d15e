package model

import "math"

// Family groups metrics by the question they answer (the report's sections).
type Family string

// Metric families, in report order.
const (
	FamilyStability     Family = "stability"
	FamilyDiversity     Family = "diversity"
	FamilyProfitability Family = "profitability"
	FamilyConsumers     Family = "consumers" // consumer welfare, cost and service
	FamilyToken         Family = "token"
	FamilyGovernance    Family = "governance"
	// FamilyOther holds uncatalogued numeric columns found in a dataset.
	FamilyOther Family = "other"
)

// Direction says which way a metric is better.
type Direction int

// Directions of "better".
const (
	Neutral Direction = iota
	LowerIsBetter
	HigherIsBetter
)

// Sign is +1 for HigherIsBetter, −1 for LowerIsBetter and 0 for Neutral:
// the sign of a change that is an improvement (the summary tables' `better`
// column).
func (d Direction) Sign() int {
	switch d {
	case HigherIsBetter:
		return 1
	case LowerIsBetter:
		return -1
	}
	return 0
}

// Table names a dataset table a metric is a column of.
type Table string

// Tables holding catalogued metrics.
const (
	TableRuns          Table = "runs"
	TableSteps         Table = "steps"
	TableProviderSteps Table = "provider_steps"
)

// Metric describes one column of the runs or steps table: the single source
// of every table, figure, report label and data-dictionary entry (the metric
// catalogue). Name is the Parquet column name of Summary or Step.
type Metric struct {
	Name   string
	Table  Table
	Family Family
	// Unit is the unit for axis labels and the data dictionary ("USD/CLT",
	// "days", "share"); empty for dimensionless counts of things named in Label.
	Unit string
	// Label is a plain-language label for figures and tables (never a code name).
	Label string
	// Description is one or two sentences for the data dictionary: what is
	// measured, how, and the spec section it comes from.
	Description string
	// Lo and Hi are the natural range (NaN = unbounded on that side): a share
	// is [0, 1], an HHI [0, 10000], a profit (−∞, ∞).
	Lo, Hi float64
	Better Direction
	// Integer marks counts (integer axis ticks).
	Integer bool
	// HeavyTailed marks metrics whose means are dominated by rare runs:
	// headlines use medians or trimmed means for them.
	HeavyTailed bool
	// LeverOnly names the policy lever without which the metric is not
	// applicable (null in the dataset, a structural zero in v1), e.g. "fund".
	LeverOnly string
	// Version is the model version that introduced the metric (1 or 2).
	Version int
	// Percent marks metrics that text states in percent (a level) and
	// percentage points (a difference): fractions and shares, and the
	// annualized volatility (0.8 per year is "80% annualized volatility").
	Percent bool
	// Derived is the formula of a steps variable that readers compute from
	// steps columns (e.g. "served_mtok / desired_mtok"); empty for a column.
	Derived string
	// Key marks the family's key metric: the one the report's scorecard and
	// trade-off figure show for the family (KeyMetric picks among several).
	Key bool
}

// KeyMetric returns the key metric (Metric.Key) of family fam among those
// present reports as present: the one of the newest model version, the first
// in catalogue order on ties, so that a v2 metric marked Key (e.g. consumer
// welfare) supersedes its v1 predecessor when a study has it. ok is false
// when no key metric of fam is present.
func KeyMetric(fam Family, present func(name string) bool) (m Metric, ok bool) {
	for _, c := range CatalogueOf(TableRuns) {
		if c.Family == fam && c.Key && present(c.Name) && (!ok || c.Version > m.Version) {
			m, ok = c, true
		}
	}
	return m, ok
}

// NonNegative reports whether the metric's natural range excludes negative
// values (Lo ≥ 0).
func (m *Metric) NonNegative() bool { return m.Lo >= 0 }

// Max is the metric's finite upper bound, or 0 when it has none.
func (m *Metric) Max() float64 {
	if math.IsNaN(m.Hi) || math.IsInf(m.Hi, 0) {
		return 0
	}
	return m.Hi
}

var (
	unbounded = math.NaN()
	infHi     = math.Inf(1)
)

// catalogue is every catalogued metric in report order: the one list that
// Catalogue, CatalogueOf and LookupMetric read.
var catalogue = concatMetrics(catalogueV1, catalogueStepsV1, catalogueV2)

// Catalogue returns every catalogued metric in report order (a copy).
func Catalogue() []Metric {
	return append(make([]Metric, 0, len(catalogue)), catalogue...)
}

// CatalogueOf returns the catalogued metrics of table t in report order (a copy).
func CatalogueOf(t Table) []Metric {
	var out []Metric
	for _, m := range catalogue {
		if m.Table == t {
			out = append(out, m)
		}
	}
	return out
}

// LookupMetric returns the catalogue entry of the metric with the given
// column name in table t.
func LookupMetric(t Table, name string) (Metric, bool) {
	for _, m := range catalogue {
		if m.Table == t && m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// catalogueV2 holds the metrics added by MODEL-SPEC-v2 (§D): each v2
// mechanism file declares its own `var …Metrics = []Metric{…}` and is listed
// here once, in report order.
var catalogueV2 = concatMetrics(
	marketMetrics,        // v2 §A (market_metrics.go)
	flagMetrics,          // dataset schema v2 event flags (catalogue_dataset.go)
	stepsMetrics,         // the other steps columns, for the data dictionary (catalogue_dataset.go)
	providerStepsMetrics, // provider_steps columns, likewise
	llmMetrics,           // §B (llm_welfare.go)
	leverMetrics,         // levers (§C; levers.go)
)

func concatMetrics(parts ...[]Metric) []Metric {
	var out []Metric
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// catalogueV1 holds the MODEL-SPEC §4.2 run metrics.
var catalogueV1 = []Metric{
	// Stability.
	{Name: "realized_vol_annual", Table: TableRuns, Family: FamilyStability, Unit: "per year", Label: "Realized volatility (annualized)", Description: "Sample sd of daily log returns of the CLT price × √365 (MODEL-SPEC §4.2).", Lo: 0, Hi: infHi, Better: LowerIsBetter, HeavyTailed: true, Version: 1, Percent: true},
	{Name: "max_drawdown", Table: TableRuns, Family: FamilyStability, Unit: "fraction", Label: "Maximum drawdown of the token price", Description: "Largest fall of the CLT price from a running peak, P_0..P_T, as a fraction of the peak.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
	{Name: "peg_mad", Table: TableRuns, Family: FamilyStability, Unit: "USD/CLT", Label: "Mean distance from the peg", Description: "Mean over days of |P_t − peg| in USD per CLT.", Lo: 0, Hi: infHi, Better: LowerIsBetter, HeavyTailed: true, Version: 1, Key: true},
	{Name: "days_outside_band_frac", Table: TableRuns, Family: FamilyStability, Unit: "fraction of days", Label: "Days outside the peg band", Description: "Fraction of days with |P/peg − 1| > metrics.peg_band.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
	{Name: "halts", Table: TableRuns, Family: FamilyStability, Unit: "halts", Label: "Circuit-breaker halts", Description: "Number of circuit-breaker triggers; null without a circuit breaker.", Lo: 0, Hi: infHi, Better: Neutral, Integer: true, LeverOnly: LeverCircuitBreaker, Version: 1},
	{Name: "fund_depleted_day", Table: TableRuns, Family: FamilyStability, Unit: "day", Label: "Day the fund ran out", Description: "First day either fund reserve falls below 1% of its initial value; null without a fund or when it never ran out (see fund_depleted).", Lo: 0, Hi: infHi, Better: Neutral, Integer: true, LeverOnly: LeverFund, Version: 1},
	{Name: "recovery_days", Table: TableRuns, Family: FamilyStability, Unit: "days", Label: "Days to return to the band after the largest shock", Description: "Days from the last day of the largest scheduled shock until the price is back inside the peg band; null without a shock or when it never came back (see recovered).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, Version: 1},
	{Name: "price_final", Table: TableRuns, Family: FamilyStability, Unit: "USD/CLT", Label: "Token price at the end", Description: "CLT price P_T in USD.", Lo: 0, Hi: infHi, Better: Neutral, HeavyTailed: true, Version: 1},
	// Diversity.
	{Name: "hhi_final", Table: TableRuns, Family: FamilyDiversity, Unit: "HHI (0–10,000)", Label: "Concentration at the end (HHI)", Description: "Herfindahl–Hirschman index of day-T volume shares, 0–10,000.", Lo: 0, Hi: 10000, Better: LowerIsBetter, Version: 1, Key: true},
	{Name: "hhi_mean", Table: TableRuns, Family: FamilyDiversity, Unit: "HHI (0–10,000)", Label: "Mean daily concentration (HHI)", Description: "Mean over days of the HHI of volume shares.", Lo: 0, Hi: 10000, Better: LowerIsBetter, Version: 1},
	{Name: "hhi_delta_final", Table: TableRuns, Family: FamilyDiversity, Unit: "HHI points", Label: "Change in concentration since day 0", Description: "HHI at day T minus HHI at day 0 (the merger guidelines' change test).", Lo: -10000, Hi: 10000, Better: LowerIsBetter, Version: 1},
	{Name: "entropy_final", Table: TableRuns, Family: FamilyDiversity, Unit: "nats", Label: "Share entropy at the end", Description: "Shannon entropy of day-T volume shares (natural log).", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 1},
	{Name: "effective_n_final", Table: TableRuns, Family: FamilyDiversity, Unit: "providers", Label: "Effective number of providers", Description: "1/Σs², the Hill number of order 2 of day-T volume shares.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 1},
	{Name: "n_active_final", Table: TableRuns, Family: FamilyDiversity, Unit: "providers", Label: "Active providers at the end", Description: "Providers active at the end of day T.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Integer: true, Version: 1},
	{Name: "top_share_final", Table: TableRuns, Family: FamilyDiversity, Unit: "share", Label: "Largest provider's share at the end", Description: "Largest day-T volume share.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
	{Name: "cr4_final", Table: TableRuns, Family: FamilyDiversity, Unit: "share", Label: "Four largest providers' share", Description: "Four-firm concentration ratio of day-T volume shares.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
	{Name: "nakamoto_final", Table: TableRuns, Family: FamilyDiversity, Unit: "providers", Label: "Providers needed for a majority (Nakamoto coefficient)", Description: "Smallest number of providers whose day-T shares sum above 0.5.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Integer: true, Version: 1},
	{Name: "exits", Table: TableRuns, Family: FamilyDiversity, Unit: "providers", Label: "Provider exits", Description: "Providers that ran out of cash and exited.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, Version: 1},
	{Name: "entries", Table: TableRuns, Family: FamilyDiversity, Unit: "providers", Label: "Provider entries", Description: "Entrants over the horizon.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Integer: true, Version: 1},
	{Name: "days_hhi_above_1800", Table: TableRuns, Family: FamilyDiversity, Unit: "days", Label: "Days highly concentrated (HHI above 1,800)", Description: "Days with HHI > 1,800 (2023 US Merger Guidelines).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, Version: 1},
	{Name: "days_hhi_above_2500", Table: TableRuns, Family: FamilyDiversity, Unit: "days", Label: "Days with HHI above 2,500", Description: "Days with HHI > 2,500 (2010 US Horizontal Merger Guidelines).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, Version: 1},
	{Name: "leader_share_final", Table: TableRuns, Family: FamilyDiversity, Unit: "share", Label: "Named leader's share at the end", Description: "Day-T volume share of the provider named by centralization.leader.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
	// Profitability.
	{Name: "provider_profit_usd", Table: TableRuns, Family: FamilyProfitability, Unit: "USD", Label: "Total provider profit", Description: "Σ over providers of revenue − costs over the horizon (grants excluded).", Lo: unbounded, Hi: unbounded, Better: HigherIsBetter, Version: 1, Key: true},
	{Name: "profitable_frac", Table: TableRuns, Family: FamilyProfitability, Unit: "fraction of providers", Label: "Providers in profit", Description: "Fraction of providers ever active with cumulative profit > 0.", Lo: 0, Hi: 1, Better: HigherIsBetter, Version: 1, Percent: true},
	{Name: "leader_profit_share", Table: TableRuns, Family: FamilyProfitability, Unit: "share", Label: "Leader's profit relative to all providers' net profit", Description: "Leader's profit / total provider profit (net of rivals' losses); null when total ≤ 0. Not a share: it exceeds 1 (100%) when rivals lose money in total.", Lo: unbounded, Hi: unbounded, Better: LowerIsBetter, HeavyTailed: true, Version: 1, Percent: true},
	{Name: "revenue_cv", Table: TableRuns, Family: FamilyProfitability, Unit: "CV", Label: "Variability of daily provider revenue", Description: "Coefficient of variation of daily total provider revenue.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 1},
	{Name: "fund_pnl_usd", Table: TableRuns, Family: FamilyProfitability, Unit: "USD", Label: "Stabilization fund profit and loss", Description: "(USD + CLT × P_T) − (USD_0 + CLT_0 × P_0) of the stabilization fund, issuance included; null without a fund.", Lo: unbounded, Hi: unbounded, Better: HigherIsBetter, HeavyTailed: true, LeverOnly: LeverFund, Version: 1},
	// Consumers.
	{Name: "satisfaction", Table: TableRuns, Family: FamilyConsumers, Unit: "fraction", Label: "Demand served", Description: "Served / desired volume, cumulative over the horizon.", Lo: 0, Hi: 1, Better: HigherIsBetter, Version: 1, Key: true, Percent: true},
	{Name: "mean_cost_usd_per_mtok", Table: TableRuns, Family: FamilyConsumers, Unit: "USD/Mtok", Label: "Average price paid", Description: "Volume-weighted USD cost per Mtok paid by consumers.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 1},
	{Name: "deferred_frac", Table: TableRuns, Family: FamilyConsumers, Unit: "fraction", Label: "Demand deferred", Description: "Deferred volume / desired volume over the horizon.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
	{Name: "cost_volatility", Table: TableRuns, Family: FamilyConsumers, Unit: "per day", Label: "Volatility of the price paid", Description: "Sample sd of the daily log change of the volume-weighted USD cost.", Lo: 0, Hi: infHi, Better: LowerIsBetter, HeavyTailed: true, Version: 1},
	// Token.
	{Name: "supply_final_clt", Table: TableRuns, Family: FamilyToken, Unit: "CLT", Label: "Token supply at the end", Description: "Circulating CLT supply S_T.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "burned_clt", Table: TableRuns, Family: FamilyToken, Unit: "CLT", Label: "Tokens burned", Description: "CLT burned by the fee burn and buybacks.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "issued_clt", Table: TableRuns, Family: FamilyToken, Unit: "CLT", Label: "Tokens issued", Description: "CLT issued as staking rewards.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "velocity", Table: TableRuns, Family: FamilyToken, Unit: "per year", Label: "Token velocity", Description: "CLT paid by consumers per year / mean supply.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	// Governance.
	{Name: "cap_blocked_days", Table: TableRuns, Family: FamilyGovernance, Unit: "days", Label: "Days the share cap was blocked by vote", Description: "Days the share cap failed a vote that the largest stakeholder's yes would have passed; null without stake voting.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, LeverOnly: LeverGovernance, Version: 1},
	{Name: "grants_blocked_days", Table: TableRuns, Family: FamilyGovernance, Unit: "days", Label: "Days grants were blocked by vote", Description: "Days grants failed a vote that the largest stakeholder's yes would have passed; null without stake voting.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Integer: true, LeverOnly: LeverGovernance, Version: 1},
}
