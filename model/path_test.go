package model

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestSetGetParam(t *testing.T) {
	cases := []struct {
		path  string
		value any
		want  any                 // GetParam after SetParam
		field func(p *Params) any // the struct field it must land in
	}{
		{"share_cap.cap", 0.3, 0.3, func(p *Params) any { return p.ShareCap.Cap }},
		{"consumers.review_rate", float32(0.25), 0.25, func(p *Params) any { return p.Consumers.ReviewRate }},
		{"consumers.count", 3000, 3000, func(p *Params) any { return p.Consumers.Count }},
		{"consumers.count", 500.0, 500, func(p *Params) any { return p.Consumers.Count }}, // whole float accepted
		{"consumers.count", uint8(7), 7, func(p *Params) any { return p.Consumers.Count }},
		{"market.depth_usd", 1e10, 1e10, func(p *Params) any { return p.Market.DepthUSD }},
		{"fund.enabled", true, true, func(p *Params) any { return p.Fund.Enabled }},
		{"governance.mode", "stake_vote", "stake_vote", func(p *Params) any { return p.Governance.Mode }},
		{"centralization.leader", "budget", "budget", func(p *Params) any { return p.Centralization.Leader }},
		{"market.regimes.volatile.nu", 5, 5.0, func(p *Params) any { return p.Market.Regimes["volatile"].Nu }},
		{"market.regimes.pegged.peg_reversion", 0.2, 0.2, func(p *Params) any { return p.Market.Regimes["pegged"].PegReversion }},
		{"providers.table.budget.quality", 0.85, 0.85, func(p *Params) any { return p.Providers.Table[5].Quality }},
		{"providers.table.frontier_a.list_price_usd_per_mtok", 5, 5.0, func(p *Params) any { return p.Providers.Table[0].ListPriceUSDPerMtok }},
		{"providers.hold_days", int64(5), 5, func(p *Params) any { return p.Providers.HoldDays }},
	}
	for _, c := range cases {
		p := Default().Clone()
		if err := SetParam(&p, c.path, c.value); err != nil {
			t.Errorf("SetParam(%s, %v): %v", c.path, c.value, err)
			continue
		}
		got, err := GetParam(&p, c.path)
		if err != nil {
			t.Errorf("GetParam(%s): %v", c.path, err)
			continue
		}
		if got != c.want {
			t.Errorf("GetParam(%s) = %v (%T), want %v (%T)", c.path, got, got, c.want, c.want)
		}
		if f := c.field(&p); f != c.want {
			t.Errorf("%s: field holds %v, want %v", c.path, f, c.want)
		}
	}
}

func TestSetParamLeavesOthersAlone(t *testing.T) {
	p := Default().Clone()
	if err := SetParam(&p, "market.regimes.volatile.alpha", 0.2); err != nil {
		t.Fatal(err)
	}
	want := Default()
	r := want.Market.Regimes["volatile"]
	r.Alpha = 0.2
	want.Market.Regimes["volatile"] = r
	if !reflect.DeepEqual(p, want) {
		t.Errorf("setting one regime field changed other fields:\n got %+v\nwant %+v", p.Market.Regimes, want.Market.Regimes)
	}
}

func TestSetParamNewRegime(t *testing.T) {
	p := Default().Clone()
	if err := SetParam(&p, "market.regimes.crash.omega", 1e-4); err != nil {
		t.Fatal(err)
	}
	r, ok := p.Market.Regimes["crash"]
	if !ok || r.Omega != 1e-4 || r.Alpha != 0 || r.Nu != 0 {
		t.Errorf("new regime = %+v (present %v), want omega 1e-4 and zero values elsewhere", r, ok)
	}
	// A half-defined regime must not validate (ν = 0).
	if err := p.Validate(); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), "market.regimes.crash.nu") {
		t.Errorf("Validate of a half-defined regime = %v, want an error at market.regimes.crash.nu", err)
	}
}

