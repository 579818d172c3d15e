package calibrate

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokensim/tokensim/internal/golden"
)

// The golden files of this package's calibrate tests are rewritten with
// `go test ./calibrate -run 'Prices|Calibrate' -update`.

// calibGolden compares got with testdata/calibrate/name, or rewrites it.
func calibGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "calibrate", name), got)
}

// calibSeries builds a CSV with header "Date,Close" and n daily rows from
// 2020-01-01 with prices 100, 101, 102, ..., then applies edit to the lines
// (index 0 is the header, line i+1 of the file is lines[i]).
func calibSeries(n int, edit func(lines []string) []string) string {
	lines := []string{"Date,Close"}
	d := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		lines = append(lines, fmt.Sprintf("%s,%d", d.AddDate(0, 0, i).Format(time.DateOnly), 100+i))
	}
	if edit != nil {
		lines = edit(lines)
	}
	return strings.Join(lines, "\n") + "\n"
}

func calibSet(i int, s string) func([]string) []string {
	return func(l []string) []string { l[i] = s; return l }
}

// TestReadPricesErrors checks each bad-input error and its message (golden,
// testdata/calibrate/prices_errors.golden): every message names the line.
func TestReadPricesErrors(t *testing.T) {
	cases := []struct {
		name string
		csv  string
		opts PriceOptions
	}{
		{"empty", "", PriceOptions{}},
		{"missing price column", "Date,Open\n2020-01-01,1\n", PriceOptions{}},
		{"missing both columns", "Day,Price\n2020-01-01,1\n", PriceOptions{}},
		{"duplicate header column", "Date,Close,Close\n", PriceOptions{}},
		{"unparsable date", calibSeries(300, calibSet(5, "2020-13-05,104")), PriceOptions{}},
		{"unparsable price", calibSeries(300, calibSet(7, "2020-01-07,n/a")), PriceOptions{}},
		{"non-finite price", calibSeries(300, calibSet(7, "2020-01-07,NaN")), PriceOptions{}},
		{"zero price", calibSeries(300, calibSet(9, "2020-01-09,0")), PriceOptions{}},
		{"negative price", calibSeries(300, calibSet(9, "2020-01-09,-3.5")), PriceOptions{}},
		{"duplicate date", calibSeries(300, calibSet(12, "2020-01-11,111")), PriceOptions{}},
		{"unsorted date", calibSeries(300, calibSet(12, "2020-01-02,111")), PriceOptions{}},
		{"short row", calibSeries(300, calibSet(4, "2020-01-04")), PriceOptions{}},
		{"bad quoting", calibSeries(300, calibSet(3, `2020-01-03,"10"2`)), PriceOptions{}},
		{"too few returns", calibSeries(250, nil), PriceOptions{}},
		{"too few after filter", calibSeries(400, nil), PriceOptions{From: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)}},
		{"empty range", calibSeries(400, nil), PriceOptions{From: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)}},
	}
	var b strings.Builder
	for _, c := range cases {
		_, err := ReadPrices(strings.NewReader(c.csv), c.opts)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(err, ErrBadPrices) {
			t.Errorf("%s: error %q does not wrap ErrBadPrices", c.name, err)
		}
		if c.name != "empty" && c.name != "empty range" && !strings.Contains(c.name, "few") && !strings.Contains(err.Error(), "line ") {
			t.Errorf("%s: error %q names no line", c.name, err)
		}
		fmt.Fprintf(&b, "%s: %v\n", c.name, err)
	}
	calibGolden(t, "prices_errors.golden", b.String())
}

// TestReadPricesSkipBadRows checks that SkipBadRows skips exactly the bad
// rows, reports each (golden), and keeps every good row.
func TestReadPricesSkipBadRows(t *testing.T) {
	csv := calibSeries(300, func(l []string) []string {
		l[5] = "2020-13-05,104"
		l[7] = "2020-01-07,n/a"
		l[9] = "2020-01-09,0"
		l[12] = "2020-01-11,111"
		l[20] = "2020-01-20"
		return l
	})
	s, err := ReadPrices(strings.NewReader(csv), PriceOptions{SkipBadRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Prices) != 295 || len(s.Skipped) != 5 {
		t.Fatalf("kept %d rows, skipped %d; want 295 and 5", len(s.Prices), len(s.Skipped))
	}
	var b strings.Builder
	for _, m := range s.Skipped {
		fmt.Fprintln(&b, "skipped", m)
	}
	for _, m := range s.Warnings {
		fmt.Fprintln(&b, "warning", m)
	}
	calibGolden(t, "prices_skipped.golden", b.String())
}

// TestReadPrices checks columns, date formats, the date filter (inclusive),
// gap warnings and the log returns.
func TestReadPrices(t *testing.T) {
	var lines []string
	lines = append(lines, "\ufeffSNo, Date ,Price,Other")
	d := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		day := d.AddDate(0, 0, i)
		if i >= 100 && i < 103 { // a 3-day gap: lines for days 100..102 missing
			continue
		}
		lines = append(lines, fmt.Sprintf("%d,%s 23:59:59,\"%g\",x", i, day.Format(time.DateOnly), 2+float64(i)/100))
	}
	in := strings.Join(lines, "\r\n")
	from := time.Date(2021, 3, 5, 0, 0, 0, 0, time.UTC)
	to := d.AddDate(0, 0, 380)
	s, err := ReadPrices(strings.NewReader(in), PriceOptions{DateColumn: "Date", PriceColumn: "Price", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Dates[0].Equal(from) || !s.Dates[len(s.Dates)-1].Equal(to) {
		t.Errorf("dates %v..%v, want %v..%v (inclusive)", s.Dates[0], s.Dates[len(s.Dates)-1], from, to)
	}
	if want := 381 - 4 - 3; len(s.Prices) != want {
		t.Errorf("%d prices, want %d", len(s.Prices), want)
	}
	if s.Excluded != 4+19 {
		t.Errorf("Excluded %d, want 23", s.Excluded)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "gap of 4 days after 2021-06-08") {
		t.Errorf("warnings %q, want one gap of 4 days", s.Warnings)
	}
	if s.Prices[0] != 2.04 || s.Lines[0] != 6 {
		t.Errorf("first price %v on line %d, want 2.04 on line 6", s.Prices[0], s.Lines[0])
	}
	r := s.LogReturns()
	if len(r) != len(s.Prices)-1 {
		t.Fatalf("%d returns for %d prices", len(r), len(s.Prices))
	}
	if got, want := r[0], math.Log(2.05)-math.Log(2.04); math.Abs(got-want) > 1e-15 {
		t.Errorf("first log return %v, want ln(2.05/2.04) = %v", got, want)
	}
}
