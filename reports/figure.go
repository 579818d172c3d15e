package reports

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ErrNoData is returned (wrapped) by the figure functions when their input has
// nothing to draw: no series, no finite values, or mismatched slice lengths.
var ErrNoData = errors.New("reports: no data to draw")

// Rendering constants. Every figure is drawn at a fixed physical size and
// resolution with gonum's embedded Liberation fonts, so that the PNG bytes depend
// only on the data (golden-image tests rely on this).
const (
	// FigureDPI is the resolution of the PNG figures (pixels per inch).
	FigureDPI = 100
	// FigureWidth is the width of every figure (9 in: 900 px at FigureDPI).
	FigureWidth = 9 * vg.Inch
)

var (
	sansFont   = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold   = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	idPattern  = regexp.MustCompile(`^[a-z0-9_-]+$`)
	gray90     = color.Gray{Y: 0xe6}
	gray50     = color.Gray{Y: 0x80}
	gray30     = color.Gray{Y: 0x4d}
	black      = color.Black
	bandOuter  = color.NRGBA{R: 0x9e, G: 0xc3, B: 0xe6, A: 0xff} // light blue; prints as light gray
	bandInner  = color.NRGBA{R: 0x3f, G: 0x7f, B: 0xbf, A: 0xff} // mid blue; prints as mid gray
	medianLine = color.NRGBA{R: 0x08, G: 0x30, B: 0x6b, A: 0xff} // dark navy; prints as black
	refLine    = color.NRGBA{R: 0xb2, G: 0x18, B: 0x2b, A: 0xff} // dark red reference lines
	pegFill    = color.NRGBA{R: 0xfd, G: 0xe0, B: 0xa0, A: 0xff} // pale amber peg band
)

// textStyle is the common text style of the figures.
func textStyle(size vg.Length, bold bool) text.Style {
	f := sansFont
	if bold {
		f = sansBold
	}
	return text.Style{
		Color:   black,
		Font:    font.From(f, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the report's fonts (Liberation Sans) and a light
// grid-free look.
func newPlot() *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font = font.From(sansBold, 10)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sansFont, 9)
		ax.Tick.Label.Font = font.From(sansFont, 8)
		ax.Padding = 2
		ax.Tick.Marker = cleanTicks{}
	}
	p.Legend.TextStyle.Font = font.From(sansFont, 8)
	return p
}

// render draws fn onto a PNG canvas and an SVG canvas of size w×h and returns the
// Figure. A panic inside gonum/plot (it panics on some degenerate inputs) is
// returned as an error naming the figure.
func render(id, title, caption string, w, h vg.Length, fn func(dc draw.Canvas)) (fig Figure, err error) {
	if !idPattern.MatchString(id) {
		return Figure{}, fmt.Errorf("reports: figure id %q must match %s", id, idPattern)
	}
	defer func() {
		if r := recover(); r != nil {
			fig = Figure{}
			err = fmt.Errorf("reports: drawing figure %s: %v", id, r)
		}
	}()
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(FigureDPI), vgimg.UseBackgroundColor(color.White))
	fn(draw.New(img))
	var pngBuf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pngBuf); err != nil {
		return Figure{}, fmt.Errorf("reports: encoding figure %s as PNG: %w", id, err)
	}
	svg := vgsvg.New(w, h)
	dc := draw.New(svg)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	fn(dc)
	var svgBuf bytes.Buffer
	if _, err := svg.WriteTo(&svgBuf); err != nil {
		return Figure{}, fmt.Errorf("reports: encoding figure %s as SVG: %w", id, err)
	}
	return Figure{ID: id, Title: title, Caption: caption, PNG: pngBuf.Bytes(), SVG: svgBuf.Bytes()}, nil
}

// drawTitle writes the figure title centred at the top of dc and returns the
// canvas below it.
func drawTitle(dc draw.Canvas, title string) draw.Canvas {
	sty := textStyle(12, true)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	pad := vg.Points(6)
	dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - pad}, title)
	hgt := sty.Height(title) + 2*pad
	return draw.Crop(dc, 0, 0, 0, -hgt)
}

// legendEntry is one item of a horizontal legend strip.
type legendEntry struct {
	label string
	thumb plot.Thumbnailer
}

