package model

import "github.com/tokensim/tokensim/garch"

// Params holds every model parameter of MODEL-SPEC §7, grouped and named as the
// spec's dotted names (`consumers.review_rate` is Params.Consumers.ReviewRate,
// YAML tag `review_rate` under `consumers`). Units are carried in the names:
// USD, CLT, Mtok (millions of LLM tokens), days; rates "per_year" are annual.
// Default returns the spec's defaults; Validate checks ranges.
type Params struct {
	Model          ModelParams          `yaml:"model" json:"model"`
	Providers      ProvidersParams      `yaml:"providers" json:"providers"`
	Consumers      ConsumersParams      `yaml:"consumers" json:"consumers"`
	Network        NetworkParams        `yaml:"network" json:"network"`
	Centralization CentralizationParams `yaml:"centralization" json:"centralization"`
	Fees           FeesParams           `yaml:"fees" json:"fees"`
	Pricing        PricingParams        `yaml:"pricing" json:"pricing"`
	Hedging        HedgingParams        `yaml:"hedging" json:"hedging"`
	Entry          EntryParams          `yaml:"entry" json:"entry"`
	Market         MarketParams         `yaml:"market" json:"market"`
	Supply         SupplyParams         `yaml:"supply" json:"supply"`
	Fund           FundParams           `yaml:"fund" json:"fund"`
	CircuitBreaker CircuitBreakerParams `yaml:"circuit_breaker" json:"circuit_breaker"`
	ShareCap       ShareCapParams       `yaml:"share_cap" json:"share_cap"`
	Grants         GrantsParams         `yaml:"grants" json:"grants"`
	Governance     GovernanceParams     `yaml:"governance" json:"governance"`
	Metrics        MetricsParams        `yaml:"metrics" json:"metrics"`
	// The token market of MODEL-SPEC-v2 §A (market_params.go).
	AMM       AMMParams       `yaml:"amm" json:"amm"`
	Reserve   ReserveParams   `yaml:"reserve" json:"reserve"`
	Arbitrage ArbitrageParams `yaml:"arbitrage" json:"arbitrage"`
	Holders   HoldersParams   `yaml:"holders" json:"holders"`

	// MODEL-SPEC-v2 §B (llm_params.go).
	Outside OutsideParams `yaml:"outside" json:"outside"`
}

// ProviderSpec is one row of the provider table (MODEL-SPEC §1, §7).
type ProviderSpec struct {
	Name string `yaml:"name" json:"name"`
	// ListPriceUSDPerMtok is the public list price, blended 3:1 input:output, USD per Mtok.
	ListPriceUSDPerMtok float64 `yaml:"list_price_usd_per_mtok" json:"list_price_usd_per_mtok"`
	// Quality q_i in [0,1].
	Quality float64 `yaml:"quality" json:"quality"`
	// InitialShare s_i(0) in [0,1]; the table's shares sum to 1.
	InitialShare float64 `yaml:"initial_share" json:"initial_share"`
}

// ProvidersParams are the `providers.*` parameters. The ratios, runway, hedge
// ratio and hold days apply to every provider (and entrant) in v1.
type ProvidersParams struct {
	Max               int            `yaml:"max" json:"max"`
	Table             []ProviderSpec `yaml:"table" json:"table"`
	MarginalCostRatio float64        `yaml:"marginal_cost_ratio" json:"marginal_cost_ratio"`
	FixedCostRatio    float64        `yaml:"fixed_cost_ratio" json:"fixed_cost_ratio"`
	RunwayDays        float64        `yaml:"runway_days" json:"runway_days"`
	HedgeRatio        float64        `yaml:"hedge_ratio" json:"hedge_ratio"`
	HoldDays          int            `yaml:"hold_days" json:"hold_days"`

	// CostDeclinePerYear δ: c_i,t = c_i,0 × exp(−δ t/365) (MODEL-SPEC-v2 §B.3).
	CostDeclinePerYear float64 `yaml:"cost_decline_per_year" json:"cost_decline_per_year"`

	// MODEL-SPEC-v2 §C.1 (levers.go): the share of positive daily operating
	// profit spent on R&D (expensed), and the rate per year (1/year) at which
	// investment and a breakthrough's advantage depreciate against the moving
	// frontier.
	RDShare             float64 `yaml:"rd_share" json:"rd_share"`
	ObsolescencePerYear float64 `yaml:"obsolescence_per_year" json:"obsolescence_per_year"`
}

