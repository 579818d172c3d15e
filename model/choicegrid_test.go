package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestChoiceGridMatchesChoose checks the event engine's shortcut against
// choose on the last day of runs in several markets (the outside option on
// and off, a share cap with closed providers, volatile prices): for
// consumers across the price-sensitivity distribution and beyond it, every
// current provider (none, outside, each provider, a gone one) and uniform
// v, the grid's choice, when it settles one, is choose's; and it settles
// most of them (else the shortcut would be dead weight), the choices of
// closed providers' own customers too.
func TestChoiceGridMatchesChoose(t *testing.T) {
	type market struct {
		name string
		edit func(*RunSpec)
	}
	for _, m := range []market{
		{"default", func(*RunSpec) {}},
		{"no outside option", func(sp *RunSpec) { sp.Params.Outside.Enabled = false }},
		{"share cap 0.2", func(sp *RunSpec) {
			sp.Params.ShareCap.Enabled, sp.Params.ShareCap.Cap = true, 0.2
			sp.Schedule = Scenarios()[ScenarioCentralization].Schedule
		}},
		{"volatility, switching cost 0", func(sp *RunSpec) {
			sp.Schedule = Scenarios()[ScenarioVolatility].Schedule
			sp.Params.Consumers.SwitchingCost = 0
		}},
		{"algorithmic de-peg", func(sp *RunSpec) { sp.Schedule = Scenarios()[ScenarioDepegAlgorithmic].Schedule }},
		{"indexed pricing, volatile", func(sp *RunSpec) { // P_ref moves daily: it enters the outside row only
			sp.Schedule = Scenarios()[ScenarioVolatility].Schedule
			sp.Params.Pricing.RepriceIntervalDays = 0
		}},
	} {
		spec := benchSpec(500)
		spec.HorizonDays = 150
		m.edit(&spec)
		s := lastDay(t, &spec)
		s.buildChoiceGrid(s.T)
		if !s.cg.ok {
			t.Fatalf("%s: grid off on the last day", m.name)
		}
		closed := 0
		ks := []int32{-1, kOutside}
		for i := range s.provs {
			ks = append(ks, int32(i))
			if s.provs[i].active && s.provs[i].closed {
				closed++
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		cp := &spec.Params.Consumers
		settled, n := 0, 0
		ownSettled, own := 0, 0 // customers of a closed provider (keepsClosed)
		for x := 0; x < 60000; x++ {
			b := cp.PriceWeight * math.Exp(cp.PriceWeightSigma*(4*rng.NormFloat64()/3))
			k := ks[rng.IntN(len(ks))]
			v := rng.Float64()
			want := s.choose(b, k, v)
			got, ok := s.chooseOnGrid(b, k, v)
			n++
			if s.keepsClosed(k) {
				own++
				if ok {
					ownSettled++
				}
			}
			if !ok {
				continue
			}
			settled++
			if got != want {
				t.Fatalf("%s: b=%v k=%d v=%v: grid chose %d, choose %d", m.name, b, k, v, got, want)
			}
		}
		t.Logf("%s: %d providers closed; the grid settled %.1f%% of %d choices", m.name, closed, 100*float64(settled)/float64(n), n)
		if settled < n/2 {
			t.Errorf("%s: the grid settled only %d of %d choices", m.name, settled, n)
		}
		if own < closed*1000 || ownSettled < own/2 {
			t.Errorf("%s: the grid settled %d of %d choices of closed providers' customers", m.name, ownSettled, own)
		}
	}
}

// TestNodeRow checks the grid's node values, built by products, against
// exp(−m h x) directly: within 1e−13 relative (choiceGridMargin is 1e−10).
func TestNodeRow(t *testing.T) {
	row := make([]float64, choiceGridRow)
	for _, c := range []struct{ h, x float64 }{{0.0135, 1.7}, {0.0135, -2.2}, {0.05, 9}, {0.01, 0}} {
		if !nodeRow(row, c.h, c.x) {
			t.Fatalf("h=%v x=%v: nodeRow failed", c.h, c.x)
		}
		for m, got := range row {
			if want := math.Exp(-float64(m) * c.h * c.x); math.Abs(got-want) > 1e-13*want {
				t.Errorf("h=%v x=%v node %d: %v, want %v", c.h, c.x, m, got, want)
			}
		}
	}
	if nodeRow(row, 1, 800) { // q = e^−800 underflows
		t.Error("nodeRow accepted an underflowing ratio")
	}
}

// TestChoiceGridChangesNoRun runs every built-in scenario × policy and
// random parameter sets (robust_test's randomParams: extreme sensitivities,
// switching costs, caps, outside option on and off) with and without the
// grid: every runs column is the same to the bit.
func TestChoiceGridChangesNoRun(t *testing.T) {
	type cell struct {
		name string
		spec RunSpec
	}
	var cells []cell
	for _, sc := range append(ScenarioNames(), ScenarioDepegAlgorithmic) {
		for _, pol := range PolicyNames() {
			p, err := Resolve(Default(), Scenarios()[sc], Policies()[pol])
			if err != nil {
				t.Fatal(err)
			}
			p.Consumers.Count = 300
			cells = append(cells, cell{sc + "/" + pol, RunSpec{Params: p, Schedule: Scenarios()[sc].Schedule, HorizonDays: 150, Seed: 9}})
		}
	}
	rng := rand.New(rand.NewPCG(21, 22))
	nRandom := 30
	if testing.Short() {
		nRandom = 8
	}
	for c := 0; c < nRandom; c++ {
		p, sch, T := randomParams(rng)
		p.Model.Engine = EngineEvent
		cells = append(cells, cell{fmt.Sprintf("random %d", c), RunSpec{Params: p, Schedule: sch, HorizonDays: T, Seed: 9, Replicate: c}})
	}
	var on, off Runner
	off.sim.cg.off = true
	for _, c := range cells {
		a, errA := on.Run(&c.spec, nil)
		b, errB := off.Run(&c.spec, nil)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("%s: with the grid %v, without %v", c.name, errA, errB)
		}
		if errA != nil {
			continue // extreme random runs may stop early (robust_test covers them)
		}
		va, vb := runsValues(&a), runsValues(&b)
		for name, x := range va {
			if y := vb[name]; math.Float64bits(x) != math.Float64bits(y) {
				t.Errorf("%s: %s = %v with the grid, %v without", c.name, name, x, y)
			}
		}
	}
}
