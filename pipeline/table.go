package pipeline

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// Parquet writer settings shared by every table.
const (
	// RowGroupRows bounds the rows of one Parquet row group.
	RowGroupRows = 1 << 17
	// PageBufferBytes is the page buffer of each column: it bounds the
	// memory of a chunk in flight (columns × partitions × this).
	PageBufferBytes = 64 << 10
	// zstdLevel is the zstd level of every column chunk.
	zstdLevel = zstd.SpeedDefault
)

// Key-value metadata keys written to every Parquet file.
const (
	MetaConfigHash    = "tokensim.config_hash"
	MetaSeed          = "tokensim.seed"
	MetaToolVersion   = "tokensim.tool_version"
	MetaSchemaVersion = "tokensim.schema_version"
	MetaStudy         = "tokensim.study"
	MetaTable         = "tokensim.table"
)

// runKeys are the key columns of the runs table (MODEL-SPEC §4.2), followed
// by every model.Summary column and one float64 column per swept parameter.
type runKeys struct {
	RunID     int64  `parquet:"run_id"`
	Cell      int32  `parquet:"cell"`
	Scenario  string `parquet:"scenario,dict"`
	Policy    string `parquet:"policy,dict"`
	Replicate int32  `parquet:"replicate"`
	Seed      uint64 `parquet:"seed"`
}

// runsTable is the dynamic row type of the runs table: runKeys' fields,
// model.Summary's fields, then the sweep columns (named by dotted path).
type runsTable struct {
	typ    reflect.Type
	schema *parquet.Schema
	nKeys  int
	nSum   int
}

func newRunsTable(sweepParams []string) (*runsTable, error) {
	var fields []reflect.StructField
	kt := reflect.TypeOf(runKeys{})
	for i := 0; i < kt.NumField(); i++ {
		f := kt.Field(i)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
	}
	st := reflect.TypeOf(model.Summary{})
	names := map[string]bool{}
	for _, f := range fields {
		names[parquetName(f)] = true
	}
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		fields = append(fields, reflect.StructField{Name: "S" + f.Name, Type: f.Type, Tag: f.Tag})
		names[parquetName(f)] = true
	}
	for i, p := range sweepParams {
		if names[p] {
			return nil, fmt.Errorf("%w: sweep parameter %q collides with a runs column", ErrStudy, p)
		}
		names[p] = true
		tag := reflect.StructTag(`parquet:"` + p + `"`)
		fields = append(fields, reflect.StructField{Name: "Sweep" + strconv.Itoa(i), Type: reflect.TypeOf(float64(0)), Tag: tag})
	}
	typ := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(typ).Interface())
	return &runsTable{typ: typ, schema: schema, nKeys: kt.NumField(), nSum: st.NumField()}, nil
}

func parquetName(f reflect.StructField) string {
	tag := f.Tag.Get("parquet")
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			return tag[:i]
		}
	}
	return tag
}

// row fills a pointer to a new row value.
func (t *runsTable) row(k runKeys, s *model.Summary, sweep []SweepValue) any {
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

// fileMeta is the key-value metadata of every file of a study.
type fileMeta struct {
	ConfigHash  string
	Seed        uint64
	ToolVersion string
	Study       string
}

func (m fileMeta) options(table string) []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.Compression(&zstd.Codec{Level: zstdLevel}),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		parquet.PageBufferSize(PageBufferBytes),
		parquet.CreatedBy("tokensim", m.ToolVersion, ""),
		parquet.KeyValueMetadata(MetaConfigHash, m.ConfigHash),
		parquet.KeyValueMetadata(MetaSeed, strconv.FormatUint(m.Seed, 10)),
		parquet.KeyValueMetadata(MetaToolVersion, m.ToolVersion),
		parquet.KeyValueMetadata(MetaSchemaVersion, strconv.Itoa(SchemaVersion)),
		parquet.KeyValueMetadata(MetaStudy, m.Study),
		parquet.KeyValueMetadata(MetaTable, table),
	}
}

// partFile is one Parquet file being written to a write-once storage.Part
// (locally: a temporary name renamed into place); commit publishes it at its
// key and reports its size and SHA-256.
type partFile struct {
	final string // key: slash-separated, relative to the study
	part  storage.Part
	buf   *bufio.Writer
	h     hash.Hash
	n     int64
	rows  int64
	flush func() error // closes the Parquet writer (footer)
}

func createPart(ctx context.Context, st storage.Store, key string) (*partFile, error) {
	part, err := st.Create(ctx, key)
	if err != nil {
		return nil, err
	}
	p := &partFile{final: key, part: part, h: sha256.New()}
	p.buf = bufio.NewWriterSize(io.MultiWriter(part, p.h, countWriter{&p.n}), 1<<20)
	return p, nil
}

type countWriter struct{ n *int64 }

func (c countWriter) Write(b []byte) (int, error) { *c.n += int64(len(b)); return len(b), nil }

// commit finishes the file and renames it into place.
func (p *partFile) commit() (bytes int64, sum string, err error) {
	if err = p.flush(); err != nil {
		p.abort()
		return 0, "", err
	}
	if err = p.buf.Flush(); err != nil {
		p.abort()
		return 0, "", err
	}
	if err = p.part.Commit(); err != nil {
		return 0, "", err
	}
	return p.n, hex.EncodeToString(p.h.Sum(nil)), nil
}

// abort discards the part.
func (p *partFile) abort() { p.part.Abort() }

// hashFile returns the size and hex SHA-256 of a file.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