// ConsumersParams are the `consumers.*` parameters (MODEL-SPEC §1, §2.1, §2.2).
type ConsumersParams struct {
	Count                 int     `yaml:"count" json:"count"`
	TotalDemandMtokPerDay float64 `yaml:"total_demand_mtok_per_day" json:"total_demand_mtok_per_day"`
	DemandSigma           float64 `yaml:"demand_sigma" json:"demand_sigma"`
	PriceWeight           float64 `yaml:"price_weight" json:"price_weight"`
	PriceWeightSigma      float64 `yaml:"price_weight_sigma" json:"price_weight_sigma"`
	QualityWeight         float64 `yaml:"quality_weight" json:"quality_weight"`
	NoncriticalAlpha      float64 `yaml:"noncritical_alpha" json:"noncritical_alpha"`
	NoncriticalBeta       float64 `yaml:"noncritical_beta" json:"noncritical_beta"`
	GrowthPerYear         float64 `yaml:"growth_per_year" json:"growth_per_year"`
	ReviewRate            float64 `yaml:"review_rate" json:"review_rate"`
	SwitchingCost         float64 `yaml:"switching_cost" json:"switching_cost"`
	PriceElasticity       float64 `yaml:"price_elasticity" json:"price_elasticity"`
	VolWindowDays         int     `yaml:"vol_window_days" json:"vol_window_days"`
	DeferVolStart         float64 `yaml:"defer_vol_start" json:"defer_vol_start"`
	DeferVolFull          float64 `yaml:"defer_vol_full" json:"defer_vol_full"`
	BacklogRelease        float64 `yaml:"backlog_release" json:"backlog_release"`
	BacklogDecay          float64 `yaml:"backlog_decay" json:"backlog_decay"`

	// MODEL-SPEC-v2 §B.2, §B.4 (llm_params.go).
	RefHalflifeDays float64 `yaml:"ref_halflife_days" json:"ref_halflife_days"`
	RefOnSwitch     string  `yaml:"ref_on_switch" json:"ref_on_switch"`
	PrepaidDays     float64 `yaml:"prepaid_days" json:"prepaid_days"`
	DeferralMode    string  `yaml:"deferral_mode" json:"deferral_mode"`
	DeferGainStart  float64 `yaml:"defer_gain_start" json:"defer_gain_start"`
	DeferGainFull   float64 `yaml:"defer_gain_full" json:"defer_gain_full"`
	RiskAversion    float64 `yaml:"risk_aversion" json:"risk_aversion"`
}

// NetworkParams: γ = Effect, s_floor = ShareFloor (MODEL-SPEC §2.1).
type NetworkParams struct {
	Effect     float64 `yaml:"effect" json:"effect"`
	ShareFloor float64 `yaml:"share_floor" json:"share_floor"`
}

// CentralizationParams: the leader (a provider name) and its quality growth per year.
// Mode (MODEL-SPEC-v2 §C.1, levers.go) is CentralizationRamp (v1: the linear
// quality ramp) or CentralizationBreakthrough (a one-off quality jump of
// BreakthroughSize on BreakthroughDay for the leader).
type CentralizationParams struct {
	Leader               string  `yaml:"leader" json:"leader"`
	QualityGrowthPerYear float64 `yaml:"quality_growth_per_year" json:"quality_growth_per_year"`
	Mode                 string  `yaml:"mode" json:"mode"`
	BreakthroughSize     float64 `yaml:"breakthrough_size" json:"breakthrough_size"`
	BreakthroughDay      int     `yaml:"breakthrough_day" json:"breakthrough_day"`
}

// FeesParams: fractions of each CLT payment (MODEL-SPEC §2.3).
type FeesParams struct {
	ProtocolFee  float64 `yaml:"protocol_fee" json:"protocol_fee"`
	BurnFraction float64 `yaml:"burn_fraction" json:"burn_fraction"`
}

// PricingParams: TWAP window and repricing interval in days (0 = daily re-indexing).
type PricingParams struct {
	TWAPDays            int `yaml:"twap_days" json:"twap_days"`
	RepriceIntervalDays int `yaml:"reprice_interval_days" json:"reprice_interval_days"`

	// MODEL-SPEC-v2 §B.3 (llm_params.go).
	Mode       string  `yaml:"mode" json:"mode"`
	ReviewDays int     `yaml:"review_days" json:"review_days"`
	Adjust     float64 `yaml:"adjust" json:"adjust"`
	MaxMarkup  float64 `yaml:"max_markup" json:"max_markup"`
}

