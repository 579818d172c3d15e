package pipeline

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
)

// strayTemps lists temporary files under dir (any name with ".tmp").
func strayTemps(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp") || err == nil && d.Name() == "figures.old" {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// waitFor polls until cond holds (the test's own goroutines make it true).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 60000 {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestStaggeredShards (issue 16 item 1): shard 1/2 is stopped in the middle
// of a chunk (its temporary part file open) while shard 2/2 and then
// --shard 1/1 start, clean up and finish; shard 1/2 then completes. Nobody's
// start-up removes another live shard's files, 1/1 beside 1/2 writes the
// chunks they share with identical bytes, and the dataset equals an
// uninterrupted run's with no temporary file left.
func TestStaggeredShards(t *testing.T) {
	s := testStudy(t, "outputs: {steps: true, provider_steps: true}\n")
	f := &fakeModel{}
	ref := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 8), ref, f, nil); err != nil {
		t.Fatal(err)
	}
	want := dataFiles(t, ref)

	dir := t.TempDir()
	release := make(chan struct{})
	blocked := make(chan struct{})
	// Shard 1/2 owns chunks 0, 2, 4 (8 runs each); it stops before run 17,
	// after run 16 opened chunk 2's temporary files.
	blocking := func() RunFunc {
		return func(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
			if spec.RunID == 17 {
				close(blocked)
				<-release
			}
			return f.run(spec, rec)
		}
	}
	errc := make(chan error, 1)
	go func() {
		_, err := Execute(context.Background(), testPlan(t, s, 8), Options{Dir: dir, Workers: 1, Shard: 1, Shards: 2,
			ToolVersion: "test", NewRun: blocking})
		errc <- err
	}()
	<-blocked
	tmp := filepath.Join(dir, dataset.TableRuns, ".part-000002.parquet.shard-1-of-2.tmp")
	waitFor(t, "shard 1/2's temporary part file", func() bool { _, err := os.Stat(tmp); return err == nil })
	for _, sh := range [][2]int{{2, 2}, {1, 1}} {
		if _, err := execFake(t, testPlan(t, s, 8), dir, f, func(o *Options) { o.Shard, o.Shards = sh[0], sh[1] }); err != nil {
			t.Fatalf("shard %d/%d beside a running shard 1/2: %v", sh[0], sh[1], err)
		}
		if _, err := os.Stat(tmp); err != nil {
			t.Fatalf("shard %d/%d removed shard 1/2's file in flight: %v", sh[0], sh[1], err)
		}
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatalf("shard 1/2: %v", err)
	}
	got := dataFiles(t, dir)
	if len(got) != len(want) {
		t.Errorf("%d files, want %d", len(got), len(want))
	}
	for p, b := range want {
		if string(got[p]) != string(b) {
			t.Errorf("%s differs from the uninterrupted run", p)
		}
	}
	if tmps := strayTemps(t, dir); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
	m, err := dataset.ReadManifest(dir)
	if err != nil || m.State != dataset.StateComplete || m.RunsDone != 40 {
		t.Fatalf("manifest: %v %+v", err, m)
	}
}

