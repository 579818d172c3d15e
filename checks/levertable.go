package checks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tokensim/tokensim/model"
)

// ErrChecks is wrapped by this package's errors about its inputs.
var ErrChecks = errors.New("checks")

// LeverCase is one row group of the §E.8 lever table: the lever's policy
// variant, the scenario it targets, the reference policy it is compared with
// (paired by replicate) and the metric families it is meant to move.
type LeverCase struct {
	Lever     string // a name for the table (e.g. "governance")
	Scenario  string // built-in scenario name
	Policy    string // built-in policy variant with the lever on
	Reference string // built-in policy variant without it (`none`, or `all` for governance)
	Families  []model.Family
	// Structural names metrics that move by construction when the lever is
	// on (its own activity), beside those whose catalogue LeverOnly is the
	// lever's name: they are shown but do not count for the verdict.
	Structural []string
}

// DefaultLeverCases are the eight levers of MODEL-SPEC-v2 §E.8 (§2.7 plus
// hedging and governance), each in the scenario it targets: the token-market
// levers in `volatility`, and the fund and the circuit breaker also in
// `depeg_backed` (on the v2 market a working peg absorbs `volatility`'s
// shocks; the de-peg is what they are for), the concentration levers in
// `centralization`, and governance as `all_governed` against `all` (the same
// levers, with the cap and grants put to the vote) in `centralization`.
func DefaultLeverCases() []LeverCase {
	stab := []model.Family{model.FamilyStability}
	return []LeverCase{
		{"fund", model.ScenarioVolatility, model.PolicyFund, model.PolicyNone, stab, nil},
		{"fund", model.ScenarioDepegBacked, model.PolicyFund, model.PolicyNone, stab, nil},
		{"circuit_breaker", model.ScenarioVolatility, model.PolicyCircuitBreaker, model.PolicyNone, stab, nil},
		{"circuit_breaker", model.ScenarioDepegBacked, model.PolicyCircuitBreaker, model.PolicyNone, stab, nil},
		{"share_cap", model.ScenarioCentralization, model.PolicyShareCap, model.PolicyNone, []model.Family{model.FamilyDiversity}, nil},
		{"grants", model.ScenarioCentralization, model.PolicyGrants, model.PolicyNone, []model.Family{model.FamilyDiversity}, nil},
		{"burn_buyback", model.ScenarioVolatility, model.PolicyBurnBuyback, model.PolicyNone, []model.Family{model.FamilyStability, model.FamilyToken},
			[]string{"burned_clt", "supply_final_clt", "issued_clt"}},
		{"indexed_pricing", model.ScenarioVolatility, model.PolicyIndexedPricing, model.PolicyNone, []model.Family{model.FamilyConsumers}, nil},
		{"hedging", model.ScenarioVolatility, model.PolicyHedging, model.PolicyNone, []model.Family{model.FamilyProfitability}, nil},
		{"governance", model.ScenarioCentralization, model.PolicyAllGoverned, model.PolicyAll, []model.Family{model.FamilyGovernance, model.FamilyDiversity},
			[]string{"cap_blocked_days", "grants_blocked_days", "capture_days"}},
	}
}

// LeverTableSpec sizes a lever-table study.
type LeverTableSpec struct {
	Base        model.Params // parameters the scenarios and policies apply to (model.Default())
	Cases       []LeverCase
	Replicates  int // paired replicates per cell, ≥ 2
	HorizonDays int
	Seed        uint64
	Workers     int // ≤ 0: GOMAXPROCS
}

// LeverEffect is one row of the lever table: the paired effect of a lever on
// one metric of its families in its scenario.
type LeverEffect struct {
	Lever, Scenario, Policy, Reference string
	Metric                             string
	Family                             model.Family
	N                                  int     // paired replicates with the metric defined in both
	MeanRef, MeanLever                 float64 // means over those replicates
	Effect                             float64 // mean paired difference lever − reference
	Lo, Hi                             float64 // its 95% interval: Effect ∓ 1.96 × sd(diff)/√N
	SDNone                             float64 // sd of the metric across the `none` runs of the scenario
	// SDRef is the sd the effect is measured against: SDNone, or, when the
	// metric does not vary across the `none` runs (a lever-only metric), the
	// sd across the reference runs, else across the lever's runs.
	SDRef    float64
	EffectSD float64 // Effect / SDRef (±Inf when SDRef = 0 and Effect ≠ 0)
	// Significant: the 95% interval excludes 0. Material: also |EffectSD| ≥ 0.2.
	Significant, Material bool
	// Structural: the metric moves by construction with the lever (see
	// LeverCase.Structural); it does not count for the lever's verdict.
	Structural bool
}

// MaterialSD is §E.8's materiality threshold in standard deviations of the
// metric across the `none` runs.
const MaterialSD = 0.2

