//go:build !race

package dataset

// raceEnabled: the test binary runs under the race detector.
const raceEnabled = false
