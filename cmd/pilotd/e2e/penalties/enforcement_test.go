package penalties_test

import (
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
)

// TestPenaltyCourtEnforcement follows unpaid fines past their due day on
// both engines: a 行政复议 stops the surcharge while it lasts (行政处罚法
// 第七十三条第三款) and holds back the application to the court; the 催告书
// comes only after the fine is due and is numbered; the application waits
// ten working days after it (行政强制法 第五十四条、第六十九条) and the end of
// the party's six months to sue (第五十三条, 行政诉讼法 第四十六条), is made
// by the 负责人 and names the court; the last day to apply is lit once each
// by the overdue job; a judgment that revokes the decision revokes it and
// withdraws its 双公示 entry. Each refusal names its field and changes
// nothing.
func TestPenaltyCourtEnforcement(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		clock := s.EnforcementClock("2026-06-15")
		served := func() int64 { return servedFine(s, d) }
		get := func(id int64) e2e.Response {
			return s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.admin, nil))
		}
		enforcement := func(id int64) map[string]any {
			m, _ := get(id).Body["enforcement"].(map[string]any)
			return m
		}
		remedies := func(id int64) int {
			return s.CountRows(`SELECT COUNT(*) FROM penalty_remedies WHERE county_code = ? AND case_id = ?`, county, id)
		}

		a := served()
		// Six months to sue from the day after service end on 12-05; three
		// months to apply from then end on 2027-03-05.
		if e := enforcement(a); e["payment_due"] != nil || e["sue_ends"] != "2026-12-05" || e["due"] != "2027-03-05" ||
			e["warning"] != "none" || e["urged_on"] != nil {
			t.Errorf("enforcement after service: %v", e)
		}

		clock.Set("2026-07-01")
		refused(s, "催告 before the fine is due", a, 400, "urged_on", func() e2e.Response {
			return act(s, d.o3, a, map[string]any{"action": "urge", "urged_on": "2026-06-20"})
		})
		refused(s, "application before any 催告", a, 409, "", func() e2e.Response {
			return act(s, d.leader, a, map[string]any{"action": "apply_enforcement", "applied_on": "2026-07-01", "court": "瑶海区人民法院"})
		})

		// A 行政复议 from 06-25: bad input names its field; a clerk may not
		// record it; nothing is stored.
		for _, tc := range []struct {
			what  string
			body  map[string]any
			field string
		}{
			{"unknown kind", map[string]any{"remedy_kind": "appeal", "remedy_body": "合肥市人民政府", "remedy_started_on": "2026-06-25"}, "remedy_kind"},
			{"no body", map[string]any{"remedy_kind": "reconsideration", "remedy_started_on": "2026-06-25"}, "remedy_body"},
			{"before the decision", map[string]any{"remedy_kind": "reconsideration", "remedy_body": "合肥市人民政府",
				"remedy_started_on": "2026-06-03"}, "remedy_started_on"},
			{"in the future", map[string]any{"remedy_kind": "reconsideration", "remedy_body": "合肥市人民政府",
				"remedy_started_on": "2026-07-02"}, "remedy_started_on"},
		} {
			tc.body["action"] = "remedy"
			refused(s, tc.what, a, 400, tc.field, func() e2e.Response { return act(s, d.o3, a, tc.body) })
		}
		refused(s, "remedy by a clerk", a, 403, "", func() e2e.Response {
			return act(s, d.clerk, a, map[string]any{"action": "remedy", "remedy_kind": "reconsideration", "remedy_body": "合肥市人民政府",
				"remedy_started_on": "2026-06-25"})
		})
		if n := remedies(a); n != 0 {
			t.Fatalf("%d remedies after refusals", n)
		}
		r := mustAct(s, d.legal, a, map[string]any{"action": "remedy", "remedy_kind": "reconsideration", "remedy_body": "合肥市人民政府",
			"remedy_started_on": "2026-06-25"})
		// Late from 06-21; 06-25 to 07-01 not counted: 4 days × 150 yuan.
		if r.Body["surcharge_yuan"] != 600.0 {
			t.Errorf("surcharge during the 复议: %v", r.Body["surcharge_yuan"])
		}
		if e, _ := r.Body["enforcement"].(map[string]any); e["due"] != nil {
			t.Errorf("the court period after a 复议 is not the product's to compute: %v", e)
		}
		refused(s, "a second remedy while one lasts", a, 409, "", func() e2e.Response {
			return act(s, d.o3, a, map[string]any{"action": "remedy", "remedy_kind": "litigation", "remedy_body": "瑶海区人民法院",
				"remedy_started_on": "2026-06-30"})
		})

		// The 催告 may be served meanwhile; it is numbered.
		mustAct(s, d.o3, a, map[string]any{"action": "urge", "urged_on": "2026-07-01"})
		docs := get(a).Body["documents"].([]any)
		last := docs[len(docs)-1].(map[string]any)
		if last["kind"] != "urge" || last["doc_no"] != "瑶海区应急罚催〔2026〕第1号" {
			t.Errorf("the 催告书: %v", last)
		}
		refused(s, "application while the 复议 lasts", a, 409, "", func() e2e.Response {
			return act(s, d.leader, a, map[string]any{"action": "apply_enforcement", "applied_on": "2026-07-01", "court": "瑶海区人民法院"})
		})

		clock.Set("2026-09-01")
		refused(s, "a remedy ending before it began", a, 400, "remedy_ended_on", func() e2e.Response {
			return act(s, d.o3, a, map[string]any{"action": "remedy_end", "remedy_ended_on": "2026-06-24", "remedy_outcome": "upheld"})
		})
		refused(s, "an unknown outcome", a, 400, "remedy_outcome", func() e2e.Response {
			return act(s, d.o3, a, map[string]any{"action": "remedy_end", "remedy_ended_on": "2026-08-20", "remedy_outcome": "won"})
		})
		r = mustAct(s, d.o3, a, map[string]any{"action": "remedy_end", "remedy_ended_on": "2026-08-20", "remedy_outcome": "upheld"})
		// Late 06-21 to 09-01 is 73 days, 57 of them (06-25 to 08-20) in the 复议.
		if r.Body["surcharge_yuan"] != 2400.0 || r.Body["revoked_on"] != nil {
			t.Errorf("after the 复议 upheld the decision: surcharge %v, revoked %v", r.Body["surcharge_yuan"], r.Body["revoked_on"])
		}
		urgeEnds := workdays(s, "2026-07-01", 10)
		refused(s, "application within the 催告's ten working days", a, 400, "applied_on", func() e2e.Response {
			return act(s, d.leader, a, map[string]any{"action": "apply_enforcement", "applied_on": urgeEnds, "court": "瑶海区人民法院"})
		})
		refused(s, "application naming no court", a, 400, "court", func() e2e.Response {
			return act(s, d.leader, a, map[string]any{"action": "apply_enforcement", "applied_on": "2026-09-01"})
		})
		refused(s, "application by an officer", a, 403, "", func() e2e.Response {
			return act(s, d.o3, a, map[string]any{"action": "apply_enforcement", "applied_on": "2026-09-01", "court": "瑶海区人民法院"})
		})
		r = mustAct(s, d.leader, a, map[string]any{"action": "apply_enforcement", "applied_on": "2026-09-01", "court": "瑶海区人民法院"})
		if e, _ := r.Body["enforcement"].(map[string]any); r.Body["status"] != "enforcing" || e["applied_on"] != "2026-09-01" ||
			e["court"] != "瑶海区人民法院" {
			t.Errorf("after the application: %s", r.Raw)
		}

		// A fine never disputed: the court waits for the six months to sue.
		clock.Set("2026-06-15")
		b := served()
		clock.Set("2026-11-01")
		mustAct(s, d.o3, b, map[string]any{"action": "urge", "urged_on": "2026-09-01"})
		refused(s, "application before the time to sue has run", b, 400, "applied_on", func() e2e.Response {
			return act(s, d.leader, b, map[string]any{"action": "apply_enforcement", "applied_on": "2026-11-01", "court": "瑶海区人民法院"})
		})
		if f := e2e.ErrorFields(act(s, d.leader, b, map[string]any{"action": "apply_enforcement", "applied_on": "2026-11-01",
			"court": "瑶海区人民法院"}))["applied_on"]; !strings.Contains(f.(string), "2026-12-05") {
			t.Errorf("the refusal does not say when the time to sue ends: %v", f)
		}
		// Its last day to apply is lit once each by the overdue job.
		admin := s.AdminToken()
		events := func(action string) int {
			return s.CountRows(`SELECT COUNT(*) FROM penalty_events WHERE case_id = ? AND action = ?`, b, action)
		}
		clock.Set("2027-02-02")
		s.RunOverdue(admin)
		if events("enforcement_yellow") != 0 {
			t.Errorf("yellow 31 days before the last day")
		}
		clock.Set("2027-02-03")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		clock.Set("2027-03-06")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if y, rd := events("enforcement_yellow"), events("enforcement_red"); y != 1 || rd != 1 {
			t.Errorf("enforcement lights raised yellow %d, red %d times; want once each", y, rd)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = 'penalty_enforcement_red'`, county); n == 0 {
			t.Errorf("no notice of the missed application")
		}
		if e := enforcement(b); e["warning"] != "red" {
			t.Errorf("case past its last day to apply: %v", e)
		}
		// The gauge counts, as of the real day, the standing unpaid fines past
		// their last day without an application.
		want := 0.0
		realToday := calendar.FormatDate(calendar.Today(time.Now()))
		for _, id := range []int64{a, b} {
			c := get(id).Body
			if e, _ := c["enforcement"].(map[string]any); c["status"] == "served" && e["due"] != nil && e["due"].(string) < realToday {
				want++
			}
		}
		if v, ok := e2e.MetricValue(s.Must(200, s.Do("GET", "/metrics", "", nil)).Raw, "pilot_penalty_enforcement_overdue",
			`county="`+county+`"`); !ok || v != want {
			t.Errorf("pilot_penalty_enforcement_overdue = %v (%v), want %v", v, ok, want)
		}

		// A judgment revoking the decision revokes it, withdraws its 双公示
		// entry, and the fine is enforced no more.
		clock.Set("2026-06-15")
		c := served()
		clock.Set("2026-12-01")
		mustAct(s, d.o3, c, map[string]any{"action": "remedy", "remedy_kind": "litigation", "remedy_body": "瑶海区人民法院",
			"remedy_started_on": "2026-07-10"})
		r = mustAct(s, d.o3, c, map[string]any{"action": "remedy_end", "remedy_ended_on": "2026-11-20", "remedy_outcome": "revoked",
			"reason": "（2026）皖0102行初88号判决"})
		p, _ := r.Body["publication"].(map[string]any)
		if r.Body["revoked_on"] != "2026-11-20" || !strings.Contains(r.Body["revocation"].(string), "撤销：行政诉讼结果：撤销") ||
			p["status"] != "withdrawn" {
			t.Errorf("after a judgment revoking the decision: revoked %v, %v, publication %v", r.Body["revoked_on"], r.Body["revocation"], p)
		}
		refused(s, "催告 of a revoked decision", c, 409, "", func() e2e.Response {
			return act(s, d.o3, c, map[string]any{"action": "urge", "urged_on": "2026-12-01"})
		})
	})
}

// servedFine opens a case against an organisation on 2026-06-01 and takes it
// to a 5000 yuan fine decided on 06-04 and served on 06-05, due on 06-20
// (the enforcement clock must show a day on or after 06-05).
func servedFine(s *e2e.Service, d desk) int64 {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001",
		"party": organization(), "facts": "未对从业人员进行安全培训", "filed_on": "2026-06-01"}))
	id := e2e.Num(r.Body["id"])
	mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": "2026-06-02", "investigators": []map[string]any{
		{"user_id": d.o3ID, "cert_no": "A1"}, {"user_id": d.o2ID, "cert_no": "A2"}}})
	mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 5000, "notified_on": "2026-06-03"})
	mustAct(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-04", "fine_yuan": 5000,
		"standard_id": "CF-001-1", "tier_level": "轻微"})
	mustAct(s, d.o3, id, map[string]any{"action": "serve", "served_on": "2026-06-05"})
	return id
}
