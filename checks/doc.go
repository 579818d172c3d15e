// Package checks holds the model checks that need many runs, real data or
// figures, so they cannot live in the pure model package: the lever table of
// MODEL-SPEC-v2 §E.8 (LeverTable: does each lever change a metric of its
// family by a material amount in the scenario it targets?) and the
// llm_market_2023 check of §C.4 (LLMMarket2023: do runs started from the
// 2023 enterprise LLM-API shares reach the published 2025 shares?).
//
// The package reads the shipped data (../shared/data) and writes PNG figures
// with gonum/plot; it never prints. Runs are fanned out over GOMAXPROCS
// workers; results depend only on the seed and replicate counts, not on the
// number of workers.
//
// It imports model only (plus gonum/plot for the figure and x/sync/errgroup
// for the workers); nothing imports it but its tests.
package checks
