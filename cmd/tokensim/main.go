// Command tokensim runs Monte Carlo studies of a common LLM-API token economy;
// see README.md and `tokensim help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tokensim/tokensim/pipeline"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// command is one subcommand: it parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "run a study: fan out seeded runs to a Parquet dataset, then write the report", cmdRun},
		{"validate", "check a study file and print its plan without running it", cmdValidate},
		{"report", "aggregate a study's dataset into summary tables, figures and report.html", cmdReport},
		{"calibrate", "fit a GARCH(1,1)-t price regime to a CSV of daily prices", cmdCalibrate},
		{"sensitivity", "run a global sensitivity study (Sobol, Morris, PRCC)", cmdSensitivity},
		{"validate-episodes", "validate the token market on the USDC 2023 and UST 2022 de-pegs (figures, §A.5 numbers)", cmdValidateEpisodes},
		{"status", "show a study's progress (runs, chunks, shards, failures, ETA) from its directory or URL", cmdStatus},
		{"deploy", "render a Kubernetes Indexed Job or a Slurm array job that runs a study as N shards", cmdDeploy},
		{"version", "print the tool, schema and Go versions", cmdVersion},
	}
}

// errUsage marks errors caused by the command line; they exit with status 2.
var errUsage = errors.New("usage")

// errRunsFailed marks a study that completed with failed runs; exit status 3.
var errRunsFailed = errors.New("runs failed")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(stdout)
		if len(args) == 0 {
			return fmt.Errorf("%w: no command given", errUsage)
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return fmt.Errorf("%w: unknown command %q (try `tokensim help`)", errUsage, args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "tokensim: Monte Carlo studies of a common LLM-API token (CLT) under volatility and centralization")
	fmt.Fprintln(w, "\nUsage:\n  tokensim <command> [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `tokensim <command> -help` for a command's flags.")
}

// exitCode prints err (if any) and maps it to the process exit status:
// 0 success, 1 error, 2 usage, 3 study finished with failed runs, 4 bad or
// missing scheduler shard index or shard count (exitShardEnv), 130 interrupted.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "tokensim:", err)
	switch {
	case errors.Is(err, errShardEnv), errors.Is(err, pipeline.ErrShardCount):
		return exitShardEnv
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errRunsFailed):
		return 3
	case errors.Is(err, context.Canceled):
		return 130
	}
	return 1
}
