package dataset

import (
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// fastZstd is the ZSTD codec of every column chunk: klauspost/compress's
// fastest level (zstd level 1) without entropy coding of the literals
// (WithNoEntropyCompression), single-threaded, no frame checksum, as
// parquet-go's own codec but for the entropy coding, which parquet-go's
// codec does not expose. Its frames are standard zstd frames (raw literals
// are part of the format), read by every Parquet reader.
type fastZstd struct {
	encoders sync.Pool // *kzstd.Encoder
	dec      zstd.Codec
}

var _ compress.Codec = (*fastZstd)(nil)

func (c *fastZstd) String() string { return "ZSTD" }

func (c *fastZstd) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *fastZstd) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.encoders.Get().(*kzstd.Encoder)
	if e == nil {
		var err error
		e, err = kzstd.NewWriter(nil, kzstd.WithEncoderConcurrency(1), kzstd.WithEncoderLevel(kzstd.SpeedFastest),
			kzstd.WithNoEntropyCompression(true), kzstd.WithZeroFrames(true), kzstd.WithEncoderCRC(false))
		if err != nil {
			return nil, err
		}
	}
	defer c.encoders.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}

func (c *fastZstd) Decode(dst, src []byte) ([]byte, error) { return c.dec.Decode(dst, src) }
