package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ErrInvalidParam is wrapped by every error of Params.Validate and
// ValidateSchedule: errors.Is(err, ErrInvalidParam) reports whether a
// configuration was rejected for an out-of-range value.
var ErrInvalidParam = errors.New("invalid parameter")

// ParamError is one rejected parameter: the dotted path of MODEL-SPEC §7
// (provider rows and regimes by name, e.g. "providers.table.budget.quality",
// "market.regimes.volatile.nu"), the offending value and the rule it breaks.
// It prints as "consumers.review_rate = -0.1: must be in [0, 1]" and unwraps
// to ErrInvalidParam.
type ParamError struct {
	Path  string
	Value any
	Rule  string
}

// Error implements error.
func (e *ParamError) Error() string {
	if s, ok := e.Value.(string); ok {
		return fmt.Sprintf("%s = %q: %s", e.Path, s, e.Rule)
	}
	return fmt.Sprintf("%s = %v: %s", e.Path, e.Value, e.Rule)
}

// Unwrap returns ErrInvalidParam.
func (e *ParamError) Unwrap() error { return ErrInvalidParam }

// shareSumTol is the tolerance on Σ initial_share = 1.
const shareSumTol = 1e-6

// Validate checks every parameter of p against the ranges of MODEL-SPEC §1–§2
// and §7 and returns all problems at once, joined with errors.Join in a fixed
// order (the order of Params' fields, regimes sorted by name), so a user can
// fix a configuration in one pass; nil means valid. Each joined error is a
// *ParamError wrapping ErrInvalidParam. NaN is rejected everywhere; ±Inf is
// rejected everywhere except market.depth_usd = +Inf (no flow impact).
//
// Levers that are switched off are validated too, because a policy variant may
// switch them on. Validate does not check a scenario's Schedule (which regime
// holds on which day): see ValidateSchedule. It allocates nothing when p is
// valid, so Run can afford to call it on every run.
func (p *Params) Validate() error {
	var c checker

	if p.Model.Version != ModelV1 && p.Model.Version != ModelV2 {
		c.add("model.version", p.Model.Version, "must be 1 or 2")
	}
	c.engine(p)

	// providers.* (§1, §2.5, §7).
	c.intMin("providers.max", p.Providers.Max, 1)
	c.nonneg("providers.marginal_cost_ratio", p.Providers.MarginalCostRatio)
	c.nonneg("providers.fixed_cost_ratio", p.Providers.FixedCostRatio)
	c.nonneg("providers.runway_days", p.Providers.RunwayDays)
	c.unit("providers.hedge_ratio", p.Providers.HedgeRatio)
	c.intMin("providers.hold_days", p.Providers.HoldDays, 0)
	c.providerTable(p)

	// consumers.* (§1, §2.1, §2.2).
	cs := &p.Consumers
	if c.intMin("consumers.count", cs.Count, 1) && cs.Count > MaxConsumers {
		c.add("consumers.count", cs.Count, fmt.Sprintf("must be at most %d (a run holds every consumer in memory)", MaxConsumers))
	}
	c.positive("consumers.total_demand_mtok_per_day", cs.TotalDemandMtokPerDay)
	c.nonneg("consumers.demand_sigma", cs.DemandSigma)
	c.nonneg("consumers.price_weight", cs.PriceWeight)
	c.nonneg("consumers.price_weight_sigma", cs.PriceWeightSigma)
	c.nonneg("consumers.quality_weight", cs.QualityWeight)
	c.positive("consumers.noncritical_alpha", cs.NoncriticalAlpha)
	c.positive("consumers.noncritical_beta", cs.NoncriticalBeta)
	c.nonneg("consumers.growth_per_year", cs.GrowthPerYear)
	c.unit("consumers.review_rate", cs.ReviewRate)
	c.nonneg("consumers.switching_cost", cs.SwitchingCost)
	c.nonneg("consumers.price_elasticity", cs.PriceElasticity)
	c.intMin("consumers.vol_window_days", cs.VolWindowDays, 2)
	c.nonneg("consumers.defer_vol_start", cs.DeferVolStart)
	if c.nonneg("consumers.defer_vol_full", cs.DeferVolFull) && isFinite(cs.DeferVolStart) &&
		!(cs.DeferVolFull > cs.DeferVolStart) {
		c.add("consumers.defer_vol_full", cs.DeferVolFull,
			fmt.Sprintf("must be > consumers.defer_vol_start (%v)", cs.DeferVolStart))
	}
	c.unit("consumers.backlog_release", cs.BacklogRelease)
	c.unit("consumers.backlog_decay", cs.BacklogDecay)

	// network.*, centralization.* (§2.1).
	c.nonneg("network.effect", p.Network.Effect)
	c.unit("network.share_floor", p.Network.ShareFloor)
	c.leader(p)
	c.nonneg("centralization.quality_growth_per_year", p.Centralization.QualityGrowthPerYear)

	// fees.*, pricing.*, hedging.* (§2.3, §2.4, §2.5).
	c.unit("fees.protocol_fee", p.Fees.ProtocolFee)
	if c.unit("fees.burn_fraction", p.Fees.BurnFraction) && isFinite(p.Fees.ProtocolFee) &&
		p.Fees.ProtocolFee+p.Fees.BurnFraction > 1 {
		c.add("fees.burn_fraction", p.Fees.BurnFraction,
			fmt.Sprintf("must be ≤ 1 − fees.protocol_fee (%v): the provider's part cannot be negative", p.Fees.ProtocolFee))
	}
	c.intMin("pricing.twap_days", p.Pricing.TWAPDays, 1)
	c.intMin("pricing.reprice_interval_days", p.Pricing.RepriceIntervalDays, 0)
	c.closed("hedging.cost_bps", p.Hedging.CostBps, 0, 1e4)

	// entry.* (§2.5).
	e := &p.Entry
	c.nonneg("entry.rate_per_year", e.RatePerYear)
	c.nonneg("entry.grant_boost", e.GrantBoost)
	c.unit("entry.quality_mean", e.QualityMean)
	c.nonneg("entry.quality_sd", e.QualitySD)
	c.finite("entry.brand_gap", e.BrandGap)
	c.positive("entry.list_price_usd_per_mtok", e.ListPriceUSDPerMtok)
	c.nonneg("entry.cash_usd", e.CashUSD)
	c.nonneg("entry.fixed_cost_usd_per_day", e.FixedCostUSDPerDay)

	// market.* (§2.6).
	m := &p.Market
	c.positive("market.peg", m.Peg)
	if !(m.DepthUSD > 0) { // NaN fails too; +Inf is allowed: no flow impact.
		c.add("market.depth_usd", m.DepthUSD, "must be > 0 (+Inf: flows have no price impact)")
	}
	c.nonneg("market.jump_rate_per_year", m.JumpRatePerYear)
	c.finite("market.jump_mean", m.JumpMean)
	c.nonneg("market.jump_sd", m.JumpSD)
	c.regimes(m.Regimes)

	// supply.* (§2.6, §2.7).
	c.positive("supply.initial_clt", p.Supply.InitialCLT)
	c.nonneg("supply.issuance_per_year", p.Supply.IssuancePerYear)
	c.nonneg("supply.dilution_impact", p.Supply.DilutionImpact)
	c.unit("supply.buyback_share", p.Supply.BuybackShare)
	c.unit("supply.fund_stake_share", p.Supply.FundStakeShare)

	// Policy levers (§2.7).
	c.nonneg("fund.reserve_usd", p.Fund.ReserveUSD)
	c.nonneg("fund.reserve_clt", p.Fund.ReserveCLT)
	c.halfOpen("fund.band", p.Fund.Band, 0, 1)
	c.nonneg("fund.aggressiveness", p.Fund.Aggressiveness)
	c.positive("circuit_breaker.threshold", p.CircuitBreaker.Threshold)
	c.intMin("circuit_breaker.window_days", p.CircuitBreaker.WindowDays, 1)
	c.intMin("circuit_breaker.halt_days", p.CircuitBreaker.HaltDays, 1)
	c.unit("circuit_breaker.damping", p.CircuitBreaker.Damping)
	if c.openClosed("share_cap.cap", p.ShareCap.Cap, 0, 1) {
		if !(p.ShareCap.Hysteresis >= 0 && p.ShareCap.Hysteresis < p.ShareCap.Cap) {
			c.add("share_cap.hysteresis", p.ShareCap.Hysteresis,
				fmt.Sprintf("must be in [0, share_cap.cap) = [0, %v)", p.ShareCap.Cap))
		}
	} else {
		c.unit("share_cap.hysteresis", p.ShareCap.Hysteresis)
	}
	c.nonneg("grants.pool_usd", p.Grants.PoolUSD)
	c.unit("grants.payout_rate", p.Grants.PayoutRate)
	c.unit("grants.small_share", p.Grants.SmallShare)
	c.oneOf("governance.mode", p.Governance.Mode, GovernanceNone, GovernanceStakeVote, GovernanceOneMemberOneVote, GovernanceQuadratic)
	c.intMin("governance.vote_interval_days", p.Governance.VoteIntervalDays, 1)
	c.openClosed("governance.threshold", p.Governance.Threshold, 0, 1)
	c.levers(p) // MODEL-SPEC-v2 §C (levers.go)

	c.validateMarket(p) // MODEL-SPEC-v2 §A: market.mode, amm, reserve, arbitrage, holders
	c.validateLLM(p)    // MODEL-SPEC-v2 §B (llm_params.go)

	// metrics.* (§4.2).
	if !(p.Metrics.PegBand > 0 && p.Metrics.PegBand < 1) {
		c.add("metrics.peg_band", p.Metrics.PegBand, "must be in (0, 1)")
	}
	return errors.Join(c.errs...)
}

