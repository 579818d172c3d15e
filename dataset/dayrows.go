package dataset

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// dayKeyCols are the key columns of a day table's row (schema v2: run_id,
// cell, scenario, policy, replicate), first in StepsRow and
// ProviderStepsRow.
type dayKeyCols struct {
	ID        int64  `parquet:"run_id"`
	Cell      int64  `parquet:"cell"`
	Scenario  string `parquet:"scenario,dict"`
	Policy    string `parquet:"policy,dict"`
	Replicate int64  `parquet:"replicate"`
}

// keyCols returns the key columns of run runID's rows with keys k.
func keyCols(k *DayKeys, runID int64) dayKeyCols {
	return dayKeyCols{ID: runID, Cell: k.Cell, Scenario: k.Scenario, Policy: k.Policy, Replicate: k.Replicate}
}

// StepsRow is a steps row with its keys as a static Go type, in the file's
// column order (the keys, then model.Step's columns): both are embedded, so
// parquet-go flattens their fields in order, and model.Step's own RunID is
// hidden (dayRowTags). With a static type parquet-go writes the columns
// straight from the structs (its sparse-array fast path) instead of
// assembling a parquet.Row a value at a time.
//
// A recorder that keeps a run's days as []StepsRow{{Step: day}, …} hands
// them to DayPart.WriteDay without another copy: the part sets the key
// columns in place (run_id from Step.RunID, the others from the run's
// DayKeys) and writes the slice as it is.
type StepsRow struct {
	dayKeyCols
	model.Step
}

// ProviderStepsRow is StepsRow for the provider_steps table.
type ProviderStepsRow struct {
	dayKeyCols
	model.ProviderStep
}

// dayRowTags are the struct-tag replacements that give a static day row
// type the day table's schema: the embedded row's run_id hidden (the keys
// carry it first) and the table's float encoding on its float columns.
func dayRowTags(rowType reflect.Type) []parquet.SchemaOption {
	opts := []parquet.SchemaOption{parquet.StructTag(`parquet:"-"`, "RunID")}
	for i := 0; i < rowType.NumField(); i++ {
		f := rowType.Field(i)
		if tag := withEncoding(f); tag != f.Tag {
			opts = append(opts, parquet.StructTag(tag, f.Name))
		}
	}
	return opts
}

// dayPartFunc creates a part file of a day table (CreateDayPart's
// arguments but the table; opts after meta's).
type dayPartFunc func(ctx context.Context, st storage.Store, key, owner string, meta FileMeta, opts ...parquet.WriterOption) (DayPart, error)

// fastDayTable returns the constructor of t's parts written through a
// static row type when the model row type has one (model.Step,
// model.ProviderStep) and the table has no sweep columns; nil otherwise
// (the table is then written as parquet.Rows).
func fastDayTable(t *DayTable, nSweep int) dayPartFunc {
	if nSweep > 0 {
		return nil
	}
	switch t.rowType {
	case reflect.TypeFor[model.Step]():
		return staticParts(t, stepsRowOf, setStepsKeys)
	case reflect.TypeFor[model.ProviderStep]():
		return staticParts(t, providerStepsRowOf, setProviderStepsKeys)
	}
	return nil
}

// staticParts returns the constructor of t's parts written as rows of type
// R built from the model's rows M by row (or given as R, whose keys setKeys
// sets in place), or nil when R's schema (with
// dayRowTags) is not t's. The table's schema is given to the writer too
// (parquet-go takes the fast path when it equals the type's), so the file
// is the row path's byte for byte (TestDayPartStaticMatchesRows).
func staticParts[R, M any](t *DayTable, row func(*DayKeys, *M) R, setKeys func(*R, *DayKeys)) dayPartFunc {
	tags := dayRowTags(t.rowType)
	if !parquet.EqualNodes(parquet.SchemaOf(new(R), tags...), t.schema) {
		return nil
	}
	opts := []parquet.WriterOption{t.schema}
	for _, o := range tags {
		opts = append(opts, o)
	}
	return func(ctx context.Context, st storage.Store, key, owner string, meta FileMeta, more ...parquet.WriterOption) (DayPart, error) {
		p, err := CreateOwnedPart[R](ctx, st, key, t.table, owner, meta, append(slices.Clip(opts), more...)...)
		if err != nil {
			return nil, err
		}
		return &staticPart[R, M]{PartWriter: p, row: row, setKeys: setKeys}, nil
	}
}

// DayPart is a part file of a day table (steps, provider_steps) being
// written.
type DayPart interface {
	Part
	// WriteDay appends one run's rows with the run's keys and its cell's
	// sweep values. rows is a []model.Step or []model.ProviderStep (the
	// table's row type), or a []StepsRow or []ProviderStepsRow whose key
	// columns WriteDay sets in place (the same file either way; without sweep
	// columns the rows are then written without being copied).
	WriteDay(k DayKeys, rows any, sweep []SweepValue) error
}

