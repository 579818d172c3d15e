// Package fileutil holds the small file helpers every writer of a study
// directory shares: atomic publication (write to a temporary name in the same
// directory, sync, rename, mode 0644), JSON without HTML escaping, and
// SHA-256 digests of bytes and files.
//
// It imports the standard library only and no tokensim package.
package fileutil
