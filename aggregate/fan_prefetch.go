package aggregate

import (
	"context"
	"slices"
	"sync"

	"github.com/tokensim/tokensim/dataset"
)

// prefetchPartitions is the number of steps partitions (the first ones of
// Dataset.Steps, whose fan passes start first) whose files Aggregate reads
// ahead while it reads the runs table (startPrefetch). The runs table is
// read by one goroutine (about 50 ms of the default study's report) before
// anything else can start, the fan passes needing it to place each run in
// its cell; reading and decoding the steps files needs no runs table, so the
// other core does that meanwhile. Two partitions of the default study
// (4 files, ~20 ms each to read) hold ~26 MB of decoded columns until their
// fan passes take them.
var prefetchPartitions = 2

// stepsPrefetch holds steps files read ahead: each file's row groups, their
// columns copied, for the first fan pass that reads the file
// (stepsPrefetch.read).
type stepsPrefetch struct {
	mu    sync.Mutex
	files map[string]*prefetchedFile
}

// prefetchedFile is one steps file read ahead; done is closed once groups
// and err are set.
type prefetchedFile struct {
	done   chan struct{}
	groups []stepsRowGroup
	err    error
}

// stepsRowGroup is one row group's columns as ReadStepsColumns hands them
// (run_id, day, then fanColumns).
type stepsRowGroup struct {
	runID, day []int64
	vals       [][]float64
}

// startPrefetch reads the files of the first prefetchPartitions partitions
// of ds.Steps ahead, one file after another on one goroutine, and returns
// them and the function that stops the reading and waits for it (to be
// called before Aggregate returns; the files not taken by then are dropped).
func startPrefetch(ctx context.Context, ds *dataset.Dataset) (*stepsPrefetch, func()) {
	var paths []string
	for _, sp := range ds.Steps[:min(prefetchPartitions, len(ds.Steps))] {
		paths = append(paths, sp.Files...)
	}
	p := &stepsPrefetch{files: map[string]*prefetchedFile{}}
	files := make([]*prefetchedFile, len(paths)) // p.files loses each as it is taken
	for i, path := range paths {
		files[i] = &prefetchedFile{done: make(chan struct{})}
		p.files[path] = files[i]
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, path := range paths {
			f := files[i]
			f.err = ds.ReadStepsColumns(ctx, path, fanColumns, func(runID, day []int64, v [][]float64) error {
				g := stepsRowGroup{runID: slices.Clone(runID), day: slices.Clone(day), vals: make([][]float64, len(v))}
				for i, x := range v {
					g.vals[i] = slices.Clone(x)
				}
				f.groups = append(f.groups, g)
				return nil
			})
			close(f.done)
		}
	})
	return p, func() { cancel(); wg.Wait() }
}

// read calls fn on the row groups of the steps file path as
// ds.ReadStepsColumns(ctx, path, fanColumns, fn) does: from the file read
// ahead if p holds it (the first read of path takes it), otherwise from the
// file. A nil p reads the file.
func (p *stepsPrefetch) read(ctx context.Context, ds *dataset.Dataset, path string, fn func(runID, day []int64, vals [][]float64) error) error {
	var f *prefetchedFile
	if p != nil {
		p.mu.Lock()
		f = p.files[path]
		delete(p.files, path)
		p.mu.Unlock()
	}
	if f == nil {
		return ds.ReadStepsColumns(ctx, path, fanColumns, fn)
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if f.err != nil {
		return f.err
	}
	for i, g := range f.groups {
		if err := fn(g.runID, g.day, g.vals); err != nil {
			return err
		}
		f.groups[i] = stepsRowGroup{} // for the garbage collector
	}
	return nil
}
