// Package clustertest holds the end-to-end tests of tokensim on cluster
// infrastructure started by the tests themselves: a real S3 server
// (versitygw on 127.0.0.1, from the separate tools module: `make tools`)
// against which studies run as separate tokensim processes sharded by a
// scheduler's environment (--shard-from-env), are killed and retried, race
// on the same index, and are read back by `report` and `status`.
//
// The tests skip unless the versitygw binary is there (.tools/versitygw or
// $TOKENSIM_VERSITYGW); TOKENSIM_S3=1 makes its absence a failure. The
// Slurm check is scripts/check-cluster.sh (`make check-cluster`).
//
// It imports no tokensim package outside its tests; the tests import
// dataset, pipeline, storage, storage/storagetest and study.
package clustertest
