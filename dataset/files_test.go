package dataset_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokensim/tokensim/dataset"
)

// TestSHA256Hex: the FIPS 180-2 appendix B.1 test vector.
func TestSHA256Hex(t *testing.T) {
	if got := dataset.SHA256Hex([]byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("SHA256Hex(abc) = %s", got)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, sum, err := dataset.HashFile(path); err != nil || n != 3 || sum != dataset.SHA256Hex([]byte("abc")) {
		t.Errorf("HashFile = %d, %s, %v", n, sum, err)
	}
}

// TestWriteAtomic: the file appears complete with mode 0644 whatever the
// umask; a failing writer leaves the previous file and no temporary file.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	if err := dataset.WriteJSONAtomic(path, map[string]any{"a": "<b>"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "{\n  \"a\": \"\\u003cb\\u003e\"\n}\n" {
		t.Errorf("WriteJSONAtomic wrote %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	boom := errors.New("boom")
	err := dataset.WriteAtomic(path, func(w *bufio.Writer) error {
		w.WriteString("partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the writer's error", err)
	}
	if now, _ := os.ReadFile(path); string(now) != string(got) {
		t.Errorf("a failed write changed the file to %q", now)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	b, err := dataset.MarshalJSON(map[string]string{"a": "<b>&"})
	if err != nil || string(b) != `{"a":"<b>&"}` {
		t.Errorf("MarshalJSON = %s, %v (want no HTML escaping, no newline)", b, err)
	}
}
