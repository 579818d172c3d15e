package deploy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed kubernetes/*.tmpl slurm/*.tmpl
var templates embed.FS

// ErrDeploy is wrapped by every error of this package (bad parameters).
var ErrDeploy = errors.New("deploy")

// Params describe one study to deploy. Runs and Chunks come from the study's
// plan; the rest from the command line.
type Params struct {
	Study     string // study name (the directory under Root)
	StudyYAML string // the study file's text, shipped to the tasks as is
	Runs      int64  // runs planned
	Chunks    int    // chunks of the plan (a shard owns chunks k with k mod Shards = index)
	// Root is the output root (-o): an object-store URL (s3://bucket/prefix?region=…)
	// or a path every node can reach; the study is written to Root/<Study>.
	Root string
	// StudyURL is Root joined with Study (see storage.Join).
	StudyURL    string
	Shards      int    // N: array size and --shards
	Parallelism int    // tasks running at once (≤ Shards; 0: Shards)
	Workers     int    // -j of each task, and its CPU request (0: 2)
	Image       string // container image (Kubernetes)
	Secret      string // Secret whose keys become the pods' environment (Kubernetes; "" = tokensim-storage)
	// BackoffLimitPerIndex is the number of retries of one shard (Kubernetes; 0: 3).
	BackoffLimitPerIndex int
	// Wait bounds the report job's wait for the shards (0: 24 h).
	Wait time.Duration
	// Tokensim is the tokensim command on the cluster's nodes (Slurm; "": tokensim).
	Tokensim string
	// Command is the command line that rendered the files (written in a comment).
	Command string
}

// check fills defaults and validates p.
func (p *Params) check() error {
	if p.Study == "" || p.StudyURL == "" || p.Root == "" {
		return fmt.Errorf("%w: study name and output root are required", ErrDeploy)
	}
	if p.Shards < 1 || p.Shards > 100000 {
		return fmt.Errorf("%w: --shards %d: want 1 ≤ N ≤ 100000", ErrDeploy, p.Shards)
	}
	if p.Chunks > 0 && p.Shards > p.Chunks {
		return fmt.Errorf("%w: --shards %d but the study has only %d chunks: shards beyond %d would have nothing to do (lower chunk_runs or --shards)",
			ErrDeploy, p.Shards, p.Chunks, p.Chunks)
	}
	if p.Parallelism == 0 || p.Parallelism > p.Shards {
		p.Parallelism = p.Shards
	}
	if p.Parallelism < 1 {
		return fmt.Errorf("%w: --parallel %d: want ≥ 1", ErrDeploy, p.Parallelism)
	}
	if p.Workers == 0 {
		p.Workers = 2
	}
	if p.Workers < 1 || p.Workers > 4096 {
		return fmt.Errorf("%w: -j %d: want 1..4096", ErrDeploy, p.Workers)
	}
	if p.BackoffLimitPerIndex == 0 {
		p.BackoffLimitPerIndex = 3
	}
	if p.Secret == "" {
		p.Secret = "tokensim-storage"
	}
	if p.Wait == 0 {
		p.Wait = 24 * time.Hour
	}
	if p.Tokensim == "" {
		p.Tokensim = "tokensim"
	}
	return nil
}

// data is what the templates see.
type data struct {
	Params
	Label, ConfigMap, RunsJob, ReportJob, Base string
	ShardsArg, WorkersArg, WaitFor             string
	MemoryMiB, BaseMemoryMiB, WorkerMemoryMiB  int
	MemoryRequest, MemoryLimit                 string
	ReportMemory, ReportMemoryLimit            string
	ShardTime, TotalTime                       string
	RunsPerCPUSecond                           float64
	MaxIndex                                   int
}

func (p Params) data() data {
	mem := MemoryRequestMiB(p.Workers)
	base := dnsLabel(p.Study, 40)
	perShard := (p.Runs + int64(p.Shards) - 1) / int64(p.Shards)
	return data{
		Params: p, Label: dnsLabel(p.Study, 63), Base: base,
		ConfigMap: base + "-study", RunsJob: base + "-runs", ReportJob: base + "-report",
		ShardsArg: strconv.Itoa(p.Shards), WorkersArg: strconv.Itoa(p.Workers), WaitFor: p.Wait.String(),
		MemoryMiB: mem, BaseMemoryMiB: BaseMemoryMiB, WorkerMemoryMiB: WorkerMemoryMiB,
		MemoryRequest: fmt.Sprintf("%dMi", mem), MemoryLimit: fmt.Sprintf("%dMi", 2*mem),
		// `tokensim report` of the default study's model at 800 runs: max RSS 106 MB;
		// it streams the tables, so 4× leaves room for wider studies.
		ReportMemory: "512Mi", ReportMemoryLimit: "1Gi",
		ShardTime:        formatSeconds(estimateSeconds(perShard, p.Workers)),
		TotalTime:        formatSeconds(estimateSeconds(p.Runs, p.Workers*p.Parallelism)),
		RunsPerCPUSecond: RunsPerCPUSecond,
		MaxIndex:         p.Shards - 1,
	}
}

var nonLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// dnsLabel turns a study name into an RFC 1123 label of at most n characters
// (Kubernetes object names): lower case, [a-z0-9-], alphanumeric at both
// ends, prefixed "tokensim-".
func dnsLabel(name string, n int) string {
	s := nonLabel.ReplaceAllString(strings.ToLower(name), "-")
	s = "tokensim-" + strings.Trim(s, "-")
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-")
}

var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimRight(b.String(), "\n"), nil
	},
	"sh": shellQuote,
}

// shellQuote quotes s for a POSIX shell: single quotes, with ' written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func render(w io.Writer, name string, p Params) error {
	if err := p.check(); err != nil {
		return err
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(templates, name)
	if err != nil {
		return err
	}
	t = t.Lookup(name[strings.LastIndex(name, "/")+1:])
	return t.Execute(w, p.data())
}

// Kubernetes writes the study's Kubernetes manifests (a multi-document YAML:
// ConfigMap with the study file, the Indexed Job of the shards, the report
// Job) to w. Errors wrap ErrDeploy for bad parameters.
func Kubernetes(w io.Writer, p Params) error {
	return render(w, "kubernetes/study.yaml.tmpl", p)
}

// SlurmFiles are the names of the files Slurm renders, in order: the array
// job, the report job and the script that submits both.
var SlurmFiles = []string{"runs.sbatch", "report.sbatch", "submit.sh"}

// Slurm renders the study's Slurm scripts: files[name] for each of SlurmFiles.
// Errors wrap ErrDeploy for bad parameters.
func Slurm(p Params) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range SlurmFiles {
		var b bytes.Buffer
		if err := render(&b, "slurm/"+f+".tmpl", p); err != nil {
			return nil, err
		}
		out[f] = b.Bytes()
	}
	return out, nil
}
