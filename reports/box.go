package reports

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BoxStat is one box of a box plot, drawn from precomputed quantiles of a
// metric across the runs of one cell: whiskers P5–P95, box P25–P75, a line at
// the median, a diamond at the mean. N = 0 (or non-finite quantiles) draws an
// empty row labelled "no data".
type BoxStat struct {
	Label                  string // row label (the policy)
	N                      int
	Mean                   float64
	P5, P25, P50, P75, P95 float64
}

// BoxPanel is one metric's boxes, one per policy.
type BoxPanel struct {
	Title  string // metric label, e.g. "Mean |P − peg|"
	XLabel string // with units
	Boxes  []BoxStat
	// Integer marks a count (model.Metric.Integer): whole-number ticks.
	Integer bool
}

// BoxSpec describes a figure of horizontal box plots: one panel per metric,
// one row per policy.
type BoxSpec struct {
	ID       string
	Scenario string
	Family   string // e.g. "Stability"
	Panels   []BoxPanel
	Caption  string
	// SharedX draws every panel on one x range (small multiples that compare
	// across panels); Title, when set, replaces the default title.
	SharedX bool
	Title   string
}

// BoxChart draws spec. Panels are laid out two per row with the policies as
// rows of each panel (top to bottom in the given order). It returns ErrNoData
// (wrapped) when no panel has a box with data.
func BoxChart(spec BoxSpec) (Figure, error) {
	return drawn(boxChart(spec))
}

// boxChart is BoxChart with the drawing deferred (Figure.draw).
func boxChart(spec BoxSpec) (Figure, error) {
	var plots []*plot.Plot
	gmin, gmax := math.Inf(1), math.Inf(-1)
	if spec.SharedX {
		for _, pn := range spec.Panels {
			for _, b := range pn.Boxes {
				for _, v := range []float64{b.P5, b.P95, b.Mean} {
					if b.N > 0 && finite(v) {
						gmin, gmax = math.Min(gmin, v), math.Max(gmax, v)
					}
				}
			}
		}
	}
	for _, pn := range spec.Panels {
		n := len(pn.Boxes)
		if n == 0 {
			continue
		}
		xmin, xmax := math.Inf(1), math.Inf(-1)
		names := make([]string, n)
		for i, b := range pn.Boxes {
			names[n-1-i] = b.Label
			if b.N == 0 {
				names[n-1-i] = b.Label + " (no data)"
			}
			for _, v := range []float64{b.P5, b.P95, b.Mean} {
				if b.N > 0 && finite(v) {
					xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
				}
			}
		}
		if !finite(xmin) {
			continue
		}
		if spec.SharedX {
			xmin, xmax = gmin, gmax
		}
		if xmax-xmin < 1e-12*math.Max(1, math.Abs(xmax)) {
			d := math.Max(math.Abs(xmax)*0.05, 1e-6)
			xmin, xmax = xmin-d, xmax+d
		}
		pad := 0.05 * (xmax - xmin)
		p := newPlot()
		p.Title.Text = pn.Title
		p.X.Label.Text = pn.XLabel
		if pn.Integer {
			p.X.Tick.Marker = integerTicks{}
		}
		p.Add(boxes{stats: pn.Boxes})
		p.X.Min, p.X.Max = xmin-pad, xmax+pad
		p.NominalY(names...)
		p.Y.Tick.Label.Font.Size = 8
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return Figure{}, fmt.Errorf("box chart %s: %w", spec.ID, ErrNoData)
	}
	rowsPerPanel := 0
	for _, pn := range spec.Panels {
		rowsPerPanel = max(rowsPerPanel, len(pn.Boxes))
	}
	cols, rows := grid(len(plots), 2)
	panelH := vg.Length(rowsPerPanel)*0.24*vg.Inch + 0.9*vg.Inch
	height := vg.Length(rows)*panelH + 0.9*vg.Inch
	title := fmt.Sprintf("%s across runs — scenario %s, by policy", spec.Family, spec.Scenario)
	if spec.Title != "" {
		title = spec.Title
	}
	entries := []legendEntry{
		{"median", lineThumb{draw.LineStyle{Color: medianLine, Width: vg.Points(2)}}},
		{"P25–P75 of runs", boxThumb{bandInner}},
		{"whiskers: P5–P95", lineThumb{draw.LineStyle{Color: black, Width: vg.Points(0.8)}}},
		{"mean", glyphThumb{meanGlyph()}},
	}
	return deferred(spec.ID, title, spec.Caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
}

func meanGlyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: black, Radius: vg.Points(3), Shape: diamondGlyph{}}
}

// diamondGlyph is an open diamond marker.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	p.Close()
	c.SetColor(color.White)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1)})
	c.Stroke(p)
}

// boxes plots horizontal boxes at y = n−1−i for box i (first box on top).
type boxes struct{ stats []BoxStat }

// Plot implements plot.Plotter.
func (b boxes) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(b.stats)
	half := vg.Points(6)
	whisker := draw.LineStyle{Color: black, Width: vg.Points(0.8)}
	outline := draw.LineStyle{Color: black, Width: vg.Points(0.8)}
	med := draw.LineStyle{Color: medianLine, Width: vg.Points(2)}
	for i, s := range b.stats {
		if s.N == 0 || !finite(s.P25) || !finite(s.P75) || !finite(s.P50) {
			continue
		}
		y := ty(float64(n - 1 - i))
		x5, x25, x50, x75, x95 := tx(s.P5), tx(s.P25), tx(s.P50), tx(s.P75), tx(s.P95)
		if finite(s.P5) {
			c.StrokeLine2(whisker, x5, y, x25, y)
			c.StrokeLine2(whisker, x5, y-half/2, x5, y+half/2)
		}
		if finite(s.P95) {
			c.StrokeLine2(whisker, x75, y, x95, y)
			c.StrokeLine2(whisker, x95, y-half/2, x95, y+half/2)
		}
		r := vg.Rectangle{Min: vg.Point{X: x25, Y: y - half}, Max: vg.Point{X: max(x75, x25+vg.Points(0.5)), Y: y + half}}
		c.SetColor(bandInner)
		c.Fill(r.Path())
		c.SetLineStyle(outline)
		c.Stroke(r.Path())
		c.StrokeLine2(med, x50, y-half, x50, y+half)
		if finite(s.Mean) {
			c.DrawGlyph(meanGlyph(), vg.Point{X: tx(s.Mean), Y: y})
		}
	}
}

// DataRange implements plot.DataRanger.
func (b boxes) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, s := range b.stats {
		for _, v := range []float64{s.P5, s.P95, s.Mean} {
			if s.N > 0 && finite(v) {
				xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
			}
		}
	}
	if !finite(xmin) {
		xmin, xmax = 0, 1
	}
	return xmin, xmax, -0.5, float64(len(b.stats)) - 0.5
}
