package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"safetypilot/modules/db"
)

// browserTimeout bounds every browser test, start of Chromium included.
const browserTimeout = 60 * time.Second

// countyPassword is what the county administrator picks at first sign-in.
const countyPassword = "County#Pass2026"

// serveForBrowser starts the fully wired service on a real loopback listener
// and returns it with its base URL ("http://127.0.0.1:port").
func serveForBrowser(t *testing.T) (*testService, string) {
	t.Helper()
	s := newTestService(t, db.SQLite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.svc.app.Listener(ln) }()
	t.Cleanup(func() {
		if err := s.svc.app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

// chromiumPath finds Debian's Chromium. Without it the test skips, or fails
// when PILOT_TEST_REQUIRE_CHROMIUM=1 (as in CI).
func chromiumPath(t *testing.T) string {
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

// newBrowser starts the headless Chromium at path with its own profile
// folder and returns a context for its first tab. The browser lives at most
// browserTimeout and is closed when the test ends.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
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
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
	}
	timeout, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeout, opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Cancel waits for Chromium to exit, so the profile folder
		// (a t.TempDir removed after this) is no longer written to.
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) &&
			!errors.Is(err, context.DeadlineExceeded) {
			t.Logf("close browser: %v", err)
		}
		cancel()
		cancelAlloc()
		cancelTimeout()
	})
	// Start the browser now, so a missing library fails here and not later.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// tab is one browser tab on the service under test.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newTab opens a tab of browser in a fresh browser context: no cookies of
// other tabs, like a different person's browser.
func newTab(t *testing.T, browser context.Context, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return &tab{t: t, ctx: ctx, base: base}
}

// open navigates to a path of the service and checks the page is not an error.
func (b *tab) open(path string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if resp != nil && resp.Status >= 400 {
		b.t.Fatalf("open %s: HTTP %d (%s)\n%s", path, resp.Status, resp.URL, b.bodyText())
	}
}

// fill types value into the (empty) field with the HTML id, key by key.
func (b *tab) fill(id, value string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID(id), value)); err != nil {
		b.t.Fatalf("fill #%s: %v", id, err)
	}
}

// click clicks the element the CSS selector names and waits for the page the
// click loads; it returns that page's HTTP status.
func (b *tab) click(css string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("click %s: %v", css, err)
	}
	if resp == nil {
		b.t.Fatalf("click %s: no response", css)
	}
	return resp.Status
}

// submit clicks a submit button and requires a successful page after it.
func (b *tab) submit(css string) {
	b.t.Helper()
	if status := b.click(css); status >= 400 {
		b.t.Fatalf("submit %s: HTTP %d at %s\n%s", css, status, b.path(), b.bodyText())
	}
}

// text is the visible text of the first element matching the CSS selector.
func (b *tab) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s at %s: %v\n%s", css, b.path(), err, b.bodyText())
	}
	return strings.TrimSpace(s)
}

// bodyText is the visible text of the page, for failure messages.
func (b *tab) bodyText() string {
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "(page text unavailable: " + err.Error() + ")"
	}
	return s
}

// path is the path and query of the page the tab shows.
func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// wantPath asserts the tab shows path (without query).
func (b *tab) wantPath(want string) {
	b.t.Helper()
	got := b.path()
	if i := strings.IndexByte(got, '?'); i >= 0 {
		got = got[:i]
	}
	if got != want {
		b.t.Fatalf("page %s, want %s\n%s", got, want, b.bodyText())
	}
}

// signIn fills and submits the sign-in form on /login.
func (b *tab) signIn(username, password string) {
	b.t.Helper()
	b.open("/login")
	b.fill("username", username)
	b.fill("password", password)
	b.submit("#login-submit")
}

// changePassword fills the password page and submits it.
func (b *tab) changePassword(current, next string) {
	b.t.Helper()
	b.wantPath("/password")
	b.fill("current_password", current)
	b.fill("new_password", next)
	b.fill("confirm_password", next)
	b.submit("#password-submit")
}

// screenshotSizes are the viewports pages are checked and photographed at.
var screenshotSizes = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"phone", 390, 844, true},
	{"desktop", 1280, 800, false},
}

