package dataset

import (
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// pqOpenFile is parquet.OpenFile (without page index and bloom filters) with
// a panic of parquet-go on malformed metadata returned as an error
// (v0.32.0: a negative num_children in the schema slices out of range in
// openColumns; docs/upstream/parquet-go-footer-oom.md).
func pqOpenFile(r io.ReaderAt, size int64) (f *parquet.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("parquet-go panicked: %v", p)
		}
	}()
	return parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

// pqCheckLeafKinds returns an error naming the first leaf column of f whose
// type has no physical kind. A corrupted schema element can give a leaf a
// MAP, LIST or VARIANT logical type (or make it a group), and parquet-go's
// Type.Kind panics for those; every reader of a column asks its Kind, so
// such a file is refused once, here.
func pqCheckLeafKinds(f *parquet.File) error {
	s := f.Schema()
	for _, path := range s.Columns() {
		leaf, ok := s.Lookup(path...)
		if !ok {
			return fmt.Errorf("column %q not found in its own schema", strings.Join(path, "."))
		}
		if _, err := pqKind(leaf.Node.Type()); err != nil {
			return fmt.Errorf("column %q: %w", strings.Join(path, "."), err)
		}
	}
	return nil
}

// pqKind is t.Kind(), or an error where parquet-go panics (a group, list,
// map or variant type).
func pqKind(t parquet.Type) (k parquet.Kind, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("type %s has no physical kind", t)
		}
	}()
	return t.Kind(), nil
}
