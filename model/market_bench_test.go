package model

import "testing"

// BenchmarkMarketDay measures the per-day cost of the token market: runs of
// 365 days with 10 consumers (so the consumer loop is negligible) under v1's
// exogenous price and v2's AMM market (depeg_backed: reserve events,
// arbitrage, runs), in ns per simulated day. The difference is the market's
// O(1) work per day (MODEL-SPEC-v2 §A; the speed requirement).
func BenchmarkMarketDay(b *testing.B) {
	for _, c := range []struct {
		name     string
		version  int
		scenario string
	}{{"v1-garch", ModelV1, ScenarioBaseline}, {"v2-amm-baseline", ModelV2, ScenarioBaseline}, {"v2-amm-depeg", ModelV2, ScenarioDepegBacked}} {
		b.Run(c.name, func(b *testing.B) {
			base, _ := DefaultFor(c.version)
			sc := Scenarios()[c.scenario]
			p, err := Resolve(base, sc, Policies()[PolicyNone])
			if err != nil {
				b.Fatal(err)
			}
			p.Consumers.Count = 10
			p.Consumers.GrowthPerYear = 0
			spec := RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: 365, Seed: 7}
			var r Runner
			if _, err := r.Run(&spec, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				spec.Replicate = i
				if _, err := r.Run(&spec, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*365), "ns/day")
		})
	}
}
