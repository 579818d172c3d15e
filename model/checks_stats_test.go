package model_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tokensim/tokensim/model"
)

// This file holds the statistics shared by the checks of MODEL-SPEC §6
// (checks_*_test.go): the one-sample Kolmogorov–Smirnov test, moments with
// their Monte Carlo standard errors, and recorders. The checks run the public
// API only (model.Runner.Run on a RunSpec).

// checkSeed is the master seed of every §6 check; replicates are 0..n−1.
const checkSeed = 20261121

// size returns short under `go test -short` and full otherwise.
func size(short, full int) int {
	if testing.Short() {
		return short
	}
	return full
}

// kolmogorovQ returns Q(x) = P(K > x) for the Kolmogorov distribution, the
// limit of √n·D_n under the null (Kolmogorov 1933): for x ≥ 1 the alternating
// series 2Σ(−1)^(k−1) exp(−2k²x²), for x < 1 the theta-function form
// 1 − (√(2π)/x) Σ exp(−(2k−1)²π²/(8x²)); both converge in a few terms.
func kolmogorovQ(x float64) float64 {
	switch {
	case x <= 0:
		return 1
	case x < 1:
		s := 0.0
		for k := 1; k <= 20; k++ {
			j := float64(2*k - 1)
			s += math.Exp(-j * j * math.Pi * math.Pi / (8 * x * x))
		}
		return 1 - math.Sqrt(2*math.Pi)/x*s
	default:
		s := 0.0
		for k := 1; k <= 100; k++ {
			term := math.Exp(-2 * float64(k*k) * x * x)
			if k%2 == 1 {
				s += term
			} else {
				s -= term
			}
			if term < 1e-300 {
				break
			}
		}
		return math.Max(0, math.Min(1, 2*s))
	}
}

// ksUniform returns the one-sample Kolmogorov–Smirnov statistic
// D = sup|F_n(u) − u| of u against Uniform(0,1) and its asymptotic p-value
// Q(√n·D). u is not modified.
func ksUniform(u []float64) (d, p float64) {
	s := slices.Clone(u)
	slices.Sort(s)
	n := float64(len(s))
	for i, x := range s {
		d = math.Max(d, math.Max(float64(i+1)/n-x, x-float64(i)/n))
	}
	return d, kolmogorovQ(math.Sqrt(n) * d)
}

// moments holds a sample's mean, unbiased variance and fourth central moment,
// with the standard errors of the mean and of the variance.
type moments struct {
	n              int
	mean, variance float64
	m4             float64 // (1/n) Σ (x − x̄)⁴
	seMean, seVar  float64
}

// sampleMoments returns the moments of x. The standard error of the sample
// variance is √((m₄ − s⁴(n−3)/(n−1))/n) (e.g. Cramér 1946, §27.4), which
// accounts for the kurtosis of x.
func sampleMoments(x []float64) moments {
	n := float64(len(x))
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= n
	var s2, s4 float64
	for _, v := range x {
		d := (v - m) * (v - m)
		s2 += d
		s4 += d * d
	}
	v := s2 / (n - 1)
	m4 := s4 / n
	return moments{
		n: len(x), mean: m, variance: v, m4: m4,
		seMean: math.Sqrt(v / n),
		seVar:  math.Sqrt(math.Max(m4-v*v*(n-3)/(n-1), 0) / n),
	}
}

// median returns the sample median of x (x is not modified).
func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// robustSD returns 1.4826 × the median absolute deviation of x, a
// consistent estimate of the standard deviation for normal data that a few
// extreme replicates cannot dominate (Hampel 1974).
func robustSD(x []float64) float64 {
	m := median(x)
	dev := make([]float64, len(x))
	for i, v := range x {
		dev[i] = math.Abs(v - m)
	}
	return 1.4826 * median(dev)
}

// providerRecorder keeps the provider rows of the first and the last recorded
// day: volume (Mtok) and share by provider name.
type providerRecorder struct {
	firstDay, lastDay int64
	first, last       map[string]model.ProviderStep
	steps             []model.Step // every recorded day when keepSteps
	keepSteps         bool
}

func newProviderRecorder(keepSteps bool) *providerRecorder {
	return &providerRecorder{firstDay: -1, lastDay: -1, first: map[string]model.ProviderStep{},
		last: map[string]model.ProviderStep{}, keepSteps: keepSteps}
}

func (r *providerRecorder) Step(s *model.Step) {
	if r.keepSteps {
		r.steps = append(r.steps, *s)
	}
}

func (r *providerRecorder) ProviderStep(ps *model.ProviderStep) {
	if r.firstDay < 0 || ps.Day == r.firstDay {
		r.firstDay = ps.Day
		r.first[ps.Provider] = *ps
	}
	if ps.Day != r.lastDay {
		r.lastDay = ps.Day
		clear(r.last)
	}
	r.last[ps.Provider] = *ps
}

