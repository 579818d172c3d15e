package pipeline

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
)

// collector records a run's day rows (copies).
type collector struct {
	steps []model.Step
	prov  []model.ProviderStep
}

func (c *collector) Step(s *model.Step)                 { c.steps = append(c.steps, *s) }
func (c *collector) ProviderStep(p *model.ProviderStep) { c.prov = append(c.prov, *p) }

// TestRealModel runs a small study on the real model with 1 and 3 workers,
// checks the bytes are identical, and that every row read back by arrow-go
// equals what model.Run returns for the same RunSpec.
func TestRealModel(t *testing.T) {
	s := testStudy(t, "horizon_days: 40\nreplicates: 3\nchunk_runs: 5\nparams: {consumers: {count: 300}}\n"+
		"outputs: {steps: true, provider_steps: true}\n")
	p1 := testPlan(t, s, 5)
	d1, d3 := t.TempDir(), t.TempDir()
	r1, err := Execute(context.Background(), p1, Options{Dir: d1, Workers: 1, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Failed != 0 {
		t.Fatalf("%d runs failed: %+v", r1.Failed, r1.Manifest.Failures)
	}
	if _, err := Execute(context.Background(), testPlan(t, s, 5), Options{Dir: d3, Workers: 3, ToolVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "real model -j3", dataFiles(t, d1), dataFiles(t, d3))

	runs := map[int64]map[string]any{}
	steps := map[[2]int64]map[string]any{}
	prov := map[string]int{}
	for _, fi := range r1.Manifest.Files {
		rows, _ := readArrow(t, filepath.Join(d1, filepath.FromSlash(fi.Path)))
		for _, r := range rows {
			switch fi.Table {
			case dataset.TableRuns:
				runs[r["run_id"].(int64)] = r
			case dataset.TableSteps:
				steps[[2]int64{r["run_id"].(int64), r["day"].(int64)}] = r
			case dataset.TableProviderSteps:
				prov[fi.Path]++
			}
		}
	}
	if int64(len(runs)) != p1.Runs() {
		t.Fatalf("%d runs read back, want %d", len(runs), p1.Runs())
	}
	for id := int64(0); id < p1.Runs(); id++ {
		spec := p1.Spec(id)
		var c collector
		sum, err := model.Run(&spec, &c)
		if err != nil {
			t.Fatal(err)
		}
		got := runs[id]
		want := structRow(sum)
		for k, v := range want {
			if !reflect.DeepEqual(got[k], v) {
				t.Fatalf("run %d column %s: read %v, model returned %v", id, k, got[k], v)
			}
		}
		if len(c.steps) == 0 {
			t.Fatalf("run %d recorded no steps", id)
		}
		cell, rep := p1.CellOf(id)
		for _, st := range c.steps {
			want := structRow(st)
			want["cell"], want["replicate"] = int64(cell), int64(rep)
			want["scenario"], want["policy"] = p1.Cells[cell].Scenario, p1.Cells[cell].Policy
			for _, sv := range p1.Cells[cell].Sweep {
				want[sv.Param] = sv.Value
			}
			if g := steps[[2]int64{id, st.Day}]; !reflect.DeepEqual(g, want) {
				t.Fatalf("run %d day %d:\n read %v\nmodel %v", id, st.Day, g, want)
			}
		}
	}
	if r1.Manifest.Rows[dataset.TableSteps] != int64(len(steps)) || r1.Manifest.Rows[dataset.TableProviderSteps] == 0 {
		t.Errorf("manifest rows %v, read %d steps", r1.Manifest.Rows, len(steps))
	}
}
