package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/tokensim/tokensim/configs"
	"github.com/tokensim/tokensim/garch"
	"github.com/tokensim/tokensim/internal/golden"
	"github.com/tokensim/tokensim/model"
)

// Golden files under testdata/calibrate are rewritten with
// `go test ./cmd/tokensim -run Calibrate -update`.

func calibGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "calibrate", name), got)
}

// calibWriteInputs (re)creates the synthetic price files of the golden
// tests under -update: sim_volatile.csv (700 days of a BTC-like GARCH-t
// from garch.Simulate, CoinMarketCap layout), sim_pegged.csv (an AR(1)
// with θ = 0.2 around the peg 1.0 with GARCH-t shocks, columns day,price),
// and bad.csv (sim_volatile's first 400 rows with 4 bad rows).
func calibWriteInputs(t *testing.T) {
	if !golden.Updating() {
		return
	}
	dir := filepath.Join("testdata", "calibrate")
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	vol := garch.Params{Mu: 0.0016, Omega: 1.88e-5, Alpha: 0.121, Beta: 0.868, Nu: 3.33}
	r := garch.Simulate(vol, 699, rand.New(rand.NewPCG(11, 12)))
	var b strings.Builder
	b.WriteString("SNo,Name,Symbol,Date,High,Low,Open,Close,Volume,Marketcap\n")
	lp := math.Log(100)
	var rows []string
	for i := 0; i <= len(r); i++ {
		if i > 0 {
			lp += r[i-1]
		}
		rows = append(rows, fmt.Sprintf("%d,Sim,SIM,%s 23:59:59,0,0,0,%.6f,0,0", i+1, start.AddDate(0, 0, i).Format(time.DateOnly), math.Exp(lp)))
	}
	b.WriteString(strings.Join(rows, "\n") + "\n")
	if err := os.WriteFile(filepath.Join(dir, "sim_volatile.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := append([]string{"SNo,Name,Symbol,Date,High,Low,Open,Close,Volume,Marketcap"}, rows[:400]...)
	bad[10] = "10,Sim,SIM,2019-01-10 23:59:59,0,0,0,,0,0"
	bad[50] = "50,Sim,SIM,2019-02-19,0,0,0,-1.5,0,0"
	bad[77] = strings.Replace(bad[77], "2019-03-18", "2019-03-17", 1)
	bad[300] = "300,Sim,SIM,yesterday,0,0,0,99,0,0"
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte(strings.Join(bad, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	peg := garch.Params{Mu: 0, Omega: 2e-6, Alpha: 0.15, Beta: 0.8, Nu: 5}
	u := garch.Simulate(peg, 799, rand.New(rand.NewPCG(13, 14)))
	b.Reset()
	b.WriteString("day,price\n")
	x := 0.0
	for i := 0; i <= len(u); i++ {
		if i > 0 {
			x = 0.8*x + u[i-1]
		}
		fmt.Fprintf(&b, "%s,%.6f\n", start.AddDate(0, 0, i).Format(time.DateOnly), math.Exp(x))
	}
	if err := os.WriteFile(filepath.Join(dir, "sim_pegged.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCalibrateCommand runs `tokensim calibrate` on the synthetic files and
// compares stdout, stderr and the exit status with golden files.
func TestCalibrateCommand(t *testing.T) {
	calibWriteInputs(t)
	const dir = "testdata/calibrate/"
	cases := []struct {
		name string
		args []string
		exit int
	}{
		{"volatile_yaml", []string{"--variance-targeting", dir + "sim_volatile.csv"}, 0},
		{"volatile_free_yaml", []string{dir + "sim_volatile.csv", "--regime", "btc_free", "--to", "2020-10-31"}, 0},
		{"volatile_json", []string{"--json", "--regime", "custom", "--variance-targeting", dir + "sim_volatile.csv"}, 0},
		{"pegged_yaml", []string{"--peg", "1.0", "--variance-targeting", "--from", "2019-02-01", "--date-column", "day", "--price-column", "price", dir + "sim_pegged.csv"}, 0},
		{"pegged_json", []string{"--json", "--peg", "1", "--date-column", "day", "--price-column", "price", dir + "sim_pegged.csv"}, 0},
		{"pegged_capped_yaml", []string{"--peg", "1", "--max-persistence", "0.9", "--variance-targeting", "--date-column", "day", "--price-column", "price", dir + "sim_pegged.csv"}, 0},
		{"capped_json", []string{"--json", "--max-persistence", "0.9", "--variance-targeting", dir + "sim_volatile.csv"}, 0},
		{"uncapped_yaml", []string{"--max-persistence", "0.999", "--variance-targeting", dir + "sim_volatile.csv"}, 0},
		{"volatile_zero_mean_yaml", []string{"--variance-targeting", "--zero-mean", dir + "sim_volatile.csv"}, 0},
		{"pegged_zero_mean_json", []string{"--json", "--zero-mean", "--peg", "1", "--date-column", "day", "--price-column", "price", dir + "sim_pegged.csv"}, 0},
		{"skip_bad_rows", []string{"--skip-bad-rows", dir + "bad.csv"}, 0},
		{"bad_rows", []string{dir + "bad.csv"}, 1},
		{"missing_column", []string{"--price-column", "Adj Close", dir + "sim_volatile.csv"}, 1},
		{"too_few", []string{"--from", "2020-09-01", dir + "sim_volatile.csv"}, 1},
		{"missing_file", []string{dir + "no_such.csv"}, 1},
		{"no_file", nil, 2},
		{"two_files", []string{dir + "bad.csv", dir + "sim_volatile.csv"}, 2},
		{"bad_peg", []string{"--peg", "-1", dir + "sim_volatile.csv"}, 2},
		{"bad_peg_nan", []string{"--peg", "NaN", dir + "sim_volatile.csv"}, 2},
		{"bad_from", []string{"--from", "2020-13-01", dir + "sim_volatile.csv"}, 2},
		{"bad_max_persistence", []string{"--max-persistence", "1.5", dir + "sim_volatile.csv"}, 2},
		{"bad_max_persistence_neg", []string{"--max-persistence", "-0.2", dir + "sim_volatile.csv"}, 2},
		{"bad_range", []string{"--from", "2020-06-01", "--to", "2020-01-01", dir + "sim_volatile.csv"}, 2},
		{"bad_regime", []string{"--regime", "9 lives", dir + "sim_volatile.csv"}, 2},
		{"same_columns", []string{"--price-column", "Date", dir + "sim_volatile.csv"}, 2},
		{"unknown_flag", []string{"--frmo", "2020-01-01", dir + "sim_volatile.csv"}, 2},
		{"help", []string{"-help"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), append([]string{"calibrate"}, c.args...), &out, &errb)
			if code := exitCode(err, &errb); code != c.exit {
				t.Errorf("exit status %d, want %d (err %v)", code, c.exit, err)
			}
			got := out.String()
			if strings.HasSuffix(c.name, "_json") {
				got = calibCanonicalJSON(t, out.Bytes())
			}
			calibGolden(t, c.name+".out", got)
			calibGolden(t, c.name+".err", errb.String())
		})
	}
}

// calibCanonicalJSON makes the JSON output comparable across optimizer
// versions and platforms: numbers rounded to 6 significant digits (far
// beyond the statistical precision, far above the optimizer's tolerance)
// and the optimizer's bookkeeping (status, gradient norm, evaluations)
// removed; the optimizer's "converged" flag is kept.
func calibCanonicalJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
			if opt, ok := x["optimizer"].(map[string]any); ok {
				delete(opt, "status")
				delete(opt, "gradient_norm")
				delete(opt, "evaluations")
			}
			return x
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
			return x
		case float64:
			r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
			return r
		}
		return x
	}
	out, err := json.MarshalIndent(walk(v), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

// TestCalibrateRounding checks that the YAML block parses back to the
// rounded numbers of the JSON output, and the rounding rule for α and β.
func TestCalibrateRounding(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want int
	}{{0.5, 3}, {0.9427, 4}, {0.98966, 4}, {0.999, 5}, {0.9999863, 7}, {1, 10}, {0.9999999999999, 10}} {
		if got := calibPersistenceDecimals(c.p); got != c.want {
			t.Errorf("decimals for persistence %v: %d, want %d", c.p, got, c.want)
		}
	}
	for _, c := range []struct {
		x    float64
		want string
	}{{0.00159459, "0.00159"}, {1.877208e-05, "1.88e-05"}, {3.3320789, "3.33"}, {0, "0"}, {math.NaN(), "n/a"}, {math.Inf(1), "n/a"}, {0.17006, "0.17"}} {
		if got := calibSig(c.x); got != c.want {
			t.Errorf("calibSig(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	if got := calibDec(0.1214033, 4); got != "0.1214" {
		t.Errorf("calibDec = %q", got)
	}
	if err := errors.Unwrap(nil); err != nil {
		t.Fatal(err)
	}
}

// calibRepoRoot returns the repository root (the directory with go.mod).
func calibRepoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (go.mod) not found")
		}
		dir = parent
	}
}

// calibRequireData returns ../shared/data relative to the repository root,
// failing under CI=true and skipping otherwise when it is missing.
func calibRequireData(t *testing.T, root string) string {
	t.Helper()
	data := filepath.Join(root, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "prices", "coin_Bitcoin.csv")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real data missing in CI: %v", err)
		}
		t.Skipf("real data not available: %v", err)
	}
	return data
}

