package gsa

import (
	"fmt"
)

// LatinHypercube returns n points in [0,1)^k forming a Latin hypercube
// (McKay, Beckman and Conover 1979): in every coordinate each of the n strata
// [j/n, (j+1)/n) holds exactly one point, placed uniformly at random inside
// its stratum; the strata of different coordinates are paired by independent
// random permutations. The points are a pure function of (n, k, seed): a PCG
// source seeded with seed. Errors wrap ErrDesign.
func LatinHypercube(n, k int, seed uint64) ([][]float64, error) {
	if n < 1 || k < 1 {
		return nil, fmt.Errorf("%w: Latin hypercube of %d points in %d dimensions", ErrDesign, n, k)
	}
	rng := newRand(seed, 0x1a7e4c)
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, k)
	}
	for d := range k {
		perm := rng.Perm(n)
		for i, s := range perm {
			pts[i][d] = (float64(s) + rng.Float64()) / float64(n)
		}
	}
	return pts, nil
}
