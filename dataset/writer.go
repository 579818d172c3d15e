package dataset

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// Parquet writer settings shared by every table.
const (
	// RowGroupRows bounds the rows of one Parquet row group.
	RowGroupRows = 1 << 17
	// PageBufferBytes is the page buffer of each column of a file whose size
	// is not known in advance (and the least of a day part's, PageBufferFor):
	// it bounds the memory of a chunk in flight (columns × partitions × this).
	PageBufferBytes = 64 << 10
	// MaxPageBufferBytes is the largest page buffer of a day part
	// (PageBufferFor): zstd compresses larger pages better and spends less
	// per byte on them (docs/dataset.md, "Encodings and sizes").
	MaxPageBufferBytes = 256 << 10
)

// PageBufferFor returns the page buffer of each column of a day part that
// will hold about rows rows: 16 bytes a row (a column's largest value, an
// optional double with its definition level, takes 9), between
// PageBufferBytes and MaxPageBufferBytes. A column chunk smaller than its
// page buffer is one page whatever the buffer's size, so the file's bytes do
// not depend on the estimate as long as the buffer holds the whole chunk,
// while the memory of a part with few rows stays at PageBufferBytes a column.
// The estimate must depend on the plan and the rows only (not on timing) so
// that the files stay the same for any worker count or shard split.
func PageBufferFor(rows int64) int {
	return int(min(max(rows*16, PageBufferBytes), MaxPageBufferBytes))
}

// RunsPageBufferFor returns the page buffer of each column of a runs part
// that will hold runs rows (one a run): 32 bytes a row (a column's largest
// value, an optional double, takes 13 in parquet-go's column buffer: value,
// row index and definition level), between 4 KiB (parquet-go's smallest
// pooled buffer) and PageBufferBytes. As for day parts (PageBufferFor), a
// column chunk smaller than its buffer is one page whatever the buffer, so
// the file is the same as with PageBufferBytes
// (TestRunsPartPageHintSameBytes), while a chunk of 32 runs takes 4 KiB a
// column instead of 64 KiB: 256 KiB instead of 4 MiB for the runs table's
// 64 columns, allocated (or taken from parquet-go's pools, which the
// collector empties) for every chunk. runs must come from the plan (the
// chunk's runs), never from timing.
func RunsPageBufferFor(runs int64) int {
	return int(min(max(runs*32, 4<<10), PageBufferBytes))
}

// Key-value metadata keys written to every Parquet file.
const (
	MetaConfigHash    = "tokensim.config_hash"
	MetaSeed          = "tokensim.seed"
	MetaToolVersion   = "tokensim.tool_version"
	MetaSchemaVersion = "tokensim.schema_version"
	MetaStudy         = "tokensim.study"
	MetaTable         = "tokensim.table"
	MetaSummary       = "tokensim.summary" // the summary table's name (summary files)
)

// RunKeys are the key columns of the runs table (MODEL-SPEC §4.2), followed
// in the file by every model.Summary column and one float64 column per swept
// parameter.
//
// Every key is int64 in every table (schema v2): run_id, cell, replicate and
// day join without casts. Seed is the run's model seed (model.RunSeed, a
// uint64) stored with the same 64 bits as a signed int64, because Spark, Java
// and R handle unsigned 64-bit Parquet columns poorly: reinterpret a negative
// value as uint64 (e.g. `seed::UBIGINT` in DuckDB) to get the model's seed.
type RunKeys struct {
	RunID     int64  `parquet:"run_id"`
	Cell      int64  `parquet:"cell"`
	Scenario  string `parquet:"scenario,dict"`
	Policy    string `parquet:"policy,dict"`
	Replicate int64  `parquet:"replicate"`
	Seed      int64  `parquet:"seed"`
}

// RunsTable is the dynamic row type of the runs table: RunKeys' fields,
// model.Summary's fields, then the sweep columns (named by dotted path).
type RunsTable struct {
	typ    reflect.Type
	schema *parquet.Schema
	nKeys  int
	nSum   int
	static []parquet.WriterOption // writer options of RunsRow parts (runsRowOptions); nil: rows through Row
}

