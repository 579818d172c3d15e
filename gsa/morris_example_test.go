package gsa_test

import (
	"fmt"

	"github.com/tokensim/tokensim/gsa"
)

// Morris screening of y = 4x₁ + x₂² + 0·x₃ with 10 trajectories on a 4-level
// grid: x₁ is influential and linear (σ = 0), x₂ smaller and non-linear
// (its effects differ along the grid: σ > 0), x₃ inert.
func ExampleMorrisAnalyze() {
	d, err := gsa.NewMorrisDesign(10, 3, 4, 1)
	if err != nil {
		panic(err)
	}
	y := make([]float64, len(d.Points))
	for i, x := range d.Points {
		y[i] = 4*x[0] + x[1]*x[1]
	}
	res, err := gsa.MorrisAnalyze(d, y, gsa.SensitivityCI{Resamples: 100, Seed: 1})
	if err != nil {
		panic(err)
	}
	for i := range 3 {
		fmt.Printf("x%d: μ* %.2f σ %.2f\n", i+1, res.MuStar[i], res.Sigma[i])
	}
	// Output:
	// x1: μ* 4.00 σ 0.00
	// x2: μ* 0.93 σ 0.34
	// x3: μ* 0.00 σ 0.00
}
