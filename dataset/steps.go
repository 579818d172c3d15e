package dataset

import (
	"context"
	"fmt"
	"slices"
)

// ReadStepsColumns streams one steps part file (a path of Dataset.Steps) row
// group by row group: for each it calls fn with the run_id and day columns
// and the named numeric columns as float64 (NaN for null), vals[j] holding
// cols[j]. The slices are reused between calls: fn must not keep them. A
// missing column is an error wrapping ErrSchema; a column whose length
// differs from the row group's, or an unreadable file, wraps ErrCorrupt. The
// part's row count is checked against the manifest's.
func (ds *Dataset) ReadStepsColumns(ctx context.Context, path string, cols []string, fn func(runID, day []int64, vals [][]float64) error) error {
	f, closer, err := ds.openPart(path)
	if err != nil {
		return err
	}
	defer closer.Close()
	idx, err := dsColumns(f, path)
	if err != nil {
		return err
	}
	for _, c := range append([]string{"run_id", "day"}, cols...) {
		if _, ok := idx[c]; !ok {
			return fmt.Errorf("%w: %s: missing column %q of the steps table", ErrSchema, path, c)
		}
	}
	var runID, day []int64
	vals := make([][]float64, len(cols))
	for _, rg := range f.RowGroups() {
		if err := ctx.Err(); err != nil {
			return err
		}
		cc := rg.ColumnChunks()
		nr := int(rg.NumRows())
		runID, day = slices.Grow(runID[:0], nr), slices.Grow(day[:0], nr)
		if runID, err = pqInt64sInto(cc[idx["run_id"]], path, "run_id", runID[:0]); err != nil {
			return err
		}
		if day, err = pqInt64sInto(cc[idx["day"]], path, "day", day[:0]); err != nil {
			return err
		}
		if len(day) != len(runID) {
			return fmt.Errorf("%w: %s: column \"day\" has %d values for %d rows", ErrCorrupt, path, len(day), len(runID))
		}
		for j, c := range cols {
			v, err := pqFloat64s(cc[idx[c]], path, c, slices.Grow(vals[j][:0], nr))
			if err != nil {
				return err
			}
			if len(v) != len(runID) {
				return fmt.Errorf("%w: %s: column %q has %d values for %d rows", ErrCorrupt, path, c, len(v), len(runID))
			}
			vals[j] = v
		}
		if err := fn(runID, day, vals); err != nil {
			return err
		}
	}
	return nil
}
