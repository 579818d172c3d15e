package main

import (
	"os"
	"runtime/debug"
	"sync"
)

// reportGCPercent is the garbage collector's target percentage (GOGC) while
// a report is built, when the GOGC environment variable is not set (Go's
// default is 100).
//
// The report keeps a small live heap (about 25 MB on the default study: the
// runs table, the fans and the drawn figures) while it allocates about
// 0.8 GB of short-lived buffers (the steps table's row groups, the figures'
// paths and encoder buffers, the summary tables' pages). At GOGC 100 the
// collector runs every ~25 MB of allocation, about 40 times per report,
// each time stopping both cores' tight loops (sorting, rasterizing,
// encoding) twice and marking the live heap again. At 200 it runs half as
// often: on the default study the report's CPU falls by about 7% and its
// peak RSS rises from about 150 MB to about 210 MB, within the runs stage's
// peak (193–239 MB, README "Performance"), so `tokensim run`'s peak is
// unchanged. A GOGC set by the user is left alone.
const reportGCPercent = 200

// reportGC counts the reports being built in this process (tests build
// several concurrently): the first sets the percentage, the last restores
// the one before.
var reportGC struct {
	mu   sync.Mutex
	n    int
	prev int
}

// tuneReportGC sets the collector's percentage to reportGCPercent for a
// report unless GOGC is set in the environment, and returns the function
// that ends the report's setting.
func tuneReportGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	reportGC.mu.Lock()
	if reportGC.n == 0 {
		reportGC.prev = debug.SetGCPercent(reportGCPercent)
	}
	reportGC.n++
	reportGC.mu.Unlock()
	return func() {
		reportGC.mu.Lock()
		reportGC.n--
		if reportGC.n == 0 {
			debug.SetGCPercent(reportGC.prev)
		}
		reportGC.mu.Unlock()
	}
}
