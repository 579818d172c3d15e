package study

import (
	"errors"
	"strconv"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// FuzzParseStudy: any bytes are a study or an error wrapping ErrStudy, never
// a panic; an accepted study's identity parses back to the same identity.
// Seeds: testdata/fuzz/FuzzParseStudy (the shipped configs and the inputs of
// issue 16).
func FuzzParseStudy(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStudy("f.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrStudy) && !errors.Is(err, ErrSensitivity) {
				t.Fatalf("error not wrapping ErrStudy: %v", err)
			}
			return
		}
		y, err := s.IdentityYAML()
		if err != nil {
			t.Fatalf("identity of an accepted study: %v", err)
		}
		s2, err := ParseStudy("identity.yaml", y)
		if err != nil {
			t.Fatalf("identity does not parse back: %v\n%s", err, y)
		}
		y2, _ := s2.IdentityYAML()
		if string(y) != string(y2) {
			t.Fatalf("identity does not round-trip:\n%s\n---\n%s", y, y2)
		}
	})
}

// FuzzParamPath: any dotted path and value are set, read back, swept or
// refused with an error — never a panic (model.SetParam, model.GetParam and
// a study's params: and sweeps: blocks).
func FuzzParamPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, path string, v float64) {
		p := model.Default()
		if err := model.SetParam(&p, path, v); err == nil {
			if _, err := model.GetParam(&p, path); err != nil {
				t.Fatalf("set %s but cannot get it: %v", path, err)
			}
		}
		q := strconv.Quote(path)
		num := strconv.FormatFloat(v, 'g', -1, 64)
		for _, src := range []string{
			"name: x\nparams: {" + q + ": " + num + "}\n",
			"name: x\nsweeps: [{param: " + q + ", values: [" + num + "]}]\n",
		} {
			if _, err := ParseStudy("f.yaml", []byte(src)); err != nil && !errors.Is(err, ErrStudy) {
				t.Fatalf("%q: error not wrapping ErrStudy: %v", src, err)
			}
		}
	})
}