// screenshots reloads the current page (so it must come from a GET) at phone
// and desktop width, checks it does not scroll sideways, and writes a
// full-page screenshot of each to $PILOT_TEST_SHOTS (default: the folder
// "shots" in the temporary folder, i.e. /tmp/shots), never into the repository.
func (b *tab) screenshots(name string) {
	b.t.Helper()
	dir := os.Getenv("PILOT_TEST_SHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "shots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("screenshot folder: %v", err)
	}
	for _, size := range screenshotSizes {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if size.mobile {
			// A phone: the meta viewport applies, and a 2x screen keeps the
			// Chinese text legible in the image.
			opts = []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait}
		}
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(size.width, size.height, opts...), chromedp.Reload()); err != nil {
			b.t.Fatalf("viewport %s: %v", size.name, err)
		}
		overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](
			`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if err != nil {
			b.t.Fatalf("measure %s: %v", size.name, err)
		}
		if overflow > 0 {
			b.t.Errorf("%s at %s width (%dpx) scrolls sideways by %dpx", name, size.name, size.width, overflow)
		}
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s %s: %v", name, size.name, err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG")) {
			b.t.Fatalf("screenshot %s %s is not a PNG", name, size.name)
		}
		file := filepath.Join(dir, name+"-"+size.name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.t.Fatalf("write %s: %v", file, err)
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.ResetViewport()); err != nil {
		b.t.Fatalf("reset viewport: %v", err)
	}
}

// approveByAPI recommends and approves county of province as the national
// administrator through the API and returns the county administrator's
// username and one-time password (unchanged, unlike onboard).
func approveByAPI(s *testService, province, county string) (username, initial string) {
	s.t.Helper()
	admin := s.adminToken()
	s.must(201, s.do("POST", "/api/v1/provinces/"+province+"/counties", admin,
		map[string]string{"code": county, "egov_readiness": "良好", "recommendation": "推荐"}))
	r := s.must(200, s.do("POST", "/api/v1/provinces/"+province+"/counties/"+county+"/approve", admin, nil))
	creds := r.Body["admin"].(map[string]any)
	return creds["username"].(string), creds["initial_password"].(string)
}

// countyAdminSignedIn onboards county 340102 and signs its administrator in
// through the pages, changing the one-time password; it returns the tab on
// the county's home page.
func countyAdminSignedIn(t *testing.T, s *testService, browser context.Context, base string) (*tab, string) {
	t.Helper()
	username, initial := approveByAPI(s, "34", "340102")
	b := newTab(t, browser, base)
	b.signIn(username, initial)
	b.changePassword(initial, countyPassword)
	b.wantPath("/counties/340102")
	return b, username
}

// TestBrowserCountyAdminSignIn: a county administrator signs in with the
// one-time password, is sent to the password page, changes it and lands on
// the county's home page; a wrong password is refused in Chinese.
func TestBrowserCountyAdminSignIn(t *testing.T) {
	path := chromiumPath(t)
	s, base := serveForBrowser(t)
	browser := newBrowser(t, path)
	username, initial := approveByAPI(s, "34", "340102")

	b := newTab(t, browser, base)
	b.open("/login")
	b.screenshots("login")

	// A wrong password stays on the sign-in page with the message.
	b.fill("username", username)
	b.fill("password", "Wrong#Pass2026")
	if status := b.click("#login-submit"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: HTTP %d, want 401", status)
	}
	b.wantPath("/login")
	if msg := b.text(".error[role=alert]"); !strings.Contains(msg, "用户名或密码错误") {
		t.Fatalf("wrong password message %q", msg)
	}
	if got, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("username"))); got != username {
		t.Errorf("username field after a failed sign-in = %q, want %q", got, username)
	}

	// The one-time password works but leads to the password page first.
	b.signIn(username, initial)
	b.wantPath("/password")
	if msg := b.text("main .flash"); !strings.Contains(msg, "首次登录须修改初始密码") {
		t.Errorf("password page notice %q", msg)
	}
	// Every other page sends the user back until the password is changed.
	b.open("/counties/340102")
	b.wantPath("/password")

	// A mismatched confirmation is refused on the page.
	b.fill("current_password", initial)
	b.fill("new_password", countyPassword)
	b.fill("confirm_password", countyPassword+"x")
	if status := b.click("#password-submit"); status != http.StatusBadRequest {
		t.Errorf("mismatched confirmation: HTTP %d, want 400", status)
	}
	if msg := b.text(".error[role=alert]"); !strings.Contains(msg, "两次输入的新密码不一致") {
		t.Errorf("mismatch message %q", msg)
	}

	b.changePassword(initial, countyPassword)
	b.wantPath("/counties/340102")
	if name := b.text("[data-testid=county-name]"); !strings.Contains(name, "瑶海区") {
		t.Errorf("county name %q, want 瑶海区", name)
	}
	if who := b.text("[data-testid=current-user]"); !strings.Contains(who, username) {
		t.Errorf("header user %q, want %s", who, username)
	}
	if status := b.text("main .badge"); status != "试点进行中" {
		t.Errorf("county status badge %q, want 试点进行中", status)
	}
	b.screenshots("county")

	// The new password is the one that works now.
	s.login(username, countyPassword)
	s.must(401, s.do("POST", "/api/v1/session", "", map[string]string{"username": username, "password": initial}))
}

// TestBrowserProvinceOnboarding: the national administrator recommends and
// approves a county on the province page, and the credentials it shows sign
// the county administrator in.
func TestBrowserProvinceOnboarding(t *testing.T) {
	path := chromiumPath(t)
	_, base := serveForBrowser(t)
	browser := newBrowser(t, path)

	admin := newTab(t, browser, base)
	admin.signIn("admin", adminPassword)
	admin.wantPath("/national")
	admin.open("/provinces/34")
	if h := admin.text("main h1"); !strings.Contains(h, "安徽") {
		t.Errorf("province heading %q", h)
	}

	admin.fill("code", "340103")
	admin.fill("egov_readiness", "已接入省级电子政务外网，具备网上审批条件。")
	admin.fill("recommendation", "政务公开工作基础好，行政审批事项已全部进驻政务服务中心。")
	admin.submit("#recommend-submit")
	admin.wantPath("/provinces/34")
	if st := admin.text("[data-testid=status-340103]"); st != "已推荐，待审批" {
		t.Fatalf("status after recommending = %q, want 已推荐，待审批", st)
	}
	admin.screenshots("province")

	admin.submit("#approve-340103")
	username := admin.text("[data-testid=admin-username]")
	password := admin.text("[data-testid=admin-password]")
	if username == "" || password == "" {
		t.Fatalf("approval page shows username %q, password %q", username, password)
	}
	if st := admin.text("[data-testid=status-340103]"); st != "试点进行中" {
		t.Errorf("status after approval = %q, want 试点进行中", st)
	}
	if n, err := chromedp.Run(admin.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#approve-340103").length`)); err != nil || n != 0 {
		t.Errorf("approve button still shown after approval (%d, %v)", n, err)
	}

	// The county administrator, in another browser context, signs in with
	// exactly what the page showed.
	county := newTab(t, browser, base)
	county.signIn(username, password)
	county.changePassword(password, countyPassword)
	county.wantPath("/counties/340103")
	if name := county.text("[data-testid=county-name]"); !strings.Contains(name, "庐阳区") {
		t.Errorf("county name %q, want 庐阳区", name)
	}
	if who := county.text("[data-testid=current-user]"); !strings.Contains(who, username) {
		t.Errorf("header user %q, want %s", who, username)
	}
}

