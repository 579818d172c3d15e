package gsa

import (
	"fmt"
	"math"
)

// MorrisDesign is a Morris (1991) elementary-effects design on the unit cube:
// R trajectories of K+1 points each, on a grid of Levels levels
// {0, 1/(p−1), …, 1} with step Δ = p/(2(p−1)). Each trajectory starts at a
// random grid point x* ∈ {0, …, 1−Δ}^K (shifted up by Δ in the factors that
// step down), then moves one factor at a time, in a random order, by +Δ or −Δ
// (the randomized orientation B* of Morris 1991, §3), so every point stays in
// [0,1]. The trajectories are drawn independently (no Campolongo et al. 2007
// spread optimization).
//
// Points holds the R(K+1) rows trajectory by trajectory. For row t(K+1)+s with
// s ≥ 1, Changed gives the factor that moved from the previous row and Step
// the signed move (±Δ).
type MorrisDesign struct {
	R, K, Levels int
	Delta        float64
	Points       [][]float64
	Changed      []int
	Step         []float64
}

// NewMorrisDesign draws r trajectories for k factors on a grid of levels
// levels (even, ≥ 2) from a PCG source seeded with seed. Errors wrap
// ErrDesign.
func NewMorrisDesign(r, k, levels int, seed uint64) (*MorrisDesign, error) {
	if r < 2 {
		return nil, fmt.Errorf("%w: Morris needs at least 2 trajectories, got %d", ErrDesign, r)
	}
	if k < 1 {
		return nil, fmt.Errorf("%w: Morris needs at least 1 factor, got %d", ErrDesign, k)
	}
	if levels < 2 || levels%2 != 0 {
		return nil, fmt.Errorf("%w: Morris levels must be even and ≥ 2, got %d", ErrDesign, levels)
	}
	p := float64(levels)
	d := &MorrisDesign{R: r, K: k, Levels: levels, Delta: p / (2 * (p - 1))}
	rows := r * (k + 1)
	d.Points = make([][]float64, 0, rows)
	d.Changed = make([]int, rows)
	d.Step = make([]float64, rows)
	rng := newRand(seed, 0x3055151)
	x := make([]float64, k)
	dir := make([]float64, k)
	for t := range r {
		for i := range k {
			// Base level l/(p−1), l = 0 … p/2−1, so that x* + Δ ≤ 1.
			x[i] = float64(rng.IntN(levels/2)) / (p - 1)
			dir[i] = 1
			if rng.IntN(2) == 1 {
				dir[i] = -1
				x[i] += d.Delta
			}
		}
		d.Points = append(d.Points, append([]float64(nil), x...))
		d.Changed[t*(k+1)] = -1
		for s, i := range rng.Perm(k) {
			x[i] += dir[i] * d.Delta
			if x[i] < 0 { // guard rounding: the grid is exact up to one ulp
				x[i] = 0
			}
			row := t*(k+1) + s + 1
			d.Changed[row] = i
			d.Step[row] = dir[i] * d.Delta
			d.Points = append(d.Points, append([]float64(nil), x...))
		}
	}
	return d, nil
}

// Evaluations returns R(K+1), the number of model evaluations.
func (d *MorrisDesign) Evaluations() int { return d.R * (d.K + 1) }

// MorrisIndices are the elementary-effect statistics per factor (Morris 1991;
// Campolongo, Cariboni and Saltelli 2007): Mu = mean of the effects, MuStar =
// mean of their absolute values, Sigma = their sd (n−1), with bootstrap
// percentile intervals at Level over the trajectories. An elementary effect is
// the change of the output per unit of the factor's normalized range
// (0 = low, 1 = high; for log-uniform factors, of its log range).
type MorrisIndices struct {
	K, R                   int
	Level                  float64
	Mu, MuLow, MuHigh      []float64
	MuStar, MuStarLow      []float64
	MuStarHigh             []float64
	Sigma, SigmaLow        []float64
	SigmaHigh              []float64
	Effects                [][]float64 // Effects[i][t]: factor i, trajectory t
	Resamples, Evaluations int
}

// MorrisAnalyze computes the elementary effects from y, the outputs at
// d.Points (len(y) = d.Evaluations()), and their statistics with bootstrap
// intervals over trajectories (ci). Non-finite outputs are an error naming
// the row.
func MorrisAnalyze(d *MorrisDesign, y []float64, ci SensitivityCI) (*MorrisIndices, error) {
	ci, err := ci.resolved()
	if err != nil {
		return nil, err
	}
	if len(y) != d.Evaluations() {
		return nil, fmt.Errorf("%w: %d outputs for a Morris design of %d evaluations", ErrDesign, len(y), d.Evaluations())
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: output of design row %d is %v", ErrDesign, i, v)
		}
	}
	k, r := d.K, d.R
	ee := make([][]float64, k)
	for i := range ee {
		ee[i] = make([]float64, r)
	}
	for t := range r {
		for s := 1; s <= k; s++ {
			row := t*(k+1) + s
			ee[d.Changed[row]][t] = (y[row] - y[row-1]) / d.Step[row]
		}
	}
	res := &MorrisIndices{K: k, R: r, Level: ci.Level, Effects: ee, Resamples: ci.Resamples, Evaluations: d.Evaluations(),
		Mu: make([]float64, k), MuStar: make([]float64, k), Sigma: make([]float64, k)}
	idx := make([]int, r)
	for t := range idx {
		idx[t] = t
	}
	for i := range k {
		res.Mu[i], res.MuStar[i], res.Sigma[i] = morrisStats(ee[i], idx)
	}
	bmu, bms, bsd := make([][]float64, k), make([][]float64, k), make([][]float64, k)
	for i := range k {
		bmu[i], bms[i], bsd[i] = make([]float64, ci.Resamples), make([]float64, ci.Resamples), make([]float64, ci.Resamples)
	}
	rng := newRand(ci.Seed, 0x3055152)
	for b := range ci.Resamples {
		for t := range idx {
			idx[t] = rng.IntN(r)
		}
		for i := range k {
			bmu[i][b], bms[i][b], bsd[i][b] = morrisStats(ee[i], idx)
		}
	}
	res.MuLow, res.MuHigh, _ = sensPercentiles(bmu, ci.Level)
	res.MuStarLow, res.MuStarHigh, _ = sensPercentiles(bms, ci.Level)
	res.SigmaLow, res.SigmaHigh, _ = sensPercentiles(bsd, ci.Level)
	return res, nil
}

// morrisStats returns mean, mean absolute value and sd (n−1) of e over idx.
func morrisStats(e []float64, idx []int) (mu, muStar, sigma float64) {
	n := float64(len(idx))
	for _, t := range idx {
		mu += e[t]
		muStar += math.Abs(e[t])
	}
	mu /= n
	muStar /= n
	var ss float64
	for _, t := range idx {
		ss += (e[t] - mu) * (e[t] - mu)
	}
	return mu, muStar, math.Sqrt(ss / (n - 1))
}
