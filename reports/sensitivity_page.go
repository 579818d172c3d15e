package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/study"
)

// SensitivityReport returns the page of a sensitivity study: what was run
// (from the manifest m, which may be nil), alerts for an incomplete study or
// failed runs, one finding per output (its leading factor), the sensitivity
// section and the method notes. A sensitivity study's cells are design
// points, so the per-cell distributions and policy effects of the plain
// report are left out.
func SensitivityReport(res *aggregate.SensitivityResult, m *dataset.Manifest, opts Options) (*Report, error) {
	sec, err := SensitivitySection(res)
	if err != nil {
		return nil, err
	}
	name := res.Study
	r := &Report{Title: "tokensim sensitivity report: " + nonEmpty(name, "study")}
	k := len(res.Factors)
	r.Facts = [][2]string{
		{"study", nonEmpty(name, "–")},
		{"method", res.Method},
		{"scenario / policy", res.Scenario + " / " + res.Policy},
		{"factors", strconv.Itoa(k)},
		{"design points", strconv.Itoa(res.DesignPoints)},
		{"replicates per point", strconv.Itoa(res.Replicates)},
		{"runs used", strconv.Itoa(res.Runs)},
	}
	ver := opts.ToolVersion
	if m != nil {
		r.Facts = append(r.Facts,
			[2]string{"seed", strconv.FormatUint(m.Seed, 10)},
			[2]string{"runs done / planned", fmt.Sprintf("%d / %d (%d failed)", m.RunsDone, m.RunsPlanned, m.RunsFailed)},
			[2]string{"config sha256", m.ConfigHash})
		if m.Ended != nil {
			r.Facts = append(r.Facts, [2]string{strings.ToLower(ElapsedLabel[:1]) + ElapsedLabel[1:], formatDuration(m.Ended.Sub(m.Started).Seconds())})
		}
		r.Config = m.Config
		ver = nonEmpty(m.ToolVersion, ver)
		if m.State != dataset.StateComplete {
			r.Alerts = append(r.Alerts, fmt.Sprintf("This study is not complete (%d of %d runs done): the indices use the design points found so far. Run the same `tokensim sensitivity` command again to finish it.",
				m.RunsDone, m.RunsPlanned))
		}
		if m.RunsFailed > 0 {
			r.Alerts = append(r.Alerts, fmt.Sprintf("%d runs failed (errors in manifest.json); design points without runs are left out of the indices.", m.RunsFailed))
		}
	}
	found := map[string]bool{}
	for _, o := range res.Outputs {
		if s := sensLeader(res, o); s != "" {
			r.Findings = append(r.Findings, s)
			found[s] = true
		}
	}
	// The section repeats the findings for pages that embed it; here they
	// head the page already.
	intro := sec.Intro[:0:0]
	for _, p := range sec.Intro {
		if !found[p] {
			intro = append(intro, p)
		}
	}
	sec.Intro = intro
	r.Sections = append([]Section{sec}, opts.Extra...)
	r.Sections = append(r.Sections, sensMethodNotes(res))
	r.Footer = fmt.Sprintf("Written by tokensim %s (%s).", nonEmpty(ver, "(unknown version)"), nonEmpty(opts.ModelVersion, "MODEL-SPEC v1"))
	return r, nil
}

// sensMethodNotes documents the estimators and the design choices.
func sensMethodNotes(res *aggregate.SensitivityResult) Section {
	notes := []string{
		"Design points are the cells of the study: each sets the factors' values (uniform: low + u(high − low); log-uniform: low·(high/low)^u; integer parameters rounded) on the study's parameters with the scenario's and policy's overrides, and is run for every replicate with common random numbers (MODEL-SPEC §3). The factor values are columns of the runs table. Indices use the replicate means of each design point.",
		"Replicate noise share: from the two-way layout design point × replicate, the interaction mean square divided by the number of replicates, relative to the variance of the point means (the noise the common random numbers do not remove). It also inflates the Jansen total indices and lowers the first-order indices by about its size. Being a ratio of two variance estimates, it can exceed 100% when noise dominates; it is then shown as ≥100%: the output's variation across design points is indistinguishable from replicate noise, and its indices describe noise.",
	}
	switch res.Method {
	case study.SensitivitySobol:
		notes = append(notes,
			"Sobol design: the Saltelli (2002, 2010) scheme — matrices A and B from the first and last k coordinates of a 2k-dimensional Sobol sequence (Joe–Kuo direction numbers new-joe-kuo-6.21201, Gray-code order, no points skipped: Owen 2020 shows skipping breaks the net's balance; optional Matoušek linear scramble with a random digital shift seeded from the study seed) and A with column i from B for each factor: N(k+2) points.",
			"Estimators: first order S_i = mean(f(B)(f(A_B^i) − f(A)))/V (Saltelli et al. 2010), total ST_i = mean((f(A) − f(A_B^i))²)/(2V) (Jansen 1999), V the variance of f over A and B, outputs centred on their mean first; second order (when asked) by Saltelli (2002). Intervals: percentile bootstrap over the N base points. Estimates and interval ends are not clipped to [0, 1]: a slightly negative S1 or an upper end above 1 is sampling error and shrinks with N.")
	case study.SensitivityMorris:
		notes = append(notes,
			"Morris design: r trajectories on a p-level grid with step Δ = p/(2(p−1)), random base points and one-at-a-time moves in random order and direction (Morris 1991). Elementary effects per unit of each factor's (log-)range; μ* = mean |EE| (Campolongo et al. 2007), σ = sd (n − 1). Intervals: percentile bootstrap over the trajectories.")
	default:
		notes = append(notes,
			"Latin hypercube (McKay et al. 1979) with uniform jitter inside strata; PRCC: correlation of the residuals of rank(x_i) and rank(y) after least-squares regression on the other factors' ranks (Marino et al. 2008); t = r√(df/(1 − r²)), df = n − 2 − (k − 1); intervals by Fisher's z with n − 3 − (k − 1).")
	}
	return Section{ID: "sensitivity-method", Title: "Method notes", Intro: notes}
}

// WriteSensitivityReport writes the page of a sensitivity study
// (SensitivityReport) as dir/report.html with its figures under dir/figures
// (PNG, and SVG when opts.SVG), reading dir/manifest.json when present.
// Files appear only complete: the figures go to a temporary directory that
// replaces dir/figures by rename, and the page is renamed into place last.
func WriteSensitivityReport(ctx context.Context, dir string, res *aggregate.SensitivityResult, opts Options) (string, error) {
	var m *dataset.Manifest
	if mm, err := dataset.ReadManifest(dir); err == nil {
		m = mm
	}
	rep, err := SensitivityReport(res, m, opts)
	if err != nil {
		return "", err
	}
	return WriteReport(ctx, dir, rep, opts)
}
