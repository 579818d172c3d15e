// Package deploy renders the files that run a tokensim study on an existing
// scheduler: a Kubernetes Indexed Job plus a report Job (kubernetes/), and a
// Slurm array job plus a dependent report job (slurm/). It does not schedule
// anything itself; each task runs `tokensim run --shard-from-env --shards N`
// against shared storage (an object-store URL such as s3://bucket/prefix, or a
// shared filesystem path), and the report step runs once every shard is done.
//
// The templates are plain text/template files embedded from kubernetes/ and
// slurm/ (readable and usable by hand); values are inserted JSON-quoted, which
// is valid YAML and shell-safe for the Slurm scripts (see shellQuote). The
// rendered manifests are checked in this package's tests by strict decoding
// into k8s.io/api/batch/v1 types and by explicit checks of the Job rules that
// the types do not enforce; that is not the API server's validation.
// k8s.io/api is a test dependency only: rendering with typed objects would add
// about 9 MB to the binary (measured: a program marshalling one batch/v1 Job
// with sigs.k8s.io/yaml is 13.4 MB against 4.3 MB for the same with
// text/template).
//
// It imports no other tokensim package and only the standard library
// (k8s.io/api and sigs.k8s.io/yaml in its tests).
package deploy
