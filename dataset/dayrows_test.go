package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// dayRec keeps a run's steps and provider steps.
type dayRec struct {
	steps []model.Step
	prov  []model.ProviderStep
}

func (r *dayRec) Step(s *model.Step)                  { r.steps = append(r.steps, *s) }
func (r *dayRec) ProviderStep(ps *model.ProviderStep) { r.prov = append(r.prov, *ps) }

// recordRun runs spec with the real model and returns its summary and day
// rows.
func recordRun(tb testing.TB, spec *model.RunSpec) (model.Summary, dayRec) {
	tb.Helper()
	var r model.Runner
	var rec dayRec
	sum, err := r.Run(spec, &rec)
	if err != nil {
		tb.Fatal(err)
	}
	return sum, rec
}

// TestDayPartStaticMatchesRows: a day table without sweep columns is
// written through its static row type (CreateDayPart's fast path); the file
// is byte for byte the one the generic path (rows assembled as parquet.Row,
// DayTable.AppendRows) writes for the same runs, for steps and
// provider_steps, with nulls (v2 optional columns) and several cells.
func TestDayPartStaticMatchesRows(t *testing.T) {
	var runs []dayRec
	var keys []DayKeys
	for i, sc := range []string{model.ScenarioBaseline, model.ScenarioDepegBacked} {
		for rep := 0; rep < 2; rep++ {
			p := model.Default()
			p.Consumers.Count = 200
			s := model.Scenarios()[sc]
			spec := model.RunSpec{Params: p, Schedule: s.Schedule, HorizonDays: 40, Seed: 3, Replicate: rep,
				RunID: int64(2*i + rep), RecordEveryDays: 1, ProviderSteps: true}
			_, rec := recordRun(t, &spec)
			runs = append(runs, rec)
			keys = append(keys, DayKeys{Cell: int64(i), Scenario: sc, Policy: "none", Replicate: int64(rep)})
		}
	}
	for _, c := range []struct {
		table string
		typ   reflect.Type
		rows  func(r dayRec) any
	}{
		{TableSteps, reflect.TypeFor[model.Step](), func(r dayRec) any { return r.steps }},
		{TableProviderSteps, reflect.TypeFor[model.ProviderStep](), func(r dayRec) any { return r.prov }},
	} {
		dt, err := NewDayTable(c.table, c.typ, nil)
		if err != nil {
			t.Fatal(err)
		}
		if dt.fast == nil {
			t.Fatalf("%s: no static row type", c.table)
		}
		dir := t.TempDir()
		st := storage.NewDir(dir)
		fast, err := CreateDayPart(context.Background(), st, "fast.parquet", "", FileMeta{Study: "t"}, dt, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := fast.(*rowsPart); ok {
			t.Fatalf("%s: CreateDayPart chose the generic path", c.table)
		}
		slow, err := CreateOwnedPart[any](context.Background(), st, "rows.parquet", c.table, "", FileMeta{Study: "t"}, dt.Schema())
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range runs {
			if err := fast.WriteDay(keys[i], c.rows(r), nil); err != nil {
				t.Fatal(err)
			}
			if err := slow.WriteDay(dt, keys[i], c.rows(r), nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []Part{fast, slow} {
			if _, _, err := p.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		a, err := os.ReadFile(filepath.Join(dir, "fast.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "rows.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the static path wrote %d bytes, the generic path %d bytes, not the same file", c.table, len(a), len(b))
		}
	}
}
