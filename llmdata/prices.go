package llmdata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"

	"gonum.org/v1/gonum/stat"
)

// ErrFormat is wrapped by ReadPriceHistory's errors about the file's layout
// or a field's value (the message names the line and column).
var ErrFormat = errors.New("llmdata: bad price history")

// ErrNoData is wrapped by FitCostDecline when the tier has fewer than three
// usable price points.
var ErrNoData = errors.New("llmdata: not enough price points")

// PriceRow is one row of llm_price_history.csv: a tracked model's list prices
// in USD per million LLM tokens (Mtok), as of the commit that changed them.
type PriceRow struct {
	Line             int // 1-based line in the file
	Time             time.Time
	Model, Key       string
	InputUSDPerMtok  float64
	OutputUSDPerMtok float64
}

// Blended returns the 3:1 input:output blended price, (3 in + out)/4 USD per
// Mtok: the convention of the provider table (MODEL-SPEC §1).
func (r PriceRow) Blended() float64 { return (3*r.InputUSDPerMtok + r.OutputUSDPerMtok) / 4 }

var header = []string{"commit_time", "model", "litellm_key", "input_usd_per_mtok", "output_usd_per_mtok", "source_repo", "commit"}

// ReadPriceHistory parses llm_price_history.csv. Errors wrap ErrFormat and
// name the line: a header other than commit_time, model, litellm_key,
// input_usd_per_mtok, output_usd_per_mtok, source_repo, commit; a time not in
// RFC 3339; a price that is not a finite number ≥ 0.
func ReadPriceHistory(r io.Reader) ([]PriceRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	for i, h := range header {
		if head[i] != h {
			return nil, fmt.Errorf("%w: line 1: column %d is %q, want %q", ErrFormat, i+1, head[i], h)
		}
	}
	var out []PriceRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		ts, err := time.Parse(time.RFC3339, rec[0])
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: commit_time %q: %v", ErrFormat, line, rec[0], err)
		}
		row := PriceRow{Line: line, Time: ts, Model: rec[1], Key: rec[2]}
		for c, dst := range []*float64{&row.InputUSDPerMtok, &row.OutputUSDPerMtok} {
			x, err := strconv.ParseFloat(rec[3+c], 64)
			if err != nil || !(x >= 0) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%w: line %d: %s = %q: want a finite number ≥ 0", ErrFormat, line, header[3+c], rec[3+c])
			}
			*dst = x
		}
		out = append(out, row)
	}
}

// Dropped is a row removed by Clean and why.
type Dropped struct {
	Row    PriceRow
	Reason string
}

// typoWindow and typoRatio define a typo: a price superseded within
// typoWindow by a row of the same model with a component typoRatio times
// larger or smaller (list prices are cut in steps of 2–3×, never raised 10×
// within weeks).
const (
	typoWindow = 30 * 24 * time.Hour
	typoRatio  = 5.0
)

