package reports

import (
	"fmt"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// clipMark marks an interval end clipped for display at a natural bound.
const clipMark = "†"

// displayMeanCI formats the t-interval of a metric's mean, with an end that
// lies beyond the metric's natural range (MetricInfo.NonNegative, Max) shown
// at the bound and marked clipMark; clipped reports whether that happened.
// Only the display is clipped: the Study and summary/metrics keep the
// interval as computed.
func displayMeanCI(mi model.Metric, lo, hi float64) (text string, clipped bool) {
	if !finite(lo) || !finite(hi) {
		return "n/a", false
	}
	los, his := FormatSig(lo, 3), FormatSig(hi, 3)
	if mi.NonNegative() && lo < 0 {
		los, clipped = FormatSig(0, 3)+clipMark, true
	}
	if mi.Max() > 0 && hi > mi.Max() {
		his, clipped = FormatSig(mi.Max(), 3)+clipMark, true
	}
	return "[" + los + ", " + his + "]", clipped
}

// metricTable tabulates the family's metrics for one scenario. The stability
// table leads with the median and P5–P95 (price deviations are heavy-tailed in
// volatile regimes, so a few runs move the mean); the others lead with the
// mean and its t-interval.
func (b *builder) metricTable(sc string, metrics []model.Metric, title string, robustFirst bool) Table {
	t := Table{
		Caption: fmt.Sprintf("%s metrics across runs, scenario %s (mean with 95%% t-interval; quantiles type 7).", title, sc),
		Header:  []string{"Metric", "Unit", "Policy", "n", "Mean", "95% CI of mean", "SD", "P5", "Median", "P95"},
	}
	if robustFirst {
		t.Caption = fmt.Sprintf("%s metrics across runs, scenario %s: median and P5–P95 range of the runs first (quantiles type 7), then the mean with its 95%% t-interval; these metrics are heavy-tailed in volatile regimes, where the median and quantiles describe a typical run better than the mean.", title, sc)
		t.Header = []string{"Metric", "Unit", "Policy", "n", "Median", "P5–P95", "Mean", "95% CI of mean", "SD"}
	}
	anyClipped := false
	cells := b.cellsShown(sc)
	for _, mi := range metrics {
		for _, c := range cells {
			d, ok := c.Metric(mi.Name)
			if !ok {
				continue
			}
			ci, clipped := displayMeanCI(mi, d.MeanLo, d.MeanHi)
			anyClipped = anyClipped || clipped
			row := []string{nonEmpty(mi.Label, mi.Name), mi.Unit, cellLabel(c.Policy, c.Sweep), fmt.Sprint(d.N)}
			if robustFirst {
				row = append(row, FormatSig(d.Median, 4), interval(d.P5, d.P95), FormatSig(d.Mean, 4), ci, FormatSig(d.SD, 3))
			} else {
				row = append(row, FormatSig(d.Mean, 4), ci, FormatSig(d.SD, 3), FormatSig(d.P5, 4), FormatSig(d.Median, 4), FormatSig(d.P95, 4))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	if anyClipped {
		t.Caption += " " + clipMark + " The symmetric t-interval of the mean reaches beyond the metric's natural range (e.g. below 0 for a non-negative metric), as it can when the runs are skewed or heavy-tailed; it is shown clipped at the bound here, and summary/metrics holds the interval as computed."
	}
	t.Caption += b.truncationNote(sc)
	return t
}

// eventTable tabulates the event probabilities that belong to fam: the
// family of the metric each event is computed from (the catalogue's).
func (b *builder) eventTable(fam model.Family) (Table, bool) {
	var evs []aggregate.EventInfo
	for _, e := range b.st.Events {
		f := model.FamilyDiversity
		if mi, ok := model.LookupMetric(model.TableRuns, e.Metric); ok {
			f = mi.Family
		}
		if f == fam {
			evs = append(evs, e)
		}
	}
	if len(evs) == 0 {
		return Table{}, false
	}
	t := Table{
		Caption: "Event probabilities across runs with 95% Wilson score intervals.",
		Header:  []string{"Event", "Rule", "Scenario", "Policy", "Runs with event", "Probability", "95% Wilson interval"},
	}
	for _, e := range evs {
		for _, sc := range b.scenarios() {
			for _, c := range b.cellsShown(sc) {
				p, ok := c.Event(e.Name)
				if !ok {
					continue
				}
				t.Rows = append(t.Rows, []string{nonEmpty(e.Label, e.Name), e.Rule, sc, cellLabel(c.Policy, c.Sweep),
					fmt.Sprintf("%d / %d", p.K, p.N), fixed(p.P, 3), intervalFixed(p.Lo, p.Hi, 3)})
			}
		}
	}
	return t, len(t.Rows) > 0
}

func betterSide(d model.Direction) string {
	switch d {
	case model.LowerIsBetter:
		return "; negative is better"
	case model.HigherIsBetter:
		return "; positive is better"
	}
	return ""
}

func methodName(m string) string {
	switch m {
	case stats.MethodBCa:
		return "BCa"
	case stats.MethodPercentile:
		return "percentile"
	}
	return nonEmpty(m, "bootstrap")
}

// effectTable lists every effect of the four outcome families in a scenario.
func (b *builder) effectTable(sc string) Table {
	t := Table{ID: effectTableID(sc),
		Caption: fmt.Sprintf("Paired policy effects versus %s, scenario %s. Δ = policy − %s; * marks a 95%% interval that excludes zero. Relative Δ = Δ / %s's mean; n/a where that mean is ≤ 0, near zero (|Δ| above %d times it) or, for a metric that can be negative, not distinguishable from zero, since a percentage of such a level misleads.%s", aggregate.BaselinePolicy, sc, aggregate.BaselinePolicy, aggregate.BaselinePolicy, MaxRelativeChange, b.truncationNote(sc)),
		Header:  []string{"Family", "Metric", "Unit", "Policy", "Pairs", aggregate.BaselinePolicy + " mean", "Policy mean", "Δ mean", "95% CI of Δ", "Relative Δ", "Better in"},
	}
	for _, fam := range families {
		for _, mi := range b.familyMetrics(fam.id) {
			for _, e := range b.st.EffectsOf(sc, mi.Name) {
				if !b.shown(sc, e.Sweep) {
					continue
				}
				mark := ""
				if significant(e) {
					mark = " *"
				}
				rel := "n/a"
				if r, ok := b.relativeChange(e); ok {
					rel = signed(100*r, 3) + "%"
				}
				bi := "n/a"
				if finite(e.FracBetter) {
					bi = fmt.Sprintf("%.0f%%", 100*e.FracBetter)
				}
				t.Rows = append(t.Rows, []string{fam.title, nonEmpty(mi.Label, mi.Name), mi.Unit, cellLabel(e.Policy, e.Sweep),
					fmt.Sprint(e.N), FormatSig(e.BaseMean, 4), FormatSig(e.PolicyMean, 4), signed(e.MeanDiff, 3) + mark,
					interval(e.Lo, e.Hi), rel, bi})
			}
		}
	}
	return t
}
