package study

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestStudyDefaults: keys missing from the file take DefaultStudy's values
// and params start from model.Default().
func TestStudyDefaults(t *testing.T) {
	s, err := ParseStudy("s.yaml", []byte("name: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultStudy()
	d.Name = "x"
	if s.Seed != d.Seed || s.Replicates != d.Replicates || s.HorizonDays != d.HorizonDays ||
		!reflect.DeepEqual(s.Scenarios, d.Scenarios) || !reflect.DeepEqual(s.Policies, d.Policies) ||
		s.Outputs != d.Outputs || s.OutputRoot != d.OutputRoot || s.DiskBudgetGB != d.DiskBudgetGB {
		t.Errorf("parsed %+v, defaults %+v", s, d)
	}
	if !reflect.DeepEqual(s.Params, model.Default()) {
		t.Errorf("params differ from model.Default()")
	}
}

// TestParamsOverrides: nested overrides by dotted name, regimes merged by
// field (not replaced), provider rows by name, scientific notation without a
// decimal point read as numbers.
func TestParamsOverrides(t *testing.T) {
	src := `name: x
params:
  consumers: {review_rate: 0.05, total_demand_mtok_per_day: 3e7}
  market:
    depth_usd: .inf
    regimes:
      volatile: {nu: 5}
  providers:
    table:
      budget: {quality: 0.5}
disk_budget_gb: 1e2
`
	s, err := ParseStudy("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := model.Default()
	want.Consumers.ReviewRate = 0.05
	want.Consumers.TotalDemandMtokPerDay = 3e7
	want.Market.DepthUSD = s.Params.Market.DepthUSD
	v := want.Market.Regimes[model.RegimeVolatile]
	v.Nu = 5
	want.Market.Regimes[model.RegimeVolatile] = v
	want.Providers.Table[5].Quality = 0.5
	if !reflect.DeepEqual(s.Params, want) || s.DiskBudgetGB != 100 || s.Params.Market.DepthUSD < 1e308 {
		t.Errorf("params:\n got %+v\nwant %+v", s.Params, want)
	}
	// A whole provider table replaces the default one.
	s, err = ParseStudy("s.yaml", []byte(`name: x
params:
  centralization: {leader: a}
  providers:
    table:
      - {name: a, list_price_usd_per_mtok: 2, quality: 0.9, initial_share: 0.6}
      - {name: b, list_price_usd_per_mtok: 1, quality: 0.8, initial_share: 0.4}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Params.Providers.Table) != 2 || s.Params.Providers.Table[1].Name != "b" {
		t.Errorf("table %+v", s.Params.Providers.Table)
	}
}

// TestStudyErrors: each error wraps ErrStudy and names file, position and field.
func TestStudyErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"name: x\nfoo: 1\n", "s.yaml:2:1: foo: unknown field"},
		{"name: x\noutputs: {steps: yes please}\n", "s.yaml:2:18: outputs.steps: want true or false"},
		{"name: x\nreplicates: -3\n", "s.yaml:2:13: replicates: -3: must be at least 1"},
		{"name: x\nseed: -1\n", "s.yaml:2:7: seed: -1 is out of range for a whole number ≥ 0"},
		{"name: x\npolicies: [none, none]\n", "policies[1]: policy \"none\" listed twice"},
		{"name: x\nscenario_defs: {baseline: {}}\n", "scenario_defs.baseline: \"baseline\" is a built-in scenario"},
		{"name: x\nscenario_defs: {s: {base_regime: calm}}\nscenarios: [s]\n", "regime \"calm\" is not defined"},
		{"name: x\nsweeps: [{param: governance.mode, values: [1]}]\n", "sweeps take numeric parameters"},
		{"name: x\nsweeps: [{param: consumers.count, values: [10.5]}]\n", "sweeps[0].values[0]: want a whole number"},
		{"name: ../x\n", "name: \"../x\": use letters"},
		{"name: x\nparams: {network: 3}\n", "params.network: unknown parameter"},
		{"name: x\nparams: {network: {effect: [1, 2]}}\n", "params.network.effect: want a single value"},
		{"name: x\nparams: {providers: {table: [{name: a, colour: red}]}}\n", "params.providers.table"},
		{"---\nname: x\n---\nname: y\n", "one YAML document"},
		// A required key left out is reported at its enclosing block.
		{"name: x\nsensitivity:\n  method: morris\n  scenario: volatility\n  factors: [{param: fund.band, low: 0.01, high: 0.1}]\n  outputs: [peg_mad]\n",
			"s.yaml:2:1: sensitivity.samples: 0: must be at least 2"},
	} {
		_, err := ParseStudy("s.yaml", []byte(c.src))
		if err == nil || !errors.Is(err, ErrStudy) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant …%s…", c.src, err, c.want)
		}
	}
}
