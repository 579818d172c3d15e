package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokensim/tokensim/deploy"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/study"
)

// cmdDeploy implements `tokensim deploy kubernetes|slurm STUDY.yaml --shards N …`.
func cmdDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "kubernetes" && args[0] != "slurm" && !strings.HasPrefix(args[0], "-")) {
		return fmt.Errorf("%w: deploy takes a target, kubernetes or slurm (e.g. tokensim deploy kubernetes STUDY.yaml --shards 8 --bucket s3://bucket/studies)", errUsage)
	}
	target := "kubernetes"
	if !strings.HasPrefix(args[0], "-") {
		target, args = args[0], args[1:]
	}
	fs := newFlagSet("deploy "+target, "tokensim deploy kubernetes|slurm [flags] STUDY.yaml",
		"Render the files that run a study on a cluster's scheduler as N shards, each\n"+
			"`tokensim run --shard-from-env --shards N` writing to shared storage, then the report.\n\n"+
			"kubernetes: prints a ConfigMap (the study file), an Indexed Job of N pods and a report Job\n"+
			"  to stdout (`| kubectl apply -f -`). --bucket is the output root: an object-store URL\n"+
			"  (s3://bucket/prefix?region=…, gs://…, azblob://…) every pod can write.\n"+
			"slurm: writes runs.sbatch (an array job 0..N−1), report.sbatch (after the array,\n"+
			"  --dependency=afterok), submit.sh and study.yaml to --dir; -o is the output root, a URL\n"+
			"  or a path on a filesystem every node shares.\n\n"+
			fmt.Sprintf("Requests are derived from measured costs (deploy/resources.go): memory %d MiB + %d MiB\n"+
				"per worker, %g runs per CPU-second on the default study's model.", deploy.BaseMemoryMiB, deploy.WorkerMemoryMiB, deploy.RunsPerCPUSecond))
	shards := fs.Int("shards", 0, "number of shards `N` (array size); required")
	par := fs.Int("parallel", 0, "shards running at once `P` (default N)")
	workers := fs.Int("j", 2, "workers (cores) per shard `W`")
	bucket := fs.String("bucket", "", "output root `URL` (kubernetes; -o also accepted)")
	out := fs.String("o", "", "output root `DIR|URL` (default: --bucket, else the study's output_root)")
	image := fs.String("image", "tokensim:"+baseVersion, "container `IMAGE` with tokensim as its entrypoint (kubernetes)")
	secret := fs.String("secret", "tokensim-storage", "Secret `NAME` whose keys become the pods' environment, e.g. AWS credentials (kubernetes)")
	retries := fs.Int("retries", 3, "retries of a failed shard `K` (kubernetes backoffLimitPerIndex)")
	wait := fs.Duration("wait", 24*time.Hour, "how long the report job waits for the shards (kubernetes)")
	dir := fs.String("dir", "", "directory `DIR` for the Slurm scripts (slurm; default slurm-<study>)")
	bin := fs.String("tokensim", "tokensim", "the tokensim `COMMAND` on the nodes (slurm)")
	if done, err := parseFlags(fs, args, stdout); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: deploy %s takes one study file, got %d arguments", errUsage, target, fs.NArg())
	}
	if *shards < 1 {
		return fmt.Errorf("%w: deploy %s needs --shards N (N ≥ 1)", errUsage, target)
	}
	src := fs.Arg(0)
	text, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	sy, err := study.ParseStudy(src, text)
	if err != nil {
		return err
	}
	var plan *pipeline.Plan
	if sy.Sensitivity != nil {
		return fmt.Errorf("%w: %s is a sensitivity study; deploy renders `tokensim run` studies", errUsage, src)
	}
	if plan, err = pipeline.NewPlan(sy); err != nil {
		return err
	}
	root := *out
	if root == "" {
		root = *bucket
	}
	if root == "" {
		if target == "kubernetes" {
			return fmt.Errorf("%w: deploy kubernetes needs --bucket URL: pods share no filesystem", errUsage)
		}
		root = sy.OutputRoot
	}
	p := deploy.Params{
		Study: sy.Name, StudyYAML: string(text), Runs: plan.Runs(), Chunks: plan.Chunks(),
		Root: root, StudyURL: storage.Join(root, sy.Name), Shards: *shards, Parallelism: *par, Workers: *workers,
		Image: *image, Secret: *secret, BackoffLimitPerIndex: *retries, Wait: *wait, Tokensim: *bin,
		Command: "tokensim deploy " + target + " " + strings.Join(args, " "),
	}
	wrap := func(err error) error {
		if errors.Is(err, deploy.ErrDeploy) {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
		return err
	}
	if target == "kubernetes" {
		return wrap(deploy.Kubernetes(stdout, p))
	}
	files, err := deploy.Slurm(p)
	if err != nil {
		return wrap(err)
	}
	d := *dir
	if d == "" {
		d = "slurm-" + sy.Name
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	files["study.yaml"] = text
	for name, b := range files {
		mode := os.FileMode(0o755)
		if name == "study.yaml" {
			mode = 0o644
		}
		if err := os.WriteFile(filepath.Join(d, name), b, mode); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, filepath.Join(d, "submit.sh"))
	return nil
}
