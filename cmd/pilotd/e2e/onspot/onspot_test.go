// Package onspot_test drives the 简易程序 (on-the-spot penalty decisions)
// end to end through HTTP on SQLite and MariaDB: a valid decision of each
// party kind, every refusal leaving nothing stored, the 备案, the bank
// payment with its surcharge, the deposit clock of 当场收缴 lit once by the
// overdue job, the numbers under concurrency and tenant isolation.
package onspot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
	"safetypilot/modules/reports"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const (
	county = "340102" // 瑶海区
	other  = "340103"
)

func path(c, rest string) string { return "/api/v1/counties/" + c + "/onspot-decisions" + rest }

// desk is a county with the penalty item CF-001 published, three
// officers, a 负责人, a 法制 reviewer and a clerk.
type desk struct {
	admin, o1, o2, o3, leader, legal, clerk string
	o1ID, o2ID, o3ID                        int64
}

func newDesk(s *e2e.Service, c string) desk {
	s.T.Helper()
	d := desk{admin: s.Onboard("34", c)}
	e2e.PenaltyItemPublished(s, c, d.admin)
	d.o1ID, d.o1 = s.AddUser(d.admin, c, "o1_"+c, "county_officer")
	d.o2ID, d.o2 = s.AddUser(d.admin, c, "o2_"+c, "county_officer")
	d.o3ID, d.o3 = s.AddUser(d.admin, c, "o3_"+c, "county_officer")
	_, d.leader = s.AddUser(d.admin, c, "leader_"+c, "county_leader")
	_, d.legal = s.AddUser(d.admin, c, "legal_"+c, "county_legal")
	_, d.clerk = s.AddUser(d.admin, c, "clerk_"+c, "county_clerk")
	return d
}

func (d desk) officers() []map[string]any {
	return []map[string]any{{"user_id": d.o1ID, "cert_no": "皖应急执34010201"}, {"user_id": d.o2ID, "cert_no": "皖应急执34010202"}}
}

// orgFine is a valid decision fining an organisation, paid at the bank.
func (d desk) orgFine(fine int64, on string) map[string]any {
	return map[string]any{"item_code": "CF-001",
		"party": map[string]any{"kind": "organization", "name": "瑶海烟花爆竹零售店", "credit_code": e2e.CreditCode("91340102MA2TX5P41")},
		"facts": "未按规定对从业人员进行安全生产教育和培训", "penalty": "fine", "fine_yuan": fine, "officers": d.officers(),
		"place": "瑶海区长江东路88号", "decided_on": on, "informed": true, "statement": "当事人表示马上组织培训", "payment": "bank"}
}

// personFine is a valid decision fining a natural person, collected on
// the spot (第六十八条第（一）项).
func (d desk) personFine(fine int64, on string) map[string]any {
	return map[string]any{"item_code": "CF-001",
		"party": map[string]any{"kind": "individual", "name": "王小明", "id_number": "11010519491231002X"},
		"facts": "特种作业人员未持证上岗", "penalty": "fine", "fine_yuan": fine, "officers": d.officers(),
		"place": "瑶海区和平路12号仓库", "decided_on": on, "informed": true, "payment": "on_spot", "ground": "small",
		"receipt_no": "皖财罚00012345", "collected_on": on}
}

