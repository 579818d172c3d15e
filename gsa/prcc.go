package gsa

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// PRCCResult holds partial rank correlation coefficients of an output with
// each of K inputs over N points (Marino et al. 2008, "A methodology for
// performing global uncertainty and sensitivity analysis in systems biology",
// J. Theor. Biol. 254, §2.4).
//
// Coef[i] is the correlation of the residuals of rank(x_i) and rank(y) after
// each is regressed (least squares, with intercept) on the ranks of the other
// K−1 inputs. T[i] = r·√(DF/(1−r²)) with DF = N−2−(K−1) degrees of freedom
// and P[i] its two-sided Student-t p-value. Low and High are the Fisher-z
// interval at Level: tanh(atanh r ± z_{(1+Level)/2}/√(N−3−(K−1))).
// Ranks are average ranks (ties share the mean rank). A coefficient whose
// residuals have zero variance (constant output, or an input collinear with
// the others) is NaN, as are its T, P and interval.
type PRCCResult struct {
	K, N, DF  int
	Level     float64
	Coef      []float64
	T, P      []float64
	Low, High []float64
}

// PRCC computes the partial rank correlation coefficients of y with each
// column of x (N rows of K inputs) and their p-values and intervals at level
// (0 means 0.95). It needs N > K+2 so that DF ≥ 1 and the interval is
// defined (N > K+1). Errors wrap ErrDesign.
func PRCC(x [][]float64, y []float64, level float64) (*PRCCResult, error) {
	if level == 0 {
		level = 0.95
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("%w: PRCC level %v outside (0,1)", ErrDesign, level)
	}
	n := len(y)
	if len(x) != n {
		return nil, fmt.Errorf("%w: PRCC with %d input rows and %d outputs", ErrDesign, len(x), n)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: PRCC of no points", ErrDesign)
	}
	k := len(x[0])
	if k < 1 {
		return nil, fmt.Errorf("%w: PRCC with no inputs", ErrDesign)
	}
	df := n - 2 - (k - 1)
	if df < 2 {
		return nil, fmt.Errorf("%w: PRCC needs more than K+2 = %d points, got %d", ErrDesign, k+2, n)
	}
	for i, row := range x {
		if len(row) != k {
			return nil, fmt.Errorf("%w: PRCC input row %d has %d values, want %d", ErrDesign, i, len(row), k)
		}
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: PRCC input row %d is not finite", ErrDesign, i)
			}
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, fmt.Errorf("%w: PRCC output %d is %v", ErrDesign, i, y[i])
		}
	}
	rx := make([][]float64, k)
	col := make([]float64, n)
	for j := range k {
		for i := range n {
			col[i] = x[i][j]
		}
		rx[j] = sensRanks(col)
	}
	ry := sensRanks(y)
	res := &PRCCResult{K: k, N: n, DF: df, Level: level,
		Coef: make([]float64, k), T: make([]float64, k), P: make([]float64, k),
		Low: make([]float64, k), High: make([]float64, k)}
	tdist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}
	zq := distuv.UnitNormal.Quantile((1 + level) / 2)
	for j := range k {
		// Regressors: intercept and the ranks of the other inputs.
		z := mat.NewDense(n, k, nil)
		for i := range n {
			z.Set(i, 0, 1)
			c := 1
			for m := range k {
				if m != j {
					z.Set(i, c, rx[m][i])
					c++
				}
			}
		}
		ex, ok1 := prccResidual(z, rx[j])
		ey, ok2 := prccResidual(z, ry)
		r := math.NaN()
		if ok1 && ok2 {
			r = prccCorr(ex, ey)
		}
		res.Coef[j] = r
		if math.IsNaN(r) {
			res.T[j], res.P[j], res.Low[j], res.High[j] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			continue
		}
		if math.Abs(r) >= 1 {
			res.T[j] = math.Copysign(math.Inf(1), r)
			res.P[j] = 0
			res.Low[j], res.High[j] = r, r
			continue
		}
		t := r * math.Sqrt(float64(df)/(1-r*r))
		res.T[j] = t
		res.P[j] = 2 * tdist.Survival(math.Abs(t))
		se := 1 / math.Sqrt(float64(n-3-(k-1)))
		res.Low[j] = math.Tanh(math.Atanh(r) - zq*se)
		res.High[j] = math.Tanh(math.Atanh(r) + zq*se)
	}
	return res, nil
}

// prccResidual returns v minus its least-squares fit on the columns of z, and
// false when the fit fails (rank-deficient z).
func prccResidual(z *mat.Dense, v []float64) ([]float64, bool) {
	n, _ := z.Dims()
	var qr mat.QR
	qr.Factorize(z)
	var beta mat.Dense
	if err := qr.SolveTo(&beta, false, mat.NewDense(n, 1, append([]float64(nil), v...))); err != nil {
		return nil, false
	}
	var fit mat.Dense
	fit.Mul(z, &beta)
	out := make([]float64, n)
	for i := range n {
		out[i] = v[i] - fit.At(i, 0)
	}
	return out, true
}

// prccCorr is the Pearson correlation of a and b; NaN if either is constant
// (sum of squares below 1e-12 of the squared scale).
func prccCorr(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	scale := float64(len(a)) * float64(len(a)) * float64(len(a)) // ranks are O(n): squares O(n³)
	if saa <= 1e-12*scale || sbb <= 1e-12*scale {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}

// sensRanks returns the average ranks (1-based) of v; ties share the mean of
// their ranks (scipy.stats.rankdata method "average").
func sensRanks(v []float64) []float64 {
	n := len(v)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, n)
	for i := 0; i < n; {
		j := i
		for j+1 < n && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for m := i; m <= j; m++ {
			r[idx[m]] = avg
		}
		i = j + 1
	}
	return r
}
