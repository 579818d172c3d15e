package model

import "testing"

// TestCataloguePercent: every runs metric whose natural range is [0, 1] (a
// fraction or a share) is stated in percent in running text (Percent), so
// that a new fraction metric cannot be worded as "0.05 fraction".
func TestCataloguePercent(t *testing.T) {
	for _, m := range CatalogueOf(TableRuns) {
		if m.Lo == 0 && m.Hi == 1 && !m.Percent {
			t.Errorf("%s has range [0, 1] but is not marked Percent", m.Name)
		}
	}
}
