//go:build unix

package pipeline

import (
	"testing"

	"github.com/tokensim/tokensim/model"
)

// BenchmarkPipelineFixed measures the pipeline's costs that do not depend
// on the rows' contents: BenchmarkStudy's 256 runs executed with a model
// that does no work (every run returns one real summary and, with steps,
// 366 constant days), 2 workers, in one chunk of 256 runs or 8 of 32, steps
// off or on. cpu-ms/study is the process's CPU per Execute; the difference
// between the chunkings divided by 7 is what each further chunk costs (its
// part files, progress record and manifest merge), and chunk256/runs-only
// is about what a study costs at all (prepare, one runs part, the final
// records). docs/dataset.md, "Writer CPU", third pass, has the figures.
func BenchmarkPipelineFixed(b *testing.B) {
	for _, c := range []struct {
		name  string
		chunk int
		steps bool
	}{
		{"chunk256/runs-only", 256, false}, {"chunk32/runs-only", 32, false},
		{"chunk256/steps", 256, true}, {"chunk32/steps", 32, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			extra := "replicates: 64\nhorizon_days: 365\n"
			if !c.steps {
				extra += "outputs: {steps: false}\n"
			}
			p := testPlan(b, testStudy(b, extra), c.chunk)
			var r model.Runner
			spec := p.Spec(0)
			sum, err := r.Run(&spec, discard{})
			if err != nil {
				b.Fatal(err)
			}
			nop := func() RunFunc {
				var day model.Step
				return func(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
					if spec.RecordEveryDays > 0 {
						for d := range int64(spec.HorizonDays + 1) {
							day.RunID, day.Day = spec.RunID, d
							rec.Step(&day)
						}
					}
					return sum, nil
				}
			}
			cpu, _ := timeExecute(b, p, nop)
			b.ReportMetric(cpu.Seconds()/float64(b.N)*1e3, "cpu-ms/study")
		})
	}
}

// BenchmarkStudyOverheadRunsOnly is BenchmarkStudyOverhead/j2 with steps
// off (the runs table, progress records and manifest only; the model does
// not record its days, bare or in the pipeline): what the pipeline costs
// before any day row, in the same 32-run chunks.
func BenchmarkStudyOverheadRunsOnly(b *testing.B) {
	s := testStudy(b, "replicates: 64\nhorizon_days: 365\nchunk_runs: 32\noutputs: {steps: false}\n")
	studyOverhead(b, testPlan(b, s, 32), 2)
}
