package access_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
)

func requireTOTP(c *server.Config) { c.RequireAdminTOTP = true }

// signIn posts credentials (with a TOTP code when not empty).
func signIn(s *e2e.Service, username, password, code string) e2e.Response {
	s.T.Helper()
	body := map[string]string{"username": username, "password": password}
	if code != "" {
		body["totp"] = code
	}
	return s.Do("POST", "/api/v1/session", "", body)
}

// totpCode is the code of secret for the step at offset steps from now.
func totpCode(t testing.TB, secret string, offset int) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, time.Now().Add(time.Duration(offset)*30*time.Second))
	if err != nil {
		t.Fatalf("totp: %v", err)
	}
	return code
}

// wrongCode is a six-digit code that is none of the accepted ones right now.
func wrongTOTP(t testing.TB, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for o := -2; o <= 2; o++ {
		valid[totpCode(t, secret, o)] = true
	}
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", (123456+n*7919)%1000000)
		if !valid[c] {
			return c
		}
	}
}

// enrolTOTP starts and confirms a second factor for the session's user and
// returns the secret and the recovery codes.
func enrolTOTP(s *e2e.Service, token string) (string, []string) {
	s.T.Helper()
	r := s.Must(200, s.Do("POST", "/api/v1/session/totp", token, nil))
	secret, _ := r.Body["secret"].(string)
	u, _ := r.Body["otpauth_url"].(string)
	if secret == "" || !strings.HasPrefix(u, "otpauth://totp/") || !strings.Contains(u, "secret="+secret) {
		s.T.Fatalf("enrolment: %s", r.Raw)
	}
	var codes []string
	for _, c := range r.Body["recovery_codes"].([]any) {
		codes = append(codes, c.(string))
	}
	if len(codes) != 10 {
		s.T.Fatalf("%d recovery codes, want 10", len(codes))
	}
	s.Must(400, s.Do("POST", "/api/v1/session/totp/confirm", token, map[string]string{"code": wrongTOTP(s.T, secret)}))
	s.Must(204, s.Do("POST", "/api/v1/session/totp/confirm", token, map[string]string{"code": totpCode(s.T, secret, 0)}))
	return secret, codes
}

