package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
)

// Errors of this package.
var (
	// ErrLocation: a location that is neither a path nor a URL of a supported scheme.
	ErrLocation = errors.New("storage: bad location")
	// ErrConflict: a write-once key holds other bytes than the ones being published.
	ErrConflict = errors.New("storage: object exists with different contents")
)

// Store holds one study's files under slash-separated keys.
type Store interface {
	// Location is the directory or URL the store was opened with (for messages).
	Location() string
	// LocalDir returns the directory of a local store (ok false for a bucket).
	LocalDir() (dir string, ok bool)
	// ReadFile returns the contents of key; a missing key is an error wrapping fs.ErrNotExist.
	ReadFile(ctx context.Context, key string) ([]byte, error)
	// WriteFile replaces key with data atomically: readers see the old or the
	// new contents, never a mix (rename locally, one PUT in a bucket).
	WriteFile(ctx context.Context, key string, data []byte) error
	// Create starts a write-once object at key (see Part). tmpName is the
	// base name of a local directory's temporary file beside the key ("":
	// ".<name>.tmp"); a bucket ignores it (it spools to the system's
	// temporary directory).
	Create(ctx context.Context, key, tmpName string) (Part, error)
	// Size returns the size of key in bytes; a missing key wraps fs.ErrNotExist.
	Size(ctx context.Context, key string) (int64, error)
	// Open returns a reader of key; a missing key wraps fs.ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Close releases the store's resources.
	Close() error
}

// Part is an object being written, published in two steps so that a caller
// can record it between them. Write appends bytes. Finish makes them durable
// where they wait, without anything appearing at the key (locally: sync and
// close the temporary file; in a bucket they are already spooled to a local
// file). Publish makes them appear at the key (locally: rename over it; in a
// bucket: a conditional write that fails with ErrConflict if the key holds
// other bytes, and succeeds without writing if it holds the same bytes).
// Abort discards them; it may follow a failed Finish or Publish and is a
// no-op after a successful Publish.
type Part interface {
	io.Writer
	Finish() error
	Publish() error
	Abort()
}

// Commit finishes and publishes p.
func Commit(p Part) error {
	if err := p.Finish(); err != nil {
		p.Abort()
		return err
	}
	if err := p.Publish(); err != nil {
		p.Abort()
		return err
	}
	return nil
}

// IsURL reports whether loc is a URL (scheme://…) rather than a path.
func IsURL(loc string) bool {
	i := strings.Index(loc, "://")
	if i <= 0 {
		return false
	}
	for _, r := range loc[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// Join returns the location of name under root: filepath.Join for a path;
// for a URL, name appended to the URL's path (before any query).
func Join(root, name string) string {
	if !IsURL(root) {
		return filepath.Join(root, name)
	}
	u, err := url.Parse(root)
	if err != nil {
		return strings.TrimRight(root, "/") + "/" + name
	}
	if u.Scheme == "file" {
		u.Path = filepath.ToSlash(filepath.Join(filepath.FromSlash(u.Path), name))
	} else {
		u.Path = path.Join("/", u.Path, name)
	}
	u.RawPath = ""
	return u.String()
}

// Open opens the store at loc: a plain path or file:// URL (a local
// directory, created when written to), or an s3://, gs:// or azblob:// URL
// with an optional path prefix (the study's prefix in the bucket) and the
// driver's query parameters (gocloud.dev/blob: region, endpoint,
// use_path_style, …). Credentials come from the environment as each cloud's
// SDK reads them.
func Open(ctx context.Context, loc string) (Store, error) {
	if !IsURL(loc) {
		if loc == "" {
			return nil, fmt.Errorf("%w: empty location", ErrLocation)
		}
		return &Dir{dir: loc}, nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLocation, loc, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%w: %s: a file URL names no host (file:///abs/path)", ErrLocation, loc)
		}
		return &Dir{dir: filepath.FromSlash(u.Path), loc: loc}, nil
	}
	if blob.DefaultURLMux().ValidBucketScheme(u.Scheme) {
		return openBucket(ctx, u, loc)
	}
	return nil, fmt.Errorf("%w: %s: scheme %q: want a path, file://, s3://, gs:// or azblob://", ErrLocation, loc, u.Scheme)
}

// notExist wraps err as fs.ErrNotExist naming key.
func notExist(loc, key string, err error) error {
	return fmt.Errorf("%s: %s: %w (%v)", loc, key, fs.ErrNotExist, err)
}
