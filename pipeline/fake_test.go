package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// fakeModel is a deterministic stand-in for model.Runner.Run: its output is a
// pure function of the RunSpec (drawn from the run's market stream, shifted by
// cell parameters), so the pipeline's determinism and row fidelity can be
// tested independently of the real model. Runs listed in fail return an error
// after recording some days.
type fakeModel struct {
	fail map[int64]bool
	mu   sync.Mutex
	// got collects every run's output by run id, when non-nil.
	got map[int64]fakeOut
}

type fakeOut struct {
	sum   model.Summary
	steps []model.Step
	prov  []model.ProviderStep
}

func (f *fakeModel) newRun() RunFunc {
	return func(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
		return f.run(spec, rec)
	}
}

func (f *fakeModel) run(spec *model.RunSpec, rec model.Recorder) (model.Summary, error) {
	rng := model.NewStream(spec.Seed, spec.Replicate, model.StreamMarket)
	var out fakeOut
	price := spec.Params.Market.Peg
	for day := 1; day <= spec.HorizonDays; day++ {
		r := 0.01*rng.NormFloat64() + 0.001*spec.Params.Network.Effect
		price *= math.Exp(r)
		if spec.RecordEveryDays > 0 && (day%spec.RecordEveryDays == 0 || day == spec.HorizonDays) {
			st := model.Step{RunID: spec.RunID, Day: int64(day), Price: price, LogReturn: r,
				HHI: 2000 + 100*rng.Float64(), NActive: int32(len(spec.Params.Providers.Table)),
				InBand: math.Abs(price-1) < 0.05, FundReserveUSD: spec.Params.Fund.ReserveUSD,
				CapInForce: spec.Params.ShareCap.Enabled}
			if rec != nil {
				rec.Step(&st)
			}
			out.steps = append(out.steps, st)
			if spec.ProviderSteps {
				for _, p := range spec.Params.Providers.Table {
					ps := model.ProviderStep{RunID: spec.RunID, Day: int64(day), Provider: p.Name,
						Share: p.InitialShare, VolumeMtok: rng.Float64(), Active: true}
					if rec != nil {
						rec.ProviderStep(&ps)
					}
					out.prov = append(out.prov, ps)
				}
			}
		}
	}
	if f.fail[spec.RunID] {
		return model.Summary{}, fmt.Errorf("day 3: %w: price", model.ErrNonFinite)
	}
	halts := int32(spec.Replicate % 3)
	s := model.Summary{PriceFinal: price, PegMAD: math.Abs(price - 1), Halts: &halts,
		HHIFinal: 1000 * spec.Params.Network.Effect, ConsumerDays: int64(spec.HorizonDays) * 2000}
	if spec.Replicate%2 == 0 {
		v := 0.5
		s.LeaderProfitShare = &v
	}
	out.sum = s
	if f.got != nil {
		f.mu.Lock()
		f.got[spec.RunID] = out
		f.mu.Unlock()
	}
	return s, nil
}

// testStudy is a small study: 2 scenarios × 2 policies × replicates.
func testStudy(t testing.TB, extra string) *study.Study {
	t.Helper()
	src := extra
	for _, line := range []string{"name: t", "seed: 7", "replicates: 10", "horizon_days: 30",
		"scenarios: [baseline, volatility]", "policies: [none, fund]"} {
		key, _, _ := strings.Cut(line, ":")
		if !strings.HasPrefix(extra, key+":") && !strings.Contains(extra, "\n"+key+":") {
			src = line + "\n" + src
		}
	}
	s, err := study.ParseStudy("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testPlan(t testing.TB, s *study.Study, chunk int) *Plan {
	t.Helper()
	p, err := NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	p.ChunkRuns = chunk
	return p
}

// dataFiles returns relative path → bytes of every Parquet file under dir.
func dataFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".parquet") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: reference has no files", what)
	}
	for p, b := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s: missing %s", what, p)
			continue
		}
		if string(g) != string(b) {
			t.Errorf("%s: %s differs (%d vs %d bytes)", what, p, len(g), len(b))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: extra file %s", what, p)
		}
	}
}

// readArrow reads a Parquet file with arrow-go's own reader and returns its
// rows as column name → value maps, and its key-value metadata.
func readArrow(t testing.TB, path string) ([]map[string]any, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	meta := map[string]string{}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		meta[k] = kv.Values()[i]
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 14}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer tbl.Release()
	n := int(tbl.NumRows())
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{}
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		col := tbl.Column(c)
		name := col.Name()
		i := 0
		for _, chunk := range col.Data().Chunks() {
			for j := 0; j < chunk.Len(); j++ {
				rows[i][name] = arrowValue(t, chunk, j)
				i++
			}
		}
	}
	return rows, meta
}

func arrowValue(t testing.TB, a arrow.Array, j int) any {
	if a.IsNull(j) {
		return nil
	}
	switch v := a.(type) {
	case *array.Int64:
		return v.Value(j)
	case *array.Int32:
		return int64(v.Value(j))
	case *array.Uint64:
		return v.Value(j)
	case *array.Float64:
		return v.Value(j)
	case *array.Boolean:
		return v.Value(j)
	case *array.String:
		return v.Value(j)
	case *array.Dictionary:
		return arrowValue(t, v.Dictionary(), v.GetValueIndex(j))
	}
	t.Fatalf("unexpected arrow type %s", a.DataType())
	return nil
}

// structRow maps a row struct to column name → value in the form arrowValue returns.
func structRow(v any) map[string]any {
	out := map[string]any{}
	rv := reflect.Indirect(reflect.ValueOf(v))
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		name := dataset.ParquetName(rt.Field(i))
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.Int32, reflect.Int64:
			out[name] = f.Int()
		case reflect.Uint64:
			out[name] = f.Uint()
		case reflect.Float64:
			out[name] = f.Float()
		case reflect.Bool:
			out[name] = f.Bool()
		case reflect.String:
			out[name] = f.String()
		case reflect.Pointer:
			if f.IsNil() {
				out[name] = nil
			} else if e := f.Elem(); e.CanFloat() {
				out[name] = e.Float()
			} else if e.CanInt() {
				out[name] = e.Int()
			} else {
				out[name] = e.Bool()
			}
		}
	}
	return out
}

func sortedPaths(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