// NewRunsTable builds the runs table's row type for the given swept
// parameters (dotted paths, in column order). A sweep parameter that
// collides with a key or Summary column is an error wrapping ErrSchema.
func NewRunsTable(sweepParams []string) (*RunsTable, error) {
	var fields []reflect.StructField
	kt := reflect.TypeOf(RunKeys{})
	for i := 0; i < kt.NumField(); i++ {
		f := kt.Field(i)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
	}
	st := reflect.TypeOf(model.Summary{})
	names := map[string]bool{}
	for _, f := range fields {
		names[ParquetName(f)] = true
	}
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		fields = append(fields, reflect.StructField{Name: "S" + f.Name, Type: f.Type, Tag: withEncoding(f)})
		names[ParquetName(f)] = true
	}
	fields, err := appendSweepFields(fields, names, TableRuns, sweepParams)
	if err != nil {
		return nil, err
	}
	typ := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(typ).Interface())
	t := &RunsTable{typ: typ, schema: schema, nKeys: kt.NumField(), nSum: st.NumField()}
	t.static = runsRowOptions(t)
	return t, nil
}

// appendSweepFields appends one DOUBLE column per swept parameter (named by
// its dotted path) to the fields of table, whose column names are names
// (updated). A parameter colliding with a column is an error wrapping
// ErrSchema.
func appendSweepFields(fields []reflect.StructField, names map[string]bool, table string, sweepParams []string) ([]reflect.StructField, error) {
	for i, p := range sweepParams {
		if names[p] {
			return nil, fmt.Errorf("%w: sweep parameter %q collides with a %s column", ErrSchema, p, table)
		}
		names[p] = true
		fields = append(fields, reflect.StructField{Name: "Sweep" + strconv.Itoa(i), Type: reflect.TypeFor[float64](),
			Tag: reflect.StructTag(`parquet:"` + p + `"`)})
	}
	return fields, nil
}

// ParquetName is the column name of a struct field's `parquet` tag.
func ParquetName(f reflect.StructField) string {
	tag := f.Tag.Get("parquet")
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			return tag[:i]
		}
	}
	return tag
}

// Schema is the Parquet schema of the runs table.
func (t *RunsTable) Schema() *parquet.Schema { return t.schema }

// Row returns a pointer to a new row value of the runs table; sweep has one
// value per sweep parameter of NewRunsTable, in that order.
func (t *RunsTable) Row(k RunKeys, s *model.Summary, sweep []SweepValue) any {
	v := reflect.New(t.typ)
	e := v.Elem()
	kv := reflect.ValueOf(k)
	for i := 0; i < t.nKeys; i++ {
		e.Field(i).Set(kv.Field(i))
	}
	sv := reflect.ValueOf(s).Elem()
	for i := 0; i < t.nSum; i++ {
		e.Field(t.nKeys + i).Set(sv.Field(i))
	}
	for i, x := range sweep {
		e.Field(t.nKeys + t.nSum + i).SetFloat(x.Value)
	}
	return v.Interface()
}

// FileMeta is the key-value metadata written to every Parquet file of a study.
type FileMeta struct {
	ConfigHash  string
	Seed        uint64
	ToolVersion string
	Study       string
}

