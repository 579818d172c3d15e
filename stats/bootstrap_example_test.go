package stats_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tokensim/tokensim/stats"
)

// A BCa bootstrap interval of a mean paired difference (policy − none, by
// replicate), from an explicitly seeded stream.
func ExampleBootstrapMean() {
	d := []float64{-0.021, -0.018, -0.025, -0.019, -0.030, -0.016, -0.022, -0.024, -0.017, -0.020, -0.045, -0.019}
	rng := rand.New(rand.NewPCG(20261121, 1))
	lo, hi, err := stats.BootstrapMean(d, 2000, 0.95, stats.MethodBCa, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("95%% BCa interval [%.4f, %.4f] contains the mean: %v\n", lo, hi, lo < -0.023 && -0.023 < hi)
	// Output:
	// 95% BCa interval [-0.0300, -0.0201] contains the mean: true
}
