package dataset

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Parquet file framing (Apache Parquet format specification, "File Format"):
// the 4-byte magic "PAR1", the column chunks, the FileMetaData footer
// (Thrift compact protocol), its length as a 4-byte little-endian integer,
// and the magic again.
const (
	pqMagic = "PAR1"
	// pqFraming is the bytes of a Parquet file that are not data or
	// metadata: leading magic, footer length, trailing magic.
	pqFraming = 4 + 4 + 4
)

// CheckParquetFooter checks that the footer of the Parquet file r (size bytes,
// named path in errors) can be decoded with memory and time bounded by the
// footer's own length, before the file is handed to parquet-go's
// parquet.OpenFile. It checks the magic at both ends, that the footer length
// leaves room for the leading magic (length ≤ size − 12), and decodes the
// FileMetaData with parquet-go's own Thrift decoder through a reader that
// refuses any list, set or map whose declared element count exceeds the
// bytes left in the footer (in the Thrift compact protocol every element
// takes at least one byte, a map entry at least two), and trailing bytes
// (tokensim never writes signed or encrypted footers).
//
// Why: parquet-go v0.32.0 allocates a list of the length the footer declares
// before reading its elements (encoding/thrift/list.go), so a corrupted
// length byte asks for tens of gigabytes and the process dies with "fatal
// error: out of memory", which no recover can catch
// (docs/upstream/parquet-go-footer-oom.md). The decoder takes the same path
// over the same bytes in both passes, so every container it will allocate in
// OpenFile has been bounded here; a skipped (unknown or mistyped) container
// is bounded the same way, so skipping costs at most one step per footer
// byte.
//
// Errors wrap ErrCorrupt and name path. The cost is one read and one decode
// of the footer (a few KB for a part file).
func CheckParquetFooter(r io.ReaderAt, size int64, path string) error {
	if size < pqFraming {
		return fmt.Errorf("%w: %s: %d bytes, shorter than a Parquet file's %d bytes of framing", ErrCorrupt, path, size, pqFraming)
	}
	var head [4]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return fmt.Errorf("%w: %s: reading the Parquet header: %w", ErrCorrupt, path, err)
	}
	if string(head[:]) != pqMagic {
		return fmt.Errorf("%w: %s: Parquet header magic %q, want %q", ErrCorrupt, path, head[:], pqMagic)
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("%w: %s: reading the Parquet footer length: %w", ErrCorrupt, path, err)
	}
	if string(tail[4:]) != pqMagic {
		return fmt.Errorf("%w: %s: Parquet footer magic %q, want %q", ErrCorrupt, path, tail[4:], pqMagic)
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-pqFraming {
		return fmt.Errorf("%w: %s: Parquet footer length %d exceeds the %d bytes the file has for it", ErrCorrupt, path, n, size-pqFraming)
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return fmt.Errorf("%w: %s: reading the Parquet footer: %w", ErrCorrupt, path, err)
	}
	if err := checkFooterBytes(footer); err != nil {
		return fmt.Errorf("%w: %s: Parquet footer (%d bytes): %w", ErrCorrupt, path, n, err)
	}
	return nil
}

// checkFooterBytes decodes a Thrift compact FileMetaData through a
// boundedThrift reader and requires it to use every byte.
func checkFooterBytes(footer []byte) error {
	var proto thrift.CompactProtocol
	br := &boundedThrift{BytesReader: proto.NewReaderFromBytes(footer), size: len(footer)}
	var md format.FileMetaData
	if err := thrift.NewDecoder(br).Decode(&md); err != nil {
		return err
	}
	if rest := len(footer) - br.BytesRead(); rest != 0 {
		return fmt.Errorf("%d trailing bytes after the file metadata", rest)
	}
	return nil
}

// boundedThrift is a Thrift reader over a byte slice of size bytes that
// refuses a container header declaring more elements than the bytes left
// could hold (compact protocol: ≥ 1 byte per list or set element, ≥ 2 per
// map entry), so a decoder allocating the declared length allocates at most
// a multiple of the input's size.
type boundedThrift struct {
	thrift.BytesReader
	size int
}

// left is the number of bytes not yet read.
func (b *boundedThrift) left() int { return b.size - b.BytesRead() }

// ReadList reads a list header and bounds its element count.
func (b *boundedThrift) ReadList() (thrift.List, error) {
	l, err := b.BytesReader.ReadList()
	if err == nil && int(l.Size) > b.left() {
		return l, fmt.Errorf("list declares %d elements with %d bytes left", l.Size, b.left())
	}
	return l, err
}

// ReadSet reads a set header and bounds its element count.
func (b *boundedThrift) ReadSet() (thrift.Set, error) {
	s, err := b.BytesReader.ReadSet()
	if err == nil && int(s.Size) > b.left() {
		return s, fmt.Errorf("set declares %d elements with %d bytes left", s.Size, b.left())
	}
	return s, err
}

// ReadMap reads a map header and bounds its entry count.
func (b *boundedThrift) ReadMap() (thrift.Map, error) {
	m, err := b.BytesReader.ReadMap()
	if err == nil && 2*int64(m.Size) > int64(b.left()) {
		return m, fmt.Errorf("map declares %d entries with %d bytes left", m.Size, b.left())
	}
	return m, err
}

// Discard advances past n bytes. The decoder skips a binary field through
// this method when the reader has it; the embedded BytesReader's own
// Discard is not part of the thrift.BytesReader interface, so it is
// forwarded here, or skipping would read through a view that does not
// advance the offset.
func (b *boundedThrift) Discard(n int) (int, error) {
	if d, ok := b.BytesReader.(interface{ Discard(int) (int, error) }); ok {
		return d.Discard(n)
	}
	return 0, fmt.Errorf("thrift reader %T cannot discard", b.BytesReader)
}
