package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/tokensim/tokensim/llmdata"
)

// calibrateCostDecline implements `tokensim calibrate --cost-decline
// llm_price_history.csv`: the frontier tier's list-price decline
// (llmdata.FitCostDecline), printed as a YAML block for a study's params
// (or JSON), with the rows dropped as known errors on stderr.
func calibrateCostDecline(ctx context.Context, file string, asJSON bool, stdout, stderr io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	rows, err := llmdata.ReadPriceHistory(in)
	in.Close()
	if err != nil {
		return fmt.Errorf("calibrate: %s: %w", file, err)
	}
	_, dropped := llmdata.Clean(rows)
	for _, d := range dropped {
		fmt.Fprintf(stderr, "tokensim calibrate: %s: line %d (%s %v/%v USD/Mtok) dropped: %s\n",
			file, d.Row.Line, d.Row.Model, d.Row.InputUSDPerMtok, d.Row.OutputUSDPerMtok, d.Reason)
	}
	fit, err := llmdata.FitCostDecline(rows, llmdata.FrontierTier)
	if err != nil {
		return fmt.Errorf("calibrate: %s: %w", file, err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			CostDeclinePerYear float64 `json:"cost_decline_per_year"`
			SE                 float64 `json:"se"`
			Points             int     `json:"points"`
			From               string  `json:"from"`
			To                 string  `json:"to"`
		}{fit.DeclinePerYear, fit.SE, fit.N, fit.From.Format("2006-01-02"), fit.To.Format("2006-01-02")})
	}
	fmt.Fprintf(stdout, "# Frontier tier (%v), blended 3:1 list price, OLS of ln price on years:\n", llmdata.FrontierTier)
	for _, p := range fit.Points {
		fmt.Fprintf(stdout, "#   %s %-12s %8.3f USD/Mtok\n", p.Time.Format("2006-01-02"), p.Model, p.USD)
	}
	fmt.Fprintf(stdout, "# δ = %.4f ± %.4f per year (%d points)\nproviders:\n  cost_decline_per_year: %.3f\n",
		fit.DeclinePerYear, fit.SE, fit.N, fit.DeclinePerYear)
	return nil
}
