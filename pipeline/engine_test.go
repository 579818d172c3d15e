package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

func execFake(t *testing.T, p *Plan, dir string, f *fakeModel, mod func(*Options)) (*Result, error) {
	t.Helper()
	opts := Options{Dir: dir, Workers: 1, ToolVersion: "test", NewRun: f.newRun}
	if mod != nil {
		mod(&opts)
	}
	return Execute(context.Background(), p, opts)
}

// TestDeterminism: -j1, -j4 and 3 shards (run in any order) write the same bytes.
func TestDeterminism(t *testing.T) {
	s := testStudy(t, "outputs: {steps: true, provider_steps: true}\n")
	f := &fakeModel{}
	ref := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 7), ref, f, nil); err != nil {
		t.Fatal(err)
	}
	want := dataFiles(t, ref)
	if len(want) < 10 {
		t.Fatalf("only %d files: %v", len(want), sortedPaths(want))
	}
	j4 := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 7), j4, f, func(o *Options) { o.Workers = 4 }); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "-j4", want, dataFiles(t, j4))

	sh := t.TempDir()
	var last *Result
	for _, i := range []int{3, 1, 2} {
		r, err := execFake(t, testPlan(t, s, 7), sh, f, func(o *Options) { o.Workers = 2; o.Shard, o.Shards = i, 3 })
		if err != nil {
			t.Fatal(err)
		}
		if i != 2 && r.Manifest.State != dataset.StateRunning {
			t.Errorf("after shard %d of 3: state %s, want running", i, r.Manifest.State)
		}
		last = r
	}
	sameFiles(t, "3 shards", want, dataFiles(t, sh))
	if last.Manifest.State != dataset.StateComplete || last.Manifest.RunsDone != 40 || len(last.Manifest.Shards) != 3 {
		t.Errorf("merged manifest: state %s, runs done %d, shards %d", last.Manifest.State, last.Manifest.RunsDone, len(last.Manifest.Shards))
	}
	m1, err := dataset.ReadManifest(ref)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m1.Files, last.Manifest.Files) || !reflect.DeepEqual(m1.Rows, last.Manifest.Rows) {
		t.Errorf("manifest files or rows differ between 1 process and 3 shards")
	}
}

