package reports

import (
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// Verdict is the scorecard's judgement of one paired effect.
type Verdict int

// Verdicts, from the 95% interval of the paired effect and the metric's
// direction (model.Metric.Better).
const (
	// VerdictNone: no estimate (too few pairs or the metric is absent).
	VerdictNone Verdict = iota
	// VerdictUnclear: the interval includes zero.
	VerdictUnclear
	// VerdictNegligible: the interval excludes zero but the effect is below
	// Materiality of the reference level.
	VerdictNegligible
	// VerdictBetter: the interval excludes zero on the metric's better side.
	VerdictBetter
	// VerdictWorse: the interval excludes zero on the worse side.
	VerdictWorse
)

// Symbol and Word are how a verdict reads without colour (greyscale print,
// screen readers): a mark and a word.
func (v Verdict) Symbol() string {
	return [...]string{"–", "?", "≈", "✓", "✗"}[v]
}

// Word returns the verdict in one word.
func (v Verdict) Word() string {
	return [...]string{"no estimate", "unclear", "no real change", "better", "worse"}[v]
}

// Class is the verdict's CSS class (colour and hatching of the cell).
func (v Verdict) Class() string {
	return [...]string{"v-none", "v-unclear", "v-flat", "v-better", "v-worse"}[v]
}

// ScoreEntry is one cell of the scorecard: the paired effect of one policy
// versus none on one family's key metric in one scenario.
type ScoreEntry struct {
	Scenario, Policy string
	Family           model.Family
	Metric           model.Metric
	// Median is true when Diff is the median of the paired differences with
	// its order-statistic interval (stats.MedianCI), used for heavy-tailed
	// metrics; else Diff is their mean with the study's bootstrap interval.
	Median       bool
	Diff, Lo, Hi float64
	N            int
	// Base is none's level on the same statistic (median or mean).
	Base    float64
	Verdict Verdict
}

// Statistic names the entry's statistic in words.
func (e *ScoreEntry) Statistic() string { return statisticWord(e.Median) }

// statisticWord names the scorecard's statistic: "median" for the median
// paired difference (heavy-tailed metrics), else "mean".
func statisticWord(median bool) string {
	if median {
		return "median"
	}
	return "mean"
}

// scoreFamilies are the scorecard's outcome families, in column order.
var scoreFamilies = []model.Family{model.FamilyStability, model.FamilyDiversity, model.FamilyProfitability, model.FamilyConsumers}

// keyMetricOf returns the key metric of fam present in the study: the
// catalogue's (model.KeyMetric), else the first metric of the family with a
// direction that applies without a lever (headlineMetric).
func (b *builder) keyMetricOf(fam model.Family) (model.Metric, bool) {
	present := func(name string) bool { _, ok := b.st.MetricInfo(name); return ok }
	if m, ok := model.KeyMetric(fam, present); ok {
		mi, _ := b.st.MetricInfo(m.Name)
		return mi, true
	}
	for _, mi := range b.familyMetrics(fam) {
		if headlineMetric(mi) {
			return mi, true
		}
	}
	return model.Metric{}, false
}

// scorePolicies returns the policies compared with none, in study order.
func (b *builder) scorePolicies() []string {
	seen := map[string]bool{aggregate.BaselinePolicy: true}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range b.st.Info.Policies {
		add(p)
	}
	for _, c := range b.st.Cells {
		add(c.Policy)
	}
	return out
}

// scoreEntry computes one scorecard cell at the scenario's first sweep point:
// for a HeavyTailed metric the median paired difference with its
// distribution-free interval, else the mean paired difference with the
// study's bootstrap interval (aggregate.Effect).
func (b *builder) scoreEntry(sc, pol string, mi model.Metric) ScoreEntry {
	e := ScoreEntry{Scenario: sc, Policy: pol, Family: mi.Family, Metric: mi, Median: mi.HeavyTailed,
		Diff: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Base: math.NaN()}
	var base, cell *aggregate.CellStats
	for _, c := range b.st.CellsOf(sc) {
		if c.Policy == aggregate.BaselinePolicy && base == nil {
			base = c
		}
	}
	if base == nil {
		return e
	}
	key := SweepText(base.Sweep)
	for _, c := range b.st.CellsOf(sc) {
		if c.Policy == pol && SweepText(c.Sweep) == key {
			cell = c
			break
		}
	}
	if cell == nil {
		return e
	}
	if e.Median {
		d := b.st.PairedDifferences(cell.Cell, base.Cell, mi.Name)
		e.N = len(d)
		e.Diff, e.Lo, e.Hi = stats.MedianCI(d, 0.95)
		if bd, ok := base.Metric(mi.Name); ok {
			e.Base = bd.Median
		}
	} else {
		for _, ef := range b.st.EffectsOf(sc, mi.Name) {
			if ef.Policy == pol && SweepText(ef.Sweep) == key {
				e.N, e.Diff, e.Lo, e.Hi, e.Base = ef.N, ef.MeanDiff, ef.Lo, ef.Hi, ef.BaseMean
				break
			}
		}
	}
	e.Verdict = verdictOf(e.Diff, e.Lo, e.Hi, e.Base, mi.Better)
	return e
}

// verdictOf judges an effect diff with interval [lo, hi] against the
// reference level base: unclear when the interval includes zero, negligible
// when |diff| < Materiality·|base|, else better or worse by the direction.
func verdictOf(diff, lo, hi, base float64, better model.Direction) Verdict {
	switch {
	case !finite(diff) || !finite(lo) || !finite(hi):
		return VerdictNone
	case lo <= 0 && hi >= 0:
		return VerdictUnclear
	case finite(base) && base != 0 && math.Abs(diff) < Materiality*math.Abs(base):
		return VerdictNegligible
	case better == model.Neutral:
		return VerdictUnclear
	case (diff > 0) == (better == model.HigherIsBetter):
		return VerdictBetter
	}
	return VerdictWorse
}

// Scorecard is the first screen's lever × scenario grid.
type Scorecard struct {
	Scenarios []model.Described
	Policies  []model.Described
	Families  []ScoreFamily
	// Entries[p][f][s] is policy p, family f, scenario s.
	Entries [][][]ScoreEntry
	Note    string // the sweep point used, when the study sweeps
}

// ScoreFamily is one family row of the scorecard: its key metric.
type ScoreFamily struct {
	Title  string
	Metric model.Metric
}

// Statistic names the family's statistic in words (ScoreEntry.Statistic):
// "median" when its key metric is heavy-tailed, else "mean".
func (f ScoreFamily) Statistic() string { return statisticWord(f.Metric.HeavyTailed) }

// scorecard computes the scorecard (ok false without policy effects).
func (b *builder) scorecard() (Scorecard, bool) {
	var s Scorecard
	if len(b.st.Effects) == 0 {
		return s, false
	}
	for _, fam := range scoreFamilies {
		if mi, ok := b.keyMetricOf(fam); ok {
			s.Families = append(s.Families, ScoreFamily{Title: familyTitle(fam), Metric: mi})
		}
	}
	scen := b.scenarios()
	for _, sc := range scen {
		d, _ := model.DescribeScenario(sc)
		s.Scenarios = append(s.Scenarios, d)
	}
	for _, pol := range b.scorePolicies() {
		d, _ := model.DescribePolicy(pol)
		s.Policies = append(s.Policies, d)
		rows := make([][]ScoreEntry, len(s.Families))
		for f, fam := range s.Families {
			for _, sc := range scen {
				rows[f] = append(rows[f], b.scoreEntry(sc, pol, fam.Metric))
			}
		}
		s.Entries = append(s.Entries, rows)
	}
	if len(b.st.Info.SweepParams) > 0 {
		s.Note = "The study sweeps parameters; the scorecard shows each scenario's first sweep point (the tables below hold every point)."
	}
	return s, len(s.Families) > 0 && len(s.Policies) > 0
}

// familyTitle is the display title of a family.
func familyTitle(fam model.Family) string {
	for _, f := range families {
		if f.id == fam {
			return f.title
		}
	}
	return string(fam)
}

// EffectText formats an entry's effect and interval for the scorecard:
// "−0.0121 USD/CLT (−0.02 to −0.005)" in the units of running text
// (percentage points for shares).
func (e *ScoreEntry) EffectText() string {
	if !finite(e.Diff) {
		return "" // the verdict's word says "no estimate"
	}
	unit := textUnit(e.Metric)
	ref := math.Max(math.Abs(e.Diff), math.Max(math.Abs(e.Lo), math.Abs(e.Hi)))
	d := scoreQuantity(e.Diff, unit, ref, true)
	if !finite(e.Lo) || !finite(e.Hi) {
		return d
	}
	return d + " (" + scoreQuantity(e.Lo, unit, ref, false) + " to " + scoreQuantity(e.Hi, unit, ref, false) + ")"
}

// effectPhrase is EffectText for a sentence: "−0.0121 USD/CLT, 95% CI
// −0.02 to −0.005".
func (e *ScoreEntry) effectPhrase() string {
	t := e.EffectText()
	if i := strings.Index(t, " ("); i > 0 && strings.HasSuffix(t, ")") {
		return t[:i] + ", 95% CI " + t[i+2:len(t)-1]
	}
	return t
}

// scoreQuantity is a compact textQuantity: "pp" for percentage points, the
// unit only on the effect (withUnit) and not on the interval ends.
func scoreQuantity(v float64, unit string, ref float64, withUnit bool) string {
	s := textQuantity(v, unit, false, ref)
	if unit == percentUnit {
		s = proseNumber(100*v, 2) + " pp"
	}
	if v > 0 {
		s = "+" + s
	}
	if !withUnit {
		s = stripUnitWords(s, unit, ref)
	}
	return s
}

// stripUnitWords drops the unit words that textQuantity appends for unit
// at scale ref ("pp", "HHI points", "million USD", "USD/CLT"), keeping the
// number (which may itself contain spaces: "2.3 × 10⁻⁷").
func stripUnitWords(s, unit string, ref float64) string {
	// A probe at ref's power of ten, kept in [1, 10¹¹] so that its number
	// is positional: the words after its first space are the unit words.
	x := math.Pow(10, math.Floor(math.Log10(math.Abs(ref))))
	if !finite(x) || x < 1 {
		x = 1
	}
	probe := textQuantity(math.Min(x, 1e11), unit, false, ref)
	if unit == percentUnit {
		probe = "1 pp"
	}
	if i := strings.IndexByte(probe, ' '); i > 0 {
		return strings.TrimSuffix(s, probe[i:])
	}
	return s
}

// scorecardRule states how the scorecard and the headline sentences judge an
// effect (the method notes repeat it).
func scorecardRule() string {
	return fmt.Sprintf("Each cell compares a policy with no policy in the same scenario, run by run: both runs of a replicate see the same market shocks and consumers (common random numbers), so their difference isolates the policy. For heavy-tailed metrics (a few runs dominate the mean; the metric catalogue marks them) the cell shows the median of the paired differences with its distribution-free 95%% interval (order statistics of the sign test); for the others, the mean paired difference with its 95%% bootstrap interval. ✓ better / ✗ worse: the interval excludes zero, on the metric's better or worse side. ≈ no real change: the interval excludes zero but the effect is under %.0f%% of the no-policy level. ? unclear: the interval includes zero.", 100*Materiality)
}

// ScorecardCSV is the file under figures/ holding the scorecard's numbers.
const ScorecardCSV = "scorecard.csv"

// Headline is one plain-language headline sentence with the anchor of the
// table that holds its numbers.
type Headline struct {
	Text string
	Link string // "#tab-…"
}

// headlines states, per scenario and policy, which outcome families the
// policy makes better or worse (scorecard verdicts ✓ and ✗) and which it
// leaves unclear or unchanged, in one sentence linked to the scenario's
// policy-effect table. The rule is stated in the method notes
// (scorecardRule and headlineRule).
func (b *builder) headlines(s Scorecard) []Headline {
	var out []Headline
	for si, sc := range s.Scenarios {
		for pi, pol := range s.Policies {
			var better, worse, flat []string
			for fi, fam := range s.Families {
				e := s.Entries[pi][fi][si]
				name := strings.ToLower(fam.Title) + " (" + e.Statistic() + " change in " + lowerFirst(fam.Metric.Label) + " " + e.effectPhrase() + ")"
				switch e.Verdict {
				case VerdictBetter:
					better = append(better, name)
				case VerdictWorse:
					worse = append(worse, name)
				default:
					flat = append(flat, strings.ToLower(fam.Title))
				}
			}
			var sb strings.Builder
			fmt.Fprintf(&sb, "%s: %s ", sc.Label, pol.Label)
			switch {
			case len(better) > 0 && len(worse) > 0:
				fmt.Fprintf(&sb, "improves %s but worsens %s", joinAnd(better), joinAnd(worse))
			case len(better) > 0:
				fmt.Fprintf(&sb, "improves %s at no measurable cost", joinAnd(better))
			case len(worse) > 0:
				fmt.Fprintf(&sb, "improves nothing and worsens %s", joinAnd(worse))
			default:
				sb.WriteString("changes none of the four outcomes measurably")
			}
			if len(flat) > 0 && (len(better) > 0 || len(worse) > 0) {
				fmt.Fprintf(&sb, "; no clear change in %s", joinAnd(flat))
			}
			sb.WriteString(".")
			out = append(out, Headline{Text: sb.String(), Link: "#" + effectTableID(sc.Name)})
		}
	}
	return out
}

// effectTableID is the anchor of a scenario's policy-effect table.
func effectTableID(scenario string) string { return "tab-effects-" + slug(scenario) }

// slug keeps [a-z0-9-] of s (others become '-').
func slug(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('-')
		}
	}
	return sb.String()
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// headlineRule states how the headline sentences are chosen.
func headlineRule() string {
	return "Headline sentences: one per scenario and policy, in study order, read off the scorecard: the outcome families whose key metric the policy makes better (✓) or worse (✗), with the effect and its 95% interval, and the families with no clear change (? or ≈). Heavy-tailed metrics enter through their median paired difference, the others through their mean paired difference. Each sentence links to the scenario's table of every paired effect."
}

