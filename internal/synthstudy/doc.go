// Package synthstudy writes synthetic study directories for tests: a
// manifest.json, runs part files and steps partitions laid out as the
// pipeline writes them (MODEL-SPEC §8), with metric values that follow known
// formulas (Summary, Step, Effect) so that a test can recompute every
// aggregate independently.
//
// Only tests import it. It imports dataset and model, never aggregate,
// pipeline or reports.
package synthstudy
