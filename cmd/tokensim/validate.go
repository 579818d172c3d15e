package main

import (
	"context"
	"errors"
	"io"
)

// cmdValidate is replaced by the full subcommand.
func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("validate: not built yet")
}
