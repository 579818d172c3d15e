// Package storagetest serves tokensim's tests of object-store code paths:
// a testfs:// URL scheme over gocloud.dev/blob/fileblob (a real filesystem
// behind the bucket interface: write-once conditional writes, prefixes, no
// rename) for fast tests, and a versitygw S3 server on 127.0.0.1 for the
// proofs against real S3 (see S3). Only tests import it.
//
// It imports no other tokensim package (gocloud.dev/blob/fileblob and the AWS
// SDK's S3 client); only tests may import it.
package storagetest
