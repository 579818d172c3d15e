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
// of 2023-03-11). Prints a YAML block for params.holders.
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
	runMax, err := episode.FitRunMax(base)
	if err != nil {
		return fmt.Errorf("calibrate --market: run_max: %w", err)
	}
	_, err = fmt.Fprintf(stdout, `# tokensim calibrate --market %s (MODEL-SPEC-v2 §A.5; docs/model.md §A.12)
holders:
  # free float (reserve none, no arbitrage): median daily sd = BTC's %.4f over %s..%s (%d returns); fit %.4f
  flow_scale: %v
  # depeg_backed: median lowest close of the first week = USDC's intraday low %v of 2023-03-11; fit %.4f
  run_max: %v
`, dataDir, sd, episode.BTCFrom, episode.BTCTo, len(r), phi, episode.RoundFlowScale(phi), episode.USDCLow, runMax, episode.RoundRunMax(runMax))
	return err
}
