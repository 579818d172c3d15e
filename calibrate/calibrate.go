package calibrate

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tokensim/tokensim/garch"
	"github.com/tokensim/tokensim/stats"
)

// ErrCalibrate is wrapped by the errors Calibrate returns for unusable input.
var ErrCalibrate = errors.New("calibrate")

// CalibrateOptions configure Calibrate.
type CalibrateOptions struct {
	// Peg > 0 marks a pegged asset with that target price: the
	// peg-reversion rate is estimated by an AR(1) of ln P − ln Peg and the
	// GARCH-t is fitted to the AR residuals. 0 means a free float (θ = 0,
	// GARCH-t on the log returns).
	Peg float64
	// VarianceTargeting is passed to garch.Fit.
	VarianceTargeting bool
	// MaxPersistence is passed to Fit: 0 (the default) means no cap
	// (α+β < 1); otherwise the fit constrains α+β ≤ MaxPersistence, which
	// must lie in (0, 1]. See garch.FitOptions.MaxPersistence (a variance
	// shock's half-life is ln 0.5 / ln(α+β) days).
	MaxPersistence float64
	// ZeroMean is passed to garch.Fit: μ is fixed at 0 instead of estimated
	// (MODEL-SPEC-v2 §A.2: the holders' GARCH of a payment token has no drift).
	ZeroMean bool
}

// ARFit is the AR(1) of the log price around the peg, x_t = ln P_t − ln peg,
//
//	x_t = φ·x_{t−1} + u_t,
//
// by OLS without intercept (the peg is the mean by assumption). Theta = 1 − φ
// is the daily peg-reversion rate θ of MODEL-SPEC §2.6, whose log-price
// equation ln P_t = ln P_t−1 + μ + e_t − θ(ln P_t−1 − ln peg) is this AR(1)
// with u_t = μ + e_t. SEPhi = SETheta is the heteroskedasticity-robust
// (White HC0) standard error sqrt(Σ x²_{t−1}û²_t) / Σ x²_{t−1}, appropriate
// because u_t has GARCH variance; SEPhiOLS is the classical
// sqrt(s²_u / Σ x²_{t−1}), s²_u = Σ û²_t/(N−1).
type ARFit struct {
	Phi        float64
	SEPhi      float64
	SEPhiOLS   float64
	Theta      float64
	SETheta    float64
	N          int
	ResidualSD float64
}

// FitAR1Peg fits the AR(1) of ARFit to prices around peg and returns it with
// the residuals û_t (len(prices)−1 values).
func FitAR1Peg(prices []float64, peg float64) (ARFit, []float64, error) {
	if !(peg > 0) || math.IsInf(peg, 0) {
		return ARFit{}, nil, fmt.Errorf("%w: peg %v must be a positive price", ErrCalibrate, peg)
	}
	if len(prices) < 3 {
		return ARFit{}, nil, fmt.Errorf("%w: %d prices (need at least 3 for an AR(1))", ErrCalibrate, len(prices))
	}
	lp := math.Log(peg)
	x := make([]float64, len(prices))
	for i, p := range prices {
		if !(p > 0) {
			return ARFit{}, nil, fmt.Errorf("%w: price %d is %v, not positive", ErrCalibrate, i, p)
		}
		x[i] = math.Log(p) - lp
	}
	sxy, sxx := 0.0, 0.0
	for t := 1; t < len(x); t++ {
		sxy += x[t] * x[t-1]
		sxx += x[t-1] * x[t-1]
	}
	if !(sxx > 0) {
		return ARFit{}, nil, fmt.Errorf("%w: the price never leaves the peg %v: φ is not identified", ErrCalibrate, peg)
	}
	phi := sxy / sxx
	u := make([]float64, len(x)-1)
	ss, sw := 0.0, 0.0
	for t := 1; t < len(x); t++ {
		u[t-1] = x[t] - phi*x[t-1]
		ss += u[t-1] * u[t-1]
		sw += x[t-1] * x[t-1] * u[t-1] * u[t-1]
	}
	n := len(u)
	s2 := ss / float64(n-1)
	robust := math.Sqrt(sw) / sxx
	return ARFit{Phi: phi, SEPhi: robust, SEPhiOLS: math.Sqrt(s2 / sxx), Theta: 1 - phi, SETheta: robust, N: n,
		ResidualSD: math.Sqrt(s2)}, u, nil
}

