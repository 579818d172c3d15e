package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/model"
)

// Files that describe a study directory (schema v2), written by Describe.
const (
	ReadmeFile      = "README.md"
	DataPackageFile = "datapackage.json"
)

// Kinds of the manifest's non-table files (FileInfo.Table); their Chunk is −1.
const (
	KindSummary = "summary" // summary/<name>.parquet and .arrow (aggregates)
	KindFigure  = "figure"  // figures/*.png, *.svg
	KindReport  = "report"  // report.html
	KindDoc     = "doc"     // README.md, datapackage.json
)

// DescribeOptions are what Describe cannot learn from the study directory.
type DescribeOptions struct {
	// SummaryColumns describes the columns of the summary/ tables (column
	// name → description), as the package that writes them states it.
	SummaryColumns map[string]string
}

// keyDocs describes the key and other non-metric columns of the tables.
var keyDocs = map[string]string{
	"run_id":        "Run id = cell × replicates + replicate; primary key of runs.",
	"cell":          "Index of the cell (scenario × policy × sweep point) in the manifest's cells.",
	"scenario":      "Scenario name (the Hive partition scenario=<s> of steps repeats it).",
	"policy":        "Policy variant name (the Hive partition policy=<p> of steps repeats it).",
	"replicate":     "Replicate index; replicate r uses the same random draws in every cell (common random numbers).",
	"seed":          "The run's model seed (model.RunSeed of the study seed and replicate), a uint64 stored with the same bits as int64: cast to UBIGINT/uint64 to recover it.",
	"day":           "Day of the run, 1..horizon_days (0 is the initial state, not written).",
	"provider":      "Provider name.",
	"consumer_days": "Consumers × days simulated: the unit of work (MODEL-SPEC §10).",
	"sweep":         "The cell's swept parameter values as \"param=value;…\" (empty without a sweep).",
}

// Field is one column of a table in the data dictionary (a Frictionless
// Table Schema field with tokensim's unit and label).
type Field struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"` // integer, number, string, boolean
	Title       string  `json:"title,omitempty"`
	Description string  `json:"description,omitempty"`
	Unit        string  `json:"unit,omitempty"`
	Constraints *Bounds `json:"constraints,omitempty"`
	// Nullable: the Parquet column is optional; MissingNote says when it
	// is null; ParquetType is its type as written (README).
	Nullable    bool   `json:"tokensim:nullable"`
	MissingNote string `json:"tokensim:null_when,omitempty"`
	ParquetType string `json:"tokensim:parquet_type"`
}

// Bounds are a field's Table Schema constraints.
type Bounds struct {
	Required bool     `json:"required,omitempty"`
	Minimum  *float64 `json:"minimum,omitempty"`
	Maximum  *float64 `json:"maximum,omitempty"`
}

// ForeignKey is a Table Schema foreign key.
type ForeignKey struct {
	Fields    []string `json:"fields"`
	Reference struct {
		Resource string   `json:"resource"`
		Fields   []string `json:"fields"`
	} `json:"reference"`
}

// TableSchema is a Frictionless Table Schema.
type TableSchema struct {
	Fields      []Field      `json:"fields"`
	PrimaryKey  []string     `json:"primaryKey,omitempty"`
	ForeignKeys []ForeignKey `json:"foreignKeys,omitempty"`
}

// Resource is one table of the Data Package: its part files and schema.
type Resource struct {
	Name        string      `json:"name"`
	Title       string      `json:"title,omitempty"`
	Description string      `json:"description,omitempty"`
	Profile     string      `json:"profile"`
	Path        []string    `json:"path"`
	Format      string      `json:"format"`
	MediaType   string      `json:"mediatype"`
	Rows        int64       `json:"rows"`
	Bytes       int64       `json:"bytes"`
	Schema      TableSchema `json:"schema"`
}

