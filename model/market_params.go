package model

// Parameters of the token market of MODEL-SPEC-v2 §A: the constant-product
// AMM pool, the primary market (the issuer's reserve), arbitrageurs and
// holders. Units are carried in the names (USD, CLT, days; "per_day" rates).
// docs/model.md section "A. The token market (v2)" gives each default and
// its source.

// Market modes (`market.mode`, MODEL-SPEC-v2 §A).
const (
	// MarketGARCH is v1's exogenous price: a GARCH(1,1)-t path on a calendar
	// of regimes plus linear flow impact (MODEL-SPEC §2.6).
	MarketGARCH = "garch"
	// MarketAMM forms the price in a constant-product pool (Uniswap v2;
	// Adams et al. 2020) from the day's netted market orders, arbitrage
	// against the primary market and holders' sentiment and runs (§A.1–A.2).
	MarketAMM = "amm"
)

// Reserve modes (`reserve.mode`, MODEL-SPEC-v2 §A.1).
const (
	// ReserveNone is a free float: no primary market, no arbitrage.
	ReserveNone = "none"
	// ReserveBacked is a fiat-backed token (USDC-like): USD reserve assets.
	ReserveBacked = "backed"
	// ReserveAlgorithmic is backed by a volatile sister asset (Terra-like)
	// whose price is reflexive to the token's own return.
	ReserveAlgorithmic = "algorithmic"
)

// SwitchParams are `market.switch.*`: endogenous regime switching with
// time-varying transition probabilities (Diebold, Lee & Weinbach 1994;
// MODEL-SPEC-v2 §A.2). On a day not forced by the scenario, the chain enters
// the volatile regime from the base regime with probability
// logistic(EnterIntercept + EnterShortfall × (1 − β̂) + EnterGap × |ln P_t−1 − ln peg|)
// and leaves it with probability
// logistic(ExitIntercept − ExitShortfall × (1 − β̂) − ExitGap × |ln P_t−1 − ln peg|).
// Coefficients are in logit units per unit of shortfall and of log peg gap.
type SwitchParams struct {
	Enabled        bool    `yaml:"enabled" json:"enabled"`
	EnterIntercept float64 `yaml:"enter_intercept" json:"enter_intercept"`
	EnterShortfall float64 `yaml:"enter_shortfall" json:"enter_shortfall"`
	EnterGap       float64 `yaml:"enter_gap" json:"enter_gap"`
	ExitIntercept  float64 `yaml:"exit_intercept" json:"exit_intercept"`
	ExitShortfall  float64 `yaml:"exit_shortfall" json:"exit_shortfall"`
	ExitGap        float64 `yaml:"exit_gap" json:"exit_gap"`
}

// AMMParams are `amm.*` (MODEL-SPEC-v2 §A.1): Fee is the pool fee on the
// input side (fraction); LiquidityUSD is the pool's initial USD reserve Y_0
// (its CLT reserve is X_0 = Y_0/peg); the pool's size moves each day toward
// X_0/(1 + LPVolSensitivity × σ̂_t) CLT (σ̂ annualized realized volatility;
// at the peg the spec's Y_0/(1 + LPVolSensitivity × σ̂_t)) at LPAdjustRate per
// day, both reserves in proportion (liquidity flight, no price impact).
type AMMParams struct {
	Fee              float64 `yaml:"fee" json:"fee"`
	LiquidityUSD     float64 `yaml:"liquidity_usd" json:"liquidity_usd"`
	LPVolSensitivity float64 `yaml:"lp_vol_sensitivity" json:"lp_vol_sensitivity"`
	LPAdjustRate     float64 `yaml:"lp_adjust_rate" json:"lp_adjust_rate"`
}

