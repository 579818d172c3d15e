package reports

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/tokensim/tokensim/dataset"
)

// chromiumPath finds the headless browser: $TOKENSIM_CHROMIUM, then Debian's
// chromium, then Chrome.
func chromiumPath() string {
	if p := os.Getenv("TOKENSIM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestReportInBrowser opens a report in headless Chromium, as a reader would:
// every image must decode, nothing may fail to load, no console error or
// uncaught exception may occur, and sorting a table must work. It saves a
// full-page screenshot (path logged; also copied to $TOKENSIM_SCREENSHOT_DIR
// when set). A negative control (a corrupt inline image and a missing file)
// shows that the checks do catch failures. It runs only with
// TOKENSIM_BROWSER=1 (make check); the browser is $TOKENSIM_CHROMIUM or
// Debian's /usr/bin/chromium.
func TestReportInBrowser(t *testing.T) {
	if os.Getenv("TOKENSIM_BROWSER") != "1" {
		t.Skip("set TOKENSIM_BROWSER=1 to run the headless-browser test")
	}
	bin := chromiumPath()
	if bin == "" {
		t.Fatal("TOKENSIM_BROWSER=1 but no chromium found (set TOKENSIM_CHROMIUM)")
	}
	o := basicOpts
	o.failed, o.planned = 3, 400 // exercise the first-screen notice
	dir, _ := writeSynth(t, o)
	page := filepath.Join(dir, dataset.ReportFile)

	profile := t.TempDir()
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// Open the tab first (no timeout on the browser's first context), so that
	// the listener sees every event of the page.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}

	var mu sync.Mutex
	var problems []string
	var requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *network.EventLoadingFailed:
			problems = append(problems, fmt.Sprintf("loading failed: %s (%s)", e.ErrorText, e.Type))
		case *runtime.EventExceptionThrown:
			problems = append(problems, "uncaught exception: "+e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, fmt.Sprintf("console %s", e.Type))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				problems = append(problems, "log error: "+e.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	tctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	u := url.URL{Scheme: "file", Path: page}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("chromium: %v", err)
		}
	}
	must(chromedp.Do(tctx, chromedp.Navigate(u.String()), chromedp.WaitReady(chromedp.CSS("footer"))))
	nImg, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.images.length`))
	must(err)
	_, err = chromedp.Run(tctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`, chromedp.WithPollingTimeout(30*time.Second)))
	must(err)
	nDecoded, err := chromedp.Run(tctx, chromedp.Evaluate[int](`Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length`))
	must(err)
	alert, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(document.querySelector(".alert")||{}).textContent||""`))
	must(err)
	ids, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("section[id]")).map(s => s.id)`))
	must(err)
	// The first screen (1400×900, scrolled to the top) shows the scorecard
	// whole: its table's bounding box lies inside the viewport.
	must(chromedp.Do(tctx, chromedp.EmulateViewport(1400, 900)))
	box, err := chromedp.Run(tctx, chromedp.Evaluate[[]float64](`(() => { window.scrollTo(0, 0); const r = document.getElementById("scorecard-table").getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, window.innerWidth, window.innerHeight]; })()`))
	must(err)
	if len(box) != 6 || box[0] < 0 || box[1] < 0 || box[2] > box[4] || box[3] > box[5] {
		t.Errorf("scorecard box [left top right bottom viewport w h] = %v: not inside the first 1400×900 screen", box)
	}
	first, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	must(err)
	// Tables are collapsed (<details>) by default; open them to sort.
	closed, err := chromedp.Run(tctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("details")).filter(d => !d.open && d.querySelector("table.data")).length`))
	must(err)
	if closed == 0 {
		t.Errorf("no data table is collapsed by default")
	}
	_, err = chromedp.Run(tctx, chromedp.Evaluate[bool](`(document.querySelectorAll("details").forEach(d => d.open = true), true)`))
	must(err)
	// Sorting: the first data table's "Mean" column (5th) ascends after one
	// click on its header and descends after a second.
	const column = `Array.from(document.querySelector("table.data").tBodies[0].rows).map(r => r.cells[4].textContent)`
	must(chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`table.data thead th:nth-child(5)`))))
	asc, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](column))
	must(err)
	must(chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`table.data thead th:nth-child(5)`))))
	desc, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](column))
	must(err)
	checkSorted(t, asc, 1)
	checkSorted(t, desc, -1)
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(80))
	must(err)
	if nImg == 0 || nDecoded != nImg {
		t.Errorf("%d of %d images decoded", nDecoded, nImg)
	}
	if !strings.Contains(alert, "incomplete") {
		t.Errorf("first-screen alert %q does not say the study is incomplete", alert)
	}
	for _, want := range []string{"run", "findings", "stability", "diversity", "profitability", "consumers", "effects", "method", "config"} {
		found := false
		for _, id := range ids {
			found = found || id == want
		}
		if !found {
			t.Errorf("section %q not in the rendered page (have %v)", want, ids)
		}
	}
	mu.Lock()
	for _, r := range requests {
		if !strings.HasPrefix(r, "file://") && !strings.HasPrefix(r, "data:") {
			t.Errorf("page requested %s", r)
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	seen := len(problems)
	mu.Unlock()

	// Negative control: the same checks catch a corrupt inline image and a
	// missing external one.
	good, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// The first inline image (PNG or SVG, whichever the page chose) gets
	// three zero bytes before its content.
	bad := strings.Replace(string(good), ";base64,", ";base64,AAAA", 1)
	if bad == string(good) {
		t.Fatal("negative control: the page has no inline image to corrupt")
	}
	bad = strings.Replace(bad, "</footer>", `</footer><img src="missing.png" alt="missing">`, 1)
	badPath := filepath.Join(dir, "broken.html")
	if err := os.WriteFile(badPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	bu := url.URL{Scheme: "file", Path: badPath}
	must(chromedp.Do(tctx, chromedp.Navigate(bu.String()), chromedp.WaitReady(chromedp.CSS("footer"))))
	_, err = chromedp.Run(tctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`, chromedp.WithPollingTimeout(30*time.Second)))
	must(err)
	badImg, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.images.length`))
	must(err)
	badDecoded, err := chromedp.Run(tctx, chromedp.Evaluate[int](`Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length`))
	must(err)
	if badDecoded != badImg-2 {
		t.Errorf("broken page: %d of %d images decoded, want all but 2", badDecoded, badImg)
	}
	mu.Lock()
	if len(problems) == seen {
		t.Errorf("broken page: the missing image raised no loading failure")
	}
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "report.jpg")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))
	firstOut := filepath.Join(filepath.Dir(out), "first-screen.png")
	if err := os.WriteFile(firstOut, first, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("first screen (1400×900): %s", firstOut)
	if d := os.Getenv("TOKENSIM_SCREENSHOT_DIR"); d != "" {
		if err := os.WriteFile(filepath.Join(d, "first-screen.png"), first, 0o644); err != nil {
			t.Error(err)
		}
	}
	checkSVGFallback(t, tctx, dir)
	if d := os.Getenv("TOKENSIM_SCREENSHOT_DIR"); d != "" {
		if err := os.WriteFile(filepath.Join(d, "report.jpg"), shot, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// checkSorted checks that the formatted numbers are in ascending (dir 1) or
// descending (dir −1) order.
func checkSorted(t *testing.T, cells []string, dir float64) {
	t.Helper()
	if len(cells) < 2 {
		t.Fatalf("sorted column has %d cells", len(cells))
	}
	prev := math.Inf(-int(dir))
	for _, c := range cells {
		v, err := strconv.ParseFloat(strings.NewReplacer(",", "", "−", "-").Replace(strings.TrimSpace(c)), 64)
		if err != nil {
			t.Fatalf("cell %q is not a number: %v", c, err)
		}
		if dir*(v-prev) < 0 {
			t.Errorf("column not sorted (direction %v): %v", dir, cells)
			return
		}
		prev = v
	}
}

// checkSVGFallback opens every figure SVG in Chromium and measures each text
// element's length (getComputedTextLength) three times: as written; with
// "Liberation Sans" replaced by a font that does not exist, so that the
// rest of the family list (SVGFontFamily) decides; and, as a negative
// control, with the whole family replaced by that missing font alone, which
// leaves the browser's default (serif) font. The second must match the first
// within 0.5 px per text (the fallback is Liberation Sans's metric twin, so
// the layout holds without it), and the control must differ, which shows the
// measurement can tell fonts apart.
func checkSVGFallback(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	svgs, _ := filepath.Glob(filepath.Join(dir, dataset.FiguresDir, "*.svg"))
	if len(svgs) == 0 {
		t.Fatal("no SVG figures")
	}
	const measure = `(() => {
  const texts = Array.from(document.querySelectorAll("text")).filter(e => e.textContent.trim() !== "");
  const len = () => texts.map(e => e.getComputedTextLength());
  const orig = texts.map(e => e.style.fontFamily);
  const a = len();
  texts.forEach((e, i) => e.style.fontFamily = orig[i].replace(/["']?Liberation Sans["']?/, "NoSuchFontTokensim"));
  const b = len();
  texts.forEach(e => e.style.fontFamily = "NoSuchFontTokensim");
  const c = len();
  return {a, b, c, families: orig};
})()`
	type result struct {
		A, B, C  []float64
		Families []string
	}
	controlDiffers := false
	for _, f := range svgs {
		u := url.URL{Scheme: "file", Path: f}
		if err := chromedp.Do(ctx, chromedp.Navigate(u.String())); err != nil {
			t.Fatalf("opening %s: %v", f, err)
		}
		r, err := chromedp.Run(ctx, chromedp.Evaluate[result](measure))
		if err != nil {
			t.Fatalf("measuring %s: %v", f, err)
		}
		if len(r.A) == 0 {
			t.Errorf("%s: no text measured", filepath.Base(f))
			continue
		}
		for i := range r.A {
			if !strings.HasSuffix(strings.TrimSpace(r.Families[i]), "sans-serif") {
				t.Errorf("%s: text %d has font-family %q without a generic sans-serif", filepath.Base(f), i, r.Families[i])
				break
			}
			if math.Abs(r.A[i]-r.B[i]) > 0.5 {
				t.Errorf("%s: text %d is %.1f px wide with Liberation Sans and %.1f px without", filepath.Base(f), i, r.A[i], r.B[i])
				break
			}
			if math.Abs(r.A[i]-r.C[i]) > 0.5 {
				controlDiffers = true
			}
		}
	}
	if !controlDiffers {
		t.Error("negative control: text measured the same in the browser's default font, so the check cannot tell fonts apart " +
			"(is Liberation Sans installed? fc-list | grep Liberation; Debian: fonts-liberation, which .ci/run installs)")
	}
}
