package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/reports"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/study"
)

// sensCalibrationRuns is the number of model runs timed before a
// sensitivity study starts, for its time estimate.
const sensCalibrationRuns = 4

func cmdSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sensitivity", "tokensim sensitivity [flags] STUDY.yaml",
		"Run a global sensitivity study: the study's `sensitivity:` block (method sobol, morris or\n"+
			"lhs_prcc; factors with ranges; outputs) becomes a design whose points are the cells of the\n"+
			"study, each run for `replicates` replicates with common random numbers. The runs are written\n"+
			"like `tokensim run` (Parquet, manifest, resume, shards); then the indices with their\n"+
			"bootstrap intervals and the replicate-noise share are computed on the replicate means,\n"+
			"written to summary/sensitivity.parquet (+ .arrow), printed, and put in report.html.\n"+
			"`tokensim validate STUDY.yaml` prints the evaluation count and an estimated time first.\n"+
			"An interrupted study is resumed by running the same command again. The last line printed\n"+
			"is the path of report.html.\n\n"+
			"Exit status: 0 done, 1 error, 2 usage, 3 some runs failed (see manifest.json), 4 bad or missing\n"+
			"scheduler shard index or shard count (--shard-from-env; not worth retrying), 130 interrupted.")
	ef := addExecFlags(fs, "run only shard `i/N` (1 ≤ i ≤ N) of the study's chunks; the last shard to finish computes the indices", "no progress output and no index table, warnings and errors only", "do not write report.html (the indices are still computed and written)")
	if done, err := parseFlags(fs, args, stdout); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: sensitivity takes one study file with a sensitivity: block, got %d arguments (e.g. tokensim sensitivity configs/sensitivity.yaml)", errUsage, fs.NArg())
	}
	x, err := ef.parse(fs)
	if err != nil {
		return err
	}
	study, src, err := loadStudy(fs.Arg(0))
	if err != nil {
		return err
	}
	if study.Sensitivity == nil {
		return fmt.Errorf("%w: %s has no sensitivity: block; run it with `tokensim run %s`", errUsage, src, src)
	}
	plan, design, err := pipeline.SensitivityPlan(study)
	if err != nil {
		return err
	}
	dir := ef.dir(study)

	level := slog.LevelInfo
	if x.quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if base, err := study.Sensitivity.BaseParams(study); err == nil {
		for _, w := range study.Sensitivity.Warnings(&base) {
			logger.Warn(w)
		}
	}
	sp := design.Spec
	logger.Info("sensitivity study", "name", study.Name, "file", src, "dir", dir, "method", sp.Method,
		"scenario", sp.Scenario, "policy", sp.Policy, "factors", len(sp.Factors), "design_points", design.Points(),
		"replicates", plan.Replicates, "runs", plan.Runs(), "shard", fmt.Sprintf("%d/%d", x.shard, x.shards))

	// The evaluation count and the time it will take on this machine, from a
	// few calibration runs (MODEL-SPEC issue 6: printed before starting).
	if info, err := pipeline.SensitivityPlanInfo(ctx, study, x.workers, sensCalibrationRuns); err == nil {
		logger.Info("estimate", "runs", info.Runs, "seconds_per_run", strconv.FormatFloat(info.SecondsPerRun, 'f', 3, 64),
			"workers", info.Workers, "estimated", info.Estimated.Round(time.Second).String(), "calibration_runs", info.CalibrationRuns)
	} else if ctx.Err() == nil {
		logger.Warn("calibration run failed; no time estimate", "error", err)
	}
	x.dir, x.logger, x.stderr, x.command = dir, logger, stderr, append([]string{"tokensim", "sensitivity"}, args...)
	x.failedNote = " (their design points are left out of the indices)"
	m, failed, err := x.execute(ctx, plan)
	if err != nil {
		return err
	}
	if m.State != dataset.StateComplete {
		logger.Info("this shard is done; the indices are computed when every shard has run",
			"runs_done", m.RunsDone, "runs_planned", m.RunsPlanned)
		fmt.Fprintln(stdout, dir)
		return failed
	}
	if st, err := storage.Open(ctx, dir); err == nil {
		_, local := st.LocalDir()
		st.Close()
		if !local {
			// In a bucket: the indices, summary/sensitivity.parquet and the
			// page are computed on a fetched copy (`tokensim report URL`).
			report, err := buildReport(ctx, dir, defaultReportFlags(), stderr)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, report)
			return failed
		}
	}
	sres, err := aggregate.SensitivityFromDir(ctx, dir)
	if err != nil {
		return fmt.Errorf("sensitivity indices: %w", err)
	}
	if err := aggregate.WriteSensitivity(dir, sres); err != nil {
		return err
	}
	if !x.quiet {
		printSensitivityResult(stdout, sres)
	}
	if *ef.noReport {
		if err := describe(ctx, dir); err != nil {
			return err
		}
		pq, _ := dataset.Layout{Dir: dir}.SummaryFiles(aggregate.SummarySensitivity)
		fmt.Fprintln(stdout, pq)
		return failed
	}
	ropts := reports.DefaultOptions()
	ropts.ToolVersion = toolVersion()
	report, rerr := reports.WriteSensitivityReport(ctx, dir, sres, ropts)
	if rerr != nil {
		logger.Warn("the indices are written but the report failed; retry with `tokensim report "+dir+"`", "error", rerr)
		pq, _ := dataset.Layout{Dir: dir}.SummaryFiles(aggregate.SummarySensitivity)
		fmt.Fprintln(stdout, pq)
		if failed != nil {
			return failed
		}
		return fmt.Errorf("report: %w", rerr)
	}
	if err := describe(ctx, dir); err != nil {
		return err
	}
	fmt.Fprintln(stdout, report)
	return failed
}

