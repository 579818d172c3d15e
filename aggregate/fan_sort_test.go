package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tokensim/tokensim/stats"
)

// sortedRef is the reference daySorter replaces: slices.Sort of a copy.
func sortedRef(x []float64) []float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	return y
}

// sameBits reports whether a and b hold the same float64 bit patterns.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestDaySorterMatchesSort: over sequences of days whose samples change in
// 0 to all positions, change length, hold ties, +0 and −0, daySorter.sort
// returns slices.Sort's bits every day, and the update path is taken on the
// days that change in at most len/resortDiv positions and hold no −0.
func TestDaySorterMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	value := func(kind int) float64 {
		switch kind {
		case 0: // continuous
			return r.NormFloat64()
		case 1: // few distinct values: ties, +0
			return float64(r.IntN(5))
		default: // ties, +0 and −0
			return []float64{0, math.Copysign(0, -1), 1, -1}[r.IntN(4)]
		}
	}
	updates := 0
	for seq := range 60 {
		kind := seq % 3
		n := 1 + r.IntN(300)
		var s daySorter
		x := make([]float64, n)
		for i := range x {
			x[i] = value(kind)
		}
		for day := range 40 {
			if day > 0 {
				x = slices.Clone(x)
				switch r.IntN(6) {
				case 0: // a new length
					x = x[:1+r.IntN(len(x))]
				case 1: // every position
					for i := range x {
						x[i] = value(kind)
					}
				default: // a few positions
					for range r.IntN(max(1, len(x)/resortDiv) + 1) {
						x[r.IntN(len(x))] = value(kind)
					}
				}
			}
			prev, prevSorted := s.prev, slices.Clone(s.sorted)
			canUpdate := len(x) == len(prev) && !slices.ContainsFunc(prev, isNegZero) && !slices.ContainsFunc(x, isNegZero)
			changed := 0
			for i := range x {
				if canUpdate && math.Float64bits(x[i]) != math.Float64bits(prev[i]) {
					changed++
				}
			}
			got := s.sort(x)
			if want := sortedRef(x); !sameBits(got, want) {
				t.Fatalf("sequence %d (kind %d) day %d: daySorter %v, slices.Sort %v", seq, kind, day, got, want)
			}
			if canUpdate && changed <= len(x)/resortDiv {
				// The update path ran: check it against a rerun from the
				// previous state (sort would have given the same bits either way).
				s2 := daySorter{prev: prev, sorted: prevSorted}
				if !s2.update(x) {
					t.Fatalf("sequence %d day %d: %d of %d positions changed, no −0: update refused", seq, day, changed, len(x))
				}
				updates++
			}
		}
	}
	if updates < 100 {
		t.Fatalf("only %d days took the update path", updates)
	}
}

// TestSortByBits: sortByBits gives the bits of slices.Sort for samples of
// non-negative values (continuous, spanning subnormals to near MaxFloat64,
// ties, +0, +Inf), and refuses, leaving the sample as it was, any sample
// holding a negative value, a −0 or a NaN, wherever it stands.
func TestSortByBits(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	special := []float64{0, math.SmallestNonzeroFloat64, 0x1p-1022, 1, 1, math.MaxFloat64, math.Inf(1)}
	var bits []uint64
	sorted := 0
	for trial := range 400 {
		n := 1 + r.IntN(600)
		x := make([]float64, n)
		for i := range x {
			switch r.IntN(4) {
			case 0:
				x[i] = special[r.IntN(len(special))]
			case 1:
				x[i] = math.Abs(r.NormFloat64()) * math.Pow(2, float64(r.IntN(2000)-1000))
			default:
				x[i] = math.Abs(r.NormFloat64())
			}
		}
		if trial%4 == 3 { // one refused value at a random place
			x[r.IntN(n)] = []float64{-1e-300, -2, math.Copysign(0, -1), math.NaN(), math.Inf(-1)}[trial/4%5]
		}
		in := slices.Clone(x)
		ok := sortByBits(x, &bits)
		if trial%4 == 3 {
			if ok || !sameBits(x, in) {
				t.Fatalf("trial %d: a sample with %v: sortByBits = %v, sample changed: %v", trial, in, ok, !sameBits(x, in))
			}
			continue
		}
		if !ok {
			t.Fatalf("trial %d: a non-negative sample refused: %v", trial, in)
		}
		if want := sortedRef(in); !sameBits(x, want) {
			t.Fatalf("trial %d: sortByBits %v, slices.Sort %v", trial, x, want)
		}
		sorted++
	}
	if sorted < 250 {
		t.Fatalf("only %d samples sorted", sorted)
	}
}

