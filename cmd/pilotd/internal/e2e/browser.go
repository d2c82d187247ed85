package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// browserTimeout bounds what a test does in one tab.
const browserTimeout = 60 * time.Second

// CountyPassword is what the county administrator picks at first sign-in.
const CountyPassword = "County#Pass2026"

// ServeForBrowser starts the fully wired service on SQLite on a real
// loopback listener and returns it with its base URL ("http://127.0.0.1:port").
func ServeForBrowser(t *testing.T) (*Service, string) {
	t.Helper()
	return ServeForBrowserOn(t, db.SQLite)
}

// ServeForBrowserOn is ServeForBrowser on a fresh database of dialect (on
// MariaDB it needs the server, as dbtest.RequireMySQL says).
func ServeForBrowserOn(t *testing.T, dialect db.Dialect) (*Service, string) {
	t.Helper()
	if dialect == db.MySQL {
		dbtest.RequireMySQL(t)
	}
	s := New(t, dialect)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Svc.App.Listener(ln) }()
	t.Cleanup(func() {
		if err := s.Svc.App.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

// ChromiumPath finds Debian's Chromium. Without it the test skips, or fails
// when PILOT_TEST_REQUIRE_CHROMIUM=1 (as in CI).
func ChromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("PILOT_TEST_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("chromium not found, and PILOT_TEST_REQUIRE_CHROMIUM=1: %v", err)
		}
		t.Skipf("chromium not found: %v", err)
	}
	return path
}

// chromium is the one headless Chromium of a test package: the first test
// that asks starts it, every test opens its tabs in a browser context of its
// own (no shared cookies), and Main closes it when the package's tests end.
// One browser per package instead of one per test saves a start of about a
// second and ~150 MB for every browser test.
type chromium struct {
	mu      sync.Mutex
	ctx     context.Context
	err     error
	dir     string
	cancels []context.CancelFunc
}

var sharedChromium chromium

// Browser returns the package's shared headless Chromium, starting it on
// first use; it skips the test with -short, and without Chromium (fails in
// CI, see ChromiumPath). Open tabs with NewTab.
func Browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	path := ChromiumPath(t)
	c := &sharedChromium
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil && c.err == nil {
		c.ctx, c.err = c.start(path)
	}
	if c.err != nil {
		t.Fatalf("start chromium %s: %v", path, c.err)
	}
	return c.ctx
}

func (c *chromium) start(path string) (context.Context, error) {
	dir, err := os.MkdirTemp("", "pilot-chromium-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		// Tabs of parallel tests are in the background: their timers
		// (a form's minimum fill-in time) must not be throttled.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(dir),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	c.cancels = []context.CancelFunc{cancel, cancelAlloc}
	// Start the browser now, so a missing library fails here and not later.
	if err := chromedp.Do(ctx); err != nil {
		return nil, err
	}
	return ctx, nil
}

// close ends the shared Chromium (if it ran) and removes its profile.
func (c *chromium) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx != nil {
		// Cancel waits for Chromium to exit, so the profile is no longer
		// written to when it is removed.
		_ = chromedp.Cancel(c.ctx)
	}
	for _, cancel := range c.cancels {
		cancel()
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// parallelTests is how many parallel tests of a package run at once unless
// go test's -parallel says otherwise.
const parallelTests = 4

// Main runs a test package's tests and then closes its shared Chromium;
// every end-to-end test package calls it from TestMain.
func Main(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		// These tests mostly wait on MariaDB, SQLite's disk writes and
		// Chromium; more of them at once than go test's default (one per
		// CPU) keep the CPUs busy. -parallel still wins.
		_ = flag.Set("test.parallel", strconv.Itoa(parallelTests))
	}
	code := m.Run()
	sharedChromium.close()
	os.Exit(code)
}

// Tab is one browser tab on the service under test.
type Tab struct {
	T    *testing.T
	Ctx  context.Context
	Base string
}

// NewTab opens a tab of browser in a fresh browser context: no cookies of
// other tabs, like a different person's browser.
func NewTab(t *testing.T, browser context.Context, base string) *Tab {
	t.Helper()
	// The deadline bounds the test's use of the tab; ending it closes the
	// tab and its browser context, never the shared browser.
	timeout, cancelTimeout := context.WithTimeout(browser, browserTimeout)
	ctx, cancel := chromedp.NewContext(timeout, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancel()
		cancelTimeout()
	})
	return &Tab{T: t, Ctx: ctx, Base: base}
}

