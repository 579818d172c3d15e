package model

// catalogueStepsV1 holds the daily variables of the steps table that the
// report draws as fans over time (MODEL-SPEC §4.1, §8): steps columns and
// two variables derived from them (Derived). Their units are the `unit`
// column of the fans summary table.
var catalogueStepsV1 = []Metric{
	{Name: "price", Table: TableSteps, Family: FamilyStability, Unit: "USD/CLT", Label: "Token price", Description: "CLT price P_t in USD at the end of day t (MODEL-SPEC §2.6).", Lo: 0, Hi: infHi, Better: Neutral, HeavyTailed: true, Version: 1},
	{Name: "peg_deviation", Table: TableSteps, Family: FamilyStability, Unit: "USD/CLT", Label: "Distance from the peg", Description: "|P_t − market.peg| in USD per CLT, computed from the price column.", Lo: 0, Hi: infHi, Better: LowerIsBetter, HeavyTailed: true, Version: 1, Derived: "|price − market.peg|"},
	{Name: "hhi", Table: TableSteps, Family: FamilyDiversity, Unit: "HHI (0–10,000)", Label: "Concentration (HHI)", Description: "Herfindahl–Hirschman index of day-t volume shares, 0–10,000.", Lo: 0, Hi: 10000, Better: LowerIsBetter, Version: 1},
	{Name: "satisfaction", Table: TableSteps, Family: FamilyConsumers, Unit: "served / desired", Label: "Consumer satisfaction", Description: "Served / desired volume of day t (undefined when nothing was desired).", Lo: 0, Hi: 1, Better: HigherIsBetter, Version: 1, Derived: "served_mtok / desired_mtok"},
	{Name: "cost_usd_per_mtok", Table: TableSteps, Family: FamilyConsumers, Unit: "USD/Mtok", Label: "Consumer cost", Description: "Volume-weighted USD cost per Mtok paid by consumers on day t.", Lo: 0, Hi: infHi, Better: LowerIsBetter, Version: 1},
	{Name: "n_active", Table: TableSteps, Family: FamilyDiversity, Unit: "providers", Label: "Active providers", Description: "Providers active at the end of day t.", Lo: 0, Hi: infHi, Better: HigherIsBetter, Integer: true, Version: 1},
	{Name: "top_share", Table: TableSteps, Family: FamilyDiversity, Unit: "share", Label: "Largest provider's share", Description: "Largest volume share of day t.", Lo: 0, Hi: 1, Better: LowerIsBetter, Version: 1, Percent: true},
}