// TestDeadShardTempsRemoved: a killed shard's temporaries (its lock free)
// are removed by any shard's start-up; a v0.1 temporary name too.
func TestDeadShardTempsRemoved(t *testing.T) {
	s := testStudy(t, "")
	dir := t.TempDir()
	// A real partial study, so the directory is this study's.
	if _, err := execFake(t, testPlan(t, s, 8), dir, &fakeModel{}, func(o *Options) { o.Shard, o.Shards = 1, 3 }); err != nil {
		t.Fatal(err)
	}
	stale := []string{
		filepath.Join(dir, dataset.TableRuns, ".part-000003.parquet.shard-2-of-3.tmp"),
		filepath.Join(dir, dataset.TableRuns, ".part-000001.parquet.tmp"),
		filepath.Join(dir, "shards", ".shard-2-of-3.json.tmp-12345"),
		filepath.Join(dir, ".manifest.json.tmp-999"),
	}
	for _, p := range stale {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := execFake(t, testPlan(t, s, 8), dir, &fakeModel{}, func(o *Options) { o.Shard, o.Shards = 1, 3 }); err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("stale %s not removed: %v", p, err)
		}
	}
	// A live shard's temporary stays.
	unlock, ok, err := tryLockFile(filepath.Join(dir, "shards", ".shard-2-of-3.lock"))
	if err != nil || !ok {
		t.Fatal(err)
	}
	defer unlock()
	live := stale[0]
	if err := os.WriteFile(live, []byte("in flight"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := execFake(t, testPlan(t, s, 8), dir, &fakeModel{}, func(o *Options) { o.Shard, o.Shards = 3, 3 }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live shard's temporary was removed: %v", err)
	}
}

// TestPublishAfterRecord (issue 16 item 5): a chunk's files appear under
// their final names only once its progress record lists them. Here the
// chunk's steps file cannot be published (a directory occupies its final
// name, a real filesystem fault like a full disk) after its runs file was
// finished: before, the runs file stayed on disk, complete but listed
// nowhere (DuckDB read more rows than the manifest said); now nothing of the
// chunk is left, no temporary file stays, and once the fault is gone,
// resuming gives the uninterrupted run's bytes.
func TestPublishAfterRecord(t *testing.T) {
	s := testStudy(t, "")
	f := &fakeModel{}
	ref := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 8), ref, f, nil); err != nil {
		t.Fatal(err)
	}
	want := dataFiles(t, ref)

	dir := t.TempDir()
	// Chunks 1 and 3 first (shard 2/2), so that the directory is this study's.
	if _, err := execFake(t, testPlan(t, s, 8), dir, f, func(o *Options) { o.Shard, o.Shards = 2, 2 }); err != nil {
		t.Fatal(err)
	}
	block := filepath.Join(dir, dataset.TableSteps, "scenario=baseline", "policy=none", dataset.PartName(0))
	if err := os.MkdirAll(filepath.Join(block, "occupied"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := execFake(t, testPlan(t, s, 8), dir, f, nil)
	if err == nil || !strings.Contains(err.Error(), "part-000000") {
		t.Fatalf("err %v, want a failure publishing chunk 0", err)
	}
	m, merr := dataset.ReadManifest(dir)
	if merr != nil {
		t.Fatal(merr)
	}
	listed := map[string]bool{}
	for _, fi := range m.Files {
		listed[fi.Path] = true
	}
	for p := range dataFiles(t, dir) {
		if !listed[filepath.ToSlash(p)] {
			t.Errorf("%s is on disk but not in the manifest", p)
		}
	}
	if len(m.Files) == 0 || m.State != dataset.StateRunning {
		t.Errorf("manifest: %d files, state %s; want chunks 1 and 3 listed and running", len(m.Files), m.State)
	}
	if tmps := strayTemps(t, dir); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
	if err := os.RemoveAll(block); err != nil {
		t.Fatal(err)
	}
	if _, err := execFake(t, testPlan(t, s, 8), dir, f, nil); err != nil {
		t.Fatal(err)
	}
	got := dataFiles(t, dir)
	if len(got) != len(want) {
		t.Errorf("%d files after resume, want %d", len(got), len(want))
	}
	for p, b := range want {
		if string(got[p]) != string(b) {
			t.Errorf("%s differs after resume", p)
		}
	}
}

// TestReportLease (item 6): a rerun's report lease removes what a killed
// report left (summary temporaries, figure directories, page), and waits
// for a report in progress.
func TestReportLease(t *testing.T) {
	dir := t.TempDir()
	stale := []string{"summary/.cells.parquet.tmp-123", ".figures-tmp-42/a.png", ".report-77.html.tmp", "figures.old/b.png"}
	keep := []string{"summary/cells.parquet", "figures/a.png", "report.html", "shards/shard-1-of-1.json"}
	for _, p := range append(append([]string{}, stale...), keep...) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	release, err := ReportLease(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		top := strings.SplitN(p, "/", 2)[0]
		if p[:8] == "summary/" {
			top = p
		}
		if _, err := os.Stat(filepath.Join(dir, top)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s not removed", top)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s removed", p)
		}
	}
	got := make(chan struct{})
	go func() {
		r2, err := ReportLease(dir)
		if err == nil {
			r2()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second report lease was granted while the first is held")
	case <-time.After(50 * time.Millisecond):
	}
	release()
	<-got
}