// drawLegendStrip draws the entries left to right (wrapping) at the top of dc,
// outside every plot area, and returns the canvas below the strip.
func drawLegendStrip(dc draw.Canvas, entries []legendEntry) draw.Canvas {
	if len(entries) == 0 {
		return dc
	}
	sty := textStyle(8, false)
	sty.YAlign = draw.YCenter
	const (
		thumbW = vg.Length(22)
		gap    = vg.Length(5)
		sep    = vg.Length(14)
	)
	rowH := sty.Height("Mg") + 6
	x := dc.Min.X + 10
	y := dc.Max.Y - rowH/2 - 2
	rows := 1
	for _, e := range entries {
		wid := thumbW + gap + sty.Width(e.label) + sep
		if x+wid > dc.Max.X-10 && x > dc.Min.X+10 {
			x = dc.Min.X + 10
			y -= rowH
			rows++
		}
		tc := dc
		tc.Rectangle = vg.Rectangle{
			Min: vg.Point{X: x, Y: y - rowH/2 + 2},
			Max: vg.Point{X: x + thumbW, Y: y + rowH/2 - 2},
		}
		e.thumb.Thumbnail(&tc)
		dc.FillText(sty, vg.Point{X: x + thumbW + gap, Y: y}, e.label)
		x += wid
	}
	return draw.Crop(dc, 0, 0, 0, -(vg.Length(rows)*rowH + 4))
}

// grid returns the number of columns and rows for n panels.
func grid(n, maxCols int) (cols, rows int) {
	cols = min(n, maxCols)
	if cols < 1 {
		cols = 1
	}
	rows = (n + cols - 1) / cols
	return cols, rows
}

// alignPanels lays out the plots in a cols×rows grid on dc with aligned axes and
// draws them; empty cells are left blank.
func alignPanels(dc draw.Canvas, plots []*plot.Plot, cols int) {
	rows := (len(plots) + cols - 1) / cols
	tbl := make([][]*plot.Plot, rows)
	for r := range tbl {
		tbl[r] = make([]*plot.Plot, cols)
		for c := range cols {
			if i := r*cols + c; i < len(plots) {
				tbl[r][c] = plots[i]
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 8, PadY: 8, PadLeft: 4, PadRight: 10, PadBottom: 4, PadTop: 2}
	cvs := plot.Align(tbl, tiles, dc)
	for r := range tbl {
		for c := range tbl[r] {
			if tbl[r][c] != nil {
				tbl[r][c].Draw(cvs[r][c])
			}
		}
	}
}

// finite reports whether x is neither NaN nor ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// hline is a horizontal reference line across the data range of a plot.
type hline struct {
	Y     float64
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	y := ty(h.Y)
	if y < c.Min.Y || y > c.Max.Y {
		return
	}
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// Thumbnail implements plot.Thumbnailer.
func (h hline) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// vline is a vertical reference line across the data range of a plot.
type vline struct {
	X     float64
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	x := tx(v.X)
	if x < c.Min.X || x > c.Max.X {
		return
	}
	c.StrokeLine2(v.Style, x, c.Min.Y, x, c.Max.Y)
}

// hband is a shaded horizontal band [Lo, Hi] across a plot.
type hband struct {
	Lo, Hi float64
	Fill   color.Color
	Edge   draw.LineStyle
}

// Plot implements plot.Plotter.
func (b hband) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	lo, hi := max(ty(b.Lo), c.Min.Y), min(ty(b.Hi), c.Max.Y)
	if hi <= lo {
		return
	}
	r := vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: lo}, Max: vg.Point{X: c.Max.X, Y: hi}}
	c.SetColor(b.Fill)
	c.Fill(r.Path())
	if b.Edge.Width > 0 {
		c.StrokeLine2(b.Edge, c.Min.X, ty(b.Lo), c.Max.X, ty(b.Lo))
		c.StrokeLine2(b.Edge, c.Min.X, ty(b.Hi), c.Max.X, ty(b.Hi))
	}
}

// Thumbnail implements plot.Thumbnailer.
func (b hband) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.Fill)
	c.Fill(c.Rectangle.Path())
	if b.Edge.Width > 0 {
		c.StrokeLine2(b.Edge, c.Min.X, c.Min.Y, c.Max.X, c.Min.Y)
		c.StrokeLine2(b.Edge, c.Min.X, c.Max.Y, c.Max.X, c.Max.Y)
	}
}

// boxThumb is a filled rectangle legend thumbnail.
type boxThumb struct{ Fill color.Color }

// Thumbnail implements plot.Thumbnailer.
func (b boxThumb) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.Fill)
	c.Fill(c.Rectangle.Path())
}

// lineThumb is a line legend thumbnail.
type lineThumb struct{ Style draw.LineStyle }

// Thumbnail implements plot.Thumbnailer.
func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// glyphThumb is a marker legend thumbnail.
type glyphThumb struct{ Style draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(g.Style, c.Center())
}

