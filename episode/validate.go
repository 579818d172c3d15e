package episode

import (
	"fmt"
	"math"
	"sort"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// Path is one simulated run's daily closes and supply: Price[0] = P_0 and
// Price[t] = P_t for t = 1..days (likewise Supply, S_0 = supply.initial_clt).
type Path struct {
	Price, Supply []float64
	// Backing is the backing ratio β_t (Backing[0] = β at day 0 is not
	// recorded by the model: it is NaN).
	Backing []float64
	Summary model.Summary
}

type pathRec struct{ p *Path }

func (x pathRec) Step(s *model.Step) {
	x.p.Price = append(x.p.Price, s.Price)
	x.p.Supply = append(x.p.Supply, s.SupplyCLT)
	x.p.Backing = append(x.p.Backing, s.BackingRatio)
}
func (pathRec) ProviderStep(*model.ProviderStep) {}

// SimulateScenario runs replicates 0..reps−1 of a built-in scenario ×
// policy on base for `days` days with `consumers` consumers at day 0, and
// returns their paths. edits apply after the scenario's and policy's
// overrides (e.g. a fund 10× the scenario's). Errors name the run.
func SimulateScenario(base model.Params, scenario, policy string, consumers, days, reps int, seed uint64, edits ...func(*model.Params)) ([]Path, error) {
	sc, ok := model.Scenarios()[scenario]
	if !ok {
		return nil, fmt.Errorf("episode: unknown scenario %q", scenario)
	}
	pol, ok := model.Policies()[policy]
	if !ok {
		return nil, fmt.Errorf("episode: unknown policy %q", policy)
	}
	p, err := model.Resolve(base, sc, pol)
	if err != nil {
		return nil, err
	}
	p.Consumers.Count = consumers
	for _, e := range edits {
		e(&p)
	}
	var r model.Runner
	out := make([]Path, reps)
	for rep := range out {
		path := &out[rep]
		path.Price = append(make([]float64, 0, days+1), p.Market.Peg)
		path.Supply = append(make([]float64, 0, days+1), p.Supply.InitialCLT)
		path.Backing = append(make([]float64, 0, days+1), math.NaN())
		spec := model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: days, Seed: seed, Replicate: rep, RecordEveryDays: 1}
		sum, err := r.Run(&spec, pathRec{path})
		if err != nil {
			return nil, fmt.Errorf("episode: %s/%s replicate %d: %w", scenario, policy, rep, err)
		}
		path.Summary = sum
	}
	return out, nil
}

// MinClose returns the lowest close of days from..to (inclusive).
func (p *Path) MinClose(from, to int) float64 {
	m := math.Inf(1)
	for t := from; t <= to && t < len(p.Price); t++ {
		m = math.Min(m, p.Price[t])
	}
	return m
}

// DaysToPeg returns the days from day `from` until the close is within tol
// of peg (|P/peg − 1| ≤ tol), 0 if it already is on day `from`; −1 never.
func (p *Path) DaysToPeg(from int, peg, tol float64) int { return daysToPeg(p.Price, from, peg, tol) }

// daysToPeg returns the steps from index from to the first x_t with
// |x_t/peg − 1| ≤ tol, −1 if none.
func daysToPeg(x []float64, from int, peg, tol float64) int {
	for t := from; t < len(x); t++ {
		if math.Abs(x[t]/peg-1) <= tol {
			return t - from
		}
	}
	return -1
}

// SupplyChange returns S_to/S_from − 1.
func (p *Path) SupplyChange(from, to int) float64 { return p.Supply[to]/p.Supply[from] - 1 }

// Quantile returns the q-quantile (type 7, linear interpolation) of x,
// which it does not reorder: stats.Quantile of a sorted copy.
func Quantile(x []float64, q float64) float64 {
	return stats.Quantile(q, sortedCopy(x))
}

// sortedCopy returns an ascending copy of x (x is not reordered).
func sortedCopy(x []float64) []float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	return y
}

// medianOver returns the median (Quantile 0.5) over paths of stat.
func medianOver(paths []Path, stat func(*Path) float64) float64 {
	x := make([]float64, len(paths))
	for i := range paths {
		x[i] = stat(&paths[i])
	}
	return Quantile(x, 0.5)
}

