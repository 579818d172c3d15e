package clustertest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/study"
)

// benchStudyYAML is the benchmarks' study file: 2 × 2 cells × reps
// replicates of 365 days with daily steps, in chunks of 32 runs (the model of
// configs/default.yaml).
func benchStudyYAML(name string, reps int) string {
	return fmt.Sprintf("name: %s\nseed: 3\nreplicates: %d\nhorizon_days: 365\nchunk_runs: 32\n"+
		"scenarios: [baseline, volatility]\npolicies: [none, fund]\noutputs: {steps: true}\n", name, reps)
}

// benchStudy is the plan of benchStudyYAML("bench", reps).
func benchStudy(b *testing.B, reps int) *pipeline.Plan {
	b.Helper()
	s, err := study.ParseStudy("bench.yaml", []byte(benchStudyYAML("bench", reps)))
	if err != nil {
		b.Fatal(err)
	}
	p, err := pipeline.NewPlan(s)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkS3VsDisk writes the same study (256 runs, 8 chunks, steps on)
// with 2 workers to a local directory and to the local S3 server, three
// times each, alternating, and reports the median runs/s of each and the S3
// cost relative to disk (target ≤ 10%).
func BenchmarkS3VsDisk(b *testing.B) {
	if server == nil {
		b.Skip("no S3 server (make tools)")
	}
	ctx := context.Background()
	root, err := server.Bucket(ctx, "bench", "b")
	if err != nil {
		b.Fatal(err)
	}
	plan := benchStudy(b, 64)
	for i := 0; i < b.N; i++ {
		var disk, s3 []float64
		for round := range 3 {
			for _, target := range []string{"disk", "s3"} {
				loc := filepath.Join(b.TempDir(), "bench")
				if target == "s3" {
					loc = storage.Join(root, fmt.Sprintf("run-%d-%d", i, round))
				}
				start := time.Now()
				res, err := pipeline.Execute(ctx, plan, pipeline.Options{Dir: loc, Workers: 2, ToolVersion: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				rate := float64(res.Done) / time.Since(start).Seconds()
				if target == "s3" {
					s3 = append(s3, rate)
				} else {
					disk = append(disk, rate)
				}
			}
		}
		slices.Sort(disk)
		slices.Sort(s3)
		b.ReportMetric(disk[1], "disk_runs/s")
		b.ReportMetric(s3[1], "s3_runs/s")
		b.ReportMetric(100*(1-s3[1]/disk[1]), "s3_cost_%")
	}
}

// BenchmarkS3Memory runs the tokensim binary on studies of 256 and 1,024
// runs written to S3 with 2 workers and reports each process's peak
// resident memory (getrusage ru_maxrss): flat in the number of runs.
func BenchmarkS3Memory(b *testing.B) {
	if server == nil {
		b.Skip("no S3 server (make tools)")
	}
	ctx := context.Background()
	root, err := server.Bucket(ctx, "memory", "m")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		for _, reps := range []int{64, 256} {
			study := writeStudy(b, benchStudyYAML(fmt.Sprintf("mem%d-%d", i, reps), reps))
			cmd := tokensimB(b, "run", "-o", root, "-j", "2", "--no-report", "--quiet", study)
			if err := cmd.Run(); err != nil {
				b.Fatalf("%v\n%s", err, output(cmd))
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			b.ReportMetric(float64(ru.Maxrss)/1024, fmt.Sprintf("maxrss_MB_%d_runs", 4*reps))
		}
	}
}

func tokensimB(b *testing.B, args ...string) *exec.Cmd {
	b.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd
}
