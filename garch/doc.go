// Package garch is the GARCH(1,1) process with standardized Student-t
// innovations of MODEL-SPEC §2.6 (Bollerslev 1986, 1987), once: its
// parameters (Params, with Validate, Persistence and UnconditionalVariance),
// simulation (Simulate, StdT), log-likelihood (LogLikelihood) and maximum
// likelihood fit (Fit, with optional variance targeting and a persistence
// cap). model.Regime embeds Params; package calibrate fits it to price data.
//
// It imports stats and gonum only; no I/O and no other tokensim package
// (model imports it, so it must never import model).
package garch
