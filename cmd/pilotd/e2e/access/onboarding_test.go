package access_test

import (
	"safetypilot/cmd/pilotd/internal/e2e"
	"testing"
)

// TestOnboardingFlow walks the skeleton's "done when": the national
// administrator onboards a county, its administrator signs in, must change the
// one-time password, adds a clerk, and the clerk sees only their county.
func TestOnboardingFlow(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.AdminToken()

		r := s.Must(201, s.Do("POST", "/api/v1/provinces/34/counties", admin,
			map[string]string{"code": "340102", "name": "瑶海区", "egov_readiness": "好", "recommendation": "推荐"}))
		if r.Body["status"] != "recommended" {
			t.Fatalf("status after recommend = %v", r.Body["status"])
		}
		list := s.Must(200, s.Do("GET", "/api/v1/provinces/34/counties", admin, nil))
		if list.Body["total"].(float64) != 1 {
			t.Fatalf("county list: %s", list.Raw)
		}

		r = s.Must(200, s.Do("POST", "/api/v1/provinces/34/counties/340102/approve", admin, nil))
		if r.Body["status"] != "active" {
			t.Fatalf("status after approve = %v", r.Body["status"])
		}
		creds := r.Body["admin"].(map[string]any)
		username, initial := creds["username"].(string), creds["initial_password"].(string)
		// Approving twice is a state transition not allowed any more.
		s.Must(409, s.Do("POST", "/api/v1/provinces/34/counties/340102/approve", admin, nil))

		// The catalog was provisioned from the basic catalog: 20 + 11 items.
		cat := s.Must(200, s.Do("GET", "/api/v1/counties/340102/catalog", admin, nil))
		if cat.Body["total"].(float64) != 31 {
			t.Fatalf("catalog items = %v", cat.Body["total"])
		}

		// First sign-in: everything but the password change is refused.
		login := s.Must(200, s.Do("POST", "/api/v1/session", "", map[string]string{"username": username, "password": initial}))
		if login.Body["must_change_password"] != true {
			t.Fatalf("must_change_password missing: %s", login.Raw)
		}
		countyAdmin := login.Body["token"].(string)
		blocked := s.Must(403, s.Do("GET", "/api/v1/counties/340102/catalog", countyAdmin, nil))
		if blocked.ErrorCode() != "password_change_required" {
			t.Fatalf("code = %q", blocked.ErrorCode())
		}
		weak := s.Must(400, s.Do("POST", "/api/v1/session/password", countyAdmin,
			map[string]string{"current_password": initial, "new_password": "short"}))
		if weak.Body["error"].(map[string]any)["fields"] == nil {
			t.Fatalf("policy error without fields: %s", weak.Raw)
		}
		s.Must(204, s.Do("POST", "/api/v1/session/password", countyAdmin,
			map[string]string{"current_password": initial, "new_password": "County#Pass2026"}))
		s.Must(200, s.Do("GET", "/api/v1/counties/340102/catalog", countyAdmin, nil))

		// The county administrator adds a clerk; it may not hand out county_admin.
		s.Must(403, s.Do("POST", "/api/v1/counties/340102/users", countyAdmin,
			map[string]any{"username": "boss", "roles": []string{"county_admin"}}))
		_, clerk := s.AddUser(countyAdmin, "340102", "clerk1", "county_clerk")

		// A second county exists; the clerk of the first cannot see it.
		s.Onboard("34", "340103")
		s.Must(200, s.Do("GET", "/api/v1/counties/340102/catalog", clerk, nil))
		s.Must(403, s.Do("GET", "/api/v1/counties/340103/catalog", clerk, nil))
		s.Must(403, s.Do("GET", "/api/v1/provinces/34/counties", clerk, nil))

		// Status changes are recorded with who and when.
		detail := s.Must(200, s.Do("GET", "/api/v1/counties/340102", admin, nil))
		events := detail.Body["events"].([]any)
		if len(events) != 2 || events[1].(map[string]any)["actor_name"] != "admin" {
			t.Fatalf("events: %s", detail.Raw)
		}
	})
}

