package calibrate_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tokensim/tokensim/calibrate"
	"github.com/tokensim/tokensim/garch"
)

// ExampleCalibrate calibrates a pegged regime on 1,500 simulated daily
// prices that revert to a peg of 1.0 at θ = 0.2 per day, with GARCH-t
// shocks: the AR(1) gives θ, the GARCH-t is fitted to its residuals.
func ExampleCalibrate() {
	shocks := garch.Simulate(garch.Params{Omega: 2e-6, Alpha: 0.15, Beta: 0.8, Nu: 5}, 1499, rand.New(rand.NewPCG(3, 4)))
	s := &calibrate.PriceSeries{}
	x, day := 0.0, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1500; i++ {
		if i > 0 {
			x = 0.8*x + shocks[i-1]
		}
		s.Dates = append(s.Dates, day.AddDate(0, 0, i))
		s.Prices = append(s.Prices, math.Exp(x))
	}
	c, err := calibrate.Calibrate(s, calibrate.CalibrateOptions{Peg: 1.0, VarianceTargeting: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("peg_reversion %.3f ± %.3f (true 0.2)\n", c.PegReversion(), c.AR.SETheta)
	fmt.Printf("alpha %.2f, beta %.2f, nu %.1f (true 0.15, 0.80, 5)\n", c.GARCH.Alpha, c.GARCH.Beta, c.GARCH.Nu)
	fmt.Printf("residual sd %.4f = unconditional sd %.4f (variance targeting)\n", c.GARCH.SampleSD, c.GARCH.UnconditionalSD)
	// Output:
	// peg_reversion 0.221 ± 0.022 (true 0.2)
	// alpha 0.12, beta 0.79, nu 5.2 (true 0.15, 0.80, 5)
	// residual sd 0.0057 = unconditional sd 0.0057 (variance targeting)
}
