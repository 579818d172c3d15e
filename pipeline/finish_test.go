package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokensim/tokensim/dataset"
)

// fakePart is a dataset.Part whose Finish returns a size and hash made from
// its path, or fails.
type fakePart struct {
	path     string
	rows     int64
	fail     error
	finished atomic.Int32
	aborted  atomic.Int32
}

func (p *fakePart) Path() string  { return p.path }
func (p *fakePart) Table() string { return "t" }
func (p *fakePart) Rows() int64   { return p.rows }
func (p *fakePart) Commit() (int64, string, error) {
	return 0, "", errors.New("not used")
}
func (p *fakePart) Finish() (int64, string, error) {
	p.finished.Add(1)
	if p.fail != nil {
		p.aborted.Add(1) // as dataset.PartWriter: a failed Finish removes its file
		return 0, "", p.fail
	}
	return int64(len(p.path)), "sha-" + p.path, nil
}
func (p *fakePart) Publish() error { return nil }
func (p *fakePart) Abort()         { p.aborted.Add(1) }

// TestFinishParts: every part is finished once, whatever the goroutine;
// the results come back in the parts' order; when parts fail, every part
// is left aborted (its temporary file removed) and the error names the
// first failed part in the parts' order, wrapping its cause.
func TestFinishParts(t *testing.T) {
	mk := func(n int, fail map[int]error) ([]*fakePart, []dataset.Part) {
		var fs []*fakePart
		var ps []dataset.Part
		for i := 0; i < n; i++ {
			f := &fakePart{path: fmt.Sprintf("p%02d", i), rows: int64((i * 7) % 5), fail: fail[i]}
			fs = append(fs, f)
			ps = append(ps, f)
		}
		return fs, ps
	}
	fs, ps := mk(9, nil)
	got, err := finishParts(ps)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fs {
		if f.finished.Load() != 1 || f.aborted.Load() != 0 {
			t.Errorf("%s: finished %d times, aborted %d times", f.path, f.finished.Load(), f.aborted.Load())
		}
		if got[i].bytes != int64(len(f.path)) || got[i].sha256 != "sha-"+f.path {
			t.Errorf("result %d is %+v, not %s's", i, got[i], f.path)
		}
	}

	disk := errors.New("no space left on device")
	fs, ps = mk(9, map[int]error{6: errors.New("other"), 3: disk})
	if _, err := finishParts(ps); !errors.Is(err, disk) || !strings.Contains(err.Error(), "p03") {
		t.Fatalf("error %v, want p03's %v", err, disk)
	}
	for _, f := range fs {
		if f.finished.Load() != 1 || f.aborted.Load() != 1 {
			t.Errorf("%s: finished %d times, aborted %d times after a failure, want 1 and 1", f.path, f.finished.Load(), f.aborted.Load())
		}
	}
}
