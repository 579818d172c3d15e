package reports

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatSpec describes a heatmap of one metric over a two-parameter sweep in one
// scenario and policy: Z[r][c] is the value at (X[c], Y[r]); NaN marks a missing
// sweep point. Sweep values are shown as categories (equally spaced) so that
// irregular grids read correctly; every cell is annotated with its value.
type HeatSpec struct {
	ID       string
	Scenario string
	Policy   string
	Metric   string // label, e.g. "median HHI at day T"
	Unit     string // e.g. "0–10,000"
	XParam   string // dotted parameter name
	YParam   string
	X, Y     []string
	Z        [][]float64
	Format   func(float64) string // cell annotation; default 3 significant digits
	Caption  string
}

// heatPalette runs from pale yellow to dark blue with monotonically decreasing
// luminance, so that darker means larger in colour and in gray print alike.
var heatPalette = []color.NRGBA{
	{0xff, 0xff, 0xd9, 0xff}, {0xed, 0xf8, 0xb1, 0xff}, {0xc7, 0xe9, 0xb4, 0xff},
	{0x7f, 0xcd, 0xbb, 0xff}, {0x41, 0xb6, 0xc4, 0xff}, {0x1d, 0x91, 0xc0, 0xff},
	{0x22, 0x5e, 0xa8, 0xff}, {0x25, 0x34, 0x94, 0xff}, {0x08, 0x1d, 0x58, 0xff},
}

var colorWhite = color.White

// heatColor maps t ∈ [0,1] onto heatPalette by linear interpolation.
func heatColor(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(heatPalette)-1)
	i := int(math.Floor(f))
	if i >= len(heatPalette)-1 {
		return heatPalette[len(heatPalette)-1]
	}
	a, b := heatPalette[i], heatPalette[i+1]
	w := f - float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-w) + float64(y)*w)) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// Heatmap draws spec. It returns ErrNoData (wrapped) when the grid is empty,
// ragged, or has no finite value.
func Heatmap(spec HeatSpec) (Figure, error) {
	return drawn(heatmap(spec))
}

// heatmap is Heatmap with the drawing deferred (Figure.draw).
func heatmap(spec HeatSpec) (Figure, error) {
	if len(spec.X) == 0 || len(spec.Y) == 0 || len(spec.Z) != len(spec.Y) {
		return Figure{}, fmt.Errorf("heatmap %s: grid %d×%d with %d rows: %w", spec.ID, len(spec.X), len(spec.Y), len(spec.Z), ErrNoData)
	}
	zmin, zmax := math.Inf(1), math.Inf(-1)
	for r, row := range spec.Z {
		if len(row) != len(spec.X) {
			return Figure{}, fmt.Errorf("heatmap %s: row %d has %d values, want %d: %w", spec.ID, r, len(row), len(spec.X), ErrNoData)
		}
		for _, v := range row {
			if finite(v) {
				zmin, zmax = math.Min(zmin, v), math.Max(zmax, v)
			}
		}
	}
	if !finite(zmin) {
		return Figure{}, fmt.Errorf("heatmap %s: %w", spec.ID, ErrNoData)
	}
	format := spec.Format
	if format == nil {
		format = func(v float64) string { return FormatSig(v, 3) }
	}
	p := newPlot()
	p.Title.Text = fmt.Sprintf("%s (%s)", spec.Metric, spec.Unit)
	p.X.Label.Text = spec.XParam
	p.Y.Label.Text = spec.YParam
	p.Add(heatCells{spec: spec, zmin: zmin, zmax: zmax, format: format})
	p.NominalX(spec.X...)
	p.NominalY(spec.Y...)
	title := fmt.Sprintf("%s over %s × %s — scenario %s, policy %s", spec.Metric, spec.XParam, spec.YParam, spec.Scenario, spec.Policy)
	entries := []legendEntry{
		{"lowest " + format(zmin), boxThumb{heatColor(0)}},
		{"highest " + format(zmax) + " (darker = higher)", boxThumb{heatColor(1)}},
		{"missing sweep point", boxThumb{gray90}},
	}
	cellH := math.Min(0.55, 4.5/float64(len(spec.Y)))
	height := vg.Length(float64(len(spec.Y))*cellH)*vg.Inch + 1.9*vg.Inch
	return deferred(spec.ID, title, spec.Caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		dc = draw.Crop(dc, vg.Inch, -vg.Inch, 0, 0)
		p.Draw(dc)
	})
}

// heatCells draws the grid cells at integer coordinates with value labels.
type heatCells struct {
	spec       HeatSpec
	zmin, zmax float64
	format     func(float64) string
}

// Plot implements plot.Plotter.
func (h heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sty := textStyle(8, false)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YCenter
	for r, row := range h.spec.Z {
		for col, v := range row {
			x0, x1 := tx(float64(col)-0.5), tx(float64(col)+0.5)
			y0, y1 := ty(float64(r)-0.5), ty(float64(r)+0.5)
			rect := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
			label := "n/a"
			fill := color.Color(gray90)
			t := 0.0
			if finite(v) {
				if h.zmax > h.zmin {
					t = (v - h.zmin) / (h.zmax - h.zmin)
				}
				fill = heatColor(t)
				label = h.format(v)
			}
			c.SetColor(fill)
			c.Fill(rect.Path())
			c.SetLineStyle(draw.LineStyle{Color: colorWhite, Width: vg.Points(1)})
			c.Stroke(rect.Path())
			sty.Color = black
			if finite(v) && t > 0.55 {
				sty.Color = colorWhite
			}
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, label)
		}
	}
}

// DataRange implements plot.DataRanger.
func (h heatCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(h.spec.X)) - 0.5, -0.5, float64(len(h.spec.Y)) - 0.5
}
