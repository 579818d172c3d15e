package checks

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/tokensim/tokensim/model"
)

func TestExploreLevers(t *testing.T) {
	reps, _ := strconv.Atoi(os.Getenv("REPS"))
	if reps == 0 {
		t.Skip()
	}
	base := model.Default()
	if os.Getenv("V1") != "" {
		base = model.DefaultV1()
	}
	rows, err := LeverTable(context.Background(), LeverTableSpec{Base: base, Cases: DefaultLeverCases(), Replicates: reps, HorizonDays: 365, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + FormatLeverTable(rows, os.Getenv("ALL") != ""))
}

func TestExploreHedge(t *testing.T) {
	reps, _ := strconv.Atoi(os.Getenv("REPS"))
	if reps == 0 {
		t.Skip()
	}
	sc := model.Scenarios()[model.ScenarioVolatility]
	for _, h := range []float64{0, 0.25, 0.5, 0.75, 1} {
		p, _ := model.Resolve(model.Default(), sc, model.Policies()[model.PolicyNone])
		p.Providers.HedgeRatio = h
		out := make([]model.Summary, reps)
		var jobs []RunJob
		for r := 0; r < reps; r++ {
			jobs = append(jobs, RunJob{Spec: model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: 365, Seed: 1, Replicate: r}, Out: &out[r]})
		}
		if err := RunAll(context.Background(), jobs, 0); err != nil {
			t.Fatal(err)
		}
		var cv, pnl, prof, ex []float64
		for _, s := range out {
			cv = append(cv, s.RevenueCV)
			pnl = append(pnl, s.HedgePnLUSD)
			prof = append(prof, s.ProviderProfitUSD)
			ex = append(ex, float64(s.Exits))
		}
		t.Logf("h=%.2f revenue_cv %.4f hedge_pnl %.3g profit %.4g exits %.2f", h, mean(cv), mean(pnl), mean(prof), mean(ex))
	}
}
