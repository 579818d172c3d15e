package reports

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/dataset"
)

// svgTexts returns the character data of every <text> element of an SVG.
func svgTexts(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	var out []string
	depth := 0
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "text" {
				depth++
				cur.Reset()
			}
		case xml.CharData:
			if depth > 0 {
				cur.Write(e)
			}
		case xml.EndElement:
			if e.Name.Local == "text" && depth > 0 {
				depth--
				out = append(out, cur.String())
			}
		}
	}
	return out
}

// No figure text names a metric's column name or a scenario's or policy's
// code name (codeNameIn): figures speak in the catalogue's and the
// descriptions' plain labels. A negative control shows that the scan finds
// a code name. (Heatmap axes of a sweep name the swept parameter's path,
// which has no other name; this study has no sweep.)
func TestFigureTextHasNoCodeNames(t *testing.T) {
	dir, _ := writeSynth(t, basicOpts)
	svgs, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "*.svg"))
	if len(svgs) < 10 {
		t.Fatalf("%d SVG figures", len(svgs))
	}
	texts := 0
	for _, f := range svgs {
		for _, s := range svgTexts(t, f) {
			texts++
			if name := codeNameIn(s); name != "" {
				t.Errorf("%s: text %q names the code name %q", filepath.Base(f), s, name)
			}
		}
	}
	if texts < 100 {
		t.Errorf("only %d texts scanned", texts)
	}
	for _, s := range []string{"Δ hhi_final, HHI (0–10,000)", "share_cap", "none"} {
		if codeNameIn(s) == "" {
			t.Errorf("negative control: %q not flagged", s)
		}
	}
}
