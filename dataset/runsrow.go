package dataset

import (
	"context"
	"fmt"
	"reflect"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// RunsRow is a runs row of a table without sweep columns as a static Go
// type, in the file's column order (RunKeys, then model.Summary's columns):
// both are embedded, so parquet-go flattens their fields in order and
// writes the columns straight from the structs (its sparse-array fast
// path) instead of through reflection a value at a time, as it does for
// RunsTable.Row's dynamic type (which the sweep columns need).
type RunsRow struct {
	RunKeys
	model.Summary
}

// RunsPart is a part file of the runs table being written.
type RunsPart interface {
	Part
	// WriteRun appends one run's row: its keys, its summary and its cell's
	// sweep values (one per sweep parameter of the table, in order).
	WriteRun(k RunKeys, s *model.Summary, sweep []SweepValue) error
}

// runsRowOptions returns the writer options that give RunsRow t's schema
// (t's schema, and the float encoding on model.Summary's float columns as
// NewRunsTable gives them), or nil when t has sweep columns or RunsRow's
// schema is not t's (then the table is written through RunsTable.Row).
func runsRowOptions(t *RunsTable) []parquet.WriterOption {
	if t.typ.NumField() != t.nKeys+t.nSum {
		return nil
	}
	var tags []parquet.SchemaOption
	st := reflect.TypeFor[model.Summary]()
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		if tag := withEncoding(f); tag != f.Tag {
			tags = append(tags, parquet.StructTag(tag, f.Name))
		}
	}
	if !parquet.EqualNodes(parquet.SchemaOf(new(RunsRow), tags...), t.schema) {
		return nil
	}
	opts := []parquet.WriterOption{t.schema}
	for _, o := range tags {
		opts = append(opts, o)
	}
	return opts
}

// CreateRunsPart starts a part file of the runs table t at key (as
// CreateOwnedPart) that will hold about runs rows: its page buffers are
// RunsPageBufferFor(runs). Without sweep columns the rows are written
// through RunsRow (the same file: TestRunsPartStaticSameBytes), with them
// through RunsTable.Row.
func CreateRunsPart(ctx context.Context, st storage.Store, key, owner string, meta FileMeta, t *RunsTable, runs int64) (RunsPart, error) {
	page := parquet.PageBufferSize(RunsPageBufferFor(runs))
	if t.static != nil {
		p, err := CreateOwnedPart[RunsRow](ctx, st, key, TableRuns, owner, meta, append(t.static[:len(t.static):len(t.static)], page)...)
		if err != nil {
			return nil, err
		}
		return &staticRunsPart{PartWriter: p}, nil
	}
	p, err := CreateOwnedPart[any](ctx, st, key, TableRuns, owner, meta, t.Schema(), page)
	if err != nil {
		return nil, err
	}
	return &dynamicRunsPart{PartWriter: p, t: t}, nil
}

type staticRunsPart struct {
	*PartWriter[RunsRow]
	row [1]RunsRow
}

func (p *staticRunsPart) WriteRun(k RunKeys, s *model.Summary, sweep []SweepValue) error {
	if len(sweep) > 0 {
		return fmt.Errorf("%w: runs part without sweep columns: %d sweep values", ErrSchema, len(sweep))
	}
	p.row[0] = RunsRow{RunKeys: k, Summary: *s}
	return p.Write(p.row[:])
}

type dynamicRunsPart struct {
	*PartWriter[any]
	t *RunsTable
}

func (p *dynamicRunsPart) WriteRun(k RunKeys, s *model.Summary, sweep []SweepValue) error {
	return p.Write([]any{p.t.Row(k, s, sweep)})
}
