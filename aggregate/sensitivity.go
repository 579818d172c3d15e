package aggregate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/gsa"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

// ErrNotSensitivity is returned (wrapped) by SensitivityFromDir for a study
// without a `sensitivity:` block.
var ErrNotSensitivity = errors.New("not a sensitivity study")

// SensitivityResult holds the indices of a sensitivity study, one
// SensitivityOutput per requested output, in the spec's order.
type SensitivityResult struct {
	Study        string
	Method       string
	Scenario     string
	Policy       string
	Factors      []study.Factor
	DesignPoints int     // planned design points (cells)
	Replicates   int     // planned replicates per point
	Runs         int     // runs found in the runs table for the design
	Level        float64 // confidence level of the intervals
	Resamples    int     // bootstrap resamples (gsa.Sobol, Morris)
	Outputs      []SensitivityOutput
}

// SensitivityOutput holds one output's indices. The indices are computed on
// the replicate means ȳ_p of the design points (Mean and SD describe those
// means). Exactly one of gsa.Sobol, Morris and gsa.PRCC is set unless Note explains
// why none could be computed.
//
// NoiseShare is the share of the variance of the point means that is Monte
// Carlo noise. With common random numbers the noise that matters is the
// point × replicate interaction: from the two-way layout y_pr = μ + α_p + β_r +
// ε_pr, NoiseShare = (MS_ε/R)/Var(ȳ_p) with MS_ε = SS_ε/((P−1)(R−1)) over
// the P points that have all R replicates. WithinNoiseShare is the
// one-way version mean_p(s²_p/R_p)/Var(ȳ_p), which ignores the common random
// numbers and overstates the noise when replicates are positively correlated
// across points. Both are NaN with one replicate. A share near 0 means the
// indices describe the model; an index smaller than the share (gsa.Sobol S1, ST)
// cannot be told apart from replicate noise.
type SensitivityOutput struct {
	Output           string
	PointsUsed       int // design points with at least one finite replicate value
	Mean, SD         float64
	NoiseShare       float64
	WithinNoiseShare float64
	Sobol            *gsa.SobolIndices
	Morris           *gsa.MorrisIndices
	PRCC             *gsa.PRCCResult
	Note             string
}

// AnalyzeSensitivity computes the indices of design d from the runs table t
// (the study's runs: cell = design point, replicate). Each output's replicate
// values are averaged per design point (NaN/null values skipped). A design
// point without any value drops, for that output, its Saltelli base block or
// its Morris trajectory (LHS: the point); the estimators stay valid on the
// rest. Runs whose scenario, policy or factor values do not match the design
// are an error (the table is of another design).
func AnalyzeSensitivity(d *pipeline.SensitivityDesign, t *dataset.RunTable, replicates int) (*SensitivityResult, error) {
	sp := d.Spec
	P, k := d.Points(), len(sp.Factors)
	if replicates < 1 {
		return nil, fmt.Errorf("%w: %d replicates", study.ErrSensitivity, replicates)
	}
	sweepCol := make([]int, k)
	for i, f := range sp.Factors {
		sweepCol[i] = -1
		for j, name := range t.SweepParams {
			if name == f.Param {
				sweepCol[i] = j
			}
		}
		if sweepCol[i] < 0 && t.Len() > 0 {
			return nil, fmt.Errorf("%w: runs table has no column for factor %s", dataset.ErrSchema, f.Param)
		}
	}
	res := &SensitivityResult{Method: sp.Method, Scenario: sp.Scenario, Policy: sp.Policy, Factors: sp.Factors,
		DesignPoints: P, Replicates: replicates, Level: 0.95, Resamples: sp.Bootstrap}
	// y[o][p*R + r]: NaN when absent.
	y := make([][]float64, len(sp.Outputs))
	mcol := make([]int, len(sp.Outputs))
	for o, name := range sp.Outputs {
		mcol[o] = t.MetricIndex(name)
		if mcol[o] < 0 && t.Len() > 0 {
			return nil, fmt.Errorf("%w: runs table has no column %s", dataset.ErrSchema, name)
		}
		y[o] = make([]float64, P*replicates)
		for i := range y[o] {
			y[o][i] = math.NaN()
		}
	}
	for i := range t.Len() {
		p, r := t.Cell[i], t.Replicate[i]
		if p < 0 || p >= P || r < 0 || r >= replicates {
			return nil, fmt.Errorf("%w: run %d (cell %d, replicate %d) is outside the design's %d points × %d replicates",
				study.ErrSensitivity, t.RunID[i], p, r, P, replicates)
		}
		if t.Scenario[i] != sp.Scenario || t.Policy[i] != sp.Policy {
			return nil, fmt.Errorf("%w: run %d is %s/%s, the design runs %s/%s", study.ErrSensitivity, t.RunID[i],
				t.Scenario[i], t.Policy[i], sp.Scenario, sp.Policy)
		}
		for f := range k {
			if got := t.Sweep[i][sweepCol[f]].Value; got != d.Values[p][f] {
				return nil, fmt.Errorf("%w: run %d has %s = %v, design point %d has %v: the runs are of another design",
					study.ErrSensitivity, t.RunID[i], sp.Factors[f].Param, got, p, d.Values[p][f])
			}
		}
		res.Runs++
		for o := range sp.Outputs {
			y[o][p*replicates+r] = t.Values[mcol[o]][i]
		}
	}
	ci := gsa.SensitivityCI{Resamples: sp.Bootstrap, Level: res.Level}
	for o, name := range sp.Outputs {
		ci.Seed = d.BootstrapSeed(o)
		out, err := sensAnalyzeOutput(d, y[o], replicates, ci)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		out.Output = name
		res.Outputs = append(res.Outputs, out)
	}
	return res, nil
}

