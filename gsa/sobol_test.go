package gsa

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// sensReadCSV reads a numeric CSV (no header) from testdata/sensitivity.
func sensReadCSV(t testing.TB, name string) [][]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sensitivity", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([][]float64, len(recs))
	for i, r := range recs {
		out[i] = make([]float64, len(r))
		for j, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s line %d: %v", name, i+1, err)
			}
			out[i][j] = v
		}
	}
	return out
}

func TestSobolMatchesJoeKuoReference(t *testing.T) {
	for _, tc := range []struct {
		file string
		dim  int
	}{{"sobol_ref_d20_n256.csv", 20}, {"sobol_ref_d128_n32.csv", 128}} {
		want := sensReadCSV(t, tc.file)
		s, err := NewSobol(tc.dim, SobolOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			got := s.Next(nil)
			for d := range w {
				if got[d] != w[d] { // dyadic rationals: exact
					t.Fatalf("%s: point %d dim %d: got %v, want %v (scipy)", tc.file, i, d+1, got[d], w[d])
				}
			}
		}
	}
}

func TestSobolSeekAndSkip(t *testing.T) {
	a, _ := NewSobol(7, SobolOptions{})
	pts := a.Sample(100)
	b, _ := NewSobol(7, SobolOptions{Skip: 37})
	for i := 37; i < 100; i++ {
		got := b.Next(nil)
		for d := range got {
			if got[d] != pts[i][d] {
				t.Fatalf("skip 37: point %d dim %d: got %v want %v", i, d, got[d], pts[i][d])
			}
		}
	}
}

// Each coordinate of the first 2^m points of a (scrambled or not) Sobol
// sequence has exactly one point in every interval [k/2^m, (k+1)/2^m).
func TestSobolStratification(t *testing.T) {
	const m = 10
	for _, scr := range []bool{false, true} {
		s, err := NewSobol(40, SobolOptions{Scramble: scr, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		pts := s.Sample(1 << m)
		for d := range 40 {
			seen := make([]bool, 1<<m)
			for _, p := range pts {
				k := int(p[d] * (1 << m))
				if p[d] < 0 || p[d] >= 1 || seen[k] {
					t.Fatalf("scramble=%v dim %d: point %v breaks stratification", scr, d, p[d])
				}
				seen[k] = true
			}
		}
	}
}

func TestSobolScrambleSeeded(t *testing.T) {
	a, _ := NewSobol(5, SobolOptions{Scramble: true, Seed: 1})
	b, _ := NewSobol(5, SobolOptions{Scramble: true, Seed: 1})
	c, _ := NewSobol(5, SobolOptions{Scramble: true, Seed: 2})
	pa, pb, pc := a.Sample(64), b.Sample(64), c.Sample(64)
	same := true
	for i := range pa {
		for d := range pa[i] {
			if pa[i][d] != pb[i][d] {
				t.Fatal("same seed gave different scrambled points")
			}
			if pa[i][d] != pc[i][d] {
				same = false
			}
		}
	}
	if same {
		t.Fatal("different seeds gave identical scrambles")
	}
	// Scrambled means of a smooth integrand: ∫ Π(2x) over [0,1]^5 = 1.
	s, _ := NewSobol(5, SobolOptions{Scramble: true, Seed: 3})
	var sum float64
	const n = 1 << 12
	for range n {
		p := s.Next(nil)
		v := 1.0
		for _, x := range p {
			v *= 2 * x
		}
		sum += v
	}
	if math.Abs(sum/n-1) > 0.01 {
		t.Fatalf("scrambled QMC mean of Π2x = %v, want 1 ± 0.01", sum/n)
	}
}

func TestSobolDimErrors(t *testing.T) {
	for _, d := range []int{0, -1, SobolMaxDim + 1} {
		if _, err := NewSobol(d, SobolOptions{}); err == nil {
			t.Errorf("NewSobol(%d): want error", d)
		}
	}
}

// BenchmarkSobol reports Sobol points per second in 20 dimensions.
func BenchmarkSobol(b *testing.B) {
	s, _ := NewSobol(20, SobolOptions{Scramble: true, Seed: 1})
	p := make([]float64, 20)
	for b.Loop() {
		s.Next(p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
