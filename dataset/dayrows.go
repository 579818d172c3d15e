package dataset

import (
	"context"
	"fmt"
	"reflect"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// stepsRow is a steps row with its keys as a static Go type, in the file's
// column order (schema v2: run_id, cell, scenario, policy, replicate, day,
// then model.Step's columns): model.Step is embedded, so parquet-go flattens
// its fields after the keys, and its own RunID is hidden (dayRowTags). With
// a static type parquet-go writes the columns straight from the structs
// (its sparse-array fast path) instead of assembling a parquet.Row a value
// at a time.
type stepsRow struct {
	ID        int64  `parquet:"run_id"`
	Cell      int64  `parquet:"cell"`
	Scenario  string `parquet:"scenario,dict"`
	Policy    string `parquet:"policy,dict"`
	Replicate int64  `parquet:"replicate"`
	model.Step
}

// providerStepsRow is stepsRow for the provider_steps table.
type providerStepsRow struct {
	ID        int64  `parquet:"run_id"`
	Cell      int64  `parquet:"cell"`
	Scenario  string `parquet:"scenario,dict"`
	Policy    string `parquet:"policy,dict"`
	Replicate int64  `parquet:"replicate"`
	model.ProviderStep
}

// dayRowTags are the struct-tag replacements that give a static day row
// type the day table's schema: the embedded row's run_id hidden (the keys
// carry it first) and the table's float encoding on its float columns.
func dayRowTags(rowType reflect.Type) []parquet.WriterOption {
	opts := []parquet.WriterOption{parquet.StructTag(`parquet:"-"`, "RunID")}
	for i := 0; i < rowType.NumField(); i++ {
		f := rowType.Field(i)
		if tag := withEncoding(f); tag != f.Tag {
			opts = append(opts, parquet.StructTag(tag, f.Name))
		}
	}
	return opts
}

// fastDayTable returns the static row type's options when rowType has one
// (model.Step, model.ProviderStep) and the table has no sweep columns, and
// checks that the type's schema is the table's; ok is false otherwise (the
// table is then written as parquet.Rows).
func fastDayTable(rowType reflect.Type, nSweep int, schema *parquet.Schema) (opts []parquet.WriterOption, ok bool) {
	if nSweep > 0 {
		return nil, false
	}
	var row any
	switch rowType {
	case reflect.TypeFor[model.Step]():
		row = new(stepsRow)
	case reflect.TypeFor[model.ProviderStep]():
		row = new(providerStepsRow)
	default:
		return nil, false
	}
	opts = dayRowTags(rowType)
	sopts := make([]parquet.SchemaOption, len(opts))
	for i, o := range opts {
		sopts[i] = o.(parquet.SchemaOption)
	}
	if !parquet.EqualNodes(parquet.SchemaOf(row, sopts...), schema) {
		return nil, false
	}
	return opts, true
}

// DayPart is a part file of a day table (steps, provider_steps) being
// written.
type DayPart interface {
	Part
	// WriteDay appends one run's rows (a []model.Step or
	// []model.ProviderStep, the table's row type) with the run's keys and
	// its cell's sweep values.
	WriteDay(k DayKeys, rows any, sweep []SweepValue) error
}

// CreateDayPart starts a part file of day table t at key (as
// CreateOwnedPart). Without sweep columns the rows are written through a
// static Go type (parquet-go's column fast path); with them as
// parquet.Rows (DayTable.AppendRows). Both write t.Schema().
func CreateDayPart(ctx context.Context, st storage.Store, key, owner string, meta FileMeta, t *DayTable) (DayPart, error) {
	if t.fast != nil {
		// The table's schema is given too (parquet-go takes the fast path
		// when it equals the type's), so the file is the generic path's
		// byte for byte (TestDayPartStaticMatchesRows).
		opts := append([]parquet.WriterOption{t.Schema()}, t.fast...)
		switch t.rowType {
		case reflect.TypeFor[model.Step]():
			p, err := CreateOwnedPart[stepsRow](ctx, st, key, t.table, owner, meta, opts...)
			if err != nil {
				return nil, err
			}
			return &staticPart[stepsRow, model.Step]{PartWriter: p, row: stepsRowOf}, nil
		case reflect.TypeFor[model.ProviderStep]():
			p, err := CreateOwnedPart[providerStepsRow](ctx, st, key, t.table, owner, meta, opts...)
			if err != nil {
				return nil, err
			}
			return &staticPart[providerStepsRow, model.ProviderStep]{PartWriter: p, row: providerStepsRowOf}, nil
		}
	}
	p, err := CreateOwnedPart[any](ctx, st, key, t.table, owner, meta, t.Schema())
	if err != nil {
		return nil, err
	}
	return &rowsPart{PartWriter: p, t: t}, nil
}

// staticPart writes a day table through its static row type R, built from
// the model's rows M by row.
type staticPart[R, M any] struct {
	*PartWriter[R]
	row func(k *DayKeys, m *M) R
	buf []R // one run's rows, reused
}

func (p *staticPart[R, M]) WriteDay(k DayKeys, rows any, sweep []SweepValue) error {
	ms, ok := rows.([]M)
	if !ok || len(sweep) > 0 {
		return fmt.Errorf("%w: %s part: %T rows with %d sweep values", ErrSchema, p.Table(), rows, len(sweep))
	}
	p.buf = p.buf[:0]
	for i := range ms {
		p.buf = append(p.buf, p.row(&k, &ms[i]))
	}
	return p.Write(p.buf)
}

func stepsRowOf(k *DayKeys, m *model.Step) stepsRow {
	return stepsRow{ID: m.RunID, Cell: k.Cell, Scenario: k.Scenario, Policy: k.Policy, Replicate: k.Replicate, Step: *m}
}

func providerStepsRowOf(k *DayKeys, m *model.ProviderStep) providerStepsRow {
	return providerStepsRow{ID: m.RunID, Cell: k.Cell, Scenario: k.Scenario, Policy: k.Policy, Replicate: k.Replicate, ProviderStep: *m}
}

type rowsPart struct {
	*PartWriter[any]
	t *DayTable
}

func (p *rowsPart) WriteDay(k DayKeys, rows any, sweep []SweepValue) error {
	return p.PartWriter.WriteDay(p.t, k, rows, sweep)
}
