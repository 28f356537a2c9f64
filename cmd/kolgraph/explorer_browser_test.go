package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/kolgraph/kolgraph/internal/auth"
)

// The explorer in a real browser: headless Chromium (Debian's chromium;
// KOLGRAPH_CHROME names another) driven over the DevTools protocol against
// the service on the seed region. Screenshots go to KOLGRAPH_SCREENSHOTS
// when set (the README's are made so), else to the test's temporary
// directory. The timings are reported, not asserted: they depend on the
// machine.

// findBrowser returns a Chromium or Chrome to drive, or "".
func findBrowser() string {
	if p := os.Getenv("KOLGRAPH_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserRun is one browser tab on the service, with what it saw.
type browserRun struct {
	t    *testing.T
	ctx  context.Context
	base *url.URL
	dir  string

	mu       sync.Mutex
	requests []string // every URL the page asked for
	problems []string // console errors and uncaught exceptions
}

func newBrowserRun(t *testing.T, lang string) *browserRun {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	chrome := findBrowser()
	if chrome == "" {
		t.Skip("no Chromium found: install it (apt-get install chromium fonts-noto-cjk) or set KOLGRAPH_CHROME to a Chrome binary")
	}
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	dir := os.Getenv("KOLGRAPH_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1600, 1000),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		// WebGL without a GPU: SwiftShader, as on a server or in CI.
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("ignore-gpu-blocklist", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	b := &browserRun{t: t, ctx: ctx, base: base, dir: dir}
	if err := chromedp.Listen(ctx, b.observe); err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: lang})
			return err
		}))
	if err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	return b
}

func (b *browserRun) observe(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			b.problems = append(b.problems, "console.error: "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+exceptionText(e.ExceptionDetails))
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			b.problems = append(b.problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

// do runs actions with a deadline, failing the test on an error.
func (b *browserRun) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression into v.
func eval[T any](b *browserRun, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// idle waits until the app has no request in flight and is ready.
func (b *browserRun) idle(what string) {
	b.t.Helper()
	b.do(what, chromedp.Sleep(50*time.Millisecond))
	b.waitFor(what, `window.__kolgraph && window.__kolgraph.ready && window.__kolgraph.busy === 0`)
}

func (b *browserRun) waitFor(what, predicate string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		b.t.Fatalf("%s: waiting for %s: %v", what, predicate, err)
	}
}

func (b *browserRun) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
}

// clickNode clicks the graph node id where the page draws it.
func (b *browserRun) clickNode(id string) {
	b.t.Helper()
	pos := eval[*struct{ X, Y float64 }](b, fmt.Sprintf(`window.__kolgraph.nodeScreen(%q)`, id))
	if pos == nil {
		b.t.Fatalf("node %s is not drawn", id)
	}
	b.do("click "+id, chromedp.MouseClickXY(pos.X, pos.Y))
}

// render is the page's own timing of one drawing: fetching, building the
// graph, drawing it (the renderer's own work, sync, then two frames).
type render struct {
	View                                      string
	Nodes, Edges                              int
	FetchMs, BuildMs, DrawMs, SyncMs, TotalMs float64
}

func (b *browserRun) renders() []render {
	return eval[[]render](b, `window.__kolgraph.renders`)
}

// redraw clicks button times and returns the drawings' timings: the
// median, the fastest and the slowest.
func (b *browserRun) redraw(button string, times int) map[string]render {
	b.t.Helper()
	var rs []render
	for range times {
		n := len(b.renders())
		b.do(button, chromedp.Click(chromedp.ID(button)))
		b.waitFor(button, fmt.Sprintf(`window.__kolgraph.renders.length > %d`, n))
		b.idle(button)
		rs = append(rs, b.renders()[n])
	}
	slices.SortFunc(rs, func(x, y render) int { return cmp.Compare(x.TotalMs, y.TotalMs) })
	m := rs[len(rs)/2]
	for _, r := range rs {
		b.t.Logf("%s: %.0f ms (fetch %.0f, build %.0f, draw %.0f of which sync %.0f)", r.View, r.TotalMs, r.FetchMs, r.BuildMs, r.DrawMs, r.SyncMs)
	}
	b.t.Logf("%s, median of %d: %d nodes, %d edges, %.0f ms (fetch %.0f, build %.0f, draw %.0f); fastest %.0f, slowest %.0f ms",
		m.View, times, m.Nodes, m.Edges, m.TotalMs, m.FetchMs, m.BuildMs, m.DrawMs, rs[0].TotalMs, rs[len(rs)-1].TotalMs)
	return map[string]render{"median": m, "fastest": rs[0], "slowest": rs[len(rs)-1]}
}

// checkClean fails on a request to another origin and on console errors.
func (b *browserRun) checkClean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Host != b.base.Host) {
			b.t.Errorf("a request left the origin %s: %s", b.base.Host, r)
		}
	}
	if len(b.requests) == 0 {
		b.t.Error("no request seen: the network listener is not working")
	}
	for _, p := range b.problems {
		b.t.Errorf("browser console: %s", p)
	}
}

