// Package stats turns a study's Parquet dataset (MODEL-SPEC §8) into the
// numbers a report shows, and holds the project's statistical estimators.
//
// Aggregation (Aggregate): per cell (scenario × policy × sweep point) and per
// run metric of MODEL-SPEC §4.2, the distribution across runs (Dist: n, mean
// with a Student-t confidence interval, sd with n−1, min, P5, P25, median,
// P75, P95, max; quantiles by Hyndman–Fan type 7, R's default and numpy's
// "linear"), event probabilities with Wilson score intervals (Proportion),
// paired policy effects versus the `none` variant under common random
// numbers with bootstrap intervals (Effect; BCa by default, Efron 1987), and
// fan data over time from the `steps` table (Fan), read one steps partition
// at a time so that memory is bounded by a cell, not by the study.
// WriteSummary writes the tables under summary/ as Parquet and Arrow IPC.
//
// Calibration of the token-price process (GARCH) and global sensitivity
// analysis (Sobol, Morris, LHS-PRCC) live in this package too; see their files.
package stats
