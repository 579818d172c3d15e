package calibrate

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

// ErrBadPrices is wrapped by every error ReadPrices returns for bad input
// (missing columns, unparsable or non-positive values, unsorted or duplicate
// dates, too few returns). Use errors.Is to test for it.
var ErrBadPrices = errors.New("bad price data")

// DefaultMinReturns is the fewest daily log returns ReadPrices accepts
// (about one year of trading days; fewer make a GARCH fit unreliable).
const DefaultMinReturns = 250

// PriceOptions configure ReadPrices. The zero value reads the columns Date
// and Close of the whole file and rejects every bad row.
type PriceOptions struct {
	// DateColumn and PriceColumn name the header fields holding the date
	// and the price; empty means "Date" and "Close" (the CoinMarketCap
	// export layout). Names match exactly after trimming spaces.
	DateColumn, PriceColumn string
	// From and To restrict the rows to dates in [From, To] (inclusive,
	// calendar days); a zero time leaves that side open.
	From, To time.Time
	// SkipBadRows skips rows with a missing field, an unparsable date or
	// price, a non-positive or non-finite price, or a date that is not after
	// the previous row's, instead of failing; each skipped row is reported
	// in PriceSeries.Skipped. Header problems are always errors.
	SkipBadRows bool
	// MinReturns is the fewest log returns accepted after filtering; 0 means
	// DefaultMinReturns.
	MinReturns int
}

// PriceSeries is a daily price series read by ReadPrices: Dates[i] (UTC
// midnight of the row's calendar day) and Prices[i] > 0, strictly increasing
// dates.
type PriceSeries struct {
	Dates  []time.Time
	Prices []float64
	// Lines[i] is the 1-based line of the input that gave Prices[i].
	Lines []int
	// Warnings are gaps between consecutive kept rows of more than one
	// calendar day, each naming the line; the log return across a gap is
	// kept as one return.
	Warnings []string
	// Skipped lists every row skipped because of SkipBadRows, with its line
	// and reason.
	Skipped []string
	// Excluded counts rows that were well-formed as far as their date but
	// lay outside [From, To].
	Excluded int
}

// LogReturns returns the len(Prices)−1 daily log returns ln P_t − ln P_t−1.
func (s *PriceSeries) LogReturns() []float64 {
	if len(s.Prices) < 2 {
		return nil
	}
	r := make([]float64, len(s.Prices)-1)
	for i := 1; i < len(s.Prices); i++ {
		r[i-1] = math.Log(s.Prices[i]) - math.Log(s.Prices[i-1])
	}
	return r
}

// priceDateLayouts are the accepted date formats; only the calendar day is
// used.
var priceDateLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
}

// ParsePriceDate parses a date as ReadPrices does: "2013-04-29",
// "2013-04-29 23:59:59", or RFC 3339; it returns UTC midnight of that
// calendar day.
func ParsePriceDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range priceDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("unparsable date %q (want YYYY-MM-DD, optionally followed by a time)", s)
}

