package model

// flagMetrics are the event flags of dataset schema v2 (nulls.go): they tell
// "never happened" (false) from "not applicable" (null) where the event's
// day or duration is null for both. They are computed from v1 quantities
// under either model version, hence Version 1.
var flagMetrics = []Metric{
	{Name: "fund_depleted", Table: TableRuns, Family: FamilyStability, Unit: "true/false", Label: "Fund ran out", Description: "Whether either stabilization-fund reserve fell below 1% of its initial value during the run; null without a fund (fund_depleted_day is then null too).", Lo: 0, Hi: 1, Better: LowerIsBetter, Integer: true, LeverOnly: LeverFund, Version: 1, Percent: true},
	{Name: "recovered", Table: TableRuns, Family: FamilyStability, Unit: "true/false", Label: "Price back in the band after the largest shock", Description: "Whether the price came back inside the peg band after the last day of the largest scheduled shock; null when the schedule has no shock ending within the horizon (recovery_days is then null too).", Lo: 0, Hi: 1, Better: HigherIsBetter, Integer: true, Version: 1, Percent: true},
}

// stepsMetrics describe the columns of the per-day steps table (MODEL-SPEC
// §4.1, docs/model.md §6.2) that catalogueStepsV1 (the fan variables) does
// not, for the data dictionary; the key columns (run_id, cell, scenario,
// policy, replicate, day, sweep parameters) are described by the dataset
// package.
var stepsMetrics = []Metric{
	{Name: "log_return", Table: TableSteps, Family: FamilyStability, Unit: "log points", Label: "Daily log return of the token price", Description: "ln P_t − ln P_t−1.", Lo: unbounded, Hi: unbounded, Better: Neutral, Version: 1},
	{Name: "sigma", Table: TableSteps, Family: FamilyStability, Unit: "per day", Label: "GARCH conditional volatility", Description: "GARCH(1,1) conditional sd σ_t of the daily log return (MODEL-SPEC §2.6).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 1},
	{Name: "realized_vol", Table: TableSteps, Family: FamilyStability, Unit: "per year", Label: "Realized volatility used by consumers", Description: "Trailing realized volatility σ̂_t of daily log returns used on day t, annualized (MODEL-SPEC §2.2).", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 1},
	{Name: "in_band", Table: TableSteps, Family: FamilyStability, Unit: "true/false", Label: "Price inside the peg band", Description: "|P_t/peg − 1| ≤ metrics.peg_band.", Lo: 0, Hi: 1, Better: HigherIsBetter, Integer: true, Version: 1, Percent: true},
	{Name: "halted", Table: TableSteps, Family: FamilyStability, Unit: "true/false", Label: "Trading halted", Description: "The circuit breaker halted trading on day t; always false without a circuit breaker.", Lo: 0, Hi: 1, Better: Neutral, Integer: true, Version: 1},
	{Name: "fund_reserve_usd", Table: TableSteps, Family: FamilyStability, Unit: "USD", Label: "Stabilization fund USD reserve", Description: "USD held by the stabilization fund at the end of day t; 0 without a fund.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "fund_reserve_clt", Table: TableSteps, Family: FamilyStability, Unit: "CLT", Label: "Stabilization fund token reserve", Description: "CLT held by the stabilization fund at the end of day t; 0 without a fund.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "supply_clt", Table: TableSteps, Family: FamilyToken, Unit: "CLT", Label: "Token supply", Description: "Circulating CLT supply S_t at the end of day t.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "desired_mtok", Table: TableSteps, Family: FamilyConsumers, Unit: "Mtok", Label: "Demand", Description: "Σ over consumers of desired volume D_j,t on day t, in millions of tokens.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "served_mtok", Table: TableSteps, Family: FamilyConsumers, Unit: "Mtok", Label: "Volume served", Description: "Volume served on day t, including released backlog, in millions of tokens.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 1},
	{Name: "backlog_mtok", Table: TableSteps, Family: FamilyConsumers, Unit: "Mtok", Label: "Deferred demand waiting", Description: "Deferred volume waiting at the end of day t, in millions of tokens.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 1},
	{Name: "entropy", Table: TableSteps, Family: FamilyDiversity, Unit: "nats", Label: "Share entropy", Description: "Shannon entropy of day-t volume shares (natural log).", Lo: 0, Hi: infHi, Better: HigherIsBetter, Version: 1},
	{Name: "nakamoto", Table: TableSteps, Family: FamilyDiversity, Unit: "providers", Label: "Providers needed for a majority (Nakamoto coefficient)", Description: "Smallest number of providers whose day-t shares sum above 0.5.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Integer: true, Version: 1},
	{Name: "revenue_usd", Table: TableSteps, Family: FamilyProfitability, Unit: "USD", Label: "Provider revenue", Description: "Total provider revenue on day t (sales net of hedging cost).", Lo: unbounded, Hi: unbounded, Better: HigherIsBetter, Version: 1},
	{Name: "profit_usd", Table: TableSteps, Family: FamilyProfitability, Unit: "USD", Label: "Provider profit", Description: "Total provider revenue − costs on day t (grants excluded).", Lo: unbounded, Hi: unbounded, Better: HigherIsBetter, Version: 1},
	{Name: "grants_usd", Table: TableSteps, Family: FamilyProfitability, Unit: "USD", Label: "Grants paid", Description: "Grants paid from the pool to providers on day t.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "cap_in_force", Table: TableSteps, Family: FamilyGovernance, Unit: "true/false", Label: "Share cap in force", Description: "The market-share cap applied on day t.", Lo: 0, Hi: 1, Better: Neutral, Integer: true, Version: 1},
	{Name: "grants_in_force", Table: TableSteps, Family: FamilyGovernance, Unit: "true/false", Label: "Grants in force", Description: "Grants were paid out on day t.", Lo: 0, Hi: 1, Better: Neutral, Integer: true, Version: 1},
}

// providerStepsMetrics describe the columns of the provider_steps table
// (MODEL-SPEC §4.3) for the data dictionary; run_id, day and provider are
// keys.
var providerStepsMetrics = []Metric{
	{Name: "share", Table: TableProviderSteps, Family: FamilyDiversity, Unit: "share", Label: "Provider's volume share", Description: "The provider's share of day-t volume.", Lo: 0, Hi: 1, Better: Neutral, Version: 1},
	{Name: "volume_mtok", Table: TableProviderSteps, Family: FamilyConsumers, Unit: "Mtok", Label: "Provider's volume", Description: "Volume the provider served on day t, in millions of tokens.", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "price_clt_per_mtok", Table: TableProviderSteps, Family: FamilyProfitability, Unit: "CLT/Mtok", Label: "Provider's list price", Description: "The provider's price on day t in CLT per Mtok (MODEL-SPEC §2.4).", Lo: 0, Hi: infHi, Better: Neutral, Version: 1},
	{Name: "revenue_usd", Table: TableProviderSteps, Family: FamilyProfitability, Unit: "USD", Label: "Provider's revenue", Description: "The provider's revenue on day t (sales net of hedging cost).", Lo: unbounded, Hi: unbounded, Better: Neutral, Version: 1},
	{Name: "profit_usd", Table: TableProviderSteps, Family: FamilyProfitability, Unit: "USD", Label: "Provider's profit", Description: "The provider's revenue − costs on day t (grants excluded).", Lo: unbounded, Hi: unbounded, Better: Neutral, Version: 1},
	{Name: "cash_usd", Table: TableProviderSteps, Family: FamilyProfitability, Unit: "USD", Label: "Provider's cash", Description: "The provider's USD cash at the end of day t; it exits when cash runs out (MODEL-SPEC §2.5).", Lo: unbounded, Hi: unbounded, Better: Neutral, Version: 1},
	{Name: "active", Table: TableProviderSteps, Family: FamilyDiversity, Unit: "true/false", Label: "Provider active", Description: "The provider is active at the end of day t.", Lo: 0, Hi: 1, Better: Neutral, Integer: true, Version: 1},
}
