package aggregate

import (
	"math"
	"slices"
	"sync"
)

// resortDiv bounds daySorter's update: a day whose sample differs from the
// previous day's in more than len/resortDiv positions is sorted anew. Each
// changed position costs two binary searches and two moves of about half the
// sample (slices.Delete, slices.Insert): BenchmarkDaySorter on 500 values (a
// cell of the default study; a different day each iteration) times a sort
// at 31 µs and an update of 1, 16 and 31 (= 500/16) positions at 0.5, 5.8
// and 10 µs (loaded machine): up to len/16 the update is the faster, 3× at
// the limit.
const resortDiv = 16

// daySorter sorts the successive days' samples of one variable of one cell
// (fanCell.fans): sort returns the day's values in ascending order, the same
// bits slices.Sort of the values gives.
//
// Slowly changing variables keep most values from one day to the next (in
// the default study, satisfaction and n_active change in about 1 run in 50 a
// day), so when a day's sample has the previous day's length and differs from
// it (bitwise) in at most len/resortDiv positions, the previous day's sorted
// sample is updated instead: the old value of each changed position is
// removed (slices.BinarySearch, slices.Delete) and its new value inserted
// (slices.BinarySearch, slices.Insert). As multisets, today's sample is
// yesterday's minus the old values at the changed positions plus the new
// ones, whichever run each position holds, so the result is today's sample
// sorted. It is bit for bit slices.Sort's result: the values are finite, and
// when neither sample holds a −0, equal values have equal bits and the
// ascending arrangement is unique. A sample holding −0 (equal to +0 with
// other bits; where slices.Sort puts it among the +0s depends on the input
// order) is sorted by slices.Sort from row order, as is every other day.
type daySorter struct {
	prev    []float64 // the last sample, in row order (not modified)
	sorted  []float64 // prev sorted ascending (owned)
	negZero bool      // prev holds a −0
	changed []int     // scratch: positions where the new sample differs
	bits    []uint64  // scratch of sortByBits
}

// sort returns the sample x (finite values, not modified) sorted ascending,
// in a buffer that the next call overwrites. x is kept until the next call.
func (s *daySorter) sort(x []float64) []float64 {
	if !s.update(x) {
		s.sortNew(x)
	}
	s.prev = x
	return s.sorted
}

// sortNew sets s.sorted to x sorted (the bits of slices.Sort, by
// sortByBits when it can), and s.negZero.
func (s *daySorter) sortNew(x []float64) {
	s.sorted = append(s.sorted[:0], x...)
	if !sortByBits(s.sorted, &s.bits) {
		slices.Sort(s.sorted)
	}
	s.negZero = slices.ContainsFunc(x, isNegZero)
}

// sortByBits sorts x ascending by slices.Sort of its values' bit patterns
// (math.Float64bits) when every value is a non-negative number (+0 included)
// or +Inf, using *bits as scratch (grown when short), and reports whether it
// did; otherwise x is left as it was.
//
// Of non-negative IEEE 754 doubles, the greater value has the greater bit
// pattern read as an unsigned integer (sign bit clear; exponent, then
// fraction, in that order), +Inf above every finite one; and equal such
// values have equal bits (−0, whose sign bit is set, and NaN are refused).
// So the sorted patterns are the values sorted ascending, bit for bit what
// slices.Sort of the values gives, whose ascending arrangement is then
// unique. Sorting integers instead of floats spares each comparison
// cmp.Less's NaN tests: BenchmarkDaySorter times a 500-value day at 17 µs
// instead of 21 µs. The accumulated fan variables are non-negative (price,
// HHI, satisfaction, cost, providers active, top share; the peg deviation is
// derived from the sorted prices, pegDeviations).
func sortByBits(x []float64, bits *[]uint64) bool {
	const inf = 0x7ff0000000000000 // +Inf; greater patterns with the sign bit clear are NaN
	b := slices.Grow((*bits)[:0], len(x))[:len(x)]
	*bits = b
	for i, f := range x {
		u := math.Float64bits(f)
		if u > inf { // a sign bit set (negative, −0) or a NaN
			return false
		}
		b[i] = u
	}
	slices.Sort(b)
	for i, u := range b {
		x[i] = math.Float64frombits(u)
	}
	return true
}

