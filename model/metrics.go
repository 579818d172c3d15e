package model

import (
	"math"
	"slices"
)

// HHI returns the Herfindahl–Hirschman index Σ(100·s_i)² on the antitrust
// 0–10,000 scale (US Merger Guidelines 2023 §2.1) of a share vector (fractions
// summing to 1; zeros allowed).
func HHI(shares []float64) float64 {
	h := 0.0
	for _, s := range shares {
		h += s * s
	}
	return 1e4 * h
}

// Entropy returns the Shannon entropy −Σ s_i ln s_i in nats (0·ln 0 = 0).
func Entropy(shares []float64) float64 {
	e := 0.0
	for _, s := range shares {
		if s > 0 {
			e -= s * math.Log(s)
		}
	}
	return e
}

// EffectiveN returns the Hill number of order 2, 1/Σ s_i² (0 for no shares).
func EffectiveN(shares []float64) float64 {
	h := HHI(shares) / 1e4
	if h == 0 {
		return 0
	}
	return 1 / h
}

// sortedDesc copies shares into scratch (grown if needed) sorted descending.
func sortedDesc(shares, scratch []float64) []float64 {
	scratch = append(scratch[:0], shares...)
	slices.Sort(scratch)
	slices.Reverse(scratch)
	return scratch
}

// CR returns the k-firm concentration ratio: the sum of the k largest shares.
// scratch (may be nil) avoids an allocation when cap(scratch) ≥ len(shares).
func CR(shares []float64, k int, scratch []float64) float64 {
	s := sortedDesc(shares, scratch)
	sum := 0.0
	for i := 0; i < k && i < len(s); i++ {
		sum += s[i]
	}
	return sum
}

// Nakamoto returns the Nakamoto coefficient: the smallest number of providers
// whose shares sum above 0.5 (0 when no set does, e.g. no shares). scratch as in CR.
func Nakamoto(shares []float64, scratch []float64) int {
	s := sortedDesc(shares, scratch)
	sum := 0.0
	for i, x := range s {
		sum += x
		if sum > 0.5 {
			return i + 1
		}
	}
	return 0
}
