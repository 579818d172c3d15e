package dataset

import (
	"reflect"
	"strings"
)

// Column encodings of the runs and day tables (schema v2), chosen by
// measurement on the default study (BenchmarkWriteSteps, BenchmarkWriteRuns;
// docs/dataset.md gives the figures). Every column is zstd-compressed after
// encoding, and parquet-go writes page statistics (min/max, null count) for
// every column whatever its encoding.
const (
	// floatEncoding is the encoding of float64 columns: BYTE_STREAM_SPLIT
	// groups the bytes of equal significance of the values, which zstd then
	// compresses far better than plain IEEE 754 doubles.
	floatEncoding = "split"
	// keyEncoding is the encoding of the int64 key columns (run_id, cell,
	// replicate, day): DELTA_BINARY_PACKED stores runs of equal or
	// consecutive integers in a few bits.
	keyEncoding = "delta"
	// sweepEncoding is the encoding of swept-parameter columns, constant
	// within a cell: dictionary.
	sweepEncoding = "dict"
)

// encodedTag is the struct tag of a column named name of Go type t with the
// given encoding option ("" for parquet-go's default).
func encodedTag(name string, t reflect.Type, encoding string) reflect.StructTag {
	opts := name
	if t.Kind() == reflect.Pointer {
		opts += ",optional"
	}
	if encoding != "" {
		opts += "," + encoding
	}
	return reflect.StructTag(`parquet:"` + opts + `"`)
}

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
	if t.Kind() != reflect.Float64 || floatEncoding == "" {
		return f.Tag
	}
	return reflect.StructTag(`parquet:"` + tag + "," + floatEncoding + `"`)
}
