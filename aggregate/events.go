package aggregate

import "github.com/tokensim/tokensim/model"

// knownEvents are the run-level events whose probabilities are estimated.
var knownEvents = []EventInfo{
	{"fund_depleted", "P(fund depleted)", "fund_depleted", "fund_depleted = true (runs with a fund)", model.LowerIsBetter},
	{"recovered", "P(back in the band after the largest shock)", "recovered", "recovered = true (runs with a shock)", model.HigherIsBetter},
	{"any_exit", "P(any provider exit)", "exits", "exits > 0", model.LowerIsBetter},
	{"hhi_above_1800", "P(HHI > 1,800 at the end)", "hhi_final", "hhi_final > 1800", model.LowerIsBetter},
	{"leader_share_above_half", "P(leader share > 0.5 at the end)", "leader_share_final", "leader_share_final > 0.5", model.LowerIsBetter},
}

// eventHolds reports whether event e holds for metric value v (v is finite:
// a null, i.e. not applicable, is not counted in n).
func eventHolds(name string, v float64) bool {
	switch name {
	case "fund_depleted", "recovered":
		return v == 1
	case "any_exit":
		return v > 0
	case "hhi_above_1800":
		return v > 1800
	case "leader_share_above_half":
		return v > 0.5
	}
	return false
}