// ReadPrices reads a CSV of daily prices with a header row. Rows are checked
// in order: every row's date must parse and be strictly after the previous
// row's (no duplicates, sorted ascending); rows inside [From, To] must have a
// finite, positive price. Rows outside [From, To] are counted in Excluded and
// their prices are not checked. Any violation is an error wrapping
// ErrBadPrices that names the line, unless opts.SkipBadRows is set, in which
// case the row is skipped and reported in Skipped. Gaps of more than one day
// between kept rows are returned as Warnings. Fewer than opts.MinReturns log
// returns after filtering is an error.
func ReadPrices(r io.Reader, opts PriceOptions) (*PriceSeries, error) {
	dateCol, priceCol := opts.DateColumn, opts.PriceColumn
	if dateCol == "" {
		dateCol = "Date"
	}
	if priceCol == "" {
		priceCol = "Close"
	}
	minRet := opts.MinReturns
	if minRet <= 0 {
		minRet = DefaultMinReturns
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && opts.To.Before(opts.From) {
		return nil, fmt.Errorf("%w: date range is empty: to %s is before from %s", ErrBadPrices,
			opts.To.Format(time.DateOnly), opts.From.Format(time.DateOnly))
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty input (no header line)", ErrBadPrices)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPrices, err)
	}
	di, pi := -1, -1
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		names[i] = h
		switch h {
		case dateCol:
			if di >= 0 {
				return nil, fmt.Errorf("%w: line 1: date column %q appears twice in the header", ErrBadPrices, dateCol)
			}
			di = i
		case priceCol:
			if pi >= 0 {
				return nil, fmt.Errorf("%w: line 1: price column %q appears twice in the header", ErrBadPrices, priceCol)
			}
			pi = i
		}
	}
	var missing []string
	if di < 0 {
		missing = append(missing, fmt.Sprintf("date column %q", dateCol))
	}
	if pi < 0 {
		missing = append(missing, fmt.Sprintf("price column %q", priceCol))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: line 1: header has no %s (columns: %s)", ErrBadPrices,
			strings.Join(missing, " and no "), strings.Join(names, ", "))
	}
	need := max(di, pi) + 1

	s := &PriceSeries{}
	var prevDate time.Time
	prevLine := 0
	fail := func(line int, msg string) error {
		if opts.SkipBadRows {
			s.Skipped = append(s.Skipped, fmt.Sprintf("line %d: %s", line, msg))
			return nil
		}
		return fmt.Errorf("%w: line %d: %s", ErrBadPrices, line, msg)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%w: line %d: %w", ErrBadPrices, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%w: %w", ErrBadPrices, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < need {
			if e := fail(line, fmt.Sprintf("has %d fields, the header has %d (need %q and %q)", len(rec), len(header), dateCol, priceCol)); e != nil {
				return nil, e
			}
			continue
		}
		d, derr := ParsePriceDate(rec[di])
		if derr != nil {
			if e := fail(line, fmt.Sprintf("column %s: %v", dateCol, derr)); e != nil {
				return nil, e
			}
			continue
		}
		if prevLine > 0 && !d.After(prevDate) {
			what := "is before"
			if d.Equal(prevDate) {
				what = "duplicates"
			}
			msg := fmt.Sprintf("date %s %s the date %s on line %d (dates must be strictly increasing)",
				d.Format(time.DateOnly), what, prevDate.Format(time.DateOnly), prevLine)
			if e := fail(line, msg); e != nil {
				return nil, e
			}
			continue
		}
		// The row's date is valid and in order; it is the reference for the
		// next row even when outside [From, To].
		if (!opts.From.IsZero() && d.Before(opts.From)) || (!opts.To.IsZero() && d.After(opts.To)) {
			prevDate, prevLine = d, line
			s.Excluded++
			continue
		}
		field := strings.TrimSpace(rec[pi])
		p, perr := strconv.ParseFloat(field, 64)
		switch {
		case perr != nil || math.IsNaN(p) || math.IsInf(p, 0):
			if e := fail(line, fmt.Sprintf("column %s: unparsable price %q", priceCol, field)); e != nil {
				return nil, e
			}
			continue
		case p <= 0:
			if e := fail(line, fmt.Sprintf("column %s: price %s is not positive (log returns need P > 0)", priceCol, field)); e != nil {
				return nil, e
			}
			continue
		}
		if n := len(s.Dates); n > 0 {
			if gap := int(math.Round(d.Sub(s.Dates[n-1]).Hours() / 24)); gap > 1 {
				s.Warnings = append(s.Warnings, fmt.Sprintf(
					"line %d: gap of %d days after %s (line %d): %d missing day(s); the log return spans the gap",
					line, gap, s.Dates[n-1].Format(time.DateOnly), s.Lines[n-1], gap-1))
			}
		}
		prevDate, prevLine = d, line
		s.Dates = append(s.Dates, d)
		s.Prices = append(s.Prices, p)
		s.Lines = append(s.Lines, line)
	}
	if n := len(s.Prices) - 1; n < minRet {
		return nil, fmt.Errorf("%w: %d log returns in %s (need at least %d)", ErrBadPrices, max(n, 0),
			priceRangeText(s, opts), minRet)
	}
	return s, nil
}

// priceRangeText describes the kept rows for error messages.
func priceRangeText(s *PriceSeries, opts PriceOptions) string {
	if len(s.Dates) > 0 {
		return fmt.Sprintf("%s..%s", s.Dates[0].Format(time.DateOnly), s.Dates[len(s.Dates)-1].Format(time.DateOnly))
	}
	from, to := "start", "end"
	if !opts.From.IsZero() {
		from = opts.From.Format(time.DateOnly)
	}
	if !opts.To.IsZero() {
		to = opts.To.Format(time.DateOnly)
	}
	return "the range " + from + ".." + to
}