// sensAnalyzeOutput computes one output's point means, noise shares and indices.
func sensAnalyzeOutput(d *pipeline.SensitivityDesign, y []float64, R int, ci gsa.SensitivityCI) (SensitivityOutput, error) {
	P := d.Points()
	means := make([]float64, P)
	valid := make([]bool, P)
	var out SensitivityOutput
	var within float64
	var full []int // points with all R replicates
	for p := range P {
		var s, n float64
		for r := range R {
			if v := y[p*R+r]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				s += v
				n++
			}
		}
		if n == float64(R) {
			full = append(full, p)
		}
		if n == 0 {
			means[p] = math.NaN()
			continue
		}
		valid[p] = true
		out.PointsUsed++
		means[p] = s / n
		if n > 1 {
			var ss float64
			for r := range R {
				if v := y[p*R+r]; !math.IsNaN(v) && !math.IsInf(v, 0) {
					ss += (v - means[p]) * (v - means[p])
				}
			}
			within += ss / (n - 1) / n
		}
	}
	out.Mean, out.SD = math.NaN(), math.NaN()
	out.NoiseShare, out.WithinNoiseShare = math.NaN(), math.NaN()
	if out.PointsUsed == 0 {
		out.Note = "no design point has a value for this output"
		return out, nil
	}
	var m float64
	for p := range P {
		if valid[p] {
			m += means[p]
		}
	}
	m /= float64(out.PointsUsed)
	var vs float64
	for p := range P {
		if valid[p] {
			vs += (means[p] - m) * (means[p] - m)
		}
	}
	out.Mean = m
	if out.PointsUsed > 1 {
		vp := vs / float64(out.PointsUsed-1)
		out.SD = math.Sqrt(vp)
		if R > 1 && vp > 0 {
			out.WithinNoiseShare = within / float64(out.PointsUsed) / vp
			out.NoiseShare = sensInteractionMS(y, means, full, R) / float64(R) / vp
		}
		if vp <= 1e-24*m*m {
			out.Note = "the output is constant across the design: its indices are undefined"
			return out, nil
		}
	}
	var err error
	switch {
	case d.Saltelli != nil:
		out.Sobol, out.Note, err = sensSobolSubset(d.Saltelli, means, valid, ci, out.Note)
	case d.Morris != nil:
		out.Morris, out.Note, err = sensMorrisSubset(d.Morris, means, valid, ci, out.Note)
	default:
		out.PRCC, out.Note, err = sensPRCCSubset(d.Unit, means, valid, ci.Level, out.Note)
	}
	return out, err
}

// sensInteractionMS is the residual mean square of the two-way layout
// (points × replicates, one observation per cell) over the points pts, which
// have all R replicates.
func sensInteractionMS(y, means []float64, pts []int, R int) float64 {
	P := len(pts)
	if P < 2 || R < 2 {
		return math.NaN()
	}
	rep := make([]float64, R)
	var grand float64
	for _, p := range pts {
		for r := range R {
			rep[r] += y[p*R+r]
			grand += y[p*R+r]
		}
	}
	for r := range rep {
		rep[r] /= float64(P)
	}
	grand /= float64(P * R)
	var ss float64
	for _, p := range pts {
		for r := range R {
			e := y[p*R+r] - means[p] - rep[r] + grand
			ss += e * e
		}
	}
	return ss / float64((P-1)*(R-1))
}