// Clean removes the file's known errors (llm_price_history.md), by rules
// rather than by line numbers:
//   - a zero input or output price is a placeholder for "unknown": dropped;
//   - a row followed within 30 days by a row of the same model whose input or
//     output price differs by a factor ≥ 5 is a typo of that later row
//     (2023-09-06 gpt-4 input 3.0, corrected to 30.0 on 2023-09-18): dropped.
//
// Cuts that appear late or never under a key (commit_time lags the
// announcement) cannot be repaired from the file; FitCostDecline uses the
// dates as they are (see its doc). The rows come back in time order.
func Clean(rows []PriceRow) (kept []PriceRow, dropped []Dropped) {
	rs := append([]PriceRow(nil), rows...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
	far := func(a, b float64) bool { return a > 0 && b > 0 && math.Max(a/b, b/a) >= typoRatio }
	for i, r := range rs {
		if r.InputUSDPerMtok == 0 || r.OutputUSDPerMtok == 0 {
			dropped = append(dropped, Dropped{r, "zero price: placeholder for unknown"})
			continue
		}
		typo := false
		for _, n := range rs[i+1:] {
			if n.Time.Sub(r.Time) > typoWindow {
				break
			}
			if n.Model == r.Model && (far(n.InputUSDPerMtok, r.InputUSDPerMtok) || far(n.OutputUSDPerMtok, r.OutputUSDPerMtok)) {
				typo = true
				break
			}
		}
		if typo {
			dropped = append(dropped, Dropped{r, "typo: corrected by a later row within 30 days"})
			continue
		}
		kept = append(kept, r)
	}
	return kept, dropped
}

// FrontierTier is the frontier capability tier of MODEL-SPEC-v2 §C.4, oldest
// first: each model replaced the previous one as OpenAI's flagship
// (GPT-4 2023 → GPT-4 Turbo → GPT-4o → GPT-4.1).
var FrontierTier = []string{"gpt-4", "gpt-4-turbo", "gpt-4o", "gpt-4.1"}

// Point is one observation of a tier's blended price.
type Point struct {
	Time  time.Time
	Model string
	USD   float64 // blended USD per Mtok
}

// TierPath returns the tier's price path from cleaned rows: in time order,
// every row of a tier model at least as new as the newest tier model already
// seen (a re-listing of an older model is not the tier's price), with its
// blended price.
func TierPath(rows []PriceRow, tier []string) []Point {
	rank := map[string]int{}
	for i, m := range tier {
		rank[m] = i
	}
	newest := -1
	var out []Point
	for _, r := range rows {
		k, ok := rank[r.Model]
		if !ok || k < newest {
			continue
		}
		newest = k
		out = append(out, Point{Time: r.Time, Model: r.Model, USD: r.Blended()})
	}
	return out
}

// Fit is a log-linear fit of a tier's price against time.
type Fit struct {
	// DeclinePerYear δ: ln p falls by δ per year (p_t = p_0 e^(−δ t)).
	DeclinePerYear float64
	// SE is δ's OLS standard error (points treated as independent; the
	// points are few and serially dependent, so read it as indicative).
	SE       float64
	N        int
	From, To time.Time
	Points   []Point
}

// FitCostDecline fits ln(blended price) = α − δ t (t in years of 365 days)
// by ordinary least squares on the tier's path (TierPath of Clean(rows)),
// the calibration of providers.cost_decline_per_year (MODEL-SPEC-v2 §B.3,
// §C.4): list prices of a fixed capability tier are the observable proxy of
// its marginal cost when margins are stable. The dates are the file's commit
// times, which lag announcements (by up to three months for GPT-4o's
// 2024-08 cut); TestFitShippedData compares with the announced dates.
// Errors wrap ErrNoData.
func FitCostDecline(rows []PriceRow, tier []string) (Fit, error) {
	kept, _ := Clean(rows)
	return FitPoints(TierPath(kept, tier))
}

// FitPoints fits the decline on given points (e.g. announced prices), as
// FitCostDecline does on a tier's path. Errors wrap ErrNoData.
func FitPoints(path []Point) (Fit, error) {
	n := len(path)
	if n < 3 {
		return Fit{}, fmt.Errorf("%w: %d points of the tier", ErrNoData, n)
	}
	t0 := path[0].Time
	x := make([]float64, n)
	y := make([]float64, n)
	for i, p := range path {
		x[i] = p.Time.Sub(t0).Hours() / 24 / 365
		y[i] = math.Log(p.USD)
	}
	alpha, beta := stat.LinearRegression(x, y, nil, false)
	ss, sxx := 0.0, 0.0
	mx := stat.Mean(x, nil)
	for i := range x {
		r := y[i] - alpha - beta*x[i]
		ss += r * r
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	se := math.Sqrt(ss / float64(n-2) / sxx)
	return Fit{DeclinePerYear: -beta, SE: se, N: n, From: t0, To: path[n-1].Time, Points: path}, nil
}
