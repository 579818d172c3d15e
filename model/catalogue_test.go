package model

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// columnSet returns the set of Parquet column names of the struct row.
func columnSet(row any) map[string]bool {
	set := map[string]bool{}
	for _, c := range columns(reflect.TypeOf(row)) {
		set[c] = true
	}
	return set
}

// TestCatalogueCoversColumns checks that every numeric Summary column has a
// catalogue entry and every runs entry names a Summary column, with a label,
// a description and a sane range.
func TestCatalogueCoversColumns(t *testing.T) {
	cols := columnSet(Summary{})
	stepCols := columnSet(Step{})
	provCols := columnSet(ProviderStep{})
	seen := map[string]bool{}
	for _, m := range Catalogue() {
		key := string(m.Table) + "." + m.Name
		if seen[key] {
			t.Errorf("%s catalogued twice", key)
		}
		seen[key] = true
		switch m.Table {
		case TableRuns:
			if !cols[m.Name] {
				t.Errorf("catalogue names runs column %q that Summary lacks", m.Name)
			}
		case TableSteps:
			if m.Derived == "" && !stepCols[m.Name] {
				t.Errorf("catalogue names steps column %q that Step lacks", m.Name)
			}
		case TableProviderSteps:
			if !provCols[m.Name] {
				t.Errorf("catalogue names provider_steps column %q that ProviderStep lacks", m.Name)
			}
		default:
			t.Errorf("%s: table %q", m.Name, m.Table)
		}
		if m.Label == "" || m.Description == "" || m.Unit == "" {
			t.Errorf("%s: label, description and unit are required", key)
		}
		if strings.Contains(m.Label, "_") {
			t.Errorf("%s: label %q looks like a code name", key, m.Label)
		}
		if !(math.IsNaN(m.Lo) || math.IsNaN(m.Hi)) && m.Lo >= m.Hi {
			t.Errorf("%s: range [%v, %v]", key, m.Lo, m.Hi)
		}
		if m.Version != 1 && m.Version != 2 {
			t.Errorf("%s: version %d", key, m.Version)
		}
	}
	// The data dictionary (dataset.Describe) describes every column of the
	// day tables but their keys from the catalogue.
	for c := range stepCols {
		if c != "run_id" && c != "day" && !seen["steps."+c] {
			t.Errorf("Step column %q has no catalogue entry", c)
		}
	}
	for c := range provCols {
		if c != "run_id" && c != "day" && c != "provider" && !seen["provider_steps."+c] {
			t.Errorf("ProviderStep column %q has no catalogue entry", c)
		}
	}
	for c := range cols {
		if c == "consumer_days" {
			continue // unit of work (MODEL-SPEC §10), not an outcome
		}
		if !seen["runs."+c] {
			t.Errorf("Summary column %q has no catalogue entry", c)
		}
	}
}
