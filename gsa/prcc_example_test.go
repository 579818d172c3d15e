package gsa_test

import (
	"fmt"
	"math"

	"github.com/tokensim/tokensim/gsa"
)

// Partial rank correlations over a Latin hypercube of 100 points for
// y = exp(x₁) − 2x₂ + 0·x₃: a monotone increasing, a monotone decreasing and
// an inert input (whose PRCC is significant at 5% in about 5% of hypercubes:
// a valid test).
func ExamplePRCC() {
	x, err := gsa.LatinHypercube(100, 3, 2)
	if err != nil {
		panic(err)
	}
	y := make([]float64, len(x))
	for i, p := range x {
		y[i] = math.Exp(p[0]) - 2*p[1]
	}
	res, err := gsa.PRCC(x, y, 0.95)
	if err != nil {
		panic(err)
	}
	for i := range 3 {
		fmt.Printf("x%d: PRCC %+.2f significant at 5%%: %v\n", i+1, res.Coef[i], res.P[i] < 0.05)
	}
	// Output:
	// x1: PRCC +0.98 significant at 5%: true
	// x2: PRCC -0.99 significant at 5%: true
	// x3: PRCC +0.15 significant at 5%: false
}
