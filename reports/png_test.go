package reports

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// TestDrawReplay: a figure drawn by Figure.draw (recorded once, replayed on
// each canvas; PNG by pngEncoder at png.BestSpeed) has the PNG pixels of its
// drawing function run directly on a vgimg raster, the same pixels as the PNG
// vgimg.PngCanvas writes of that raster (image/png's default level, the
// encoding used before), and the SVG bytes of the function run directly on a
// vgsvg canvas, for a fan chart and a box chart.
func TestDrawReplay(t *testing.T) {
	box := BoxSpec{ID: "dist_stability", Scenario: "volatility", Family: "Stability"}
	for j, m := range []string{"peg_mad (USD/CLT)", "realized_vol_annual (per year)"} {
		pn := BoxPanel{Title: m, XLabel: m}
		for i, pol := range []string{"none", "fund", "all"} {
			c := float64(j+1) * (1 - 0.2*float64(i))
			pn.Boxes = append(pn.Boxes, BoxStat{Label: pol, N: 100, Mean: 1.05 * c, P5: 0.6 * c, P25: 0.85 * c, P50: c, P75: 1.2 * c, P95: 1.7 * c})
		}
		box.Panels = append(box.Panels, pn)
	}
	for _, mk := range []func() (Figure, error){
		func() (Figure, error) { return fanChart(goldenFan()) },
		func() (Figure, error) { return boxChart(box) },
	} {
		pending, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		d := pending.pending
		if d == nil {
			t.Fatalf("%s: not deferred", pending.ID)
		}
		raster := vgimg.NewWith(vgimg.UseWH(d.w, d.h), vgimg.UseDPI(FigureDPI), vgimg.UseBackgroundColor(color.White))
		d.fn(draw.New(raster))
		var before bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: raster}).WriteTo(&before); err != nil {
			t.Fatal(err)
		}
		svg := vgsvg.New(d.w, d.h)
		dc := draw.New(svg)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		d.fn(dc)
		var direct bytes.Buffer
		if _, err := svg.WriteTo(&direct); err != nil {
			t.Fatal(err)
		}
		fig, err := pending.draw()
		if err != nil {
			t.Fatal(err)
		}
		if want := svgFontFallback(direct.Bytes()); !bytes.Equal(fig.SVG, want) {
			t.Errorf("%s: SVG differs from the drawing on a vgsvg canvas", fig.ID)
		}
		got := decodePNG(t, fig.PNG)
		for name, want := range map[string]image.Image{"raster": raster.Image(), "default-level PNG": decodePNG(t, before.Bytes())} {
			if !samePixels(got, want) {
				t.Errorf("%s: PNG pixels differ from the %s", fig.ID, name)
			}
		}
		t.Logf("%s: %d bytes at BestSpeed, %d at the default level", fig.ID, len(fig.PNG), before.Len())
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// samePixels reports whether a and b have the same bounds and the same
// 16-bit RGBA value at every pixel.
func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}
