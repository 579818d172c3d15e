package main

import (
	"context"
	"errors"
	"io"
)

// cmdCalibrate is replaced by the full subcommand.
func cmdCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("calibrate: not built yet")
}
