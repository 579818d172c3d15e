package stats

import (
	"math"

	"github.com/tokensim/tokensim/model"
)

// catalogueV2Metrics describes the runs metrics that MODEL-SPEC-v2 added
// (model.Catalogue entries with Version 2), in the catalogue's order, so that
// aggregates know their family, unit, direction and range.
func catalogueV2Metrics() []MetricInfo {
	var out []MetricInfo
	for _, m := range model.Catalogue() {
		if m.Version != 2 || m.Table != model.TableRuns {
			continue
		}
		mi := MetricInfo{Name: m.Name, Family: string(m.Family), Unit: m.Unit, Label: m.Label,
			NonNegative: m.Lo == 0, LeverOnly: m.LeverOnly != ""}
		if !math.IsNaN(m.Hi) && !math.IsInf(m.Hi, 1) {
			mi.Max = m.Hi
		}
		switch m.Better {
		case model.LowerIsBetter:
			mi.Better = LowerIsBetter
		case model.HigherIsBetter:
			mi.Better = HigherIsBetter
		}
		out = append(out, mi)
	}
	return out
}
