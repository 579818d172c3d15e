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
