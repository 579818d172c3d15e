package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ManifestFile is the name of a study's manifest under its directory (MODEL-SPEC §8).
const ManifestFile = "manifest.json"

// SchemaVersion is the version of the dataset layout and table schemas; it is
// written to the manifest and to every Parquet file's key-value metadata.
// Readers refuse other versions. The history of versions is SchemaHistory.
const SchemaVersion = 2

// SchemaHistory says what changed in each dataset schema version; README.md
// of every study and docs/dataset.md quote it.
var SchemaHistory = []string{
	"1: v0.1. Sentinels −1 for \"never\" and \"not applicable\"; cell and replicate INT32 in runs, day INT32 in steps, seed UINT64.",
	"2: nulls for \"not applicable\" (metrics of a lever that is off; no shock) and \"never\" (fund_depleted_day, recovery_days), " +
		"with the flags fund_depleted and recovered telling them apart; every key (run_id, cell, replicate, day) INT64 in every table and seed INT64; " +
		"steps carry cell, scenario, policy, replicate and the swept parameters on every row; " +
		"summary files carry the provenance metadata; README.md and datapackage.json describe the study; " +
		"the manifest lists every file of the study directory; float columns use the BYTE_STREAM_SPLIT encoding.",
}

// DefaultChunkRuns is the number of consecutive run ids written together as
// one chunk (one set of part files): the unit of resumption and of sharding.
const DefaultChunkRuns = 256

// Manifest states.
const (
	StateRunning  = "running"  // runs remain (still running, interrupted, or other shards pending)
	StateComplete = "complete" // every planned run was attempted and every chunk written
)

// Sentinel errors of the dataset. Every error of ReadManifest, OpenDataset
// and ReadRuns that concerns one file wraps one of these and names the file.
var (
	// ErrNotStudy: the directory has no readable manifest.json.
	ErrNotStudy = errors.New("not a tokensim study")
	// ErrCorrupt: a part file or the manifest cannot be read or decoded.
	ErrCorrupt = errors.New("dataset: corrupt study file")
	// ErrSchema: a file has another schema version, lacks a required column,
	// or a table's columns collide.
	ErrSchema = errors.New("dataset: unsupported schema")
)

// Outputs says which day tables a study writes (MODEL-SPEC §8, §9).
type Outputs struct {
	Steps         bool `yaml:"steps" json:"steps"`
	ProviderSteps bool `yaml:"provider_steps" json:"provider_steps"`
	// RecordEveryDays: record every k-th day (and the last) in the day tables, ≥ 1.
	RecordEveryDays int `yaml:"record_every_days" json:"record_every_days"`
}

// SweepValue is one swept parameter's value in a cell: a plan's sweep point,
// the manifest's record of it, and a runs-table sweep column's value.
type SweepValue struct {
	Param string  `json:"param"` // dotted parameter path, also the runs-table column name
	Value float64 `json:"value"` // NaN when the column is not numeric
	// Text is the value as text, set by ReadRuns (e.g. "0.3" or
	// "stake_vote"); empty in a plan and in the manifest.
	Text string `json:"text,omitempty"`
}

