package stats

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMeanCIMatchesR(t *testing.T) {
	ref := loadRRef(t)
	n := 0
	for _, l := range ref.lines {
		if l[0] != "tlo" && l[0] != "thi" {
			continue
		}
		conf, want := refFloat(t, l[2]), refFloat(t, l[3])
		_, _, lo, hi := MeanCI(ref.samples[l[1]], conf)
		got := lo
		if l[0] == "thi" {
			got = hi
		}
		if !refClose(got, want, 1e-10) {
			t.Errorf("sample %s conf %v %s: %.15g, R t.test %.15g", l[1], conf, l[0], got, want)
		}
		n++
	}
	if n < 12 {
		t.Fatalf("only %d reference intervals", n)
	}
}

func TestWilsonMatchesR(t *testing.T) {
	ref := loadRRef(t)
	n := 0
	for _, l := range ref.lines {
		if l[0] != "wilson" {
			continue
		}
		var k, nn int
		kn := strings.Split(l[1], "/")
		k, nn = int(refFloat(t, kn[0])), int(refFloat(t, kn[1]))
		conf := refFloat(t, l[2])
		w := refFloats(t, l[3])
		p, lo, hi := Wilson(k, nn, conf)
		if p != float64(k)/float64(nn) || !refClose(lo, w[0], 1e-12) || !refClose(hi, w[1], 1e-12) {
			t.Errorf("Wilson(%d, %d, %v) = %v [%.15g, %.15g], R prop.test [%.15g, %.15g]", k, nn, conf, p, lo, hi, w[0], w[1])
		}
		n++
	}
	if n != 16 {
		t.Fatalf("%d reference Wilson intervals, want 16", n)
	}
	if p, lo, hi := Wilson(0, 0, 0.95); !math.IsNaN(p) || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("Wilson(0, 0) is not NaN")
	}
}

// TestWilsonCoverage checks by simulation that the Wilson interval covers the
// true proportion at about its nominal level; the tolerance is 4 binomial
// standard errors of the coverage estimate plus the interval's known
// discreteness (its coverage oscillates around 95%, within about ±1.5% for
// these n and p; Brown, Cai & DasGupta 2001, Fig. 4).
func TestWilsonCoverage(t *testing.T) {
	reps := 4000
	if testing.Short() {
		reps = 1000
	}
	rng := rand.New(rand.NewPCG(11, 0))
	for _, c := range []struct {
		n int
		p float64
	}{{100, 0.3}, {200, 0.05}, {500, 0.5}} {
		cover := 0
		for range reps {
			k := 0
			for range c.n {
				if rng.Float64() < c.p {
					k++
				}
			}
			_, lo, hi := Wilson(k, c.n, 0.95)
			if lo <= c.p && c.p <= hi {
				cover++
			}
		}
		got := float64(cover) / float64(reps)
		se := math.Sqrt(0.95 * 0.05 / float64(reps))
		if math.Abs(got-0.95) > 4*se+0.015 {
			t.Errorf("n=%d p=%v: coverage %.4f, want 0.95 ± %.4f", c.n, c.p, got, 4*se+0.015)
		}
	}
}
