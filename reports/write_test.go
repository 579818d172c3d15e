package reports

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/aggregate"
	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var basicOpts = synthOpts{
	scenarios: []string{"baseline", "volatility"},
	policies:  []string{"none", "fund", "share_cap"},
	runs:      40,
	days:      60,
	config:    "name: synthetic\nseed: 20261121\nparams:\n  metrics: {peg_band: 0.05}\n",
	seed:      1,
}

// writeSynth writes the report of a synthetic study into a fresh directory.
func writeSynth(t *testing.T, o synthOpts) (dir, page string) {
	t.Helper()
	dir = t.TempDir()
	st := synthStudy(o)
	path, err := Write(context.Background(), st, dir, DefaultOptions())
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if want := filepath.Join(dir, dataset.ReportFile); path != want {
		t.Fatalf("Write returned %q, want %q", path, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dir, string(b)
}

// walk calls fn for every element node of the tree.
func walk(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// checkWellFormed tokenizes the page and checks that every non-void element is
// closed in order (html.Parse would silently repair mistakes).
func checkWellFormed(t *testing.T, page string) {
	t.Helper()
	void := map[string]bool{"meta": true, "img": true, "br": true, "hr": true, "link": true, "input": true}
	z := html.NewTokenizer(strings.NewReader(page))
	var stack []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if len(stack) != 0 {
				t.Fatalf("unclosed elements at end of page: %v", stack)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !void[string(name)] {
				stack = append(stack, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				t.Fatalf("end tag </%s> does not close the open element (stack %v)", name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func TestWriteSectionsAndFigures(t *testing.T) {
	dir, page := writeSynth(t, basicOpts)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Errorf("page does not start with a doctype")
	}
	checkWellFormed(t, page)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var imgs, tables, inlineSVG int
	walk(doc, func(n *html.Node) {
		if id, ok := attr(n, "id"); ok {
			if ids[id] {
				t.Errorf("duplicate id %q", id)
			}
			ids[id] = true
		}
		switch n.DataAtom {
		case atom.Img:
			imgs++
			src, _ := attr(n, "src")
			// Each figure is inlined as the smaller of its PNG and its SVG.
			const prefix, svgPrefix = "data:image/png;base64,", "data:image/svg+xml;base64,"
			switch {
			case strings.HasPrefix(src, prefix):
				raw, err := base64.StdEncoding.DecodeString(src[len(prefix):])
				if err != nil {
					t.Errorf("img base64: %v", err)
					return
				}
				if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
					t.Errorf("inline PNG does not decode: %v", err)
				}
			case strings.HasPrefix(src, svgPrefix):
				raw, err := base64.StdEncoding.DecodeString(src[len(svgPrefix):])
				if err != nil {
					t.Errorf("img base64: %v", err)
					return
				}
				var doc struct {
					XMLName xml.Name
				}
				if err := xml.Unmarshal(raw, &doc); err != nil || doc.XMLName.Local != "svg" {
					t.Errorf("inline SVG does not parse as <svg>: %v (root %q)", err, doc.XMLName.Local)
				}
				inlineSVG++
				// Only when the SVG file is the smaller one.
				if fig := n.Parent; fig != nil {
					id, _ := attr(fig, "id")
					ps, e1 := os.Stat(filepath.Join(dir, dataset.FiguresDir, strings.TrimPrefix(id, "fig-")+".png"))
					ss, e2 := os.Stat(filepath.Join(dir, dataset.FiguresDir, strings.TrimPrefix(id, "fig-")+".svg"))
					if e1 != nil || e2 != nil || ss.Size() >= ps.Size() {
						t.Errorf("%s inlined as SVG although its PNG is not larger (%v, %v)", id, e1, e2)
					}
				}
			default:
				t.Errorf("img src %.40q is not an inline PNG or SVG", src)
				return
			}
			if alt, _ := attr(n, "alt"); alt == "" {
				t.Errorf("img without alt text")
			}
		case atom.Table:
			tables++
		case atom.Link:
			t.Errorf("page has a <link> element (must be self-contained)")
		case atom.Script:
			if _, ok := attr(n, "src"); ok {
				t.Errorf("page loads an external script")
			}
		}
		for _, k := range []string{"src", "href"} {
			v, ok := attr(n, k)
			switch {
			case !ok || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "#"):
			case k == "href" && strings.HasPrefix(v, dataset.FiguresDir+"/"):
				// Links to the files behind a figure must exist.
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v))); err != nil {
					t.Errorf("<a href=%q>: %v", v, err)
				}
			case k == "href" && strings.HasPrefix(v, "summary/") && strings.HasSuffix(v, ".parquet"):
				// The study's summary tables (written by aggregate beside the report).
			default:
				t.Errorf("<%s %s=%q> refers outside the page", n.Data, k, v)
			}
		}
	})
	for _, id := range []string{"run", "findings", "stability", "diversity", "profitability", "consumers", "token", "effects", "method", "config"} {
		if !ids[id] {
			t.Errorf("section #%s missing", id)
		}
	}
	if ids["sweep"] {
		t.Errorf("sweep section present without a sweep")
	}
	// 2 scenarios × (1 price fan + box) stability, (2 fans + box) diversity,
	// box profitability, (2 fans + box) consumers, 1 effect chart; and the
	// first screen's trade-off figure and the 4 cross-scenario box plots.
	if want := 2*(2+3+1+3+1) + 1 + 4; imgs != want {
		t.Errorf("%d images, want %d", imgs, want)
	}
	if inlineSVG == 0 {
		t.Errorf("no figure inlined as SVG, although box plots and effect charts are smaller as SVG")
	}
	if tables < 10 {
		t.Errorf("%d tables, want ≥ 10", tables)
	}
	files, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "*.png"))
	svgs, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "*.svg"))
	if len(files) != imgs || len(svgs) != imgs {
		t.Errorf("figures/: %d PNG and %d SVG files, want %d each", len(files), len(svgs), imgs)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	for _, want := range []string{"Hyndman–Fan type 7", "Wilson", "BCa bootstrap", "Common random numbers",
		"USDT daily closes 2017-01-01..2021-02-27", "BTC daily closes 2013-04-29..2021-02-27", "ETH", "blended 3:1",
		"sha256:0123abcd", "20261121", "3 min 07 s", "peg_band: 0.05"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `class="alert"`) {
		t.Errorf("complete study shows an alert")
	}
}

