package model

import (
	"fmt"
	"testing"
)

// benchSpec is the default run (6 providers, 365 days, baseline, no policy)
// with the given number of consumers at day 0.
func benchSpec(consumers int) RunSpec {
	p := Default()
	p.Consumers.Count = consumers
	return RunSpec{Params: p, Schedule: Scenarios()[ScenarioBaseline].Schedule, HorizonDays: 365, Seed: 7}
}

// BenchmarkRun measures whole runs at 500, 2,000 (the default) and 20,000
// consumers, reporting consumer-days/s (MODEL-SPEC §10 `consumer_days`, the
// natural unit of work) and allocations per run on a reused Runner.
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{500, 2000, 20000} {
		b.Run(fmt.Sprintf("consumers=%d", n), func(b *testing.B) {
			spec := benchSpec(n)
			var r Runner
			if _, err := r.Run(&spec, nil); err != nil { // warm the buffers
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var cd int64
			for i := 0; i < b.N; i++ {
				spec.Replicate = i
				sum, err := r.Run(&spec, nil)
				if err != nil {
					b.Fatal(err)
				}
				cd += sum.ConsumerDays
			}
			b.ReportMetric(float64(cd)/b.Elapsed().Seconds(), "consumer-days/s")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
