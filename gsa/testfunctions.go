package gsa

import "math"

// GFunction is the Sobol G-function, a standard test function of
// sensitivity methods (Saltelli and Sobol' 1995), Π (|4u−2| + a_i)/(1 + a_i) on [0,1]^k.
func GFunction(a []float64) func([]float64) float64 {
	return func(u []float64) float64 {
		p := 1.0
		for i, ai := range a {
			p *= (math.Abs(4*u[i]-2) + ai) / (1 + ai)
		}
		return p
	}
}

// GFunctionIndices returns the analytic indices of the G-function:
// V_i = 1/(3(1+a_i)²), V = Π(1+V_i) − 1, S_i = V_i/V,
// ST_i = V_i Π_{j≠i}(1+V_j)/V, S_ij = V_iV_j/V (Saltelli and Sobol' 1995).
func GFunctionIndices(a []float64) (s1, st []float64, s2 [][]float64) {
	k := len(a)
	vi := make([]float64, k)
	prod := 1.0
	for i, ai := range a {
		vi[i] = 1 / (3 * (1 + ai) * (1 + ai))
		prod *= 1 + vi[i]
	}
	v := prod - 1
	s1, st = make([]float64, k), make([]float64, k)
	s2 = sensNaNMatrix(k)
	for i := range k {
		s1[i] = vi[i] / v
		st[i] = vi[i] * prod / (1 + vi[i]) / v
		for j := i + 1; j < k; j++ {
			s2[i][j] = vi[i] * vi[j] / v
		}
	}
	return
}
