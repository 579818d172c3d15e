package pipeline

import (
	"errors"
	"testing"
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
