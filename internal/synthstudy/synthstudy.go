package synthstudy

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
)

// Study describes a synthetic study written by Write: the data
// follow known formulas so that tests can recompute every aggregate.
type Study struct {
	Scenarios  []string
	Policies   []string
	SweepParam string    // "" for no sweep
	SweepVals  []float64 // values of SweepParam
	Replicates int
	Horizon    int  // days 0..Horizon in steps
	Steps      bool // write the steps table
	ChunkRuns  int  // runs per part file
	Skip       map[int64]bool
	State      string
	Seed       uint64
}

type Cell struct {
	Index            int
	Scenario, Policy string
	Sweep            float64
}

func (s *Study) Cells() []Cell {
	var out []Cell
	sw := s.SweepVals
	if s.SweepParam == "" {
		sw = []float64{math.NaN()}
	}
	for _, sc := range s.Scenarios {
		for _, p := range s.Policies {
			for _, v := range sw {
				out = append(out, Cell{len(out), sc, p, v})
			}
		}
	}
	return out
}

// Effect is the true paired effect of policy p on peg_mad.
func Effect(policy string) float64 {
	switch policy {
	case "none":
		return 0
	case "fund":
		return -0.02
	case "all":
		return -0.05
	}
	return 0.01
}

// Summary returns the run metrics of (cell, replicate): a replicate
// component shared by every policy (common random numbers), the policy's
// effect, and a small policy-specific noise.
func Summary(c Cell, rep int, seed uint64) model.Summary {
	common := rand.New(rand.NewPCG(seed, uint64(rep)))
	own := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(c.Index)<<32|uint64(rep)))
	base := 0.03 + 0.01*common.ExpFloat64()
	s := model.Summary{
		RealizedVolAnnual: 0.2 + 0.05*common.NormFloat64(),
		PegMAD:            base + Effect(c.Policy) + 0.002*own.NormFloat64(),
		HHIFinal:          1500 + 600*common.Float64() + 10*float64(len(c.Policy)),
		TopShareFinal:     0.3 + 0.4*common.Float64(),
		Exits:             int32(common.IntN(3)),
		Satisfaction:      0.95 + 0.01*own.Float64(),
		ConsumerDays:      1000,
		PriceFinal:        1,
	}
	s.LeaderShareFinal = s.TopShareFinal
	if c.Policy == "fund" || c.Policy == "all" { // policies with a fund (schema v2 nulls)
		depleted := c.Policy == "fund" && rep%4 == 0
		s.FundDepleted = &depleted
		if depleted {
			day := int64(100 + rep)
			s.FundDepletedDay = &day
		}
	}
	if rep%5 != 0 {
		v := 0.4 + 0.1*common.Float64()
		s.LeaderProfitShare = &v
	}
	return s
}

// Step returns the steps row of (cell, replicate, day).
func Step(runID int64, c Cell, rep, day int) model.Step {
	price := 1 + 0.001*float64((rep*7+day)%23-11) + 0.0001*float64(len(c.Policy))
	desired := 100.0
	if day == 2 && rep%9 == 0 {
		desired = 0 // no demand: that day's satisfaction is undefined
	}
	return model.Step{
		RunID: runID, Day: int64(day), Price: price,
		HHI:         2000 + float64((rep*13+day)%101),
		DesiredMtok: desired, ServedMtok: 90 + float64(rep%10),
		CostUSDPerMtok: 5 + 0.01*float64(day%7) + 0.1*float64(rep%3),
		NActive:        int32(5 - rep%3), TopShare: 0.3 + 0.001*float64(rep%50),
	}
}

// RunID is the run id of (cell, replicate), as dataset.Manifest documents.
func (s *Study) RunID(c Cell, rep int) int64 {
	return int64(c.Index*s.Replicates + rep)
}

