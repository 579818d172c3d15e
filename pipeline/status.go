package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/storage"
)

// StudyStatus is the progress of a study as its progress records show it,
// readable while shards run (Status).
type StudyStatus struct {
	Location    string        `json:"location"`
	Study       string        `json:"study"`
	State       string        `json:"state"` // dataset.StateComplete when every chunk is recorded, else dataset.StateRunning
	RunsPlanned int64         `json:"runs_planned"`
	RunsDone    int64         `json:"runs_done"`   // runs written (failed excluded)
	RunsFailed  int64         `json:"runs_failed"` // runs whose model run failed
	Chunks      int           `json:"chunks"`
	ChunksDone  int           `json:"chunks_done"`
	Missing     []int         `json:"missing_chunks"` // chunks no record holds, ascending
	Shards      []ShardStatus `json:"shards"`
	// RunsPerSecond is the summed rate of the shards still running: runs in
	// chunks each wrote since it (re)started, over the time since.
	RunsPerSecond float64 `json:"runs_per_second"`
	// ETA is the remaining runs (planned − done − failed) at RunsPerSecond;
	// −1 when unknown (nothing running, or no chunk written yet).
	ETA time.Duration `json:"eta_ns"`
}

// ShardStatus is one shard's progress record, summarized.
type ShardStatus struct {
	Index, Count  int
	State         string
	Started       time.Time
	Ended         *time.Time
	ChunksDone    int
	ChunksOwn     int
	RunsPerSecond float64 // 0 unless running with a chunk written since Started
	LastWritten   *time.Time
}

// Status reads the study at st: its manifest (for the plan: chunks, runs,
// shard counts) and every shard's progress record (the shards/ directory of
// a local study; in a bucket the records of every shard index of each count
// the manifest names, by key). now is the time the rates and ETA are
// computed at.
func Status(ctx context.Context, st storage.Store, now time.Time) (*StudyStatus, error) {
	m, err := dataset.ReadManifestFrom(ctx, st)
	if err != nil {
		return nil, err
	}
	var states []*shardState
	if dir, ok := st.LocalDir(); ok {
		states, err = readShardStates(dataset.Layout{Dir: dir})
	} else {
		var keys []string
		counts := map[int]bool{}
		for _, s := range m.Shards {
			counts[s.Count] = true
		}
		for n := range counts {
			keys = append(keys, recordKeys(nil, n)...)
		}
		sort.Strings(keys)
		states, _, err = readStatesAt(ctx, st, keys)
	}
	if err != nil {
		return nil, err
	}
	s := &StudyStatus{Location: st.Location(), Study: m.Study, RunsPlanned: m.RunsPlanned, Chunks: m.Chunks, ETA: -1}
	done := map[int]bool{}
	for _, rec := range states {
		if rec.ConfigHash != m.ConfigHash || rec.PlanHash != m.PlanHash {
			continue
		}
		sh := ShardStatus{Index: rec.Index, Count: rec.Count, State: rec.State, Started: rec.Started, Ended: rec.Ended,
			ChunksDone: len(rec.Chunks), ChunksOwn: rec.ChunksOwn}
		var recent int64
		for _, c := range rec.Chunks {
			if c.Written != nil {
				if sh.LastWritten == nil || c.Written.After(*sh.LastWritten) {
					sh.LastWritten = c.Written
				}
				if !c.Written.Before(rec.Started) {
					recent += c.Runs + int64(len(c.Failures))
				}
			}
			if done[c.Chunk] {
				continue
			}
			done[c.Chunk] = true
			s.RunsDone += c.Runs
			s.RunsFailed += int64(len(c.Failures))
		}
		if rec.State == dataset.StateRunning && recent > 0 {
			if el := now.Sub(rec.Started).Seconds(); el > 0 {
				sh.RunsPerSecond = float64(recent) / el
				s.RunsPerSecond += sh.RunsPerSecond
			}
		}
		s.Shards = append(s.Shards, sh)
	}
	s.ChunksDone = len(done)
	for k := 0; k < m.Chunks; k++ {
		if !done[k] {
			s.Missing = append(s.Missing, k)
		}
	}
	s.State = dataset.StateRunning
	if s.ChunksDone == m.Chunks {
		s.State, s.ETA = dataset.StateComplete, 0
	} else if s.RunsPerSecond > 0 {
		left := float64(s.RunsPlanned - s.RunsDone - s.RunsFailed)
		s.ETA = time.Duration(left / s.RunsPerSecond * float64(time.Second)).Round(time.Second)
	}
	return s, nil
}

// Ranges formats ascending integers as ranges: "0-3, 7, 9-10"; at most max
// ranges, then "… (N more)".
func Ranges(xs []int, max int) string {
	var parts []string
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1] == xs[j]+1 {
			j++
		}
		if len(parts) == max {
			return strings.Join(parts, ", ") + fmt.Sprintf(" … (%d more)", len(xs)-i)
		}
		if i == j {
			parts = append(parts, strconv.Itoa(xs[i]))
		} else {
			parts = append(parts, strconv.Itoa(xs[i])+"-"+strconv.Itoa(xs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
