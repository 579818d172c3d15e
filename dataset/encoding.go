package dataset

import (
	"reflect"
	"strings"
)

// Column encodings of the runs and day tables (schema v2), chosen by
// measurement on the default study's cells (BenchmarkWriteSteps,
// BenchmarkWriteRuns; docs/dataset.md gives the figures). Every column is
// zstd-compressed after encoding (codecFor), and parquet-go writes each
// page's min and max in the column index and each column chunk's
// statistics (min/max, null count) whatever the encoding; page headers
// carry no statistics (FileMeta.Options).
//
//   - float64 columns: BYTE_STREAM_SPLIT, which groups the bytes of equal
//     significance of the doubles so that zstd finds their repeated
//     exponents and leading mantissa bytes: steps 81.8 → 67.3 bytes/row.
//   - int64 keys (run_id, cell, replicate, day) and swept parameters: PLAIN.
//     DELTA_BINARY_PACKED keys (67.30 vs 67.37 bytes/row) and dictionary
//     sweep columns (67.30 vs 67.31) gained under 0.1% once zstd had
//     compressed the runs of equal values, so the most widely read encoding
//     stays.
//   - scenario and policy: dictionary (one or a few values per file).
const floatEncoding = "split"

// encodingOptions are the parquet-go tag options that set an encoding.
var encodingOptions = map[string]bool{"plain": true, "dict": true, "delta": true, "split": true}

// withEncoding returns the tag of a model row field with the table's
// encoding added: floatEncoding for float64 and *float64 columns that name
// no encoding; other columns keep their tag.
func withEncoding(f reflect.StructField) reflect.StructTag {
	tag := f.Tag.Get("parquet")
	opts := strings.Split(tag, ",")
	for _, o := range opts[1:] {
		if encodingOptions[o] {
			return f.Tag
		}
	}
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Float64 {
		return f.Tag
	}
	return reflect.StructTag(`parquet:"` + tag + "," + floatEncoding + `"`)
}
