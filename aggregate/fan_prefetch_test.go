package aggregate

import (
	"context"
	"fmt"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/synthstudy"
)

// TestPrefetchedSteps: the fans, effects, cells and warnings are the same
// whether no steps partition, the first two (the default) or all of them are
// read ahead of the runs table, with one pass per partition or one cell per
// pass (later passes rereading a file whose copy read ahead the first pass
// took), on 1 or 3 workers; and the partitions read ahead are all taken.
func TestPrefetchedSteps(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline", "volatility"}, Policies: []string{"none", "fund"}, SweepParam: "share_cap.cap",
		SweepVals: []float64{0.3, 0.5}, Replicates: 20, Horizon: 15, Steps: true, ChunkRuns: 13}
	synthstudy.Write(t, dir, s)
	defer func(n int) { prefetchPartitions = n }(prefetchPartitions)
	var ref string
	for _, n := range []int{0, 2, 100} {
		for _, workers := range []int{1, 3} {
			for _, mem := range []int64{256 << 20, 1} {
				prefetchPartitions = n
				o := aggTestOptions()
				o.Workers, o.FanMemoryBytes, o.WriteSummary = workers, mem, false
				st, err := Aggregate(context.Background(), dir, o)
				if err != nil {
					t.Fatal(err)
				}
				got := fmt.Sprint(st.Cells, st.Effects, st.Fans, st.Warnings)
				if ref == "" {
					ref = got
					if len(st.Fans) != 8*len(FanVariables()) {
						t.Fatalf("%d fans", len(st.Fans))
					}
				} else if got != ref {
					t.Errorf("%d partitions read ahead, %d workers, FanMemoryBytes %d: the result differs from none read ahead", n, workers, mem)
				}
			}
		}
	}
}

// TestPrefetchTaken: every file read ahead is handed to the first read of
// it, once, with the row groups ReadStepsColumns gives; a second read and a
// file not read ahead come from the file.
func TestPrefetchTaken(t *testing.T) {
	dir := t.TempDir()
	synthstudy.Write(t, dir, synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund", "all"},
		Replicates: 9, Horizon: 10, Steps: true, ChunkRuns: 4})
	ds, err := dataset.OpenDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { prefetchPartitions = n }(prefetchPartitions)
	prefetchPartitions = 2
	ctx := context.Background()
	pf, stop := startPrefetch(ctx, ds)
	defer stop()
	dump := func(read func(path string, fn func(runID, day []int64, v [][]float64) error) error, path string) string {
		var out string
		if err := read(path, func(runID, day []int64, v [][]float64) error {
			out += fmt.Sprint(runID, day, v)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	direct := func(path string, fn func(runID, day []int64, v [][]float64) error) error {
		return ds.ReadStepsColumns(ctx, path, fanColumns, fn)
	}
	viaPrefetch := func(path string, fn func(runID, day []int64, v [][]float64) error) error {
		return pf.read(ctx, ds, path, fn)
	}
	ahead := 0
	for i, sp := range ds.Steps {
		for _, path := range sp.Files {
			pf.mu.Lock()
			_, held := pf.files[path]
			pf.mu.Unlock()
			if held != (i < 2) {
				t.Errorf("partition %d file %s: read ahead %v", i, path, held)
			}
			if held {
				ahead++
			}
			want := dump(direct, path)
			if got := dump(viaPrefetch, path); got != want {
				t.Errorf("%s: first read differs from the file", path)
			}
			if got := dump(viaPrefetch, path); got != want {
				t.Errorf("%s: second read differs from the file", path)
			}
		}
	}
	if ahead == 0 || len(pf.files) != 0 {
		t.Errorf("%d files read ahead, %d not taken", ahead, len(pf.files))
	}
}
