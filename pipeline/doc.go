// Package pipeline turns a study (YAML) into a plan of runs, fans the runs out
// across workers, and streams their results into a resumable, sharded Parquet
// dataset with a manifest (MODEL-SPEC §3, §8, §9).
package pipeline
