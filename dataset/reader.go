package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/parquet-go/parquet-go"
	"github.com/tokensim/tokensim/model"
)

// SupportedSchemaVersion is the dataset schema version this package reads
// (SchemaVersion). A manifest or Parquet file declaring another
// version is rejected with ErrSchema.
const SupportedSchemaVersion = SchemaVersion

// Parquet key-value metadata keys that carry the schema version.
var dsSchemaKeys = []string{MetaSchemaVersion}

// Key columns of the runs table (MODEL-SPEC §4.2).
var dsRunKeys = []string{"run_id", "cell", "scenario", "policy", "replicate", "seed"}

// Dataset is an opened study directory (MODEL-SPEC §8): its manifest and
// the part files of its tables as the manifest lists them. Open it with
// OpenDataset.
type Dataset struct {
	Dir       string
	Info      StudyInfo
	Manifest  *Manifest
	RunsFiles []string         // runs part files, sorted
	Steps     []StepsPartition // steps partitions (scenario=<s>/policy=<p>), sorted
	rows      map[string]int64 // manifest row count per file path
	stepsOf   map[[2]string][]string
}

// StepsPartition is one Hive partition of the steps table.
type StepsPartition struct {
	Scenario, Policy string
	Files            []string // part files, sorted
}

// OpenDataset reads dir/manifest.json (ReadManifest) and checks that
// every data file it lists exists. Errors: no manifest → ErrNotStudy;
// unreadable manifest or a listed file missing → ErrCorrupt; another schema
// version → ErrSchema; each names the path.
func OpenDataset(dir string) (*Dataset, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotStudy, dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrNotStudy, dir)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Dir: dir, Manifest: m, rows: map[string]int64{}, stepsOf: map[[2]string][]string{}}
	ds.Info = infoFromManifest(dir, m)
	for _, fi := range m.Files {
		if !fi.IsData() {
			continue // summary, figures, report, README: derived, rewritten by every report
		}
		path := filepath.Join(dir, filepath.FromSlash(fi.Path))
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s: listed in %s but missing", ErrCorrupt, path, ManifestFile)
		} else if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
		}
		ds.rows[path] = fi.Rows
		if fi.Table == TableRuns {
			ds.RunsFiles = append(ds.RunsFiles, path)
		}
	}
	// The steps partitions are the manifest's scenario × policy partitions
	// (Manifest.PartitionFiles); a steps file in none of them is corrupt.
	inPartition := 0
	for _, scen := range m.Scenarios {
		for _, pol := range m.Policies {
			files := m.PartitionFiles(TableSteps, scen, pol)
			if len(files) == 0 {
				continue
			}
			key := [2]string{scen, pol}
			ds.Steps = append(ds.Steps, StepsPartition{Scenario: scen, Policy: pol})
			for _, fi := range files {
				ds.stepsOf[key] = append(ds.stepsOf[key], filepath.Join(dir, filepath.FromSlash(fi.Path)))
			}
			inPartition += len(files)
		}
	}
	if steps := m.FilesOf(TableSteps); len(steps) != inPartition {
		for _, fi := range steps {
			if !ds.inSomePartition(fi.Path) {
				return nil, fmt.Errorf("%w: %s: steps file outside a scenario=<s>/policy=<p> partition of the manifest's scenarios and policies",
					ErrCorrupt, filepath.Join(dir, filepath.FromSlash(fi.Path)))
			}
		}
	}
	sort.Strings(ds.RunsFiles)
	sort.Slice(ds.Steps, func(i, j int) bool {
		a, b := ds.Steps[i], ds.Steps[j]
		return a.Scenario < b.Scenario || a.Scenario == b.Scenario && a.Policy < b.Policy
	})
	for i := range ds.Steps {
		p := &ds.Steps[i]
		p.Files = ds.stepsOf[[2]string{p.Scenario, p.Policy}]
		sort.Strings(p.Files)
		ds.Info.StepsPartFiles += len(p.Files)
	}
	ds.Info.RunsPartFiles = len(ds.RunsFiles)
	ds.Info.StepsPresent = len(ds.Steps) > 0
	return ds, nil
}

// inPartition reports whether the steps file at the slash path rel is in
// one of the partitions OpenDataset found.
func (ds *Dataset) inSomePartition(rel string) bool {
	path := filepath.Join(ds.Dir, filepath.FromSlash(rel))
	for _, files := range ds.stepsOf {
		if slices.Contains(files, path) {
			return true
		}
	}
	return false
}

