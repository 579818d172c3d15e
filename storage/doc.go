// Package storage is where a study's files live: a local directory or a
// prefix of an object-store bucket, behind one interface (Store) used by
// running, resuming, `report`, `sensitivity` and `status`.
//
// Open takes a plain path, a file:// URL, or a gocloud.dev/blob URL
// (s3://bucket/prefix?region=…&endpoint=…, gs://bucket/prefix,
// azblob://container/prefix). Local directories keep the behaviour tokensim
// always had: a part file is written to a temporary name, synced and renamed
// into place; small records are replaced atomically by rename.
//
// Object stores have no rename, so a part is written once to its final key
// with a conditional write (IfNotExist: S3 If-None-Match: *, GCS
// DoesNotExist, Azure If-None-Match: *): a retried or duplicated writer cannot
// overwrite a published object, and a reader never sees a partial object
// (an upload is published whole or not at all). The bytes of a part are
// first spooled to a local temporary file while their SHA-256 is computed;
// when the conditional write finds the key taken, the existing object is
// hashed and accepted only if it holds the same bytes (Part.Commit). Readers
// find objects by the keys recorded in progress records and the manifest,
// never by listing a prefix.
//
// Keys are slash-separated paths relative to the study (runs/part-000000.parquet).
//
// It imports no other tokensim package: gocloud.dev/blob and its drivers only.
package storage
