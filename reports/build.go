package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// Options controls Build and Write.
type Options struct {
	// ModelVersion is named in the method notes; default "MODEL-SPEC v1".
	ModelVersion string
	// ToolVersion overrides the study's recorded tool version in the page
	// footer when the study has none.
	ToolVersion string
	// Extra sections (e.g. the sensitivity study's) are placed after the policy
	// effects and before the method notes, in the given order.
	Extra []Section
	// MaxFanSeries bounds the panels of one fan chart (policies of a scenario
	// and sweep point); the first MaxFanSeries are drawn and the caption says
	// so. Default 12.
	MaxFanSeries int
	// MaxSweepPoints bounds the sweep points (or sensitivity design points)
	// shown per scenario in the charts over time, box plots, per-cell tables
	// and policy-effect charts and tables: the first ones in study order; the
	// text says so and summary/ holds all. Heatmaps cover the whole sweep.
	// Default 6.
	MaxSweepPoints int
	// SVG controls whether figures/*.svg are written next to the PNGs (default
	// true via DefaultOptions).
	SVG bool
}

// DefaultOptions returns the defaults documented on Options.
func DefaultOptions() Options {
	return Options{ModelVersion: "MODEL-SPEC v1", MaxFanSeries: 12, MaxSweepPoints: 6, SVG: true}
}

// Report is the content of report.html before rendering: what Build computes
// from a study and Render turns into HTML.
type Report struct {
	Title    string
	Facts    [][2]string // "what was run": label, value
	Alerts   []string    // first-screen notices: incomplete study, failed runs
	Warnings []string    // non-fatal problems reported by the aggregation
	Findings []string    // headline findings, one sentence each
	Sections []Section   // stability … method notes, in page order
	Config   string      // resolved configuration text
	Footer   string
}

// Figures returns every figure of the report in page order.
func (r *Report) Figures() []Figure {
	var out []Figure
	for _, s := range r.Sections {
		out = append(out, s.Figures...)
	}
	return out
}

// Family display order and titles.
var families = []struct {
	id    model.Family
	title string
}{
	{model.FamilyStability, "Stability"},
	{model.FamilyDiversity, "Diversity"},
	{model.FamilyProfitability, "Profitability"},
	{model.FamilyConsumers, "Consumers"},
}

// keyMetrics are the metrics drawn as box plots per family (those present).
var keyMetrics = map[model.Family][]string{
	model.FamilyStability:     {"peg_mad", "realized_vol_annual", "days_outside_band_frac", "max_drawdown"},
	model.FamilyDiversity:     {"hhi_final", "top_share_final", "effective_n_final", "n_active_final"},
	model.FamilyProfitability: {"provider_profit_usd", "profitable_frac", "revenue_cv", "fund_pnl_usd"},
	model.FamilyConsumers:     {"satisfaction", "mean_cost_usd_per_mtok", "deferred_frac", "cost_volatility"},
}

// primaryMetric is the metric of each family in the policy-effect chart.
var primaryMetric = map[model.Family]string{
	model.FamilyStability:     "peg_mad",
	model.FamilyDiversity:     "hhi_final",
	model.FamilyProfitability: "provider_profit_usd",
	model.FamilyConsumers:     "satisfaction",
}

// fanDef says how a fan variable is drawn and in which section.
type fanDef struct {
	variable         string
	family           model.Family
	quantity, ylabel string
}

var fanDefs = []fanDef{
	{aggregate.FanPrice, model.FamilyStability, "Token price", "price (USD per CLT)"},
	{aggregate.FanHHI, model.FamilyDiversity, "Concentration (HHI)", "HHI (0–10,000)"},
	{aggregate.FanNActive, model.FamilyDiversity, "Active providers", "providers (count)"},
	{aggregate.FanSatisfaction, model.FamilyConsumers, "Consumer satisfaction", "served / desired volume (fraction)"},
	{aggregate.FanCost, model.FamilyConsumers, "Consumer cost", "cost (USD per Mtok)"},
}

