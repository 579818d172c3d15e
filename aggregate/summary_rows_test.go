package aggregate

import (
	"bufio"
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// writeParquetReflect is the writer writeParquet replaced, kept as the
// reference: each row set on a value of the struct type by reflection and
// handed to parquet.Writer.Write.
func writeParquetReflect(t *sumTable, w *bufio.Writer) error {
	typ, opts := t.rowType()
	pw := parquet.NewWriter(w, opts...)
	row := reflect.New(typ).Elem()
	fl := make([]float64, len(t.cols))
	for r := range t.rows() {
		for i, c := range t.cols {
			fv := row.Field(i)
			switch c.kind {
			case 's':
				fv.SetString(c.s[r])
			case 'i':
				fv.SetInt(c.i[r])
			default:
				if math.IsNaN(c.f[r]) {
					fv.SetZero()
				} else {
					fl[i] = c.f[r]
					fv.Set(reflect.ValueOf(&fl[i]))
				}
			}
		}
		if err := pw.Write(row.Interface()); err != nil {
			return err
		}
	}
	return pw.Close()
}

// TestWriteParquetRows: writeParquet writes the same bytes as the struct
// and reflection writer it replaced, for tables of interleaved string, int64
// and float64 columns (NaN, ±Inf, −0, ties; strings repeated, unique and empty;
// empty, one row, and 60,000 rows: several pages), and the file reads back.
func TestWriteParquetRows(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{0, 1, 1000, 60000} {
		tb := newSumTable("test")
		tb.declare("s scenario", "i cell", "f mean", "s metric", "f p95", "i n")
		for k := range n {
			tb.str("scenario", []string{"baseline", "volatility", "centralization", ""}[r.IntN(4)])
			tb.int("cell", int64(k/37))
			tb.num("mean", []float64{r.NormFloat64(), math.NaN(), math.Inf(1), math.Copysign(0, -1), 1}[r.IntN(5)])
			tb.str("metric", "m"+strconv.Itoa(r.IntN(n+1)))
			tb.num("p95", r.ExpFloat64()*1e6)
			tb.int("n", r.Int64N(1e9)-5e8)
		}
		var got, want bytes.Buffer
		for _, c := range []struct {
			buf   *bytes.Buffer
			write func(*bufio.Writer) error
		}{{&got, tb.writeParquet}, {&want, func(w *bufio.Writer) error { return writeParquetReflect(tb, w) }}} {
			w := bufio.NewWriter(c.buf)
			if err := c.write(w); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%d rows: %d bytes, the reflection writer %d; they differ", n, got.Len(), want.Len())
		}
		f, err := parquet.OpenFile(bytes.NewReader(got.Bytes()), int64(got.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if f.NumRows() != int64(n) {
			t.Fatalf("%d rows written, %d read", n, f.NumRows())
		}
	}
}
