package stats

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestBootIntervalMatchesScipy feeds the samples and resample means of
// testdata/reference/bca_reference.json (made by bca_reference.py) to the
// interval code and compares with scipy's BCa (and numpy's percentile).
func TestBootIntervalMatchesScipy(t *testing.T) {
	b, err := os.ReadFile("testdata/reference/bca_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref) != 4 {
		t.Fatalf("%d reference cases, want 4", len(ref))
	}
	get := func(c map[string]json.RawMessage, k string) []float64 {
		var v []float64
		if err := json.Unmarshal(c[k], &v); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return v
	}
	for name, c := range ref {
		x, star := get(c, "x"), get(c, "star")
		for _, tc := range []struct {
			conf   float64
			key    string
			method string
		}{{0.95, "bca_0.95", MethodBCa}, {0.90, "bca_0.9", MethodBCa}, {0.95, "pct_0.95", MethodPercentile}, {0.90, "pct_0.9", MethodPercentile}} {
			want := get(c, tc.key)
			lo, hi := BootstrapInterval(x, slices.Clone(star), tc.conf, tc.method)
			if !refClose(lo, want[0], 1e-9) || !refClose(hi, want[1], 1e-9) {
				t.Errorf("%s %s: [%.12g, %.12g], scipy [%.12g, %.12g]", name, tc.key, lo, hi, want[0], want[1])
			}
		}
	}
}

func TestBootstrapMeanEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi, err := BootstrapMean([]float64{3, 3, 3, math.NaN()}, 200, 0.95, MethodBCa, rng)
	if err != nil || lo != 3 || hi != 3 {
		t.Errorf("constant sample: [%v, %v] %v", lo, hi, err)
	}
	lo, hi, err = BootstrapMean([]float64{1}, 200, 0.95, MethodPercentile, rng)
	if err != nil || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("one value: [%v, %v] %v", lo, hi, err)
	}
	if _, _, err := BootstrapMean([]float64{1, 2}, 200, 0.95, "studentized", rng); err == nil {
		t.Error("unknown method accepted")
	}
	if _, _, err := BootstrapMean([]float64{1, 2}, 0, 0.95, MethodBCa, rng); err == nil {
		t.Error("b = 0 accepted")
	}
	// Determinism: the same seed gives the same interval.
	x := []float64{0.1, 2, 0.5, 7, 1.5, 0.2, 3.3}
	a1, a2, _ := BootstrapMean(x, 500, 0.95, MethodBCa, rand.New(rand.NewPCG(5, 6)))
	b1, b2, _ := BootstrapMean(x, 500, 0.95, MethodBCa, rand.New(rand.NewPCG(5, 6)))
	if a1 != b1 || a2 != b2 {
		t.Error("same seed, different interval")
	}
}

// TestBootstrapJointMatchesSingle checks that the joint resampling of several
// columns gives each column the same resample means as resampling it alone
// with the same stream would.
func TestBootstrapJointMatchesSingle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, m, b := 37, 3, 50
	d := make([]float64, n*m)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	joint := ResampleMeansRows(d, m, b, rand.New(rand.NewPCG(9, 9)))
	for j := range m {
		col := make([]float64, n)
		for i := range n {
			col[i] = d[i*m+j]
		}
		single := ResampleMeans(col, b, rand.New(rand.NewPCG(9, 9)))
		for k := range b {
			if !refClose(joint[k*m+j], single[k], 1e-12) {
				t.Fatalf("column %d resample %d: joint %v, single %v", j, k, joint[k*m+j], single[k])
			}
		}
	}
}

// TestBootstrapCoverage checks by simulation that the 95% bootstrap
// intervals of a mean cover the true mean about 95% of the time, for a
// skewed distribution (gamma, shape 4: skewness 1) at n = 100. Tolerance:
// 4 binomial standard errors of the coverage estimate, plus 1.5 points for
// the bootstrap's known small-sample undercoverage (about 1 point for the
// percentile method at this n and skewness; Efron & Tibshirani 1993 Table 14.2).
func TestBootstrapCoverage(t *testing.T) {
	reps, b := 1500, 1000
	if testing.Short() {
		reps, b = 300, 500
	}
	const n, shape, conf = 100, 4.0, 0.95
	rng := rand.New(rand.NewPCG(2026, 11))
	for _, method := range []string{MethodBCa, MethodPercentile} {
		cover := 0
		x := make([]float64, n)
		for range reps {
			for i := range x {
				x[i] = bootGammaInt(rng, int(shape))
			}
			lo, hi, err := BootstrapMean(x, b, conf, method, rng)
			if err != nil {
				t.Fatal(err)
			}
			if lo <= shape && shape <= hi {
				cover++
			}
		}
		got := float64(cover) / float64(reps)
		tol := 4*math.Sqrt(conf*(1-conf)/float64(reps)) + 0.015
		t.Logf("%s: coverage %.4f over %d samples", method, got, reps)
		if math.Abs(got-conf) > tol {
			t.Errorf("%s: coverage %.4f, want %.2f ± %.4f", method, got, conf, tol)
		}
	}
}

// gammaInt draws Gamma(k, 1) for integer k as a sum of k exponentials.
func bootGammaInt(rng *rand.Rand, k int) float64 {
	var s float64
	for range k {
		s += rng.ExpFloat64()
	}
	return s
}

// resampleMeansRowsRef is ResampleMeansRows one row at a time, as first
// written: the reference its four-row loop must equal bit for bit.
func resampleMeansRowsRef(d []float64, m, b int, rng *rand.Rand) []float64 {
	n := len(d) / m
	star := make([]float64, b*m)
	inv := 1 / float64(n)
	for k := range b {
		acc := star[k*m : (k+1)*m]
		for range n {
			row := d[rng.IntN(n)*m:]
			for j := range acc {
				acc[j] += row[j]
			}
		}
		for j := range acc {
			acc[j] *= inv
		}
	}
	return star
}

// TestResampleMeansRowsMatchesRowByRow: the unrolled resampling gives the
// same resample means, bit for bit, as adding one drawn row at a time, for
// row counts that are and are not multiples of four.
func TestResampleMeansRowsMatchesRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 5))
	for _, nm := range [][2]int{{1, 1}, {2, 3}, {4, 1}, {7, 5}, {37, 3}, {500, 29}} {
		n, m, b := nm[0], nm[1], 40
		d := make([]float64, n*m)
		for i := range d {
			d[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6))
		}
		got := ResampleMeansRows(d, m, b, rand.New(rand.NewPCG(2, uint64(n))))
		want := resampleMeansRowsRef(d, m, b, rand.New(rand.NewPCG(2, uint64(n))))
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("n=%d m=%d: element %d = %v, row by row %v", n, m, i, got[i], want[i])
			}
		}
	}
}

// BenchmarkResampleMeansRows resamples one paired comparison of the default
// study (500 replicate pairs, 30 metrics, B = 2,000), reporting resampled
// rows per second.
func BenchmarkResampleMeansRows(b *testing.B) {
	const n, m, nb = 500, 30, 2000
	rng := rand.New(rand.NewPCG(1, 2))
	d := make([]float64, n*m)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	for b.Loop() {
		ResampleMeansRows(d, m, nb, rng)
	}
	b.ReportMetric(float64(n*nb*b.N)/b.Elapsed().Seconds(), "rows/s")
}
