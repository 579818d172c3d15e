package pipeline

import (
	"testing"

	"github.com/tokensim/tokensim/study"
)

// TestPartitionRuns: the runs of a chunk in a cell's Hive partition (the day
// parts' size estimate) counted directly from the run ids, for chunks that
// straddle cells and for a sweep whose cells share a scenario and policy.
func TestPartitionRuns(t *testing.T) {
	sweep, err := study.ParseStudy("s.yaml", []byte("name: s\nseed: 1\nreplicates: 5\nhorizon_days: 10\nscenarios: [baseline, volatility]\npolicies: [none]\n"+
		"sweeps:\n  - param: network.effect\n    values: [0.1, 0.2, 0.3]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		plan  *Plan
		cells int
	}{
		{"2×2 cells, 10 replicates, chunks of 7", testPlan(t, testStudy(t, ""), 7), 4},
		{"2 scenarios × 3 sweep points, 5 replicates, chunks of 8", testPlan(t, sweep, 8), 6},
	} {
		if len(c.plan.Cells) != c.cells {
			t.Fatalf("%s: %d cells, want %d", c.name, len(c.plan.Cells), c.cells)
		}
		for k := 0; k < c.plan.Chunks(); k++ {
			from, to := c.plan.ChunkRange(k)
			for ci := range c.plan.Cells {
				cl := &c.plan.Cells[ci]
				var want int64
				for id := from; id < to; id++ {
					o, _ := c.plan.CellOf(id)
					if c.plan.Cells[o].Scenario == cl.Scenario && c.plan.Cells[o].Policy == cl.Policy {
						want++
					}
				}
				if got := c.plan.partitionRuns(k, cl); got != want {
					t.Errorf("%s: chunk %d, cell %d (%s/%s): %d runs, want %d", c.name, k, ci, cl.Scenario, cl.Policy, got, want)
				}
			}
		}
	}
}
