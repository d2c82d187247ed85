package access_test

import (
	"net/http"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCountyAdminSignIn: a county administrator signs in with the
// one-time password, is sent to the password page, changes it and lands on
// the county's home page; a wrong password is refused in Chinese.
func TestBrowserCountyAdminSignIn(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	username, initial := e2e.ApproveByAPI(s, "34", "340102")

	b := e2e.NewTab(t, browser, base)
	b.Open("/login")
	b.Screenshots("login")

	// A wrong password stays on the sign-in page with the message.
	b.Fill("username", username)
	b.Fill("password", "Wrong#Pass2026")
	if status := b.Click("#login-submit"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: HTTP %d, want 401", status)
	}
	b.WantPath("/login")
	if msg := b.Text(".error[role=alert]"); !strings.Contains(msg, "用户名或密码错误") {
		t.Fatalf("wrong password message %q", msg)
	}
	if got, _ := chromedp.Run(b.Ctx, chromedp.Value(chromedp.ID("username"))); got != username {
		t.Errorf("username field after a failed sign-in = %q, want %q", got, username)
	}

	// The one-time password works but leads to the password page first.
	b.SignIn(username, initial)
	b.WantPath("/password")
	if msg := b.Text("main .warning"); !strings.Contains(msg, "请先修改初始密码") {
		t.Errorf("password page notice %q", msg)
	}
	// Every other page sends the user back until the password is changed.
	b.Open("/counties/340102")
	b.WantPath("/password")

	// A mismatched confirmation is refused on the page.
	b.Fill("current_password", initial)
	b.Fill("new_password", e2e.CountyPassword)
	b.Fill("confirm_password", e2e.CountyPassword+"x")
	if status := b.Click("#password-submit"); status != http.StatusBadRequest {
		t.Errorf("mismatched confirmation: HTTP %d, want 400", status)
	}
	if msg := b.Text(".error[role=alert]"); !strings.Contains(msg, "两次输入的新密码不一致") {
		t.Errorf("mismatch message %q", msg)
	}

	b.ChangePassword(initial, e2e.CountyPassword)
	b.WantPath("/counties/340102")
	if name := b.Text("[data-testid=county-name]"); !strings.Contains(name, "瑶海区") {
		t.Errorf("county name %q, want 瑶海区", name)
	}
	if who := b.Text("[data-testid=current-user]"); !strings.Contains(who, username) {
		t.Errorf("header user %q, want %s", who, username)
	}
	if status := b.Text("main .badge"); status != "试点进行中" {
		t.Errorf("county status badge %q, want 试点进行中", status)
	}
	b.Screenshots("county")

	// The new password is the one that works now.
	s.Login(username, e2e.CountyPassword)
	s.Must(401, s.Do("POST", "/api/v1/session", "", map[string]string{"username": username, "password": initial}))
}

// TestBrowserProvinceOnboarding: the national administrator recommends and
// approves a county on the province page, and the credentials it shows sign
// the county administrator in.
func TestBrowserProvinceOnboarding(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	_, base := e2e.ServeForBrowser(t)

	admin := e2e.NewTab(t, browser, base)
	admin.SignIn("admin", e2e.AdminPassword)
	admin.WantPath("/national")
	admin.Open("/provinces/34")
	if h := admin.Text("main h1"); !strings.Contains(h, "安徽") {
		t.Errorf("province heading %q", h)
	}

	admin.Fill("code", "340103")
	admin.Fill("egov_readiness", "已接入省级电子政务外网，具备网上审批条件。")
	admin.Fill("recommendation", "政务公开工作基础好，行政审批事项已全部进驻政务服务中心。")
	admin.Submit("#recommend-submit")
	admin.WantPath("/provinces/34")
	if st := admin.Text("[data-testid=status-340103]"); st != "已推荐，待审批" {
		t.Fatalf("status after recommending = %q, want 已推荐，待审批", st)
	}
	admin.Screenshots("province")

	admin.Submit("#approve-340103")
	username := admin.Text("[data-testid=admin-username]")
	password := admin.Text("[data-testid=admin-password]")
	if username == "" || password == "" {
		t.Fatalf("approval page shows username %q, password %q", username, password)
	}
	if st := admin.Text("[data-testid=status-340103]"); st != "试点进行中" {
		t.Errorf("status after approval = %q, want 试点进行中", st)
	}
	if n, err := chromedp.Run(admin.Ctx, chromedp.Evaluate[int](`document.querySelectorAll("#approve-340103").length`)); err != nil || n != 0 {
		t.Errorf("approve button still shown after approval (%d, %v)", n, err)
	}

	// The county administrator, in another browser context, signs in with
	// exactly what the page showed.
	county := e2e.NewTab(t, browser, base)
	county.SignIn(username, password)
	county.ChangePassword(password, e2e.CountyPassword)
	county.WantPath("/counties/340103")
	if name := county.Text("[data-testid=county-name]"); !strings.Contains(name, "庐阳区") {
		t.Errorf("county name %q, want 庐阳区", name)
	}
	if who := county.Text("[data-testid=current-user]"); !strings.Contains(who, username) {
		t.Errorf("header user %q, want %s", who, username)
	}
}

// TestBrowserCountyCreatesClerk: the county administrator creates a clerk on
// the user page and is shown the clerk's one-time password, which works.
func TestBrowserCountyCreatesClerk(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, _ := e2e.CountyAdminSignedIn(t, s, browser, base)

	b.Open("/counties/340102/users")
	b.Fill("username", "clerk1")
	b.Fill("display_name", "张经办")
	clerkBox := `input[type=checkbox][name=roles][value=county_clerk]`
	if label := b.Text("label.check:has(" + clerkBox + ")"); label != "县级经办人员" {
		t.Errorf("checkbox label %q, want 县级经办人员", label)
	}
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(clerkBox))); err != nil {
		t.Fatalf("check county_clerk: %v", err)
	}
	b.Submit("#user-submit")
	b.WantPath("/counties/340102/users")
	initial := b.Text("[data-testid=initial-password]")
	if initial == "" {
		t.Fatal("no initial password shown")
	}
	if row := b.Text("tbody"); !strings.Contains(row, "clerk1") || !strings.Contains(row, "县级经办人员") {
		t.Errorf("user list lacks the clerk:\n%s", row)
	}
	b.Open("/counties/340102/users") // a GET: screenshots reloads the page
	b.Screenshots("users")

	// The password shown works once and must be changed.
	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk1", initial)
	clerk.ChangePassword(initial, "Clerk#Pass2026")
	clerk.WantPath("/counties/340102")
	if who := clerk.Text("[data-testid=current-user]"); !strings.Contains(who, "张经办") {
		t.Errorf("header user %q, want 张经办", who)
	}
}