// sensitivityReport writes the sensitivity report of dir when dir holds a
// sensitivity study (ok true), recomputing its indices (and rewriting
// summary/sensitivity.parquet); for any other study it does nothing and
// returns ok false. `tokensim report` calls it before the plain report.
func sensitivityReport(ctx context.Context, dir string, opts reports.Options) (path string, ok bool, err error) {
	res, err := aggregate.SensitivityFromDir(ctx, dir)
	if errors.Is(err, aggregate.ErrNotSensitivity) || errors.Is(err, dataset.ErrNotStudy) {
		return "", false, nil
	}
	if err != nil {
		return "", true, err
	}
	if err := aggregate.WriteSensitivity(dir, res); err != nil {
		return "", true, err
	}
	if opts.ToolVersion == "" {
		opts.ToolVersion = toolVersion()
	}
	path, err = reports.WriteSensitivityReport(ctx, dir, res, opts)
	return path, true, err
}

// printSensitivityResult writes the indices as one aligned table per output.
func printSensitivityResult(w io.Writer, res *aggregate.SensitivityResult) {
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "–"
		}
		if res.Method != study.SensitivityMorris { // indices and correlations: 3 decimals
			if math.Abs(x) < 0.0005 {
				x = 0 // no "-0.000"
			}
			return strconv.FormatFloat(x, 'f', 3, 64)
		}
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
	ci := func(lo, hi float64) string { return "[" + num(lo) + ", " + num(hi) + "]" }
	gnum := func(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
	lvl := fmt.Sprintf("%.0f%% CI", 100*res.Level)
	fmt.Fprintf(w, "\n(%s.)\n", reports.NoiseShareMeaning)
	for _, o := range res.Outputs {
		noise := "n/a (1 replicate)"
		if !math.IsNaN(o.NoiseShare) || !math.IsNaN(o.WithinNoiseShare) {
			noise = reports.OutputNoiseText(o, false)
		}
		fmt.Fprintf(w, "\n%s  (mean %s, sd %s across design points; replicate noise %s)\n", o.Output, gnum(o.Mean), gnum(o.SD), noise)
		if o.NoiseShare > 1 {
			fmt.Fprintf(w, "  note: replicate noise ≥100%%: %s; its indices describe noise, not the model (run more replicates)\n", reports.NoiseDominates)
		}
		if o.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", o.Note)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		switch {
		case o.Sobol != nil:
			fmt.Fprintf(tw, "  factor\tS1\t%s\tST\t%s\n", lvl, lvl)
			for i, f := range res.Factors {
				s := o.Sobol
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.Param, num(s.S1[i]), ci(s.S1Low[i], s.S1High[i]), num(s.ST[i]), ci(s.STLow[i], s.STHigh[i]))
			}
		case o.Morris != nil:
			fmt.Fprintf(tw, "  factor\tμ*\t%s\tμ\tσ\t%s\n", lvl, lvl)
			for i, f := range res.Factors {
				m := o.Morris
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", f.Param, num(m.MuStar[i]), ci(m.MuStarLow[i], m.MuStarHigh[i]), num(m.Mu[i]), num(m.Sigma[i]), ci(m.SigmaLow[i], m.SigmaHigh[i]))
			}
		case o.PRCC != nil:
			fmt.Fprintf(tw, "  factor\tPRCC\t%s\tp-value\n", lvl)
			for i, f := range res.Factors {
				p := o.PRCC
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Param, num(p.Coef[i]), ci(p.Low[i], p.High[i]), gnum(p.P[i]))
			}
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
}

// printSensitivityEstimate prints, for `tokensim validate`, a sensitivity
// study's estimated wall time on this machine (from sensCalibrationRuns timed
// model runs; workers ≤ 0 means GOMAXPROCS) and the design's warnings, as
// "estimate" and "warning" lines through tw. The estimate line varies from
// machine to machine (golden tests should mask it).
func printSensitivityEstimate(ctx context.Context, tw func(k, format string, args ...any), s *study.Study, workers int) error {
	info, err := pipeline.SensitivityPlanInfo(ctx, s, workers, sensCalibrationRuns)
	if err != nil {
		return err
	}
	tw("estimate", "%s on this machine with %d workers (%.3f s per run from %d calibration runs)",
		info.Estimated.Round(time.Second), info.Workers, info.SecondsPerRun, info.CalibrationRuns)
	for _, w := range info.Warnings {
		tw("warning", "%s", w)
	}
	return nil
}
