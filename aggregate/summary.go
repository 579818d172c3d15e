package aggregate

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
)

// Summary table names: WriteSummary writes summary/<name>.parquet and
// summary/<name>.arrow for each.
const (
	SummaryMetrics = "metrics" // one row per cell × metric (stats.Dist)
	SummaryEvents  = "events"  // one row per cell × event (stats.Proportion)
	SummaryEffects = "effects" // one row per scenario × sweep point × policy × metric (Effect)
	SummaryFans    = "fans"    // one row per cell × fan variable × day (Fan)
)

// sumCol is one column of a summary table: kind 's' (string), 'i' (int64)
// or 'f' (float64, NaN written as null).
type sumCol struct {
	name string
	kind byte
	s    []string
	i    []int64
	f    []float64
}

// sumTable is a column-oriented summary table with a fixed column order.
type sumTable struct {
	name string
	cols []*sumCol
	idx  map[string]*sumCol
	meta [][2]string // key-value metadata (dataset.FileMeta.KeyValues)
}

func newSumTable(name string) *sumTable { return &sumTable{name: name, idx: map[string]*sumCol{}} }

func (t *sumTable) col(name string, kind byte) *sumCol {
	if c, ok := t.idx[name]; ok {
		return c
	}
	c := &sumCol{name: name, kind: kind}
	t.cols = append(t.cols, c)
	t.idx[name] = c
	return c
}

func (t *sumTable) str(name, v string)       { c := t.col(name, 's'); c.s = append(c.s, v) }
func (t *sumTable) int(name string, v int64) { c := t.col(name, 'i'); c.i = append(c.i, v) }
func (t *sumTable) num(name string, v float64) {
	c := t.col(name, 'f')
	c.f = append(c.f, v)
}

func (t *sumTable) rows() int {
	if len(t.cols) == 0 {
		return 0
	}
	c := t.cols[0]
	return len(c.s) + len(c.i) + len(c.f)
}

// declare fixes the column order (and types) before any row is added, so that
// an empty table still has its schema.
func (t *sumTable) declare(spec ...string) {
	for _, s := range spec {
		t.col(s[2:], s[0])
	}
}

// keys appends the cell key columns of one row.
func (t *sumTable) keys(cell int, scenario, policy string, sweep []dataset.SweepValue, params []string) {
	if cell >= 0 {
		t.int("cell", int64(cell))
	}
	t.str("scenario", scenario)
	t.str("policy", policy)
	t.str("sweep", sweepKeyOf(sweep))
	for _, p := range params {
		v := math.NaN()
		for _, s := range sweep {
			if s.Param == p {
				v = s.Value
			}
		}
		t.num(p, v)
	}
}

func keySpec(withCell bool, params []string) []string {
	var s []string
	if withCell {
		s = append(s, "i:cell")
	}
	s = append(s, "s:scenario", "s:policy", "s:sweep")
	for _, p := range params {
		s = append(s, "f:"+p)
	}
	return s
}

