package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
)

// synthOpts describes a synthetic study for the tests: made-up numbers with
// the shapes of a real aggregate (aggregate.Study), drawn from a seeded PCG so that
// figures are reproducible.
type synthOpts struct {
	scenarios []string
	policies  []string
	runs      int  // per cell
	days      int  // horizon; fans have days+1 points (day 0..days)
	sweep     bool // a 3×2 sweep over share_cap.cap × network.effect
	config    string
	failed    int
	planned   int // 0: runs × cells
	seed      uint64
}

// quantile7 is the Hyndman–Fan type 7 quantile of sorted x.
func quantile7(x []float64, p float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	h := float64(len(x)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[i] + (h-lo)*(x[i+1]-x[i])
}

func distOf(x []float64) stats.Dist {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := float64(len(s))
	var sum float64
	for _, v := range s {
		sum += v
	}
	mean := sum / n
	var ss float64
	for _, v := range s {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / (n - 1))
	half := 1.96 * sd / math.Sqrt(n)
	return stats.Dist{N: len(s), Mean: mean, MeanLo: mean - half, MeanHi: mean + half, SD: sd,
		Min: s[0], P5: quantile7(s, 0.05), P25: quantile7(s, 0.25), Median: quantile7(s, 0.5),
		P75: quantile7(s, 0.75), P95: quantile7(s, 0.95), Max: s[len(s)-1]}
}

// metricBase gives a plausible scale per metric and each policy's effect.
func metricValue(name string, scen, pol int, z float64) float64 {
	base := map[string]float64{
		"peg_mad": 0.02, "realized_vol_annual": 0.3, "days_outside_band_frac": 0.1, "max_drawdown": 0.15,
		"hhi_final": 2400, "hhi_mean": 2300, "top_share_final": 0.35, "effective_n_final": 4.2, "n_active_final": 6,
		"provider_profit_usd": 2e9, "profitable_frac": 0.8, "revenue_cv": 0.2, "fund_pnl_usd": 1e7,
		"satisfaction": 0.95, "mean_cost_usd_per_mtok": 4.1, "deferred_frac": 0.03, "cost_volatility": 0.01,
		"supply_final_clt": 1.02e10, "velocity": 3.1,
	}[name]
	if base == 0 {
		base = 1
	}
	eff := 1 - 0.12*float64(pol) + 0.2*float64(scen)
	return base * eff * math.Exp(0.25*z)
}

// synthStudy builds the synthetic aggregate.
func synthStudy(o synthOpts) *aggregate.Study {
	rng := rand.New(rand.NewPCG(o.seed, 7))
	st := &aggregate.Study{Options: aggregate.DefaultOptions()}
	cells := 0
	type sweepPt []dataset.SweepValue
	pts := []sweepPt{nil}
	if o.sweep {
		pts = nil
		for _, ne := range []float64{0.3, 0.8} {
			for _, cap := range []float64{0.3, 0.4, 0.5} {
				pts = append(pts, sweepPt{{Param: "share_cap.cap", Value: cap, Text: fmt.Sprint(cap)}, {Param: "network.effect", Value: ne, Text: fmt.Sprint(ne)}})
			}
		}
	}
	var names []string
	for _, m := range model.CatalogueOf(model.TableRuns) {
		if m.Family != model.FamilyGovernance && m.Unit != "true/false" { // flags: 0/1, not drawn here
			st.Metrics = append(st.Metrics, m)
			names = append(names, m.Name)
		}
	}
	st.Events = []aggregate.EventInfo{
		{Name: "fund_depleted", Label: "P(fund depleted)", Metric: "fund_depleted", Rule: "fund_depleted = true (runs with a fund)", Better: model.LowerIsBetter},
		{Name: "hhi_above_1800", Label: "P(HHI > 1,800 at the end)", Metric: "hhi_final", Rule: "hhi_final > 1800", Better: model.LowerIsBetter},
	}
	// Common random numbers: z[replicate][metric] shared by all cells.
	z := make([][]float64, o.runs)
	for r := range z {
		z[r] = make([]float64, len(names))
		for k := range z[r] {
			z[r][k] = rng.NormFloat64()
		}
	}
	for si, sc := range o.scenarios {
		for _, pt := range pts {
			vals := map[string][][]float64{} // policy → metric → runs
			for pi, pol := range o.policies {
				c := aggregate.CellStats{Cell: cells, Scenario: sc, Policy: pol, Sweep: pt, Runs: o.runs, Expected: o.runs}
				cells++
				vals[pol] = make([][]float64, len(names))
				for k, name := range names {
					xs := make([]float64, o.runs)
					for r := range xs {
						xs[r] = metricValue(name, si, pi, z[r][k]+0.3*rng.NormFloat64())
					}
					vals[pol][k] = xs
					c.Metrics = append(c.Metrics, aggregate.MetricDist{Metric: name, Dist: distOf(xs)})
				}
				k := int(float64(o.runs) * 0.1 * float64(pi+1) / float64(len(o.policies)))
				c.Events = []stats.Proportion{
					{Event: "fund_depleted", K: k, N: o.runs, P: float64(k) / float64(o.runs), Lo: math.Max(0, float64(k)/float64(o.runs)-0.05), Hi: float64(k)/float64(o.runs) + 0.05},
					{Event: "hhi_above_1800", K: o.runs - k, N: o.runs, P: 1 - float64(k)/float64(o.runs), Lo: 0.8 - float64(k)/float64(o.runs), Hi: 1},
				}
				st.Cells = append(st.Cells, c)
				if o.days > 0 {
					for _, v := range []string{aggregate.FanPrice, aggregate.FanHHI, aggregate.FanNActive, aggregate.FanSatisfaction, aggregate.FanCost} {
						st.Fans = append(st.Fans, synthFan(c, v, o.days, si, pi))
					}
				}
			}
			if _, ok := vals[aggregate.BaselinePolicy]; !ok {
				continue
			}
			for pi, pol := range o.policies {
				if pol == aggregate.BaselinePolicy {
					continue
				}
				_ = pi
				for k, name := range names {
					d := make([]float64, o.runs)
					var bm, pm float64
					for r := range d {
						d[r] = vals[pol][k][r] - vals[aggregate.BaselinePolicy][k][r]
						bm += vals[aggregate.BaselinePolicy][k][r]
						pm += vals[pol][k][r]
					}
					dd := distOf(d)
					mi, _ := st.MetricInfo(name)
					better := math.NaN()
					if mi.Better != model.Neutral {
						nb := 0
						for _, x := range d {
							if float64(mi.Better)*x > 0 {
								nb++
							}
						}
						better = float64(nb) / float64(len(d))
					}
					st.Effects = append(st.Effects, aggregate.Effect{Scenario: sc, Policy: pol, Sweep: pt, Metric: name, N: o.runs,
						BaseMean: bm / float64(o.runs), PolicyMean: pm / float64(o.runs), MeanDiff: dd.Mean, Lo: dd.MeanLo, Hi: dd.MeanHi,
						SDDiff: dd.SD, FracBetter: better, Method: stats.MethodBCa, B: 2000})
				}
			}
		}
	}
	planned := o.planned
	if planned == 0 {
		planned = cells * o.runs
	}
	var swept []string
	if o.sweep {
		swept = []string{"share_cap.cap", "network.effect"}
	}
	st.Info = dataset.StudyInfo{
		Dir: "/tmp/synthetic", Name: "synthetic", Seed: 20261121, ToolVersion: "v0.0.0-test", SchemaVersion: 1,
		ConfigHash: "sha256:0123abcd", Config: []byte(o.config), Replicates: o.runs, HorizonDays: o.days,
		Scenarios: o.scenarios, Policies: o.policies, SweepParams: swept, HasManifest: true,
		Complete: o.failed == 0 && planned == cells*o.runs, RunsPlanned: planned, RunsFound: cells * o.runs,
		RunsFailed: o.failed, Started: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC),
		Finished: time.Date(2026, 11, 21, 12, 3, 7, 0, time.UTC), WallSeconds: 187,
		StepsPresent: o.days > 0, ConsumerDays: int64(cells*o.runs) * 2000 * int64(max(o.days, 1)),
		RunsPartFiles: 2, StepsPartFiles: 2 * cells,
	}
	for i := range o.failed {
		st.Info.FailedRuns = append(st.Info.FailedRuns, fmt.Sprintf("run %d: model: price not finite on day %d", 100+i, 17+i))
	}
	return st
}

