package model

import "errors"

// sim is the state of one run; replaced by the full simulation.
type sim struct{}

// Run simulates one run; see the package-level Run.
func (r *Runner) Run(spec *RunSpec, rec Recorder) (Summary, error) {
	return Summary{}, errors.New("model: simulation not built yet")
}
