package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tokensim/tokensim/calibrate"
	"github.com/tokensim/tokensim/garch"
)

const calibrateUsage = `Usage: tokensim calibrate [flags] PRICES.csv

Fits a price regime of MODEL-SPEC §2.6 to a CSV of daily prices (one row per
day, a header row): GARCH(1,1) with standardized Student-t innovations, by
maximum likelihood, on the daily log returns; with --peg, first an AR(1) of
ln P − ln peg for the peg-reversion rate θ, and the GARCH-t on its residuals.
Prints a YAML block to paste under market.regimes in a study (or JSON with
--json), with standard errors, the log-likelihood and the data's statistics as
comments. Warnings (gaps, skipped rows, binding constraints) go to stderr.

Flags:
`

// calibrateFlags are the parsed flags of `tokensim calibrate`.
type calibrateFlags struct {
	dateCol, priceCol string
	from, to          string
	regime            string
	peg               float64
	maxPersistence    float64
	target, skip      bool
	zeroMean          bool // --zero-mean: μ fixed at 0 (garch.FitOptions.ZeroMean)
	json              bool
	market            bool // --market DATA_DIR: the token-market fits (calibrate_market.go)
	costDecline       bool // --cost-decline: fit providers.cost_decline_per_year (calibrate_llm.go)
}

var calibRegimeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// cmdCalibrate implements `tokensim calibrate` (see calibrateUsage).
func cmdCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f calibrateFlags
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	fs.StringVar(&f.dateCol, "date-column", "Date", "`NAME` of the date column (YYYY-MM-DD, optionally with a time)")
	fs.StringVar(&f.priceCol, "price-column", "Close", "`NAME` of the price column")
	fs.StringVar(&f.from, "from", "", "first `DATE` to use, YYYY-MM-DD (inclusive; default: the first row)")
	fs.StringVar(&f.to, "to", "", "last `DATE` to use, YYYY-MM-DD (inclusive; default: the last row)")
	fs.StringVar(&f.regime, "regime", "", "regime `NAME` of the YAML block (default: pegged with --peg, volatile without)")
	fs.Float64Var(&f.peg, "peg", 0, "target `PRICE` of a pegged asset (e.g. 1.0): estimate the peg reversion θ; 0 = free float")
	fs.Float64Var(&f.maxPersistence, "max-persistence", 0, "cap `P` in (0, 1] on the persistence α+β (a variance shock's half-life is ln 0.5 / ln P days: 34 at 0.98); 0 = no cap (α+β < 1)")
	fs.BoolVar(&f.target, "variance-targeting", false, "fix ω = s²(1−α−β) so the unconditional variance is the sample variance (the usual choice for simulation)")
	fs.BoolVar(&f.zeroMean, "zero-mean", false, "fix the drift μ = 0 instead of estimating it (MODEL-SPEC-v2 §A.2: the v2 holders' regimes; SEs are conditional on μ = 0)")
	fs.BoolVar(&f.skip, "skip-bad-rows", false, "skip rows with bad dates or prices instead of failing; each skipped row is reported on stderr")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of YAML")
	fs.BoolVar(&f.market, "market", false, "instead, fit the token market's holders.flow_scale, run_max, flight_rate, flight_decay, arbitrage.capacity_usd_per_day and reserve.sister_depth_usd (MODEL-SPEC-v2 §A.5) from the data directory given as the argument (../shared/data)")
	fs.BoolVar(&f.costDecline, "cost-decline", false, "the file is llm_price_history.csv: fit providers.cost_decline_per_year on the frontier tier (MODEL-SPEC-v2 §B.3) instead of a price regime")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), calibrateUsage)
		fs.PrintDefaults()
	}
	// Errors are returned (printed once by main), not printed by flag.
	fs.SetOutput(io.Discard)
	// Flags may follow the file name: parse, take one positional, repeat.
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return nil
			}
			return fmt.Errorf("%w: calibrate: %w (see tokensim calibrate -help)", errUsage, err)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: calibrate: want exactly one price file, got %d arguments (see tokensim calibrate -help)", errUsage, len(pos))
	}
	file := pos[0]
	if f.market {
		return calibrateMarket(ctx, file, stdout)
	}
	if f.costDecline {
		return calibrateCostDecline(ctx, file, f.json, stdout, stderr)
	}
	opts, err := f.priceOptions()
	if err != nil {
		return err
	}
	if f.regime == "" {
		f.regime = "volatile"
		if f.peg > 0 {
			f.regime = "pegged"
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	in, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	series, err := calibrate.ReadPrices(in, opts)
	in.Close()
	if err != nil {
		return fmt.Errorf("calibrate: %s: %w", file, err)
	}
	for _, s := range series.Skipped {
		fmt.Fprintf(stderr, "tokensim calibrate: %s: skipped %s\n", file, s)
	}
	for _, w := range series.Warnings {
		fmt.Fprintf(stderr, "tokensim calibrate: warning: %s\n", w)
	}
	cal, err := calibrate.Calibrate(series, calibrate.CalibrateOptions{Peg: f.peg, VarianceTargeting: f.target, MaxPersistence: f.maxPersistence, ZeroMean: f.zeroMean})
	if err != nil {
		return fmt.Errorf("calibrate: %s: %w", file, err)
	}
	// cal.Warnings begins with the reader's warnings, printed above.
	for _, w := range cal.Warnings[len(series.Warnings):] {
		fmt.Fprintf(stderr, "tokensim calibrate: warning: %s\n", w)
	}
	out := calibrateOutput{flags: f, file: file, cal: cal, skipped: series.Skipped}
	if f.json {
		return out.writeJSON(stdout)
	}
	return out.writeYAML(stdout)
}

// priceOptions range-checks the flags and converts them for calibrate.ReadPrices.
func (f *calibrateFlags) priceOptions() (calibrate.PriceOptions, error) {
	var o calibrate.PriceOptions
	bad := func(format string, a ...any) (calibrate.PriceOptions, error) {
		return o, fmt.Errorf("%w: calibrate: "+format, append([]any{errUsage}, a...)...)
	}
	if strings.TrimSpace(f.dateCol) == "" || strings.TrimSpace(f.priceCol) == "" {
		return bad("--date-column and --price-column must not be empty")
	}
	if f.dateCol == f.priceCol {
		return bad("--date-column and --price-column are both %q", f.dateCol)
	}
	var err error
	if f.from != "" {
		if o.From, err = calibrate.ParsePriceDate(f.from); err != nil {
			return bad("--from: %v", err)
		}
	}
	if f.to != "" {
		if o.To, err = calibrate.ParsePriceDate(f.to); err != nil {
			return bad("--to: %v", err)
		}
	}
	if !o.From.IsZero() && !o.To.IsZero() && !o.To.After(o.From) {
		return bad("--to %s must be after --from %s", f.to, f.from)
	}
	if f.peg < 0 || math.IsNaN(f.peg) || math.IsInf(f.peg, 0) {
		return bad("--peg must be a positive target price (e.g. 1.0), or 0 for a free float; got %v", f.peg)
	}
	if mp := f.maxPersistence; mp != 0 && !(mp > 0 && mp <= 1) {
		return bad("--max-persistence must be in (0, 1] (e.g. 0.98), or 0 for no cap; got %v", mp)
	}
	if f.regime != "" && !calibRegimeName.MatchString(f.regime) {
		return bad("--regime %q is not a valid name (letters, digits, _ and -, not starting with a digit)", f.regime)
	}
	o.DateColumn, o.PriceColumn = strings.TrimSpace(f.dateCol), strings.TrimSpace(f.priceCol)
	o.SkipBadRows = f.skip
	return o, nil
}

// calibrateOutput renders one calibration.
type calibrateOutput struct {
	flags   calibrateFlags
	file    string
	cal     *calibrate.Calibration
	skipped []string
}

// command returns the canonical command line that reproduces the output
// (non-default flags in a fixed order, then the file; --json omitted).
func (o calibrateOutput) command() string {
	f := o.flags
	parts := []string{"tokensim", "calibrate"}
	if f.dateCol != "Date" {
		parts = append(parts, "--date-column", calibQuote(f.dateCol))
	}
	if f.priceCol != "Close" {
		parts = append(parts, "--price-column", calibQuote(f.priceCol))
	}
	if f.from != "" {
		parts = append(parts, "--from", f.from)
	}
	if f.to != "" {
		parts = append(parts, "--to", f.to)
	}
	if f.peg > 0 {
		parts = append(parts, "--peg", strconv.FormatFloat(f.peg, 'g', -1, 64))
	}
	if f.maxPersistence > 0 {
		parts = append(parts, "--max-persistence", strconv.FormatFloat(f.maxPersistence, 'g', -1, 64))
	}
	if f.target {
		parts = append(parts, "--variance-targeting")
	}
	if f.zeroMean {
		parts = append(parts, "--zero-mean")
	}
	if f.skip {
		parts = append(parts, "--skip-bad-rows")
	}
	parts = append(parts, "--regime", f.regime, calibQuote(o.file))
	return strings.Join(parts, " ")
}

func calibQuote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'\\$`") {
		return strconv.Quote(s)
	}
	return s
}

