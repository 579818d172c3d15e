//go:build race

package dataset

// raceEnabled: the test binary runs under the race detector, whose shadow
// memory needs more address space than a ulimit -v child can have.
const raceEnabled = true
