package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/pipeline"
)

// TestReportVerify (issue 16 item 10): `tokensim report` refuses a study
// whose runs part file changed by one byte after it was written, naming the
// file; --verify also checks files the report does not read (steps under
// --no-fans);
// --verify with --no-verify is a usage error. A killed report's temporary
// files are gone after the next report (item 6).
func TestReportVerify(t *testing.T) {
	dir := t.TempDir()
	repStudy(t, dir, "replicates: 6\nhorizon_days: 10\n", pipeline.Options{}, nil)
	if _, errs, code := cli(t, "report", "--bootstrap", "100", dir); code != 0 {
		t.Fatalf("report of an intact study: exit %d\n%s", code, errs)
	}
	// What a report killed mid-way leaves; the next report removes it.
	stale := filepath.Join(dir, "summary", ".metrics.parquet.tmp-12345")
	if err := os.WriteFile(stale, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := dataset.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(table string) (restore func()) {
		for _, fi := range m.Files {
			if fi.Table == table {
				p := filepath.Join(dir, filepath.FromSlash(fi.Path))
				orig, _ := os.ReadFile(p)
				b := append([]byte(nil), orig...)
				b[len(b)/2] ^= 0x20
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return func() { os.WriteFile(p, orig, 0o644) }
			}
		}
		t.Fatalf("no %s file", table)
		return nil
	}
	restore := flip(dataset.TableSteps)
	if _, errs, code := cli(t, "report", "--bootstrap", "100", "--no-fans", dir); code != 0 {
		t.Errorf("default verification checked steps, which --no-fans does not read: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a killed report's temporary file survived the next report: %v", err)
	}
	if _, errs, code := cli(t, "report", "--bootstrap", "100", "--no-fans", "--verify", dir); code != 1 || !strings.Contains(errs, "steps/") || !strings.Contains(errs, "checksum mismatch") {
		t.Errorf("--verify with a changed steps file: exit %d\n%s", code, errs)
	}
	restore()
	flip(dataset.TableRuns)
	_, errs, code := cli(t, "report", "--bootstrap", "100", dir)
	if code != 1 || !strings.Contains(errs, "runs/part-") || !strings.Contains(errs, "checksum mismatch") {
		t.Errorf("changed runs file: exit %d\n%s", code, errs)
	}
	if _, errs, code := cli(t, "report", "--verify", "--no-verify", dir); code != 2 {
		t.Errorf("--verify --no-verify: exit %d\n%s", code, errs)
	}
}