// calibSig formats x to 3 significant digits ("n/a" when not finite).
func calibSig(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// calibPersistenceDecimals is the number of decimals α and β are rounded to:
// at least 3, and 2 more than the first significant decimal of 1 − α − β,
// so that the rounded α+β stays below 1 and the implied unconditional
// variance ω/(1−α−β) moves by at most about 1% (capped at 10 decimals).
func calibPersistenceDecimals(p float64) int {
	gap := 1 - p
	if !(gap > 0) {
		return 10
	}
	d := int(math.Ceil(-math.Log10(gap))) + 2
	return min(max(d, 3), 10)
}

func calibDec(x float64, d int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	s := math.Pow(10, float64(d))
	return strconv.FormatFloat(math.Round(x*s)/s, 'f', -1, 64)
}

// rounded returns the regime's parameters as printed in the YAML block, in
// the order mu, omega, alpha, beta, nu, peg_reversion.
func (o calibrateOutput) rounded() [6]string {
	g := o.cal.GARCH
	d := calibPersistenceDecimals(g.Persistence())
	return [6]string{calibSig(g.Mu), calibSig(g.Omega), calibDec(g.Alpha, d), calibDec(g.Beta, d),
		calibSig(g.Nu), calibSig(o.cal.PegReversion())}
}

func (o calibrateOutput) writeYAML(w io.Writer) error {
	c, g, f := o.cal, o.cal.GARCH, o.flags
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	method := "GARCH(1,1) with standardized Student-t innovations by maximum likelihood (MODEL-SPEC §2.6)"
	if f.target {
		method += ",\n# with variance targeting (ω = s²·(1−α−β), s² the sample variance of the fitted series)"
	}
	p("# Price regime %q calibrated by tokensim calibrate: %s.\n", f.regime, method)
	p("# command: %s\n", o.command())
	p("# file: %s (columns %s, %s); dates %s..%s\n", o.file, f.dateCol, f.priceCol,
		c.First.Format(time.DateOnly), c.Last.Format(time.DateOnly))
	p("# data: %d prices, %d daily log returns; mean %s, sd %s (annualized ×√365: %s)",
		c.Prices, c.Returns, calibSig(c.ReturnMean), calibSig(c.ReturnSD), calibSig(c.AnnualizedSD))
	if len(o.skipped) > 0 {
		p("; %d bad rows skipped", len(o.skipped))
	}
	p("\n")
	if c.AR != nil {
		p("# peg %g: mean |P − peg| %s; AR(1) of ln P − ln peg by OLS: φ = %s (robust SE %s, classical %s), θ = 1 − φ; residual sd %s\n",
			c.Peg, calibSig(c.MeanAbsDeviation), calibSig(c.AR.Phi), calibSig(c.AR.SEPhi), calibSig(c.AR.SEPhiOLS), calibSig(c.AR.ResidualSD))
		p("# GARCH-t fitted to the %d AR(1) residuals (sample sd %s)\n", g.N, calibSig(g.SampleSD))
	}
	uncond := fmt.Sprintf("unconditional sd %s per day, annualized %s", calibSig(g.UnconditionalSD), calibSig(g.AnnualizedVol))
	if !f.target && g.Persistence() > 1-1e-6 {
		uncond = "unconditional variance undefined (α+β at its bound 1)"
	}
	p("# fit: log-likelihood %.4f; persistence α+β = %s (SE %s); %s\n",
		g.LogLikelihood, calibDec(g.Persistence(), calibPersistenceDecimals(g.Persistence())), calibSig(g.SEPersistence), uncond)
	if f.maxPersistence > 0 {
		state := "not binding"
		if g.AtPersistenceCap {
			state = "binding: α+β is at the cap, an assumption rather than an estimate"
		}
		p("# persistence cap (--max-persistence): α+β ≤ %s, %s; half-life of a variance shock ln 0.5 / ln(α+β) = %s days\n",
			strconv.FormatFloat(f.maxPersistence, 'g', -1, 64), state, calibSig(math.Log(0.5)/math.Log(g.Persistence())))
	}
	if f.zeroMean {
		p("# zero mean (--zero-mean): μ fixed at 0, not estimated; the other SEs are conditional on μ = 0\n")
	}
	p("# standardized residuals: mean square %s (model: 1); SE: observed information; robust: QML sandwich\n", calibSig(g.ResidualVariance))
	for _, wn := range c.Warnings {
		p("# warning: %s\n", wn)
	}
	r := o.rounded()
	se := func(x, r float64) string { return "SE " + calibSig(x) + ", robust " + calibSig(r) }
	omegaSE := se(g.SE.Omega, g.RobustSE.Omega)
	if f.target {
		omegaSE = "targeted; delta-method " + omegaSE
	}
	thetaSE := "free float"
	if c.AR != nil {
		thetaSE = "θ = 1 − φ, robust SE " + calibSig(c.AR.SETheta)
	}
	lines := [][2]string{
		{"mu: " + r[0], se(g.SE.Mu, g.RobustSE.Mu)},
		{"omega: " + r[1], omegaSE},
		{"alpha: " + r[2], se(g.SE.Alpha, g.RobustSE.Alpha)},
		{"beta: " + r[3], se(g.SE.Beta, g.RobustSE.Beta)},
		{"nu: " + r[4], se(g.SE.Nu, g.RobustSE.Nu)},
		{"peg_reversion: " + r[5], thetaSE},
	}
	p("%s:\n", f.regime)
	for _, l := range lines {
		p("  %-24s # %s\n", l[0], l[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// calibJNum is a float that marshals NaN and ±Inf as JSON null.
type calibJNum float64

func (x calibJNum) MarshalJSON() ([]byte, error) {
	v := float64(x)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

type calibJParams struct {
	Mu           calibJNum `json:"mu"`
	Omega        calibJNum `json:"omega"`
	Alpha        calibJNum `json:"alpha"`
	Beta         calibJNum `json:"beta"`
	Nu           calibJNum `json:"nu"`
	PegReversion calibJNum `json:"peg_reversion"`
}

func (o calibrateOutput) writeJSON(w io.Writer) error {
	c, g, f := o.cal, o.cal.GARCH, o.flags
	r := o.rounded()
	num := func(s string) calibJNum {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return calibJNum(math.NaN())
		}
		return calibJNum(v)
	}
	type ar1 struct {
		Phi        calibJNum `json:"phi"`
		SE         calibJNum `json:"se"`
		SEOLS      calibJNum `json:"se_classical"`
		ResidualSD calibJNum `json:"residual_sd"`
	}
	doc := struct {
		Regime            string       `json:"regime"`
		Command           string       `json:"command"`
		File              string       `json:"file"`
		DateColumn        string       `json:"date_column"`
		PriceColumn       string       `json:"price_column"`
		First             string       `json:"first"`
		Last              string       `json:"last"`
		Prices            int          `json:"prices"`
		Returns           int          `json:"returns"`
		Skipped           []string     `json:"skipped_rows"`
		ReturnMean        calibJNum    `json:"return_mean"`
		ReturnSD          calibJNum    `json:"return_sd"`
		AnnualizedSD      calibJNum    `json:"return_sd_annualized"`
		Peg               calibJNum    `json:"peg"`
		MeanAbsDeviation  *calibJNum   `json:"mean_abs_deviation,omitempty"`
		AR1               *ar1         `json:"ar1,omitempty"`
		VarianceTargeting bool         `json:"variance_targeting"`
		MaxPersistence    calibJNum    `json:"max_persistence"`
		AtPersistenceCap  bool         `json:"at_persistence_cap"`
		Params            calibJParams `json:"params"`
		Rounded           calibJParams `json:"rounded"`
		SE                calibJParams `json:"se"`
		RobustSE          calibJParams `json:"robust_se"`
		LogLikelihood     calibJNum    `json:"log_likelihood"`
		Persistence       calibJNum    `json:"persistence"`
		SEPersistence     calibJNum    `json:"se_persistence"`
		UnconditionalSD   calibJNum    `json:"unconditional_sd"`
		AnnualizedVol     calibJNum    `json:"annualized_vol"`
		FittedN           int          `json:"fitted_n"`
		FittedSD          calibJNum    `json:"fitted_sample_sd"`
		ResidualVariance  calibJNum    `json:"standardized_residual_mean_square"`
		Optimizer         struct {
			Converged    bool      `json:"converged"`
			Status       string    `json:"status"`
			GradientNorm calibJNum `json:"gradient_norm"`
			Starts       int       `json:"starts"`
			Evaluations  int       `json:"evaluations"`
		} `json:"optimizer"`
		Warnings []string `json:"warnings"`
	}{
		Regime: f.regime, Command: o.command(), File: o.file, DateColumn: f.dateCol, PriceColumn: f.priceCol,
		First: c.First.Format(time.DateOnly), Last: c.Last.Format(time.DateOnly),
		Prices: c.Prices, Returns: c.Returns, Skipped: append([]string{}, o.skipped...),
		ReturnMean: calibJNum(c.ReturnMean), ReturnSD: calibJNum(c.ReturnSD), AnnualizedSD: calibJNum(c.AnnualizedSD),
		Peg: calibJNum(c.Peg), VarianceTargeting: f.target,
		MaxPersistence: calibJNum(f.maxPersistence), AtPersistenceCap: g.AtPersistenceCap,
		Params:  calibJParams{calibJNum(g.Mu), calibJNum(g.Omega), calibJNum(g.Alpha), calibJNum(g.Beta), calibJNum(g.Nu), calibJNum(c.PegReversion())},
		Rounded: calibJParams{num(r[0]), num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5])},
		SE: calibJParams{calibJNum(g.SE.Mu), calibJNum(g.SE.Omega), calibJNum(g.SE.Alpha), calibJNum(g.SE.Beta), calibJNum(g.SE.Nu),
			calibJNum(math.NaN())},
		RobustSE: calibJParams{calibJNum(g.RobustSE.Mu), calibJNum(g.RobustSE.Omega), calibJNum(g.RobustSE.Alpha), calibJNum(g.RobustSE.Beta), calibJNum(g.RobustSE.Nu),
			calibJNum(math.NaN())},
		LogLikelihood: calibJNum(g.LogLikelihood), Persistence: calibJNum(g.Persistence()), SEPersistence: calibJNum(g.SEPersistence),
		UnconditionalSD: calibJNum(g.UnconditionalSD), AnnualizedVol: calibJNum(g.AnnualizedVol),
		FittedN: g.N, FittedSD: calibJNum(g.SampleSD), ResidualVariance: calibJNum(g.ResidualVariance),
		Warnings: append([]string{}, c.Warnings...),
	}
	if c.AR != nil {
		m := calibJNum(c.MeanAbsDeviation)
		doc.MeanAbsDeviation = &m
		doc.AR1 = &ar1{calibJNum(c.AR.Phi), calibJNum(c.AR.SEPhi), calibJNum(c.AR.SEPhiOLS), calibJNum(c.AR.ResidualSD)}
		doc.SE.PegReversion = calibJNum(c.AR.SETheta)
		doc.RobustSE.PegReversion = calibJNum(c.AR.SETheta)
	} else {
		doc.SE.PegReversion = 0
		doc.RobustSE.PegReversion = 0
	}
	doc.Optimizer.Status, doc.Optimizer.GradientNorm = g.Status, calibJNum(g.GradientNorm)
	doc.Optimizer.Converged = g.GradientNorm <= garch.GradientTolerance
	doc.Optimizer.Starts, doc.Optimizer.Evaluations = g.Starts, g.Evaluations
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
