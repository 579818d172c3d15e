package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// FuzzParseStudy: any bytes are a study or an error wrapping ErrStudy, never
// a panic; an accepted study's identity parses back to the same identity.
// Seeds: testdata/fuzz/FuzzParseStudy (the shipped configs and the inputs of
// issue 16).
func FuzzParseStudy(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStudy("f.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrStudy) && !errors.Is(err, ErrSensitivity) {
				t.Fatalf("error not wrapping ErrStudy: %v", err)
			}
			return
		}
		y, err := s.IdentityYAML()
		if err != nil {
			t.Fatalf("identity of an accepted study: %v", err)
		}
		s2, err := ParseStudy("identity.yaml", y)
		if err != nil {
			t.Fatalf("identity does not parse back: %v\n%s", err, y)
		}
		y2, _ := s2.IdentityYAML()
		if string(y) != string(y2) {
			t.Fatalf("identity does not round-trip:\n%s\n---\n%s", y, y2)
		}
	})
}

// FuzzParamPath: any dotted path and value are set, read back, swept or
// refused with an error — never a panic (model.SetParam, model.GetParam and
// a study's params: and sweeps: blocks).
func FuzzParamPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, path string, v float64) {
		p := model.Default()
		if err := model.SetParam(&p, path, v); err == nil {
			if _, err := model.GetParam(&p, path); err != nil {
				t.Fatalf("set %s but cannot get it: %v", path, err)
			}
		}
		q := strconv.Quote(path)
		num := strconv.FormatFloat(v, 'g', -1, 64)
		for _, src := range []string{
			"name: x\nparams: {" + q + ": " + num + "}\n",
			"name: x\nsweeps: [{param: " + q + ", values: [" + num + "]}]\n",
		} {
			if _, err := ParseStudy("f.yaml", []byte(src)); err != nil && !errors.Is(err, ErrStudy) {
				t.Fatalf("%q: error not wrapping ErrStudy: %v", src, err)
			}
		}
	})
}

var (
	progressRefOnce sync.Once
	progressRef     map[string][]byte // files of a completed study
	progressRefErr  error
)

// FuzzProgressRecords: a study directory whose manifest.json and shard
// progress record hold arbitrary bytes is resumed (rebuilding what it can)
// or refused with an error, never a panic; when the execution succeeds the
// data files are the uninterrupted run's.
func FuzzProgressRecords(f *testing.F) {
	f.Fuzz(func(t *testing.T, manifest, shard []byte) {
		progressRefOnce.Do(func() {
			dir, err := os.MkdirTemp("", "fuzz-progress-")
			if err != nil {
				progressRefErr = err
				return
			}
			defer os.RemoveAll(dir)
			_, progressRefErr = execFake(t, fuzzPlan(t), dir, &fakeModel{}, nil)
			progressRef = readTree(t, dir)
		})
		if progressRefErr != nil {
			t.Fatal(progressRefErr)
		}
		_, _ = readManifestBytes(manifest) // decoding alone must not panic
		dir := t.TempDir()
		for p, b := range progressRef {
			full := filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), manifest, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "shards", "shard-1-of-1.json"), shard, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := execFake(t, fuzzPlan(t), dir, &fakeModel{}, nil); err != nil {
			return
		}
		got := dataFiles(t, dir)
		for p, b := range dataFiles(t, treeDir(t, progressRef)) {
			if string(got[p]) != string(b) {
				t.Fatalf("%s differs after resuming from the fuzzed records", p)
			}
		}
		if _, err := ReadManifest(dir); err != nil {
			t.Fatalf("successful execution left an unreadable manifest: %v", err)
		}
	})
}

func fuzzPlan(t testing.TB) *Plan {
	return testPlan(t, testStudy(t, "replicates: 4\n"), 4)
}

// readManifestBytes decodes manifest bytes as ReadManifest does.
func readManifestBytes(b []byte) (*Manifest, error) {
	dir, err := os.MkdirTemp("", "fuzz-manifest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
		return nil, err
	}
	return ReadManifest(dir)
}

// readTree returns every regular file under dir by relative path.
func readTree(t testing.TB, dir string) map[string][]byte {
	out := map[string][]byte{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return nil
	})
	return out
}

// treeDir writes files into a new temporary directory.
func treeDir(t *testing.T, files map[string][]byte) string {
	dir := t.TempDir()
	for p, b := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
