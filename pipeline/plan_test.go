package pipeline

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// TestResolvedYAMLRoundTrip: the resolved config parses back to the same study and bytes.
func TestResolvedYAMLRoundTrip(t *testing.T) {
	s := testStudy(t, `params: {market: {depth_usd: .inf}, consumers: {count: 123}}
sweeps: [{param: fund.band, values: [0.01, 0.03]}]
scenario_defs:
  crash: {based_on: volatility, shocks: [{day: 10, size: -0.4, duration_days: 2}], params: {network: {effect: 0.9}}}
policy_defs:
  big: {based_on: fund, params: {fund: {reserve_usd: 1e10}}}
`)
	s.Scenarios = append(s.Scenarios, "crash")
	s.Policies = append(s.Policies, "big")
	y1, err := s.ResolvedYAML()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := study.ParseStudy("resolved", y1)
	if err != nil {
		t.Fatalf("%v\n%s", err, y1)
	}
	y2, _ := s2.ResolvedYAML()
	if string(y1) != string(y2) {
		t.Errorf("not a fixed point:\n%s\n---\n%s", y1, y2)
	}
	p1, _ := NewPlan(s)
	p2, _ := NewPlan(s2)
	if p1.Hash() != p2.Hash() || !reflect.DeepEqual(p1.Cells, p2.Cells) {
		t.Errorf("plans differ after the round trip")
	}
}

// TestPlanCells: order, resolution (params, scenario, policy, sweep) and run ids.
func TestPlanCells(t *testing.T) {
	s := testStudy(t, `scenarios: [centralization, crash]
policies: [none, big]
params: {network: {effect: 0.1}, fund: {band: 0.05}}
sweeps:
  - {param: share_cap.cap, values: [0.3, 0.5]}
  - {param: consumers.vol_window_days, values: [7, 21]}
scenario_defs:
  crash: {based_on: volatility, params: {market: {jump_sd: 0.1}}}
policy_defs:
  big: {based_on: fund, params: {fund: {reserve_usd: 1e10}}}
`)
	p := testPlan(t, s, 0)
	if len(p.Cells) != 16 || p.Runs() != 160 || p.Chunks() != 1 {
		t.Fatalf("%d cells, %d runs, %d chunks", len(p.Cells), p.Runs(), p.Chunks())
	}
	c := p.Cells[5] // centralization × big × (0.3, 21)
	if c.Label() != "centralization/big share_cap.cap=0.3 consumers.vol_window_days=21" {
		t.Errorf("cell 5 is %s", c.Label())
	}
	if c.Params.Network.Effect != 0.8 || !c.Params.Fund.Enabled || c.Params.Fund.ReserveUSD != 1e10 ||
		c.Params.Fund.Band != 0.05 || c.Params.ShareCap.Cap != 0.3 || c.Params.Consumers.VolWindowDays != 21 {
		t.Errorf("cell 5 params: %+v", c.Params)
	}
	crash := p.Cells[8]
	if crash.Scenario != "crash" || crash.Params.Market.JumpSD != 0.1 || len(crash.Schedule.Shocks) != 2 ||
		crash.Params.Network.Effect != 0.1 {
		t.Errorf("crash cell: %s %+v", crash.Label(), crash.Schedule)
	}
	for id := int64(0); id < p.Runs(); id++ {
		cell, rep := p.CellOf(id)
		if p.RunID(cell, rep) != id {
			t.Fatalf("run id %d → (%d, %d) → %d", id, cell, rep, p.RunID(cell, rep))
		}
		spec := p.Spec(id)
		if spec.Replicate != rep || spec.RunID != id || spec.Seed != 7 {
			t.Fatalf("spec of %d: %+v", id, spec)
		}
	}
	p.ChunkRuns = 64
	if from, to := p.ChunkRange(2); p.Chunks() != 3 || from != 128 || to != 160 {
		t.Errorf("chunks %d, last range %d..%d", p.Chunks(), from, to)
	}
}

// TestPlanErrorsKeepCause: a bad parameter, in the study's params, in a
// sweep value or in a policy definition, reaches NewPlan's caller as an
// error matching both study.ErrStudy and the model's sentinel.
func TestPlanErrorsKeepCause(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      error
	}{
		{"base params", "params: {fund: {band: -0.5}}\n", model.ErrInvalidParam},
		{"sweep value", "sweeps: [{param: fund.band, values: [0.01, -0.5]}]\n", model.ErrInvalidParam},
		{"unknown param", "params: {fund: {bandwidth: 0.1}}\n", model.ErrUnknownParam},
		{"policy definition", "policies: [none, wide]\npolicy_defs:\n  wide: {based_on: fund, params: {fund: {band: -0.5}}}\n", model.ErrInvalidParam},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := study.ParseStudy("t.yaml", []byte("name: t\n"+c.src))
			if err == nil {
				_, err = NewPlan(s)
			}
			if !errors.Is(err, study.ErrStudy) || !errors.Is(err, c.want) {
				t.Errorf("err = %v; want it to match study.ErrStudy and %v", err, c.want)
			}
		})
	}
	// A plan built from a Study value (no file) whose cell parameters are
	// invalid only after the sweep is applied.
	s := study.DefaultStudy()
	s.Name = "t"
	s.Sweeps = []study.Sweep{{Param: "fund.band", Values: []float64{-0.5}}}
	if _, err := NewPlan(s); !errors.Is(err, model.ErrInvalidParam) {
		t.Errorf("Study value with a bad sweep: err = %v, want model.ErrInvalidParam", err)
	}
}
