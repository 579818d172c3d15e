package checks

import (
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tokensim/tokensim/model"
)

// ShareBand is the half-width of the band around a published share within
// which a simulated share counts as reproducing it (MODEL-SPEC-v2 §C.4).
const ShareBand = 0.05

// PublishedShares are enterprise LLM-API spend shares by period ("2023",
// "2024", "2025H1", "2025") and company, as in llm_market_shares.csv.
type PublishedShares map[string]map[string]float64

// ReadPublishedShares reads llm_market_shares.csv (header
// period,segment,provider,share,source). Errors name the file and line.
func ReadPublishedShares(r io.Reader, name string) (PublishedShares, error) {
	cr := csv.NewReader(r)
	cr.LazyQuotes = true // the source column quotes report titles mid-field
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrChecks, name, err)
	}
	if len(rows) < 2 || len(rows[0]) < 4 || rows[0][0] != "period" || rows[0][2] != "provider" || rows[0][3] != "share" {
		return nil, fmt.Errorf("%w: %s: want a header period,segment,provider,share,…", ErrChecks, name)
	}
	out := PublishedShares{}
	for i, row := range rows[1:] {
		x, err := strconv.ParseFloat(row[3], 64)
		if err != nil || x < 0 || x > 1 {
			return nil, fmt.Errorf("%w: %s line %d: share %q: want a number in [0, 1]", ErrChecks, name, i+2, row[3])
		}
		if out[row[0]] == nil {
			out[row[0]] = map[string]float64{}
		}
		out[row[0]][row[2]] = x
	}
	return out, nil
}

// PeriodDay is the simulated day a published period corresponds to when day
// 0 is the 2023 figure (the periods are calendar years; 2025H1 is mid-2025).
var PeriodDay = map[string]int{"2023": 0, "2024": 365, "2025H1": 547, "2025": 730}

// LLMMarketResult is the llm_market_2023 check (MODEL-SPEC-v2 §C.4).
type LLMMarketResult struct {
	Runs, Day int
	// Companies are the companies with a published 2025 share that the
	// scenario carries, with their model provider names.
	Companies, Providers []string
	Target               []float64 // published 2025 shares
	// InBandFrac: fraction of runs whose day-Day shares are all within
	// ±ShareBand of Target; PerCompany the same per company.
	InBandFrac float64
	PerCompany []float64
	// LeaderChangeFrac: fraction of runs whose largest provider on day Day
	// is not the 2023 leader (or that have no active provider left);
	// AnyChangeFrac: with leader_changes > 0. NoProviderFrac: runs that end
	// with no active provider.
	LeaderChangeFrac, AnyChangeFrac, NoProviderFrac float64
	FinalMean                                       []float64 // mean day-Day share per company
	// Days and the 5%, 50%, 95% quantiles of each company's share across runs
	// on those days ([company][day]).
	Days          []int
	P5, P50, P95  [][]float64
	FirstLeader   string
	FinalLeaders  map[string]int // runs by largest provider on day Day
	MeanEntries   float64
	MeanExitsFrac float64 // mean exits per run
}

// shareRec keeps the shares of named providers on recorded days, and the
// largest provider of the last recorded day.
type shareRec struct {
	idx    map[string]int
	days   []int
	shares [][]float64 // [day index][provider]
	top    string
	topSh  float64
	last   int64
}

// Step opens a recorded day (the model records a day's Step before its
// provider rows; a day without an active provider has no rows: its shares
// stay 0 and it has no largest provider).
func (r *shareRec) Step(st *model.Step) {
	r.days = append(r.days, int(st.Day))
	r.shares = append(r.shares, make([]float64, len(r.idx)))
	r.last, r.top, r.topSh = st.Day, "", -1
}

func (r *shareRec) ProviderStep(ps *model.ProviderStep) {
	if k, ok := r.idx[ps.Provider]; ok {
		r.shares[len(r.shares)-1][k] = ps.Share
	}
	if ps.Share > r.topSh {
		r.top, r.topSh = ps.Provider, ps.Share
	}
}