// Options are the Parquet writer settings of every file of a study's table:
// zstd (codecFor), RowGroupRows rows per row group, PageBufferBytes per
// column (a day part replaces it by PageBufferFor), no page-header
// statistics (the column index and chunk statistics stay), and the Meta…
// key-value metadata. They are fixed so that a chunk's bytes depend on its
// rows only.
func (m FileMeta) Options(table string) []parquet.WriterOption {
	opts := []parquet.WriterOption{
		parquet.Compression(codecFor(table)),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		parquet.PageBufferSize(PageBufferBytes),
		// Page-header statistics are left out: the column index (the page
		// index readers use to skip pages) keeps every page's min and max,
		// and the column chunk's statistics stay; computing them a second
		// time per page cost a tenth of the writer's CPU.
		parquet.DataPageStatistics(false),
		parquet.CreatedBy("tokensim", m.ToolVersion, ""),
	}
	for _, kv := range m.KeyValues(table) {
		opts = append(opts, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	return opts
}

// KeyValues are the Meta… key-value pairs of a file of table (e.g. "runs",
// or "summary/metrics" for a summary table), in a fixed order: the
// provenance every Parquet and Arrow file of a study carries.
func (m FileMeta) KeyValues(table string) [][2]string {
	return [][2]string{
		{MetaConfigHash, m.ConfigHash},
		{MetaSeed, strconv.FormatUint(m.Seed, 10)},
		{MetaToolVersion, m.ToolVersion},
		{MetaSchemaVersion, strconv.Itoa(SchemaVersion)},
		{MetaStudy, m.Study},
		{MetaTable, table},
	}
}

// Part is a part file being written: Commit (or Finish then Publish)
// publishes it, Abort discards it.
type Part interface {
	Path() string // final key: slash-separated, relative to the study
	Table() string
	Rows() int64
	// Commit is Finish then Publish.
	Commit() (bytes int64, sha256 string, err error)
	// Finish writes the footer, syncs and closes the temporary file and
	// returns its size and hex SHA-256; on error the temporary file is
	// removed. Nothing appears under Path yet.
	Finish() (bytes int64, sha256 string, err error)
	// Publish makes the finished file appear at Path: a rename in a local
	// directory, a conditional write in a bucket (storage.Part).
	Publish() error
	// Abort closes and removes the temporary file.
	Abort()
}

// PartWriter writes one Parquet part file of a table (rows of type T) to a
// write-once storage.Part (in a local directory under PartTempName beside
// the key), hashing it as it goes; Publish makes it appear at its key.
type PartWriter[T any] struct {
	table  string
	key    string
	part   storage.Part
	buf    *bufio.Writer
	h      hash.Hash
	n      int64
	rows   int64
	w      *parquet.GenericWriter[T]
	rowBuf []parquet.Row // WriteDay's rows, reused
}

// PartTempName is the temporary name of the part file path while owner
// writes it: .<name>.<owner>.tmp in the same directory (.<name>.tmp without
// an owner). Naming the owner lets a writer's clean-up tell its own
// leftovers from another live writer's files (see pipeline).
func PartTempName(path, owner string) string {
	if owner == "" {
		return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	}
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+owner+".tmp")
}

// PartTempOwner reports whether name is a part file's temporary name
// (PartTempName) and returns its owner ("" for an unowned name).
func PartTempOwner(name string) (owner string, ok bool) {
	m := partTempRE.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

var partTempRE = regexp.MustCompile(`^\.part-\d+\.parquet(?:\.([A-Za-z0-9_-]+))?\.tmp$`)

// CreatePart starts a part file of table at key (slash-separated, relative
// to the study) in st with meta's Options, then opts (e.g. the runs table's
// schema, or a page buffer size replacing meta's). It is CreateOwnedPart without an owner.
func CreatePart[T any](ctx context.Context, st storage.Store, key, table string, meta FileMeta, opts ...parquet.WriterOption) (*PartWriter[T], error) {
	return CreateOwnedPart[T](ctx, st, key, table, "", meta, opts...)
}

// CreateOwnedPart is CreatePart whose local temporary file is
// PartTempName(key, owner).
func CreateOwnedPart[T any](ctx context.Context, st storage.Store, key, table, owner string, meta FileMeta, opts ...parquet.WriterOption) (*PartWriter[T], error) {
	part, err := st.Create(ctx, key, filepath.Base(PartTempName(filepath.FromSlash(key), owner)))
	if err != nil {
		return nil, err
	}
	p := &PartWriter[T]{table: table, key: key, part: part, h: sha256.New()}
	p.buf = bufPool.Get().(*bufio.Writer)
	p.buf.Reset(io.MultiWriter(part, p.h, countWriter{&p.n}))
	p.w = parquet.NewGenericWriter[T](p.buf, append(meta.Options(table), opts...)...)
	return p, nil
}

type countWriter struct{ n *int64 }

func (c countWriter) Write(b []byte) (int, error) { *c.n += int64(len(b)); return len(b), nil }

// Write appends rows.
func (p *PartWriter[T]) Write(rows []T) error {
	if _, err := p.w.Write(rows); err != nil {
		return err
	}
	p.rows += int64(len(rows))
	return nil
}

// WriteDay appends one run's rows of a day table: rows is a slice of t's
// model row type, k the run's keys and sweep its cell's sweep values. The
// part must have been created with t.Schema().
func (p *PartWriter[T]) WriteDay(t *DayTable, k DayKeys, rows any, sweep []SweepValue) error {
	p.rowBuf = t.AppendRows(p.rowBuf[:0], k, rows, sweep)
	if _, err := p.w.WriteRows(p.rowBuf); err != nil {
		return err
	}
	p.rows += int64(len(p.rowBuf))
	return nil
}

// Path is the file's key (slash-separated, relative to the study).
func (p *PartWriter[T]) Path() string { return p.key }

// Table is the table the file belongs to.
func (p *PartWriter[T]) Table() string { return p.table }

// Rows is the number of rows written so far.
func (p *PartWriter[T]) Rows() int64 { return p.rows }

// Commit implements Part.
func (p *PartWriter[T]) Commit() (bytes int64, sum string, err error) {
	if bytes, sum, err = p.Finish(); err != nil {
		return 0, "", err
	}
	if err = p.Publish(); err != nil {
		return 0, "", err
	}
	return bytes, sum, nil
}

// Finish implements Part.
func (p *PartWriter[T]) Finish() (bytes int64, sum string, err error) {
	return p.finish(runtime.GOMAXPROCS(0))
}

// finish is Finish with the columns' last pages written by up to workers
// goroutines (flushColumns) before the writer is closed.
func (p *PartWriter[T]) finish(workers int) (bytes int64, sum string, err error) {
	if _, err = flushColumns(p.w.ColumnWriters(), workers); err != nil {
		p.Abort()
		return 0, "", err
	}
	if err = p.w.Close(); err != nil {
		p.Abort()
		return 0, "", err
	}
	if err = p.buf.Flush(); err != nil {
		p.Abort()
		return 0, "", err
	}
	p.releaseBuf()
	if err = p.part.Finish(); err != nil {
		p.Abort()
		return 0, "", err
	}
	return p.n, hex.EncodeToString(p.h.Sum(nil)), nil
}

// Publish implements Part.
func (p *PartWriter[T]) Publish() error {
	if err := p.part.Publish(); err != nil {
		p.part.Abort()
		return err
	}
	return nil
}

// Abort implements Part. (An aborted part's buffer is left to the garbage
// collector: its Parquet writer still refers to it.)
func (p *PartWriter[T]) Abort() { p.part.Abort() }

// releaseBuf returns the write buffer to bufPool once the file is written
// (the Parquet writer is closed and the buffer flushed).
func (p *PartWriter[T]) releaseBuf() {
	if p.buf != nil {
		p.buf.Reset(nil)
		bufPool.Put(p.buf)
		p.buf = nil
	}
}

// bufPool holds the 256 KiB write buffers of part files: a study opens a
// few files per chunk, and allocating each buffer anew made the garbage
// collector's work a visible part of the pipeline's cost. (A sync.Pool is
// emptied by the collector: 1 MiB buffers were mostly allocated and zeroed
// anew, for no fewer write calls that mattered: parquet-go writes a file's
// column chunks when it closes, in a few large writes.)
var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

// codecFor returns the zstd codec of table's files. Codecs are shared by
// every file: each keeps a pool of encoders, so files reuse them instead of
// building a new encoder (and its tables) per file; they are safe for
// concurrent use.
//
//   - Day tables (steps, provider_steps: one row per day): dayCodec, zstd
//     level 1 without entropy-coded literals, which compresses them in
//     about a third of the default level's CPU (docs/dataset.md).
//   - The runs table (one row per run, about 1% of the day tables' rows):
//     the default level with parquet-go's codec's options (the same
//     frames), whose smaller files cost no measurable CPU at one row per
//     run.
//
// Both are zstdCodec: encoders kept in a free list across pages and files.
func codecFor(table string) compress.Codec {
	if table == TableRuns {
		return runsCodec
	}
	return dayCodec
}

var (
	dayCodec  = newZstdCodec(kzstd.SpeedFastest, false)
	runsCodec = newZstdCodec(kzstd.SpeedDefault, true)
)