// TestExplorerInBrowser walks the strategist tour as a T01 kam:
// sign in, find 杭州泽馨中心医院, see its network and decision chain, click
// its pharmacy director, ask for the strongest paths to her from the kam's
// contacts, draw the T01 network and its pictures. It checks territory
// scoping, masked contact data, the highlighted path, one dot per account,
// same-origin requests only and a clean console, and reports the timings.
func TestExplorerInBrowser(t *testing.T) {
	b := newBrowserRun(t, "zh-CN")
	r, kam := kamRegion(t)
	figures := map[string]any{}

	b.do("open /", chromedp.Navigate(b.base.String()+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	if loc := eval[string](b, `location.pathname`); loc != "/explore" {
		t.Errorf("/ opened %s, want /explore", loc)
	}
	b.shot("0-signin")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), kam), chromedp.Click(chromedp.ID("use-token")))
	b.idle("start")
	if title := eval[string](b, `document.title`); !strings.Contains(title, "网络探索") {
		t.Errorf("title %q: want the zh-CN labels for a zh-CN browser", title)
	}
	if terrs := eval[[]string](b, `[...document.querySelectorAll('#terr option')].map(o => o.value)`); !slices.Equal(terrs, []string{"T01"}) {
		t.Errorf("territories offered to the T01 kam: %v", terrs)
	}

	// Search by name, in Chinese.
	b.do("search", chromedp.SendKeys(chromedp.ID("q"), "杭州泽馨"))
	b.waitFor("search results", `document.querySelector('.hit-hospital[data-id="H001"]') !== null`)
	b.idle("search")
	b.shot("1-search")

	// The hospital network with its decision chain.
	n := len(b.renders())
	b.do("open H001", chromedp.Click(chromedp.CSS(`.hit-hospital[data-id="H001"]`)))
	b.waitFor("hospital drawn", fmt.Sprintf(`window.__kolgraph.renders.length > %d`, n))
	b.idle("hospital")
	hosp := b.renders()[n]
	figures["hospital"] = hosp
	t.Logf("hospital network H001: %d nodes, %d edges, %.0f ms (fetch %.0f, build %.0f, draw %.0f)", hosp.Nodes, hosp.Edges, hosp.TotalMs, hosp.FetchMs, hosp.BuildMs, hosp.DrawMs)
	checkIDsIn(t, r, "hospital network", eval[[]string](b, `window.__kolgraph.nodeIds()`))
	b.shot("2-hospital")
	// Again, three times: the renderer and its WebGL programs exist now,
	// as they do for every drawing after a session's first.
	figures["hospitalAgain"] = b.redraw("draw-hospital", 3)

	// Click the pharmacy director: the details panel, contact data masked.
	var dir struct {
		Hcps struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	mustQueryAuth(t, svc.Handler(), kam, `{ hcps(filter: {hospital: "H001", position: "pharmacy_director"}) { edges { node { id } } } }`, nil, &dir)
	if len(dir.Hcps.Edges) != 1 {
		t.Fatalf("H001 pharmacy directors: %+v", dir)
	}
	director := dir.Hcps.Edges[0].Node.ID
	b.clickNode(director)
	b.waitFor("details", fmt.Sprintf(`document.querySelector('#details-name[data-id=%q]') !== null`, director))
	b.idle("details")
	contact := eval[string](b, `document.getElementById('contact').textContent`)
	if !strings.Contains(contact, "•••") || strings.Contains(contact, "@") {
		t.Errorf("contact data before asking: %q, want masked", contact)
	}
	if seg := eval[string](b, `document.getElementById('segment').textContent`); seg == "" {
		t.Error("no segment in the details panel")
	}
	b.shot("3-details")

	// Paths to her from the kam's contacts: the highlighted path is the
	// strongest strongestPaths returns.
	n = len(b.renders())
	b.do("paths", chromedp.Click(chromedp.ID("paths-here")))
	b.waitFor("paths drawn", `window.__kolgraph.highlighted !== null`)
	b.idle("paths")
	var paths struct {
		StrongestPaths []struct {
			ID     string
			Source struct{ ID string }
			Hops   []struct{ To struct{ ID string } }
		}
	}
	mustQueryAuth(t, svc.Handler(), kam, `query($to: ID!) { strongestPaths(to: $to) { id source { id } hops { to { id } } } }`, map[string]any{"to": director}, &paths)
	if len(paths.StrongestPaths) == 0 {
		t.Fatalf("no path to %s from the kam's contacts", director)
	}
	want := []string{paths.StrongestPaths[0].Source.ID}
	for _, h := range paths.StrongestPaths[0].Hops {
		want = append(want, h.To.ID)
	}
	hl := eval[struct {
		ID    string
		Nodes []string
	}](b, `window.__kolgraph.highlighted`)
	if hl.ID != paths.StrongestPaths[0].ID || !slices.Equal(hl.Nodes, want) {
		t.Errorf("highlighted path %s %v, want strongestPaths' first %s %v", hl.ID, hl.Nodes, paths.StrongestPaths[0].ID, want)
	}
	if got := eval[int](b, `document.querySelectorAll('#path-list li.path').length`); got != len(paths.StrongestPaths) {
		t.Errorf("%d paths listed, want %d", got, len(paths.StrongestPaths))
	}
	b.shot("4-paths")

	// The ego network of the director, two hops.
	n = len(b.renders())
	b.do("ego", chromedp.Click(chromedp.ID("tab-ego")), chromedp.SetValue(chromedp.ID("ego-center"), director), chromedp.Click(chromedp.ID("draw-ego")))
	b.waitFor("ego drawn", fmt.Sprintf(`window.__kolgraph.renders.length > %d`, n))
	b.idle("ego")
	figures["ego"] = b.renders()[n]
	checkIDsIn(t, r, "ego network", eval[[]string](b, `window.__kolgraph.nodeIds()`))
	b.shot("5-ego")

	// The whole territory: ~2,100 HCPs and ~20,000 ties, then interact.
	n = len(b.renders())
	b.do("territory", chromedp.Click(chromedp.ID("tab-territory")), chromedp.Click(chromedp.ID("draw-territory")))
	b.waitFor("territory drawn", fmt.Sprintf(`window.__kolgraph.renders.length > %d`, n))
	b.idle("territory")
	terr := b.renders()[n]
	figures["territory"] = terr
	t.Logf("territory T01: %d nodes, %d edges, %.0f ms to drawn and interactive (fetch %.0f, build %.0f, draw %.0f)", terr.Nodes, terr.Edges, terr.TotalMs, terr.FetchMs, terr.BuildMs, terr.DrawMs)
	ids := eval[[]string](b, `window.__kolgraph.nodeIds()`)
	checkIDsIn(t, r, "territory network", ids)
	if len(ids) != len(r.inHCPs) {
		t.Errorf("territory network: %d HCPs drawn, T01 has %d", len(ids), len(r.inHCPs))
	}
	b.shot("6-territory")
	// Again, three times: the service has the territory's ranking cached
	// (the explorer asks for it at sign-in, so the first drawing usually
	// finds it too).
	figures["territoryAgain"] = b.redraw("draw-territory", 3)
	// Clicking a (dense) territory opens whoever is drawn on top there.
	before := eval[string](b, `document.getElementById('details-name').dataset.id`)
	b.clickNode(ids[len(ids)-1])
	b.waitFor("details from the territory", fmt.Sprintf(`document.getElementById('details-name').dataset.id !== %q`, before))
	b.idle("territory click")
	checkIDsIn(t, r, "details", []string{eval[string](b, `document.getElementById('details-name').dataset.id`)})

	// The account matrix: one dot per classified account.
	b.do("matrix", chromedp.Click(chromedp.ID("draw-matrix")))
	b.waitFor("matrix drawn", `document.querySelectorAll('svg.picture circle.dot').length > 0`)
	b.idle("matrix")
	var m struct{ AccountMatrix struct{ ClassifiedCount int } }
	mustQueryAuth(t, svc.Handler(), kam, `{ accountMatrix(scope: {territory: "T01"}) { classifiedCount } }`, nil, &m)
	dots := eval[[]string](b, `[...document.querySelectorAll('svg.picture circle.dot')].map(c => c.dataset.id)`)
	if len(dots) != m.AccountMatrix.ClassifiedCount || len(slices.Compact(slices.Sorted(slices.Values(dots)))) != len(dots) {
		t.Errorf("%d dots, want one per account: %d", len(dots), m.AccountMatrix.ClassifiedCount)
	}
	checkIDsIn(t, r, "matrix", dots)
	figures["matrixDots"] = len(dots)
	b.shot("7-matrix")
	b.do("click a dot", chromedp.Click(chromedp.CSS(`svg.picture circle.dot[data-id="`+dots[0]+`"]`)))
	b.waitFor("details from the matrix", fmt.Sprintf(`document.querySelector('#details-name[data-id=%q]') !== null`, dots[0]))

	// The heat map.
	b.do("heat map", chromedp.Click(chromedp.ID("draw-heatmap")))
	b.waitFor("heat map drawn", `document.querySelectorAll('svg.picture circle.bubble').length > 0`)
	b.idle("heat map")
	b.shot("8-heatmap")

	// The kam may read contact data: asking shows it (and audits it).
	b.do("show contact", chromedp.Click(chromedp.ID("show-contact")))
	b.waitFor("contact shown", `document.querySelector('#contact [data-masked]') !== null`)
	if got := eval[string](b, `document.querySelector('#contact [data-masked]').dataset.masked`); got != "no" {
		t.Errorf("a kam's contact data: masked %q, want shown", got)
	}

	b.checkClean()
	if dir := os.Getenv("KOLGRAPH_SCREENSHOTS"); dir != "" {
		js, _ := json.MarshalIndent(figures, "", "  ")
		_ = os.WriteFile(filepath.Join(dir, "figures.json"), js, 0o644)
	}
}

