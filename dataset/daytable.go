package dataset

import (
	"fmt"
	"reflect"

	"github.com/parquet-go/parquet-go"
)

// DayKeys are the key columns of a row of a day table (steps,
// provider_steps) besides run_id and day, which the model's row carries: the
// run's cell, scenario, policy and replicate (schema v2: every row carries
// them, so one scan of steps/**/*.parquet is the whole study; the Hive
// directories scenario=<s>/policy=<p> repeat the same values for pruning).
type DayKeys struct {
	Cell      int64
	Scenario  string
	Policy    string
	Replicate int64
}

// dayKeyColumns are the columns DayTable puts after run_id and before day.
var dayKeyColumns = []string{"cell", "scenario", "policy", "replicate"}

// DayTable is the row layout of a day table in schema v2: run_id, cell,
// scenario, policy, replicate, day (all int64 but the two strings), then the
// model row type's other columns in field order, then one DOUBLE column per
// swept parameter (named by its dotted path), the same columns as the runs
// table's keys and sweep. Rows are built as parquet.Row values
// (AppendRows), written by PartWriter.WriteDay.
type DayTable struct {
	table    string
	rowType  reflect.Type
	schema   *parquet.Schema // the file's schema
	fields   []dayField      // the model row's columns
	keyCol   [4]int          // cell, scenario, policy, replicate → file column
	sweepCol []int           // sweep parameter → file column
	nCols    int
	fast     dayPartFunc // parts through the static row type (dayrows.go), nil if none
}

// dayField is one column of the model row type: its field index, kind
// (after a pointer, for optional columns) and file column.
type dayField struct {
	index    int
	kind     reflect.Kind
	optional bool
	col      int
}

// NewDayTable builds the layout of table (TableSteps or TableProviderSteps)
// for rows of type rowType (model.Step or model.ProviderStep, whose first
// two columns must be run_id and day) and the given swept parameters. A
// sweep parameter colliding with a column is an error wrapping ErrSchema.
func NewDayTable(table string, rowType reflect.Type, sweepParams []string) (*DayTable, error) {
	if rowType.Kind() != reflect.Struct || rowType.NumField() < 2 ||
		ParquetName(rowType.Field(0)) != "run_id" || ParquetName(rowType.Field(1)) != "day" {
		return nil, fmt.Errorf("%w: %s rows (%s) must start with run_id and day", ErrSchema, table, rowType)
	}
	int64T, strT := reflect.TypeFor[int64](), reflect.TypeFor[string]()
	fields := []reflect.StructField{
		{Name: "RunID", Type: int64T, Tag: `parquet:"run_id"`},
		{Name: "Cell", Type: int64T, Tag: `parquet:"cell"`},
		{Name: "Scenario", Type: strT, Tag: `parquet:"scenario,dict"`},
		{Name: "Policy", Type: strT, Tag: `parquet:"policy,dict"`},
		{Name: "Replicate", Type: int64T, Tag: `parquet:"replicate"`},
		{Name: "Day", Type: int64T, Tag: `parquet:"day"`},
	}
	names := map[string]bool{}
	for _, f := range fields {
		names[ParquetName(f)] = true
	}
	for i := 2; i < rowType.NumField(); i++ {
		f := rowType.Field(i)
		n := ParquetName(f)
		if n == "" || n == "-" {
			continue
		}
		if names[n] {
			return nil, fmt.Errorf("%w: %s column %q collides with a key column", ErrSchema, table, n)
		}
		names[n] = true
		fields = append(fields, reflect.StructField{Name: "M" + f.Name, Type: f.Type, Tag: withEncoding(f)})
	}
	fields, err := appendSweepFields(fields, names, table, sweepParams)
	if err != nil {
		return nil, err
	}
	t := &DayTable{table: table, rowType: rowType, nCols: len(fields)}
	t.schema = parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
	col := func(name string) (int, error) {
		leaf, ok := t.schema.Lookup(name)
		if !ok {
			return 0, fmt.Errorf("%w: %s: no column %q", ErrSchema, table, name)
		}
		return leaf.ColumnIndex, nil
	}
	for i := 0; i < rowType.NumField(); i++ {
		f := rowType.Field(i)
		n := ParquetName(f)
		if n == "" || n == "-" {
			continue
		}
		c, err := col(n)
		if err != nil {
			return nil, err
		}
		df := dayField{index: i, kind: f.Type.Kind(), col: c}
		if df.kind == reflect.Pointer {
			df.optional, df.kind = true, f.Type.Elem().Kind()
		}
		switch df.kind {
		case reflect.Int32, reflect.Int64, reflect.Float64, reflect.Bool, reflect.String:
		default:
			return nil, fmt.Errorf("%w: %s column %q: Go type %s", ErrSchema, table, n, f.Type)
		}
		t.fields = append(t.fields, df)
	}
	for i, k := range dayKeyColumns {
		c, err := col(k)
		if err != nil {
			return nil, err
		}
		t.keyCol[i] = c
	}
	for _, p := range sweepParams {
		c, err := col(p)
		if err != nil {
			return nil, err
		}
		t.sweepCol = append(t.sweepCol, c)
	}
	if len(t.schema.Columns()) != t.nCols {
		return nil, fmt.Errorf("%w: %s: %d leaf columns for %d fields", ErrSchema, table, len(t.schema.Columns()), t.nCols)
	}
	t.fast = fastDayTable(t, len(sweepParams))
	return t, nil
}

