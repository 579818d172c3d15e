package pipeline

import (
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/study"
)

var (
	progressRefOnce sync.Once
	progressRef     map[string][]byte // files of a completed study
	progressRefErr  error
)

// FuzzProgressRecords: a study directory whose manifest.json and shard
// progress record hold arbitrary bytes is resumed (rebuilding what it can)
// or refused with an error, never a panic; when the execution succeeds the
// data files are the uninterrupted run's.
func FuzzProgressRecords(f *testing.F) {
	f.Fuzz(progressRecordsExec)
}

// progressRecordsExec is one execution of FuzzProgressRecords. Its coverage
// must depend on the input only: the fuzzer takes any coverage it has not
// seen for a new input and minimizes it (up to 60 s of executions that
// "execs" does not count; with the seeds' 2.6 KB manifests that was most of
// the time: 1,687 counted executions in 10 minutes at 6 ms each). So the
// clock is fixed (fuzzClock), files are written in sorted order, and the
// garbage collector is off during the execution (collected before it): a
// collection in the middle empties sync.Pools, and their New functions (in
// parquet-go and the engine) then run a varying number of times.
func progressRecordsExec(t *testing.T, manifest, shard []byte) {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	progressRefOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fuzz-progress-")
		if err != nil {
			progressRefErr = err
			return
		}
		defer os.RemoveAll(dir)
		_, progressRefErr = execFake(t, fuzzPlan(t), dir, &fakeModel{}, fuzzClock)
		progressRef = readTree(t, dir)
	})
	if progressRefErr != nil {
		t.Fatal(progressRefErr)
	}
	_, _ = readManifestBytes(manifest) // decoding alone must not panic
	dir := treeDir(t, progressRef)
	if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shards", "shard-1-of-1.json"), shard, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := execFake(t, fuzzPlan(t), dir, &fakeModel{}, fuzzClock); err != nil {
		return
	}
	got := dataFiles(t, dir)
	for p, b := range dataFiles(t, treeDir(t, progressRef)) {
		if string(got[p]) != string(b) {
			t.Fatalf("%s differs after resuming from the fuzzed records", p)
		}
	}
	if _, err := dataset.ReadManifest(dir); err != nil {
		t.Fatalf("successful execution left an unreadable manifest: %v", err)
	}
}

// fuzzPlan is a study of 2 chunks (1 cell × 4 replicates, 2 runs per chunk),
// small so that each fuzz execution is quick.
func fuzzPlan(t testing.TB) *Plan {
	return testPlan(t, testStudy(t, "replicates: 4\nhorizon_days: 10\nscenarios: [baseline]\npolicies: [none]\n"), 2)
}

// readManifestBytes decodes manifest bytes as dataset.ReadManifest does.
func readManifestBytes(b []byte) (*dataset.Manifest, error) {
	dir, err := os.MkdirTemp("", "fuzz-manifest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), b, 0o644); err != nil {
		return nil, err
	}
	return dataset.ReadManifest(dir)
}

// readTree returns every regular file under dir by relative path.
func readTree(t testing.TB, dir string) map[string][]byte {
	out := map[string][]byte{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return nil
	})
	return out
}

// treeDir writes files into a new temporary directory, in sorted order (a
// fuzz execution's coverage must not depend on map order).
func treeDir(t *testing.T, files map[string][]byte) string {
	dir := t.TempDir()
	for _, p := range slices.Sorted(maps.Keys(files)) {
		b := files[p]
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// FuzzSensitivity: any `sensitivity:` block is a design (and plan) or an
// error, never a panic. Blocks with more than 4,096 design points are only
// parsed and validated (the plan of a valid large design is just large).
func FuzzSensitivity(f *testing.F) {
	f.Fuzz(func(t *testing.T, block []byte) {
		var b strings.Builder
		b.WriteString("name: fz\nreplicates: 2\nhorizon_days: 5\nsensitivity:\n")
		for _, line := range strings.Split(string(block), "\n") {
			b.WriteString("  " + line + "\n")
		}
		s, err := study.ParseStudy("f.yaml", []byte(b.String()))
		if err != nil || s.Sensitivity == nil {
			return
		}
		sp := s.Sensitivity.Resolved()
		points := sp.Samples * (2*len(sp.Factors) + 2)
		if points > 4096 {
			return
		}
		p, d, err := SensitivityPlan(s)
		if err != nil {
			return
		}
		if len(p.Cells) != d.Points() {
			t.Fatalf("%d cells for %d design points", len(p.Cells), d.Points())
		}
	})
}

// fuzzClock fixes the execution's clock (Options.Now): timestamps of
// varying digits in the records would change the coverage of every
// execution, which the fuzzer takes for new coverage and minimizes.
func fuzzClock(o *Options) {
	o.Now = func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
}
