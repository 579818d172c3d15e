package archtest

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/tokensim/tokensim/"

// allowed lists, for every package of the module (path below the module),
// the module packages its non-test files may import. Imports point down
// the layers of README's architecture section: cmd → reports → aggregate →
// pipeline → study → dataset → model → garch → stats; gsa and calibrate sit
// on stats and garch. A new package or a new
// edge must be added here on purpose.
var allowed = map[string][]string{
	"cmd/tokensim":        {"aggregate", "calibrate", "configs", "dataset", "deploy", "episode", "garch", "llmdata", "model", "pipeline", "reports", "stats", "storage", "study"},
	"configs":             {},
	"reports":             {"aggregate", "dataset", "gsa", "model", "stats", "study"},
	"aggregate":           {"dataset", "gsa", "model", "pipeline", "stats", "study"},
	"pipeline":            {"dataset", "gsa", "model", "storage", "study"},
	"study":               {"dataset", "model"},
	"dataset":             {"model", "storage"},
	"storage":             {},
	"storage/storagetest": {},
	"deploy":              {},
	"clustertest":         {},
	"model":               {"garch"},
	"calibrate":           {"garch", "stats"},
	"episode":             {"model", "stats"},
	"llmdata":             {},
	"garch":               {"stats"},
	"gsa":                 {"stats"},
	"stats":               {},
	"internal/golden":     {},
	"internal/shareddata": {},
	"internal/synthstudy": {"dataset", "model"},
	"internal/archtest":   {},
	"checks":              {"model"}, // MODEL-SPEC-v2 model checks with many runs, data, figures
}

// thirdParty restricts the non-standard-library imports of the leaves: a
// package listed here may import only modules with one of these prefixes
// (nil: the standard library only). Packages not listed are unrestricted.
var thirdParty = map[string][]string{
	"stats":               {"gonum.org/v1/gonum/"},
	"gsa":                 {"gonum.org/v1/gonum/"},
	"garch":               {"gonum.org/v1/gonum/"},
	"model":               nil,
	"dataset":             {"github.com/parquet-go/parquet-go", "github.com/goccy/go-yaml", "golang.org/x/sync/errgroup", "github.com/klauspost/compress/zstd"}, // zstd: parquet-go's own compressor, for an encoder option its codec does not expose (dataset/zstdcodec.go)
	"study":               {"github.com/goccy/go-yaml"},
	"internal/golden":     nil,
	"internal/shareddata": nil,
	"storage":             {"gocloud.dev/"},
	"deploy":              nil,
}

// testOnly are module packages that only test files may import.
var testOnly = []string{"internal/golden", "internal/shareddata", "internal/synthstudy", "storage/storagetest"}

// forbidden are imports no non-test file may have (pqarrow is for tests'
// independent Parquet reading only; it must stay out of the binary).
var forbidden = []string{"github.com/apache/arrow-go/v18/parquet"}

// pkg is one package's path below the module and the imports of its
// non-test files. (Tests may import more, e.g. pipeline to produce a
// dataset; the go tool rejects the cycles that could create.)
type pkg struct {
	rel     string
	imports []string
}

// packages reads every package of the module with go/build (no go tool).
func packages(t *testing.T) []pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	var out []pkg
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, pkg{rel: filepath.ToSlash(rel), imports: bp.Imports})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestImportGraph fails on an import edge that the tables above do not allow.
func TestImportGraph(t *testing.T) {
	pkgs := packages(t)
	if len(pkgs) < len(allowed)-1 {
		t.Fatalf("found %d packages, want at least %d: is the module root right?", len(pkgs), len(allowed)-1)
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.rel] = true
		ok, known := allowed[p.rel]
		if !known {
			t.Errorf("package %s is not in the allowed-edges table: add its row (and README's architecture section)", p.rel)
			continue
		}
		for _, imp := range p.imports {
			if rel, in := strings.CutPrefix(imp, module); in {
				if !slices.Contains(ok, rel) {
					t.Errorf("%s imports %s: not an allowed edge", p.rel, rel)
				}
				if slices.Contains(testOnly, rel) {
					t.Errorf("%s imports the test-only package %s outside its tests", p.rel, rel)
				}
				continue
			}
			if isStd(imp) {
				continue
			}
			for _, f := range forbidden {
				if strings.HasPrefix(imp, f) {
					t.Errorf("%s imports %s, which must stay out of non-test code", p.rel, imp)
				}
			}
			if prefixes, restricted := thirdParty[p.rel]; restricted {
				if !slices.ContainsFunc(prefixes, func(pre string) bool { return strings.HasPrefix(imp, pre) }) {
					t.Errorf("%s imports %s: it may import only %v outside the standard library", p.rel, imp, prefixes)
				}
			}
		}
	}
	var missing []string
	for rel := range allowed {
		if !seen[rel] {
			missing = append(missing, rel)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("allowed-edges rows for packages that do not exist: %v", missing)
	}
}

// TestLayersPointDown checks the table itself: no package below pipeline
// (study, dataset, model, garch, stats, gsa, calibrate) may import pipeline
// or anything above it, and nothing but cmd imports reports.
func TestLayersPointDown(t *testing.T) {
	above := []string{"pipeline", "aggregate", "reports", "cmd/tokensim"}
	for _, low := range []string{"study", "dataset", "model", "garch", "stats", "gsa", "calibrate"} {
		for _, up := range above {
			if slices.Contains(allowed[low], up) {
				t.Errorf("table allows %s → %s: imports must point down", low, up)
			}
		}
	}
	for p, deps := range allowed {
		if p != "cmd/tokensim" && slices.Contains(deps, "reports") {
			t.Errorf("table allows %s → reports", p)
		}
	}
}

// TestDocFiles: every package has a doc.go whose package comment says what
// the package may import (the word "import"), as the project guide asks.
func TestDocFiles(t *testing.T) {
	root, _ := filepath.Abs("../..")
	for _, p := range packages(t) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p.rel), "doc.go"))
		if err != nil {
			t.Errorf("%s: no doc.go", p.rel)
			continue
		}
		if !strings.Contains(string(b), "import") {
			t.Errorf("%s/doc.go does not say what the package may import", p.rel)
		}
	}
}
