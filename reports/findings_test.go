package reports

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/model"
)

// TestFindingsSkipStructuralMetrics: an effect on a metric that is zero under
// none by construction (fund P&L: none has no fund) is never a headline, even
// when it is the only significant effect of its family.
func TestFindingsSkipStructuralMetrics(t *testing.T) {
	st := synthStudy(basicOpts)
	for i := range st.Effects {
		e := &st.Effects[i]
		e.MeanDiff, e.Lo, e.Hi, e.PolicyMean = 0, -1, 1, e.BaseMean
		if e.Metric == "fund_pnl_usd" && e.Policy == "fund" {
			e.BaseMean, e.PolicyMean, e.MeanDiff, e.Lo, e.Hi, e.SDDiff, e.FracBetter = 0, 5e6, 5e6, 4e6, 6e6, 1e6, 1
		}
	}
	r, err := Build(context.Background(), st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if strings.Contains(f, "fund P&L") || strings.Contains(f, "stabilization fund") {
			t.Errorf("headline on a metric that is zero under none: %s", f)
		}
		if strings.HasPrefix(f, "Profitability:") && !strings.Contains(f, "no policy changes profitability materially") {
			t.Errorf("profitability finding %q, want the no-effect sentence", f)
		}
	}
	// Every structural metric is excluded, whatever its direction.
	var structural []string
	for _, mi := range model.CatalogueOf(model.TableRuns) {
		if mi.LeverOnly == "" {
			continue
		}
		structural = append(structural, mi.Name)
		mi.Better = model.HigherIsBetter
		if headlineMetric(mi) {
			t.Errorf("%s may carry a headline", mi.Name)
		}
	}
	// halt_unsold_clt: MODEL-SPEC-v2 §A.3 (null without the breaker); then v2 §C (model/levers.go).
	if want := "halts fund_depleted_day fund_pnl_usd cap_blocked_days grants_blocked_days halt_unsold_clt fund_depleted" +
		" hedge_pnl_usd capture_days cap_in_force_days grants_in_force_days"; strings.Join(structural, " ") != want {
		t.Errorf("structural metrics %v, want %s", structural, want)
	}
	if !headlineMetric(model.Metric{Name: "peg_mad", Better: model.LowerIsBetter}) {
		t.Error("peg_mad may not carry a headline")
	}
}

// TestSentenceRelativeChange: the relative change is stated only against a
// positive baseline level that is not near zero; otherwise none's mean is.
func TestSentenceRelativeChange(t *testing.T) {
	b := &builder{st: synthStudy(basicOpts)}
	profit := model.Metric{Name: "provider_profit_usd", Unit: "USD", Label: "Total provider profit", Better: model.HigherIsBetter}
	// A loss of 110 million USD under none, reduced by 364 million: a
	// percentage of a negative level would read "+331%".
	s := b.sentence(&aggregate.Effect{Scenario: "volatility", Policy: "fund", Metric: profit.Name, N: 16,
		BaseMean: -1.1e8, PolicyMean: 2.54e8, MeanDiff: 3.64e8, Lo: 3.1e8, Hi: 4.2e8, FracBetter: 0.9}, profit)
	want := "In volatility, fund raises total provider profit by 364 million USD (95% CI 310–420 million USD; 16 paired replicates; none's mean −110 million USD), an improvement. It does better in 90% of paired replicates."
	if s != want {
		t.Errorf("negative baseline:\n%s\nwant\n%s", s, want)
	}
	// A baseline near zero on the effect's scale (Δ is 50 times it).
	frac := model.Metric{Name: "days_outside_band_frac", Unit: "fraction of days", Label: "Days outside the peg band", Better: model.LowerIsBetter, Percent: true}
	e := &aggregate.Effect{Scenario: "volatility", Policy: "all", Metric: frac.Name, N: 16, BaseMean: 0.001, PolicyMean: 0.051,
		MeanDiff: 0.05, Lo: 0.04, Hi: 0.06, FracBetter: 0.1}
	if _, ok := b.relativeChange(e); ok {
		t.Errorf("relative change of a near-zero baseline reported")
	}
	s = b.sentence(e, frac)
	if strings.Contains(s, "relative to") || !strings.Contains(s, "none's mean 0.100%") || !strings.HasSuffix(s, "a deterioration. It does better in 10% of paired replicates.") {
		t.Errorf("near-zero baseline: %s", s)
	}
	// A signed metric whose baseline interval reaches zero: its sign is not
	// established, so no percentage.
	st := synthStudy(basicOpts)
	for i := range st.Cells {
		c := &st.Cells[i]
		if c.Scenario == "baseline" && c.Policy == aggregate.BaselinePolicy {
			for k := range c.Metrics {
				if c.Metrics[k].Metric == profit.Name {
					c.Metrics[k].Mean, c.Metrics[k].MeanLo, c.Metrics[k].MeanHi = 5e6, -2e7, 3e7
				}
			}
		}
	}
	b = &builder{st: st}
	e = &aggregate.Effect{Scenario: "baseline", Policy: "fund", Metric: profit.Name, N: 40, BaseMean: 5e6, MeanDiff: -3e6, Lo: -4e6, Hi: -2e6}
	if r, ok := b.relativeChange(e); ok {
		t.Errorf("relative change %v against a baseline not distinguishable from zero", r)
	}
	// A non-negative metric keeps its percentage even when the baseline's
	// t-interval reaches below zero (heavy tails, not an unknown sign).
	e = &aggregate.Effect{Scenario: "baseline", Policy: "fund", Metric: "peg_mad", N: 40, BaseMean: 0.3, MeanDiff: -0.15, Lo: -0.2, Hi: -0.1}
	if r, ok := b.relativeChange(e); !ok || math.Abs(r+0.5) > 1e-12 {
		t.Errorf("peg_mad relative change %v, %v; want −0.5", r, ok)
	}
}

