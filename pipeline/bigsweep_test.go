package pipeline

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/study"
)

// bigSweep returns a study with one scenario, one policy and a sweep of n
// values of network.effect (a 1 MB list at n = 100,000).
func bigSweep(n int, extra string) []byte {
	var b strings.Builder
	b.WriteString("name: big\nscenarios: [baseline]\npolicies: [none]\nreplicates: 1000\n" + extra + "sweeps:\n  - param: network.effect\n    values: [")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.6f", 0.1+0.8*float64(i)/float64(n))
	}
	b.WriteString("]\n")
	return []byte(b.String())
}

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc).
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestBigSweepMemory (issue 16 item 3): a study whose sweep list makes it
// exceed its disk budget is refused before its cells are built. A cell holds
// a copy of the parameters (≥ 1 kB: provider table, regime map), so building
// 100,000 cells allocates > 100 MB; the refusal must allocate < 64 B per
// sweep value (it validates each value in one scratch copy), and parsing the
// file < 4 kB per value (the YAML syntax tree, linear in the file).
func TestBigSweepMemory(t *testing.T) {
	n := 100000 // a 1 MB list; parsing it allocates ~170 MB
	if testing.Short() {
		n = 20000
	}
	src := bigSweep(n, "disk_budget_gb: 1\n")
	var s *study.Study
	var err error
	parse := allocated(func() { s, err = study.ParseStudy("big.yaml", src) })
	if err != nil {
		t.Fatal(err)
	}
	var perr error
	plan := allocated(func() { _, perr = NewPlan(s) })
	t.Logf("%d values, %d bytes of YAML: parse allocates %.1f MB (%.0f B/value), the refusal %.2f MB (%.0f B/value)",
		n, len(src), float64(parse)/1e6, float64(parse)/float64(n), float64(plan)/1e6, float64(plan)/float64(n))
	if !errors.Is(perr, ErrDiskBudget) {
		t.Fatalf("NewPlan: %v, want ErrDiskBudget", perr)
	}
	if plan > 64*uint64(n) {
		t.Errorf("refusing the study allocated %d bytes (> 64 B per sweep value): cells were built", plan)
	}
	if parse > 4096*uint64(n) {
		t.Errorf("parsing allocated %d bytes (> 4 kB per sweep value)", parse)
	}
}
