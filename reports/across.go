package reports

import (
	"fmt"

	"github.com/tokensim/tokensim/aggregate"
)

// acrossSection draws the cross-scenario small multiples: for each outcome
// family, its key metric (keyMetricOf) as box plots with one panel per
// scenario on one shared x axis and one row per policy, so that scenarios
// and policies compare at a glance. ok is false when no family has data.
func (b *builder) acrossSection() (Section, bool, error) {
	sec := Section{ID: "across", Title: "Across scenarios",
		Intro: []string{"The key metric of each outcome family in every scenario, on shared axes: each panel is one scenario, each row one policy; boxes span the middle half of the runs (P25–P75) and whiskers P5–P95."}}
	for _, fam := range scoreFamilies {
		mi, ok := b.keyMetricOf(fam)
		if !ok {
			continue
		}
		spec := BoxSpec{ID: b.figID("across", mi.Name), Family: familyTitle(fam), SharedX: true,
			Title: fmt.Sprintf("%s: %s, by scenario and policy", familyTitle(fam), mi.Label)}
		for _, sc := range b.scenarios() {
			pn := BoxPanel{Title: scenarioLabel(sc), XLabel: withUnit(mi.Label, mi.Unit), Integer: mi.Integer}
			cells := b.st.CellsOf(sc)
			for _, c := range cells {
				if SweepText(c.Sweep) != SweepText(cells[0].Sweep) {
					continue // sweeps are shown at their first point (firstPointNote)
				}
				d, ok := c.Metric(mi.Name)
				if !ok {
					continue
				}
				pn.Boxes = append(pn.Boxes, BoxStat{Label: policyLabel(c.Policy), N: d.N, Mean: d.Mean,
					P5: d.P5, P25: d.P25, P50: d.Median, P75: d.P75, P95: d.P95})
			}
			if len(pn.Boxes) > 0 {
				spec.Panels = append(spec.Panels, pn)
			}
		}
		spec.Caption = fmt.Sprintf("%s (%s) across runs, one panel per scenario on a shared axis, one row per policy (%s is the reference): box P25–P75 with the median, whiskers P5–P95, diamond the mean.%s",
			mi.Label, nonEmpty(mi.Unit, "dimensionless"), policyLabel(aggregate.BaselinePolicy), b.firstPointNote())
		if err := sec.addFigure(boxChart(spec)); err != nil {
			return Section{}, false, err
		}
	}
	return sec, len(sec.Figures) > 0, nil
}

// firstPointNote says that sweeps are shown at their first point ("" without).
func (b *builder) firstPointNote() string {
	if len(b.st.Info.SweepParams) == 0 {
		return ""
	}
	return " With a parameter sweep, each scenario is shown at its first sweep point."
}
