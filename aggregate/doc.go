// Package aggregate turns a study's Parquet dataset (package dataset) into
// the numbers a report shows, and writes them as the summary tables.
//
// Aggregate: per cell (scenario × policy × sweep point) and per run metric of
// the catalogue (model.Catalogue), the distribution across runs (stats.Dist:
// n, mean with a Student-t confidence interval, sd with n−1, min, P5, P25,
// median, P75, P95, max; quantiles by Hyndman–Fan type 7), event
// probabilities with Wilson score intervals (stats.Proportion), paired
// policy effects versus the `none` variant under common random numbers with
// bootstrap intervals (Effect; BCa by default, Efron 1987), and fan data over
// time from the steps table (Fan), read one steps partition at a time so that
// memory is bounded by a cell, not by the study. A fan's daily quantiles and
// mean are those of the day's values sorted; a day is sorted from the
// previous day's sorted values when few runs changed, and the peg deviation's
// sorted values are derived from the sorted prices (fan_sort.go), with the
// bits of sorting every day anew. WriteSummary writes the
// tables under summary/ as Parquet and Arrow IPC. AnalyzeSensitivity and
// SensitivityFromDir compute the indices of a sensitivity study (package gsa)
// from its runs table; WriteSensitivity writes them.
//
// It imports model, dataset, stats, gsa, study and pipeline (for the
// sensitivity design); never reports or cmd.
package aggregate
