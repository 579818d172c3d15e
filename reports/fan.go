package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FanSeries is the across-run distribution of one daily quantity for one policy
// of one scenario: on day Day[k] the quantiles P5[k] ≤ P25[k] ≤ P50[k] ≤ P75[k] ≤
// P95[k] over the runs of the cell. All slices have the same length; NaN marks
// a day without data (it is skipped).
type FanSeries struct {
	Policy                 string
	Day                    []float64
	P5, P25, P50, P75, P95 []float64
}

// RefLine is a labelled horizontal reference line (e.g. HHI 1,800).
type RefLine struct {
	Y     float64
	Label string
}

// FanSpec describes one fan chart: one scenario, one quantity, policies faceted
// (one panel each, with the reference policy's median dashed in every panel for
// comparison) and a last panel overlaying every policy's median.
type FanSpec struct {
	ID       string // file stem
	Scenario string
	Point    string // sweep point ("share_cap.cap=0.3, …"), "" without sweeps
	Quantity string // e.g. "Token price"
	YLabel   string // with units, e.g. "price (USD per CLT)"
	// Reference is the policy whose median is repeated in every panel ("none").
	Reference string
	Series    []FanSeries
	// Lines are horizontal reference lines (drawn dark red, dash-dotted).
	Lines []RefLine
	// Band, when Band[0] < Band[1], is shaded behind the data (the peg band).
	Band      [2]float64
	BandLabel string
	Caption   string
	// Integer marks a count (model.Metric.Integer): whole-number y ticks.
	Integer bool
}

// FanChart draws spec as a faceted fan chart: in each policy's panel the P5–P95
// band (light), the P25–P75 band (darker) and the median (solid); the reference
// policy's median dashed; a final "medians" panel overlays all policies with
// distinct dash patterns, markers and colours. The y range is shared by all
// panels. It returns ErrNoData (wrapped) when no series has a finite value or a
// series' slices differ in length.
func FanChart(spec FanSpec) (Figure, error) {
	return drawn(fanChart(spec))
}

