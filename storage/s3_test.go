package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/storage/storagetest"
)

// server is the versitygw S3 server of this package's tests (nil: skipped).
var server *storagetest.S3Server

// TestMain starts a real S3 server (versitygw on 127.0.0.1) when its binary
// is there (.tools/versitygw, `make tools`) or TOKENSIM_S3=1 demands it.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		wd, _ := os.Getwd()
		bin := storagetest.VersityGW(wd)
		if bin == "" && os.Getenv("TOKENSIM_S3") == "1" {
			fmt.Fprintln(os.Stderr, "TOKENSIM_S3=1 but no versitygw: run `make tools`")
			return 1
		}
		if bin != "" {
			root, err := os.MkdirTemp("", "tokensim-s3-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(root)
			if server, err = storagetest.StartS3(bin, root); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer server.Stop()
		}
		return m.Run()
	}())
}

// stores returns the stores the contract is checked on: a local directory,
// a fileblob bucket, and (with the server) a prefix of a real S3 bucket.
func stores(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{
		"dir":      filepath.Join(t.TempDir(), "study"),
		"fileblob": storagetest.FS(t.TempDir(), "pre/fix"),
	}
	if server != nil {
		u, err := server.Bucket(context.Background(), fmt.Sprintf("b-%d", len(t.Name())+os.Getpid()%1000), "pre/fix")
		if err != nil {
			t.Fatal(err)
		}
		out["s3"] = u
	}
	return out
}

// TestStoreContract: write-once parts (same bytes accepted, other bytes
// ErrConflict and the object unchanged, aborted parts leave nothing),
// atomic records, missing keys as fs.ErrNotExist, on every kind of store.
func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for name, loc := range stores(t) {
		t.Run(name, func(t *testing.T) {
			st, err := storage.Open(ctx, loc)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			_, local := st.LocalDir()
			if local != (name == "dir") {
				t.Errorf("LocalDir ok = %v", local)
			}
			if _, err := st.ReadFile(ctx, "nope.json"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing key: %v, want fs.ErrNotExist", err)
			}
			if _, err := st.Size(ctx, "nope.json"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Size of a missing key: %v", err)
			}
			put := func(key, data string) error {
				p, err := st.Create(ctx, key, "")
				if err != nil {
					return err
				}
				if _, err := p.Write([]byte(data)); err != nil {
					p.Abort()
					return err
				}
				return storage.Commit(p)
			}
			key := "runs/part-000000.parquet"
			big := string(bytes.Repeat([]byte("0123456789abcdef"), 1<<16)) // 1 MiB
			if err := put(key, big); err != nil {
				t.Fatal(err)
			}
			if err := put(key, big); err != nil {
				t.Errorf("same bytes again: %v", err)
			}
			err = put(key, "other bytes")
			if name != "dir" && !errors.Is(err, storage.ErrConflict) {
				t.Errorf("other bytes: %v, want ErrConflict", err)
			}
			if name != "dir" {
				if b, _ := st.ReadFile(ctx, key); string(b) != big {
					t.Errorf("the part was replaced (%d bytes)", len(b))
				}
			}
			p, err := st.Create(ctx, "runs/part-000001.parquet", "")
			if err != nil {
				t.Fatal(err)
			}
			p.Write([]byte("half"))
			p.Abort()
			if _, err := st.Size(ctx, "runs/part-000001.parquet"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("aborted part: %v, want fs.ErrNotExist", err)
			}
			for _, v := range []string{"first", "second, longer"} {
				if err := st.WriteFile(ctx, "shards/shard-1-of-2.json", []byte(v)); err != nil {
					t.Fatal(err)
				}
				if b, err := st.ReadFile(ctx, "shards/shard-1-of-2.json"); err != nil || string(b) != v {
					t.Errorf("record: %q, %v; want %q", b, err, v)
				}
			}
			// A local directory renames over the key (one process per shard
			// there, by flock); a bucket kept the first part.
			want := int64(len(big))
			if name == "dir" {
				want = int64(len("other bytes"))
			}
			if n, err := st.Size(ctx, key); err != nil || n != want {
				t.Errorf("Size %d, %v; want %d", n, err, want)
			}
			if err := st.Delete(ctx, "shards/shard-1-of-2.json"); err != nil {
				t.Fatal(err)
			}
			if err := st.Delete(ctx, "shards/shard-1-of-2.json"); err != nil {
				t.Errorf("deleting a missing key: %v", err)
			}
		})
	}
}

// TestJoin: the study's location under an output root, for paths and URLs.
func TestJoin(t *testing.T) {
	for _, c := range [][3]string{
		{"out", "default", filepath.Join("out", "default")},
		{"s3://bucket", "default", "s3://bucket/default"},
		{"s3://bucket/a/b/", "default", "s3://bucket/a/b/default"},
		{"s3://bucket/runs?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A9000", "x", "s3://bucket/runs/x?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A9000"},
		{"file:///tmp/out", "default", "file:///tmp/out/default"},
	} {
		if got := storage.Join(c[0], c[1]); got != c[2] {
			t.Errorf("Join(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
	if storage.IsURL("C:/x") || storage.IsURL("out/s3://x") || !storage.IsURL("gs://b") {
		t.Error("IsURL")
	}
	if _, err := storage.Open(context.Background(), "ftp://host/x"); !errors.Is(err, storage.ErrLocation) {
		t.Errorf("ftp: %v", err)
	}
}
