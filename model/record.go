package model

// Step is one row of the per-day `steps` table (MODEL-SPEC §4.1). Money in USD,
// volumes in Mtok, HHI on the 0–10,000 scale, entropy in nats, RealizedVol and
// Sigma annualized/daily as named. Struct tags give the Parquet column names.
type Step struct {
	RunID          int64   `parquet:"run_id" json:"run_id"`
	Day            int64   `parquet:"day" json:"day"`
	Price          float64 `parquet:"price" json:"price"`
	LogReturn      float64 `parquet:"log_return" json:"log_return"`
	Sigma          float64 `parquet:"sigma" json:"sigma"`               // GARCH conditional sd σ_t, daily
	RealizedVol    float64 `parquet:"realized_vol" json:"realized_vol"` // σ̂_t used on day t, annualized
	InBand         bool    `parquet:"in_band" json:"in_band"`
	Halted         bool    `parquet:"halted" json:"halted"`
	FundReserveUSD float64 `parquet:"fund_reserve_usd" json:"fund_reserve_usd"`
	FundReserveCLT float64 `parquet:"fund_reserve_clt" json:"fund_reserve_clt"`
	SupplyCLT      float64 `parquet:"supply_clt" json:"supply_clt"`
	DesiredMtok    float64 `parquet:"desired_mtok" json:"desired_mtok"`
	ServedMtok     float64 `parquet:"served_mtok" json:"served_mtok"`
	BacklogMtok    float64 `parquet:"backlog_mtok" json:"backlog_mtok"`
	CostUSDPerMtok float64 `parquet:"cost_usd_per_mtok" json:"cost_usd_per_mtok"`
	HHI            float64 `parquet:"hhi" json:"hhi"`
	Entropy        float64 `parquet:"entropy" json:"entropy"`
	NActive        int32   `parquet:"n_active" json:"n_active"`
	TopShare       float64 `parquet:"top_share" json:"top_share"`
	Nakamoto       int32   `parquet:"nakamoto" json:"nakamoto"`
	RevenueUSD     float64 `parquet:"revenue_usd" json:"revenue_usd"`
	ProfitUSD      float64 `parquet:"profit_usd" json:"profit_usd"`
	GrantsUSD      float64 `parquet:"grants_usd" json:"grants_usd"`
	CapInForce     bool    `parquet:"cap_in_force" json:"cap_in_force"`
	GrantsInForce  bool    `parquet:"grants_in_force" json:"grants_in_force"`
	// MODEL-SPEC-v2 §A, §D (market_metrics.go).
	PoolUSD      float64 `parquet:"pool_usd" json:"pool_usd"`           // AMM pool's USD reserve Y_t
	PoolCLT      float64 `parquet:"pool_clt" json:"pool_clt"`           // AMM pool's CLT reserve X_t
	BackingRatio float64 `parquet:"backing_ratio" json:"backing_ratio"` // β_t (0 without a reserve)
	RunFrac      float64 `parquet:"run_frac" json:"run_frac"`           // holders' run fraction r_t

	// MODEL-SPEC-v2 §B.5 (llm_welfare.go).
	QACostUSDPerMtok float64 `parquet:"qa_cost_usd_per_mtok" json:"qa_cost_usd_per_mtok"`
	PriceIndex       float64 `parquet:"price_index" json:"price_index"`
	InsideShare      float64 `parquet:"inside_share" json:"inside_share"`
}

// ProviderStep is one row of the `provider_steps` table (MODEL-SPEC §4.3).
type ProviderStep struct {
	RunID           int64   `parquet:"run_id" json:"run_id"`
	Day             int64   `parquet:"day" json:"day"`
	Provider        string  `parquet:"provider,dict" json:"provider"`
	Share           float64 `parquet:"share" json:"share"`
	VolumeMtok      float64 `parquet:"volume_mtok" json:"volume_mtok"`
	PriceCLTPerMtok float64 `parquet:"price_clt_per_mtok" json:"price_clt_per_mtok"`
	RevenueUSD      float64 `parquet:"revenue_usd" json:"revenue_usd"`
	ProfitUSD       float64 `parquet:"profit_usd" json:"profit_usd"`
	CashUSD         float64 `parquet:"cash_usd" json:"cash_usd"`
	Active          bool    `parquet:"active" json:"active"`
}

