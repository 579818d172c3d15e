package gsa

import (
	"fmt"
	"math"
	"sort"

	"github.com/tokensim/tokensim/stats"
)

// SensitivityCI configures the bootstrap confidence intervals of the
// sensitivity indices (Sobol, Morris): Resamples resamples of the base
// points (Sobol) or trajectories (Morris) with replacement, drawn from a PCG
// source seeded with Seed, and percentile intervals at Level (Efron and
// Tibshirani 1993, §13.3). The zero value means 1,000 resamples at 95%.
type SensitivityCI struct {
	Resamples int
	Level     float64
	Seed      uint64
}

func (c SensitivityCI) resolved() (SensitivityCI, error) {
	if c.Resamples == 0 {
		c.Resamples = 1000
	}
	if c.Level == 0 {
		c.Level = 0.95
	}
	if c.Resamples < 10 {
		return c, fmt.Errorf("%w: bootstrap resamples %d < 10", ErrDesign, c.Resamples)
	}
	if !(c.Level > 0 && c.Level < 1) {
		return c, fmt.Errorf("%w: confidence level %v outside (0,1)", ErrDesign, c.Level)
	}
	return c, nil
}

// SaltelliDesign is the sampling scheme of Saltelli (2002) and Saltelli et al.
// (2010) on the unit cube [0,1)^K: two N×K matrices A and B from the first and
// last K coordinates of a 2K-dimensional Sobol sequence, and for each factor i
// the matrix A_B^(i) (A with column i from B); with SecondOrder also B_A^(i)
// (B with column i from A). That is N(K+2) model evaluations, or N(2K+2)
// with second order.
//
// Points holds the rows in blocks of Stride() per base point j, in the order
// A_j, A_B^(1)_j … A_B^(K)_j, [B_A^(1)_j … B_A^(K)_j,] B_j (the layout of
// SALib), so the rows of one base point are adjacent.
type SaltelliDesign struct {
	N, K        int
	SecondOrder bool
	Points      [][]float64
}

// NewSaltelliDesign builds the design for N base points and K factors from
// the Sobol sequence configured by opt (dimension 2K ≤ SobolMaxDim). N should
// be a power of two: the first 2^m Sobol points are a balanced net, any other
// count loses that balance (the estimators stay consistent). Errors wrap
// ErrDesign.
func NewSaltelliDesign(n, k int, secondOrder bool, opt SobolOptions) (*SaltelliDesign, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w: Saltelli base sample N = %d < 2", ErrDesign, n)
	}
	if k < 1 || 2*k > SobolMaxDim {
		return nil, fmt.Errorf("%w: Saltelli design needs 1 ≤ K ≤ %d factors, got %d", ErrDesign, SobolMaxDim/2, k)
	}
	seq, err := NewSobol(2*k, opt)
	if err != nil {
		return nil, err
	}
	d := &SaltelliDesign{N: n, K: k, SecondOrder: secondOrder}
	stride := d.Stride()
	d.Points = make([][]float64, 0, n*stride)
	p := make([]float64, 2*k)
	for range n {
		seq.Next(p)
		a, b := p[:k], p[k:]
		d.Points = append(d.Points, append([]float64(nil), a...))
		for i := range k {
			row := append([]float64(nil), a...)
			row[i] = b[i]
			d.Points = append(d.Points, row)
		}
		if secondOrder {
			for i := range k {
				row := append([]float64(nil), b...)
				row[i] = a[i]
				d.Points = append(d.Points, row)
			}
		}
		d.Points = append(d.Points, append([]float64(nil), b...))
	}
	return d, nil
}

// Stride returns the number of rows per base point: K+2, or 2K+2 with second order.
func (d *SaltelliDesign) Stride() int {
	if d.SecondOrder {
		return 2*d.K + 2
	}
	return d.K + 2
}

// Evaluations returns the number of model evaluations, N·Stride().
func (d *SaltelliDesign) Evaluations() int { return d.N * d.Stride() }

// SobolIndices are first-order, total and (optionally) second-order Sobol
// sensitivity indices with bootstrap percentile intervals at Level. S2[i][j]
// is filled for i < j only (NaN elsewhere) and is nil without second order.
// Variance is the output variance estimated from A and B. An output with
// zero variance has NaN indices.
type SobolIndices struct {
	K                       int
	Level                   float64
	Variance                float64
	S1, S1Low, S1High, S1SE []float64
	ST, STLow, STHigh, STSE []float64
	S2, S2Low, S2High, S2SE [][]float64
	Resamples               int
	Evaluations, BasePoints int
}