// line returns a polyline through the finite points (x[i], y[i]).
func line(x, y []float64, sty draw.LineStyle) (*plotter.Line, bool) {
	pts := make(plotter.XYs, 0, len(x))
	for i := range x {
		if finite(x[i]) && finite(y[i]) {
			pts = append(pts, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	if len(pts) == 0 {
		return nil, false
	}
	l := &plotter.Line{XYs: pts, LineStyle: sty}
	return l, true
}

// band returns the polygon between lo and hi over the points where x, lo and hi
// are all finite.
func band(x, lo, hi []float64, fill color.Color) (*plotter.Polygon, bool) {
	var top, bot plotter.XYs
	for i := range x {
		if finite(x[i]) && finite(lo[i]) && finite(hi[i]) {
			bot = append(bot, plotter.XY{X: x[i], Y: lo[i]})
			top = append(top, plotter.XY{X: x[i], Y: hi[i]})
		}
	}
	if len(bot) < 2 {
		return nil, false
	}
	ring := make(plotter.XYs, 0, 2*len(bot))
	ring = append(ring, bot...)
	for i := len(top) - 1; i >= 0; i-- {
		ring = append(ring, top[i])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, false
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	return poly, true
}

// PolicyStyle is how one policy is drawn where policies share a panel: a dash
// pattern and a marker that stay distinct in black-and-white print, plus a
// colour for screens (Okabe–Ito, colour-blind safe; its colours also differ in
// gray level).
type PolicyStyle struct {
	Color  color.Color
	Dashes []vg.Length
	Glyph  draw.GlyphDrawer
}

// okabeIto is the Okabe–Ito colour-blind-safe palette (black first), with its
// yellow replaced by a dark gray, which stays visible on white paper.
var okabeIto = []color.NRGBA{
	{0x00, 0x00, 0x00, 0xff}, {0xe6, 0x9f, 0x00, 0xff}, {0x56, 0xb4, 0xe9, 0xff},
	{0x00, 0x9e, 0x73, 0xff}, {0xd5, 0x5e, 0x00, 0xff}, {0x00, 0x72, 0xb2, 0xff},
	{0xcc, 0x79, 0xa7, 0xff}, {0x66, 0x66, 0x66, 0xff},
}

var dashPatterns = [][]vg.Length{
	nil, {vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}, {vg.Points(10), vg.Points(4)},
	{vg.Points(3), vg.Points(3)},
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
	draw.PlusGlyph{}, draw.RingGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{},
}

// StyleFor returns the style of the i-th policy of a figure (i ≥ 0): the
// combination of dash pattern and marker differs for every i below 24 (6
// dash patterns × 8 markers, lcm 24).
func StyleFor(i int) PolicyStyle {
	return PolicyStyle{
		Color:  okabeIto[i%len(okabeIto)],
		Dashes: dashPatterns[i%len(dashPatterns)],
		Glyph:  glyphs[i%len(glyphs)],
	}
}

// cleanTicks is gonum's default tick placement with labels at the precision the
// tick step needs ("0.95", "2,750", "2.5e+09") instead of a fixed "%.2f"-like
// format.
type cleanTicks struct{}

// Ticks implements plot.Ticker.
func (cleanTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	var step float64
	var prev float64
	first := true
	for _, t := range ticks {
		if t.Label == "" {
			continue
		}
		if !first && (step == 0 || t.Value-prev < step) {
			step = t.Value - prev
		}
		prev, first = t.Value, false
	}
	top := math.Max(math.Abs(lo), math.Abs(hi))
	big := top >= 1e7
	// Mantissa digits (for big values) enough to tell neighbouring ticks
	// apart, the same for every tick of the axis.
	digits := 1
	if big && step > 0 {
		digits = min(max(1, int(math.Ceil(math.Log10(top/step)-1e-9))+1), 7)
	}
	for i := range ticks {
		if ticks[i].Label == "" {
			continue
		}
		ticks[i].Label = tickLabel(ticks[i].Value, step, big, digits)
	}
	return ticks
}

// tickLabel formats a tick value with the decimals its step needs (big: in
// e-notation with the given significant digits).
func tickLabel(v, step float64, big bool, digits int) string {
	if math.Abs(v) < 1e-12*math.Max(1, math.Abs(step)) {
		v = 0
	}
	if big {
		if v == 0 {
			return "0"
		}
		return minusSign(strconv.FormatFloat(v, 'e', digits-1, 64))
	}
	dec := 0
	if step > 0 && step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return minusSign(thousands(strconv.FormatFloat(v, 'f', dec, 64)))
}
