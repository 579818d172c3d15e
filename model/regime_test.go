package model

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestRegimeEmbedsGARCH: Regime embeds garch.Params inline, so its JSON and
// YAML keys, its dotted parameter paths and strict decoding are those of
// the flat v0.1 struct (mu, omega, alpha, beta, nu, peg_reversion).
func TestRegimeEmbedsGARCH(t *testing.T) {
	p := DefaultV1() // the v1 regimes keep the fitted drift μ̂
	r := p.Market.Regimes[RegimePegged]
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"mu":0.000109,"omega":6.84e-7,"alpha":0.3677,"beta":0.6123,"nu":3.61,"peg_reversion":0.17}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	y, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Regime
	if err := yaml.UnmarshalWithOptions(y, &back, yaml.Strict()); err != nil || back != r {
		t.Errorf("YAML round trip: %+v, %v\n%s", back, err, y)
	}
	paths := ParamPaths(&p)
	for _, k := range []string{"mu", "omega", "alpha", "beta", "nu", "peg_reversion"} {
		if !slices.Contains(paths, "market.regimes.pegged."+k) {
			t.Errorf("ParamPaths lacks market.regimes.pegged.%s", k)
		}
	}
	if slices.Contains(paths, "market.regimes.pegged.params.mu") {
		t.Error("ParamPaths names the embedded struct")
	}
	if err := SetParam(&p, "market.regimes.volatile.beta", 0.85); err != nil || p.Market.Regimes[RegimeVolatile].Beta != 0.85 {
		t.Errorf("SetParam beta: %v, %+v", err, p.Market.Regimes[RegimeVolatile])
	}
	if v, err := GetParam(&p, "market.regimes.pegged.omega"); err != nil || v != 6.84e-7 {
		t.Errorf("GetParam omega = %v, %v", v, err)
	}
}
