package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensim/tokensim/model"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/storage/storagetest"
)

// TestBucketShardsMatchLocal: a study written to a bucket (fileblob behind
// the blob interface: no rename, conditional writes) by 3 shards in any order
// holds the same part bytes, keys and manifest files as one local process,
// and a rerun keeps every chunk.
func TestBucketShardsMatchLocal(t *testing.T) {
	s := testStudy(t, "outputs: {steps: true, provider_steps: true}\n")
	f := &fakeModel{}
	ref := t.TempDir()
	r0, err := execFake(t, testPlan(t, s, 7), ref, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdir := t.TempDir()
	url := storagetest.FS(bdir, "studies/t")
	var last *Result
	for _, i := range []int{3, 1, 2} {
		r, err := execFake(t, testPlan(t, s, 7), url, f, func(o *Options) { o.Workers = 2; o.Shard, o.Shards = i, 3 })
		if err != nil {
			t.Fatalf("shard %d/3: %v", i, err)
		}
		last = r
	}
	sameFiles(t, "bucket, 3 shards", dataFiles(t, ref), dataFiles(t, filepath.Join(bdir, "studies", "t")))
	m := last.Manifest
	if m.State != dataset.StateComplete || m.RunsDone != r0.Manifest.RunsDone || len(m.Files) != len(r0.Manifest.Files) {
		t.Fatalf("bucket manifest: state %s, runs %d, files %d; local: runs %d, files %d", m.State, m.RunsDone, len(m.Files),
			r0.Manifest.RunsDone, len(r0.Manifest.Files))
	}
	for i := range m.Files {
		if m.Files[i] != r0.Manifest.Files[i] {
			t.Errorf("file %d: bucket %+v, local %+v", i, m.Files[i], r0.Manifest.Files[i])
		}
	}
	// The manifest read back through the store is the one returned.
	st, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mb, err := dataset.ReadManifestFrom(context.Background(), st)
	if err != nil || mb.State != dataset.StateComplete || len(mb.Shards) != 3 {
		t.Fatalf("dataset.ReadManifestFrom: %+v, %v", mb, err)
	}
	// A rerun of a shard finds all its chunks and writes nothing.
	r, err := execFake(t, testPlan(t, s, 7), url, f, func(o *Options) { o.Shard, o.Shards = 2, 3 })
	if err != nil || r.Done != 0 || r.Resumed == 0 {
		t.Fatalf("rerun: done %d, resumed %d, %v", r.Done, r.Resumed, err)
	}
}

// TestBucketDuplicateShard: two processes running the same shard at once
// against a bucket (no lock there) both succeed, and every part is the one
// a single process writes: the second conditional write of a key finds the
// same bytes and publishes nothing.
func TestBucketDuplicateShard(t *testing.T) {
	s := testStudy(t, "outputs: {steps: true}\n")
	f := &fakeModel{}
	ref := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 5), ref, f, nil); err != nil {
		t.Fatal(err)
	}
	bdir := t.TempDir()
	url := storagetest.FS(bdir, "t")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[k] = Execute(context.Background(), testPlan(t, s, 5), Options{Dir: url, Workers: 1, ToolVersion: "test", NewRun: f.newRun})
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", k, err)
		}
	}
	sameFiles(t, "duplicate shard", dataFiles(t, ref), dataFiles(t, filepath.Join(bdir, "t")))
}

// TestBucketConflict: a part key holding other bytes is never overwritten:
// the shard fails with storage.ErrConflict and the object keeps its bytes.
func TestBucketConflict(t *testing.T) {
	s := testStudy(t, "")
	f := &fakeModel{}
	bdir := t.TempDir()
	key := filepath.Join(bdir, "t", "runs", dataset.PartName(0))
	if err := os.MkdirAll(filepath.Dir(key), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, []byte("someone else's part"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := execFake(t, testPlan(t, s, 5), storagetest.FS(bdir, "t"), f, nil)
	if !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("error %v, want storage.ErrConflict", err)
	}
	if b, _ := os.ReadFile(key); string(b) != "someone else's part" {
		t.Errorf("the existing object was overwritten: %q", strings.TrimSpace(string(b))[:20])
	}
}

// TestBucketConflictLeavesManifest: a process that loses a conflict to
// another process running the same shard index leaves the manifest the
// winner's, byte for byte: the manifest is merged from the progress
// records, the winner's, tool version included (before, the loser merged
// the winner's records into a manifest that bore the loser's tool version).
//
// The race is staged without timing: process B (tool version "b") records
// chunk 0; then, before B publishes chunk 1, process A (tool version "a",
// whose parts differ from B's in their metadata) runs the same index to the
// end, as if it had run ahead; B's chunk 1 then conflicts.
func TestBucketConflictLeavesManifest(t *testing.T) {
	s := testStudy(t, "outputs: {steps: true}\n")
	f := &fakeModel{}
	dir := t.TempDir()
	url := storagetest.FS(dir, "t")
	plan := testPlan(t, s, 5)
	first, _ := plan.ChunkRange(1)
	record := filepath.Join(dir, "t", filepath.FromSlash(dataset.ShardKey(1, 1)))
	var once sync.Once
	var manifestA []byte
	var errA error
	runA := func() {
		// Wait until B has recorded chunk 0 (its start, with its manifest
		// merge, is then over), then run A.
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
			var st shardState
			if b, err := os.ReadFile(record); err == nil && json.Unmarshal(b, &st) == nil && len(st.Chunks) > 0 {
				break
			}
			if time.Now().After(deadline) {
				errA = errors.New("B never recorded chunk 0")
				return
			}
		}
		if _, errA = execFake(t, testPlan(t, s, 5), url, f, func(o *Options) { o.ToolVersion = "a" }); errA == nil {
			manifestA, errA = os.ReadFile(filepath.Join(dir, "t", dataset.ManifestFile))
		}
	}
	newRun := func() RunFunc {
		return func(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
			if spec.RunID == first {
				once.Do(runA)
			}
			return f.run(spec, rec)
		}
	}
	_, err := execFake(t, plan, url, f, func(o *Options) { o.ToolVersion, o.NewRun = "b", newRun })
	if errA != nil {
		t.Fatalf("A: %v", errA)
	}
	if !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("B: error %v, want storage.ErrConflict", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "t", dataset.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, manifestA) {
		var m dataset.Manifest
		json.Unmarshal(got, &m)
		t.Errorf("the losing process rewrote the manifest (state %s, tool version %q); want A's", m.State, m.ToolVersion)
	}
}
