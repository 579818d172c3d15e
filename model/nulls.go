package model

// Nulls in the runs table (dataset schema v2).
//
// A Summary field that is a pointer is written as a Parquet null when nil. The
// rule, which the data dictionary states, is:
//
//   - Not applicable: a metric whose catalogue entry names a LeverOnly lever
//     is null in every run where that lever is off (LeverOn): halts and
//     halt_unsold_clt without a circuit breaker, fund_depleted_day, fund_depleted and fund_pnl_usd
//     without a stabilization fund, cap_blocked_days and grants_blocked_days
//     without stake voting. recovery_days and recovered are null when the
//     run's schedule has no shock that ends within the horizon.
//   - Never: the day or duration of an event that did not happen is null
//     (fund_depleted_day when the fund never ran out, recovery_days when the
//     price never came back into the band); the flags fund_depleted and
//     recovered (false = never, true = happened) tell "never" from "not
//     applicable".
//
// v1 wrote −1 for both meanings of fund_depleted_day and recovery_days and 0
// for the lever-only counts and fund_pnl_usd; the values that are not null
// are unchanged (TestV1Reproduced maps null back to the v1 sentinel).

// Levers named by Metric.LeverOnly.
const (
	LeverFund           = "fund"
	LeverCircuitBreaker = "circuit_breaker"
	LeverGovernance     = "governance"
	// MODEL-SPEC-v2 §C (levers.go).
	LeverHedging  = "hedging"   // futures hedging with a positive hedge ratio
	LeverShareCap = "share_cap" // the market-share cap enabled
	LeverGrants   = "grants"    // grants enabled
)

// LeverOn reports whether the policy lever named by a catalogue LeverOnly is
// on under p; known is false for a name it does not know. An empty name is
// always on (the metric applies to every run).
func LeverOn(p *Params, lever string) (on, known bool) {
	switch lever {
	case "":
		return true, true
	case LeverFund:
		return p.Fund.Enabled, true
	case LeverCircuitBreaker:
		return p.CircuitBreaker.Enabled, true
	case LeverGovernance:
		return p.Governance.Mode != "" && p.Governance.Mode != GovernanceNone, true
	case LeverHedging:
		return p.Hedging.Mode == HedgingFutures && p.Providers.HedgeRatio > 0, true
	case LeverShareCap:
		return p.ShareCap.Enabled, true
	case LeverGrants:
		return p.Grants.Enabled, true
	}
	return false, false
}

// leverVals holds the values the nullable Summary fields point to, so that a
// run allocates one object for all of them.
type leverVals struct {
	halts, capBlocked, grantsBlocked int32
	fundDepletedDay, recoveryDays    int64
	fundPnL, leaderProfitShare       float64
	haltUnsold                       float64
	fundDepleted, recovered          bool
	// MODEL-SPEC-v2 §C (levers.go: leverSummary).
	hedgePnL                         float64
	captureDays, capDays, grantsDays int32
}

// leverMetrics sets the nullable fields of sum from the run's accumulators
// by the rule above; pT is the final price. It returns the one allocated
// box, which the caller may use for further nullable values.
func (s *sim) leverMetrics(sum *Summary, pT float64) *leverVals {
	p, a := s.p, &s.acc
	box := new(leverVals)
	if p.CircuitBreaker.Enabled {
		box.halts = int32(s.cb.halts)
		sum.Halts = &box.halts
		box.haltUnsold = s.mkt.haltUnsold
		sum.HaltUnsoldCLT = &box.haltUnsold
	}
	if p.Fund.Enabled {
		box.fundPnL = (s.fundUSD + s.fundCLT*pT) - (s.aud.FundInitialUSD + s.aud.FundInitialCLT*s.price[0])
		sum.FundPnLUSD = &box.fundPnL
		box.fundDepleted = a.fundDepletedDay >= 0
		sum.FundDepleted = &box.fundDepleted
		if box.fundDepleted {
			box.fundDepletedDay = int64(a.fundDepletedDay)
			sum.FundDepletedDay = &box.fundDepletedDay
		}
	}
	if s.shock.has && s.shock.lastDay <= s.T {
		box.recovered = a.recoveryDay >= 0
		sum.Recovered = &box.recovered
		if box.recovered {
			box.recoveryDays = int64(a.recoveryDay)
			sum.RecoveryDays = &box.recoveryDays
		}
	}
	if on, _ := LeverOn(p, LeverGovernance); on {
		box.capBlocked, box.grantsBlocked = int32(a.capBlockedDays), int32(a.grantsBlockedDays)
		sum.CapBlockedDays, sum.GrantsBlockedDays = &box.capBlocked, &box.grantsBlocked
	}
	return box
}
