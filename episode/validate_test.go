package episode

import (
	"math"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestMarketDefaultsAreFit: model.Default()'s holders.run_max,
// holders.flight_rate, holders.flight_decay, arbitrage.capacity_usd_per_day
// and reserve.sister_depth_usd are FitMarket's output (rounded), with
// Circle's zero mint and redeem fees: depeg_backed's medians reproduce
// USDC's intraday low of 2023-03-11, its net redemptions of 03-10..03-18
// and 03-18..03-25 and its close of 03-13; depeg_algorithmic's reproduces
// UST's mean log backing ratio of 05-07..05-13. The targets are constants
// recomputed here from usdc.csv, ust.csv and luna.csv.
func TestMarketDefaultsAreFit(t *testing.T) {
	usdc := readSeries(t, "stablecoins/usdc.csv")
	if low := usdc.Low[usdc.Index("2023-03-11")]; low != USDCLow {
		t.Fatalf("usdc.csv low of 2023-03-11 is %v, USDCLow %v", low, USDCLow)
	}
	supply := func(d string) float64 { return usdc.Supply[usdc.Index(d)] }
	if red := 1 - supply("2023-03-18")/supply("2023-03-10"); math.Abs(red-USDCRedeemedWeek) > 5e-5 {
		t.Fatalf("usdc.csv net redemptions 2023-03-10..03-18 = %.5f, USDCRedeemedWeek %v", red, USDCRedeemedWeek)
	}
	if red := 1 - supply("2023-03-25")/supply("2023-03-18"); math.Abs(red-USDCRedeemedWeek2) > 5e-5 {
		t.Fatalf("usdc.csv net redemptions 2023-03-18..03-25 = %.5f, USDCRedeemedWeek2 %v", red, USDCRedeemedWeek2)
	}
	if c := usdc.Close[usdc.Index("2023-03-13")]; math.Abs(c-USDCBackstopClose) > 5e-5 {
		t.Fatalf("usdc.csv close of 2023-03-13 = %.5f, USDCBackstopClose %v", c, USDCBackstopClose)
	}
	ust, luna := readSeries(t, "stablecoins/ust.csv"), readSeries(t, "stablecoins/luna.csv")
	lb := 0.0
	for _, d := range []string{"2022-05-07", "2022-05-08", "2022-05-09", "2022-05-10", "2022-05-11", "2022-05-12", "2022-05-13"} {
		lb += math.Log(AlgorithmicBacking(luna, ust, d)) / 7
	}
	if math.Abs(lb-USTLogBackingWeek) > 5e-4 {
		t.Fatalf("mean ln(LUNA market cap / UST supply) 2022-05-07..13 = %.4f, USTLogBackingWeek %v", lb, USTLogBackingWeek)
	}
	if testing.Short() {
		t.Skip("fits by simulation (~10 s)")
	}
	d := model.Default()
	if d.Reserve.MintFee != 0 || d.Reserve.RedeemFee != 0 {
		t.Errorf("model.Default() fees %v, %v: Circle's published mint and redeem fees are 0", d.Reserve.MintFee, d.Reserve.RedeemFee)
	}
	f, err := FitMarket(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fit in %d rounds: %+v; depeg_backed at the fit %+v; depeg_algorithmic mean ln β %.3f", f.Rounds, f.Raw, f.Backed, f.LogBacking)
	got := [5]float64{d.Holders.RunMax, d.Holders.FlightRate, d.Holders.FlightDecay, d.Arbitrage.CapacityUSDPerDay, d.Reserve.SisterDepthUSD}
	want := [5]float64{f.RunMax, f.FlightRate, f.FlightDecay, f.CapacityUSD, f.SisterDepthUSD}
	if got != want {
		t.Errorf("model.Default() run_max, flight_rate, flight_decay, capacity_usd_per_day, sister_depth_usd = %v; the fit gives %v", got, want)
	}
	// The fit reproduces its targets (tolerances: the rounding of the
	// parameters and the bisection's width).
	for _, c := range []struct {
		name           string
		got, want, tol float64
	}{
		{"lowest close", f.Backed.Low, USDCLow, 0.005},
		{"week-1 redemptions", f.Backed.RedeemedWeek1, USDCRedeemedWeek, 0.005},
		{"week-2 redemptions", f.Backed.RedeemedWeek2, USDCRedeemedWeek2, 0.005},
		{"backstop close", f.Backed.BackstopClose, USDCBackstopClose, 0.001},
		{"mean ln β", f.LogBacking, USTLogBackingWeek, 0.05},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s at the fit %v, target %v (tolerance %v)", c.name, c.got, c.want, c.tol)
		}
	}
}

// TestPathStatistics checks MinClose, DaysToPeg, SupplyChange and Quantile
// on a hand-made path.
func TestPathStatistics(t *testing.T) {
	p := Path{Price: []float64{1, 0.99, 0.9, 0.8, 0.97, 0.999, 1.0}, Supply: []float64{100, 100, 95, 90, 88, 88, 88}}
	if m := p.MinClose(1, 4); m != 0.8 {
		t.Errorf("MinClose = %v", m)
	}
	if d := p.DaysToPeg(3, 1, 0.005); d != 2 {
		t.Errorf("DaysToPeg = %d, want 2", d)
	}
	if d := p.DaysToPeg(3, 1, 1e-9); d != 3 {
		t.Errorf("DaysToPeg exact = %d, want 3", d)
	}
	if c := p.SupplyChange(1, 4); math.Abs(c+0.12) > 1e-12 {
		t.Errorf("SupplyChange = %v", c)
	}
	if q := Quantile([]float64{3, 1, 2, 4}, 0.5); q != 2.5 {
		t.Errorf("median = %v", q)
	}
}

// TestSimulateScenarioPaths: paths start at the peg and supply.initial_clt
// and have horizon+1 points; unknown names are errors.
func TestSimulateScenarioPaths(t *testing.T) {
	paths, err := SimulateScenario(model.Default(), model.ScenarioDepegBacked, model.PolicyNone, 100, 30, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := model.Default()
	for _, x := range paths {
		if len(x.Price) != 31 || x.Price[0] != p.Market.Peg || x.Supply[0] != p.Supply.InitialCLT {
			t.Errorf("path of %d points starting at %v, %v", len(x.Price), x.Price[0], x.Supply[0])
		}
		if x.Supply[30] != x.Summary.SupplyFinalCLT {
			t.Errorf("last supply %v ≠ summary %v", x.Supply[30], x.Summary.SupplyFinalCLT)
		}
	}
	if _, err := SimulateScenario(model.Default(), "nope", model.PolicyNone, 10, 5, 1, 1); err == nil {
		t.Error("unknown scenario accepted")
	}
}
