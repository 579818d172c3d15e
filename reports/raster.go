package reports

import (
	"image"
	"sync"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// rasterPool keeps the RGBA rasters of the figures already encoded for the
// next figures of the same pixel size (drawFigures: the report's 45 figures
// come in four sizes), and builds each figure's vgimg canvas on its raster
// directly.
//
// vgimg.NewWith(UseWH, UseDPI, UseBackgroundColor) allocates a raster and
// then a second one, gg.NewContextForImage copying the first into it
// (gg's imageToRGBA): 160 MB of the report's 1 GB of allocations on the
// default study, cleared and copied. newCanvas makes the same canvas on one
// raster, taken from the pool, with gg.NewContextForRGBA (no copy) and the
// two settings NewWith gives its own context (butt line caps, y axis
// upwards); NewWith then paints the whole raster with the background
// (white, draw.Src), so a reused raster starts as a new one does and the
// pixels are the same (TestRasterPoolPixels). A nil *rasterPool allocates
// a raster per canvas.
type rasterPool struct {
	mu   sync.Mutex
	free map[image.Point][]*image.RGBA
}

// newRasterPool returns an empty pool.
func newRasterPool() *rasterPool {
	return &rasterPool{free: map[image.Point][]*image.RGBA{}}
}

// rasterSize is the pixel size of a w × h figure at FigureDPI, rounded as
// vgimg.NewWith rounds UseWH's size.
func rasterSize(w, h vg.Length) image.Point {
	pw := w / vg.Inch * vg.Length(FigureDPI)
	ph := h / vg.Inch * vg.Length(FigureDPI)
	return image.Point{X: int(pw + 0.5), Y: int(ph + 0.5)}
}

// newCanvas returns a white vgimg canvas of w × h at FigureDPI on a raster
// from p (or a new one), and that raster, to be handed back by put once the
// canvas's image is encoded.
func (p *rasterPool) newCanvas(w, h vg.Length) (*vgimg.Canvas, *image.RGBA) {
	size := rasterSize(w, h)
	var img *image.RGBA
	if p != nil {
		p.mu.Lock()
		if l := p.free[size]; len(l) > 0 {
			img = l[len(l)-1]
			p.free[size] = l[:len(l)-1]
		}
		p.mu.Unlock()
	}
	if img == nil {
		img = image.NewRGBA(image.Rectangle{Max: size})
	}
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	// UseImageWithContext sets the size from the raster and the background
	// (white, NewWith's default).
	return vgimg.NewWith(vgimg.UseDPI(FigureDPI), vgimg.UseImageWithContext(img, ctx)), img
}

// put hands img back for a later canvas of its size; nil p drops it.
func (p *rasterPool) put(img *image.RGBA) {
	if p == nil || img == nil {
		return
	}
	size := img.Rect.Size()
	p.mu.Lock()
	p.free[size] = append(p.free[size], img)
	p.mu.Unlock()
}
