// Package reports draws a study's aggregated distributions as figures (PNG for
// the page, SVG for papers) and writes one self-contained report.html
// (MODEL-SPEC §8).
//
// The input is the aggregate of a study, *aggregate.Study (aggregate.Aggregate). Write
// builds the report (Build), renders the page (Render) and writes
// <dir>/figures/<id>.png and .svg and <dir>/report.html, each appearing only
// complete (temporary name, then rename); on error nothing new is left. Build
// lays the page out first and then draws its figures on GOMAXPROCS goroutines
// (draw.go): each figure's bytes depend only on its own spec, so the report
// is the same bytes whatever the number of goroutines (BenchmarkWrite). A
// figure's drawing runs once on a recorder canvas replayed onto the PNG raster
// and the SVG canvas (Figure.draw), and its PNG is encoded losslessly at
// png.BestSpeed (pngEncoder).
//
// Figures (figure.go, fan.go, box.go, effect.go, heatmap.go) work on plain
// slices and are usable on their own:
//   - FanChart: a daily quantity across runs per scenario, one panel per policy
//     (median, P25–P75 and P5–P95 bands, the reference policy's median dashed)
//     plus a panel overlaying every policy's median; reference lines (HHI
//     1,800 and 2,500) and a shaded band (the peg band) as needed.
//   - BoxChart: per-run metrics across runs as box plots drawn from the
//     quantiles (box P25–P75, median, whiskers P5–P95, diamond the mean).
//   - EffectChart: paired policy − none differences with 95% intervals, one
//     panel per outcome family; filled marker when the interval excludes 0.
//   - Heatmap: a metric over a two-parameter sweep, cells annotated.
//
// Every figure is drawn at a fixed size (FigureWidth, FigureDPI) with gonum's
// embedded Liberation Sans, so that its bytes depend only on the data;
// golden-image tests compare against testdata/*_golden.png with a tolerance
// (`go test ./reports -update` rewrites them). Black-and-white print keeps
// the elements apart by gray level, dash pattern and marker as well as colour
// (bands light/mid, median dark; overlaid policies differ in dashes and
// markers, StyleFor; heatmap luminance decreases monotonically). Legends sit
// in a strip above the panels, never over data.
//
// The page (page.go) is built with html/template, so every string that comes
// from a configuration or a study is escaped; figures are inlined as data:
// URIs; styles and a small table-sorting script are inline (the page works
// without the script); nothing is loaded from elsewhere. Its sections: a
// first-screen notice when the study is incomplete or has failed runs, what
// was run, headline findings written from the numbers, stability, diversity,
// profitability, consumers, token supply and governance, policy effects, a
// parameter sweep (with two swept parameters), extra sections given in
// Options.Extra (the sensitivity study's, see sensitivity.go), method notes
// and the resolved configuration.
//
// Files: build.go assembles the page from its sections (Build); findings.go
// writes the prose (facts, alerts, headline findings); tables.go the tables;
// figspecs.go turns the aggregate into figure specs (fans, boxes, heatmaps);
// format.go holds every number and label format (FormatSig, prose numbers,
// intervals, sweep text) used by all of them; write.go publishes the files.
// Metric labels, units, families and the percent convention come from the
// metric catalogue (model.Catalogue); which metrics are drawn (keyMetrics,
// primaryMetric, fanDefs) is the report's editorial choice.
//
// It imports aggregate, dataset, model, stats, study and gsa (for result
// types); never pipeline or cmd.
package reports