// TestPegDeviations: the merge gives the bits of slices.Sort over the finite
// math.Abs(price − peg) of each price, for prices around the peg (some
// exactly at it, ties), and keeps only the finite deviations when they
// overflow or the peg is not finite.
func TestPegDeviations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ref := func(p []float64, peg float64) []float64 {
		var d []float64
		for _, f := range p {
			if v := math.Abs(f - peg); isFinite(v) {
				d = append(d, v)
			}
		}
		slices.Sort(d)
		return d
	}
	check := func(name string, p []float64, peg float64) {
		t.Helper()
		p = sortedRef(p)
		got := pegDeviations([]float64{42}, p, peg) // appends after dst's contents
		if got[0] != 42 || !sameBits(got[1:], ref(p, peg)) {
			t.Fatalf("%s: peg %v: got %v, want [42] + %v", name, peg, got, ref(p, peg))
		}
	}
	for i := range 200 {
		peg := 1.0
		n := r.IntN(60)
		p := make([]float64, n)
		for k := range p {
			switch r.IntN(4) {
			case 0:
				p[k] = peg // deviation +0
			case 1:
				p[k] = peg + float64(r.IntN(5)-2)/64 // ties on both sides
			default:
				p[k] = peg + r.NormFloat64()*0.05
			}
		}
		check(fmt.Sprint("random ", i), p, peg)
	}
	check("all below", []float64{0.5, 0.7, 0.9}, 1)
	check("all above", []float64{1, 1.5, 3}, 1)
	check("empty", nil, 1)
	check("overflow", []float64{-math.MaxFloat64, -1, 0, 1e308}, 1e308)
	check("NaN peg", []float64{0.5, 1, 2}, math.NaN())
	check("Inf peg", []float64{0.5, 1, 2}, math.Inf(1))
	if got := pegDeviations(nil, []float64{0.5, 1, 2}, math.NaN()); len(got) != 0 {
		t.Fatalf("NaN peg: %v, want no deviations", got)
	}
}

// TestFansMatchRowwise: fanCell.fans equals the computation it replaced, done
// here independently: every variable accumulated row by row (the peg
// deviation as math.Abs(price − peg) of each row), each day's finite values
// sorted by slices.Sort and described by stats.MeanSD and stats.Quantile.
// Runs miss days and values (NaN, ±Inf), two variables change in few runs a
// day, and one run reports a day twice; then, with arrays sized for fewer
// days than recorded and one run reporting a day more times than the cell
// has runs, the days beyond the arrays and the overflowing day (reallocated
// by append, not written over the next day's values) keep their values in
// row order.
func TestFansMatchRowwise(t *testing.T) {
	const runs, days = 40, 30
	for _, tc := range []struct {
		name          string
		capDays, reps int
	}{{"within the arrays", days + 1, 2}, {"beyond the arrays", days - 5, runs + 5}} {
		t.Run(tc.name, func(t *testing.T) { testFansMatchRowwise(t, runs, days, tc.capDays, tc.reps) })
	}
}

func testFansMatchRowwise(t *testing.T, runs, days, capDays, dupReps int) {
	peg := 1.0
	r := rand.New(rand.NewPCG(7, 8))
	var bufs floatBufs
	bufs.limit = 1 << 30
	fc := newFanCell(runs, capDays, &bufs)
	// Stale contents in a recycled array must not matter.
	for _, f := range fc.flat {
		for i := range f {
			f[i] = 1e9
		}
	}
	rowwise := make([][][]float64, fanNVar) // [variable][day] values in row order
	for v := range rowwise {
		rowwise[v] = make([][]float64, days+1)
	}
	slow := [fanNVar][]float64{3: make([]float64, runs), 5: make([]float64, runs)}
	for run := range runs {
		var dayIdx []int64
		var cols [fanNVar][]float64
		for d := range days {
			if r.IntN(10) == 0 {
				continue // a day this run did not record
			}
			reps := 1
			if run == 3 && d == 5 {
				reps = dupReps // the same day again
			}
			for range reps {
				dayIdx = append(dayIdx, int64(d))
				price := peg + r.NormFloat64()*0.1
				if r.IntN(7) == 0 {
					price = peg
				}
				for _, v := range []int{3, 5} {
					if d == 0 || r.IntN(20) == 0 {
						slow[v][run] = float64(r.IntN(4))
					}
				}
				row := [fanNVar]float64{price, math.Abs(price - peg), r.Float64() * 1e4, slow[3][run], r.ExpFloat64(), slow[5][run], r.Float64()}
				switch r.IntN(15) {
				case 0:
					row[2] = math.NaN()
				case 1:
					row[4] = math.Inf(1)
				case 2:
					row[0], row[1] = math.NaN(), math.NaN()
				}
				for v := range fanNVar {
					cols[v] = append(cols[v], row[v])
				}
			}
		}
		for v := range fanNVar {
			if v != fanPegDev {
				fc.addColumn(v, dayIdx, cols[v])
			}
			for k, d := range dayIdx {
				if isFinite(cols[v][k]) {
					rowwise[v][d] = append(rowwise[v][d], cols[v][k])
				}
			}
		}
	}
	g := &cellGroup{cell: 2, scenario: "s", policy: "p"}
	got := fc.fans(g, peg)
	for v, name := range FanVariables() {
		want := Fan{Cell: 2, Scenario: "s", Policy: "p", Variable: name, Unit: fanUnit(name)}
		for d, x := range rowwise[v] {
			if len(x) == 0 {
				continue
			}
			x = sortedRef(x)
			mean, _ := stats.MeanSD(x)
			want.Days = append(want.Days, int32(d))
			want.N = append(want.N, len(x))
			want.P5 = append(want.P5, stats.Quantile(0.05, x))
			want.P25 = append(want.P25, stats.Quantile(0.25, x))
			want.P50 = append(want.P50, stats.Quantile(0.5, x))
			want.P75 = append(want.P75, stats.Quantile(0.75, x))
			want.P95 = append(want.P95, stats.Quantile(0.95, x))
			want.Mean = append(want.Mean, mean)
		}
		f := got[v]
		if f.Variable != name || !slices.Equal(f.Days, want.Days) || !slices.Equal(f.N, want.N) {
			t.Fatalf("%s: days %v n %v, want %v %v", name, f.Days, f.N, want.Days, want.N)
		}
		for _, c := range []struct {
			col       string
			got, want []float64
		}{{"P5", f.P5, want.P5}, {"P25", f.P25, want.P25}, {"P50", f.P50, want.P50}, {"P75", f.P75, want.P75}, {"P95", f.P95, want.P95}, {"Mean", f.Mean, want.Mean}} {
			if !sameBits(c.got, c.want) {
				t.Errorf("%s %s: %v, want %v", name, c.col, c.got, c.want)
			}
		}
	}
	fc.release(&bufs)
	if len(bufs.free) != fanNAcc {
		t.Fatalf("released %d arrays, want %d", len(bufs.free), fanNAcc)
	}
}

