package reports_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/reports"
	"github.com/tokensim/tokensim/stats"
)

// ExampleWrite writes the report of a (tiny, hand-made) aggregate. In the
// tool the aggregate comes from aggregate.Aggregate(ctx, dir, opts) on a study
// directory written by `tokensim run`.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "tokensim-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	var pegMAD model.Metric
	for _, m := range model.CatalogueOf(model.TableRuns) {
		if m.Name == "peg_mad" {
			pegMAD = m
		}
	}
	st := &aggregate.Study{
		Info: dataset.StudyInfo{Name: "example", Seed: 1, Replicates: 100, HorizonDays: 365,
			Scenarios: []string{"volatility"}, Policies: []string{"none", "fund"}, Complete: true,
			RunsPlanned: 200, RunsFound: 200},
		Metrics: []model.Metric{pegMAD},
		Cells: []aggregate.CellStats{
			{Scenario: "volatility", Policy: "none", Runs: 100, Metrics: []aggregate.MetricDist{{Metric: "peg_mad",
				Dist: stats.Dist{N: 100, Mean: 0.031, MeanLo: 0.029, MeanHi: 0.033, SD: 0.01, P5: 0.017, P25: 0.024, Median: 0.030, P75: 0.037, P95: 0.049}}}},
			{Scenario: "volatility", Policy: "fund", Cell: 1, Runs: 100, Metrics: []aggregate.MetricDist{{Metric: "peg_mad",
				Dist: stats.Dist{N: 100, Mean: 0.012, MeanLo: 0.011, MeanHi: 0.013, SD: 0.004, P5: 0.006, P25: 0.009, Median: 0.012, P75: 0.015, P95: 0.019}}}},
		},
		Effects: []aggregate.Effect{{Scenario: "volatility", Policy: "fund", Metric: "peg_mad", N: 100,
			BaseMean: 0.031, PolicyMean: 0.012, MeanDiff: -0.019, Lo: -0.021, Hi: -0.017, SDDiff: 0.008, FracBetter: 0.97}},
		Options: aggregate.DefaultOptions(),
	}
	rep, err := reports.Build(context.Background(), st, reports.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Findings[0])

	path, err := reports.Write(context.Background(), st, dir, reports.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	figs, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "*.png"))
	fmt.Println(filepath.Base(path), len(figs), "figures")
	for _, f := range figs {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// Stability: In volatility, fund lowers mean distance from the peg by 0.0190 USD/CLT (95% CI 0.0170–0.0210 USD/CLT; 100 paired replicates; −61.3% relative to none's 0.0310 USD/CLT), an improvement. It does better in 97% of paired replicates.
	// report.html 3 figures
	// across_peg_mad.png
	// dist_stability_volatility.png
	// effects_volatility.png
}

// ExampleFormatSig shows how the report formats numbers.
func ExampleFormatSig() {
	for _, v := range []float64{0.0123456, 2573.9, 3.6e9, -0.5} {
		fmt.Println(reports.FormatSig(v, 3))
	}
	// Output:
	// 0.0123
	// 2570
	// 3,600,000,000
	// −0.500
}