// update turns s.sorted into x sorted when x differs from s.prev in few
// positions (see daySorter) and reports whether it did; when it reports
// false, s.sorted is to be rebuilt from x.
func (s *daySorter) update(x []float64) bool {
	if len(x) == 0 || len(x) != len(s.prev) || s.negZero {
		return false
	}
	limit := len(x) / resortDiv
	s.changed = s.changed[:0]
	for k, f := range x {
		if math.Float64bits(f) != math.Float64bits(s.prev[k]) {
			// Unchanged positions hold prev's values, which hold no −0.
			if len(s.changed) == limit || isNegZero(f) {
				return false
			}
			s.changed = append(s.changed, k)
		}
	}
	for _, k := range s.changed {
		i, found := slices.BinarySearch(s.sorted, s.prev[k])
		if !found { // s.sorted is not prev sorted: rebuild
			return false
		}
		s.sorted = slices.Delete(s.sorted, i, i+1)
		j, _ := slices.BinarySearch(s.sorted, x[k])
		s.sorted = slices.Insert(s.sorted, j, x[k])
	}
	return true
}

func isNegZero(f float64) bool { return f == 0 && math.Signbit(f) }

// pegDeviations appends to dst the finite peg deviations |p − peg| (computed
// as math.Abs(p-peg), as each row's deviation is) of the ascending finite
// prices p, in ascending order: the day's peg-deviation sample sorted, the
// same bits as slices.Sort of the rows' finite deviations gives.
//
// The prices below the peg have deviations falling as the price rises and
// those at or above it rising (subtracting peg rounds monotonically, and is
// zero only at p = peg), so a merge of the two sides from the peg outwards
// is the sorted sample; the deviations are never −0, so equal values have
// equal bits. When a deviation overflows (a non-finite peg, or prices and
// peg near ±MaxFloat64) the finite deviations are kept and sorted instead,
// as the rows' values are.
func pegDeviations(dst, p []float64, peg float64) []float64 {
	if n := len(p); n > 0 && !(isFinite(math.Abs(p[0]-peg)) && isFinite(math.Abs(p[n-1]-peg))) {
		start := len(dst)
		for _, f := range p {
			if d := math.Abs(f - peg); isFinite(d) {
				dst = append(dst, d)
			}
		}
		slices.Sort(dst[start:])
		return dst
	}
	j, _ := slices.BinarySearch(p, peg) // p[:j] < peg ≤ p[j:]
	i := j - 1
	for i >= 0 || j < len(p) {
		if j == len(p) || (i >= 0 && math.Abs(p[i]-peg) <= math.Abs(p[j]-peg)) {
			dst = append(dst, math.Abs(p[i]-peg))
			i--
		} else {
			dst = append(dst, math.Abs(p[j]-peg))
			j++
		}
	}
	return dst
}

// floatBufs is a free list of float64 arrays shared by the concurrent fan
// passes (computeFans): a pass's accumulators are one runs × days array per
// variable (1.5 MB for 500 runs × 366 days), and taking them from the
// passes that have ended saves clearing and faulting in fresh memory for
// every pass. The free list holds at most limit bytes (arrays beyond it are
// left to the garbage collector), so the accumulators take at most
// Options.FanMemoryBytes in use plus limit.
type floatBufs struct {
	mu    sync.Mutex
	limit int64 // bytes
	bytes int64 // held in free
	free  [][]float64
}

// get returns an array of length n from the free list, or a new one. Its
// contents are arbitrary: the accumulators only read what they appended.
func (b *floatBufs) get(n int) []float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, f := range b.free {
		if cap(f) >= n {
			b.free = slices.Delete(b.free, i, i+1)
			b.bytes -= int64(cap(f)) * 8
			return f[:n]
		}
	}
	return make([]float64, n)
}

// put returns f to the free list if it fits within the limit.
func (b *floatBufs) put(f []float64) {
	size := int64(cap(f)) * 8
	if size == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bytes+size <= b.limit {
		b.free = append(b.free, f)
		b.bytes += size
	}
}
