package main

import (
	"context"
	"errors"
	"io"
)

// cmdRun is replaced by the full subcommand.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("run: not built yet")
}
