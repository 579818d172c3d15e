package stats

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokensim/tokensim/pipeline"
)

// FuzzReadPrices: any bytes are a price series or an error, never a panic;
// an accepted series has strictly increasing dates and positive finite prices.
func FuzzReadPrices(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, skipBad bool) {
		s, err := ReadPrices(bytes.NewReader(data), PriceOptions{SkipBadRows: skipBad, MinReturns: 2})
		if err != nil {
			return
		}
		if len(s.Dates) != len(s.Prices) || len(s.Prices) != len(s.Lines) {
			t.Fatalf("lengths %d dates, %d prices, %d lines", len(s.Dates), len(s.Prices), len(s.Lines))
		}
		for i, p := range s.Prices {
			if !(p > 0) || p > 1e308 {
				t.Fatalf("price %v at line %d", p, s.Lines[i])
			}
			if i > 0 && !s.Dates[i].After(s.Dates[i-1]) {
				t.Fatalf("dates not increasing at line %d", s.Lines[i])
			}
		}
	})
}

// FuzzSensitivity: any `sensitivity:` block is a design (and plan) or an
// error, never a panic. Blocks with more than 4,096 design points are only
// parsed and validated (the plan of a valid large design is just large).
func FuzzSensitivity(f *testing.F) {
	f.Fuzz(func(t *testing.T, block []byte) {
		var b strings.Builder
		b.WriteString("name: fz\nreplicates: 2\nhorizon_days: 5\nsensitivity:\n")
		for _, line := range strings.Split(string(block), "\n") {
			b.WriteString("  " + line + "\n")
		}
		s, err := pipeline.ParseStudy("f.yaml", []byte(b.String()))
		if err != nil || s.Sensitivity == nil {
			return
		}
		sp := s.Sensitivity.Resolved()
		points := sp.Samples * (2*len(sp.Factors) + 2)
		if points > 4096 {
			return
		}
		p, d, err := SensitivityPlan(s)
		if err != nil {
			return
		}
		if len(p.Cells) != d.Points() {
			t.Fatalf("%d cells for %d design points", len(p.Cells), d.Points())
		}
	})
}

var (
	corruptRefOnce sync.Once
	corruptRef     map[string][]byte
	corruptFiles   []string // part files of corruptRef, sorted
)

// FuzzCorruptDataset: a study whose part files are changed (bytes flipped,
// truncated, extended) aggregates to a result or an error, never a panic;
// with the default verification every change is an ErrChecksum error.
func FuzzCorruptDataset(f *testing.F) {
	f.Fuzz(func(t *testing.T, file uint8, off uint32, xor []byte, trunc uint32) {
		corruptRefOnce.Do(func() {
			dir, err := os.MkdirTemp("", "fuzz-dataset-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			writeSynth(t, dir, synthStudy{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"},
				Replicates: 12, Horizon: 6, Steps: true, ChunkRuns: 8})
			sealSynth(t, dir)
			corruptRef = map[string][]byte{}
			_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				corruptRef[rel] = b
				if strings.HasSuffix(rel, ".parquet") {
					corruptFiles = append(corruptFiles, rel)
				}
				return nil
			})
		})
		dir := t.TempDir()
		var target string
		changed := false
		for p, b := range corruptRef {
			if p == corruptFiles[int(file)%len(corruptFiles)] {
				target = p
				c := append([]byte(nil), b...)
				for i, x := range xor {
					if at := (int(off) + i) % len(c); x != 0 {
						c[at] ^= x
						changed = true
					}
				}
				if trunc%3 == 1 {
					c = c[:int(trunc/3)%(len(c)+1)]
					changed = changed || len(c) < len(b)
				} else if trunc%3 == 2 {
					c = append(c, xor...)
					changed = changed || len(xor) > 0
				}
				b = c
			}
			full := filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		o := DefaultOptions()
		o.Bootstrap = 100
		o.WriteSummary = false
		_, err := Aggregate(context.Background(), dir, o)
		if changed && !errors.Is(err, ErrChecksum) {
			t.Fatalf("%s changed: %v, want ErrChecksum", target, err)
		}
		o.Verify = VerifyNone
		_, _ = Aggregate(context.Background(), dir, o) // must not panic
	})
}
