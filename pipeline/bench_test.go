//go:build unix

package pipeline

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tokensim/tokensim/configs"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

type discard struct{}

func (discard) Step(*model.Step)                 {}
func (discard) ProviderStep(*model.ProviderStep) {}

// benchPlan: 2 scenarios × 2 policies × 64 replicates = 256 runs of 365 days,
// steps on, in 8 chunks of 32 runs (a study long enough that chunk flushes
// overlap with runs, as in real studies).
func benchPlan(b *testing.B) *Plan {
	s := testStudy(b, "replicates: 64\nhorizon_days: 365\nchunk_runs: 32\n")
	return testPlan(b, s, 32)
}

// bareRuns runs every run of the plan on `workers` goroutines with a
// recorder that discards the days: the model's own cost.
func bareRuns(p *Plan, workers int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r model.Runner
			for {
				id := next.Add(1) - 1
				if id >= p.Runs() {
					return
				}
				spec := p.Spec(id)
				if _, err := r.Run(&spec, discard{}); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkStudy compares runs/s of the whole pipeline (model, reorder,
// Parquet steps and runs tables, manifest) with the bare model on the same
// runs, with 1 and 2 workers. Overhead = 1 − pipeline/bare at equal workers.
func BenchmarkStudy(b *testing.B) {
	p := benchPlan(b)
	for _, workers := range []int{1, 2} {
		b.Run("bare/j"+itoa(workers), func(b *testing.B) {
			start, cpu0 := time.Now(), cpuTime()
			for i := 0; i < b.N; i++ {
				bareRuns(p, workers)
			}
			runs := float64(p.Runs()) * float64(b.N)
			b.ReportMetric(runs/time.Since(start).Seconds(), "runs/s")
			b.ReportMetric(runs/(cpuTime()-cpu0).Seconds(), "runs/cpu-s")
		})
		b.Run("pipeline/j"+itoa(workers), func(b *testing.B) {
			root := b.TempDir()
			var elapsed, cpu time.Duration
			var rows int64
			for i := 0; i < b.N; i++ {
				dir, err := os.MkdirTemp(root, "study")
				if err != nil {
					b.Fatal(err)
				}
				start, cpu0 := time.Now(), cpuTime()
				res, err := Execute(context.Background(), p, Options{Dir: dir, Workers: workers, ToolVersion: "bench"})
				elapsed += time.Since(start)
				cpu += cpuTime() - cpu0
				if err != nil {
					b.Fatal(err)
				}
				rows += res.Manifest.Rows[dataset.TableSteps] + res.Manifest.Rows[dataset.TableRuns]
				os.RemoveAll(dir)
			}
			b.ReportMetric(float64(p.Runs())*float64(b.N)/elapsed.Seconds(), "runs/s")
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(p.Runs())*float64(b.N)/cpu.Seconds(), "runs/cpu-s")
		})
	}
}

// cpuTime is the process's user+system CPU time: on a shared machine,
// runs per CPU-second measures cost independently of other load.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func itoa(i int) string { return string(rune('0' + i)) }

// replayRun is one recorded run of the real model: its summary and day rows.
type replayRun struct {
	sum model.Summary
	collector
}

// recordRuns runs every run of p with the real model and keeps its output.
func recordRuns(b *testing.B, p *Plan) []replayRun {
	b.Helper()
	out := make([]replayRun, p.Runs())
	var r model.Runner
	for id := range out {
		spec := p.Spec(int64(id))
		rec := &out[id]
		sum, err := r.Run(&spec, &rec.collector)
		if err != nil {
			b.Fatal(err)
		}
		rec.sum = sum
	}
	return out
}

// BenchmarkPipelineOverhead measures the pipeline's own CPU per run, without
// the model's: the runs of BenchmarkStudy's plan (steps on; "+provider" adds
// provider_steps) are recorded once from the real model, then Execute
// replays them (each worker hands the recorded days to its recorder, as the
// model does) with 2 workers, in chunks of 32 runs as BenchmarkStudy, and
// of 256 ("chunk256", dataset.DefaultChunkRuns: per-file costs spread over
// more runs). cpu-ms/run is the process's CPU per run (the
// reorder window, row conversion, Parquet encoding, zstd, hashing, files and
// manifests), the figure to set against the model's ms per run; rows/cpu-s
// counts the steps, provider_steps and runs rows written per CPU second.
func BenchmarkPipelineOverhead(b *testing.B) {
	for _, c := range []struct {
		name, extra string
		chunk       int
	}{
		{"steps", "", 32},
		{"steps+provider", "outputs:\n  steps: true\n  provider_steps: true\n", 32},
		{"steps/chunk256", "", 256},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := testStudy(b, "replicates: 64\nhorizon_days: 365\n"+c.extra)
			p := testPlan(b, s, c.chunk)
			rec := recordRuns(b, p)
			replay := func() RunFunc {
				return func(spec *model.RunSpec, r model.Recorder) (model.Summary, error) {
					x := &rec[spec.RunID]
					for i := range x.steps {
						r.Step(&x.steps[i])
					}
					for i := range x.prov {
						r.ProviderStep(&x.prov[i])
					}
					return x.sum, nil
				}
			}
			cpu, rows := timeExecute(b, p, replay)
			runs := float64(p.Runs()) * float64(b.N)
			b.ReportMetric(cpu.Seconds()/runs*1e3, "cpu-ms/run")
			b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
			b.ReportMetric(runs/b.Elapsed().Seconds(), "runs/s")
		})
	}
}

