package aggregate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
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
		dir := t.TempDir()
		target, changed := writeCorrupted(t, dir, file, off, xor, trunc)
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

// writeCorrupted writes FuzzCorruptDataset's synthetic study to dir with
// part file number file (modulo their count, in path order) changed: xor
// applied from byte off (wrapping), then by trunc%3: 0 kept, 1 truncated to
// trunc/3 bytes (modulo length+1), 2 extended by xor. It returns the part
// file's path below dir and whether its bytes changed.
func writeCorrupted(t *testing.T, dir string, file uint8, off uint32, xor []byte, trunc uint32) (target string, changed bool) {
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
	return target, changed
}

// TestCorruptCorpusRefused: the FuzzCorruptDataset corpus entries that
// crashed the report still change the part file they changed when found,
// and without verification the report refuses the file with
// dataset.ErrCorrupt naming it and the defect, instead of crashing:
// 9ef87cf7865a1fc8 made parquet-go v0.32.0 die with "fatal error: out of
// memory" (a column chunk list's length varint changed to 93,180,527; the
// minimized entry changes three bytes, 59,626,095 elements of 560 bytes),
// refused by dataset.CheckParquetFooter; 6f129dc0d56fb124 (one bit) gives a
// runs column a MAP type, whose Kind parquet-go panics on.
func TestCorruptCorpusRefused(t *testing.T) {
	for _, tc := range []struct{ name, target, want string }{
		{"9ef87cf7865a1fc8", "runs/part-000002.parquet", "list declares"},
		{"footer-list-length-minimized", "runs/part-000002.parquet", "list declares"},
		{"6f129dc0d56fb124", "runs/part-000001.parquet", "no physical kind"},
	} {
		name := tc.name
		b, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzCorruptDataset", name))
		if err != nil {
			t.Fatal(err)
		}
		// go test fuzz v1, then byte, uint32, []byte, uint32 literals.
		var file byte
		var off, trunc uint32
		var xor string
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 5 {
			t.Fatalf("%s: %d lines", name, len(lines))
		}
		fileLit, _ := strings.CutSuffix(strings.TrimPrefix(lines[1], "byte("), ")")
		offLit, _ := strings.CutSuffix(strings.TrimPrefix(lines[2], "uint32("), ")")
		xorLit, _ := strings.CutSuffix(strings.TrimPrefix(lines[3], "[]byte("), ")")
		truncLit, _ := strings.CutSuffix(strings.TrimPrefix(lines[4], "uint32("), ")")
		r, _, _, err := strconv.UnquoteChar(strings.Trim(fileLit, "'"), '\'')
		if err != nil {
			t.Fatalf("%s: byte %s: %v", name, fileLit, err)
		}
		file = byte(r)
		if xor, err = strconv.Unquote(xorLit); err != nil {
			t.Fatalf("%s: []byte %s: %v", name, xorLit, err)
		}
		o64, err1 := strconv.ParseUint(offLit, 10, 32)
		t64, err2 := strconv.ParseUint(truncLit, 10, 32)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: uint32s %s %s", name, offLit, truncLit)
		}
		off, trunc = uint32(o64), uint32(t64)

		dir := t.TempDir()
		target, changed := writeCorrupted(t, dir, file, off, []byte(xor), trunc)
		if !changed || target != tc.target {
			t.Fatalf("%s: changed %v %s, want %s", name, changed, target, tc.target)
		}
		o := DefaultOptions()
		o.Bootstrap = 100
		o.WriteSummary = false
		o.Verify = VerifyNone
		_, err = Aggregate(context.Background(), dir, o)
		if !errors.Is(err, dataset.ErrCorrupt) || !strings.Contains(err.Error(), filepath.FromSlash(target)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want dataset.ErrCorrupt naming %s and %q", name, err, target, tc.want)
		}
		t.Logf("%s: %v", name, err)
	}
}