// Build computes the report of st: figures, tables and text. It fails only when
// st is nil, has no cells, or the context is cancelled; figures without data
// are left out (their absence is stated in the section text).
func Build(ctx context.Context, st *aggregate.Study, opts Options) (*Report, error) {
	if st == nil {
		return nil, fmt.Errorf("reports: nil study")
	}
	if len(st.Cells) == 0 {
		return nil, fmt.Errorf("reports: study %s has no cells: %w", st.Info.Dir, aggregate.ErrNoRuns)
	}
	if opts.ModelVersion == "" {
		opts.ModelVersion = "MODEL-SPEC v1"
	}
	if opts.MaxFanSeries <= 0 {
		opts.MaxFanSeries = 12
	}
	if opts.MaxSweepPoints <= 0 {
		opts.MaxSweepPoints = 6
	}
	b := &builder{st: st, opts: opts, ids: map[string]int{}, points: map[string]map[string]bool{}}
	b.peg, b.pegBand = pegOf(&st.Info)
	r := &Report{
		Title:    "tokensim report: " + nonEmpty(st.Info.Name, "study"),
		Facts:    b.facts(),
		Alerts:   b.alerts(),
		Warnings: st.Warnings,
		Findings: b.findings(),
		Config:   string(st.Info.Config),
	}
	ver := nonEmpty(st.Info.ToolVersion, opts.ToolVersion)
	r.Footer = fmt.Sprintf("Written by tokensim %s (%s), schema %d.", nonEmpty(ver, "(unknown version)"), opts.ModelVersion, st.Info.SchemaVersion)
	for _, fam := range families {
		sec, err := b.familySection(ctx, fam.id, fam.title)
		if err != nil {
			return nil, err
		}
		r.Sections = append(r.Sections, sec)
	}
	if sec, ok := b.otherSection(); ok {
		r.Sections = append(r.Sections, sec)
	}
	sec, err := b.effectsSection(ctx)
	if err != nil {
		return nil, err
	}
	r.Sections = append(r.Sections, sec)
	if sec, ok, err := b.sweepSection(ctx); err != nil {
		return nil, err
	} else if ok {
		r.Sections = append(r.Sections, sec)
	}
	r.Sections = append(r.Sections, opts.Extra...)
	r.Sections = append(r.Sections, b.methodSection())
	return r, nil
}

// builder carries the study through Build.
type builder struct {
	st           *aggregate.Study
	opts         Options
	peg, pegBand float64
	ids          map[string]int
	points       map[string]map[string]bool // scenario → shown sweep points
}

// pegOf returns the study's peg and peg band (StudyInfo.Peg, PegBand), or the
// model defaults (MODEL-SPEC §7) when the aggregate does not carry them.
func pegOf(in *dataset.StudyInfo) (peg, band float64) {
	def := model.Default()
	peg, band = def.Market.Peg, def.Metrics.PegBand
	if in.Peg > 0 {
		peg = in.Peg
	}
	if in.PegBand > 0 {
		band = in.PegBand
	}
	return peg, band
}

// figID returns a unique file stem made of the parts.
func (b *builder) figID(parts ...string) string {
	var sb strings.Builder
	for i, p := range parts {
		if i > 0 {
			sb.WriteByte('_')
		}
		for _, r := range strings.ToLower(p) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
				sb.WriteRune(r)
			default:
				sb.WriteByte('-')
			}
		}
	}
	id := sb.String()
	if id == "" {
		id = "figure"
	}
	b.ids[id]++
	if n := b.ids[id]; n > 1 {
		id = fmt.Sprintf("%s-%d", id, n)
	}
	return id
}

