package reports_test

import (
	"safetypilot/cmd/pilotd/internal/e2e"
	"testing"
)

// TestCountyReportStaysLocal: a province role covers a county for reading and
// reviewing its report, never for writing or submitting it.
func TestCountyReportStaysLocal(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		countyAdmin := s.Onboard("34", "340102")
		national := s.AdminToken()
		r := s.Must(201, s.Do("POST", "/api/v1/provinces/34/users", national,
			map[string]any{"username": "prov_admin", "roles": []string{"province_admin"}}))
		initial := r.Body["initial_password"].(string)
		province := s.Login("prov_admin", initial)
		s.Must(204, s.Do("POST", "/api/v1/session/password", province,
			map[string]string{"current_password": initial, "new_password": "Prov#Pass2026"}))

		base := "/api/v1/counties/340102/reports"
		report := s.Must(201, s.Do("POST", base, countyAdmin, map[string]any{"period_kind": "month", "date": "2026-11-01"}))
		id := e2e.Itoa(int64(report.Body["id"].(float64)))
		narrative := map[string]any{"experience": "省里代写", "problems": "无", "next_steps": "无"}

		s.Must(200, s.Do("GET", base+"/"+id, province, nil))
		s.Must(403, s.Do("POST", base, province, map[string]any{"period_kind": "month", "date": "2026-10-01"}))
		s.Must(403, s.Do("PUT", base+"/"+id+"/narrative", province, narrative))
		s.Must(403, s.Do("POST", base+"/"+id+"/submit", province, nil))
		if got := s.Must(200, s.Do("GET", base+"/"+id, countyAdmin, nil)).Body["narrative"].(map[string]any)["experience"]; got != "" {
			t.Fatalf("the province's refused edit was stored: %v", got)
		}
		s.Must(200, s.Do("PUT", base+"/"+id+"/narrative", countyAdmin, narrative))
	})
}
