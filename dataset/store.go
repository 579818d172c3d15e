package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/storage"
)

// A study's files as storage keys (slash-separated, relative to the study;
// the Layout paths of a local directory): the same names in every store.

// ShardKey returns the key of the progress record of shard i of n:
// shards/shard-<i>-of-<n>.json (in Layout.ShardsDir of a local directory).
func ShardKey(i, n int) string {
	return "shards/shard-" + strconv.Itoa(i) + "-of-" + strconv.Itoa(n) + ".json"
}

// PartitionKey returns the key prefix of a day table's Hive partition:
// <table>/scenario=<s>/policy=<p> (Layout.Partition).
func PartitionKey(table, scenario, policy string) string {
	return table + "/scenario=" + scenario + "/policy=" + policy
}

// ReadManifestFrom reads manifest.json from a store (ReadManifest for any
// storage.Store), with ReadManifest's errors; in a bucket, a missing
// manifest's error also wraps fs.ErrNotExist.
func ReadManifestFrom(ctx context.Context, st storage.Store) (*Manifest, error) {
	m, _, err := readManifestFrom(ctx, st)
	return m, err
}

// readManifestFrom is ReadManifestFrom, also returning the manifest's bytes.
func readManifestFrom(ctx context.Context, st storage.Store) (*Manifest, []byte, error) {
	if dir, ok := st.LocalDir(); ok {
		return readManifestFile(dir)
	}
	path := storage.Join(st.Location(), ManifestFile)
	data, err := st.ReadFile(ctx, ManifestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s: no %s: %w", ErrNotStudy, st.Location(), ManifestFile, fs.ErrNotExist)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	m, err := parseManifest(path, data)
	return m, data, err
}

// WriteJSONTo writes v at key in st with WriteJSONAtomic's bytes (JSON
// indented by two spaces and a newline), replacing it atomically
// (storage.Store.WriteFile).
func WriteJSONTo(ctx context.Context, st storage.Store, key string, v any) error {
	data, err := jsonRecord(v)
	if err != nil {
		return err
	}
	return st.WriteFile(ctx, key, data)
}

// ErrFetch: a study's file could not be copied from its store, or its bytes
// differ from the manifest's size and SHA-256.
var ErrFetch = errors.New("fetching the study")

// Fetch copies a study from st into the local directory dir so that the
// readers of local studies (OpenDataset, aggregate, reports) can read it:
// manifest.json and every file the manifest lists, by key (never by
// listing), each streamed to disk and checked against its recorded size and
// SHA-256. A file already in dir with the recorded size and hash is not
// fetched again. Memory stays flat whatever the study's size; dir needs the
// study's size on disk.
func Fetch(ctx context.Context, st storage.Store, dir string) (*Manifest, error) {
	m, raw, err := readManifestFrom(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if n, sum, err := HashFile(path); err == nil && n == f.Bytes && sum == f.SHA256 {
			continue
		}
		if err := fetchFile(ctx, st, f, path); err != nil {
			return nil, err
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, ManifestFile), raw); err != nil {
		return nil, err
	}
	return m, nil
}

func fetchFile(ctx context.Context, st storage.Store, f FileInfo, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	r, err := st.Open(ctx, f.Path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFetch, err)
	}
	defer r.Close()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && (n != f.Bytes || hex.EncodeToString(h.Sum(nil)) != f.SHA256) {
		err = fmt.Errorf("%w: %s/%s: %d bytes with another SHA-256 than the manifest's (%d bytes)", ErrFetch, st.Location(), f.Path, n, f.Bytes)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// ReportOutputs are what a report and Describe write under a study: the
// summary/ and figures/ directories, report.html, README.md,
// datapackage.json, and manifest.json (Describe lists the derived files in
// it). manifest.json comes last: it names the others.
var ReportOutputs = []string{SummaryDir, FiguresDir, ReportFile, ReadmeFile, DataPackageFile, ManifestFile}

// PublishReport copies the report's outputs (ReportOutputs) from the local
// directory dir to st, replacing what is there (they are derived from the
// data, not part of it), and returns the keys written.
func PublishReport(ctx context.Context, st storage.Store, dir string) ([]string, error) {
	var keys []string
	for _, out := range ReportOutputs {
		err := filepath.WalkDir(filepath.Join(dir, out), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			key := filepath.ToSlash(rel)
			if err := st.WriteFile(ctx, key, data); err != nil {
				return err
			}
			keys = append(keys, key)
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return keys, err
		}
	}
	return keys, nil
}
