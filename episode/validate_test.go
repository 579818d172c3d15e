package episode

import (
	"math"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestHoldersDefaultsAreFit: model.Default()'s holders.run_max and
// holders.flight_rate are FitHolders' output (rounded): depeg_backed's
// median lowest close of the first week is USDC's intraday low of
// 2023-03-11 and its median net redemptions of days 89→97 are USDC's of
// 2023-03-10..03-18. The targets are constants checked against usdc.csv.
func TestHoldersDefaultsAreFit(t *testing.T) {
	usdc := readSeries(t, "stablecoins/usdc.csv")
	if low := usdc.Low[usdc.Index("2023-03-11")]; low != USDCLow {
		t.Fatalf("usdc.csv low of 2023-03-11 is %v, USDCLow %v", low, USDCLow)
	}
	red := 1 - usdc.Supply[usdc.Index("2023-03-18")]/usdc.Supply[usdc.Index("2023-03-10")]
	if math.Abs(red-USDCRedeemedWeek) > 5e-5 {
		t.Fatalf("usdc.csv net redemptions 2023-03-10..03-18 = %.5f, USDCRedeemedWeek %v", red, USDCRedeemedWeek)
	}
	if testing.Short() {
		t.Skip("fits by simulation")
	}
	f, err := FitHolders(model.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fitted run_max %.4f, flight_rate %.4f in %d rounds", f.RunMaxRaw, f.FlightRaw, f.Rounds)
	h := model.Default().Holders
	if h.RunMax != f.RunMax || h.FlightRate != f.FlightRate {
		t.Errorf("model.Default() holders.run_max, flight_rate = %v, %v; the fit gives %v, %v", h.RunMax, h.FlightRate, f.RunMax, f.FlightRate)
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
