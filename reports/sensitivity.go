package reports

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/gsa"
	"github.com/tokensim/tokensim/study"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SensitivitySectionID is the HTML anchor of the sensitivity section.
const SensitivitySectionID = "sensitivity"

// Colours of the sensitivity figures: dark fill for first-order (or the
// estimate), light fill for total, so that print in black and white keeps
// them apart.
var (
	sensDark  = color.NRGBA{R: 0x08, G: 0x30, B: 0x6b, A: 0xff}
	sensLight = color.NRGBA{R: 0x9e, G: 0xc3, B: 0xe6, A: 0xff}
	sensNoise = color.NRGBA{R: 0xb2, G: 0x18, B: 0x2b, A: 0xff}
)

// SensitivitySection returns the report section of a sensitivity study: an
// introduction (design, replicate noise, the leading factor per output), the
// figures of its method (SobolChart, MorrisChart or PRCCChart) and the table
// of every index with its interval (SensitivityTable). Errors come from
// drawing; an output without indices is described in the text only.
func SensitivitySection(res *aggregate.SensitivityResult) (Section, error) {
	sec := Section{ID: SensitivitySectionID, Title: "Global sensitivity analysis", Intro: SensitivityIntro(res)}
	var fig Figure
	var err error
	switch res.Method {
	case study.SensitivitySobol:
		fig, err = SobolChart(res)
	case study.SensitivityMorris:
		fig, err = MorrisChart(res)
	default:
		fig, err = PRCCChart(res)
	}
	if err := sec.addFigure(fig, err); err != nil {
		return Section{}, err
	}
	sec.Tables = append(sec.Tables, SensitivityTable(res))
	if t, ok := SecondOrderTable(res); ok {
		sec.Tables = append(sec.Tables, t)
	}
	return sec, nil
}

// SecondOrderTable returns the second-order Sobol indices S_ij of every
// output and factor pair with their intervals, when the design has them.
func SecondOrderTable(res *aggregate.SensitivityResult) (Table, bool) {
	lvl := fmt.Sprintf("%.0f%% CI", 100*res.Level)
	t := Table{Caption: "Second-order Sobol indices S_ij (the variance explained by the interaction of two factors alone), " + lvl,
		Header: []string{"output", "factor i", "factor j", "S_ij", lvl}}
	for _, o := range res.Outputs {
		if o.Sobol == nil || o.Sobol.S2 == nil {
			continue
		}
		s := o.Sobol
		for i := range res.Factors {
			for j := i + 1; j < len(res.Factors); j++ {
				t.Rows = append(t.Rows, []string{o.Output, res.Factors[i].Param, res.Factors[j].Param,
					sensNum(s.S2[i][j]), sensInterval(s.S2Low[i][j], s.S2High[i][j])})
			}
		}
	}
	return t, len(t.Rows) > 0
}

// sensMethodText describes the design and estimators in one paragraph.
func sensMethodText(res *aggregate.SensitivityResult) string {
	k := len(res.Factors)
	var design, est string
	switch res.Method {
	case study.SensitivitySobol:
		stride := k + 2
		if n := sensFirstSobol(res); n != nil && n.S2 != nil {
			stride = 2*k + 2
		}
		design = fmt.Sprintf("a Saltelli design of %d Sobol base points × %d = %d design points", res.DesignPoints/stride, stride, res.DesignPoints)
		est = "First-order indices S1 (the share of the output's variance explained by a factor alone) by the Saltelli et al. (2010) estimator and total indices ST (including all its interactions) by Jansen's (1999) estimator, on Joe–Kuo Sobol points"
	case study.SensitivityMorris:
		design = fmt.Sprintf("%d Morris trajectories × %d = %d design points", res.DesignPoints/(k+1), k+1, res.DesignPoints)
		est = "Morris elementary effects: μ* (mean absolute effect: overall importance), μ (mean effect: its sign) and σ (spread: interactions or non-linearity), per unit of each factor's range"
	default:
		design = fmt.Sprintf("a Latin hypercube of %d design points", res.DesignPoints)
		est = "Partial rank correlation coefficients (PRCC: the monotone association of a factor with the output after removing the other factors' linear rank effects) with t-test p-values"
	}
	var ci string
	if res.Method != study.SensitivityLHSPRCC {
		ci = fmt.Sprintf("%.0f%% bootstrap percentile intervals (%d resamples)", 100*res.Level, res.Resamples)
	} else {
		ci = fmt.Sprintf("%.0f%% Fisher-z intervals", 100*res.Level)
	}
	return fmt.Sprintf("%s. Design: %d factors, %s, in scenario %s under policy %s; each design point was run %d times (%d runs found) with common random numbers, and the indices are computed on the replicate means, with %s.",
		est, k, design, res.Scenario, res.Policy, res.Replicates, res.Runs, ci)
}