// Manifest describes one study directory (MODEL-SPEC §8): what was run (the
// resolved config and its hash, versions, seed, cells), how far it got (runs
// planned, done, failed; state), and what was written (every file with its
// row count and SHA-256). It is rewritten atomically after every chunk.
//
// Run ids: run_id = cell × replicates + replicate (0-based). Runs are written
// in chunks of ChunkRuns consecutive run ids; chunk k holds run ids
// [k·ChunkRuns, (k+1)·ChunkRuns) and its files are named part-<k>.parquet with
// k zero-padded to 6 digits. Shard i of N (1-based) owns the chunks k with
// k mod N = i−1.
type Manifest struct {
	SchemaVersion int `json:"schema_version"`
	// ToolVersion is the tokensim version that wrote the shards' progress
	// records (their versions sorted and joined by ", " when shards ran
	// different versions); GoVersion is that of the process that merged last.
	ToolVersion string `json:"tool_version"`
	GoVersion   string `json:"go_version"`
	Study       string `json:"study"`
	// Config is the study's identity: the resolved study as YAML without the
	// keys that do not change results (Study.IdentityYAML, NonIdentityKeys);
	// ConfigHash is the hex SHA-256 of those bytes. PlanHash is the hex SHA-256 of the cells'
	// keys (scenario, policy, sweep values), which a directly constructed plan
	// (e.g. a sensitivity design) adds to the config.
	Config      string   `json:"config"`
	ConfigHash  string   `json:"config_hash"`
	PlanHash    string   `json:"plan_hash"`
	Seed        uint64   `json:"seed"`
	Replicates  int      `json:"replicates"`
	HorizonDays int      `json:"horizon_days"`
	Scenarios   []string `json:"scenarios"`
	Policies    []string `json:"policies"`
	// SweepParams are the swept parameters' dotted paths: the extra columns of
	// the runs table, in order.
	SweepParams []string   `json:"sweep_params"`
	Cells       []CellInfo `json:"cells"`
	Outputs     Outputs    `json:"outputs"`
	ChunkRuns   int        `json:"chunk_runs"`
	Chunks      int        `json:"chunks"`

	State       string     `json:"state"`
	Started     time.Time  `json:"started"`
	Ended       *time.Time `json:"ended,omitempty"` // set when State is complete
	RunsPlanned int64      `json:"runs_planned"`
	RunsDone    int64      `json:"runs_done"`   // runs written (failed runs excluded)
	RunsFailed  int64      `json:"runs_failed"` // runs whose model run returned an error
	Failures    []Failure  `json:"failures,omitempty"`
	// Shards lists the shard processes that have worked on the study.
	Shards []ShardInfo `json:"shards"`
	// Rows counts the rows written per table ("runs", "steps", "provider_steps").
	Rows map[string]int64 `json:"rows"`
	// Files lists every file of the study directory but the manifest and
	// shards/, sorted by path: the data files the pipeline wrote, and, once
	// Describe has run, the summary tables, figures, report, README.md and
	// datapackage.json.
	Files []FileInfo `json:"files"`
}

// CellInfo identifies one cell of the plan (scenario × policy × sweep point).
type CellInfo struct {
	Index    int          `json:"index"`
	Scenario string       `json:"scenario"`
	Policy   string       `json:"policy"`
	Sweep    []SweepValue `json:"sweep,omitempty"`
}

// Failure records a run whose model run failed; it has no rows in any table.
type Failure struct {
	RunID     int64  `json:"run_id"`
	Cell      int    `json:"cell"`
	Replicate int    `json:"replicate"`
	Error     string `json:"error"`
}

// ShardInfo is the progress of one shard process (Index of Count, 1-based).
type ShardInfo struct {
	Index      int        `json:"index"`
	Count      int        `json:"count"`
	State      string     `json:"state"`
	Started    time.Time  `json:"started"`
	Ended      *time.Time `json:"ended,omitempty"`
	ChunksDone int        `json:"chunks_done"`
	ChunksOwn  int        `json:"chunks_owned"`
	// ToolVersion is the tokensim version that last wrote the shard's
	// progress record (empty for records older than 0.2.4).
	ToolVersion string `json:"tool_version,omitempty"`
}

// FileInfo is one file of the study.
type FileInfo struct {
	Path string `json:"path"` // slash-separated, relative to the study directory
	// Table is the data table (runs, steps or provider_steps) or the kind of
	// a derived file (KindSummary, KindFigure, KindReport, KindDoc).
	Table  string `json:"table"`
	Chunk  int    `json:"chunk"` // −1 for derived files
	Rows   int64  `json:"rows"`  // 0 for files that are not tables
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"` // hex
}

// Table names.
const (
	TableRuns          = "runs"
	TableSteps         = "steps"
	TableProviderSteps = "provider_steps"
)

// DataTables are the tables the pipeline writes (every other
// FileInfo.Table is a derived file's kind).
var DataTables = []string{TableRuns, TableSteps, TableProviderSteps}

// IsData reports whether the file belongs to a data table (DataTables),
// rather than being derived (summary, figure, report, doc).
func (f FileInfo) IsData() bool { return slices.Contains(DataTables, f.Table) }

