package reports

import (
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestReportMetricsCatalogued: the report's editorial choices (the box-plot
// metrics and the effect chart's primary metric per family, the fan
// variables) name catalogued metrics of the family they are shown in, so
// that their labels, units and sections come from the catalogue.
func TestReportMetricsCatalogued(t *testing.T) {
	for fam, names := range keyMetrics {
		for _, n := range names {
			if m, ok := model.LookupMetric(model.TableRuns, n); !ok || m.Family != fam {
				t.Errorf("key metric %s of %s: catalogue entry %+v, %v", n, fam, m, ok)
			}
		}
	}
	for fam, n := range primaryMetric {
		if m, ok := model.LookupMetric(model.TableRuns, n); !ok || m.Family != fam {
			t.Errorf("primary metric %s of %s: catalogue entry %+v, %v", n, fam, m, ok)
		}
	}
	for _, fd := range fanDefs {
		if m, ok := model.LookupMetric(model.TableSteps, fd.variable); !ok || m.Label == "" || m.Family == "" {
			t.Errorf("fan variable %s: catalogue entry %+v, %v", fd.variable, m, ok)
		}
	}
}
