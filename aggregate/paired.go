package aggregate

// PairedDifferences returns policy − baseline of one metric over the
// replicates both cells ran (common random numbers, MODEL-SPEC §3), in the
// policy cell's replicate order, dropping pairs where either value is null.
// policyCell and baseCell are CellStats.Cell; nil when either cell or the
// metric is unknown. These are the d_r whose mean is Effect.MeanDiff.
func (s *Study) PairedDifferences(policyCell, baseCell int, metric string) []float64 {
	if s.runs == nil {
		return nil
	}
	m := s.runs.MetricIndex(metric)
	prow, ok1 := s.rowsOf[policyCell]
	brow, ok2 := s.rowsOf[baseCell]
	if m < 0 || !ok1 || !ok2 {
		return nil
	}
	vals := s.runs.Values[m]
	bRows, pRows := pairRows(s.runs, brow, prow)
	var out []float64
	for k, r := range pRows {
		b, v := vals[bRows[k]], vals[r]
		if isFinite(b) && isFinite(v) {
			out = append(out, v-b)
		}
	}
	return out
}
