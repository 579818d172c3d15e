package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/tokensim/tokensim/internal/synthstudy"
	"github.com/tokensim/tokensim/model"
)

// readArrowIPC reads an Arrow IPC file into column names and cell strings.
func readArrowIPC(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer r.Close()
	var names []string
	for _, fld := range r.Schema().Fields() {
		names = append(names, fld.Name)
	}
	cols := make([][]string, len(names))
	for i := range r.NumRecords() {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		for c := range names {
			cols[c] = append(cols[c], arrowStrings(rec.Column(c))...)
		}
	}
	return names, cols
}

// readParquetArrow reads a Parquet file with arrow-go's pqarrow (an
// independent reader) into column names and cell strings.
func readParquetArrow(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var names []string
	cols := make([][]string, tbl.NumCols())
	for c := range int(tbl.NumCols()) {
		names = append(names, tbl.Schema().Field(c).Name)
		for _, ch := range tbl.Column(c).Data().Chunks() {
			cols[c] = append(cols[c], arrowStrings(ch)...)
		}
	}
	return names, cols
}

func arrowStrings(a arrow.Array) []string {
	out := make([]string, a.Len())
	for i := range out {
		if a.IsNull(i) {
			out[i] = "null"
			continue
		}
		switch v := a.(type) {
		case *array.Float64:
			out[i] = fmt.Sprintf("%.17g", v.Value(i))
		default:
			out[i] = a.ValueStr(i)
		}
	}
	return out
}

func TestWriteSummaryReadBack(t *testing.T) {
	dir := t.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"}, SweepParam: "fund.reserve_usd",
		SweepVals: []float64{1e6, 2e6}, Replicates: 12, Horizon: 4, Steps: true, ChunkRuns: 7}
	synthstudy.Write(t, dir, s)
	st, err := Aggregate(context.Background(), dir, aggTestOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantRows := map[string]int{
		SummaryMetrics: len(st.Cells) * len(st.Metrics),
		SummaryEvents:  len(st.Cells) * len(st.Events),
		SummaryEffects: len(st.Effects),
		SummaryFans:    len(st.Fans) * 5,
	}
	for name, rows := range wantRows {
		an, ac := readArrowIPC(t, filepath.Join(dir, "summary", name+".arrow"))
		pn, pc := readParquetArrow(t, filepath.Join(dir, "summary", name+".parquet"))
		if strings.Join(an, ",") != strings.Join(pn, ",") {
			t.Fatalf("%s: Arrow columns %v, Parquet columns %v", name, an, pn)
		}
		if len(ac[0]) != rows || len(pc[0]) != rows {
			t.Fatalf("%s: %d Arrow rows, %d Parquet rows, want %d", name, len(ac[0]), len(pc[0]), rows)
		}
		for c := range an {
			for r := range rows {
				if ac[c][r] != pc[c][r] {
					t.Fatalf("%s column %s row %d: Arrow %s, Parquet %s", name, an[c], r, ac[c][r], pc[c][r])
				}
			}
		}
		if !slices.Contains(an[:2], "scenario") || !strings.Contains(strings.Join(an, ","), "fund.reserve_usd") {
			t.Errorf("%s: columns %v", name, an)
		}
	}
	// Spot-check values against the Study.
	names, cols := readArrowIPC(t, filepath.Join(dir, "summary", SummaryMetrics+".arrow"))
	col := func(n string) []string {
		for i, x := range names {
			if x == n {
				return cols[i]
			}
		}
		t.Fatalf("no column %s", n)
		return nil
	}
	c1 := st.Cells[1]
	d, _ := c1.Metric("peg_mad")
	found := false
	for r := range col("metric") {
		if col("metric")[r] == "peg_mad" && col("cell")[r] == fmt.Sprint(c1.Cell) {
			found = true
			if col("median")[r] != fmt.Sprintf("%.17g", d.Median) || col("n")[r] != fmt.Sprint(d.N) ||
				col("fund.reserve_usd")[r] != fmt.Sprintf("%.17g", c1.Sweep[0].Value) || col("family")[r] != string(model.FamilyStability) {
				t.Errorf("row %d does not match %+v", r, d)
			}
		}
		if col("metric")[r] == "velocity" && col("sd")[r] != "0" { // 0 in every synthetic run
			t.Errorf("velocity sd %s", col("sd")[r])
		}
		if col("metric")[r] == "halts" && (col("n")[r] != "0" || col("sd")[r] != "null") { // no circuit breaker: all null
			t.Errorf("halts n %s sd %s, want 0 and null", col("n")[r], col("sd")[r])
		}
	}
	if !found {
		t.Error("no peg_mad row for cell 1")
	}
	// NaN is written as null: effects of a neutral metric have no frac_better.
	en, ec := readArrowIPC(t, filepath.Join(dir, "summary", SummaryEffects+".arrow"))
	for i, n := range en {
		if n == "frac_better" {
			nulls := 0
			for _, v := range ec[i] {
				if v == "null" {
					nulls++
				}
			}
			if nulls == 0 || nulls == len(ec[i]) {
				t.Errorf("frac_better: %d nulls of %d", nulls, len(ec[i]))
			}
		}
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(filepath.Join(dir, "summary"))
	if len(ents) != 8 {
		var ns []string
		for _, e := range ents {
			ns = append(ns, e.Name())
		}
		t.Errorf("summary/ holds %v", ns)
	}
}

// TestSummaryFileModes: the summary tables are shared data like the rest of
// the study: files 0644 and a new summary/ directory 0755, whatever the
// umask (os.CreateTemp alone would leave the files 0600).
func TestSummaryFileModes(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSummary(dir, &Study{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteSensitivity(dir, &SensitivityResult{Method: "sobol"}); err != nil {
		t.Fatal(err)
	}
	sum := filepath.Join(dir, "summary")
	fi, err := os.Stat(sum)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o755 {
		t.Errorf("summary/ has mode %v, want 0755", got)
	}
	ents, err := os.ReadDir(sum)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 10 {
		t.Errorf("summary/ holds %d files, want 10", len(ents))
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o644 {
			t.Errorf("summary/%s has mode %v, want 0644", e.Name(), got)
		}
	}
}