func TestPegBandFromStudy(t *testing.T) {
	st := synthStudy(basicOpts)
	st.Info.Peg, st.Info.PegBand = 1, 0.02
	r, err := Build(context.Background(), st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "peg band 1.00 ± 2.00%") {
		t.Errorf("price fan caption does not state the study's peg band")
	}
}

func TestWriteEscapesConfigStrings(t *testing.T) {
	o := basicOpts
	o.days = 0
	o.config = "name: x\nnote: </pre><script>alert('owned')</script>\n"
	o.scenarios = []string{`<img src=x onerror=alert(1)>`}
	st := synthStudy(o)
	st.Info.Name = `<script>alert("name")</script>`
	st.Warnings = []string{`warning <b>bold</b> & "quoted"`}
	dir := t.TempDir()
	path, err := Write(context.Background(), st, dir, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	page := string(b)
	for _, bad := range []string{"<script>alert", "</pre><script>", "<img src=x", "<b>bold</b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	for _, good := range []string{"&lt;/pre&gt;&lt;script&gt;alert('owned')&lt;/script&gt;", "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;", "&lt;b&gt;bold&lt;/b&gt; &amp;"} {
		if !strings.Contains(page, good) {
			t.Errorf("page lacks escaped %q", good)
		}
	}
	checkWellFormed(t, page)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	scripts := 0
	walk(doc, func(n *html.Node) {
		if n.DataAtom == atom.Script {
			scripts++
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("element <%s> has event handler attribute %s", n.Data, a.Key)
			}
		}
	})
	if scripts != 1 {
		t.Errorf("%d script elements, want only the page's own sorting script", scripts)
	}
	// Figure ids are sanitized file names.
	files, _ := os.ReadDir(filepath.Join(dir, dataset.FiguresDir))
	re := regexp.MustCompile(`^[a-z0-9_-]+\.(png|svg|csv)$`)
	for _, f := range files {
		if !re.MatchString(f.Name()) {
			t.Errorf("figure file name %q not sanitized", f.Name())
		}
	}
}

func TestIncompleteStudyNoticeOnFirstScreen(t *testing.T) {
	o := basicOpts
	o.days = 0
	o.failed = 7
	o.planned = 400
	_, page := writeSynth(t, o)
	head := page[:strings.Index(page, `<section id="run">`)]
	for _, want := range []string{`class="alert"`, "incomplete: 240 of 400 planned runs", "7 runs failed", "run 100: model: price not finite on day 17", "and 2 more"} {
		if !strings.Contains(head, want) {
			t.Errorf("first screen lacks %q", want)
		}
	}
}

