package cases_test

import (
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
)

// TestNotices reads and marks a user's own notices; another user's notice
// cannot be read or marked, and the header counts the unread ones.
func TestNotices(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", "340102")
		clerkID, clerk := s.AddUser(admin, "340102", "notice_clerk", "county_clerk")
		otherID, other := s.AddUser(admin, "340102", "notice_other", "county_clerk")
		for i, uid := range []int64{clerkID, clerkID, otherID} {
			if _, err := s.Svc.DB.Exec(`INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
				VALUES ('340102', ?, 0, 'flag_red', ?, ?)`, uid, "通知"+e2e.Itoa(int64(i)), "2026-11-20 08:00:00"); err != nil {
				t.Fatalf("insert notice: %v", err)
			}
		}
		list := s.Must(200, s.Do("GET", "/api/v1/notices?unread=true", clerk, nil))
		if list.Body["total"].(float64) != 2 {
			t.Fatalf("clerk's unread notices: %s", list.Raw)
		}
		items := list.Body["items"].([]any)
		first := int64(items[0].(map[string]any)["id"].(float64))
		// The other user's notice is not the clerk's to mark.
		theirs := s.Must(200, s.Do("GET", "/api/v1/notices", other, nil)).Body["items"].([]any)[0].(map[string]any)
		s.Must(404, s.Do("POST", "/api/v1/notices/"+e2e.Itoa(int64(theirs["id"].(float64)))+"/read", clerk, nil))
		s.Must(204, s.Do("POST", "/api/v1/notices/"+e2e.Itoa(first)+"/read", clerk, nil))
		if n := s.Must(200, s.Do("GET", "/api/v1/notices?unread=true", clerk, nil)).Body["total"].(float64); n != 1 {
			t.Fatalf("unread after marking one = %v", n)
		}
		page := s.Do("GET", "/counties/340102", clerk, nil)
		if !strings.Contains(string(page.Raw), "通知（1）") {
			t.Fatalf("header does not count the unread notice: %.500s", page.Raw)
		}
		s.Must(204, s.Do("POST", "/api/v1/notices/read", clerk, nil))
		if n := s.Must(200, s.Do("GET", "/api/v1/notices?unread=true", clerk, nil)).Body["total"].(float64); n != 0 {
			t.Fatalf("unread after marking all = %v", n)
		}
		if n := s.Must(200, s.Do("GET", "/api/v1/notices?unread=true", other, nil)).Body["total"].(float64); n != 1 {
			t.Fatalf("marking the clerk's notices touched another user's: %v", n)
		}
		s.Must(401, s.Do("GET", "/api/v1/notices", "", nil))
	})
}
