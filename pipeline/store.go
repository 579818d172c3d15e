package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/storage"
)

// recordKeys returns the progress-record keys of a study without listing
// its prefix: those of the shards in the manifest, and shard 1..n of n.
func recordKeys(m *dataset.Manifest, n int) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(i, c int) {
		if k := dataset.ShardKey(i, c); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if m != nil {
		for _, s := range m.Shards {
			add(s.Index, s.Count)
		}
	}
	for i := 1; i <= n; i++ {
		add(i, n)
	}
	return keys
}

// readStatesAt reads the progress records at keys (missing ones skipped),
// sorted by shard count and index, with their raw bytes.
func readStatesAt(ctx context.Context, st storage.Store, keys []string) ([]*shardState, [][]byte, error) {
	type rec struct {
		s   *shardState
		raw []byte
	}
	var recs []rec
	for _, k := range keys {
		data, err := st.ReadFile(ctx, k)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading shard progress: %w", err)
		}
		var s shardState
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, nil, fmt.Errorf("reading shard progress: %s/%s: %w", st.Location(), k, err)
		}
		recs = append(recs, rec{&s, data})
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].s.Count != recs[j].s.Count {
			return recs[i].s.Count < recs[j].s.Count
		}
		return recs[i].s.Index < recs[j].s.Index
	})
	states, raws := make([]*shardState, len(recs)), make([][]byte, len(recs))
	for i, r := range recs {
		states[i], raws[i] = r.s, r.raw
	}
	return states, raws, nil
}

// readStates returns the study's progress records: a local directory's
// shards/ entries, or in a bucket the records named by the manifest m (may
// be nil) and shards 1..N of this execution's N.
func (e *engine) readStates(m *dataset.Manifest) ([]*shardState, error) {
	if e.local {
		return readShardStates(e.layout)
	}
	states, _, err := readStatesAt(e.sctx, e.store, recordKeys(m, e.opts.Shards))
	return states, err
}

// objectsIntact reports whether every file exists in the store with its recorded size.
func objectsIntact(ctx context.Context, st storage.Store, files []dataset.FileInfo) (bool, string) {
	for _, f := range files {
		n, err := st.Size(ctx, f.Path)
		if err != nil {
			return false, err.Error()
		}
		if n != f.Bytes {
			return false, f.Path + ": size differs from the manifest"
		}
	}
	return true, ""
}

// removeStudyKeys deletes a study from a bucket by the keys its records
// name: every file of every progress record, the records, the manifest and
// report.html. (Report tables and figures are overwritten by the next report.)
func removeStudyKeys(ctx context.Context, st storage.Store, states []*shardState) error {
	var keys []string
	for _, s := range states {
		for _, c := range s.Chunks {
			for _, f := range c.Files {
				keys = append(keys, f.Path)
			}
		}
		keys = append(keys, dataset.ShardKey(s.Index, s.Count))
	}
	keys = append(keys, dataset.ManifestFile, "report.html")
	for _, k := range keys {
		if err := st.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// mergeRounds bounds the read–write–reread rounds of mergeBucket.
const mergeRounds = 8

// mergeBucket writes the manifest of a study in a bucket, where there is no
// lock: it merges the progress records, writes the manifest, and reads the
// records again; if any changed meanwhile (another shard committed), it merges
// again. Whichever shard writes a record last therefore also writes a
// manifest that includes it, and a stale manifest written concurrently by
// another shard is followed by that shard's own re-read and rewrite.
func (e *engine) mergeBucket() (*dataset.Manifest, error) {
	var prev *dataset.Manifest
	if m, err := dataset.ReadManifestFrom(e.sctx, e.store); err == nil {
		prev = m
	}
	keys := recordKeys(prev, e.opts.Shards)
	states, raws, err := readStatesAt(e.sctx, e.store, keys)
	if err != nil {
		return nil, err
	}
	for round := 0; ; round++ {
		m := e.buildManifest(states)
		if err := dataset.WriteJSONTo(e.sctx, e.store, dataset.ManifestFile, m); err != nil {
			return nil, err
		}
		again, raws2, err := readStatesAt(e.sctx, e.store, keys)
		if err != nil {
			return nil, err
		}
		if sameRecords(raws, raws2) || round+1 == mergeRounds {
			return m, nil
		}
		states, raws = again, raws2
	}
}

func sameRecords(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// publishChunkBucket publishes a finished chunk's parts to a bucket, then
// records the chunk in the shard's progress record: the record is the
// commit marker (written after its parts), since a bucket has no rename to
// make a part appear only once recorded. Each part is a conditional write:
// a part already published with the same bytes (a retried or duplicated
// shard) is accepted; other bytes fail with storage.ErrConflict and nothing
// is replaced. A failure leaves the parts already published (write-once:
// a rerun finds the same bytes) and the chunk unrecorded.
func (e *engine) publishChunkBucket(c *chunkWriter, parts []dataset.Part) error {
	for i, p := range parts {
		if err := p.Publish(); err != nil {
			for _, y := range parts[i+1:] {
				y.Abort()
			}
			return fmt.Errorf("publishing %s: %w", p.Path(), err)
		}
	}
	if _, err := e.recordChunk(c.rec); err != nil {
		return err
	}
	e.chunkDone(&c.rec)
	return nil // the manifest is merged at the shard's end (see prepare)
}
