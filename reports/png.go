package reports

import (
	"bytes"
	"image"
	"image/png"
	"sync"
)

// pngEncoder encodes the PNG figures losslessly at png.BestSpeed, where
// vgimg.PngCanvas uses image/png's default level: the pixels are the same
// (PNG is lossless; TestDrawReplay compares the decoded figures with their
// raster and with the default level's PNG), and on the default study the 45
// PNGs take 0.50 s of CPU to encode instead of 0.78 s, for 3.4% more bytes
// (3.91 MB instead of 3.78 MB; report.html, which inlines the fan charts as
// PNG, grows 2.1%). The encoder's buffers are reused across figures
// (pngBuffers).
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: new(pngBuffers)}

// pngBuffers is a png.EncoderBufferPool for the figures drawn concurrently
// (drawFigures).
type pngBuffers struct{ p sync.Pool }

// Get implements png.EncoderBufferPool.
func (b *pngBuffers) Get() *png.EncoderBuffer {
	buf, _ := b.p.Get().(*png.EncoderBuffer)
	return buf
}

// Put implements png.EncoderBufferPool.
func (b *pngBuffers) Put(buf *png.EncoderBuffer) { b.p.Put(buf) }

// encodePNG returns img encoded as PNG by pngEncoder.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
