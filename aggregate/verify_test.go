package aggregate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/internal/synthstudy"
)

// sealSynth records every file's size and SHA-256 in a synthetic study's
// manifest, as `tokensim run` does.
func sealSynth(t testing.TB, dir string) {
	t.Helper()
	m, err := dataset.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, fi := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(fi.Path)))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		m.Files[i].Bytes, m.Files[i].SHA256 = int64(len(b)), hex.EncodeToString(h[:])
	}
	data, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyByteFlips (issue 16 item 10): every single-byte change of a part
// file the report reads is refused with dataset.ErrChecksum naming the file (before,
// a flip inside a compressed page's padding or statistics could go unseen);
// --no-verify reads the file as it is; --verify also checks files the report
// does not read.
func TestVerifyByteFlips(t *testing.T) {
	dir := t.TempDir()
	synthstudy.Write(t, dir, synthstudy.Study{Scenarios: []string{"baseline"}, Policies: []string{"none", "fund"},
		Replicates: 20, Horizon: 10, Steps: true, ChunkRuns: 20})
	sealSynth(t, dir)
	o := DefaultOptions()
	o.Bootstrap = 100
	if _, err := Aggregate(context.Background(), dir, o); err != nil {
		t.Fatal(err)
	}
	m, _ := dataset.ReadManifest(dir)
	for _, fi := range m.Files {
		path := filepath.Join(dir, filepath.FromSlash(fi.Path))
		orig, _ := os.ReadFile(path)
		for _, at := range []int{4, len(orig) / 3, len(orig) / 2, len(orig) - 9} {
			b := append([]byte(nil), orig...)
			b[at] ^= 0x01
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Aggregate(context.Background(), dir, o)
			if !errors.Is(err, dataset.ErrChecksum) || !errors.Is(err, dataset.ErrCorrupt) {
				t.Errorf("%s byte %d flipped: %v, want dataset.ErrChecksum", fi.Path, at, err)
			}
		}
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A provider_steps-like file the report does not read: only --verify checks it.
	extra := filepath.Join(dir, "provider_steps", "part-000000.parquet")
	if err := os.MkdirAll(filepath.Dir(extra), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(extra, []byte("not what was written"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.Files = append(m.Files, dataset.FileInfo{Path: "provider_steps/part-000000.parquet", Table: dataset.TableProviderSteps, Bytes: 3, SHA256: "00"})
	data, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, dataset.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Aggregate(context.Background(), dir, o); err != nil {
		t.Errorf("default verification checks a file the report does not read: %v", err)
	}
	o.Verify = VerifyAll
	if _, err := Aggregate(context.Background(), dir, o); !errors.Is(err, dataset.ErrChecksum) {
		t.Errorf("VerifyAll: %v, want dataset.ErrChecksum", err)
	}
}

// BenchmarkVerify compares the cost of checking the SHA-256 of the files the
// report reads with reading them: the runs table (ReadRuns) and the whole
// aggregation without verification, on BenchmarkAggregate's study (10,000
// runs, 3.66 M step rows). It reports MB/s of part files hashed.
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	s := synthstudy.Study{Scenarios: []string{"baseline", "volatility"},
		Policies:   []string{"none", "fund", "circuit_breaker", "share_cap", "all"},
		Replicates: 1000, Horizon: 365, Steps: true, ChunkRuns: 1000}
	synthstudy.Write(b, dir, s)
	sealSynth(b, dir)
	ds, err := dataset.OpenDataset(dir)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, fi := range ds.Manifest.Files {
		bytes += fi.Bytes
	}
	ctx := context.Background()
	b.Run("hash", func(b *testing.B) {
		for range b.N {
			if err := ds.VerifyFiles(ctx, 2, true); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(bytes)/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/study")
	})
	b.Run("read-runs", func(b *testing.B) {
		for range b.N {
			if _, err := ds.ReadRuns(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/study")
	})
	b.Run("aggregate-no-verify", func(b *testing.B) {
		o := DefaultOptions()
		o.Verify = VerifyNone
		o.WriteSummary = false
		for range b.N {
			if _, err := Aggregate(ctx, dir, o); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/study")
	})
}
