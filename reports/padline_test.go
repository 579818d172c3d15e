package reports

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// TestPadLineLayout: a plot of padLines is laid out exactly as the same plot
// of plain plotter.Lines (the data area of plot.DataCanvas, bit for bit), on
// panels from a thumbnail to a full figure, for lines that are flat, have
// ties at their extremes, leave a narrowed axis range, are thin or thick,
// and share the plot with polygons and markers; and padLine keeps few boxes.
func TestPadLineLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	series := func(kind int) (x, y []float64) {
		for d := 0; d <= 365; d++ {
			x = append(x, float64(d))
			switch kind {
			case 0: // a random walk
				if d == 0 {
					y = append(y, 1)
				} else {
					y = append(y, y[d-1]+r.NormFloat64()*0.01)
				}
			case 1: // flat
				y = append(y, 5)
			case 2: // integers: ties at both extremes
				y = append(y, float64(r.IntN(4)))
			default: // values 1e-12 apart near the top
				y = append(y, 1-float64(r.IntN(3))*1e-12)
			}
		}
		return x, y
	}
	build := func(plain bool, seed uint64) *plot.Plot {
		r := rand.New(rand.NewPCG(seed, 1))
		p := newPlot()
		p.Title.Text = "panel"
		p.X.Label.Text, p.Y.Label.Text = "day", "value"
		var lo, hi []float64
		for i := range 1 + r.IntN(4) {
			x, y := series(r.IntN(4))
			sty := draw.LineStyle{Width: vg.Points(0.5 + 6*r.Float64()), Color: StyleFor(i).Color}
			if plain {
				l := &plotter.Line{XYs: make(plotter.XYs, len(x)), LineStyle: sty}
				for k := range x {
					l.XYs[k] = plotter.XY{X: x[k], Y: y[k]}
				}
				p.Add(l)
			} else {
				l, ok := line(x, y, sty)
				if !ok {
					t.Fatal("no line")
				}
				p.Add(l)
			}
			if i == 0 {
				lo, hi = make([]float64, len(y)), make([]float64, len(y))
				for k := range y {
					lo[k], hi[k] = y[k]-0.02, y[k]+0.02
				}
				if poly, ok := band(x, lo, hi, bandOuter); ok {
					p.Add(poly)
				}
				p.Add(markers(x, y, draw.GlyphStyle{Radius: vg.Points(2), Shape: draw.CircleGlyph{}}, 0, 1))
			}
		}
		if r.IntN(3) == 0 { // a narrowed range: some points fall outside
			p.Y.Min, p.Y.Max = 0.5, 4.5
			p.X.Min, p.X.Max = 10, 300
		}
		return p
	}
	for seed := range uint64(200) {
		for _, size := range [][2]vg.Length{{vg.Inch, vg.Inch}, {3 * vg.Inch, 2.4 * vg.Inch}, {FigureWidth, 6 * vg.Inch}} {
			c := draw.New(vgsvg.New(size[0], size[1]))
			// Identical random streams: the two plots hold the same data.
			r = rand.New(rand.NewPCG(seed, 2))
			want := build(true, seed).DataCanvas(c).Rectangle
			r = rand.New(rand.NewPCG(seed, 2))
			got := build(false, seed).DataCanvas(c).Rectangle
			if got != want {
				t.Fatalf("seed %d, panel %v: padLine data area %v, plotter.Line %v", seed, size, got, want)
			}
		}
	}
	// Few boxes: a flat line keeps one per side at most.
	x, y := series(1)
	l, _ := line(x, y, draw.LineStyle{Width: 2})
	p := newPlot()
	p.Add(l)
	if n := len(l.GlyphBoxes(p)); n > 3 {
		t.Errorf("flat line: %d glyph boxes kept, want ≤ 3", n)
	}
	if n := len(l.Line.GlyphBoxes(p)); n != len(x) {
		t.Errorf("plotter.Line: %d boxes, want %d", n, len(x))
	}
}
