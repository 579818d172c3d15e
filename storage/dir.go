package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir is a store in a local (or shared POSIX) directory. Its writes are the
// ones tokensim has always made: parts to ".<name>.tmp" beside the key,
// synced and renamed into place; records via a unique temporary file, synced
// and renamed. Files are made 0644 and directories 0755.
type Dir struct {
	dir string
	loc string // the location as given, if a file:// URL
}

// NewDir returns the store of a local directory.
func NewDir(dir string) *Dir { return &Dir{dir: dir} }

// Location implements Store.
func (d *Dir) Location() string {
	if d.loc != "" {
		return d.loc
	}
	return d.dir
}

// LocalDir implements Store.
func (d *Dir) LocalDir() (string, bool) { return d.dir, true }

// Path returns the file path of key.
func (d *Dir) Path(key string) string { return filepath.Join(d.dir, filepath.FromSlash(key)) }

// ReadFile implements Store.
func (d *Dir) ReadFile(_ context.Context, key string) ([]byte, error) {
	return os.ReadFile(d.Path(key))
}

// WriteFile implements Store: MkdirAll, then WriteAtomic.
func (d *Dir) WriteFile(_ context.Context, key string, data []byte) error {
	p := d.Path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return WriteAtomic(p, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic writes path through a unique temporary file in the same
// directory (".<base>.tmp-*"), synced and renamed into place, so that path
// only ever holds a complete file. The file's mode is 0644 whatever the
// umask: a study's files are shared data (other users, shards on other
// machines). write gets the temporary file, unbuffered. On error the
// temporary file is removed and path is untouched; the error is the cause.
func WriteAtomic(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	// CreateTemp makes the file 0600.
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Create implements Store: the part is written to tmpName (default
// ".<name>.tmp") beside the key.
func (d *Dir) Create(_ context.Context, key, tmpName string) (Part, error) {
	final := d.Path(key)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	if tmpName == "" {
		tmpName = "." + filepath.Base(final) + ".tmp"
	}
	tmp := filepath.Join(filepath.Dir(final), tmpName)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &dirPart{f: f, tmp: tmp, final: final}, nil
}

type dirPart struct {
	f          *os.File
	tmp, final string
	closed     bool // f is closed
	published  bool
}

func (p *dirPart) Write(b []byte) (int, error) { return p.f.Write(b) }

// Finish syncs and closes the temporary file.
func (p *dirPart) Finish() error {
	if err := p.f.Sync(); err != nil {
		return err
	}
	p.closed = true
	return p.f.Close()
}

// Publish renames the temporary file over the key.
func (p *dirPart) Publish() error {
	if err := os.Rename(p.tmp, p.final); err != nil {
		return err
	}
	p.published = true
	return nil
}

func (p *dirPart) Abort() {
	if p.published {
		return
	}
	if !p.closed {
		p.f.Close()
		p.closed = true
	}
	os.Remove(p.tmp)
}

// Size implements Store.
func (d *Dir) Size(_ context.Context, key string) (int64, error) {
	st, err := os.Stat(d.Path(key))
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Open implements Store.
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, error) { return os.Open(d.Path(key)) }

// Delete implements Store.
func (d *Dir) Delete(_ context.Context, key string) error {
	if err := os.Remove(d.Path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Close implements Store.
func (d *Dir) Close() error { return nil }
