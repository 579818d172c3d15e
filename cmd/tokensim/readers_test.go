package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

// readersStudy is a small study with a sweep, provider_steps, a scenario
// with a shock inside the horizon (volatility: days 90–92) and policies with
// and without each lever; -short makes it smaller (make test runs this
// package under the race detector).
func readersStudy() string {
	reps, days, consumers := 4, 150, 300
	if testing.Short() {
		reps, days, consumers = 2, 100, 100
	}
	return fmt.Sprintf(`name: readers
seed: 11
replicates: %d
horizon_days: %d
chunk_runs: 8
scenarios: [baseline, volatility]
policies: [none, fund, all]
sweeps:
  - {param: share_cap.cap, values: [0.3, 0.5]}
outputs: {steps: true, provider_steps: true, record_every_days: 1}
params: {consumers: {count: %d}}
`, reps, days, consumers)
}

// arrowTable is one Parquet file read by arrow-go (pqarrow): its Arrow
// schema, key-value metadata and values by column (nil for null).
type arrowTable struct {
	schema *arrow.Schema
	meta   map[string]string
	cols   map[string][]any
	n      int
}

func readArrowTable(t *testing.T, path string) *arrowTable {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatalf("arrow-go cannot open %s: %v", path, err)
	}
	out := &arrowTable{meta: map[string]string{}, cols: map[string][]any{}}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		out.meta[k] = kv.Values()[i]
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 14}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow-go cannot read %s: %v", path, err)
	}
	defer tbl.Release()
	out.schema, out.n = tbl.Schema(), int(tbl.NumRows())
	for c := 0; c < int(tbl.NumCols()); c++ {
		col := tbl.Column(c)
		var vals []any
		for _, ch := range col.Data().Chunks() {
			for j := 0; j < ch.Len(); j++ {
				if ch.IsNull(j) {
					vals = append(vals, nil)
					continue
				}
				switch a := ch.(type) {
				case *array.Int64:
					vals = append(vals, a.Value(j))
				case *array.Int32:
					vals = append(vals, int64(a.Value(j)))
				case *array.Float64:
					vals = append(vals, a.Value(j))
				case *array.Boolean:
					vals = append(vals, a.Value(j))
				case *array.String:
					vals = append(vals, a.Value(j))
				case *array.Binary:
					vals = append(vals, string(a.Value(j)))
				default:
					t.Fatalf("%s: column %s: unexpected Arrow type %s", path, col.Name(), ch.DataType())
				}
			}
		}
		out.cols[col.Name()] = vals
	}
	return out
}