// summaryTables builds the four summary tables of a study.
func summaryTables(st *Study) []*sumTable {
	params := st.Info.SweepParams
	fam := map[string]model.Metric{}
	for _, m := range st.Metrics {
		fam[m.Name] = m
	}

	mt := newSumTable(SummaryMetrics)
	mt.declare(append(keySpec(true, params), "s:metric", "s:family", "s:unit", "i:n", "i:missing", "f:mean", "f:mean_lo",
		"f:mean_hi", "f:sd", "f:min", "f:p5", "f:p25", "f:median", "f:p75", "f:p95", "f:max")...)
	ev := newSumTable(SummaryEvents)
	ev.declare(append(keySpec(true, params), "s:event", "s:label", "i:k", "i:n", "f:p", "f:lo", "f:hi")...)
	for _, c := range st.Cells {
		for _, m := range c.Metrics {
			mt.keys(c.Cell, c.Scenario, c.Policy, c.Sweep, params)
			mt.str("metric", m.Metric)
			mt.str("family", string(fam[m.Metric].Family))
			mt.str("unit", fam[m.Metric].Unit)
			mt.int("n", int64(m.N))
			mt.int("missing", int64(m.Missing))
			d := m.Dist
			for _, kv := range []struct {
				k string
				v float64
			}{{"mean", d.Mean}, {"mean_lo", d.MeanLo}, {"mean_hi", d.MeanHi}, {"sd", d.SD}, {"min", d.Min},
				{"p5", d.P5}, {"p25", d.P25}, {"median", d.Median}, {"p75", d.P75}, {"p95", d.P95}, {"max", d.Max}} {
				mt.num(kv.k, kv.v)
			}
		}
		for _, e := range c.Events {
			ev.keys(c.Cell, c.Scenario, c.Policy, c.Sweep, params)
			ev.str("event", e.Event)
			label := ""
			for _, ei := range st.Events {
				if ei.Name == e.Event {
					label = ei.Label
				}
			}
			ev.str("label", label)
			ev.int("k", int64(e.K))
			ev.int("n", int64(e.N))
			ev.num("p", e.P)
			ev.num("lo", e.Lo)
			ev.num("hi", e.Hi)
		}
	}

	ef := newSumTable(SummaryEffects)
	ef.declare(append(keySpec(false, params), "s:metric", "s:family", "s:unit", "i:better", "i:n", "f:base_mean",
		"f:policy_mean", "f:mean_diff", "f:lo", "f:hi", "f:sd_diff", "f:frac_better", "s:method", "i:b")...)
	for _, e := range st.Effects {
		ef.keys(-1, e.Scenario, e.Policy, e.Sweep, params)
		ef.str("metric", e.Metric)
		ef.str("family", string(fam[e.Metric].Family))
		ef.str("unit", fam[e.Metric].Unit)
		ef.int("better", int64(fam[e.Metric].Better.Sign()))
		ef.int("n", int64(e.N))
		ef.num("base_mean", e.BaseMean)
		ef.num("policy_mean", e.PolicyMean)
		ef.num("mean_diff", e.MeanDiff)
		ef.num("lo", e.Lo)
		ef.num("hi", e.Hi)
		ef.num("sd_diff", e.SDDiff)
		ef.num("frac_better", e.FracBetter)
		ef.str("method", e.Method)
		ef.int("b", int64(e.B))
	}

	fa := newSumTable(SummaryFans)
	fa.declare(append(keySpec(true, params), "s:variable", "s:unit", "i:day", "i:n", "f:p5", "f:p25", "f:p50",
		"f:p75", "f:p95", "f:mean")...)
	for _, f := range st.Fans {
		for k, day := range f.Days {
			fa.keys(f.Cell, f.Scenario, f.Policy, f.Sweep, params)
			fa.str("variable", f.Variable)
			fa.str("unit", f.Unit)
			fa.int("day", int64(day))
			fa.int("n", int64(f.N[k]))
			fa.num("p5", f.P5[k])
			fa.num("p25", f.P25[k])
			fa.num("p50", f.P50[k])
			fa.num("p75", f.P75[k])
			fa.num("p95", f.P95[k])
			fa.num("mean", f.Mean[k])
		}
	}
	return []*sumTable{mt, ev, ef, fa}
}

// WriteSummary writes the study's summary tables to dir/summary/ as Parquet
// (zstd) and Arrow IPC files with the same columns and rows: metrics, events,
// effects and fans (see the Summary… constants). Cell keys come first
// (cell, scenario, policy, sweep as "param=value;…", then one float64 column
// per swept parameter named by its dotted path); NaN is written as null. Each
// file is written to a temporary name in the same directory and renamed.
func WriteSummary(dir string, st *Study) error {
	if err := summaryDir(dir); err != nil {
		return err
	}
	fm := dataset.FileMeta{ConfigHash: st.Info.ConfigHash, Seed: st.Info.Seed, ToolVersion: st.Info.ToolVersion, Study: st.Info.Name}
	for _, t := range summaryTables(st) {
		t.meta = summaryMeta(fm, t.name)
		if err := writeTable(dataset.Layout{Dir: dir}, t); err != nil {
			return err
		}
	}
	return nil
}

// writeTable writes summary table t as Parquet and Arrow IPC at the paths
// dataset.Layout.SummaryFiles gives, each published atomically
// (dataset.WriteAtomic). The summary directory must exist (summaryDir).
func writeTable(l dataset.Layout, t *sumTable) error {
	pq, arrow := l.SummaryFiles(t.name)
	for _, f := range []struct {
		path  string
		write func(w *bufio.Writer) error
	}{{pq, t.writeParquet}, {arrow, t.writeArrow}} {
		if err := dataset.WriteAtomic(f.path, f.write); err != nil {
			return fmt.Errorf("aggregate: writing %s: %w", f.path, err)
		}
	}
	return nil
}