// Schema is the Parquet schema of the day table's files.
func (t *DayTable) Schema() *parquet.Schema { return t.schema }

// AppendRows appends one run's day rows to dst as parquet.Rows, reusing the
// rows beyond len(dst) left by an earlier call (dst[:0]): rows is a
// slice of the model row type of NewDayTable, k the run's keys and sweep
// its cell's sweep values (in the order of NewDayTable's parameters).
//
// The values are read field by field through reflect (no parquet-go
// deconstruction, which allocates per row): int32, int64, float64, bool and
// string fields, or pointers to them (nil is a null).
func (t *DayTable) AppendRows(dst []parquet.Row, k DayKeys, rows any, sweep []SweepValue) []parquet.Row {
	rv := reflect.ValueOf(rows)
	if rv.Kind() != reflect.Slice || rv.Type().Elem() != t.rowType {
		panic(fmt.Sprintf("dataset: %s rows of type %T, want []%s", t.table, rows, t.rowType))
	}
	keys := [4]parquet.Value{
		parquet.Int64Value(k.Cell), parquet.ByteArrayValue([]byte(k.Scenario)),
		parquet.ByteArrayValue([]byte(k.Policy)), parquet.Int64Value(k.Replicate),
	}
	for i := 0; i < rv.Len(); i++ {
		var row parquet.Row
		if n := len(dst); n < cap(dst) && cap(dst[:n+1][n]) >= t.nCols { // reuse a row of an earlier call
			row = dst[:n+1][n][:t.nCols]
		} else {
			row = make(parquet.Row, t.nCols)
		}
		e := rv.Index(i)
		for _, f := range t.fields {
			fv := e.Field(f.index)
			def := 0
			if f.optional {
				if fv.IsNil() {
					row[f.col] = parquet.NullValue().Level(0, 0, f.col)
					continue
				}
				fv, def = fv.Elem(), 1
			}
			var v parquet.Value
			switch f.kind {
			case reflect.Float64:
				v = parquet.DoubleValue(fv.Float())
			case reflect.Int64:
				v = parquet.Int64Value(fv.Int())
			case reflect.Int32:
				v = parquet.Int32Value(int32(fv.Int()))
			case reflect.Bool:
				v = parquet.BooleanValue(fv.Bool())
			case reflect.String:
				v = parquet.ByteArrayValue([]byte(fv.String()))
			}
			row[f.col] = v.Level(0, def, f.col)
		}
		for j, v := range keys {
			row[t.keyCol[j]] = v.Level(0, 0, t.keyCol[j])
		}
		for j, s := range sweep {
			c := t.sweepCol[j]
			row[c] = parquet.DoubleValue(s.Value).Level(0, 0, c)
		}
		dst = append(dst, row)
	}
	return dst
}
