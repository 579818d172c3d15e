package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
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
	// First screen (issue 14): what was run in words, the lever × scenario
	// scorecard, its headline sentences and the trade-off figure.
	Lead      string
	Scorecard *Scorecard
	Headlines []Headline
	Overview  []Figure
}

// Figures returns every figure of the report in page order.
func (r *Report) Figures() []Figure {
	out := append([]Figure(nil), r.Overview...)
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
	model.FamilyConsumers:     {"consumer_welfare_usd", "satisfaction", "mean_cost_usd_per_mtok", "deferred_frac", "cost_volatility"},
}

// primaryMetric is the metric of each family in the policy-effect chart and
// the headline findings. For consumers it is consumer_welfare_usd (MODEL-SPEC-v2
// §B.5: paired differences are compensating variations in USD, shown beside
// the providers' profit); a dataset without it (model v0.1) falls back to the
// family's first headline metric.
var primaryMetric = map[model.Family]string{
	model.FamilyStability:     "peg_mad",
	model.FamilyDiversity:     "hhi_final",
	model.FamilyProfitability: "provider_profit_usd",
	model.FamilyConsumers:     "consumer_welfare_usd",
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
	b.peg, b.pegBand = st.Info.PegAndBand()
	r := &Report{
		Title:    "tokensim report: " + nonEmpty(st.Info.Name, "study"),
		Facts:    b.facts(),
		Alerts:   b.alerts(),
		Warnings: st.Warnings,
		Findings: b.findings(),
		Config:   string(st.Info.Config),
	}
	if err := b.overview(r); err != nil {
		return nil, err
	}
	ver := nonEmpty(st.Info.ToolVersion, opts.ToolVersion)
	r.Footer = fmt.Sprintf("Written by tokensim %s (%s), schema %d.", nonEmpty(ver, "(unknown version)"), opts.ModelVersion, st.Info.SchemaVersion)
	if sec, ok, err := b.acrossSection(); err != nil {
		return nil, err
	} else if ok {
		r.Sections = append(r.Sections, sec)
	}
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
	if err := drawFigures(ctx, r); err != nil {
		return nil, err
	}
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
		if _, ok := b.st.MetricInfo(name); ok && len(out) < 4 {
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
			if fd.metric().Family != fam {
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
		spec := EffectSpec{ID: b.figID("effects", sc), Scenario: scenarioLabel(sc), Reference: policyLabel(aggregate.BaselinePolicy)}
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
			pn := EffectPanel{Title: fam.title + ": " + nonEmpty(mi.Label, name), XLabel: withUnit("change, policy − no policy", mi.Unit) + betterSide(mi.Better)}
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
		spec.Caption = fmt.Sprintf("Mean paired difference policy − %s per replicate with its 95%% bootstrap interval, scenario %s; one panel per outcome family; one row per policy%s.%s", aggregate.BaselinePolicy, scenarioLabel(sc), b.sweepNote(), b.truncationNote(sc))
		if err := sec.addFigure(effectChart(spec)); err != nil {
			return Section{}, err
		}
		sec.Tables = append(sec.Tables, b.effectTable(sc))
	}
	return sec, nil
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
				if err := sec.addFigure(heatmap(spec)); err != nil {
					return Section{}, false, err
				}
			}
		}
	}
	return sec, len(sec.Figures) > 0, nil
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
		"Scorecard: " + scorecardRule(),
		headlineRule(),
		fmt.Sprintf("The numeric findings (collapsed under the headlines) compare each policy with %s on the family's primary metric, else on the family's other metrics with a direction; metrics that are zero under %s by construction (fund P&L, fund depletion day, circuit-breaker halts, days a governed policy was blocked) are never headlined, since their difference from %s holds by definition. A relative change is stated only when %s's mean is positive and not near zero.", aggregate.BaselinePolicy, aggregate.BaselinePolicy, aggregate.BaselinePolicy, aggregate.BaselinePolicy),
		fmt.Sprintf("Policy effects are paired differences policy − %s over the same replicates. Common random numbers: every run's random streams (market, jumps, consumers, choice, arrivals, entry) derive from the master seed, the replicate and the component only, not from the cell, so a replicate sees the same shocks under every policy. Intervals of the mean difference are %s bootstrap intervals with %d resamples from a seeded stream (Efron 1987).", aggregate.BaselinePolicy, methodName(o.BootstrapMethod), o.Bootstrap),
		"Token-price regimes are GARCH(1,1) processes with standardized Student-t shocks calibrated by tokensim's own calibrator: the pegged regime from USDT daily closes 2017-01-01..2021-02-27, the volatile regime from BTC daily closes 2013-04-29..2021-02-27 (ETH is reported alongside for comparison).",
		"Providers' list prices are public LLM API list prices (2025) per million LLM tokens, blended 3:1 input:output; initial market shares are rounded 2025 enterprise LLM-API share estimates from industry surveys. Parameters marked as assumptions in the configuration are not calibrated; the sensitivity study covers them.",
		"Concentration thresholds: HHI 1,800 (2023 US Merger Guidelines, highly concentrated) and 2,500 (2010 Horizontal Merger Guidelines).",
	}}
}
