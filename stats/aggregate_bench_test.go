package stats

import (
	"context"
	"testing"
)

// BenchmarkAggregate aggregates a synthetic study of 10,000 runs (2 scenarios
// × 5 policies × 1,000 replicates) with a 366-day steps table (3.66 M step
// rows): runs table, cell distributions, paired effects with B = 2,000 BCa
// bootstraps, fans and the summary files, with the default 2 workers.
func BenchmarkAggregate(b *testing.B) {
	dir := b.TempDir()
	s := synthStudy{Scenarios: []string{"baseline", "volatility"},
		Policies:   []string{"none", "fund", "circuit_breaker", "share_cap", "all"},
		Replicates: 1000, Horizon: 365, Steps: true, ChunkRuns: 1000}
	writeSynth(b, dir, s)
	runs := float64(len(s.Scenarios) * len(s.Policies) * s.Replicates)
	stepRows := runs * float64(s.Horizon+1)
	opts := DefaultOptions()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Aggregate(context.Background(), dir, opts); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(runs/sec, "runs/s")
	b.ReportMetric(stepRows/sec, "rows/s")
	b.ReportMetric(sec, "s/study")
}