// Calibration is one calibrated price regime: the data it came from, its
// sample statistics and the fits.
type Calibration struct {
	// First and Last are the dates of the first and last price used;
	// Prices counts them and Returns = Prices − 1.
	First   time.Time
	Last    time.Time
	Prices  int
	Returns int
	// ReturnMean and ReturnSD are the mean and sd (denominator N−1) of the
	// daily log returns; AnnualizedSD = ReturnSD·√365.
	ReturnMean   float64
	ReturnSD     float64
	AnnualizedSD float64
	// Peg is CalibrateOptions.Peg; for a pegged asset MeanAbsDeviation is
	// the mean of |P_t − peg| over the prices and AR the peg-reversion fit.
	Peg              float64
	MeanAbsDeviation float64
	AR               *ARFit
	// GARCH is the GARCH(1,1)-t fit: to the log returns (free float) or to
	// the AR residuals (pegged).
	GARCH *garch.FitResult
	// Warnings collect the price reader's, the AR's and the GARCH fit's
	// warnings.
	Warnings []string
}

// PegReversion returns θ (0 for a free float).
func (c *Calibration) PegReversion() float64 {
	if c.AR == nil {
		return 0
	}
	return c.AR.Theta
}

// Calibrate estimates a price regime of MODEL-SPEC §2.6 from the daily price
// series s (see ReadPrices): for a free float the GARCH(1,1)-t of garch.Fit on
// the log returns and θ = 0; with opts.Peg > 0 the AR(1) of FitAR1Peg for θ
// and the GARCH-t on its residuals. Errors wrap ErrCalibrate or garch.ErrFit.
func Calibrate(s *PriceSeries, opts CalibrateOptions) (*Calibration, error) {
	if m := opts.MaxPersistence; m != 0 && !(m > 0 && m <= 1) {
		return nil, fmt.Errorf("%w: MaxPersistence %v must be in (0, 1] (or 0 for no cap)", ErrCalibrate, m)
	}
	if s == nil || len(s.Prices) < 2 || len(s.Dates) != len(s.Prices) {
		return nil, fmt.Errorf("%w: need a price series with dates and at least 2 prices", ErrCalibrate)
	}
	r := s.LogReturns()
	c := &Calibration{
		First:   s.Dates[0],
		Last:    s.Dates[len(s.Dates)-1],
		Prices:  len(s.Prices),
		Returns: len(r),
		Peg:     opts.Peg,
	}
	c.Warnings = append(c.Warnings, s.Warnings...)
	c.ReturnMean, c.ReturnSD = stats.MeanSD(r)
	c.AnnualizedSD = c.ReturnSD * math.Sqrt(365)
	series := r
	if opts.Peg != 0 {
		ar, u, err := FitAR1Peg(s.Prices, opts.Peg)
		if err != nil {
			return nil, err
		}
		c.AR = &ar
		dev := 0.0
		for _, p := range s.Prices {
			dev += math.Abs(p - opts.Peg)
		}
		c.MeanAbsDeviation = dev / float64(len(s.Prices))
		if ar.Phi >= 1 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("AR(1) φ = %.4f ≥ 1: the price does not revert to the peg %g (θ = %.4f ≤ 0)", ar.Phi, opts.Peg, ar.Theta))
		} else if ar.Phi <= 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("AR(1) φ = %.4f ≤ 0: the deviation from the peg overshoots each day (θ = %.4f ≥ 1)", ar.Phi, ar.Theta))
		}
		series = u
	}
	fit, err := garch.Fit(series, garch.FitOptions{VarianceTargeting: opts.VarianceTargeting, MaxPersistence: opts.MaxPersistence, ZeroMean: opts.ZeroMean})
	if err != nil {
		return nil, err
	}
	c.GARCH = fit
	c.Warnings = append(c.Warnings, fit.Warnings...)
	return c, nil
}
