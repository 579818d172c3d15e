package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/study"
)

// maxWorkers bounds -j.
const maxWorkers = 4096

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("run", "tokensim run [flags] [STUDY.yaml]",
		"Run a study: every cell (scenario × policy × sweep point) × replicate, written to a Parquet\n"+
			"dataset under <output_root>/<name>/ with manifest.json, then the report. Without a file the\n"+
			"embedded default study (configs/default.yaml) is run. An interrupted study is resumed by\n"+
			"running the same command again. The last line printed is the path of report.html.\n\n"+
			"Exit status: 0 done, 1 error, 2 usage, 3 some runs failed (see manifest.json), 4 bad or missing\n"+
			"scheduler shard index or shard count (--shard-from-env; not worth retrying), 130 interrupted.")
	ef := addExecFlags(fs, "run only shard `i/N` (1 ≤ i ≤ N) of the study's chunks; N processes together write the whole dataset", "no progress output, warnings and errors only", "do not write the report after the runs")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole command (runs and report) to `FILE` (go tool pprof)")
	if done, err := parseFlags(fs, args, stdout); done || err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, perr := startCPUProfile(*cpuProfile)
		if perr != nil {
			return perr
		}
		defer func() {
			if cerr := stop(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: run takes one study file, got %d arguments: %s", errUsage, fs.NArg(), strings.Join(fs.Args(), " "))
	}
	x, err := ef.parse(fs)
	if err != nil {
		return err
	}

	study, src, err := loadStudy(fs.Arg(0))
	if err != nil {
		return err
	}
	if study.Sensitivity != nil {
		return fmt.Errorf("%w: %s is a sensitivity study: run it with `tokensim sensitivity %s`", errUsage, src, src)
	}
	plan, err := pipeline.NewPlan(study)
	if err != nil {
		return err
	}
	dir := ef.dir(study)
	if err := pipeline.CheckDiskBudget(plan); err != nil {
		return err
	}

	level := slog.LevelInfo
	if x.quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	for _, w := range unusedDefs(study) {
		logger.Warn(w)
	}
	est := pipeline.Estimate(plan)
	logger.Info("study", "name", study.Name, "file", src, "dir", dir, "runs", plan.Runs(), "cells", len(plan.Cells),
		"replicates", study.Replicates, "shard", fmt.Sprintf("%d/%d", x.shard, x.shards), "estimated_disk", pipeline.FormatBytes(est.Bytes))

	x.dir, x.logger, x.stderr, x.command = dir, logger, stderr, append([]string{"tokensim", "run"}, args...)
	m, failed, err := x.execute(ctx, plan)
	if err != nil {
		return err
	}
	if m.State != dataset.StateComplete {
		logger.Info("this shard is done; the study completes when every shard has run (the last one writes the report)",
			"runs_done", m.RunsDone, "runs_planned", m.RunsPlanned)
		fmt.Fprintln(stdout, dir)
		return failed
	}
	if *ef.noReport {
		if err := describe(ctx, dir); err != nil {
			return err
		}
		fmt.Fprintln(stdout, dir)
		return failed
	}
	// One shard in a local directory: this process wrote or checked every part.
	hashed := x.shards == 1 && !storage.IsURL(dir)
	reportStart := time.Now()
	report, rerr := writeReport(ctx, dir, hashed, stderr)
	if rerr != nil {
		logger.Warn("the dataset is complete but the report failed; retry with `tokensim report "+dir+"`", "error", rerr)
		fmt.Fprintln(stdout, dir)
		if failed != nil {
			return failed
		}
		return fmt.Errorf("report: %w", rerr)
	}
	logger.Info("report written", "file", report,
		"seconds", strconv.FormatFloat(time.Since(reportStart).Seconds(), 'f', 2, 64))
	fmt.Fprintln(stdout, report)
	return failed
}

// execFlags are the flags `run` and `sensitivity` share.
type execFlags struct {
	outRoot, shard                   *string
	workers                          *int
	force, quiet, failFast, noReport *bool
	shards                           *int
	shardFromEnv                     *bool
}

