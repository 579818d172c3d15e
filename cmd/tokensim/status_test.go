package main

import (
	"os"
	"strings"
	"testing"
)

// TestStatusCommand: status of a half-run study shows the missing chunks and
// a bounded --wait fails; once the other shard ran, status says complete and
// --wait returns at once.
func TestStatusCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	src := "name: tiny\nreplicates: 4\nchunk_runs: 4\nhorizon_days: 20\nscenarios: [baseline]\npolicies: [none, fund]\nparams: {consumers: {count: 100}}\n"
	if err := os.WriteFile("tiny.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := cli(t, "run", "-o", "out", "--quiet", "--no-report", "--shard", "1/2", "tiny.yaml"); code != 0 {
		t.Fatalf("shard 1/2: %s", errs)
	}
	out, errs, code := cli(t, "status", "out/tiny")
	if code != 0 || !strings.Contains(out, "study tiny at out/tiny: running") || !strings.Contains(out, "runs     4 of 8 done, 0 failed") ||
		!strings.Contains(out, "missing  chunks 1") || !strings.Contains(out, "1/2  complete  1/1 chunks") {
		t.Errorf("status of a half-run study: exit %d\n%s%s", code, out, errs)
	}
	if _, errs, code := cli(t, "status", "--wait", "1s", "out/tiny"); code != 1 || !strings.Contains(errs, "not complete after 1s") {
		t.Errorf("--wait on an incomplete study: exit %d, %s", code, errs)
	}
	if _, errs, code := cli(t, "run", "-o", "out", "--quiet", "--no-report", "--shard", "2/2", "tiny.yaml"); code != 0 {
		t.Fatalf("shard 2/2: %s", errs)
	}
	out, errs, code = cli(t, "status", "--wait", "1h", "out/tiny")
	if code != 0 || !strings.Contains(out, "complete") || strings.Contains(out, "missing") {
		t.Errorf("status of the complete study: exit %d\n%s%s", code, out, errs)
	}
	if _, _, code := cli(t, "status"); code != 2 {
		t.Errorf("status without a study: exit %d, want 2", code)
	}
}
