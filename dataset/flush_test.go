package dataset

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// TestFinishParallelSameBytes: a part whose columns' last pages are
// written by several goroutines (flushColumns) before Close is byte for
// byte the file Close alone writes, flushing them in turn: steps and
// provider_steps (static row types, nulls), steps with a sweep column
// (parquet.Row path) and the runs table, with several cells, and 64 KiB
// page buffers for 9,600 rows, so the double columns hold a page written
// during the writes and one at the finish.
func TestFinishParallelSameBytes(t *testing.T) {
	type run struct {
		keys RunKeys
		sum  model.Summary
		rec  dayRec
	}
	var runs []run
	for i := 0; i < 32; i++ {
		sc := []string{model.ScenarioBaseline, model.ScenarioDepegBacked, model.ScenarioVolatility}[i%3]
		p := model.Default()
		p.Consumers.Count = 100
		s := model.Scenarios()[sc]
		spec := model.RunSpec{Params: p, Schedule: s.Schedule, HorizonDays: 299, Seed: 4, Replicate: i,
			RunID: int64(i), RecordEveryDays: 1, ProviderSteps: true}
		sum, rec := recordRun(t, &spec)
		runs = append(runs, run{RunKeys{RunID: int64(i), Cell: int64(i % 3), Scenario: sc, Policy: "none", Replicate: int64(i),
			Seed: int64(model.RunSeed(4, i))}, sum, rec})
	}
	if n := len(runs[0].rec.steps) * len(runs); n*8 <= PageBufferBytes {
		t.Fatalf("%d steps rows fit one %d-byte page", n, PageBufferBytes)
	}
	dir := t.TempDir()
	st := storage.NewDir(dir)
	meta := FileMeta{ConfigHash: "c", Seed: 4, ToolVersion: "t", Study: "flush"}
	sweep := []SweepValue{{Param: "share_cap.cap", Value: 0.4}}

	// newPart starts a part of table c named name holding every run.
	type finisher interface {
		Part
		finishWith(workers int) (int64, string, error)
		columns() int
		preflush(workers int) (int, error)
	}
	newPart := func(c string, name string) finisher {
		t.Helper()
		switch c {
		case "runs":
			rt, err := NewRunsTable([]string{"share_cap.cap"})
			if err != nil {
				t.Fatal(err)
			}
			p, err := CreatePart[any](context.Background(), st, name, TableRuns, meta, rt.Schema())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range runs {
				if err := p.Write([]any{rt.Row(r.keys, &r.sum, sweep)}); err != nil {
					t.Fatal(err)
				}
			}
			return testPart[any]{p}
		}
		table, typ, sw := TableSteps, reflect.TypeFor[model.Step](), []SweepValue(nil)
		rows := func(r run) any { return r.rec.steps }
		switch c {
		case "provider_steps":
			table, typ = TableProviderSteps, reflect.TypeFor[model.ProviderStep]()
			rows = func(r run) any { return r.rec.prov }
		case "steps+sweep":
			sw = sweep
		}
		var params []string
		for _, s := range sw {
			params = append(params, s.Param)
		}
		dt, err := NewDayTable(table, typ, params)
		if err != nil {
			t.Fatal(err)
		}
		dp, err := CreateDayPart(context.Background(), st, name, "", meta, dt, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			k := DayKeys{Cell: r.keys.Cell, Scenario: r.keys.Scenario, Policy: r.keys.Policy, Replicate: r.keys.Replicate}
			if err := dp.WriteDay(k, rows(r), sw); err != nil {
				t.Fatal(err)
			}
		}
		switch p := dp.(type) {
		case *staticPart[StepsRow, model.Step]:
			return testPart[StepsRow]{p.PartWriter}
		case *staticPart[ProviderStepsRow, model.ProviderStep]:
			return testPart[ProviderStepsRow]{p.PartWriter}
		case *rowsPart:
			return testPart[any]{p.PartWriter}
		}
		t.Fatalf("%s: part of type %T", c, dp)
		return nil
	}
	finish := func(p finisher, workers int) []byte {
		t.Helper()
		if _, _, err := p.finishWith(workers); err != nil {
			t.Fatal(err)
		}
		if err := p.Publish(); err != nil {
			t.Fatal(err)
		}
		return readPart(t, dir, p.Path())
	}
	for _, c := range []string{"steps", "provider_steps", "steps+sweep", "runs"} {
		want := finish(newPart(c, c+"-close.parquet"), 1)
		p := newPart(c, c+"-preflushed.parquet")
		if n, err := p.preflush(4); err != nil || n != p.columns() {
			t.Fatalf("%s: flushColumns flushed %d of %d columns, error %v", c, n, p.columns(), err)
		}
		if got := finish(p, 1); !bytes.Equal(got, want) {
			t.Errorf("%s: columns flushed by 4 goroutines then Close: %d bytes, Close alone: %d bytes, not the same file", c, len(got), len(want))
		}
		if got := finish(newPart(c, c+"-finish.parquet"), 4); !bytes.Equal(got, want) {
			t.Errorf("%s: finished with 4 workers: %d bytes, not Close alone's %d", c, len(got), len(want))
		}
	}
}

// testPart gives a PartWriter's internals to TestFinishParallelSameBytes.
type testPart[T any] struct{ *PartWriter[T] }

func (p testPart[T]) finishWith(workers int) (int64, string, error) { return p.finish(workers) }
func (p testPart[T]) columns() int                                  { return len(p.w.ColumnWriters()) }
func (p testPart[T]) preflush(workers int) (int, error) {
	return flushColumns(p.w.ColumnWriters(), workers)
}
