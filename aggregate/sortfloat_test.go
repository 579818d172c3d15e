package aggregate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// floatSamples returns samples of the shapes the fans sort: a price-like
// continuum, a few distinct integers (n_active), wide positive ranges (HHI,
// USD), mixed signs with duplicates, subnormals and extremes, at sizes below
// and above the radix cut-over.
func floatSamples(r *rand.Rand) [][]float64 {
	var out [][]float64
	for _, n := range []int{0, 1, 2, 63, 64, 65, 500, 2001} {
		gens := []func() float64{
			func() float64 { return 1 + 0.01*r.NormFloat64() },
			func() float64 { return float64(3 + r.IntN(4)) },
			func() float64 { return 10000 * r.Float64() },
			func() float64 { return math.Round(r.NormFloat64()*4) / 4 },
			func() float64 { return r.NormFloat64() * math.Pow(10, float64(r.IntN(600)-300)) },
			func() float64 {
				return [...]float64{math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 0, 1, -1}[r.IntN(7)]
			},
		}
		for _, g := range gens {
			x := make([]float64, n)
			for i := range x {
				x[i] = g()
			}
			out = append(out, x)
		}
	}
	return out
}

// TestFloatSorterMatchesSlicesSort: floatSorter's result equals slices.Sort's
// bit for bit (order and signs of zeros included), for samples with and
// without −0 (the fallback).
func TestFloatSorterMatchesSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var s floatSorter
	samples := floatSamples(r)
	// −0 mixed with +0 (and other values): sorted by slices.Sort itself.
	for _, n := range []int{70, 500} {
		x := make([]float64, n)
		for i := range x {
			switch r.IntN(3) {
			case 0:
				x[i] = math.Copysign(0, -1)
			case 1:
				x[i] = 0
			default:
				x[i] = r.NormFloat64()
			}
		}
		samples = append(samples, x)
	}
	for k, x := range samples {
		want := slices.Clone(x)
		slices.Sort(want)
		got := slices.Clone(x)
		s.sort(got)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("sample %d (n=%d): element %d = %v (%#x), slices.Sort gives %v (%#x)", k, len(x), i, got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
			}
		}
	}
}

// TestFloatKeyOrder: floatKey preserves the order of finite values and
// floatOfKey inverts it.
func TestFloatKeyOrder(t *testing.T) {
	vals := []float64{-math.MaxFloat64, -1e300, -2, -1, -math.SmallestNonzeroFloat64, 0, math.SmallestNonzeroFloat64, 1e-300, 1, 2, 1e300, math.MaxFloat64}
	for i := range vals {
		if got := floatOfKey(floatKey(vals[i])); math.Float64bits(got) != math.Float64bits(vals[i]) {
			t.Errorf("floatOfKey(floatKey(%v)) = %v", vals[i], got)
		}
		if i > 0 && floatKey(vals[i-1]) >= floatKey(vals[i]) {
			t.Errorf("floatKey(%v) = %#x ≥ floatKey(%v) = %#x", vals[i-1], floatKey(vals[i-1]), vals[i], floatKey(vals[i]))
		}
	}
}

// BenchmarkSortFloats sorts 500-value samples (one cell-day of the default
// study's fans) of a price-like continuum with floatSorter and slices.Sort,
// reporting values sorted per second.
func BenchmarkSortFloats(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	src := make([][]float64, 256)
	for i := range src {
		src[i] = make([]float64, 500)
		for j := range src[i] {
			src[i][j] = 1 + 0.01*r.NormFloat64()
		}
	}
	for _, c := range []struct {
		name string
		sort func([]float64)
	}{{"radix", (&floatSorter{}).sort}, {"slices.Sort", slices.Sort[[]float64]}} {
		b.Run(c.name, func(b *testing.B) {
			w := make([]float64, 500)
			i := 0
			for b.Loop() {
				copy(w, src[i%len(src)])
				c.sort(w)
				i++
			}
			b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "values/s")
		})
	}
}
