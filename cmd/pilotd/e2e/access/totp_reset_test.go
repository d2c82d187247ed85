package access_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/db"
)

// factorState is what a reset removes for one user.
type factorState struct{ totp, codes, sessions int }

func factorOf(s *e2e.Service, userID int64) factorState {
	s.T.Helper()
	return factorState{
		totp:     s.CountRows(`SELECT COUNT(*) FROM user_totp WHERE user_id = ?`, userID),
		codes:    s.CountRows(`SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?`, userID),
		sessions: s.CountRows(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`, userID),
	}
}

// resetStaff is the cast of the reset tests: two counties, their
// administrators and security administrators, a clerk, a national auditor.
type resetStaff struct {
	adminA, adminB, clerkA, secA, secB, auditor string
	adminAID, clerkAID, secAID                  int64
}

func newResetStaff(s *e2e.Service) resetStaff {
	s.T.Helper()
	var st resetStaff
	national := s.AdminToken()
	st.adminA = s.Onboard("34", "340102")
	st.adminB = s.Onboard("34", "340103")
	st.adminAID = s.UserID(st.adminA)
	st.clerkAID, st.clerkA = s.AddUser(st.adminA, "340102", "clerk_a", "county_clerk")
	st.secAID, st.secA = s.AddUser(national, "340102", "sec_a", "security_admin")
	_, st.secB = s.AddUser(national, "340103", "sec_b", "security_admin")
	st.auditor = auditorToken(s)
	return st
}

func resetPath(county string, id int64) string {
	return "/api/v1/counties/" + county + "/users/" + e2e.Itoa(id) + "/totp/reset"
}

// TestTOTPReset: a security administrator of the county resets a lost second
// factor with a reason: secret and recovery codes are gone, every session of
// the user ends, the reset is audited with the reason, and the administrator
// must enrol again at the next sign-in. County and audit administrators,
// the user's own security administrator on themselves and another county's
// security administrator are refused and change nothing.
func TestTOTPReset(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		st := newResetStaff(s)
		enrolTOTP(s, st.adminA)
		enrolTOTP(s, st.clerkA)
		enrolTOTP(s, st.secA)
		secret := secretOf(s, "admin_340102")
		adminSession := s.Must(200, signIn(s, "admin_340102", e2e.CountyPassword, totpCode(t, secret, 1))).Body["token"].(string)
		before := factorOf(s, st.adminAID)
		if before.totp != 1 || before.codes != 10 || before.sessions < 2 {
			t.Fatalf("before: %+v", before)
		}
		reason := map[string]string{"reason": "手机遗失，已当面核实本人身份"}

		refusals := []struct {
			name   string
			token  string
			path   string
			body   any
			status int
			code   string
			target int64
		}{
			{"county administrator", st.adminA, resetPath("340102", st.clerkAID), reason, 403, "forbidden", st.clerkAID},
			{"audit administrator", st.auditor, resetPath("340102", st.adminAID), reason, 403, "forbidden", st.adminAID},
			{"clerk", st.clerkA, resetPath("340102", st.adminAID), reason, 403, "forbidden", st.adminAID},
			{"own factor", st.secA, resetPath("340102", st.secAID), reason, 403, "self_reset", st.secAID},
			{"other county's security administrator", st.secB, resetPath("340102", st.adminAID), reason, 403, "forbidden", st.adminAID},
			{"other county's path", st.secB, resetPath("340103", st.adminAID), reason, 404, "not_found", st.adminAID},
			{"province path", st.secA, "/api/v1/provinces/34/users/" + e2e.Itoa(st.adminAID) + "/totp/reset", reason, 403, "forbidden", st.adminAID},
			{"no reason", st.secA, resetPath("340102", st.adminAID), map[string]string{"reason": "  "}, 400, "invalid_input", st.adminAID},
			{"signed out", "", resetPath("340102", st.adminAID), reason, 401, "unauthorized", st.adminAID},
		}
		for _, r := range refusals {
			was := factorOf(s, r.target)
			got := s.Do("POST", r.path, r.token, r.body)
			if got.Status != r.status || got.ErrorCode() != r.code {
				t.Errorf("%s: %d %q, want %d %q: %s", r.name, got.Status, got.ErrorCode(), r.status, r.code, got.Raw)
			}
			if now := factorOf(s, r.target); now != was {
				t.Errorf("%s: the refused reset changed %+v into %+v", r.name, was, now)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND detail LIKE ?`, "totp reset of user "+e2e.Itoa(st.secAID)+"; reason: 手机遗失%"); n != 1 {
			t.Errorf("refused self-reset audited with its reason %d times, want 1", n)
		}

		s.Must(204, s.Do("POST", resetPath("340102", st.adminAID), st.secA, reason))
		if after := factorOf(s, st.adminAID); after != (factorState{}) {
			t.Fatalf("after the reset: %+v, want no secret, codes or sessions", after)
		}
		if r := s.Do("GET", "/api/v1/session", adminSession, nil); r.Status != 401 {
			t.Errorf("the user's session survived the reset: %d", r.Status)
		}
		if factorOf(s, st.clerkAID).totp != 1 || factorOf(s, st.secAID).totp != 1 {
			t.Error("the reset touched other users")
		}
		var entry struct {
			Username string `db:"username"`
			Region   string `db:"region"`
			Action   string `db:"action"`
			Outcome  string `db:"outcome"`
			Detail   string `db:"detail"`
		}
		if err := s.Svc.DB.Get(&entry, `SELECT username, region, action, outcome, detail FROM audit_log
			WHERE action LIKE '%totp/reset' ORDER BY seq DESC LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		if entry.Username != "sec_a" || entry.Region != "340102" || entry.Outcome != "success" ||
			entry.Action != "POST /api/v1/counties/:county/users/:id/totp/reset" ||
			entry.Detail != "totp reset of user "+e2e.Itoa(st.adminAID)+"; reason: 手机遗失，已当面核实本人身份" {
			t.Errorf("audit entry %+v", entry)
		}
		if r := s.Do("POST", resetPath("340102", st.adminAID), st.secA, reason); r.Status != 409 || r.ErrorCode() != "totp_not_enrolled" {
			t.Errorf("second reset: %d %s", r.Status, r.Raw)
		}

		// With the administrator gate on, the next sign-in needs no code but
		// may do nothing before enrolling again.
		s.Svc.Users.RequireAdminTOTP = true
		r := s.Must(200, signIn(s, "admin_340102", e2e.CountyPassword, ""))
		if r.Body["must_enroll_totp"] != true {
			t.Fatalf("after the reset: %s", r.Raw)
		}
		token := r.Body["token"].(string)
		if got := s.Must(403, s.Do("GET", "/api/v1/counties/340102", token, nil)); got.ErrorCode() != "totp_enrollment_required" {
			t.Fatalf("before re-enrolment: %s", got.Raw)
		}
		enrolTOTP(s, token)
		s.Must(200, s.Do("GET", "/api/v1/counties/340102", token, nil))
	})
}

// TestTOTPResetPage: the security administrator's account page lists the
// county's accounts with their second factor and resets one only with a
// reason and the confirmation box; others get the 403 page; the menu shows
// the page to the security administrator only.
func TestTOTPResetPage(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	st := newResetStaff(s)
	enrolTOTP(s, st.adminA)
	page := func(method, path, token string, form url.Values) e2e.Response {
		t.Helper()
		var req *http.Request
		if form != nil {
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(method, path, nil)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return s.Send(req)
	}
	r := page("GET", "/counties/340102/security/users", st.secA, nil)
	body := string(r.Raw)
	if r.Status != 200 || !strings.Contains(body, "账号安全管理") || !strings.Contains(body, `id="reset-`+e2e.Itoa(st.adminAID)+`"`) {
		t.Fatalf("security page: %d %s", r.Status, body)
	}
	if strings.Contains(body, `id="reset-`+e2e.Itoa(st.clerkAID)+`"`) {
		t.Error("reset offered for a user without a second factor")
	}
	if !strings.Contains(body, `href="/counties/340102/security/users"`) {
		t.Error("menu entry missing for the security administrator")
	}
	for _, tok := range []string{st.adminA, st.auditor, st.clerkA} {
		if r := page("GET", "/counties/340102/security/users", tok, nil); r.Status != 403 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("security page for another role: %d", r.Status)
		}
		if strings.Contains(string(page("GET", "/audit", tok, nil).Raw), "/security/users") {
			t.Error("menu entry shown to a role without the permission")
		}
	}

	path := "/counties/340102/security/users/" + e2e.Itoa(st.adminAID) + "/totp/reset"
	r = page("POST", path, st.secA, url.Values{"reason": {"手机遗失"}})
	if r.Status != 400 || !strings.Contains(string(r.Raw), "确认重置") || factorOf(s, st.adminAID).totp != 1 {
		t.Fatalf("without confirmation: %d, factor %+v", r.Status, factorOf(s, st.adminAID))
	}
	r = page("POST", path, st.secA, url.Values{"confirm": {"yes"}})
	if r.Status != 400 || !strings.Contains(string(r.Raw), "请填写重置原因") || factorOf(s, st.adminAID).totp != 1 {
		t.Fatalf("without reason: %d", r.Status)
	}
	r = page("POST", path, st.adminA, url.Values{"reason": {"x"}, "confirm": {"yes"}})
	if r.Status != 403 || factorOf(s, st.adminAID).totp != 1 {
		t.Fatalf("county administrator: %d", r.Status)
	}
	r = page("POST", path, st.secA, url.Values{"reason": {"手机遗失"}, "confirm": {"yes"}})
	if r.Status != 200 || !strings.Contains(string(r.Raw), "已重置用户 admin_340102 的双因素认证") {
		t.Fatalf("reset: %d %s", r.Status, r.Raw)
	}
	if f := factorOf(s, st.adminAID); f != (factorState{}) {
		t.Fatalf("after the page reset: %+v", f)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND outcome = 'success' AND detail LIKE ?`,
		"POST /counties/:county/security/users/:id/totp/reset", "%reason: 手机遗失"); n != 1 {
		t.Errorf("page reset audited %d times with its reason, want 1", n)
	}
}
