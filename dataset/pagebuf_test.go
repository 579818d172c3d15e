package dataset

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// TestPageBufferFor: 16 bytes a row, clamped to [PageBufferBytes,
// MaxPageBufferBytes].
func TestPageBufferFor(t *testing.T) {
	for _, c := range []struct {
		rows int64
		want int
	}{
		{0, PageBufferBytes}, {100, PageBufferBytes}, {PageBufferBytes / 16, PageBufferBytes},
		{PageBufferBytes/16 + 1, PageBufferBytes + 16}, {10_000, 160_000},
		{MaxPageBufferBytes / 16, MaxPageBufferBytes}, {1 << 30, MaxPageBufferBytes},
	} {
		if got := PageBufferFor(c.rows); got != c.want {
			t.Errorf("PageBufferFor(%d) = %d, want %d", c.rows, got, c.want)
		}
	}
}

// TestDayPartPageHintSameBytes: a day part whose columns fit in their page
// buffer is the same file whatever the row estimate (the pipeline's estimate
// is the first run's rows × the partition's runs in the chunk), here with
// 32 runs of 300 days (9,600 rows, 75 KiB a double column): estimates from
// the exact count to far above give the bytes of MaxPageBufferBytes pages.
// An estimate too small for a column splits it into more pages, and the file
// differs (so the test would see a hint that does not reach the writer). The
// file reads back with every row.
func TestDayPartPageHintSameBytes(t *testing.T) {
	var runs [][]model.Step
	p := model.Default()
	p.Consumers.Count = 100
	s := model.Scenarios()[model.ScenarioVolatility]
	for rep := 0; rep < 32; rep++ {
		spec := model.RunSpec{Params: p, Schedule: s.Schedule, HorizonDays: 300, Seed: 5, Replicate: rep,
			RunID: int64(rep), RecordEveryDays: 1}
		_, rec := recordRun(t, &spec)
		runs = append(runs, rec.steps)
	}
	rows := int64(len(runs) * len(runs[0]))
	dt, err := NewDayTable(TableSteps, reflect.TypeFor[model.Step](), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, hint int64) []byte {
		t.Helper()
		part, err := CreateDayPart(context.Background(), storage.NewDir(dir), name, "", FileMeta{Study: "t"}, dt, hint)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range runs {
			if err := part.WriteDay(DayKeys{Cell: 1, Scenario: model.ScenarioVolatility, Policy: "none", Replicate: int64(i)}, st, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := part.Commit(); err != nil {
			t.Fatal(err)
		}
		return readPart(t, dir, name)
	}
	want := write("max.parquet", 1<<30)
	for _, hint := range []int64{rows, rows + 1, 2 * rows, MaxPageBufferBytes / 16} {
		if got := write("hint.parquet", hint); !bytes.Equal(got, want) {
			t.Errorf("estimate %d rows: %d bytes, not the %d bytes of MaxPageBufferBytes pages", hint, len(got), len(want))
		}
	}
	if rows*8 <= PageBufferBytes {
		t.Fatalf("%d rows fit a %d-byte page: the test cannot tell page sizes apart", rows, PageBufferBytes)
	}
	if got := write("small.parquet", 0); bytes.Equal(got, want) {
		t.Errorf("a %d-byte page buffer for %d rows wrote the same file as one page per column", PageBufferBytes, rows)
	}
	f, err := parquet.OpenFile(bytes.NewReader(want), int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	if f.NumRows() != rows {
		t.Errorf("%d rows read back, want %d", f.NumRows(), rows)
	}
	for _, rg := range f.RowGroups() {
		for i, cc := range rg.ColumnChunks() {
			pages := cc.Pages()
			n := 0
			for {
				pg, err := pages.ReadPage()
				if err != nil {
					break
				}
				parquet.Release(pg)
				n++
			}
			pages.Close()
			if n != 1 {
				t.Errorf("column %d: %d data pages with one page buffer per column, want 1", i, n)
			}
		}
	}
}
