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

// recordDayRuns records four runs of 200 consumers, every day and every
// provider (baseline and depeg_backed, two replicates each: two cells), and
// their keys with the given policy name.
func recordDayRuns(t *testing.T, horizon int, seed uint64, policy string) ([]dayRec, []DayKeys) {
	t.Helper()
	var runs []dayRec
	var keys []DayKeys
	for i, sc := range []string{model.ScenarioBaseline, model.ScenarioDepegBacked} {
		for rep := 0; rep < 2; rep++ {
			p := model.Default()
			p.Consumers.Count = 200
			s := model.Scenarios()[sc]
			spec := model.RunSpec{Params: p, Schedule: s.Schedule, HorizonDays: horizon, Seed: seed, Replicate: rep,
				RunID: int64(2*i + rep), RecordEveryDays: 1, ProviderSteps: true}
			_, rec := recordRun(t, &spec)
			runs = append(runs, rec)
			keys = append(keys, DayKeys{Cell: int64(i), Scenario: sc, Policy: policy, Replicate: int64(rep)})
		}
	}
	return runs, keys
}

// TestDayPartStaticMatchesRows: a day table without sweep columns is
// written through its static row type (CreateDayPart's fast path); the file
// is byte for byte the one the generic path (rows assembled as parquet.Row,
// DayTable.AppendRows) writes for the same runs, for steps and
// provider_steps, with nulls (v2 optional columns) and several cells.
func TestDayPartStaticMatchesRows(t *testing.T) {
	runs, keys := recordDayRuns(t, 40, 3, "none")
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
		a := readPart(t, dir, "fast.parquet")
		b := readPart(t, dir, "rows.parquet")
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the static path wrote %d bytes, the generic path %d bytes, not the same file", c.table, len(a), len(b))
		}
	}
}

// TestDayPartKeyedRows: a run's rows given as []StepsRow or
// []ProviderStepsRow (as the pipeline records them) are written as the
// same file as the model's []model.Step or []model.ProviderStep, on the
// static path (no sweep columns: the slice itself is written) and on the
// parquet.Row path (a sweep column), with nulls, several cells and
// runs, and key columns that held other values before: WriteDay sets them.
func TestDayPartKeyedRows(t *testing.T) {
	runs, keys := recordDayRuns(t, 35, 8, "share_cap")
	stale := dayKeyCols{ID: -7, Cell: 99, Scenario: "stale", Policy: "stale", Replicate: 42}
	keyed := func(r dayRec, table string) any {
		if table == TableSteps {
			out := make([]StepsRow, len(r.steps))
			for i := range r.steps {
				out[i] = StepsRow{dayKeyCols: stale, Step: r.steps[i]}
			}
			return out
		}
		out := make([]ProviderStepsRow, len(r.prov))
		for i := range r.prov {
			out[i] = ProviderStepsRow{dayKeyCols: stale, ProviderStep: r.prov[i]}
		}
		return out
	}
	keysOf := func(rows any, i int) dayKeyCols {
		switch rs := rows.(type) {
		case []StepsRow:
			return rs[i].dayKeyCols
		case []ProviderStepsRow:
			return rs[i].dayKeyCols
		}
		t.Fatalf("rows of type %T", rows)
		return dayKeyCols{}
	}
	for _, table := range []string{TableSteps, TableProviderSteps} {
		for _, sweep := range [][]SweepValue{nil, {{Param: "share_cap.cap", Value: 0.25}}} {
			typ := reflect.TypeFor[model.Step]()
			modelRows := func(r dayRec) any { return r.steps }
			if table == TableProviderSteps {
				typ = reflect.TypeFor[model.ProviderStep]()
				modelRows = func(r dayRec) any { return r.prov }
			}
			var params []string
			for _, s := range sweep {
				params = append(params, s.Param)
			}
			dt, err := NewDayTable(table, typ, params)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			st := storage.NewDir(dir)
			write := func(name string, rows func(int) any) []byte {
				t.Helper()
				p, err := CreateDayPart(context.Background(), st, name, "", FileMeta{Study: "t"}, dt, 0)
				if err != nil {
					t.Fatal(err)
				}
				for i := range runs {
					rs := rows(i)
					if err := p.WriteDay(keys[i], rs, sweep); err != nil {
						t.Fatal(err)
					}
					switch rs.(type) {
					case []StepsRow, []ProviderStepsRow:
						want := keyCols(&keys[i], int64(i))
						if got := keysOf(rs, 0); got != want {
							t.Errorf("%s, %d sweep columns, run %d: keys %+v after WriteDay, want %+v", table, len(sweep), i, got, want)
						}
					}
				}
				if _, _, err := p.Commit(); err != nil {
					t.Fatal(err)
				}
				return readPart(t, dir, name)
			}
			want := write("model.parquet", func(i int) any { return modelRows(runs[i]) })
			got := write("keyed.parquet", func(i int) any { return keyed(runs[i], table) })
			if !bytes.Equal(got, want) {
				t.Errorf("%s, %d sweep columns: keyed rows wrote %d bytes, model rows %d bytes, not the same file", table, len(sweep), len(got), len(want))
			}
			// Rows built with their keys (AppendStepsRow, as the pipeline's
			// workers do), WriteDay leaving them as they are.
			prekeyed := func(i int) any {
				r := runs[i]
				if table == TableSteps {
					var out []StepsRow
					for j := range r.steps {
						out = AppendStepsRow(out, &keys[i], &r.steps[j])
					}
					return out
				}
				var out []ProviderStepsRow
				for j := range r.prov {
					out = AppendProviderStepsRow(out, &keys[i], &r.prov[j])
				}
				return out
			}
			if got := write("prekeyed.parquet", prekeyed); !bytes.Equal(got, want) {
				t.Errorf("%s, %d sweep columns: rows built with their keys wrote %d bytes, model rows %d bytes, not the same file", table, len(sweep), len(got), len(want))
			}
		}
	}
}

// readPart returns the bytes of the file name in dir, failing t if it
// cannot be read.
func readPart(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