func sensFirstSobol(res *aggregate.SensitivityResult) *gsa.SobolIndices {
	for _, o := range res.Outputs {
		if o.Sobol != nil {
			return o.Sobol
		}
	}
	return nil
}

// SensitivityIntro returns the section's paragraphs: the method, the
// replicate-noise shares, and one sentence per output naming its leading
// factor (largest ST, μ* or |PRCC|) with its interval.
func SensitivityIntro(res *aggregate.SensitivityResult) []string {
	paras := []string{sensMethodText(res)}
	var noise []string
	dominated := false
	for _, o := range res.Outputs {
		if !math.IsNaN(o.NoiseShare) || !math.IsNaN(o.WithinNoiseShare) {
			noise = append(noise, o.Output+" "+OutputNoiseText(o, true))
			dominated = dominated || o.NoiseShare > 1
		}
	}
	if len(noise) > 0 {
		p := "Replicate noise — the share of the variance across design points that is Monte Carlo noise of the replicate means (point × replicate interaction, divided by the replicates): " +
			strings.Join(noise, "; ") +
			". An index smaller than its output's noise share cannot be told apart from noise; more replicates shrink it."
		if dominated {
			p += " The share is a ratio of two variance estimates and exceeds 100% when noise dominates: the indices of such an output describe noise, not the model."
		}
		paras = append(paras, p)
	} else if res.Replicates == 1 {
		paras = append(paras, "With one replicate per design point the replicate noise cannot be measured: an index may reflect Monte Carlo noise; run at least 2 replicates.")
	}
	for _, o := range res.Outputs {
		if s := sensLeader(res, o); s != "" {
			paras = append(paras, s)
		}
		if o.Note != "" {
			paras = append(paras, o.Output+": "+o.Note+".")
		}
	}
	return paras
}

// sensLeader returns a sentence naming the output's most influential factor.
func sensLeader(res *aggregate.SensitivityResult, o aggregate.SensitivityOutput) string {
	best, val := -1, math.Inf(-1)
	var v, lo, hi []float64
	var what string
	switch {
	case o.Sobol != nil:
		v, lo, hi, what = o.Sobol.ST, o.Sobol.STLow, o.Sobol.STHigh, "total index ST"
	case o.Morris != nil:
		v, lo, hi, what = o.Morris.MuStar, o.Morris.MuStarLow, o.Morris.MuStarHigh, "μ*"
	case o.PRCC != nil:
		v, lo, hi, what = o.PRCC.Coef, o.PRCC.Low, o.PRCC.High, "PRCC"
	default:
		return ""
	}
	for i, x := range v {
		if !math.IsNaN(x) && math.Abs(x) > val {
			best, val = i, math.Abs(x)
		}
	}
	if best < 0 {
		return ""
	}
	detail := fmt.Sprintf("%s %s, %.0f%% CI %s", what, sensNum(v[best]), 100*res.Level, sensInterval(lo[best], hi[best]))
	if lo[best] <= 0 && hi[best] >= 0 || o.PRCC != nil && !(o.PRCC.P[best] < 0.05) {
		return fmt.Sprintf("No factor has a clear effect on %s: the largest, %s (%s), is not distinguishable from zero.", o.Output, res.Factors[best].Param, detail)
	}
	s := fmt.Sprintf("%s is driven most by %s (%s).", o.Output, res.Factors[best].Param, detail)
	if o.Sobol != nil {
		var sum float64
		for _, x := range o.Sobol.S1 {
			if !math.IsNaN(x) {
				sum += x
			}
		}
		if sum < 0.8 {
			s += fmt.Sprintf(" The first-order indices sum to %s: interactions between factors carry the rest.", sensNum(sum))
		}
	}
	return s
}

