package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/episode"
	"github.com/tokensim/tokensim/internal/shareddata"
)

// episodeData returns the shipped data directory (shareddata.Dir: $TOKENSIM_DATA
// or the repository's ../shared/data; skipped when absent, fatal in CI).
func episodeData(t *testing.T) string {
	t.Helper()
	return shareddata.Dir(t, filepath.Join("prices", "coin_Bitcoin.csv"))
}

// TestValidateEpisodes: `tokensim validate-episodes` on the shipped data
// writes the JSON, the markdown table (also printed) and a PNG and an SVG
// per episode; the JSON's checks are the table's rows; bad flags are usage
// errors and a directory without data is an error naming the file.
func TestValidateEpisodes(t *testing.T) {
	data := episodeData(t)
	out := t.TempDir()
	var stdout bytes.Buffer
	err := cmdValidateEpisodes(context.Background(), []string{"-data", data, "-out", out, "-reps", "20", "-consumers", "50"}, &stdout, &bytes.Buffer{})
	if err != nil && !strings.Contains(err.Error(), "check(s) fail") {
		t.Fatal(err)
	}
	md, rerr := os.ReadFile(filepath.Join(out, "episodes.md"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	if stdout.String() != string(md) {
		t.Error("printed table differs from episodes.md")
	}
	var res []episode.EpisodeResult
	raw, rerr := os.ReadFile(filepath.Join(out, "episodes.json"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	rows, fails := 0, 0
	for _, r := range res {
		rows += len(r.Checks)
		for _, c := range r.Checks {
			if !c.Pass {
				fails++
			}
		}
		for _, ext := range []string{".png", ".svg"} {
			if fi, err := os.Stat(filepath.Join(out, "figures", "episode_"+r.Scenario+ext)); err != nil || fi.Size() == 0 {
				t.Errorf("figure %s%s: %v", r.Scenario, ext, err)
			}
		}
	}
	if len(res) != 2 || strings.Count(string(md), "\n") != rows+2 {
		t.Errorf("%d episodes, %d checks; table of %d lines", len(res), rows, strings.Count(string(md), "\n"))
	}
	if (fails > 0) != (err != nil) {
		t.Errorf("%d failing checks but error %v", fails, err)
	}
	for _, args := range [][]string{{"-reps", "1"}, {"-bogus"}, {"extra"}} {
		if err := cmdValidateEpisodes(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
	err = cmdValidateEpisodes(context.Background(), []string{"-data", t.TempDir(), "-out", t.TempDir()}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "usdc.csv") {
		t.Errorf("missing data: err = %v", err)
	}
}
