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
// daily sd), then holders.run_max with it (depeg_backed against USDC's low
// of 2023-03-11) together with holders.flight_rate (depeg_backed against
// USDC's net redemptions of 2023-03-10..03-18), episode.FitHolders. Prints a
// YAML block for params.holders.
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
	fit, err := episode.FitHolders(base)
	if err != nil {
		return fmt.Errorf("calibrate --market: run_max, flight_rate: %w", err)
	}
	_, err = fmt.Fprintf(stdout, `# tokensim calibrate --market %s (MODEL-SPEC-v2 §A.5; docs/model.md §A.12)
holders:
  # free float (reserve none, no arbitrage): median daily sd = BTC's %.4f over %s..%s (%d returns); fit %.4f
  flow_scale: %v
  # depeg_backed, jointly (%d alternating bisections, common random numbers):
  # median lowest close of the first week = USDC's intraday low %v of 2023-03-11; fit %.4f
  run_max: %v
  # median net redemptions of days 89→97 = USDC's %v (supply 2023-03-10 → 03-18); fit %.4f
  flight_rate: %v
`, dataDir, sd, episode.BTCFrom, episode.BTCTo, len(r), phi, episode.RoundFlowScale(phi),
		fit.Rounds, episode.USDCLow, fit.RunMaxRaw, fit.RunMax, episode.USDCRedeemedWeek, fit.FlightRaw, fit.FlightRate)
	return err
}
