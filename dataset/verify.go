package dataset

import (
	"context"
	"fmt"
	"path/filepath"

	"golang.org/x/sync/errgroup"
)

// ErrChecksum: a part file's size or SHA-256 differs from the manifest's
// record (it changed after it was written). It wraps ErrCorrupt.
var ErrChecksum = fmt.Errorf("%w: checksum mismatch", ErrCorrupt)

// VerifyFiles checks that every part file of the given tables (every data
// table, runs, steps and provider_steps, when none is given: the derived
// files Describe lists are rewritten by every report) has the size and
// SHA-256 the manifest records, hashing
// up to workers files at once. The first mismatch is an error wrapping
// ErrChecksum naming the file; a missing or unreadable file wraps ErrCorrupt.
// A record without a SHA-256 (a manifest not written by tokensim) is skipped,
// or an ErrChecksum error when strict.
func (ds *Dataset) VerifyFiles(ctx context.Context, workers int, strict bool, tables ...string) error {
	if len(tables) == 0 {
		tables = DataTables
	}
	want := map[string]bool{}
	for _, t := range tables {
		want[t] = true
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for _, fi := range ds.Manifest.Files {
		if !want[fi.Table] {
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

// verifyFile hashes one file (HashFile) and compares it with its manifest record.
func verifyFile(path string, fi FileInfo) error {
	n, sum, err := HashFile(path)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	if n != fi.Bytes || sum != fi.SHA256 {
		return fmt.Errorf("%w: %s: %d bytes with SHA-256 %.16s…, the manifest records %d bytes with %.16s…: the file changed after it was written; `tokensim run` on the study rewrites its chunk",
			ErrChecksum, path, n, sum, fi.Bytes, fi.SHA256)
	}
	return nil
}