// LLMMarket2023 runs the llm_market_2023 scenario with base parameters
// (model.Default()) and policy `none` for reps replicates over horizonDays
// (≥ 730) and compares day 730 with the published 2025 shares (§C.4).
func LLMMarket2023(ctx context.Context, base model.Params, pub PublishedShares, reps, horizonDays int, seed uint64) (LLMMarketResult, error) {
	const day = 730
	if reps < 2 || horizonDays < day {
		return LLMMarketResult{}, fmt.Errorf("%w: llm_market_2023 needs ≥ 2 replicates and a horizon ≥ %d days", ErrChecks, day)
	}
	target := pub["2025"]
	if len(target) == 0 {
		return LLMMarketResult{}, fmt.Errorf("%w: no 2025 shares in the published data", ErrChecks)
	}
	sc := model.Scenarios()[model.ScenarioLLMMarket2023]
	p, err := model.Resolve(base, sc, model.Policies()[model.PolicyNone])
	if err != nil {
		return LLMMarketResult{}, err
	}
	res := LLMMarketResult{Runs: reps, Day: day, FinalLeaders: map[string]int{}}
	idx := map[string]int{}
	var initial []float64 // day-0 share per company
	first, best := "", -1.0
	for _, r := range model.LLMMarket2023Providers() {
		if x, ok := target[r.Company]; ok {
			idx[r.Name] = len(res.Companies)
			res.Companies = append(res.Companies, r.Company)
			res.Providers = append(res.Providers, r.Name)
			res.Target = append(res.Target, x)
			initial = append(initial, r.InitialShare)
		}
		if r.InitialShare > best {
			first, best = r.Name, r.InitialShare
		}
	}
	res.FirstLeader = first
	recs := make([]*shareRec, reps)
	sums := make([]model.Summary, reps)
	jobs := make([]RunJob, reps)
	for r := range jobs {
		recs[r] = &shareRec{idx: idx, last: -1}
		jobs[r] = RunJob{Spec: model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: day, Seed: seed, Replicate: r,
			RecordEveryDays: 10, ProviderSteps: true}, Rec: recs[r], Out: &sums[r]}
	}
	if err := RunAll(ctx, jobs, 0); err != nil {
		return LLMMarketResult{}, err
	}
	nc := len(res.Companies)
	res.FinalMean = make([]float64, nc)
	finals := make([][]float64, reps)
	tops := make([]string, reps)
	for r, rec := range recs {
		finals[r] = rec.shares[len(rec.shares)-1]
		tops[r] = rec.top
		for k := range finals[r] {
			res.FinalMean[k] += finals[r][k] / float64(reps)
		}
		res.FinalLeaders[rec.top]++
		if sums[r].NActiveFinal == 0 {
			res.NoProviderFrac += 1 / float64(reps)
		}
		if sums[r].LeaderChanges > 0 {
			res.AnyChangeFrac += 1 / float64(reps)
		}
		res.MeanEntries += float64(sums[r].Entries) / float64(reps)
		res.MeanExitsFrac += float64(sums[r].Exits) / float64(reps)
	}
	res.InBandFrac, res.PerCompany = FractionInBand(finals, res.Target, ShareBand)
	res.LeaderChangeFrac = FractionLeaderChanged(first, tops)
	// Quantile bands by day (day 0: the initial shares).
	res.Days = append([]int{0}, recs[0].days...)
	res.P5, res.P50, res.P95 = make([][]float64, nc), make([][]float64, nc), make([][]float64, nc)
	col := make([]float64, reps)
	for k := 0; k < nc; k++ {
		res.P5[k] = append(res.P5[k], initial[k])
		res.P50[k] = append(res.P50[k], initial[k])
		res.P95[k] = append(res.P95[k], initial[k])
		for d := range recs[0].days {
			for r := range recs {
				col[r] = recs[r].shares[d][k]
			}
			sort.Float64s(col)
			res.P5[k] = append(res.P5[k], stat.Quantile(0.05, stat.Empirical, col, nil))
			res.P50[k] = append(res.P50[k], stat.Quantile(0.5, stat.Empirical, col, nil))
			res.P95[k] = append(res.P95[k], stat.Quantile(0.95, stat.Empirical, col, nil))
		}
	}
	return res, nil
}