// TestLockout locks an account after five wrong passwords in a row.
func TestLockout(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		wrong := map[string]string{"username": "admin", "password": "Wrong#Pass1"}
		unknown := s.Must(401, s.Do("POST", "/api/v1/session", "", map[string]string{"username": "nobody", "password": "Wrong#Pass1"}))
		for i := 0; i < 5; i++ {
			r := s.Must(401, s.Do("POST", "/api/v1/session", "", wrong))
			if r.Body["error"].(map[string]any)["message"] != unknown.Body["error"].(map[string]any)["message"] {
				t.Fatalf("wrong password and unknown user differ: %s vs %s", r.Raw, unknown.Raw)
			}
		}
		locked := s.Must(429, s.Do("POST", "/api/v1/session", "", map[string]string{"username": "admin", "password": e2e.AdminPassword}))
		if locked.ErrorCode() != "account_locked" {
			t.Fatalf("code = %q", locked.ErrorCode())
		}

		// A name no account has answers the same, failure by failure, so
		// the answers do not tell which names are accounts. "nobody" failed
		// once above; "Nobody " is the same name.
		for i := 0; i < 4; i++ {
			r := s.Must(401, s.Do("POST", "/api/v1/session", "", map[string]string{"username": "Nobody ", "password": "Wrong#Pass1"}))
			if r.ErrorCode() != unknown.ErrorCode() {
				t.Fatalf("failure %d of an unknown name: %s", i+2, r.Raw)
			}
		}
		ghost := s.Must(429, s.Do("POST", "/api/v1/session", "", map[string]string{"username": "nobody", "password": "Wrong#Pass1"}))
		if ghost.ErrorCode() != locked.ErrorCode() || len(ghost.Raw) != len(locked.Raw) {
			t.Errorf("a locked unknown name and a locked account differ: %s vs %s", ghost.Raw, locked.Raw)
		}
		// Other unknown names are not locked by it.
		s.Must(401, s.Do("POST", "/api/v1/session", "", map[string]string{"username": "somebody", "password": "Wrong#Pass1"}))
	})
}

// TestSeparationOfDuties refuses a second administrator duty and self-grants.
func TestSeparationOfDuties(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.AdminToken()
		r := s.Must(201, s.Do("POST", "/api/v1/national/users", admin,
			map[string]any{"username": "auditor", "roles": []string{"audit_admin"}}))
		id := r.Body["id"].(float64)
		path := "/api/v1/national/users/" + e2e.Itoa(int64(id)) + "/roles"
		dup := s.Must(409, s.Do("POST", path, admin, map[string]string{"role": "security_admin"}))
		if dup.ErrorCode() != "separation_of_duties" {
			t.Fatalf("code = %q", dup.ErrorCode())
		}
		s.Must(409, s.Do("POST", path, admin, map[string]string{"role": "national_admin"}))
		s.Must(409, s.Do("POST", "/api/v1/national/users", admin,
			map[string]any{"username": "both", "roles": []string{"audit_admin", "security_admin"}}))
		if n := s.CountRows("SELECT COUNT(*) FROM users WHERE username = 'both'"); n != 0 {
			t.Fatalf("a refused user was stored")
		}
		// The national administrator cannot grant a role to themselves.
		me := s.Must(200, s.Do("GET", "/api/v1/session", admin, nil))
		myID := int64(me.Body["user"].(map[string]any)["id"].(float64))
		self := s.Must(403, s.Do("POST", "/api/v1/national/users/"+e2e.Itoa(myID)+"/roles", admin, map[string]string{"role": "security_admin"}))
		if self.ErrorCode() != "self_grant" {
			t.Fatalf("code = %q", self.ErrorCode())
		}
	})
}
