// Package pipeline turns a study (package study) into a plan of runs, fans
// the runs out across workers, and streams their results into a resumable,
// sharded Parquet dataset (package dataset) with a manifest (MODEL-SPEC §3,
// §8, §9).
//
// The data flow is study.Study → Plan → Execute:
//
//   - NewPlan expands a validated study into cells (scenario × policy × sweep
//     point), each with its resolved model.Params and schedule;
//     SensitivityPlan does the same for a sensitivity design (one cell per
//     design point, package gsa). Run ids are cell × replicates + replicate; a
//     run's random streams depend on (seed, replicate) only, so replicates are
//     paired across cells (common random numbers). Estimate gives the size of
//     a plan before it runs.
//   - Execute runs the plan with a bounded pool of workers (each with its own
//     model.Runner) and writes results in run-id order through a bounded
//     reorder window, in chunks of Plan.ChunkRuns consecutive run ids. Each
//     chunk's part files (dataset.PartWriter) are written to temporary names
//     and renamed when complete, then recorded with their row counts and
//     SHA-256 in the shard's progress file and in manifest.json (rewritten
//     atomically). Because chunk contents and Parquet settings are fixed, the
//     bytes do not depend on the worker count, the shard split (--shard i/N
//     owns chunks k with k mod N = i−1) or interruptions: a rerun keeps
//     verified chunks and writes the rest.
//   - Options.Dir may also be an object-store URL (storage.Open: s3://, gs://,
//     azblob://). There each part is written once to its final key with a
//     conditional write (storage.Part), the shard's progress record is written
//     after its parts (the commit marker), progress records are found by key
//     (shards 1..N and those the manifest names, never by listing), and the
//     manifest is merged without a lock when a shard starts and ends
//     (mergeBucket: merge, write, re-read the records, repeat if they moved).
//     The manifest is a function of the records (its tool version too, from
//     each record's), so it does not depend on which process merges last: a
//     process whose part write conflicts (storage.ErrConflict: the same
//     shard index run by another process whose parts differ) fails, and its
//     merge writes the manifest of the process that owns the parts.
//   - Status summarizes a study from its manifest and progress records while
//     shards run (chunks done and missing, failures, rates, ETA).
//
// The package never prints: progress goes to Options.Progress and events to
// Options.Logger. It imports model, study, dataset, gsa and storage; never
// aggregate, reports or cmd.
package pipeline