// The helpers above against independent values (testdata/ks_ref.py, scipy 1.10.1).
func TestCheckHelpers(t *testing.T) {
	for _, c := range []struct{ x, q float64 }{
		{0.3, 0.99999069419866549}, {0.5, 0.96394524366487511}, {0.8, 0.54414241157419807},
		{1.0, 0.26999967167735456}, {1.36, 0.049485876755377876}, {1.63, 0.009846364888486529},
		{2.0, 0.00067092525577969533}, {3.0, 3.0459959489425258e-08},
	} {
		if got := kolmogorovQ(c.x); math.Abs(got-c.q) > 1e-12*math.Max(1, c.q/1e-8) {
			t.Errorf("kolmogorovQ(%v) = %.17g, want %.17g (scipy kstwobign.sf)", c.x, got, c.q)
		}
	}
	u := make([]float64, 50)
	for i := range u {
		u[i] = math.Pow(math.Mod(float64(i+1)*0.6180339887498949, 1), 1.5)
	}
	d, p := ksUniform(u)
	if math.Abs(d-0.1633879137839388) > 1e-12 || math.Abs(p-0.13851918076502631) > 1e-9 {
		t.Errorf("ksUniform = (%.17g, %.17g), want (0.1633879137839388, 0.13851918076502631) (scipy kstest)", d, p)
	}
	// The unit-variance Student-t of MODEL-SPEC §2.6 as a gonum distribution.
	st := stdT(8)
	for _, c := range []struct{ z, f float64 }{
		{-3, 0.004258131685450639}, {-1, 0.14076846005536994}, {0, 0.5}, {0.5, 0.710208}, {2, 0.97513221844029907},
	} {
		if got := st.CDF(c.z); math.Abs(got-c.f) > 1e-9 {
			t.Errorf("standardized t_8 CDF(%v) = %.17g, want %.17g (scipy)", c.z, got, c.f)
		}
	}
	// Robust scale: {1,2,3,4,100} has median 3 and absolute deviations {2,1,0,1,97}, MAD 1.
	if m, r := median([]float64{4, 100, 1, 3, 2}), robustSD([]float64{1, 2, 3, 4, 100}); m != 3 || math.Abs(r-1.4826) > 1e-12 {
		t.Errorf("median %v, robustSD %v; want 3 and 1.4826", m, r)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even sample = %v, want 2.5", m)
	}
	// Moments: 1..5 has mean 3, variance 2.5, m4 = (16+1+0+1+16)/5 = 6.8.
	m := sampleMoments([]float64{1, 2, 3, 4, 5})
	if m.mean != 3 || m.variance != 2.5 || math.Abs(m.m4-6.8) > 1e-12 {
		t.Errorf("sampleMoments = %+v", m)
	}
}

// stdT is t_ν scaled to unit variance: z = T·√((ν−2)/ν) (MODEL-SPEC §2.6).
func stdT(nu float64) distuv.StudentsT {
	return distuv.StudentsT{Mu: 0, Sigma: math.Sqrt((nu - 2) / nu), Nu: nu}
}

// neutralUrnParams returns two identical providers "a" (initial share s1) and
// "b", m0 consumers of 1 Mtok/day each, and every force but the network
// effect switched off (MODEL-SPEC §6.2/§6.3): w_q = 0, price weight 0 with
// sigma 0, κ = 0, γ = 1, s_floor = 0, demand_sigma 0, ε = 0, no deferral,
// infinite depth, no costs (so no exits), no entry, no jumps. Growth and the
// review rate are the caller's.
func neutralUrnParams(m0 int, s1, growthPerYear, reviewRate float64) model.Params {
	p := model.DefaultV1() // the v1 urn: no outside option, fixed prices (v2 §B)
	p.Providers.Table = []model.ProviderSpec{
		{Name: "a", ListPriceUSDPerMtok: 1, Quality: 0.5, InitialShare: s1},
		{Name: "b", ListPriceUSDPerMtok: 1, Quality: 0.5, InitialShare: 1 - s1},
	}
	p.Centralization.Leader = "a"
	p.Providers.MarginalCostRatio = 0
	p.Providers.FixedCostRatio = 0
	p.Consumers.Count = m0
	p.Consumers.TotalDemandMtokPerDay = float64(m0) // 1 Mtok per consumer: volumes count consumers
	p.Consumers.DemandSigma = 0
	p.Consumers.PriceWeight = 0
	p.Consumers.PriceWeightSigma = 0
	p.Consumers.QualityWeight = 0
	p.Consumers.SwitchingCost = 0
	p.Consumers.PriceElasticity = 0
	p.Consumers.DeferVolStart = 1e6 // annualized volatility never gets there: no deferral
	p.Consumers.DeferVolFull = 2e6
	p.Consumers.GrowthPerYear = growthPerYear
	p.Consumers.ReviewRate = reviewRate
	p.Network.Effect = 1
	p.Network.ShareFloor = 0
	p.Entry.RatePerYear = 0
	p.Market.DepthUSD = math.Inf(1)
	p.Market.JumpRatePerYear = 0
	return p
}

// counts converts provider volumes (1 Mtok per consumer) to consumer counts,
// failing when a volume is not a whole number of consumers.
func counts(t *testing.T, rows map[string]model.ProviderStep, names ...string) []int {
	t.Helper()
	out := make([]int, len(names))
	for i, name := range names {
		row, ok := rows[name]
		if !ok {
			t.Fatalf("no provider row for %q", name)
		}
		v := row.VolumeMtok
		if math.Abs(v-math.Round(v)) > 1e-6*math.Max(1, v) {
			t.Fatalf("provider %s volume %v Mtok on day %d is not a whole number of 1-Mtok consumers "+
				"(demand_sigma 0, ε 0, no deferral)", name, v, row.Day)
		}
		out[i] = int(math.Round(v))
	}
	return out
}

// mustValidate fails the test when p is not a valid parameter set.
func mustValidate(t *testing.T, p *model.Params, s model.Schedule) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("check parameters do not validate: %v", err)
	}
	if err := model.ValidateSchedule(s, p); err != nil {
		t.Fatalf("check schedule does not validate: %v", err)
	}
}
