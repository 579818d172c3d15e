package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/configs"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "tokensim validate [-o DIR] [STUDY.yaml]",
		"Check a study file strictly (unknown keys, types, ranges, names) without running it, and print\n"+
			"its plan: cells × replicates = runs, estimated rows and disk. Without a file, the embedded\n"+
			"default study is checked. Nothing is written.")
	outRoot := fs.String("o", "", "output root `DIR` (overrides the study's output_root) for the printed path")
	if done, err := parseFlags(fs, args, stdout); done || err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: validate takes one study file, got %d arguments", errUsage, fs.NArg())
	}
	study, src, err := loadStudy(fs.Arg(0))
	if err != nil {
		return err
	}
	root := study.OutputRoot
	if *outRoot != "" {
		root = *outRoot
	}
	return printPlan(ctx, stdout, study, src, filepath.Join(root, study.Name))
}

// loadStudy parses the study file at path, or the embedded default when path
// is empty; it returns the name used in messages.
func loadStudy(path string) (*study.Study, string, error) {
	if path == "" {
		s, err := study.ParseStudy(configs.DefaultName, configs.Default)
		return s, configs.DefaultName, err
	}
	s, err := study.LoadStudy(path)
	return s, path, err
}

// unusedDefs returns one warning per scenario_defs or policy_defs entry that
// is not listed under scenarios: or policies: and so never runs (sorted).
func unusedDefs(s *study.Study) []string {
	var out []string
	for name := range s.ScenarioDefs {
		if !slices.Contains(s.Scenarios, name) {
			out = append(out, fmt.Sprintf("scenario_defs.%s is defined but not listed under scenarios, so it does not run", name))
		}
	}
	for name := range s.PolicyDefs {
		if !slices.Contains(s.Policies, name) {
			out = append(out, fmt.Sprintf("policy_defs.%s is defined but not listed under policies, so it does not run", name))
		}
	}
	slices.Sort(out)
	return out
}

// printPlan writes what a study will run and write.
func printPlan(ctx context.Context, w io.Writer, s *study.Study, src, dir string) error {
	tw := func(k, format string, args ...any) { fmt.Fprintf(w, "%-11s%s\n", k, fmt.Sprintf(format, args...)) }
	tw("study", "%s (%s)", s.Name, src)
	tw("output", "%s", dir)
	tw("seed", "%d", s.Seed)
	rec := "recorded every day"
	if s.Outputs.RecordEveryDays > 1 {
		rec = fmt.Sprintf("recorded every %d days and the last", s.Outputs.RecordEveryDays)
	}
	tw("horizon", "%d days, %s", s.HorizonDays, rec)
	if sp := s.Sensitivity; sp != nil {
		return printSensitivity(ctx, tw, s, src)
	}
	shape, err := pipeline.StudyShape(s)
	if err != nil {
		return err
	}
	tw("scenarios", "%s (%d)", strings.Join(s.Scenarios, ", "), len(s.Scenarios))
	tw("policies", "%s (%d)", strings.Join(s.Policies, ", "), len(s.Policies))
	for _, w := range unusedDefs(s) {
		tw("warning", "%s", w)
	}
	points := 1
	for _, sw := range s.Sweeps {
		vals := make([]string, len(sw.Values))
		for i, v := range sw.Values {
			vals[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		tw("sweep", "%s: %s (%d)", sw.Param, strings.Join(vals, ", "), len(sw.Values))
		points *= len(sw.Values)
	}
	cellsHow := fmt.Sprintf("%d scenarios × %d policies", len(s.Scenarios), len(s.Policies))
	if len(s.Sweeps) > 0 {
		cellsHow += fmt.Sprintf(" × %d sweep points", points)
	}
	tw("cells", "%s = %s", group(shape.Cells), cellsHow)
	tw("runs", "%s = %s cells × %s replicates", group(shape.Runs), group(shape.Cells), group(int64(s.Replicates)))
	tw("chunks", "%s of up to %d runs (the unit of resumption and sharding)", group(shape.Chunks), shape.ChunkRuns)
	printSize(tw, s, shape.Estimate)
	y, err := s.IdentityYAML()
	if err != nil {
		return err
	}
	tw("config", "sha256 %s", dataset.SHA256Hex(y))
	// Building the plan checks every cell and the disk budget.
	_, err = pipeline.NewPlan(s)
	return err
}

func printSize(tw func(k, format string, args ...any), s *study.Study, est pipeline.SizeEstimate) {
	rows := "runs " + group(est.Runs)
	if s.Outputs.Steps {
		rows += "; steps " + group(est.StepRows)
	} else {
		rows += "; steps off"
	}
	if s.Outputs.ProviderSteps {
		rows += "; provider_steps " + group(est.ProviderStepRows)
	} else {
		rows += "; provider_steps off"
	}
	tw("rows", "%s", rows)
	budget := "no budget"
	if s.DiskBudgetGB > 0 {
		budget = fmt.Sprintf("budget %g GB", s.DiskBudgetGB)
		if float64(est.Bytes) > s.DiskBudgetGB*1e9 {
			budget += ": OVER BUDGET, `tokensim run` will refuse it"
		}
	}
	tw("disk", "about %s (%s)", pipeline.FormatBytes(est.Bytes), budget)
}

// printSensitivity prints the evaluation count of a sensitivity study:
// Sobol N(k+2) (N(2k+2) with second order), Morris r(k+1), LHS N design
// points, each run for `replicates` replicates; then the estimated time on
// this machine from a few timed runs (printSensitivityEstimate).
func printSensitivity(ctx context.Context, tw func(k, format string, args ...any), s *study.Study, src string) error {
	sp := s.Sensitivity.Resolved()
	k := len(sp.Factors)
	var points int
	var how string
	switch sp.Method {
	case study.SensitivitySobol:
		if sp.SecondOrder {
			points, how = sp.Samples*(2*k+2), fmt.Sprintf("Sobol/Saltelli N(2k+2) = %d × %d", sp.Samples, 2*k+2)
		} else {
			points, how = sp.Samples*(k+2), fmt.Sprintf("Sobol/Saltelli N(k+2) = %d × %d", sp.Samples, k+2)
		}
	case study.SensitivityMorris:
		points, how = sp.Samples*(k+1), fmt.Sprintf("Morris r(k+1) = %d × %d", sp.Samples, k+1)
	default:
		points, how = sp.Samples, fmt.Sprintf("Latin hypercube, %d points", sp.Samples)
	}
	tw("method", "%s on %s / %s, %d factors", sp.Method, sp.Scenario, sp.Policy, k)
	for _, f := range sp.Factors {
		tw("factor", "%s %s [%g, %g]", f.Param, f.Dist, f.Low, f.High)
	}
	tw("design", "%s design points (%s)", group(int64(points)), how)
	tw("runs", "%s evaluations = %s points × %s replicates", group(int64(points)*int64(s.Replicates)), group(int64(points)), group(int64(s.Replicates)))
	if err := printSensitivityEstimate(ctx, tw, s, 0); err != nil {
		return err
	}
	tw("run with", "tokensim sensitivity %s", src)
	return nil
}

// group formats n with thousands separators (1,234,567).
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
