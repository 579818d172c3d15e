package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/dataset"
)

// TestRunReportPartsIntact checks the premise of `run` not hashing the parts
// again before its report (writeReport's hashed, for one shard in a local
// directory): when `run` prints the report's path, every data file of the
// study matches the size and SHA-256 its manifest records (checked here
// independently, strictly), even when a part was changed between two
// executions: the second execution finds it changed, rewrites its chunk and
// reports on intact data.
func TestRunReportPartsIntact(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "tiny.yaml")
	if err := os.WriteFile(src, []byte("name: tiny\nseed: 5\nreplicates: 4\nhorizon_days: 12\n"+
		"scenarios: [baseline]\npolicies: [none, fund]\noutputs: {steps: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "tiny")
	intact := func(when string) {
		t.Helper()
		ds, err := dataset.OpenDataset(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.VerifyFiles(context.Background(), 1, true); err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	out, errs, code := cli(t, "run", "-quiet", "-o", root, src)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "report.html") {
		t.Fatalf("run: exit %d, stdout %q\n%s", code, out, errs)
	}
	intact("after the first run")
	m, err := dataset.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	changed := ""
	for _, fi := range m.Files {
		if fi.Table == dataset.TableRuns {
			changed = filepath.Join(dir, filepath.FromSlash(fi.Path))
			break
		}
	}
	b, err := os.ReadFile(changed)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x20
	if err := os.WriteFile(changed, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = cli(t, "run", "-quiet", "-o", root, src)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "report.html") {
		t.Fatalf("run after a part changed: exit %d, stdout %q\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "rewriting a chunk whose files changed") {
		t.Errorf("the second run did not notice the changed part:\n%s", errs)
	}
	intact("after the second run")
}
