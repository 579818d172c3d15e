package pipeline

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// Bytes per row on disk (zstd Parquet) used by Estimate: upper estimates
// measured on the default study (see the package benchmarks), rounded up.
const (
	estRunRowBytes          = 400
	estStepRowBytes         = 110
	estProviderStepRowBytes = 60
)

// SizeEstimate is the expected size of a study's dataset.
type SizeEstimate struct {
	Runs               int64 // rows of the runs table
	StepRows           int64 // rows of the steps table (0 when off)
	ProviderStepRows   int64 // rows of provider_steps (0 when off)
	Bytes              int64 // estimated bytes on disk
	RecordedDaysPerRun int
}

// Rows returns the total rows of all tables.
func (s SizeEstimate) Rows() int64 { return s.Runs + s.StepRows + s.ProviderStepRows }

// Estimate returns the plan's expected rows and bytes: one runs row per run;
// per run, the recorded days (every record_every_days-th day and the last)
// in steps, and recorded days × (incumbents + expected entrants) in
// provider_steps.
func Estimate(p *Plan) SizeEstimate {
	est, _ := estimateRows(p.Runs(), p.HorizonDays, p.Outputs, func() (float64, error) {
		var providers float64
		for _, c := range p.Cells {
			prm := c.Params
			providers += float64(len(prm.Providers.Table)) + prm.Entry.RatePerYear*float64(p.HorizonDays)/365
		}
		return providers / float64(max(len(p.Cells), 1)), nil
	})
	return est
}

// estimateRows is the estimate of runs runs of horizonDays days recording
// outputs, given the mean providers per run (incumbents + expected
// entrants), which meanProviders computes only when provider_steps are
// recorded. Estimate and estimateStudy differ only in how they find that mean.
func estimateRows(runs int64, horizonDays int, outputs dataset.Outputs, meanProviders func() (float64, error)) (SizeEstimate, error) {
	est := SizeEstimate{Runs: runs}
	k := recordEveryDays(outputs)
	if k > 0 {
		days := horizonDays / k
		if horizonDays%k != 0 {
			days++
		}
		est.RecordedDaysPerRun = days
		if outputs.Steps {
			est.StepRows = study.SatMul(est.Runs, int64(days))
		}
		if outputs.ProviderSteps {
			providers, err := meanProviders()
			if err != nil {
				return est, err
			}
			est.ProviderStepRows = int64(float64(est.Runs*int64(days)) * providers)
		}
	}
	est.Bytes = est.Runs*estRunRowBytes + est.StepRows*estStepRowBytes + est.ProviderStepRows*estProviderStepRowBytes
	return est, nil
}

// CheckDiskBudget returns an error wrapping ErrDiskBudget when the plan's
// estimated size exceeds its study's disk_budget_gb (0 = no limit).
func CheckDiskBudget(p *Plan) error {
	return checkBudget(Estimate(p), p.Study.DiskBudgetGB)
}

// checkBudget returns an error wrapping ErrDiskBudget when est exceeds
// budgetGB (0 = no limit).
func checkBudget(est SizeEstimate, budgetGB float64) error {
	if budgetGB > 0 && float64(est.Bytes) > budgetGB*1e9 {
		return fmt.Errorf("%w: estimated %s (%d runs, %d rows) > disk_budget_gb %g; lower replicates, horizon_days or the outputs, or raise disk_budget_gb",
			ErrDiskBudget, FormatBytes(est.Bytes), est.Runs, est.Rows(), budgetGB)
	}
	return nil
}

// FormatBytes formats a byte count with a decimal unit (kB, MB, GB, TB).
func FormatBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f PB", f/unit)
}

// SensitivityInfo is what `tokensim validate` prints for a sensitivity study
// before it runs: the size of the design and an estimated wall time.
type SensitivityInfo struct {
	Method       string
	Factors      int
	Outputs      int
	DesignPoints int   // cells
	Replicates   int   // runs per design point
	Runs         int64 // model evaluations: DesignPoints × Replicates
	// SecondsPerRun is the mean wall time of one run measured by the
	// calibration runs on this machine (NaN without calibration).
	SecondsPerRun   float64
	CalibrationRuns int
	Workers         int
	// Estimated is Runs × SecondsPerRun / min(Workers, NumCPU) (0 without calibration):
	// the model time only; Parquet writing adds a few percent.
	Estimated time.Duration
	// Warnings are advice about the design (study.SensitivitySpec.Warnings).
	Warnings []string
}

// SensitivityPlanInfo sizes a sensitivity study and estimates its wall time
// by running calibrationRuns runs (of the first design points, replicate 0
// onwards, nothing recorded) on this machine; workers ≤ 0 means GOMAXPROCS.
// With calibrationRuns = 0 nothing is run. A failing calibration run is an
// error naming its design point.
func SensitivityPlanInfo(ctx context.Context, s *study.Study, workers, calibrationRuns int) (SensitivityInfo, error) {
	plan, d, err := SensitivityPlan(s)
	if err != nil {
		return SensitivityInfo{}, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	base, _ := d.Spec.BaseParams(s)
	info := SensitivityInfo{Method: d.Spec.Method, Factors: len(d.Spec.Factors), Outputs: len(d.Spec.Outputs),
		DesignPoints: len(plan.Cells), Replicates: plan.Replicates, Runs: plan.Runs(),
		SecondsPerRun: math.NaN(), Workers: workers, Warnings: s.Sensitivity.Warnings(&base)}
	n := min(int64(calibrationRuns), plan.Runs())
	if n <= 0 {
		return info, nil
	}
	var r model.Runner
	start := time.Now()
	for i := range n {
		if err := ctx.Err(); err != nil {
			return info, err
		}
		// Spread the calibration over design points (run ids step by Replicates).
		cell := int(i) % len(plan.Cells)
		rep := int(i) / len(plan.Cells)
		spec := plan.Spec(plan.RunID(cell, rep%plan.Replicates))
		spec.RecordEveryDays = 0
		spec.ProviderSteps = false
		if _, err := r.Run(&spec, nil); err != nil {
			return info, fmt.Errorf("calibration run of design point %d: %w", cell, err)
		}
	}
	info.CalibrationRuns = int(n)
	info.SecondsPerRun = time.Since(start).Seconds() / float64(n)
	par := min(workers, runtime.NumCPU())
	info.Estimated = time.Duration(float64(info.Runs) * info.SecondsPerRun / float64(par) * float64(time.Second))
	return info, nil
}