// LeverTable runs every (scenario, policy) cell the cases need for
// spec.Replicates paired replicates and returns one LeverEffect per case and
// per run metric of the case's families, in case order and catalogue order.
// Errors: bad spec (wrapping ErrChecks), a failed resolve or run.
func LeverTable(ctx context.Context, spec LeverTableSpec) ([]LeverEffect, error) {
	if spec.Replicates < 2 || spec.HorizonDays < 1 || len(spec.Cases) == 0 {
		return nil, fmt.Errorf("%w: lever table needs ≥ 2 replicates, a horizon ≥ 1 and cases (got %d, %d, %d)",
			ErrChecks, spec.Replicates, spec.HorizonDays, len(spec.Cases))
	}
	type cell struct{ sc, pol string }
	var cells []cell
	seen := map[cell]bool{}
	add := func(c cell) {
		if !seen[c] {
			seen[c] = true
			cells = append(cells, c)
		}
	}
	for _, c := range spec.Cases {
		add(cell{c.Scenario, model.PolicyNone})
		add(cell{c.Scenario, c.Reference})
		add(cell{c.Scenario, c.Policy})
	}
	sums := make(map[cell][]model.Summary, len(cells))
	for _, c := range cells {
		sums[c] = make([]model.Summary, spec.Replicates)
	}
	jobs := make([]RunJob, 0, len(cells)*spec.Replicates)
	for _, c := range cells {
		sc, ok := model.Scenarios()[c.sc]
		pol, ok2 := model.Policies()[c.pol]
		if !ok || !ok2 {
			return nil, fmt.Errorf("%w: unknown scenario %q or policy %q", ErrChecks, c.sc, c.pol)
		}
		p, err := model.Resolve(spec.Base, sc, pol)
		if err != nil {
			return nil, err
		}
		out := sums[c]
		for r := 0; r < spec.Replicates; r++ {
			jobs = append(jobs, RunJob{Spec: model.RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: spec.HorizonDays,
				Seed: spec.Seed, Replicate: r}, Out: &out[r]})
		}
	}
	if err := RunAll(ctx, jobs, spec.Workers); err != nil {
		return nil, err
	}
	var rows []LeverEffect
	for _, c := range spec.Cases {
		none := sums[cell{c.Scenario, model.PolicyNone}]
		ref := sums[cell{c.Scenario, c.Reference}]
		lev := sums[cell{c.Scenario, c.Policy}]
		for _, m := range model.Catalogue() {
			if m.Table != model.TableRuns || !slices.Contains(c.Families, m.Family) {
				continue
			}
			e := pairedEffect(m.Name, none, ref, lev)
			e.Lever, e.Scenario, e.Policy, e.Reference, e.Family = c.Lever, c.Scenario, c.Policy, c.Reference, m.Family
			e.Structural = m.LeverOnly == c.Lever || slices.Contains(c.Structural, m.Name)
			rows = append(rows, e)
		}
	}
	return rows, nil
}

// RunJob is one run for RunAll: its spec and where its summary goes.
type RunJob struct {
	Spec model.RunSpec
	Rec  model.Recorder // may be nil
	Out  *model.Summary
}

// RunAll runs the jobs on workers goroutines (≤ 0: GOMAXPROCS), each with its
// own model.Runner. Each job writes only its own Out (and Rec), so the
// results do not depend on the number of workers. The first error stops it.
func RunAll(ctx context.Context, jobs []RunJob, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, ctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for i := range jobs {
			select {
			case next <- i:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			var r model.Runner
			for i := range next {
				j := &jobs[i]
				sum, err := r.Run(&j.Spec, j.Rec)
				if err != nil {
					return fmt.Errorf("replicate %d: %w", j.Spec.Replicate, err)
				}
				*j.Out = sum
			}
			return nil
		})
	}
	return g.Wait()
}

// summaryField returns the index of the model.Summary field whose parquet
// column is name, or −1.
func summaryField(name string) int {
	t := reflect.TypeFor[model.Summary]()
	for i := 0; i < t.NumField(); i++ {
		if strings.Split(t.Field(i).Tag.Get("parquet"), ",")[0] == name {
			return i
		}
	}
	return -1
}

// metricValue returns the value of field i (summaryField) of s and whether
// it is defined (a null leader_profit_share is not; nor is any value when i
// is −1).
func metricValue(s *model.Summary, i int) (float64, bool) {
	if i < 0 {
		return 0, false
	}
	f := reflect.ValueOf(s).Elem().Field(i)
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return 0, false
		}
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.Float64:
		x := f.Float()
		return x, !math.IsNaN(x)
	case reflect.Int32, reflect.Int64:
		return float64(f.Int()), true
	}
	return 0, false
}

