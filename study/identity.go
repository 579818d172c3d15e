package study

import (
	"reflect"

	"github.com/goccy/go-yaml"
)

// NonIdentityKeys are the study keys that do not change a study's results:
// where it is written (output_root) and how large it may be (disk_budget_gb).
// They are left out of the study's identity (IdentityYAML), so changing them
// resumes a study instead of making its directory "a different study".
// Everything else in a study file determines the bytes written (name, seed,
// replicates, horizon_days, scenarios, policies, params, sweeps, outputs,
// scenario_defs, policy_defs, chunk_runs, sensitivity) and is part of the
// identity. Command-line settings (-j, --shard, --quiet, -o) are not study
// keys and never enter it.
var NonIdentityKeys = []string{"output_root", "disk_budget_gb"}

// nonIdentityFields are the Study fields of NonIdentityKeys.
var nonIdentityFields = map[string]bool{"OutputRoot": true, "DiskBudgetGB": true}

// IdentityYAML returns the study's identity: ResolvedYAML without the
// NonIdentityKeys. Its SHA-256 is the config hash written to the manifest
// and every data file; a directory holding another config hash is another
// study. It parses back (ParseStudy) to the study with those keys at their
// defaults.
func (s *Study) IdentityYAML() ([]byte, error) {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	var fields []reflect.StructField
	var from []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || nonIdentityFields[f.Name] {
			continue
		}
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
		from = append(from, i)
	}
	id := reflect.New(reflect.StructOf(fields)).Elem()
	for j, i := range from {
		id.Field(j).Set(v.Field(i))
	}
	return yaml.MarshalWithOptions(id.Interface(), yaml.Indent(2), yaml.IndentSequence(true),
		yaml.CustomMarshaler[float64](marshalFloat))
}
