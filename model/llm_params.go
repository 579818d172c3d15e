package model

import "fmt"

// This file holds the parameters and switches of MODEL-SPEC-v2 §B
// (consumers and providers who respond): the outside option (B.1), reference
// costs that adapt (B.2), strategic pricing with falling costs (B.3), and
// consumers who weigh cost and risk (B.4). docs/model.md section "B.
// Consumers and providers (v2)" documents each choice.

// Pricing modes (`pricing.mode`, MODEL-SPEC-v2 §B.3).
const (
	// PricingFixed keeps the table's USD list prices (v1).
	PricingFixed = "fixed"
	// PricingBestResponse moves each provider's list price toward its
	// profit-maximizing best response every pricing.review_days.
	PricingBestResponse = "best_response"
)

// What a consumer's reference cost does when it switches provider
// (`consumers.ref_on_switch`, MODEL-SPEC-v2 §B.2, with ref_halflife_days > 0).
const (
	// RefRescale moves the reference with the product's tier: c_ref ←
	// c_ref × p_new,0/p_old,0 (the providers' day-0 or entry list prices),
	// so the list-price gap between quality tiers does not change volume,
	// while price changes since then do: a consumer who switches to a
	// provider that cut its price more than its old one uses more, and its
	// deviation from its usual price survives the switch and fades with the
	// half-life.
	RefRescale = "rescale"
	// RefCarry keeps the reference: a consumer who switches to a provider k
	// times cheaper uses k^ε times more Mtok until the reference adapts.
	RefCarry = "carry"
)

// Deferral modes (`consumers.deferral_mode`, MODEL-SPEC-v2 §B.4).
const (
	// DeferralV1 defers on realized volatility alone (MODEL-SPEC §2.2).
	DeferralV1 = "v1"
	// DeferralDirectional defers when the expected saving from waiting plus
	// the cost risk is large and pulls deferred usage forward when the token
	// is cheap.
	DeferralDirectional = "directional"
)

// OutsideParams are the `outside.*` parameters (MODEL-SPEC-v2 §B.1): option 0
// of every reviewing consumer's logit, using LLMs outside the token system.
// Its utility is U_0 = Ū_0 + Utility − TokenConvenience, where Ū_0 is set at
// day 0 (Berry inversion at the median consumer, like the brand intercepts)
// so that the token system carries InitialInsideShare of demand; Utility and
// TokenConvenience (utility units, default 0) shift the outside option from
// that calibrated level: a better outside option, or a token system with a
// non-price advantage.
type OutsideParams struct {
	Enabled            bool    `yaml:"enabled" json:"enabled"`
	InitialInsideShare float64 `yaml:"initial_inside_share" json:"initial_inside_share"`
	Utility            float64 `yaml:"utility" json:"utility"`
	TokenConvenience   float64 `yaml:"token_convenience" json:"token_convenience"`
}

// DefaultCostDeclinePerYear is providers.cost_decline_per_year's v2 default:
// the decline per year of the blended (3:1 input:output) list price of the
// frontier capability tier (GPT-4 → GPT-4 Turbo → GPT-4o → GPT-4.1), fitted by
// least squares on ln price against time from ../shared/data/llm_price_history.csv:
// the output, rounded to three decimals, of llmdata.FitCostDecline(rows,
// llmdata.FrontierTier), run from the repository root by
//
//	tokensim calibrate --cost-decline ../shared/data/llm_price_history.csv
//
// (TestCalibrateCostDecline and llmdata's TestFitShippedData check this value).
const DefaultCostDeclinePerYear = 1.386

