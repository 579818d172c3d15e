package study

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
)

// ErrStudy is wrapped by every error about a study file or a Study value: a
// parse error, an unknown key, a wrong type or an invalid value.
var ErrStudy = errors.New("invalid study")

// Study is a study file (MODEL-SPEC §9): what to run and what to write.
// Every key but Name has a default (DefaultStudy); unknown keys are errors.
//
// Params holds the fully resolved base parameters: model.Default() with the
// file's `params:` overrides applied (by the spec's dotted names, so an unknown
// key under `params:` is an error too). Scenarios and policies are built-in
// names (model.Scenarios, model.Policies) or names defined in ScenarioDefs and
// PolicyDefs. A cell's parameters are Params, then its scenario's overrides,
// then its policy's, then its sweep values.
type Study struct {
	Name        string       `yaml:"name" json:"name"`
	Seed        uint64       `yaml:"seed" json:"seed"`
	Replicates  int          `yaml:"replicates" json:"replicates"`     // runs per cell, ≥ 1
	HorizonDays int          `yaml:"horizon_days" json:"horizon_days"` // days per run, ≥ 1
	Scenarios   []string     `yaml:"scenarios" json:"scenarios"`
	Policies    []string     `yaml:"policies" json:"policies"`
	Params      model.Params `yaml:"params" json:"params"`
	// Sweeps is an optional grid crossed with scenarios × policies; the first
	// sweep varies slowest.
	Sweeps  []Sweep         `yaml:"sweeps" json:"sweeps"`
	Outputs dataset.Outputs `yaml:"outputs" json:"outputs"`
	// OutputRoot: the study is written to <OutputRoot>/<Name>/ (the CLI's -o overrides it).
	OutputRoot   string                 `yaml:"output_root" json:"output_root"`
	ScenarioDefs map[string]ScenarioDef `yaml:"scenario_defs,omitempty" json:"scenario_defs,omitempty"`
	PolicyDefs   map[string]PolicyDef   `yaml:"policy_defs,omitempty" json:"policy_defs,omitempty"`
	// DiskBudgetGB: a study whose estimated size exceeds this many GB (10⁹
	// bytes) is refused before anything is written; 0 = no limit.
	DiskBudgetGB float64 `yaml:"disk_budget_gb" json:"disk_budget_gb"`
	// ChunkRuns is the number of consecutive runs written together as one
	// chunk, the unit of resumption and sharding (0: dataset.DefaultChunkRuns).
	ChunkRuns int `yaml:"chunk_runs,omitempty" json:"chunk_runs,omitempty"`
	// Sensitivity, when present, makes this a global sensitivity study
	// (see SensitivitySpec).
	Sensitivity *SensitivitySpec `yaml:"sensitivity,omitempty" json:"sensitivity,omitempty"`

	file string        // file name used in error messages
	pos  map[string]at // field path → position in the file
}

// Sweep is one axis of the sweep grid: a parameter by its dotted path
// (model.ParamPaths) and the values it takes. Values are numbers; an integer
// parameter takes whole numbers only.
type Sweep struct {
	Param  string    `yaml:"param" json:"param"`
	Values []float64 `yaml:"values" json:"values"`
}

// ScenarioDef is a user-defined scenario: optionally a built-in scenario to
// start from (BasedOn), parameter overrides (nested like `params:`), and a
// schedule. A non-empty BaseRegime, Regimes or Shocks replaces the based-on
// scenario's.
type ScenarioDef struct {
	BasedOn    string             `yaml:"based_on,omitempty" json:"based_on,omitempty"`
	Params     Overrides          `yaml:"params,omitempty" json:"params,omitempty"`
	BaseRegime string             `yaml:"base_regime,omitempty" json:"base_regime,omitempty"`
	Regimes    []model.RegimeSpan `yaml:"regimes,omitempty" json:"regimes,omitempty"`
	Shocks     []model.Shock      `yaml:"shocks,omitempty" json:"shocks,omitempty"`
	// ReserveEvents (MODEL-SPEC-v2 §A.4: impairments, redemption_halts,
	// backstop_days) replace the based-on scenario's when any is given.
	model.ReserveEvents `yaml:",inline"`
}

// PolicyDef is a user-defined policy variant: optionally a built-in variant to
// start from (BasedOn) and parameter overrides (nested like `params:`).
type PolicyDef struct {
	BasedOn string    `yaml:"based_on,omitempty" json:"based_on,omitempty"`
	Params  Overrides `yaml:"params,omitempty" json:"params,omitempty"`
}