// TestReadBack reads every file with arrow-go's Parquet reader and compares
// every row with what the model returned; also checks the manifest.
func TestReadBack(t *testing.T) {
	s := testStudy(t, "outputs: {steps: true, provider_steps: true, record_every_days: 4}\nsweeps:\n  - {param: share_cap.cap, values: [0.3, 0.5]}\n")
	f := &fakeModel{got: map[int64]fakeOut{}, fail: map[int64]bool{5: true, 33: true}}
	dir := t.TempDir()
	p := testPlan(t, s, 16)
	res, err := execFake(t, p, dir, f, func(o *Options) { o.Workers = 3 })
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if m.RunsPlanned != 80 || m.RunsDone != 78 || m.RunsFailed != 2 || res.Failed != 2 || m.State != dataset.StateComplete {
		t.Fatalf("manifest: planned %d done %d failed %d state %s", m.RunsPlanned, m.RunsDone, m.RunsFailed, m.State)
	}
	if len(m.Failures) != 2 || m.Failures[0].RunID != 5 || m.Failures[1].RunID != 33 {
		t.Fatalf("failures: %+v", m.Failures)
	}
	if c, r := p.CellOf(33); m.Failures[1].Cell != c || m.Failures[1].Replicate != r || !strings.Contains(m.Failures[1].Error, "non-finite") {
		t.Errorf("failure record %+v, want cell %d replicate %d", m.Failures[1], c, r)
	}
	if got := m.PartitionFiles(dataset.TableSteps, "volatility", "fund"); len(got) == 0 || len(got) != len(m.FilesOf(dataset.TableSteps))/4 {
		t.Errorf("partition files %v", got)
	}
	if !reflect.DeepEqual(m.SweepParams, []string{"share_cap.cap"}) || len(m.Cells) != 8 {
		t.Errorf("manifest sweep params %v, %d cells", m.SweepParams, len(m.Cells))
	}
	hash := dataset.SHA256Hex([]byte(m.Config))
	if hash != m.ConfigHash {
		t.Errorf("config hash %s is not the SHA-256 of the config (%s)", m.ConfigHash, hash)
	}
	// The resolved config parses back to the same study.
	s2, err := study.ParseStudy("resolved", []byte(m.Config))
	if err != nil {
		t.Fatalf("resolved config does not parse: %v", err)
	}
	y2, _ := s2.IdentityYAML()
	if string(y2) != m.Config {
		t.Errorf("resolved config does not round-trip")
	}

	var runRows, stepRows, provRows []map[string]any
	for _, fi := range m.Files {
		path := filepath.Join(dir, filepath.FromSlash(fi.Path))
		n, sum, err := dataset.HashFile(path)
		if err != nil || n != fi.Bytes || sum != fi.SHA256 {
			t.Errorf("%s: size/hash mismatch with manifest (%v)", fi.Path, err)
		}
		rows, meta := readArrow(t, path)
		if int64(len(rows)) != fi.Rows {
			t.Errorf("%s: %d rows, manifest says %d", fi.Path, len(rows), fi.Rows)
		}
		if meta[dataset.MetaConfigHash] != m.ConfigHash || meta[dataset.MetaSeed] != "7" || meta[dataset.MetaSchemaVersion] != strconv.Itoa(dataset.SchemaVersion) || meta[dataset.MetaToolVersion] != "test" || meta[dataset.MetaTable] != fi.Table {
			t.Errorf("%s: metadata %v", fi.Path, meta)
		}
		switch fi.Table {
		case dataset.TableRuns:
			runRows = append(runRows, rows...)
		case dataset.TableSteps:
			// Hive partition matches the rows' cell.
			for _, r := range rows {
				c, _ := p.CellOf(r["run_id"].(int64))
				want := fmt.Sprintf("steps/scenario=%s/policy=%s/", p.Cells[c].Scenario, p.Cells[c].Policy)
				if !strings.HasPrefix(fi.Path, want) {
					t.Fatalf("%s holds run %d of %s", fi.Path, r["run_id"], want)
				}
			}
			stepRows = append(stepRows, rows...)
		case dataset.TableProviderSteps:
			provRows = append(provRows, rows...)
		}
	}
	if len(runRows) != 78 {
		t.Fatalf("%d run rows", len(runRows))
	}
	// Runs: keys, summary and sweep columns, in run-id order.
	prev := int64(-1)
	for _, r := range runRows {
		id := r["run_id"].(int64)
		if id <= prev {
			t.Fatalf("runs not sorted: %d after %d", id, prev)
		}
		prev = id
		out, ok := f.got[id]
		if !ok {
			t.Fatalf("run %d written but the model did not return it", id)
		}
		c, rep := p.CellOf(id)
		want := structRow(out.sum)
		want["run_id"], want["cell"], want["replicate"] = id, int64(c), int64(rep)
		want["scenario"], want["policy"] = p.Cells[c].Scenario, p.Cells[c].Policy
		want["seed"] = int64(model.RunSeed(7, rep))
		want["share_cap.cap"] = p.Cells[c].Sweep[0].Value
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("run %d:\n got %v\nwant %v", id, r, want)
		}
	}
	// Steps: every recorded day of every successful run, sorted by run id, day within a file.
	var nWant int
	for id, out := range f.got {
		if f.fail[id] {
			continue
		}
		nWant += len(out.steps)
	}
	if len(stepRows) != nWant {
		t.Fatalf("%d step rows, want %d", len(stepRows), nWant)
	}
	idx := map[[2]int64]map[string]any{}
	for _, r := range stepRows {
		idx[[2]int64{r["run_id"].(int64), r["day"].(int64)}] = r
	}
	for id, out := range f.got {
		c, rep := p.CellOf(id)
		for _, st := range out.steps {
			// Tidy steps (schema v2): the run's keys and sweep on every row.
			want := structRow(st)
			want["cell"], want["replicate"] = int64(c), int64(rep)
			want["scenario"], want["policy"] = p.Cells[c].Scenario, p.Cells[c].Policy
			want["share_cap.cap"] = p.Cells[c].Sweep[0].Value
			if got := idx[[2]int64{id, st.Day}]; !reflect.DeepEqual(got, want) {
				t.Fatalf("step run %d day %d:\n got %v\nwant %v", id, st.Day, got, want)
			}
		}
		if len(out.steps) != 8 { // days 4, 8, ..., 28, and the last (30)
			t.Fatalf("run %d recorded %d days", id, len(out.steps))
		}
	}
	if len(provRows) != nWant*6 {
		t.Errorf("%d provider rows, want %d", len(provRows), nWant*6)
	}
	for _, r := range provRows {
		c, rep := p.CellOf(r["run_id"].(int64))
		if r["cell"] != int64(c) || r["replicate"] != int64(rep) || r["scenario"] != p.Cells[c].Scenario ||
			r["policy"] != p.Cells[c].Policy || r["share_cap.cap"] != p.Cells[c].Sweep[0].Value {
			t.Fatalf("provider row with wrong keys: %v", r)
		}
	}
}

