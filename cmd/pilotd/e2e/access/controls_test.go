package access_test

// Tests that pin single security controls of the README's security table,
// each of which fails when its control is removed (issue #9): the response
// headers, the session cookie's flags, a new session at every sign-in, the
// Origin check beside the CSRF token, the audit-verify command's exit status
// and the per-IP limits of the public information-request endpoints.

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
)

// wantCSP is the Content-Security-Policy, directive by directive.
var wantCSP = map[string]string{
	"default-src":     "'self'",
	"img-src":         "'self' data:",
	"style-src":       "'self'",
	"script-src":      "'self'",
	"frame-ancestors": "'none'",
	"form-action":     "'self'",
	"base-uri":        "'none'",
}

// parseCSP splits a policy into its directives.
func parseCSP(policy string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = strings.Join(strings.Fields(value), " ")
		}
	}
	return out
}

// TestSecurityHeaders: pages, API answers, errors and static files all carry
// the strict CSP (no inline script), X-Frame-Options DENY, nosniff and the
// referrer policy; HSTS is sent on HTTPS only.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	token := s.AdminToken()
	requests := map[string]func() *http.Request{
		"sign-in page":   func() *http.Request { return httptest.NewRequest("GET", "/login", nil) },
		"signed-out API": func() *http.Request { return httptest.NewRequest("GET", "/api/v1/session", nil) },
		"not found":      func() *http.Request { return httptest.NewRequest("GET", "/no-such-page", nil) },
		"static asset":   func() *http.Request { return httptest.NewRequest("GET", "/static/app.css", nil) },
		"signed-in API": func() *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/session", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		},
	}
	for name, newReq := range requests {
		r := s.Send(newReq())
		h := r.Header
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s (%d): X-Frame-Options %q, want DENY", name, r.Status, got)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q, want nosniff", name, r.Status, got)
		}
		if got := h.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s (%d): Referrer-Policy %q, want same-origin", name, r.Status, got)
		}
		got := parseCSP(h.Get("Content-Security-Policy"))
		for directive, want := range wantCSP {
			if got[directive] != want {
				t.Errorf("%s (%d): CSP %s %q, want %q", name, r.Status, directive, got[directive], want)
			}
		}
		for directive := range got {
			if _, ok := wantCSP[directive]; !ok {
				t.Errorf("%s (%d): unexpected CSP directive %s %q", name, r.Status, directive, got[directive])
			}
		}
		if hsts := h.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("%s over plain HTTP: HSTS %q", name, hsts)
		}

		// Behind a TLS-terminating proxy the request is HTTPS.
		req := newReq()
		req.Header.Set("X-Forwarded-Proto", "https")
		hsts := s.Send(req).Header.Get("Strict-Transport-Security")
		if !strings.Contains(hsts, "max-age=31536000") || !strings.Contains(hsts, "includeSubDomains") {
			t.Errorf("%s over HTTPS: HSTS %q, want a year with includeSubDomains", name, hsts)
		}
	}
}

// sessionCookieOf is the sp_session cookie a response sets, or nil.
func sessionCookieOf(r e2e.Response) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "sp_session" {
			return c
		}
	}
	return nil
}

// signInForm posts the sign-in form, with a cookie (and its CSRF token) the
// browser already holds when cookie is not nil.
func signInForm(s *e2e.Service, username, password string, cookie *http.Cookie, csrf string, header map[string]string) e2e.Response {
	s.T.Helper()
	form := url.Values{"username": {username}, "password": {password}, "next": {"/"}}
	if csrf != "" {
		form.Set("_csrf", csrf)
	}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return s.Send(req)
}

// TestSessionCookieFlags: the session cookie is HttpOnly and SameSite on every
// sign-in, and Secure on HTTPS or with PILOT_COOKIE_SECURE=always.
func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, s *e2e.Service, header map[string]string, secure bool) {
		t.Helper()
		page := signInForm(s, "admin", e2e.AdminPassword, nil, "", header)
		api := s.Do("POST", "/api/v1/session", "", map[string]string{"username": "admin", "password": e2e.AdminPassword})
		if header != nil {
			req := httptest.NewRequest("POST", "/api/v1/session",
				strings.NewReader(`{"username":"admin","password":"`+e2e.AdminPassword+`"}`))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			api = s.Send(req)
		}
		for via, r := range map[string]e2e.Response{"page": page, "API": api} {
			c := sessionCookieOf(r)
			if c == nil || c.Value == "" {
				t.Fatalf("sign-in via the %s (%d): no session cookie", via, r.Status)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Errorf("sign-in via the %s: cookie HttpOnly=%v SameSite=%v Path=%q, want HttpOnly, Lax, /",
					via, c.HttpOnly, c.SameSite, c.Path)
			}
			if c.Secure != secure {
				t.Errorf("sign-in via the %s: cookie Secure=%v, want %v", via, c.Secure, secure)
			}
		}
	}
	t.Run("http", func(t *testing.T) { check(t, e2e.New(t, db.SQLite), nil, false) })
	t.Run("https", func(t *testing.T) {
		check(t, e2e.New(t, db.SQLite), map[string]string{"X-Forwarded-Proto": "https"}, true)
	})
	t.Run("always", func(t *testing.T) {
		check(t, e2e.New(t, db.SQLite, func(c *server.Config) { c.CookieSecure = "always" }), nil, true)
	})
}

