// Package penalties_test drives the administrative penalty procedure end to
// end through HTTP on SQLite and MariaDB: the steps and who may take them,
// the clocks (decision, hearing request and notice, payment and surcharge),
// the discretion bound into the decision, bad input refused with nothing
// stored, the overdue job, the document numbers under concurrency.
package penalties_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/penalties"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const (
	county = "340102"
	other  = "340103"
)

func path(c, rest string) string { return "/api/v1/counties/" + c + "/penalty-cases" + rest }

// desk is a county with the penalty item CF-001 published (tiers 轻微
// 0–1万, 一般 1万–3万, 严重 3万–5万 with hearing and collective discussion)
// and its staff: o1 is an officer who is also a 负责人 (so an investigator
// who could otherwise decide), o2 an officer who is also a legal reviewer,
// o3 a plain officer, a leader, a legal reviewer and a clerk.
type desk struct {
	admin, o1, o2, o3, leader, legal, clerk string
	o1ID, o2ID, o3ID, clerkID               int64
}

func newDesk(s *e2e.Service, c string) desk {
	s.T.Helper()
	d := desk{admin: s.Onboard("34", c)}
	e2e.PenaltyItemPublished(s, c, d.admin)
	d.o1ID, d.o1 = s.AddUser(d.admin, c, "o1_"+c, "county_officer", "county_leader")
	d.o2ID, d.o2 = s.AddUser(d.admin, c, "o2_"+c, "county_officer", "county_legal")
	d.o3ID, d.o3 = s.AddUser(d.admin, c, "o3_"+c, "county_officer")
	_, d.leader = s.AddUser(d.admin, c, "leader_"+c, "county_leader")
	_, d.legal = s.AddUser(d.admin, c, "legal_"+c, "county_legal")
	d.clerkID, d.clerk = s.AddUser(d.admin, c, "clerk_"+c, "county_clerk")
	return d
}

