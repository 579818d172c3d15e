package aggregate

import (
	"math"

	"github.com/tokensim/tokensim/dataset"
)

// SummarySensitivity is the name of the sensitivity summary table:
// WriteSensitivity writes summary/sensitivity.parquet and .arrow.
const SummarySensitivity = "sensitivity"

// WriteSensitivity writes res to dir/summary/sensitivity.parquet and
// sensitivity.arrow (same columns; NaN written as null; temporary name, then
// rename), one row per output × index × factor:
//
//	output, method, index, factor, factor2, estimate, low, high, se, p_value,
//	level, noise_share, within_noise_share, output_mean, output_sd,
//	points_used, design_points, replicates, note
//
// index is S1, ST, S2 (factor2 set) for sobol; mu, mu_star, sigma for morris;
// prcc for lhs_prcc (p_value and the t statistic's df are those of gsa.PRCC). An
// output without indices has one row with index "none" and its note.
//
// Both files carry the study's provenance (dataset.FileMeta.KeyValues) when
// dir has a readable manifest.
func WriteSensitivity(dir string, res *SensitivityResult) error {
	t := sensTable(res)
	if m, err := dataset.ReadManifest(dir); err == nil {
		fm := dataset.FileMeta{ConfigHash: m.ConfigHash, Seed: m.Seed, ToolVersion: m.ToolVersion, Study: m.Study}
		t.meta = summaryMeta(fm, t.name)
	}
	if err := summaryDir(dir); err != nil {
		return err
	}
	return writeTable(dataset.Layout{Dir: dir}, t)
}

func sensTable(res *SensitivityResult) *sumTable {
	t := newSumTable(SummarySensitivity)
	t.declare("s:output", "s:method", "s:index", "s:factor", "s:factor2", "f:estimate", "f:low", "f:high", "f:se",
		"f:p_value", "f:level", "f:noise_share", "f:within_noise_share", "f:output_mean", "f:output_sd",
		"i:points_used", "i:design_points", "i:replicates", "s:note")
	nan := math.NaN()
	for _, o := range res.Outputs {
		row := func(index, f1, f2 string, est, lo, hi, se, p, level float64) {
			t.str("output", o.Output)
			t.str("method", res.Method)
			t.str("index", index)
			t.str("factor", f1)
			t.str("factor2", f2)
			t.num("estimate", est)
			t.num("low", lo)
			t.num("high", hi)
			t.num("se", se)
			t.num("p_value", p)
			t.num("level", level)
			t.num("noise_share", o.NoiseShare)
			t.num("within_noise_share", o.WithinNoiseShare)
			t.num("output_mean", o.Mean)
			t.num("output_sd", o.SD)
			t.int("points_used", int64(o.PointsUsed))
			t.int("design_points", int64(res.DesignPoints))
			t.int("replicates", int64(res.Replicates))
			t.str("note", o.Note)
		}
		switch {
		case o.Sobol != nil:
			s := o.Sobol
			for i, f := range res.Factors {
				row("S1", f.Param, "", s.S1[i], s.S1Low[i], s.S1High[i], s.S1SE[i], nan, s.Level)
			}
			for i, f := range res.Factors {
				row("ST", f.Param, "", s.ST[i], s.STLow[i], s.STHigh[i], s.STSE[i], nan, s.Level)
			}
			if s.S2 != nil {
				for i := range res.Factors {
					for j := i + 1; j < len(res.Factors); j++ {
						row("S2", res.Factors[i].Param, res.Factors[j].Param, s.S2[i][j], s.S2Low[i][j], s.S2High[i][j], s.S2SE[i][j], nan, s.Level)
					}
				}
			}
		case o.Morris != nil:
			m := o.Morris
			for i, f := range res.Factors {
				row("mu", f.Param, "", m.Mu[i], m.MuLow[i], m.MuHigh[i], nan, nan, m.Level)
			}
			for i, f := range res.Factors {
				row("mu_star", f.Param, "", m.MuStar[i], m.MuStarLow[i], m.MuStarHigh[i], nan, nan, m.Level)
			}
			for i, f := range res.Factors {
				row("sigma", f.Param, "", m.Sigma[i], m.SigmaLow[i], m.SigmaHigh[i], nan, nan, m.Level)
			}
		case o.PRCC != nil:
			r := o.PRCC
			for i, f := range res.Factors {
				row("prcc", f.Param, "", r.Coef[i], r.Low[i], r.High[i], nan, r.P[i], r.Level)
			}
		default:
			row("none", "", "", nan, nan, nan, nan, nan, nan)
		}
	}
	return t
}