// Overrides is a list of parameter overrides by dotted path, written in a
// study file as a nested mapping (`network: {effect: 0.8}`), sorted by path.
type Overrides []model.Override

// nested returns the overrides as nested maps (for YAML and JSON output).
func (o Overrides) nested() map[string]any {
	root := map[string]any{}
	for _, ov := range o {
		parts := strings.Split(ov.Path, ".")
		m := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = ov.Value
	}
	return root
}

// MarshalYAML writes the overrides as a nested mapping.
func (o Overrides) MarshalYAML() (any, error) { return o.nested(), nil }

// MarshalJSON writes the overrides as a nested object (keys sorted).
func (o Overrides) MarshalJSON() ([]byte, error) { return dataset.MarshalJSON(o.nested()) }

// at is a position in a study file.
type at struct{ line, col int }

// Default values of a study (DefaultStudy).
const (
	DefaultSeed         = 20261121
	DefaultReplicates   = 100
	DefaultHorizonDays  = 365
	DefaultOutputRoot   = "out"
	DefaultDiskBudgetGB = 50
)

// DefaultStudy returns the defaults of every study key (MODEL-SPEC §9): all
// four scenarios × none, fund, share_cap, all, 100 replicates of 365 days,
// steps on, provider_steps off, output root "out". Its Name is "default".
func DefaultStudy() *Study {
	return &Study{
		Name:         "default",
		Seed:         DefaultSeed,
		Replicates:   DefaultReplicates,
		HorizonDays:  DefaultHorizonDays,
		Scenarios:    model.ScenarioNames(),
		Policies:     []string{model.PolicyNone, model.PolicyFund, model.PolicyShareCap, model.PolicyAll},
		Params:       model.Default(),
		Outputs:      dataset.Outputs{Steps: true, ProviderSteps: false, RecordEveryDays: 1},
		OutputRoot:   DefaultOutputRoot,
		DiskBudgetGB: DefaultDiskBudgetGB,
	}
}

// LoadStudy reads and parses a study file; see ParseStudy.
func LoadStudy(path string) (*Study, error) {
	data, err := readStudyFile(path)
	if err != nil {
		return nil, err
	}
	return ParseStudy(path, data)
}

// studyFile is the strict decoding target of a study file; `params:` blocks
// are kept as syntax trees and applied by dotted path (applyParams).
type studyFile struct {
	Name         string                   `yaml:"name"`
	Seed         uint64                   `yaml:"seed"`
	Replicates   int                      `yaml:"replicates"`
	HorizonDays  int                      `yaml:"horizon_days"`
	Scenarios    []string                 `yaml:"scenarios"`
	Policies     []string                 `yaml:"policies"`
	Params       ast.Node                 `yaml:"params"`
	Sweeps       []Sweep                  `yaml:"sweeps"`
	Outputs      dataset.Outputs          `yaml:"outputs"`
	OutputRoot   string                   `yaml:"output_root"`
	ScenarioDefs map[string]scenarioDefIn `yaml:"scenario_defs"`
	PolicyDefs   map[string]policyDefIn   `yaml:"policy_defs"`
	DiskBudgetGB float64                  `yaml:"disk_budget_gb"`
	ChunkRuns    int                      `yaml:"chunk_runs"`
	Sensitivity  *SensitivitySpec         `yaml:"sensitivity"`
}

type scenarioDefIn struct {
	BasedOn    string             `yaml:"based_on"`
	Params     ast.Node           `yaml:"params"`
	BaseRegime string             `yaml:"base_regime"`
	Regimes    []model.RegimeSpan `yaml:"regimes"`
	Shocks     []model.Shock      `yaml:"shocks"`
	// MODEL-SPEC-v2 §A.4 reserve events: impairments, redemption_halts, backstop_days.
	model.ReserveEvents `yaml:",inline"`
}

type policyDefIn struct {
	BasedOn string   `yaml:"based_on"`
	Params  ast.Node `yaml:"params"`
}

