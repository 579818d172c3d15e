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