// TestBrowserCountyCreatesClerk: the county administrator creates a clerk on
// the user page and is shown the clerk's one-time password, which works.
func TestBrowserCountyCreatesClerk(t *testing.T) {
	path := chromiumPath(t)
	s, base := serveForBrowser(t)
	browser := newBrowser(t, path)
	b, _ := countyAdminSignedIn(t, s, browser, base)

	b.open("/counties/340102/users")
	b.fill("username", "clerk1")
	b.fill("display_name", "张经办")
	clerkBox := `input[type=checkbox][name=roles][value=county_clerk]`
	if label := b.text("label.check:has(" + clerkBox + ")"); label != "县级经办人员" {
		t.Errorf("checkbox label %q, want 县级经办人员", label)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(clerkBox))); err != nil {
		t.Fatalf("check county_clerk: %v", err)
	}
	b.submit("#user-submit")
	b.wantPath("/counties/340102/users")
	initial := b.text("[data-testid=initial-password]")
	if initial == "" {
		t.Fatal("no initial password shown")
	}
	if row := b.text("tbody"); !strings.Contains(row, "clerk1") || !strings.Contains(row, "县级经办人员") {
		t.Errorf("user list lacks the clerk:\n%s", row)
	}
	b.open("/counties/340102/users") // a GET: screenshots reloads the page
	b.screenshots("users")

	// The password shown works once and must be changed.
	clerk := newTab(t, browser, base)
	clerk.signIn("clerk1", initial)
	clerk.changePassword(initial, "Clerk#Pass2026")
	clerk.wantPath("/counties/340102")
	if who := clerk.text("[data-testid=current-user]"); !strings.Contains(who, "张经办") {
		t.Errorf("header user %q, want 张经办", who)
	}
}