// SaltelliAnalyze estimates the Sobol indices from y, the model output at
// d.Points (len(y) = d.Evaluations()), with V = population variance of the
// 2N outputs at A and B:
//
//	first order  S_i  = mean(f(B)·(f(A_B^i) − f(A))) / V          (Saltelli et al. 2010, Table 2 (b))
//	total        ST_i = mean((f(A) − f(A_B^i))²) / (2V)           (Jansen 1999; Saltelli et al. 2010 (f))
//	second order S_ij = mean(f(B_A^i)·f(A_B^j) − f(A)·f(B)) / V − S_i − S_j   (Saltelli 2002, as SALib)
//
// The outputs are centred on the mean m of the 2N outputs at A and B before
// the products are taken (f ← f − m; the differences are unchanged). This
// leaves the estimators' expectations unchanged but removes the term
// m·mean(f(A_B^i) − f(A)), whose noise grows with the output's offset from
// zero (e.g. a common shift of all outputs in a Monte Carlo replicate).
// An output whose variance is zero (up to rounding: V ≤ 10⁻²⁴m²) has NaN
// indices.
//
// Intervals resample the N base points with replacement (ci). Non-finite
// outputs are an error naming the row.
func SaltelliAnalyze(d *SaltelliDesign, y []float64, ci SensitivityCI) (*SobolIndices, error) {
	ci, err := ci.resolved()
	if err != nil {
		return nil, err
	}
	if len(y) != d.Evaluations() {
		return nil, fmt.Errorf("%w: %d outputs for a Saltelli design of %d evaluations", ErrDesign, len(y), d.Evaluations())
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: output of design row %d is %v", ErrDesign, i, v)
		}
	}
	k := d.K
	idx := make([]int, d.N)
	for j := range idx {
		idx[j] = j
	}
	est := saltelliEstimate(d, y, idx)
	res := &SobolIndices{K: k, Level: ci.Level, Variance: est.v, S1: est.s1, ST: est.st, S2: est.s2,
		Resamples: ci.Resamples, Evaluations: d.Evaluations(), BasePoints: d.N}
	nb := ci.Resamples
	bs1 := make([][]float64, k)
	bst := make([][]float64, k)
	for i := range k {
		bs1[i] = make([]float64, nb)
		bst[i] = make([]float64, nb)
	}
	var bs2 [][][]float64
	if d.SecondOrder {
		bs2 = make([][][]float64, k)
		for i := range k {
			bs2[i] = make([][]float64, k)
			for j := i + 1; j < k; j++ {
				bs2[i][j] = make([]float64, nb)
			}
		}
	}
	rng := newRand(ci.Seed, 0x5a1731)
	for b := range nb {
		for j := range idx {
			idx[j] = rng.IntN(d.N)
		}
		e := saltelliEstimate(d, y, idx)
		for i := range k {
			bs1[i][b], bst[i][b] = e.s1[i], e.st[i]
			for j := i + 1; d.SecondOrder && j < k; j++ {
				bs2[i][j][b] = e.s2[i][j]
			}
		}
	}
	res.S1Low, res.S1High, res.S1SE = sensPercentiles(bs1, ci.Level)
	res.STLow, res.STHigh, res.STSE = sensPercentiles(bst, ci.Level)
	if d.SecondOrder {
		res.S2Low, res.S2High, res.S2SE = sensNaNMatrix(k), sensNaNMatrix(k), sensNaNMatrix(k)
		for i := range k {
			lo, hi, se := sensPercentiles(bs2[i][i+1:], ci.Level)
			copy(res.S2Low[i][i+1:], lo)
			copy(res.S2High[i][i+1:], hi)
			copy(res.S2SE[i][i+1:], se)
		}
	}
	return res, nil
}

type saltelliEst struct {
	v      float64
	s1, st []float64
	s2     [][]float64
}

// saltelliEstimate computes the point estimates over the base points idx
// (a bootstrap resample or 0..N−1).
func saltelliEstimate(d *SaltelliDesign, y []float64, idx []int) saltelliEst {
	k, stride := d.K, d.Stride()
	n := float64(len(idx))
	// Variance of the 2n outputs at A and B (two-pass for accuracy).
	var mean float64
	for _, j := range idx {
		mean += y[j*stride] + y[j*stride+stride-1]
	}
	mean /= 2 * n
	var v float64
	for _, j := range idx {
		a, b := y[j*stride]-mean, y[j*stride+stride-1]-mean
		v += a*a + b*b
	}
	v /= 2 * n
	if v <= 1e-24*mean*mean {
		v = math.NaN() // constant output (up to rounding): indices undefined
	}
	e := saltelliEst{v: v, s1: make([]float64, k), st: make([]float64, k)}
	for i := range k {
		var s1, st float64
		for _, j := range idx {
			base := j * stride
			fa, fb, fab := y[base], y[base+stride-1], y[base+1+i]
			s1 += (fb - mean) * (fab - fa)
			st += (fa - fab) * (fa - fab)
		}
		e.s1[i] = s1 / n / v
		e.st[i] = st / (2 * n) / v
	}
	if d.SecondOrder {
		e.s2 = sensNaNMatrix(k)
		for i := range k {
			for jj := i + 1; jj < k; jj++ {
				var s float64
				for _, j := range idx {
					base := j * stride
					fa, fb := y[base], y[base+stride-1]
					s += (y[base+1+k+i]-mean)*(y[base+1+jj]-mean) - (fa-mean)*(fb-mean)
				}
				e.s2[i][jj] = s/n/v - e.s1[i] - e.s1[jj]
			}
		}
	}
	return e
}

func sensNaNMatrix(k int) [][]float64 {
	m := make([][]float64, k)
	for i := range m {
		m[i] = make([]float64, k)
		for j := range m[i] {
			m[i][j] = math.NaN()
		}
	}
	return m
}

// sensPercentiles returns, for each row of bootstrap replicates, the
// percentile interval at level (type 7 quantiles of the sorted replicates)
// and the bootstrap standard error (sd, n−1). Rows with a NaN give NaN.
func sensPercentiles(reps [][]float64, level float64) (lo, hi, se []float64) {
	lo, hi, se = make([]float64, len(reps)), make([]float64, len(reps)), make([]float64, len(reps))
	for i, r := range reps {
		s := append([]float64(nil), r...)
		nan := false
		for _, v := range s {
			if math.IsNaN(v) {
				nan = true
				break
			}
		}
		if nan || len(s) < 2 {
			lo[i], hi[i], se[i] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		sort.Float64s(s)
		alpha := (1 - level) / 2
		lo[i] = stats.Quantile(alpha, s)
		hi[i] = stats.Quantile(1-alpha, s)
		_, se[i] = stats.MeanSD(s)
	}
	return lo, hi, se
}
