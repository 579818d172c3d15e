package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/reports"
	"golang.org/x/sync/errgroup"
)

// reportFlags are the options of `tokensim report`.
type reportFlags struct {
	bootstrap int
	method    string
	workers   int
	noFans    bool
	noSVG     bool
	verify    bool // check every listed file's SHA-256 (aggregate.VerifyAll)
	noVerify  bool // check none (aggregate.VerifyNone); default: the files read
	cpuProf   string
}

func defaultReportFlags() reportFlags {
	o := aggregate.DefaultOptions()
	return reportFlags{bootstrap: o.Bootstrap, method: o.BootstrapMethod, workers: min(o.Workers, runtime.NumCPU())}
}

// cmdReport implements `tokensim report [flags] DIR`: aggregate the study in
// DIR (summary/ tables) and write DIR/figures and DIR/report.html.
func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	rf := defaultReportFlags()
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&rf.bootstrap, "bootstrap", rf.bootstrap, "`B` bootstrap resamples for the policy-effect intervals (≥ 100)")
	fs.StringVar(&rf.method, "method", rf.method, "bootstrap interval `METHOD`: \"bca\" or \"percentile\"")
	fs.IntVar(&rf.workers, "workers", rf.workers, "`N` parallel workers for the aggregation")
	fs.BoolVar(&rf.noFans, "no-fans", false, "skip the daily steps (no charts over time; faster)")
	fs.BoolVar(&rf.noSVG, "no-svg", false, "write figures as PNG only")
	fs.BoolVar(&rf.verify, "verify", false, "check every data file against the SHA-256 in manifest.json, provider_steps included\n(by default the files the report reads are checked)")
	fs.BoolVar(&rf.noVerify, "no-verify", false, "do not check the data files' SHA-256 (trust them)")
	fs.StringVar(&rf.cpuProf, "cpuprofile", "", "write a CPU profile of the report to `FILE` (go tool pprof)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tokensim report [flags] DIR|URL")
		fmt.Fprintln(stderr, "\nAggregates the study in DIR (a directory written by `tokensim run`) into")
		fmt.Fprintln(stderr, "DIR/summary/ (Parquet and Arrow tables), DIR/figures/ (PNG and SVG) and")
		fmt.Fprintln(stderr, "DIR/report.html (one self-contained page), and prints the page's path.")
		fmt.Fprintln(stderr, "For a sensitivity study (`tokensim sensitivity`) the page shows its indices;")
		fmt.Fprintln(stderr, "the flags below apply to other studies. A study in a bucket (s3://…, gs://…,")
		fmt.Fprintln(stderr, "azblob://…) is fetched to a temporary directory and its outputs written back.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if rf.verify && rf.noVerify {
		return fmt.Errorf("%w: --verify and --no-verify contradict each other", errUsage)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: report takes exactly one study directory, got %d arguments", errUsage, fs.NArg())
	}
	if rf.cpuProf != "" {
		stop, perr := startCPUProfile(rf.cpuProf)
		if perr != nil {
			return perr
		}
		defer func() {
			if cerr := stop(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	path, err := buildReport(ctx, fs.Arg(0), rf, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

// writeReport aggregates the study in dir and writes its report, returning the
// path of report.html; cmdRun calls it after a study completes.
//
// hashed says that this process has hashed every data file of the study
// already, so the report does not hash them again (aggregate.VerifyNone
// instead of the default VerifyRead): cmdRun's case of a local directory run
// as one shard, where pipeline.Execute hashed each part as it wrote it and
// checked each part kept from an earlier execution against its SHA-256 before
// resuming. Otherwise the files the report reads are checked.
func writeReport(ctx context.Context, dir string, hashed bool, stderr io.Writer) (string, error) {
	rf := defaultReportFlags()
	rf.noVerify = hashed
	return buildReport(ctx, dir, rf, stderr)
}

// buildReport writes the report of the study in dir: a sensitivity study's
// page (sensitivityReport in sensitivity.go: its design points are not
// comparable cells), otherwise aggregate.Aggregate then reports.Write.
// Aggregation warnings go to stderr.
func buildReport(ctx context.Context, loc string, rf reportFlags, stderr io.Writer) (string, error) {
	return atLocalStudy(ctx, loc, func(dir string) (string, error) { return buildLocalReport(ctx, dir, rf, stderr) })
}

// buildLocalReport is buildReport of a study in a local directory.
func buildLocalReport(ctx context.Context, dir string, rf reportFlags, stderr io.Writer) (string, error) {
	// One report writer at a time; it first removes what a killed report left.
	release, err := pipeline.ReportLease(dir)
	if err != nil {
		return "", err
	}
	defer release()
	ro := reports.DefaultOptions()
	ro.SVG = !rf.noSVG
	ro.ToolVersion = toolVersion()
	if path, ok, err := sensitivityReport(ctx, dir, ro); ok {
		if err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		return path, describeDir(dir)
	}
	o := aggregate.DefaultOptions()
	o.Bootstrap = rf.bootstrap
	o.BootstrapMethod = rf.method
	o.Workers = max(rf.workers, 1)
	o.Fans = !rf.noFans
	switch {
	case rf.verify:
		o.Verify = aggregate.VerifyAll
	case rf.noVerify:
		o.Verify = aggregate.VerifyNone
	}
	if err := o.Validate(); err != nil {
		return "", fmt.Errorf("%w: %w", errUsage, err)
	}
	// The summary tables are written while the figures are drawn: both only
	// read st, and neither reads the other's files.
	o.WriteSummary = false
	st, err := aggregate.Aggregate(ctx, dir, o)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	for _, w := range st.Warnings {
		fmt.Fprintln(stderr, "tokensim report: warning:", w)
	}
	var path string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return aggregate.WriteSummary(dir, st) })
	g.Go(func() (err error) {
		path, err = reports.Write(gctx, st, dir, ro)
		return err
	})
	if err := g.Wait(); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return path, describeDir(dir)
}

// describe writes the study directory's README.md and datapackage.json and
// lists every file in its manifest (dataset.Describe), the summary tables
// documented by aggregate.
//
// A study in a bucket is described on a fetched copy and the files written
// back (atLocalStudy).
func describe(ctx context.Context, loc string) error {
	_, err := atLocalStudy(ctx, loc, func(dir string) (string, error) { return "", describeDir(dir) })
	return err
}

// describeDir is describe of a study in a local directory: buildLocalReport
// runs in one already (atLocalStudy), so it calls this directly.
func describeDir(dir string) error {
	if err := dataset.Describe(dir, dataset.DescribeOptions{SummaryColumns: aggregate.SummaryColumns()}); err != nil {
		return fmt.Errorf("describing the study: %w", err)
	}
	return nil
}
