package episode

import "math"

// AlgorithmicBacking returns the backing ratio of an algorithmic stablecoin
// on a date: the sister asset's market cap over the stablecoin's supply
// (USD per unit at the peg of 1), NaN when either is missing. For UST and
// LUNA on 2022-05-06 it is the β_0 of the depeg_algorithmic scenario.
func AlgorithmicBacking(sister, coin *Series, date string) float64 {
	i, j := sister.Index(date), coin.Index(date)
	if i < 0 || j < 0 {
		return math.NaN()
	}
	return sister.MarketCap[i] / coin.Supply[j]
}

// CalmStats are the calm-times statistics of a pegged token (MODEL-SPEC-v2
// §A.5): the mean of |P_t/peg − 1| over the closes and the sample sd of the
// daily log returns.
type CalmStats struct {
	MeanAbsDev, SDLogReturn float64
}

// Calm returns the CalmStats of closes (at least 2) around peg.
func Calm(closes []float64, peg float64) CalmStats {
	dev := 0.0
	for _, p := range closes {
		dev += math.Abs(p/peg - 1)
	}
	return CalmStats{MeanAbsDev: dev / float64(len(closes)), SDLogReturn: MomentsOf(logReturns(closes), 1).SD}
}