// pairedEffect computes one LeverEffect's statistics (§E.8): the mean paired
// difference lever − reference over the replicates where the metric is
// defined in both, its normal 95% interval, and the effect in sd's of the
// metric across the `none` runs (or the fallbacks of LeverEffect.SDRef).
func pairedEffect(name string, none, ref, lev []model.Summary) LeverEffect {
	e := LeverEffect{Metric: name}
	field := summaryField(name) // looked up once, not per replicate
	var d, a, b []float64
	for r := range lev {
		x, okx := metricValue(&ref[r], field)
		y, oky := metricValue(&lev[r], field)
		if okx && oky {
			a, b, d = append(a, x), append(b, y), append(d, y-x)
		}
	}
	var nv []float64
	for r := range none {
		if x, ok := metricValue(&none[r], field); ok {
			nv = append(nv, x)
		}
	}
	e.N = len(d)
	if e.N < 2 {
		return e
	}
	e.MeanRef, e.MeanLever = mean(a), mean(b)
	e.Effect = mean(d)
	se := sd(d) / math.Sqrt(float64(e.N))
	e.Lo, e.Hi = e.Effect-1.96*se, e.Effect+1.96*se
	e.SDNone = sd(nv)
	e.SDRef = e.SDNone
	if !(e.SDRef > 0) {
		e.SDRef = sd(a)
	}
	if !(e.SDRef > 0) {
		e.SDRef = sd(b)
	}
	switch {
	case e.SDRef > 0:
		e.EffectSD = e.Effect / e.SDRef
	case e.Effect != 0:
		e.EffectSD = math.Copysign(math.Inf(1), e.Effect)
	}
	e.Significant = e.Lo > 0 || e.Hi < 0
	e.Material = e.Significant && math.Abs(e.EffectSD) >= MaterialSD
	return e
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// sd is the sample standard deviation (n−1); 0 for fewer than 2 values.
func sd(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	m := mean(x)
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// LeverVerdict summarizes one lever in one scenario: whether any metric of
// its families that is not structural moved materially, and its largest
// material (else largest significant, else largest) such effect in sd's.
type LeverVerdict struct {
	Lever, Scenario string
	Material        bool
	Best            LeverEffect
}

// Verdicts returns one LeverVerdict per (lever, scenario), in the order they
// first appear in rows.
func Verdicts(rows []LeverEffect) []LeverVerdict {
	var out []LeverVerdict
	idx := map[string]int{}
	rank := func(e LeverEffect) (int, float64) {
		a := math.Abs(e.EffectSD)
		if math.IsInf(a, 0) { // a metric constant within each policy: rank it below finite effects
			a = 0
		}
		switch {
		case e.Material:
			return 2, a
		case e.Significant:
			return 1, a
		}
		return 0, a
	}
	for _, e := range rows {
		if e.Structural {
			continue
		}
		i, ok := idx[e.Lever+"/"+e.Scenario]
		if !ok {
			idx[e.Lever+"/"+e.Scenario] = len(out)
			out = append(out, LeverVerdict{Lever: e.Lever, Scenario: e.Scenario, Material: e.Material, Best: e})
			continue
		}
		v := &out[i]
		v.Material = v.Material || e.Material
		r1, a1 := rank(e)
		r0, a0 := rank(v.Best)
		if r1 > r0 || (r1 == r0 && a1 > a0) {
			v.Best = e
		}
	}
	return out
}

// FormatLeverTable renders rows as a Markdown table (lever × scenario ×
// metric, reference and lever means, effect and its 95% interval, effect in
// sd's, material) with only the rows whose effect is significant unless all
// is true, and the per-lever verdicts first.
func FormatLeverTable(rows []LeverEffect, all bool) string {
	var b strings.Builder
	b.WriteString("| lever | scenario | material | largest effect (metric: reference → lever, effect [95% CI], effect/sd) |\n|---|---|---|---|\n")
	for _, v := range Verdicts(rows) {
		e := v.Best
		fmt.Fprintf(&b, "| %s | %s | %s | `%s`: %s → %s, %s [%s, %s], %s sd |\n", v.Lever, v.Scenario, yesNo(v.Material),
			e.Metric, num(e.MeanRef), num(e.MeanLever), num(e.Effect), num(e.Lo), num(e.Hi), num(e.EffectSD))
	}
	b.WriteString("\n| lever | scenario | metric | reference | lever | effect | 95% CI | sd (none) | effect/sd | material |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, e := range rows {
		if !all && !e.Significant {
			continue
		}
		mat := yesNo(e.Material)
		if e.Structural {
			mat += " (structural)"
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s | %s | [%s, %s] | %s | %s | %s |\n", e.Lever, e.Scenario, e.Metric,
			num(e.MeanRef), num(e.MeanLever), num(e.Effect), num(e.Lo), num(e.Hi), num(e.SDNone), num(e.EffectSD), mat)
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// num formats a number with 3 significant digits.
func num(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	case x == 0:
		return "0"
	}
	return strings.Replace(fmt.Sprintf("%.3g", x), "-", "−", 1)
}
