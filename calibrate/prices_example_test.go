package calibrate_test

import (
	"fmt"
	"strings"

	"github.com/tokensim/tokensim/calibrate"
)

// ExampleReadPrices reads a small CSV with a bad row, skipping it on
// request; the skipped row and the resulting gap are both reported.
func ExampleReadPrices() {
	csv := "Date,Close\n" +
		"2021-01-01,1.000\n" +
		"2021-01-02,1.002\n" +
		"2021-01-03,n/a\n" +
		"2021-01-04,0.999\n"
	s, err := calibrate.ReadPrices(strings.NewReader(csv), calibrate.PriceOptions{SkipBadRows: true, MinReturns: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(s.Prices), "prices,", len(s.LogReturns()), "returns")
	fmt.Println(s.Skipped[0])
	fmt.Println(s.Warnings[0])

	_, err = calibrate.ReadPrices(strings.NewReader(csv), calibrate.PriceOptions{MinReturns: 1})
	fmt.Println(err)
	// Output:
	// 3 prices, 2 returns
	// line 4: column Close: unparsable price "n/a"
	// line 5: gap of 2 days after 2021-01-02 (line 3): 1 missing day(s); the log return spans the gap
	// bad price data: line 4: column Close: unparsable price "n/a"
}
