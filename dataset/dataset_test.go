package dataset_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/synthstudy"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// TestPartWriterRoundTrip: a committed part holds the rows written, its
// reported size and SHA-256 are the file's, and it carries the study's
// key-value metadata; nothing is visible under the final name before Commit.
func TestPartWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	key := "steps/scenario=a/policy=b/" + dataset.PartName(3)
	path := filepath.Join(dir, filepath.FromSlash(key))
	meta := dataset.FileMeta{ConfigHash: "cafe", Seed: 9, ToolVersion: "v-test", Study: "s"}
	p, err := dataset.CreatePart[model.Step](context.Background(), storage.NewDir(dir), key, dataset.TableSteps, meta)
	if err != nil {
		t.Fatal(err)
	}
	rows := []model.Step{{RunID: 1, Day: 0, Price: 1}, {RunID: 1, Day: 1, Price: 1.01}, {RunID: 2, Day: 0, Price: 0.99}}
	if err := p.Write(rows); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("final file visible before Commit: %v", err)
	}
	n, sum, err := p.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if fn, fsum, err := dataset.HashFile(path); err != nil || fn != n || fsum != sum || p.Rows() != 3 || p.Table() != dataset.TableSteps {
		t.Errorf("Commit reported %d bytes %s; file has %d bytes %s (%v); rows %d", n, sum, fn, fsum, err, p.Rows())
	}
	got, err := parquet.ReadFile[model.Step](path)
	if err != nil || !slices.Equal(got, rows) {
		t.Errorf("read back %v, %v; want %v", got, err, rows)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{dataset.MetaSchemaVersion: strconv.Itoa(dataset.SchemaVersion), dataset.MetaTable: dataset.TableSteps,
		dataset.MetaConfigHash: "cafe", dataset.MetaSeed: "9", dataset.MetaStudy: "s", dataset.MetaToolVersion: "v-test"} {
		if v, _ := pf.Lookup(k); v != want {
			t.Errorf("metadata %s = %q, want %q", k, v, want)
		}
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// TestPartWriterAbort: an aborted part leaves no file behind.
func TestPartWriterAbort(t *testing.T) {
	dir := t.TempDir()
	p, err := dataset.CreatePart[model.Step](context.Background(), storage.NewDir(dir), dataset.PartName(0), dataset.TableSteps, dataset.FileMeta{})
	if err != nil {
		t.Fatal(err)
	}
	p.Write([]model.Step{{RunID: 1}})
	p.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left after Abort: %v", ents)
	}
}

// TestRunsTable: the runs schema is the key columns, every model.Summary
// column, then the sweep columns; a sweep column that collides with a runs
// column wraps ErrSchema.
func TestRunsTable(t *testing.T) {
	rt, err := dataset.NewRunsTable([]string{"fund.band"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range rt.Schema().Fields() {
		names = append(names, f.Name())
	}
	if !slices.Equal(names[:6], []string{"run_id", "cell", "scenario", "policy", "replicate", "seed"}) ||
		names[len(names)-1] != "fund.band" || !slices.Contains(names, "peg_mad") || !slices.Contains(names, "consumer_days") {
		t.Errorf("runs columns %v", names)
	}
	if _, err := dataset.NewRunsTable([]string{"peg_mad"}); !errors.Is(err, dataset.ErrSchema) {
		t.Errorf("colliding sweep column: err = %v, want ErrSchema", err)
	}
}

// TestReadManifest: missing or without schema_version → ErrNotStudy; not
// a manifest's JSON → ErrCorrupt; another schema version → ErrSchema;
// a written manifest reads back equal.
func TestReadManifest(t *testing.T) {
	dir := t.TempDir()
	if _, err := dataset.ReadManifest(dir); !errors.Is(err, dataset.ErrNotStudy) {
		t.Errorf("no manifest: err = %v, want ErrNotStudy", err)
	}
	l := dataset.Layout{Dir: dir}
	for content, want := range map[string]error{"{runs: 3": dataset.ErrCorrupt, `{"study": "x"}`: dataset.ErrNotStudy,
		fmt.Sprintf(`{"schema_version": %d, "seed": "x"}`, dataset.SchemaVersion): dataset.ErrCorrupt} {
		if err := os.WriteFile(l.Manifest(), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := dataset.ReadManifest(dir); !errors.Is(err, want) {
			t.Errorf("manifest %q: err = %v, want %v", content, err, want)
		}
	}
	for _, other := range []int{dataset.SchemaVersion - 1, dataset.SchemaVersion + 1} {
		m := dataset.Manifest{SchemaVersion: other, Study: "x"}
		if err := dataset.WriteJSONAtomic(l.Manifest(), m); err != nil {
			t.Fatal(err)
		}
		if _, err := dataset.ReadManifest(dir); !errors.Is(err, dataset.ErrSchema) {
			t.Errorf("schema %d: err = %v, want ErrSchema", other, err)
		}
	}
	m := dataset.Manifest{SchemaVersion: dataset.SchemaVersion, Study: "x", Seed: 3, Rows: map[string]int64{dataset.TableRuns: 5},
		Cells: []dataset.CellInfo{{Index: 0, Scenario: "a", Policy: "b", Sweep: []dataset.SweepValue{{Param: "p.q", Value: 0.5}}}}}
	if err := dataset.WriteJSONAtomic(l.Manifest(), m); err != nil {
		t.Fatal(err)
	}
	got, err := dataset.ReadManifest(dir)
	if err != nil || got.Seed != 3 || got.Rows[dataset.TableRuns] != 5 || got.Cells[0].Sweep[0] != m.Cells[0].Sweep[0] {
		t.Errorf("read back %+v, %v", got, err)
	}
}

// TestReadSynthetic reads a synthetic study (internal/synthstudy, whose
// values follow known formulas): every run, the catalogued metrics in
// catalogue order, −1 as missing for the "never" metrics, and every steps
// row, whose count matches the manifest's.
func TestReadSynthetic(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"}, Replicates: 5, Horizon: 4, Steps: true, ChunkRuns: 3, Seed: 11}
	synthstudy.Write(t, dir, s)
	ds, err := dataset.OpenDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := ds.ReadRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rt.Len() != 10 || len(ds.RunsFiles) != 4 {
		t.Fatalf("%d runs in %d files, want 10 in 4", rt.Len(), len(ds.RunsFiles))
	}
	cat := model.CatalogueOf(model.TableRuns)
	for i, m := range rt.Metrics {
		if i >= len(cat) || m.Name != cat[i].Name {
			t.Fatalf("metric %d is %s, want the catalogue order", i, m.Name)
		}
	}
	for r := range rt.Len() {
		c := s.Cells()[rt.Cell[r]]
		want := synthstudy.Summary(c, rt.Replicate[r], s.Seed)
		if got := rt.Values[rt.MetricIndex("peg_mad")][r]; got != want.PegMAD {
			t.Errorf("run %d peg_mad %v, want %v", rt.RunID[r], got, want.PegMAD)
		}
		// Null (no fund, or never) is NaN; a day is read as written.
		got := rt.Values[rt.MetricIndex("fund_depleted_day")][r]
		if (want.FundDepletedDay == nil) != math.IsNaN(got) || want.FundDepletedDay != nil && float64(*want.FundDepletedDay) != got {
			t.Errorf("run %d fund_depleted_day %v read as %v", rt.RunID[r], want.FundDepletedDay, got)
		}
	}
	var rows int64
	for _, part := range ds.Steps {
		for _, f := range part.Files {
			err := ds.ReadStepsColumns(context.Background(), f, []string{"price"}, func(runID, day []int64, v [][]float64) error {
				rows += int64(len(runID))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if rows != ds.Manifest.Rows[dataset.TableSteps] || rows == 0 {
		t.Errorf("%d steps rows read, manifest says %d", rows, ds.Manifest.Rows[dataset.TableSteps])
	}
	if err := ds.ReadStepsColumns(context.Background(), ds.Steps[0].Files[0], []string{"no_such"}, nil); !errors.Is(err, dataset.ErrSchema) {
		t.Errorf("missing column: err = %v, want ErrSchema", err)
	}
}
