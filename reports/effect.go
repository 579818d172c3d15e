package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EffectRow is one policy's paired effect versus the reference policy on one
// metric: the mean paired difference Diff (policy − reference) with its
// confidence interval [Lo, Hi]; NaN bounds draw the point alone.
type EffectRow struct {
	Label        string
	Diff, Lo, Hi float64
	N            int
}

// EffectPanel is one outcome family's panel: the rows of one metric.
type EffectPanel struct {
	Title  string // e.g. "Stability: mean |P − peg|"
	XLabel string // with units and which side is better
	Rows   []EffectRow
}

// EffectSpec describes a policy-effect (forest) chart for one scenario.
type EffectSpec struct {
	ID        string
	Scenario  string
	Reference string // "none"
	Panels    []EffectPanel
	Caption   string
}

// EffectChart draws one panel per outcome family: for each policy a marker at
// the mean paired difference and a horizontal 95% interval, with a dashed line
// at zero (no effect). A filled marker means the interval excludes zero, an open
// one that it does not, so significance reads in black-and-white print. It
// returns ErrNoData (wrapped) when no panel has a finite difference.
func EffectChart(spec EffectSpec) (Figure, error) {
	return drawn(effectChart(spec))
}

// effectChart is EffectChart with the drawing deferred (Figure.draw).
func effectChart(spec EffectSpec) (Figure, error) {
	var plots []*plot.Plot
	maxRows := 0
	for _, pn := range spec.Panels {
		n := len(pn.Rows)
		xmin, xmax := 0.0, 0.0
		ok := false
		names := make([]string, n)
		for i, r := range pn.Rows {
			names[n-1-i] = r.Label
			for _, v := range []float64{r.Diff, r.Lo, r.Hi} {
				if finite(v) {
					xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
					ok = true
				}
			}
		}
		if !ok {
			continue
		}
		if xmax-xmin < 1e-12 {
			xmin, xmax = -1e-6, 1e-6
		}
		pad := 0.06 * (xmax - xmin)
		p := newPlot()
		p.Title.Text = pn.Title
		p.X.Label.Text = pn.XLabel
		p.Add(vline{X: 0, Style: draw.LineStyle{Color: gray50, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}})
		p.Add(forest{rows: pn.Rows})
		p.X.Min, p.X.Max = xmin-pad, xmax+pad
		p.NominalY(names...)
		plots = append(plots, p)
		maxRows = max(maxRows, n)
	}
	if len(plots) == 0 {
		return Figure{}, fmt.Errorf("effect chart %s: %w", spec.ID, ErrNoData)
	}
	cols, rows := grid(len(plots), 2)
	panelH := vg.Length(maxRows)*0.24*vg.Inch + 0.95*vg.Inch
	height := vg.Length(rows)*panelH + 0.9*vg.Inch
	title := fmt.Sprintf("Policy effects versus %s (paired by replicate) — scenario %s", spec.Reference, spec.Scenario)
	entries := []legendEntry{
		{"mean paired difference, 95% CI excludes 0", glyphThumb{sigGlyph(true)}},
		{"… CI includes 0", glyphThumb{sigGlyph(false)}},
		{"95% bootstrap interval", lineThumb{draw.LineStyle{Color: black, Width: vg.Points(1.2)}}},
		{"no effect", lineThumb{draw.LineStyle{Color: gray50, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}}},
	}
	return deferred(spec.ID, title, spec.Caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
}

func sigGlyph(significant bool) draw.GlyphStyle {
	if significant {
		return draw.GlyphStyle{Color: medianLine, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{}}
	}
	return draw.GlyphStyle{Color: medianLine, Radius: vg.Points(3.2), Shape: draw.RingGlyph{}}
}

// forest plots rows at y = n−1−i (first row on top).
type forest struct{ rows []EffectRow }

// Plot implements plot.Plotter.
func (f forest) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(f.rows)
	ci := draw.LineStyle{Color: black, Width: vg.Points(1.2)}
	capH := vg.Points(3.5)
	for i, r := range f.rows {
		if !finite(r.Diff) {
			continue
		}
		y := ty(float64(n - 1 - i))
		if finite(r.Lo) && finite(r.Hi) {
			lo, hi := tx(r.Lo), tx(r.Hi)
			c.StrokeLine2(ci, lo, y, hi, y)
			c.StrokeLine2(ci, lo, y-capH, lo, y+capH)
			c.StrokeLine2(ci, hi, y-capH, hi, y+capH)
		}
		sig := finite(r.Lo) && finite(r.Hi) && (r.Lo > 0 || r.Hi < 0)
		pt := vg.Point{X: tx(r.Diff), Y: y}
		if !sig {
			// White-filled ring so the interval line does not run through it.
			c.DrawGlyph(draw.GlyphStyle{Color: colorWhite, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{}}, pt)
		}
		c.DrawGlyph(sigGlyph(sig), pt)
	}
}

// DataRange implements plot.DataRanger.
func (f forest) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = 0, 0
	for _, r := range f.rows {
		for _, v := range []float64{r.Diff, r.Lo, r.Hi} {
			if finite(v) {
				xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
			}
		}
	}
	return xmin, xmax, -0.5, float64(len(f.rows)) - 0.5
}