// TestSentenceNumbers: no e-notation in prose, one scale for an effect and
// its interval, annualized volatility in percentage points, and no judgement
// for a metric without a direction.
func TestSentenceNumbers(t *testing.T) {
	b := &builder{st: synthStudy(basicOpts)}
	peg := model.Metric{Name: "peg_mad", Unit: "USD/CLT", Label: "Mean distance from the peg", Better: model.LowerIsBetter}
	s := b.sentence(&aggregate.Effect{Scenario: "baseline", Policy: "fund", Metric: peg.Name, N: 40,
		BaseMean: 1.2e-4, MeanDiff: -2.9e-5, Lo: -3.47e-5, Hi: -2.32e-5, FracBetter: 0.8}, peg)
	want := "In baseline, fund lowers mean distance from the peg by 0.0000290 USD/CLT (95% CI 0.0000232–0.0000347 USD/CLT; 40 paired replicates; −24.2% relative to none's 0.000120 USD/CLT), an improvement. It does better in 80% of paired replicates."
	if s != want {
		t.Errorf("small numbers:\n%s\nwant\n%s", s, want)
	}
	profit := model.Metric{Name: "provider_profit_usd", Unit: "USD", Label: "Total provider profit", Better: model.HigherIsBetter}
	s = b.sentence(&aggregate.Effect{Scenario: "baseline", Policy: "grants", Metric: profit.Name, N: 40,
		BaseMean: 2e9, MeanDiff: 1.05e6, Lo: 9e5, Hi: 1.2e6, FracBetter: 0.7}, profit)
	if !strings.Contains(s, "by 1.05 million USD (95% CI 0.900–1.20 million USD;") || !strings.Contains(s, "none's 2.00 billion USD") {
		t.Errorf("USD scale: %s", s)
	}
	vol := model.Metric{Name: "realized_vol_annual", Unit: "per year", Label: "Realized volatility (annualized)", Better: model.LowerIsBetter, Percent: true}
	s = b.sentence(&aggregate.Effect{Scenario: "volatility", Policy: "fund", Metric: vol.Name, N: 40,
		BaseMean: 0.8, MeanDiff: -0.123, Lo: -0.15, Hi: -0.1, FracBetter: 0.95}, vol)
	if !strings.Contains(s, "lowers realized volatility (annualized) by 12.3 percentage points (95% CI 10.0–15.0 percentage points;") ||
		!strings.Contains(s, "none's 80.0%") || !strings.Contains(s, "an improvement") {
		t.Errorf("volatility: %s", s)
	}
	neutral := model.Metric{Name: "price_final", Unit: "USD/CLT", Label: "CLT price at the end", Better: model.Neutral}
	s = b.sentence(&aggregate.Effect{Scenario: "volatility", Policy: "fund", Metric: neutral.Name, N: 40,
		BaseMean: 1, MeanDiff: 0.1, Lo: 0.05, Hi: 0.15, FracBetter: math.NaN()}, neutral)
	if strings.Contains(s, "improvement") || strings.Contains(s, "deterioration") || !strings.HasSuffix(s, "none's 1.00 USD/CLT).") {
		t.Errorf("neutral metric: %s", s)
	}
	// Higher-is-better raised: an improvement; lower-is-better raised: a
	// deterioration.
	hhi := model.Metric{Name: "hhi_final", Unit: "HHI (0–10,000)", Label: "HHI at the end", Better: model.LowerIsBetter}
	s = b.sentence(&aggregate.Effect{Scenario: "centralization", Policy: "share_cap", Metric: hhi.Name, N: 40,
		BaseMean: 2400, MeanDiff: 310, Lo: 250, Hi: 370, FracBetter: 0.1}, hhi)
	if !strings.Contains(s, "share_cap raises HHI at the end by 310 HHI points (95% CI 250–370 HHI points;") || !strings.Contains(s, "a deterioration") {
		t.Errorf("HHI: %s", s)
	}
}

func TestProseNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{2.32e-5, "0.0000232"}, {-2.32e-5, "−0.0000232"}, {1e-6, "0.00000100"}, {2.32e-7, "2.32 × 10⁻⁷"},
		{-4.5e-12, "−4.50 × 10⁻¹²"}, {2.5e12, "2.50 trillion"}, {12345.6, "12,300"}, {0.5, "0.500"}, {0, "0"},
	} {
		if got := proseNumber(c.v, 3); got != c.want {
			t.Errorf("proseNumber(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestMetricTableRobustAndClipped: the stability table leads with the median
// and P5–P95; a mean interval reaching below a non-negative metric's floor is
// shown clipped at 0 with a footnote, and the study's numbers are unchanged.
func TestMetricTableRobustAndClipped(t *testing.T) {
	st := synthStudy(basicOpts)
	var cell *aggregate.CellStats
	for i := range st.Cells {
		if st.Cells[i].Scenario == "volatility" && st.Cells[i].Policy == aggregate.BaselinePolicy {
			cell = &st.Cells[i]
		}
	}
	for k := range cell.Metrics {
		if cell.Metrics[k].Metric == "peg_mad" {
			d := &cell.Metrics[k].Dist
			d.Mean, d.MeanLo, d.MeanHi, d.Median, d.P5, d.P95 = 0.3175, -0.133, 0.768, 0.021, 0.004, 0.9
		}
	}
	b := &builder{st: st, opts: DefaultOptions(), points: map[string]map[string]bool{}}
	var stab []model.Metric
	for _, mi := range st.Metrics {
		if mi.Family == model.FamilyStability {
			stab = append(stab, mi)
		}
	}
	tb := b.metricTable("volatility", stab, "Stability", true)
	if got := strings.Join(tb.Header[4:6], "|"); got != "Median|P5–P95" {
		t.Errorf("stability table leads with %s, want Median|P5–P95", got)
	}
	found := false
	for _, row := range tb.Rows {
		if row[0] == "Mean distance from the peg" && row[2] == aggregate.BaselinePolicy {
			found = true
			if row[4] != "0.02100" || row[5] != "[0.00400, 0.900]" || row[7] != "[0†, 0.768]" {
				t.Errorf("peg_mad row %v", row)
			}
		} else if strings.Contains(strings.Join(row, " "), "†") {
			t.Errorf("row clipped without cause: %v", row)
		}
	}
	if !found {
		t.Fatal("no peg_mad row for none")
	}
	if !strings.Contains(tb.Caption, "† The symmetric t-interval of the mean reaches beyond the metric's natural range") {
		t.Errorf("caption lacks the clipping footnote: %s", tb.Caption)
	}
	if d, _ := cell.Metric("peg_mad"); d.MeanLo != -0.133 {
		t.Errorf("the study's interval was changed: %v", d.MeanLo)
	}
	// A signed metric is never clipped; other families keep the mean first.
	if s, c := displayMeanCI(knownMetric(t, "provider_profit_usd"), -5e6, 3e6); c || s != "[−5,000,000, 3,000,000]" {
		t.Errorf("profit interval %s (clipped %v)", s, c)
	}
	if s, c := displayMeanCI(knownMetric(t, "satisfaction"), 0.97, 1.02); !c || s != "[0.970, 1.00†]" {
		t.Errorf("satisfaction interval %s (clipped %v)", s, c)
	}
	if tb := b.metricTable("volatility", stab, "Stability", false); tb.Header[4] != "Mean" || strings.Contains(tb.Caption, "heavy-tailed in volatile") {
		t.Errorf("mean-first table: %v, %s", tb.Header, tb.Caption)
	}
}

// TestEffectTableRelative: the table's relative column is n/a against a
// negative baseline.
func TestEffectTableRelative(t *testing.T) {
	st := synthStudy(basicOpts)
	for i := range st.Effects {
		e := &st.Effects[i]
		if e.Scenario == "volatility" && e.Policy == "fund" && e.Metric == "provider_profit_usd" {
			e.BaseMean, e.PolicyMean, e.MeanDiff, e.Lo, e.Hi = -1.1e8, 2.54e8, 3.64e8, 3.1e8, 4.2e8
		}
	}
	b := &builder{st: st, opts: DefaultOptions(), points: map[string]map[string]bool{}}
	tb := b.effectTable("volatility")
	for _, row := range tb.Rows {
		if row[1] == "Total provider profit" && row[3] == "fund" {
			if row[9] != "n/a" {
				t.Errorf("relative Δ against a loss: %s", row[9])
			}
			return
		}
	}
	t.Fatal("no provider profit row for fund")
}

// knownMetric returns the catalog entry of a MODEL-SPEC §4.2 metric.
func knownMetric(t *testing.T, name string) model.Metric {
	t.Helper()
	mi, ok := model.LookupMetric(model.TableRuns, name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return mi
}