// Open navigates to a path of the service and checks the page is not an error.
func (b *Tab) Open(path string) {
	b.T.Helper()
	resp, err := chromedp.Run(b.Ctx, chromedp.NavigateResponse(b.Base+path))
	if err != nil {
		b.T.Fatalf("open %s: %v", path, err)
	}
	if resp != nil && resp.Status >= 400 {
		b.T.Fatalf("open %s: HTTP %d (%s)\n%s", path, resp.Status, resp.URL, b.BodyText())
	}
}

// Fill types value into the (empty) field with the HTML id, key by key.
func (b *Tab) Fill(id, value string) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.SendKeys(chromedp.ID(id), value)); err != nil {
		b.T.Fatalf("fill #%s: %v", id, err)
	}
}

// Click clicks the element the CSS selector names and waits for the page the
// click loads; it returns that page's HTTP status.
func (b *Tab) Click(css string) int64 {
	b.T.Helper()
	resp, err := chromedp.RunResponse(b.Ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		b.T.Fatalf("click %s: %v", css, err)
	}
	if resp == nil {
		b.T.Fatalf("click %s: no response", css)
	}
	return resp.Status
}

// Submit clicks a submit button and requires a successful page after it.
func (b *Tab) Submit(css string) {
	b.T.Helper()
	if status := b.Click(css); status >= 400 {
		b.T.Fatalf("submit %s: HTTP %d at %s\n%s", css, status, b.Path(), b.BodyText())
	}
}

// Text is the visible text of the first element matching the CSS selector.
func (b *Tab) Text(css string) string {
	b.T.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.T.Fatalf("text of %s at %s: %v\n%s", css, b.Path(), err, b.BodyText())
	}
	return strings.TrimSpace(s)
}

// BodyText is the visible text of the page, for failure messages.
func (b *Tab) BodyText() string {
	s, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "(page text unavailable: " + err.Error() + ")"
	}
	return s
}

// Path is the path and query of the page the tab shows.
func (b *Tab) Path() string {
	b.T.Helper()
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.T.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.T.Fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// WantPath asserts the tab shows path (without query).
func (b *Tab) WantPath(want string) {
	b.T.Helper()
	got := b.Path()
	if i := strings.IndexByte(got, '?'); i >= 0 {
		got = got[:i]
	}
	if got != want {
		b.T.Fatalf("page %s, want %s\n%s", got, want, b.BodyText())
	}
}

// SignIn fills and submits the sign-in form on /login.
func (b *Tab) SignIn(username, password string) {
	b.T.Helper()
	b.Open("/login")
	b.Fill("username", username)
	b.Fill("password", password)
	b.Submit("#login-submit")
}

// ChangePassword fills the password page and submits it.
func (b *Tab) ChangePassword(current, next string) {
	b.T.Helper()
	b.WantPath("/password")
	b.Fill("current_password", current)
	b.Fill("new_password", next)
	b.Fill("confirm_password", next)
	b.Submit("#password-submit")
}

// screenshotSizes are the viewports pages are checked and photographed at:
// a small phone (375 px, the width issue 21 names) and a common laptop.
var screenshotSizes = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"phone", 375, 812, true},
	{"desktop", 1366, 768, false},
}

// Screenshots reloads the current page (so it must come from a GET) at phone
// and desktop width, checks it does not scroll sideways, and writes a
// full-page screenshot of each to $PILOT_TEST_SHOTS (default: the folder
// "shots" in the temporary folder, i.e. /tmp/shots), never into the repository.
func (b *Tab) Screenshots(name string) { b.atEachWidth(name, nil) }

// Accessible is Screenshots with an axe-core check at each width (see Axe):
// a serious or critical violation fails the test. axe is the script
// AxeScript read; "" leaves the check out.
func (b *Tab) Accessible(name, axe string) {
	b.T.Helper()
	b.atEachWidth(name, func(width string) {
		if axe != "" {
			b.Axe(axe, name+" at "+width+" width")
		}
	})
}

