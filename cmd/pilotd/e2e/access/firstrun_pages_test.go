package access_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/db"
)

// TestForcedPasswordChangeIsAWarning: a user sent to /password to change a
// one-time password sees a notice styled as a warning, not as a success.
func TestForcedPasswordChangeIsAWarning(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	r := s.Must(201, s.Do("POST", "/api/v1/provinces/34/users", s.AdminToken(),
		map[string]any{"username": "leader", "display_name": "省领导", "roles": []string{"province_leader"}}))
	form := url.Values{"username": {"leader"}, "password": {r.Body["initial_password"].(string)}, "next": {"/"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	signedIn := s.Send(req)
	if signedIn.Status != http.StatusSeeOther || signedIn.Header.Get("Location") != "/password" {
		t.Fatalf("sign-in with a one-time password: %d to %q, want 303 to /password", signedIn.Status, signedIn.Header.Get("Location"))
	}
	page := httptest.NewRequest("GET", "/password", nil)
	page.Header.Set("Cookie", signedIn.Header.Get("Set-Cookie"))
	body := string(s.Must(200, s.Send(page)).Raw)
	if !strings.Contains(body, `<p class="warning" role="status"><strong>请先修改初始密码。</strong>`) {
		t.Errorf("no warning asking for the change on /password:\n%s", body)
	}
	if strings.Contains(body, `class="flash"`) {
		t.Errorf("the forced change is shown as a success (class flash):\n%s", body)
	}
}

// TestFavicon: every page links the SVG favicon, served with its type.
func TestFavicon(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	login := string(s.Must(200, s.Send(httptest.NewRequest("GET", "/login", nil))).Raw)
	if !strings.Contains(login, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) {
		t.Errorf("the sign-in page links no favicon")
	}
	r := s.Must(200, s.Send(httptest.NewRequest("GET", "/static/favicon.svg", nil)))
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Errorf("favicon Content-Type %q, want image/svg+xml", ct)
	}
	if !strings.Contains(string(r.Raw), "<svg") {
		t.Errorf("favicon body is not an SVG: %.80s", r.Raw)
	}
}

// TestProvinceConsoleMenu: the province console opens with a menu of the
// province's pages, as the county console does, and every page it links
// answers.
func TestProvinceConsoleMenu(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	admin := s.AdminToken()
	page := string(s.Must(200, s.Do("GET", "/provinces/34", admin, nil)).Raw)
	start := strings.Index(page, `data-testid="province-menu"`)
	if start < 0 {
		t.Fatalf("no menu on the province console:\n%s", page)
	}
	menu := page[start : start+strings.Index(page[start:], "</nav>")]
	hrefs := regexp.MustCompile(`href="(/provinces/34/[^"#]*)"`).FindAllStringSubmatch(menu, -1)
	var got []string
	for _, m := range hrefs {
		got = append(got, m[1])
		s.Must(200, s.Do("GET", m[1], admin, nil))
	}
	for _, want := range []string{"/provinces/34/catalog-pushes", "/provinces/34/reports", "/provinces/34/calendar", "/provinces/34/users"} {
		if !slices.Contains(got, want) {
			t.Errorf("the menu lacks %s: %v", want, got)
		}
	}
	if !strings.Contains(menu, `href="#counties"`) || !strings.Contains(page, `id="counties"`) {
		t.Errorf("the menu does not lead to the counties section")
	}
}
