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
	sds := make([]float64, b)
	ks := make([]float64, b)
	ms := make([]float64, b)
	acfs := make([][]float64, maxLag)
	for k := range acfs {
		acfs[k] = make([]float64, b)
	}
	buf := make([]float64, n)
	for i := 0; i < b; i++ {
		for j := 0; j < n; {
			start := rng.IntN(n - block + 1)
			j += copy(buf[j:], r[start:start+block])
		}
		m := MomentsOf(buf, maxLag)
		sds[i], ks[i], ms[i] = m.SD, m.ExKurtosis, m.Moors
		for k := range acfs {
			acfs[k][i] = m.ACF2[k]
		}
	}
	return bandOf(sds, ks, ms, acfs, level), nil
}

// bandOf returns the central `level` band of each statistic's values
// (sorted in place).
func bandOf(sds, ks, ms []float64, acfs [][]float64, level float64) Band {
	lo, hi := (1-level)/2, (1+level)/2
	q := func(x []float64) [2]float64 {
		sort.Float64s(x)
		return [2]float64{x[int(lo*float64(len(x)-1))], x[int(hi*float64(len(x)-1)+0.5)]}
	}
	out := Band{SD: q(sds), ExKurtosis: q(ks), Moors: q(ms), ACF2: make([][2]float64, len(acfs))}
	for k := range acfs {
		out.ACF2[k] = q(acfs[k])
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
	sds, ks, ms := make([]float64, b), make([]float64, b), make([]float64, b)
	acfs := make([][]float64, maxLag)
	for k := range acfs {
		acfs[k] = make([]float64, b)
	}
	for i, r := range series {
		m := MomentsOf(r, maxLag)
		sds[i], ks[i], ms[i] = m.SD, m.ExKurtosis, m.Moors
		for k := range acfs {
			acfs[k][i] = m.ACF2[k]
		}
	}
	return bandOf(sds, ks, ms, acfs, level), nil
}