func day(t testing.TB, s string) time.Time {
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// workdays is the n-th working day after from in Anhui, as the product's
// calendar counts it.
func workdays(s *e2e.Service, from string, n int) string {
	d, _ := s.Svc.Calendar.Calendar().AddWorkdays("34", day(s.T, from), n, nil)
	return calendar.FormatDate(d)
}

func act(s *e2e.Service, token string, id int64, body map[string]any) e2e.Response {
	s.T.Helper()
	return s.Do("POST", path(county, "/"+e2e.Itoa(id)+"/actions"), token, body)
}

func mustAct(s *e2e.Service, token string, id int64, body map[string]any) e2e.Response {
	s.T.Helper()
	return s.Must(200, act(s, token, id, body))
}

// count counts a table's rows of the county.
func count(s *e2e.Service, table string) int {
	return s.CountRows(`SELECT COUNT(*) FROM `+table+` WHERE county_code = ?`, county)
}

// snapshot is what a refused request must leave unchanged.
func snapshot(s *e2e.Service, id int64) string {
	s.T.Helper()
	var st, updated string
	if err := s.Svc.DB.QueryRow(`SELECT status, decision_due FROM penalty_cases WHERE id = ?`, id).Scan(&st, &updated); err != nil {
		s.T.Fatal(err)
	}
	return fmt.Sprintf("%s %s events=%d inv=%d docs=%d", st, updated,
		s.CountRows(`SELECT COUNT(*) FROM penalty_events WHERE case_id = ?`, id),
		s.CountRows(`SELECT COUNT(*) FROM penalty_investigators WHERE case_id = ?`, id),
		s.CountRows(`SELECT COUNT(*) FROM penalty_documents WHERE case_id = ?`, id))
}

// refused asserts a refusal with status want (and the named field, for
// 400 and 403) that changed nothing.
func refused(s *e2e.Service, what string, id int64, want int, field string, r func() e2e.Response) {
	s.T.Helper()
	before := snapshot(s, id)
	got := r()
	if got.Status != want {
		s.T.Errorf("%s: status %d, want %d: %s", what, got.Status, want, got.Raw)
	}
	if field != "" {
		if m, _ := e2e.ErrorFields(got)[field].(string); m == "" {
			s.T.Errorf("%s: error.fields lacks %q: %s", what, field, got.Raw)
		}
	}
	if after := snapshot(s, id); after != before {
		s.T.Errorf("%s changed the case: %s → %s", what, before, after)
	}
}

func postWithKey(s *e2e.Service, p, token, key string, body any) e2e.Response {
	s.T.Helper()
	data, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", p, strings.NewReader(string(data)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

func individual() map[string]any {
	return map[string]any{"kind": "individual", "name": "王某某", "id_number": "11010519491231002X"}
}

func organization() map[string]any {
	return map[string]any{"kind": "organization", "name": "瑶海烟花爆竹批发有限公司", "credit_code": e2e.CreditCode("91340102MA2TX5P41")}
}

// TestPenaltyProcedureWithHearing walks a case of a natural person through
// every step: 立案 approved by the 负责人, investigation by two officers, a
// fine of 较大数额 (hearing computed), the hearing asked for in time and
// noticed seven working days ahead, 法制审核 by someone who did not
// investigate, the decision bound to the tier, service, late payment with
// its surcharge, 结案 — and at each step the wrong user, the wrong state,
// a wrong field or a date out of order is refused with nothing stored.
func TestPenaltyProcedureWithHearing(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		s.EnforcementClock("2026-06-15")

		// 立案 by an officer, with an Idempotency-Key: the repeat answers the
		// first case and creates nothing.
		body := map[string]any{"item_code": "CF-001", "party": individual(), "facts": "未按照规定对从业人员进行安全生产教育和培训，涉及从业人员4人。",
			"filed_on": "2026-04-01"}
		r := s.Must(201, postWithKey(s, path(county, ""), d.o3, "open-1", body))
		id := e2e.Num(r.Body["id"])
		if again := s.Must(201, postWithKey(s, path(county, ""), d.o3, "open-1", body)); e2e.Num(again.Body["id"]) != id {
			t.Errorf("the repeated create answered another case: %s", again.Raw)
		}
		if n := count(s, "penalty_cases"); n != 1 {
			t.Fatalf("%d cases after a repeated create", n)
		}
		if r.Body["status"] != "filing" || r.Body["decision_due"] != "2026-06-30" || r.Body["hearing_required"] != nil ||
			r.Body["payment_due"] != nil || r.Body["surcharge_yuan"] != nil || r.Body["hearing_request_due"] != nil {
			t.Errorf("new case: %s", r.Raw)
		}
		if no, _ := r.Body["case_no"].(string); no != "瑶海区应急罚立〔2026〕第1号" {
			t.Errorf("case_no %q", no)
		}

		// 立案 approval: the 负责人 only; not before the filing date.
		refused(s, "approve by an officer", id, 403, "", func() e2e.Response { return act(s, d.o3, id, map[string]any{"action": "approve"}) })
		refused(s, "approve before filing", id, 400, "approved_on", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "approve", "approved_on": "2026-03-31"})
		})
		mustAct(s, d.leader, id, map[string]any{"action": "approve", "approved_on": "2026-04-01", "reason": "同意立案"})
		refused(s, "approve twice", id, 409, "", func() e2e.Response { return act(s, d.leader, id, map[string]any{"action": "approve"}) })

		// 告知 needs the investigation by two officers of the county.
		notify := map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 25000, "notified_on": "2026-04-20"}
		refused(s, "notify before investigation", id, 400, "investigators", func() e2e.Response { return act(s, d.o3, id, notify) })
		refused(s, "one officer", id, 400, "investigators", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "investigate", "investigators": []map[string]any{{"user_id": d.o1ID, "cert_no": "34010201001"}}})
		})
		refused(s, "a clerk as officer", id, 400, "investigators[1].user_id", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "investigate", "investigators": []map[string]any{
				{"user_id": d.o1ID, "cert_no": "34010201001"}, {"user_id": d.clerkID, "cert_no": "34010201009"}}})
		})
		refused(s, "no certificate", id, 400, "investigators[1].cert_no", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "investigate", "investigators": []map[string]any{
				{"user_id": d.o1ID, "cert_no": "34010201001"}, {"user_id": d.o2ID, "cert_no": " "}}})
		})
		mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": "2026-04-10", "evidence": "询问笔录2份、培训档案",
			"investigators": []map[string]any{{"user_id": d.o1ID, "cert_no": "34010201001"}, {"user_id": d.o2ID, "cert_no": "34010201002"}}})

		// A fine above the statutory range (5万) is refused naming fine_yuan.
		refused(s, "fine above the range", id, 400, "fine_yuan", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 60000, "notified_on": "2026-04-20"})
		})
		refused(s, "notified before the investigation", id, 400, "notified_on", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 25000, "notified_on": "2026-04-09"})
		})
		// 2.5万 to a natural person is 较大数额 (2万): the hearing is computed.
		r = mustAct(s, d.o3, id, notify)
		wantDue := workdays(s, "2026-04-20", 5)
		if r.Body["hearing_required"] != true || r.Body["hearing_request_due"] != wantDue || r.Body["status"] != "notified" {
			t.Errorf("after notify (want hearing until %s): %s", wantDue, r.Raw)
		}

		// Deciding while the party may still ask for a hearing is refused.
		decide := map[string]any{"action": "decide", "decided_on": "2026-04-21", "fine_yuan": 20000, "standard_id": "CF-001-1",
			"tier_level": "一般", "factors": []string{"主动消除违法行为危害后果"}, "reasons": "培训缺失4人，已主动补训"}
		refused(s, "decision inside the hearing window", id, 400, "decided_on", func() e2e.Response { return act(s, d.leader, id, decide) })

		// The request after the five working days is refused; in time it stands.
		refused(s, "late hearing request", id, 400, "requested_on", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "request_hearing", "requested_on": workdays(s, wantDue, 1)})
		})
		mustAct(s, d.o3, id, map[string]any{"action": "request_hearing", "requested_on": "2026-04-22", "reason": "当事人书面申请听证"})
		refused(s, "hearing skipped", id, 409, "", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-05-20", "fine_yuan": 20000,
				"standard_id": "CF-001-1", "tier_level": "一般"})
		})

		// The hearing is noticed at least seven working days ahead.
		refused(s, "hearing noticed too late", id, 400, "hearing_on", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "schedule_hearing", "notice_on": "2026-04-23",
				"hearing_on": workdays(s, "2026-04-23", 6), "place": "区应急管理局听证室"})
		})
		hearingOn := workdays(s, "2026-04-23", 7)
		mustAct(s, d.o3, id, map[string]any{"action": "schedule_hearing", "notice_on": "2026-04-23", "hearing_on": hearingOn,
			"place": "区应急管理局听证室"})
		mustAct(s, d.o3, id, map[string]any{"action": "hold_hearing", "held_on": hearingOn, "record": "当事人承认违法事实，请求从轻"})

		// After a hearing 法制审核 is required (第五十八条): the decision
		// waits, and the reviewer must not have investigated.
		refused(s, "decision before legal review", id, 409, "", func() e2e.Response { return act(s, d.leader, id, decide) })
		refused(s, "review by an officer", id, 403, "", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "legal_review", "reviewed_on": "2026-05-15", "opinion": "同意"})
		})
		refused(s, "review by an investigator", id, 403, "reviewed_by", func() e2e.Response {
			return act(s, d.o2, id, map[string]any{"action": "legal_review", "reviewed_on": "2026-05-15", "opinion": "同意"})
		})
		mustAct(s, d.legal, id, map[string]any{"action": "legal_review", "reviewed_on": "2026-05-15", "opinion": "事实清楚，证据确凿，程序合法，裁量适当"})

		// The decision: by a 负责人 who did not investigate; the fine inside
		// the tier and not above what was notified; dates in order.
		decide["decided_on"] = "2026-05-20"
		refused(s, "decision by an investigator", id, 403, "decided_by", func() e2e.Response { return act(s, d.o1, id, decide) })
		refused(s, "decision by an officer", id, 403, "", func() e2e.Response { return act(s, d.o3, id, decide) })
		for _, tc := range []struct {
			name, field string
			kv          []any
		}{
			{"fine below the tier without a ground", "fine_yuan", []any{"fine_yuan", 5000}},
			{"fine above the tier", "fine_yuan", []any{"fine_yuan", 35000, "tier_level", "一般"}},
			{"unknown tier", "tier_level", []any{"tier_level", "特别严重"}},
			{"unknown standard", "standard_id", []any{"standard_id", "CF-999"}},
			{"unlisted factor", "factors[0]", []any{"factors", []string{"态度良好"}}},
			{"reduced without a ground", "mitigation_ground", []any{"outcome", "reduced", "fine_yuan", 5000}},
			{"date before the review", "decided_on", []any{"decided_on", "2026-05-14"}},
			{"date in the future", "decided_on", []any{"decided_on", "2026-06-16"}},
		} {
			b := map[string]any{}
			for k, v := range decide {
				b[k] = v
			}
			for i := 0; i < len(tc.kv); i += 2 {
				b[tc.kv[i].(string)] = tc.kv[i+1]
			}
			refused(s, tc.name, id, 400, tc.field, func() e2e.Response { return act(s, d.leader, id, b) })
		}
		r = mustAct(s, d.leader, id, decide)
		dec, _ := r.Body["decision"].(map[string]any)
		if dec["tier_level"] != "一般" || dec["standard_id"] != "CF-001-1" || e2e.Num(dec["fine_yuan"]) != 20000 || r.Body["status"] != "decided" {
			t.Errorf("decision: %s", r.Raw)
		}
		if want := workdays(s, "2026-05-20", 7); r.Body["service_due"] != want {
			t.Errorf("service_due %v, want %s (第六十一条: seven working days)", r.Body["service_due"], want)
		}
		if f, _ := dec["factors"].([]any); len(f) != 1 || f[0] != "主动消除违法行为危害后果" {
			t.Errorf("decision factors: %v", dec["factors"])
		}

		// Service sets payment_due (15 days from receipt); paid late, the
		// surcharge is 3% a day, never above the fine.
		refused(s, "payment before service", id, 409, "", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "pay", "paid_on": "2026-05-21", "paid_yuan": 20000})
		})
		r = mustAct(s, d.o3, id, map[string]any{"action": "serve", "served_on": "2026-05-21"})
		if r.Body["payment_due"] != "2026-06-05" {
			t.Errorf("payment_due %v, want 2026-06-05", r.Body["payment_due"])
		}
		for _, tc := range []struct {
			asOf string
			want float64
		}{{"2026-06-05", 0}, {"2026-06-07", 1200}, {"2026-06-15", 6000}, {"2026-12-31", 20000}} {
			g := s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)+"?as_of="+tc.asOf), d.leader, nil))
			if g.Body["surcharge_yuan"] != tc.want {
				t.Errorf("surcharge as of %s = %v, want %v", tc.asOf, g.Body["surcharge_yuan"], tc.want)
			}
		}
		if g := s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.legal, nil)); g.Body["surcharge_yuan"] != 6000.0 || g.Body["payment_warning"] != "red" {
			t.Errorf("today: %s", g.Raw)
		}
		refused(s, "fine without the surcharge", id, 400, "paid_yuan", func() e2e.Response {
			return act(s, d.o3, id, map[string]any{"action": "pay", "paid_on": "2026-06-15", "paid_yuan": 20000})
		})
		refused(s, "close before payment", id, 409, "", func() e2e.Response { return act(s, d.o3, id, map[string]any{"action": "close"}) })
		mustAct(s, d.o3, id, map[string]any{"action": "pay", "paid_on": "2026-06-15", "paid_yuan": 26000})
		r = mustAct(s, d.o3, id, map[string]any{"action": "close", "closed_on": "2026-06-15"})
		if r.Body["status"] != "closed" || r.Body["paid_yuan"] != 26000.0 || r.Body["surcharge_yuan"] != 6000.0 {
			t.Errorf("closed: %s", r.Raw)
		}

		// The timeline holds every step with who took it, and the four
		// documents are numbered first in their series.
		var actions []string
		for _, e := range r.Body["events"].([]any) {
			ev := e.(map[string]any)
			actions = append(actions, ev["action"].(string))
			if ev["actor_name"] == "" || ev["on_date"] == "" {
				t.Errorf("event without actor or date: %v", ev)
			}
		}
		want := "open approve investigate notify request_hearing schedule_hearing hold_hearing legal_review decide serve pay close"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("timeline %q, want %q", got, want)
		}
		var docs []string
		for _, x := range r.Body["documents"].([]any) {
			docs = append(docs, x.(map[string]any)["doc_no"].(string))
		}
		wantDocs := "瑶海区应急罚立〔2026〕第1号 瑶海区应急罚告〔2026〕第1号 瑶海区应急罚听〔2026〕第1号 瑶海区应急罚决〔2026〕第1号"
		if got := strings.Join(docs, " "); got != wantDocs {
			t.Errorf("documents %q, want %q", got, wantDocs)
		}
	})
}

