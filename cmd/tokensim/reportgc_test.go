package main

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneReportGC: without GOGC in the environment a report runs at
// reportGCPercent, overlapping reports keep it until the last ends, and the
// percentage before is restored; with GOGC set it is left alone.
func TestTuneReportGC(t *testing.T) {
	gcPercent := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	defer debug.SetGCPercent(debug.SetGCPercent(73))

	t.Setenv("GOGC", "73") // restored after the test
	os.Unsetenv("GOGC")
	end1 := tuneReportGC()
	if p := gcPercent(); p != reportGCPercent {
		t.Fatalf("during a report: GOGC %d, want %d", p, reportGCPercent)
	}
	end2 := tuneReportGC()
	end1()
	if p := gcPercent(); p != reportGCPercent {
		t.Errorf("after the first of two overlapping reports: GOGC %d, want %d", p, reportGCPercent)
	}
	end2()
	if p := gcPercent(); p != 73 {
		t.Errorf("after the reports: GOGC %d, want the 73 before", p)
	}

	t.Setenv("GOGC", "73")
	end := tuneReportGC()
	if p := gcPercent(); p != 73 {
		t.Errorf("with GOGC set: %d during a report, want 73 (left alone)", p)
	}
	end()
}
