package checks

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestPairedEffect checks pairedEffect on constructed summaries against
// sums done here: the mean paired difference, its 95% interval, the sd
// across `none` runs and the materiality rule, and the fallbacks when the
// metric does not vary across `none` runs.
func TestPairedEffect(t *testing.T) {
	n := 8
	none, ref, lev := make([]model.Summary, n), make([]model.Summary, n), make([]model.Summary, n)
	var d []float64
	for r := 0; r < n; r++ {
		x := float64(r)
		none[r].PegMAD = x
		ref[r].PegMAD = x
		lev[r].PegMAD = x - 1 - 0.1*float64(r%2)
		d = append(d, lev[r].PegMAD-ref[r].PegMAD)
		lev[r].Exits = int32(r % 3)
	}
	e := pairedEffect("peg_mad", none, ref, lev)
	m := mean(d)
	se := sd(d) / math.Sqrt(float64(n))
	if e.N != n || math.Abs(e.Effect-m) > 1e-12 || math.Abs(e.Lo-(m-1.96*se)) > 1e-12 || math.Abs(e.Hi-(m+1.96*se)) > 1e-12 {
		t.Errorf("effect %+v, want mean %v ± 1.96 × %v", e, m, se)
	}
	if sdNone := math.Sqrt(6); math.Abs(e.SDNone-sdNone) > 1e-12 || math.Abs(e.EffectSD-m/sdNone) > 1e-12 {
		t.Errorf("sd(none) %v, effect/sd %v; want %v, %v", e.SDNone, e.EffectSD, sdNone, m/sdNone)
	}
	if !e.Significant || !e.Material {
		t.Errorf("a shift of −1.05 with sd 2.45 should be material: %+v", e)
	}
	// exits is 0 in none and ref: the sd falls back to the lever's runs.
	h := pairedEffect("exits", none, ref, lev)
	if h.SDNone != 0 || math.Abs(h.SDRef-sd([]float64{0, 1, 2, 0, 1, 2, 0, 1})) > 1e-12 {
		t.Errorf("exits: sd(none) %v, sd used %v", h.SDNone, h.SDRef)
	}
	// A null (a lever-only metric with its lever off) is left out of the pairs.
	if n := pairedEffect("halts", none, ref, lev); n.N != 0 {
		t.Errorf("halts: %d pairs of nulls, want 0", n.N)
	}
	// A null leader_profit_share is left out of the pairs.
	x := 0.5
	ref[0].LeaderProfitShare, lev[0].LeaderProfitShare = &x, &x
	if l := pairedEffect("leader_profit_share", none, ref, lev); l.N != 1 || l.Significant || l.Effect != 0 {
		t.Errorf("leader_profit_share: %d pairs, significant %v; want 1 pair and no estimate", l.N, l.Significant)
	}
}

// TestLeverTable computes the lever table of MODEL-SPEC-v2 §E.8 with the v2
// defaults (200 paired replicates per cell, one year) and compares each
// lever's verdict in each of its scenarios (does a non-structural metric of its family move by
// ≥ 0.2 sd of the `none` runs, beyond its paired 95% interval?) with
// testdata/lever_table.md, the table docs/model.md section C reports. A
// change of verdict fails: re-run with -update-docs and update the docs'
// explanation. Not in -short (make check).
func TestLeverTable(t *testing.T) {
	if testing.Short() {
		t.Skip("2,200 runs: make check")
	}
	rows, err := LeverTable(context.Background(), LeverTableSpec{Base: model.Default(), Cases: DefaultLeverCases(),
		Replicates: 200, HorizonDays: 365, Seed: 20261201})
	if err != nil {
		t.Fatal(err)
	}
	text := FormatLeverTable(rows, false)
	t.Log("\n" + text)
	golden := filepath.Join("testdata", "lever_table.md")
	if *updateDocs {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-docs)", err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		c := strings.Split(line, "|")
		if len(c) == 6 && !strings.HasPrefix(strings.TrimSpace(c[1]), "lever") && !strings.HasPrefix(strings.TrimSpace(c[1]), "---") {
			want[strings.TrimSpace(c[1])+"/"+strings.TrimSpace(c[2])] = strings.TrimSpace(c[3])
		}
	}
	for _, v := range Verdicts(rows) {
		if got := yesNo(v.Material); want[v.Lever+"/"+v.Scenario] != got {
			t.Errorf("lever %s in %s: material %s, %s says %q (largest effect: %s %v sd)", v.Lever, v.Scenario, got, golden, want[v.Lever+"/"+v.Scenario], v.Best.Metric, v.Best.EffectSD)
		}
	}
}
