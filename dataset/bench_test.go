package dataset

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// benchRuns simulates the default study's cells (model.Default, every
// built-in scenario × policy, 365 days, 2,000 consumers as in
// configs/default.yaml) for reps replicates each and returns their summaries
// and daily steps: the rows the pipeline writes.
func benchRuns(b *testing.B, reps int) (keys []RunKeys, sums []model.Summary, steps [][]model.Step) {
	b.Helper()
	cell := 0
	for _, sn := range model.ScenarioNames() {
		for _, pn := range model.PolicyNames() {
			sc := model.Scenarios()[sn]
			p, err := model.Resolve(model.Default(), sc, model.Policies()[pn])
			if err != nil {
				b.Fatal(err)
			}
			for rep := 0; rep < reps; rep++ {
				id := int64(cell*reps + rep)
				spec := model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: 365, Seed: 20261121, Replicate: rep,
					RunID: id, RecordEveryDays: 1}
				sum, rec := recordRun(b, &spec)
				keys = append(keys, RunKeys{RunID: id, Cell: int64(cell), Scenario: sn, Policy: pn, Replicate: int64(rep),
					Seed: int64(model.RunSeed(20261121, rep))})
				sums = append(sums, sum)
				steps = append(steps, rec.steps)
			}
			cell++
		}
	}
	return keys, sums, steps
}

// BenchmarkWriteSteps writes the steps of the default study's cells (two
// replicates each) as one part file per iteration and reports rows/s and
// bytes/row of the file (zstd, the table's encodings, page statistics):
// "static" without sweep columns (the static row type, CreateDayPart's fast
// path), "sweep" with one sweep column (rows assembled as parquet.Row).
func BenchmarkWriteSteps(b *testing.B) {
	keys, _, steps := benchRuns(b, 2)
	for _, c := range []struct {
		name  string
		sweep []SweepValue
	}{{"static", nil}, {"sweep", []SweepValue{{Param: "share_cap.cap", Value: 0.3}}}} {
		b.Run(c.name, func(b *testing.B) {
			var params []string
			for _, s := range c.sweep {
				params = append(params, s.Param)
			}
			dt, err := NewDayTable(TableSteps, reflect.TypeFor[model.Step](), params)
			if err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			var rows, bytes int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := CreateDayPart(context.Background(), storage.NewDir(dir), PartName(i), "", FileMeta{Study: "bench"}, dt, int64(len(steps)*len(steps[0])))
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				for j, st := range steps {
					k := keys[j]
					if err := p.WriteDay(DayKeys{Cell: k.Cell, Scenario: k.Scenario, Policy: k.Policy, Replicate: k.Replicate}, st, c.sweep); err != nil {
						b.Fatal(err)
					}
					rows += int64(len(st))
				}
				n, _, err := p.Commit()
				if err != nil {
					b.Fatal(err)
				}
				bytes = n
				os.Remove(p.Path())
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(bytes)/float64(rows), "bytes/row")
		})
	}
}

// BenchmarkWriteRuns writes the runs rows of the default study's cells (10
// replicates each) as one part file per iteration and reports rows/s and
// bytes/row.
func BenchmarkWriteRuns(b *testing.B) {
	keys, sums, _ := benchRuns(b, 10)
	rt, err := NewRunsTable([]string{"share_cap.cap"})
	if err != nil {
		b.Fatal(err)
	}
	sweep := []SweepValue{{Param: "share_cap.cap", Value: 0.3}}
	dir := b.TempDir()
	var bytes int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := CreatePart[any](context.Background(), storage.NewDir(dir), PartName(i), TableRuns, FileMeta{Study: "bench"}, rt.Schema())
		if err != nil {
			b.Fatal(err)
		}
		for j := range sums {
			if err := p.Write([]any{rt.Row(keys[j], &sums[j], sweep)}); err != nil {
				b.Fatal(err)
			}
		}
		n, _, err := p.Commit()
		if err != nil {
			b.Fatal(err)
		}
		bytes = n
		os.Remove(p.Path())
	}
	b.ReportMetric(float64(len(sums))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(bytes)/float64(len(sums)), "bytes/row")
}