// addExecFlags defines the shared flags on fs; the help of --shard, --quiet
// and --no-report is the command's own.
func addExecFlags(fs *flag.FlagSet, shardHelp, quietHelp, noReportHelp string) execFlags {
	return execFlags{
		outRoot: fs.String("o", "", "output root `DIR` or URL (s3://bucket/prefix?…, gs://…, azblob://…, file://…; overrides the\n"+
			"study's output_root); the study goes to DIR/<name>"),
		workers:  fs.Int("j", 0, "number of concurrent runs `N` (default: GOMAXPROCS)"),
		shard:    fs.String("shard", "", shardHelp),
		force:    fs.Bool("force", false, "delete a different study found in the output directory and start over"),
		quiet:    fs.Bool("quiet", false, quietHelp),
		failFast: fs.Bool("fail-fast", false, "stop at the first failed run instead of recording it and going on"),
		noReport: fs.Bool("no-report", false, noReportHelp),
		shards: fs.Int("shards", 0, "total number of shards `N` for --shard-from-env (required with it; must equal the array's size\n"+
			"and the shard count already recorded in the study directory)"),
		shardFromEnv: fs.Bool("shard-from-env", false, "take this process's shard index from the scheduler: JOB_COMPLETION_INDEX (Kubernetes\n"+
			"Indexed Job, 0-based), SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN (Slurm array) or\n"+
			"AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch, 0-based); needs --shards N. A bad or missing index\n"+
			"exits with status 4 (not worth retrying)"),
	}
}

// parse range-checks -j (1..maxWorkers when given) and parses --shard into
// an execution (its directory, logger and command are set by the caller).
func (f execFlags) parse(fs *flag.FlagSet) (execution, error) {
	setJ := false
	fs.Visit(func(fl *flag.Flag) { setJ = setJ || fl.Name == "j" })
	if j := *f.workers; setJ && (j < 1 || j > maxWorkers) {
		return execution{}, fmt.Errorf("%w: -j %d: the number of workers must be between 1 and %d", errUsage, j, maxWorkers)
	}
	si, sn, err := parseShard(*f.shard)
	if err != nil {
		return execution{}, err
	}
	strict := false
	switch {
	case *f.shardFromEnv:
		if *f.shard != "" {
			return execution{}, fmt.Errorf("%w: --shard and --shard-from-env exclude each other", errShardEnv)
		}
		if *f.shards == 0 {
			return execution{}, fmt.Errorf("%w: --shard-from-env needs the total number of shards: --shards N", errShardEnv)
		}
		if si, err = shardFromEnv(os.LookupEnv, *f.shards); err != nil {
			return execution{}, err
		}
		sn, strict = *f.shards, true
	case *f.shards != 0:
		return execution{}, fmt.Errorf("%w: --shards %d is only used with --shard-from-env (with --shard give i/N)", errUsage, *f.shards)
	}
	return execution{workers: *f.workers, shard: si, shards: sn, strictShards: strict, force: *f.force, failFast: *f.failFast, quiet: *f.quiet}, nil
}

// dir is the study's output directory: <output_root>/<name>, -o overriding the root.
func (f execFlags) dir(study *study.Study) string {
	root := study.OutputRoot
	if *f.outRoot != "" {
		root = *f.outRoot
	}
	return storage.Join(root, study.Name)
}

// execution is how `run` and `sensitivity` execute a plan: the output
// directory, the shard and worker flags, and where progress and logs go.
type execution struct {
	dir                    string
	workers, shard, shards int
	force, failFast, quiet bool
	strictShards           bool // the study's recorded shard count must equal shards (--shard-from-env)
	logger                 *slog.Logger
	stderr                 io.Writer
	command                []string // the command line that resumes the study
	failedNote             string   // appended to the failed-runs error
}

// execute runs plan with progress on stderr and logs the outcome. It returns
// the manifest and, when some runs failed, an error wrapping errRunsFailed
// (the study itself went on); err is an interruption (with the resume
// command) or any other failure of the pipeline.
func (x execution) execute(ctx context.Context, plan *pipeline.Plan) (m *dataset.Manifest, failed, err error) {
	prog := newProgress(x.stderr, x.logger, x.quiet)
	start := time.Now()
	res, err := pipeline.Execute(ctx, plan, pipeline.Options{
		Dir: x.dir, Workers: x.workers, Shard: x.shard, Shards: x.shards, Force: x.force, FailFast: x.failFast,
		ToolVersion: toolVersion(), Progress: prog.update, Logger: x.logger,
		CheckShardCount: x.strictShards,
	})
	prog.finish(err == nil)
	if err != nil {
		return nil, nil, interrupted(err, x.dir, x.command)
	}
	m = res.Manifest
	secs := time.Since(start).Seconds()
	x.logger.Info("runs written", "dir", x.dir, "runs", res.Done, "failed", res.Failed, "resumed", res.Resumed,
		"seconds", strconv.FormatFloat(secs, 'f', 1, 64), "runs_per_s", strconv.FormatFloat(float64(res.Done)/max(secs, 1e-9), 'f', 1, 64),
		"study_state", m.State)
	if m.RunsFailed > 0 {
		failed = fmt.Errorf("%w: %d of %d runs failed; their errors are in %s%s", errRunsFailed, m.RunsFailed, m.RunsPlanned,
			storage.Join(x.dir, dataset.ManifestFile), x.failedNote)
	}
	return m, failed, nil
}

