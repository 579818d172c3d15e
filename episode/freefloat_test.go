package episode

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tokensim/tokensim/model"
	"gonum.org/v1/gonum/stat/distuv"
)

func btcReturns(t *testing.T) []float64 {
	t.Helper()
	btc := readSeries(t, "prices/coin_Bitcoin.csv")
	w, err := btc.Window(BTCFrom, BTCTo)
	if err != nil {
		t.Fatal(err)
	}
	return w.LogReturns()
}

// TestFlowScaleDefaultIsFit: model.Default()'s holders.flow_scale is the
// output of FitFlowScale on BTC's daily log-return sd (rounded to 2
// decimals): the free float (reserve none, no arbitrage) reproduces it.
func TestFlowScaleDefaultIsFit(t *testing.T) {
	if testing.Short() {
		t.Skip("fits by simulation (~10 s)")
	}
	r := btcReturns(t)
	sd := MomentsOf(r, 1).SD
	phi, err := FitFlowScale(model.Default(), model.RegimeVolatile, sd, len(r), FreeFloatPaths, FreeFloatSeed, FlowScaleLo, FlowScaleHi)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BTC %s..%s: sd %.4f/day; fitted flow_scale %.4f", BTCFrom, BTCTo, sd, phi)
	if got := model.Default().Holders.FlowScale; got != RoundFlowScale(phi) {
		t.Errorf("model.Default() holders.flow_scale = %v, the fit gives %v (%.4f)", got, RoundFlowScale(phi), phi)
	}
}

// TestFreeFloatBand (MODEL-SPEC-v2 §A.5, docs/model.md §A.11): the free
// float's median daily log-return sd over 20 paths of BTC's length lies
// inside BTC's 90% moving-block-bootstrap band (what flow_scale is fitted
// to), and BTC's own statistics lie inside their band. Then like with like:
// BTC's sd, sample excess kurtosis and ACF of squared returns at lags 1–10
// lie inside the model's own 90% finite-sample band (SimulatedBand over
// FreeFloatBandPaths paths of BTC's length). The median comparison with the
// moving-block band is reported, not asserted, for the excess kurtosis and
// the ACF: with ν < 4 the moving-block bootstrap of a sample kurtosis is not
// a valid band (the fourth moment is infinite) and the model's sample
// kurtosis is not concentrated around its median. Moors' octile kurtosis,
// defined for every ν, is reported: BTC's lies above the model's band (the
// model's returns are less peaked than BTC's; §A.11 says why).
func TestFreeFloatBand(t *testing.T) {
	r := btcReturns(t)
	band, err := MovingBlockBand(r, BandBlockDays, BandResamples, BandLags, BandLevel, rand.New(rand.NewPCG(FreeFloatSeed, 2)))
	if err != nil {
		t.Fatal(err)
	}
	real := CheckBand(MomentsOf(r, BandLags), band)
	if !real.SDIn || !real.KurtIn {
		t.Errorf("BTC's own sd %v / kurtosis %v outside its band %v / %v", real.Sim.SD, real.Sim.ExKurtosis, band.SD, band.ExKurtosis)
	}
	p, s := FreeFloat(model.Default(), model.RegimeVolatile)
	series, err := Simulate(p, s, len(r), FreeFloatBandPaths, FreeFloatSeed)
	if err != nil {
		t.Fatal(err)
	}
	c := CheckBand(MedianMoments(series[:FreeFloatPaths], BandLags), band)
	t.Logf("BTC: sd %.4f, excess kurtosis %.1f, Moors %.3f, ACF(r²) %.3f", real.Sim.SD, real.Sim.ExKurtosis, real.Sim.Moors, real.Sim.ACF2)
	t.Logf("BTC moving-block band: sd %.4f, excess kurtosis %.1f, Moors %.3f, ACF(r²) %.3f", band.SD, band.ExKurtosis, band.Moors, band.ACF2)
	t.Logf("free float (median of %d paths): sd %.4f (in %v), excess kurtosis %.1f (in %v), Moors %.3f (in %v), ACF(r²) %.3f (in %v)",
		FreeFloatPaths, c.Sim.SD, c.SDIn, c.Sim.ExKurtosis, c.KurtIn, c.Sim.Moors, c.MoorsIn, c.Sim.ACF2, c.ACF2In)
	if !c.SDIn {
		t.Errorf("free-float sd %v outside BTC's band %v", c.Sim.SD, band.SD)
	}
	sim, err := SimulatedBand(series, BandLags, BandLevel)
	if err != nil {
		t.Fatal(err)
	}
	in := CheckBand(real.Sim, sim)
	t.Logf("model's 90%% band (%d paths of %d days): sd %.4f, excess kurtosis %.1f, Moors %.3f, ACF(r²) %.3f",
		FreeFloatBandPaths, len(r), sim.SD, sim.ExKurtosis, sim.Moors, sim.ACF2)
	t.Logf("BTC inside it: sd %v, excess kurtosis %v, Moors %v, ACF(r²) %v", in.SDIn, in.KurtIn, in.MoorsIn, in.ACF2In)
	if !in.SDIn || !in.KurtIn {
		t.Errorf("BTC's sd %v / excess kurtosis %v outside the model's band %v / %v", real.Sim.SD, real.Sim.ExKurtosis, sim.SD, sim.ExKurtosis)
	}
	for k, ok := range in.ACF2In {
		if !ok {
			t.Errorf("BTC's ACF(r²) at lag %d = %.3f outside the model's band %.3f", k+1, real.Sim.ACF2[k], sim.ACF2[k])
		}
	}
}

