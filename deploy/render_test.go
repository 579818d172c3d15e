package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func testParams() Params {
	return Params{
		Study: "Over_night.v2", StudyYAML: "name: Over_night.v2\nreplicates: 10 # \"quoted\" 'x'\n",
		Runs: 200000, Chunks: 782, Root: "s3://bucket/studies?region=eu-west-1&endpoint=http://minio:9000",
		StudyURL: "s3://bucket/studies/Over_night.v2?region=eu-west-1&endpoint=http://minio:9000",
		Shards:   64, Parallelism: 16, Workers: 4, Image: "ghcr.io/example/tokensim:v0.2",
		Command: "tokensim deploy kubernetes overnight.yaml --shards 64",
	}
}

// splitDocs splits a multi-document YAML stream.
func splitDocs(s string) []string {
	var out []string
	for _, d := range strings.Split(s, "\n---\n") {
		if strings.TrimSpace(d) != "" {
			out = append(out, d)
		}
	}
	return out
}

// TestKubernetesStrict: the rendered manifests decode strictly (no unknown or
// misplaced field) into core/v1 and batch/v1 types, and satisfy the Job rules
// that the types do not enforce (the API server's validation, restated):
// Indexed needs completions; backoffLimitPerIndex needs Indexed and restartPolicy
// Never; podFailurePolicy needs restartPolicy Never; FailIndex needs
// backoffLimitPerIndex; onExitCodes names a container of the pod and excludes 0.
func TestKubernetesStrict(t *testing.T) {
	var b bytes.Buffer
	p := testParams()
	if err := Kubernetes(&b, p); err != nil {
		t.Fatal(err)
	}
	docs := splitDocs(b.String())
	if len(docs) != 3 {
		t.Fatalf("%d documents, want ConfigMap, runs Job, report Job:\n%s", len(docs), b.String())
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &cm); err != nil {
		t.Fatalf("ConfigMap: %v", err)
	}
	if cm.Kind != "ConfigMap" || cm.Data["study.yaml"] != p.StudyYAML {
		t.Errorf("ConfigMap %s: study.yaml %q, want the study file as is", cm.Kind, cm.Data["study.yaml"])
	}
	var runs, report batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(docs[1]), &runs); err != nil {
		t.Fatalf("runs Job: %v", err)
	}
	if err := yaml.UnmarshalStrict([]byte(docs[2]), &report); err != nil {
		t.Fatalf("report Job: %v", err)
	}
	for _, j := range []*batchv1.Job{&runs, &report} {
		if j.APIVersion != "batch/v1" || j.Kind != "Job" {
			t.Errorf("%s: %s %s", j.Name, j.APIVersion, j.Kind)
		}
		for _, err := range jobRules(j) {
			t.Errorf("%s: %v", j.Name, err)
		}
		if len(j.Name) > 63 || j.Name != strings.ToLower(j.Name) || strings.ContainsAny(j.Name, "._") {
			t.Errorf("job name %q is not an RFC 1123 label", j.Name)
		}
	}
	s := runs.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || *s.Completions != 64 || *s.Parallelism != 16 {
		t.Errorf("runs Job: mode %v, completions %v, parallelism %v; want Indexed, 64, 16", s.CompletionMode, s.Completions, s.Parallelism)
	}
	rules := s.PodFailurePolicy.Rules
	if len(rules) != 2 || rules[0].Action != batchv1.PodFailurePolicyActionFailIndex ||
		!slices.Equal(rules[0].OnExitCodes.Values, []int32{2, 3, 4}) || rules[1].Action != batchv1.PodFailurePolicyActionIgnore ||
		rules[1].OnPodConditions[0].Type != corev1.DisruptionTarget || rules[1].OnPodConditions[0].Status != corev1.ConditionTrue {
		t.Errorf("podFailurePolicy: %+v", rules)
	}
	c := s.Template.Spec.Containers[0]
	wantArgs := []string{"run", "--shard-from-env", "--shards", "64", "-j", "4", "--no-report", "-o", p.Root, "/etc/tokensim/study.yaml"}
	if strings.Join(c.Args, "\x00") != strings.Join(wantArgs, "\x00") {
		t.Errorf("args %q, want %q", c.Args, wantArgs)
	}
	if c.Resources.Requests.Cpu().Value() != 4 || c.Resources.Requests.Memory().Value() != int64(MemoryRequestMiB(4))<<20 ||
		c.Resources.Limits.Memory().Value() != 2*int64(MemoryRequestMiB(4))<<20 {
		t.Errorf("resources %+v", c.Resources)
	}
	if got := s.Template.Spec.Volumes[0].ConfigMap.Name; got != cm.Name {
		t.Errorf("volume from ConfigMap %q, want %q", got, cm.Name)
	}
	ic := report.Spec.Template.Spec.InitContainers
	if len(ic) != 1 || ic[0].Args[0] != "status" || ic[0].Args[len(ic[0].Args)-1] != p.StudyURL ||
		report.Spec.Template.Spec.Containers[0].Args[1] != p.StudyURL {
		t.Errorf("report Job: init %+v, container args %q", ic, report.Spec.Template.Spec.Containers[0].Args)
	}
}

