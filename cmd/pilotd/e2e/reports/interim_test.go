package reports_test

import (
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestInterimReport: the review's case. December's report compiled on
// 2026-12-07 speaks of the figures as of that day — a case received on
// 12-01, promised by 12-18 and still open, is not overdue yet — is marked
// interim and cannot be submitted; compiled again on 2027-01-04, after the
// month, the same case is overdue at the period's end, and the report is
// final and can be submitted.
func TestInterimReport(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		d := s.CaseDesk(county)
		repTravel(s, "2026-12-01")
		c := s.NewCase(d.Clerk, county, e2e.CaseBody("274"))
		if c.PromisedDeadline != "2026-12-18" {
			t.Fatalf("promised deadline %s, want 2026-12-18", c.PromisedDeadline)
		}
		path := "/api/v1/counties/" + county + "/reports"
		compile := func() map[string]any {
			t.Helper()
			r := s.Must(201, s.Do("POST", path, d.Admin, map[string]string{"period_kind": "month", "date": "2026-12-07"}))
			return r.Body
		}
		overdue := func(v map[string]any) any {
			f, _ := v["county_figures"].(map[string]any)
			cases, _ := f["cases"].(map[string]any)
			return cases["overdue_at_end"]
		}
		repTravel(s, "2026-12-07")
		v := compile()
		if v["interim"] != true || v["figures_as_of"] != "2026-12-07" || overdue(v) != float64(0) {
			t.Fatalf("compiled on 12-07: interim %v as of %v, overdue %v", v["interim"], v["figures_as_of"], overdue(v))
		}
		base := path + "/" + e2e.Itoa(e2e.Num(v["id"]))
		s.Must(200, s.Do("PUT", base+"/narrative", d.Admin, map[string]string{"experience": "甲", "problems": "乙", "next_steps": "丙"}))
		if r := s.Do("POST", base+"/submit", d.Admin, nil); r.Status != 409 || r.ErrorCode() != "report_interim" {
			t.Fatalf("submitting December's report on 12-07: %d %s", r.Status, r.Raw)
		}
		repTravel(s, "2027-01-04")
		v = compile()
		if v["interim"] != false || overdue(v) != float64(1) {
			t.Fatalf("compiled on 2027-01-04: interim %v, overdue %v", v["interim"], overdue(v))
		}
		s.Must(200, s.Do("POST", base+"/submit", d.Admin, nil))
	})
}