func TestSetParamTypeErrors(t *testing.T) {
	cases := []struct {
		path  string
		value any
		want  string
	}{
		{"consumers.count", 0.5, "whole number"},
		{"consumers.count", "2000", "whole number"},
		{"pricing.twap_days", 7.25, "whole number"},
		{"fund.enabled", 1, "true or false"},
		{"fund.enabled", "yes", "true or false"},
		{"share_cap.cap", "0.4", "number"},
		{"share_cap.cap", true, "number"},
		{"governance.mode", 1, "string"},
		{"share_cap.cap", nil, "no value"},
	}
	for _, c := range cases {
		p := Default().Clone()
		err := SetParam(&p, c.path, c.value)
		if err == nil {
			t.Errorf("SetParam(%s, %#v) accepted", c.path, c.value)
			continue
		}
		if errors.Is(err, ErrUnknownParam) {
			t.Errorf("SetParam(%s, %#v): a type error must not wrap ErrUnknownParam: %v", c.path, c.value, err)
		}
		if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetParam(%s, %#v) = %q; want the path and %q", c.path, c.value, err, c.want)
		}
		if !reflect.DeepEqual(p, Default()) {
			t.Errorf("SetParam(%s, %#v) failed but changed p", c.path, c.value)
		}
	}
}

func TestUnknownParam(t *testing.T) {
	for _, path := range []string{
		"", "nope", "consumers.nope", "consumers", "market.regimes", "market.regimes.pegged",
		"share_cap.cap.extra", "providers.table.frontier_z.quality", "providers.table.budget",
		"providers.table.budget.nope", "market.regimes.pegged.gamma", "Consumers.ReviewRate",
	} {
		p := Default().Clone()
		if err := SetParam(&p, path, 1.0); !errors.Is(err, ErrUnknownParam) {
			t.Errorf("SetParam(%q) = %v, want ErrUnknownParam", path, err)
		}
		if _, err := GetParam(&p, path); !errors.Is(err, ErrUnknownParam) {
			t.Errorf("GetParam(%q) = %v, want ErrUnknownParam", path, err)
		}
	}
	// GetParam does not create regimes.
	p := Default().Clone()
	if _, err := GetParam(&p, "market.regimes.crash.omega"); !errors.Is(err, ErrUnknownParam) {
		t.Errorf("GetParam of an undefined regime = %v, want ErrUnknownParam", err)
	}
	if _, ok := p.Market.Regimes["crash"]; ok {
		t.Error("GetParam created a regime")
	}
}

func TestParamPaths(t *testing.T) {
	p := Default()
	paths := ParamPaths(&p)
	if !sort.StringsAreSorted(paths) {
		t.Error("ParamPaths not sorted")
	}
	seen := map[string]bool{}
	for _, path := range paths {
		if seen[path] {
			t.Errorf("duplicate path %s", path)
		}
		seen[path] = true
		if strings.HasSuffix(path, ".name") {
			t.Errorf("row name listed as a parameter: %s", path)
		}
	}
	for _, want := range []string{
		"consumers.review_rate", "share_cap.cap", "fund.enabled", "governance.mode",
		"market.regimes.pegged.nu", "market.regimes.volatile.peg_reversion",
		"providers.table.frontier_a.quality", "providers.table.budget.initial_share",
		"providers.max", "metrics.peg_band", "centralization.leader",
	} {
		if !seen[want] {
			t.Errorf("ParamPaths lacks %s", want)
		}
	}
	// Every group of MODEL-SPEC §7 contributes scalars.
	for _, group := range []string{"providers", "consumers", "network", "centralization", "fees", "pricing",
		"hedging", "entry", "market", "supply", "fund", "circuit_breaker", "share_cap", "grants",
		"governance", "metrics"} {
		n := 0
		for _, path := range paths {
			if strings.HasPrefix(path, group+".") {
				n++
			}
		}
		if n == 0 {
			t.Errorf("ParamPaths lists nothing under %s", group)
		}
	}
	// Every listed path reads back and writes its own value without changing anything.
	q := Default().Clone()
	for _, path := range paths {
		v, err := GetParam(&q, path)
		if err != nil {
			t.Fatalf("GetParam(%s): %v", path, err)
		}
		if err := SetParam(&q, path, v); err != nil {
			t.Fatalf("SetParam(%s, own value %v): %v", path, v, err)
		}
	}
	if !reflect.DeepEqual(q, Default()) {
		t.Error("a Get/Set round trip over ParamPaths changed the parameters")
	}
}