// atEachWidth does Screenshots' work, calling check (when not nil) on the
// page at each width after the sideways-scroll check.
func (b *Tab) atEachWidth(name string, check func(width string)) {
	b.T.Helper()
	dir := os.Getenv("PILOT_TEST_SHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "shots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.T.Fatalf("screenshot folder: %v", err)
	}
	for _, size := range screenshotSizes {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if size.mobile {
			// A phone: the meta viewport applies, and a 2x screen keeps the
			// Chinese text legible in the image.
			opts = []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait}
		}
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(size.width, size.height, opts...), chromedp.Reload()); err != nil {
			b.T.Fatalf("viewport %s: %v", size.name, err)
		}
		overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](
			`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if err != nil {
			b.T.Fatalf("measure %s: %v", size.name, err)
		}
		if overflow > 0 {
			b.T.Errorf("%s at %s width (%dpx) scrolls sideways by %dpx", name, size.name, size.width, overflow)
		}
		if check != nil {
			check(size.name)
		}
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.T.Fatalf("screenshot %s %s: %v", name, size.name, err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG")) {
			b.T.Fatalf("screenshot %s %s is not a PNG", name, size.name)
		}
		file := filepath.Join(dir, name+"-"+size.name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.T.Fatalf("write %s: %v", file, err)
		}
	}
	if err := chromedp.Do(b.Ctx, chromedp.ResetViewport()); err != nil {
		b.T.Fatalf("reset viewport: %v", err)
	}
}

// AxeScript reads axe-core's axe.min.js from $PILOT_TEST_AXE; .ci/run
// installs it from npm (it is another project's code, so it is not in the
// repository). Without it AxeScript returns "", or fails the test when
// PILOT_TEST_REQUIRE_AXE=1 (as in CI).
func AxeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PILOT_TEST_AXE")
	if path == "" {
		if os.Getenv("PILOT_TEST_REQUIRE_AXE") == "1" {
			t.Fatal("PILOT_TEST_AXE (the path of axe-core's axe.min.js) is not set, and PILOT_TEST_REQUIRE_AXE=1")
		}
		return ""
	}
	script, err := os.ReadFile(path)
	if err == nil && !bytes.Contains(script, []byte("axe")) {
		err = errors.New("not axe-core's script")
	}
	if err != nil {
		if os.Getenv("PILOT_TEST_REQUIRE_AXE") == "1" {
			t.Fatalf("axe-core at %s: %v, and PILOT_TEST_REQUIRE_AXE=1", path, err)
		}
		t.Logf("axe-core at %s: %v (accessibility rules not checked)", path, err)
		return ""
	}
	return string(script)
}

// AxeViolation is one rule axe-core found broken on a page.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  int    `json:"nodes"`
	Target string `json:"target"` // the first element found, as a CSS selector
}

// axeRun runs axe-core on the page and keeps what a test needs of each
// violation.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.length,
	target: v.nodes.length ? v.nodes[0].target.map(String).join(" ") : ""})))`

// Axe injects axe-core (the text of axe.min.js) into the current page, runs
// all its rules and fails the test with the serious and critical violations,
// one line each (rule, help, how many elements, the first of them).
// Moderate and minor findings are logged.
func (b *Tab) Axe(script, what string) {
	b.T.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[chromedp.Void](script)); err != nil {
		b.T.Fatalf("inject axe-core into %s: %v", what, err)
	}
	found, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]AxeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("axe-core on %s: %v", what, err)
	}
	var serious, other []string
	for _, v := range found {
		line := fmt.Sprintf("  [%s] %s: %s (%d elements, first: %s)", v.Impact, v.ID, v.Help, v.Nodes, v.Target)
		if v.Impact == "serious" || v.Impact == "critical" {
			serious = append(serious, line)
		} else {
			other = append(other, line)
		}
	}
	if len(other) > 0 {
		b.T.Logf("axe-core on %s, moderate or minor:\n%s", what, strings.Join(other, "\n"))
	}
	if len(serious) > 0 {
		b.T.Errorf("axe-core on %s (%s):\n%s", what, b.Path(), strings.Join(serious, "\n"))
	}
}

// ApproveByAPI recommends and approves county of province as the national
// administrator through the API and returns the county administrator's
// username and one-time password (unchanged, unlike onboard).
func ApproveByAPI(s *Service, province, county string) (username, initial string) {
	s.T.Helper()
	admin := s.AdminToken()
	s.Must(201, s.Do("POST", "/api/v1/provinces/"+province+"/counties", admin,
		map[string]string{"code": county, "egov_readiness": "良好", "recommendation": "推荐"}))
	r := s.Must(200, s.Do("POST", "/api/v1/provinces/"+province+"/counties/"+county+"/approve", admin, nil))
	creds := r.Body["admin"].(map[string]any)
	return creds["username"].(string), creds["initial_password"].(string)
}

// CountyAdminSignedIn onboards county 340102 and signs its administrator in
// through the pages, changing the one-time password; it returns the tab on
// the county's home page.
func CountyAdminSignedIn(t *testing.T, s *Service, browser context.Context, base string) (*Tab, string) {
	t.Helper()
	username, initial := ApproveByAPI(s, "34", "340102")
	b := NewTab(t, browser, base)
	b.SignIn(username, initial)
	b.ChangePassword(initial, CountyPassword)
	b.WantPath("/counties/340102")
	return b, username
}