// NoiseDominates is the reading of a replicate-noise share above 100%.
const NoiseDominates = "the output's variation across design points is indistinguishable from replicate noise"

// NoiseShareMeaning explains the replicate-noise share in one line, for the
// places that show it.
const NoiseShareMeaning = "replicate noise = the share of the variance of the design-point means that is Monte Carlo noise of the replicate means (point × replicate interaction mean square over the replicates); an index below it cannot be told apart from noise"

// NoiseShareText formats a replicate-noise share (aggregate.SensitivityOutput
// NoiseShare) for display: "12.3%", "<0.1%", "–" when unknown, and "≥100%"
// when the estimate exceeds 1. The estimate is a ratio of two noisy variance
// estimates, so it exceeds 1 when noise dominates; a share above 100% means
// nothing more than that the output's variation across design points cannot be
// told from replicate noise (NoiseDominates), which long forms add in
// parentheses.
func NoiseShareText(x float64, long bool) string {
	if !math.IsNaN(x) && x > 1 {
		if long {
			return "≥100% (" + NoiseDominates + ")"
		}
		return "≥100%"
	}
	return sensPct(x)
}

// OutputNoiseText formats an output's replicate-noise share
// (NoiseShareText), falling back to the one-way upper bound ("≤ 12.3%") when
// the two-way share is unknown; "–" when neither is known (one replicate).
func OutputNoiseText(o aggregate.SensitivityOutput, long bool) string {
	switch {
	case !math.IsNaN(o.NoiseShare):
		return NoiseShareText(o.NoiseShare, long)
	case !math.IsNaN(o.WithinNoiseShare) && o.WithinNoiseShare > 1:
		return "unknown (its upper bound exceeds 100%)"
	case !math.IsNaN(o.WithinNoiseShare):
		return "≤ " + sensPct(o.WithinNoiseShare)
	}
	return "–"
}

// SensitivityTable returns every index with its interval, one row per output
// × factor, and each output's replicate-noise share.
func SensitivityTable(res *aggregate.SensitivityResult) Table {
	lvl := fmt.Sprintf("%.0f%% CI", 100*res.Level)
	t := Table{Caption: fmt.Sprintf("Sensitivity indices (%s) with %s intervals; noise = replicate-noise share of the output's variance across design points (≥100%%: %s).", res.Method, lvl, NoiseDominates)}
	switch res.Method {
	case study.SensitivitySobol:
		t.Header = []string{"output", "factor", "S1", "S1 " + lvl, "ST", "ST " + lvl, "noise"}
	case study.SensitivityMorris:
		t.Header = []string{"output", "factor", "μ*", "μ* " + lvl, "μ", "σ", "σ " + lvl, "noise"}
	default:
		t.Header = []string{"output", "factor", "PRCC", lvl, "t", "p-value", "noise"}
	}
	for _, o := range res.Outputs {
		noise := NoiseShareText(o.NoiseShare, false)
		for i, f := range res.Factors {
			row := []string{o.Output, f.Param}
			switch {
			case o.Sobol != nil:
				s := o.Sobol
				row = append(row, sensNum(s.S1[i]), sensInterval(s.S1Low[i], s.S1High[i]), sensNum(s.ST[i]), sensInterval(s.STLow[i], s.STHigh[i]))
			case o.Morris != nil:
				m := o.Morris
				row = append(row, sensNum(m.MuStar[i]), sensInterval(m.MuStarLow[i], m.MuStarHigh[i]), sensNum(m.Mu[i]), sensNum(m.Sigma[i]), sensInterval(m.SigmaLow[i], m.SigmaHigh[i]))
			case o.PRCC != nil:
				p := o.PRCC
				row = append(row, sensNum(p.Coef[i]), sensInterval(p.Low[i], p.High[i]), sensNum(p.T[i]), sensPValue(p.P[i]))
			default:
				for len(row) < len(t.Header)-1 {
					row = append(row, "–")
				}
			}
			t.Rows = append(t.Rows, append(row, noise))
		}
	}
	return t
}