func TestApplyStopsAtFirstError(t *testing.T) {
	p := Default().Clone()
	err := Apply(&p, []Override{{"share_cap.cap", 0.3}, {"nope.nope", 1}, {"fund.band", 0.5}})
	if !errors.Is(err, ErrUnknownParam) {
		t.Fatalf("Apply = %v, want ErrUnknownParam", err)
	}
	if p.ShareCap.Cap != 0.3 || p.Fund.Band != Default().Fund.Band {
		t.Errorf("Apply: cap %v band %v; want the first override applied and the third not", p.ShareCap.Cap, p.Fund.Band)
	}
}

func TestCloneIsDeep(t *testing.T) {
	a := Default()
	b := a.Clone()
	if err := SetParam(&b, "market.regimes.pegged.alpha", 0.1); err != nil {
		t.Fatal(err)
	}
	if err := SetParam(&b, "providers.table.budget.quality", 0.1); err != nil {
		t.Fatal(err)
	}
	if a.Market.Regimes["pegged"].Alpha != Default().Market.Regimes["pegged"].Alpha || a.Providers.Table[5].Quality != 0.80 {
		t.Error("Clone shares the regime map or the provider table with its source")
	}
}

// TestDocDefaultsTable checks the defaults table of docs/model.md (section
// "10. Defaults") against Default(): every scalar parameter outside the
// provider table appears exactly once with its default, and the provider
// table lists Default()'s rows in order.
func TestDocDefaultsTable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docs", "model.md"))
	if err != nil {
		t.Fatalf("the model documentation: %v", err)
	}
	doc := string(raw)
	from := strings.Index(doc, "\n## 10. Defaults")
	to := strings.Index(doc, "\n## 11.")
	if from < 0 || to < from {
		t.Fatal(`docs/model.md has no "## 10. Defaults" section followed by "## 11."`)
	}
	def := Default()
	seen := map[string]bool{}
	var provRows [][]string
	inProv := false
	for _, line := range strings.Split(doc[from:to], "\n") {
		if !strings.HasPrefix(line, "|") {
			inProv = false
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "name" && len(cells) == 4 {
			inProv = true
			continue
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		if inProv {
			provRows = append(provRows, cells)
			continue
		}
		if !strings.HasPrefix(cells[0], "`") {
			continue
		}
		path := strings.Trim(cells[0], "`")
		if seen[path] {
			t.Errorf("%s listed twice", path)
		}
		seen[path] = true
		want, err := GetParam(&def, path)
		if err != nil {
			t.Errorf("doc lists %s: %v", path, err)
			continue
		}
		if !docValueEqual(cells[1], want) {
			t.Errorf("doc default of %s is %q, Default() has %v", path, cells[1], want)
		}
	}
	for _, path := range ParamPaths(&def) {
		if !strings.HasPrefix(path, "providers.table.") && !seen[path] {
			t.Errorf("docs/model.md defaults table lacks %s", path)
		}
	}
	if len(provRows) != len(def.Providers.Table) {
		t.Fatalf("doc provider table has %d rows, Default() %d", len(provRows), len(def.Providers.Table))
	}
	for i, row := range def.Providers.Table {
		c := provRows[i]
		if c[0] != row.Name || !docValueEqual(c[1], row.ListPriceUSDPerMtok) ||
			!docValueEqual(c[2], row.Quality) || !docValueEqual(c[3], row.InitialShare) {
			t.Errorf("doc provider row %v, Default() has %+v", c, row)
		}
	}
}

// docValueEqual compares a documented default (e.g. "2.0e7", "16", "false",
// "frontier_a") with a parameter value.
func docValueEqual(cell string, want any) bool {
	switch w := want.(type) {
	case float64:
		f, err := strconv.ParseFloat(strings.ReplaceAll(cell, ",", ""), 64)
		return err == nil && f == w
	case int:
		n, err := strconv.Atoi(strings.ReplaceAll(cell, ",", ""))
		return err == nil && n == w
	case bool:
		return cell == strconv.FormatBool(w)
	case string:
		return strings.Trim(cell, "`") == w
	}
	return false
}