// TestResumeInProcess: a cancelled execution resumes to the same bytes.
func TestResumeInProcess(t *testing.T) {
	s := testStudy(t, "")
	f := &fakeModel{}
	ref := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 4), ref, f, nil); err != nil {
		t.Fatal(err)
	}
	want := dataFiles(t, ref)
	for _, stopAfter := range []int{1, 13, 27} {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		_, err := Execute(ctx, testPlan(t, s, 4), Options{Dir: dir, Workers: 2, ToolVersion: "test", NewRun: f.newRun,
			Progress: func(p Progress) {
				n++
				if p.Done >= int64(stopAfter) {
					cancel()
				}
			}})
		cancel()
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("stop after %d: err %v, want ErrInterrupted", stopAfter, err)
		}
		m, err := dataset.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != dataset.StateRunning || m.RunsDone >= 40 {
			t.Errorf("interrupted manifest: state %s, %d runs", m.State, m.RunsDone)
		}
		for p := range dataFiles(t, dir) {
			if strings.Contains(p, ".tmp") {
				t.Errorf("temporary file visible: %s", p)
			}
		}
		res, err := Execute(context.Background(), testPlan(t, s, 4), Options{Dir: dir, Workers: 3, ToolVersion: "test", NewRun: f.newRun})
		if err != nil {
			t.Fatal(err)
		}
		if res.Resumed != m.RunsDone || res.Done+res.Resumed != 40 {
			t.Errorf("resume: %d resumed (manifest had %d), %d done", res.Resumed, m.RunsDone, res.Done)
		}
		sameFiles(t, fmt.Sprintf("resumed after %d", stopAfter), want, dataFiles(t, dir))
	}
}

// TestConfigChanged: another config in the directory is refused; --force starts over.
func TestConfigChanged(t *testing.T) {
	dir := t.TempDir()
	f := &fakeModel{}
	if _, err := execFake(t, testPlan(t, testStudy(t, ""), 8), dir, f, nil); err != nil {
		t.Fatal(err)
	}
	other := testPlan(t, testStudy(t, "params: {network: {effect: 0.5}}\n"), 8)
	_, err := execFake(t, other, dir, f, nil)
	if !errors.Is(err, ErrConfigChanged) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err %v, want ErrConfigChanged mentioning --force", err)
	}
	res, err := execFake(t, other, dir, f, func(o *Options) { o.Force = true })
	if err != nil || res.Resumed != 0 || res.Manifest.State != dataset.StateComplete {
		t.Fatalf("--force: %v %+v", err, res)
	}
	// A corrupted file is rewritten on the next execution.
	fi := res.Manifest.Files[0]
	path := filepath.Join(dir, filepath.FromSlash(fi.Path))
	if err := os.WriteFile(path, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = execFake(t, other, dir, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, sum, _ := dataset.HashFile(path); sum != fi.SHA256 || res.Done != 8 {
		t.Errorf("corrupted chunk not rewritten (done %d)", res.Done)
	}
}

// TestFailFast stops at the first failed run.
func TestFailFast(t *testing.T) {
	f := &fakeModel{fail: map[int64]bool{9: true}}
	_, err := execFake(t, testPlan(t, testStudy(t, ""), 4), t.TempDir(), f, func(o *Options) { o.FailFast = true; o.Workers = 2 })
	if !errors.Is(err, ErrRunFailed) || !strings.Contains(err.Error(), "run 9") {
		t.Fatalf("err %v", err)
	}
}

// TestDiskBudget: a study over its budget is refused and nothing is written.
func TestDiskBudget(t *testing.T) {
	s := testStudy(t, "disk_budget_gb: 0.000001\n")
	if _, err := NewPlan(s); !errors.Is(err, ErrDiskBudget) {
		t.Fatalf("NewPlan: err %v, want ErrDiskBudget", err)
	}
	// A plan built before the budget was lowered is refused by Execute.
	s.DiskBudgetGB = 0
	p := testPlan(t, s, 8)
	s.DiskBudgetGB = 0.000001
	dir := filepath.Join(t.TempDir(), "study")
	_, err := execFake(t, p, dir, &fakeModel{}, nil)
	if !errors.Is(err, ErrDiskBudget) {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("something was written: %v", err)
	}
}

// TestBusy: a second process on the same shard of a study is refused.
func TestBusy(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "shards"), 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, ok, err := tryLockFile(filepath.Join(dir, "shards", ".shard-1-of-1.lock"))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	_, err = execFake(t, testPlan(t, testStudy(t, ""), 8), dir, &fakeModel{}, nil)
	if !errors.Is(err, ErrBusy) {
		t.Errorf("err %v, want ErrBusy", err)
	}
	unlock()
	if _, err := execFake(t, testPlan(t, testStudy(t, ""), 8), dir, &fakeModel{}, nil); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}