// ValidateSchedule checks a scenario's time line against p: the base regime
// and every span's regime must be defined in market.regimes, spans must have
// 0 ≤ from_day ≤ to_day, and shocks need day ≥ 1, duration_days ≥ 1 and a
// finite size > −1 (a price cannot fall by 100% or more). Errors are
// *ParamError values wrapping ErrInvalidParam with paths "schedule.…", joined
// as in Params.Validate.
func ValidateSchedule(s Schedule, p *Params) error {
	var c checker
	c.regimeKnown(p, "schedule.base_regime", s.BaseRegime)
	for i, r := range s.Regimes {
		if _, ok := p.Market.Regimes[r.Regime]; ok && r.FromDay >= 0 && r.ToDay >= r.FromDay {
			continue // paths are formatted only for a span with a problem
		}
		path := fmt.Sprintf("schedule.regimes[%d]", i)
		c.regimeKnown(p, path+".regime", r.Regime)
		c.intMin(path+".from_day", r.FromDay, 0)
		if r.ToDay < r.FromDay {
			c.add(path+".to_day", r.ToDay, fmt.Sprintf("must be ≥ from_day (%d)", r.FromDay))
		}
	}
	for i, sh := range s.Shocks {
		sizeOK := sh.Size > -1 && !math.IsInf(sh.Size, 1)
		if sh.Day >= 1 && sh.DurationDays >= 1 && sizeOK {
			continue
		}
		path := fmt.Sprintf("schedule.shocks[%d]", i)
		c.intMin(path+".day", sh.Day, 1)
		c.intMin(path+".duration_days", sh.DurationDays, 1)
		if !sizeOK {
			c.add(path+".size", sh.Size, "must be finite and > −1")
		}
	}
	s.ReserveEvents.validate(&c) // MODEL-SPEC-v2 §A.4 (market_events.go)
	return errors.Join(c.errs...)
}

