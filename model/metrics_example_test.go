package model_test

import (
	"fmt"

	"github.com/tokensim/tokensim/model"
)

// The concentration of the spec's default day-0 market (MODEL-SPEC §7 shares).
func ExampleHHI() {
	shares := []float64{0.32, 0.25, 0.20, 0.10, 0.07, 0.06}
	h := model.HHI(shares)
	fmt.Printf("HHI %.0f: above 1,800 (2023 Guidelines: highly concentrated): %v\n", h, h > 1800)
	// Output: HHI 2234: above 1,800 (2023 Guidelines: highly concentrated): true
}

func ExampleEntropy() {
	fmt.Printf("%.4f nats\n", model.Entropy([]float64{0.5, 0.3, 0.2}))
	// Output: 1.0297 nats
}

func ExampleEffectiveN() {
	// Two equal firms and a fringe: the Hill number of order 2 counts "equivalent equal firms".
	fmt.Printf("%.3f\n", model.EffectiveN([]float64{0.45, 0.45, 0.1}))
	// Output: 2.410
}

func ExampleCR() {
	shares := []float64{0.06, 0.07, 0.10, 0.20, 0.25, 0.32}
	fmt.Printf("CR4 = %.2f\n", model.CR(shares, 4, nil))
	// Output: CR4 = 0.87
}

func ExampleNakamoto() {
	// The smallest coalition whose shares sum above one half.
	fmt.Println(model.Nakamoto([]float64{0.32, 0.25, 0.20, 0.10, 0.07, 0.06}, nil))
	fmt.Println(model.Nakamoto([]float64{0.5, 0.5}, nil)) // exactly 0.5 is not above one half
	// Output:
	// 2
	// 2
}
