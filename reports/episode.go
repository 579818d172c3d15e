package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EpisodePanel is one quantity of an episode figure on the scenario's day
// axis: the simulated 5%, 50% and 95% quantiles over runs on days Day, and
// the real series (RealDay, Real) drawn over them. YLabel carries the unit.
type EpisodePanel struct {
	Title        string
	YLabel       string
	Day          []float64
	P5, P50, P95 []float64
	RealDay      []float64
	Real         []float64
}

// EpisodeSpec describes an episode-validation figure (MODEL-SPEC-v2 §A.5):
// a simulated scenario beside the real de-peg it stands for, one panel per
// quantity (price, supply). XLabel says which date the event day is.
type EpisodeSpec struct {
	ID, Title, XLabel, RealLabel, Caption string
	Panels                                []EpisodePanel
}

// EpisodeChart draws spec: in each panel the simulated P5–P95 band (light),
// the simulated median (solid, dark) and the real series (dark red, dashed,
// with markers), panels side by side. It returns ErrNoData (wrapped) when a
// panel's slices differ in length or it has nothing finite to draw.
func EpisodeChart(spec EpisodeSpec) (Figure, error) {
	if len(spec.Panels) == 0 {
		return Figure{}, fmt.Errorf("episode chart %s: %w", spec.ID, ErrNoData)
	}
	medStyle := draw.LineStyle{Color: medianLine, Width: vg.Points(1.4)}
	realStyle := draw.LineStyle{Color: refLine, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
	realGlyph := draw.GlyphStyle{Color: refLine, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
	var plots []*plot.Plot
	for _, pn := range spec.Panels {
		n := len(pn.Day)
		if len(pn.P5) != n || len(pn.P50) != n || len(pn.P95) != n || len(pn.RealDay) != len(pn.Real) {
			return Figure{}, fmt.Errorf("episode chart %s, panel %q: slices differ in length: %w", spec.ID, pn.Title, ErrNoData)
		}
		ymin, ymax := math.Inf(1), math.Inf(-1)
		for _, s := range [][]float64{pn.P5, pn.P50, pn.P95, pn.Real} {
			for _, v := range s {
				if finite(v) {
					ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
				}
			}
		}
		if !finite(ymin) {
			return Figure{}, fmt.Errorf("episode chart %s, panel %q: %w", spec.ID, pn.Title, ErrNoData)
		}
		if ymax-ymin < 1e-9 {
			ymin, ymax = ymin-0.01, ymax+0.01
		}
		pad := 0.05 * (ymax - ymin)
		p := newPlot()
		p.Title.Text = pn.Title
		p.X.Label.Text = spec.XLabel
		p.X.Tick.Marker = dayTicks{}
		p.Y.Label.Text = pn.YLabel
		p.Y.Min, p.Y.Max = ymin-pad, ymax+pad
		if poly, ok := band(pn.Day, pn.P5, pn.P95, bandOuter); ok {
			p.Add(poly)
		}
		if l, ok := line(pn.Day, pn.P50, medStyle); ok {
			p.Add(l)
		}
		if l, ok := line(pn.RealDay, pn.Real, realStyle); ok {
			p.Add(l)
		}
		p.Add(markers(pn.RealDay, pn.Real, realGlyph, 0, 1))
		plots = append(plots, p)
	}
	entries := []legendEntry{
		{"simulated median", lineThumb{medStyle}},
		{"simulated P5–P95 of runs", boxThumb{bandOuter}},
		{spec.RealLabel, styleThumb{realStyle, realGlyph}},
	}
	cols, rows := grid(len(plots), 2)
	height := vg.Length(rows)*3.2*vg.Inch + 0.9*vg.Inch
	return render(spec.ID, spec.Title, spec.Caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, spec.Title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
}
