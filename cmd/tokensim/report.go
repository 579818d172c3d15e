package main

import (
	"context"
	"errors"
	"io"
)

// cmdReport is replaced by the full subcommand.
func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("report: not built yet")
}

// writeReport aggregates the study in dir and writes its report, returning the
// path of report.html; cmdRun calls it after a study completes.
func writeReport(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	return "", errors.New("report: not built yet")
}