// TestPenaltyDirectPath: a fine below the hearing threshold to an
// organisation goes notify → decide → serve directly; a 减轻 decision below
// the tier stands with its ground of 第三十二条, 不予处罚 with one of
// 第三十三条; a non-penalty item and bad parties are refused; a 负责人 who
// opens a case approves it at once.
func TestPenaltyDirectPath(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		s.PublishItem(e2e.CaseDesk{County: county, Admin: d.admin, Clerk: d.admin}, "274", e2e.FireworksContent())
		s.EnforcementClock("2026-06-15")
		for _, tc := range []struct {
			name, field string
			body        map[string]any
		}{
			{"licence item", "item_code", map[string]any{"item_code": "274", "party": organization(), "facts": "x"}},
			{"unknown item", "item_code", map[string]any{"item_code": "CF-404", "party": organization(), "facts": "x"}},
			{"bad credit code", "party.credit_code", map[string]any{"item_code": "CF-001", "facts": "x",
				"party": map[string]any{"kind": "organization", "name": "某公司", "credit_code": "91340102MA2TX5P410"}}},
			{"bad ID number", "party.id_number", map[string]any{"item_code": "CF-001", "facts": "x",
				"party": map[string]any{"kind": "individual", "name": "王某", "id_number": "110105194912310021"}}},
			{"bad kind", "party.kind", map[string]any{"item_code": "CF-001", "facts": "x", "party": map[string]any{"kind": "robot", "name": "x"}}},
			{"no facts", "facts", map[string]any{"item_code": "CF-001", "party": organization(), "facts": " "}},
			{"future filing", "filed_on", map[string]any{"item_code": "CF-001", "party": organization(), "facts": "x", "filed_on": "2026-06-16"}},
		} {
			s.MustInvalid(tc.name, s.Do("POST", path(county, ""), d.o3, tc.body), tc.field)
		}
		if r := s.Do("POST", path(county, ""), d.clerk, map[string]any{"item_code": "CF-001", "party": organization(), "facts": "x"}); r.Status != 403 {
			t.Errorf("clerk opens a case: %d", r.Status)
		}
		if n := count(s, "penalty_cases") + count(s, "penalty_documents") + count(s, "penalty_events"); n != 0 {
			t.Fatalf("refused opens stored %d rows", n)
		}

		open := func(filed string) int64 {
			r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
				"facts": "未按规定培训从业人员2人", "filed_on": filed}))
			if r.Body["status"] != "investigating" {
				t.Errorf("opened by a 负责人: %s", r.Raw)
			}
			id := e2e.Num(r.Body["id"])
			mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": filed, "investigators": []map[string]any{
				{"user_id": d.o3ID, "cert_no": "A1"}, {"user_id": d.o2ID, "cert_no": "A2"}}})
			return id
		}
		id := open("2026-06-01")
		r := mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 8000, "notified_on": "2026-06-02"})
		if r.Body["hearing_required"] != false || r.Body["hearing_request_due"] != nil {
			t.Errorf("8000 yuan to an organisation: %s", r.Raw)
		}
		refused(s, "a heavier fine than notified", id, 400, "fine_yuan", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-03", "fine_yuan": 9000,
				"standard_id": "CF-001-1", "tier_level": "轻微"})
		})
		mustAct(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-03", "fine_yuan": 3000,
			"standard_id": "CF-001-1", "tier_level": "轻微", "reasons": "首次违法"})
		r = mustAct(s, d.o3, id, map[string]any{"action": "serve", "served_on": "2026-06-04"})
		if r.Body["payment_due"] != "2026-06-19" || r.Body["surcharge_yuan"] != 0.0 || r.Body["payment_warning"] != "none" {
			t.Errorf("served: %s", r.Raw)
		}

		// 减轻 below the tier with a ground of 第三十二条.
		id = open("2026-06-01")
		mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 15000, "notified_on": "2026-06-02"})
		r = mustAct(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-03", "fine_yuan": 6000, "outcome": "reduced",
			"mitigation_ground": "32-4", "standard_id": "CF-001-1", "tier_level": "一般"})
		if dec := r.Body["decision"].(map[string]any); dec["outcome"] != "reduced" || !strings.Contains(dec["mitigation_ground"].(string), "第三十二条") {
			t.Errorf("reduced decision: %s", r.Raw)
		}
		// 不予处罚 with a ground of 第三十三条; a 第三十二条 ground is refused.
		id = open("2026-06-01")
		mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 2000, "notified_on": "2026-06-02"})
		refused(s, "no penalty on a ground of 第三十二条", id, 400, "mitigation_ground", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-03", "fine_yuan": 0, "outcome": "no_penalty",
				"mitigation_ground": "32-1"})
		})
		mustAct(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-03", "fine_yuan": 0, "outcome": "no_penalty",
			"mitigation_ground": "33-1"})
		r = mustAct(s, d.o3, id, map[string]any{"action": "serve", "served_on": "2026-06-03"})
		if r.Body["payment_due"] != nil || r.Body["surcharge_yuan"] != nil {
			t.Errorf("no penalty, served: %s", r.Raw)
		}
		mustAct(s, d.o3, id, map[string]any{"action": "close", "closed_on": "2026-06-04"})

		// 责令停产停业 gives a hearing right whatever the amount; the 严重
		// tier asks for collective discussion and so 法制审核 too.
		id = open("2026-06-01")
		r = mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalties": []string{"fine", "suspend"}, "fine_yuan": 40000, "notified_on": "2026-06-02"})
		if r.Body["hearing_required"] != true {
			t.Errorf("停产停业 without a hearing right: %s", r.Raw)
		}
		s.Must(200, s.Do("GET", path(county, "?status=notified"), d.admin, nil))
	})
}

