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

// BenchmarkRun measures whole runs at 500, 2,000 (the default), 20,000 and
// 200,000 (a large market) consumers with the default (event) engine,
// reporting consumer-days/s (MODEL-SPEC §10 `consumer_days`, the natural
// unit of work) and allocations per run on a reused Runner.
// BenchmarkRunReference is the same with the reference engine.
func BenchmarkRun(b *testing.B) {
	benchRun(b, EngineEvent, []int{500, 2000, 20000, 200000})
}

// BenchmarkRunReference is BenchmarkRun with model.engine reference (the
// per-consumer-day loop).
func BenchmarkRunReference(b *testing.B) {
	benchRun(b, EngineReference, []int{2000, 20000})
}

func benchRun(b *testing.B, engine string, sizes []int) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("consumers=%d", n), func(b *testing.B) {
			spec := benchSpec(n)
			spec.Params.Model.Engine = engine
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

// BenchmarkRunDefaultStudy runs the default study's 16 cells (configs/
// default.yaml: four scenarios × none, fund, share_cap, all; 2,000
// consumers, 365 days) in turn, a replicate each: the model's cost as
// `make run` pays it, where a binding share cap, the fund and volatile
// paths take their own branches that BenchmarkRun's baseline does not.
func BenchmarkRunDefaultStudy(b *testing.B) {
	var specs []RunSpec
	for _, sc := range []string{ScenarioBaseline, ScenarioVolatility, ScenarioCentralization, ScenarioVolatileCentralized} {
		for _, pol := range []string{PolicyNone, PolicyFund, PolicyShareCap, PolicyAll} {
			p, err := Resolve(Default(), Scenarios()[sc], Policies()[pol])
			if err != nil {
				b.Fatal(err)
			}
			specs = append(specs, RunSpec{Params: p, Schedule: Scenarios()[sc].Schedule, HorizonDays: 365, Seed: 7})
		}
	}
	var r Runner
	b.ReportAllocs()
	b.ResetTimer()
	var cd int64
	for i := 0; i < b.N; i++ {
		sp := &specs[i%len(specs)]
		sp.Replicate = i / len(specs)
		sum, err := r.Run(sp, nil)
		if err != nil {
			b.Fatal(err)
		}
		cd += sum.ConsumerDays
	}
	b.ReportMetric(float64(cd)/b.Elapsed().Seconds(), "consumer-days/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}
