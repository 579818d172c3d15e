package aggregate

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/stats"
	"golang.org/x/sync/errgroup"
)

// effectPair is one policy cell and the baseline cell it is compared with.
type effectPair struct {
	base, pol *cellGroup
	baseRows  []int // matched rows (same replicate), in replicate order
	polRows   []int
}

// bootSeed returns the stream key of the bootstrap of one comparison (and,
// with metric != "", of one metric): a hash of the names, so that each
// comparison's intervals do not depend on which others the study holds or on
// the order in which workers reach them.
func bootSeed(scenario, policy, sweepKey, metric string) uint64 {
	h := fnv.New64a()
	for _, s := range []string{scenario, policy, sweepKey, metric} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// matchPairs pairs each non-baseline cell with the baseline cell of the same
// scenario and sweep point, matching runs by replicate (common random
// numbers, MODEL-SPEC §3). It returns the pairs in cell order and warnings
// about missing baselines and unmatched replicates.
func matchPairs(groups []*cellGroup, t *dataset.RunTable) ([]effectPair, []string) {
	base := map[[2]string]*cellGroup{}
	for _, g := range groups {
		if g.policy == BaselinePolicy {
			base[[2]string{g.scenario, g.sweepKey}] = g
		}
	}
	var pairs []effectPair
	var warns []string
	missing := map[[2]string]bool{}
	for _, g := range groups {
		if g.policy == BaselinePolicy {
			continue
		}
		key := [2]string{g.scenario, g.sweepKey}
		b := base[key]
		if b == nil {
			if !missing[key] {
				missing[key] = true
				where := g.scenario
				if g.sweepKey != "" {
					where += " at " + g.sweepKey
				}
				warns = append(warns, fmt.Sprintf("no %q runs in %s: policy effects there are not estimated", BaselinePolicy, where))
			}
			continue
		}
		p := effectPair{base: b, pol: g}
		p.baseRows, p.polRows = pairRows(t, b.rows, g.rows)
		if un := len(g.rows) - len(p.polRows); un > 0 {
			warns = append(warns, fmt.Sprintf("%s/%s %s: %d run(s) without a %q run of the same replicate", g.scenario, g.policy, g.sweepKey, un, BaselinePolicy))
		}
		pairs = append(pairs, p)
	}
	return pairs, warns
}

// computeEffects estimates the paired effect of every policy versus the
// baseline on every metric, with bootstrap intervals (opts.Bootstrap
// resamples, opts.BootstrapMethod, level opts.Confidence). Metrics without
// nulls share one set of resampled replicate indices per comparison (drawn
// from a PCG stream keyed by opts.Seed and the comparison's names); a metric
// with nulls is resampled over its complete pairs from its own stream.
func computeEffects(ctx context.Context, groups []*cellGroup, t *dataset.RunTable, opts Options) ([]Effect, []string, error) {
	pairs, warns := matchPairs(groups, t)
	out := make([][]Effect, len(pairs))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(max(1, opts.Workers))
	for i := range pairs {
		eg.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			out[i] = pairEffects(&pairs[i], t, opts)
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, nil, err
	}
	var all []Effect
	for _, e := range out {
		all = append(all, e...)
	}
	return all, warns, nil
}

// pairEffects computes one comparison's effects on every metric.
func pairEffects(p *effectPair, t *dataset.RunTable, opts Options) []Effect {
	n := len(p.polRows)
	M := len(t.Metrics)
	effects := make([]Effect, M)
	complete := make([]bool, M)
	var cols []int // complete metrics, bootstrapped jointly
	for m := range t.Metrics {
		complete[m] = true
		for k := range n {
			if !isFinite(t.Values[m][p.polRows[k]]) || !isFinite(t.Values[m][p.baseRows[k]]) {
				complete[m] = false
				break
			}
		}
		if complete[m] {
			cols = append(cols, m)
		}
	}
	// Joint bootstrap of the complete metrics.
	var star []float64
	if n >= 2 && len(cols) > 0 {
		d := make([]float64, n*len(cols))
		for k := range n {
			for j, m := range cols {
				d[k*len(cols)+j] = t.Values[m][p.polRows[k]] - t.Values[m][p.baseRows[k]]
			}
		}
		rng := rand.New(rand.NewPCG(opts.Seed, bootSeed(p.pol.scenario, p.pol.policy, p.pol.sweepKey, "")))
		star = stats.ResampleMeansRows(d, len(cols), opts.Bootstrap, rng)
	}
	jcol := map[int]int{}
	for j, m := range cols {
		jcol[m] = j
	}
	for m, mi := range t.Metrics {
		var bx, px, dx []float64
		for k := range n {
			b, v := t.Values[m][p.baseRows[k]], t.Values[m][p.polRows[k]]
			if isFinite(b) && isFinite(v) {
				bx = append(bx, b)
				px = append(px, v)
				dx = append(dx, v-b)
			}
		}
		e := Effect{Scenario: p.pol.scenario, Policy: p.pol.policy, Sweep: p.pol.sweep, Metric: mi.Name,
			N: len(dx), Method: opts.BootstrapMethod, B: opts.Bootstrap}
		e.BaseMean, _ = stats.MeanSD(bx)
		e.PolicyMean, _ = stats.MeanSD(px)
		e.MeanDiff, e.SDDiff = stats.MeanSD(dx)
		e.Lo, e.Hi = math.NaN(), math.NaN()
		e.FracBetter = math.NaN()
		if mi.Better != model.Neutral && len(dx) > 0 {
			better := 0
			for _, v := range dx {
				if v*float64(mi.Better.Sign()) > 0 {
					better++
				}
			}
			e.FracBetter = float64(better) / float64(len(dx))
		}
		if len(dx) >= 2 {
			var s []float64
			if complete[m] {
				j := jcol[m]
				s = make([]float64, opts.Bootstrap)
				for b := range s {
					s[b] = star[b*len(cols)+j]
				}
			} else {
				rng := rand.New(rand.NewPCG(opts.Seed, bootSeed(p.pol.scenario, p.pol.policy, p.pol.sweepKey, mi.Name)))
				s = stats.ResampleMeans(dx, opts.Bootstrap, rng)
			}
			e.Lo, e.Hi = stats.BootstrapInterval(dx, s, opts.Confidence, opts.BootstrapMethod)
		}
		effects[m] = e
	}
	return effects
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// pairRows matches the policy rows pol with the baseline rows base of the
// same replicate (common random numbers, MODEL-SPEC §3): the matched rows in
// pol's order; a policy row without a baseline run of its replicate is left
// out. Both slices are nil when nothing matches.
func pairRows(t *dataset.RunTable, base, pol []int) (baseRows, polRows []int) {
	byRep := make(map[int]int, len(base))
	for _, r := range base {
		byRep[t.Replicate[r]] = r
	}
	for _, r := range pol {
		if br, ok := byRep[t.Replicate[r]]; ok {
			baseRows = append(baseRows, br)
			polRows = append(polRows, r)
		}
	}
	return baseRows, polRows
}