// RunsDir is the directory of the runs table.
func (ds *Dataset) RunsDir() string { return Layout{Dir: ds.Dir}.Runs() }

// StepsFiles returns the part files of the steps partition of one scenario
// and policy (nil if absent).
func (ds *Dataset) StepsFiles(scenario, policy string) []string {
	return ds.stepsOf[[2]string{scenario, policy}]
}

// infoFromManifest fills StudyInfo from the manifest; the peg and the peg
// band come from the resolved config's params (market.peg, metrics.peg_band),
// else PegAndBand's defaults.
func infoFromManifest(dir string, m *Manifest) StudyInfo {
	in := StudyInfo{
		Dir: dir, Name: m.Study, Seed: m.Seed, ToolVersion: m.ToolVersion,
		SchemaVersion: m.SchemaVersion, ConfigHash: m.ConfigHash, Config: []byte(m.Config),
		Replicates: m.Replicates, HorizonDays: m.HorizonDays,
		Scenarios: m.Scenarios, Policies: m.Policies, SweepParams: m.SweepParams,
		HasManifest: true, Complete: m.State == StateComplete,
		RunsPlanned: int(m.RunsPlanned), RunsFailed: int(m.RunsFailed), Started: m.Started,
	}
	if in.Name == "" {
		in.Name = filepath.Base(filepath.Clean(dir))
	}
	if m.Ended != nil {
		in.Finished = *m.Ended
		in.WallSeconds = m.Ended.Sub(m.Started).Seconds()
	}
	for i, f := range m.Failures {
		if i == 20 {
			in.FailedRuns = append(in.FailedRuns, fmt.Sprintf("… and %d more", len(m.Failures)-i))
			break
		}
		in.FailedRuns = append(in.FailedRuns, fmt.Sprintf("run %d (cell %d, replicate %d): %s", f.RunID, f.Cell, f.Replicate, f.Error))
	}
	var cfg struct {
		Params struct {
			Market struct {
				Peg float64 `yaml:"peg"`
			} `yaml:"market"`
			Metrics struct {
				PegBand float64 `yaml:"peg_band"`
			} `yaml:"metrics"`
		} `yaml:"params"`
	}
	if yaml.Unmarshal([]byte(m.Config), &cfg) == nil {
		in.Peg, in.PegBand = cfg.Params.Market.Peg, cfg.Params.Metrics.PegBand
	}
	in.Peg, in.PegBand = in.PegAndBand()
	return in
}

// StudyInfo is what the report says about the study itself, from its
// manifest.json (Manifest) and, for the counts of runs, part files
// and consumer-days, from the data read.
type StudyInfo struct {
	Dir            string
	Name           string
	Peg            float64 // market.peg, USD per CLT (use PegAndBand)
	PegBand        float64 // metrics.peg_band (use PegAndBand)
	Seed           uint64
	ToolVersion    string
	SchemaVersion  int
	ConfigHash     string
	Config         []byte // resolved study configuration (YAML) as stored in the manifest
	Replicates     int
	HorizonDays    int
	Scenarios      []string
	Policies       []string
	SweepParams    []string
	HasManifest    bool      // always true for a study opened by OpenDataset
	Complete       bool      // the manifest's state is "complete"
	RunsPlanned    int       // 0 when unknown
	RunsFound      int       // rows of the runs table
	RunsFailed     int       // failed runs reported by the manifest
	FailedRuns     []string  // descriptions of failed runs (manifest), possibly truncated
	Started        time.Time // zero when unknown
	Finished       time.Time // zero when unknown or still running
	WallSeconds    float64   // Finished − Started (includes pauses between an interruption and a resume), 0 when unknown
	StepsPresent   bool
	ConsumerDays   int64 // Σ consumer_days over the runs found
	RunsPartFiles  int
	StepsPartFiles int
}

// PegAndBand returns the study's peg (USD per CLT) and peg band (a
// fraction), or model.Default()'s market.peg and metrics.peg_band for a
// value that is not positive (a manifest without a resolved config, or an
// aggregate built in memory). It is the one place the report and the
// aggregation take the peg from.
func (s *StudyInfo) PegAndBand() (peg, band float64) {
	def := model.Default()
	peg, band = def.Market.Peg, def.Metrics.PegBand
	if s.Peg > 0 {
		peg = s.Peg
	}
	if s.PegBand > 0 {
		band = s.PegBand
	}
	return peg, band
}

