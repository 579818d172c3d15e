package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/internal/golden"
)

// TestDeployExamples: the example files under deploy/ are what `tokensim
// deploy` renders for deploy/example.yaml (rewritten with -update).
func TestDeployExamples(t *testing.T) {
	repo, _ := filepath.Abs("../..")
	t.Chdir(repo)
	args := []string{"deploy", "kubernetes", "deploy/example.yaml", "--shards", "4", "--parallel", "2", "-j", "2",
		"--bucket", "s3://tokensim-studies/runs?region=eu-west-1", "--image", "ghcr.io/example/tokensim:0.1.0"}
	out, errs, code := cli(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden.Check(t, filepath.Join(repo, "deploy", "kubernetes", "example.yaml"), out)

	tmp := t.TempDir()
	args = []string{"deploy", "slurm", "deploy/example.yaml", "--shards", "4", "--parallel", "2", "-j", "2",
		"-o", "/shared/tokensim", "--dir", tmp}
	out, errs, code = cli(t, args...)
	if code != 0 || strings.TrimSpace(out) != filepath.Join(tmp, "submit.sh") {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errs)
	}
	for _, f := range []string{"runs.sbatch", "report.sbatch", "submit.sh"} {
		b, err := os.ReadFile(filepath.Join(tmp, f))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join(repo, "deploy", "slurm", "example", f), strings.ReplaceAll(string(b), tmp, "$DIR"))
	}
	if b, err := os.ReadFile(filepath.Join(tmp, "study.yaml")); err != nil || !strings.HasPrefix(string(b), "#") {
		t.Errorf("study.yaml not copied: %v", err)
	}
}

// TestDeployUsage: missing target, shards or bucket are usage errors.
func TestDeployUsage(t *testing.T) {
	repo, _ := filepath.Abs("../..")
	t.Chdir(repo)
	for _, c := range []struct {
		args []string
		text string
	}{
		{[]string{"deploy"}, "takes a target"},
		{[]string{"deploy", "nomad", "deploy/example.yaml"}, "takes a target"},
		{[]string{"deploy", "kubernetes", "deploy/example.yaml", "--bucket", "s3://b"}, "needs --shards"},
		{[]string{"deploy", "kubernetes", "deploy/example.yaml", "--shards", "2"}, "needs --bucket"},
		{[]string{"deploy", "kubernetes", "deploy/example.yaml", "--shards", "99", "--bucket", "s3://b"}, "only 16 chunks"},
	} {
		_, errs, code := cli(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.text) {
			t.Errorf("tokensim %s: exit %d, stderr %q; want 2 with %q", strings.Join(c.args, " "), code, errs, c.text)
		}
	}
}