// timeExecute runs Execute of p b.N times with 2 workers and runs from
// newRun, each into a fresh directory removed outside the timer, and
// returns the process's CPU over the Executes and the rows they wrote.
func timeExecute(b *testing.B, p *Plan, newRun func() RunFunc) (cpu time.Duration, rows int64) {
	root := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir, err := os.MkdirTemp(root, "study")
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := cpuTime()
		res, err := Execute(context.Background(), p, Options{Dir: dir, Workers: 2, ToolVersion: "bench", NewRun: newRun})
		cpu += cpuTime() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range res.Manifest.Rows {
			rows += n
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	return cpu, rows
}

// BenchmarkStudyOverhead is BenchmarkStudy's comparison made in pairs: each
// iteration runs the plan bare, then through the pipeline, with the same
// workers, so that a machine whose load drifts (another process on the
// shared cores) biases neither side. cpu-overhead-% is 1 − (pipeline
// runs/cpu-s)/(bare runs/cpu-s) over all pairs, wall-overhead-% the same
// with runs/s, and extra-cpu-ms/run the pipeline's CPU per run above the
// bare model's (its own work plus what it costs the model, e.g. caches).
// j1 and j2 use benchPlan's 32-run chunks; "chunk256" the same runs, 2 workers, in
// one chunk of 256 (dataset.DefaultChunkRuns, the default: per-file costs
// spread over more runs, and one chunk finished after the last run);
// "default" the default study's 16 cells at 64 replicates in its own
// chunks (defaultStudyPlan).
func BenchmarkStudyOverhead(b *testing.B) {
	p := benchPlan(b)
	for _, workers := range []int{1, 2} {
		b.Run("j"+itoa(workers), func(b *testing.B) { studyOverhead(b, p, workers) })
	}
	b.Run("chunk256", func(b *testing.B) { // not "j2…": -bench StudyOverhead/j2 stays the 32-run plan
		s := testStudy(b, "replicates: 64\nhorizon_days: 365\n")
		studyOverhead(b, testPlan(b, s, 256), 2)
	})
	b.Run("default", func(b *testing.B) { studyOverhead(b, defaultStudyPlan(b, 64), 2) })
}

// defaultStudyPlan is the embedded default study (configs/default.yaml:
// 16 cells, steps every day) with the given replicates and its own chunking
// (256-run chunks, each spanning four cells): at 64 replicates 1,024 runs in
// 4 chunks, what `make run` does on an eighth of its runs.
func defaultStudyPlan(b *testing.B, replicates int) *Plan {
	s, err := study.ParseStudy(configs.DefaultName, configs.Default)
	if err != nil {
		b.Fatal(err)
	}
	s.Replicates = replicates
	p, err := NewPlan(s)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func studyOverhead(b *testing.B, p *Plan, workers int) {
	root := b.TempDir()
	var bareCPU, pipeCPU, bareWall, pipeWall time.Duration
	for i := 0; i < b.N; i++ {
		start, cpu0 := time.Now(), cpuTime()
		bareRuns(p, workers)
		bareWall += time.Since(start)
		bareCPU += cpuTime() - cpu0
		dir, err := os.MkdirTemp(root, "study")
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 = time.Now(), cpuTime()
		_, err = Execute(context.Background(), p, Options{Dir: dir, Workers: workers, ToolVersion: "bench"})
		pipeWall += time.Since(start)
		pipeCPU += cpuTime() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
	runs := float64(p.Runs()) * float64(b.N)
	b.ReportMetric(100*(1-bareCPU.Seconds()/pipeCPU.Seconds()), "cpu-overhead-%")
	b.ReportMetric(100*(1-bareWall.Seconds()/pipeWall.Seconds()), "wall-overhead-%")
	b.ReportMetric((pipeCPU-bareCPU).Seconds()/runs*1e3, "extra-cpu-ms/run")
}