// TestAdminTOTP: with PILOT_REQUIRE_ADMIN_TOTP on, an administrator without a
// second factor may only enrol; once enrolled, sign-in needs the code (each
// used once), a wrong code counts towards the lockout, and recovery codes
// work once each.
func TestAdminTOTP(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialectWith(t, requireTOTP, func(t *testing.T, s *e2e.Service) {
		r := s.Must(200, signIn(s, "admin", e2e.AdminPassword, ""))
		if r.Body["must_enroll_totp"] != true {
			t.Fatalf("must_enroll_totp missing: %s", r.Raw)
		}
		token := r.Body["token"].(string)
		if got := s.Must(403, s.Do("GET", "/api/v1/provinces", token, nil)); got.ErrorCode() != "totp_enrollment_required" {
			t.Fatalf("code %q", got.ErrorCode())
		}
		if got := s.Must(200, s.Do("GET", "/api/v1/session", token, nil)); got.Body["must_enroll_totp"] != true {
			t.Fatalf("session: %s", got.Raw)
		}
		secret, codes := enrolTOTP(s, token)
		s.Must(200, s.Do("GET", "/api/v1/provinces", token, nil))
		s.Must(409, s.Do("POST", "/api/v1/session/totp", token, nil)) // no silent replacement

		if got := s.Must(401, signIn(s, "admin", e2e.AdminPassword, "")); got.ErrorCode() != "totp_required" {
			t.Fatalf("without code: %s", got.Raw)
		}
		if got := s.Must(401, signIn(s, "admin", e2e.AdminPassword, wrongTOTP(t, secret))); got.ErrorCode() != "invalid_totp" {
			t.Fatalf("wrong code: %s", got.Raw)
		}
		// The current step was spent by the confirmation; the next one is within the skew.
		next := totpCode(t, secret, 1)
		ok := s.Must(200, signIn(s, "admin", e2e.AdminPassword, next))
		if ok.Body["must_enroll_totp"] != false {
			t.Fatalf("enrolled admin: %s", ok.Raw)
		}
		s.Must(200, s.Do("GET", "/api/v1/provinces", ok.Body["token"].(string), nil))
		s.Must(401, signIn(s, "admin", e2e.AdminPassword, next)) // replay

		s.Must(200, signIn(s, "admin", e2e.AdminPassword, strings.ToUpper(codes[3])))
		s.Must(401, signIn(s, "admin", e2e.AdminPassword, codes[3])) // spent
		if n := s.CountRows(`SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL`); n != 9 {
			t.Fatalf("%d unused recovery codes, want 9", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM recovery_codes WHERE code_hash = ?`, codes[0]); n != 0 {
			t.Fatal("recovery codes stored in clear")
		}

		// Wrong codes lock the account like wrong passwords.
		s.Must(200, signIn(s, "admin", e2e.AdminPassword, codes[5])) // clears the failure count
		for i := 0; i < 5; i++ {
			s.Must(401, signIn(s, "admin", e2e.AdminPassword, wrongTOTP(t, secret)))
		}
		if got := s.Must(429, signIn(s, "admin", e2e.AdminPassword, totpCode(t, secret, 1))); got.ErrorCode() != "account_locked" {
			t.Fatalf("after 5 wrong codes: %s", got.Raw)
		}
	})
}

// TestTOTPOptIn: a role outside the administrator duties needs no second
// factor, may enrol, and then must give the code.
func TestTOTPOptIn(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialectWith(t, requireTOTP, func(t *testing.T, s *e2e.Service) {
		admin := s.Must(200, signIn(s, "admin", e2e.AdminPassword, "")).Body["token"].(string)
		enrolTOTP(s, admin)
		admin = s.Must(200, signIn(s, "admin", e2e.AdminPassword, totpCode(t, secretOf(s, "admin"), 1))).Body["token"].(string)
		r := s.Must(201, s.Do("POST", "/api/v1/provinces/34/users", admin,
			map[string]any{"username": "leader", "display_name": "省领导", "roles": []string{"province_leader"}}))
		initial := r.Body["initial_password"].(string)
		leader := s.Login("leader", initial)
		s.Must(204, s.Do("POST", "/api/v1/session/password", leader,
			map[string]string{"current_password": initial, "new_password": "Sheng#Ling2026x"}))
		first := s.Must(200, signIn(s, "leader", "Sheng#Ling2026x", ""))
		if first.Body["must_enroll_totp"] != false {
			t.Fatalf("leader must not be forced: %s", first.Raw)
		}
		leader = first.Body["token"].(string)
		s.Must(200, s.Do("GET", "/api/v1/provinces", leader, nil))
		secret, _ := enrolTOTP(s, leader)
		s.Must(401, signIn(s, "leader", "Sheng#Ling2026x", ""))
		s.Must(200, signIn(s, "leader", "Sheng#Ling2026x", totpCode(t, secret, 1)))
	})
}

// secretOf reads a user's TOTP secret from the database and decrypts it
// with the service's key (tests only).
func secretOf(s *e2e.Service, username string) string {
	s.T.Helper()
	var row struct {
		UserID int64  `db:"user_id"`
		Secret string `db:"secret"`
	}
	if err := s.Svc.DB.Get(&row, `SELECT t.user_id, t.secret FROM user_totp t JOIN users u ON u.id = t.user_id WHERE u.username = ?`, username); err != nil {
		s.T.Fatalf("secret of %s: %v", username, err)
	}
	// Sealed with the cryptographic profile, or in the former "v1:" format.
	secret, err := s.Svc.DB.OpenField(row.Secret, db.Field{Table: "user_totp", Column: "secret", Row: strconv.FormatInt(row.UserID, 10)})
	if !strings.HasPrefix(row.Secret, "enc1:") {
		secret, err = s.Svc.Users.Secrets.Open(row.UserID, row.Secret)
	}
	if err != nil {
		s.T.Fatalf("decrypt the secret of %s: %v", username, err)
	}
	return secret
}

// TestTOTPPages: the sign-in page asks for the code, and an administrator who
// must enrol is sent to the enrolment page, which shows a QR code as a PNG
// data: URI and the recovery codes.
func TestTOTPPages(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite, requireTOTP)
	page := s.Send(httptest.NewRequest("GET", "/login", nil))
	if !strings.Contains(string(page.Raw), `name="totp"`) {
		t.Fatal("sign-in page has no TOTP field")
	}
	form := url.Values{"username": {"admin"}, "password": {e2e.AdminPassword}, "next": {"/"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := s.Send(req)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/totp" {
		t.Fatalf("sign-in: %d → %q", res.Status, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == "sp_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	get := func(path string) e2e.Response {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		return s.Send(req)
	}
	if r := get("/"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/totp" {
		t.Fatalf("home before enrolment: %d → %q", r.Status, r.Header.Get("Location"))
	}
	if r := get("/totp"); r.Status != 200 || !strings.Contains(string(r.Raw), "双因素认证") {
		t.Fatalf("enrolment page: %d", r.Status)
	}
	csrf := get("/api/v1/session").Body["csrf_token"].(string)
	req = httptest.NewRequest("POST", "/totp", strings.NewReader(url.Values{"_csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	r := s.Send(req)
	body := string(r.Raw)
	if r.Status != 200 || !strings.Contains(body, `src="data:image/png;base64,`) || !strings.Contains(body, "恢复码") {
		t.Fatalf("started enrolment: %d %s", r.Status, body)
	}
	confirm := url.Values{"_csrf": {csrf}, "code": {totpCode(t, secretOf(s, "admin"), 0)}}
	req = httptest.NewRequest("POST", "/totp/confirm", strings.NewReader(confirm.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	if r := s.Send(req); r.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", r.Status, r.Raw)
	}
	if r := get("/totp"); !strings.Contains(string(r.Raw), `data-testid="totp-enabled"`) {
		t.Fatalf("after enrolment: %s", r.Raw)
	}
	if r := get("/api/v1/provinces"); r.Status != 200 {
		t.Fatalf("after enrolment: %d", r.Status)
	}
}

// TestSignInRateLimit: sign-in attempts from one IP are capped per minute,
// whichever account they try, on the API and the page alike.
func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite, func(c *server.Config) { c.SignInPerMinute = 3 })
	limited := 0
	for i := 0; i < 7 && limited == 0; i++ {
		r := signIn(s, fmt.Sprintf("nobody%d", i), "Wrong#Pass1", "")
		switch {
		case r.Status == 429 && r.ErrorCode() == "rate_limited":
			if i < 3 {
				t.Fatalf("limited after %d attempts", i)
			}
			limited++
		case r.Status != 401:
			t.Fatalf("attempt %d: %d %s", i, r.Status, r.Raw)
		}
	}
	if limited == 0 {
		t.Fatal("never rate-limited")
	}
	form := url.Values{"username": {"admin"}, "password": {e2e.AdminPassword}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := s.Send(req); r.Status != 429 || !strings.Contains(string(r.Raw), "过于频繁") {
		t.Fatalf("login page: %d", r.Status)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE detail = 'sign-in failed: rate_limited'`); n < 2 {
		t.Fatalf("%d rate-limited sign-ins audited", n)
	}
}

// auditorToken creates a national audit administrator and signs them in.
func auditorToken(s *e2e.Service) string {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", "/api/v1/national/users", s.AdminToken(),
		map[string]any{"username": "auditor", "display_name": "审计管理员", "roles": []string{"audit_admin"}}))
	initial := r.Body["initial_password"].(string)
	token := s.Login("auditor", initial)
	s.Must(204, s.Do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "Shen#Ji2026xx"}))
	return token
}

// TestAuditExportAndSignIns: the auditor exports the log as CSV and reads the
// sign-in history with failures; nobody can delete entries over HTTP.
func TestAuditExportAndSignIns(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		s.Must(401, signIn(s, "admin", "Wrong#Pass1", ""))
		s.Must(401, signIn(s, "ghost", "Wrong#Pass1", ""))
		form := url.Values{"username": {"admin"}, "password": {"Wrong#Pass2"}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s.Send(req)
		auditor := auditorToken(s)
		admin := s.AdminToken()

		r := s.Must(200, s.Do("GET", "/api/v1/audit/sign-ins?per_page=100", auditor, nil))
		items := r.Body["items"].([]any)
		var ok, failed int
		for _, it := range items {
			m := it.(map[string]any)
			if m["ip"] == "" || m["at"] == "" || m["username"] == "" {
				t.Fatalf("incomplete sign-in entry %v", m)
			}
			if m["success"] == true {
				ok++
			} else {
				failed++
				if m["reason"] == "" {
					t.Fatalf("failure without reason: %v", m)
				}
			}
		}
		if failed != 3 || ok < 3 {
			t.Fatalf("sign-ins: %d ok, %d failed: %s", ok, failed, r.Raw)
		}
		r = s.Must(200, s.Do("GET", "/api/v1/audit/sign-ins?outcome=failed&username=admin", auditor, nil))
		if r.Body["total"].(float64) != 2 {
			t.Fatalf("failed sign-ins of admin: %s", r.Raw)
		}
		first := r.Body["items"].([]any)[0].(map[string]any)
		if first["via"] != "page" || first["reason"] != "invalid_credentials" {
			t.Fatalf("newest failure: %v", first)
		}
		s.Must(400, s.Do("GET", "/api/v1/audit/sign-ins?outcome=maybe", auditor, nil))
		s.Must(403, s.Do("GET", "/api/v1/audit/sign-ins", admin, nil))

		csvRes := s.Must(200, s.Do("GET", "/api/v1/audit/export", auditor, nil))
		if ct := csvRes.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("export content type %q", ct)
		}
		body := strings.TrimPrefix(string(csvRes.Raw), "\uFEFF")
		if !strings.HasPrefix(body, "日志链,序号,时间（北京时间）,用户ID,用户名") || !strings.Contains(body, "POST /api/v1/session") {
			t.Fatalf("export: %.300s", body)
		}
		s.Must(403, s.Do("GET", "/api/v1/audit/export", admin, nil))

		// No route deletes audit entries, for anyone.
		for _, path := range []string{"/api/v1/audit", "/api/v1/audit/1", "/api/v1/audit/sign-ins"} {
			if r := s.Do("DELETE", path, auditor, nil); r.Status != 404 && r.Status != 405 {
				t.Fatalf("DELETE %s: %d", path, r.Status)
			}
		}
	})
}

// TestAuditPurgeCommand: `pilotd audit-purge` keeps at least 180 days and
// leaves an intact chain.
func TestAuditPurgeCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"--data-dir", dir, "--db-dsn", "", "--log-format", "text", "--log-level", "error"}
	if err := server.Run(context.Background(), append([]string{"audit-purge", "--audit-retention-days", "90"}, args...), &out, &out); err == nil ||
		!strings.Contains(err.Error(), "PILOT_AUDIT_RETENTION_DAYS") {
		t.Fatalf("90 days accepted: %v", err)
	}
	if err := server.Run(context.Background(), append([]string{"audit-purge"}, args...), &out, &out); err != nil {
		t.Fatalf("audit-purge: %v", err)
	}
	if !strings.Contains(out.String(), "removed: 0") {
		t.Fatalf("output %q", out.String())
	}
	out.Reset()
	if err := server.Run(context.Background(), append([]string{"audit-verify"}, args...), &out, &out); err != nil {
		t.Fatalf("audit-verify: %v (%s)", err, out.String())
	}
}