// jobRules restates the batch/v1 Job validation rules that decoding into the
// types does not enforce (kubernetes pkg/apis/batch/validation, v1.33).
func jobRules(j *batchv1.Job) []error {
	var errs []error
	s := j.Spec
	indexed := s.CompletionMode != nil && *s.CompletionMode == batchv1.IndexedCompletion
	never := s.Template.Spec.RestartPolicy == corev1.RestartPolicyNever
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever && s.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		errs = append(errs, errors.New("a Job's restartPolicy must be Never or OnFailure"))
	}
	if indexed && s.Completions == nil {
		errs = append(errs, errors.New("completionMode Indexed needs completions"))
	}
	if s.BackoffLimitPerIndex != nil {
		if !indexed {
			errs = append(errs, errors.New("backoffLimitPerIndex needs completionMode Indexed"))
		}
		if !never {
			errs = append(errs, errors.New("backoffLimitPerIndex needs restartPolicy Never"))
		}
	}
	if s.Parallelism != nil && s.Completions != nil && *s.Parallelism > *s.Completions && indexed {
		errs = append(errs, errors.New("parallelism above completions"))
	}
	if p := s.PodFailurePolicy; p != nil {
		if !never {
			errs = append(errs, errors.New("podFailurePolicy needs restartPolicy Never"))
		}
		names := map[string]bool{}
		for _, c := range s.Template.Spec.Containers {
			names[c.Name] = true
		}
		for _, r := range p.Rules {
			if r.Action == batchv1.PodFailurePolicyActionFailIndex && s.BackoffLimitPerIndex == nil {
				errs = append(errs, errors.New("a FailIndex rule needs backoffLimitPerIndex"))
			}
			if (r.OnExitCodes == nil) == (len(r.OnPodConditions) == 0) {
				errs = append(errs, errors.New("a rule needs exactly one of onExitCodes and onPodConditions"))
			}
			if e := r.OnExitCodes; e != nil {
				if e.ContainerName != nil && !names[*e.ContainerName] {
					errs = append(errs, errors.New("onExitCodes names no container of the pod: "+*e.ContainerName))
				}
				for _, v := range e.Values {
					if v == 0 && e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn {
						errs = append(errs, errors.New("onExitCodes In must not contain 0"))
					}
				}
			}
		}
	}
	return errs
}

