package main

import (
	"fmt"
	"strconv"
	"strings"
)

// exitShardEnv is the exit status of a bad or missing scheduler shard index
// (--shard-from-env) or a shard count that disagrees with the scheduler or
// with the study's recorded count. It is distinct from the general usage
// status 2 so that deploy/kubernetes's podFailurePolicy and the Slurm script
// can tell "this index can never succeed" from a failure worth retrying.
const exitShardEnv = 4

// errShardEnv marks a bad or missing scheduler shard index; it exits with
// status exitShardEnv (it also wraps errUsage: it is a usage error).
var errShardEnv = fmt.Errorf("%w: shard from environment", errUsage)

// Environment variables that carry a task's index in an array job.
const (
	envK8sIndex       = "JOB_COMPLETION_INDEX"      // Kubernetes Indexed Job, 0-based
	envSlurmID        = "SLURM_ARRAY_TASK_ID"       // Slurm array task id
	envSlurmMin       = "SLURM_ARRAY_TASK_MIN"      // lowest task id of the array
	envSlurmCount     = "SLURM_ARRAY_TASK_COUNT"    // number of tasks in the array
	envSlurmStep      = "SLURM_ARRAY_TASK_STEP"     // stride of the task ids
	envBatchIndex     = "AWS_BATCH_JOB_ARRAY_INDEX" // AWS Batch array job, 0-based
	envBatchArraySize = "AWS_BATCH_JOB_ARRAY_SIZE"  // array size, when the job definition passes it
)

// shardFromEnv returns the 1-based shard index i (1 ≤ i ≤ n) of this process
// from a scheduler's array-task variables, looked up with getenv (os.LookupEnv):
//
//   - Kubernetes Indexed Job: JOB_COMPLETION_INDEX, 0-based (batch/v1 Job,
//     completionMode Indexed); i = index + 1.
//   - Slurm job array: SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN
//     (0 when unset), so --array=0-3 and --array=1-4 both give shards 1..4;
//     SLURM_ARRAY_TASK_COUNT, when set, must equal n and
//     SLURM_ARRAY_TASK_STEP, when set, must be 1 (sbatch(1), OUTPUT
//     ENVIRONMENT VARIABLES).
//   - AWS Batch array job: AWS_BATCH_JOB_ARRAY_INDEX, 0-based;
//     AWS_BATCH_JOB_ARRAY_SIZE, when set, must equal n.
//
// n is the total number of shards, always given explicitly (--shards N),
// never taken from the environment. Exactly one scheduler's index must be
// set. Every failure wraps errShardEnv and names the variable and its value.
func shardFromEnv(getenv func(string) (string, bool), n int) (int, error) {
	if n < 1 || n > maxShards {
		return 0, fmt.Errorf("%w: --shards %d: want 1 ≤ N ≤ %d", errShardEnv, n, maxShards)
	}
	var found []string
	for _, k := range []string{envK8sIndex, envSlurmID, envBatchIndex} {
		if _, ok := getenv(k); ok {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 0:
		return 0, fmt.Errorf("%w: --shard-from-env: none of %s, %s, %s is set (not running as a Kubernetes Indexed Job, Slurm array or AWS Batch array task?)",
			errShardEnv, envK8sIndex, envSlurmID, envBatchIndex)
	case 1:
	default:
		return 0, fmt.Errorf("%w: --shard-from-env: several schedulers' indices are set (%s); unset all but one", errShardEnv, strings.Join(found, ", "))
	}
	// num parses variable k as a non-negative integer; ok is false when unset.
	num := func(k string) (v int, ok bool, err error) {
		s, ok := getenv(k)
		if !ok {
			return 0, false, nil
		}
		v, err = strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 {
			return 0, true, fmt.Errorf("%w: %s=%q: want a non-negative integer", errShardEnv, k, s)
		}
		return v, true, nil
	}
	// size checks an optional array-size variable against n.
	size := func(k string) error {
		v, ok, err := num(k)
		if err != nil || !ok {
			return err
		}
		if v != n {
			return fmt.Errorf("%w: %s=%d but --shards %d: the array must have exactly N tasks", errShardEnv, k, v, n)
		}
		return nil
	}
	var idx int
	var what string
	switch found[0] {
	case envK8sIndex, envBatchIndex:
		v, _, err := num(found[0])
		if err != nil {
			return 0, err
		}
		if found[0] == envBatchIndex {
			if err := size(envBatchArraySize); err != nil {
				return 0, err
			}
		}
		idx, what = v, fmt.Sprintf("%s=%d", found[0], v)
	case envSlurmID:
		id, _, err := num(envSlurmID)
		if err != nil {
			return 0, err
		}
		lo, _, err := num(envSlurmMin)
		if err != nil {
			return 0, err
		}
		if step, ok, err := num(envSlurmStep); err != nil {
			return 0, err
		} else if ok && step != 1 {
			return 0, fmt.Errorf("%w: %s=%d: the array's task ids must be consecutive (--array=0-%d)", errShardEnv, envSlurmStep, step, n-1)
		}
		if err := size(envSlurmCount); err != nil {
			return 0, err
		}
		if id < lo {
			return 0, fmt.Errorf("%w: %s=%d is below %s=%d", errShardEnv, envSlurmID, id, envSlurmMin, lo)
		}
		idx, what = id-lo, fmt.Sprintf("%s=%d − %s=%d", envSlurmID, id, envSlurmMin, lo)
	}
	if idx >= n {
		return 0, fmt.Errorf("%w: %s: index %d is out of range for --shards %d (want 0 ≤ index < N)", errShardEnv, what, idx, n)
	}
	return idx + 1, nil
}

// maxShards bounds N in --shard i/N and --shards N.
const maxShards = 100000
