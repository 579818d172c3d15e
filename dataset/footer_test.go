package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Corrupted footers kept as test data: each makes parquet-go v0.32.0's
// parquet.OpenFile ask for tens to hundreds of GB (52 GB and 206 GB) and die
// with "fatal error: out of memory".
const (
	// footerFuzzCrasher is runs/part-000002.parquet of FuzzCorruptDataset's
	// synthetic study with bytes 9690..9697 changed (corpus entry
	// 9ef87cf7865a1fc8): a column chunk list's length varint reads 93,180,527.
	footerFuzzCrasher = "testdata/footer/fuzz-9ef87cf7865a1fc8.parquet"
	// footerMinimal is 19 bytes: "PAR1", a FileMetaData whose schema field
	// (id 2, list of struct) declares 2³¹−1 elements with no bytes after it,
	// the length 7 and "PAR1" (docs/upstream/parquet-go-footer-oom.md).
	footerMinimal = "testdata/footer/list-length-2147483647.parquet"
)

// TestCheckParquetFooterRefusesOOM: the two footers that make parquet-go
// v0.32.0 die with "fatal error: out of memory" are refused with ErrCorrupt
// naming the file and the list that declares more elements than the footer
// has bytes, and so is the full open path (dsOpenParquet) every reader uses,
// whatever the verification.
func TestCheckParquetFooterRefusesOOM(t *testing.T) {
	for _, path := range []string{footerFuzzCrasher, footerMinimal} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckParquetFooter(bytes.NewReader(b), int64(len(b)), path)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "list declares") {
			t.Errorf("CheckParquetFooter(%s) = %v, want ErrCorrupt naming the file and the list", path, err)
		}
		if _, _, err := dsOpenParquet(path); !errors.Is(err, ErrCorrupt) {
			t.Errorf("dsOpenParquet(%s) = %v, want ErrCorrupt", path, err)
		}
	}
}

// TestOpenCorruptFooterInLimitedProcess runs dsOpenParquet on the crashers in
// a child process limited to 4 GiB of address space (bash's ulimit -v; a Go
// memory limit does not stop a single huge allocation), so that a regression
// shows as this test failing instead of the test binary dying: before
// CheckParquetFooter the child died with "fatal error: out of memory" (the
// crashers declare 2^31 − 1 schema elements, hundreds of GiB). The limit is
// not 1 GiB: the Go runtime reserves several hundred MiB of address space
// for its own page-allocator metadata, and at 1 GiB a child with 8 MB in use
// once failed to map a goroutine stack (make check, 2026-12-01).
func TestOpenCorruptFooterInLimitedProcess(t *testing.T) {
	if p := os.Getenv("TOKENSIM_FOOTER_CHILD"); p != "" {
		_, _, err := dsOpenParquet(p)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("child: dsOpenParquet(%s) = %v, want ErrCorrupt", p, err)
		}
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs bash's ulimit")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory does not fit in a 4 GiB address space")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("needs bash's ulimit")
	}
	for _, path := range []string{footerFuzzCrasher, footerMinimal} {
		cmd := exec.Command(bash, "-c", `ulimit -v 4194304 && exec "$0" -test.run='^TestOpenCorruptFooterInLimitedProcess$' -test.count=1`, os.Args[0])
		cmd.Env = append(os.Environ(), "TOKENSIM_FOOTER_CHILD="+path, "GOMAXPROCS=1")
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "out of memory") {
			t.Errorf("%s in a 4 GiB process: %v\n%s", path, err, out)
		}
	}
}

// footerRow is a small row type with the column kinds tokensim writes
// (integers, doubles, strings, booleans) for building valid Parquet files.
type footerRow struct {
	RunID    int64   `parquet:"run_id"`
	Scenario string  `parquet:"scenario,dict"`
	Price    float64 `parquet:"price"`
	Day      int32   `parquet:"day"`
	Pegged   bool    `parquet:"pegged"`
}