// TestJobRulesCatch: each rule of jobRules fails on a Job that breaks it (the
// check is not vacuous).
func TestJobRulesCatch(t *testing.T) {
	var b bytes.Buffer
	if err := Kubernetes(&b, testParams()); err != nil {
		t.Fatal(err)
	}
	base := splitDocs(b.String())[1]
	for _, c := range []struct{ name, old, new, want string }{
		{"no completions", "  completions: 64\n", "", "Indexed needs completions"},
		{"OnFailure", "restartPolicy: Never", "restartPolicy: OnFailure", "backoffLimitPerIndex needs restartPolicy Never"},
		{"no backoffLimitPerIndex", "  backoffLimitPerIndex: 3\n", "", "FailIndex rule needs backoffLimitPerIndex"},
		{"wrong container", "containerName: tokensim", "containerName: other", "names no container"},
	} {
		var j batchv1.Job
		doc := strings.Replace(base, c.old, c.new, 1)
		if doc == base {
			t.Fatalf("%s: %q not in the manifest", c.name, c.old)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), &j); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, err := range jobRules(&j) {
			got = append(got, err.Error())
		}
		if !strings.Contains(strings.Join(got, "; "), c.want) {
			t.Errorf("%s: rules found %q, want %q", c.name, got, c.want)
		}
	}
	// Strict decoding refuses a misplaced field.
	var j batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(strings.Replace(base, "  parallelism: 16", "  paralelism: 16", 1)), &j); err == nil {
		t.Error("a misspelt field decoded without error")
	}
}

// TestSlurmScripts: the array spans 0..N−1 with at most P tasks at once, the
// report job depends on the array with afterok, values are shell-quoted, and
// bash parses every script.
func TestSlurmScripts(t *testing.T) {
	p := testParams()
	p.Root = "/shared/it's here"
	p.StudyURL = "/shared/it's here/Over_night.v2"
	files, err := Slurm(p)
	if err != nil {
		t.Fatal(err)
	}
	runs := string(files["runs.sbatch"])
	for _, want := range []string{"#SBATCH --array=0-63%16\n", "#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=192M\n",
		"run --shard-from-env --shards 64 -j 4 --no-report --quiet -o '/shared/it'\\''s here' study.yaml\n"} {
		if !strings.Contains(runs, want) {
			t.Errorf("runs.sbatch lacks %q:\n%s", want, runs)
		}
	}
	if !strings.Contains(string(files["submit.sh"]), "--dependency=afterok:\"$runs\" report.sbatch") {
		t.Errorf("submit.sh:\n%s", files["submit.sh"])
	}
	if !strings.Contains(string(files["report.sbatch"]), "exec 'tokensim' report '/shared/it'\\''s here/Over_night.v2'\n") {
		t.Errorf("report.sbatch:\n%s", files["report.sbatch"])
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to parse the scripts")
	}
	dir := t.TempDir()
	for name, b := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bash, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", name, err, out)
		}
	}
}

// TestParamsChecked: bad parameters are ErrDeploy errors naming the flag.
func TestParamsChecked(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Params)
		want string
	}{
		{func(p *Params) { p.Shards = 0 }, "--shards 0"},
		{func(p *Params) { p.Shards = 1000 }, "only 782 chunks"},
		{func(p *Params) { p.Workers = -1 }, "-j -1"},
		{func(p *Params) { p.Root = "" }, "output root"},
	} {
		p := testParams()
		c.mod(&p)
		err := Kubernetes(&bytes.Buffer{}, p)
		if !errors.Is(err, ErrDeploy) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want ErrDeploy containing %q", err, c.want)
		}
	}
}

// TestExampleManifests: the checked-in example (kubernetes/example.yaml,
// rendered by `tokensim deploy` for example.yaml) decodes strictly and
// passes the rules too.
func TestExampleManifests(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("kubernetes", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs := splitDocs(string(b))
	if len(docs) != 3 {
		t.Fatalf("%d documents", len(docs))
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &cm); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs[1:] {
		var j batchv1.Job
		if err := yaml.UnmarshalStrict([]byte(d), &j); err != nil {
			t.Fatal(err)
		}
		for _, err := range jobRules(&j) {
			t.Errorf("%s: %v", j.Name, err)
		}
	}
}