// fanChart is FanChart with the drawing deferred (Figure.draw).
func fanChart(spec FanSpec) (Figure, error) {
	if len(spec.Series) == 0 {
		return Figure{}, fmt.Errorf("fan chart %s: %w", spec.ID, ErrNoData)
	}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	xmin, xmax := math.Inf(1), math.Inf(-1)
	var ref *FanSeries
	for i := range spec.Series {
		s := &spec.Series[i]
		n := len(s.Day)
		if len(s.P5) != n || len(s.P25) != n || len(s.P50) != n || len(s.P75) != n || len(s.P95) != n {
			return Figure{}, fmt.Errorf("fan chart %s, policy %s: quantile slices differ in length from Day (%d): %w", spec.ID, s.Policy, n, ErrNoData)
		}
		for k := range n {
			if !finite(s.Day[k]) {
				continue
			}
			for _, v := range []float64{s.P5[k], s.P25[k], s.P50[k], s.P75[k], s.P95[k]} {
				if finite(v) {
					ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
					xmin, xmax = math.Min(xmin, s.Day[k]), math.Max(xmax, s.Day[k])
				}
			}
		}
		if s.Policy == spec.Reference {
			ref = s
		}
	}
	if !finite(ymin) || !finite(xmin) {
		return Figure{}, fmt.Errorf("fan chart %s: %w", spec.ID, ErrNoData)
	}
	for _, l := range spec.Lines {
		// Show a reference line only when it is near the data, so that a far-away
		// threshold does not squash the fans.
		span := math.Max(ymax-ymin, 1e-9)
		if l.Y >= ymin-0.5*span && l.Y <= ymax+0.5*span {
			ymin, ymax = math.Min(ymin, l.Y), math.Max(ymax, l.Y)
		}
	}
	if spec.Band[0] < spec.Band[1] {
		ymin, ymax = math.Min(ymin, spec.Band[0]), math.Max(ymax, spec.Band[1])
	}
	if ymax-ymin < 1e-12 {
		ymin, ymax = ymin-0.5, ymax+0.5
	}
	pad := 0.04 * (ymax - ymin)
	ymin, ymax = ymin-pad, ymax+pad

	refStyle := draw.LineStyle{Color: gray30, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}
	medStyle := draw.LineStyle{Color: medianLine, Width: vg.Points(1.4)}
	bandSty := hband{Lo: spec.Band[0], Hi: spec.Band[1], Fill: pegFill, Edge: draw.LineStyle{Color: gray30, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(1), vg.Points(1.5)}}}

	decorate := func(p *plot.Plot) {
		p.X.Min, p.X.Max = xmin, xmax
		p.Y.Min, p.Y.Max = ymin, ymax
		if spec.Band[0] < spec.Band[1] {
			p.Add(bandSty)
		}
		for i, l := range spec.Lines {
			p.Add(hline{Y: l.Y, Style: refLineStyle(i)})
		}
	}
	var plots []*plot.Plot
	for i := range spec.Series {
		s := &spec.Series[i]
		p := newPlot()
		p.Title.Text = s.Policy
		p.X.Label.Text = "day"
		p.X.Tick.Marker = dayTicks{}
		p.Y.Label.Text = spec.YLabel
		if spec.Integer {
			p.Y.Tick.Marker = integerTicks{}
		}
		decorate(p)
		if poly, ok := band(s.Day, s.P5, s.P95, bandOuter); ok {
			p.Add(poly)
		}
		if poly, ok := band(s.Day, s.P25, s.P75, bandInner); ok {
			p.Add(poly)
		}
		// Reference lines again on top of the bands so they stay visible.
		for i, l := range spec.Lines {
			p.Add(hline{Y: l.Y, Style: refLineStyle(i)})
		}
		if ref != nil && ref != s {
			if l, ok := line(ref.Day, ref.P50, refStyle); ok {
				p.Add(l)
			}
		}
		if l, ok := line(s.Day, s.P50, medStyle); ok {
			p.Add(l)
		}
		plots = append(plots, p)
	}
	var overlayEntries []legendEntry
	if len(spec.Series) > 1 {
		p := newPlot()
		p.Title.Text = "medians compared"
		p.X.Label.Text = "day"
		p.X.Tick.Marker = dayTicks{}
		p.Y.Label.Text = spec.YLabel
		if spec.Integer {
			p.Y.Tick.Marker = integerTicks{}
		}
		decorate(p)
		for i := range spec.Series {
			s := &spec.Series[i]
			st := StyleFor(i)
			ls := draw.LineStyle{Color: st.Color, Width: vg.Points(1.2), Dashes: st.Dashes}
			if l, ok := line(s.Day, s.P50, ls); ok {
				p.Add(l)
			}
			gs := draw.GlyphStyle{Color: st.Color, Radius: vg.Points(2.2), Shape: st.Glyph}
			p.Add(markers(s.Day, s.P50, gs, i, len(spec.Series)))
			overlayEntries = append(overlayEntries, legendEntry{label: s.Policy, thumb: styleThumb{ls, gs}})
		}
		plots = append(plots, p)
	}

	cols, rows := grid(len(plots), 3)
	entries := []legendEntry{
		{"median", lineThumb{medStyle}},
		{"P25–P75 of runs", boxThumb{bandInner}},
		{"P5–P95 of runs", boxThumb{bandOuter}},
	}
	if ref != nil && len(spec.Series) > 1 {
		entries = append(entries, legendEntry{spec.Reference + " median (reference)", lineThumb{refStyle}})
	}
	if spec.Band[0] < spec.Band[1] {
		entries = append(entries, legendEntry{spec.BandLabel, bandSty})
	}
	for i, l := range spec.Lines {
		entries = append(entries, legendEntry{l.Label, lineThumb{refLineStyle(i)}})
	}
	if len(overlayEntries) > 0 {
		entries = append(entries, legendEntry{"medians:", blankThumb{}})
		entries = append(entries, overlayEntries...)
	}
	height := vg.Length(rows)*2.4*vg.Inch + 1.0*vg.Inch
	title := fmt.Sprintf("%s — scenario %s, by policy", spec.Quantity, spec.Scenario)
	if spec.Point != "" {
		title = fmt.Sprintf("%s — scenario %s at %s, by policy", spec.Quantity, spec.Scenario, spec.Point)
	}
	return deferred(spec.ID, title, spec.Caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
}

