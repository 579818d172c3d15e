package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tokensim/tokensim/episode"
	"github.com/tokensim/tokensim/model"
)

// calibrateMarket implements `tokensim calibrate --market DATA_DIR`: the
// token-market fits of MODEL-SPEC-v2 §A.5 on the shipped data (package
// episode). holders.flow_scale is fitted first (free float against BTC's
// daily sd), then, with Circle's zero mint/redeem fees, episode.FitMarket:
// holders.run_max, flight_rate, flight_decay and
// arbitrage.capacity_usd_per_day jointly on depeg_backed (USDC, March
// 2023), then reserve.sister_depth_usd on depeg_algorithmic (UST, May
// 2022). Prints YAML blocks for params.reserve, params.arbitrage and
// params.holders (docs/model.md §A.12).
func calibrateMarket(ctx context.Context, dataDir string, stdout io.Writer) error {
	btcPath := filepath.Join(dataDir, "prices", "coin_Bitcoin.csv")
	in, err := os.Open(btcPath)
	if err != nil {
		return fmt.Errorf("calibrate --market: %w", err)
	}
	btc, err := episode.ReadCSV(in, btcPath)
	in.Close()
	if err != nil {
		return fmt.Errorf("calibrate --market: %w", err)
	}
	w, err := btc.Window(episode.BTCFrom, episode.BTCTo)
	if err != nil {
		return fmt.Errorf("calibrate --market: %w", err)
	}
	r := w.LogReturns()
	sd := episode.MomentsOf(r, 1).SD
	base := model.Default()
	phi, err := episode.FitFlowScale(base, model.RegimeVolatile, sd, len(r), episode.FreeFloatPaths, episode.FreeFloatSeed, episode.FlowScaleLo, episode.FlowScaleHi)
	if err != nil {
		return fmt.Errorf("calibrate --market: flow_scale: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	base.Holders.FlowScale = episode.RoundFlowScale(phi)
	// Circle's published schedule: no fee to mint or redeem USDC. The
	// episode does not identify the fees apart from the capacity.
	base.Reserve.MintFee, base.Reserve.RedeemFee = 0, 0
	fit, err := episode.FitMarket(base)
	if err != nil {
		return fmt.Errorf("calibrate --market: %w", err)
	}
	_, err = fmt.Fprintf(stdout, `# tokensim calibrate --market %s (MODEL-SPEC-v2 §A.5; docs/model.md §A.12)
# Simulated method of moments, one statistic per parameter, common random numbers (seed 1, 40 runs);
# depeg_backed's four parameters by alternating bisections (%d rounds), then sister_depth_usd.
reserve:
  mint_fee: 0                     # Circle's published fee (none); not identified apart from the capacity
  redeem_fee: 0                   # Circle's published fee (none)
  # depeg_algorithmic: median mean ln β of days 90–96 = UST's %v (LUNA market cap / UST supply, 2022-05-07..13); fit %.4g, at the default %.3f
  sister_depth_usd: %v
arbitrage:
  # depeg_backed: median close of the backstop day 93 = USDC's %v of 2023-03-13; fit %.4g, at the default %.4f
  capacity_usd_per_day: %v
holders:
  # free float (reserve none, no arbitrage): median daily sd = BTC's %.4f over %s..%s (%d returns); fit %.4f
  flow_scale: %v
  # depeg_backed: median lowest close of days 90–96 = USDC's intraday low %v of 2023-03-11; fit %.4f, at the defaults %.4f
  run_max: %v
  # depeg_backed: median net redemptions of days 89→97 = USDC's %v (supply 2023-03-10 → 03-18); fit %.4f, at the defaults %.4f
  flight_rate: %v
  # depeg_backed: median net redemptions of days 97→104 = USDC's %v (supply 2023-03-18 → 03-25); fit %.4f, at the defaults %.4f
  flight_decay: %v
`, dataDir, fit.Rounds,
		episode.USTLogBackingWeek, fit.Raw.SisterDepthUSD, fit.LogBacking, fit.SisterDepthUSD,
		episode.USDCBackstopClose, fit.Raw.CapacityUSD, fit.Backed.BackstopClose, fit.CapacityUSD,
		sd, episode.BTCFrom, episode.BTCTo, len(r), phi, episode.RoundFlowScale(phi),
		episode.USDCLow, fit.Raw.RunMax, fit.Backed.Low, fit.RunMax,
		episode.USDCRedeemedWeek, fit.Raw.FlightRate, fit.Backed.RedeemedWeek1, fit.FlightRate,
		episode.USDCRedeemedWeek2, fit.Raw.FlightDecay, fit.Backed.RedeemedWeek2, fit.FlightDecay)
	return err
}
