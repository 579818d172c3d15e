package episode

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrData is wrapped by every error about an input series: an unreadable
// CSV, a missing column, an unparsable or out-of-order date, a bad number,
// or an empty window.
var ErrData = errors.New("episode: bad data")

// Series is a daily series read from one CSV file: one row per day, dates
// strictly increasing (UTC midnight). Prices in USD; Supply in units of the
// asset and MarketCap in USD (NaN where the file has 0 or nothing: not
// reported).
type Series struct {
	Name                   string
	Dates                  []time.Time
	Open, High, Low, Close []float64
	Supply, MarketCap      []float64
}

// columns accepted for each field (lower-cased header names): the
// stablecoins files (date, open, high, low, close, volume_usd,
// market_cap_usd, circulating_supply) and the prices files (Date, High, Low,
// Open, Close, Volume, Marketcap).
var columnNames = map[string][]string{
	"date":   {"date"},
	"open":   {"open"},
	"high":   {"high"},
	"low":    {"low"},
	"close":  {"close"},
	"supply": {"circulating_supply"},
	"mcap":   {"market_cap_usd", "marketcap"},
}

// ReadCSV reads a daily series with a header row from r; name is used in
// errors ("usdc.csv:12: …"). Date, open, high, low and close are required;
// supply and market cap are optional. Errors wrap ErrData and name the line.
func ReadCSV(r io.Reader, name string) (*Series, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: header: %v", ErrData, name, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for field, names := range columnNames {
			for _, n := range names {
				if h == n {
					idx[field] = i
				}
			}
		}
	}
	for _, f := range []string{"date", "open", "high", "low", "close"} {
		if _, ok := idx[f]; !ok {
			return nil, fmt.Errorf("%w: %s: no %q column in header %v", ErrData, name, f, header)
		}
	}
	s := &Series{Name: name}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrData, name, line, err)
		}
		get := func(field string, required bool) (float64, error) {
			i, ok := idx[field]
			if !ok || i >= len(rec) {
				if required {
					return 0, fmt.Errorf("%w: %s:%d: missing %s", ErrData, name, line, field)
				}
				return math.NaN(), nil
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				return 0, fmt.Errorf("%w: %s:%d: %s = %q: want a finite number ≥ 0", ErrData, name, line, field, rec[i])
			}
			if !required && x == 0 {
				return math.NaN(), nil // not reported
			}
			return x, nil
		}
		ds := strings.TrimSpace(rec[idx["date"]])
		if len(ds) > 10 {
			ds = ds[:10]
		}
		d, err := time.Parse(time.DateOnly, ds)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: date %q: want YYYY-MM-DD", ErrData, name, line, rec[idx["date"]])
		}
		if n := len(s.Dates); n > 0 && !d.After(s.Dates[n-1]) {
			return nil, fmt.Errorf("%w: %s:%d: date %s not after %s", ErrData, name, line, ds, s.Dates[n-1].Format(time.DateOnly))
		}
		var v [6]float64
		for k, f := range []string{"open", "high", "low", "close", "supply", "mcap"} {
			if v[k], err = get(f, k < 4); err != nil {
				return nil, err
			}
		}
		if !(v[3] > 0) {
			return nil, fmt.Errorf("%w: %s:%d: close = %v: want > 0", ErrData, name, line, v[3])
		}
		s.Dates = append(s.Dates, d)
		s.Open, s.High, s.Low, s.Close = append(s.Open, v[0]), append(s.High, v[1]), append(s.Low, v[2]), append(s.Close, v[3])
		s.Supply, s.MarketCap = append(s.Supply, v[4]), append(s.MarketCap, v[5])
	}
	if len(s.Dates) == 0 {
		return nil, fmt.Errorf("%w: %s: no rows", ErrData, name)
	}
	return s, nil
}

// Window returns the rows with from ≤ date ≤ to (dates as YYYY-MM-DD),
// sharing no memory with s. Errors wrap ErrData (bad dates, empty window).
func (s *Series) Window(from, to string) (*Series, error) {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: %s: window %q..%q: want YYYY-MM-DD dates", ErrData, s.Name, from, to)
	}
	w := &Series{Name: s.Name}
	for i, d := range s.Dates {
		if d.Before(f) || d.After(t) {
			continue
		}
		w.Dates = append(w.Dates, d)
		w.Open, w.High, w.Low, w.Close = append(w.Open, s.Open[i]), append(w.High, s.High[i]), append(w.Low, s.Low[i]), append(w.Close, s.Close[i])
		w.Supply, w.MarketCap = append(w.Supply, s.Supply[i]), append(w.MarketCap, s.MarketCap[i])
	}
	if len(w.Dates) == 0 {
		return nil, fmt.Errorf("%w: %s: no rows in %s..%s", ErrData, s.Name, from, to)
	}
	return w, nil
}

// Index returns the row of the date (YYYY-MM-DD), or −1.
func (s *Series) Index(date string) int {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return -1
	}
	for i, x := range s.Dates {
		if x.Equal(d) {
			return i
		}
	}
	return -1
}

// LogReturns returns the daily log returns of the closes, ln C_t − ln C_t−1.
func (s *Series) LogReturns() []float64 { return logReturns(s.Close) }

// logReturns returns ln(x_t/x_t−1) for t = 1..len(x)−1 (nil for fewer than
// 2 values).
func logReturns(x []float64) []float64 {
	if len(x) < 2 {
		return nil
	}
	r := make([]float64, len(x)-1)
	for i := 1; i < len(x); i++ {
		r[i-1] = math.Log(x[i] / x[i-1])
	}
	return r
}