// Running reports whether the study is still running or was interrupted:
// the manifest's state is not complete (runs remain, or other shards pending).
func (s *StudyInfo) Running() bool { return !s.Complete }

// RunTable is the runs table of a study held in columns, one entry per run.
// Metric values are float64 with NaN for null (not applicable, or the event
// never happened: model/nulls.go), booleans as 0 and 1.
type RunTable struct {
	RunID       []int64
	Cell        []int
	Scenario    []string
	Policy      []string
	Replicate   []int
	Seed        []uint64       // the model's seed: the int64 column's bits as uint64
	SweepParams []string       // swept parameter columns, in file order
	Sweep       [][]SweepValue // per run, in SweepParams order
	Metrics     []model.Metric // metric columns found, in catalogue order, then uncatalogued ones (FamilyOther)
	Values      [][]float64    // Values[m][run] for Metrics[m]
	// ConsumerDays is Σ consumer_days over the runs (0 if the column is absent).
	ConsumerDays int64
	// Duplicates counts rows dropped because their run_id was already read.
	Duplicates int
}

// Len is the number of runs.
func (t *RunTable) Len() int { return len(t.RunID) }

// MetricIndex returns the index of the named metric in Metrics, or −1.
func (t *RunTable) MetricIndex(name string) int {
	for i, m := range t.Metrics {
		if m.Name == name {
			return i
		}
	}
	return -1
}

// ReadRuns reads every runs/part-*.parquet into one RunTable. All parts must
// have the key columns; every further column is a metric (known names of
// MODEL-SPEC §4.2, or other numeric columns without a dot) or a swept
// parameter (a dotted parameter path, or listed as a sweep in the manifest).
// Errors wrap ErrCorrupt or ErrSchema and name the file.
func (ds *Dataset) ReadRuns(ctx context.Context) (*RunTable, error) {
	t := &RunTable{}
	seen := map[int64]bool{}
	metricCols := map[string][]float64{}
	sweepCols := map[string][]SweepValue{}
	var order []string // first file's non-key column order
	isSweep := map[string]bool{}
	for _, p := range ds.Info.SweepParams {
		isSweep[p] = true
	}
	for fi, path := range ds.RunsFiles {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, closer, err := ds.openPart(path)
		if err != nil {
			return nil, err
		}
		cols, err := dsColumns(f, path)
		if err != nil {
			closer.Close()
			return nil, err
		}
		for _, k := range dsRunKeys {
			if _, ok := cols[k]; !ok {
				closer.Close()
				return nil, fmt.Errorf("%w: %s: missing column %q of the runs table", ErrSchema, path, k)
			}
		}
		var names []string
		for _, fld := range f.Schema().Fields() {
			if !slices.Contains(dsRunKeys, fld.Name()) {
				names = append(names, fld.Name())
			}
		}
		if fi == 0 {
			order = names
		} else if !slices.Equal(sortedCopy(order), sortedCopy(names)) {
			closer.Close()
			return nil, fmt.Errorf("%w: %s: columns differ from %s", ErrSchema, path, ds.RunsFiles[0])
		}
		err = readRunsFile(f, path, cols, t, seen, names, isSweep, metricCols, sweepCols)
		closer.Close()
		if err != nil {
			return nil, err
		}
	}
	// Assemble metric and sweep columns in a stable order. A column whose
	// type differs between files (a corrupted schema) was skipped in some of
	// them: every column must hold one value per run.
	for _, name := range order {
		if isSweep[name] || strings.Contains(name, ".") {
			t.SweepParams = append(t.SweepParams, name)
			if err := runsColumnLen(name, len(sweepCols[name]), t.Len()); err != nil {
				return nil, err
			}
		}
	}
	t.Sweep = make([][]SweepValue, t.Len())
	for r := range t.Sweep {
		if len(t.SweepParams) == 0 {
			break
		}
		sv := make([]SweepValue, len(t.SweepParams))
		for j, p := range t.SweepParams {
			sv[j] = sweepCols[p][r]
		}
		t.Sweep[r] = sv
	}
	for _, mi := range metricColumns(order, isSweep) {
		got, ok := metricCols[mi.Name]
		if !ok {
			continue // not numeric in any file: not a metric
		}
		if err := runsColumnLen(mi.Name, len(got), t.Len()); err != nil {
			return nil, err
		}
		t.Metrics = append(t.Metrics, mi)
		t.Values = append(t.Values, metricCols[mi.Name])
	}
	if cd, ok := metricCols["consumer_days"]; ok {
		for _, v := range cd {
			if !math.IsNaN(v) {
				t.ConsumerDays += int64(v)
			}
		}
	}
	return t, nil
}

