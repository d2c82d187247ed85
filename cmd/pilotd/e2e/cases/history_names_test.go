package cases_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestCaseHistoryShowsDisplayNames: the case page's history names the staff
// who acted by their display names, while the API and the audit log keep
// their usernames.
func TestCaseHistoryShowsDisplayNames(t *testing.T) {
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		if _, err := s.Svc.DB.Exec(`UPDATE users SET display_name = ? WHERE id = ?`, "王晓经办", d.ClerkID); err != nil {
			t.Fatal(err)
		}
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		clerk := "clerk_" + e2e.CaseCountyA

		page := string(s.Must(200, s.Do("GET", "/counties/"+e2e.CaseCountyA+"/cases/"+e2e.Itoa(c.ID), d.Clerk, nil)).Raw)
		timeline := page[strings.Index(page, `data-testid="timeline"`):]
		timeline = timeline[:strings.Index(timeline, "</table>")]
		if n := strings.Count(timeline, `<td data-label="经办人">王晓经办</td>`); n != 2 {
			t.Errorf("the history names the clerk by display name %d times, want 2 (created, accepted):\n%s", n, timeline)
		}
		if strings.Contains(timeline, clerk) {
			t.Errorf("the history shows the username %s:\n%s", clerk, timeline)
		}

		r := s.Must(200, s.Do("GET", e2e.CasePath(e2e.CaseCountyA, "/"+e2e.Itoa(c.ID)), d.Clerk, nil))
		if !strings.Contains(string(r.Raw), `"actor_name":"`+clerk+`"`) {
			t.Errorf("the API's events lost the username: %s", r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE username = ? AND action LIKE 'POST %'`, clerk); n < 2 {
			t.Errorf("%d audit entries of %s's changes, want at least 2", n, clerk)
		}
	})
}
