package dataset

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/tokensim/tokensim/storage"
)

// dayRow is a model-like row type with every kind DayTable supports.
type dayRow struct {
	RunID int64    `parquet:"run_id"`
	Day   int64    `parquet:"day"`
	X     float64  `parquet:"x"`
	Opt   *float64 `parquet:"opt,optional"`
	N     int32    `parquet:"n"`
	On    bool     `parquet:"on"`
	Name  string   `parquet:"name,dict"`
	Skip  int      `parquet:"-"`
}

// dayRowOut is the file's row as DayTable lays it out: keys first, the
// model row's columns, then the sweep.
type dayRowOut struct {
	RunID     int64    `parquet:"run_id"`
	Cell      int64    `parquet:"cell"`
	Scenario  string   `parquet:"scenario"`
	Policy    string   `parquet:"policy"`
	Replicate int64    `parquet:"replicate"`
	Day       int64    `parquet:"day"`
	X         float64  `parquet:"x"`
	Opt       *float64 `parquet:"opt,optional"`
	N         int32    `parquet:"n"`
	On        bool     `parquet:"on"`
	Name      string   `parquet:"name"`
	Cap       float64  `parquet:"share_cap.cap"`
}

// TestDayTableRoundTrip writes rows of every supported kind, nulls
// included, through DayTable and PartWriter.WriteDay (reusing the row
// buffer across runs) and reads them back with parquet-go's generic reader.
func TestDayTableRoundTrip(t *testing.T) {
	dt, err := NewDayTable(TableSteps, reflect.TypeFor[dayRow](), []string{"share_cap.cap"})
	if err != nil {
		t.Fatal(err)
	}
	cols := dt.Schema().Columns()
	want := []string{"run_id", "cell", "scenario", "policy", "replicate", "day", "x", "opt", "n", "on", "name", "share_cap.cap"}
	for i, c := range cols {
		if c[0] != want[i] {
			t.Fatalf("column %d = %s, want %s", i, c[0], want[i])
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, PartName(0))
	p, err := CreatePart[any](context.Background(), storage.NewDir(dir), PartName(0), TableSteps, FileMeta{Study: "t"}, dt.Schema())
	if err != nil {
		t.Fatal(err)
	}
	var exp []dayRowOut
	for run := int64(0); run < 3; run++ {
		var rows []dayRow
		for d := int64(1); d <= 5-run; d++ { // fewer rows than the last run: the buffer is reused
			r := dayRow{RunID: run, Day: d, X: float64(d) / 3, N: int32(-d), On: d%2 == 0, Name: []string{"a", "bb"}[d%2]}
			if d != 2 {
				v := math.Pi * float64(d)
				r.Opt = &v
			}
			rows = append(rows, r)
			exp = append(exp, dayRowOut{RunID: run, Cell: 10 + run, Scenario: "s", Policy: "p" + string(rune('0'+run)), Replicate: 7,
				Day: d, X: r.X, Opt: r.Opt, N: r.N, On: r.On, Name: r.Name, Cap: 0.25 * float64(run)})
		}
		k := DayKeys{Cell: 10 + run, Scenario: "s", Policy: "p" + string(rune('0'+run)), Replicate: 7}
		if err := p.WriteDay(dt, k, rows, []SweepValue{{Param: "share_cap.cap", Value: 0.25 * float64(run)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.ReadFile[dayRowOut](path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, exp)
	}
}