// with copies a body with changes (a nil value deletes the key).
func with(body map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func workdays(s *e2e.Service, from string, n int) string {
	d, _ := calendar.ParseDate(from)
	due, _ := s.Svc.Calendar.Calendar().AddWorkdays("34", d, n, nil)
	return calendar.FormatDate(due)
}

func stored(s *e2e.Service) string {
	return fmt.Sprintf("decisions=%d officers=%d numbers=%d",
		s.CountRows(`SELECT COUNT(*) FROM onspot_decisions WHERE county_code = ?`, county),
		s.CountRows(`SELECT COUNT(*) FROM onspot_officers WHERE county_code = ?`, county),
		s.CountRows(`SELECT COALESCE(SUM(last_seq), 0) FROM onspot_doc_numbers WHERE county_code = ?`, county))
}

// refused posts a decision that must be refused with status want naming
// field, storing nothing.
func refused(s *e2e.Service, what, token string, want int, field string, body map[string]any) e2e.Response {
	s.T.Helper()
	before := stored(s)
	r := s.Do("POST", path(county, ""), token, body)
	if r.Status != want {
		s.T.Errorf("%s: status %d, want %d: %s", what, r.Status, want, r.Raw)
	}
	if field != "" {
		if m, _ := e2e.ErrorFields(r)[field].(string); m == "" {
			s.T.Errorf("%s: error.fields lacks %q: %s", what, field, r.Raw)
		}
	}
	if after := stored(s); after != before {
		s.T.Errorf("%s stored something: %s → %s", what, before, after)
	}
	return r
}

func TestOnSpotDecisions(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		s.EnforcementClock("2026-12-07")
		d := newDesk(s, county)

		// An organisation fined 3000 yuan, the most of 第五十一条, paid at
		// the bank within fifteen days.
		r := s.Must(201, s.Do("POST", path(county, ""), d.o1, d.orgFine(3000, "2026-12-07")))
		if r.Body["decision_no"] != "瑶海区应急罚当〔2026〕第1号" {
			t.Errorf("number %v", r.Body["decision_no"])
		}
		pay := r.Body["payment"].(map[string]any)
		if pay["way"] != "bank" || pay["due"] != "2026-12-22" || r.Body["filing"] != nil {
			t.Errorf("payment %v filing %v", pay, r.Body["filing"])
		}
		if offs := r.Body["officers"].([]any); len(offs) != 2 || offs[1].(map[string]any)["cert_no"] != "皖应急执34010202" {
			t.Errorf("officers %v", offs)
		}
		orgID := e2e.Num(r.Body["id"])
		// A natural person fined 100 yuan, collected on the spot; the name
		// and ID number are sealed at rest.
		r = s.Must(201, s.Do("POST", path(county, ""), d.o2, d.personFine(100, "2026-12-07")))
		personID := e2e.Num(r.Body["id"])
		if r.Body["decision_no"] != "瑶海区应急罚当〔2026〕第2号" || r.Body["party"].(map[string]any)["name"] != "王小明" {
			t.Errorf("person decision %s", r.Raw)
		}
		var name, idno, plain string
		if err := s.Svc.DB.QueryRow(`SELECT party_person_name, party_id_number, party_name FROM onspot_decisions WHERE id = ?`,
			personID).Scan(&name, &idno, &plain); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(name, "王小明") || strings.Contains(idno, "1101051949") || plain != "" || name == "" {
			t.Errorf("party stored in the clear: %q %q %q", name, idno, plain)
		}
		// Found by the full name through the blind index, not in part.
		if l := s.Must(200, s.Do("GET", path(county, "?q=王小明"), d.admin, nil)); e2e.Num(l.Body["total"]) != 1 {
			t.Errorf("search by name: %s", l.Raw)
		}
		// A 警告 needs no payment.
		warn := with(d.orgFine(0, "2026-12-04"), "penalty", "warning", "payment", nil, "fine_yuan", nil)
		r = s.Must(201, s.Do("POST", path(county, ""), d.o1, warn))
		if r.Body["payment"] != nil || r.Body["penalty_title"] != "警告" {
			t.Errorf("warning %s", r.Raw)
		}

		// Refusals: 400 naming the field, nothing stored, no number used.
		refused(s, "org fine 3001", d.o1, 400, "fine_yuan", d.orgFine(3001, "2026-12-07"))
		r = refused(s, "person fine 201", d.o1, 400, "fine_yuan", with(d.personFine(201, "2026-12-07"), "ground", "hard_to_enforce", "ground_note", "流动摊贩"))
		if m, _ := e2e.ErrorFields(r)["fine_yuan"].(string); !strings.Contains(m, "一般程序") || !strings.Contains(m, "200") {
			t.Errorf("fine refusal message %q", m)
		}
		refused(s, "one officer", d.o1, 400, "officers", with(d.orgFine(100, "2026-12-07"), "officers", d.officers()[:1]))
		refused(s, "missing certificate", d.o1, 400, "officers[1].cert_no", with(d.orgFine(100, "2026-12-07"),
			"officers", []map[string]any{d.officers()[0], {"user_id": d.o2ID, "cert_no": " "}}))
		refused(s, "same officer twice", d.o1, 400, "officers[1].user_id", with(d.orgFine(100, "2026-12-07"),
			"officers", []map[string]any{d.officers()[0], {"user_id": d.o1ID, "cert_no": "X"}}))
		refused(s, "a clerk as officer", d.o1, 400, "officers[1].user_id", with(d.orgFine(100, "2026-12-07"),
			"officers", []map[string]any{d.officers()[0], {"user_id": s.UserID(d.clerk), "cert_no": "X"}}))
		refused(s, "decided tomorrow", d.o1, 400, "decided_on", d.orgFine(100, "2026-12-08"))
		refused(s, "collected before the decision", d.o1, 400, "collected_on", with(d.personFine(50, "2026-12-07"), "collected_on", "2026-12-06"))
		refused(s, "collected tomorrow", d.o1, 400, "collected_on", with(d.personFine(50, "2026-12-04"), "collected_on", "2026-12-08"))
		refused(s, "on the spot above 100 yuan", d.o1, 400, "ground", with(d.orgFine(150, "2026-12-07"), "payment", "on_spot",
			"ground", "small", "receipt_no", "R1"))
		refused(s, "on the spot without a ground", d.o1, 400, "ground", with(d.orgFine(50, "2026-12-07"), "payment", "on_spot", "receipt_no", "R1"))
		refused(s, "hard to enforce without a note", d.o1, 400, "ground_note", with(d.orgFine(500, "2026-12-07"), "payment", "on_spot",
			"ground", "hard_to_enforce", "receipt_no", "R1"))
		refused(s, "on the spot without a receipt", d.o1, 400, "receipt_no", with(d.personFine(50, "2026-12-07"), "receipt_no", ""))
		refused(s, "on the spot for a warning", d.o1, 400, "payment", with(warn, "payment", "on_spot"))
		refused(s, "not informed", d.o1, 400, "informed", with(d.orgFine(100, "2026-12-07"), "informed", false))
		refused(s, "another penalty", d.o1, 400, "penalty", with(d.orgFine(100, "2026-12-07"), "penalty", "suspend"))
		refused(s, "bad credit code", d.o1, 400, "party.credit_code", with(d.orgFine(100, "2026-12-07"),
			"party", map[string]any{"kind": "organization", "name": "某公司", "credit_code": "91340102MA2TX5P410"}))
		refused(s, "unknown item", d.o1, 400, "item_code", with(d.orgFine(100, "2026-12-07"), "item_code", "CF-404"))
		refused(s, "a clerk records", d.clerk, 403, "", d.orgFine(100, "2026-12-07"))
		refused(s, "a leader records", d.leader, 403, "", d.orgFine(100, "2026-12-07"))
		// Remote area (第六十九条) on the party's request: allowed above 100.
		r = s.Must(201, s.Do("POST", path(county, ""), d.o1, with(d.orgFine(2000, "2026-12-07"), "payment", "on_spot",
			"ground", "remote", "ground_note", "水上作业平台，当事人提出到银行缴纳确有困难", "receipt_no", "皖财罚00012346")))
		if r.Body["decision_no"] != "瑶海区应急罚当〔2026〕第4号" {
			t.Errorf("numbers skipped by refusals: %v", r.Body["decision_no"])
		}

		// 备案: the bureau acknowledges, once.
		act := func(token string, id int64, body map[string]any) e2e.Response {
			return s.Do("POST", path(county, "/"+e2e.Itoa(id)+"/actions"), token, body)
		}
		if r := act(d.o1, orgID, map[string]any{"action": "file"}); r.Status != 403 {
			t.Errorf("officer files: %d", r.Status)
		}
		if r := act(d.legal, orgID, map[string]any{"action": "file", "on": "2026-12-06"}); r.Status != 400 || e2e.ErrorFields(r)["on"] == nil {
			t.Errorf("filed before the decision: %d %s", r.Status, r.Raw)
		}
		r = s.Must(200, act(d.legal, orgID, map[string]any{"action": "file"}))
		if f := r.Body["filing"].(map[string]any); f["filed_on"] != "2026-12-07" || f["filed_by_name"] != "legal_"+county {
			t.Errorf("filing %v", f)
		}
		if r := act(d.leader, orgID, map[string]any{"action": "file"}); r.Status != 409 {
			t.Errorf("filed twice: %d", r.Status)
		}

		// Bank payment: two days late, 3% a day of 3000 yuan.
		s.EnforcementClock("2026-12-24")
		if r := act(d.o1, orgID, map[string]any{"action": "pay", "paid_yuan": 3000}); r.Status != 400 || e2e.ErrorFields(r)["paid_yuan"] == nil {
			t.Errorf("paid without the surcharge: %d %s", r.Status, r.Raw)
		}
		r = s.Must(200, act(d.o1, orgID, map[string]any{"action": "pay", "paid_yuan": 3180}))
		if p := r.Body["payment"].(map[string]any); p["paid_on"] != "2026-12-24" || p["paid_yuan"] != 3180.0 {
			t.Errorf("paid %v", p)
		}
		if r := act(d.o1, orgID, map[string]any{"action": "pay", "paid_yuan": 3180}); r.Status != 409 {
			t.Errorf("paid twice: %d", r.Status)
		}
		// A bank decision has nothing to hand over; an unknown step is 400.
		if r := act(d.o1, orgID, map[string]any{"action": "hand_over"}); r.Status != 409 {
			t.Errorf("hand over a bank payment: %d", r.Status)
		}
		if r := act(d.o1, personID, map[string]any{"action": "nope"}); r.Status != 400 {
			t.Errorf("unknown action: %d", r.Status)
		}

		// Tenant isolation: another county neither sees nor touches them.
		admin2 := s.Onboard("34", other)
		for _, p := range []string{"", "/" + e2e.Itoa(orgID)} {
			if r := s.Do("GET", path(county, p), admin2, nil); r.Status != 403 {
				t.Errorf("other county's admin GET %s: %d", p, r.Status)
			}
		}
		if r := s.Do("GET", path(other, "/"+e2e.Itoa(orgID)), admin2, nil); r.Status != 404 {
			t.Errorf("decision read through another county: %d", r.Status)
		}
		if r := s.Must(200, s.Do("GET", path(other, ""), admin2, nil)); e2e.Num(r.Body["total"]) != 0 {
			t.Errorf("other county lists %s", r.Raw)
		}

		// The document states what 第五十二条 asks for.
		page := s.Do("GET", "/counties/"+county+"/onspot-decisions/"+e2e.Itoa(personID)+"/document", d.admin, nil)
		for _, want := range []string{"当场行政处罚决定书", "瑶海区应急罚当〔2026〕第2号", "王小明", "特种作业人员未持证上岗", "罚款",
			"人民币100元", "2026年12月7日", "瑶海区和平路12号仓库", "行政复议", "行政诉讼", "瑶海区应急管理局", "皖应急执34010201",
			"皖财罚00012345"} {
			if !strings.Contains(string(page.Raw), want) {
				t.Errorf("document lacks %q", want)
			}
		}

		// The month's summary report counts the decisions and their fines
		// from the decisions themselves.
		var n int
		var fines int64
		if err := s.Svc.DB.QueryRow(`SELECT COUNT(*), COALESCE(SUM(fine_yuan), 0) FROM onspot_decisions WHERE county_code = ?
			AND decided_on >= '2026-12-01' AND decided_on <= '2026-12-31'`, county).Scan(&n, &fines); err != nil {
			t.Fatal(err)
		}
		rep := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/reports", d.admin, map[string]any{"period_kind": "month",
			"date": "2026-12-07"}))
		var v reports.View
		if err := json.Unmarshal(rep.Raw, &v); err != nil || v.County == nil {
			t.Fatalf("report: %v %s", err, rep.Raw)
		}
		if e := v.County.Enforcement; n < 2 || e.OnSpotDecisions != n || e.OnSpotFinesYuan != fines {
			t.Errorf("report counts %d on-the-spot decisions and %d yuan, want %d and %d", e.OnSpotDecisions, e.OnSpotFinesYuan, n, fines)
		}
	})
}