// sensPanelHeight is the height of one panel with k factor rows.
func sensPanelHeight(k int) vg.Length { return vg.Length(k)*0.3*vg.Inch + 0.9*vg.Inch }

// SobolChart draws, per output, horizontal bars of the first-order (dark)
// and total (light) Sobol indices of every factor with their intervals, and a
// dashed red line at the output's replicate-noise share (indices left of it
// are indistinguishable from noise). Panels in two columns.
func SobolChart(res *aggregate.SensitivityResult) (Figure, error) {
	names := sensFactorNames(res)
	var plots []*plot.Plot
	for _, o := range res.Outputs {
		if o.Sobol == nil {
			continue
		}
		s := o.Sobol
		p := newPlot()
		p.Title.Text = sensOutputTitle(o)
		p.X.Label.Text = "Sobol index (share of output variance)"
		p.Add(vline{X: 0, Style: draw.LineStyle{Color: gray50, Width: vg.Points(0.6)}})
		p.Add(&sensBars{vals: s.S1, lo: s.S1Low, hi: s.S1High, offset: 0.18, fill: sensDark})
		p.Add(&sensBars{vals: s.ST, lo: s.STLow, hi: s.STHigh, offset: -0.18, fill: sensLight})
		if !math.IsNaN(o.NoiseShare) && o.NoiseShare > 0 {
			p.Add(vline{X: math.Min(o.NoiseShare, 1.05), Style: draw.LineStyle{Color: sensNoise, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}})
		}
		p.NominalY(names...)
		lo, hi := sensRange(0, 1, s.S1Low, s.STHigh, s.STLow, s.S1High, s.S1, s.ST)
		p.X.Min, p.X.Max = lo, hi
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return Figure{}, fmt.Errorf("sobol chart: %w", ErrNoData)
	}
	entries := []legendEntry{
		{"first-order S1", boxThumb{sensDark}},
		{"total ST", boxThumb{sensLight}},
		{fmt.Sprintf("%.0f%% bootstrap interval", 100*res.Level), lineThumb{draw.LineStyle{Color: black, Width: vg.Points(1)}}},
		{"replicate-noise share", lineThumb{draw.LineStyle{Color: sensNoise, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}}},
	}
	title := fmt.Sprintf("Sobol indices — %s / %s", res.Scenario, res.Policy)
	caption := "First-order (S1) and total (ST) Sobol indices per output with bootstrap intervals. S1: variance explained by the factor alone; ST − S1: its interactions. The dashed line marks the share of replicate noise (at the right edge when it is 100% or more: the output's variation is then indistinguishable from noise)."
	return sensRenderPanels("sensitivity_sobol", title, caption, plots, entries, len(names))
}