// TestDatasetReaders runs a study end to end (run, report, Describe) and
// reads every file with independent readers: arrow-go here, and DuckDB,
// Polars and hyparquet from Node (tools/readers/check.mjs) when its
// dependencies are installed. It checks the key types, the provenance metadata, the
// manifest's list of files, the null rule against the cells' levers, the
// joins runs ⋈ steps on run_id and summary ⋈ runs on cell, and that
// datapackage.json describes the files as they are.
func TestDatasetReaders(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "readers.yaml")
	if err := os.WriteFile(src, []byte(readersStudy()), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"run", "-o", root, "--quiet", "--no-report", "-j", "2", src}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	dir := filepath.Join(root, "readers")
	// The report (summary/, figures/, report.html, then Describe again) at
	// its cheapest settings: the test is about the files, not the intervals.
	if err := run(context.Background(), []string{"report", "--bootstrap", "100", "--no-svg", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	s, err := study.ParseStudy(src, []byte(readersStudy()))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pipeline.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	m, err := dataset.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("manifest lists every file", func(t *testing.T) { checkManifestFiles(t, dir, m) })
	t.Run("arrow-go", func(t *testing.T) { checkArrow(t, dir, m, plan) })
	t.Run("duckdb, polars and hyparquet", func(t *testing.T) { checkNode(t, dir) })
	// The derived files the manifest lists are outputs: a changed figure
	// does not fail `report --verify` (which checks the data files), and
	// the report lists the rewritten files again.
	t.Run("report --verify after a figure changed", func(t *testing.T) {
		var fig string
		for _, f := range m.Files {
			if f.Table == dataset.KindFigure {
				fig = filepath.Join(dir, filepath.FromSlash(f.Path))
				break
			}
		}
		if err := os.WriteFile(fig, []byte("edited"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run(context.Background(), []string{"report", "--verify", "--bootstrap", "100", "--no-svg", dir}, &stdout, &stderr); err != nil {
			t.Fatalf("report --verify: %v", err)
		}
		m2, err := dataset.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		checkManifestFiles(t, dir, m2)
	})
}

func checkManifestFiles(t *testing.T, dir string, m *dataset.Manifest) {
	listed := map[string]dataset.FileInfo{}
	for _, f := range m.Files {
		listed[f.Path] = f
	}
	seen := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "shards" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == dataset.ManifestFile {
			return nil
		}
		fi, ok := listed[rel]
		if !ok {
			t.Errorf("%s is not in the manifest", rel)
			return nil
		}
		seen++
		n, sum, err := dataset.HashFile(path)
		if err != nil || n != fi.Bytes || sum != fi.SHA256 {
			t.Errorf("%s: %d bytes %s, manifest says %d %s (%v)", rel, n, sum, fi.Bytes, fi.SHA256, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(m.Files) {
		t.Errorf("manifest lists %d files, %d found", len(m.Files), seen)
	}
	for _, want := range []string{dataset.ReadmeFile, dataset.DataPackageFile, "report.html", "summary/metrics.parquet", "summary/fans.arrow"} {
		if _, ok := listed[want]; !ok {
			t.Errorf("manifest does not list %s", want)
		}
	}
}

func checkArrow(t *testing.T, dir string, m *dataset.Manifest, plan *pipeline.Plan) {
	tables := map[string][]*arrowTable{}
	for _, f := range m.Files {
		if !strings.HasSuffix(f.Path, ".parquet") {
			continue
		}
		at := readArrowTable(t, filepath.Join(dir, filepath.FromSlash(f.Path)))
		if int64(at.n) != f.Rows {
			t.Errorf("%s: %d rows, manifest says %d", f.Path, at.n, f.Rows)
		}
		name := f.Table
		if f.Table == dataset.KindSummary {
			name = "summary/" + strings.TrimSuffix(filepath.Base(f.Path), ".parquet")
		}
		// Provenance on every Parquet file, summary included.
		if at.meta[dataset.MetaConfigHash] != m.ConfigHash || at.meta[dataset.MetaSeed] != "11" || at.meta[dataset.MetaStudy] != "readers" ||
			at.meta[dataset.MetaSchemaVersion] != "2" || at.meta[dataset.MetaTable] != name || at.meta[dataset.MetaToolVersion] == "" {
			t.Errorf("%s: provenance metadata %v", f.Path, at.meta)
		}
		// One integer type per key: int64 in every table.
		for _, fld := range at.schema.Fields() {
			switch fld.Name {
			case "run_id", "cell", "replicate", "day", "seed":
				if fld.Type.ID() != arrow.INT64 {
					t.Errorf("%s: %s is %s, want int64", f.Path, fld.Name, fld.Type)
				}
			}
		}
		tables[name] = append(tables[name], at)
	}
	runs := concat(t, tables[dataset.TableRuns])
	steps := concat(t, tables[dataset.TableSteps])
	if runs.n != int(plan.Runs()) || steps.n != int(plan.Runs())*plan.HorizonDays {
		t.Fatalf("%d runs, %d steps rows; want %d and %d", runs.n, steps.n, plan.Runs(), plan.Runs()*int64(plan.HorizonDays))
	}
	// Nulls (model/nulls.go): lever-only metrics null exactly when the
	// cell's lever is off; the day of an event null exactly when its flag
	// is not true; the flags null exactly when not applicable.
	type runKey struct {
		cell, rep int64
		scen, pol string
		capV      float64
	}
	byID := map[int64]runKey{}
	for i := 0; i < runs.n; i++ {
		id := runs.cols["run_id"][i].(int64)
		cell, rep := plan.CellOf(id)
		c := plan.Cells[cell]
		k := runKey{runs.cols["cell"][i].(int64), runs.cols["replicate"][i].(int64), runs.cols["scenario"][i].(string), runs.cols["policy"][i].(string), runs.cols["share_cap.cap"][i].(float64)}
		if k != (runKey{int64(cell), int64(rep), c.Scenario, c.Policy, c.Sweep[0].Value}) {
			t.Fatalf("run %d keys %+v, plan says cell %d replicate %d %s/%s", id, k, cell, rep, c.Scenario, c.Policy)
		}
		byID[id] = k
		for _, mt := range model.CatalogueOf(model.TableRuns) {
			v := runs.cols[mt.Name][i]
			on, _ := model.LeverOn(&c.Params, mt.LeverOnly)
			switch mt.Name {
			case "fund_depleted_day":
				flag := runs.cols["fund_depleted"][i]
				if (v == nil) != (flag != true) {
					t.Errorf("run %d: fund_depleted_day %v with fund_depleted %v", id, v, flag)
				}
			case "recovery_days":
				if (v == nil) != (runs.cols["recovered"][i] != true) {
					t.Errorf("run %d: recovery_days %v with recovered %v", id, v, runs.cols["recovered"][i])
				}
			case "recovered":
				sh, ok := c.Schedule.LargestShock()
				if applies := ok && sh.Day+sh.DurationDays-1 <= plan.HorizonDays; (v == nil) == applies {
					t.Errorf("run %d (%s): recovered %v, shock ends within the horizon %v", id, c.Scenario, v, applies)
				}
			case "leader_profit_share":
			default:
				if (v == nil) != !on {
					t.Errorf("run %d (%s): %s = %v with lever %q on = %v", id, c.Policy, mt.Name, v, mt.LeverOnly, on)
				}
			}
			if x, ok := v.(int64); ok && x < 0 {
				t.Errorf("run %d: %s = %d (a sentinel)", id, mt.Name, x)
			}
		}
	}
	// runs ⋈ steps on run_id: every step row carries its run's keys and sweep.
	perRun := map[int64]int{}
	for i := 0; i < steps.n; i++ {
		id := steps.cols["run_id"][i].(int64)
		k, ok := byID[id]
		got := runKey{steps.cols["cell"][i].(int64), steps.cols["replicate"][i].(int64), steps.cols["scenario"][i].(string), steps.cols["policy"][i].(string), steps.cols["share_cap.cap"][i].(float64)}
		if !ok || got != k {
			t.Fatalf("steps row %d: run %d keys %+v, runs has %+v (%v)", i, id, got, k, ok)
		}
		perRun[id]++
	}
	for id := range byID {
		if perRun[id] != plan.HorizonDays {
			t.Errorf("run %d has %d steps rows", id, perRun[id])
		}
	}
	// summary ⋈ runs on cell.
	cellOf := map[int64][2]string{}
	for _, k := range byID {
		cellOf[k.cell] = [2]string{k.scen, k.pol}
	}
	for _, name := range []string{"summary/metrics", "summary/events", "summary/fans"} {
		st := concat(t, tables[name])
		if st.n == 0 {
			t.Errorf("%s is empty", name)
		}
		for i := 0; i < st.n; i++ {
			c := st.cols["cell"][i].(int64)
			if want, ok := cellOf[c]; !ok || want != [2]string{st.cols["scenario"][i].(string), st.cols["policy"][i].(string)} {
				t.Fatalf("%s row %d: cell %d is %s/%s, runs say %v", name, i, c, st.cols["scenario"][i], st.cols["policy"][i], want)
			}
		}
	}
	// The aggregate's statistics use the nulls: the mean of recovery_days
	// is over the runs that recovered, and P(fund depleted) over the runs
	// with a fund.
	metrics := concat(t, tables["summary/metrics"])
	events := concat(t, tables["summary/events"])
	for cell := range cellOf {
		var days []float64
		withFund, depleted := 0, 0
		for i := 0; i < runs.n; i++ {
			if runs.cols["cell"][i].(int64) != cell {
				continue
			}
			if v, ok := runs.cols["recovery_days"][i].(int64); ok {
				days = append(days, float64(v))
			}
			if f, ok := runs.cols["fund_depleted"][i].(bool); ok {
				withFund++
				if f {
					depleted++
				}
			}
		}
		for i := 0; i < metrics.n; i++ {
			if metrics.cols["cell"][i].(int64) == cell && metrics.cols["metric"][i] == "recovery_days" {
				if n := metrics.cols["n"][i].(int64); n != int64(len(days)) {
					t.Errorf("cell %d recovery_days n = %d, %d runs recovered", cell, n, len(days))
				} else if len(days) > 0 && math.Abs(metrics.cols["mean"][i].(float64)-mean(days)) > 1e-9 {
					t.Errorf("cell %d recovery_days mean %v, want %v", cell, metrics.cols["mean"][i], mean(days))
				}
			}
		}
		for i := 0; i < events.n; i++ {
			if events.cols["cell"][i].(int64) == cell && events.cols["event"][i] == "fund_depleted" {
				if k, n := events.cols["k"][i].(int64), events.cols["n"][i].(int64); k != int64(depleted) || n != int64(withFund) {
					t.Errorf("cell %d P(fund depleted) = %d/%d, runs say %d/%d", cell, k, n, depleted, withFund)
				}
			}
		}
	}
	// datapackage.json describes the files as arrow-go reads them.
	var dp dataset.DataPackage
	raw, err := os.ReadFile(filepath.Join(dir, dataset.DataPackageFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &dp); err != nil {
		t.Fatal(err)
	}
	if dp.Profile != "tabular-data-package" || len(dp.Resources) != 7 {
		t.Fatalf("datapackage: profile %q, %d resources", dp.Profile, len(dp.Resources))
	}
	for _, r := range dp.Resources {
		name := r.Name
		if after, ok := strings.CutPrefix(name, "summary_"); ok {
			name = "summary/" + after
		}
		at := tables[name]
		if len(at) == 0 || len(r.Path) != len(at) {
			t.Errorf("datapackage resource %s: %d paths, %d files read", r.Name, len(r.Path), len(at))
			continue
		}
		var got, want []string
		for _, fld := range at[0].schema.Fields() {
			typ := map[arrow.Type]string{arrow.INT64: "integer", arrow.INT32: "integer", arrow.FLOAT64: "number",
				arrow.BOOL: "boolean", arrow.STRING: "string", arrow.BINARY: "string"}[fld.Type.ID()]
			got = append(got, fld.Name+":"+typ)
		}
		for _, f := range r.Schema.Fields {
			want = append(want, f.Name+":"+f.Type)
			if f.Description == "" {
				t.Errorf("datapackage %s.%s has no description", r.Name, f.Name)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("datapackage %s fields\n%v\nfiles read by arrow-go\n%v", r.Name, want, got)
		}
		if len(r.Schema.PrimaryKey) == 0 {
			t.Errorf("datapackage %s has no primary key", r.Name)
		}
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// concat joins the files of one table (same columns).
func concat(t *testing.T, parts []*arrowTable) *arrowTable {
	t.Helper()
	out := &arrowTable{cols: map[string][]any{}}
	for _, p := range parts {
		if out.schema == nil {
			out.schema = p.schema
		} else if !out.schema.Equal(p.schema) {
			t.Fatalf("parts of one table differ in schema:\n%s\n%s", out.schema, p.schema)
		}
		for k, v := range p.cols {
			out.cols[k] = append(out.cols[k], v...)
		}
		out.n += p.n
	}
	return out
}

// checkNode runs tools/readers/check.mjs (DuckDB, Polars, hyparquet) on the
// study.
// Without node or the readers' node_modules it skips, saying how to install
// them; under CI (CI set, as .ci/run does after installing them) it fails instead.
func checkNode(t *testing.T, dir string) {
	readers, err := filepath.Abs(filepath.Join("..", "..", "tools", "readers"))
	if err != nil {
		t.Fatal(err)
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else {
		for _, mod := range []string{"@duckdb/node-api", "nodejs-polars", "hyparquet", "hyparquet-compressors"} {
			if _, err := os.Stat(filepath.Join(readers, "node_modules", filepath.FromSlash(mod))); err != nil {
				missing = "the readers' node modules are not installed: run `npm install --prefix tools/readers`"
			}
		}
	}
	if missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("DuckDB/Polars/hyparquet reader check cannot run under CI: %s", missing)
		}
		t.Skipf("DuckDB/Polars/hyparquet reader check skipped: %s", missing)
	}
	cmd := exec.Command("node", filepath.Join(readers, "check.mjs"), dir)
	cmd.Dir = readers
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, io.MultiWriter(&out)
	err = cmd.Run()
	if err != nil || !strings.Contains(out.String(), "all checks passed") {
		t.Fatalf("node check.mjs: %v\n%s", err, out.String())
	}
	t.Logf("DuckDB, Polars and hyparquet: %d checks passed", strings.Count(out.String(), "\nok ")+1)
}
