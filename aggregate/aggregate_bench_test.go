package aggregate

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/tokensim/tokensim/internal/synthstudy"
)

// BenchmarkAggregate aggregates a synthetic study of 10,000 runs (2 scenarios
// × 5 policies × 1,000 replicates) with a 366-day steps table (3.66 M step
// rows): runs table, cell distributions, paired effects with B = 2,000 BCa
// bootstraps, fans and the summary files, with the default 2 workers. It
// reports runs/s, step rows/s, seconds per study and the peak live heap
// above the pre-aggregation baseline (sampled every 10 ms).
func BenchmarkAggregate(b *testing.B) {
	dir := b.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline", "volatility"},
		Policies:   []string{"none", "fund", "circuit_breaker", "share_cap", "all"},
		Replicates: 1000, Horizon: 365, Steps: true, ChunkRuns: 1000}
	synthstudy.Write(b, dir, s)
	runs := float64(len(s.Scenarios) * len(s.Policies) * s.Replicates)
	stepRows := runs * float64(s.Horizon+1)
	opts := DefaultOptions()
	runtime.GC()
	base := benchHeapBytes()
	var peak uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, benchHeapBytes())
			}
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Aggregate(context.Background(), dir, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(done)
	wg.Wait()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(runs/sec, "runs/s")
	b.ReportMetric(stepRows/sec, "rows/s")
	b.ReportMetric(sec, "s/study")
	if peak > base {
		b.ReportMetric(float64(peak-base)/(1<<20), "MiB-peak-heap")
	}
}

func benchHeapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
