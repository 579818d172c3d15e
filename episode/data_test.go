package episode

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/internal/shareddata"
	"github.com/tokensim/tokensim/model"
)

// dataDir returns ../shared/data relative to the repository root (or
// $TOKENSIM_DATA when set: a git worktree sits elsewhere); in CI (CI=true)
// its absence is a failure, elsewhere the test is skipped.
func dataDir(t *testing.T) string {
	t.Helper()
	return shareddata.Dir(t, filepath.Join("stablecoins", "usdc.csv"))
}

func readSeries(t *testing.T, rel string) *Series {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadCSV(f, filepath.Base(rel))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEpisodeNumbers reads the shipped episode series and checks the figures
// their SOURCE.md states, and that depeg_algorithmic's β_0 is LUNA's market
// cap over UST's supply on the eve of the run.
func TestEpisodeNumbers(t *testing.T) {
	usdc := readSeries(t, "stablecoins/usdc.csv")
	i := usdc.Index("2023-03-11")
	if i < 0 || usdc.Low[i] != 0.8774 || usdc.Close[i] != 0.9715 {
		t.Errorf("USDC 2023-03-11: row %d low %v close %v", i, usdc.Low[i], usdc.Close[i])
	}
	a, b := usdc.Supply[usdc.Index("2023-03-08")], usdc.Supply[usdc.Index("2023-03-16")]
	if math.Abs(a-43.48e9) > 0.01e9 || math.Abs(b-36.88e9) > 0.01e9 {
		t.Errorf("USDC supply 03-08 %v, 03-16 %v", a, b)
	}
	ust := readSeries(t, "stablecoins/ust.csv")
	if c := ust.Close[ust.Index("2022-05-13")]; math.Abs(c-0.154) > 0.001 {
		t.Errorf("UST close 2022-05-13 %v", c)
	}
	luna := readSeries(t, "stablecoins/luna.csv")
	beta0 := AlgorithmicBacking(luna, ust, "2022-05-06")
	var want float64
	for _, o := range model.Scenarios()[model.ScenarioDepegAlgorithmic].Overrides {
		if o.Path == "reserve.backing_target" {
			want = o.Value.(float64)
		}
	}
	if math.Abs(beta0-want) > 0.005 {
		t.Errorf("LUNA market cap / UST supply on 2022-05-06 = %.4f; depeg_algorithmic has β_0 %v", beta0, want)
	}
}

// TestReadCSVErrors: errors name the file and line.
func TestReadCSVErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"date,open,high,low\n", `no "close" column`},
		{"date,open,high,low,close\n2020-01-02,1,1,1,1\n2020-01-01,1,1,1,1\n", "x.csv:3: date 2020-01-01 not after"},
		{"date,open,high,low,close\n2020-01-02,1,1,1,abc\n", "x.csv:2: close"},
		{"date,open,high,low,close\n", "no rows"},
	} {
		_, err := ReadCSV(strings.NewReader(c.src), "x.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.src, err, c.want)
		}
	}
}
