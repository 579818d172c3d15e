package episode

import (
	"fmt"
	"math"

	"github.com/tokensim/tokensim/model"
)

// Real episode statistics behind the market fits of FitMarket
// (../shared/data/stablecoins; TestMarketFitTargets recomputes each from the
// shipped series). Day EpisodeDay = 90 is 2023-03-11 for USDC and 2022-05-07
// for UST.
const (
	// USDCRedeemedWeek2 is USDC's net redemptions of the second week,
	// 1 − supply(2023-03-25)/supply(2023-03-18) = 1 − 33.918e9/36.245e9:
	// FitFlightDecay's target, depeg_backed's days 97→104.
	USDCRedeemedWeek2 = 0.0642
	// USDCBackstopClose is USDC's close on 2023-03-13, the first business
	// day after the backstop (announced on Sunday 03-12): FitArbCapacity's
	// target, depeg_backed's close on its backstop day 93.
	USDCBackstopClose = 0.9989
	// USTLogBackingWeek is the mean over 2022-05-07..05-13 of ln(LUNA's
	// market cap / UST's supply), the log backing ratio of the run's first
	// week (1.24 on 05-07 to 0.059 on 05-13): FitSisterDepth's target,
	// depeg_algorithmic's mean ln β_t over days 90–96.
	USTLogBackingWeek = -1.306
	// episodeFitDays is the horizon of the fits' runs (day 104 is the end
	// of USDC's second week).
	episodeFitDays = EpisodeDay + 14
)

// BackedStats are depeg_backed's statistics of the fits (medians over
// replicates): the lowest close of days 90–96 (FitRunMax), the net
// redemptions of days 89→97 (FitFlightRate) and 97→104 (FitFlightDecay) as
// shares of supply, and the close of the backstop day 93 (FitArbCapacity).
type BackedStats struct {
	Low, RedeemedWeek1, RedeemedWeek2, BackstopClose float64
}

// BackedMedians simulates depeg_backed (policy none, 40 replicates of 104
// days, 200 consumers, seed 1: the same replicates for every parameter value,
// common random numbers) and returns the medians of its BackedStats.
func BackedMedians(base model.Params) (BackedStats, error) {
	paths, err := SimulateScenario(base, model.ScenarioDepegBacked, model.PolicyNone, episodeCons, episodeFitDays, episodeReps, episodeSeed)
	if err != nil {
		return BackedStats{}, err
	}
	backstop := backstopDay(model.ScenarioDepegBacked)
	return BackedStats{
		Low:           medianOver(paths, weekLow),
		RedeemedWeek1: medianOver(paths, weekRedeemed),
		RedeemedWeek2: medianOver(paths, func(p *Path) float64 { return -p.SupplyChange(EpisodeDay+7, EpisodeDay+14) }),
		BackstopClose: medianOver(paths, func(p *Path) float64 { return p.Price[backstop] }),
	}, nil
}

// AlgorithmicLogBacking returns the median over depeg_algorithmic's
// replicates (policy none, 40 replicates, seed 1, common random numbers) of
// the mean of ln β_t over days 90–96, the statistic FitSisterDepth matches
// to USTLogBackingWeek.
func AlgorithmicLogBacking(base model.Params) (float64, error) {
	paths, err := SimulateScenario(base, model.ScenarioDepegAlgorithmic, model.PolicyNone, episodeCons, EpisodeDay+6, episodeReps, episodeSeed)
	if err != nil {
		return 0, err
	}
	return medianOver(paths, func(p *Path) float64 {
		s := 0.0
		for d := EpisodeDay; d <= EpisodeDay+6; d++ {
			s += math.Log(p.Backing[d])
		}
		return s / 7
	}), nil
}

// FitFlightDecay returns the `holders.flight_decay` δ in [0.005, 1] at which
// depeg_backed's median net redemptions of days 97→104 equal USDC's second
// week (USDCRedeemedWeek2), by bisection: holders' remembered shortfall
// decays by (1 − δ) a day after the backstop, so δ sets how long the flight
// outlives the first week (the redemptions fall with δ). Errors wrap ErrFit
// or are the runs' errors.
func FitFlightDecay(base model.Params) (float64, error) {
	p := base.Clone()
	return bisect(func(x float64) (float64, error) {
		p.Holders.FlightDecay = x
		s, err := BackedMedians(p)
		return s.RedeemedWeek2, err
	}, USDCRedeemedWeek2, 0.005, 1, false, true)
}

// FitArbCapacity returns the `arbitrage.capacity_usd_per_day` in [1e7, 1e11]
// USD at which depeg_backed's median close on the backstop day equals
// USDC's close on the first business day after the backstop
// (USDCBackstopClose), by bisection on a geometric scale: once β is restored
// arbitrageurs buy the de-pegged token from the pool and redeem it at par,
// up to their capacity, so the close rises with it until it reaches the
// no-arbitrage band's floor. The fit is identified only while the target lies
// below that floor, peg(1 − redeem fee)(1 − pool fee) (with Circle's zero fee,
// 0.9995), and then only partially: the close reaches the floor at about
// 4.5e8 USD and stays there for any larger capacity, so the fit is the
// smallest capacity consistent with USDC's close (docs/model.md §A.12).
// Errors wrap ErrFit or are the runs' errors.
func FitArbCapacity(base model.Params) (float64, error) {
	p := base.Clone()
	return bisect(func(x float64) (float64, error) {
		p.Arbitrage.CapacityUSDPerDay = x
		s, err := BackedMedians(p)
		return s.BackstopClose, err
	}, USDCBackstopClose, 1e7, 1e11, true, true)
}