func TestFindingsFromNumbers(t *testing.T) {
	st := synthStudy(basicOpts)
	// Make one effect clearly the largest and check its sentence.
	for i := range st.Effects {
		e := &st.Effects[i]
		if e.Scenario == "volatility" && e.Policy == "fund" && e.Metric == "peg_mad" {
			e.BaseMean, e.PolicyMean, e.MeanDiff, e.Lo, e.Hi, e.FracBetter, e.N = 0.04, 0.01, -0.03, -0.035, -0.025, 0.93, 40
		}
	}
	r, err := Build(context.Background(), st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := "Stability: In volatility, fund lowers mean distance from the peg by 0.0300 USD/CLT (95% CI 0.0250–0.0350 USD/CLT; 40 paired replicates; −75.0% relative to none's 0.0400 USD/CLT), an improvement. It does better in 93% of paired replicates."
	found := false
	for _, f := range r.Findings {
		if f == want {
			found = true
		}
	}
	if !found {
		t.Errorf("findings lack\n%s\ngot:\n%s", want, strings.Join(r.Findings, "\n"))
	}
	// A deterioration is called one.
	mi := model.Metric{Name: "satisfaction", Unit: "fraction", Label: "Served / desired volume", Better: model.HigherIsBetter, Percent: true}
	b := &builder{st: st}
	s := b.sentence(&aggregate.Effect{Scenario: "baseline", Policy: "grants", MeanDiff: -0.01, Lo: -0.02, Hi: -0.005, BaseMean: 0.9, FracBetter: 0.2, N: 10}, mi)
	if want := "In baseline, grants lowers served / desired volume by 1.00 percentage points (95% CI 0.500–2.00 percentage points; 10 paired replicates; −1.11% relative to none's 90.0%), a deterioration. It does better in 20% of paired replicates."; s != want {
		t.Errorf("sentence:\n%s\nwant\n%s", s, want)
	}
	mi = model.Metric{Name: "provider_profit_usd", Unit: "USD", Label: "Total provider profit", Better: model.HigherIsBetter}
	s = b.sentence(&aggregate.Effect{Scenario: "centralization", Sweep: []dataset.SweepValue{{Param: "share_cap.cap", Value: 0.3, Text: "0.3"}},
		Policy: "all", MeanDiff: -3.32e9, Lo: -3.67e9, Hi: -3.03e9, BaseMean: 1.26e10, FracBetter: 0, N: 16}, mi)
	if want := "In centralization (share_cap.cap=0.3), all lowers total provider profit by 3.32 billion USD (95% CI 3.03–3.67 billion USD; 16 paired replicates; −26.3% relative to none's 12.6 billion USD), a deterioration. It does better in 0% of paired replicates."; s != want {
		t.Errorf("sentence:\n%s\nwant\n%s", s, want)
	}
	// A significant but immaterial effect (0.1% of the level) is not a headline.
	if material(&aggregate.Effect{N: 10, MeanDiff: 0.001, Lo: 0.0005, Hi: 0.0015, BaseMean: 1}) {
		t.Errorf("a 0.1%% effect counted as material")
	}
}

func TestWriteLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Write(ctx, synthStudy(basicOpts), dir, DefaultOptions()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with a cancelled context: %v", err)
	}
	if _, err := Write(context.Background(), &aggregate.Study{}, dir, DefaultOptions()); !errors.Is(err, aggregate.ErrNoRuns) {
		t.Fatalf("Write of an empty study: %v, want ErrNoRuns", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		t.Errorf("left behind: %s", e.Name())
	}
	if _, err := Write(context.Background(), synthStudy(basicOpts), filepath.Join(dir, "missing"), DefaultOptions()); err == nil {
		t.Errorf("Write into a missing directory succeeded")
	}
}

func TestWriteReplacesPreviousReport(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, dataset.FiguresDir, "stale.png")
	os.MkdirAll(filepath.Dir(old), 0o755)
	os.WriteFile(old, []byte("x"), 0o644)
	if _, err := Write(context.Background(), synthStudy(basicOpts), dir, DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale figure survived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, dataset.FiguresDir+".old")); !os.IsNotExist(err) {
		t.Errorf("backup directory left behind")
	}
}