// scenarios returns the scenarios in study order (those with cells).
func (b *builder) scenarios() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range b.st.Info.Scenarios {
		if !seen[s] && len(b.st.CellsOf(s)) > 0 {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, c := range b.st.Cells {
		if !seen[c.Scenario] {
			seen[c.Scenario] = true
			out = append(out, c.Scenario)
		}
	}
	return out
}

// SweepText renders a sweep point as "param=value, …" ("" without sweeps).
func SweepText(sv []dataset.SweepValue) string {
	parts := make([]string, len(sv))
	for i, v := range sv {
		parts[i] = v.Param + "=" + v.Text
	}
	return strings.Join(parts, ", ")
}

// shortSweepText renders a sweep point with the last component of each
// parameter path ("cap=0.3, effect=0.8"), for figure labels; captions and
// tables use SweepText.
func shortSweepText(sv []dataset.SweepValue) string {
	parts := make([]string, len(sv))
	for i, v := range sv {
		name := v.Param
		if j := strings.LastIndexByte(name, '.'); j >= 0 {
			name = name[j+1:]
		}
		parts[i] = name + "=" + v.Text
	}
	return strings.Join(parts, ", ")
}

// shortCellLabel is cellLabel with shortSweepText.
func shortCellLabel(policy string, sv []dataset.SweepValue) string {
	if len(sv) == 0 {
		return policy
	}
	return policy + " · " + shortSweepText(sv)
}

// cellLabel is the policy, plus the sweep point when there is one.
func cellLabel(policy string, sv []dataset.SweepValue) string {
	if len(sv) == 0 {
		return policy
	}
	return policy + " · " + SweepText(sv)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// withUnit returns "label (unit)" or label when unit is empty.
func withUnit(label, unit string) string {
	switch {
	case unit == "":
		return label
	case strings.ContainsAny(unit, "()"):
		return label + ", " + unit
	}
	return label + " (" + unit + ")"
}

// metricLabel returns the label and unit of a metric.
func (b *builder) metricLabel(name string) (label, unit string) {
	if mi, ok := b.st.MetricInfo(name); ok {
		return nonEmpty(mi.Label, name), mi.Unit
	}
	return name, ""
}

// familyMetrics returns the metrics of a family in study order.
func (b *builder) familyMetrics(fam model.Family) []model.Metric {
	var out []model.Metric
	for _, m := range b.st.Metrics {
		if m.Family == fam {
			out = append(out, m)
		}
	}
	return out
}

// boxMetrics returns up to four metrics of fam to draw as box plots.
func (b *builder) boxMetrics(fam model.Family) []string {
	var out []string
	for _, name := range keyMetrics[fam] {
		if _, ok := b.st.MetricInfo(name); ok {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		for _, m := range b.familyMetrics(fam) {
			if len(out) == 4 {
				break
			}
			out = append(out, m.Name)
		}
	}
	return out
}

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

func intOrUnknown(n int) string {
	if n <= 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

// formatDuration renders seconds as "1 h 02 min", "3 min 05 s" or "12.3 s".
func formatDuration(s float64) string {
	switch {
	case s >= 3600:
		h := int(s / 3600)
		return fmt.Sprintf("%d h %02d min", h, int(s-float64(h)*3600)/60)
	case s >= 60:
		m := int(s / 60)
		return fmt.Sprintf("%d min %02d s", m, int(s)-m*60)
	}
	return fmt.Sprintf("%.1f s", s)
}

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
// satisfaction); failing that, the material effect with the largest
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

// fractionUnits are the units whose values are fractions in [0, 1].
var fractionUnits = map[string]bool{"fraction": true, "share": true, "fraction of days": true, "fraction of providers": true}

// percentMetrics are metrics in other units that running text states in
// percent: annualized volatility is quoted as a percentage (0.8 per year is
// "80% annualized volatility").
var percentMetrics = map[string]bool{"realized_vol_annual": true}

// textUnit returns the unit in which running text states a metric.
func textUnit(mi model.Metric) string {
	if percentMetrics[mi.Name] {
		return "fraction"
	}
	return mi.Unit
}

// textQuantity formats v with its unit for running text: fractions as
// percentages (level) or percentage points (difference), HHI as points, USD
// amounts in millions, billions or trillions when ref (the largest magnitude
// stated together with v, so that an effect and its interval share one scale)
// reaches a million. Numbers never use e-notation (proseNumber).
func textQuantity(v float64, unit string, level bool, ref float64) string {
	switch {
	case fractionUnits[unit]:
		if level {
			return proseNumber(100*v, 3) + "%"
		}
		return proseNumber(100*v, 3) + " percentage points"
	case strings.HasPrefix(unit, "HHI"):
		return proseNumber(v, 3) + " HHI points"
	case unit == "USD":
		switch r := math.Abs(ref); {
		case r >= 1e12:
			return proseNumber(v/1e12, 3) + " trillion USD"
		case r >= 1e9:
			return proseNumber(v/1e9, 3) + " billion USD"
		case r >= 1e6:
			return proseNumber(v/1e6, 3) + " million USD"
		}
	case unit == "":
		return proseNumber(v, 3)
	}
	return proseNumber(v, 3) + " " + unit
}

// proseNumber formats v with n significant digits for running text: never in
// e-notation. Magnitudes from 10⁻⁶ to below 10¹² are positional
// ("0.0000232", "12,300"), larger ones in trillions ("2.50 trillion"), and
// smaller ones as a power of ten ("2.32 × 10⁻⁷"); minus is U+2212.
func proseNumber(v float64, n int) string {
	a := math.Abs(v)
	switch {
	case !finite(v) || v == 0:
		return FormatSig(v, n)
	case a >= 1e12:
		return decimalSig(v/1e12, n) + " trillion"
	case a >= 1e-6:
		return decimalSig(v, n)
	}
	es := strconv.FormatFloat(v, 'e', n-1, 64)
	i := strings.IndexByte(es, 'e')
	exp, _ := strconv.Atoi(es[i+1:])
	return minusSign(es[:i]) + " × 10" + superscript(exp)
}

// superscript writes an integer in Unicode superscript digits.
func superscript(k int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var sb strings.Builder
	if k < 0 {
		sb.WriteRune('⁻')
		k = -k
	}
	for _, c := range strconv.Itoa(k) {
		sb.WriteRune(sup[c-'0'])
	}
	return sb.String()
}

// stripUnit drops the unit words of lo that it shares with hi ("1.2 million
// USD" before "3.4 million USD" becomes "1.2"), so that an interval reads
// "1.2–3.4 million USD".
func stripUnit(lo, hi string) string {
	li, hi2 := strings.IndexByte(lo, ' '), strings.IndexByte(hi, ' ')
	if li > 0 && hi2 > 0 && lo[li:] == hi[hi2:] {
		return lo[:li]
	}
	if strings.HasSuffix(lo, "%") && strings.HasSuffix(hi, "%") {
		return strings.TrimSuffix(lo, "%")
	}
	return lo
}

// signed formats v with an explicit sign (U+2212 for minus).
func signed(v float64, n int) string {
	s := FormatSig(v, n)
	if v > 0 {
		return "+" + s
	}
	return s
}

// signedProse is signed with proseNumber (no e-notation).
func signedProse(v float64, n int) string {
	s := proseNumber(v, n)
	if v > 0 {
		return "+" + s
	}
	return s
}

// lowerFirst lowercases the first letter unless the first word is an
// acronym (HHI, CR4, …).
func lowerFirst(s string) string {
	if len(s) < 2 {
		return strings.ToLower(s)
	}
	word := s
	if i := strings.IndexAny(s, " (|"); i > 0 {
		word = s[:i]
	}
	if strings.ToUpper(word) == word {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// familySection builds one of the four outcome sections.
func (b *builder) familySection(ctx context.Context, fam model.Family, title string) (Section, error) {
	sec := Section{ID: string(fam), Title: title}
	metrics := b.familyMetrics(fam)
	if len(metrics) == 0 {
		sec.Intro = append(sec.Intro, "The runs table of this study has no "+string(fam)+" metrics.")
		return sec, nil
	}
	sec.Intro = append(sec.Intro, familyIntro[fam])
	for _, sc := range b.scenarios() {
		if err := ctx.Err(); err != nil {
			return Section{}, err
		}
		for _, fd := range fanDefs {
			if fd.family != fam {
				continue
			}
			figs, err := b.fanFigures(sc, fd)
			if err != nil {
				return Section{}, err
			}
			sec.Figures = append(sec.Figures, figs...)
		}
		fig, ok, err := b.boxFigure(sc, fam, title)
		if err != nil {
			return Section{}, err
		}
		if ok {
			sec.Figures = append(sec.Figures, fig)
		}
		sec.Tables = append(sec.Tables, b.metricTable(sc, metrics, title, fam == model.FamilyStability))
	}
	if t, ok := b.eventTable(fam); ok {
		sec.Tables = append(sec.Tables, t)
	}
	if !b.st.Info.StepsPresent {
		sec.Intro = append(sec.Intro, "The study did not record daily steps, so there are no charts over time.")
	}
	return sec, nil
}

var familyIntro = map[model.Family]string{
	model.FamilyStability:     "How far and how often the token price leaves its peg. Fan charts show the spread of daily prices across runs; box plots and the table show per-run metrics across runs.",
	model.FamilyDiversity:     "How concentrated the provider market becomes. HHI is on the 0–10,000 scale; 1,800 marks a highly concentrated market under the 2023 US Merger Guidelines and 2,500 under the 2010 guidelines.",
	model.FamilyProfitability: "Whether providers earn money when paid in the common token, and how volatile their revenue is.",
	model.FamilyConsumers:     "What consumers get: the share of their desired volume served, what they pay per Mtok, and how much usage is deferred when the token is volatile.",
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
			name := v.Param[strings.LastIndexByte(v.Param, '.')+1:]
			idParts = append(idParts, name+v.Text)
		}
	}
	spec := FanSpec{
		ID:        b.figID(idParts...),
		Scenario:  sc,
		Point:     point,
		Quantity:  fd.quantity,
		YLabel:    fd.ylabel,
		Reference: aggregate.BaselinePolicy,
	}
	for _, f := range fans {
		s := FanSeries{Policy: f.Policy}
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
		spec.BandLabel = fmt.Sprintf("peg band %s ± %s%% (metrics.peg_band)", FormatSig(b.peg, 3), FormatSig(100*b.pegBand, 3))
	case aggregate.FanHHI:
		spec.Lines = []RefLine{{1800, "HHI 1,800 (2023 Guidelines)"}, {2500, "HHI 2,500 (2010 Guidelines)"}}
	}
	n := 0
	for _, f := range fans {
		for _, x := range f.N {
			n = max(n, x)
		}
	}
	where := "scenario " + sc
	if point != "" {
		where += " at " + point
	}
	spec.Caption = fmt.Sprintf("%s per day across runs (up to %d runs per day and cell), %s: median with P25–P75 and P5–P95 bands of the runs, one panel per policy; the dashed line repeats %s's median.",
		fd.quantity, n, where, spec.Reference)
	if spec.BandLabel != "" {
		spec.Caption += " Shaded: the " + spec.BandLabel + "."
	}
	if total > len(fans) {
		spec.Caption += fmt.Sprintf(" Showing the first %d of %d policies; the tables hold all.", len(fans), total)
	}
	spec.Caption += note
	fig, err := FanChart(spec)
	if err != nil {
		if errorsIsNoData(err) {
			return Figure{}, false, nil
		}
		return Figure{}, false, err
	}
	return fig, true, nil
}

// boxFigure draws the key metrics of a family in one scenario as box plots.
func (b *builder) boxFigure(sc string, fam model.Family, title string) (Figure, bool, error) {
	cells := b.cellsShown(sc)
	spec := BoxSpec{ID: b.figID("dist", string(fam), sc), Scenario: sc, Family: title}
	for _, name := range b.boxMetrics(fam) {
		label, unit := b.metricLabel(name)
		pn := BoxPanel{Title: label, XLabel: withUnit(name, unit)}
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
	spec.Caption = fmt.Sprintf("%s metrics across runs, scenario %s: box P25–P75 with the median, whiskers P5–P95, diamond the mean; one row per policy%s.%s", title, sc, b.sweepNote(), b.truncationNote(sc))
	fig, err := BoxChart(spec)
	if err != nil {
		if errorsIsNoData(err) {
			return Figure{}, false, nil
		}
		return Figure{}, false, err
	}
	return fig, true, nil
}

// shown reports whether a cell's sweep point is among the first
// Options.MaxSweepPoints of its scenario (always true without sweeps).
func (b *builder) shown(sc string, sv []dataset.SweepValue) bool {
	if len(sv) == 0 {
		return true
	}
	keys := b.points[sc]
	if keys == nil {
		keys = map[string]bool{}
		for _, c := range b.st.CellsOf(sc) {
			if len(keys) == b.opts.MaxSweepPoints {
				break
			}
			keys[SweepText(c.Sweep)] = true
		}
		b.points[sc] = keys
	}
	return keys[SweepText(sv)]
}

// cellsShown returns the cells of a scenario at the shown sweep points.
func (b *builder) cellsShown(sc string) []*aggregate.CellStats {
	var out []*aggregate.CellStats
	for _, c := range b.st.CellsOf(sc) {
		if b.shown(sc, c.Sweep) {
			out = append(out, c)
		}
	}
	return out
}

// sweepPoints counts the distinct sweep points of a scenario.
func (b *builder) sweepPoints(sc string) int {
	seen := map[string]bool{}
	for _, c := range b.st.CellsOf(sc) {
		seen[SweepText(c.Sweep)] = true
	}
	return len(seen)
}

// truncationNote says that only some sweep points are shown ("" if all are).
func (b *builder) truncationNote(sc string) string {
	if n := b.sweepPoints(sc); n > b.opts.MaxSweepPoints {
		return fmt.Sprintf(" Showing the first %d of %d sweep points; summary/ holds all.", b.opts.MaxSweepPoints, n)
	}
	return ""
}

// sweepNote explains the short sweep labels of the figures ("" without sweeps).
func (b *builder) sweepNote() string {
	if len(b.st.Info.SweepParams) == 0 {
		return ""
	}
	return " and sweep point (" + strings.Join(b.st.Info.SweepParams, ", ") + ", labelled by their last name component)"
}

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
	for _, mi := range metrics {
		for _, c := range b.cellsShown(sc) {
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

// interval formats [lo, hi].
func interval(lo, hi float64) string {
	if !finite(lo) || !finite(hi) {
		return "n/a"
	}
	return "[" + FormatSig(lo, 3) + ", " + FormatSig(hi, 3) + "]"
}

// eventFamily assigns the events to sections.
var eventFamily = map[string]model.Family{
	"fund_depleted":           model.FamilyStability,
	"any_exit":                model.FamilyDiversity,
	"hhi_above_1800":          model.FamilyDiversity,
	"leader_share_above_half": model.FamilyDiversity,
}

// eventTable tabulates the event probabilities that belong to fam.
func (b *builder) eventTable(fam model.Family) (Table, bool) {
	var evs []aggregate.EventInfo
	for _, e := range b.st.Events {
		f, ok := eventFamily[e.Name]
		if !ok {
			f = model.FamilyDiversity
			if mi, ok := b.st.MetricInfo(e.Metric); ok {
				f = mi.Family
			}
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

// fixed formats a probability with d decimals ("n/a" for NaN).
func fixed(v float64, d int) string {
	if !finite(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", d, v)
}

func intervalFixed(lo, hi float64, d int) string {
	if !finite(lo) || !finite(hi) {
		return "n/a"
	}
	return "[" + fixed(lo, d) + ", " + fixed(hi, d) + "]"
}

// otherSection tabulates token, governance and other metrics, if any.
func (b *builder) otherSection() (Section, bool) {
	var ms []model.Metric
	for _, m := range b.st.Metrics {
		switch m.Family {
		case model.FamilyStability, model.FamilyDiversity, model.FamilyProfitability, model.FamilyConsumers:
		default:
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return Section{}, false
	}
	sec := Section{ID: "token", Title: "Token supply and governance",
		Intro: []string{"Supply, burns, issuance and velocity of the token, and the days a governed policy was blocked by the vote."}}
	for _, sc := range b.scenarios() {
		sec.Tables = append(sec.Tables, b.metricTable(sc, ms, "Token and governance", false))
	}
	return sec, true
}

// effectsSection draws the policy-effect charts and tables.
func (b *builder) effectsSection(ctx context.Context) (Section, error) {
	sec := Section{ID: "effects", Title: "Policy effects",
		Intro: []string{fmt.Sprintf("Each policy versus %s in the same scenario, paired by replicate: under common random numbers the two runs of a replicate see the same market shocks, consumers and arrivals, so the paired difference isolates the policy. Intervals are %s bootstrap intervals of the mean difference (%d resamples). A filled marker means the 95%% interval excludes zero.",
			aggregate.BaselinePolicy, methodName(b.st.Options.BootstrapMethod), b.st.Options.Bootstrap)}}
	if len(b.st.Effects) == 0 {
		sec.Intro = append(sec.Intro, fmt.Sprintf("There are no policy effects: the study has no %s policy, or no other policy, to pair.", aggregate.BaselinePolicy))
		return sec, nil
	}
	for _, sc := range b.scenarios() {
		if err := ctx.Err(); err != nil {
			return Section{}, err
		}
		spec := EffectSpec{ID: b.figID("effects", sc), Scenario: sc, Reference: aggregate.BaselinePolicy}
		for _, fam := range families {
			name := primaryMetric[fam.id]
			if _, ok := b.st.MetricInfo(name); !ok {
				name = ""
				for _, mi := range b.familyMetrics(fam.id) {
					if headlineMetric(mi) {
						name = mi.Name
						break
					}
				}
			}
			if name == "" {
				continue
			}
			mi, _ := b.st.MetricInfo(name)
			pn := EffectPanel{Title: fam.title + ": " + nonEmpty(mi.Label, name), XLabel: "Δ " + withUnit(name, mi.Unit) + betterSide(mi.Better)}
			for _, e := range b.st.EffectsOf(sc, name) {
				if !b.shown(sc, e.Sweep) {
					continue
				}
				pn.Rows = append(pn.Rows, EffectRow{Label: shortCellLabel(e.Policy, e.Sweep), Diff: e.MeanDiff, Lo: e.Lo, Hi: e.Hi, N: e.N})
			}
			if len(pn.Rows) > 0 {
				spec.Panels = append(spec.Panels, pn)
			}
		}
		spec.Caption = fmt.Sprintf("Mean paired difference policy − %s per replicate with its 95%% bootstrap interval, scenario %s; one panel per outcome family; one row per policy%s.%s", aggregate.BaselinePolicy, sc, b.sweepNote(), b.truncationNote(sc))
		fig, err := EffectChart(spec)
		if err == nil {
			sec.Figures = append(sec.Figures, fig)
		} else if !errorsIsNoData(err) {
			return Section{}, err
		}
		sec.Tables = append(sec.Tables, b.effectTable(sc))
	}
	return sec, nil
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
	t := Table{
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

// sweepSection draws heatmaps when the study sweeps two (or more) parameters:
// the cell mean of the primary stability and diversity metrics over the first
// two swept parameters, per scenario and policy, at the first value of any
// further swept parameter.
func (b *builder) sweepSection(ctx context.Context) (Section, bool, error) {
	params := b.st.Info.SweepParams
	if len(params) == 0 && len(b.st.Cells) > 0 {
		for _, sv := range b.st.Cells[0].Sweep {
			params = append(params, sv.Param)
		}
	}
	if len(params) < 2 {
		return Section{}, false, nil
	}
	px, py := params[0], params[1]
	sec := Section{ID: "sweep", Title: "Parameter sweep",
		Intro: []string{fmt.Sprintf("Mean across runs of key metrics over the sweep of %s × %s, per scenario and policy.", px, py)}}
	if len(params) > 2 {
		sec.Intro = append(sec.Intro, "Further swept parameters are held at their first value in these maps; the tables above hold every sweep point.")
	}
	metrics := []string{}
	for _, m := range []string{"peg_mad", "hhi_final"} {
		if _, ok := b.st.MetricInfo(m); ok {
			metrics = append(metrics, m)
		}
	}
	for _, sc := range b.scenarios() {
		policies := []string{}
		seen := map[string]bool{}
		for _, c := range b.st.CellsOf(sc) {
			if !seen[c.Policy] {
				seen[c.Policy] = true
				policies = append(policies, c.Policy)
			}
		}
		for _, pol := range policies {
			if err := ctx.Err(); err != nil {
				return Section{}, false, err
			}
			for _, m := range metrics {
				spec, ok := b.heatSpec(sc, pol, m, params)
				if !ok {
					continue
				}
				fig, err := Heatmap(spec)
				if err != nil {
					if errorsIsNoData(err) {
						continue
					}
					return Section{}, false, err
				}
				sec.Figures = append(sec.Figures, fig)
			}
		}
	}
	return sec, len(sec.Figures) > 0, nil
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
	spec := HeatSpec{ID: b.figID("heat", metric, sc, pol), Scenario: sc, Policy: pol, XParam: params[0], YParam: params[1], X: order(xs), Y: order(ys)}
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
	spec.Caption = fmt.Sprintf("Mean %s across runs at each sweep point of %s × %s, scenario %s, policy %s; darker is higher, n/a marks a point without runs.", metric, params[0], params[1], sc, pol)
	return spec, true
}

// methodSection states the model version, estimators and data sources.
func (b *builder) methodSection() Section {
	o := b.st.Options
	conf := o.Confidence
	if !(conf > 0 && conf < 1) {
		conf = 0.95
	}
	return Section{ID: "method", Title: "Method notes", Intro: []string{
		fmt.Sprintf("Model: %s (the tokensim model specification). Each run simulates %s days of a common LLM-API payment token (CLT) used by consumers to pay competing providers; one step is one day.", b.opts.ModelVersion, intOrUnknown(b.st.Info.HorizonDays)),
		"Quantiles (P5, P25, median, P75, P95) are Hyndman–Fan type 7 sample quantiles (R's default, numpy's \"linear\"). Standard deviations use n − 1.",
		fmt.Sprintf("Means carry a two-sided %.0f%% Student-t confidence interval. Event probabilities carry %.0f%% Wilson score intervals (Wilson 1927).", 100*conf, 100*conf),
		"Heavy-tailed metrics — above all the price deviations from the peg in volatile regimes — are better read through their medians and quantiles (P5–P95) than through their means: a few runs with large excursions move the mean and widen its symmetric t-interval, which can then reach past the metric's natural range (below zero for a non-negative metric). The stability tables therefore lead with the median and P5–P95, and the tables show such an interval end clipped at the bound, marked †, for display only (summary/metrics keeps the computed interval).",
		fmt.Sprintf("Headline findings compare each policy with %s on the family's primary metric, else on the family's other metrics with a direction; metrics that are zero under %s by construction (fund P&L, fund depletion day, circuit-breaker halts, days a governed policy was blocked) are never headlined, since their difference from %s holds by definition. A relative change is stated only when %s's mean is positive and not near zero.", aggregate.BaselinePolicy, aggregate.BaselinePolicy, aggregate.BaselinePolicy, aggregate.BaselinePolicy),
		fmt.Sprintf("Policy effects are paired differences policy − %s over the same replicates. Common random numbers: every run's random streams (market, jumps, consumers, choice, arrivals, entry) derive from the master seed, the replicate and the component only, not from the cell, so a replicate sees the same shocks under every policy. Intervals of the mean difference are %s bootstrap intervals with %d resamples from a seeded stream (Efron 1987).", aggregate.BaselinePolicy, methodName(o.BootstrapMethod), o.Bootstrap),
		"Token-price regimes are GARCH(1,1) processes with standardized Student-t shocks calibrated by tokensim's own calibrator: the pegged regime from USDT daily closes 2017-01-01..2021-02-27, the volatile regime from BTC daily closes 2013-04-29..2021-02-27 (ETH is reported alongside for comparison).",
		"Providers' list prices are public LLM API list prices (2025) per million LLM tokens, blended 3:1 input:output; initial market shares are rounded 2025 enterprise LLM-API share estimates from industry surveys. Parameters marked as assumptions in the configuration are not calibrated; the sensitivity study covers them.",
		"Concentration thresholds: HHI 1,800 (2023 US Merger Guidelines, highly concentrated) and 2,500 (2010 Horizontal Merger Guidelines).",
	}}
}