// ParseStudy parses a study file's bytes; name is the file name used in error
// messages. Keys missing from the file take DefaultStudy's values. Decoding is
// strict: an unknown key, a wrong type (including a fraction where a whole
// number is expected) or an invalid value is an error wrapping ErrStudy of the
// form "file:line:column: field.path: problem". The parsed study is validated
// (Validate) before it is returned.
func ParseStudy(name string, data []byte) (*Study, error) {
	if len(data) > MaxStudyBytes {
		return nil, fmt.Errorf("%w: %s: %d bytes: a study file is at most %d bytes", ErrStudy, name, len(data), MaxStudyBytes)
	}
	data = stripBOM(data)
	var file *ast.File
	err := decodeSafely(name, func() (err error) { file, err = parser.ParseBytes(data, 0); return err })
	if err != nil {
		return nil, yamlError(name, nil, err)
	}
	pos := map[string]at{}
	byPos := map[at]string{}
	for _, doc := range file.Docs {
		if doc.Body != nil {
			indexPaths(doc.Body, "", pos, byPos)
		}
	}
	if len(file.Docs) > 1 {
		return nil, fmt.Errorf("%w: %s: a study file holds one YAML document, found %d", ErrStudy, name, len(file.Docs))
	}
	def := DefaultStudy()
	in := studyFile{
		Seed: def.Seed, Replicates: def.Replicates, HorizonDays: def.HorizonDays,
		Scenarios: def.Scenarios, Policies: def.Policies, Outputs: def.Outputs,
		OutputRoot: def.OutputRoot, DiskBudgetGB: def.DiskBudgetGB,
	}
	if len(file.Docs) == 1 && file.Docs[0].Body != nil {
		tagCheck := &Study{file: name}
		if err := decodeSafely(name, func() error { return tagCheck.rejectTags(file.Docs[0].Body, byPos) }); err != nil {
			return nil, err
		}
		body := fixFloats(file.Docs[0].Body)
		if err := nodeToValue(name, body, &in, yaml.Strict()); err != nil {
			return nil, yamlError(name, byPos, err)
		}
	}
	s := &Study{
		Name: in.Name, Seed: in.Seed, Replicates: in.Replicates, HorizonDays: in.HorizonDays,
		Scenarios: in.Scenarios, Policies: in.Policies, Sweeps: in.Sweeps, Outputs: in.Outputs,
		OutputRoot: in.OutputRoot, DiskBudgetGB: in.DiskBudgetGB, Sensitivity: in.Sensitivity, ChunkRuns: in.ChunkRuns,
		Params: model.Default(), file: name, pos: pos,
	}
	// The decoder truncates fractions into integer fields; refuse them.
	for _, path := range []string{"replicates", "horizon_days", "seed", "outputs.record_every_days", "chunk_runs"} {
		if p, ok := pos[path]; ok {
			if n := nodeAt(file, path); n != nil && n.Type() != ast.IntegerType {
				return nil, s.errAt(p, path, "%s", wholeNumberMsg(n))
			}
		}
	}
	if in.Params != nil {
		ovs, table, err := s.flatten(in.Params, "params", true)
		if err != nil {
			return nil, err
		}
		// model.version selects the base the other overrides apply to.
		for _, o := range ovs {
			if o.Path != "model.version" {
				continue
			}
			v, ok := o.Value.(uint64)
			base, err := model.DefaultFor(int(v))
			if !ok || err != nil {
				return nil, s.errAt(pos["params.model.version"], "params.model.version", "must be 1 or 2, got %v", o.Value)
			}
			s.Params = base
		}
		if table != nil {
			s.Params.Providers.Table = table
		}
		for _, o := range ovs {
			if err := model.SetParam(&s.Params, o.Path, o.Value); err != nil {
				return nil, withCause(s.errAt(pos["params."+o.Path], "params."+o.Path, "%v", paramErr(err, o.Path)), err)
			}
		}
	}
	if len(in.ScenarioDefs) > 0 {
		s.ScenarioDefs = map[string]ScenarioDef{}
		for name, d := range in.ScenarioDefs {
			field := "scenario_defs." + name + ".params"
			ovs, _, err := s.flatten(d.Params, field, false)
			if err != nil {
				return nil, err
			}
			s.ScenarioDefs[name] = ScenarioDef{BasedOn: d.BasedOn, Params: ovs, BaseRegime: d.BaseRegime,
				Regimes: d.Regimes, Shocks: d.Shocks, ReserveEvents: d.ReserveEvents}
		}
	}
	if len(in.PolicyDefs) > 0 {
		s.PolicyDefs = map[string]PolicyDef{}
		for name, d := range in.PolicyDefs {
			ovs, _, err := s.flatten(d.Params, "policy_defs."+name+".params", false)
			if err != nil {
				return nil, err
			}
			s.PolicyDefs[name] = PolicyDef{BasedOn: d.BasedOn, Params: ovs}
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// sciNumber matches numbers in scientific notation without a decimal point
// ("2e7", "1e-06"), which YAML 1.2's core schema reads as floats but
// goccy/go-yaml (like YAML 1.1) reads as strings.
var sciNumber = regexp.MustCompile(`^[-+]?[0-9]+[eE][-+]?[0-9]+$`)

// fixFloats replaces unquoted scalars in scientific notation by float nodes,
// in place, and returns n (or its replacement).
func fixFloats(n ast.Node) ast.Node {
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			mv.Value = fixFloats(mv.Value)
		}
	case *ast.MappingValueNode:
		v.Value = fixFloats(v.Value)
	case *ast.SequenceNode:
		for i := range v.Values {
			v.Values[i] = fixFloats(v.Values[i])
		}
	case *ast.AnchorNode:
		v.Value = fixFloats(v.Value)
	case *ast.TagNode:
		v.Value = fixFloats(v.Value)
	case *ast.StringNode:
		if v.Token != nil && v.Token.Type == token.StringType && sciNumber.MatchString(v.Value) {
			if f, err := strconv.ParseFloat(v.Value, 64); err == nil {
				v.Token.Type = token.FloatType
				return &ast.FloatNode{BaseNode: &ast.BaseNode{}, Token: v.Token, Value: f}
			}
		}
	}
	return n
}

// nodeAt returns the node at a dotted field path of the (single) document.
func nodeAt(f *ast.File, path string) ast.Node {
	p, err := yaml.PathString("$." + path)
	if err != nil {
		return nil
	}
	n, err := p.FilterFile(f)
	if err != nil {
		return nil
	}
	return n
}

// flatten turns a nested `params:` mapping into dotted-path overrides sorted
// by path, checking each path against the model's parameters. A sequence under
// providers.table (allowed only when allowTable) replaces the provider table.
func (s *Study) flatten(n ast.Node, field string, allowTable bool) (Overrides, []model.ProviderSpec, error) {
	if n == nil {
		return nil, nil, nil
	}
	if _, ok := n.(*ast.NullNode); ok {
		return nil, nil, nil
	}
	var out Overrides
	var table []model.ProviderSpec
	var walk func(n ast.Node, path string) error
	walk = func(n ast.Node, path string) error {
		here := s.position(n)
		fieldPath := field
		if path != "" {
			fieldPath += "." + path
		}
		switch v := n.(type) {
		case *ast.MappingNode:
			for _, mv := range v.Values {
				key := keyName(mv.Key)
				if err := walk(mv.Value, join(path, key)); err != nil {
					return err
				}
			}
			return nil
		case *ast.MappingValueNode:
			key := keyName(v.Key)
			return walk(v.Value, join(path, key))
		case *ast.SequenceNode:
			if path == "providers.table" && allowTable {
				var rows []model.ProviderSpec
				if err := nodeToValue(s.file, v, &rows, yaml.Strict()); err != nil {
					return s.errAt(here, fieldPath, "%v", yamlMessage(err))
				}
				table = rows
				return nil
			}
			if path == "providers.table" {
				return s.errAt(here, fieldPath, "a provider table cannot be replaced here; set rows by name (providers.table.<name>.<field>)")
			}
			return s.errAt(here, fieldPath, "want a single value or a mapping, got a list")
		case *ast.AnchorNode:
			return walk(v.Value, path)
		case *ast.TagNode:
			return walk(v.Value, path)
		}
		if path == "" {
			return s.errAt(here, fieldPath, "want a mapping of parameter groups, got %s", strings.TrimSpace(n.String()))
		}
		var val any
		if err := nodeToValue(s.file, n, &val); err != nil {
			return s.errAt(here, fieldPath, "%v", yamlMessage(err))
		}
		if val == nil {
			return s.errAt(here, fieldPath, "missing value")
		}
		// Check the path and the value's type against a scratch copy.
		scratch := model.Default()
		if err := model.SetParam(&scratch, path, val); err != nil {
			return withCause(s.errAt(here, fieldPath, "%v", paramErr(err, path)), err)
		}
		out = append(out, model.Override{Path: path, Value: val})
		return nil
	}
	if err := walk(n, ""); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, table, nil
}

// paramErr drops the "param <path>: " prefix of a model.SetParam error when
// the message already names the field.
func paramErr(err error, path string) string {
	return strings.TrimPrefix(err.Error(), "param "+path+": ")
}

// paramsErr reports an invalid base parameter set at the position of the
// parameter the model's message starts with, when the file sets it.
func (s *Study) paramsErr(err error) error {
	msg := err.Error()
	for _, path := range model.ParamPaths(&s.Params) {
		if strings.HasPrefix(msg, path+" ") || strings.HasPrefix(msg, path+":") {
			if p, ok := s.pos["params."+path]; ok {
				return withCause(s.errAt(p, "params."+path, "%s", msg), err)
			}
		}
	}
	return withCause(s.fieldErr("params", "%s", msg), err)
}

// causeErr is a study error (ErrStudy, at a file position) that restates a
// model error's message and keeps that error matchable with errors.Is
// (e.g. model.ErrInvalidParam, model.ErrUnknownParam).
type causeErr struct{ err, cause error }

func (e causeErr) Error() string   { return e.err.Error() }
func (e causeErr) Unwrap() []error { return []error{e.err, e.cause} }

func withCause(err, cause error) error { return causeErr{err, cause} }

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func (s *Study) position(n ast.Node) at {
	if n == nil || n.GetToken() == nil {
		return at{}
	}
	p := n.GetToken().Position
	return at{p.Line, p.Column}
}

// errAt formats a study error at a position (omitted when unknown).
func (s *Study) errAt(p at, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	file := s.file
	if file == "" {
		file = "study"
	}
	if p.line > 0 {
		return fmt.Errorf("%w: %s:%d:%d: %s: %s", ErrStudy, file, p.line, p.col, field, msg)
	}
	return fmt.Errorf("%w: %s: %s: %s", ErrStudy, file, field, msg)
}

// fieldErr formats a study error for a field path, with its position if known.
// A field absent from the file (a required key left out of its block) is
// placed at its nearest enclosing key that is present, e.g. the
// `sensitivity:` line for a missing sensitivity.samples.
func (s *Study) fieldErr(field, format string, args ...any) error {
	p, ok := s.pos[field]
	for f := field; !ok && f != ""; {
		if i := strings.LastIndexAny(f, ".["); i >= 0 {
			f = f[:i]
		} else {
			f = ""
		}
		p, ok = s.pos[f]
	}
	return s.errAt(p, field, format, args...)
}

// indexPaths records the position of every key and value under its field path
// (mapping keys joined by ".", sequence items as "[i]"), and the reverse map.
func indexPaths(n ast.Node, path string, pos map[string]at, byPos map[at]string) {
	if n == nil {
		return
	}
	mark := func(tk ast.Node, p string) {
		if tk == nil || tk.GetToken() == nil {
			return
		}
		q := at{tk.GetToken().Position.Line, tk.GetToken().Position.Column}
		if _, ok := pos[p]; !ok {
			pos[p] = q
		}
		if _, ok := byPos[q]; !ok {
			byPos[q] = p
		}
	}
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			indexPaths(mv, path, pos, byPos)
		}
	case *ast.MappingValueNode:
		p := join(path, keyName(v.Key))
		if _, isMap := v.Value.(*ast.MappingNode); isMap {
			mark(v.Key, p)
		}
		mark(v.Value, p)
		mark(v.Key, p)
		indexPaths(v.Value, p, pos, byPos)
	case *ast.SequenceNode:
		for i, item := range v.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			mark(item, p)
			indexPaths(item, p, pos, byPos)
		}
	case *ast.AnchorNode:
		indexPaths(v.Value, path, pos, byPos)
	case *ast.TagNode:
		indexPaths(v.Value, path, pos, byPos)
	}
}

