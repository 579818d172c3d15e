package pipeline

import (
	"fmt"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// estimateStudy returns Estimate(NewPlan(s)) without building the plan's
// cells: the provider_steps estimate needs only each cell's provider count
// and entry rate, found per scenario × policy and, when entry.rate_per_year
// is swept, from the sweep value. It walks the cells in plan order so that
// its float sums equal Estimate's exactly. Memory is O(scenarios × policies).
func estimateStudy(s *study.Study) (SizeEstimate, error) {
	cells := s.Cells()
	return estimateRows(study.SatMul(cells, int64(s.Replicates)), s.HorizonDays, s.Outputs, func() (float64, error) {
		rateSweep := -1
		for i, sw := range s.Sweeps {
			if sw.Param == "entry.rate_per_year" {
				rateSweep = i
			}
		}
		points := study.SweepPoints(s.Sweeps)
		var providers float64
		for _, sn := range s.Scenarios {
			sc, err := s.Scenario(sn)
			if err != nil {
				return 0, err
			}
			for _, pn := range s.Policies {
				pol, err := s.Policy(pn)
				if err != nil {
					return 0, err
				}
				base, err := model.Resolve(s.Params, sc, pol)
				if err != nil {
					return 0, fmt.Errorf("%w: %v", study.ErrStudy, err)
				}
				n := float64(len(base.Providers.Table))
				for i := int64(0); i < points; i++ {
					rate := base.Entry.RatePerYear
					if rateSweep >= 0 {
						rate = study.GridValue(s.Sweeps, i, rateSweep)
					}
					providers += n + rate*float64(s.HorizonDays)/365
				}
			}
		}
		return providers / float64(max(cells, 1)), nil
	})
}

// checkStudyBudget is CheckDiskBudget for a study whose cells are not built yet.
func checkStudyBudget(s *study.Study) error {
	est, err := estimateStudy(s)
	if err != nil {
		return err
	}
	return checkBudget(est, s.DiskBudgetGB)
}

// Shape is the size of a study's plan, computed without building its cells
// (StudyShape): what `tokensim validate` prints even for a study over its
// disk budget.
type Shape struct {
	Cells     int64 // scenarios × policies × sweep points
	Runs      int64 // cells × replicates
	ChunkRuns int   // runs per chunk (chunk_runs, or the automatic size)
	Chunks    int64 // ⌈runs / ChunkRuns⌉
	Estimate  SizeEstimate
}

// StudyShape returns the shape of NewPlan(s) without building it: the same
// counts, chunk size and estimate (Estimate). s must be valid (Validate).
func StudyShape(s *study.Study) (Shape, error) {
	sh := Shape{Cells: s.Cells(), ChunkRuns: s.ChunkRuns}
	sh.Runs = study.SatMul(sh.Cells, int64(s.Replicates))
	if sh.ChunkRuns == 0 {
		sh.ChunkRuns = autoChunkRuns(sh.Runs)
	}
	sh.Chunks = (sh.Runs + int64(sh.ChunkRuns) - 1) / int64(sh.ChunkRuns)
	est, err := estimateStudy(s)
	sh.Estimate = est
	return sh, err
}

// autoChunkRuns is the chunk size of a study that does not set chunk_runs:
// DefaultChunkRuns, raised to keep at most MaxAutoChunks chunks.
func autoChunkRuns(runs int64) int {
	c := int64(dataset.DefaultChunkRuns)
	if k := (runs + MaxAutoChunks - 1) / MaxAutoChunks; k > c {
		c = k
	}
	return int(c)
}