// footerFile writes rows row groups of footerRow with key-value metadata.
func footerFile(t *testing.T, groups int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[footerRow](&buf, parquet.KeyValueMetadata(MetaSchemaVersion, strconv.Itoa(SupportedSchemaVersion)))
	for g := range groups {
		rows := []footerRow{{RunID: int64(g), Scenario: "baseline", Price: 1.25, Day: 3, Pegged: true}, {RunID: int64(g) + 1, Scenario: "stress", Price: 0.5}}
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCheckParquetFooterFraming: a valid file passes; each framing defect is
// refused with ErrCorrupt and a message saying which.
func TestCheckParquetFooterFraming(t *testing.T) {
	good := footerFile(t, 2)
	if err := CheckParquetFooter(bytes.NewReader(good), int64(len(good)), "good"); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	n := int(binary.LittleEndian.Uint32(good[len(good)-8:]))
	withLen := func(v uint32) []byte {
		c := bytes.Clone(good)
		binary.LittleEndian.PutUint32(c[len(c)-8:], v)
		return c
	}
	// A footer with one byte appended inside it (length n+1): trailing bytes.
	trailing := append(append(bytes.Clone(good[:len(good)-8]), 0), good[len(good)-8:]...)
	binary.LittleEndian.PutUint32(trailing[len(trailing)-8:], uint32(n+1))
	for _, tc := range []struct {
		name, want string
		b          []byte
	}{
		{"short", "shorter than", good[:11]},
		{"head magic", "header magic", append([]byte("PARX"), good[4:]...)},
		{"tail magic", "footer magic", append(bytes.Clone(good[:len(good)-1]), 'X')},
		{"length beyond file", "exceeds", withLen(uint32(len(good) - 11))},
		{"length 4 GiB", "exceeds", withLen(0xFFFFFFFF)},
		{"trailing bytes", "trailing bytes", trailing},
		{"truncated footer", "Parquet footer", withLen(uint32(n - 1))},
	} {
		err := CheckParquetFooter(bytes.NewReader(tc.b), int64(len(tc.b)), tc.name)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v, want ErrCorrupt with %q", tc.name, err, tc.want)
		}
	}
	// The largest footer length the file allows (size − 12) is not refused
	// for its length, only for what the bytes then decode to.
	if err := CheckParquetFooter(bytes.NewReader(withLen(uint32(len(good)-12))), int64(len(good)), "max"); err == nil || strings.Contains(err.Error(), "exceeds") {
		t.Errorf("length size−12: %v, want a decoding error", err)
	}
}

// TestCheckParquetFooterBoundsOpenFile: for every byte of a valid file's
// footer, length and magic, changed by each of several masks or made the
// start of a long list header (high nibble 0xF: the length follows as a
// varint, here 0x80 0x80 0x08 = 131,072 elements), either
// CheckParquetFooter refuses the file or parquet.OpenFile allocates at most
// the bound the check implies: a list decoded in full holds at most one
// element per footer byte, and a list that fails holds at most the bytes
// left, with at most one failing list per nesting level, so the decoder's
// slices total at most (nesting depth + 1) × footer bytes × the largest
// element (format.ColumnChunk), plus twice what OpenFile allocates for the
// valid file. Without the check OpenFile allocates megabytes to gigabytes
// for some of these changes (a long list header, a footer length of up to
// 4 GiB) and dies of a fatal out of memory in a 4 GiB address space.
func TestCheckParquetFooterBoundsOpenFile(t *testing.T) {
	good := footerFile(t, 3)
	n := int(binary.LittleEndian.Uint32(good[len(good)-8:]))
	// alloc measures the bytes OpenFile allocates. TotalAlloc counts every
	// goroutine of the process, so a measurement above the bound is
	// repeated and the smallest of three kept: another goroutine's
	// allocations can only add to it.
	alloc1 := func(b []byte) (uint64, error) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := pqOpenFile(bytes.NewReader(b), int64(len(b)))
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc, err
	}
	var bound uint64
	alloc := func(b []byte) (uint64, error) {
		a, err := alloc1(b)
		for i := 0; i < 2 && bound > 0 && a > bound; i++ {
			a2, _ := alloc1(b)
			a = min(a, a2)
		}
		return a, err
	}
	base, err := alloc(good)
	if err != nil {
		t.Fatal(err)
	}
	const depth = 3 // list nesting: row_groups → columns → meta_data.path_in_schema (or encodings, encoding_stats)
	elem := uint64(reflect.TypeFor[format.ColumnChunk]().Size())
	bound = 2*base + (depth+1)*uint64(n)*elem
	refused, opened, maxAlloc := 0, 0, uint64(0)
	for at := len(good) - 8 - n; at < len(good); at++ {
		for _, mask := range []byte{0x01, 0x10, 0x40, 0x80, 0xE0, 0xF0, 0xFF, 0} {
			c := bytes.Clone(good)
			c[at] ^= mask
			if mask == 0 {
				c[at] |= 0xF0
				copy(c[at+1:], []byte{0x80, 0x80, 0x08})
			}
			if CheckParquetFooter(bytes.NewReader(c), int64(len(c)), "flip") != nil {
				refused++
				continue
			}
			a, err := alloc(c)
			if err == nil {
				opened++
			}
			maxAlloc = max(maxAlloc, a)
			if a > bound {
				t.Errorf("byte %d ^ %#x passed the check and OpenFile allocated %d bytes > bound %d", at, mask, a, bound)
			}
		}
	}
	t.Logf("footer %d bytes: %d changes refused, %d passed (%d opened), max allocation %d bytes (valid file %d, bound %d)",
		n, refused, 8*(n+8)-refused, opened, maxAlloc, base, bound)
	if refused == 0 {
		t.Error("no change refused")
	}
}