// MorrisChart draws, per output, the Morris μ* (x) against σ (y) of every
// factor with their bootstrap intervals, factors numbered as in the caption,
// and the line σ = μ* (above it, interactions or non-linearity dominate).
func MorrisChart(res *aggregate.SensitivityResult) (Figure, error) {
	var plots []*plot.Plot
	for _, o := range res.Outputs {
		if o.Morris == nil {
			continue
		}
		m := o.Morris
		p := newPlot()
		p.Title.Text = sensOutputTitle(o)
		p.X.Label.Text = "μ* (mean |elementary effect| per factor range)"
		p.Y.Label.Text = "σ (sd of effects)"
		p.Add(&sensMorrisPoints{m: m})
		xmin, xmax := sensRange(0, 0, m.MuStar, m.MuStarHigh)
		ymin, ymax := sensRange(0, 0, m.Sigma, m.SigmaHigh)
		if xmax <= xmin {
			xmax = xmin + 1
		}
		if ymax <= ymin {
			ymax = ymin + 1
		}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, xmax, 0, ymax
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return Figure{}, fmt.Errorf("morris chart: %w", ErrNoData)
	}
	var key []string
	for i, f := range res.Factors {
		key = append(key, fmt.Sprintf("%d = %s", i+1, f.Param))
	}
	entries := []legendEntry{
		{"factor (number)", glyphThumb{draw.GlyphStyle{Color: sensDark, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}}},
		{fmt.Sprintf("%.0f%% bootstrap intervals", 100*res.Level), lineThumb{draw.LineStyle{Color: gray50, Width: vg.Points(0.8)}}},
		{"σ = μ*", lineThumb{draw.LineStyle{Color: gray50, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}}},
	}
	title := fmt.Sprintf("Morris screening (μ*–σ) — %s / %s", res.Scenario, res.Policy)
	caption := "Morris elementary effects per output: right = influential, up = interacting or non-linear. Factors: " + strings.Join(key, "; ") + "."
	cols, rows := grid(len(plots), 2)
	height := vg.Length(rows)*3.2*vg.Inch + 0.9*vg.Inch
	return render("sensitivity_morris", title, caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
}

// PRCCChart draws, per output, a tornado chart of the partial rank
// correlation coefficients sorted by magnitude, with their intervals;
// factors significant at 5% are marked "*".
func PRCCChart(res *aggregate.SensitivityResult) (Figure, error) {
	var plots []*plot.Plot
	for _, o := range res.Outputs {
		if o.PRCC == nil {
			continue
		}
		r := o.PRCC
		k := len(res.Factors)
		order := make([]int, k)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			return sensAbs(r.Coef[order[a]]) > sensAbs(r.Coef[order[b]])
		})
		names := make([]string, k)
		v, lo, hi := make([]float64, k), make([]float64, k), make([]float64, k)
		for pos, i := range order {
			row := k - 1 - pos // largest at the top
			names[row] = res.Factors[i].Param
			if r.P[i] < 0.05 {
				names[row] += " *"
			}
			v[row], lo[row], hi[row] = r.Coef[i], r.Low[i], r.High[i]
		}
		p := newPlot()
		p.Title.Text = sensOutputTitle(o)
		p.X.Label.Text = "partial rank correlation"
		p.Add(vline{X: 0, Style: draw.LineStyle{Color: gray50, Width: vg.Points(0.6)}})
		p.Add(&sensBars{vals: v, lo: lo, hi: hi, fill: sensDark, height: 0.6, rowOrder: true})
		p.NominalY(names...)
		p.X.Min, p.X.Max = -1.05, 1.05
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return Figure{}, fmt.Errorf("prcc chart: %w", ErrNoData)
	}
	entries := []legendEntry{
		{"PRCC", boxThumb{sensDark}},
		{fmt.Sprintf("%.0f%% interval", 100*res.Level), lineThumb{draw.LineStyle{Color: black, Width: vg.Points(1)}}},
	}
	title := fmt.Sprintf("Partial rank correlations (tornado) — %s / %s", res.Scenario, res.Policy)
	caption := "PRCC of each factor with each output over a Latin hypercube, sorted by magnitude; * marks p < 0.05 (t-test). PRCC measures monotone effects only."
	return sensRenderPanels("sensitivity_prcc", title, caption, plots, entries, len(res.Factors))
}

func sensRenderPanels(id, title, caption string, plots []*plot.Plot, entries []legendEntry, k int) (Figure, error) {
	cols, rows := grid(len(plots), 2)
	height := vg.Length(rows)*sensPanelHeight(k) + 0.9*vg.Inch
	return render(id, title, caption, FigureWidth, height, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendStrip(dc, entries)
		alignPanels(dc, plots, cols)
	})
}

// sensFactorNames returns the factor names bottom to top (first factor at the top).
func sensFactorNames(res *aggregate.SensitivityResult) []string {
	k := len(res.Factors)
	names := make([]string, k)
	for i, f := range res.Factors {
		names[k-1-i] = f.Param
	}
	return names
}

func sensOutputTitle(o aggregate.SensitivityOutput) string {
	if !math.IsNaN(o.NoiseShare) {
		return fmt.Sprintf("%s (noise %s)", o.Output, NoiseShareText(o.NoiseShare, false))
	}
	return o.Output
}

func sensAbs(x float64) float64 {
	if math.IsNaN(x) {
		return -1
	}
	return math.Abs(x)
}

