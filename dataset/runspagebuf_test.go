package dataset

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// TestRunsPageBufferFor: 32 bytes a row, clamped to [4 KiB, PageBufferBytes].
func TestRunsPageBufferFor(t *testing.T) {
	for _, c := range []struct {
		runs int64
		want int
	}{
		{0, 4 << 10}, {1, 4 << 10}, {32, 4 << 10}, {128, 4 << 10}, {129, 129 * 32},
		{256, 8 << 10}, {PageBufferBytes / 32, PageBufferBytes}, {1 << 20, PageBufferBytes},
	} {
		if got := RunsPageBufferFor(c.runs); got != c.want {
			t.Errorf("RunsPageBufferFor(%d) = %d, want %d", c.runs, got, c.want)
		}
	}
}

// TestRunsPartPageHintSameBytes: a runs part written with
// RunsPageBufferFor(its rows) is the file written with PageBufferBytes
// buffers (as before the hint), byte for byte, for chunks of 1 to 3,000
// runs of a real model (summaries of 12 runs with every lever on, with
// distinct keys; nulls included), and reads back with every row. A buffer
// too small for a column splits it into more pages, and the file differs
// (so the test would see a hint too small for some column).
func TestRunsPartPageHintSameBytes(t *testing.T) {
	sums := runsSummaries(t)
	rt, err := NewRunsTable([]string{"consumers.review_rate"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st := storage.NewDir(dir)
	keys := func(i int) RunKeys {
		return RunKeys{RunID: int64(i), Cell: int64(i / 100), Scenario: model.ScenarioDepegBacked, Policy: "fund", Replicate: int64(i % 100), Seed: int64(i) * 7919}
	}
	write := func(name string, n int, opts ...parquet.WriterOption) []byte {
		t.Helper()
		part, err := CreateOwnedPart[any](context.Background(), st, name, TableRuns, "", FileMeta{Study: "t"}, append([]parquet.WriterOption{rt.Schema()}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			row := rt.Row(keys(i), &sums[i%len(sums)], []SweepValue{{Value: 0.01 * float64(i%7)}})
			if err := part.Write([]any{row}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := part.Commit(); err != nil {
			t.Fatal(err)
		}
		return readPart(t, dir, name)
	}
	for _, n := range []int{1, 32, 256, 3000} {
		want := write("default.parquet", n)
		part, err := CreateRunsPart(context.Background(), st, "hint.parquet", "", FileMeta{Study: "t"}, rt, int64(n))
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := part.WriteRun(keys(i), &sums[i%len(sums)], []SweepValue{{Value: 0.01 * float64(i%7)}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := part.Commit(); err != nil {
			t.Fatal(err)
		}
		got := readPart(t, dir, "hint.parquet")
		if !bytes.Equal(got, want) {
			t.Errorf("%d runs: %d bytes with RunsPageBufferFor, %d with PageBufferBytes pages", n, len(got), len(want))
		}
		f, err := parquet.OpenFile(bytes.NewReader(got), int64(len(got)))
		if err != nil {
			t.Fatal(err)
		}
		if f.NumRows() != int64(n) {
			t.Errorf("%d runs: %d rows read back", n, f.NumRows())
		}
	}
	// The comparison can tell page sizes apart: 3,000 runs in 4 KiB pages
	// is another file.
	if bytes.Equal(write("small.parquet", 3000, parquet.PageBufferSize(4<<10)), write("default.parquet", 3000)) {
		t.Error("3,000 runs in 4 KiB pages wrote the same file as in 64 KiB pages")
	}
}

// runsSummaries are the summaries of 12 real runs (every lever on, a
// depegging backed token: nulls included).
func runsSummaries(t *testing.T) []model.Summary {
	t.Helper()
	var sums []model.Summary
	for rep := range 12 {
		p := model.Default()
		p.Consumers.Count = 100
		s := model.Scenarios()[model.ScenarioDepegBacked]
		spec := model.RunSpec{Params: p, Schedule: s.Schedule, HorizonDays: 120, Seed: 3, Replicate: rep, RunID: int64(rep)}
		sum, _ := recordRun(t, &spec)
		sums = append(sums, sum)
	}
	return sums
}

// TestRunsPartStaticSameBytes: a runs table without sweep columns is
// written through the static RunsRow (CreateRunsPart), and its files are
// the ones RunsTable.Row's dynamic rows make, byte for byte, for 1 to 3,000
// runs of real summaries; a table with a sweep column keeps the dynamic
// rows, and a sweep value given to a table without sweep columns is an
// error wrapping ErrSchema.
func TestRunsPartStaticSameBytes(t *testing.T) {
	sums := runsSummaries(t)
	rt, err := NewRunsTable(nil)
	if err != nil {
		t.Fatal(err)
	}
	if rt.static == nil {
		t.Fatal("a runs table without sweep columns has no static row type: RunsRow's schema is not the table's")
	}
	if swept, err := NewRunsTable([]string{"consumers.review_rate"}); err != nil || swept.static != nil {
		t.Fatalf("a runs table with a sweep column: static %v, %v", swept.static != nil, err)
	}
	dir := t.TempDir()
	st := storage.NewDir(dir)
	keys := func(i int) RunKeys {
		return RunKeys{RunID: int64(i), Cell: int64(i / 100), Scenario: model.ScenarioDepegBacked, Policy: "all", Replicate: int64(i % 100), Seed: -int64(i) * 104729}
	}
	for _, n := range []int{1, 32, 256, 3000} {
		dyn, err := CreateOwnedPart[any](context.Background(), st, "dynamic.parquet", TableRuns, "", FileMeta{Study: "t"}, rt.Schema(),
			parquet.PageBufferSize(RunsPageBufferFor(int64(n))))
		if err != nil {
			t.Fatal(err)
		}
		stat, err := CreateRunsPart(context.Background(), st, "static.parquet", "", FileMeta{Study: "t"}, rt, int64(n))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := stat.(*staticRunsPart); !ok {
			t.Fatalf("CreateRunsPart without sweep columns made a %T", stat)
		}
		for i := range n {
			if err := dyn.Write([]any{rt.Row(keys(i), &sums[i%len(sums)], nil)}); err != nil {
				t.Fatal(err)
			}
			if err := stat.WriteRun(keys(i), &sums[i%len(sums)], nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []Part{dyn, stat} {
			if _, _, err := p.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if a, b := readPart(t, dir, "static.parquet"), readPart(t, dir, "dynamic.parquet"); !bytes.Equal(a, b) {
			t.Errorf("%d runs: RunsRow wrote %d bytes, RunsTable.Row %d bytes, not the same file", n, len(a), len(b))
		}
	}
	p, err := CreateRunsPart(context.Background(), st, "bad.parquet", "", FileMeta{Study: "t"}, rt, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Abort()
	if err := p.WriteRun(keys(0), &sums[0], []SweepValue{{Param: "x", Value: 1}}); !errors.Is(err, ErrSchema) {
		t.Errorf("a sweep value for a runs table without sweep columns: %v, want ErrSchema", err)
	}
}
