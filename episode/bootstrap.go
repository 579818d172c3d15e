package episode

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
)

// Band is a bootstrap band of the Moments: [Lo, Hi] for each statistic.
type Band struct {
	SD, ExKurtosis [2]float64
	ACF2           [][2]float64
	Moors          [2]float64
}

// ErrBootstrap is wrapped by MovingBlockBand's errors about its arguments.
var ErrBootstrap = errors.New("episode: bad bootstrap arguments")

// MovingBlockBand returns the central `level` band (e.g. 0.90: the 5% and
// 95% quantiles) of the Moments of b moving-block bootstrap resamples of r
// (Künsch 1989): each resample concatenates blocks of `block` consecutive
// returns starting at uniform positions until it has len(r) returns, which
// keeps the dependence (volatility clustering) within blocks. Errors wrap
// ErrBootstrap.
func MovingBlockBand(r []float64, block, b, maxLag int, level float64, rng *rand.Rand) (Band, error) {
	n := len(r)
	if block < 1 || block > n || b < 10 || !(level > 0 && level < 1) || maxLag < 1 {
		return Band{}, fmt.Errorf("%w: n %d, block %d, resamples %d, level %v, lags %d", ErrBootstrap, n, block, b, level, maxLag)
	}
	ms := newMomentSamples(b, maxLag)
	buf := make([]float64, n)
	for i := 0; i < b; i++ {
		for j := 0; j < n; {
			start := rng.IntN(n - block + 1)
			j += copy(buf[j:], r[start:start+block])
		}
		ms.set(i, MomentsOf(buf, maxLag))
	}
	return ms.band(level), nil
}

// momentSamples holds each statistic of Moments over b samples, one slice
// per statistic (acf2[k] for lag k+1), for the bands and the medians.
type momentSamples struct {
	sd, kurt, moors []float64
	acf2            [][]float64
}

func newMomentSamples(b, maxLag int) momentSamples {
	s := momentSamples{sd: make([]float64, b), kurt: make([]float64, b), moors: make([]float64, b), acf2: make([][]float64, maxLag)}
	for k := range s.acf2 {
		s.acf2[k] = make([]float64, b)
	}
	return s
}

// set stores sample i's statistics (lags 1..len(s.acf2) of m.ACF2).
func (s momentSamples) set(i int, m Moments) {
	s.sd[i], s.kurt[i], s.moors[i] = m.SD, m.ExKurtosis, m.Moors
	for k := range s.acf2 {
		s.acf2[k][i] = m.ACF2[k]
	}
}

// reduce applies f to each statistic's samples.
func (s momentSamples) reduce(f func([]float64) float64) Moments {
	m := Moments{SD: f(s.sd), ExKurtosis: f(s.kurt), ACF2: make([]float64, len(s.acf2)), Moors: f(s.moors)}
	for k := range s.acf2 {
		m.ACF2[k] = f(s.acf2[k])
	}
	return m
}

// band returns the central `level` band of each statistic's samples
// (sorted in place).
func (s momentSamples) band(level float64) Band {
	lo, hi := (1-level)/2, (1+level)/2
	q := func(x []float64) [2]float64 {
		sort.Float64s(x)
		return [2]float64{x[int(lo*float64(len(x)-1))], x[int(hi*float64(len(x)-1)+0.5)]}
	}
	out := Band{SD: q(s.sd), ExKurtosis: q(s.kurt), Moors: q(s.moors), ACF2: make([][2]float64, len(s.acf2))}
	for k := range s.acf2 {
		out.ACF2[k] = q(s.acf2[k])
	}
	return out
}

// SimulatedBand returns the central `level` band over simulated series
// (e.g. Simulate's paths, each of the real series' length) of each statistic
// of MomentsOf: the model's own finite-sample distribution of the statistic
// at the data's length, the parametric-bootstrap band the real statistic is
// tested against (docs/model.md §A.11). Unlike the moving-block band of the
// data it remains valid when the model has no finite fourth moment (ν ≤ 4).
// Errors wrap ErrBootstrap (fewer than 10 series, level outside (0, 1),
// maxLag < 1).
func SimulatedBand(series [][]float64, maxLag int, level float64) (Band, error) {
	b := len(series)
	if b < 10 || !(level > 0 && level < 1) || maxLag < 1 {
		return Band{}, fmt.Errorf("%w: %d series, level %v, lags %d", ErrBootstrap, b, level, maxLag)
	}
	return momentsOver(series, maxLag).band(level), nil
}

// momentsOver returns the MomentsOf (maxLag lags) of each series.
func momentsOver(series [][]float64, maxLag int) momentSamples {
	ms := newMomentSamples(len(series), maxLag)
	for i, r := range series {
		ms.set(i, MomentsOf(r, maxLag))
	}
	return ms
}