// TestOpenValidFilesUnchanged: files that parquet-go wrote open through
// dsOpenParquet with the check in place, from one to many row groups.
func TestOpenValidFilesUnchanged(t *testing.T) {
	for _, groups := range []int{1, 7, 300} {
		path := filepath.Join(t.TempDir(), "part.parquet")
		if err := os.WriteFile(path, footerFile(t, groups), 0o644); err != nil {
			t.Fatal(err)
		}
		f, c, err := dsOpenParquet(path)
		if err != nil {
			t.Fatalf("%d row groups: %v", groups, err)
		}
		if got := f.NumRows(); got != int64(2*groups) {
			t.Errorf("%d row groups: %d rows", groups, got)
		}
		c.Close()
	}
}

// TestOpenRecoversParquetPanic: a schema whose root declares num_children =
// −1 makes parquet-go v0.32.0's OpenFile panic (slice bounds out of range in
// openColumns; found by TestCheckParquetFooterBoundsOpenFile); the footer
// itself decodes, so the check passes it and dsOpenParquet returns
// ErrCorrupt naming the file instead of panicking.
func TestOpenRecoversParquetPanic(t *testing.T) {
	var root format.SchemaElement
	root.Name = "root"
	root.NumChildren.Set(-1)
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &format.FileMetaData{Version: 1, Schema: []format.SchemaElement{root}})
	if err != nil {
		t.Fatal(err)
	}
	b := binary.LittleEndian.AppendUint32(append([]byte(pqMagic), footer...), uint32(len(footer)))
	b = append(b, pqMagic...)
	if err := CheckParquetFooter(bytes.NewReader(b), int64(len(b)), "neg"); err != nil {
		t.Fatalf("CheckParquetFooter: %v, want nil (the footer decodes)", err)
	}
	path := filepath.Join(t.TempDir(), "part.parquet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dsOpenParquet(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("dsOpenParquet = %v, want ErrCorrupt naming the file", err)
	}
}