// FractionInBand returns the fraction of runs whose shares (shares[run][k])
// are all within ±band of target[k], and the fraction per k (MODEL-SPEC-v2
// §C.4); a share on the band's edge is inside (to 1e-12, so that decimal
// shares such as 0.27 − 0.22 count as on the edge). It returns zeros for no runs.
func FractionInBand(shares [][]float64, target []float64, band float64) (all float64, per []float64) {
	per = make([]float64, len(target))
	if len(shares) == 0 {
		return 0, per
	}
	n := float64(len(shares))
	for _, s := range shares {
		ok := true
		for k, x := range target {
			if math.Abs(s[k]-x) <= band+1e-12 {
				per[k] += 1 / n
			} else {
				ok = false
			}
		}
		if ok {
			all += 1 / n
		}
	}
	return all, per
}

// FractionLeaderChanged returns the fraction of runs whose largest provider
// at the end (finalLeaders[run]) is not first, the largest at the start.
func FractionLeaderChanged(first string, finalLeaders []string) float64 {
	if len(finalLeaders) == 0 {
		return 0
	}
	n := 0
	for _, l := range finalLeaders {
		if l != first {
			n++
		}
	}
	return float64(n) / float64(len(finalLeaders))
}

// companyColors are the figure's colours (Okabe–Ito, colour-blind safe).
var companyColors = []color.RGBA{{0xD5, 0x5E, 0x00, 0xFF}, {0x00, 0x72, 0xB2, 0xFF}, {0x00, 0x9E, 0x73, 0xFF}, {0xCC, 0x79, 0xA7, 0xFF}}

// WriteLLMMarketFigure draws the llm_market_2023 check as a PNG at path: for
// each company the median simulated share (line) and its 5–95% band across
// runs by day, and the published shares (points) of pub at PeriodDay.
func WriteLLMMarketFigure(path string, res LLMMarketResult, pub PublishedShares) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("llm_market_2023: simulated shares (median line, 5–95%% band of %d runs); published shares (points)", res.Runs)
	p.X.Label.Text = "day (0 = 2023)"
	p.Y.Label.Text = "share of enterprise LLM-API spend"
	p.Y.Min, p.Y.Max = 0, 1
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), -vg.Points(10)
	xs := make([]float64, len(res.Days))
	for i, d := range res.Days {
		xs[i] = float64(d)
	}
	for k, name := range res.Companies {
		c := companyColors[k%len(companyColors)]
		fill := color.NRGBA{c.R, c.G, c.B, 0x50}
		pts := make(plotter.XYs, 0, 2*len(xs))
		for i := range xs {
			pts = append(pts, plotter.XY{X: xs[i], Y: res.P5[k][i]})
		}
		for i := len(xs) - 1; i >= 0; i-- {
			pts = append(pts, plotter.XY{X: xs[i], Y: res.P95[k][i]})
		}
		poly, err := plotter.NewPolygon(pts)
		if err != nil {
			return fmt.Errorf("%w: figure: %v", ErrChecks, err)
		}
		poly.Color, poly.LineStyle.Width = fill, 0
		med := make(plotter.XYs, len(xs))
		for i := range xs {
			med[i] = plotter.XY{X: xs[i], Y: res.P50[k][i]}
		}
		line, err := plotter.NewLine(med)
		if err != nil {
			return fmt.Errorf("%w: figure: %v", ErrChecks, err)
		}
		line.Color, line.Width = c, vg.Points(1.5)
		var obs plotter.XYs
		for period, day := range PeriodDay {
			if x, ok := pub[period][name]; ok {
				obs = append(obs, plotter.XY{X: float64(day), Y: x})
			}
		}
		sort.Slice(obs, func(i, j int) bool { return obs[i].X < obs[j].X })
		sc, err := plotter.NewScatter(obs)
		if err != nil {
			return fmt.Errorf("%w: figure: %v", ErrChecks, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
		p.Add(poly, line, sc)
		p.Legend.Add(fmt.Sprintf("%s (%s)", name, res.Providers[k]), line, sc)
	}
	w, err := p.WriterTo(9*vg.Inch, 5*vg.Inch, "png")
	if err != nil {
		return fmt.Errorf("%w: figure: %v", ErrChecks, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%w: figure: %v", ErrChecks, err)
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("%w: figure %s: %v", ErrChecks, path, err)
	}
	return f.Close()
}
