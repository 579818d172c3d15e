package aggregate

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

// TestAggregatePipelineStudy aggregates a small study written by the real
// pipeline and model, checking that the reader and the writer agree on the
// layout, the manifest and the schemas.
func TestAggregatePipelineStudy(t *testing.T) {
	src := []byte(`name: stats-it
seed: 99
replicates: 6
horizon_days: 20
scenarios: [baseline, volatility]
policies: [none, fund]
outputs: {steps: true}
`)
	sd, err := study.ParseStudy("stats-it.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pipeline.NewPlan(sd)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := pipeline.Execute(context.Background(), plan, pipeline.Options{Dir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 {
		t.Fatalf("%d model runs failed: %+v", res.Failed, res.Manifest.Failures)
	}
	opts := aggTestOptions()
	st, err := Aggregate(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Info.Name != "stats-it" || st.Info.Seed != 99 || !st.Info.Complete || st.Info.RunsFound != 24 || st.Info.HorizonDays != 20 {
		t.Errorf("info: %+v", st.Info)
	}
	if len(st.Cells) != 4 || len(st.Effects) != 2*len(st.Metrics) || len(st.Fans) != 4*len(FanVariables()) {
		t.Fatalf("%d cells, %d effects, %d fans", len(st.Cells), len(st.Effects), len(st.Fans))
	}
	if len(st.Metrics) < 30 {
		t.Errorf("only %d metrics found", len(st.Metrics))
	}
	for _, c := range st.Cells {
		if c.Runs != 6 || c.Expected != 6 {
			t.Errorf("cell %d: %d of %d runs", c.Cell, c.Runs, c.Expected)
		}
		d, ok := c.Metric("hhi_final")
		if !ok || d.N != 6 || !(d.Min >= 0 && d.Max <= 10000) {
			t.Errorf("cell %d hhi_final: %+v", c.Cell, d)
		}
	}
	for _, f := range st.Fans {
		if len(f.Days) < 20 || slices.ContainsFunc(f.N, func(n int) bool { return n > 6 }) {
			t.Errorf("fan %s/%s %s: %d days, N %v", f.Scenario, f.Policy, f.Variable, len(f.Days), f.N)
		}
		if f.Variable == FanPrice && math.Abs(f.P50[0]-st.Info.Peg) > 0.5 {
			t.Errorf("price fan starts at %v", f.P50[0])
		}
	}
	for _, e := range st.Effects {
		// Metrics that may be null (not applicable or never) pair fewer runs.
		if m := mustLookup(t, e.Metric); e.N != 6 && m.LeverOnly == "" && m.Name != "recovery_days" && m.Name != "recovered" {
			t.Errorf("effect %s/%s/%s: %d pairs", e.Scenario, e.Policy, e.Metric, e.N)
		}
	}
}

// mustLookup returns the catalogue entry of a runs metric.
func mustLookup(t *testing.T, name string) model.Metric {
	t.Helper()
	m, ok := model.LookupMetric(model.TableRuns, name)
	if !ok {
		t.Fatalf("metric %q is not catalogued", name)
	}
	return m
}
