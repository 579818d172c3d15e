package model

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var updateV1 = flag.Bool("update-v1", false, "rewrite testdata/v1_golden.txt (only from the v0.1 code: it is the v1 contract)")

// v1Golden is the file that pins MODEL-SPEC v1's output (MODEL-SPEC-v2 §E.1):
// written once from the v0.1 code (commit 3615a41), it holds the v1 column
// names of the runs and steps tables and, per (scenario, policy, replicate),
// a SHA-256 of every v1 column's value bits, day by day. Columns added later
// (v2 metrics) are not part of the digest, so the check is that every v1
// value is bit-identical under model.version 1.
const v1Golden = "testdata/v1_golden.txt"

type digestRec struct {
	steps []Step
}

func (d *digestRec) Step(s *Step)               { d.steps = append(d.steps, *s) }
func (d *digestRec) ProviderStep(*ProviderStep) {}

// columns returns the parquet column names of struct type t in field order.
func columns(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("parquet")
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, strings.Split(tag, ",")[0])
	}
	return out
}

// v1NullAs maps the v1 columns that v1 wrote as plain values and schema v2
// writes as nullable (model/nulls.go) to the sentinel v1 wrote where v2
// writes null: −1 for a day of an event that never happened or did not
// apply, 0 for a lever-only count or P&L without the lever. Integer widths
// do not matter: writeBits hashes every integer as 64 bits.
var v1NullAs = map[string]any{
	"halts":               int64(0),
	"fund_depleted_day":   int64(-1),
	"recovery_days":       int64(-1),
	"fund_pnl_usd":        float64(0),
	"cap_blocked_days":    int64(0),
	"grants_blocked_days": int64(0),
}

// writeBits appends the bits of the named columns of v to h.
func writeBits(h []byte, v reflect.Value, names []string) ([]byte, error) {
	t := v.Type()
	idx := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		idx[strings.Split(t.Field(i).Tag.Get("parquet"), ",")[0]] = i
	}
	for _, n := range names {
		i, ok := idx[n]
		if !ok {
			return nil, fmt.Errorf("v1 column %q is gone from %s", n, t.Name())
		}
		f := v.Field(i)
		if sentinel, ok := v1NullAs[n]; ok && f.Kind() == reflect.Pointer {
			// A v1 plain column made nullable by dataset schema v2: hash the
			// value v1 wrote (null → its sentinel) in v1's encoding.
			if f.IsNil() {
				f = reflect.ValueOf(sentinel).Convert(f.Type().Elem())
			} else {
				f = f.Elem()
			}
		} else if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				h = append(h, 0)
				continue
			}
			h = append(h, 1)
			f = f.Elem()
		}
		switch f.Kind() {
		case reflect.Float64:
			h = binary.LittleEndian.AppendUint64(h, math.Float64bits(f.Float()))
		case reflect.Int32, reflect.Int64, reflect.Int:
			h = binary.LittleEndian.AppendUint64(h, uint64(f.Int()))
		case reflect.Bool:
			if f.Bool() {
				h = append(h, 1)
			} else {
				h = append(h, 0)
			}
		case reflect.String:
			h = append(h, f.String()...)
		default:
			return nil, fmt.Errorf("column %q: kind %s", n, f.Kind())
		}
	}
	return h, nil
}

func v1Digests(t *testing.T, p Params, runCols, stepCols []string, reps int) []string {
	t.Helper()
	var out []string
	var r Runner
	for _, sn := range ScenarioNames() {
		for _, pn := range PolicyNames() {
			sc, pol := Scenarios()[sn], Policies()[pn]
			rp, err := Resolve(p, sc, pol)
			if err != nil {
				t.Fatal(err)
			}
			for rep := 0; rep < reps; rep++ {
				spec := &RunSpec{Params: rp, Schedule: sc.Schedule, HorizonDays: 365, Seed: 20261121,
					Replicate: rep, RunID: int64(rep), RecordEveryDays: 1}
				rec := &digestRec{}
				sum, err := r.Run(spec, rec)
				if err != nil {
					t.Fatalf("%s/%s/%d: %v", sn, pn, rep, err)
				}
				b, err := writeBits(nil, reflect.ValueOf(sum), runCols)
				if err != nil {
					t.Fatal(err)
				}
				for i := range rec.steps {
					if b, err = writeBits(b, reflect.ValueOf(rec.steps[i]), stepCols); err != nil {
						t.Fatal(err)
					}
				}
				h := sha256.Sum256(b)
				out = append(out, fmt.Sprintf("%s %s %d %s", sn, pn, rep, hex.EncodeToString(h[:])))
			}
		}
	}
	return out
}

// TestV1Reproduced checks MODEL-SPEC-v2 §E.1: under model.version 1 every v1
// runs and steps value of every built-in scenario × policy is bit-identical
// to what the v0.1 code produced.
func TestV1Reproduced(t *testing.T) {
	const reps = 3
	if *updateV1 {
		runCols := columns(reflect.TypeOf(Summary{}))
		stepCols := columns(reflect.TypeOf(Step{}))
		lines := []string{"runs " + strings.Join(runCols, ","), "steps " + strings.Join(stepCols, ",")}
		lines = append(lines, v1Digests(t, DefaultV1(), runCols, stepCols, reps)...)
		if err := os.WriteFile(v1Golden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(filepath.FromSlash(v1Golden))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 3 {
		t.Fatalf("%s: too short", v1Golden)
	}
	runCols := strings.Split(strings.TrimPrefix(lines[0], "runs "), ",")
	stepCols := strings.Split(strings.TrimPrefix(lines[1], "steps "), ",")
	got := v1Digests(t, DefaultV1(), runCols, stepCols, reps)
	want := lines[2:]
	if len(got) != len(want) {
		t.Fatalf("%d runs, golden has %d", len(got), len(want))
	}
	bad := 0
	for i := range got {
		if got[i] != want[i] {
			bad++
			if bad <= 5 {
				t.Errorf("v1 output changed: got %s, want %s", got[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d runs differ from v1", bad, len(got))
	}
}
