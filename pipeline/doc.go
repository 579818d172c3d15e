// Package pipeline turns a study (YAML) into a plan of runs, fans the runs out
// across workers, and streams their results into a resumable, sharded Parquet
// dataset with a manifest (MODEL-SPEC §3, §8, §9).
//
// The data flow is Study → Plan → Execute:
//
//   - ParseStudy / LoadStudy decode a study file strictly (goccy/go-yaml):
//     unknown keys, wrong types and invalid values are errors wrapping ErrStudy
//     and naming file:line:column and the field path. `params:` overrides
//     model.Default() by the spec's dotted names.
//   - NewPlan expands the study into cells (scenario × policy × sweep point),
//     each with its resolved model.Params and schedule. Run ids are
//     cell × replicates + replicate; a run's random streams depend on (seed,
//     replicate) only, so replicates are paired across cells (common random
//     numbers).
//   - Execute runs the plan with a bounded pool of workers (each with its own
//     model.Runner) and writes results in run-id order through a bounded
//     reorder window, in chunks of Plan.ChunkRuns consecutive run ids. Each
//     chunk's part files (runs/part-<chunk>.parquet and, Hive-partitioned,
//     steps/scenario=<s>/policy=<p>/part-<chunk>.parquet) are written to
//     temporary names and renamed when complete, then recorded with their row
//     counts and SHA-256 in the shard's progress file and in manifest.json
//     (rewritten atomically). Because chunk contents and Parquet settings are
//     fixed, the bytes do not depend on the worker count, the shard split
//     (--shard i/N owns chunks k with k mod N = i−1) or interruptions: a
//     rerun keeps verified chunks and writes the rest.
//
// The package never prints: progress goes to Options.Progress and events to
// Options.Logger.
package pipeline