// TestOpenRefusesLeafWithoutKind: a leaf column whose schema element says
// MAP or LIST (in a real part file one bit away from an INT64's annotation:
// FuzzCorruptDataset corpus entry 6f129dc0d56fb124) gets a parquet-go type
// whose Kind panics; dsOpenParquet refuses the file with ErrCorrupt naming
// the file and the column.
func TestOpenRefusesLeafWithoutKind(t *testing.T) {
	good := footerFile(t, 1)
	n := int(binary.LittleEndian.Uint32(good[len(good)-8:]))
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), good[len(good)-8-n:len(good)-8], &md); err != nil {
		t.Fatal(err)
	}
	for _, lt := range []format.LogicalTypeValue{&format.MapType{}, &format.ListType{}} {
		for i := range md.Schema {
			if md.Schema[i].Name == "day" {
				md.Schema[i].LogicalType.Value = lt
			}
		}
		footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
		if err != nil {
			t.Fatal(err)
		}
		b := binary.LittleEndian.AppendUint32(append(bytes.Clone(good[:len(good)-8-n]), footer...), uint32(len(footer)))
		b = append(b, pqMagic...)
		path := filepath.Join(t.TempDir(), "part.parquet")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err = dsOpenParquet(path)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `column "day"`) {
			t.Errorf("logical type %v: %v, want ErrCorrupt naming the file and column day", lt, err)
		}
	}
}

// BenchmarkCheckParquetFooter: the cost of CheckParquetFooter on a runs part
// file (the 15 KB file footerFuzzCrasher was made from, restored by undoing
// its 8 changed bytes; a 7 KB footer: 64 columns, 8 rows) against
// parquet.OpenFile on the same bytes, which every read pays anyway.
// Reports µs/file for each and their ratio.
func BenchmarkCheckParquetFooter(b *testing.B) {
	c, err := os.ReadFile(footerFuzzCrasher)
	if err != nil {
		b.Fatal(err)
	}
	for i, x := range []byte("\xaf\x82\xb701010") {
		c[9690+i] ^= x
	}
	if err := CheckParquetFooter(bytes.NewReader(c), int64(len(c)), "runs"); err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(c)
	var check, open float64
	for b.Loop() {
		t0 := time.Now()
		if err := CheckParquetFooter(r, int64(len(c)), "runs"); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := pqOpenFile(r, int64(len(c))); err != nil {
			b.Fatal(err)
		}
		check += float64(t1.Sub(t0).Nanoseconds()) / 1e3
		open += float64(time.Since(t1).Nanoseconds()) / 1e3
	}
	b.ReportMetric(check/float64(b.N), "check-µs/file")
	b.ReportMetric(open/float64(b.N), "open-µs/file")
	b.ReportMetric(check/open, "check/open")
}

// TestCheckParquetFooterSkippedContainers: a field FileMetaData does not
// know (id 100) is skipped by parquet-go's decoder element by element; a
// map or set there declaring 2³¹−1 elements is refused by the bounded
// reader ("map declares", "set declares") instead of being walked, and a
// small one is skipped and the file passes.
func TestCheckParquetFooterSkippedContainers(t *testing.T) {
	good := footerFile(t, 1)
	n := int(binary.LittleEndian.Uint32(good[len(good)-8:]))
	body := good[len(good)-8-n : len(good)-9] // the FileMetaData without its STOP byte
	if good[len(good)-9] != 0 {
		t.Fatalf("footer does not end with STOP: %#x", good[len(good)-9])
	}
	// Field header, long form: type in the low nibble, then the id as a
	// zigzag varint (100 → 0xC8 0x01). Thrift compact types: SET 10, MAP 11.
	for _, tc := range []struct {
		name, want string
		field      []byte
	}{
		{"map", "map declares 2147483647 entries", []byte{0x0B, 0xC8, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x11}},
		{"set", "set declares 2147483647 elements", []byte{0x0A, 0xC8, 0x01, 0xF1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07}},
		{"small map", "", []byte{0x0B, 0xC8, 0x01, 0x02, 0x11, 0x01, 0x00, 0x01, 0x01}},
	} {
		footer := append(append(bytes.Clone(body), tc.field...), 0)
		b := binary.LittleEndian.AppendUint32(append(bytes.Clone(good[:len(good)-8-n]), footer...), uint32(len(footer)))
		b = append(b, pqMagic...)
		err := CheckParquetFooter(bytes.NewReader(b), int64(len(b)), tc.name)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want nil", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrCorrupt with %q", tc.name, err, tc.want)
		}
	}
}
