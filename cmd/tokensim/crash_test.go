package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokensim/tokensim/dataset"
)

// crashTrees are the directories of a study compared byte for byte.
var crashTrees = []string{"runs", "steps", "summary", "figures"}

// treeBytes returns relative path → bytes of every file under the study's
// runs/, steps/, summary/ and figures/.
func treeBytes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, sub := range crashTrees {
		_ = filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
			return nil
		})
	}
	return out
}

// strayTemps lists temporary files and directories left under dir.
func strayTemps(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && (strings.Contains(d.Name(), ".tmp") || d.Name() == "figures.old") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// manifestComplete reports whether the study's manifest says complete.
func manifestComplete(dir string) bool {
	m, err := dataset.ReadManifest(dir)
	return err == nil && m.State == dataset.StateComplete
}

// TestCrashConsistency (issue 16; `make check`, skipped by -short) runs the
// built binary on a small study (96 runs in 24 chunks, then its report) and
// SIGKILLs it at random points: at least 3 in the runs phase (after a random
// number of chunks) and 3 in the report phase (a random delay after the
// dataset completed, or the moment a temporary report file appears). Each killed study is rerun with the same command and
// must equal an uninterrupted run's runs/, steps/, summary/ and figures/ byte
// for byte with no temporary file left. Then 3 shards are started at
// staggered random times, one of them killed mid-way, the killed one rerun
// and a --shard 1/1 process run beside the last ones; the result must again
// be the uninterrupted run's. The random points come from a PCG seeded by
// TOKENSIM_CRASH_SEED (default: the clock), logged for reproduction.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("crash-consistency test: make check")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("TOKENSIM_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("TOKENSIM_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 16))

	bin := buildBinary(t)
	work := t.TempDir()
	study := filepath.Join(work, "crash.yaml")
	src := "name: crash\nreplicates: 24\nhorizon_days: 90\nchunk_runs: 4\nscenarios: [baseline, volatility]\n" +
		"policies: [none, fund]\nparams: {consumers: {count: 300}}\n"
	if err := os.WriteFile(study, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := func(root string, extra ...string) *exec.Cmd {
		args := append([]string{"run", "-o", root, "--quiet"}, extra...)
		c := exec.Command(bin, append(args, study)...)
		return c
	}
	ref := filepath.Join(work, "ref")
	if out, err := cmd(ref, "-j", "2").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	want := treeBytes(t, filepath.Join(ref, "crash"))
	const chunks = 24
	if !manifestComplete(filepath.Join(ref, "crash")) || len(want) < chunks {
		t.Fatalf("reference study incomplete (%d files)", len(want))
	}
	check := func(what, dir string) {
		t.Helper()
		got := treeBytes(t, dir)
		if len(got) != len(want) {
			t.Errorf("%s: %d files, want %d", what, len(got), len(want))
		}
		for p, b := range want {
			if got[p] != b {
				t.Errorf("%s: %s differs from the uninterrupted run", what, p)
			}
		}
		if tmps := strayTemps(dir); len(tmps) > 0 {
			t.Errorf("%s: temporary files left: %v", what, tmps)
		}
	}
	start := func(c *exec.Cmd) *bytes.Buffer {
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return &out
	}
	poll := func(cond func() bool, limit time.Duration) bool {
		for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(time.Millisecond) {
			if cond() {
				return true
			}
		}
		return false
	}

	// Kills at random points of the runs phase and of the report phase.
	kills := map[string]int{}
	for attempt := 0; (kills["runs"] < 3 || kills["report"] < 3) && attempt < 30; attempt++ {
		phase := "runs"
		if kills["runs"] >= 3 || kills["report"] < 3 && attempt%2 == 1 {
			phase = "report"
		}
		root := filepath.Join(work, fmt.Sprintf("kill%02d", attempt))
		dir := filepath.Join(root, "crash")
		c := cmd(root, "-j", "2")
		exited := make(chan struct{})
		out := start(c)
		go func() { _ = c.Wait(); close(exited) }()
		alive := func() bool {
			select {
			case <-exited:
				return false
			default:
				return true
			}
		}
		var at string
		if phase == "runs" {
			k := 1 + rng.IntN(chunks-2)
			poll(func() bool { return chunksDone(dir) >= k || !alive() }, 60*time.Second)
			at = fmt.Sprintf("after ≥ %d of %d chunks", k, chunks)
		} else if kills["report"]%2 == 0 {
			poll(func() bool { return manifestComplete(dir) || !alive() }, 60*time.Second)
			d := time.Duration(rng.IntN(1500)) * time.Millisecond
			time.Sleep(d)
			at = fmt.Sprintf("%v into the report phase", d)
		} else {
			// While the report writes a temporary file (summary table,
			// figures directory or page).
			poll(func() bool { return manifestComplete(dir) && len(strayTemps(dir)) > 0 || !alive() }, 60*time.Second)
			at = "while the report had a temporary file open"
		}
		_ = c.Process.Signal(syscall.SIGKILL)
		<-exited
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Logf("%s kill %s: the process had already exited; not counted", phase, at)
			continue
		}
		kills[phase]++
		t.Logf("SIGKILL %s (%d chunks recorded, %d temporaries)", at, chunksDone(dir), len(strayTemps(dir)))
		if o, err := cmd(root, "-j", "1").CombinedOutput(); err != nil {
			t.Fatalf("rerun after a kill %s: %v\n%s\n%s", at, err, o, out)
		}
		check("rerun after a kill "+at, dir)
	}
	if kills["runs"] < 3 || kills["report"] < 3 {
		t.Fatalf("only %d runs-phase and %d report-phase kills landed", kills["runs"], kills["report"])
	}

	// Three shards started at staggered times; shard 2/3 is killed mid-way
	// and rerun; a --shard 1/1 process runs beside the last one.
	root := filepath.Join(work, "shards")
	dir := filepath.Join(root, "crash")
	type proc struct {
		c      *exec.Cmd
		out    *bytes.Buffer
		exited chan struct{}
	}
	launch := func(extra ...string) *proc {
		p := &proc{c: cmd(root, append([]string{"-j", "1"}, extra...)...), exited: make(chan struct{})}
		p.out = start(p.c)
		go func() { _ = p.c.Wait(); close(p.exited) }()
		return p
	}
	var procs []*proc
	for i := 1; i <= 3; i++ {
		procs = append(procs, launch("--shard", fmt.Sprintf("%d/3", i)))
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
	}
	_ = procs[1].c.Process.Signal(syscall.SIGKILL)
	<-procs[1].exited
	t.Logf("shard 2/3 killed with %d chunks recorded in all", chunksDone(dir))
	procs = append(procs, launch("--shard", "2/3"))
	time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
	procs = append(procs, launch("--shard", "1/1"))
	for i, p := range procs {
		<-p.exited
		if i != 1 && !p.c.ProcessState.Success() {
			t.Fatalf("shard process %v: %v\n%s", p.c.Args, p.c.ProcessState, p.out)
		}
	}
	// Whichever process finished the dataset wrote the report; a report
	// rerun (as a user would after shards) must change nothing.
	if !manifestComplete(dir) {
		t.Fatal("sharded study incomplete")
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		if o, err := exec.Command(bin, "report", dir).CombinedOutput(); err != nil {
			t.Fatalf("report: %v\n%s", err, o)
		}
	}
	check("staggered shards", dir)
}
