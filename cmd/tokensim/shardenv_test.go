package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/dataset"
)

// TestShardFromEnv: each scheduler's variables map to the 1-based shard, and
// every bad or missing index is an errShardEnv naming the variable.
func TestShardFromEnv(t *testing.T) {
	for _, c := range []struct {
		name    string
		env     map[string]string
		n       int
		want    int    // 1-based shard; 0: error
		errText string // substring of the error
	}{
		{"k8s first", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 4, 1, ""},
		{"k8s last", map[string]string{"JOB_COMPLETION_INDEX": "3"}, 4, 4, ""},
		{"k8s out of range", map[string]string{"JOB_COMPLETION_INDEX": "4"}, 4, 0, "JOB_COMPLETION_INDEX=4: index 4 is out of range"},
		{"k8s negative", map[string]string{"JOB_COMPLETION_INDEX": "-1"}, 4, 0, `JOB_COMPLETION_INDEX="-1"`},
		{"k8s empty", map[string]string{"JOB_COMPLETION_INDEX": ""}, 4, 0, `JOB_COMPLETION_INDEX=""`},
		{"k8s garbage", map[string]string{"JOB_COMPLETION_INDEX": "two"}, 4, 0, "non-negative integer"},
		{"slurm 0-based", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, 4, 3, ""},
		{"slurm 1-based", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, 4, 4, ""},
		{"slurm no min", map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, 2, 2, ""},
		{"slurm step 1", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_STEP": "1"}, 2, 2, ""},
		{"slurm count mismatch", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "8"}, 4, 0, "SLURM_ARRAY_TASK_COUNT=8 but --shards 4"},
		{"slurm step 2", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_STEP": "2"}, 4, 0, "SLURM_ARRAY_TASK_STEP=2"},
		{"slurm below min", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "1"}, 4, 0, "is below SLURM_ARRAY_TASK_MIN=1"},
		{"slurm beyond", map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1"}, 4, 0, "index 4 is out of range for --shards 4"},
		{"slurm bad min", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "x"}, 4, 0, `SLURM_ARRAY_TASK_MIN="x"`},
		{"batch", map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_JOB_ARRAY_SIZE": "3"}, 3, 2, ""},
		{"batch no size", map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "2"}, 3, 3, ""},
		{"batch size mismatch", map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_JOB_ARRAY_SIZE": "2"}, 3, 0, "AWS_BATCH_JOB_ARRAY_SIZE=2 but --shards 3"},
		{"missing", map[string]string{"SLURM_ARRAY_TASK_COUNT": "4"}, 4, 0, "none of JOB_COMPLETION_INDEX"},
		{"two schedulers", map[string]string{"JOB_COMPLETION_INDEX": "0", "SLURM_ARRAY_TASK_ID": "0"}, 4, 0, "several schedulers"},
		{"bad N", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 0, 0, "--shards 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
			got, err := shardFromEnv(getenv, c.n)
			if c.want != 0 {
				if err != nil || got != c.want {
					t.Fatalf("got %d, %v; want shard %d", got, err, c.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got shard %d, want an error containing %q", got, c.errText)
			}
			if !errors.Is(err, errShardEnv) || !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.errText) {
				t.Fatalf("error %q: want errShardEnv containing %q", err, c.errText)
			}
		})
	}
}

// TestShardFromEnvCLI: the flags' combinations and the exit status 4 of a
// bad index, through the command line.
func TestShardFromEnvCLI(t *testing.T) {
	clearShardEnv(t)
	t.Setenv("JOB_COMPLETION_INDEX", "7")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		text string
	}{
		{[]string{"run", "--shard-from-env", "--shards", "4", "-o", dir}, exitShardEnv, "index 7 is out of range"},
		{[]string{"run", "--shard-from-env", "-o", dir}, exitShardEnv, "needs the total number of shards"},
		{[]string{"run", "--shard-from-env", "--shards", "4", "--shard", "1/4", "-o", dir}, exitShardEnv, "exclude each other"},
		{[]string{"run", "--shards", "4", "-o", dir}, 2, "only used with --shard-from-env"},
		{[]string{"sensitivity", "--shard-from-env", "--shards", "2", "sens.yaml"}, exitShardEnv, "index 7 is out of range"},
	} {
		_, stderr, code := cli(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.text) {
			t.Errorf("tokensim %s: exit %d, stderr %q; want exit %d containing %q", strings.Join(c.args, " "), code, stderr, c.code, c.text)
		}
	}
}

// clearShardEnv unsets the schedulers' variables for the test (restored after it).
func clearShardEnv(t *testing.T) {
	for _, v := range []string{envK8sIndex, envSlurmID, envSlurmMin, envSlurmCount, envSlurmStep, envBatchIndex, envBatchArraySize} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

// TestShardCountRecorded: a study begun by a 2-task array refuses a task of a
// 3-task array with status 4, and the 2-task array's other task completes it.
func TestShardCountRecorded(t *testing.T) {
	t.Chdir(t.TempDir())
	clearShardEnv(t)
	src := "name: tiny\nreplicates: 4\nchunk_runs: 4\nhorizon_days: 20\nscenarios: [baseline]\npolicies: [none, fund]\nparams: {consumers: {count: 100}}\n"
	if err := os.WriteFile("tiny.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(n string) []string {
		return []string{"run", "-o", "out", "--quiet", "--no-report", "--shard-from-env", "--shards", n, "tiny.yaml"}
	}
	t.Setenv(envK8sIndex, "0")
	if _, errs, code := cli(t, args("2")...); code != 0 {
		t.Fatalf("index 0 of 2: exit %d: %s", code, errs)
	}
	t.Setenv(envK8sIndex, "1")
	if _, errs, code := cli(t, args("3")...); code != exitShardEnv || !strings.Contains(errs, "shard 1/2 already worked on this study") {
		t.Fatalf("index 1 of 3 after 0 of 2: exit %d, stderr %q; want %d", code, errs, exitShardEnv)
	}
	if _, errs, code := cli(t, args("2")...); code != 0 {
		t.Fatalf("index 1 of 2: exit %d: %s", code, errs)
	}
	m, err := dataset.ReadManifest(filepath.Join("out", "tiny"))
	if err != nil || m.State != dataset.StateComplete || m.RunsDone != 8 {
		t.Fatalf("manifest after both tasks: %+v, %v", m, err)
	}
}
