package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob:// URLs
	_ "gocloud.dev/blob/gcsblob"   // gs:// URLs
	_ "gocloud.dev/blob/s3blob"    // s3:// URLs
	"gocloud.dev/gcerrors"
)

// partBufferBytes is the upload part size: parts up to this size are one PUT
// (a chunk's part files are a few MB at the default chunk_runs), and an upload
// holds at most this much in memory.
const partBufferBytes = 16 << 20

// Bucket is a store under a prefix of a gocloud.dev/blob bucket.
type Bucket struct {
	b   *blob.Bucket
	loc string
}

// openBucket opens the bucket of u (its host) with u's query, under the
// prefix u's path.
func openBucket(ctx context.Context, u *url.URL, loc string) (*Bucket, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("%w: %s: no bucket name (%s://BUCKET/prefix)", ErrLocation, loc, u.Scheme)
	}
	bu := *u
	prefix := strings.Trim(u.Path, "/")
	bu.Path, bu.RawPath = "", ""
	b, err := blob.OpenBucket(ctx, bu.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLocation, loc, err)
	}
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix+"/")
	}
	return &Bucket{b: b, loc: loc}, nil
}

// Location implements Store.
func (s *Bucket) Location() string { return s.loc }

// LocalDir implements Store.
func (s *Bucket) LocalDir() (string, bool) { return "", false }

func (s *Bucket) wrap(key string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return notExist(s.loc, key, err)
	}
	return fmt.Errorf("%s: %s: %w", s.loc, key, err)
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(key, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(key, ".png"):
		return "image/png"
	}
	return "application/octet-stream"
}

// readAttempts bounds the reads of a record that is being replaced: a
// gateway may serve the new bytes with the old checksum for a moment (seen
// with versitygw's posix backend); the SDK then refuses the response.
const readAttempts = 5

// ReadFile implements Store. A failed read other than a missing key is
// retried (readAttempts in all, 50 ms apart, doubling).
func (s *Bucket) ReadFile(ctx context.Context, key string) ([]byte, error) {
	wait := 50 * time.Millisecond
	for i := 1; ; i++ {
		b, err := s.b.ReadAll(ctx, key)
		if err == nil {
			return b, nil
		}
		if gcerrors.Code(err) == gcerrors.NotFound || i == readAttempts || ctx.Err() != nil {
			return nil, s.wrap(key, err)
		}
		time.Sleep(wait)
		wait *= 2
	}
}

// WriteFile implements Store: one unconditional write (objects are replaced whole).
func (s *Bucket) WriteFile(ctx context.Context, key string, data []byte) error {
	if err := s.b.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: contentType(key)}); err != nil {
		return s.wrap(key, err)
	}
	return nil
}

// Create implements Store: the part is spooled to a local temporary file.
func (s *Bucket) Create(ctx context.Context, key, _ string) (Part, error) {
	f, err := os.CreateTemp("", "tokensim-part-*")
	if err != nil {
		return nil, err
	}
	return &bucketPart{s: s, ctx: ctx, key: key, f: f, h: sha256.New()}, nil
}

type bucketPart struct {
	s    *Bucket
	ctx  context.Context
	key  string
	f    *os.File
	h    hash.Hash
	n    int64
	done bool // spool file removed
}

func (p *bucketPart) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.h.Write(b[:n])
	p.n += int64(n)
	return n, err
}

func (p *bucketPart) Abort() {
	if p.done {
		return
	}
	p.done = true
	p.f.Close()
	os.Remove(p.f.Name())
}

// Finish implements Part: the bytes are already in the spool file.
func (p *bucketPart) Finish() error { return nil }

// Publish uploads the spooled bytes with IfNotExist. If the upload fails
// because the key exists (or fails in any way), the object at the key is
// compared with the spooled bytes: the same bytes mean another attempt
// already published this part (success); other bytes are ErrConflict.
func (p *bucketPart) Publish() error {
	defer p.Abort()
	sum := p.h.Sum(nil)
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	err := p.s.b.Upload(p.ctx, p.key, p.f, &blob.WriterOptions{IfNotExist: true, ContentType: contentType(p.key),
		BufferSize: partBufferBytes, MaxConcurrency: 1})
	if err == nil {
		return nil
	}
	// A conditional write that lost the race, or an upload whose outcome is
	// unknown: the key's contents decide.
	n, got, herr := p.s.hash(p.ctx, p.key)
	if herr != nil {
		return fmt.Errorf("%s: %s: %w", p.s.loc, p.key, err)
	}
	if n != p.n || !bytes.Equal(got, sum) {
		return fmt.Errorf("%w: %s: %s (%d bytes) is not the part being written (%d bytes): %v", ErrConflict, p.s.loc, p.key, n, p.n, err)
	}
	return nil
}

// hash returns the size and SHA-256 of the object at key.
func (s *Bucket) hash(ctx context.Context, key string) (int64, []byte, error) {
	r, err := s.b.NewReader(ctx, key, nil)
	if err != nil {
		return 0, nil, s.wrap(key, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return 0, nil, s.wrap(key, err)
	}
	return n, h.Sum(nil), nil
}

// Size implements Store.
func (s *Bucket) Size(ctx context.Context, key string) (int64, error) {
	a, err := s.b.Attributes(ctx, key)
	if err != nil {
		return 0, s.wrap(key, err)
	}
	return a.Size, nil
}

// Open implements Store.
func (s *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := s.b.NewReader(ctx, key, nil)
	if err != nil {
		return nil, s.wrap(key, err)
	}
	return r, nil
}

// Delete implements Store.
func (s *Bucket) Delete(ctx context.Context, key string) error {
	if err := s.b.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return s.wrap(key, err)
	}
	return nil
}

// Close implements Store.
func (s *Bucket) Close() error { return s.b.Close() }

var (
	_ Store = (*Dir)(nil)
	_ Store = (*Bucket)(nil)
)
