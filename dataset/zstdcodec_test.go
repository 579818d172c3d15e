package dataset

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// codecPages returns page-like inputs of various sizes: a random walk's
// doubles split into byte streams (as BYTE_STREAM_SPLIT lays them out), a
// run of repeated int64 keys, random bytes, and an empty page.
func codecPages() [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var pages [][]byte
	for _, n := range []int{1, 32, 365, 4096, 23360} {
		x := 100.0
		vals := make([]uint64, n)
		for i := range vals {
			x *= math.Exp(0.02 * r.NormFloat64())
			vals[i] = math.Float64bits(x)
		}
		split := make([]byte, 8*n)
		for i, v := range vals {
			for b := 0; b < 8; b++ {
				split[b*n+i] = byte(v >> (8 * b))
			}
		}
		keys := make([]byte, 0, 8*n)
		for i := range n {
			keys = binary.LittleEndian.AppendUint64(keys, uint64(i/365))
		}
		noise := make([]byte, 8*n)
		for i := range noise {
			noise[i] = byte(r.Uint32())
		}
		pages = append(pages, split, keys, noise)
	}
	return append(pages, nil)
}

// TestZstdCodecSameFrames: the free-listed codecs write the frames of a
// new encoder with the same options for every page, whatever the encoder
// compressed before, concurrently too; the runs codec's frames are
// parquet-go's own zstd codec's at the default level (the runs files did
// not change); every frame decodes to its page.
func TestZstdCodecSameFrames(t *testing.T) {
	pages := codecPages()
	fresh := func(c *zstdCodec, p []byte) []byte {
		e, err := kzstd.NewWriter(nil, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		return e.EncodeAll(p, nil)
	}
	pq := &zstd.Codec{Level: zstd.SpeedDefault}
	for name, c := range map[string]*zstdCodec{"day": dayCodec, "runs": runsCodec} {
		for round := range 3 { // encoders reused across pages and rounds
			for i, p := range pages {
				got, err := c.Encode(nil, p)
				if err != nil {
					t.Fatal(err)
				}
				if want := fresh(c, p); !bytes.Equal(got, want) {
					t.Fatalf("%s codec, round %d, page %d: frame differs from a new encoder's", name, round, i)
				}
				if name == "runs" {
					want, err := pq.Encode(nil, p)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("runs codec, page %d: frame differs from parquet-go's zstd codec at the default level", i)
					}
				}
				back, err := c.Decode(nil, got)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(back, p) {
					t.Fatalf("%s codec, page %d: decodes to other bytes", name, i)
				}
			}
		}
		// Concurrent use, more goroutines than the free list holds.
		wants := make([][]byte, len(pages))
		for i, p := range pages {
			wants[i] = fresh(c, p)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 64)
		for g := range 3 * cap(c.free) {
			wg.Go(func() {
				got, err := c.Encode(make([]byte, 0, 16), pages[g%len(pages)])
				if err != nil || !bytes.Equal(got, wants[g%len(pages)]) {
					errs <- name
				}
			})
		}
		wg.Wait()
		close(errs)
		for n := range errs {
			t.Fatalf("%s codec: a concurrent page's frame differs", n)
		}
		if len(c.free) == 0 || len(c.free) > cap(c.free) {
			t.Fatalf("%s codec keeps %d encoders, want 1..%d", name, len(c.free), cap(c.free))
		}
	}
}
