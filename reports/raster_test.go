package reports

import (
	"bytes"
	"image/color"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestRasterPoolPixels: figures drawn through one rasterPool (as
// drawFigures draws them), each on the raster the previous figure of its
// size left behind, have the pixels of their drawing function run directly
// on a canvas of vgimg.NewWith (UseWH, UseDPI, UseBackgroundColor: the canvas
// Figure.draw made before the pool), and the same PNG and SVG bytes as
// drawn without a pool; the pool's canvas has NewWith's size. A fan chart,
// a fan chart of other data on the fan chart's dirty raster, then the first
// again.
func TestRasterPoolPixels(t *testing.T) {
	other := goldenFan()
	other.ID = "fan_other"
	for i := range other.Series {
		s := &other.Series[i]
		for k := range s.P50 {
			s.P5[k], s.P95[k] = 0.9*s.P5[k], 1.1*s.P95[k]
		}
	}
	specs := []FanSpec{goldenFan(), other, goldenFan()}
	pool := newRasterPool()
	for i, spec := range specs {
		pending, err := fanChart(spec)
		if err != nil {
			t.Fatal(err)
		}
		d := pending.pending
		direct := vgimg.NewWith(vgimg.UseWH(d.w, d.h), vgimg.UseDPI(FigureDPI), vgimg.UseBackgroundColor(color.White))
		d.fn(draw.New(direct))
		pooled, raster := pool.newCanvas(d.w, d.h)
		if pooled.Image().Bounds() != direct.Image().Bounds() {
			t.Fatalf("figure %d: pool raster %v, NewWith %v", i, pooled.Image().Bounds(), direct.Image().Bounds())
		}
		if pw, ph := pooled.Size(); pw != d.w || ph != d.h {
			t.Errorf("figure %d: pool canvas %v × %v, want %v × %v", i, pw, ph, d.w, d.h)
		}
		pool.put(raster)

		fresh, err := pending.draw()
		if err != nil {
			t.Fatal(err)
		}
		viaPool, err := pending.drawOn(pool)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && len(pool.free[rasterSize(d.w, d.h)]) != 1 {
			t.Errorf("figure %d: the pool holds %d rasters of its size, want the one reused", i, len(pool.free[rasterSize(d.w, d.h)]))
		}
		if !samePixels(decodePNG(t, viaPool.PNG), direct.Image()) {
			t.Errorf("figure %d (%s): pixels drawn through the pool differ from NewWith's canvas", i, spec.ID)
		}
		if !bytes.Equal(viaPool.PNG, fresh.PNG) || !bytes.Equal(viaPool.SVG, fresh.SVG) {
			t.Errorf("figure %d (%s): PNG or SVG bytes differ with and without the pool", i, spec.ID)
		}
	}
}