// TestMoorsKurtosis: Moors' octile kurtosis of large samples equals its
// closed form from the quantile function (gonum distuv, independent of the
// estimator): 1 for a uniform (E_i = i/8), 1.2331 for a normal, and
// ((q7 − q5) + (q3 − q1))/(q6 − q2) for a Student-t with ν = 3; tolerance 0.02
// (about 4 SE at n = 200,000).
func TestMoorsKurtosis(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 200000
	closed := func(q func(float64) float64) float64 {
		e := func(i int) float64 { return q(float64(i) / 8) }
		return ((e(7) - e(5)) + (e(3) - e(1))) / (e(6) - e(2))
	}
	nrm := distuv.Normal{Mu: 0, Sigma: 1}
	st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 3}
	for _, c := range []struct {
		name string
		draw func() float64
		want float64
	}{
		{"uniform", rng.Float64, 1},
		{"normal", rng.NormFloat64, closed(nrm.Quantile)},
		{"t3", func() float64 { return st.Quantile(rng.Float64()) }, closed(st.Quantile)},
	} {
		x := make([]float64, n)
		for i := range x {
			x[i] = c.draw()
		}
		if got := MoorsKurtosis(x); math.Abs(got-c.want) > 0.02 {
			t.Errorf("%s: Moors kurtosis %v, closed form %v", c.name, got, c.want)
		}
	}
	if math.Abs(closed(nrm.Quantile)-MoorsNormal) > 1e-4 {
		t.Errorf("MoorsNormal %v, closed form %v", MoorsNormal, closed(nrm.Quantile))
	}
	if !math.IsNaN(MoorsKurtosis([]float64{1, 2, 3})) {
		t.Error("Moors kurtosis of 3 values is not NaN")
	}
}

// TestSimulatedBandNormal: over 200 iid N(0, 1) series of 1,000 values the
// 90% band of the sd is about 1 ± 1.645/√(2n) and that of the excess
// kurtosis about 0 ± 1.645·√(24/n) (normal theory; 30% tolerance on the
// half-widths), and fewer than 10 series are refused.
func TestSimulatedBandNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	n, b := 1000, 200
	series := make([][]float64, b)
	for i := range series {
		series[i] = make([]float64, n)
		for j := range series[i] {
			series[i][j] = rng.NormFloat64()
		}
	}
	band, err := SimulatedBand(series, 3, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, e [2]float64, centre, half float64) {
		if got := (e[1] - e[0]) / 2; math.Abs(got/half-1) > 0.3 || math.Abs((e[0]+e[1])/2-centre) > 0.3*half {
			t.Errorf("%s band %v, normal theory %v ± %v", name, e, centre, half)
		}
	}
	check("sd", band.SD, 1, 1.645/math.Sqrt(2*float64(n)))
	check("excess kurtosis", band.ExKurtosis, 0, 1.645*math.Sqrt(24/float64(n)))
	if _, err := SimulatedBand(series[:5], 3, 0.9); err == nil {
		t.Error("5 series accepted")
	}
}

// TestMovingBlockBandNormal: for iid N(0, 1) returns the 90% band of the sd
// contains 1 and has about the width of the normal theory interval
// 2 × 1.645/√(2n); the ACF bands contain 0.
func TestMovingBlockBandNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 4000
	r := make([]float64, n)
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	b, err := MovingBlockBand(r, 20, 1000, 5, 0.9, rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	if !(b.SD[0] < 1 && b.SD[1] > 1) {
		t.Errorf("sd band %v misses 1", b.SD)
	}
	want := 2 * 1.645 / math.Sqrt(2*float64(n))
	if w := b.SD[1] - b.SD[0]; math.Abs(w/want-1) > 0.3 {
		t.Errorf("sd band width %v, normal theory %v", w, want)
	}
	for k, e := range b.ACF2 {
		if !(e[0] < 0.01 && e[1] > -0.01) {
			t.Errorf("ACF(r²) lag %d band %v far from 0", k+1, e)
		}
	}
	if _, err := MovingBlockBand(r, 0, 100, 5, 0.9, rng); err == nil {
		t.Error("block 0 accepted")
	}
}

// TestACFAlternating: x = 1, −1, 1, … has lag-k autocorrelation (−1)^k (n−k)/n.
func TestACFAlternating(t *testing.T) {
	n := 100
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 - 2*float64(i%2)
	}
	for k, a := range ACF(x, 4) {
		lag := k + 1
		want := math.Pow(-1, float64(lag)) * float64(n-lag) / float64(n)
		if math.Abs(a-want) > 1e-12 {
			t.Errorf("lag %d: %v, want %v", lag, a, want)
		}
	}
}
