package dataset

import (
	"math"
	"strings"

	"github.com/tokensim/tokensim/model"
)

// nonMetricColumns are numeric runs columns that are not outcome metrics:
// consumer_days is the unit of work (MODEL-SPEC §10); wall_ms and
// duration_ms are timings some writers add.
var nonMetricColumns = map[string]bool{
	"consumer_days": true,
	"wall_ms":       true,
	"duration_ms":   true,
}

// metricColumns returns the metrics among the non-key runs columns present:
// catalogued ones (model.Catalogue, table runs) first in catalogue order,
// then uncatalogued numeric columns (model.FamilyOther, labelled by their
// name) in column order. Sweep columns (isSweep, or a dotted name) and
// non-metric columns are left out.
func metricColumns(present []string, isSweep map[string]bool) []model.Metric {
	have := map[string]bool{}
	for _, c := range present {
		have[c] = true
	}
	var out []model.Metric
	known := map[string]bool{}
	for _, m := range model.Catalogue() {
		if m.Table != model.TableRuns {
			continue
		}
		known[m.Name] = true
		if have[m.Name] {
			out = append(out, m)
		}
	}
	for _, c := range present {
		if known[c] || isSweep[c] || nonMetricColumns[c] || strings.Contains(c, ".") {
			continue
		}
		out = append(out, model.Metric{Name: c, Table: model.TableRuns, Family: model.FamilyOther, Label: c, Lo: math.NaN(), Hi: math.NaN()})
	}
	return out
}
