package stats

// knownMetrics describes the per-run metrics of MODEL-SPEC §4.2 and §10 in
// report order: name, family, unit, label, direction, NonNegative, Max,
// LeverOnly.
var knownMetrics = []MetricInfo{
	// Stability.
	{"realized_vol_annual", FamilyStability, "per year", "Realized volatility (annualized)", LowerIsBetter, true, 0, false},
	{"max_drawdown", FamilyStability, "fraction", "Maximum drawdown of the CLT price", LowerIsBetter, true, 1, false},
	{"peg_mad", FamilyStability, "USD/CLT", "Mean |price − peg|", LowerIsBetter, true, 0, false},
	{"days_outside_band_frac", FamilyStability, "fraction of days", "Days outside the peg band", LowerIsBetter, true, 1, false},
	{"halts", FamilyStability, "halts", "Circuit-breaker halts", Neutral, true, 0, true},
	{"fund_depleted_day", FamilyStability, "day", "Day the fund was depleted (runs where it was)", Neutral, true, 0, true},
	{"recovery_days", FamilyStability, "days", "Days to re-enter the band after the largest shock (runs that did)", LowerIsBetter, true, 0, false},
	{"price_final", FamilyStability, "USD/CLT", "CLT price at the end", Neutral, true, 0, false},
	// Diversity.
	{"hhi_final", FamilyDiversity, "HHI (0–10,000)", "HHI at the end", LowerIsBetter, true, 10000, false},
	{"hhi_mean", FamilyDiversity, "HHI (0–10,000)", "Mean daily HHI", LowerIsBetter, true, 10000, false},
	{"hhi_delta_final", FamilyDiversity, "HHI points", "Change in HHI since day 0", LowerIsBetter, false, 0, false},
	{"entropy_final", FamilyDiversity, "nats", "Share entropy at the end", HigherIsBetter, true, 0, false},
	{"effective_n_final", FamilyDiversity, "providers", "Effective number of providers (1/Σs²)", HigherIsBetter, true, 0, false},
	{"n_active_final", FamilyDiversity, "providers", "Active providers at the end", HigherIsBetter, true, 0, false},
	{"top_share_final", FamilyDiversity, "share", "Largest share at the end", LowerIsBetter, true, 1, false},
	{"cr4_final", FamilyDiversity, "share", "Four-firm concentration ratio at the end", LowerIsBetter, true, 1, false},
	{"nakamoto_final", FamilyDiversity, "providers", "Nakamoto coefficient at the end", HigherIsBetter, true, 0, false},
	{"exits", FamilyDiversity, "providers", "Provider exits", LowerIsBetter, true, 0, false},
	{"entries", FamilyDiversity, "providers", "Provider entries", HigherIsBetter, true, 0, false},
	{"days_hhi_above_1800", FamilyDiversity, "days", "Days with HHI > 1,800 (2023 guidelines)", LowerIsBetter, true, 0, false},
	{"days_hhi_above_2500", FamilyDiversity, "days", "Days with HHI > 2,500 (2010 guidelines)", LowerIsBetter, true, 0, false},
	{"leader_share_final", FamilyDiversity, "share", "Leader's share at the end", LowerIsBetter, true, 1, false},
	// Profitability.
	{"provider_profit_usd", FamilyProfitability, "USD", "Total provider profit", HigherIsBetter, false, 0, false},
	{"profitable_frac", FamilyProfitability, "fraction of providers", "Providers with positive profit", HigherIsBetter, true, 1, false},
	{"leader_profit_share", FamilyProfitability, "share", "Leader's share of total profit", LowerIsBetter, false, 0, false},
	{"revenue_cv", FamilyProfitability, "CV", "Coefficient of variation of daily revenue", LowerIsBetter, true, 0, false},
	{"fund_pnl_usd", FamilyProfitability, "USD", "Stabilization fund P&L", HigherIsBetter, false, 0, true},
	// Consumers.
	{"satisfaction", FamilyConsumers, "fraction", "Served / desired volume", HigherIsBetter, true, 1, false},
	{"mean_cost_usd_per_mtok", FamilyConsumers, "USD/Mtok", "Volume-weighted cost", LowerIsBetter, true, 0, false},
	{"deferred_frac", FamilyConsumers, "fraction", "Deferred share of demand", LowerIsBetter, true, 1, false},
	{"cost_volatility", FamilyConsumers, "per day", "Volatility of daily cost (sd of log change)", LowerIsBetter, true, 0, false},
	// Token.
	{"supply_final_clt", FamilyToken, "CLT", "CLT supply at the end", Neutral, true, 0, false},
	{"burned_clt", FamilyToken, "CLT", "CLT burned", Neutral, true, 0, false},
	{"issued_clt", FamilyToken, "CLT", "CLT issued", Neutral, true, 0, false},
	{"velocity", FamilyToken, "per year", "Velocity of CLT", Neutral, true, 0, false},
	// Governance.
	{"cap_blocked_days", FamilyGovernance, "days", "Days the share cap was blocked by vote", LowerIsBetter, true, 0, true},
	{"grants_blocked_days", FamilyGovernance, "days", "Days grants were blocked by vote", LowerIsBetter, true, 0, true},
	// Levers (MODEL-SPEC-v2 §C; model/levers.go's catalogue entries).
	{"leader_changes", FamilyDiversity, "changes", "Changes of the largest provider", Neutral, true, 0, false},
	{"hedge_pnl_usd", FamilyProfitability, "USD", "Providers' futures hedge P&L", Neutral, false, 0, true},
	{"capture_days", FamilyGovernance, "policy-days", "Days a policy most providers wanted was voted down", LowerIsBetter, true, 0, true},
	{"cap_in_force_days", FamilyGovernance, "days", "Days the share cap was in force", Neutral, true, 0, true},
	{"grants_in_force_days", FamilyGovernance, "days", "Days grants were in force", Neutral, true, 0, true},
}