// calibUnit returns the value of one unit in the last digit of a number as
// printed by calibSig/calibDec ("0.1214" → 1e-4, "1.88e-05" → 1e-7, "0" → 0).
func calibUnit(s string) float64 {
	if s == "0" {
		return 0
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	dec := 0
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		dec = len(mant) - i - 1
	}
	return math.Pow(10, float64(exp-dec))
}

var calibCommandLine = regexp.MustCompile(`(?m)^\s*# command: tokensim calibrate (.+)$`)

// TestCalibrateDefaultsDrift re-runs every `# command: tokensim calibrate`
// recorded above market.regimes in configs/default.yaml on ../shared/data
// and fails when the committed regime numbers, in configs/default.yaml and
// in model.Default(), differ from the fresh fit by more than one unit of
// their last printed digit (rounding is half a unit; the other half allows
// for optimizer wiggle), or when a committed regime has no command. The
// commands fit with --zero-mean (v2, MODEL-SPEC-v2 §A.2); the same command
// without it must reproduce model.DefaultV1()'s regime (μ̂ included).
func TestCalibrateDefaultsDrift(t *testing.T) {
	root := calibRepoRoot(t)
	calibRequireData(t, root)
	var doc struct {
		Params struct {
			Market struct {
				Regimes map[string]map[string]float64 `yaml:"regimes"`
			} `yaml:"market"`
		} `yaml:"params"`
	}
	if err := yaml.Unmarshal(configs.Default, &doc); err != nil {
		t.Fatalf("configs/default.yaml: %v", err)
	}
	committed := doc.Params.Market.Regimes
	defaults := model.Default().Market.Regimes
	v1 := model.DefaultV1().Market.Regimes
	cmds := calibCommandLine.FindAllStringSubmatch(string(configs.Default), -1)
	if len(cmds) == 0 {
		t.Fatal("configs/default.yaml records no `# command: tokensim calibrate` line")
	}
	t.Chdir(root) // the commands name files relative to the repository root
	// fit runs one command; it returns the regime, the fitted values and the
	// unit of each printed value's last digit.
	fit := func(cmd string) (string, map[string]float64, map[string]float64) {
		args := append(strings.Fields(cmd), "--json")
		var out, errb bytes.Buffer
		if err := cmdCalibrate(context.Background(), args, &out, &errb); err != nil {
			t.Fatalf("tokensim calibrate %s: %v", cmd, err)
		}
		var res struct {
			Regime string
			Params map[string]float64
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		// The printed (rounded) strings give the unit of the last digit.
		var yout bytes.Buffer
		if err := cmdCalibrate(context.Background(), strings.Fields(cmd), &yout, io.Discard); err != nil {
			t.Fatal(err)
		}
		units := map[string]float64{}
		for _, line := range strings.Split(yout.String(), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && strings.HasSuffix(f[0], ":") && strings.HasPrefix(line, "  ") {
				units[strings.TrimSuffix(f[0], ":")] = calibUnit(f[1])
			}
		}
		for _, k := range []string{"mu", "omega", "alpha", "beta", "nu", "peg_reversion"} {
			if _, ok := units[k]; !ok {
				t.Fatalf("no %s in the YAML output:\n%s", k, yout.String())
			}
		}
		return res.Regime, res.Params, units
	}
	vals := func(r model.Regime) map[string]float64 {
		return map[string]float64{"mu": r.Mu, "omega": r.Omega, "alpha": r.Alpha, "beta": r.Beta, "nu": r.Nu, "peg_reversion": r.PegReversion}
	}
	keys := []string{"mu", "omega", "alpha", "beta", "nu", "peg_reversion"}
	seen := map[string]bool{}
	for _, m := range cmds {
		// v2's regimes are the zero-mean fits (MODEL-SPEC-v2 §A.2); v1's
		// are the same command without --zero-mean.
		if !strings.Contains(" "+m[1]+" ", " --zero-mean ") {
			t.Errorf("configs/default.yaml: command %q lacks --zero-mean (v2's regimes are fitted with μ = 0)", m[1])
			continue
		}
		regime, fresh, unit := fit(m[1])
		v1cmd := strings.Join(strings.Fields(strings.Replace(" "+m[1]+" ", " --zero-mean ", " ", 1)), " ")
		_, fresh1, unit1 := fit(v1cmd)
		seen[regime] = true
		cfg, ok := committed[regime]
		if !ok {
			t.Errorf("configs/default.yaml: command %q names regime %q, which market.regimes lacks", m[1], regime)
			continue
		}
		def, ok := defaults[regime]
		if !ok {
			t.Errorf("model.Default(): no regime %q", regime)
		}
		defVals, v1Vals := vals(def), vals(v1[regime])
		for _, k := range keys {
			if got := cfg[k]; math.Abs(got-fresh[k]) > unit[k]*(1+1e-9) {
				t.Errorf("configs/default.yaml market.regimes.%s.%s = %v, but %s now gives %v", regime, k, got, m[1], fresh[k])
			}
			if got := defVals[k]; math.Abs(got-fresh[k]) > unit[k]*(1+1e-9) {
				t.Errorf("model.Default() regime %s %s = %v, but %s now gives %v", regime, k, got, m[1], fresh[k])
			}
			if got := v1Vals[k]; math.Abs(got-fresh1[k]) > unit1[k]*(1+1e-9) {
				t.Errorf("model.DefaultV1() regime %s %s = %v, but %s now gives %v", regime, k, got, v1cmd, fresh1[k])
			}
		}
	}
	for name := range committed {
		if !seen[name] {
			t.Errorf("configs/default.yaml: regime %q has no `# command: tokensim calibrate` line", name)
		}
	}
}