// yamlError converts a goccy/go-yaml error into "file:line:col: field: message".
func yamlError(file string, byPos map[at]string, err error) error {
	if errors.Is(err, ErrStudy) {
		return err // already placed (decodeSafely)
	}
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		field := byPos[at{p.Line, p.Column}]
		msg := ye.GetMessage()
		var te *yaml.TypeError
		if errors.As(err, &te) && te.DstType != nil {
			msg = fmt.Sprintf("want %s, got %s", kindName(te.DstType), strings.TrimSpace(ye.GetToken().Value))
		}
		var oe *yaml.OverflowError
		if errors.As(err, &oe) && oe.DstType != nil {
			msg = fmt.Sprintf("%s is out of range for %s", oe.SrcNum, kindName(oe.DstType))
		}
		if field != "" {
			return fmt.Errorf("%w: %s:%d:%d: %s: %s", ErrStudy, file, p.Line, p.Column, field, msg)
		}
		return fmt.Errorf("%w: %s:%d:%d: %s", ErrStudy, file, p.Line, p.Column, msg)
	}
	return fmt.Errorf("%w: %s: %w", ErrStudy, file, err)
}

// kindName describes what a Go type expects in YAML terms.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number ≥ 0"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return t.String()
}

// yamlMessage is the message of a goccy/go-yaml error without its source excerpt.
func yamlMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}

