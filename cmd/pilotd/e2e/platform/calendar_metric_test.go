package platform_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
)

// TestCalendarYearMetric: a year without a national calendar shows as 0 on
// /metrics and turns 1 once an administrator loads it.
func TestCalendarYearMetric(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	next := strconv.Itoa(calendar.Today(time.Now()).Year() + 1)
	if _, err := s.Svc.DB.Exec(`DELETE FROM calendar_years WHERE region = '*' AND year = ?`, next); err != nil {
		t.Fatal(err)
	}
	if err := s.Svc.Calendar.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	line := `pilot_calendar_year_loaded{year="` + next + `"} `
	if m := string(s.Must(200, s.Do("GET", "/metrics", "", nil)).Raw); !strings.Contains(m, line+"0") {
		t.Fatalf("missing year not reported as 0:\n%s", grepLines([]byte(m), "pilot_calendar"))
	}
	admin := s.AdminToken()
	s.Must(200, s.Do("PUT", "/api/v1/calendar/years/"+next, admin, map[string]any{"holidays": []string{next + "-01-01"}}))
	if m := string(s.Must(200, s.Do("GET", "/metrics", "", nil)).Raw); !strings.Contains(m, line+"1") {
		t.Fatalf("loaded year not reported as 1:\n%s", grepLines([]byte(m), "pilot_calendar"))
	}
}