// TestFloatBufs: arrays are reused when large enough, and the free list
// keeps at most its limit.
func TestFloatBufs(t *testing.T) {
	b := floatBufs{limit: 8 * 100}
	a := b.get(60)
	if len(a) != 60 {
		t.Fatalf("len %d", len(a))
	}
	b.put(a)
	if c := b.get(50); &c[0] != &a[0] || len(c) != 50 {
		t.Fatal("a large enough free array was not reused")
	}
	b.put(a)
	b.put(make([]float64, 50)) // 60 + 50 > 100 values: dropped
	if len(b.free) != 1 || b.bytes != 8*60 {
		t.Fatalf("free list %d arrays, %d bytes", len(b.free), b.bytes)
	}
	if c := b.get(70); &c[0] == &a[0] {
		t.Fatal("a too small array was reused")
	}
}

// BenchmarkDaySorter times one day of a 500-run sample (the default study's
// cell size) sorted by slices.Sort, by sortByBits and by daySorter's update with k changed
// positions (resortDiv allows up to 31): ns/op per day and values/s. Each
// iteration takes the next of 256 days (500 random walks; for update, a
// chain of days each differing from the one before in k positions, walked
// forth and back), so that the branch predictor cannot learn one day's
// comparisons.
func BenchmarkDaySorter(b *testing.B) {
	const n, ndays = 500, 256
	r := rand.New(rand.NewPCG(3, 4))
	walks := make([][]float64, ndays)
	for d := range walks {
		walks[d] = make([]float64, n)
		for i := range n {
			if d == 0 {
				walks[d][i] = r.NormFloat64()
			} else {
				walks[d][i] = walks[d-1][i] + 0.1*r.NormFloat64()
			}
		}
	}
	// The fan variables are non-negative: e^walk, a geometric walk.
	pos := make([][]float64, ndays)
	for d := range pos {
		pos[d] = make([]float64, n)
		for i, w := range walks[d] {
			pos[d][i] = math.Exp(w)
		}
	}
	b.Run("slices.Sort", func(b *testing.B) {
		buf := make([]float64, n)
		d := 0
		for b.Loop() {
			copy(buf, pos[d%ndays])
			slices.Sort(buf)
			d++
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "values/s")
	})
	b.Run("sortByBits", func(b *testing.B) {
		buf := make([]float64, n)
		var bits []uint64
		d := 0
		for b.Loop() {
			copy(buf, pos[d%ndays])
			if !sortByBits(buf, &bits) {
				b.Fatal("refused")
			}
			d++
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "values/s")
	})
	for _, k := range []int{1, 4, 16, 31} {
		b.Run(fmt.Sprintf("update/k=%d", k), func(b *testing.B) {
			chain := make([][]float64, ndays)
			chain[0] = walks[0]
			for d := 1; d < ndays; d++ {
				chain[d] = slices.Clone(chain[d-1])
				for _, i := range r.Perm(n)[:k] {
					chain[d][i] = r.NormFloat64()
				}
			}
			s := daySorter{}
			s.sort(chain[0])
			step := 0
			for b.Loop() {
				step++
				d := step % (2 * (ndays - 1)) // 0, 1, …, ndays−1, …, 1, 0, …
				if d >= ndays {
					d = 2*(ndays-1) - d
				}
				if !s.update(chain[d]) {
					b.Fatal("update refused")
				}
				s.prev = chain[d]
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "values/s")
		})
	}
}
