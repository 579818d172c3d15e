package dataset

import (
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
)

// flushColumns writes the buffered values of each column of a part file's
// current row group as a data page (parquet-go's ColumnWriter.Flush:
// encoding, compression, page statistics), on up to workers goroutines,
// before the writer's Close writes the row group, footer and page index.
// Close flushes the columns one after the other with the same calls, and
// each column's page depends on its own values only, so the file is the
// same (TestFinishParallelSameBytes); a column writer touches only its own
// buffers and parquet-go's synchronized pools, so distinct columns flush
// safely at once. A day part holds one page per column for the whole
// chunk, so this is most of finishing it, and the last chunk, finished
// after the last run with the workers idle, uses every core for it
// (docs/dataset.md, "Writer CPU", has the measured tail). It returns the number of columns it flushed (0 with one worker:
// Close flushes them); the error is the first column's, in column order.
func flushColumns(cols []*parquet.ColumnWriter, workers int) (int, error) {
	workers = min(workers, len(cols))
	if workers <= 1 {
		return 0, nil
	}
	errs := make([]error, len(cols))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(cols) {
					return
				}
				errs[i] = cols[i].Flush()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return len(cols), nil
}
