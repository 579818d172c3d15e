// Package calibrate turns a daily price history (CSV) into the parameters of
// a model regime: ReadPrices reads and checks the series, FitAR1Peg fits the
// AR(1) reversion of the price to its peg, and Calibrate fits the GARCH(1,1)-t
// of the log returns (package garch) and reports the regime with its
// standard errors and warnings.
//
// It imports garch and stats (and gonum); never model's runtime, pipeline,
// aggregate or reports.
package calibrate
