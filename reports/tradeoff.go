package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/model"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// tradeoffFigure draws, per scenario (small multiples on shared axes), each
// policy's gain in the stability key metric (x) against its gain in the
// consumers' and the providers' key metric (y, one row of panels each), with
// both 95% intervals as crosses. Gains are effects signed so that right and
// up are better (model.Direction). ok is false when the scorecard lacks the
// stability family or both y families.
func (b *builder) tradeoffFigure(s Scorecard) (Figure, bool, error) {
	fi := map[model.Family]int{}
	for i, f := range s.Families {
		fi[f.Metric.Family] = i
	}
	xi, okx := fi[model.FamilyStability]
	if !okx {
		return Figure{}, false, nil
	}
	var ys []int
	for _, fam := range []model.Family{model.FamilyConsumers, model.FamilyProfitability} {
		if i, ok := fi[fam]; ok {
			ys = append(ys, i)
		}
	}
	if len(ys) == 0 || len(s.Policies) == 0 {
		return Figure{}, false, nil
	}
	xm := s.Families[xi].Metric
	gain := func(e ScoreEntry) (v, lo, hi float64) {
		sg := float64(e.Metric.Better.Sign())
		v, lo, hi = sg*e.Diff, sg*e.Lo, sg*e.Hi
		if lo > hi {
			lo, hi = hi, lo
		}
		return scaleText(v, e.Metric), scaleText(lo, e.Metric), scaleText(hi, e.Metric)
	}
	var csvBuf bytes.Buffer
	cw := csv.NewWriter(&csvBuf)
	cw.Write([]string{"scenario", "policy", "x_metric", "x_statistic", "x_gain", "x_lo", "x_hi", "y_metric", "y_statistic", "y_gain", "y_lo", "y_hi", "unit_note"})
	fnum := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	var plots []*plot.Plot
	for _, y := range ys {
		ym := s.Families[y].Metric
		// Shared axes across the row's scenarios.
		xmin, xmax, ymin, ymax := 0.0, 0.0, 0.0, 0.0
		for p := range s.Policies {
			for sc := range s.Scenarios {
				x, xl, xh := gain(s.Entries[p][xi][sc])
				yv, yl, yh := gain(s.Entries[p][y][sc])
				for _, v := range []float64{x, xl, xh} {
					if finite(v) {
						xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
					}
				}
				for _, v := range []float64{yv, yl, yh} {
					if finite(v) {
						ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
					}
				}
			}
		}
		padx, pady := 0.08*(xmax-xmin)+1e-12, 0.08*(ymax-ymin)+1e-12
		for sc, scen := range s.Scenarios {
			p := newPlot()
			p.Title.Text = scen.Label
			p.X.Label.Text = "more stable → (" + gainUnit(xm) + ")"
			p.Y.Label.Text = familyTitle(ym.Family) + ": better ↑ (" + gainUnit(ym) + ")"
			p.X.Min, p.X.Max = xmin-padx, xmax+padx
			p.Y.Min, p.Y.Max = ymin-pady, ymax+pady
			zero := draw.LineStyle{Color: gray50, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
			p.Add(vline{X: 0, Style: zero}, hline{Y: 0, Style: zero})
			var pts []crossPoint
			for pi, pol := range s.Policies {
				x, xl, xh := gain(s.Entries[pi][xi][sc])
				yv, yl, yh := gain(s.Entries[pi][y][sc])
				pts = append(pts, crossPoint{x, xl, xh, yv, yl, yh, StyleFor(pi + 1)})
				cw.Write([]string{s.Scenarios[sc].Name, pol.Name, xm.Name, s.Entries[pi][xi][sc].Statistic(), fnum(x), fnum(xl), fnum(xh),
					ym.Name, s.Entries[pi][y][sc].Statistic(), fnum(yv), fnum(yl), fnum(yh), "gains: signed so that positive is better; percent metrics in percentage points"})
			}
			p.Add(crosses(pts))
			plots = append(plots, p)
		}
	}
	cw.Flush()
	var entries []legendEntry
	for pi, pol := range s.Policies {
		st := StyleFor(pi + 1)
		entries = append(entries, legendEntry{pol.Label, glyphThumb{draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3.5), Shape: st.Glyph}}})
	}
	entries = append(entries, legendEntry{"95% intervals", lineThumb{draw.LineStyle{Color: gray30, Width: vg.Points(1)}}})
	var rowNames []string
	for _, y := range ys {
		m := s.Families[y].Metric
		rowNames = append(rowNames, fmt.Sprintf("%s — %s, %s paired difference", strings.ToLower(familyTitle(m.Family)), lowerFirst(m.Label), s.Families[y].Statistic()))
	}
	rowsText := joinAnd(rowNames)
	cols := len(s.Scenarios)
	height := vg.Length(len(ys))*2.3*vg.Inch + 0.8*vg.Inch
	title := "What each policy gains in stability, and what it does to consumers and providers"
	id := b.figID("tradeoff")
	caption := fmt.Sprintf("Each marker is one policy compared with no policy in one scenario: right of the dashed line it makes the token more stable (%s, %s paired difference), above it it is better for the row's outcome; the crosses are 95%% intervals. Panels of a row share their axes. Rows: %s.", lowerFirst(xm.Label), s.Families[xi].Statistic(), rowsText)
	fig, err := deferred(id, title, caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
	if err != nil {
		return Figure{}, false, err
	}
	fig.CSV = csvBuf.Bytes()
	return fig, true, nil
}

// scaleText converts a metric value to the unit running text states it in:
// percentage points for Percent metrics, else the catalogue's unit.
func scaleText(v float64, m model.Metric) float64 {
	if m.Percent {
		return 100 * v
	}
	return v
}

// gainUnit is the axis unit of a gain in metric m.
func gainUnit(m model.Metric) string {
	if m.Percent {
		return "percentage points"
	}
	return nonEmpty(m.Unit, "change")
}

// crossPoint is a marker at (X, Y) with interval arms [XLo, XHi] and [YLo, YHi].
type crossPoint struct {
	X, XLo, XHi, Y, YLo, YHi float64
	Style                    PolicyStyle
}

// crosses draws crossPoints: the interval arms in gray, the marker in the
// policy's colour and shape (shape alone tells policies apart in greyscale).
type crosses []crossPoint

// Plot implements plot.Plotter.
func (cs crosses) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, q := range cs {
		if !finite(q.X) || !finite(q.Y) {
			continue
		}
		arm := draw.LineStyle{Color: q.Style.Color, Width: vg.Points(1)}
		x, y := tx(q.X), ty(q.Y)
		if finite(q.XLo) && finite(q.XHi) {
			c.StrokeLine2(arm, tx(q.XLo), y, tx(q.XHi), y)
		}
		if finite(q.YLo) && finite(q.YHi) {
			c.StrokeLine2(arm, x, ty(q.YLo), x, ty(q.YHi))
		}
		c.DrawGlyph(draw.GlyphStyle{Color: colorWhite, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}, vg.Point{X: x, Y: y})
		c.DrawGlyph(draw.GlyphStyle{Color: q.Style.Color, Radius: vg.Points(3.5), Shape: q.Style.Glyph}, vg.Point{X: x, Y: y})
	}
}