// TestOnSpotDepositClock: cash collected on the spot is due at the bureau
// two working days after collection and at the bank two working days after
// that (第七十一条, 第八十五条); the overdue job lights each stage yellow on
// its last day and red after it, each light once, with one notice.
func TestOnSpotDepositClock(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		clock := s.EnforcementClock("2026-12-03")
		d := newDesk(s, county)
		admin := s.AdminToken()
		id := e2e.Num(s.Must(201, s.Do("POST", path(county, ""), d.o1, d.personFine(80, "2026-12-03"))).Body["id"])
		handDue := workdays(s, "2026-12-03", 2)
		get := func() map[string]any {
			return s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.admin, nil)).Body["payment"].(map[string]any)
		}
		if p := get(); p["hand_over_due"] != handDue || p["stage"] != "hand_over" || p["warning"] != "none" {
			t.Fatalf("payment %v, want hand-over due %s", p, handDue)
		}
		notices := func(kind string) int {
			return s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND user_id = ? AND kind = ?`, county, d.o1ID, kind)
		}
		s.RunOverdue(admin)
		if notices("onspot_deposit_yellow") != 0 {
			t.Errorf("lit before its last day")
		}
		clock.Set(handDue)
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if n := notices("onspot_deposit_yellow"); n != 1 {
			t.Errorf("yellow notices %d, want 1", n)
		}
		next, _ := calendar.ParseDate(handDue)
		clock.Set(calendar.FormatDate(next.AddDate(0, 0, 1)))
		// Replicas running the job at once light it once.
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Svc.OnSpot.FlagOverdue(context.Background()); err != nil {
					t.Errorf("concurrent flag: %v", err)
				}
			}()
		}
		wg.Wait()
		run := s.RunOverdue(admin)
		if n := notices("onspot_deposit_red"); n != 1 {
			t.Errorf("red notices %d, want 1 (run %v)", n, run["summary"])
		}
		if p := get(); p["warning"] != "red" || p["flagged"] != "red" {
			t.Errorf("after the due day: %v", p)
		}
		m := s.Must(200, s.Do("GET", "/metrics", "", nil))
		if v, ok := e2e.MetricValue(m.Raw, "pilot_onspot_deposits_overdue", `county="`+county+`"`); !ok || v != 1 {
			t.Errorf("pilot_onspot_deposits_overdue = %v (%v)", v, ok)
		}
		if v, ok := e2e.MetricValue(m.Raw, "pilot_onspot_unfiled", `county="`+county+`"`); !ok || v != 1 {
			t.Errorf("pilot_onspot_unfiled = %v (%v)", v, ok)
		}

		// Handed over late; the bank stage has its own clock.
		act := func(token string, body map[string]any) e2e.Response {
			return s.Do("POST", path(county, "/"+e2e.Itoa(id)+"/actions"), token, body)
		}
		if r := act(d.o1, map[string]any{"action": "hand_over", "on": "2026-12-02"}); r.Status != 400 || e2e.ErrorFields(r)["on"] == nil {
			t.Errorf("handed over before collection: %d %s", r.Status, r.Raw)
		}
		if r := act(d.o1, map[string]any{"action": "bank"}); r.Status != 403 {
			t.Errorf("officer banks: %d", r.Status)
		}
		if r := act(d.leader, map[string]any{"action": "bank"}); r.Status != 409 {
			t.Errorf("banked before hand-over: %d", r.Status)
		}
		today := calendar.FormatDate(clock.Now())
		s.Must(200, act(d.o1, map[string]any{"action": "hand_over"}))
		bankDue := workdays(s, today, 2)
		if p := get(); p["bank_due"] != bankDue || p["stage"] != "bank" || p["flagged"] != "none" {
			t.Errorf("after hand-over: %v, want bank due %s", p, bankDue)
		}
		late, _ := calendar.ParseDate(bankDue)
		clock.Set(calendar.FormatDate(late.AddDate(0, 0, 1)))
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if n := notices("onspot_deposit_red"); n != 2 {
			t.Errorf("red notices after the bank stage %d, want 2", n)
		}
		s.Must(200, act(d.legal, map[string]any{"action": "bank"}))
		if p := get(); p["stage"] != nil || p["warning"] != "none" {
			t.Errorf("after banking: %v", p)
		}
		s.RunOverdue(admin)
		if n := notices("onspot_deposit_red") + notices("onspot_deposit_yellow"); n != 3 {
			t.Errorf("notices after banking %d, want 3", n)
		}
	})
}

// TestOnSpotNumbersConcurrent: decisions recorded at once get numbers 1…N
// of the county and year, without gaps or duplicates; another county
// counts on its own.
func TestOnSpotNumbersConcurrent(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		s.EnforcementClock("2026-12-07")
		d := newDesk(s, county)
		const n = 12
		var wg sync.WaitGroup
		nos := make([]string, n)
		statuses := make([]int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				tok := []string{d.o1, d.o2, d.o3}[i%3]
				r := s.Do("POST", path(county, ""), tok, with(d.orgFine(int64(100+i), "2026-12-07"), "facts", fmt.Sprintf("第%d件", i)))
				statuses[i] = r.Status
				nos[i], _ = r.Body["decision_no"].(string)
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range nos {
			if statuses[i] != 201 {
				t.Fatalf("record %d: status %d", i, statuses[i])
			}
			if seen[nos[i]] {
				t.Errorf("number %s given twice", nos[i])
			}
			seen[nos[i]] = true
		}
		for i := 1; i <= n; i++ {
			if no := fmt.Sprintf("瑶海区应急罚当〔2026〕第%d号", i); !seen[no] {
				t.Errorf("number %s missing; got %v", no, nos)
			}
		}
		// A decision of the next year starts again at 1.
		s.EnforcementClock("2027-01-04")
		r := s.Must(201, s.Do("POST", path(county, ""), d.o1, d.orgFine(100, "2027-01-04")))
		if r.Body["decision_no"] != "瑶海区应急罚当〔2027〕第1号" {
			t.Errorf("next year's first number %v", r.Body["decision_no"])
		}
		// Another county starts at 1 too.
		d2 := newDesk(s, other)
		r = s.Must(201, s.Do("POST", path(other, ""), d2.o1, with(d2.orgFine(100, "2027-01-04"), "officers", d2.officers())))
		if no, _ := r.Body["decision_no"].(string); !strings.HasSuffix(no, "罚当〔2027〕第1号") || strings.HasPrefix(no, "瑶海区") {
			t.Errorf("other county's first number %v", no)
		}
		// An officer of one county is not an officer of the other.
		if r := s.Do("POST", path(other, ""), d2.o1, d.orgFine(100, "2027-01-04")); r.Status != 400 || e2e.ErrorFields(r)["officers[0].user_id"] == nil {
			t.Errorf("another county's officers: %d %s", r.Status, r.Raw)
		}
	})
}

// TestOnSpotBankPaymentFlagged: a fine to be paid at the bank within fifteen
// days (第六十七条) and still unpaid after them is lit red by the overdue job
// once, with one notice to each administrator and the officer; one paid in
// time is never lit.
func TestOnSpotBankPaymentFlagged(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		clock := s.EnforcementClock("2026-12-07")
		d := newDesk(s, county)
		unpaid := e2e.Num(s.Must(201, s.Do("POST", path(county, ""), d.o1, d.orgFine(3000, "2026-12-07"))).Body["id"])
		paid := e2e.Num(s.Must(201, s.Do("POST", path(county, ""), d.o1, d.orgFine(2000, "2026-12-07"))).Body["id"])
		clock.Set("2026-12-20")
		s.Must(200, s.Do("POST", path(county, "/"+e2e.Itoa(paid)+"/actions"), d.o1, map[string]any{"action": "pay",
			"paid_on": "2026-12-20", "paid_yuan": 2000}))
		admin := s.AdminToken()
		notices := func() int {
			return s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = 'onspot_payment_red'`, county)
		}
		clock.Set("2026-12-22") // the last day
		s.RunOverdue(admin)
		if n := notices(); n != 0 {
			t.Errorf("%d notices on the last day to pay", n)
		}
		clock.Set("2026-12-23")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if n := notices(); n != 2 { // the county administrator and the officer, once each
			t.Errorf("%d notices of the unpaid fine, want 2", n)
		}
		for id, want := range map[int64]string{unpaid: "red", paid: "none"} {
			var light string
			if err := s.Svc.DB.Get(&light, `SELECT payment_warning FROM onspot_decisions WHERE id = ?`, id); err != nil || light != want {
				t.Errorf("decision %d: payment light %q (%v), want %s", id, light, err, want)
			}
		}
	})
}
