package stats_test

import (
	"fmt"

	"github.com/tokensim/tokensim/stats"
)

// The Wilson score interval of an event probability, e.g. the fund was
// depleted in 17 of 40 runs (equals R's prop.test(17, 40, correct = FALSE)).
func ExampleWilson() {
	p, lo, hi := stats.Wilson(17, 40, 0.95)
	fmt.Printf("P = %.3f, 95%% CI [%.4f, %.4f]\n", p, lo, hi)
	p, lo, hi = stats.Wilson(0, 500, 0.95)
	fmt.Printf("P = %.3f, 95%% CI [%.4f, %.4f]\n", p, lo, hi)
	// Output:
	// P = 0.425, 95% CI [0.2851, 0.5780]
	// P = 0.000, 95% CI [0.0000, 0.0076]
}

// The Student-t interval of a mean.
func ExampleMeanCI() {
	mean, sd, lo, hi := stats.MeanCI([]float64{1.2, 0.8, 1.1, 0.9, 1.0}, 0.95)
	fmt.Printf("mean %.2f sd %.4f CI [%.4f, %.4f]\n", mean, sd, lo, hi)
	// Output:
	// mean 1.00 sd 0.1581 CI [0.8037, 1.1963]
}