// Write writes the study to dir: manifest.json, runs parts and steps
// partitions laid out as the pipeline does (MODEL-SPEC §8).
func Write(t testing.TB, dir string, s Study) {
	t.Helper()
	if s.ChunkRuns == 0 {
		s.ChunkRuns = 1000
	}
	if s.State == "" {
		s.State = dataset.StateComplete
	}
	if s.Seed == 0 {
		s.Seed = 7
	}
	cells := s.Cells()
	var sweepParams []string
	if s.SweepParam != "" {
		sweepParams = []string{s.SweepParam}
	}
	total := int64(len(cells) * s.Replicates)
	m := dataset.Manifest{
		SchemaVersion: dataset.SchemaVersion, ToolVersion: "test", Study: filepath.Base(dir),
		Config: "name: synth\nparams:\n  market:\n    peg: 1.0\n  metrics:\n    peg_band: 0.05\n", ConfigHash: "abc",
		Seed: s.Seed, Replicates: s.Replicates, HorizonDays: s.Horizon,
		Scenarios: s.Scenarios, Policies: s.Policies, SweepParams: sweepParams,
		ChunkRuns: s.ChunkRuns, State: s.State, Started: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		RunsPlanned: total, Rows: map[string]int64{},
	}
	if s.State == dataset.StateComplete {
		end := m.Started.Add(90 * time.Second)
		m.Ended = &end
	}
	for _, c := range cells {
		ci := dataset.CellInfo{Index: c.Index, Scenario: c.Scenario, Policy: c.Policy}
		if s.SweepParam != "" {
			ci.Sweep = []dataset.SweepValue{{Param: s.SweepParam, Value: c.Sweep}}
		}
		m.Cells = append(m.Cells, ci)
	}
	rt := RunsType(sweepParams)
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd),
		parquet.KeyValueMetadata(dataset.MetaSchemaVersion, strconv.Itoa(dataset.SchemaVersion))}
	for chunk := 0; int64(chunk*s.ChunkRuns) < total; chunk++ {
		lo, hi := int64(chunk*s.ChunkRuns), min(total, int64((chunk+1)*s.ChunkRuns))
		runsPath := filepath.Join(dir, "runs", dataset.PartName(chunk))
		var rows []any
		steps := map[[2]string][]model.Step{}
		for id := lo; id < hi; id++ {
			c := cells[int(id)/s.Replicates]
			rep := int(id) % s.Replicates
			if s.Skip[id] {
				m.RunsFailed++
				m.Failures = append(m.Failures, dataset.Failure{RunID: id, Cell: c.Index, Replicate: rep, Error: "synthetic failure"})
				continue
			}
			m.RunsDone++
			sum := Summary(c, rep, s.Seed)
			rows = append(rows, RunRow(rt, id, c, rep, &sum, s.SweepParam != ""))
			if s.Steps {
				k := [2]string{c.Scenario, c.Policy}
				for d := 0; d <= s.Horizon; d++ {
					steps[k] = append(steps[k], Step(id, c, rep, d))
				}
			}
		}
		WriteParquetRows(t, runsPath, rt, rows, opts)
		m.Files = append(m.Files, dataset.FileInfo{Path: "runs/" + dataset.PartName(chunk), Table: dataset.TableRuns, Chunk: chunk, Rows: int64(len(rows))})
		m.Rows[dataset.TableRuns] += int64(len(rows))
		for k, st := range steps {
			rel := fmt.Sprintf("steps/scenario=%s/policy=%s/%s", k[0], k[1], dataset.PartName(chunk))
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			w := parquet.NewGenericWriter[model.Step](f, opts...)
			if _, err := w.Write(st); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f.Close()
			m.Files = append(m.Files, dataset.FileInfo{Path: rel, Table: dataset.TableSteps, Chunk: chunk, Rows: int64(len(st))})
			m.Rows[dataset.TableSteps] += int64(len(st))
		}
	}
	b, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// RunsType builds the runs row type: keys, model.Summary, sweep columns.
func RunsType(sweep []string) reflect.Type {
	fields := []reflect.StructField{
		{Name: "RunID", Type: reflect.TypeFor[int64](), Tag: `parquet:"run_id"`},
		{Name: "Cell", Type: reflect.TypeFor[int64](), Tag: `parquet:"cell"`},
		{Name: "Scenario", Type: reflect.TypeFor[string](), Tag: `parquet:"scenario,dict"`},
		{Name: "Policy", Type: reflect.TypeFor[string](), Tag: `parquet:"policy,dict"`},
		{Name: "Replicate", Type: reflect.TypeFor[int64](), Tag: `parquet:"replicate"`},
		{Name: "Seed", Type: reflect.TypeFor[int64](), Tag: `parquet:"seed"`}, // schema 2: every key INT64
	}
	st := reflect.TypeFor[model.Summary]()
	for i := range st.NumField() {
		f := st.Field(i)
		fields = append(fields, reflect.StructField{Name: "S" + f.Name, Type: f.Type, Tag: f.Tag})
	}
	for i, p := range sweep {
		fields = append(fields, reflect.StructField{Name: "Sweep" + strconv.Itoa(i), Type: reflect.TypeFor[float64](),
			Tag: reflect.StructTag(`parquet:"` + p + `"`)})
	}
	return reflect.StructOf(fields)
}

func RunRow(rt reflect.Type, id int64, c Cell, rep int, s *model.Summary, sweep bool) any {
	v := reflect.New(rt).Elem()
	v.Field(0).SetInt(id)
	v.Field(1).SetInt(int64(c.Index))
	v.Field(2).SetString(c.Scenario)
	v.Field(3).SetString(c.Policy)
	v.Field(4).SetInt(int64(rep))
	v.Field(5).SetInt(id * 31)
	sv := reflect.ValueOf(s).Elem()
	for i := range sv.NumField() {
		v.Field(6 + i).Set(sv.Field(i))
	}
	if sweep {
		v.Field(6 + sv.NumField()).SetFloat(c.Sweep)
	}
	return v.Interface()
}

func WriteParquetRows(t testing.TB, path string, rt reflect.Type, rows []any, opts []parquet.WriterOption) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewWriter(f, append([]parquet.WriterOption{parquet.SchemaOf(reflect.New(rt).Interface())}, opts...)...)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
