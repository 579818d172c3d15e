package reports

import (
	"bytes"
	"errors"
	"testing"
)

// TestEpisodeChart: a two-panel episode figure renders to a PNG and an SVG
// whose text carries the labels; mismatched or empty input is ErrNoData.
func TestEpisodeChart(t *testing.T) {
	day := []float64{88, 89, 90, 91, 92}
	pn := EpisodePanel{Title: "price", YLabel: "close (USD per CLT)", Day: day,
		P5: []float64{0.99, 0.99, 0.9, 0.95, 0.99}, P50: []float64{1, 1, 0.93, 0.97, 1}, P95: []float64{1, 1, 0.96, 0.99, 1},
		RealDay: []float64{89, 90, 91}, Real: []float64{1, 0.97, 0.99}}
	spec := EpisodeSpec{ID: "episode_test", Title: "test vs usdc", XLabel: "scenario day (day 90 = 2023-03-11)", RealLabel: "real usdc", Panels: []EpisodePanel{pn, pn}}
	fig, err := EpisodeChart(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(fig.PNG, []byte("\x89PNG")) {
		t.Error("PNG missing its signature")
	}
	for _, s := range []string{"close (USD per CLT)", "real usdc", "simulated median", "2023-03-11"} {
		if !bytes.Contains(fig.SVG, []byte(s)) {
			t.Errorf("SVG lacks %q", s)
		}
	}
	bad := pn
	bad.P95 = bad.P95[:2]
	if _, err := EpisodeChart(EpisodeSpec{ID: "x", Panels: []EpisodePanel{bad}}); !errors.Is(err, ErrNoData) {
		t.Errorf("mismatched slices: err = %v", err)
	}
	if _, err := EpisodeChart(EpisodeSpec{ID: "x"}); !errors.Is(err, ErrNoData) {
		t.Errorf("no panels: err = %v", err)
	}
}
