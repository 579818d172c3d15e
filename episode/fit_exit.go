package episode

import (
	"math"

	"github.com/tokensim/tokensim/model"
)

// USDCRedeemedWeek is USDC's net redemptions over the week of the de-peg,
// 1 − supply(2023-03-18)/supply(2023-03-10) = 1 − 36.245e9/42.750e9
// (../shared/data/stablecoins/usdc.csv; TestEpisodeNumbers checks it):
// FitFlightRate's target, days 89→97 of depeg_backed.
const USDCRedeemedWeek = 0.1522

// medianRedeemed is the median over replicates of depeg_backed's net
// redemptions of days EpisodeDay−1..EpisodeDay+7 as a share of supply.
func medianRedeemed(base model.Params) (float64, error) {
	paths, err := SimulateScenario(base, model.ScenarioDepegBacked, model.PolicyNone, episodeCons, episodeDays, episodeReps, episodeSeed)
	if err != nil {
		return 0, err
	}
	return medianOver(paths, weekRedeemed), nil
}

// FitFlightRate returns the `holders.flight_rate` in [0, 2] at which
// depeg_backed's median net redemptions over days 89→97 (policy none, 40
// replicates, common random numbers) equal USDC's USDCRedeemedWeek, by
// bisection (the redemptions rise with the rate). Errors wrap ErrFit or are
// the runs' errors.
func FitFlightRate(base model.Params) (float64, error) {
	p := base.Clone()
	return bisect(func(x float64) (float64, error) {
		p.Holders.FlightRate = x
		return medianRedeemed(p)
	}, USDCRedeemedWeek, 0, 2, true, false)
}

// RoundFlightRate rounds a fitted flight_rate to the default's precision
// (2 decimals).
func RoundFlightRate(x float64) float64 { return math.Round(x*100) / 100 }
