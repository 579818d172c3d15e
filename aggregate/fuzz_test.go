package aggregate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/synthstudy"
)

var (
	corruptRefOnce sync.Once
	corruptRef     map[string][]byte
	corruptFiles   []string // part files of corruptRef, sorted
)

// FuzzCorruptDataset: a study whose part files are changed (bytes flipped,
// truncated, extended) aggregates to a result or an error, never a panic;
// with the default verification every change is an dataset.ErrChecksum error.
func FuzzCorruptDataset(f *testing.F) {
	f.Fuzz(func(t *testing.T, file uint8, off uint32, xor []byte, trunc uint32) {
		corruptRefOnce.Do(func() {
			dir, err := os.MkdirTemp("", "fuzz-dataset-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			synthstudy.Write(t, dir, synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"},
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
		if changed && !errors.Is(err, dataset.ErrChecksum) {
			t.Fatalf("%s changed: %v, want dataset.ErrChecksum", target, err)
		}
		o.Verify = VerifyNone
		_, _ = Aggregate(context.Background(), dir, o) // must not panic
	})
}