// HedgingParams: cost of a same-day hedged sale in basis points. Mode
// (MODEL-SPEC-v2 §C.2, levers.go) is HedgingSpot (v1: the hedged part is sold
// the same day) or HedgingFutures (short CLT futures marked to market daily,
// with a funding rate per year and daily basis noise of sd BasisSD in log points).
type HedgingParams struct {
	CostBps            float64 `yaml:"cost_bps" json:"cost_bps"`
	Mode               string  `yaml:"mode" json:"mode"`
	FundingRatePerYear float64 `yaml:"funding_rate_per_year" json:"funding_rate_per_year"`
	BasisSD            float64 `yaml:"basis_sd" json:"basis_sd"`
}

// EntryParams are the `entry.*` parameters (MODEL-SPEC §2.5).
type EntryParams struct {
	RatePerYear         float64 `yaml:"rate_per_year" json:"rate_per_year"`
	GrantBoost          float64 `yaml:"grant_boost" json:"grant_boost"`
	QualityMean         float64 `yaml:"quality_mean" json:"quality_mean"`
	QualitySD           float64 `yaml:"quality_sd" json:"quality_sd"`
	BrandGap            float64 `yaml:"brand_gap" json:"brand_gap"`
	ListPriceUSDPerMtok float64 `yaml:"list_price_usd_per_mtok" json:"list_price_usd_per_mtok"`
	CashUSD             float64 `yaml:"cash_usd" json:"cash_usd"`
	FixedCostUSDPerDay  float64 `yaml:"fixed_cost_usd_per_day" json:"fixed_cost_usd_per_day"`
}

// Regime is one GARCH(1,1)-t price regime (MODEL-SPEC §2.6): the process
// of package garch (daily drift Mu, variance recursion ω, α, β, Student-t
// degrees of freedom ν > 2; its fields are inlined, so the YAML/JSON names
// and dotted paths are market.regimes.<name>.mu, .omega, …) and the daily
// peg-reversion rate θ (PegReversion).
type Regime struct {
	garch.Params `yaml:",inline"`
	PegReversion float64 `yaml:"peg_reversion" json:"peg_reversion"`
}

// MarketParams are the `market.*` parameters. DepthUSD may be +Inf (YAML .inf):
// flows then have no price impact.
type MarketParams struct {
	Peg             float64           `yaml:"peg" json:"peg"`
	DepthUSD        float64           `yaml:"depth_usd" json:"depth_usd"`
	JumpRatePerYear float64           `yaml:"jump_rate_per_year" json:"jump_rate_per_year"`
	JumpMean        float64           `yaml:"jump_mean" json:"jump_mean"`
	JumpSD          float64           `yaml:"jump_sd" json:"jump_sd"`
	Regimes         map[string]Regime `yaml:"regimes" json:"regimes"`
	// MODEL-SPEC-v2 §A (market_params.go): MarketGARCH or MarketAMM, and
	// endogenous regime switching.
	Mode   string       `yaml:"mode" json:"mode"`
	Switch SwitchParams `yaml:"switch" json:"switch"`
}

// SupplyParams are the `supply.*` parameters (MODEL-SPEC §2.6, §2.7).
type SupplyParams struct {
	InitialCLT      float64 `yaml:"initial_clt" json:"initial_clt"`
	IssuancePerYear float64 `yaml:"issuance_per_year" json:"issuance_per_year"`
	DilutionImpact  float64 `yaml:"dilution_impact" json:"dilution_impact"`
	BuybackShare    float64 `yaml:"buyback_share" json:"buyback_share"`
	FundStakeShare  float64 `yaml:"fund_stake_share" json:"fund_stake_share"`
}

// FundParams: the stabilization fund, off unless Enabled.
type FundParams struct {
	Enabled        bool    `yaml:"enabled" json:"enabled"`
	ReserveUSD     float64 `yaml:"reserve_usd" json:"reserve_usd"`
	ReserveCLT     float64 `yaml:"reserve_clt" json:"reserve_clt"`
	Band           float64 `yaml:"band" json:"band"`
	Aggressiveness float64 `yaml:"aggressiveness" json:"aggressiveness"`
}

// CircuitBreakerParams: trading halts, off unless Enabled.
type CircuitBreakerParams struct {
	Enabled    bool    `yaml:"enabled" json:"enabled"`
	Threshold  float64 `yaml:"threshold" json:"threshold"`
	WindowDays int     `yaml:"window_days" json:"window_days"`
	HaltDays   int     `yaml:"halt_days" json:"halt_days"`
	Damping    float64 `yaml:"damping" json:"damping"`
}

