package model

import "github.com/tokensim/tokensim/garch"

// setV2Regimes sets the v2 holders' regimes (MODEL-SPEC-v2 §A.2, issue 10):
// the GARCH(1,1)-t fits of section 3.7 refitted with the drift held at μ = 0
// (garch.FitOptions.ZeroMean) rather than fitted freely and μ̂ then set to
// 0, so that ω, α, β, ν are the maximum-likelihood estimates under the
// model v2 simulates. Each is the output of the command in its comment
// (docs/model.md §A.12); v1 keeps the free fits of defaultV1Base. Regimes
// other than pegged and volatile (none by default) get μ = 0.
func setV2Regimes(p *Params) {
	for name, r := range p.Market.Regimes {
		r.Mu = 0
		p.Market.Regimes[name] = r
	}
	// `tokensim calibrate --from 2017-01-01 --to 2021-02-27 --peg 1 --max-persistence 0.98
	// --variance-targeting --zero-mean --regime pegged ../shared/data/prices/coin_Tether.csv`
	// (USDT; α+β at the assumed cap 0.98, as in v1).
	p.Market.Regimes[RegimePegged] = Regime{Params: garch.Params{Mu: 0, Omega: 6.84e-07, Alpha: 0.3643, Beta: 0.6157, Nu: 3.58}, PegReversion: 0.17}
	// `tokensim calibrate --from 2013-04-29 --to 2021-02-27 --variance-targeting --zero-mean
	// --regime volatile ../shared/data/prices/coin_Bitcoin.csv` (BTC).
	p.Market.Regimes[RegimeVolatile] = Regime{Params: garch.Params{Mu: 0, Omega: 1.89e-05, Alpha: 0.123, Beta: 0.8666, Nu: 3.36}, PegReversion: 0}
}
