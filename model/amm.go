package model

import "math"

// This file holds the pure mechanics of the token market of MODEL-SPEC-v2
// §A.1: the constant-product pool and the arbitrage between the pool and the
// primary market. They are functions of their inputs only, so the checks of
// §E.2–E.3 can test them against closed forms.

// cpPool is a constant-product AMM pool (Uniswap v2; Adams, Zinsmeister &
// Robinson 2020): X CLT and Y USD with X·Y = K between trades, spot price
// P = Y/X USD per CLT. The fee is charged on the input side and stays in the
// pool, so K grows by the fee on every trade (and is unchanged with fee 0).
type cpPool struct {
	x, y float64 // CLT, USD
}

// spot returns the pool's spot price Y/X (USD per CLT).
func (p cpPool) spot() float64 { return p.y / p.x }

// sellCLT sells dx ≥ 0 CLT into the pool and returns the USD paid out,
// Y − K/(X + dx(1−fee)) = Y·dx(1−fee)/(X + dx(1−fee)) (MODEL-SPEC-v2 §A.1).
func (p *cpPool) sellCLT(dx, fee float64) float64 {
	out := swapOut(p.x, p.y, dx, fee)
	p.x += dx
	p.y -= out
	return out
}

// buyWithUSD pays dy ≥ 0 USD into the pool and returns the CLT paid out,
// X − K/(Y + dy(1−fee)) = X·dy(1−fee)/(Y + dy(1−fee)).
func (p *cpPool) buyWithUSD(dy, fee float64) float64 {
	out := p.buyOut(dy, fee)
	p.y += dy
	p.x -= out
	return out
}

// usdForCLT returns the USD that buys exactly dx CLT (0 ≤ dx < X) out of the
// pool: Y·dx/((X − dx)(1 − fee)) (the inverse of buyWithUSD).
func (p cpPool) usdForCLT(dx, fee float64) float64 {
	return p.y * dx / ((p.x - dx) * (1 - fee))
}

// usdToSpot returns the USD a buyer pays in to raise the spot price to
// target ≥ spot: the positive root of (1−f)Δy² + (2−f)YΔy + Y² − target·X·Y = 0
// (spot after the trade = (Y+Δy)(Y+(1−f)Δy)/(XY)).
func (p cpPool) usdToSpot(target, fee float64) float64 {
	a := 1 - fee
	b := (2 - fee) * p.y
	c := p.y*p.y - target*p.x*p.y
	if c >= 0 {
		return 0
	}
	return (-b + math.Sqrt(b*b-4*a*c)) / (2 * a)
}

// cltToSpot returns the CLT a seller pays in to lower the spot price to
// target ≤ spot: the positive root of (1−f)Δx² + (2−f)XΔx + X² − XY/target = 0
// (spot after the trade = XY/((X+Δx)(X+(1−f)Δx))).
func (p cpPool) cltToSpot(target, fee float64) float64 {
	a := 1 - fee
	b := (2 - fee) * p.x
	c := p.x*p.x - p.x*p.y/target
	if c >= 0 {
		return 0
	}
	return (-b + math.Sqrt(b*b-4*a*c)) / (2 * a)
}

// scale multiplies both reserves by k > 0: liquidity added (k > 1) or
// withdrawn (k < 1) in proportion, leaving the spot price unchanged.
func (p *cpPool) scale(k float64) {
	p.x *= k
	p.y *= k
}

// arbTrade is one day's arbitrage between the pool and the primary market
// (MODEL-SPEC-v2 §A.1). Exactly one side is non-zero.
type arbTrade struct {
	// Mint side: CLT minted at the mint price and sold into the pool.
	mintCLT, mintCostUSD, mintPoolUSD float64
	// Redeem side: CLT bought from the pool and redeemed.
	redeemCLT, buyPoolUSD, redeemValueUSD float64
}

// arbitrage lets arbitrageurs trade between the pool and the primary market
// (MODEL-SPEC-v2 §A.1): when the pool's marginal sale price spot·(1−fee)
// exceeds the mint price vMint they mint and sell until it equals vMint (spot
// = vMint/(1−fee)); when the marginal purchase price spot/(1−fee) is below the
// redemption value vRedeem and redemption is open they buy and redeem until
// spot = vRedeem·(1−fee). Each side commits at most capUSD USD (mint cost, or
// USD paid to the pool), and redemptions are at most redeemCapCLT CLT. The
// pool is updated in place; vMint ≤ 0 disables minting, vRedeem ≤ 0 or
// !canRedeem disables redeeming.
func arbitrage(pl *cpPool, fee, vMint, vRedeem, capUSD, redeemCapCLT float64, canRedeem bool) arbTrade {
	var a arbTrade
	if !(capUSD > 0) {
		return a
	}
	spot := pl.spot()
	switch {
	case vMint > 0 && spot*(1-fee) > vMint:
		dx := pl.cltToSpot(vMint/(1-fee), fee)
		dx = min(dx, capUSD/vMint)
		if dx > 0 {
			a.mintCLT = dx
			a.mintCostUSD = dx * vMint
			a.mintPoolUSD = pl.sellCLT(dx, fee)
		}
	case canRedeem && vRedeem > 0 && redeemCapCLT > 0 && spot < vRedeem*(1-fee):
		dy := min(pl.usdToSpot(vRedeem*(1-fee), fee), capUSD)
		if dy <= 0 {
			return a
		}
		if out := pl.buyOut(dy, fee); out > redeemCapCLT {
			dy = pl.usdForCLT(redeemCapCLT, fee)
		}
		a.buyPoolUSD = dy
		a.redeemCLT = pl.buyWithUSD(dy, fee)
		a.redeemValueUSD = a.redeemCLT * vRedeem
	}
	return a
}

// buyOut returns the CLT that dy USD would buy (buyWithUSD without the update).
func (p cpPool) buyOut(dy, fee float64) float64 { return swapOut(p.y, p.x, dy, fee) }

// swapOut returns what a constant-product pool with reserves rIn (of the
// input asset) and rOut pays out for d ≥ 0 of the input asset, the fee
// charged on the input: rOut·d(1−fee)/(rIn + d(1−fee)) (MODEL-SPEC-v2 §A.1).
func swapOut(rIn, rOut, d, fee float64) float64 {
	in := d * (1 - fee)
	return rOut * in / (rIn + in)
}

// logistic returns 1/(1 + e^−x).
func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// runFraction returns the run term r_t of MODEL-SPEC-v2 §A.2: the fraction of
// holdings sold on a day, runMax × logistic((shortfall − threshold)/scale +
// panic × drawdown + herding × outflowPrev) (global-games logistic with
// herding; Morris & Shin 1998). shortfall = max(0, 1 − β̂), drawdown =
// max(0, 1 − P_t−1/peg), outflowPrev = the fraction of holdings holders sold
// (net) the day before, floored at 0.
func runFraction(h *HoldersParams, shortfall, drawdown, outflowPrev float64) float64 {
	z := (shortfall-h.RunThreshold)/h.RunScale + h.PanicWeight*drawdown + h.Herding*outflowPrev
	return h.RunMax * logistic(z)
}
