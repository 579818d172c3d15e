package calibrate

import (
	"bytes"
	"testing"
)

// FuzzReadPrices: any bytes are a price series or an error, never a panic;
// an accepted series has strictly increasing dates and positive finite prices.
func FuzzReadPrices(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, skipBad bool) {
		s, err := ReadPrices(bytes.NewReader(data), PriceOptions{SkipBadRows: skipBad, MinReturns: 2})
		if err != nil {
			return
		}
		if len(s.Dates) != len(s.Prices) || len(s.Prices) != len(s.Lines) {
			t.Fatalf("lengths %d dates, %d prices, %d lines", len(s.Dates), len(s.Prices), len(s.Lines))
		}
		for i, p := range s.Prices {
			if !(p > 0) || p > 1e308 {
				t.Fatalf("price %v at line %d", p, s.Lines[i])
			}
			if i > 0 && !s.Dates[i].After(s.Dates[i-1]) {
				t.Fatalf("dates not increasing at line %d", s.Lines[i])
			}
		}
	})
}