// runsColumnLen refuses a runs column without one value per run: a column
// whose type differs between files (a corrupted schema) was skipped in some.
func runsColumnLen(name string, got, runs int) error {
	if got != runs {
		return fmt.Errorf("%w: runs column %q has %d values for %d runs (its type differs between files)", ErrCorrupt, name, got, runs)
	}
	return nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// readRunsFile appends the rows of one runs part file to t.
func readRunsFile(f *parquet.File, path string, cols map[string]int, t *RunTable, seen map[int64]bool,
	names []string, isSweep map[string]bool, metricCols map[string][]float64, sweepCols map[string][]SweepValue) error {
	for _, rg := range f.RowGroups() {
		cc := rg.ColumnChunks()
		runID, err := pqInt64s(cc[cols["run_id"]], path, "run_id")
		if err != nil {
			return err
		}
		cell, err := pqInt64s(cc[cols["cell"]], path, "cell")
		if err != nil {
			return err
		}
		rep, err := pqInt64s(cc[cols["replicate"]], path, "replicate")
		if err != nil {
			return err
		}
		seed, err := pqInt64s(cc[cols["seed"]], path, "seed")
		if err != nil {
			return err
		}
		scen, err := pqStrings(cc[cols["scenario"]], path, "scenario")
		if err != nil {
			return err
		}
		pol, err := pqStrings(cc[cols["policy"]], path, "policy")
		if err != nil {
			return err
		}
		n := len(runID)
		if len(cell) != n || len(rep) != n || len(seed) != n || len(scen) != n || len(pol) != n {
			return fmt.Errorf("%w: %s: key columns have unequal lengths", ErrCorrupt, path)
		}
		keep := make([]bool, n)
		for i, id := range runID {
			if seen[id] {
				t.Duplicates++
				continue
			}
			seen[id] = true
			keep[i] = true
			t.RunID = append(t.RunID, id)
			t.Cell = append(t.Cell, int(cell[i]))
			t.Replicate = append(t.Replicate, int(rep[i]))
			t.Seed = append(t.Seed, uint64(seed[i]))
			t.Scenario = append(t.Scenario, scen[i])
			t.Policy = append(t.Policy, pol[i])
		}
		for _, name := range names {
			chunk := cc[cols[name]]
			if isSweep[name] || strings.Contains(name, ".") {
				vals, err := pqSweepValues(chunk, path, name)
				if err != nil {
					return err
				}
				if len(vals) != n {
					return fmt.Errorf("%w: %s: column %q has %d values for %d rows", ErrCorrupt, path, name, len(vals), n)
				}
				for i, v := range vals {
					if keep[i] {
						sweepCols[name] = append(sweepCols[name], SweepValue{Param: name, Value: v.Value, Text: v.Text})
					}
				}
				continue
			}
			if !pqNumeric(chunk.Type().Kind()) {
				continue
			}
			vals, err := pqFloat64s(chunk, path, name, nil)
			if err != nil {
				return err
			}
			if len(vals) != n {
				return fmt.Errorf("%w: %s: column %q has %d values for %d rows", ErrCorrupt, path, name, len(vals), n)
			}
			for i, v := range vals {
				if keep[i] {
					metricCols[name] = append(metricCols[name], v)
				}
			}
		}
	}
	return nil
}

// openPart opens a part file listed in the manifest and checks its row count
// against the manifest's.
func (ds *Dataset) openPart(path string) (*parquet.File, io.Closer, error) {
	f, c, err := dsOpenParquet(path)
	if err != nil {
		return nil, nil, err
	}
	if want, ok := ds.rows[path]; ok && f.NumRows() != want {
		c.Close()
		return nil, nil, fmt.Errorf("%w: %s: %d rows, the manifest says %d", ErrCorrupt, path, f.NumRows(), want)
	}
	return f, c, nil
}

// dsOpenParquet opens a Parquet file, after CheckParquetFooter, checks that
// every leaf column has a physical kind, and checks its schema version
// metadata.
func dsOpenParquet(path string) (*parquet.File, io.Closer, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	// A corrupted footer can make parquet-go allocate without bound (a fatal
	// out of memory, not a panic): bound it first, whatever the verification.
	if err := CheckParquetFooter(fh, st.Size(), path); err != nil {
		fh.Close()
		return nil, nil, err
	}
	f, err := pqOpenFile(fh, st.Size())
	if err == nil {
		err = pqCheckLeafKinds(f)
	}
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	for _, k := range dsSchemaKeys {
		if v, ok := f.Lookup(k); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n != SupportedSchemaVersion {
				fh.Close()
				return nil, nil, fmt.Errorf("%w: %s: %s = %q, this tool reads %d", ErrSchema, path, k, v, SupportedSchemaVersion)
			}
		}
	}
	return f, fh, nil
}