// ShareCapParams: the market-share cap with hysteresis, off unless Enabled.
type ShareCapParams struct {
	Enabled    bool    `yaml:"enabled" json:"enabled"`
	Cap        float64 `yaml:"cap" json:"cap"`
	Hysteresis float64 `yaml:"hysteresis" json:"hysteresis"`
}

// GrantsParams: the grant pool, off unless Enabled (fees still accrue to the pool).
// Use (MODEL-SPEC-v2 §C.1, levers.go) is GrantsUseCash (v1), GrantsUseQuality or
// GrantsUseCost; QualityGainMax and HalfGainUSD are the law's parameters.
type GrantsParams struct {
	Enabled        bool    `yaml:"enabled" json:"enabled"`
	PoolUSD        float64 `yaml:"pool_usd" json:"pool_usd"`
	PayoutRate     float64 `yaml:"payout_rate" json:"payout_rate"`
	SmallShare     float64 `yaml:"small_share" json:"small_share"`
	Use            string  `yaml:"use" json:"use"`
	QualityGainMax float64 `yaml:"quality_gain_max" json:"quality_gain_max"`
	HalfGainUSD    float64 `yaml:"half_gain_usd" json:"half_gain_usd"`
}

// Governance modes.
const (
	GovernanceNone      = "none"
	GovernanceStakeVote = "stake_vote"
)

// GovernanceParams: Mode is GovernanceNone, GovernanceStakeVote,
// GovernanceOneMemberOneVote or GovernanceQuadratic. Voting (MODEL-SPEC-v2
// §C.3, levers.go) is VotingShareRule (v1) or VotingInterest; Turnout is each
// provider's probability of voting; SybilIdentities the number of identities
// the largest provider splits its stake across (1 = none).
type GovernanceParams struct {
	Mode             string  `yaml:"mode" json:"mode"`
	VoteIntervalDays int     `yaml:"vote_interval_days" json:"vote_interval_days"`
	Threshold        float64 `yaml:"threshold" json:"threshold"`
	Voting           string  `yaml:"voting" json:"voting"`
	Turnout          float64 `yaml:"turnout" json:"turnout"`
	SybilIdentities  int     `yaml:"sybil_identities" json:"sybil_identities"`
}

// MetricsParams: PegBand is the |P/peg − 1| band of the stability metrics.
type MetricsParams struct {
	PegBand float64 `yaml:"peg_band" json:"peg_band"`
}

// Regime names used by the built-in scenarios.
const (
	RegimePegged   = "pegged"
	RegimeVolatile = "volatile"
)

