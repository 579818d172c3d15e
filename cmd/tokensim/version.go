package main

import (
	"context"
	"errors"
	"io"
)

// cmdVersion is replaced by the full subcommand.
func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("version: not built yet")
}