// namePattern is what scenario, policy and study names may contain: they
// become directory names (Hive partitions) in the dataset.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ValidName reports whether name may name a study, scenario or policy (a
// directory name of the dataset: letters, digits, "_", "." and "-", not
// starting with a punctuation character).
func ValidName(name string) bool { return namePattern.MatchString(name) }

// Validate checks the study: a valid name; seed, replicates ≥ 1, horizon ≥ 1;
// non-empty scenario and policy lists of known, distinct names; definitions
// that resolve; sweeps over existing parameters with valid values; and every
// cell's resolved parameters valid (model.Params.Validate). Errors wrap
// ErrStudy and name the field (and its file position when parsed from a file).
func (s *Study) Validate() error {
	if s.Name == "" {
		return s.fieldErr("name", "missing: every study needs a name (its directory under the output root)")
	}
	if !namePattern.MatchString(s.Name) {
		return s.fieldErr("name", "%q: use letters, digits, '_', '.', '-' (it names a directory)", s.Name)
	}
	if s.Replicates < 1 {
		return s.fieldErr("replicates", "%d: must be at least 1", s.Replicates)
	}
	if s.Replicates > 1<<30 {
		return s.fieldErr("replicates", "%d: too many (at most %d)", s.Replicates, 1<<30)
	}
	if s.HorizonDays < 1 || s.HorizonDays > 100*365 {
		return s.fieldErr("horizon_days", "%d: must be between 1 and %d", s.HorizonDays, 100*365)
	}
	if s.Outputs.RecordEveryDays < 1 {
		return s.fieldErr("outputs.record_every_days", "%d: must be at least 1", s.Outputs.RecordEveryDays)
	}
	if s.DiskBudgetGB < 0 || math.IsNaN(s.DiskBudgetGB) {
		return s.fieldErr("disk_budget_gb", "%v: must be ≥ 0 (0 = no limit)", s.DiskBudgetGB)
	}
	if s.ChunkRuns < 0 || s.ChunkRuns > 1<<20 {
		return s.fieldErr("chunk_runs", "%d: must be between 1 and %d (0 = %d)", s.ChunkRuns, 1<<20, dataset.DefaultChunkRuns)
	}
	if s.OutputRoot == "" {
		return s.fieldErr("output_root", "must not be empty")
	}
	if err := s.Params.Validate(); err != nil {
		return s.paramsErr(err)
	}
	for name, d := range s.ScenarioDefs {
		f := "scenario_defs." + name
		if !namePattern.MatchString(name) {
			return s.fieldErr(f, "%q: use letters, digits, '_', '.', '-' (it names a directory)", name)
		}
		if _, ok := model.Scenarios()[name]; ok {
			return s.fieldErr(f, "%q is a built-in scenario; choose another name (or use based_on: %s)", name, name)
		}
		if d.BasedOn != "" {
			if _, ok := model.Scenarios()[d.BasedOn]; !ok {
				return s.fieldErr(f+".based_on", "unknown built-in scenario %q (known: %s)", d.BasedOn, strings.Join(model.ScenarioNames(), ", "))
			}
		}
	}
	for name, d := range s.PolicyDefs {
		f := "policy_defs." + name
		if !namePattern.MatchString(name) {
			return s.fieldErr(f, "%q: use letters, digits, '_', '.', '-' (it names a directory)", name)
		}
		if _, ok := model.Policies()[name]; ok {
			return s.fieldErr(f, "%q is a built-in policy variant; choose another name (or use based_on: %s)", name, name)
		}
		if d.BasedOn != "" {
			if _, ok := model.Policies()[d.BasedOn]; !ok {
				return s.fieldErr(f+".based_on", "unknown built-in policy variant %q (known: %s)", d.BasedOn, strings.Join(model.PolicyNames(), ", "))
			}
		}
	}
	if len(s.Scenarios) == 0 {
		return s.fieldErr("scenarios", "empty: list at least one scenario (built-in: %s)", strings.Join(model.ScenarioNames(), ", "))
	}
	if len(s.Policies) == 0 {
		return s.fieldErr("policies", "empty: list at least one policy variant (built-in: %s)", strings.Join(model.PolicyNames(), ", "))
	}
	for i, name := range s.Scenarios {
		f := fmt.Sprintf("scenarios[%d]", i)
		if _, err := s.Scenario(name); err != nil {
			return withCause(s.fieldErr(f, "%v", err), err)
		}
		if slices.Index(s.Scenarios, name) != i {
			return s.fieldErr(f, "scenario %q listed twice", name)
		}
	}
	for i, name := range s.Policies {
		f := fmt.Sprintf("policies[%d]", i)
		if _, err := s.Policy(name); err != nil {
			return withCause(s.fieldErr(f, "%v", err), err)
		}
		if slices.Index(s.Policies, name) != i {
			return s.fieldErr(f, "policy %q listed twice", name)
		}
	}
	seen := map[string]bool{}
	for i, sw := range s.Sweeps {
		f := fmt.Sprintf("sweeps[%d]", i)
		if sw.Param == "" {
			return s.fieldErr(f+".param", "missing: name a parameter by its dotted path, e.g. share_cap.cap")
		}
		if seen[sw.Param] {
			return s.fieldErr(f+".param", "%s swept twice", sw.Param)
		}
		seen[sw.Param] = true
		v, err := model.GetParam(&s.Params, sw.Param)
		if err != nil {
			return withCause(s.fieldErr(f+".param", "%v", err), err)
		}
		switch v.(type) {
		case float64, int:
		default:
			return s.fieldErr(f+".param", "%s is a %T parameter; sweeps take numeric parameters", sw.Param, v)
		}
		if len(sw.Values) == 0 {
			return s.fieldErr(f+".values", "empty: give at least one value")
		}
		// One scratch copy per sweep: each value overwrites the last, so a
		// long list costs no memory per value.
		p := s.Params.Clone()
		for j, x := range sw.Values {
			if err := model.SetParam(&p, sw.Param, x); err != nil {
				return withCause(s.fieldErr(fmt.Sprintf("%s.values[%d]", f, j), "%v", paramErr(err, sw.Param)), err)
			}
			if err := p.Validate(); err != nil {
				return withCause(s.fieldErr(fmt.Sprintf("%s.values[%d]", f, j), "%v", err), err)
			}
		}
	}
	if err := s.checkSize(); err != nil {
		return err
	}
	// Every cell must resolve to valid parameters.
	for _, sn := range s.Scenarios {
		sc, _ := s.Scenario(sn)
		if err := s.checkSchedule(sn, sc.Schedule); err != nil {
			return err
		}
		for _, pn := range s.Policies {
			pol, _ := s.Policy(pn)
			p, err := model.Resolve(s.Params, sc, pol)
			if err != nil {
				return withCause(s.fieldErr("scenarios", "%v", err), err)
			}
			if err := p.Validate(); err != nil {
				return withCause(s.fieldErr("scenarios", "scenario %s × policy %s: %v", sn, pn, err), err)
			}
		}
	}
	if err := s.checkUnlistedDefs(); err != nil {
		return err
	}
	if s.Sensitivity != nil {
		if err := s.Sensitivity.ValidateIn(s); err != nil {
			return err
		}
	}
	return nil
}