// defaultV1Base returns the defaults of MODEL-SPEC §7 (model.version 1,
// before the v2 mechanisms set their switches; see DefaultV1 and Default). The regimes are the
// project's own calibration, identical to configs/default.yaml's
// market.regimes (which records the data, the fits' standard errors and the
// caveats): run from the repository root,
//
//	tokensim calibrate --from 2017-01-01 --to 2021-02-27 --peg 1 --max-persistence 0.98 --variance-targeting --regime pegged ../shared/data/prices/coin_Tether.csv
//	tokensim calibrate --from 2013-04-29 --to 2021-02-27 --variance-targeting --regime volatile ../shared/data/prices/coin_Bitcoin.csv
//
// The pegged regime's α+β is capped at 0.98 (a variance shock's half-life
// ≈ 34 days), an assumption: USDT's unconstrained fit is integrated
// (α+β → 1), reflecting shifts in its volatility level that a single
// GARCH(1,1) cannot represent, and would make simulated volatility collapse
// or explode. TestCalibrateDefaultsDrift (cmd/tokensim) re-runs the commands.
func defaultV1Base() Params {
	return Params{
		Providers: ProvidersParams{
			Max: 16,
			Table: []ProviderSpec{
				{Name: "frontier_a", ListPriceUSDPerMtok: 6.000, Quality: 0.90, InitialShare: 0.32},
				{Name: "frontier_b", ListPriceUSDPerMtok: 4.375, Quality: 0.88, InitialShare: 0.25},
				{Name: "frontier_c", ListPriceUSDPerMtok: 3.438, Quality: 0.87, InitialShare: 0.20},
				{Name: "open_weights_host", ListPriceUSDPerMtok: 0.880, Quality: 0.75, InitialShare: 0.10},
				{Name: "mid_tier", ListPriceUSDPerMtok: 3.000, Quality: 0.72, InitialShare: 0.07},
				{Name: "budget", ListPriceUSDPerMtok: 0.478, Quality: 0.80, InitialShare: 0.06},
			},
			MarginalCostRatio: 0.5,
			FixedCostRatio:    0.35,
			RunwayDays:        60,
			HedgeRatio:        0,
			HoldDays:          3,
		},
		Consumers: ConsumersParams{
			Count:                 2000,
			TotalDemandMtokPerDay: 2.0e7,
			DemandSigma:           1.5,
			PriceWeight:           0.3,
			PriceWeightSigma:      0.5,
			QualityWeight:         10.0,
			NoncriticalAlpha:      2.0,
			NoncriticalBeta:       3.0,
			GrowthPerYear:         0.5,
			ReviewRate:            0.02,
			SwitchingCost:         1.0,
			PriceElasticity:       1.2,
			VolWindowDays:         14,
			DeferVolStart:         0.30,
			DeferVolFull:          1.00,
			BacklogRelease:        0.1,
			BacklogDecay:          0.05,
		},
		Network:        NetworkParams{Effect: 0.3, ShareFloor: 0.01},
		Centralization: CentralizationParams{Leader: "frontier_a", QualityGrowthPerYear: 0},
		Fees:           FeesParams{ProtocolFee: 0.01, BurnFraction: 0},
		Pricing:        PricingParams{TWAPDays: 7, RepriceIntervalDays: 30},
		Hedging:        HedgingParams{CostBps: 20},
		Entry: EntryParams{
			RatePerYear: 2.0, GrantBoost: 1.0, QualityMean: 0.75, QualitySD: 0.05, BrandGap: 1.0,
			ListPriceUSDPerMtok: 2.0, CashUSD: 3.0e7, FixedCostUSDPerDay: 2.0e5,
		},
		Market: MarketParams{
			Peg:             1.0,
			DepthUSD:        5.0e9,
			JumpRatePerYear: 2.0,
			JumpMean:        0,
			JumpSD:          0.03,
			Regimes: map[string]Regime{
				// `tokensim calibrate --from 2017-01-01 --to 2021-02-27 --peg 1 --max-persistence 0.98
				// --variance-targeting --regime pegged ../shared/data/prices/coin_Tether.csv` (USDT;
				// α+β at the assumed cap 0.98, see configs/default.yaml).
				RegimePegged: {Params: garch.Params{Mu: 0.000109, Omega: 6.84e-07, Alpha: 0.3677, Beta: 0.6123, Nu: 3.61}, PegReversion: 0.17},
				// `tokensim calibrate --from 2013-04-29 --to 2021-02-27 --variance-targeting
				// --regime volatile ../shared/data/prices/coin_Bitcoin.csv` (BTC).
				RegimeVolatile: {Params: garch.Params{Mu: 0.00159, Omega: 1.88e-05, Alpha: 0.1214, Beta: 0.8683, Nu: 3.33}, PegReversion: 0},
			},
		},
		Supply:         SupplyParams{InitialCLT: 1.0e10, IssuancePerYear: 0.02, DilutionImpact: 1.0, BuybackShare: 0, FundStakeShare: 0.1},
		Fund:           FundParams{ReserveUSD: 2.0e9, ReserveCLT: 2.0e9, Band: 0.02, Aggressiveness: 0.25},
		CircuitBreaker: CircuitBreakerParams{Threshold: 0.15, WindowDays: 1, HaltDays: 1, Damping: 0.5},
		ShareCap:       ShareCapParams{Cap: 0.40, Hysteresis: 0.02},
		Grants:         GrantsParams{PoolUSD: 1.0e8, PayoutRate: 0.01, SmallShare: 0.10},
		Governance:     GovernanceParams{Mode: GovernanceNone, VoteIntervalDays: 30, Threshold: 0.6667},
		Metrics:        MetricsParams{PegBand: 0.05},
	}
}

// Clone returns a deep copy of p (the provider table and regime map are copied).
func (p Params) Clone() Params {
	q := p
	q.Providers.Table = append([]ProviderSpec(nil), p.Providers.Table...)
	q.Market.Regimes = make(map[string]Regime, len(p.Market.Regimes))
	for k, v := range p.Market.Regimes {
		q.Market.Regimes[k] = v
	}
	return q
}
