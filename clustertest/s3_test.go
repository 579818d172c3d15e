package clustertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/storage"
	"github.com/tokensim/tokensim/storage/storagetest"
)

var (
	server *storagetest.S3Server
	bin    string // the tokensim binary built for these tests
	work   string // temporary directory of the test run
)

// TestMain starts versitygw on 127.0.0.1 and builds tokensim once.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		wd, _ := os.Getwd()
		gw := storagetest.VersityGW(wd)
		if gw == "" {
			if os.Getenv("TOKENSIM_S3") == "1" {
				fmt.Fprintln(os.Stderr, "TOKENSIM_S3=1 but no versitygw binary: run `make tools`")
				return 1
			}
			fmt.Println("clustertest: no versitygw (.tools/versitygw; `make tools`): skipping the S3 tests")
			return m.Run()
		}
		var err error
		if work, err = os.MkdirTemp("", "tokensim-cluster-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(work)
		if server, err = storagetest.StartS3(gw, filepath.Join(work, "s3")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer server.Stop()
		if bin, err = build(filepath.Join(work, "tokensim"), ""); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

// build builds tokensim to out, with main.version set when version != "".
func build(out, version string) (string, error) {
	args := []string{"build", "-o", out}
	if version != "" {
		args = append(args, "-ldflags", "-X main.version="+version)
	}
	cmd := exec.Command("go", append(args, "../cmd/tokensim")...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return out, nil
}

func needS3(t *testing.T) {
	t.Helper()
	if server == nil {
		t.Skip("no S3 server (build .tools/versitygw with `make tools`)")
	}
}

// studySrc is a small study: 2 × 2 cells × 12 replicates = 48 runs of 90
// days with daily steps, in 12 chunks of 4 runs.
const studySrc = "name: c\nseed: 11\nreplicates: 12\nhorizon_days: 90\nchunk_runs: 4\n" +
	"scenarios: [baseline, volatility]\npolicies: [none, fund]\noutputs: {steps: true}\n" +
	"params: {consumers: {count: 300}}\n"

func writeStudy(t testing.TB, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "study.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tokensim starts the binary with extra environment variables.
func tokensim(t *testing.T, exe string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

func output(cmd *exec.Cmd) string { return cmd.Stdout.(*bytes.Buffer).String() }

// localStudy runs the study in one local process and returns its directory.
func localStudy(t *testing.T, study string) string {
	t.Helper()
	root := t.TempDir()
	cmd := tokensim(t, bin, nil, "run", "-o", root, "-j", "2", "--no-report", "--quiet", study)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("local run: %v\n%s", err, output(cmd))
	}
	return filepath.Join(root, "c")
}

// sameAsLocal checks that the study at url lists the same files as the local
// one and that every object holds the local file's bytes; and that the
// bucket prefix holds nothing else than those parts, the progress records
// and the manifest (the listing is the test's, tokensim never lists).
func sameAsLocal(t *testing.T, local, url, bucket, prefix string, shards int) *dataset.Manifest {
	t.Helper()
	ctx := context.Background()
	lm, err := dataset.ReadManifest(local)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bm, err := dataset.ReadManifestFrom(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if bm.State != dataset.StateComplete || bm.RunsDone != lm.RunsDone || len(bm.Files) != len(lm.Files) {
		t.Fatalf("bucket manifest: state %s, %d runs, %d files; local: %d runs, %d files", bm.State, bm.RunsDone, len(bm.Files), lm.RunsDone, len(lm.Files))
	}
	want := map[string]bool{dataset.ManifestFile: true}
	for i := 1; i <= shards; i++ {
		want[dataset.ShardKey(i, shards)] = true
	}
	for i, f := range lm.Files {
		want[f.Path] = true
		if f.Table != dataset.TableRuns && f.Table != dataset.TableSteps && f.Table != dataset.TableProviderSteps {
			// Derived files (README.md, datapackage.json) carry times.
			if bm.Files[i].Path != f.Path {
				t.Errorf("manifest file %d: bucket %s, local %s", i, bm.Files[i].Path, f.Path)
			}
			continue
		}
		if bm.Files[i] != f {
			t.Errorf("manifest file %d: bucket %+v, local %+v", i, bm.Files[i], f)
		}
		local, err := os.ReadFile(filepath.Join(local, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		remote, err := st.ReadFile(ctx, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(local, remote) {
			t.Errorf("%s: bucket object (%d bytes) differs from the local file (%d bytes)", f.Path, len(remote), len(local))
		}
		want[f.Path] = true
	}
	keys, err := server.Keys(ctx, bucket, prefix+"/")
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, k := range keys {
		rel := strings.TrimPrefix(k, prefix+"/")
		if !want[rel] && !slices.ContainsFunc(dataset.ReportOutputs, func(o string) bool { return strings.HasPrefix(rel, o) }) {
			extra = append(extra, rel)
		}
		delete(want, rel)
	}
	if len(extra) > 0 {
		t.Errorf("objects neither in the manifest nor records (duplicates or partial writes?): %q", extra)
	}
	if len(want) > 0 {
		t.Errorf("objects missing from the bucket: %v", want)
	}
	return bm
}

// TestShardsFromEnvMatchLocal: 4 processes given JOB_COMPLETION_INDEX 0..3
// (a Kubernetes Indexed Job's pods) and --shard-from-env --shards 4 write to
// S3 byte for byte the dataset of one local process; `status` and `report`
// then read the study from the bucket.
func TestShardsFromEnvMatchLocal(t *testing.T) {
	needS3(t)
	ctx := context.Background()
	study := writeStudy(t, studySrc)
	local := localStudy(t, study)
	root, err := server.Bucket(ctx, "indexed", "studies")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for i := range 4 {
		cmds = append(cmds, tokensim(t, bin, []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i)},
			"run", "--shard-from-env", "--shards", "4", "-j", "1", "--no-report", "--quiet", "-o", root, study))
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("index %d: %v\n%s", i, err, output(c))
		}
	}
	url := storage.Join(root, "c")
	sameAsLocal(t, local, url, "indexed", "studies/c", 4)

	st := tokensim(t, bin, nil, "status", url)
	if err := st.Wait(); err != nil || !strings.Contains(output(st), "complete") || !strings.Contains(output(st), "48 of 48 done, 0 failed") {
		t.Errorf("status: %v\n%s", err, output(st))
	}
	rep := tokensim(t, bin, nil, "report", "--bootstrap", "200", "--no-fans", url)
	if err := rep.Wait(); err != nil {
		t.Fatalf("report: %v\n%s", err, output(rep))
	}
	if got := strings.TrimSpace(lastLine(output(rep))); got != storage.Join(url, "report.html") {
		t.Errorf("report printed %q, want %q", got, storage.Join(url, "report.html"))
	}
	s, _ := storage.Open(ctx, url)
	defer s.Close()
	page, err := s.ReadFile(ctx, "report.html")
	if err != nil || !bytes.Contains(page, []byte("<html")) {
		t.Errorf("report.html in the bucket: %d bytes, %v", len(page), err)
	}
	if _, err := s.Size(ctx, "summary/metrics.parquet"); err != nil {
		t.Errorf("summary/metrics.parquet: %v", err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestKilledIndexRetried: an emulated Indexed Job of 3 pods against S3
// where pod 1 is SIGKILLed while writing (after its first chunk) and then
// retried (a new pod with the same JOB_COMPLETION_INDEX): the study equals
// the local one, with no duplicate or partial object in the bucket.
func TestKilledIndexRetried(t *testing.T) {
	needS3(t)
	ctx := context.Background()
	// Longer runs so that the kill lands while pod 1 is writing: 365 days of
	// 20,000 consumers, about 25 ms a run, 0.1 s a chunk (with 300
	// consumers a chunk took a few ms, and a faster model let pod 1 finish
	// its last chunks between two polls).
	src := strings.Replace(studySrc, "horizon_days: 90", "horizon_days: 365", 1)
	src = strings.Replace(src, "count: 300", "count: 20000", 1)
	study := writeStudy(t, src)
	local := localStudy(t, study)
	root, err := server.Bucket(ctx, "killed", "s")
	if err != nil {
		t.Fatal(err)
	}
	url := storage.Join(root, "c")
	args := []string{"run", "--shard-from-env", "--shards", "3", "-j", "1", "--no-report", "--quiet", "-o", root, study}
	pods := map[int]*exec.Cmd{}
	for i := range 3 {
		pods[i] = tokensim(t, bin, []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i)}, args...)
	}
	st, _ := storage.Open(ctx, url)
	defer st.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var rec struct{ Chunks []json.RawMessage }
		if b, err := st.ReadFile(ctx, dataset.ShardKey(2, 3)); err == nil && json.Unmarshal(b, &rec) == nil && len(rec.Chunks) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("pod 1 wrote no chunk within 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pods[1].Process.Signal(syscall.SIGKILL)
	pods[1].Wait()
	var rec struct{ State string }
	if b, err := st.ReadFile(ctx, dataset.ShardKey(2, 3)); err != nil || json.Unmarshal(b, &rec) != nil || rec.State == dataset.StateComplete {
		t.Fatalf("pod 1 finished before the kill (state %q, %v): lengthen the study", rec.State, err)
	}
	for _, i := range []int{0, 2} {
		if err := pods[i].Wait(); err != nil {
			t.Fatalf("pod %d: %v\n%s", i, err, output(pods[i]))
		}
	}
	retry := tokensim(t, bin, []string{"JOB_COMPLETION_INDEX=1"}, args...)
	if err := retry.Wait(); err != nil {
		t.Fatalf("retried pod 1: %v\n%s", err, output(retry))
	}
	sameAsLocal(t, local, url, "killed", "s/c", 3)
	// No multipart upload was left open by the killed pod.
	up, err := server.ListMultipartUploads(ctx, "killed")
	if err != nil || up != 0 {
		t.Errorf("open multipart uploads: %d, %v", up, err)
	}
}

// TestSameIndexTwice: two processes given the same index at once, built
// with different version strings (so their part files differ in their
// metadata), cannot both publish a chunk: every part in the bucket holds the
// bytes of the one process whose records the manifest lists, and the other
// process fails with a conflict instead of overwriting.
func TestSameIndexTwice(t *testing.T) {
	needS3(t)
	ctx := context.Background()
	study := writeStudy(t, studySrc)
	binB, err := build(filepath.Join(t.TempDir(), "tokensim-b"), "0.0.0-b")
	if err != nil {
		t.Fatal(err)
	}
	binA, err := build(filepath.Join(t.TempDir(), "tokensim-a"), "0.0.0-a")
	if err != nil {
		t.Fatal(err)
	}
	root, err := server.Bucket(ctx, "twice", "s")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--shard-from-env", "--shards", "1", "-j", "1", "--no-report", "--quiet", "-o", root, study}
	a := tokensim(t, binA, []string{"JOB_COMPLETION_INDEX=0"}, args...)
	b := tokensim(t, binB, []string{"JOB_COMPLETION_INDEX=0"}, args...)
	errA, errB := a.Wait(), b.Wait()
	if (errA == nil) == (errB == nil) {
		t.Fatalf("want exactly one process to succeed: a: %v\n%s\nb: %v\n%s", errA, output(a), errB, output(b))
	}
	winner, loser := "0.0.0-a", b
	if errA != nil {
		winner, loser = "0.0.0-b", a
	}
	if !strings.Contains(output(loser), "exists with different contents") {
		t.Errorf("the losing process did not report a conflict:\n%s", output(loser))
	}
	url := storage.Join(root, "c")
	st, _ := storage.Open(ctx, url)
	defer st.Close()
	m, err := dataset.ReadManifestFrom(ctx, st)
	if err != nil || m.State != dataset.StateComplete || m.ToolVersion != winner {
		t.Fatalf("manifest: %v; state %s, tool version %s, want complete by %s", err, m.State, m.ToolVersion, winner)
	}
	for _, f := range m.Files {
		b, err := st.ReadFile(ctx, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 || !bytes.Contains(b, []byte(winner)) {
			t.Errorf("%s is not the winning process's part", f.Path)
		}
	}
	keys, _ := server.Keys(ctx, "twice", "s/c/")
	sort.Strings(keys)
	if len(keys) != len(m.Files)+2 {
		t.Errorf("%d objects, want %d parts + record + manifest: %q", len(keys), len(m.Files), keys)
	}
}
