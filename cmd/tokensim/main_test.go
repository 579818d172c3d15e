package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/golden"
)

// cli runs the command line in-process and returns stdout, stderr and the exit status.
func cli(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// testdata is the absolute path of testdata/ (tests change directory).
var testdata, _ = filepath.Abs("testdata")

var hashRE = regexp.MustCompile(`sha256 [0-9a-f]{64}`)

// checkGolden compares got with testdata/<name>.golden (rewritten with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join(testdata, name+".golden"), got)
}

func transcript(args []string, stdout, stderr string, code int, tmp string) string {
	s := fmt.Sprintf("$ tokensim %s\n--- exit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), code, stdout, stderr)
	if tmp != "" {
		s = strings.ReplaceAll(s, tmp, "$TMP")
	}
	return hashRE.ReplaceAllString(s, "sha256 <hash>")
}

// TestGoldenCLI: help texts, plans and usage errors, byte for byte.
func TestGoldenCLI(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"help"}, 0},
		{"no_command", []string{}, 2},
		{"unknown_command", []string{"frobnicate"}, 2},
		{"run_help", []string{"run", "-help"}, 0},
		{"validate_help", []string{"validate", "--help"}, 0},
		{"version_help", []string{"version", "-h"}, 0},
		{"validate_default", []string{"validate"}, 0},
		{"run_bad_j", []string{"run", "-j", "0"}, 2},
		{"run_bad_shard", []string{"run", "--shard", "3/2"}, 2},
		{"run_bad_shard_syntax", []string{"run", "--shard", "two"}, 2},
		{"run_unknown_flag", []string{"run", "--bogus"}, 2},
		{"run_two_files", []string{"run", "a.yaml", "b.yaml"}, 2},
		{"version_args", []string{"version", "extra"}, 2},
		{"validate_missing_file", []string{"validate", "testdata/no-such-study.yaml"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := cli(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, c.code, errs)
			}
			checkGolden(t, c.name, transcript(c.args, out, errs, code, ""))
		})
	}
}

// badStudies each produce a clear error (golden) from validate and from run,
// and run writes nothing.
var badStudies = []struct{ name, src string }{
	{"unknown_key", "name: bad\nreplicates: 2\nscenarios: [baseline]\nreplcates: 3\n"},
	{"unknown_param", "name: bad\nparams:\n  consumers:\n    review_rat: 0.1\n"},
	{"wrong_type", "name: bad\nreplicates: many\n"},
	{"wrong_type_param", "name: bad\nparams:\n  fund: {band: wide}\n"},
	{"fraction_for_integer", "name: bad\nhorizon_days: 36.5\n"},
	{"out_of_range", "name: bad\nreplicates: 0\n"},
	{"out_of_range_param", "name: bad\nparams:\n  share_cap: {cap: 1.5}\n"},
	{"empty_scenarios", "name: bad\nscenarios: []\n"},
	{"unknown_scenario", "name: bad\nscenarios: [baseline, volatilty]\n"},
	{"unknown_sweep_param", "name: bad\nsweeps:\n  - {param: share_cap.kap, values: [0.3, 0.5]}\n"},
	{"invalid_sweep_value", "name: bad\nsweeps:\n  - {param: fund.band, values: [0.02, -1]}\n"},
	{"over_disk_budget", "name: bad\nreplicates: 100000\ndisk_budget_gb: 1\n"},
	{"missing_name", "replicates: 2\n"},
	{"yaml_syntax", "name: bad\nscenarios: [baseline\n"},
}

func TestBadStudies(t *testing.T) {
	for _, c := range badStudies {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if err := os.WriteFile("study.yaml", []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, args := range [][]string{{"validate", "study.yaml"}, {"run", "-o", "out", "--no-report", "study.yaml"}} {
				out, errs, code := cli(t, args...)
				if code == 0 {
					t.Errorf("%v: exit 0", args)
				}
				all.WriteString(transcript(args, out, errs, code, dir))
			}
			if c.name != "over_disk_budget" && !strings.Contains(all.String(), "study.yaml:") {
				t.Errorf("error does not name the file and line:\n%s", all.String())
			}
			if _, err := os.Stat("out"); !os.IsNotExist(err) {
				t.Errorf("run wrote %s despite the error", filepath.Join(dir, "out"))
			}
			checkGolden(t, "bad_"+c.name, all.String())
		})
	}
}

