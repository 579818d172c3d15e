package reports

import (
	"math"

	"gonum.org/v1/plot"
)

// integerTicks labels only whole numbers: the axes of counts (providers,
// exits, days; model.Metric.Integer), where a tick at 7.5 providers would
// name an impossible value. The step is the smallest of 1, 2, 5, 10, 20, …
// that gives at most 6 labelled ticks in [lo, hi]; an axis narrower than one
// unit gets the whole numbers it contains (possibly none).
type integerTicks struct{}

// Ticks implements plot.Ticker.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi >= lo) || !finite(lo) || !finite(hi) {
		return nil
	}
	step := 1.0
	for k := 0; (hi-lo)/step > 6; k++ {
		step = []float64{1, 2, 5}[(k+1)%3] * math.Pow(10, float64((k+1)/3))
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		out = append(out, plot.Tick{Value: v, Label: tickLabel(v, 0, 0, "")})
	}
	return out
}
