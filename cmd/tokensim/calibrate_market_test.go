package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestCalibrateMarket: `tokensim calibrate --market DATA_DIR` prints the
// defaults of holders.flow_scale and holders.run_max (they are its output).
func TestCalibrateMarket(t *testing.T) {
	root := calibRepoRoot(t)
	data := calibRequireData(t, root)
	if testing.Short() {
		t.Skip("fits by simulation")
	}
	var out bytes.Buffer
	if err := cmdCalibrate(context.Background(), []string{"--market", data}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	h := model.Default().Holders
	for _, want := range []string{fmt.Sprintf("flow_scale: %v\n", h.FlowScale), fmt.Sprintf("run_max: %v\n", h.RunMax)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := cmdCalibrate(context.Background(), []string{"--market", t.TempDir()}, &out, &bytes.Buffer{}); err == nil {
		t.Error("a directory without data was accepted")
	}
}