// Summary is the per-run metrics part of the `runs` table (MODEL-SPEC §4.2, §10);
// the pipeline adds the keys (run_id, cell, scenario, policy, replicate, seed)
// and the swept parameters. Counts are int32, day numbers int64; "_frac" are
// fractions in [0,1]. A nil pointer is a Parquet null (dataset schema v2):
// LeaderProfitShare when total provider profit ≤ 0; a metric with a
// catalogue LeverOnly when that lever is off in the run (not applicable); a
// day or duration of an event that never happened (FundDepletedDay,
// RecoveryDays), told apart from "not applicable" by the flags FundDepleted
// and Recovered (see nulls.go).
type Summary struct {
	// Stability.
	RealizedVolAnnual   float64 `parquet:"realized_vol_annual" json:"realized_vol_annual"`
	MaxDrawdown         float64 `parquet:"max_drawdown" json:"max_drawdown"`
	PegMAD              float64 `parquet:"peg_mad" json:"peg_mad"`
	DaysOutsideBandFrac float64 `parquet:"days_outside_band_frac" json:"days_outside_band_frac"`
	Halts               *int32  `parquet:"halts,optional" json:"halts"`
	FundDepletedDay     *int64  `parquet:"fund_depleted_day,optional" json:"fund_depleted_day"`
	RecoveryDays        *int64  `parquet:"recovery_days,optional" json:"recovery_days"`
	PriceFinal          float64 `parquet:"price_final" json:"price_final"`
	// Diversity.
	HHIFinal         float64 `parquet:"hhi_final" json:"hhi_final"`
	HHIMean          float64 `parquet:"hhi_mean" json:"hhi_mean"`
	HHIDeltaFinal    float64 `parquet:"hhi_delta_final" json:"hhi_delta_final"`
	EntropyFinal     float64 `parquet:"entropy_final" json:"entropy_final"`
	EffectiveNFinal  float64 `parquet:"effective_n_final" json:"effective_n_final"`
	NActiveFinal     int32   `parquet:"n_active_final" json:"n_active_final"`
	TopShareFinal    float64 `parquet:"top_share_final" json:"top_share_final"`
	CR4Final         float64 `parquet:"cr4_final" json:"cr4_final"`
	NakamotoFinal    int32   `parquet:"nakamoto_final" json:"nakamoto_final"`
	Exits            int32   `parquet:"exits" json:"exits"`
	Entries          int32   `parquet:"entries" json:"entries"`
	DaysHHIAbove1800 int32   `parquet:"days_hhi_above_1800" json:"days_hhi_above_1800"`
	DaysHHIAbove2500 int32   `parquet:"days_hhi_above_2500" json:"days_hhi_above_2500"`
	LeaderShareFinal float64 `parquet:"leader_share_final" json:"leader_share_final"`
	// Profitability.
	ProviderProfitUSD float64  `parquet:"provider_profit_usd" json:"provider_profit_usd"`
	ProfitableFrac    float64  `parquet:"profitable_frac" json:"profitable_frac"`
	LeaderProfitShare *float64 `parquet:"leader_profit_share,optional" json:"leader_profit_share"`
	RevenueCV         float64  `parquet:"revenue_cv" json:"revenue_cv"`
	FundPnLUSD        *float64 `parquet:"fund_pnl_usd,optional" json:"fund_pnl_usd"`
	// Consumers.
	Satisfaction       float64 `parquet:"satisfaction" json:"satisfaction"`
	MeanCostUSDPerMtok float64 `parquet:"mean_cost_usd_per_mtok" json:"mean_cost_usd_per_mtok"`
	DeferredFrac       float64 `parquet:"deferred_frac" json:"deferred_frac"`
	CostVolatility     float64 `parquet:"cost_volatility" json:"cost_volatility"`
	// Token.
	SupplyFinalCLT float64 `parquet:"supply_final_clt" json:"supply_final_clt"`
	BurnedCLT      float64 `parquet:"burned_clt" json:"burned_clt"`
	IssuedCLT      float64 `parquet:"issued_clt" json:"issued_clt"`
	Velocity       float64 `parquet:"velocity" json:"velocity"`
	// Governance and work.
	CapBlockedDays    *int32 `parquet:"cap_blocked_days,optional" json:"cap_blocked_days"`
	GrantsBlockedDays *int32 `parquet:"grants_blocked_days,optional" json:"grants_blocked_days"`
	ConsumerDays      int64  `parquet:"consumer_days" json:"consumer_days"`
	// The token market (MODEL-SPEC-v2 §A, §D; market_metrics.go).
	BackingRatioMin       float64  `parquet:"backing_ratio_min" json:"backing_ratio_min"`
	RedeemedCLT           float64  `parquet:"redeemed_clt" json:"redeemed_clt"`
	MintedCLT             float64  `parquet:"minted_clt" json:"minted_clt"`
	RunDays               int32    `parquet:"run_days" json:"run_days"`
	DepegMax              float64  `parquet:"depeg_max" json:"depeg_max"`
	PoolLiquidityUSDFinal float64  `parquet:"pool_liquidity_usd_final" json:"pool_liquidity_usd_final"`
	HaltUnsoldCLT         *float64 `parquet:"halt_unsold_clt,optional" json:"halt_unsold_clt"` // null without a circuit breaker (nulls.go)
	MarketClampDays       int32    `parquet:"market_clamp_days" json:"market_clamp_days"`
	// Event flags (dataset schema v2): null when not applicable (no fund; no
	// scheduled shock), else whether the event happened.
	FundDepleted *bool `parquet:"fund_depleted,optional" json:"fund_depleted"`
	Recovered    *bool `parquet:"recovered,optional" json:"recovered"`

	// MODEL-SPEC-v2 §B.5 (llm_welfare.go).
	QACostUSDPerMtokMean float64 `parquet:"qa_cost_usd_per_mtok" json:"qa_cost_usd_per_mtok"`
	ConsumerWelfareUSD   float64 `parquet:"consumer_welfare_usd" json:"consumer_welfare_usd"`
	InsideShareFinal     float64 `parquet:"inside_share_final" json:"inside_share_final"`
	PriceIndexFinal      float64 `parquet:"price_index_final" json:"price_index_final"`
	MarkupMean           float64 `parquet:"markup_mean" json:"markup_mean"`

	// Levers (MODEL-SPEC-v2 §C, §D; levers.go).
	// Null when their lever is off (nulls.go): hedging with futures, governance,
	// the share cap, grants.
	LeaderChanges     int32    `parquet:"leader_changes" json:"leader_changes"`
	HedgePnLUSD       *float64 `parquet:"hedge_pnl_usd,optional" json:"hedge_pnl_usd"`
	CaptureDays       *int32   `parquet:"capture_days,optional" json:"capture_days"`
	CapInForceDays    *int32   `parquet:"cap_in_force_days,optional" json:"cap_in_force_days"`
	GrantsInForceDays *int32   `parquet:"grants_in_force_days,optional" json:"grants_in_force_days"`
}

// Recorder receives a run's day records as they are produced. The pointers are
// reused by the model after the call returns: copy what you keep.
type Recorder interface {
	Step(s *Step)
	ProviderStep(ps *ProviderStep)
}
