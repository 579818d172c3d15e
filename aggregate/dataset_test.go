package aggregate

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/synthstudy"
)

// editManifest rewrites dir/manifest.json through fn.
func editManifest(t *testing.T, dir string, fn func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, dataset.ManifestFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAggregateBadInput(t *testing.T) {
	small := synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"}, Replicates: 6, Horizon: 2,
		Steps: true, ChunkRuns: 5}
	run0 := filepath.Join("runs", dataset.PartName(0))
	steps0 := filepath.Join("steps", "scenario=baseline", "policy=none", dataset.PartName(0))
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the dir to aggregate
		want  error
		file  string // the error must name this path (relative to dir), if set
	}{
		{"missing dir", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope") }, dataset.ErrNotStudy, "nope"},
		{"regular file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "f.txt")
			os.WriteFile(p, []byte("x"), 0o644)
			return p
		}, dataset.ErrNotStudy, "f.txt"},
		{"empty dir", func(t *testing.T, dir string) string { return dir }, dataset.ErrNotStudy, ""},
		{"manifest not JSON", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, dataset.ManifestFile), []byte("{runs: 3"), 0o644)
			return dir
		}, dataset.ErrCorrupt, dataset.ManifestFile},
		{"other schema version", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			editManifest(t, dir, func(m map[string]any) { m["schema_version"] = dataset.SchemaVersion - 1 })
			return dir
		}, dataset.ErrSchema, dataset.ManifestFile},
		{"missing part file", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			os.Remove(filepath.Join(dir, run0))
			return dir
		}, dataset.ErrCorrupt, run0},
		{"truncated runs part", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			p := filepath.Join(dir, run0)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
			return dir
		}, dataset.ErrCorrupt, run0},
		{"garbage steps part", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			p := filepath.Join(dir, steps0)
			b, _ := os.ReadFile(p)
			for i := 8; i < len(b)-8; i++ {
				b[i] ^= 0x5a
			}
			os.WriteFile(p, b, 0o644)
			return dir
		}, dataset.ErrCorrupt, steps0},
		{"corrupt data pages in the runs part", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			corruptMiddle(t, filepath.Join(dir, run0))
			return dir
		}, dataset.ErrCorrupt, run0},
		{"corrupt data pages in a steps part", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			corruptMiddle(t, filepath.Join(dir, steps0))
			return dir
		}, dataset.ErrCorrupt, steps0},
		{"row count differs from manifest", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			editManifest(t, dir, func(m map[string]any) {
				m["files"].([]any)[0].(map[string]any)["rows"] = 99
			})
			return dir
		}, dataset.ErrCorrupt, run0},
		{"part of another schema version", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			rt := synthstudy.RunsType(nil)
			synthstudy.WriteParquetRows(t, filepath.Join(dir, run0), rt, nil,
				[]parquet.WriterOption{parquet.KeyValueMetadata(dataset.MetaSchemaVersion, "1")})
			return dir
		}, dataset.ErrSchema, run0},
		{"runs part without a key column", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, small)
			rt := reflect.StructOf([]reflect.StructField{{Name: "RunID", Type: reflect.TypeFor[int64](), Tag: `parquet:"run_id"`}})
			synthstudy.WriteParquetRows(t, filepath.Join(dir, run0), rt, nil, nil)
			editManifest(t, dir, func(m map[string]any) {
				m["files"].([]any)[0].(map[string]any)["rows"] = 0
			})
			return dir
		}, dataset.ErrSchema, run0},
		{"no runs yet", func(t *testing.T, dir string) string {
			synthstudy.Write(t, dir, synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none"}, Replicates: 2,
				State: dataset.StateRunning, Skip: map[int64]bool{0: true, 1: true}})
			return dir
		}, ErrNoRuns, "runs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			target := c.setup(t, dir)
			st, err := Aggregate(context.Background(), target, aggTestOptions())
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if st != nil {
				t.Error("a result came with the error")
			}
			if c.file != "" && !strings.Contains(err.Error(), c.file) {
				t.Errorf("error %q does not name %s", err, c.file)
			}
			if _, serr := os.Stat(filepath.Join(target, "summary")); serr == nil {
				t.Error("summary/ written for a bad study")
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	if err := DefaultOptions().Validate(); err != nil {
		t.Fatal(err)
	}
	for i, f := range []func(*Options){
		func(o *Options) { o.Confidence = 1 },
		func(o *Options) { o.Confidence = 0 },
		func(o *Options) { o.Bootstrap = 10 },
		func(o *Options) { o.BootstrapMethod = "abc" },
		func(o *Options) { o.FanMemoryBytes = -1 },
		func(o *Options) { o.Workers = -2 },
	} {
		o := DefaultOptions()
		f(&o)
		if err := o.Validate(); err == nil {
			t.Errorf("case %d: invalid options accepted: %+v", i, o)
		}
		if _, err := Aggregate(context.Background(), t.TempDir(), o); err == nil || errors.Is(err, dataset.ErrNotStudy) {
			t.Errorf("case %d: Aggregate did not reject the options first: %v", i, err)
		}
	}
}

// corruptMiddle overwrites the data pages of a Parquet file (between the
// leading magic and the footer) with garbage, keeping the footer intact.
func corruptMiddle(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parquet.OpenFile(bytesReaderAt(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	// The footer is the 4-byte little-endian length before the trailing "PAR1".
	footer := int(uint32(b[len(b)-8]) | uint32(b[len(b)-7])<<8 | uint32(b[len(b)-6])<<16 | uint32(b[len(b)-5])<<24)
	for i := 4; i < len(b)-8-footer; i++ {
		b[i] = byte(i*131 + 7)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
