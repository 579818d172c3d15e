// Command tokensim runs seeded Monte Carlo studies of a common LLM-API token
// (CLT), streams the runs to a Parquet dataset and writes one HTML report.
// Subcommands: run, validate, report, sensitivity, calibrate, version (see
// `tokensim -help`).
//
// This package is the only one that parses flags, prints and chooses exit
// codes (0 done, 1 error, 2 usage, 3 some runs failed, 130 interrupted):
// main calls run(ctx, args, stdout, stderr) and maps its error to a status.
// It may import every tokensim package; none imports it.
package main