// ReadManifest reads <dir>/manifest.json, the one parser of the manifest.
// Errors name the path and wrap ErrNotStudy (no manifest, or a JSON file
// without schema_version), ErrCorrupt (unreadable or not a manifest's JSON)
// or ErrSchema (another schema version; the message names both versions).
func ReadManifest(dir string) (*Manifest, error) {
	m, _, err := readManifestFile(dir)
	return m, err
}

// readManifestFile is ReadManifest, also returning the manifest's bytes.
func readManifestFile(dir string) (*Manifest, []byte, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s: no %s", ErrNotStudy, dir, ManifestFile)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	m, err := parseManifest(path, data)
	return m, data, err
}

// parseManifest decodes a manifest read from path (named in errors).
func parseManifest(path string, data []byte) (*Manifest, error) {
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	if probe.SchemaVersion == nil {
		return nil, fmt.Errorf("%w: %s: no schema_version", ErrNotStudy, path)
	}
	if *probe.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%w: %s: schema version %d, this tool reads version %d", ErrSchema, path, *probe.SchemaVersion, SchemaVersion)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return &m, nil
}

// FilesOf returns the manifest's files of one table (sorted by path).
func (m *Manifest) FilesOf(table string) []FileInfo {
	var out []FileInfo
	for _, f := range m.Files {
		if f.Table == table {
			out = append(out, f)
		}
	}
	return out
}

// PartitionFiles returns the files of a day table (steps or provider_steps)
// in the Hive partition of one scenario and policy, sorted by path (so their
// rows are in run-id order).
func (m *Manifest) PartitionFiles(table, scenario, policy string) []FileInfo {
	prefix := PartitionKey(table, scenario, policy) + "/"
	var out []FileInfo
	for _, f := range m.Files {
		if f.Table == table && strings.HasPrefix(f.Path, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// Names of the derived outputs in a study directory (MODEL-SPEC §8).
const (
	SummaryDir = "summary"     // the summary tables (package aggregate)
	FiguresDir = "figures"     // the report's figures, PNG and SVG
	ReportFile = "report.html" // the report page
)

// Layout gives the paths of a study directory (MODEL-SPEC §8). Data files are
// named per chunk: part-<chunk>.parquet, chunk zero-padded to 6 digits.
type Layout struct {
	Dir string // the study directory, <output_root>/<name>
}

// Manifest returns <dir>/manifest.json.
func (l Layout) Manifest() string { return filepath.Join(l.Dir, ManifestFile) }

// Runs returns the runs table directory.
func (l Layout) Runs() string { return filepath.Join(l.Dir, TableRuns) }

// Steps returns the steps table directory (Hive-partitioned).
func (l Layout) Steps() string { return filepath.Join(l.Dir, TableSteps) }

// ProviderSteps returns the provider_steps table directory (Hive-partitioned).
func (l Layout) ProviderSteps() string { return filepath.Join(l.Dir, TableProviderSteps) }

// Partition returns <table>/scenario=<s>/policy=<p> for a day table
// (PartitionKey under Dir).
func (l Layout) Partition(table, scenario, policy string) string {
	return filepath.Join(l.Dir, filepath.FromSlash(PartitionKey(table, scenario, policy)))
}

// Summary returns the directory of aggregate tables (written by `tokensim report`).
func (l Layout) Summary() string { return filepath.Join(l.Dir, SummaryDir) }

// SummaryFiles returns the paths of summary table name:
// <dir>/summary/<name>.parquet and <dir>/summary/<name>.arrow (Arrow IPC).
func (l Layout) SummaryFiles(name string) (parquetPath, arrowPath string) {
	base := filepath.Join(l.Summary(), name)
	return base + ".parquet", base + ".arrow"
}

// Figures returns the directory of report figures.
func (l Layout) Figures() string { return filepath.Join(l.Dir, FiguresDir) }

// Report returns the path of report.html.
func (l Layout) Report() string { return filepath.Join(l.Dir, ReportFile) }

// ShardsDir holds one progress file per shard process.
func (l Layout) ShardsDir() string { return filepath.Join(l.Dir, "shards") }

// PartName returns the file name of a chunk: part-<chunk>.parquet.
func PartName(chunk int) string { return fmt.Sprintf("part-%06d.parquet", chunk) }
