package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/study"
)

// TestIdentityIgnoresBudgetAndRoot (issue 16 item 8): changing only
// disk_budget_gb or output_root resumes the study; changing a key that
// determines results is still "a different study".
func TestIdentityIgnoresBudgetAndRoot(t *testing.T) {
	dir := t.TempDir()
	f := &fakeModel{}
	if _, err := execFake(t, testPlan(t, testStudy(t, ""), 8), dir, f, nil); err != nil {
		t.Fatal(err)
	}
	before := dataFiles(t, dir)
	res, err := execFake(t, testPlan(t, testStudy(t, "disk_budget_gb: 7\noutput_root: elsewhere\n"), 8), dir, f, nil)
	if err != nil {
		t.Fatalf("changed budget and root: %v", err)
	}
	if res.Resumed != 40 || res.Done != 0 {
		t.Errorf("resumed %d, done %d; want every run resumed", res.Resumed, res.Done)
	}
	if after := dataFiles(t, dir); len(after) != len(before) {
		t.Errorf("files changed: %d → %d", len(before), len(after))
	}
	_, err = execFake(t, testPlan(t, testStudy(t, "seed: 8\n"), 8), dir, f, nil)
	if !errors.Is(err, ErrConfigChanged) {
		t.Errorf("changed seed: %v, want ErrConfigChanged", err)
	}
	y, err := testStudy(t, "disk_budget_gb: 7\noutput_root: elsewhere\n").IdentityYAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range study.NonIdentityKeys {
		if strings.Contains(string(y), k+":") {
			t.Errorf("identity holds %s:\n%s", k, y)
		}
	}
	if !strings.Contains(string(y), "seed: 7") || !strings.Contains(string(y), "replicates: 10") {
		t.Errorf("identity lacks result-determining keys:\n%s", y)
	}
}

// TestManifestRebuilt (issue 16 item 10): a corrupted manifest.json is
// rebuilt from the shard progress records by the next execution instead of
// making the directory unusable; without progress records it is refused.
func TestManifestRebuilt(t *testing.T) {
	dir := t.TempDir()
	f := &fakeModel{}
	p := testPlan(t, testStudy(t, ""), 8)
	if _, err := execFake(t, p, dir, f, nil); err != nil {
		t.Fatal(err)
	}
	want, err := dataset.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, garbage := range []string{"{\"schema_version\": 1, \"files\": [", "", "\x00\x01 not json"} {
		if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), []byte(garbage), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := execFake(t, p, dir, f, nil)
		if err != nil {
			t.Fatalf("manifest %q: %v", garbage, err)
		}
		if res.Done != 0 || res.Resumed != 40 {
			t.Errorf("manifest %q: done %d, resumed %d; want nothing rerun", garbage, res.Done, res.Resumed)
		}
		got, err := dataset.ReadManifest(dir)
		if err != nil {
			t.Fatalf("manifest %q not rebuilt: %v", garbage, err)
		}
		if !reflect.DeepEqual(got.Files, want.Files) || got.State != dataset.StateComplete || got.RunsDone != want.RunsDone || got.ConfigHash != want.ConfigHash {
			t.Errorf("manifest %q rebuilt differently", garbage)
		}
	}
	// A manifest of another schema version is not ours to rewrite.
	if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), []byte(`{"schema_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := execFake(t, p, dir, f, nil); !errors.Is(err, ErrConfigChanged) {
		t.Errorf("manifest of schema version 99: %v, want ErrConfigChanged", err)
	}
	// No progress records: nothing to rebuild from.
	other := t.TempDir()
	if err := os.MkdirAll(filepath.Join(other, "runs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, dataset.ManifestFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := execFake(t, p, other, f, nil); !errors.Is(err, ErrConfigChanged) {
		t.Errorf("corrupt manifest without progress records: %v, want ErrConfigChanged", err)
	}
}
