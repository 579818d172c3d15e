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
