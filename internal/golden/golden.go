package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Update writes got to path (creating its directory) when -update is set
// and reports whether it did; a write error fails the test.
func Update(t testing.TB, path string, got []byte) bool {
	t.Helper()
	if !*update {
		return false
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, got, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}

// Read returns the golden file at path; a missing file fails the test with
// a hint to run with -update.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test -run '%s' -update` after checking the output to create it)", err, t.Name())
	}
	return want
}

// Check compares the text got with the golden file at path, or rewrites
// the file under -update. A difference is a test error showing both texts.
func Check(t testing.TB, path, got string) {
	t.Helper()
	if Update(t, path, []byte(got)) {
		return
	}
	if want := Read(t, path); got != string(want) {
		t.Errorf("%s differs from the golden file (rerun with -update if intended):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
