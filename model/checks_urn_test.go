package model_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tokensim/tokensim/model"
)

// TestCheckPolyaUrn is MODEL-SPEC §6.2. With γ = 1, s_floor = 0 and every
// other force off, an arriving consumer picks provider i with probability
// s_i,t−1 (its share of consumers): a Pólya urn (Eggenberger and Pólya 1923).
// Its share converges to a Beta(n₁, n₂) limit in the starting counts
// (Johnson and Kotz 1977, ch. 4). Starting from 10 consumers, growth of 460%
// a year multiplies the market about 100-fold in 365 days, so the final share
// is within ~1% of the limit. Each replicate has its own starting counts
// (the day-0 draw), so the test uses the probability integral transform
// U = F_Beta(n₁,n₂)(s₁,T), which is Uniform(0,1) under the model, and a
// Kolmogorov–Smirnov test of U against the uniform.
//
// The starting counts are those of the first recorded day. The urn is a
// Markov chain in the counts, so the Beta limit holds from any day's counts;
// when the model records day 1 rather than day 0, the check starts there.
func TestCheckPolyaUrn(t *testing.T) {
	const (
		m0      = 10
		s1      = 0.4
		growth  = 4.6 // per year: e^4.6 ≈ 100-fold in a year
		horizon = 365
	)
	n := size(2000, 10000)
	p := neutralUrnParams(m0, s1, growth, 0)
	sched := model.Schedule{BaseRegime: model.RegimePegged}
	mustValidate(t, &p, sched)

	var runner model.Runner
	u := make([]float64, 0, n)
	absorbed, finalM := 0, 0.0
	for rep := 0; rep < n; rep++ {
		rec := newProviderRecorder(false)
		spec := &model.RunSpec{Params: p, Schedule: sched, HorizonDays: horizon, Seed: checkSeed,
			Replicate: rep, RunID: int64(rep), RecordEveryDays: 1, ProviderSteps: true}
		sum, err := runner.Run(spec, rec)
		if err != nil {
			t.Fatalf("replicate %d: %v", rep, err)
		}
		if int(rec.lastDay) != horizon {
			t.Fatalf("replicate %d: last provider row on day %d, want %d", rep, rec.lastDay, horizon)
		}
		c0 := counts(t, rec.first, "a", "b")
		cT := counts(t, rec.last, "a", "b")
		if sum.Exits != 0 || sum.Entries != 0 {
			t.Fatalf("replicate %d: %d exits and %d entries in a market without costs or entry", rep, sum.Exits, sum.Entries)
		}
		share := float64(cT[0]) / float64(cT[0]+cT[1])
		if math.Abs(share-sum.LeaderShareFinal) > 1e-9 {
			t.Fatalf("replicate %d: leader_share_final %v, but the last day's volumes give %v", rep, sum.LeaderShareFinal, share)
		}
		finalM += float64(cT[0] + cT[1])
		if c0[0] == 0 || c0[1] == 0 {
			// An empty urn colour stays empty: the network term ln(0) excludes it.
			if (c0[0] == 0 && cT[0] != 0) || (c0[1] == 0 && cT[1] != 0) {
				t.Fatalf("replicate %d: a provider with no consumers on day %d gained some (%v → %v)", rep, rec.firstDay, c0, cT)
			}
			absorbed++
			continue
		}
		u = append(u, distuv.Beta{Alpha: float64(c0[0]), Beta: float64(c0[1])}.CDF(share))
	}
	d, pval := ksUniform(u)
	t.Logf("Pólya urn: %d replicates (%d with an empty side at the start), mean final market %.0f consumers "+
		"(from %d); KS of U = F_Beta(n₁,n₂)(s₁) vs Uniform(0,1): D = %.4f, √n·D = %.3f, p = %.3f",
		n, absorbed, finalM/float64(n), m0, d, math.Sqrt(float64(len(u)))*d, pval)
	if len(u) < n*9/10 {
		t.Fatalf("only %d of %d replicates started with both providers served", len(u), n)
	}
	// The final share is not yet the limit: its variance is short of the Beta's by
	// about (m0+1)/M_T ≈ 1%, far below what n ≤ 4,000 replicates can resolve.
	if pval < 0.001 {
		t.Errorf("final shares are not Beta(n₁(0), n₂(0)): KS D = %.4f, p = %.2g < 0.001", d, pval)
	}
}

// TestCheckVoterFixation is MODEL-SPEC §6.3. Without growth, each consumer
// reviews with probability r a day and re-draws its provider with probability
// s_i,t−1: a neutral voter (Wright–Fisher-type) model. Provider a's count is a
// bounded martingale absorbed at 0 or M, so a holds everything in the end with
// probability n_a(0)/M, whose expectation over the day-0 draw is its initial
// share (0.3). Each day is about 2r Wright–Fisher generations, so with M = 30
// and r = 0.5 the unfixed fraction decays like e^(−2r·t/M) ≈ e^(−t/30): after
// 730 days essentially every replicate has fixed.
func TestCheckVoterFixation(t *testing.T) {
	const (
		m       = 30
		s1      = 0.3
		review  = 0.5
		horizon = 730
	)
	n := size(2000, 10000)
	p := neutralUrnParams(m, s1, 0, review)
	sched := model.Schedule{BaseRegime: model.RegimePegged}
	mustValidate(t, &p, sched)

	var runner model.Runner
	fixedA, fixedB := 0, 0
	for rep := 0; rep < n; rep++ {
		rec := newProviderRecorder(false)
		spec := &model.RunSpec{Params: p, Schedule: sched, HorizonDays: horizon, Seed: checkSeed,
			Replicate: rep, RunID: int64(rep), RecordEveryDays: horizon, ProviderSteps: true}
		sum, err := runner.Run(spec, rec)
		if err != nil {
			t.Fatalf("replicate %d: %v", rep, err)
		}
		cT := counts(t, rec.last, "a", "b")
		if cT[0]+cT[1] != m {
			t.Fatalf("replicate %d: %d consumers at the end, want %d (no growth)", rep, cT[0]+cT[1], m)
		}
		switch {
		case cT[0] == m:
			fixedA++
		case cT[1] == m:
			fixedB++
		}
		if sum.LeaderShareFinal != float64(cT[0])/m {
			t.Fatalf("replicate %d: leader_share_final %v, volumes give %v", rep, sum.LeaderShareFinal, float64(cT[0])/m)
		}
	}
	pa := float64(fixedA) / float64(n)
	se := math.Sqrt(s1 * (1 - s1) / float64(n))
	unfixed := n - fixedA - fixedB
	t.Logf("voter model: %d replicates, %d consumers, review %.2f/day, %d days: a fixed in %d (P = %.4f), b in %d, "+
		"unfixed %d; want P(a) = s_a(0) = %.2f ± %.4f (SE)", n, m, review, horizon, fixedA, pa, fixedB, unfixed, s1, se)
	if unfixed > n/200 {
		t.Errorf("%d of %d replicates not fixed after %d days; a neutral voter model with M = %d fixes within ~%d days",
			unfixed, n, horizon, m, 5*m)
	}
	if math.Abs(pa-s1) > 4*se {
		t.Errorf("P(provider a holds all) = %.4f, want its initial share %.2f within 4 SE (%.4f)", pa, s1, 4*se)
	}
}
