package reports

import (
	"fmt"
	"math"
	"sort"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/model"
)

// fanDef says which fan variables the report draws and with which axis
// label; the section (family) and the quantity's name come from the
// variable's steps entry in the metric catalogue.
type fanDef struct {
	variable string
	ylabel   string
}

var fanDefs = []fanDef{
	{aggregate.FanPrice, "price (USD per CLT)"},
	{aggregate.FanHHI, "HHI (0–10,000)"},
	{aggregate.FanNActive, "providers (count)"},
	{aggregate.FanSatisfaction, "served / desired volume (fraction)"},
	{aggregate.FanCost, "cost (USD per Mtok)"},
}

// metric is the variable's catalogue entry (model.TableSteps).
func (fd fanDef) metric() model.Metric {
	m, _ := model.LookupMetric(model.TableSteps, fd.variable)
	return m
}

// fanFigures draws the fans of one variable in one scenario: one figure per
// sweep point (up to Options.MaxSweepPoints; one figure without sweeps),
// one panel per policy (up to Options.MaxFanSeries).
func (b *builder) fanFigures(sc string, fd fanDef) ([]Figure, error) {
	all := b.st.FansOf(sc, fd.variable)
	var keys []string
	groups := map[string][]*aggregate.Fan{}
	for _, f := range all {
		k := SweepText(f.Sweep)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	var figs []Figure
	for i, k := range keys {
		if i == b.opts.MaxSweepPoints {
			break
		}
		note := ""
		if i == 0 && len(keys) > b.opts.MaxSweepPoints {
			note = fmt.Sprintf(" Charts over time are drawn for the first %d of %d sweep points; summary/ holds all.", b.opts.MaxSweepPoints, len(keys))
		}
		fig, ok, err := b.fanFigure(sc, k, groups[k], fd, note)
		if err != nil {
			return nil, err
		}
		if ok {
			figs = append(figs, fig)
		}
	}
	return figs, nil
}

// fanFigure draws the fans of one variable in one scenario and sweep point.
func (b *builder) fanFigure(sc, point string, fans []*aggregate.Fan, fd fanDef, note string) (Figure, bool, error) {
	if len(fans) == 0 {
		return Figure{}, false, nil
	}
	total := len(fans)
	if len(fans) > b.opts.MaxFanSeries {
		fans = fans[:b.opts.MaxFanSeries]
	}
	idParts := []string{"fan", fd.variable, sc}
	if point != "" {
		for _, v := range fans[0].Sweep {
			idParts = append(idParts, shortParam(v.Param)+v.Text)
		}
	}
	spec := FanSpec{
		ID:        b.figID(idParts...),
		Scenario:  scenarioLabel(sc),
		Point:     point,
		Quantity:  fd.metric().Label,
		YLabel:    fd.ylabel,
		Reference: policyLabel(aggregate.BaselinePolicy),
		Integer:   fd.metric().Integer,
	}
	for _, f := range fans {
		s := FanSeries{Policy: shortCellLabel(f.Policy, nil)}
		s.Day = make([]float64, len(f.Days))
		for k, d := range f.Days {
			s.Day[k] = float64(d)
		}
		s.P5, s.P25, s.P50, s.P75, s.P95 = f.P5, f.P25, f.P50, f.P75, f.P95
		spec.Series = append(spec.Series, s)
	}
	switch fd.variable {
	case aggregate.FanPrice:
		spec.Band = [2]float64{b.peg * (1 - b.pegBand), b.peg * (1 + b.pegBand)}
		spec.BandLabel = fmt.Sprintf("peg band %s ± %s%%", FormatSig(b.peg, 3), FormatSig(100*b.pegBand, 3))
	case aggregate.FanHHI:
		spec.Lines = []RefLine{{1800, "HHI 1,800 (2023 Guidelines)"}, {2500, "HHI 2,500 (2010 Guidelines)"}}
	}
	n := 0
	for _, f := range fans {
		for _, x := range f.N {
			n = max(n, x)
		}
	}
	where := "scenario " + scenarioLabel(sc)
	if point != "" {
		where += " at " + point
	}
	spec.Caption = fmt.Sprintf("%s per day across runs (up to %d runs per day and cell), %s: median with P25–P75 and P5–P95 bands of the runs, one panel per policy; the dashed line repeats %s's median.",
		fd.metric().Label, n, where, spec.Reference)
	if spec.BandLabel != "" {
		spec.Caption += " Shaded: the " + spec.BandLabel + "."
	}
	if total > len(fans) {
		spec.Caption += fmt.Sprintf(" Showing the first %d of %d policies; the tables hold all.", len(fans), total)
	}
	spec.Caption += note
	return chartResult(fanChart(spec))
}

// boxFigure draws the key metrics of a family in one scenario as box plots.
func (b *builder) boxFigure(sc string, fam model.Family, title string) (Figure, bool, error) {
	cells := b.cellsShown(sc)
	spec := BoxSpec{ID: b.figID("dist", string(fam), sc), Scenario: scenarioLabel(sc), Family: title}
	for _, name := range b.boxMetrics(fam) {
		label, unit := b.metricLabel(name)
		mi, _ := b.st.MetricInfo(name)
		pn := BoxPanel{Title: label, XLabel: withUnit(label, unit), Integer: mi.Integer}
		for _, c := range cells {
			d, ok := c.Metric(name)
			if !ok {
				continue
			}
			pn.Boxes = append(pn.Boxes, BoxStat{Label: shortCellLabel(c.Policy, c.Sweep), N: d.N, Mean: d.Mean,
				P5: d.P5, P25: d.P25, P50: d.Median, P75: d.P75, P95: d.P95})
		}
		spec.Panels = append(spec.Panels, pn)
	}
	spec.Caption = fmt.Sprintf("%s metrics across runs, scenario %s: box P25–P75 with the median, whiskers P5–P95, diamond the mean; one row per policy%s.%s", title, scenarioLabel(sc), b.sweepNote(), b.truncationNote(sc))
	return chartResult(boxChart(spec))
}

// MaxHeatmapValues is the largest number of values per swept parameter that
// a heatmap shows (its cells are annotated, so they must stay legible).
const MaxHeatmapValues = 12

// heatSpec collects the grid of one metric's cell means.
func (b *builder) heatSpec(sc, pol, metric string, params []string) (HeatSpec, bool) {
	type key struct{ x, y string }
	vals := map[key]float64{}
	xs, ys := map[string]float64{}, map[string]float64{}
	first := map[string]string{}
	for _, c := range b.st.CellsOf(sc) {
		if c.Policy != pol {
			continue
		}
		var x, y string
		var xv, yv float64
		skip := false
		for _, sv := range c.Sweep {
			switch sv.Param {
			case params[0]:
				x, xv = sv.Text, sv.Value
			case params[1]:
				y, yv = sv.Text, sv.Value
			default:
				if f, ok := first[sv.Param]; !ok {
					first[sv.Param] = sv.Text
				} else if f != sv.Text {
					skip = true
				}
			}
		}
		if skip || x == "" || y == "" {
			continue
		}
		d, ok := c.Metric(metric)
		if !ok {
			continue
		}
		xs[x], ys[y] = xv, yv
		vals[key{x, y}] = d.Mean
	}
	// A heatmap needs a grid: 2–MaxHeatmapValues values per axis and at least
	// half of the grid's points present (a sensitivity design is no grid).
	if len(xs) < 2 || len(ys) < 2 || len(xs) > MaxHeatmapValues || len(ys) > MaxHeatmapValues || 2*len(vals) < len(xs)*len(ys) {
		return HeatSpec{}, false
	}
	order := func(m map[string]float64) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Slice(out, func(i, j int) bool {
			a, b := m[out[i]], m[out[j]]
			if finite(a) && finite(b) && a != b {
				return a < b
			}
			return out[i] < out[j]
		})
		return out
	}
	spec := HeatSpec{ID: b.figID("heat", metric, sc, pol), Scenario: scenarioLabel(sc), Policy: policyLabel(pol), XParam: params[0], YParam: params[1], X: order(xs), Y: order(ys)}
	label, unit := b.metricLabel(metric)
	spec.Metric, spec.Unit = label+", mean of runs", nonEmpty(unit, "dimensionless")
	spec.Z = make([][]float64, len(spec.Y))
	for r, y := range spec.Y {
		spec.Z[r] = make([]float64, len(spec.X))
		for c, x := range spec.X {
			v, ok := vals[key{x, y}]
			if !ok {
				v = math.NaN()
			}
			spec.Z[r][c] = v
		}
	}
	spec.Caption = fmt.Sprintf("Mean %s across runs at each sweep point of %s × %s, scenario %s, policy %s; darker is higher, n/a marks a point without runs.", lowerFirst(label), params[0], params[1], scenarioLabel(sc), policyLabel(pol))
	return spec, true
}
