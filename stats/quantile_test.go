package stats

import (
	"bufio"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rRef holds the values of testdata/reference/reference_r.txt (made by
// reference.R with R 4.2: quantile type 7, t.test, prop.test).
type rRef struct {
	samples map[string][]float64
	lines   [][]string // kind, sample, arg, value
}

func loadRRef(t *testing.T) *rRef {
	t.Helper()
	f, err := os.Open("testdata/reference/reference_r.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref := &rRef{samples: map[string][]float64{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), ",", 4)
		if len(p) != 4 {
			t.Fatalf("bad reference line %q", sc.Text())
		}
		if p[0] == "sample" {
			ref.samples[p[1]] = refFloats(t, p[3])
			continue
		}
		ref.lines = append(ref.lines, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ref
}

func refFloats(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func refFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// closeTo reports |got − want| ≤ tol·max(1, |want|).
func refClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestQuantileMatchesR(t *testing.T) {
	ref := loadRRef(t)
	n := 0
	for _, l := range ref.lines {
		if l[0] != "quantile" {
			continue
		}
		x := slices.Clone(ref.samples[l[1]])
		slices.Sort(x)
		p, want := refFloat(t, l[2]), refFloat(t, l[3])
		if got := Quantile(p, x); !refClose(got, want, 1e-12) {
			t.Errorf("sample %s: Quantile(%v) = %.17g, R type 7 = %.17g", l[1], p, got, want)
		}
		n++
	}
	if n < 40 {
		t.Fatalf("only %d reference quantiles read", n)
	}
}

func TestQuantileEdges(t *testing.T) {
	if !math.IsNaN(Quantile(0.5, nil)) {
		t.Error("Quantile of empty sample is not NaN")
	}
	for _, p := range []float64{-0.01, 1.01, math.NaN()} {
		if !math.IsNaN(Quantile(p, []float64{1, 2})) {
			t.Errorf("Quantile(%v) is not NaN", p)
		}
	}
	x := []float64{1, 2, 3, 4}
	if got := Quantiles(nil, []float64{0, 0.5, 1}, x); !slices.Equal(got, []float64{1, 2.5, 4}) {
		t.Errorf("Quantiles = %v", got)
	}
}

func TestDescribeMatchesR(t *testing.T) {
	ref := loadRRef(t)
	want := map[string]map[string]float64{}
	for _, l := range ref.lines {
		if l[0] == "mean" || l[0] == "sd" || (l[0] == "tlo" || l[0] == "thi") && l[2] == "0.94999999999999996" {
			if want[l[1]] == nil {
				want[l[1]] = map[string]float64{}
			}
			want[l[1]][l[0]] = refFloat(t, l[3])
		}
	}
	for name, w := range want {
		x := ref.samples[name]
		d := Describe(append(slices.Clone(x), math.NaN(), math.Inf(1)), 0.95)
		if d.N != len(x) || d.Missing != 2 {
			t.Errorf("%s: N=%d Missing=%d, want %d, 2", name, d.N, d.Missing, len(x))
		}
		for k, got := range map[string]float64{"mean": d.Mean, "sd": d.SD, "tlo": d.MeanLo, "thi": d.MeanHi} {
			if !refClose(got, w[k], 1e-10) {
				t.Errorf("%s: %s = %.15g, R = %.15g", name, k, got, w[k])
			}
		}
		s := slices.Sorted(slices.Values(x))
		if d.Min != s[0] || d.Max != s[len(s)-1] || d.Median != Quantile(0.5, s) || d.P5 != Quantile(0.05, s) || d.P95 != Quantile(0.95, s) {
			t.Errorf("%s: order statistics %+v", name, d)
		}
	}
	one := Describe([]float64{42}, 0.95)
	if one.N != 1 || one.Mean != 42 || one.Median != 42 || !math.IsNaN(one.SD) || !math.IsNaN(one.MeanLo) {
		t.Errorf("Describe of one value: %+v", one)
	}
	none := Describe([]float64{math.NaN()}, 0.95)
	if none.N != 0 || none.Missing != 1 || !math.IsNaN(none.Mean) || !math.IsNaN(none.P5) {
		t.Errorf("Describe of no value: %+v", none)
	}
}
