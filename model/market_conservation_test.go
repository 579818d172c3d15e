package model

import (
	"math"
	"testing"
)

// checkMarketAudit asserts the stock-flow identities of the v2 token market
// (MODEL-SPEC-v2 §A; MarketAudit): no CLT or USD is created or lost by the
// pool, the holders, the arbitrageurs or the reserve.
func checkMarketAudit(t *testing.T, label string, a Audit, sum Summary) {
	t.Helper()
	m := &a.Market
	// Rounding error scales with the gross flows (huge in exploding paths).
	s := math.Max(a.SupplyInitialCLT, m.GrossCLT)
	usd := math.Max(m.PoolInitialUSD+a.ConsumerSpentUSD, m.GrossUSD)
	closeTo(t, label+": pool CLT", m.PoolFinalCLT,
		m.PoolInitialCLT-m.TradeCLT+m.ArbMintedCLT-m.ArbRedeemedCLT-m.LPOutCLT, s)
	closeTo(t, label+": pool USD", m.PoolFinalUSD,
		m.PoolInitialUSD+m.TradeUSD-m.ArbMintPoolUSD+m.ArbBuyPoolUSD-m.LPOutUSD, usd)
	part := a.ConsumerBoughtCLT - a.PoolFeeCLT + a.BurnedBuybackCLT - a.ProviderSoldCLT + a.FundBoughtCLT - a.FundSoldCLT
	closeTo(t, label+": participants' net CLT", m.ParticipantsNetCLT, part, s)
	closeTo(t, label+": holders CLT", m.HoldersFinalCLT, m.HoldersInitialCLT+m.TradeCLT-part+m.LPOutCLT-m.HoldersRedeemedCLT, s)
	closeTo(t, label+": supply = pool + holders + providers + fund + consumers' prepaid balances", a.SupplyFinalCLT,
		m.PoolFinalCLT+m.HoldersFinalCLT+a.ProviderHeldFinalCLT+a.FundFinalCLT+a.PrepaidFinalCLT, s)
	closeTo(t, label+": reserve units", m.ReserveFinalUnits,
		m.ReserveInitialUnits+m.BoughtUnits-m.PaidUnits-m.ImpairedUnits+m.BackstopUnits, m.ReserveInitialUnits+m.BoughtUnits)
	closeTo(t, label+": market USD = pool's trades + holders'", a.NetFlowUSD, m.TradeUSD+m.HoldersUSD, usd)
	closeTo(t, label+": arbitrage P&L", m.ArbPnLUSD,
		m.ArbMintPoolUSD-m.ArbMintCostUSD+m.ArbRedeemValueUSD-m.ArbBuyPoolUSD, usd)
	// Holders may end short (negative) only when halts or the take bound made
	// them absorb more net buying than they held; TestMarketHoldersLong checks
	// that the built-in scenarios never do.
	if !(m.PoolFinalCLT > 0 && m.PoolFinalUSD > 0) || m.ReserveFinalUnits < -1e-6*s {
		t.Errorf("%s: negative or empty stock: pool %v CLT %v USD, holders %v CLT, reserve %v", label,
			m.PoolFinalCLT, m.PoolFinalUSD, m.HoldersFinalCLT, m.ReserveFinalUnits)
	}
	if m.ArbPnLUSD < -1e-9*usd {
		t.Errorf("%s: arbitrageurs lost %v USD: they trade only when the gap pays", label, m.ArbPnLUSD)
	}
	if math.Abs(sum.PoolLiquidityUSDFinal-m.PoolFinalUSD) > 0 {
		t.Errorf("%s: pool_liquidity_usd_final %v ≠ pool USD %v", label, sum.PoolLiquidityUSDFinal, m.PoolFinalUSD)
	}
}
