package pipeline

import (
	"errors"
	"strings"
	"testing"
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
	for _, k := range NonIdentityKeys {
		if strings.Contains(string(y), k+":") {
			t.Errorf("identity holds %s:\n%s", k, y)
		}
	}
	if !strings.Contains(string(y), "seed: 7") || !strings.Contains(string(y), "replicates: 10") {
		t.Errorf("identity lacks result-determining keys:\n%s", y)
	}
}
