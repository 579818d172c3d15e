package main

import (
	"encoding/csv"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/configs"
	"github.com/tokensim/tokensim/internal/shareddata"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

// TestShippedConfigs: every configs/*.yaml parses strictly, validates and
// (unless it is a sensitivity study) plans.
func TestShippedConfigs(t *testing.T) {
	names, err := fs.Glob(configs.FS, "*.yaml")
	if err != nil || len(names) < 4 {
		t.Fatalf("configs: %v %v", names, err)
	}
	for _, name := range names {
		data, _ := configs.FS.ReadFile(name)
		s, err := study.ParseStudy(name, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if s.Sensitivity != nil {
			continue
		}
		p, err := pipeline.NewPlan(s)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := pipeline.CheckDiskBudget(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The default study: every scenario × none, fund, share_cap, all.
	s, err := study.ParseStudy("default.yaml", configs.Default)
	if err != nil {
		t.Fatal(err)
	}
	// Every shipped study uses the calibrated regimes of default.yaml.
	for _, name := range names {
		data, _ := configs.FS.ReadFile(name)
		o, err := study.ParseStudy(name, data)
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(o.Params.Market.Regimes, s.Params.Market.Regimes) {
			t.Errorf("%s: market.regimes differ from default.yaml's calibrated regimes:\n%+v\n%+v", name, o.Params.Market.Regimes, s.Params.Market.Regimes)
		}
	}
	if strings.Join(s.Scenarios, ",") != strings.Join(model.ScenarioNames(), ",") ||
		strings.Join(s.Policies, ",") != "none,fund,share_cap,all" {
		t.Errorf("default study runs %v × %v", s.Scenarios, s.Policies)
	}
}

// dataDir returns the shipped data directory (shareddata.Dir); in CI
// (CI=true) its absence is a failure, elsewhere the test is skipped.
func dataDir(t *testing.T) string {
	t.Helper()
	return shareddata.Dir(t, "llm_api_prices.csv")
}

// TestDefaultProvidersFromData: the default provider table's list prices are
// the blended 3:1 prices of llm_api_prices.csv, recomputed from its input and
// output columns, and the initial shares are the README's estimates.
func TestDefaultProvidersFromData(t *testing.T) {
	dir := dataDir(t)
	s, err := study.ParseStudy("default.yaml", configs.Default)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "llm_api_prices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]model.ProviderSpec{}
	for _, p := range s.Params.Providers.Table {
		table[p.Name] = p
	}
	if len(rows)-1 != len(table) {
		t.Errorf("%d providers in the data, %d in default.yaml", len(rows)-1, len(table))
	}
	for _, r := range rows[1:] {
		in, _ := strconv.ParseFloat(r[2], 64)
		out, _ := strconv.ParseFloat(r[3], 64)
		blended := (3*in + out) / 4
		p, ok := table[r[0]]
		if !ok {
			t.Errorf("provider %s of the data is not in default.yaml", r[0])
			continue
		}
		// The CSV rounds the blend to 3 decimals.
		if math.Abs(p.ListPriceUSDPerMtok-blended) > 0.0005+1e-12 {
			t.Errorf("%s: list price %v, data blends to %.4f", r[0], p.ListPriceUSDPerMtok, blended)
		}
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`([a-z_]+) (0\.[0-9]+)`)
	found := 0
	for _, m := range re.FindAllStringSubmatch(strings.ReplaceAll(string(readme), "\n", " "), -1) {
		p, ok := table[m[1]]
		if !ok {
			continue
		}
		found++
		if v, _ := strconv.ParseFloat(m[2], 64); v != p.InitialShare {
			t.Errorf("%s: initial share %v, README says %v", m[1], p.InitialShare, v)
		}
	}
	if found != len(table) {
		t.Errorf("found shares for %d of %d providers in the README", found, len(table))
	}
}