// summaryDir creates dir/summary with mode 0755 (regardless of the umask,
// like the files in it) when it does not exist; an existing directory keeps
// its mode.
func summaryDir(dir string) error {
	out := dataset.Layout{Dir: dir}.Summary()
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("aggregate: summary: %w", err)
	}
	if err := os.Chmod(out, 0o755); err != nil {
		return fmt.Errorf("aggregate: summary: %w", err)
	}
	return nil
}

// rowType returns the struct type of the table's rows in the Parquet file
// (fields F0, F1, … in column order: strings dictionary-encoded and int64
// required, float64 as optional *float64) and the writer options: its
// schema, zstd, the table's key-value metadata.
func (t *sumTable) rowType() (reflect.Type, []parquet.WriterOption) {
	fields := make([]reflect.StructField, len(t.cols))
	for i, c := range t.cols {
		f := reflect.StructField{Name: "F" + strconv.Itoa(i)}
		switch c.kind {
		case 's':
			f.Type = reflect.TypeFor[string]()
			f.Tag = reflect.StructTag(`parquet:"` + c.name + `,dict"`)
		case 'i':
			f.Type = reflect.TypeFor[int64]()
			f.Tag = reflect.StructTag(`parquet:"` + c.name + `"`)
		default:
			f.Type = reflect.TypeFor[*float64]()
			f.Tag = reflect.StructTag(`parquet:"` + c.name + `,optional"`)
		}
		fields[i] = f
	}
	typ := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(typ).Elem().Interface())
	opts := []parquet.WriterOption{schema, parquet.Compression(&parquet.Zstd)}
	for _, kv := range t.metaOrDefault() {
		opts = append(opts, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	return typ, opts
}

// writeParquet writes the table with parquet-go, its schema that of a struct
// type built to the table's column order (strings and int64 required;
// float64 optional, NaN → null), zstd-compressed.
//
// Each row is handed to the writer as the parquet.Row that
// Schema.Deconstruct makes of the struct (one value per column, in column
// order, with the column's index and its definition level: 1 for a present
// optional value, 0 for a null or a required value), built from the columns
// directly instead of by reflection, one row per WriteRows call as
// parquet.Writer.Write does: the same file (TestWriteParquetRows).
func (t *sumTable) writeParquet(w *bufio.Writer) error {
	_, opts := t.rowType()
	pw := parquet.NewWriter(w, opts...)
	rows := []parquet.Row{make(parquet.Row, len(t.cols))}
	row := rows[0]
	for r := range t.rows() {
		for i, c := range t.cols {
			switch c.kind {
			case 's':
				// The string's bytes, not a copy (as Deconstruct hands
				// them over; the writer only reads them).
				row[i] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(c.s[r]), len(c.s[r]))).Level(0, 0, i)
			case 'i':
				row[i] = parquet.Int64Value(c.i[r]).Level(0, 0, i)
			default:
				if math.IsNaN(c.f[r]) {
					row[i] = parquet.NullValue().Level(0, 0, i)
				} else {
					row[i] = parquet.DoubleValue(c.f[r]).Level(0, 1, i)
				}
			}
		}
		if _, err := pw.WriteRows(rows); err != nil {
			return err
		}
	}
	return pw.Close()
}

// arrowSchema is the Arrow schema of the table (same names and order as the
// Parquet file; float64 columns nullable).
func (t *sumTable) arrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		switch c.kind {
		case 's':
			fields[i] = arrow.Field{Name: c.name, Type: arrow.BinaryTypes.String}
		case 'i':
			fields[i] = arrow.Field{Name: c.name, Type: arrow.PrimitiveTypes.Int64}
		default:
			fields[i] = arrow.Field{Name: c.name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
		}
	}
	var keys, vals []string
	for _, kv := range t.metaOrDefault() {
		keys, vals = append(keys, kv[0]), append(vals, kv[1])
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fields, &md)
}

// summaryMeta is the key-value metadata of summary table name: the study's
// provenance fm (dataset.FileMeta.KeyValues) and the table's name.
func summaryMeta(fm dataset.FileMeta, name string) [][2]string {
	return append(fm.KeyValues("summary/"+name), [2]string{dataset.MetaSummary, name})
}