// mechanisms of §B, listed once each in v2Mechanisms.
var (
	mechOutside = mechanism{name: "outside option (v2 §B.1)",
		v1: func(p *Params) {
			p.Outside = OutsideParams{Enabled: false, InitialInsideShare: 0.8}
		},
		v2: func(p *Params) {
			p.Outside = OutsideParams{Enabled: true, InitialInsideShare: 0.8}
		}}
	mechRefCost = mechanism{name: "adaptive reference cost (v2 §B.2)",
		v1: func(p *Params) { p.Consumers.RefHalflifeDays, p.Consumers.RefOnSwitch = 0, RefRescale },
		v2: func(p *Params) { p.Consumers.RefHalflifeDays, p.Consumers.RefOnSwitch = 90, RefRescale }}
	mechPricing = mechanism{name: "strategic pricing (v2 §B.3)",
		v1: func(p *Params) {
			p.Pricing.Mode, p.Pricing.ReviewDays, p.Pricing.Adjust, p.Pricing.MaxMarkup = PricingFixed, 30, 0.5, 5
			p.Providers.CostDeclinePerYear = 0
		},
		v2: func(p *Params) {
			p.Pricing.Mode, p.Pricing.ReviewDays, p.Pricing.Adjust, p.Pricing.MaxMarkup = PricingBestResponse, 30, 0.5, 5
			p.Providers.CostDeclinePerYear = DefaultCostDeclinePerYear
		}}
	mechConsumerRisk = mechanism{name: "prepaid balances, directional deferral, risk term (v2 §B.4)",
		v1: func(p *Params) {
			c := &p.Consumers
			c.PrepaidDays, c.DeferralMode, c.DeferGainStart, c.DeferGainFull, c.RiskAversion = 0, DeferralV1, 0.02, 0.10, 0
		},
		v2: func(p *Params) {
			c := &p.Consumers
			c.PrepaidDays, c.DeferralMode, c.DeferGainStart, c.DeferGainFull, c.RiskAversion = 7, DeferralDirectional, 0.02, 0.10, 0.3
		}}
)

// validateLLM checks the §B parameters (called by Params.Validate).
func (c *checker) validateLLM(p *Params) {
	o := &p.Outside
	c.openClosed("outside.initial_inside_share", o.InitialInsideShare, 0, 1)
	if o.Enabled && !(o.InitialInsideShare < 1) {
		c.add("outside.initial_inside_share", o.InitialInsideShare, "must be < 1 when outside.enabled (some demand starts outside)")
	}
	c.finite("outside.utility", o.Utility)
	c.finite("outside.token_convenience", o.TokenConvenience)
	c.nonneg("consumers.ref_halflife_days", p.Consumers.RefHalflifeDays)
	c.oneOf("consumers.ref_on_switch", p.Consumers.RefOnSwitch, RefRescale, RefCarry)
	c.nonneg("consumers.prepaid_days", p.Consumers.PrepaidDays)
	c.nonneg("consumers.risk_aversion", p.Consumers.RiskAversion)
	c.oneOf("consumers.deferral_mode", p.Consumers.DeferralMode, DeferralV1, DeferralDirectional)
	c.nonneg("consumers.defer_gain_start", p.Consumers.DeferGainStart)
	if c.nonneg("consumers.defer_gain_full", p.Consumers.DeferGainFull) && isFinite(p.Consumers.DeferGainStart) &&
		!(p.Consumers.DeferGainFull > p.Consumers.DeferGainStart) {
		c.add("consumers.defer_gain_full", p.Consumers.DeferGainFull,
			fmt.Sprintf("must be > consumers.defer_gain_start (%v)", p.Consumers.DeferGainStart))
	}
	c.oneOf("pricing.mode", p.Pricing.Mode, PricingFixed, PricingBestResponse)
	c.intMin("pricing.review_days", p.Pricing.ReviewDays, 1)
	c.openClosed("pricing.adjust", p.Pricing.Adjust, 0, 1)
	if !(p.Pricing.MaxMarkup > 1) || !isFinite(p.Pricing.MaxMarkup) {
		c.add("pricing.max_markup", p.Pricing.MaxMarkup, "must be a finite number > 1 (p/c)")
	}
	c.nonneg("providers.cost_decline_per_year", p.Providers.CostDeclinePerYear)
}