// whoseCookie is the username a session cookie signs in, or "" when none.
func whoseCookie(s *e2e.Service, c *http.Cookie) string {
	s.T.Helper()
	req := httptest.NewRequest("GET", "/api/v1/session", nil)
	req.AddCookie(c)
	r := s.Send(req)
	if r.Status != 200 {
		return ""
	}
	u, _ := r.Body["user"].(map[string]any)
	name, _ := u["username"].(string)
	return name
}

// TestSignInIssuesNewSession: a sign-in made while the browser holds a
// session cookie (one planted by someone else, or the user's own) replaces
// it with a new session of the account that signed in, on the page and the
// API; the cookie held before never becomes the new account's session.
func TestSignInIssuesNewSession(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	s.Onboard("34", "340102") // admin_340102, password County#Pass2026
	planted := s.BrowserLogin("admin", e2e.AdminPassword)

	for _, who := range []struct{ username, password string }{
		{"admin", e2e.AdminPassword}, {"admin_340102", "County#Pass2026"},
	} {
		r := signInForm(s, who.username, who.password, planted.Cookie, planted.CSRF, nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("page sign-in of %s with a cookie: %d %s", who.username, r.Status, r.Raw)
		}
		c := sessionCookieOf(r)
		if c == nil || c.Value == "" || c.Value == planted.Cookie.Value {
			t.Fatalf("page sign-in of %s kept the session the browser held (cookie %v)", who.username, c)
		}
		if got := whoseCookie(s, c); got != who.username {
			t.Errorf("page sign-in of %s: the new cookie is %q's session", who.username, got)
		}

		req := httptest.NewRequest("POST", "/api/v1/session",
			strings.NewReader(`{"username":"`+who.username+`","password":"`+who.password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", planted.CSRF)
		req.AddCookie(planted.Cookie)
		api := s.Send(req)
		if api.Status != 200 {
			t.Fatalf("API sign-in of %s with a cookie: %d %s", who.username, api.Status, api.Raw)
		}
		token, _ := api.Body["token"].(string)
		c = sessionCookieOf(api)
		if token == "" || token == planted.Cookie.Value || c == nil || c.Value != token {
			t.Fatalf("API sign-in of %s: token %q, cookie %v; want a new session", who.username, token, c)
		}
		if got := whoseCookie(s, c); got != who.username {
			t.Errorf("API sign-in of %s: the new cookie is %q's session", who.username, got)
		}
	}
	if got := whoseCookie(s, planted.Cookie); got != "admin" {
		t.Errorf("the cookie held before is now %q's session, want still admin's", got)
	}
}

// TestCSRFOriginCheck: a cookie-authenticated POST needs the session's CSRF
// token and, when the browser names an Origin, the service's own host; a
// request from another origin is refused even with the right token.
func TestCSRFOriginCheck(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	b := s.BrowserLogin("admin", e2e.AdminPassword)
	logout := func(csrf, origin string) e2e.Response {
		form := url.Values{}
		if csrf != "" {
			form.Set("_csrf", csrf)
		}
		req := httptest.NewRequest("POST", "/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		req.AddCookie(b.Cookie)
		return s.Send(req)
	}
	for _, tc := range []struct{ name, csrf, origin string }{
		{"no token", "", ""},
		{"wrong token", strings.Repeat("A", len(b.CSRF)), ""},
		{"another origin", b.CSRF, "https://evil.example"},
		{"another origin on the same name", b.CSRF, "http://example.com.evil.example"},
		{"an opaque origin", b.CSRF, "null"},
	} {
		if r := logout(tc.csrf, tc.origin); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, r.Status)
		}
		if got := whoseCookie(s, b.Cookie); got != "admin" {
			t.Fatalf("%s: the refused sign-out ended the session", tc.name)
		}
	}
	// Every refusal is in the audit log, with who tried it.
	if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE object = '/logout' AND outcome = 'denied' AND username = 'admin'`); n != 5 {
		t.Errorf("%d refused sign-outs audited, want 5", n)
	}
	// The service's own origin, with the token, goes through.
	if r := logout(b.CSRF, "http://example.com"); r.Status != http.StatusSeeOther {
		t.Fatalf("same-origin sign-out: %d %s", r.Status, r.Raw)
	}
	if got := whoseCookie(s, b.Cookie); got != "" {
		t.Errorf("after signing out the cookie is still %q's session", got)
	}
}

// TestSignInFormOriginCheck: a sign-in form posted from another site (or
// from an opaque origin) is refused before the password is checked, so no
// page elsewhere can sign a visitor in to an account it chose (login CSRF);
// the service's own page still signs in.
func TestSignInFormOriginCheck(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	sessions := s.CountRows(`SELECT COUNT(*) FROM sessions`)
	for _, origin := range []string{"https://evil.example", "http://example.com.evil.example", "null"} {
		r := signInForm(s, "admin", e2e.AdminPassword, nil, "", map[string]string{"Origin": origin})
		if r.Status != http.StatusForbidden || sessionCookieOf(r) != nil {
			t.Errorf("sign-in posted from %s: %d, cookie %v; want 403 and no session", origin, r.Status, sessionCookieOf(r))
		}
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM sessions`); n != sessions {
		t.Errorf("%d sessions after the refused sign-ins, want %d", n, sessions)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE object = '/login' AND outcome = 'denied'`); n != 3 {
		t.Errorf("%d refused sign-ins audited, want 3", n)
	}
	r := signInForm(s, "admin", e2e.AdminPassword, nil, "", map[string]string{"Origin": "http://example.com"})
	if r.Status != http.StatusSeeOther || sessionCookieOf(r) == nil {
		t.Fatalf("same-origin sign-in: %d %s", r.Status, r.Raw)
	}
}

// TestAuditVerifyCommandFailsOnTampering: `pilotd audit-verify` exits with an
// error naming the entry when the chain was edited, so a cron job or CI gate
// running it notices.
func TestAuditVerifyCommandFailsOnTampering(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := e2e.New(t, db.SQLite, func(c *server.Config) { c.DataDir = dir })
	s.AdminToken()
	s.Must(401, signIn(s, "admin", "Wrong#Pass1", ""))
	args := []string{"audit-verify", "--data-dir", dir, "--db-dsn", "", "--log-format", "text", "--log-level", "error"}
	var out bytes.Buffer
	if err := server.Run(context.Background(), args, &out, &out); err != nil {
		t.Fatalf("audit-verify on an intact chain: %v (%s)", err, out.String())
	}
	if _, err := s.Svc.DB.Exec(`UPDATE audit_log SET outcome = 'success' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := server.Run(context.Background(), args, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "broken at entry 2") {
		t.Fatalf("audit-verify after an edit: %v (%s), want an error naming entry 2", err, out.String())
	}
	if strings.Contains(out.String(), "intact") {
		t.Errorf("audit-verify printed %q for a broken chain", out.String())
	}
}

// TestInfoRequestRateLimits: the public information-request endpoints count
// per client IP in the database, on the API and the page alike: 5
// applications and 30 look-ups a minute.
func TestInfoRequestRateLimits(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	const county = "340102"
	s.Onboard("34", county)
	// The limits count per minute: start early in a window.
	if left := time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)); left < 15*time.Second {
		time.Sleep(left + 100*time.Millisecond)
	}
	start := time.Now()
	const unknown = county + "-2222222222"
	trackAPI := func() e2e.Response {
		return s.Do("GET", "/api/v1/public/counties/"+county+"/info-requests/"+unknown, "", nil)
	}
	for i := 1; i <= 31; i++ {
		r := trackAPI()
		if want := map[bool]int{true: 404, false: 429}[i <= 30]; r.Status != want {
			t.Fatalf("look-up %d: %d, want %d: %s", i, r.Status, want, r.Raw)
		}
	}
	// An empty application is refused after the limiter, so it counts.
	applyAPI := func() e2e.Response {
		return s.Do("POST", "/api/v1/public/counties/"+county+"/info-requests", "", map[string]any{})
	}
	for i := 1; i <= 6; i++ {
		r := applyAPI()
		if i <= 5 && (r.Status == 429 || r.Status >= 500) || i > 5 && r.Status != 429 {
			t.Fatalf("application %d: %d %s", i, r.Status, r.Raw)
		}
	}
	if time.Now().Truncate(time.Minute) != start.Truncate(time.Minute) {
		t.Skip("the requests crossed a minute; cannot judge the limits")
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM info_requests`); n != 0 {
		t.Errorf("%d information requests stored by refused applications", n)
	}
}
