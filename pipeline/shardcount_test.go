package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokensim/tokensim/dataset"
)

// TestCheckShardCount: with CheckShardCount, a study begun as 3 shards
// refuses a process claiming 4; the same count, and an unchecked process, go on.
func TestCheckShardCount(t *testing.T) {
	s := testStudy(t, "")
	f := &fakeModel{}
	dir := t.TempDir()
	strict := func(i, n int) func(*Options) {
		return func(o *Options) { o.Shard, o.Shards, o.CheckShardCount = i, n, true }
	}
	if _, err := execFake(t, testPlan(t, s, 7), dir, f, strict(1, 3)); err != nil {
		t.Fatal(err)
	}
	_, err := execFake(t, testPlan(t, s, 7), dir, f, strict(2, 4))
	if !errors.Is(err, ErrShardCount) {
		t.Fatalf("shard 2/4 after 1/3: error %v, want ErrShardCount", err)
	}
	if _, err := execFake(t, testPlan(t, s, 7), dir, f, strict(2, 3)); err != nil {
		t.Fatalf("shard 2/3 after 1/3: %v", err)
	}
	// --shard i/N (unchecked) may still mix counts, as before.
	if _, err := execFake(t, testPlan(t, s, 7), dir, f, func(o *Options) { o.Shard, o.Shards = 1, 1 }); err != nil {
		t.Fatalf("unchecked 1/1: %v", err)
	}
}

// TestStartKeepsOtherShardsTemps: a shard starting in a directory where
// other shards are writing removes only its own chunks' leftover temporary
// files, not the ones other shards are writing (found by the Slurm check:
// array tasks starting while others ran lost their parts).
func TestStartKeepsOtherShardsTemps(t *testing.T) {
	s := testStudy(t, "")
	dir := t.TempDir()
	if _, err := execFake(t, testPlan(t, s, 7), dir, &fakeModel{}, func(o *Options) { o.Shard, o.Shards = 1, 3 }); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, dataset.TableRuns)
	if err := os.MkdirAll(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	// Chunks of 7 runs: 40 runs = 6 chunks; shard 2/3 owns chunks 1 and 4.
	mine, theirs := filepath.Join(runs, ".part-000001.parquet.tmp"), filepath.Join(runs, ".part-000002.parquet.tmp")
	for _, p := range []string{mine, theirs} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := execFake(t, testPlan(t, s, 7), dir, &fakeModel{}, func(o *Options) { o.Shard, o.Shards = 2, 3 }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mine); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the shard's own leftover temporary file: %v, want removed", err)
	}
	if _, err := os.Stat(theirs); err != nil {
		t.Errorf("another shard's temporary file was removed: %v", err)
	}
}
