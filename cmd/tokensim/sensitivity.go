package main

import (
	"context"
	"errors"
	"io"
)

// cmdSensitivity is replaced by the full subcommand.
func cmdSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("sensitivity: not built yet")
}
