package dataset

import (
	"runtime"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdCodec is the ZSTD codec of a table's column chunks: klauspost/compress
// encoders built with opts (single-threaded, no frame checksum, zero frames
// written for empty pages, as parquet-go's own codec), kept between pages in
// a free list. Its frames are standard zstd frames, read by every Parquet
// reader; decoding is parquet-go's.
//
// The free list replaces the sync.Pool parquet-go's codec keeps its encoders
// in: the collector empties a sync.Pool, and each encoder taken anew
// allocated and zeroed its history buffers (about 1 MiB at zstd level 1,
// 4 MiB a study of 256 runs in BenchmarkPipelineOverhead's allocation
// profile) and its tables. At most cap(free) encoders are kept, twice the
// processors at start: a part's columns are compressed on up to GOMAXPROCS
// goroutines (flushColumns), and a chunk's parts on up to GOMAXPROCS more
// (pipeline's finishParts), of which GOMAXPROCS run at once. An encoder's
// output does not depend on what it encoded before (EncodeAll starts a new
// frame with fresh state), so reuse changes no byte
// (TestZstdCodecSameFrames).
type zstdCodec struct {
	opts []kzstd.EOption
	free chan *kzstd.Encoder
	dec  zstd.Codec
}

var _ compress.Codec = (*zstdCodec)(nil)

// newZstdCodec returns a zstdCodec at level with the literals
// entropy-coded or not.
func newZstdCodec(level kzstd.EncoderLevel, entropy bool) *zstdCodec {
	opts := []kzstd.EOption{kzstd.WithEncoderConcurrency(1), kzstd.WithEncoderLevel(level),
		kzstd.WithZeroFrames(true), kzstd.WithEncoderCRC(false)}
	if !entropy {
		opts = append(opts, kzstd.WithNoEntropyCompression(true))
	}
	return &zstdCodec{opts: opts, free: make(chan *kzstd.Encoder, 2*runtime.GOMAXPROCS(0))}
}

func (c *zstdCodec) String() string { return "ZSTD" }

func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Encode compresses src into dst's storage as one zstd frame.
func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	var e *kzstd.Encoder
	select {
	case e = <-c.free:
	default:
		var err error
		if e, err = kzstd.NewWriter(nil, c.opts...); err != nil {
			return nil, err
		}
	}
	out := e.EncodeAll(src, dst[:0])
	select {
	case c.free <- e:
	default:
	}
	return out, nil
}

// Decode decompresses src (one or more zstd frames) into dst's storage.
func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) { return c.dec.Decode(dst, src) }
