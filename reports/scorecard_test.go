package reports

import (
	"context"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/internal/synthstudy"
	"github.com/tokensim/tokensim/model"
)

// binomHalfCDFExact is P(K ≤ j) for K ~ Binomial(n, ½), exactly.
func binomHalfCDFExact(n, j int) float64 {
	sum := new(big.Int)
	for i := 0; i <= j; i++ {
		sum.Add(sum, new(big.Int).Binomial(int64(n), int64(i)))
	}
	r, _ := new(big.Rat).SetFrac(sum, new(big.Int).Lsh(big.NewInt(1), uint(n))).Float64()
	return r
}

// The scorecard of a synthetic study on disk, recomputed from the synthetic
// formulas: the key metric of each family comes from the catalogue; the
// heavy-tailed stability metric (peg_mad) is judged on the median paired
// difference with the order-statistic interval, recomputed here from the
// runs' values and an exact binomial rank; the others repeat aggregate's
// mean effect and bootstrap interval; and the verdicts follow the known true
// effects (fund −0.02, all −0.05 USD/CLT on peg_mad: better).
func TestScorecardFromRuns(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"volatility", "baseline"}, Policies: []string{"none", "fund", "all"},
		Replicates: 40, Horizon: 30, Steps: false, ChunkRuns: 50}
	synthstudy.Write(t, dir, s)
	opts := aggregate.DefaultOptions()
	opts.Bootstrap, opts.Workers = 400, 1
	st, err := aggregate.Aggregate(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(context.Background(), st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	sc := r.Scorecard
	if sc == nil {
		t.Fatal("no scorecard")
	}
	var keys []string
	for _, f := range sc.Families {
		keys = append(keys, f.Metric.Name)
	}
	if want := []string{"peg_mad", "hhi_final", "provider_profit_usd", "consumer_welfare_usd"}; !slices.Equal(keys, want) {
		t.Fatalf("key metrics %v, want %v", keys, want)
	}
	if len(sc.Policies) != 2 || sc.Policies[0].Name != "fund" || sc.Policies[1].Name != "all" || sc.Policies[0].Label != "Stabilization fund" {
		t.Fatalf("policies %+v", sc.Policies)
	}
	if len(sc.Scenarios) != 2 || sc.Scenarios[0].Label != "Volatile market" {
		t.Fatalf("scenarios %+v", sc.Scenarios)
	}
	cellOf := map[[2]string]synthstudy.Cell{}
	for _, c := range s.Cells() {
		cellOf[[2]string{c.Scenario, c.Policy}] = c
	}
	n := s.Replicates
	k := 0 // largest rank with 1 − 2·P(K ≤ k−1) ≥ 0.95
	for j := 1; j <= (n+1)/2 && binomHalfCDFExact(n, j-1) <= 0.025; j++ {
		k = j
	}
	for pi, pol := range sc.Policies {
		for si, scen := range sc.Scenarios {
			e := sc.Entries[pi][0][si]
			var d []float64
			for rep := range n {
				pv := synthstudy.Summary(cellOf[[2]string{scen.Name, pol.Name}], rep, 7).PegMAD
				bv := synthstudy.Summary(cellOf[[2]string{scen.Name, "none"}], rep, 7).PegMAD
				d = append(d, pv-bv)
			}
			slices.Sort(d)
			med := (d[n/2-1] + d[n/2]) / 2
			if !e.Median || e.N != n || math.Abs(e.Diff-med) > 1e-12 || e.Lo != d[k-1] || e.Hi != d[n-k] {
				t.Errorf("%s/%s peg_mad: median=%v %v [%v, %v] n=%d; want median %v [%v, %v] n=%d",
					scen.Name, pol.Name, e.Median, e.Diff, e.Lo, e.Hi, e.N, med, d[k-1], d[n-k], n)
			}
			if truth := synthstudy.Effect(pol.Name); truth < 0 && e.Verdict != VerdictBetter {
				t.Errorf("%s/%s: verdict %s, want better (true effect %v)", scen.Name, pol.Name, e.Verdict.Word(), truth)
			}
			// A light-tailed metric: aggregate's mean effect.
			h := sc.Entries[pi][1][si]
			for _, ef := range st.EffectsOf(scen.Name, "hhi_final") {
				if ef.Policy == pol.Name && (h.Median || h.Diff != ef.MeanDiff || h.Lo != ef.Lo || h.Hi != ef.Hi) {
					t.Errorf("%s/%s hhi_final: %+v, want mean effect %+v", scen.Name, pol.Name, h, ef)
				}
			}
		}
	}
	// Every headline sentence names a plain label, links to a table that
	// exists, and never a code name.
	ids := map[string]bool{}
	for _, sec := range r.Sections {
		for _, tb := range sec.Tables {
			if tb.ID != "" {
				ids["#"+tb.ID] = true
			}
		}
	}
	if len(r.Headlines) != 4 {
		t.Errorf("%d headlines, want 4 (2 scenarios × 2 policies)", len(r.Headlines))
	}
	for _, h := range r.Headlines {
		if !ids[h.Link] {
			t.Errorf("headline %q links to %s, which is no table", h.Text, h.Link)
		}
		if name := codeNameIn(h.Text); name != "" {
			t.Errorf("headline %q names the code name %q", h.Text, name)
		}
	}
	if !strings.Contains(r.Headlines[0].Text, "Volatile market: Stabilization fund improves stability (median change in mean distance from the peg −") {
		t.Errorf("first headline %q", r.Headlines[0].Text)
	}
}

// codeNameIn returns a catalogue column name or a scenario or policy code
// name found in s ("" if none): names with an underscore anywhere, one-word
// names as whole text.
func codeNameIn(s string) string {
	var names []string
	for _, m := range model.Catalogue() {
		names = append(names, m.Name)
	}
	names = append(names, model.DescribedNames()...)
	for _, n := range names {
		if strings.Contains(n, "_") && strings.Contains(s, n) {
			return n
		}
		if !strings.Contains(n, "_") && strings.TrimSpace(s) == n {
			return n
		}
	}
	return ""
}

// The verdict follows the interval, the materiality threshold and the
// metric's direction; each verdict has its own mark and word, so the
// scorecard reads without colour.
func TestVerdictOf(t *testing.T) {
	cases := []struct {
		diff, lo, hi, base float64
		better             model.Direction
		want               Verdict
	}{
		{-1, -2, -0.5, 10, model.LowerIsBetter, VerdictBetter},
		{-1, -2, -0.5, 10, model.HigherIsBetter, VerdictWorse},
		{1, 0.5, 2, 10, model.HigherIsBetter, VerdictBetter},
		{-1, -2, 0.5, 10, model.LowerIsBetter, VerdictUnclear},
		{-0.05, -0.08, -0.02, 10, model.LowerIsBetter, VerdictNegligible}, // 0.5% of the level
		{-1, -2, -0.5, 0, model.LowerIsBetter, VerdictBetter},             // no level: no materiality test
		{math.NaN(), -2, -0.5, 10, model.LowerIsBetter, VerdictNone},
		{-1, math.NaN(), math.NaN(), 10, model.LowerIsBetter, VerdictNone},
	}
	for _, c := range cases {
		if got := verdictOf(c.diff, c.lo, c.hi, c.base, c.better); got != c.want {
			t.Errorf("verdictOf(%v, [%v, %v], base %v, %v) = %s, want %s", c.diff, c.lo, c.hi, c.base, c.better, got.Word(), c.want.Word())
		}
	}
	seen := map[string]bool{}
	for v := VerdictNone; v <= VerdictWorse; v++ {
		for _, s := range []string{v.Symbol(), v.Word(), v.Class()} {
			if seen[s] {
				t.Errorf("verdict %d repeats %q", v, s)
			}
			seen[s] = true
		}
	}
}

// The scorecard's effect text keeps the number whole (a power of ten is not
// cut at its space) and states shares in percentage points.
func TestScoreEffectText(t *testing.T) {
	usd := model.Metric{Unit: "USD/CLT"}
	e := ScoreEntry{Metric: usd, Diff: 0, Lo: -2.56e-7, Hi: 0}
	if got, want := e.EffectText(), "0 USD/CLT (−2.56 × 10⁻⁷ to 0)"; got != want {
		t.Errorf("EffectText = %q, want %q", got, want)
	}
	share := model.Metric{Unit: "fraction", Percent: true}
	e = ScoreEntry{Metric: share, Diff: 0.012, Lo: 0.004, Hi: 0.02}
	if got, want := e.EffectText(), "+1.2 pp (+0.40 to +2.0)"; got != want {
		t.Errorf("EffectText = %q, want %q", got, want)
	}
	e = ScoreEntry{Metric: model.Metric{Unit: "USD"}, Diff: -2.5e9, Lo: -3.1e9, Hi: -1.9e9}
	if got, want := e.EffectText(), "−2.50 billion USD (−3.10 to −1.90)"; got != want {
		t.Errorf("EffectText = %q, want %q", got, want)
	}
}