// TestRerunCompleteKeepsManifest: running a finished study again writes nothing
// new and leaves its manifest byte-identical (its end time, hence the report's
// wall time, does not move), and the manifest and shard files are readable by
// everyone like the part files (not CreateTemp's 0600).
func TestRerunCompleteKeepsManifest(t *testing.T) {
	dir := t.TempDir()
	f := &fakeModel{}
	p := testPlan(t, testStudy(t, ""), 8)
	clock := func(sec int64) func() time.Time { return func() time.Time { return time.Unix(sec, 0) } }
	if _, err := execFake(t, p, dir, f, func(o *Options) { o.Now = clock(1000) }); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, dataset.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	res, err := execFake(t, p, dir, f, func(o *Options) { o.Now = clock(5000) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 0 || res.Resumed != 40 {
		t.Errorf("rerun: %d done, %d resumed; want 0 and 40", res.Done, res.Resumed)
	}
	if res.Manifest.Ended == nil || !res.Manifest.Ended.Equal(time.Unix(1000, 0)) {
		t.Errorf("rerun moved the end time to %v, want %v", res.Manifest.Ended, time.Unix(1000, 0).UTC())
	}
	after, err := os.ReadFile(filepath.Join(dir, dataset.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("rerunning a complete study changed manifest.json")
	}
	for _, name := range []string{dataset.ManifestFile, filepath.Join("shards", "shard-1-of-1.json")} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o644 {
			t.Errorf("%s: mode %v, want 0644", name, perm)
		}
	}
}

// TestManifestToolVersion: the manifest's tool version is that of the
// shards' progress records, whichever process merges: two shards run by
// versions "b" and "a" give "a, b" (each shard's own in Shards), and the
// shard of "b" rerun by "a" makes it "a"; a record without a version (older
// than 0.2.4) is passed over.
func TestManifestToolVersion(t *testing.T) {
	dir := t.TempDir()
	f := &fakeModel{}
	p := testPlan(t, testStudy(t, ""), 8)
	run := func(shard int, version string) *dataset.Manifest {
		t.Helper()
		r, err := execFake(t, p, dir, f, func(o *Options) { o.Shard, o.Shards, o.ToolVersion = shard, 2, version })
		if err != nil {
			t.Fatal(err)
		}
		return r.Manifest
	}
	if m := run(1, "b"); m.ToolVersion != "b" {
		t.Errorf("after shard 1 by b: %q, want b", m.ToolVersion)
	}
	m := run(2, "a")
	if m.ToolVersion != "a, b" || m.State != dataset.StateComplete {
		t.Errorf("after shard 2 by a: %q (%s), want \"a, b\" (complete)", m.ToolVersion, m.State)
	}
	for _, s := range m.Shards {
		if want := map[int]string{1: "b", 2: "a"}[s.Index]; s.ToolVersion != want {
			t.Errorf("shard %d: tool version %q, want %q", s.Index, s.ToolVersion, want)
		}
	}
	if m := run(1, "a"); m.ToolVersion != "a" {
		t.Errorf("after shard 1 rerun by a: %q, want a", m.ToolVersion)
	}
	// Records written before 0.2.4 carry no version.
	for _, k := range []int{1, 2} {
		path := filepath.Join(dir, filepath.FromSlash(dataset.ShardKey(k, 2)))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]any
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		delete(st, "tool_version")
		if b, err = json.Marshal(st); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if m := run(2, "c"); m.ToolVersion != "c" {
		t.Errorf("shard 2 by c beside a record without a version: %q, want c", m.ToolVersion)
	}
}
