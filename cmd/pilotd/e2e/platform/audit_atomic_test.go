package platform_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/audit"
	"safetypilot/web/challenge"
)

// auditedWrite is one write path: a request, and counts of what it stores.
type auditedWrite struct {
	name   string
	do     func() e2e.Response // sends the request (afresh each time: challenges are single-use)
	want   int                 // its status when it succeeds
	stored []string            // COUNT queries of what it changes
	detail string              // a part of the detail its entry must carry
}

// TestAuditCommitsWithChange: on every kind of write path — staff API,
// public forms, sign-in, sign-out — a change whose audit entry cannot be
// written is rolled back (the request fails and nothing is stored), and
// once the log is writable again the same request stores its change and
// exactly one successful entry, and the chains verify.
func TestAuditCommitsWithChange(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		d := s.CaseDesk(county)
		kase := s.NewCase(d.Clerk, county, e2e.CaseBody("274"))
		_, signer := s.AddUser(d.Admin, county, "signer_"+county, "county_clerk")
		public := func(path, kind string, body map[string]any) func() e2e.Response {
			return func() e2e.Response {
				answer := s.SolvedChallenge(kind, county)
				if _, err := s.Svc.DB.Exec(`DELETE FROM rate_limits`); err != nil {
					t.Fatal(err)
				}
				raw, _ := json.Marshal(body)
				req := httptest.NewRequest("POST", path, strings.NewReader(string(raw)))
				req.Header.Set("Content-Type", "application/json")
				answer.Header(req)
				return s.Send(req)
			}
		}
		writes := []auditedWrite{
			{name: "counter case", want: 201, detail: "case " + county,
				do:     func() e2e.Response { return s.Do("POST", e2e.CasePath(county, ""), d.Clerk, e2e.CaseBody("274")) },
				stored: []string{`SELECT COUNT(*) FROM cases`, `SELECT COUNT(*) FROM case_steps`, `SELECT COUNT(*) FROM case_events`}},
			{name: "case action", want: 200, detail: "accept; case " + kase.TrackingNo,
				do: func() e2e.Response {
					return s.Do("POST", e2e.CasePath(county, "/"+e2e.Itoa(kase.ID)+"/actions"), d.Clerk, map[string]any{"action": "accept"})
				},
				stored: []string{`SELECT COUNT(*) FROM case_events`, `SELECT COUNT(*) FROM cases WHERE status = 'accepted'`}},
			{name: "online application", want: 201, detail: "case " + county,
				do: public(e2e.PubPath(county, "/cases"), challenge.KindApply, map[string]any{"item_code": "274",
					"applicant": map[string]string{"name": "合肥市瑶海区平安烟花爆竹零售店", "credit_code": "91350100M000100Y43", "phone": "13800000000"}}),
				stored: []string{`SELECT COUNT(*) FROM cases`}},
			{name: "information request", want: 201,
				do: public(e2e.PubPath(county, "/info-requests"), challenge.KindInfoRequest, map[string]any{"name": "王市民",
					"contact": "13912345678", "description": "2025年度本区烟花爆竹零售许可证核发数量", "preferred_form": "email"}),
				stored: []string{`SELECT COUNT(*) FROM info_requests`}},
			{name: "disclosure record", want: 201,
				do: func() e2e.Response {
					return s.Do("POST", e2e.DisPath(county, "/disclosures"), d.Clerk, e2e.DisPlain("2026年第三季度检查情况", "2026-10-08"))
				},
				stored: []string{`SELECT COUNT(*) FROM disclosure_records`}},
			{name: "user", want: 201, detail: "create user clerk2_" + county,
				do: func() e2e.Response {
					return s.Do("POST", "/api/v1/counties/"+county+"/users", d.Admin,
						map[string]any{"username": "clerk2_" + county, "display_name": "窗口二", "roles": []string{"county_clerk"}})
				},
				stored: []string{`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM user_roles`}},
			{name: "sign-in", want: 200,
				do: func() e2e.Response {
					return s.Do("POST", "/api/v1/session", "", map[string]string{"username": "signer_" + county, "password": "User#Pass2026x"})
				},
				stored: []string{`SELECT COUNT(*) FROM sessions`}},
			{name: "sign-out", want: 204,
				do:     func() e2e.Response { return s.Do("DELETE", "/api/v1/session", signer, nil) },
				stored: []string{`SELECT COUNT(*) FROM sessions`}},
		}
		for _, w := range writes {
			before := counts(s, w.stored)
			entries := s.CountRows(`SELECT COUNT(*) FROM audit_log`)
			breakAuditLog(s, true)
			r := w.do()
			breakAuditLog(s, false)
			if r.Status < 500 {
				t.Errorf("%s with the audit log unwritable: %d %s, want a 5xx", w.name, r.Status, r.Raw)
			}
			if after := counts(s, w.stored); !equalCounts(before, after) {
				t.Errorf("%s: stored %v → %v although its audit entry could not be written", w.name, before, after)
			}
			if n := s.CountRows(`SELECT COUNT(*) FROM audit_log`); n != entries {
				t.Errorf("%s: %d audit entries → %d", w.name, entries, n)
			}

			last := s.CountRows(`SELECT COALESCE(MAX(id), 0) FROM audit_log`)
			s.Must(w.want, w.do())
			if after := counts(s, w.stored); equalCounts(before, after) {
				t.Errorf("%s: nothing stored by the successful request (%v)", w.name, after)
			}
			var got []struct {
				Outcome string `db:"outcome"`
				Detail  string `db:"detail"`
			}
			// Chain openings (audit-chain-open) are the log's own entries.
			if err := s.Svc.DB.Select(&got, `SELECT outcome, detail FROM audit_log WHERE id > ? AND action NOT LIKE 'audit-%'`, last); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Outcome != "success" || !strings.Contains(got[0].Detail, w.detail) {
				t.Errorf("%s: entries %+v, want one success whose detail holds %q", w.name, got, w.detail)
			}
		}
		v, err := audit.NewStore(s.Svc.DB).Verify(context.Background())
		if err != nil || !v.OK || v.Chains < 2 {
			t.Fatalf("verify = %+v, %v; want every chain intact, the county's and the nation's", v, err)
		}
	})
}

// breakAuditLog makes the audit log unwritable (or writable again) by
// renaming its table, as a full disk or a lost privilege would.
func breakAuditLog(s *e2e.Service, broken bool) {
	s.T.Helper()
	from, to := "audit_log", "audit_log_away"
	if !broken {
		from, to = to, from
	}
	if _, err := s.Svc.DB.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
		s.T.Fatalf("rename %s: %v", from, err)
	}
}

func counts(s *e2e.Service, queries []string) []int {
	out := make([]int, len(queries))
	for i, q := range queries {
		out[i] = s.CountRows(q)
	}
	return out
}

func equalCounts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
