package pipeline

import (
	"fmt"
	"runtime"
	"sort"

	"golang.org/x/sync/errgroup"

	"github.com/tokensim/tokensim/dataset"
)

// finishedPart is a part file's size and hex SHA-256 once finished.
type finishedPart struct {
	bytes  int64
	sha256 string
}

// finishParts finishes a chunk's part files (dataset.Part.Finish: their
// column chunks compressed, footers written, synced) on up to GOMAXPROCS
// goroutines, largest first, and returns their sizes and hashes in the
// order of parts. The writer goroutine finishes a chunk while the workers
// run the next one, so concurrency there only shares the cores differently;
// it shortens the study's tail, where the last chunk is finished after the
// last run with the workers idle, and overlaps the files' fsyncs. A file is
// the same whichever goroutine finishes it. If any part fails, every part
// is aborted (temporary files removed) and the error of the first failed
// part in parts' order is returned, naming its file.
func finishParts(parts []dataset.Part) ([]finishedPart, error) {
	out := make([]finishedPart, len(parts))
	errs := make([]error, len(parts))
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return parts[order[a]].Rows() > parts[order[b]].Rows() })
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, i := range order {
		g.Go(func() error {
			out[i].bytes, out[i].sha256, errs[i] = parts[i].Finish()
			return nil
		})
	}
	g.Wait()
	for i, err := range errs {
		if err == nil {
			continue
		}
		for j, p := range parts {
			if errs[j] == nil {
				p.Abort() // finished: remove its temporary file
			}
		}
		return nil, fmt.Errorf("writing %s: %w", parts[i].Path(), err)
	}
	return out, nil
}
