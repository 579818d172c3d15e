package aggregate

import (
	"context"

	"github.com/tokensim/tokensim/dataset"
)

// Verify says which part files Aggregate checks against the manifest's
// SHA-256 before reading them.
type Verify int

const (
	// VerifyRead checks the files the aggregation reads (runs, and steps
	// when Options.Fans): the default, as hashing costs a few per cent of
	// reading (see BenchmarkVerify).
	VerifyRead Verify = iota
	// VerifyAll checks every data file the manifest lists (`report
	// --verify`): runs, steps and provider_steps.
	VerifyAll
	// VerifyNone trusts the files (`report --no-verify`).
	VerifyNone
)

// verifyFor runs the verification o asks for before an aggregation.
func verifyFor(ctx context.Context, ds *dataset.Dataset, o Options) error {
	switch o.Verify {
	case VerifyNone:
		return nil
	case VerifyAll:
		return ds.VerifyFiles(ctx, o.Workers, true)
	}
	if o.Fans {
		return ds.VerifyFiles(ctx, o.Workers, false, dataset.TableRuns, dataset.TableSteps)
	}
	return ds.VerifyFiles(ctx, o.Workers, false, dataset.TableRuns)
}