// TestValidateSweepAndDefs prints the plan of a study with a sweep and user-defined scenario and policy.
func TestValidateSweepAndDefs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := `name: sweep-demo
replicates: 250
horizon_days: 180
scenarios: [baseline, crash]
policies: [none, tight_fund]
sweeps:
  - {param: share_cap.cap, values: [0.3, 0.4, 0.5]}
  - {param: network.effect, values: [0.3, 0.8]}
scenario_defs:
  crash:
    based_on: volatility
    shocks: [{day: 30, size: -0.5, duration_days: 2}]
policy_defs:
  tight_fund:
    based_on: fund
    params: {fund: {band: 0.01, reserve_usd: 5e9}}
outputs: {steps: true, provider_steps: true, record_every_days: 7}
`
	if err := os.WriteFile("s.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"validate", "-o", "results", "s.yaml"}
	out, errs, code := cli(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkGolden(t, "validate_sweep", transcript(args, out, errs, code, dir))
}

// TestVersion checks the version output's shape.
func TestVersion(t *testing.T) {
	out, _, code := cli(t, "version")
	if code != 0 || !regexp.MustCompile(`^tokensim \S+\nschema   2\ngo       go\S+ \S+/\S+\n$`).MatchString(out) {
		t.Errorf("version output (exit %d):\n%s", code, out)
	}
}

// TestRunWritesStudy runs a tiny study in-process: the dataset, manifest and
// the last line of stdout (the report, or the dataset with --no-report).
func TestRunWritesStudy(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := "name: tiny\nreplicates: 3\nhorizon_days: 30\nscenarios: [baseline, volatility]\npolicies: [none, fund]\nparams: {consumers: {count: 200}}\n"
	if err := os.WriteFile("tiny.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := cli(t, "run", "-o", "out", "-j", "2", "--no-report", "tiny.yaml")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if got := strings.TrimSpace(out); got != filepath.Join("out", "tiny") {
		t.Errorf("stdout %q, want the study directory", got)
	}
	m, err := dataset.ReadManifest(filepath.Join("out", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if m.State != dataset.StateComplete || m.RunsDone != 12 || m.Rows["steps"] != 12*30 {
		t.Errorf("manifest: state %s, runs %d, rows %v", m.State, m.RunsDone, m.Rows)
	}
	// Running it again finds everything done and rewrites nothing.
	before := readAll(t, filepath.Join("out", "tiny", "runs"))
	_, errs, code = cli(t, "run", "-o", "out", "--no-report", "--quiet", "tiny.yaml")
	if code != 0 || errs != "" {
		t.Errorf("rerun: exit %d, stderr %q", code, errs)
	}
	if after := readAll(t, filepath.Join("out", "tiny", "runs")); after != before {
		t.Errorf("rerun changed the runs table")
	}
	// Another config in the same directory is refused, with --force as the way out.
	src2 := strings.Replace(src, "count: 200", "count: 201", 1)
	if err := os.WriteFile("tiny.yaml", []byte(src2), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code = cli(t, "run", "-o", "out", "--no-report", "--quiet", "tiny.yaml")
	if code != 1 || !strings.Contains(errs, "--force") {
		t.Errorf("changed config: exit %d, stderr %q", code, errs)
	}
}

func readAll(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(e.Name())
		b.Write(data)
	}
	return b.String()
}

// buildBinary builds tokensim into a temporary directory once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tokensim")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// chunksDone reads the number of chunks recorded in a study's manifest (0 if none yet).
func chunksDone(dir string) int {
	data, err := os.ReadFile(filepath.Join(dir, dataset.ManifestFile))
	if err != nil {
		return 0
	}
	var m struct {
		Files []struct {
			Chunk int `json:"chunk"`
		} `json:"files"`
	}
	if json.Unmarshal(data, &m) != nil {
		return 0
	}
	seen := map[int]bool{}
	for _, f := range m.Files {
		if f.Chunk < 0 { // README.md, datapackage.json, report files: not a chunk
			continue
		}
		seen[f.Chunk] = true
	}
	return len(seen)
}

// parquetFiles returns the bytes of every Parquet file under dir by relative path.
func parquetFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestResumeAfterKill kills the real binary with SIGKILL after several
// numbers of completed chunks, reruns the same command, and compares the
// dataset with an uninterrupted run's, byte for byte. It also interrupts one
// run with SIGINT and checks the exit status and the resume hint.
func TestResumeAfterKill(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	replicates, kills := 60, []int{1, 7, 16}
	if testing.Short() {
		replicates, kills = 30, []int{1, 5}
	}
	src := fmt.Sprintf("name: kill\nreplicates: %d\nhorizon_days: 120\nchunk_runs: 6\nscenarios: [baseline, volatility]\n"+
		"policies: [none, fund]\nparams: {consumers: {count: 400}}\n", replicates)
	study := filepath.Join(dir, "kill.yaml")
	if err := os.WriteFile(study, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	runBin := func(root string, extra ...string) *exec.Cmd {
		args := append([]string{"run", "-o", root, "--no-report", "--quiet"}, extra...)
		return exec.Command(bin, append(args, study)...)
	}
	ref := filepath.Join(dir, "ref")
	if out, err := runBin(ref, "-j", "2").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	want := parquetFiles(t, filepath.Join(ref, "kill"))
	total := chunksDone(filepath.Join(ref, "kill"))
	if total != replicates*4/6 {
		t.Fatalf("reference has %d chunks", total)
	}
	for _, k := range kills {
		root := filepath.Join(dir, fmt.Sprintf("k%d", k))
		cmd := runBin(root, "-j", "2")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for chunksDone(filepath.Join(root, "kill")) < k && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		got := chunksDone(filepath.Join(root, "kill"))
		if got >= total {
			t.Errorf("kill after %d chunks: the run had already finished (%d chunks): the test proves nothing", k, got)
		}
		t.Logf("killed after %d of %d chunks", got, total)
		if out, err := runBin(root, "-j", "1").CombinedOutput(); err != nil {
			t.Fatalf("resume after kill at %d chunks: %v\n%s", got, err, out)
		}
		m, err := dataset.ReadManifest(filepath.Join(root, "kill"))
		if err != nil || m.State != dataset.StateComplete {
			t.Fatalf("after resume: %v %+v", err, m)
		}
		gotFiles := parquetFiles(t, filepath.Join(root, "kill"))
		if len(gotFiles) != len(want) {
			t.Errorf("kill at %d: %d files, want %d", got, len(gotFiles), len(want))
		}
		for p, b := range want {
			if gotFiles[p] != b {
				t.Errorf("kill at %d chunks: %s differs after resume", got, p)
			}
		}
	}
	// SIGINT: exit status 130, a resume hint, no temporary files.
	root := filepath.Join(dir, "int")
	cmd := exec.Command(bin, "run", "-o", root, "--no-report", "-j", "1", study)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for chunksDone(filepath.Join(root, "kill")) < 1 {
		time.Sleep(2 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() != 130 || err == nil && chunksDone(filepath.Join(root, "kill")) < total {
		t.Errorf("SIGINT: %v\n%s", err, errb.String())
	}
	if err != nil && !strings.Contains(errb.String(), "resume with: tokensim run") {
		t.Errorf("no resume hint after SIGINT:\n%s", errb.String())
	}
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// TestFailedRuns: runs that fail in the model (here: v1's exogenous price
// with jumps so large that it overflows; v2's pool bounds a day's move) are recorded in the manifest and give exit status 3; with
// --fail-fast the study stops at the first one with status 1.
func TestFailedRuns(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := "name: boom\nreplicates: 3\nhorizon_days: 60\nscenarios: [baseline]\npolicies: [none]\n" +
		"params:\n  model: {version: 1}\n  consumers: {count: 100}\n  market: {jump_rate_per_year: 365, jump_sd: 400}\n"
	if err := os.WriteFile("boom.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := cli(t, "run", "-o", "out", "--no-report", "--quiet", "boom.yaml")
	if code != 3 || !strings.Contains(errs, "3 of 3 runs failed") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	m, err := dataset.ReadManifest(filepath.Join("out", "boom"))
	if err != nil {
		t.Fatal(err)
	}
	if m.State != dataset.StateComplete || m.RunsFailed != 3 || len(m.Failures) != 3 || m.Failures[2].Replicate != 2 || m.Failures[0].Error == "" {
		t.Errorf("manifest: state %s, failed %d, failures %+v", m.State, m.RunsFailed, m.Failures)
	}
	_, errs, code = cli(t, "run", "-o", "out2", "--no-report", "--quiet", "--fail-fast", "boom.yaml")
	if code != 1 || !strings.Contains(errs, "run failed: run 0 (cell baseline/none, replicate 0)") {
		t.Errorf("--fail-fast: exit %d, stderr %q", code, errs)
	}
}

// TestInterruptMessage: a study stopped before its first chunk (the context
// is already cancelled) exits with status 130 and one line that says where the
// completed chunks are and how to resume, without Go's "context canceled".
func TestInterruptMessage(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := "name: stop\nreplicates: 4\nhorizon_days: 30\nscenarios: [baseline]\npolicies: [none]\nparams: {consumers: {count: 100}}\n"
	if err := os.WriteFile("stop.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	err := run(ctx, []string{"run", "-o", "out", "--quiet", "stop.yaml"}, &out, &errb)
	code := exitCode(err, &errb)
	want := "tokensim: study interrupted: 0 of 1 chunks of this shard written (kept in " + filepath.Join("out", "stop") +
		"); resume with: tokensim run -o out --quiet stop.yaml\n"
	if code != 130 || errb.String() != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errb.String(), want)
	}
}

// TestUnusedDefsWarning: a scenario or policy defined under scenario_defs or
// policy_defs but not listed under scenarios:/policies: never runs; validate
// says so (a definition alone looks as if it would be run).
func TestUnusedDefsWarning(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := "name: defs\nreplicates: 2\nhorizon_days: 30\nscenarios: [baseline, crash]\npolicies: [none]\n" +
		"scenario_defs:\n  crash: {based_on: volatility}\n  calm: {based_on: baseline}\n" +
		"policy_defs:\n  big_fund: {based_on: fund}\n"
	if err := os.WriteFile("defs.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := cli(t, "validate", "defs.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"warning    policy_defs.big_fund is defined but not listed under policies, so it does not run\n",
		"warning    scenario_defs.calm is defined but not listed under scenarios, so it does not run\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "scenario_defs.crash") {
		t.Errorf("warning about a listed scenario:\n%s", out)
	}
}