// checkSchedule checks that a scenario's regimes exist and its days are sane.
func (s *Study) checkSchedule(name string, sch model.Schedule) error {
	f := "scenario_defs." + name
	has := func(r string) bool { _, ok := s.Params.Market.Regimes[r]; return ok }
	if !has(sch.BaseRegime) {
		return s.fieldErr(f+".base_regime", "scenario %s: regime %q is not defined under params.market.regimes", name, sch.BaseRegime)
	}
	for i, r := range sch.Regimes {
		if !has(r.Regime) {
			return s.fieldErr(fmt.Sprintf("%s.regimes[%d].regime", f, i), "scenario %s: regime %q is not defined under params.market.regimes", name, r.Regime)
		}
		if r.FromDay < 1 || r.ToDay < r.FromDay {
			return s.fieldErr(fmt.Sprintf("%s.regimes[%d]", f, i), "scenario %s: days %d..%d: want 1 ≤ from_day ≤ to_day", name, r.FromDay, r.ToDay)
		}
	}
	for i, sh := range sch.Shocks {
		if sh.Day < 1 || sh.DurationDays < 1 || sh.Size <= -1 || math.IsNaN(sh.Size) || math.IsInf(sh.Size, 0) {
			return s.fieldErr(fmt.Sprintf("%s.shocks[%d]", f, i), "scenario %s: want day ≥ 1, duration_days ≥ 1 and size > −1 (a fraction), got %+v", name, sh)
		}
	}
	if err := model.ValidateSchedule(model.Schedule{BaseRegime: sch.BaseRegime, ReserveEvents: sch.ReserveEvents}, &s.Params); err != nil {
		return s.fieldErr(f, "scenario %s: %v", name, err) // MODEL-SPEC-v2 §A.4 reserve events
	}
	return nil
}