// TestPenaltyDecisionClock: the overdue job flags a case past its 90 days
// exactly once (however often it runs), counts it on the county gauges,
// shows it red; an extension by the 负责人 is refused after the deadline and
// moves it before.
func TestPenaltyDecisionClock(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		today := calendar.Today(time.Now())
		filed := func(daysAgo int) int64 {
			r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
				"facts": "未按规定培训从业人员", "filed_on": calendar.FormatDate(today.AddDate(0, 0, -daysAgo))}))
			if want := calendar.FormatDate(today.AddDate(0, 0, 90-daysAgo)); r.Body["decision_due"] != want {
				t.Errorf("decision_due %v, want %s", r.Body["decision_due"], want)
			}
			return e2e.Num(r.Body["id"])
		}
		late, soon := filed(95), filed(85)
		admin := s.AdminToken()
		for i := 0; i < 3; i++ {
			s.RunOverdue(admin)
		}
		events := func(id int64, action string) int {
			return s.CountRows(`SELECT COUNT(*) FROM penalty_events WHERE case_id = ? AND action = ?`, id, action)
		}
		if n := events(late, "flag_red"); n != 1 {
			t.Errorf("late case flagged red %d times, want once", n)
		}
		if n := events(soon, "flag_yellow"); n != 1 || events(soon, "flag_red") != 0 {
			t.Errorf("case due in 5 days: yellow %d, red %d", n, events(soon, "flag_red"))
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = 'penalty_red'`, county); n == 0 {
			t.Errorf("no notice of the overdue case")
		}
		g := s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(late)), d.admin, nil))
		if g.Body["warning"] != "red" || g.Body["overdue"] != true {
			t.Errorf("late case: %s", g.Raw)
		}
		if l := s.Must(200, s.Do("GET", path(county, "?overdue=true"), d.admin, nil)); e2e.Num(l.Body["total"]) != 1 {
			t.Errorf("overdue list: %s", l.Raw)
		}
		m := s.Must(200, s.Do("GET", "/metrics", "", nil))
		if v, ok := e2e.MetricValue(m.Raw, "pilot_penalty_cases_overdue", `county="`+county+`"`); !ok || v != 1 {
			t.Errorf("pilot_penalty_cases_overdue = %v (%v)", v, ok)
		}
		if v, ok := e2e.MetricValue(m.Raw, "pilot_penalty_cases_open", `county="`+county+`"`); !ok || v != 2 {
			t.Errorf("pilot_penalty_cases_open = %v (%v)", v, ok)
		}

		// Extensions: 负责人 only, before the deadline, once, with a reason.
		refused(s, "extension after the deadline", late, 409, "", func() e2e.Response {
			return act(s, d.leader, late, map[string]any{"action": "extend", "days": 30, "reason": "案情复杂"})
		})
		refused(s, "extension by an officer", soon, 403, "", func() e2e.Response {
			return act(s, d.o3, soon, map[string]any{"action": "extend", "days": 30, "reason": "案情复杂"})
		})
		refused(s, "extension without a reason", soon, 400, "reason", func() e2e.Response {
			return act(s, d.leader, soon, map[string]any{"action": "extend", "days": 30})
		})
		refused(s, "extension too long", soon, 400, "days", func() e2e.Response {
			return act(s, d.leader, soon, map[string]any{"action": "extend", "days": 31, "reason": "案情复杂"})
		})
		r := mustAct(s, d.leader, soon, map[string]any{"action": "extend", "days": 30, "reason": "案情复杂，需补充鉴定"})
		if want := calendar.FormatDate(today.AddDate(0, 0, 35)); r.Body["decision_due"] != want || r.Body["warning"] != "none" {
			t.Errorf("extended: due %v want %s, warning %v", r.Body["decision_due"], want, r.Body["warning"])
		}
		refused(s, "second extension", soon, 409, "", func() e2e.Response {
			return act(s, d.leader, soon, map[string]any{"action": "extend", "days": 5, "reason": "再次延长"})
		})
	})
}

// TestPenaltyNumbersConcurrent: cases opened at once get 立案 numbers
// 1…N of the county and year, without gaps or duplicates; another county
// counts on its own.
func TestPenaltyNumbersConcurrent(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		const n = 12
		var wg sync.WaitGroup
		nos := make([]string, n)
		statuses := make([]int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
					"facts": fmt.Sprintf("第%d件", i), "filed_on": "2026-03-02"})
				statuses[i] = r.Status
				nos[i], _ = r.Body["case_no"].(string)
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range nos {
			if statuses[i] != 201 {
				t.Fatalf("create %d: status %d", i, statuses[i])
			}
			seen[nos[i]] = true
		}
		for i := 1; i <= n; i++ {
			if no := fmt.Sprintf("瑶海区应急罚立〔2026〕第%d号", i); !seen[no] {
				t.Errorf("number %s missing; got %v", no, nos)
			}
		}
		// Another county starts at 1.
		admin2 := s.Onboard("34", other)
		e2e.PenaltyItemPublished(s, other, admin2)
		_, leader2 := s.AddUser(admin2, other, "leader_"+other, "county_leader")
		r := s.Must(201, s.Do("POST", path(other, ""), leader2, map[string]any{"item_code": "CF-001", "party": organization(), "facts": "x",
			"filed_on": "2026-03-02"}))
		if !strings.HasSuffix(r.Body["case_no"].(string), "罚立〔2026〕第1号") {
			t.Errorf("other county's first number: %v", r.Body["case_no"])
		}
		// Isolation: the other county's case is not found here.
		if g := s.Do("GET", path(county, "/"+e2e.Itoa(e2e.Num(r.Body["id"]))), d.admin, nil); g.Status != 404 {
			t.Errorf("another county's case: %d", g.Status)
		}
	})
}

// TestPenaltyThresholds: a province sets its own 较大数额 and the hearing
// right follows it; bad input is refused.
func TestPenaltyThresholds(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		admin := s.AdminToken()
		r := s.Must(200, s.Do("GET", "/api/v1/provinces/34/penalty-thresholds", admin, nil))
		if e2e.Num(r.Body["individual_yuan"]) != 20000 || e2e.Num(r.Body["organization_yuan"]) != 50000 || r.Body["default"] != true {
			t.Errorf("default thresholds: %s", r.Raw)
		}
		s.MustInvalid("zero threshold", s.Do("PUT", "/api/v1/provinces/34/penalty-thresholds", admin,
			map[string]any{"individual_yuan": 0, "organization_yuan": 30000, "basis": "x"}), "individual_yuan")
		if r := s.Do("PUT", "/api/v1/provinces/34/penalty-thresholds", d.leader,
			map[string]any{"individual_yuan": 10000, "organization_yuan": 30000, "basis": "x"}); r.Status != 403 {
			t.Errorf("a county leader sets thresholds: %d", r.Status)
		}
		s.Must(200, s.Do("PUT", "/api/v1/provinces/34/penalty-thresholds", admin,
			map[string]any{"individual_yuan": 10000, "organization_yuan": 30000, "basis": "某省较大数额标准"}))
		c := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
			"facts": "x", "filed_on": "2026-03-02"}))
		id := e2e.Num(c.Body["id"])
		mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": "2026-03-03", "investigators": []map[string]any{
			{"user_id": d.o3ID, "cert_no": "A1"}, {"user_id": d.o2ID, "cert_no": "A2"}}})
		r = mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 30000, "notified_on": "2026-03-04"})
		if r.Body["hearing_required"] != true {
			t.Errorf("3万 to an organisation under a 3万 threshold: %s", r.Raw)
		}
	})
}

// TestPenaltyOpenFromInspection: another module opens a case through the
// Go entry point with the facts of a finding and its source, the party
// taken from the register of supervised entities; a wrong entity or a
// half-given source is refused.
func TestPenaltyOpenFromInspection(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		e := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/entities", d.o3, map[string]any{"name": "长江建材有限公司",
			"credit_code": e2e.CreditCode("91340102MA2TX5P42"), "address": "合肥市瑶海区", "industry": "building_materials", "risk_grade": "blue"}))
		entityID := e2e.Num(e.Body["id"])
		ctx := t.Context()
		officer := penalties.Actor{ID: d.o3ID, Name: "o3", CanOpen: true, CanInvestigate: true}
		c, err := s.Svc.Penalties.Open(ctx, officer, county, penalties.OpenInput{ItemCode: "CF-001",
			Party: penalties.Party{EntityID: entityID}, Facts: "检查发现：未对新入职的3名从业人员进行安全培训", FiledOn: "2026-11-02",
			SourceKind: "inspection", SourceID: 42})
		if err != nil {
			t.Fatal(err)
		}
		if c.PartyName != "长江建材有限公司" || c.PartyKind != "organization" || c.SourceKind != "inspection" || c.SourceID != 42 ||
			c.Status != penalties.StatusFiling || c.DecisionDue != "2027-01-31" {
			t.Errorf("opened case: %+v", c)
		}
		g := s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(c.ID)), d.leader, nil))
		if src, _ := g.Body["source"].(map[string]any); src["kind"] != "inspection" || e2e.Num(src["id"]) != 42 {
			t.Errorf("source as the API shows it: %v", g.Body["source"])
		}
		// Inspection 42 is none of the county's: the investigation form of
		// the case page then starts from no one, and the page still shows.
		mustAct(s, d.leader, c.ID, map[string]any{"action": "approve", "approved_on": "2026-11-02"})
		page := s.BrowserLogin("o3_"+county, e2e.CasesUserPassword).Get("/counties/" + county + "/penalty-cases/" + e2e.Itoa(c.ID))
		if page.Status != 200 || !strings.Contains(string(page.Raw), `id="inv-user-1"`) {
			t.Errorf("the case page of a case naming no inspection of the county: %d\n%s", page.Status, e2e.Tail(string(page.Raw), 400))
		}
		for name, in := range map[string]penalties.OpenInput{
			"party.entity_id": {ItemCode: "CF-001", Party: penalties.Party{EntityID: entityID + 100}, Facts: "x"},
			"source_kind":     {ItemCode: "CF-001", Party: penalties.Party{EntityID: entityID}, Facts: "x", SourceKind: "inspection"},
		} {
			_, err := s.Svc.Penalties.Open(ctx, officer, county, in)
			if e, ok := apperr.As(err); !ok || e.Status != 400 || e.Fields[name] == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := s.Svc.Penalties.Open(ctx, penalties.Actor{ID: d.clerkID}, county, penalties.OpenInput{ItemCode: "CF-001"}); err == nil {
			t.Errorf("an actor without penalties:open opened a case")
		}
		if n := count(s, "penalty_cases"); n != 1 {
			t.Errorf("%d cases stored", n)
		}
	})
}

// TestPenaltyMajorCase: the 严重 tier asks for 集体讨论 and so 法制审核
// (第五十七条第二款, 第五十八条); a tier for the responsible persons is not
// chosen for the organisation; the decision prints the tier, factors and
// reasons on the 决定书.
func TestPenaltyMajorCase(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		content := e2e.PenaltyContent()
		std := content["discretion"].([]map[string]any)[0]
		tiers := std["tiers"].([]map[string]any)
		for _, tr := range tiers {
			tr["applies_to"] = "organization"
		}
		std["tiers"] = append(tiers, map[string]any{"level": "责任人员", "conditions": "主要负责人未组织培训", "penalty_kinds": []string{"罚款"},
			"fine": map[string]any{"min": 2000, "max": 20000, "min_inclusive": true, "max_inclusive": true}, "applies_to": "individual"})
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/CF-001"), d.admin, content))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/CF-001/publish"), d.admin, nil))
		s.EnforcementClock("2026-06-15")
		r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
			"facts": "未对8名从业人员进行安全生产教育和培训", "filed_on": "2026-05-04"}))
		id := e2e.Num(r.Body["id"])
		mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": "2026-05-06", "investigators": []map[string]any{
			{"user_id": d.o3ID, "cert_no": "A1"}, {"user_id": d.o1ID, "cert_no": "A2"}}})
		r = mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalties": []string{"fine", "suspend"}, "fine_yuan": 45000,
			"notified_on": "2026-05-07"})
		if r.Body["hearing_required"] != true {
			t.Fatalf("notify: %s", r.Raw)
		}
		after := workdays(s, r.Body["hearing_request_due"].(string), 1)
		decide := map[string]any{"action": "decide", "decided_on": after, "fine_yuan": 45000, "standard_id": "CF-001-1",
			"tier_level": "严重", "factors": []string{"拒不改正"}, "reasons": "8人未培训且拒不改正"}
		refused(s, "tier of the responsible persons", id, 400, "tier_level", func() e2e.Response {
			b := map[string]any{}
			for k, v := range decide {
				b[k] = v
			}
			b["tier_level"], b["fine_yuan"] = "责任人员", 10000
			return act(s, d.leader, id, b)
		})
		refused(s, "no collective discussion", id, 400, "collective_discussion", func() e2e.Response { return act(s, d.leader, id, decide) })
		decide["collective_discussion"] = "2026-05-20 局长办公会（局长、两名副局长）集体讨论，同意处罚"
		refused(s, "no legal review", id, 400, "legal_review", func() e2e.Response { return act(s, d.leader, id, decide) })
		mustAct(s, d.legal, id, map[string]any{"action": "legal_review", "reviewed_on": after, "opinion": "同意"})
		mustAct(s, d.leader, id, decide)
		page := string(s.Must(200, s.Do("GET", "/counties/"+county+"/penalty-cases/"+e2e.Itoa(id)+"/documents/decision", d.admin, nil)).Raw)
		for _, want := range []string{"瑶海区应急管理局", "行政处罚决定书", "瑶海区应急罚决〔2026〕第1号", "严重", "拒不改正", "8人未培训且拒不改正",
			"罚款人民币45000元", "集体讨论", "百分之三"} {
			if !strings.Contains(page, want) {
				t.Errorf("决定书 lacks %q", want)
			}
		}
	})
}

// TestPenaltyPublication: the 双公示 of a penalty decision goes through
// modules/publicity. Deciding records, in the decision's transaction, a
// pending entry of kind penalty with the 决定书 number, due 7 working days
// after the decision, a natural person named by surname only and the ID
// number dropped; a reviewer publishes it through publicity (the phone in
// the facts masked); the 负责人's revoke withdraws it in the same
// transaction with its reason, and the portal then shows only the
// withdrawal. A decision revoked before publication never reaches the
// portal; one left unpublished is lit by publicity's overdue job, once.
func TestPenaltyPublication(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		s.EnforcementClock("2026-06-15")
		decided := func(party map[string]any, facts string) (int64, map[string]any) {
			r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001",
				"party": party, "facts": facts, "filed_on": "2026-06-01"}))
			id := e2e.Num(r.Body["id"])
			mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": "2026-06-02", "investigators": []map[string]any{
				{"user_id": d.o3ID, "cert_no": "A1"}, {"user_id": d.o2ID, "cert_no": "A2"}}})
			mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 5000, "notified_on": "2026-06-03"})
			r = mustAct(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-04", "fine_yuan": 5000,
				"standard_id": "CF-001-1", "tier_level": "轻微"})
			p, _ := r.Body["publication"].(map[string]any)
			return id, p
		}
		entries := func() map[int64]map[string]any {
			out := map[int64]map[string]any{}
			for _, e := range s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/publicity", d.admin, nil)).Body["entries"].([]any) {
				m := e.(map[string]any)
				if m["kind"] == "penalty" && m["source_kind"] == penalties.PublicitySource {
					out[e2e.Num(m["source_id"])] = m
				}
			}
			return out
		}
		public := func() []map[string]any {
			var out []map[string]any
			for _, e := range s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/publicity", "", nil)).Body["decisions"].([]any) {
				out = append(out, e.(map[string]any))
			}
			return out
		}
		due := workdays(s, "2026-06-04", 7)

		id, p := decided(map[string]any{"kind": "individual", "name": "王小明", "id_number": "11010519491231002X"},
			"王小明（手机13812345678，身份证号11010519491231002X）经营的小作坊未对2名从业人员进行安全培训")
		if p["status"] != "pending" || p["due_on"] != due || p["published_on"] != nil || p["decision_no"] != "瑶海区应急罚决〔2026〕第1号" {
			t.Errorf("the case's publication after the decision: %v", p)
		}
		e := entries()[id]
		if e == nil {
			t.Fatalf("no publicity entry for the decided case: %v", entries())
		}
		pid := e2e.Num(e["id"])
		content, _ := e["content"].(string)
		if e["status"] != "pending" || e["decision_no"] != "瑶海区应急罚决〔2026〕第1号" || e["decided_on"] != "2026-06-04" ||
			e["due_on"] != due || e["item_code"] != "CF-001" || e["party_name"] != "王＊＊" || e["party_code"] != "" ||
			e["basis"] != "《中华人民共和国安全生产法》第九十七条" || !strings.Contains(content, "处罚结果：罚款人民币5000元") ||
			!strings.Contains(content, "王＊＊") {
			t.Errorf("penalty entry: %v", e)
		}
		for _, secret := range []string{"王小明", "11010519491231002X"} {
			if strings.Contains(string(s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/publicity/"+e2e.Itoa(pid), d.admin, nil)).Raw), secret) {
				t.Errorf("the entry keeps %q", secret)
			}
		}
		// An organisation is published by name and credit code.
		org, _ := decided(organization(), "未对从业人员进行安全培训")
		if e := entries()[org]; e == nil || e["party_name"] != "瑶海烟花爆竹批发有限公司" || e["party_code"] != organization()["credit_code"] ||
			e["decision_no"] != "瑶海区应急罚决〔2026〕第2号" {
			t.Errorf("organisation's entry: %v", e)
		}
		if got := public(); len(got) != 0 {
			t.Errorf("the portal shows %v before publication", got)
		}

		// Published through publicity, the phone masked by its scan.
		pub := s.Must(200, s.Do("POST", "/api/v1/counties/"+county+"/publicity/"+e2e.Itoa(pid)+"/publish", d.admin, nil)).Body
		if pub["status"] != "published" || pub["published_on"] != "2026-06-15" || pub["published_late"] != false {
			t.Errorf("published: %v", pub)
		}
		got := public()
		if len(got) != 1 || got[0]["kind"] != "penalty" || got[0]["party_name"] != "王＊＊" ||
			!strings.Contains(got[0]["content"].(string), "罚款人民币5000元") {
			t.Fatalf("the portal after publication: %v", got)
		}
		page := string(s.Must(200, s.Do("GET", "/portal/"+county+"/publicity", "", nil)).Raw)
		if !strings.Contains(page, "瑶海区应急罚决〔2026〕第1号") || !strings.Contains(page, "王＊＊") {
			t.Errorf("portal page of published decisions: %.500s", page)
		}
		for _, secret := range []string{"王小明", "13812345678", "11010519491231002X"} {
			if strings.Contains(page, secret) || strings.Contains(fmt.Sprint(got), secret) {
				t.Errorf("the portal shows %q", secret)
			}
		}

		// Revoked by the 负责人: the entry is withdrawn in the same
		// transaction, with the revocation as its reason.
		refused(s, "revoke without the kind", id, 400, "revocation", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "revoke", "revoked_on": "2026-06-10", "reason": "复议决定撤销"})
		})
		refused(s, "revoke by the legal reviewer", id, 403, "", func() e2e.Response {
			return act(s, d.legal, id, map[string]any{"action": "revoke", "revoked_on": "2026-06-10", "revocation": "撤销", "reason": "复议决定撤销"})
		})
		refused(s, "revoke before the decision", id, 400, "revoked_on", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "revoke", "revoked_on": "2026-06-03", "revocation": "撤销", "reason": "复议决定撤销"})
		})
		for _, gone := range []string{"publish", "withdraw"} {
			refused(s, gone+" is publicity's now", id, 400, "action", func() e2e.Response {
				return act(s, d.legal, id, map[string]any{"action": gone})
			})
		}
		if e := entries()[id]; e["status"] != "published" {
			t.Errorf("a refused revoke changed the entry: %v", e)
		}
		r := mustAct(s, d.leader, id, map[string]any{"action": "revoke", "revoked_on": "2026-06-10", "revocation": "撤销",
			"reason": "行政复议决定撤销原处罚决定"})
		const reason = "撤销：行政复议决定撤销原处罚决定"
		if r.Body["revoked_on"] != "2026-06-10" || r.Body["revocation"] != reason {
			t.Errorf("the case's own record of the revocation: %v %v", r.Body["revoked_on"], r.Body["revocation"])
		}
		if p := r.Body["publication"].(map[string]any); p["status"] != "withdrawn" || p["withdraw_reason"] != reason ||
			p["withdrawn_on"] != "2026-06-15" || p["withdraw_due"] != workdays(s, "2026-06-10", 3) {
			t.Errorf("the case's publication after the revocation: %v", p)
		}
		if e := entries()[id]; e["status"] != "withdrawn" || e["withdraw_reason"] != reason || e["revoked_on"] != "2026-06-10" {
			t.Errorf("entry after the revocation: %v", e)
		}
		got = public()
		if len(got) != 1 || got[0]["status"] != "withdrawn" || got[0]["withdraw_reason"] != reason || got[0]["content"] != "" ||
			got[0]["decision_no"] != "瑶海区应急罚决〔2026〕第1号" {
			t.Errorf("the portal after the withdrawal: %v", got)
		}
		page = string(s.Must(200, s.Do("GET", "/portal/"+county+"/publicity", "", nil)).Raw)
		if !strings.Contains(page, "行政复议决定撤销原处罚决定") || strings.Contains(page, "罚款人民币5000元") {
			t.Errorf("portal page after the withdrawal: %.500s", page)
		}
		refused(s, "revoke twice", id, 409, "", func() e2e.Response {
			return act(s, d.leader, id, map[string]any{"action": "revoke", "revoked_on": "2026-06-11", "revocation": "变更", "reason": "再次"})
		})

		// Revoked before publication: withdrawn, never on the portal.
		mustAct(s, d.leader, org, map[string]any{"action": "revoke", "revoked_on": "2026-06-12", "revocation": "变更", "reason": "复议变更处罚"})
		if e := entries()[org]; e["status"] != "withdrawn" || e["published_on"] != "" {
			t.Errorf("pending entry after the revocation: %v", e)
		}
		if got := public(); len(got) != 1 {
			t.Errorf("a decision never published reached the portal: %v", got)
		}
		if r := s.Do("POST", "/api/v1/counties/"+county+"/publicity/"+e2e.Itoa(e2e.Num(entries()[org]["id"]))+"/publish", d.admin, nil); r.Status != 409 {
			t.Errorf("publishing a withdrawn entry: %d %s", r.Status, r.Raw)
		}
		// A revoked decision is no longer served nor enforced; the case is
		// closed instead, although nothing was served or paid.
		refused(s, "serving a revoked decision", org, 409, "", func() e2e.Response {
			return act(s, d.o3, org, map[string]any{"action": "serve", "served_on": "2026-06-12"})
		})
		if r := act(s, d.o3, org, map[string]any{"action": "serve", "served_on": "2026-06-12"}); r.ErrorCode() != "decision_revoked" {
			t.Errorf("serving a revoked decision: %s", r.Raw)
		}
		if r := mustAct(s, d.o3, org, map[string]any{"action": "close", "closed_on": "2026-06-12"}); r.Body["status"] != "closed" {
			t.Errorf("closing a revoked decision: %s", r.Raw)
		}

		// Left unpublished past its 7 working days, a decision is lit red
		// by publicity's overdue job, once however often it runs; the
		// withdrawn ones are not.
		kept, _ := decided(organization(), "未对从业人员进行安全培训")
		s.EnforcementClock("2026-06-30")
		admin := s.AdminToken()
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		all := entries()
		if all[kept]["warning"] != "red" || all[id]["warning"] != "none" || all[org]["warning"] != "none" {
			t.Errorf("lights: kept %v, withdrawn %v and %v", all[kept]["warning"], all[id]["warning"], all[org]["warning"])
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = 'publicity_red' AND message LIKE ?`,
			county, "%"+all[kept]["decision_no"].(string)+"%"); n != 1 {
			t.Errorf("%d red notices for the unpublished decision, want one (one administrator)", n)
		}
		// A county that is not a pilot has no public list.
		if r := s.Do("GET", "/api/v1/public/counties/"+other+"/publicity", "", nil); r.Status != 404 {
			t.Errorf("a county that is not a pilot: %d", r.Status)
		}
	})
}