func sensSobolSubset(sd *gsa.SaltelliDesign, means []float64, valid []bool, ci gsa.SensitivityCI, note string) (*gsa.SobolIndices, string, error) {
	stride := sd.Stride()
	sub := &gsa.SaltelliDesign{K: sd.K, SecondOrder: sd.SecondOrder}
	var y []float64
	for _, j := range sensCompleteBlocks(valid, sd.N, stride) {
		sub.N++
		sub.Points = append(sub.Points, sd.Points[j*stride:(j+1)*stride]...)
		y = append(y, means[j*stride:(j+1)*stride]...)
	}
	if sub.N < 2 {
		return nil, sensJoin(note, fmt.Sprintf("only %d complete Saltelli base points: no gsa.Sobol indices", sub.N)), nil
	}
	if sub.N < sd.N {
		note = sensJoin(note, fmt.Sprintf("%d of %d Saltelli base points used (the others miss runs)", sub.N, sd.N))
	}
	res, err := gsa.SaltelliAnalyze(sub, y, ci)
	return res, note, err
}

// sensCompleteBlocks returns the indices b < n of the blocks of stride
// consecutive design points (a Saltelli base point with its A_B rows, a Morris
// trajectory) whose points all have runs.
func sensCompleteBlocks(valid []bool, n, stride int) []int {
	var out []int
	for b := range n {
		if !slices.Contains(valid[b*stride:(b+1)*stride], false) {
			out = append(out, b)
		}
	}
	return out
}

func sensMorrisSubset(md *gsa.MorrisDesign, means []float64, valid []bool, ci gsa.SensitivityCI, note string) (*gsa.MorrisIndices, string, error) {
	stride := md.K + 1
	sub := &gsa.MorrisDesign{K: md.K, Levels: md.Levels, Delta: md.Delta}
	var y []float64
	for _, t := range sensCompleteBlocks(valid, md.R, stride) {
		sub.R++
		sub.Points = append(sub.Points, md.Points[t*stride:(t+1)*stride]...)
		sub.Changed = append(sub.Changed, md.Changed[t*stride:(t+1)*stride]...)
		sub.Step = append(sub.Step, md.Step[t*stride:(t+1)*stride]...)
		y = append(y, means[t*stride:(t+1)*stride]...)
	}
	if sub.R < 2 {
		return nil, sensJoin(note, fmt.Sprintf("only %d complete Morris trajectories: no elementary effects", sub.R)), nil
	}
	if sub.R < md.R {
		note = sensJoin(note, fmt.Sprintf("%d of %d Morris trajectories used (the others miss runs)", sub.R, md.R))
	}
	res, err := gsa.MorrisAnalyze(sub, y, ci)
	return res, note, err
}

func sensPRCCSubset(unit [][]float64, means []float64, valid []bool, level float64, note string) (*gsa.PRCCResult, string, error) {
	var x [][]float64
	var y []float64
	for p := range unit {
		if valid[p] {
			x = append(x, unit[p])
			y = append(y, means[p])
		}
	}
	k := len(unit[0])
	if len(y) < k+3 {
		return nil, sensJoin(note, fmt.Sprintf("only %d design points with values: gsa.PRCC needs %d", len(y), k+3)), nil
	}
	if len(y) < len(unit) {
		note = sensJoin(note, fmt.Sprintf("%d of %d design points used (the others miss runs)", len(y), len(unit)))
	}
	res, err := gsa.PRCC(x, y, level)
	return res, note, err
}

func sensJoin(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// SensitivityFromDir recomputes the indices of the sensitivity study in dir:
// the study from the manifest's resolved config, the design from its
// `sensitivity:` block and seed, the runs from runs/*.parquet (whatever part
// of the study is done). Errors wrap dataset.ErrNotStudy, ErrNotSensitivity,
// dataset.ErrCorrupt or dataset.ErrSchema.
func SensitivityFromDir(ctx context.Context, dir string) (*SensitivityResult, error) {
	m, err := dataset.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	s, err := study.ParseStudy(dataset.Layout{Dir: dir}.Manifest()+":config", []byte(m.Config))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", dataset.ErrCorrupt, err)
	}
	if s.Sensitivity == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotSensitivity, dir)
	}
	d, err := pipeline.NewSensitivityDesign(*s.Sensitivity, s.Seed)
	if err != nil {
		return nil, err
	}
	ds, err := dataset.OpenDataset(dir)
	if err != nil {
		return nil, err
	}
	if err := ds.VerifyFiles(ctx, 2, false, dataset.TableRuns); err != nil {
		return nil, err
	}
	t, err := ds.ReadRuns(ctx)
	if err != nil {
		return nil, err
	}
	res, err := AnalyzeSensitivity(d, t, s.Replicates)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	res.Study = s.Name
	return res, nil
}