// Scenario returns the named scenario: a built-in one (model.Scenarios) or
// one defined in ScenarioDefs.
func (s *Study) Scenario(name string) (model.Scenario, error) {
	if sc, ok := model.Scenarios()[name]; ok {
		return sc, nil
	}
	d, ok := s.ScenarioDefs[name]
	if !ok {
		known := append(model.ScenarioNames(), sortedKeys(s.ScenarioDefs)...)
		return model.Scenario{}, fmt.Errorf("unknown scenario %q (known: %s; or define it under scenario_defs)", name, strings.Join(known, ", "))
	}
	sc := model.Scenario{Name: name, Schedule: model.Schedule{BaseRegime: model.RegimePegged}}
	if d.BasedOn != "" {
		base, ok := model.Scenarios()[d.BasedOn]
		if !ok {
			return model.Scenario{}, fmt.Errorf("scenario %s: unknown based_on %q", name, d.BasedOn)
		}
		sc.Overrides = append(sc.Overrides, base.Overrides...)
		sc.Schedule = base.Schedule
	}
	sc.Overrides = append(sc.Overrides, d.Params...)
	if d.BaseRegime != "" {
		sc.Schedule.BaseRegime = d.BaseRegime
	}
	if len(d.Regimes) > 0 {
		sc.Schedule.Regimes = d.Regimes
	}
	if len(d.Shocks) > 0 {
		sc.Schedule.Shocks = d.Shocks
	}
	if ev := d.ReserveEvents; len(ev.Impairments)+len(ev.RedemptionHalts)+len(ev.BackstopDays) > 0 {
		sc.Schedule.ReserveEvents = ev
	}
	return sc, nil
}

