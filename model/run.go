package model

import "errors"

// ErrNonFinite is wrapped by Run when a NaN or Inf arises inside a run; the
// message names the day and the quantity.
var ErrNonFinite = errors.New("non-finite value")

// RunSpec fully describes one run (MODEL-SPEC §3): the resolved parameters of
// its cell, the scenario's schedule, and its keys. Its output is a pure
// function of RunSpec.
type RunSpec struct {
	Params      Params
	Schedule    Schedule
	HorizonDays int    // steps (days) to simulate, ≥ 1
	Seed        uint64 // master seed of the study
	Replicate   int    // replicate index, ≥ 0
	RunID       int64  // written into every Step and ProviderStep
	// RecordEveryDays: pass every k-th day (and the last) to the Recorder; 0 = none.
	RecordEveryDays int
	// ProviderSteps: also pass per-provider rows on recorded days.
	ProviderSteps bool
}

// Runner runs simulations, reusing its buffers across runs. A Runner is not
// safe for concurrent use; give each worker its own.
type Runner struct {
	sim sim
}

// Run simulates one run and returns its summary; rec (may be nil) receives the
// recorded days as they are produced.
func Run(spec *RunSpec, rec Recorder) (Summary, error) {
	var r Runner
	return r.Run(spec, rec)
}