// metaOrDefault is the table's key-value metadata: t.meta, or at least its
// name and the schema version.
func (t *sumTable) metaOrDefault() [][2]string {
	if len(t.meta) > 0 {
		return t.meta
	}
	return [][2]string{{dataset.MetaSummary, t.name}, {dataset.MetaSchemaVersion, strconv.Itoa(dataset.SupportedSchemaVersion)}}
}

// writeArrow writes the table as an Arrow IPC file (one record batch).
func (t *sumTable) writeArrow(w *bufio.Writer) error {
	schema := t.arrowSchema()
	mem := memory.NewGoAllocator()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, c := range t.cols {
		switch c.kind {
		case 's':
			b.Field(i).(*array.StringBuilder).AppendValues(c.s, nil)
		case 'i':
			b.Field(i).(*array.Int64Builder).AppendValues(c.i, nil)
		default:
			fb := b.Field(i).(*array.Float64Builder)
			fb.Reserve(len(c.f))
			for _, v := range c.f {
				if math.IsNaN(v) {
					fb.AppendNull()
				} else {
					fb.Append(v)
				}
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// SummaryColumns describes the columns of the summary tables (metrics,
// events, effects, fans, sensitivity) for the data dictionary
// (dataset.DescribeOptions); the key columns cell, scenario, policy, sweep
// and the swept parameters are described by the dataset package.
func SummaryColumns() map[string]string {
	return map[string]string{
		"metric":             "Runs column (the metric catalogue names and describes it).",
		"family":             "The metric's family: stability, diversity, profitability, consumers, token, governance.",
		"unit":               "Unit of the metric or variable.",
		"n":                  "Runs with a value (nulls excluded) or, for events, runs where the event applies; for fans, runs recorded that day.",
		"missing":            "Runs of the cell where the metric is null (not applicable or never).",
		"mean":               "Mean over the cell's runs.",
		"mean_lo":            "Lower end of the 95% confidence interval of the mean (Student t).",
		"mean_hi":            "Upper end of the 95% confidence interval of the mean (Student t).",
		"sd":                 "Sample standard deviation (n−1).",
		"min":                "Minimum.",
		"p5":                 "5th percentile (Hyndman–Fan type 7).",
		"p25":                "25th percentile.",
		"median":             "Median.",
		"p50":                "Median.",
		"p75":                "75th percentile.",
		"p95":                "95th percentile.",
		"max":                "Maximum.",
		"event":              "Event name.",
		"label":              "The event in words.",
		"k":                  "Runs where the event happened.",
		"p":                  "k / n.",
		"lo":                 "Lower end of the 95% interval (Wilson for events, bootstrap for effects).",
		"hi":                 "Upper end of the 95% interval (Wilson for events, bootstrap for effects).",
		"better":             "+1 when higher is better, −1 when lower is better, 0 when neutral.",
		"base_mean":          "Mean of the metric under the policy none over the paired runs.",
		"policy_mean":        "Mean of the metric under the policy over the paired runs.",
		"mean_diff":          "Mean of the paired differences policy − none (same replicate).",
		"sd_diff":            "Standard deviation of the paired differences.",
		"frac_better":        "Share of pairs where the policy is better (by the metric's direction).",
		"method":             "Interval method: bca or percentile bootstrap.",
		"b":                  "Bootstrap resamples.",
		"variable":           "Daily variable of the steps table.",
		"day":                "Day of the run.",
		"output":             "Runs metric whose sensitivity is estimated.",
		"index":              "Sensitivity index: S1, ST, S2 (Sobol), mu, mu_star, sigma (Morris), prcc.",
		"factor":             "Parameter (dotted path) the index is about.",
		"factor2":            "Second parameter of a second-order Sobol index.",
		"estimate":           "Point estimate of the index.",
		"low":                "Lower end of the index's interval.",
		"high":               "Upper end of the index's interval.",
		"se":                 "Standard error of the estimate.",
		"p_value":            "p-value of the PRCC t test.",
		"level":              "Confidence level of the interval.",
		"noise_share":        "Share of the output variance due to replicate noise.",
		"within_noise_share": "Share of the variance within design points due to noise.",
		"output_mean":        "Mean of the output over the design.",
		"output_sd":          "Standard deviation of the output over the design.",
		"points_used":        "Design points with complete runs.",
		"design_points":      "Design points planned.",
		"replicates":         "Replicates per design point.",
		"note":               "Why an output has no index, if so.",
	}
}
