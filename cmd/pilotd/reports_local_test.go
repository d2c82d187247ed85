package main

import "testing"

// TestCountyReportStaysLocal: a province role covers a county for reading and
// reviewing its report, never for writing or submitting it.
func TestCountyReportStaysLocal(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		countyAdmin := s.onboard("34", "340102")
		national := s.adminToken()
		r := s.must(201, s.do("POST", "/api/v1/provinces/34/users", national,
			map[string]any{"username": "prov_admin", "roles": []string{"province_admin"}}))
		initial := r.Body["initial_password"].(string)
		province := s.login("prov_admin", initial)
		s.must(204, s.do("POST", "/api/v1/session/password", province,
			map[string]string{"current_password": initial, "new_password": "Prov#Pass2026"}))

		base := "/api/v1/counties/340102/reports"
		report := s.must(201, s.do("POST", base, countyAdmin, map[string]any{"period_kind": "month", "date": "2026-11-01"}))
		id := itoa(int64(report.Body["id"].(float64)))
		narrative := map[string]any{"experience": "省里代写", "problems": "无", "next_steps": "无"}

		s.must(200, s.do("GET", base+"/"+id, province, nil))
		s.must(403, s.do("POST", base, province, map[string]any{"period_kind": "month", "date": "2026-10-01"}))
		s.must(403, s.do("PUT", base+"/"+id+"/narrative", province, narrative))
		s.must(403, s.do("POST", base+"/"+id+"/submit", province, nil))
		if got := s.must(200, s.do("GET", base+"/"+id, countyAdmin, nil)).Body["narrative"].(map[string]any)["experience"]; got != "" {
			t.Fatalf("the province's refused edit was stored: %v", got)
		}
		s.must(200, s.do("PUT", base+"/"+id+"/narrative", countyAdmin, narrative))
	})
}