// blankThumb draws nothing (a label-only legend entry).
type blankThumb struct{}

// Thumbnail implements plot.Thumbnailer.
func (blankThumb) Thumbnail(*draw.Canvas) {}

// styleThumb is a line-with-marker legend thumbnail.
type styleThumb struct {
	Line  draw.LineStyle
	Glyph draw.GlyphStyle
}

// Thumbnail implements plot.Thumbnailer.
func (s styleThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(s.Line, c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(s.Glyph, c.Center())
}

// markers returns a scatter of about 8 markers along (x, y), staggered by the
// series index so that overlaid series' markers do not sit on top of each other.
func markers(x, y []float64, gs draw.GlyphStyle, idx, nSeries int) *plotter.Scatter {
	var pts plotter.XYs
	n := len(x)
	const perLine = 8
	step := max(n/perLine, 1)
	off := 0
	if nSeries > 0 {
		off = (idx * step) / nSeries
	}
	for k := off; k < n; k += step {
		if finite(x[k]) && finite(y[k]) {
			pts = append(pts, plotter.XY{X: x[k], Y: y[k]})
		}
	}
	sc := &plotter.Scatter{XYs: pts, GlyphStyle: gs}
	return sc
}

// refLineStyle is the style of the i-th horizontal reference line: dark red,
// with a dash pattern that differs between lines (dash-dot, long dash, dots).
func refLineStyle(i int) draw.LineStyle {
	dashes := [][]vg.Length{
		{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
		{vg.Points(9), vg.Points(3)},
		{vg.Points(1.5), vg.Points(1.5)},
	}
	return draw.LineStyle{Color: refLine, Width: vg.Points(1.1), Dashes: dashes[i%len(dashes)]}
}

// daySteps are the major tick steps of a day axis, with their minor steps
// (0: none): days, weeks, months (30), quarters (90), half years and years.
var daySteps = []struct{ major, minor float64 }{
	{1, 0}, {2, 1}, {5, 1}, {7, 1}, {10, 5}, {14, 7}, {30, 10}, {60, 30}, {90, 30}, {180, 90}, {365, 0},
}

// maxDayIntervals is the largest number of major intervals of a day axis.
const maxDayIntervals = 6

// dayTicks places the ticks of a day axis at calendar-like steps instead of
// gonum's decimal ones (50, 200, 350): the smallest step of daySteps (then
// whole years) that divides the range into at most maxDayIntervals
// intervals, from the first multiple of the step; a last major tick within a
// quarter step of the axis end moves onto the end, so that a 365-day horizon
// reads 0, 90, 180, 270, 365 and a 180-day one 0, 30, …, 180. Minor ticks
// fall at the finer natural step (a month under quarters). A degenerate
// range falls back to cleanTicks.
type dayTicks struct{}

// Ticks implements plot.Ticker.
func (dayTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span >= 1) || !finite(span) {
		return cleanTicks{}.Ticks(lo, hi)
	}
	major, minor := 0.0, 0.0
	for _, st := range daySteps {
		if span/st.major <= maxDayIntervals {
			major, minor = st.major, st.minor
			break
		}
	}
	if major == 0 {
		major = 365 * math.Ceil(span/365/maxDayIntervals)
	}
	const eps = 1e-9
	var majors []float64
	for v := math.Ceil(lo/major-eps) * major; v <= hi+eps; v += major {
		majors = append(majors, v)
	}
	if n := len(majors); n > 1 && hi-majors[n-1] > eps && hi-majors[n-1] <= major/4 {
		majors[n-1] = hi
	}
	ticks := make([]plot.Tick, 0, len(majors))
	for _, v := range majors {
		ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, 0, eps, "")})
	}
	if minor > 0 {
		for v := math.Ceil(lo/minor-eps) * minor; v <= hi+eps; v += minor {
			near := false
			for _, m := range majors {
				near = near || math.Abs(v-m) < minor/2
			}
			if !near {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	slices.SortFunc(ticks, func(a, b plot.Tick) int { return cmp.Compare(a.Value, b.Value) })
	return ticks
}