// scorecardCSV is the scorecard as CSV (one row per cell).
func scorecardCSV(s Scorecard) []byte {
	var buf strings.Builder
	w := csv.NewWriter(&buf)
	w.Write([]string{"scenario", "policy", "family", "metric", "statistic", "effect", "lo95", "hi95", "pairs", "none_level", "verdict"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for pi, pol := range s.Policies {
		for fi, fam := range s.Families {
			for si, sc := range s.Scenarios {
				e := s.Entries[pi][fi][si]
				w.Write([]string{sc.Name, pol.Name, string(fam.Metric.Family), fam.Metric.Name, e.Statistic(), f(e.Diff), f(e.Lo), f(e.Hi), strconv.Itoa(e.N), f(e.Base), e.Verdict.Word()})
			}
		}
	}
	w.Flush()
	return []byte(buf.String())
}

// overview fills the report's first screen: the lead paragraph, the
// scorecard with its headline sentences and CSV, and the trade-off figure.
func (b *builder) overview(r *Report) error {
	in := &b.st.Info
	r.Lead = fmt.Sprintf("What was run: %s simulated runs of %s days of a common token (CLT) that consumers use to pay LLM API providers — every policy below in every scenario below, %s replicates each. Each replicate meets the same random market under every policy, so policies are compared run by run.",
		thousands(fmt.Sprint(in.RunsFound)), intOrUnknown(in.HorizonDays), intOrUnknown(in.Replicates))
	s, ok := b.scorecard()
	if !ok {
		return nil
	}
	r.Scorecard = &s
	r.Headlines = b.headlines(s)
	fig, ok, err := b.tradeoffFigure(s)
	if err != nil {
		return err
	}
	if ok {
		r.Overview = append(r.Overview, fig)
	}
	return nil
}