// CreateDayPart starts a part file of day table t at key (as
// CreateOwnedPart) that will hold about rows rows: its page buffers are
// PageBufferFor(rows), so rows must be derived from the plan and the rows
// (e.g. the first run's rows × the partition's runs in the chunk), never
// from timing. Without sweep columns the rows are written through a static
// Go type (parquet-go's column fast path); with them as parquet.Rows
// (DayTable.AppendRows). Both write t.Schema().
func CreateDayPart(ctx context.Context, st storage.Store, key, owner string, meta FileMeta, t *DayTable, rows int64) (DayPart, error) {
	page := parquet.PageBufferSize(PageBufferFor(rows))
	if t.fast != nil {
		return t.fast(ctx, st, key, owner, meta, page)
	}
	p, err := CreateOwnedPart[any](ctx, st, key, t.table, owner, meta, t.Schema(), page)
	if err != nil {
		return nil, err
	}
	return &rowsPart{PartWriter: p, t: t}, nil
}

// staticPart writes a day table through its static row type R, built from
// the model's rows M by row, or given as R (setKeys).
type staticPart[R, M any] struct {
	*PartWriter[R]
	row     func(k *DayKeys, m *M) R
	setKeys func(r *R, k *DayKeys)
	buf     []R // one run's rows, reused
}

func (p *staticPart[R, M]) WriteDay(k DayKeys, rows any, sweep []SweepValue) error {
	if len(sweep) > 0 {
		return fmt.Errorf("%w: %s part: %T rows with %d sweep values", ErrSchema, p.Table(), rows, len(sweep))
	}
	switch rows := rows.(type) {
	case []R:
		for i := range rows {
			p.setKeys(&rows[i], &k)
		}
		return p.Write(rows)
	case []M:
		p.buf = p.buf[:0]
		for i := range rows {
			p.buf = append(p.buf, p.row(&k, &rows[i]))
		}
		return p.Write(p.buf)
	}
	return fmt.Errorf("%w: %s part: %T rows", ErrSchema, p.Table(), rows)
}

func stepsRowOf(k *DayKeys, m *model.Step) StepsRow {
	return StepsRow{dayKeyCols: keyCols(k, m.RunID), Step: *m}
}

func providerStepsRowOf(k *DayKeys, m *model.ProviderStep) ProviderStepsRow {
	return ProviderStepsRow{dayKeyCols: keyCols(k, m.RunID), ProviderStep: *m}
}

// setStepsKeys sets r's key columns to k's (run_id from r's own), writing
// them only when they differ: rows built by AppendStepsRow already hold
// them, and comparing costs the reads the column gathers make anyway,
// whereas writing each row's keys again (two string headers among them)
// cost 7% of the pipeline's CPU in BenchmarkPipelineOverhead.
func setStepsKeys(r *StepsRow, k *DayKeys) { r.dayKeyCols.set(k, r.Step.RunID) }

// setProviderStepsKeys is setStepsKeys for provider_steps rows.
func setProviderStepsKeys(r *ProviderStepsRow, k *DayKeys) {
	r.dayKeyCols.set(k, r.ProviderStep.RunID)
}

// set makes c the keys of run runID with keys k, writing them only when
// they differ (are).
func (c *dayKeyCols) set(k *DayKeys, runID int64) {
	if !c.are(k, runID) {
		*c = keyCols(k, runID)
	}
}

// are reports whether c holds the keys of run runID with keys k. Strings
// sharing their bytes (a run's keys come from its cell's) compare by
// pointer, without a call to compare their bytes.
func (c *dayKeyCols) are(k *DayKeys, runID int64) bool {
	return c.ID == runID && c.Cell == k.Cell && c.Replicate == k.Replicate &&
		sameString(c.Scenario, k.Scenario) && sameString(c.Policy, k.Policy)
}

func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// AppendStepsRow appends day s of a run whose keys are k to rows as a
// StepsRow with its key columns already set (run_id from s.RunID), as
// DayPart.WriteDay sets them: WriteDay then leaves them as they are. A
// recorder that knows its run's keys (the pipeline's workers) builds its
// rows so while it copies the day, which its core has in cache, instead of
// the writer setting them row by row later.
func AppendStepsRow(rows []StepsRow, k *DayKeys, s *model.Step) []StepsRow {
	return append(rows, stepsRowOf(k, s))
}

// AppendProviderStepsRow is AppendStepsRow for provider_steps rows.
func AppendProviderStepsRow(rows []ProviderStepsRow, k *DayKeys, ps *model.ProviderStep) []ProviderStepsRow {
	return append(rows, providerStepsRowOf(k, ps))
}

type rowsPart struct {
	*PartWriter[any]
	t     *DayTable
	steps []model.Step         // StepsRow rows' model rows, reused
	prov  []model.ProviderStep // ProviderStepsRow rows' model rows, reused
}

// WriteDay assembles the rows as parquet.Rows (DayTable.AppendRows), from
// the model rows of StepsRow and ProviderStepsRow rows (whose keys it sets
// to k's, as staticPart does).
func (p *rowsPart) WriteDay(k DayKeys, rows any, sweep []SweepValue) error {
	switch rs := rows.(type) {
	case []StepsRow:
		p.steps = p.steps[:0]
		for i := range rs {
			setStepsKeys(&rs[i], &k)
			p.steps = append(p.steps, rs[i].Step)
		}
		rows = p.steps
	case []ProviderStepsRow:
		p.prov = p.prov[:0]
		for i := range rs {
			setProviderStepsKeys(&rs[i], &k)
			p.prov = append(p.prov, rs[i].ProviderStep)
		}
		rows = p.prov
	}
	return p.PartWriter.WriteDay(p.t, k, rows, sweep)
}
