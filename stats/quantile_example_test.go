package stats_test

import (
	"fmt"
	"slices"

	"github.com/tokensim/tokensim/stats"
)

// Quantiles by Hyndman–Fan type 7, as R's quantile(x, type = 7) and numpy's
// percentile(x, method = "linear").
func ExampleQuantile() {
	x := []float64{3.1, -0.4, 2.7, 9.9, 0.0, 5.5, 1.25, 7.0, 2.7, 4.4}
	slices.Sort(x)
	for _, p := range []float64{0.05, 0.25, 0.5, 0.75, 0.95} {
		fmt.Printf("Q(%.2f) = %.4f\n", p, stats.Quantile(p, x))
	}
	// Output:
	// Q(0.05) = -0.2200
	// Q(0.25) = 1.6125
	// Q(0.50) = 2.9000
	// Q(0.75) = 5.2250
	// Q(0.95) = 8.5950
}

// Describe gives the per-cell summary of one metric across runs.
func ExampleDescribe() {
	d := stats.Describe([]float64{0.031, 0.029, 0.035, 0.040, 0.027, 0.033}, 0.95)
	fmt.Printf("n=%d mean=%.4f 95%% CI [%.4f, %.4f] sd=%.4f median=%.4f\n", d.N, d.Mean, d.MeanLo, d.MeanHi, d.SD, d.Median)
	// Output:
	// n=6 mean=0.0325 95% CI [0.0276, 0.0374] sd=0.0046 median=0.0320
}
