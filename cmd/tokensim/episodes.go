package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/episode"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/reports"
)

const validateEpisodesUsage = `Usage: tokensim validate-episodes [flags]

Validates the v2 token market on the two real de-peg episodes of
MODEL-SPEC-v2 §A.5: runs depeg_backed (USDC, 2023-03-08..03-20) and
depeg_algorithmic (UST, 2022-05-07..05-20) from day 0 with the default
parameters, the event on day 90, and compares the simulated 5–95% band of
price and supply with the real series (../shared/data/stablecoins). Writes
OUT/episodes.json, OUT/episodes.md and OUT/figures/episode_*.png|svg, and
prints the markdown table. Exits with status 1 when a check fails.

Flags:
`

// cmdValidateEpisodes implements `tokensim validate-episodes` (see
// validateEpisodesUsage).
func cmdValidateEpisodes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate-episodes", flag.ContinueOnError)
	data := fs.String("data", filepath.Join("..", "shared", "data"), "data `DIR` holding stablecoins/usdc.csv and ust.csv")
	out := fs.String("out", "episodes", "output `DIR` for episodes.json, episodes.md and figures/")
	reps := fs.Int("reps", 200, "replicates `N` per scenario and policy")
	consumers := fs.Int("consumers", 200, "consumers `N` at day 0 (the market does not depend on their number beyond their flows)")
	seed := fs.Uint64("seed", 1, "base `SEED` of the runs")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), validateEpisodesUsage)
		fs.PrintDefaults()
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil
		}
		return fmt.Errorf("%w: validate-episodes: %w (see tokensim validate-episodes -help)", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: validate-episodes: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *reps < 2 {
		return fmt.Errorf("%w: validate-episodes: -reps = %d: need at least 2", errUsage, *reps)
	}
	if *consumers < 1 {
		return fmt.Errorf("%w: validate-episodes: -consumers = %d: need at least 1", errUsage, *consumers)
	}
	read := func(name string) (*episode.Series, error) {
		path := filepath.Join(*data, "stablecoins", name)
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("validate-episodes: %w", err)
		}
		defer f.Close()
		return episode.ReadCSV(f, name)
	}
	usdc, err := read("usdc.csv")
	if err != nil {
		return err
	}
	ust, err := read("ust.csv")
	if err != nil {
		return err
	}
	cfg := episode.ValidationConfig{Base: model.Default(), Replicates: *reps, Consumers: *consumers, Seed: *seed}
	backed, err := episode.ValidateBacked(ctx, cfg, usdc)
	if err != nil {
		return fmt.Errorf("validate-episodes: %w", err)
	}
	algo, err := episode.ValidateAlgorithmic(ctx, cfg, ust)
	if err != nil {
		return fmt.Errorf("validate-episodes: %w", err)
	}
	results := []*episode.EpisodeResult{backed, algo}
	if err := os.MkdirAll(filepath.Join(*out, "figures"), 0o755); err != nil {
		return fmt.Errorf("validate-episodes: %w", err)
	}
	for _, r := range results {
		fig, err := reports.EpisodeChart(EpisodeFigureSpec(r))
		if err != nil {
			return fmt.Errorf("validate-episodes: %w", err)
		}
		for ext, b := range map[string][]byte{".png": fig.PNG, ".svg": fig.SVG} {
			if err := dataset.WriteFileAtomic(filepath.Join(*out, "figures", fig.ID+ext), b); err != nil {
				return fmt.Errorf("validate-episodes: %w", err)
			}
		}
	}
	md := episode.Markdown(results)
	if err := dataset.WriteFileAtomic(filepath.Join(*out, "episodes.md"), []byte(md)); err != nil {
		return fmt.Errorf("validate-episodes: %w", err)
	}
	if err := dataset.WriteJSONAtomic(filepath.Join(*out, "episodes.json"), results); err != nil {
		return fmt.Errorf("validate-episodes: %w", err)
	}
	if _, err := io.WriteString(stdout, md); err != nil {
		return err
	}
	var failed []string
	for _, r := range results {
		for _, c := range r.Checks {
			if !c.Pass {
				failed = append(failed, r.Scenario+": "+c.Name)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("validate-episodes: %d check(s) fail: %q (see docs/model.md, Episode validation)", len(failed), failed)
	}
	return nil
}

// EpisodeFigureSpec turns a validated episode into its figure: price (USD
// per CLT) and supply relative to the day before the event, simulated band
// and median beside the real series.
func EpisodeFigureSpec(r *episode.EpisodeResult) reports.EpisodeSpec {
	panel := func(title, ylab string, b episode.DailyBand, real episode.RealSeries) reports.EpisodePanel {
		return reports.EpisodePanel{Title: title, YLabel: ylab, Day: b.Day, P5: b.P5, P50: b.P50, P95: b.P95, RealDay: real.Day, Real: real.Value}
	}
	return reports.EpisodeSpec{
		ID:        "episode_" + r.Scenario,
		Title:     fmt.Sprintf("%s (%d runs) vs %s", r.Scenario, r.Replicates, r.Coin),
		XLabel:    fmt.Sprintf("scenario day (day %d = %s)", episode.EpisodeDay, r.EventDate),
		RealLabel: "real " + r.Coin + " (daily close; supply)",
		Caption:   fmt.Sprintf("Simulated %s (policy none) beside the real %s series: price and supply relative to the day before the event.", r.Scenario, r.Coin),
		Panels: []reports.EpisodePanel{
			panel("price", "close (USD per CLT)", r.PriceBand, r.RealPrice),
			panel("supply", "supply / supply on day 89", r.SupplyBand, r.RealSupply),
		},
	}
}