// synthFan is a smooth fan for one variable in one cell.
func synthFan(c aggregate.CellStats, v string, days, si, pi int) aggregate.Fan {
	f := aggregate.Fan{Cell: c.Cell, Scenario: c.Scenario, Policy: c.Policy, Sweep: c.Sweep, Variable: v}
	for d := 0; d <= days; d++ {
		t := float64(d)
		var mid, w float64
		switch v {
		case aggregate.FanPrice:
			mid = 1 + 0.03*float64(si)*math.Sin(t/40)
			w = 0.01 * (1 + float64(si)*t/120) / float64(1+pi)
		case aggregate.FanHHI:
			mid = 2200 + t*(1.5+float64(si)) - 100*float64(pi)
			w = 60 + t/3
		case aggregate.FanNActive:
			mid = math.Round(6 + t/120 - float64(si))
			w = 1
		case aggregate.FanSatisfaction:
			mid = 0.97 - 0.04*float64(si)*math.Abs(math.Sin(t/60))
			w = 0.01
		case aggregate.FanCost:
			mid = 4 + 0.2*float64(si)*math.Sin(t/50)
			w = 0.1 + t/2000
		}
		f.Days = append(f.Days, int32(d))
		f.N = append(f.N, c.Runs)
		f.P5 = append(f.P5, mid-2.5*w)
		f.P25 = append(f.P25, mid-w)
		f.P50 = append(f.P50, mid)
		f.P75 = append(f.P75, mid+w)
		f.P95 = append(f.P95, mid+2.5*w)
		f.Mean = append(f.Mean, mid+0.1*w)
	}
	return f
}
