package pipeline

import (
	"errors"
	"fmt"
)

// ErrShardCount: the shard count given (Options.Shards with
// Options.CheckShardCount) differs from the count recorded in the study's
// shard progress files.
var ErrShardCount = errors.New("shard count differs from the study's")

// checkShardCount returns an error wrapping ErrShardCount when a progress
// file of the study (config and plan hash) records a shard count other
// than n. Progress files of another study are not its concern (prepare
// refuses or deletes them).
func checkShardCount(states []*shardState, configHash, planHash string, n int) error {
	for _, st := range states {
		if st.ConfigHash != configHash || st.PlanHash != planHash {
			continue
		}
		if st.Count != n {
			return fmt.Errorf("%w: --shards %d, but shard %d/%d already worked on this study; rerun with --shards %d (or --force to start over)",
				ErrShardCount, n, st.Index, st.Count, st.Count)
		}
	}
	return nil
}