// sensRange returns the finite range of the values including [lo0, hi0],
// padded by 5%.
func sensRange(lo0, hi0 float64, vals ...[]float64) (float64, float64) {
	lo, hi := lo0, hi0
	for _, vs := range vals {
		for _, v := range vs {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = 0.05
	}
	return lo - pad, hi + pad
}

// sensBars draws horizontal bars from 0 to vals[i] with interval whiskers
// [lo[i], hi[i]], offset along y by offset (data units). Value i is drawn at
// row n−1−i (the first factor at the top, matching sensFactorNames), or at
// row i when rowOrder is set.
type sensBars struct {
	vals, lo, hi []float64
	offset       float64 // in y data units
	height       float64 // bar height in y data units (default 0.34)
	fill         color.Color
	rowOrder     bool
}

// Plot implements plot.Plotter.
func (b *sensBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	h := b.height
	if h == 0 {
		h = 0.34
	}
	n := len(b.vals)
	edge := draw.LineStyle{Color: gray30, Width: vg.Points(0.5)}
	whisker := draw.LineStyle{Color: black, Width: vg.Points(1)}
	for i, v := range b.vals {
		if !finite(v) {
			continue
		}
		row := float64(n - 1 - i)
		if b.rowOrder {
			row = float64(i)
		}
		y := row + b.offset
		x0, x1 := tx(0), tx(v)
		y0, y1 := ty(y-h/2), ty(y+h/2)
		rect := c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		c.FillPolygon(b.fill, rect)
		if len(rect) > 0 {
			c.StrokeLines(edge, c.ClipLinesXY(append(rect, rect[0]))...)
		}
		if finite(b.lo[i]) && finite(b.hi[i]) {
			yc, capH := ty(y), (y1-y0)/3
			l, r := tx(b.lo[i]), tx(b.hi[i])
			c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{{X: l, Y: yc}, {X: r, Y: yc}})...)
			c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{{X: l, Y: yc - capH}, {X: l, Y: yc + capH}})...)
			c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{{X: r, Y: yc - capH}, {X: r, Y: yc + capH}})...)
		}
	}
}

// DataRange implements plot.DataRanger.
func (b *sensBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = sensRange(0, 0, b.vals, b.lo, b.hi)
	return xmin, xmax, -0.5, float64(len(b.vals)) - 0.5
}

// sensMorrisPoints draws each factor's (μ*, σ) point, numbered, with
// bootstrap interval whiskers in both directions and the line σ = μ*.
type sensMorrisPoints struct{ m *gsa.MorrisIndices }

// Plot implements plot.Plotter.
func (mp *sensMorrisPoints) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	m := mp.m
	diag := draw.LineStyle{Color: gray50, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	top := math.Min(p.X.Max, p.Y.Max)
	c.StrokeLines(diag, c.ClipLinesXY([]vg.Point{{X: tx(0), Y: ty(0)}, {X: tx(top), Y: ty(top)}})...)
	ci := draw.LineStyle{Color: gray50, Width: vg.Points(0.8)}
	glyph := draw.GlyphStyle{Color: sensDark, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	label := textStyle(8, true)
	label.XAlign = draw.XLeft
	label.YAlign = draw.YBottom
	for i := range m.MuStar {
		x, y := m.MuStar[i], m.Sigma[i]
		if !finite(x) || !finite(y) {
			continue
		}
		px, py := tx(x), ty(y)
		if finite(m.MuStarLow[i]) && finite(m.MuStarHigh[i]) {
			c.StrokeLines(ci, c.ClipLinesXY([]vg.Point{{X: tx(m.MuStarLow[i]), Y: py}, {X: tx(m.MuStarHigh[i]), Y: py}})...)
		}
		if finite(m.SigmaLow[i]) && finite(m.SigmaHigh[i]) {
			c.StrokeLines(ci, c.ClipLinesXY([]vg.Point{{X: px, Y: ty(m.SigmaLow[i])}, {X: px, Y: ty(m.SigmaHigh[i])}})...)
		}
		pt := vg.Point{X: px, Y: py}
		if c.Contains(pt) {
			c.DrawGlyph(glyph, pt)
			c.FillText(label, vg.Point{X: px + vg.Points(4), Y: py + vg.Points(2)}, strconv.Itoa(i+1))
		}
	}
}

// DataRange implements plot.DataRanger.
func (mp *sensMorrisPoints) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = sensRange(0, 0, mp.m.MuStar, mp.m.MuStarHigh)
	ymin, ymax = sensRange(0, 0, mp.m.Sigma, mp.m.SigmaHigh)
	return
}
