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
		sds[i], ks[i] = m.SD, m.ExKurtosis
		for k := range acfs {
			acfs[k][i] = m.ACF2[k]
		}
	}
	lo, hi := (1-level)/2, (1+level)/2
	q := func(x []float64) [2]float64 {
		sort.Float64s(x)
		return [2]float64{x[int(lo*float64(len(x)-1))], x[int(hi*float64(len(x)-1)+0.5)]}
	}
	out := Band{SD: q(sds), ExKurtosis: q(ks), ACF2: make([][2]float64, maxLag)}
	for k := range acfs {
		out.ACF2[k] = q(acfs[k])
	}
	return out, nil
}
