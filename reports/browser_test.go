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
		chromedp.WindowSize(1200, 900),
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
	bad := strings.Replace(string(good), "data:image/png;base64,", "data:image/png;base64,AAAA", 1)
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