// TestWritePageFailureKeepsPreviousReport: when the page cannot be
// published (report.html is a non-empty directory), the figures swap is
// undone: the previous figures stay and nothing temporary is left.
func TestWritePageFailureKeepsPreviousReport(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, dataset.FiguresDir, "previous.png")
	os.MkdirAll(filepath.Dir(old), 0o755)
	os.WriteFile(old, []byte("x"), 0o644)
	blocker := filepath.Join(dir, dataset.ReportFile, "keep")
	os.MkdirAll(blocker, 0o755)
	if _, err := Write(context.Background(), synthStudy(basicOpts), dir, DefaultOptions()); err == nil {
		t.Fatal("Write succeeded although report.html is a directory")
	}
	if b, err := os.ReadFile(old); err != nil || string(b) != "x" {
		t.Errorf("previous figure lost: %q, %v", b, err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != dataset.FiguresDir && e.Name() != dataset.ReportFile {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if figs, _ := os.ReadDir(filepath.Join(dir, dataset.FiguresDir)); len(figs) != 1 {
		t.Errorf("figures directory holds %d files, want the previous one only", len(figs))
	}
}

// TestWriteFileModes: report.html and the figures are 0644 and figures/ is
// 0755 (os.CreateTemp and os.MkdirTemp alone make 0600 and 0700).
func TestWriteFileModes(t *testing.T) {
	dir, _ := writeSynth(t, basicOpts)
	check := func(path string, want os.FileMode) {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(path), got, want)
		}
	}
	check(filepath.Join(dir, dataset.ReportFile), 0o644)
	check(filepath.Join(dir, dataset.FiguresDir), 0o755)
	ents, err := os.ReadDir(filepath.Join(dir, dataset.FiguresDir))
	if err != nil || len(ents) == 0 {
		t.Fatalf("figures/: %d files, %v", len(ents), err)
	}
	for _, e := range ents {
		check(filepath.Join(dir, dataset.FiguresDir, e.Name()), 0o644)
	}
}

