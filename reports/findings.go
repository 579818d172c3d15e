package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// facts lists what was run.
func (b *builder) facts() [][2]string {
	in := &b.st.Info
	var f [][2]string
	add := func(k, v string) { f = append(f, [2]string{k, v}) }
	add("Study", nonEmpty(in.Name, "(unnamed)"))
	add("Directory", in.Dir)
	add("Master seed", fmt.Sprint(in.Seed))
	runs := fmt.Sprintf("%d found", in.RunsFound)
	if in.RunsPlanned > 0 {
		runs = fmt.Sprintf("%d of %d planned", in.RunsFound, in.RunsPlanned)
	}
	if in.RunsFailed > 0 {
		runs += fmt.Sprintf("; %d failed", in.RunsFailed)
	}
	add("Runs", runs)
	add("Replicates per cell", intOrUnknown(in.Replicates))
	add("Horizon", intOrUnknown(in.HorizonDays)+" days")
	add("Scenarios", strings.Join(b.scenarios(), ", "))
	add("Policies", strings.Join(in.Policies, ", "))
	if len(in.SweepParams) > 0 {
		add("Swept parameters", strings.Join(in.SweepParams, ", "))
	}
	add("Cells", fmt.Sprint(len(b.st.Cells)))
	add("Tool version", nonEmpty(in.ToolVersion, nonEmpty(b.opts.ToolVersion, "unknown")))
	add("Model", b.opts.ModelVersion)
	add("Config hash", nonEmpty(in.ConfigHash, "unknown (no manifest)"))
	if !in.Started.IsZero() {
		add("Started", in.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if !in.Finished.IsZero() {
		add("Finished", in.Finished.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	// The manifest records when the study started and finished, not how long
	// each run session was active, so the time includes the pauses between
	// an interruption and a resume.
	if in.WallSeconds > 0 {
		add(ElapsedLabel, formatDuration(in.WallSeconds))
	} else {
		add(ElapsedLabel, "unknown")
	}
	if in.ConsumerDays > 0 {
		add("Consumer-days simulated", thousands(fmt.Sprint(in.ConsumerDays)))
	}
	steps := "not recorded (no fan charts)"
	if in.StepsPresent {
		steps = fmt.Sprintf("recorded (%d part files)", in.StepsPartFiles)
	}
	add("Daily steps", steps)
	return f
}

// ElapsedLabel names the study's time from its first start to its finish in
// "What was run". It includes any pause between an interruption and a resume:
// the manifest records neither per-session start and end times nor active
// time, so the active computing time cannot be told apart.
const ElapsedLabel = "Elapsed (start to finish, including pauses)"

// alerts are the first-screen notices.
func (b *builder) alerts() []string {
	in := &b.st.Info
	var a []string
	if in.Running() {
		if in.RunsPlanned > 0 {
			a = append(a, fmt.Sprintf("This study is incomplete: %d of %d planned runs are present (still running or interrupted). Every number below covers only the runs present.", in.RunsFound, in.RunsPlanned))
		} else {
			a = append(a, "This study may be incomplete: it has no manifest saying it finished and the number of planned runs is unknown. Every number below covers only the runs present.")
		}
	}
	if in.RunsFailed > 0 {
		msg := fmt.Sprintf("%d runs failed and are missing from every table and figure.", in.RunsFailed)
		if len(in.FailedRuns) > 0 {
			shown := in.FailedRuns
			if len(shown) > 5 {
				shown = shown[:5]
			}
			msg += " First failures: " + strings.Join(shown, "; ")
			if len(in.FailedRuns) > 5 {
				msg += fmt.Sprintf("; and %d more", len(in.FailedRuns)-5)
			}
			msg += "."
		}
		a = append(a, msg)
	}
	short := 0
	for _, c := range b.st.Cells {
		if c.Expected > 0 && c.Runs < c.Expected {
			short++
		}
	}
	if short > 0 {
		a = append(a, fmt.Sprintf("%d of %d cells have fewer runs than planned.", short, len(b.st.Cells)))
	}
	return a
}

// significant reports whether the effect's interval excludes zero.
func significant(e *aggregate.Effect) bool {
	return e.N >= 2 && finite(e.Lo) && finite(e.Hi) && (e.Lo > 0 || e.Hi < 0)
}

// headlineMetric reports whether a metric may carry a headline finding.
func headlineMetric(mi model.Metric) bool {
	return mi.Better != model.Neutral && mi.LeverOnly == ""
}

// findings writes the headline sentences, one per scenario and outcome
// family: the material effect (95% interval excluding zero, size at least
// Materiality of the baseline level) of largest size
// on the family's primary metric (peg_mad, hhi_final, provider_profit_usd,
// consumer_welfare_usd); failing that, the material effect with the largest
// standardized size |mean Δ| / sd(Δ) on another metric of the family that has
// a direction and is not structurally zero under none (MetricInfo.LeverOnly);
// failing that, a sentence saying no policy moved the family.
func (b *builder) findings() []string {
	var out []string
	for _, sc := range b.scenarios() {
		for _, fam := range families {
			best, mi := b.primaryFinding(sc, fam.id)
			if best == nil {
				best, mi = b.secondaryFinding(sc, fam.id)
			}
			if best == nil {
				if b.hasEffects(sc, fam.id) {
					out = append(out, fmt.Sprintf("%s: In %s, no policy changes %s materially versus %s (every 95%% interval includes zero, or the effect is below %.0f%% of %s's level).", fam.title, sc, strings.ToLower(fam.title), aggregate.BaselinePolicy, 100*Materiality, aggregate.BaselinePolicy))
				}
				continue
			}
			out = append(out, fam.title+": "+b.sentence(best, mi))
		}
	}
	return out
}

// primaryFinding returns the largest material effect on the family's
// primary metric.
func (b *builder) primaryFinding(sc string, fam model.Family) (*aggregate.Effect, model.Metric) {
	mi, ok := b.st.MetricInfo(primaryMetric[fam])
	if !ok || !headlineMetric(mi) {
		return nil, mi
	}
	var best *aggregate.Effect
	for _, e := range b.st.EffectsOf(sc, mi.Name) {
		if material(e) && (best == nil || math.Abs(e.MeanDiff) > math.Abs(best.MeanDiff)) {
			best = e
		}
	}
	return best, mi
}

// Materiality is the smallest relative effect |Δ| / |none's mean| that a
// headline reports: significant but smaller effects are real yet too small to
// headline (they stay in the policy-effect tables).
const Materiality = 0.01

// material reports whether e is significant and at least Materiality of the
// baseline level (or the baseline level is zero).
func material(e *aggregate.Effect) bool {
	if !significant(e) {
		return false
	}
	r := e.RelDiff()
	return !finite(r) || math.Abs(r) >= Materiality
}

// secondaryFinding returns the material effect of largest standardized size
// on the family's other headline metrics (headlineMetric).
func (b *builder) secondaryFinding(sc string, fam model.Family) (*aggregate.Effect, model.Metric) {
	var best *aggregate.Effect
	var bestMI model.Metric
	bestSize := -1.0
	for _, mi := range b.familyMetrics(fam) {
		if !headlineMetric(mi) || mi.Name == primaryMetric[fam] {
			continue
		}
		for _, e := range b.st.EffectsOf(sc, mi.Name) {
			if !material(e) {
				continue
			}
			size := math.Abs(e.MeanDiff) / e.SDDiff
			if !finite(size) {
				size = math.MaxFloat64 // a constant non-zero difference
			}
			if size > bestSize {
				best, bestMI, bestSize = e, mi, size
			}
		}
	}
	return best, bestMI
}

// hasEffects reports whether any effect exists for the scenario and family.
func (b *builder) hasEffects(sc string, fam model.Family) bool {
	for _, mi := range b.familyMetrics(fam) {
		if len(b.st.EffectsOf(sc, mi.Name)) > 0 {
			return true
		}
	}
	return false
}

// MaxRelativeChange is the largest |Δ| / none's mean that is reported as a
// percentage: beyond it (more than ±1,000%) none's level is near zero on the
// scale of the effect, and the sentences and tables give the two levels
// instead.
const MaxRelativeChange = 10

// relativeChange returns Δ / none's mean, and ok false when that ratio would
// mislead: none's mean is ≤ 0 (a percentage of a loss reads backwards:
// "+331% relative to −110 million USD" is a smaller loss), it is near zero
// (|Δ| above MaxRelativeChange times it), or — for a metric that can be
// negative — none's own 95% interval of the mean reaches zero, so that its
// sign is not established.
func (b *builder) relativeChange(e *aggregate.Effect) (float64, bool) {
	if !(e.BaseMean > 0) || !finite(e.BaseMean) || !finite(e.MeanDiff) {
		return math.NaN(), false
	}
	r := e.MeanDiff / e.BaseMean
	if math.Abs(r) > MaxRelativeChange {
		return math.NaN(), false
	}
	if mi, _ := b.st.MetricInfo(e.Metric); !mi.NonNegative() {
		if d, ok := b.baselineDist(e); ok && finite(d.MeanLo) && d.MeanLo <= 0 {
			return math.NaN(), false
		}
	}
	return r, true
}

// baselineDist returns the distribution of e's metric in the baseline cell e
// was paired with (same scenario and sweep point).
func (b *builder) baselineDist(e *aggregate.Effect) (stats.Dist, bool) {
	key := SweepText(e.Sweep)
	for _, c := range b.st.CellsOf(e.Scenario) {
		if c.Policy == aggregate.BaselinePolicy && SweepText(c.Sweep) == key {
			if d, ok := c.Metric(e.Metric); ok {
				return d, true
			}
		}
	}
	return stats.Dist{}, false
}

// sentence phrases one effect: "In volatility, fund lowers mean |price − peg|
// by 0.0647 USD/CLT (95% CI 0.0531–0.0789 USD/CLT; 16 paired replicates;
// −72.6% relative to none's 0.0891 USD/CLT), an improvement." The verb
// (raises, lowers) follows the sign of Δ and the judgement the metric's
// direction: lowering a lower-is-better metric or raising a higher-is-better
// one is an improvement; a metric without a direction gets no judgement.
// Fractions are given in percent (levels) and percentage points
// (differences), annualized volatility likewise, HHI in points, USD amounts
// of a million or more in millions, billions or trillions (one scale for the
// effect and its interval), and no number in e-notation (proseNumber). The
// relative change is left out when it would mislead (relativeChange); none's
// mean is given instead.
func (b *builder) sentence(e *aggregate.Effect, mi model.Metric) string {
	verb, mag, lo, hi := "raises", e.MeanDiff, e.Lo, e.Hi
	if e.MeanDiff < 0 {
		verb, mag, lo, hi = "lowers", -e.MeanDiff, -e.Hi, -e.Lo
	}
	where := e.Scenario
	if len(e.Sweep) > 0 {
		where += " (" + SweepText(e.Sweep) + ")"
	}
	judgement := ""
	switch {
	case mi.Better == model.Neutral:
	case (mi.Better == model.LowerIsBetter) == (e.MeanDiff < 0):
		judgement = ", an improvement"
	default:
		judgement = ", a deterioration"
	}
	unit := textUnit(mi)
	base := textQuantity(e.BaseMean, unit, true, e.BaseMean)
	rel := fmt.Sprintf("; %s's mean %s", aggregate.BaselinePolicy, base)
	if r, ok := b.relativeChange(e); ok {
		rel = fmt.Sprintf("; %s%% relative to %s's %s", signedProse(100*r, 3), aggregate.BaselinePolicy, base)
	}
	better := ""
	if finite(e.FracBetter) && mi.Better != model.Neutral {
		better = fmt.Sprintf(" It does better in %.0f%% of paired replicates.", 100*e.FracBetter)
	}
	ref := math.Max(mag, math.Max(math.Abs(lo), math.Abs(hi)))
	ciLo, ciHi := textQuantity(lo, unit, false, ref), textQuantity(hi, unit, false, ref)
	return fmt.Sprintf("In %s, %s %s %s by %s (95%% CI %s–%s; %d paired replicates%s)%s.%s",
		where, e.Policy, verb, lowerFirst(nonEmpty(mi.Label, mi.Name)), textQuantity(mag, unit, false, ref),
		stripUnit(ciLo, ciHi), ciHi, e.N, rel, judgement, better)
}

// percentUnit is textUnit's unit of the metrics the catalogue marks Percent.
const percentUnit = "%"

// textUnit returns the unit in which running text states a metric:
// percentUnit for the metrics stated in percent (model.Metric.Percent:
// fractions, shares, annualized volatility), else the catalogue's unit.
func textUnit(mi model.Metric) string {
	if mi.Percent {
		return percentUnit
	}
	return mi.Unit
}