// ReserveParams are `reserve.*` (MODEL-SPEC-v2 §A.1, §A.3): Mode is one of
// ReserveNone, ReserveBacked, ReserveAlgorithmic; the reserve mints at
// peg × (1 + MintFee) and redeems at peg × (1 − RedeemFee) × min(1, β), at most
// RedeemCapFracPerDay of the previous close's supply a day; BackingTarget is
// the day-0 backing ratio β_0. With ReserveAlgorithmic the reserve holds a
// sister asset (price 1 USD at day 0) whose log return is the holders'
// sentiment innovation plus SisterBeta × the token's log return, minus its
// net sales / SisterDepthUSD (USD of net sales that move its log price by 1).
type ReserveParams struct {
	Mode                string  `yaml:"mode" json:"mode"`
	MintFee             float64 `yaml:"mint_fee" json:"mint_fee"`
	RedeemFee           float64 `yaml:"redeem_fee" json:"redeem_fee"`
	RedeemCapFracPerDay float64 `yaml:"redeem_cap_frac_per_day" json:"redeem_cap_frac_per_day"`
	BackingTarget       float64 `yaml:"backing_target" json:"backing_target"`
	SisterBeta          float64 `yaml:"sister_beta" json:"sister_beta"`
	SisterDepthUSD      float64 `yaml:"sister_depth_usd" json:"sister_depth_usd"`
}

// ArbitrageParams are `arbitrage.*` (MODEL-SPEC-v2 §A.1): the USD that
// arbitrageurs can commit per day (to minting, or to buying from the pool
// for redemption).
type ArbitrageParams struct {
	CapacityUSDPerDay float64 `yaml:"capacity_usd_per_day" json:"capacity_usd_per_day"`
}

// HoldersParams are `holders.*` (MODEL-SPEC-v2 §A.2): holders' net sell
// order on day t is FlowScale × H_t−1 × (1 − exp(e_t + J_t)) + r_t × H_t−1 with
// the run fraction r_t = RunMax × logistic((shortfall − RunThreshold)/RunScale
// + PanicWeight × drawdown + Herding × outflow_t−1) (Diamond & Dybvig 1983;
// Morris & Shin 1998). Shortfall and drawdown are fractions; PanicWeight and
// Herding are logit units per unit fraction.
type HoldersParams struct {
	FlowScale    float64 `yaml:"flow_scale" json:"flow_scale"`
	RunMax       float64 `yaml:"run_max" json:"run_max"`
	RunThreshold float64 `yaml:"run_threshold" json:"run_threshold"`
	RunScale     float64 `yaml:"run_scale" json:"run_scale"`
	PanicWeight  float64 `yaml:"panic_weight" json:"panic_weight"`
	Herding      float64 `yaml:"herding" json:"herding"`
	// ExitRouting, FlightRate and FlightDecay are the holders' exit
	// (market_exit.go): sell orders go to redemption when it pays more than
	// the pool; a remembered shortfall m_t = max(s_t, (1 − FlightDecay)·m_t−1)
	// sells FlightRate × m_t of holdings a day (fraction per day per unit
	// shortfall; FlightDecay per day).
	ExitRouting bool    `yaml:"exit_routing" json:"exit_routing"`
	FlightRate  float64 `yaml:"flight_rate" json:"flight_rate"`
	FlightDecay float64 `yaml:"flight_decay" json:"flight_decay"`
	// ShocksToHoldings makes a scheduled sentiment shock of size x move
	// holders' desired holdings by x itself (a sale of −x of holdings
	// spread over its days), not by FlowScale × x like the GARCH-t
	// innovations and Poisson jumps (market_exit.go).
	ShocksToHoldings bool `yaml:"shocks_to_holdings" json:"shocks_to_holdings"`
}

// marketMechanism is the v2 token market (MODEL-SPEC-v2 §A). Its v1 function
// keeps v1's exogenous price (market.mode garch, no reserve, no switching);
// its v2 function sets the v2 defaults (docs/model.md §A gives each source).
var marketMechanism = mechanism{
	name: "market",
	v1: func(p *Params) {
		p.Market.Mode = MarketGARCH
		p.Market.Switch = SwitchParams{Enabled: false}
		setMarketV2Values(p)
		p.Reserve.Mode = ReserveNone
	},
	v2: func(p *Params) {
		setMarketV2Values(p)
		p.Market.Mode = MarketAMM
		p.Market.Switch.Enabled = true
		p.Reserve.Mode = ReserveBacked
		// A payment token has no built-in trend (§A.2): the holders' regimes
		// are refitted with μ held at 0 (v2Regimes).
		setV2Regimes(p)
		// USDC's circulating supply before March 2023 was 43.5e9; v1's 1e10
		// would be smaller than the pool's X_0 = 1e10 CLT (assumption, §A.1).
		p.Supply.InitialCLT = 4.0e10
	},
}

