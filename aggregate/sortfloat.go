package aggregate

import (
	"math"
	"slices"
)

// floatSorter sorts samples of finite float64 values in increasing order with
// the same result as slices.Sort, bit for bit, in O(n) per sample: an LSD radix
// sort on the values' order-preserving unsigned keys (Knuth, TAOCP vol. 3,
// §5.2.5; the sign-flip key of Herf, "Radix Tricks", 2001), one byte per pass,
// skipping the passes in which every key has the same byte. The fans sort one
// sample per cell, variable and day (BenchmarkSortFloats).
//
// Equal values are indistinguishable except −0 and +0, which compare equal
// but differ in their bits: slices.Sort leaves them in an order that depends
// on the input, so a sample holding a −0 is sorted by slices.Sort itself.
// NaN and ±Inf must not occur (the fans drop them). A floatSorter reuses its
// buffers and must not be shared between goroutines.
type floatSorter struct {
	keys, tmp []uint64
}

// negZero is the bit pattern of −0.
const negZero = 1 << 63

// floatKey maps a float64 to an unsigned key with the same order: negative
// values have all bits flipped, others only the sign bit.
func floatKey(f float64) uint64 {
	b := math.Float64bits(f)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// floatOfKey inverts floatKey.
func floatOfKey(k uint64) float64 {
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// sort sorts x in place (see floatSorter).
func (s *floatSorter) sort(x []float64) {
	n := len(x)
	if n < 64 {
		slices.Sort(x)
		return
	}
	if cap(s.keys) < n {
		s.keys, s.tmp = make([]uint64, n), make([]uint64, n)
	}
	src, dst := s.keys[:n], s.tmp[:n]
	var cnt [8][256]int32
	for i, v := range x {
		b := math.Float64bits(v)
		if b == negZero {
			slices.Sort(x)
			return
		}
		u := floatKey(v)
		src[i] = u
		for p := range 8 {
			cnt[p][byte(u>>(8*p))]++
		}
	}
	for p := range 8 {
		c := &cnt[p]
		sh := uint(8 * p)
		if c[byte(src[0]>>sh)] == int32(n) {
			continue // every key has this byte: the pass would not move anything
		}
		var sum int32
		for i, k := range c {
			c[i], sum = sum, sum+k
		}
		for _, u := range src {
			b := byte(u >> sh)
			dst[c[b]] = u
			c[b]++
		}
		src, dst = dst, src
	}
	for i, u := range src {
		x[i] = floatOfKey(u)
	}
}
