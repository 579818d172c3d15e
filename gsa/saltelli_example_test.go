package gsa_test

import (
	"fmt"
	"math"

	"github.com/tokensim/tokensim/gsa"
)

// Sobol indices of the Ishigami function (a = 7, b = 0.1) on [−π, π]³ from a
// Saltelli design of N = 4096 base points: analytic S1 = 0.314, 0.442, 0 and
// ST = 0.558, 0.442, 0.244.
func ExampleSaltelliAnalyze() {
	d, err := gsa.NewSaltelliDesign(4096, 3, false, gsa.SobolOptions{})
	if err != nil {
		panic(err)
	}
	y := make([]float64, len(d.Points))
	for i, u := range d.Points {
		x1, x2, x3 := math.Pi*(2*u[0]-1), math.Pi*(2*u[1]-1), math.Pi*(2*u[2]-1)
		y[i] = math.Sin(x1) + 7*math.Pow(math.Sin(x2), 2) + 0.1*math.Pow(x3, 4)*math.Sin(x1)
	}
	res, err := gsa.SaltelliAnalyze(d, y, gsa.SensitivityCI{Resamples: 200, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d evaluations\n", d.Evaluations())
	for i := range 3 {
		fmt.Printf("x%d: S1 %.2f ST %.2f\n", i+1, res.S1[i], res.ST[i])
	}
	// Output:
	// 20480 evaluations
	// x1: S1 0.31 ST 0.56
	// x2: S1 0.44 ST 0.44
	// x3: S1 -0.00 ST 0.24
}