// Policy returns the named policy variant: a built-in one (model.Policies) or
// one defined in PolicyDefs.
func (s *Study) Policy(name string) (model.Policy, error) {
	if p, ok := model.Policies()[name]; ok {
		return p, nil
	}
	d, ok := s.PolicyDefs[name]
	if !ok {
		known := append(model.PolicyNames(), sortedKeys(s.PolicyDefs)...)
		return model.Policy{}, fmt.Errorf("unknown policy variant %q (known: %s; or define it under policy_defs)", name, strings.Join(known, ", "))
	}
	pol := model.Policy{Name: name}
	if d.BasedOn != "" {
		base, ok := model.Policies()[d.BasedOn]
		if !ok {
			return model.Policy{}, fmt.Errorf("policy %s: unknown based_on %q", name, d.BasedOn)
		}
		pol.Overrides = append(pol.Overrides, base.Overrides...)
	}
	pol.Overrides = append(pol.Overrides, d.Params...)
	return pol, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ResolvedYAML returns the study with every default filled in, as YAML with
// sorted map keys: the canonical form whose SHA-256 is the config hash. It
// parses back (ParseStudy) to an equivalent study.
func (s *Study) ResolvedYAML() ([]byte, error) {
	return yaml.MarshalWithOptions(s, yaml.Indent(2), yaml.IndentSequence(true),
		yaml.CustomMarshaler[float64](marshalFloat))
}

// marshalFloat writes a float so that YAML 1.1 and 1.2 readers alike read it
// back as the same float: shortest round-trip digits, always with a decimal
// point before an exponent ("2.0e+07"), .inf/.nan for the special values.
func marshalFloat(f float64) ([]byte, error) {
	switch {
	case math.IsInf(f, 1):
		return []byte(".inf"), nil
	case math.IsInf(f, -1):
		return []byte("-.inf"), nil
	case math.IsNaN(f):
		return []byte(".nan"), nil
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if i := strings.IndexAny(s, "e"); i >= 0 && !strings.Contains(s[:i], ".") {
		s = s[:i] + ".0" + s[i:]
	} else if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return []byte(s), nil
}