// DataPackage is a Frictionless Data Package (https://specs.frictionlessdata.io/data-package/)
// describing the Parquet tables of a study, with tokensim's provenance.
type DataPackage struct {
	Profile       string     `json:"profile"`
	Name          string     `json:"name"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Created       string     `json:"created,omitempty"`
	Keywords      []string   `json:"keywords"`
	ToolVersion   string     `json:"tokensim:tool_version"`
	SchemaVersion int        `json:"tokensim:schema_version"`
	ConfigHash    string     `json:"tokensim:config_hash"`
	Seed          uint64     `json:"tokensim:seed"`
	Resources     []Resource `json:"resources"`
}

// tableDocs are the titles and descriptions of the tables.
var tableDocs = map[string][2]string{
	TableRuns:          {"Runs", "One row per run: keys, every run metric (MODEL-SPEC §4.2, §10) and the swept parameters."},
	TableSteps:         {"Days", "One row per run and recorded day (MODEL-SPEC §4.1), with the run's keys and swept parameters on every row; Hive-partitioned by scenario and policy."},
	TableProviderSteps: {"Provider days", "One row per run, recorded day and provider (MODEL-SPEC §4.3), with the run's keys and swept parameters on every row."},
	"summary_metrics":  {"Metric distributions", "Per cell and metric: n, mean with its 95% CI, sd and quantiles over the cell's runs (nulls excluded)."},
	"summary_events":   {"Event probabilities", "Per cell and event: k of n runs, with a Wilson 95% interval (n counts the runs where the event applies)."},
	"summary_effects":  {"Policy effects", "Per scenario, sweep point, policy and metric: the paired difference from the policy none by replicate, with a bootstrap 95% interval."},
	"summary_fans":     {"Daily quantiles", "Per cell, variable and day: quantiles over the cell's runs."},
}

// BuildDataPackage describes the study in dir from its manifest and the
// schemas of its Parquet files (the first file of each table): every
// column's type as written, with the metric catalogue's label, unit,
// description and range for the metric columns. Errors name the file.
func BuildDataPackage(dir string, m *Manifest, o DescribeOptions) (*DataPackage, error) {
	dp := &DataPackage{
		Profile: "tabular-data-package", Name: packageName(m.Study), Title: "tokensim study " + m.Study,
		Description: fmt.Sprintf("Monte Carlo study %q of a common token (CLT) paying LLM API providers: %d scenarios × %d policies%s × %d replicates, %d days (tokensim %s, dataset schema %d). See README.md.",
			m.Study, len(m.Scenarios), len(m.Policies), sweepNote(m.SweepParams), m.Replicates, m.HorizonDays, m.ToolVersion, SchemaVersion),
		Keywords:    []string{"tokensim", "Monte Carlo", "simulation", "token economics", "LLM API"},
		ToolVersion: m.ToolVersion, SchemaVersion: SchemaVersion, ConfigHash: m.ConfigHash, Seed: m.Seed,
	}
	if m.Ended != nil {
		dp.Created = m.Ended.UTC().Format("2006-01-02T15:04:05Z")
	}
	isSweep := map[string]bool{}
	for _, p := range m.SweepParams {
		isSweep[p] = true
	}
	groups := map[string][]FileInfo{}
	var order []string
	for _, f := range m.Files {
		name := f.Table
		switch {
		case f.Table == KindSummary && strings.HasSuffix(f.Path, ".parquet"):
			name = "summary_" + strings.TrimSuffix(filepath.Base(f.Path), ".parquet")
		case f.IsData():
		default:
			continue
		}
		if _, ok := groups[name]; !ok {
			order = append(order, name)
		}
		groups[name] = append(groups[name], f)
	}
	sort.SliceStable(order, func(i, j int) bool { return resourceRank(order[i]) < resourceRank(order[j]) })
	for _, name := range order {
		files := groups[name]
		r := Resource{Name: name, Profile: "tabular-data-resource", Format: "parquet", MediaType: "application/vnd.apache.parquet"}
		r.Title, r.Description = tableDocs[name][0], tableDocs[name][1]
		for _, f := range files {
			r.Path = append(r.Path, f.Path)
			r.Rows += f.Rows
			r.Bytes += f.Bytes
		}
		fields, err := parquetFields(filepath.Join(dir, filepath.FromSlash(files[0].Path)))
		if err != nil {
			return nil, err
		}
		for i := range fields {
			describeField(&fields[i], name, isSweep, o)
		}
		r.Schema.Fields = fields
		switch name {
		case TableRuns:
			r.Schema.PrimaryKey = []string{"run_id"}
		case TableSteps:
			r.Schema.PrimaryKey = []string{"run_id", "day"}
			r.Schema.ForeignKeys = []ForeignKey{fkRuns()}
		case TableProviderSteps:
			r.Schema.PrimaryKey = []string{"run_id", "day", "provider"}
			r.Schema.ForeignKeys = []ForeignKey{fkRuns()}
		case "summary_metrics":
			r.Schema.PrimaryKey = []string{"cell", "metric"}
		case "summary_events":
			r.Schema.PrimaryKey = []string{"cell", "event"}
		case "summary_effects":
			r.Schema.PrimaryKey = []string{"scenario", "sweep", "policy", "metric"}
		case "summary_fans":
			r.Schema.PrimaryKey = []string{"cell", "variable", "day"}
		}
		for _, k := range r.Schema.PrimaryKey {
			for i := range r.Schema.Fields {
				if r.Schema.Fields[i].Name == k {
					if r.Schema.Fields[i].Constraints == nil {
						r.Schema.Fields[i].Constraints = &Bounds{}
					}
					r.Schema.Fields[i].Constraints.Required = true
				}
			}
		}
		dp.Resources = append(dp.Resources, r)
	}
	return dp, nil
}

func fkRuns() ForeignKey {
	var fk ForeignKey
	fk.Fields = []string{"run_id"}
	fk.Reference.Resource = TableRuns
	fk.Reference.Fields = []string{"run_id"}
	return fk
}

func resourceRank(name string) int {
	for i, n := range []string{TableRuns, TableSteps, TableProviderSteps, "summary_metrics", "summary_events", "summary_effects", "summary_fans"} {
		if n == name {
			return i
		}
	}
	return 100
}

func sweepNote(params []string) string {
	if len(params) == 0 {
		return ""
	}
	return " × sweep of " + strings.Join(params, ", ")
}

// packageName is a Data Package name: lower case, [a-z0-9._-].
func packageName(study string) string {
	var b strings.Builder
	b.WriteString("tokensim-")
	for _, r := range strings.ToLower(study) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// parquetFields returns the top-level columns of a Parquet file with their
// Table Schema types.
func parquetFields(path string) ([]Field, error) {
	f, closer, err := dsOpenParquet(path)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	var out []Field
	for _, fld := range f.Schema().Fields() {
		if !fld.Leaf() {
			return nil, fmt.Errorf("%w: %s: column %q is nested", ErrSchema, path, fld.Name())
		}
		typ, pt := frictionlessType(fld)
		out = append(out, Field{Name: fld.Name(), Type: typ, Nullable: fld.Optional(), ParquetType: pt})
	}
	return out, nil
}

// frictionlessType maps a Parquet leaf to a Table Schema type and a short
// name of its Parquet type.
func frictionlessType(n parquet.Node) (string, string) {
	switch n.Type().Kind() {
	case parquet.Boolean:
		return "boolean", "BOOLEAN"
	case parquet.Int32:
		return "integer", "INT32"
	case parquet.Int64:
		return "integer", "INT64"
	case parquet.Float:
		return "number", "FLOAT"
	case parquet.Double:
		return "number", "DOUBLE"
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return "string", "STRING"
	}
	return "any", n.Type().String()
}

// describeField fills a field's title, description, unit and range from the
// metric catalogue (runs, steps), the key docs, the sweep and the summary
// column docs.
func describeField(f *Field, table string, isSweep map[string]bool, o DescribeOptions) {
	var mt model.Table
	switch table {
	case TableRuns:
		mt = model.TableRuns
	case TableSteps:
		mt = model.TableSteps
	case TableProviderSteps:
		mt = model.TableProviderSteps
	}
	if mt != "" {
		if m, ok := model.LookupMetric(mt, f.Name); ok {
			f.Title, f.Description, f.Unit = m.Label, m.Description, m.Unit
			if m.Unit == "true/false" {
				f.Unit = ""
			}
			if f.Type == "number" || f.Type == "integer" {
				b := &Bounds{}
				if lo := m.Lo; !isNaNOrInf(lo) {
					b.Minimum = &lo
				}
				if hi := m.Hi; !isNaNOrInf(hi) {
					b.Maximum = &hi
				}
				if b.Minimum != nil || b.Maximum != nil {
					f.Constraints = b
				}
			}
			if f.Nullable {
				f.MissingNote = nullNote(m)
			}
			return
		}
	}
	if d, ok := keyDocs[f.Name]; ok {
		f.Description = d
		return
	}
	if isSweep[f.Name] || strings.Contains(f.Name, ".") {
		f.Title = "Swept parameter " + f.Name
		f.Description = "Value of the swept model parameter " + f.Name + " in the run's cell (docs/model.md §10 gives its meaning and unit)."
		return
	}
	if strings.HasPrefix(table, "summary_") {
		f.Description = o.SummaryColumns[f.Name]
	}
}

// nullNote says when a nullable metric is null (model/nulls.go's rule).
func nullNote(m model.Metric) string {
	switch {
	case m.Name == "fund_depleted_day":
		return "null without a fund, or when the fund never ran out (fund_depleted tells which)"
	case m.Name == "recovery_days":
		return "null without a shock ending within the horizon, or when the price never came back (recovered tells which)"
	case m.Name == "recovered":
		return "null without a shock ending within the horizon"
	case m.Name == "leader_profit_share":
		return "null when total provider profit ≤ 0"
	case m.LeverOnly != "":
		return "null when the " + strings.ReplaceAll(m.LeverOnly, "_", " ") + " lever is off"
	}
	return "null when not defined"
}

func isNaNOrInf(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// Describe writes README.md and datapackage.json into the study directory
// dir and rewrites its manifest so that Files lists every file of the
// directory: the data tables as the pipeline recorded them, and the
// summary/ tables, figures/, report.html, README.md and datapackage.json
// (KindSummary, KindFigure, KindReport, KindDoc; Chunk −1) with their
// sizes and SHA-256 (rows for Parquet summary tables). Call it after the
// study is complete and after each report. The manifest's own entry is not
// listed (it cannot hold its own hash).
func Describe(dir string, o DescribeOptions) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	var keep []FileInfo
	for _, f := range m.Files {
		if f.IsData() {
			keep = append(keep, f)
		}
	}
	m.Files = keep
	derived, err := derivedFiles(dir)
	if err != nil {
		return err
	}
	m.Files = append(m.Files, derived...)
	sortFiles(m.Files)
	dp, err := BuildDataPackage(dir, m, o)
	if err != nil {
		return err
	}
	js, err := jsonRecord(dp)
	if err != nil {
		return err
	}
	readme := Readme(m, dp)
	for _, w := range []struct {
		name string
		data []byte
	}{{DataPackageFile, js}, {ReadmeFile, []byte(readme)}} {
		path := filepath.Join(dir, w.name)
		if err := WriteFileAtomic(path, w.data); err != nil {
			return fmt.Errorf("dataset: writing %s: %w", path, err)
		}
		m.Files = append(m.Files, FileInfo{Path: w.name, Table: KindDoc, Chunk: -1, Bytes: int64(len(w.data)), SHA256: SHA256Hex(w.data)})
	}
	sortFiles(m.Files)
	return WriteJSONAtomic(Layout{Dir: dir}.Manifest(), m)
}

func sortFiles(fs []FileInfo) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
}

// derivedFiles lists summary/, figures/ and report.html as they are on disk
// (temporary files, whose names start with a dot, are skipped).
func derivedFiles(dir string) ([]FileInfo, error) {
	l := Layout{Dir: dir}
	var out []FileInfo
	add := func(path, kind string) error {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		n, sum, err := HashFile(path)
		if err != nil {
			return fmt.Errorf("dataset: %s: %w", path, err)
		}
		fi := FileInfo{Path: filepath.ToSlash(rel), Table: kind, Chunk: -1, Bytes: n, SHA256: sum}
		if kind == KindSummary && strings.HasSuffix(path, ".parquet") {
			f, c, err := dsOpenParquet(path)
			if err != nil {
				return err
			}
			fi.Rows = f.NumRows()
			c.Close()
		}
		out = append(out, fi)
		return nil
	}
	for _, d := range []struct{ dir, kind string }{{l.Summary(), KindSummary}, {l.Figures(), KindFigure}} {
		ents, err := os.ReadDir(d.dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if err := add(filepath.Join(d.dir, e.Name()), d.kind); err != nil {
				return nil, err
			}
		}
	}
	if _, err := os.Stat(l.Report()); err == nil {
		if err := add(l.Report(), KindReport); err != nil {
			return nil, err
		}
	}
	return out, nil
}