// regimeKnown: name must be a regime of market.regimes.
func (c *checker) regimeKnown(p *Params, path, name string) {
	if _, ok := p.Market.Regimes[name]; !ok {
		c.add(path, name, "must name a regime of market.regimes ("+strings.Join(sortedKeys(p.Market.Regimes), ", ")+")")
	}
}

// checker accumulates ParamErrors. Each check returns whether the value passed.
type checker struct {
	errs []error
}

// oneOf records a problem when v is none of allowed: `must be one of "a", "b"`.
func (c *checker) oneOf(path, v string, allowed ...string) {
	if slices.Contains(allowed, v) {
		return
	}
	q := make([]string, len(allowed))
	for i, a := range allowed {
		q[i] = strconv.Quote(a)
	}
	c.add(path, v, "must be one of "+strings.Join(q, ", "))
}

func (c *checker) add(path string, v any, rule string) {
	c.errs = append(c.errs, &ParamError{Path: path, Value: v, Rule: rule})
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (c *checker) check(ok bool, path string, x float64, rule string) bool {
	if !ok {
		c.add(path, x, rule)
	}
	return ok
}

// finite: any finite number.
func (c *checker) finite(path string, x float64) bool {
	return c.check(isFinite(x), path, x, "must be a finite number")
}

// nonneg: finite and ≥ 0.
func (c *checker) nonneg(path string, x float64) bool {
	return c.check(isFinite(x) && x >= 0, path, x, "must be finite and ≥ 0")
}

// positive: finite and > 0.
func (c *checker) positive(path string, x float64) bool {
	return c.check(isFinite(x) && x > 0, path, x, "must be finite and > 0")
}

// unit: a fraction or probability in [0, 1].
func (c *checker) unit(path string, x float64) bool { return c.closed(path, x, 0, 1) }

// The interval checks format their rule only on failure: Validate runs once
// per simulated run and allocates nothing for a valid Params.

func (c *checker) closed(path string, x, lo, hi float64) bool {
	if x >= lo && x <= hi {
		return true
	}
	c.add(path, x, fmt.Sprintf("must be in [%v, %v]", lo, hi))
	return false
}

func (c *checker) openClosed(path string, x, lo, hi float64) bool {
	if x > lo && x <= hi {
		return true
	}
	c.add(path, x, fmt.Sprintf("must be in (%v, %v]", lo, hi))
	return false
}

func (c *checker) halfOpen(path string, x, lo, hi float64) bool {
	if x >= lo && x < hi {
		return true
	}
	c.add(path, x, fmt.Sprintf("must be in [%v, %v)", lo, hi))
	return false
}

func (c *checker) intMin(path string, n, lo int) bool {
	if n < lo {
		c.add(path, n, fmt.Sprintf("must be an integer ≥ %d", lo))
		return false
	}
	return true
}

// providerTable checks the provider table of §1/§7: non-empty, at most
// providers.max rows, names non-empty, unique, free of dots (rows are
// addressed as providers.table.<name>.<field>) and not of the entrants' form
// "entrant_<k>", list prices > 0, qualities in [0,1], initial shares in (0,1]
// summing to 1. A zero initial share is refused because the Berry (1994)
// inversion of §2.1 sets ξ_i from ln s_i(0).
func (c *checker) providerTable(p *Params) {
	t := p.Providers.Table
	if len(t) == 0 {
		c.add("providers.table", rowCount(0), "must list at least one provider")
		return
	}
	if p.Providers.Max >= 1 && len(t) > p.Providers.Max {
		c.add("providers.table", rowCount(len(t)), fmt.Sprintf("must have at most providers.max = %d rows", p.Providers.Max))
	}
	sum := 0.0
	sharesOK := true
	for i, row := range t {
		switch {
		case row.Name == "":
			c.add(fmt.Sprintf("providers.table[%d].name", i), row.Name, "must be a non-empty name")
		case strings.ContainsAny(row.Name, ". \t\n"):
			c.add(fmt.Sprintf("providers.table[%d].name", i), row.Name, "must not contain dots or spaces (rows are addressed as providers.table.<name>.<field>)")
		case strings.HasPrefix(row.Name, "entrant_"):
			c.add(fmt.Sprintf("providers.table[%d].name", i), row.Name, "must not start with \"entrant_\" (reserved for the names of entrants)")
		default:
			for j := range i { // at most providers.max rows: quadratic is fine and allocates nothing
				if t[j].Name == row.Name {
					c.add(fmt.Sprintf("providers.table[%d].name", i), row.Name, fmt.Sprintf("must be unique (also row %d)", j))
					break
				}
			}
		}
		okP := isFinite(row.ListPriceUSDPerMtok) && row.ListPriceUSDPerMtok > 0
		okQ := row.Quality >= 0 && row.Quality <= 1
		okS := row.InitialShare > 0 && row.InitialShare <= 1
		sharesOK = sharesOK && okS
		sum += row.InitialShare
		if okP && okQ && okS {
			continue
		}
		base := "providers.table." + row.Name
		if row.Name == "" {
			base = fmt.Sprintf("providers.table[%d]", i)
		}
		c.positive(base+".list_price_usd_per_mtok", row.ListPriceUSDPerMtok)
		c.unit(base+".quality", row.Quality)
		c.openClosed(base+".initial_share", row.InitialShare, 0, 1)
	}
	if sharesOK && math.Abs(sum-1) > shareSumTol {
		c.add("providers.table.*.initial_share", shareSum(sum),
			fmt.Sprintf("the initial shares must sum to 1 (tolerance %g)", shareSumTol))
	}
}

// MaxConsumers bounds consumers.count: a run keeps every consumer in memory
// (about 80 bytes each, more as the market grows), so 10 million day-0
// consumers is already about a gigabyte per worker.
const MaxConsumers = 10_000_000

// rowCount prints as "6 rows" in a ParamError.
type rowCount int

func (n rowCount) String() string { return fmt.Sprintf("%d rows", int(n)) }

// shareSum prints a sum of shares to 9 significant digits in a ParamError.
type shareSum float64

func (x shareSum) String() string { return fmt.Sprintf("%.9g (sum)", float64(x)) }

// leader: centralization.leader must name a provider of the table.
func (c *checker) leader(p *Params) {
	if len(p.Providers.Table) == 0 {
		return // reported as an empty table
	}
	for _, row := range p.Providers.Table {
		if row.Name == p.Centralization.Leader {
			return
		}
	}
	names := make([]string, len(p.Providers.Table))
	for i, row := range p.Providers.Table {
		names[i] = row.Name
	}
	c.add("centralization.leader", p.Centralization.Leader,
		"must name a provider of providers.table ("+strings.Join(names, ", ")+")")
}

// regimes checks market.regimes (§2.6): the `pegged` regime (the base regime
// of every built-in scenario) must exist; each regime needs a finite μ, ω > 0,
// α ≥ 0, β ≥ 0 with α + β < 1 (covariance stationarity: the unconditional
// variance ω/(1−α−β) exists, and every run starts from it), a finite ν > 2
// (unit-variance Student-t shocks) and θ = peg_reversion in [0, 1].
func (c *checker) regimes(rs map[string]Regime) {
	if _, ok := rs[RegimePegged]; !ok {
		c.add("market.regimes", strings.Join(sortedKeys(rs), ","),
			fmt.Sprintf("must define the %q regime (the base regime of every built-in scenario)", RegimePegged))
	}
	allOK := true
	for name, r := range rs {
		allOK = allOK && regimeOK(name, r)
	}
	if allOK {
		return // nothing to report: skip the sorted pass (and its allocations)
	}
	for _, name := range sortedKeys(rs) {
		r := rs[name]
		base := "market.regimes." + name
		if name == "" || strings.ContainsAny(name, ". \t\n") {
			c.add(base, name, "regime names must be non-empty without dots or spaces")
		}
		c.finite(base+".mu", r.Mu)
		c.positive(base+".omega", r.Omega)
		okA := c.nonneg(base+".alpha", r.Alpha)
		okB := c.nonneg(base+".beta", r.Beta)
		if okA && okB && !(r.Alpha+r.Beta < 1) {
			c.add(base+".beta", r.Beta,
				fmt.Sprintf("must satisfy alpha + beta < 1 (alpha = %v, sum %v): the GARCH variance must be stationary", r.Alpha, r.Alpha+r.Beta))
		}
		c.check(isFinite(r.Nu) && r.Nu > 2, base+".nu", r.Nu, "must be finite and > 2 (Student-t with finite variance)")
		c.unit(base+".peg_reversion", r.PegReversion)
	}
}

// regimeOK reports whether a regime passes every rule of regimes: a valid
// name, a valid GARCH(1,1)-t process (garch.Params.Validate, the one
// definition; regimes repeats its rules only to name the failing field) and
// θ ∈ [0, 1].
func regimeOK(name string, r Regime) bool {
	return name != "" && !strings.ContainsAny(name, ". \t\n") && r.Params.Validate() == nil &&
		r.PegReversion >= 0 && r.PegReversion <= 1
}

func sortedKeys(m map[string]Regime) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
