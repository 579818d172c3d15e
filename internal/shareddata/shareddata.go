package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared data directory: $TOKENSIM_DATA when set, else
// ../shared/data relative to the repository root (the directory holding
// go.mod), or ../../shared/data for a git worktree one level deeper. probe
// is a file below it that the caller needs (e.g. "prices/coin_Bitcoin.csv").
// When it is missing the test fails under CI=true and is skipped otherwise.
func Dir(t testing.TB, probe string) string {
	t.Helper()
	if d := os.Getenv("TOKENSIM_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shareddata: repository root (go.mod) not found")
		}
		dir = parent
	}
	var missing error
	for _, up := range []string{"..", filepath.Join("..", "..")} {
		data := filepath.Join(dir, up, "shared", "data")
		if _, err := os.Stat(filepath.Join(data, probe)); err == nil {
			return data
		} else if missing == nil {
			missing = err
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("shareddata: real data missing in CI: %v", missing)
	}
	t.Skipf("shareddata: real data not available: %v", missing)
	return ""
}