// TestExplorerViewerMasked: a viewer of T01, who may not read contact
// data, finds an HCP by id and sees the contact data masked for the role;
// the explorer speaks English to an English browser; the bundled
// playground loads from the origin alone.
func TestExplorerViewerMasked(t *testing.T) {
	b := newBrowserRun(t, "en-US")
	r := regionOf(t, "T01")
	viewer := bearer(t, "V901", auth.RoleViewer, []string{"T01"})
	id := r.inHCPs[3]
	b.do("open", chromedp.Navigate(b.base.String()+"/explore"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), viewer), chromedp.Click(chromedp.ID("use-token")))
	b.idle("start")
	if title := eval[string](b, `document.title`); !strings.Contains(title, "Network explorer") {
		t.Errorf("title %q: want English for an en-US browser", title)
	}
	b.do("search by id", chromedp.SendKeys(chromedp.ID("q"), strings.ToLower(id)))
	b.waitFor("hit", fmt.Sprintf(`document.querySelector('.hit-hcp[data-id=%q]') !== null`, id))
	b.do("open", chromedp.Click(chromedp.CSS(fmt.Sprintf(`.hit-hcp[data-id=%q]`, id))))
	b.waitFor("details", fmt.Sprintf(`document.querySelector('#details-name[data-id=%q]') !== null`, id))
	b.idle("details")
	b.do("show contact", chromedp.Click(chromedp.ID("show-contact")))
	b.waitFor("contact answered", `document.querySelector('#contact [data-masked]') !== null`)
	if got := eval[string](b, `document.querySelector('#contact [data-masked]').dataset.masked`); got != "role" {
		t.Errorf("a viewer's contact data: masked %q, want masked for the role", got)
	}
	if txt := eval[string](b, `document.getElementById('contact').textContent`); strings.Contains(txt, "@") {
		t.Errorf("a viewer sees %q", txt)
	}
	b.shot("9-viewer-masked")

	b.do("playground", chromedp.Navigate(b.base.String()+"/playground"), chromedp.WaitVisible(chromedp.CSS(".graphiql-container")))
	b.do("playground settles", chromedp.Sleep(500*time.Millisecond))
	b.shot("10-playground")
	b.checkClean()
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

