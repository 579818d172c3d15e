package model

import (
	"math"
	"testing"
)

// TestWelfareFactorsMatchDirect checks the factored welfare terms
// (welfareFactors, welfareTerm) against the direct exp(a_i − b ln cost_i −
// risk) on the last day of runs whose token price moves (volatility, an
// algorithmic de-peg): the factorization is an identity, so they agree to
// a few ulp; and where the product of the factors overflows, welfareTerm
// falls back on the direct value.
func TestWelfareFactorsMatchDirect(t *testing.T) {
	for _, sc := range []string{ScenarioVolatility, ScenarioDepegAlgorithmic, ScenarioCentralization} {
		spec := benchSpec(300)
		spec.Schedule = Scenarios()[sc].Schedule
		spec.HorizonDays = 200
		s := lastDay(t, &spec)
		L := &s.llm
		s.welfareFactors(s.T)
		n := 0
		for _, i := range s.activeList {
			for g, b := range L.bNode {
				want := math.Exp(s.aNet[i] - b*s.lnCost[i] - L.risk)
				got := s.welfareTerm(int(i), g, L.wP[g], b)
				if math.Abs(got-want) > 1e-13*want {
					t.Errorf("%s: provider %d node %d: factored %v, direct %v", sc, i, g, got, want)
				}
				n++
			}
		}
		if n == 0 {
			t.Fatalf("%s: no active provider on the last day", sc)
		}
		i := int(s.activeList[0])
		L.wE[i] = math.Inf(1) // a factor out of range: the direct value
		b := L.bNode[3]
		if got, want := s.welfareTerm(i, 3, L.wP[3], b), math.Exp(s.aNet[i]-b*s.lnCost[i]-L.risk); got != want {
			t.Errorf("%s: fallback %v, want %v", sc, got, want)
		}
	}
}

// TestWelfareCacheAcrossRuns checks that the cached π^−b factors do not
// leak from one run into the next on a reused Runner: a run after a run
// with another price-sensitivity grid gives the bits of a fresh Runner.
func TestWelfareCacheAcrossRuns(t *testing.T) {
	a := benchSpec(200)
	a.HorizonDays = 20 // before the first pricing review: b's early days see a's list prices
	b := a
	b.HorizonDays = 60
	b.Params.Consumers.PriceWeight *= 1.7
	var reused, fresh Runner
	if _, err := reused.Run(&a, nil); err != nil {
		t.Fatal(err)
	}
	got, err := reused.Run(&b, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Run(&b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ConsumerWelfareUSD != want.ConsumerWelfareUSD || got.QACostUSDPerMtokMean != want.QACostUSDPerMtokMean {
		t.Errorf("reused Runner: welfare %v qa %v; fresh: %v %v", got.ConsumerWelfareUSD, got.QACostUSDPerMtokMean,
			want.ConsumerWelfareUSD, want.QACostUSDPerMtokMean)
	}
}

// lastDay runs spec and returns the run's state on its last day, with the
// spec and parameters Run drops at the end put back, for tests of the day's
// internal functions.
func lastDay(t *testing.T, spec *RunSpec) *sim {
	t.Helper()
	var r Runner
	if _, err := r.Run(spec, nil); err != nil {
		t.Fatal(err)
	}
	s := &r.sim
	s.spec, s.p = spec, &spec.Params
	return s
}