// dsColumns maps the top-level leaf column names of f to their column indexes.
// Nested or repeated columns are a schema error.
func dsColumns(f *parquet.File, path string) (map[string]int, error) {
	cols := map[string]int{}
	for _, fld := range f.Schema().Fields() {
		if !fld.Leaf() || fld.Repeated() {
			return nil, fmt.Errorf("%w: %s: column %q is nested or repeated", ErrSchema, path, fld.Name())
		}
		leaf, ok := f.Schema().Lookup(fld.Name())
		if !ok {
			return nil, fmt.Errorf("%w: %s: column %q not found", ErrCorrupt, path, fld.Name())
		}
		cols[fld.Name()] = leaf.ColumnIndex
	}
	return cols, nil
}

func pqNumeric(k parquet.Kind) bool {
	switch k {
	case parquet.Boolean, parquet.Int32, parquet.Int64, parquet.Float, parquet.Double:
		return true
	}
	return false
}

// pqEach calls fn for every value of a column chunk. A panic of the decoder
// on malformed data is returned as ErrCorrupt.
func pqEach(cc parquet.ColumnChunk, path, name string, fn func(v parquet.Value)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: column %q: %v", ErrCorrupt, path, name, r)
		}
	}()
	r := parquet.NewColumnChunkValueReader(cc)
	defer r.Close()
	buf := make([]parquet.Value, 1024)
	for {
		n, err := r.ReadValues(buf)
		for _, v := range buf[:n] {
			fn(v)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: column %q: %w", ErrCorrupt, path, name, err)
		}
	}
}

// pqFloat64s reads a numeric column chunk as float64 (null → NaN), appended
// to dst. Pages without nulls of DOUBLE, INT32 and INT64 columns are decoded
// in bulk through parquet-go's typed readers; other pages value by value.
func pqFloat64s(cc parquet.ColumnChunk, path, name string, dst []float64) ([]float64, error) {
	kind := cc.Type().Kind()
	if !pqNumeric(kind) {
		return nil, fmt.Errorf("%w: %s: column %q is %v, want a number", ErrSchema, path, name, kind)
	}
	return pqColumn(cc, path, name, dst, true, func(v parquet.Value) float64 { return pqToFloat(v, kind) })
}

// pqColumn decodes every page of a numeric column chunk with pqPageAppend,
// appending to dst; a page with nulls is an error unless nulls is true.
// Decoding panics of parquet-go on corrupt pages become ErrCorrupt errors.
func pqColumn[T float64 | int64](cc parquet.ColumnChunk, path, name string, dst []T, nulls bool, conv func(parquet.Value) T) (out []T, err error) {
	kind := cc.Type().Kind()
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w: %s: column %q: %v", ErrCorrupt, path, name, r)
		}
	}()
	pages := cc.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: column %q: %w", ErrCorrupt, path, name, err)
		}
		if !nulls && p.NumNulls() > 0 {
			parquet.Release(p)
			return nil, fmt.Errorf("%w: %s: column %q has nulls", ErrCorrupt, path, name)
		}
		dst, err = pqPageAppend(p, kind, dst, conv)
		parquet.Release(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: column %q: %w", ErrCorrupt, path, name, err)
		}
	}
}

