package reports

import (
	"context"
	"testing"
)

// BenchmarkWrite measures reports.Write (Build, drawing every figure as PNG
// and SVG, the page, the files) on a synthetic aggregate of the default
// study's shape: 4 scenarios × 4 policies, fans over 366 days. The figures
// are drawn on GOMAXPROCS goroutines (drawFigures). It reports reports/s and
// figures drawn per second.
func BenchmarkWrite(b *testing.B) {
	st := synthStudy(synthOpts{
		scenarios: []string{"baseline", "volatility", "centralization", "volatile_centralized"},
		policies:  []string{"none", "fund", "share_cap", "all"},
		runs:      100, days: 365, seed: 1,
		config: "name: synthetic\nseed: 20261121\nparams:\n  metrics: {peg_band: 0.05}\n",
	})
	opts := DefaultOptions()
	rep, err := Build(context.Background(), st, opts)
	if err != nil {
		b.Fatal(err)
	}
	figs := len(rep.Figures())
	for b.Loop() {
		if _, err := Write(context.Background(), st, b.TempDir(), opts); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(1/sec, "reports/s")
	b.ReportMetric(float64(figs)/sec, "figures/s")
}
