package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
)

// FormSession is a cookie session as a browser has it: the session cookie and
// the CSRF token the pages carry in their forms.
type FormSession struct {
	s      *Service
	Cookie *http.Cookie
	CSRF   string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// BrowserLogin signs in through the sign-in form and reads the CSRF token
// from a page.
func (s *Service) BrowserLogin(username, password string) *FormSession {
	s.T.Helper()
	form := url.Values{"username": {username}, "password": {password}, "next": {"/"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := s.Send(req)
	if r.Status != 303 || r.Header.Get("Location") != "/" {
		s.T.Fatalf("sign-in of %s: %d %s", username, r.Status, r.Header.Get("Location"))
	}
	b := &FormSession{s: s}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "sp_session" && c.Value != "" {
			b.Cookie = c
		}
	}
	if b.Cookie == nil {
		s.T.Fatalf("no session cookie for %s", username)
	}
	m := csrfField.FindStringSubmatch(string(s.Must(200, b.Get("/password")).Raw))
	if m == nil {
		s.T.Fatalf("no CSRF token on the page")
	}
	b.CSRF = m[1]
	return b
}

func (b *FormSession) Get(path string) Response {
	b.s.T.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(b.Cookie)
	return b.s.Send(req)
}

// Post submits a form with the session's CSRF token (unless withCSRF is false).
func (b *FormSession) Post(path string, form url.Values, withCSRF bool) Response {
	b.s.T.Helper()
	v := url.Values{}
	for k, vals := range form {
		v[k] = vals
	}
	if withCSRF {
		v.Set("_csrf", b.CSRF)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(b.Cookie)
	return b.s.Send(req)
}

// Tail is the last n lines of s.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
