package study

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStudySizeLimits (items 3, 11): more than MaxCells cells or MaxRuns runs
// are refused by Validate with the counts, and a file over MaxStudyBytes is
// refused before it is parsed.
func TestStudySizeLimits(t *testing.T) {
	var vals []string
	for i := 0; i < 600; i++ {
		vals = append(vals, fmt.Sprint(0.1+float64(i)/1000))
	}
	src := "name: x\nsweeps:\n  - {param: network.effect, values: [" + strings.Join(vals, ",") + "]}\n" +
		"  - {param: share_cap.cap, values: [" + strings.Join(vals[:200], ",") + "]}\n"
	_, err := ParseStudy("x.yaml", []byte(src))
	if !errors.Is(err, ErrStudy) || !strings.Contains(err.Error(), "1920000 cells") || !strings.Contains(err.Error(), "at most 262144 cells") {
		t.Errorf("16 × 600 × 200 cells: %v", err)
	}
	_, err = ParseStudy("x.yaml", []byte("name: x\nreplicates: 1000000000\nsweeps:\n  - {param: network.effect, values: ["+strings.Join(vals, ",")+"]}\n"))
	if !errors.Is(err, ErrStudy) || !strings.Contains(err.Error(), "x.yaml:2:13: replicates: 9600 cells × 1000000000 replicates") {
		t.Errorf("9.6·10¹² runs: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, append([]byte("name: x\n# "), make([]byte, MaxStudyBytes)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadStudy(big); !errors.Is(err, ErrStudy) || !strings.Contains(err.Error(), "at most") {
		t.Errorf("oversized file: %v", err)
	}
}

// TestStudyHostileInput covers issue 16 items 2 (tags), 4 (quoted keys),
// 7 (BOM) and 11 (a whole float where an integer is wanted).
func TestStudyHostileInput(t *testing.T) {
	bad := []struct{ src, want string }{
		// Item 2: a tag on a list key made goccy/go-yaml dereference nil.
		{"name: a\nscenarios: !!seq\n", "t.yaml:2:12: scenarios: YAML tag !!seq: tags are not supported"},
		{"name: a\npolicies: !x\n", "t.yaml:2:11: policies: YAML tag !x"},
		{"name: a\nsweeps: !x\n", "t.yaml:2:9: sweeps: YAML tag !x"},
		{"name: a\nparams: {network: {effect: !!float 0.5}}\n", "YAML tag !!float"},
		// Item 11.
		{"name: a\nreplicates: 1e9\n", "t.yaml:2:13: replicates: want a whole number; 1e9 is a float — write 1000000000"},
		{"name: a\nreplicates: 2.5\n", "t.yaml:2:13: replicates: want a whole number, got 2.5"},
		{"name: a\nhorizon_days: 3.65e2\n", "horizon_days: want a whole number; 3.65e2 is a float — write 365"},
		{"name: a\nreplicates: 1e30\n", "replicates: 1e+30 is out of range for a whole number"},
	}
	for _, c := range bad {
		_, err := ParseStudy("t.yaml", []byte(c.src))
		if !errors.Is(err, ErrStudy) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant …%s…", c.src, err, c.want)
		}
	}
	good := []struct{ src string }{
		{"\ufeffname: a\nreplicates: 3\n"},                                                          // item 7: BOM
		{`{"name": "a", "replicates": 3, "params": {"network": {"effect": 0.5}}}`},                  // item 4: JSON syntax
		{"name: a\nreplicates: 3\nparams: {\"network\": {effect: 0.5}}\n"},                          // item 4
		{"name: a\nreplicates: 3\nparams:\n  'network':\n    \"effect\": 0.5\n"},                    // item 4
		{"name: a\nreplicates: 3\nscenario_defs:\n  x: {params: {\"network\": {'effect': 0.5}}}\n"}, // item 4
	}
	for _, c := range good {
		s, err := ParseStudy("t.yaml", []byte(c.src))
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if s.Name != "a" || s.Replicates != 3 {
			t.Errorf("%q: name %q, replicates %d", c.src, s.Name, s.Replicates)
		}
		if strings.Contains(c.src, "params: {") && !strings.Contains(c.src, "scenario_defs") && s.Params.Network.Effect != 0.5 {
			t.Errorf("%q: network.effect %v", c.src, s.Params.Network.Effect)
		}
	}
	s, err := ParseStudy("t.yaml", []byte("name: a\nscenarios: [baseline]\nscenario_defs:\n  x: {params: {\"network\": {'effect': 0.25}}}\n"))
	if err != nil || len(s.ScenarioDefs["x"].Params) != 1 || s.ScenarioDefs["x"].Params[0].Path != "network.effect" {
		t.Errorf("quoted keys in a definition: %v %+v", err, s)
	}
}

// TestUnlistedDefsValidated (item 9): a definition that is not listed is
// validated like a listed one.
func TestUnlistedDefsValidated(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"name: a\nscenarios: [baseline]\nscenario_defs:\n  x: {base_regime: nosuch}\n", "scenario_defs.x.base_regime: scenario x: regime \"nosuch\" is not defined"},
		{"name: a\npolicies: [none]\npolicy_defs:\n  p: {params: {fund: {band: -5}}}\n", "t.yaml:4:29: policy_defs.p.params.fund.band: scenario baseline × policy p: fund.band = -5: must be in [0, 1)"},
		{"name: a\nscenarios: [baseline]\nscenario_defs:\n  x: {based_on: nosuch}\n", "scenario_defs.x.based_on: unknown built-in scenario"},
	} {
		_, err := ParseStudy("t.yaml", []byte(c.src))
		if !errors.Is(err, ErrStudy) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant …%s…", c.src, err, c.want)
		}
	}
	// The same definitions listed fail the same way.
	_, err := ParseStudy("t.yaml", []byte("name: a\npolicies: [p]\npolicy_defs:\n  p: {params: {fund: {band: -5}}}\n"))
	if !errors.Is(err, ErrStudy) {
		t.Errorf("listed: %v", err)
	}
}
