package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestCalibrateCostDecline runs `tokensim calibrate --cost-decline` on the
// shipped price history: it prints model.DefaultCostDeclinePerYear (the
// default is this command's output) and reports the dropped rows.
func TestCalibrateCostDecline(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(wd, "..", "..")
	var file string
	for _, up := range []string{"..", filepath.Join("..", "..")} {
		f := filepath.Join(root, up, "shared", "data", "llm_price_history.csv")
		if _, err := os.Stat(f); err == nil {
			file = f
			break
		}
	}
	if file == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("llm_price_history.csv missing in CI")
		}
		t.Skip("../shared/data/llm_price_history.csv not available")
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"calibrate", "--cost-decline", file}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("cost_decline_per_year: %.3f", model.DefaultCostDeclinePerYear)
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	if n := strings.Count(errb.String(), "dropped"); n != 5 {
		t.Errorf("%d dropped rows reported, want 5:\n%s", n, errb.String())
	}
}