// neverColumns are metrics whose value −1 means "never" (MODEL-SPEC §4.2):
// their distributions and effects use only the runs where the event
// happened (−1 is read as missing); the events use the raw values.
var neverColumns = map[string]bool{
	"fund_depleted_day": true,
	"recovery_days":     true,
}

// nonMetricColumns are numeric runs columns that are not outcome metrics.
var nonMetricColumns = map[string]bool{
	"consumer_days": true, // unit of work, MODEL-SPEC §10
	"wall_ms":       true,
	"duration_ms":   true,
}

// LookupMetric returns the description of a MODEL-SPEC §4.2 metric by its
// column name.
func LookupMetric(name string) (MetricInfo, bool) {
	for _, m := range knownMetrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricInfo{}, false
}

// KnownMetrics returns the descriptions of the MODEL-SPEC §4.2 metrics in
// report order (a copy).
func KnownMetrics() []MetricInfo { return append([]MetricInfo(nil), knownMetrics...) }

// metricCatalog returns the metrics among the non-key columns present, known
// ones first in report order, then unknown numeric columns (FamilyOther) in
// column order. Sweep columns and non-metric columns are left out.
func metricCatalog(present []string, isSweep map[string]bool) []MetricInfo {
	have := map[string]bool{}
	for _, c := range present {
		have[c] = true
	}
	var out []MetricInfo
	known := map[string]bool{}
	for _, m := range knownMetrics {
		known[m.Name] = true
		if have[m.Name] {
			out = append(out, m)
		}
	}
	for _, c := range present {
		if known[c] || isSweep[c] || nonMetricColumns[c] || containsDot(c) {
			continue
		}
		out = append(out, MetricInfo{Name: c, Family: FamilyOther, Label: c})
	}
	return out
}

func containsDot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}

// knownEvents are the run-level events whose probabilities are estimated.
var knownEvents = []EventInfo{
	{"fund_depleted", "P(fund depleted)", "fund_depleted_day", "fund_depleted_day ≥ 0", LowerIsBetter},
	{"any_exit", "P(any provider exit)", "exits", "exits > 0", LowerIsBetter},
	{"hhi_above_1800", "P(HHI > 1,800 at the end)", "hhi_final", "hhi_final > 1800", LowerIsBetter},
	{"leader_share_above_half", "P(leader share > 0.5 at the end)", "leader_share_final", "leader_share_final > 0.5", LowerIsBetter},
}

// eventHolds reports whether event e holds for metric value v (v is finite).
func eventHolds(name string, v float64) bool {
	switch name {
	case "fund_depleted":
		return v >= 0
	case "any_exit":
		return v > 0
	case "hhi_above_1800":
		return v > 1800
	case "leader_share_above_half":
		return v > 0.5
	}
	return false
}
