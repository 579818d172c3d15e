package gsa_test

import (
	"fmt"

	"github.com/tokensim/tokensim/gsa"
)

// The first points of the two-dimensional Sobol sequence (Joe–Kuo direction
// numbers), unscrambled: the origin, then the dyadic net.
func ExampleSobol() {
	s, err := gsa.NewSobol(2, gsa.SobolOptions{})
	if err != nil {
		panic(err)
	}
	for range 5 {
		fmt.Println(s.Next(nil))
	}
	// Output:
	// [0 0]
	// [0.5 0.5]
	// [0.75 0.25]
	// [0.25 0.75]
	// [0.375 0.375]
}