// interruptedError is a study stopped by a signal: one message saying what was
// kept and the command that resumes it. It unwraps to the pipeline's error
// (pipeline.ErrInterrupted and context.Canceled: exit status 130).
type interruptedError struct {
	msg string
	err error
}

func (e *interruptedError) Error() string { return e.msg }
func (e *interruptedError) Unwrap() error { return e.err }

// interrupted turns an error wrapping pipeline.ErrInterrupted into an
// interruptedError naming dir and the resume command; other errors are
// returned as they are.
func interrupted(err error, dir string, command []string) error {
	if !errors.Is(err, pipeline.ErrInterrupted) {
		return err
	}
	// The pipeline's text ends with the context's error ("context canceled"),
	// which tells a user nothing; the resume hint below replaces it.
	what := err.Error()
	if i := strings.Index(what, "; run the same command again"); i >= 0 {
		what = what[:i]
	}
	return &interruptedError{
		msg: fmt.Sprintf("%s (kept in %s); resume with: %s", what, dir, strings.Join(command, " ")),
		err: err,
	}
}

// parseShard parses "i/N" (empty: 1/1).
func parseShard(s string) (int, int, error) {
	if s == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > maxShards {
		return 0, 0, fmt.Errorf("%w: --shard %q: want i/N with 1 ≤ i ≤ N ≤ %d, e.g. --shard 2/4", errUsage, s, maxShards)
	}
	return i, n, nil
}

// progress shows Execute's progress: an mpb bar when stderr is a terminal,
// else a log line every progressEvery.
type progress struct {
	w      io.Writer
	logger *slog.Logger
	quiet  bool
	tty    bool
	p      *mpb.Progress
	bar    *mpb.Bar
	last   time.Time
	latest pipeline.Progress
}

const progressEvery = 10 * time.Second

func newProgress(w io.Writer, logger *slog.Logger, quiet bool) *progress {
	pr := &progress{w: w, logger: logger, quiet: quiet, last: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			pr.tty = true
		}
	}
	return pr
}

func (pr *progress) update(p pipeline.Progress) {
	pr.latest = p
	if pr.quiet {
		return
	}
	if pr.tty {
		if pr.bar == nil {
			pr.p = mpb.New(mpb.WithOutput(pr.w), mpb.WithWidth(40), mpb.WithRefreshRate(200*time.Millisecond))
			pr.bar = pr.p.AddBar(max(p.Total, 1),
				mpb.PrependDecorators(decor.Name("runs "), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
				mpb.AppendDecorators(decor.AverageSpeed(nil, " %.1f runs/s"), decor.Name("  ETA "),
					decor.AverageETA(decor.ET_STYLE_GO)))
		}
		pr.bar.SetCurrent(p.Done)
		return
	}
	if time.Since(pr.last) >= progressEvery {
		pr.last = time.Now()
		pr.log(p)
	}
}

func (pr *progress) log(p pipeline.Progress) {
	rate := float64(p.Done) / max(p.Elapsed.Seconds(), 1e-9)
	eta := "unknown"
	if rate > 0 {
		eta = (time.Duration(float64(p.Total-p.Done)/rate) * time.Second).Round(time.Second).String()
	}
	pr.logger.Info("progress", "runs_done", p.Done, "runs_total", p.Total, "failed", p.Failed,
		"runs_per_s", strconv.FormatFloat(rate, 'f', 1, 64), "eta", eta)
}

func (pr *progress) finish(ok bool) {
	if pr.bar != nil {
		if ok {
			pr.bar.SetTotal(-1, true)
		} else {
			pr.bar.Abort(false)
		}
		pr.p.Wait()
	}
}

// startCPUProfile starts a CPU profile written to path (runtime/pprof); the
// returned function stops it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile %s: %w", path, err)
		}
		return nil
	}, nil
}
