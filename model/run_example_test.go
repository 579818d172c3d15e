package model_test

import (
	"fmt"

	"github.com/tokensim/tokensim/model"
)

// One run of the `volatility` scenario under the `fund` policy variant: the
// scenario and policy are resolved on the defaults, and the run's summary
// (MODEL-SPEC §4.2) is returned.
func ExampleRun() {
	sc := model.Scenarios()[model.ScenarioVolatility]
	p, err := model.Resolve(model.DefaultV1(), sc, model.Policies()[model.PolicyFund])
	if err != nil {
		panic(err)
	}
	p.Consumers.Count = 500
	spec := model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: 365, Seed: 20261121, Replicate: 0}
	sum, err := model.Run(&spec, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("providers active at the end:", sum.NActiveFinal >= 1)
	fmt.Println("price within 50% of the peg:", sum.PriceFinal > 0.5 && sum.PriceFinal < 1.5)
	fmt.Println("some usage deferred in the volatile months:", sum.DeferredFrac > 0)
	fmt.Println("consumer-days ≥ 500 × 365:", sum.ConsumerDays >= 500*365)
	// Output:
	// providers active at the end: true
	// price within 50% of the peg: true
	// some usage deferred in the volatile months: true
	// consumer-days ≥ 500 × 365: true
}

// dayLog is a Recorder that keeps the days it is given.
type dayLog struct {
	days      []int64
	providers int
}

func (d *dayLog) Step(s *model.Step)                  { d.days = append(d.days, s.Day) }
func (d *dayLog) ProviderStep(ps *model.ProviderStep) { d.providers++ }

// A Runner reuses its buffers across runs (one per worker). The Recorder
// receives every RecordEveryDays-th day and the last day, with one row per
// provider when ProviderSteps is set.
func ExampleRunner_Run() {
	var r model.Runner
	sc := model.Scenarios()[model.ScenarioBaseline]
	p := model.DefaultV1()
	p.Consumers.Count = 200
	p.Entry.RatePerYear = 0      // keep the six incumbents only
	p.Providers.RunwayDays = 1e3 // and none of them exits
	for rep := 0; rep < 2; rep++ {
		log := &dayLog{}
		spec := model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: 60, Seed: 1, Replicate: rep,
			RecordEveryDays: 25, ProviderSteps: true}
		if _, err := r.Run(&spec, log); err != nil {
			panic(err)
		}
		fmt.Println("replicate", rep, "recorded days", log.days, "provider rows", log.providers)
	}
	// Output:
	// replicate 0 recorded days [25 50 60] provider rows 18
	// replicate 1 recorded days [25 50 60] provider rows 18
}
