package episode

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/tokensim/tokensim/model"
)

// ErrFit is wrapped by FitFlowScale when no flow scale in its bracket
// reproduces the target.
var ErrFit = errors.New("episode: calibration failed")

// FreeFloat returns the free-float configuration of MODEL-SPEC-v2 §A.5 built
// on base: the AMM market (market.mode amm) with no reserve and no arbitrage
// (reserve.mode none, arbitrage capacity 0), no runs (holders.run_max 0: a
// free float has no backing to run on), no jumps (the GARCH-t fit absorbs
// them), fixed regime (market.switch off), no consumer growth (it only
// lengthens runs), 100 consumers, and a schedule holding `regime` every day.
func FreeFloat(base model.Params, regime string) (model.Params, model.Schedule) {
	p := base.Clone()
	p.Market.Mode = model.MarketAMM
	p.Reserve.Mode = model.ReserveNone
	p.Arbitrage.CapacityUSDPerDay = 0
	p.Holders.RunMax = 0
	p.Market.JumpRatePerYear = 0
	p.Market.Switch.Enabled = false
	p.Consumers.GrowthPerYear = 0
	p.Consumers.Count = 100
	return p, model.Schedule{BaseRegime: regime}
}

type retRec struct{ r []float64 }

func (x *retRec) Step(s *model.Step)               { x.r = append(x.r, s.LogReturn) }
func (x *retRec) ProviderStep(*model.ProviderStep) {}

// RunDays is the length of one simulated run in Simulate: the model's
// default horizon. Longer series concatenate independent runs, each started
// at the peg (a token's market is simulated a year at a time).
const RunDays = 365

// Simulate returns reps simulated daily log-return series of `days` days
// each, every series the concatenation of ⌈days/RunDays⌉ runs of RunDays
// days (replicates numbered consecutively from 0 under the master seed),
// truncated to `days`. Errors are the runs' errors.
func Simulate(p model.Params, s model.Schedule, days, reps int, seed uint64) ([][]float64, error) {
	var r model.Runner
	per := (days + RunDays - 1) / RunDays
	out := make([][]float64, reps)
	for i := 0; i < reps; i++ {
		rec := &retRec{r: make([]float64, 0, per*RunDays)}
		for y := 0; y < per; y++ {
			rep := i*per + y
			spec := model.RunSpec{Params: p, Schedule: s, HorizonDays: RunDays, Seed: seed, Replicate: rep, RecordEveryDays: 1}
			if _, err := r.Run(&spec, rec); err != nil {
				return nil, fmt.Errorf("episode: simulate replicate %d: %w", rep, err)
			}
		}
		out[i] = rec.r[:days]
	}
	return out, nil
}

// MedianMoments returns the median over series of each statistic of
// MomentsOf (maxLag lags of the ACF of squared returns).
func MedianMoments(series [][]float64, maxLag int) Moments {
	return momentsOver(series, maxLag).reduce(func(x []float64) float64 {
		sort.Float64s(x)
		n := len(x)
		if n%2 == 1 {
			return x[n/2]
		}
		return (x[n/2-1] + x[n/2]) / 2
	})
}

// FitFlowScale returns the `holders.flow_scale` φ in [lo, hi] at which the
// median sample standard deviation of the free float's daily log returns
// (FreeFloat(base, regime), reps series of `days` days, common random numbers
// across φ) equals targetSD, by bisection to a relative width of 1e-3 (the
// standard deviation increases with φ: holders' orders are φ × H × (1 −
// e^{e_t}) and a pool sale of a fraction x of X moves ln P by ≈ −2x).
// A φ at which a run overflows (ErrNonFinite: the free float explodes, as
// it does when holders' orders are large against the pool and liquidity
// flight feeds back on volatility) counts as too large. Errors wrap ErrFit
// (target outside the bracket) or are the runs' other errors.
func FitFlowScale(base model.Params, regime string, targetSD float64, days, reps int, seed uint64, lo, hi float64) (float64, error) {
	p, s := FreeFloat(base, regime)
	sd := func(phi float64) (float64, error) {
		p.Holders.FlowScale = phi
		series, err := Simulate(p, s, days, reps, seed)
		if errors.Is(err, model.ErrNonFinite) {
			return math.Inf(1), nil // an explosive free float: too large a flow scale
		}
		if err != nil {
			return 0, err
		}
		return MedianMoments(series, 1).SD, nil
	}
	fl, err := sd(lo)
	if err != nil {
		return 0, err
	}
	fh, err := sd(hi)
	if err != nil {
		return 0, err
	}
	if !(fl <= targetSD && targetSD <= fh) {
		return 0, fmt.Errorf("%w: target sd %v outside [%v, %v] at flow_scale [%v, %v]", ErrFit, targetSD, fl, fh, lo, hi)
	}
	return bisectBracketed(sd, targetSD, lo, hi, false)
}

// BTC free-float calibration window and bootstrap settings (MODEL-SPEC-v2
// §A.5): the volatile regime's fit window of section 3.7, a 90% band, blocks
// of 50 days (longer than the 10 lags tested and of the order of the fitted
// GARCH's variance half-life), 20 simulated paths of the data's length.
const (
	BTCFrom, BTCTo = "2013-04-29", "2021-02-27"
	BandLevel      = 0.90
	BandBlockDays  = 50
	BandResamples  = 1000
	BandLags       = 10
	FreeFloatPaths = 20
	// FreeFloatBandPaths is the number of simulated paths of the data's
	// length whose statistics make the model's finite-sample band
	// (SimulatedBand; its 5% and 95% quantiles are the 5th and 95th of 100).
	FreeFloatBandPaths = 100
	FreeFloatSeed      = 1
	FlowScaleLo        = 0.01
	FlowScaleHi        = 0.5
	flowScaleDecimal   = 100 // the default is the fit rounded to 2 decimals
)

// BandCheck says which of the simulated moments fall inside a band.
type BandCheck struct {
	Sim    Moments
	Band   Band
	SDIn   bool
	KurtIn bool
	ACF2In []bool
	// MoorsIn: Moors' octile kurtosis inside its band.
	MoorsIn bool
}

// CheckBand compares moments with a band (edges included).
func CheckBand(sim Moments, b Band) BandCheck {
	in := func(x float64, e [2]float64) bool { return x >= e[0] && x <= e[1] }
	c := BandCheck{Sim: sim, Band: b, SDIn: in(sim.SD, b.SD), KurtIn: in(sim.ExKurtosis, b.ExKurtosis), MoorsIn: in(sim.Moors, b.Moors)}
	for k := range b.ACF2 {
		c.ACF2In = append(c.ACF2In, k < len(sim.ACF2) && in(sim.ACF2[k], b.ACF2[k]))
	}
	return c
}

// RoundFlowScale rounds a fitted flow scale to the default's precision.
func RoundFlowScale(phi float64) float64 { return math.Round(phi*flowScaleDecimal) / flowScaleDecimal }
