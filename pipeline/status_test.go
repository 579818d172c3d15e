package pipeline

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/storage/storagetest"
)

// TestStatus: after shards 1 and 3 of 3 (40 runs in chunks of 7: shard 1
// owns chunks 0 and 3, shard 3 chunk 2 and 5), status counts their runs and
// chunks, lists chunks 1 and 4 as missing, and, with shard 1 marked still
// running, takes the rate from its chunks written since it started:
// runs/elapsed, ETA = remaining runs / rate. Same from a bucket.
func TestStatus(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := testStudy(t, "")
	for _, loc := range []string{t.TempDir(), storagetest.FS(t.TempDir(), "s")} {
		for _, i := range []int{1, 3} {
			if _, err := execFake(t, testPlan(t, s, 7), loc, &fakeModel{}, func(o *Options) {
				o.Shard, o.Shards, o.Now = i, 3, func() time.Time { return t0 }
			}); err != nil {
				t.Fatal(err)
			}
		}
		ctx := context.Background()
		st, err := storage.Open(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		// Shard 1 is still running (its process has not saved "complete").
		raw, err := st.ReadFile(ctx, dataset.ShardKey(1, 3))
		if err != nil {
			t.Fatal(err)
		}
		var rec map[string]any
		json.Unmarshal(raw, &rec)
		rec["state"] = dataset.StateRunning
		raw, _ = json.Marshal(rec)
		if err := st.WriteFile(ctx, dataset.ShardKey(1, 3), raw); err != nil {
			t.Fatal(err)
		}
		got, err := Status(ctx, st, t0.Add(10*time.Second))
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		// Shard 1: chunks 0 (runs 0–6) and 3 (21–27) = 14 runs; shard 3:
		// chunks 2 (14–20) and 5 (35–39) = 12 runs.
		if got.State != dataset.StateRunning || got.RunsDone != 26 || got.ChunksDone != 4 || got.Chunks != 6 ||
			len(got.Missing) != 2 || got.Missing[0] != 1 || got.Missing[1] != 4 || len(got.Shards) != 2 {
			t.Fatalf("%s: status %+v", loc, got)
		}
		if rate := 14.0 / 10; got.RunsPerSecond != rate || got.ETA != time.Duration((40-26)/rate*float64(time.Second)) {
			t.Errorf("%s: rate %g runs/s, ETA %s; want %g runs/s, %s", loc, got.RunsPerSecond, got.ETA, rate, time.Duration((40-26)/rate*float64(time.Second)))
		}
	}
}

// TestStatusComplete: a complete study has ETA 0 and nothing missing.
func TestStatusComplete(t *testing.T) {
	dir := t.TempDir()
	if _, err := execFake(t, testPlan(t, testStudy(t, ""), 7), dir, &fakeModel{}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := Status(context.Background(), storage.NewDir(dir), time.Now())
	if err != nil || got.State != dataset.StateComplete || got.ETA != 0 || len(got.Missing) != 0 || got.RunsDone != 40 {
		t.Fatalf("%+v, %v", got, err)
	}
	if _, err := Status(context.Background(), storage.NewDir(filepath.Join(dir, "nope")), time.Now()); err == nil {
		t.Error("status of a directory without a study: no error")
	}
}

// TestRanges: consecutive chunks collapse to ranges; long lists are cut.
func TestRanges(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		max  int
		want string
	}{
		{nil, 5, ""},
		{[]int{3}, 5, "3"},
		{[]int{0, 1, 2, 3, 7, 9, 10}, 5, "0-3, 7, 9-10"},
		{[]int{0, 2, 4, 6}, 2, "0, 2 … (2 more)"},
	} {
		if got := Ranges(c.xs, c.max); got != c.want {
			t.Errorf("Ranges(%v, %d) = %q, want %q", c.xs, c.max, got, c.want)
		}
	}
}