// pqPageAppend appends the values of one page to dst converted to T: typed
// bulk reads for null-free pages of DOUBLE, INT32 and INT64 columns, value by
// value through conv otherwise (nulls, other kinds).
func pqPageAppend[T float64 | int64](p parquet.Page, kind parquet.Kind, dst []T, conv func(parquet.Value) T) ([]T, error) {
	vr := p.Values()
	n := int(p.NumValues())
	if p.NumNulls() == 0 && n > 0 {
		switch kind {
		case parquet.Double:
			if r, ok := vr.(parquet.DoubleReader); ok {
				return pqAppendTyped(dst, n, r.ReadDoubles)
			}
		case parquet.Int32:
			if r, ok := vr.(parquet.Int32Reader); ok {
				return pqAppendTyped(dst, n, r.ReadInt32s)
			}
		case parquet.Int64:
			if r, ok := vr.(parquet.Int64Reader); ok {
				return pqAppendTyped(dst, n, r.ReadInt64s)
			}
		}
	}
	buf := make([]parquet.Value, 1024)
	for {
		k, err := vr.ReadValues(buf)
		for _, v := range buf[:k] {
			dst = append(dst, conv(v))
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// pqAppendTyped reads exactly n values with read and appends them to dst.
func pqAppendTyped[T float64 | int64, S float64 | int32 | int64](dst []T, n int, read func([]S) (int, error)) ([]T, error) {
	if same, ok := any(read).(func([]T) (int, error)); ok { // no conversion: read in place
		start := len(dst)
		dst = slices.Grow(dst, n)[:start+n]
		return dst, pqFill(dst[start:], same)
	}
	buf := make([]S, n)
	if err := pqFill(buf, read); err != nil {
		return dst, err
	}
	for _, v := range buf {
		dst = append(dst, T(v))
	}
	return dst, nil
}

// pqFill fills buf completely from a typed page reader.
func pqFill[T any](buf []T, read func([]T) (int, error)) error {
	off := 0
	for off < len(buf) {
		k, err := read(buf[off:])
		off += k
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if off != len(buf) {
		return fmt.Errorf("page holds %d values, read %d", len(buf), off)
	}
	return nil
}

func pqToFloat(v parquet.Value, kind parquet.Kind) float64 {
	if v.IsNull() {
		return math.NaN()
	}
	switch kind {
	case parquet.Double:
		return v.Double()
	case parquet.Float:
		return float64(v.Float())
	case parquet.Int32:
		return float64(v.Int32())
	case parquet.Int64:
		return float64(v.Int64())
	case parquet.Boolean:
		if v.Boolean() {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// pqInt64s reads an integer column chunk (int32 or int64, no nulls).
func pqInt64s(cc parquet.ColumnChunk, path, name string) ([]int64, error) {
	return pqInt64sInto(cc, path, name, nil)
}

// pqInt64sInto is pqInt64s appending to out.
func pqInt64sInto(cc parquet.ColumnChunk, path, name string, out []int64) ([]int64, error) {
	kind := cc.Type().Kind()
	if kind != parquet.Int32 && kind != parquet.Int64 {
		return nil, fmt.Errorf("%w: %s: column %q is %v, want an integer", ErrSchema, path, name, kind)
	}
	return pqColumn(cc, path, name, out, false, func(v parquet.Value) int64 { return pqToInt64(v, kind) })
}

// pqToInt64 converts a non-null value of an INT32 or INT64 column.
func pqToInt64(v parquet.Value, kind parquet.Kind) int64 {
	if kind == parquet.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

// pqStrings reads a string column chunk.
func pqStrings(cc parquet.ColumnChunk, path, name string) ([]string, error) {
	kind := cc.Type().Kind()
	if kind != parquet.ByteArray {
		return nil, fmt.Errorf("%w: %s: column %q is %v, want a string", ErrSchema, path, name, kind)
	}
	var out []string
	last := ""
	err := pqEach(cc, path, name, func(v parquet.Value) {
		b := v.ByteArray()
		if string(b) != last { // reuse the previous string for runs of equal values
			last = string(b)
		}
		out = append(out, last)
	})
	return out, err
}

// pqSweepValues reads a swept-parameter column of any scalar type.
func pqSweepValues(cc parquet.ColumnChunk, path, name string) ([]SweepValue, error) {
	kind := cc.Type().Kind()
	var out []SweepValue
	err := pqEach(cc, path, name, func(v parquet.Value) {
		if kind == parquet.ByteArray || kind == parquet.FixedLenByteArray {
			s := string(v.ByteArray())
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				f = math.NaN()
			}
			out = append(out, SweepValue{Value: f, Text: s})
			return
		}
		f := pqToFloat(v, kind)
		txt := strconv.FormatFloat(f, 'g', -1, 64)
		if kind == parquet.Boolean {
			txt = strconv.FormatBool(f == 1)
		}
		out = append(out, SweepValue{Value: f, Text: txt})
	})
	return out, err
}