func checkIDsIn(t *testing.T, r *region, what string, ids []string) {
	t.Helper()
	if len(ids) == 0 {
		t.Errorf("%s: nothing drawn", what)
	}
	for _, id := range ids {
		if r.out[id] {
			t.Errorf("%s shows %s, outside %s", what, id, r.territory)
		}
	}
}

// TestExplorerDevMode walks the README's first command's tour without a
// token: the dev-mode button signs in as the service's dev user (here
// U001, an admin with no KNOWS ties), who sees every territory, finds
// 杭州泽馨中心医院 and its network, and, asking for paths "from my
// contacts", reads why there are none and what to give instead (the list
// said only "No path").
func TestExplorerDevMode(t *testing.T) {
	b := newBrowserRun(t, "en-US")
	b.do("open /explore", chromedp.Navigate(b.base.String()+"/explore"), chromedp.WaitVisible(chromedp.ID("dev-mode")))
	b.do("dev mode", chromedp.Click(chromedp.ID("dev-mode")))
	b.idle("start")
	if terrs := eval[[]string](b, `[...document.querySelectorAll('#terr option')].map(o => o.value)`); len(terrs) < 2 {
		t.Errorf("territories offered to the dev admin: %v, want every one", terrs)
	}
	b.do("search", chromedp.SendKeys(chromedp.ID("q"), "杭州泽馨"))
	b.waitFor("search results", `document.querySelector('.hit-hospital[data-id="H001"]') !== null`)
	n := len(b.renders())
	b.do("open H001", chromedp.Click(chromedp.CSS(`.hit-hospital[data-id="H001"]`)))
	b.waitFor("hospital drawn", fmt.Sprintf(`window.__kolgraph.renders.length > %d`, n))
	b.idle("hospital")
	if got := b.renders()[n].Nodes; got < 100 {
		t.Errorf("H001's network has %d nodes", got)
	}
	b.clickNode("P000004")
	b.waitFor("details", `document.querySelector('#details-name[data-id="P000004"]') !== null`)
	b.do("paths", chromedp.Click(chromedp.ID("paths-here")))
	b.waitFor("an answer", `document.querySelector('#path-list .no-paths') !== null`)
	if msg := eval[string](b, `document.querySelector('#path-list .no-paths').textContent`); !strings.Contains(msg, "starting HCP ids") {
		t.Errorf("paths from a dev user without contacts: %q, want the advice to give starting ids", msg)
	}
	b.shot("dev-mode-paths")
	b.checkClean()
}
