package stats

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/tokensim/tokensim/pipeline"
)

// ErrChecksum: a part file's size or SHA-256 differs from the manifest's
// record (it changed after it was written). It wraps ErrCorrupt.
var ErrChecksum = fmt.Errorf("%w: checksum mismatch", ErrCorrupt)

// Verify says which part files Aggregate checks against the manifest's
// SHA-256 before reading them.
type Verify int

const (
	// VerifyRead checks the files the aggregation reads (runs, and steps
	// when Options.Fans): the default, as hashing costs a few per cent of
	// reading (see BenchmarkVerify).
	VerifyRead Verify = iota
	// VerifyAll checks every file the manifest lists (`report --verify`).
	VerifyAll
	// VerifyNone trusts the files (`report --no-verify`).
	VerifyNone
)

// VerifyFiles checks that every part file of the given tables (every table
// when none is given) has the size and SHA-256 the manifest records, hashing
// up to workers files at once. The first mismatch is an error wrapping
// ErrChecksum naming the file; a missing or unreadable file wraps ErrCorrupt.
// A record without a SHA-256 (a manifest not written by tokensim) is skipped,
// or an ErrChecksum error when strict.
func (ds *Dataset) VerifyFiles(ctx context.Context, workers int, strict bool, tables ...string) error {
	want := map[string]bool{}
	for _, t := range tables {
		want[t] = true
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for _, fi := range ds.Manifest.Files {
		if len(tables) > 0 && !want[fi.Table] {
			continue
		}
		if fi.SHA256 == "" {
			if strict {
				return fmt.Errorf("%w: %s: the manifest records no SHA-256 for this file, so it cannot be verified", ErrChecksum, fi.Path)
			}
			continue
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return verifyFile(filepath.Join(ds.Dir, filepath.FromSlash(fi.Path)), fi)
		})
	}
	return g.Wait()
}

// verifyFile hashes one file and compares it with its manifest record.
func verifyFile(path string, fi pipeline.FileInfo) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if n != fi.Bytes || sum != fi.SHA256 {
		return fmt.Errorf("%w: %s: %d bytes with SHA-256 %.16s…, the manifest records %d bytes with %.16s…: the file changed after it was written; `tokensim run` on the study rewrites its chunk",
			ErrChecksum, path, n, sum, fi.Bytes, fi.SHA256)
	}
	return nil
}

// verifyFor runs the verification o asks for before an aggregation.
func (ds *Dataset) verifyFor(ctx context.Context, o Options) error {
	switch o.Verify {
	case VerifyNone:
		return nil
	case VerifyAll:
		return ds.VerifyFiles(ctx, o.Workers, true)
	}
	if o.Fans {
		return ds.VerifyFiles(ctx, o.Workers, false, pipeline.TableRuns, pipeline.TableSteps)
	}
	return ds.VerifyFiles(ctx, o.Workers, false, pipeline.TableRuns)
}