// setMarketV2Values sets the values of the v2 market parameters (they are
// inert under market.mode garch, so v1 carries them too and a v1 study can
// switch the market on alone).
func setMarketV2Values(p *Params) {
	p.Market.Switch = SwitchParams{
		Enabled:        p.Market.Switch.Enabled,
		EnterIntercept: -7, EnterShortfall: 100, EnterGap: 100,
		ExitIntercept: -3.4, ExitShortfall: 100, ExitGap: 100,
	}
	p.AMM = AMMParams{Fee: 0.0005, LiquidityUSD: 1.0e10, LPVolSensitivity: 0.5, LPAdjustRate: 0.1}
	// Fees: Circle's published schedule (no fee to mint or redeem USDC);
	// the episode does not identify them apart from the arbitrage capacity
	// (docs/model.md §A.12). capacity_usd_per_day and sister_depth_usd are
	// `tokensim calibrate --market ../shared/data` (episode.FitMarket):
	// depeg_backed's median close on its backstop day = USDC's 0.9989 of
	// 2023-03-13; depeg_algorithmic's median mean ln β of days 90–96 =
	// UST's −1.306 (LUNA market cap / UST supply, 2022-05-07..13).
	p.Reserve = ReserveParams{
		Mode: p.Reserve.Mode, MintFee: 0, RedeemFee: 0, RedeemCapFracPerDay: 0.1,
		BackingTarget: 1, SisterBeta: 1, SisterDepthUSD: 1.2e10,
	}
	p.Arbitrage = ArbitrageParams{CapacityUSDPerDay: 4.0e8}
	p.Holders = HoldersParams{
		ExitRouting: p.Holders.ExitRouting, FlightRate: p.Holders.FlightRate, FlightDecay: p.Holders.FlightDecay,
		ShocksToHoldings: p.Holders.ShocksToHoldings,
		FlowScale:        0.12, RunMax: 0.022, RunThreshold: 0.04, RunScale: 0.005,
		PanicWeight: 20, Herding: 20,
	}
}

// validateMarket checks the §A parameters (called from Params.Validate).
func (c *checker) validateMarket(p *Params) {
	c.oneOf("market.mode", p.Market.Mode, MarketGARCH, MarketAMM)
	sw := &p.Market.Switch
	c.finite("market.switch.enter_intercept", sw.EnterIntercept)
	c.nonneg("market.switch.enter_shortfall", sw.EnterShortfall)
	c.nonneg("market.switch.enter_gap", sw.EnterGap)
	c.finite("market.switch.exit_intercept", sw.ExitIntercept)
	c.nonneg("market.switch.exit_shortfall", sw.ExitShortfall)
	c.nonneg("market.switch.exit_gap", sw.ExitGap)
	c.halfOpen("amm.fee", p.AMM.Fee, 0, 1)
	c.positive("amm.liquidity_usd", p.AMM.LiquidityUSD)
	c.nonneg("amm.lp_vol_sensitivity", p.AMM.LPVolSensitivity)
	c.unit("amm.lp_adjust_rate", p.AMM.LPAdjustRate)
	c.oneOf("reserve.mode", p.Reserve.Mode, ReserveNone, ReserveBacked, ReserveAlgorithmic)
	c.nonneg("reserve.mint_fee", p.Reserve.MintFee)
	c.halfOpen("reserve.redeem_fee", p.Reserve.RedeemFee, 0, 1)
	c.unit("reserve.redeem_cap_frac_per_day", p.Reserve.RedeemCapFracPerDay)
	c.nonneg("reserve.backing_target", p.Reserve.BackingTarget)
	c.finite("reserve.sister_beta", p.Reserve.SisterBeta)
	c.positive("reserve.sister_depth_usd", p.Reserve.SisterDepthUSD)
	c.nonneg("arbitrage.capacity_usd_per_day", p.Arbitrage.CapacityUSDPerDay)
	c.nonneg("holders.flow_scale", p.Holders.FlowScale)
	c.unit("holders.run_max", p.Holders.RunMax)
	c.finite("holders.run_threshold", p.Holders.RunThreshold)
	c.positive("holders.run_scale", p.Holders.RunScale)
	c.nonneg("holders.panic_weight", p.Holders.PanicWeight)
	c.nonneg("holders.herding", p.Holders.Herding)
	c.nonneg("holders.flight_rate", p.Holders.FlightRate)
	c.unit("holders.flight_decay", p.Holders.FlightDecay)
}