// FitSisterDepth returns the `reserve.sister_depth_usd` in [1e8, 1e12] USD
// at which depeg_algorithmic's median mean log backing ratio over days
// 90–96 equals UST's (USTLogBackingWeek), by bisection on a geometric scale:
// redeemers sell the sister asset they are paid in, moving its log price by
// their USD sales / depth, so the backing falls faster the shallower its
// market (ln β rises with the depth). Errors wrap ErrFit or are the runs'
// errors.
func FitSisterDepth(base model.Params) (float64, error) {
	p := base.Clone()
	return bisect(func(x float64) (float64, error) {
		p.Reserve.SisterDepthUSD = x
		return AlgorithmicLogBacking(p)
	}, USTLogBackingWeek, 1e8, 1e12, true, true)
}

// RoundSig2 rounds x to 2 significant digits (the precision of the fitted
// USD amounts).
func RoundSig2(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	e := math.Pow(10, math.Floor(math.Log10(math.Abs(x)))-1)
	return math.Round(x/e) * e
}

// MarketFit is the joint fit of the episode parameters (FitMarket): the
// rounded values (the defaults' precision) and the last bisections' raw
// values.
type MarketFit struct {
	RunMax, FlightRate, FlightDecay, CapacityUSD, SisterDepthUSD float64
	Raw                                                          struct{ RunMax, FlightRate, FlightDecay, CapacityUSD, SisterDepthUSD float64 }
	// Rounds is the number of Gauss–Seidel rounds on depeg_backed.
	Rounds int
	// Backed are depeg_backed's statistics at the fitted values.
	Backed BackedStats
	// LogBacking is depeg_algorithmic's median mean ln β at the fit.
	LogBacking float64
}

// maxFitRounds bounds FitMarket's Gauss–Seidel rounds.
const maxFitRounds = 8

// FitMarket fits, by simulated method of moments with one statistic per
// parameter (exactly identified) and common random numbers, the episode
// parameters of MODEL-SPEC-v2 §A.5 on base (whose reserve fees are taken as
// given: Circle's published zero fee, docs/model.md §A.12):
//
//   - on depeg_backed (USDC, March 2023), by alternating bisections
//     (Gauss–Seidel) from base's values until the rounded values repeat:
//     holders.flight_rate to the first week's net redemptions
//     (FitFlightRate), holders.flight_decay to the second week's
//     (FitFlightDecay), holders.run_max to the low (FitRunMax),
//     arbitrage.capacity_usd_per_day to the backstop day's close
//     (FitArbCapacity); each parameter moves mostly its own statistic;
//   - then, with those, reserve.sister_depth_usd on depeg_algorithmic (UST,
//     May 2022) to the first week's mean log backing ratio
//     (FitSisterDepth), which the backed episode does not depend on.
//
// Errors wrap ErrFit (no fixed point in maxFitRounds rounds, a target out of
// range) or are the runs' errors.
func FitMarket(base model.Params) (MarketFit, error) {
	p := base.Clone()
	var f MarketFit
	for f.Rounds = 1; f.Rounds <= maxFitRounds; f.Rounds++ {
		fr, err := FitFlightRate(p)
		if err != nil {
			return f, fmt.Errorf("flight_rate: %w", err)
		}
		p.Holders.FlightRate = RoundFlightRate(fr)
		fd, err := FitFlightDecay(p)
		if err != nil {
			return f, fmt.Errorf("flight_decay: %w", err)
		}
		p.Holders.FlightDecay = RoundFlightRate(fd)
		rm, err := FitRunMax(p)
		if err != nil {
			return f, fmt.Errorf("run_max: %w", err)
		}
		p.Holders.RunMax = RoundRunMax(rm)
		capUSD, err := FitArbCapacity(p)
		if err != nil {
			return f, fmt.Errorf("capacity_usd_per_day: %w", err)
		}
		p.Arbitrage.CapacityUSDPerDay = RoundSig2(capUSD)
		f.Raw.FlightRate, f.Raw.FlightDecay, f.Raw.RunMax, f.Raw.CapacityUSD = fr, fd, rm, capUSD
		same := p.Holders.FlightRate == f.FlightRate && p.Holders.FlightDecay == f.FlightDecay &&
			p.Holders.RunMax == f.RunMax && p.Arbitrage.CapacityUSDPerDay == f.CapacityUSD
		f.FlightRate, f.FlightDecay, f.RunMax, f.CapacityUSD = p.Holders.FlightRate, p.Holders.FlightDecay, p.Holders.RunMax, p.Arbitrage.CapacityUSDPerDay
		if same {
			break
		}
	}
	if f.Rounds > maxFitRounds {
		return f, fmt.Errorf("%w: depeg_backed's four parameters did not settle in %d rounds (last run_max %v, flight_rate %v, flight_decay %v, capacity %v)",
			ErrFit, maxFitRounds, f.RunMax, f.FlightRate, f.FlightDecay, f.CapacityUSD)
	}
	var err error
	if f.Backed, err = BackedMedians(p); err != nil {
		return f, err
	}
	sd, err := FitSisterDepth(p)
	if err != nil {
		return f, fmt.Errorf("sister_depth_usd: %w", err)
	}
	f.Raw.SisterDepthUSD, f.SisterDepthUSD = sd, RoundSig2(sd)
	p.Reserve.SisterDepthUSD = f.SisterDepthUSD
	if f.LogBacking, err = AlgorithmicLogBacking(p); err != nil {
		return f, err
	}
	return f, nil
}