func TestSweepHeatmaps(t *testing.T) {
	o := basicOpts
	o.sweep = true
	o.days = 0
	o.runs = 12
	r, err := Build(context.Background(), synthStudy(o), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var sweep *Section
	for i := range r.Sections {
		if r.Sections[i].ID == "sweep" {
			sweep = &r.Sections[i]
		}
	}
	if sweep == nil {
		t.Fatal("no sweep section for a two-parameter sweep")
	}
	// 2 scenarios × 3 policies × 2 metrics.
	if len(sweep.Figures) != 12 {
		t.Errorf("%d heatmaps, want 12", len(sweep.Figures))
	}
	if got := sweep.Figures[0].Title; got != "Mean distance from the peg, mean of runs over share_cap.cap × network.effect — scenario Calm market, policy No policy" {
		t.Errorf("heatmap title %q", got)
	}
}

// TestSweepFans: with a sweep, charts over time are drawn per sweep point (at
// most Options.MaxFanSweepPoints), with the policies as panels.
func TestSweepFans(t *testing.T) {
	o := basicOpts
	o.sweep = true
	o.days = 10
	o.runs = 5
	o.scenarios = []string{"centralization"}
	opts := DefaultOptions()
	opts.MaxSweepPoints = 4
	r, err := Build(context.Background(), synthStudy(o), opts)
	if err != nil {
		t.Fatal(err)
	}
	var ids, captions []string
	for _, f := range r.Figures() {
		if strings.HasPrefix(f.ID, "fan_price_") {
			ids = append(ids, f.ID)
			captions = append(captions, f.Caption)
		}
	}
	want := []string{"fan_price_centralization_cap0-3_effect0-3", "fan_price_centralization_cap0-4_effect0-3",
		"fan_price_centralization_cap0-5_effect0-3", "fan_price_centralization_cap0-3_effect0-8"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("price fans %v, want %v", ids, want)
	}
	if len(captions) > 0 && (!strings.Contains(captions[0], "scenario Winner-take-most at share_cap.cap=0.3, network.effect=0.3") ||
		!strings.Contains(captions[0], "first 4 of 6 sweep points")) {
		t.Errorf("caption %q does not name the sweep point and the limit", captions[0])
	}
	// Tables and box plots show the same 4 sweep points (3 policies each).
	for _, sec := range r.Sections {
		if sec.ID != "stability" {
			continue
		}
		tb := sec.Tables[0]
		if !strings.Contains(tb.Caption, "Showing the first 4 of 6 sweep points") {
			t.Errorf("table caption %q lacks the limit", tb.Caption)
		}
		n := 0
		for _, row := range tb.Rows {
			if row[0] == tb.Rows[0][0] {
				n++
			}
		}
		if n != 4*3 {
			t.Errorf("%d rows per metric, want 12 (4 sweep points × 3 policies)", n)
		}
	}
}

// TestManySweepPointsBounded: a sensitivity-like study with 300 design points
// gives a report of bounded size.
func TestManySweepPointsBounded(t *testing.T) {
	st := &aggregate.Study{Options: aggregate.DefaultOptions(), Metrics: model.CatalogueOf(model.TableRuns)[:4]}
	st.Info = dataset.StudyInfo{Name: "sens", Scenarios: []string{"volatility"}, Policies: []string{"none"},
		SweepParams: []string{"a.x", "b.y", "c.z"}, RunsFound: 300 * 4, RunsPlanned: 300 * 4, Complete: true}
	for p := range 300 {
		c := aggregate.CellStats{Cell: p, Scenario: "volatility", Policy: "none", Runs: 4,
			Sweep: []dataset.SweepValue{{Param: "a.x", Value: float64(p), Text: fmt.Sprint(p)}, {Param: "b.y", Value: float64(p % 7), Text: fmt.Sprint(p % 7)}, {Param: "c.z", Value: 1, Text: "1"}}}
		for _, m := range st.Metrics {
			c.Metrics = append(c.Metrics, aggregate.MetricDist{Metric: m.Name, Dist: distOf([]float64{1, 2, 3, float64(p)})})
		}
		st.Cells = append(st.Cells, c)
	}
	r, err := Build(context.Background(), st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, sec := range r.Sections {
		for _, tb := range sec.Tables {
			rows += len(tb.Rows)
		}
		for _, f := range sec.Figures {
			if len(f.PNG) > 1<<20 {
				t.Errorf("figure %s is %d bytes", f.ID, len(f.PNG))
			}
		}
	}
	if rows > 4*6 {
		t.Errorf("%d table rows for 4 metrics, want at most 24 (6 shown sweep points)", rows)
	}
	for _, sec := range r.Sections {
		if sec.ID == "sweep" {
			t.Errorf("heatmaps drawn for a 300-point design that is no grid")
		}
	}
}

func TestDeterministicBytes(t *testing.T) {
	st := synthStudy(basicOpts)
	var a, b bytes.Buffer
	for _, w := range []*bytes.Buffer{&a, &b} {
		r, err := Build(context.Background(), st, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if err := Render(w, r); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two renderings of the same study differ")
	}
}

func TestExtraSectionsRendered(t *testing.T) {
	o := basicOpts
	o.days = 0
	opts := DefaultOptions()
	opts.Extra = []Section{{ID: "sensitivity", Title: "Sensitivity", Intro: []string{"Sobol <indices>"},
		Tables: []Table{{Caption: "first-order", Header: []string{"param", "S1"}, Rows: [][]string{{"a", "0.5"}}}}}}
	r, err := Build(context.Background(), synthStudy(o), opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	si, mi := strings.Index(page, `<section id="sensitivity">`), strings.Index(page, `<section id="method">`)
	if si < 0 || mi < 0 || si > mi {
		t.Errorf("sensitivity section missing or after the method notes (%d, %d)", si, mi)
	}
	if !strings.Contains(page, "Sobol &lt;indices&gt;") || !strings.Contains(page, `href="#sensitivity"`) {
		t.Errorf("extra section not rendered or not in the contents")
	}
}

func TestFormatSig(t *testing.T) {
	for _, c := range []struct {
		v    float64
		n    int
		want string
	}{
		{0.0123456, 3, "0.0123"}, {1234.5, 3, "1230"}, {12345.6, 4, "12,350"}, {1234.5, 5, "1234.5"}, {-0.5, 2, "−0.50"},
		{2e9, 3, "2,000,000,000"}, {2.5e12, 3, "2.50e+12"}, {0, 3, "0"}, {1e-5, 2, "1.0e−05"}, {999.96, 4, "1000"}, {0.099996, 3, "0.100"},
	} {
		if got := FormatSig(c.v, c.n); got != c.want {
			t.Errorf("FormatSig(%v, %d) = %q, want %q", c.v, c.n, got, c.want)
		}
	}
}

// TestFindingsNoEffect: a family that no policy moves gets one sentence saying
// so, worded like the other findings ("Family: In scenario, …").
func TestFindingsNoEffect(t *testing.T) {
	st := synthStudy(basicOpts)
	for i := range st.Effects {
		e := &st.Effects[i]
		e.MeanDiff, e.Lo, e.Hi, e.PolicyMean = 0, -1, 1, e.BaseMean
	}
	r, err := Build(context.Background(), st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range r.Findings {
		fam, rest, _ := strings.Cut(f, ": ")
		if !strings.HasPrefix(rest, "In ") || !strings.Contains(rest, ", no policy changes "+strings.ToLower(fam)+" materially versus none") {
			t.Errorf("finding %q: want %q", f, fam+": In <scenario>, no policy changes "+strings.ToLower(fam)+" materially versus none …")
		}
		n++
	}
	if n == 0 {
		t.Error("no findings")
	}
}