// weekLow is a path's lowest close of the episode's first week, days
// EpisodeDay..EpisodeDay+6 (FitRunMax's statistic, BackedStats.Low).
func weekLow(p *Path) float64 { return p.MinClose(EpisodeDay, EpisodeDay+6) }

// weekRedeemed is a path's net redemptions of days EpisodeDay−1 →
// EpisodeDay+7 as a share of supply (FitFlightRate's statistic,
// BackedStats.RedeemedWeek1).
func weekRedeemed(p *Path) float64 { return -p.SupplyChange(EpisodeDay-1, EpisodeDay+7) }

// EpisodeDay is the scenario day of the episodes' first event (the
// impairment of depeg_backed, the sentiment shock of depeg_algorithmic).
const EpisodeDay = 90

// Real episode figures (../shared/data/stablecoins, SOURCE.md): USDC's
// intraday low on 2023-03-11, the day after SVB's failure (FitRunMax's
// target: the model's close at the end of a halted-redemption day of the run
// is its worst trade), and UST's lowest close within 7 days of the run's
// start on 2022-05-07 (0.154 on 05-13).
const (
	USDCLow     = 0.8774
	USTLowWeek  = 0.154
	episodeReps = 40
	episodeDays = EpisodeDay + 10
	episodeSeed = 1
	episodeCons = 200
)

// medianMinClose is the median over replicates of the lowest close of days
// EpisodeDay..EpisodeDay+6.
func medianMinClose(base model.Params, scenario string) (float64, error) {
	paths, err := SimulateScenario(base, scenario, model.PolicyNone, episodeCons, episodeDays, episodeReps, episodeSeed)
	if err != nil {
		return 0, err
	}
	return medianOver(paths, weekLow), nil
}

// bisect finds x in [lo, hi] (geometric midpoints when geometric) with
// f(x) = target for f monotone, to a relative width of 1e-3.
func bisect(f func(float64) (float64, error), target, lo, hi float64, increasing, geometric bool) (float64, error) {
	flo, err := f(lo)
	if err != nil {
		return 0, err
	}
	fhi, err := f(hi)
	if err != nil {
		return 0, err
	}
	if !increasing {
		flo, fhi = -flo, -fhi
		target = -target
		g := f
		f = func(x float64) (float64, error) { v, err := g(x); return -v, err }
	}
	if !(flo <= target && target <= fhi) {
		return 0, fmt.Errorf("%w: target %v outside [%v, %v] over [%v, %v]", ErrFit, math.Abs(target), math.Abs(flo), math.Abs(fhi), lo, hi)
	}
	return bisectBracketed(f, target, lo, hi, geometric)
}

// bisectBracketed is bisect's loop for an increasing f with f(lo) ≤ target ≤
// f(hi): it halves [lo, hi] (at geometric midpoints when geometric) until its
// width is at most 1e-3 of hi and returns the midpoint.
func bisectBracketed(f func(float64) (float64, error), target, lo, hi float64, geometric bool) (float64, error) {
	for hi-lo > 1e-3*hi {
		mid := (lo + hi) / 2
		if geometric {
			mid = math.Sqrt(lo * hi)
		}
		fm, err := f(mid)
		if err != nil {
			return 0, err
		}
		if fm < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, nil
}

// FitRunMax returns the `holders.run_max` in [0.001, 0.2] at which the
// median lowest close of depeg_backed's first week (policy none, 40
// replicates, common random numbers) equals USDC's intraday low of
// 2023-03-11 (USDCLow), by bisection: the run is what takes the price down
// while redemptions are halted. Errors wrap ErrFit or are the runs' errors.
func FitRunMax(base model.Params) (float64, error) {
	p := base.Clone()
	return bisect(func(x float64) (float64, error) {
		p.Holders.RunMax = x
		return medianMinClose(p, model.ScenarioDepegBacked)
	}, USDCLow, 0.001, 0.2, false, false)
}

// RoundRunMax rounds a fitted run_max to the default's precision (3 decimals).
func RoundRunMax(x float64) float64 { return math.Round(x*1000) / 1000 }
