// Package model simulates the common LLM-API token (CLT) economy of
// MODEL-SPEC v1: providers paid in CLT by consumers who choose among them by
// multinomial logit, a token price driven by GARCH(1,1)-t innovations, flows and
// supply changes, and the policy levers meant to contain volatility and
// centralization (stabilization fund, circuit breaker, share cap, grants,
// burns and buybacks, indexed pricing, hedging, stake-weighted governance).
//
// Under MODEL-SPEC-v2 (model.version 2, the default) the token price is an
// outcome (market.mode amm; amm.go, market.go): every day's netted market
// orders execute in a constant-product AMM pool, arbitrageurs trade between
// the pool and the issuer's primary market (reserve.mode none, backed or
// algorithmic), and holders move with GARCH-t sentiment, jumps and shocks and
// run on a perceived reserve shortfall, with endogenous regime switching.
//
// The package is pure and deterministic: no I/O, no globals, no goroutines. A
// run is a function of its RunSpec; its random streams come from
// (seed, replicate, component) only, so the same replicate sees the same draws
// under every policy (common random numbers). See docs/model.md.
//
// The metric catalogue (Catalogue, LookupMetric) lives beside Summary: the
// one description of every runs and steps metric that the dataset reader,
// the aggregation and the report use.
//
// It imports garch (the GARCH(1,1)-t process its regimes embed) and the
// standard library only; never dataset, pipeline or anything above.
package model
