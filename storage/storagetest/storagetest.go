// Package storagetest serves tokensim's tests of object-store code paths:
// a testfs:// URL scheme over gocloud.dev/blob/fileblob (a real filesystem
// behind the bucket interface: write-once conditional writes, prefixes, no
// rename) for fast tests, and a versitygw S3 server on 127.0.0.1 for the
// proofs against real S3 (see S3). Only tests import it.
package storagetest

import (
	"context"
	"net/url"
	"sync"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
)

// testfsOpener opens testfs://bucket/prefix?dir=DIR as a fileblob bucket in DIR.
type testfsOpener struct{}

func (testfsOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*blob.Bucket, error) {
	return fileblob.OpenBucket(u.Query().Get("dir"), &fileblob.Options{CreateDir: true, NoTempDir: true})
}

var once sync.Once

// FS returns a testfs:// URL of the prefix prefix in a bucket kept in the
// local directory dir, registering the scheme on first use.
func FS(dir, prefix string) string {
	once.Do(func() { blob.DefaultURLMux().RegisterBucket("testfs", testfsOpener{}) })
	u := url.URL{Scheme: "testfs", Host: "bucket", Path: "/" + prefix, RawQuery: url.Values{"dir": {dir}}.Encode()}
	return u.String()
}
