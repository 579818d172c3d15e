package stats

// Dist summarises one metric's distribution across the runs of one cell.
// Quantiles use Hyndman–Fan type 7 (see Quantile); MeanLo/MeanHi is the
// Student-t confidence interval of the mean at the confidence level; SD uses n−1.
// With N = 0 every float is NaN; with N = 1, SD, MeanLo and MeanHi are NaN.
type Dist struct {
	N       int // runs with a value
	Missing int // runs with a null or non-finite value (e.g. leader_profit_share when total profit ≤ 0)
	Mean    float64
	MeanLo  float64
	MeanHi  float64
	SD      float64
	Min     float64
	P5      float64
	P25     float64
	Median  float64
	P75     float64
	P95     float64
	Max     float64
}

// Proportion is an estimated event probability with a Wilson score interval
// (Wilson 1927) at the confidence level: K runs of N had the event.
type Proportion struct {
	Event string // the event's name
	K, N  int
	P     float64 // K/N; NaN when N = 0
	Lo    float64
	Hi    float64
}
