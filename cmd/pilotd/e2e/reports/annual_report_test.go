package reports_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/reports"
)

func annualPath(county, rest string) string {
	return "/api/v1/counties/" + county + "/annual-reports" + rest
}

func publicAnnualPath(county, year string) string {
	return "/api/v1/public/counties/" + county + "/annual-reports/" + year
}

// decodeAnnual reads an annual report answer.
func decodeAnnual(t testing.TB, r e2e.Response) reports.AnnualView {
	t.Helper()
	var v reports.AnnualView
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("decode annual report: %v: %s", err, r.Raw)
	}
	return v
}

// annualRow finds a row of a section's table.
func annualRow(t testing.TB, sections []reports.AnnualSection, table, row string) reports.AnnualRow {
	t.Helper()
	for _, s := range sections {
		for _, tb := range s.Tables {
			if tb.Code != table {
				continue
			}
			for _, r := range tb.Rows {
				if r.Code == row {
					return r
				}
			}
		}
	}
	t.Fatalf("no row %s in table %s", row, table)
	return reports.AnnualRow{}
}

// failedChecks lists the fields of the checks that do not hold.
func failedChecks(v reports.AnnualView) []string {
	out := []string{}
	for _, c := range v.Checks {
		if !c.OK {
			out = append(out, c.Field)
		}
	}
	sort.Strings(out)
	return out
}

// fieldNames lists error.fields of an error response, sorted.
func fieldNames(r e2e.Response) []string {
	out := []string{}
	for k := range e2e.ErrorFields(r) {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// annualRequests are the requests of the annual test: received, answered
// (empty: never), outcome and reason.
var annualRequests = []struct {
	name, received, answered, outcome, reason string
}{
	{"Q1", "2025-12-15", "2025-12-19", "disclosed", ""},                 // answered before the year: nowhere
	{"Q2", "2025-12-22", "2026-01-08", "disclosed", ""},                 // carried over, handled
	{"Q3", "2025-12-29", "2026-01-15", "not_disclosed", "process_info"}, // carried over, handled
	{"Q4", "2026-03-02", "2026-03-10", "disclosed", ""},
	{"Q5", "2026-03-03", "2026-03-20", "partly_disclosed", ""},
	{"Q6", "2026-04-01", "2026-04-10", "not_disclosed", "state_secret"},
	{"Q7", "2026-05-06", "2026-05-12", "unable", "not_held"},
	{"Q8", "2026-06-01", "2026-06-05", "not_processed", "repeated"},
	{"Q9", "2026-07-01", "2026-07-03", "other", "other"},
	{"Q10", "2026-12-21", "2027-01-05", "disclosed", ""}, // new, carried forward
	{"Q11", "2026-12-28", "", "", ""},                    // new, carried forward
	{"Q12", "2027-01-04", "", "", ""},                    // after the year: nowhere
}

// TestAnnualReport compiles the 2026 annual report of a county from a year
// of requests, records, cases and penalty decisions, checks every table of
// the template, refuses to publish while any total or balance is off (from
// the data or as entered), publishes when it balances, freezes it, and shows
// it to the public only once published.
//
// Requests (see annualRequests): new in 2026 Q4–Q11 = 8; carried over from
// 2025 Q2, Q3 = 2; answered in 2026 Q2–Q9 = 8 (disclosed 2, partly 1,
// not disclosed: state secret 1, process information 1; unable: not held 1;
// not processed: repeated 1; other: other 1); carried forward Q10, Q11 = 2.
// 8 + 2 = 8 + 2.
func TestAnnualReport(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		d := s.CaseDesk(county) // 274, licensing (XK)
		s.PublishItem(d, "281", e2e.QtContent())
		s.Must(201, s.Do("POST", e2e.CatPath(county, ""), d.Admin,
			map[string]any{"code": "QZ-001", "category": "power", "name": "查封、扣押不符合保障安全生产的设施、设备、器材"}))
		s.PublishItem(d, "QZ-001", e2e.With(e2e.FireworksContent(), "power_type", "QZ", "item_code", "QZ-001", "extension_workdays", nil))
		e2e.PenaltyItemPublished(s, county, d.Admin)

		// Cases: decided in 2026 are K2 (approved) and K3 (denied) of 274, K4
		// of 281 (not licensing) and K5 of QZ-001 (coercion); K1 was decided
		// in 2025, K6 in 2027, K7 never. Coercion is no longer opened as an
		// application, so K5 stands for a case recorded before that rule: it
		// is opened on 281 and moved to QZ-001 in the database.
		for _, k := range []struct{ item, received, decidedOn, action string }{
			{"274", "2025-12-15", "2025-12-22", "approve"},
			{"274", "2026-03-02", "2026-03-05", "approve"},
			{"274", "2026-06-01", "2026-06-03", "deny"},
			{"281", "2026-07-01", "2026-07-02", "approve"},
			{"QZ-001", "2026-08-03", "2026-08-05", "approve"},
			{"274", "2026-12-28", "2027-01-05", "approve"},
			{"274", "2026-11-02", "", ""},
		} {
			repTravel(s, k.received)
			item := k.item
			if item == "QZ-001" {
				item = "281"
			}
			c := s.NewCase(d.Clerk, county, e2e.CaseBody(item))
			s.MustAct(d.Clerk, county, c.ID, "accept")
			if k.action != "" {
				repTravel(s, k.decidedOn)
				s.MustAct(d.Reviewer, county, c.ID, k.action, "reason", "经审查作出决定")
			}
			if k.item == "QZ-001" {
				repExec(s, `UPDATE cases SET item_code = 'QZ-001', item_version = (SELECT published_version FROM catalog_items
					WHERE county_code = ? AND code = 'QZ-001') WHERE id = ?`, county, c.ID)
			}
		}

		// Requests, in order of the days they happen.
		ids := map[string]int64{}
		type event struct{ day, name string }
		var events []event
		for _, q := range annualRequests {
			events = append(events, event{q.received, q.name})
			if q.answered != "" {
				events = append(events, event{q.answered, q.name})
			}
		}
		sort.SliceStable(events, func(i, j int) bool { return events[i].day < events[j].day })
		for _, e := range events {
			repTravel(s, e.day)
			if id, ok := ids[e.name]; ok {
				for _, q := range annualRequests {
					if q.name == e.name {
						repAnswer(s, d.Clerk, county, id, q.outcome, q.reason)
					}
				}
				continue
			}
			ids[e.name] = repFile(s, county, e.name)
		}
		// Who asked (table 三's columns); Q11 was filed before the type was
		// asked and counts in 总计 only.
		for name, kind := range map[string]string{"Q1": "natural", "Q2": "natural", "Q3": "business", "Q4": "natural",
			"Q5": "legal_services", "Q6": "business", "Q7": "natural", "Q8": "research", "Q9": "public_interest",
			"Q10": "other_org", "Q12": "business"} {
			// By id: the requester's name is sealed at rest.
			repExec(s, `UPDATE info_requests SET requester_type = ? WHERE id = ?`, kind, ids[name])
		}

		// Proactive records, published (the instants moved into place): two of
		// item 1 in 2026, the second at 23:30 on New Year's Eve, Beijing time;
		// one of item 11 in 2026 and one at 00:30 on 2027-01-01 Beijing time
		// (still 2026 in UTC); one of item 1 in 2025.
		repTravel(s, "2026-11-20")
		for _, p := range []struct{ category, at string }{
			{"1", "2026-03-10 10:00"}, {"1", "2026-12-31 23:30"}, {"11", "2026-06-15 09:00"},
			{"11", "2027-01-01 00:30"}, {"1", "2025-12-31 23:59"},
		} {
			id := repPublishedRecord(s, d, "年度报告测试信息"+p.at, p.category, "2026-11-02")
			repExec(s, `UPDATE disclosure_records SET published_at = ? WHERE id = ?`, cst(p.at), id)
		}

		// Penalty decisions, from the penalty cases themselves: two decided
		// in 2026, one in 2025, and one filed in 2026 not yet decided (with
		// the on-the-spot decision below, three of 2026).
		_, leader := s.AddUser(d.Admin, county, "rep_leader_"+county, "county_leader")
		o1ID, o1 := s.AddUser(d.Admin, county, "rep_o1_"+county, "county_officer")
		o2ID, _ := s.AddUser(d.Admin, county, "rep_o2_"+county, "county_officer")
		for _, p := range []struct{ filed, decided string }{
			{"2026-03-30", "2026-04-01"}, {"2026-08-28", "2026-09-01"}, {"2025-11-05", "2025-11-11"}, {"2026-10-09", ""},
		} {
			// The penalty rules' "today" is the day of the decision (or of
			// the filing): a case is filed within a year of it.
			at := p.decided
			if at == "" {
				at = p.filed
			}
			now, err := time.ParseInLocation("2006-01-02 15:04", at+" 16:00", e2e.Beijing)
			if err != nil {
				t.Fatal(err)
			}
			s.Svc.Penalties.Now = func() time.Time { return now }
			r := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/penalty-cases", leader, map[string]any{"item_code": "CF-001",
				"party": map[string]any{"kind": "organization", "name": "合肥市瑶海区某烟花爆竹经营部", "credit_code": e2e.ApplicantCode},
				"facts": "未按规定开展安全生产教育和培训", "filed_on": p.filed}))
			id := e2e.Itoa(e2e.Num(r.Body["id"]))
			act := func(token string, body map[string]any) {
				s.Must(200, s.Do("POST", "/api/v1/counties/"+county+"/penalty-cases/"+id+"/actions", token, body))
			}
			act(o1, map[string]any{"action": "investigate", "investigated_on": p.filed, "investigators": []map[string]any{
				{"user_id": o1ID, "cert_no": "R1"}, {"user_id": o2ID, "cert_no": "R2"}}})
			if p.decided == "" {
				continue
			}
			act(o1, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 15000, "notified_on": p.filed})
			act(leader, map[string]any{"action": "decide", "decided_on": p.decided, "fine_yuan": 15000,
				"standard_id": "CF-001-1", "tier_level": "一般", "reasons": "年度报告测试"})
		}

		// On-the-spot decisions (简易程序) are penalty decisions too: one made
		// in 2026, one in 2025.
		for _, on := range []string{"2026-05-06", "2025-12-30"} {
			now, err := time.ParseInLocation("2006-01-02 15:04", on+" 16:00", e2e.Beijing)
			if err != nil {
				t.Fatal(err)
			}
			s.Svc.OnSpot.Now = func() time.Time { return now }
			s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/onspot-decisions", o1, map[string]any{"item_code": "CF-001",
				"party": map[string]any{"kind": "organization", "name": "合肥市瑶海区某烟花爆竹经营部", "credit_code": e2e.ApplicantCode},
				"facts": "未按规定开展安全生产教育和培训", "penalty": "warning",
				"officers": []map[string]any{{"user_id": o1ID, "cert_no": "R1"}, {"user_id": o2ID, "cert_no": "R2"}},
				"place":    "瑶海区长江东路88号", "decided_on": on, "informed": true}))
		}

		// January 2027: the report of 2026 is compiled.
		repTravel(s, "2027-01-10")
		if r := s.Do("GET", annualPath(county, "/2026"), d.Admin, nil); r.Status != 404 {
			t.Errorf("report before compiling: %d %s", r.Status, r.Raw)
		}
		s.Must(404, s.Do("GET", publicAnnualPath(county, "2026"), "", nil))
		if r := s.Do("POST", annualPath(county, ""), d.Clerk, map[string]any{"year": 2026}); r.Status != 403 {
			t.Errorf("the clerk compiles: %d %s", r.Status, r.Raw)
		}
		s.MustInvalid("future year", s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2028}), "year")
		s.MustInvalid("year before the Regulations", s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2007}), "year")
		s.MustInvalid("no year", s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{}), "year")
		s.MustInvalid("year as text", s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": "2026"}), "year")
		if n := s.CountRows(`SELECT COUNT(*) FROM annual_reports`); n != 0 {
			t.Fatalf("%d reports after refused compiles", n)
		}

		v := decodeAnnual(t, s.Must(201, s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2026})))
		if v.ID == 0 || v.CountyCode != county || v.Year != 2026 || v.Status != "draft" || v.StatusTitle != "草稿" || v.PublishedAt != nil ||
			v.Title != "瑶海区安全生产监管部门2026年政府信息公开工作年度报告" {
			t.Fatalf("compiled: %+v", v.AnnualReport)
		}
		f := v.Figures
		wantCategories := []reports.CategoryCount{{Code: "1", Name: "行政法规、规章和规范性文件", Count: 2},
			{Code: "11", Name: "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况", Count: 1}}
		if !reflect.DeepEqual(f.PublishedByCategory, wantCategories) || f.PublishedTotal != 3 {
			t.Errorf("published by category %+v total %d", f.PublishedByCategory, f.PublishedTotal)
		}
		if f.LicensingDecisions != 2 || f.PenaltyDecisions != 3 || f.EnforcementDecisions != 1 || f.CountyName != "瑶海区" {
			t.Errorf("decisions: licensing %d penalty %d coercion %d", f.LicensingDecisions, f.PenaltyDecisions, f.EnforcementDecisions)
		}
		wantResults := map[string]int{"disclosed": 2, "partly_disclosed": 1, "not_disclosed.state_secret": 1, "not_disclosed.process_info": 1,
			"unable.not_held": 1, "not_processed.repeated": 1, "other.other": 1}
		if rq := f.Requests; rq.NewReceived != 8 || rq.CarriedOver != 2 || rq.Total != 8 || rq.CarriedForward != 2 ||
			!reflect.DeepEqual(rq.Results, wantResults) {
			t.Errorf("requests %+v", rq)
		}

		// The template's request table, row by row (one 总计 column).
		want := map[string]float64{"new_received": 8, "carried_over": 2, "disclosed": 2, "partly_disclosed": 1,
			"not_disclosed.state_secret": 1, "not_disclosed.prohibited_by_law": 0, "not_disclosed.three_securities": 0,
			"not_disclosed.third_party": 0, "not_disclosed.internal_affairs": 0, "not_disclosed.process_info": 1,
			"not_disclosed.enforcement_file": 0, "not_disclosed.administrative_query": 0,
			"unable.not_held": 1, "unable.needs_creation": 0, "unable.unclear_after_correction": 0,
			"not_processed.petition": 0, "not_processed.repeated": 1, "not_processed.publication": 0, "not_processed.abusive": 0,
			"not_processed.confirmation": 0, "other.no_correction": 0, "other.no_fee": 0, "other.other": 1,
			"total": 8, "carried_forward": 2}
		var requestTable reports.AnnualTable
		for _, sec := range v.Sections {
			if sec.Code == "requests" {
				requestTable = sec.Tables[0]
			}
		}
		var labels []string
		for _, c := range requestTable.Columns {
			labels = append(labels, c.Group+"/"+c.Label)
		}
		if len(requestTable.Rows) != 30 || requestTable.Heading != "申请人情况" || strings.Join(labels, ",") != "/自然人,法人或其他组织/商业企业,"+
			"法人或其他组织/科研机构,法人或其他组织/社会公益组织,法人或其他组织/法律服务机构,法人或其他组织/其他,/总计" ||
			!strings.Contains(requestTable.Note, "另有1件") {
			t.Fatalf("request table: %d rows, columns %v, note %q", len(requestTable.Rows), labels, requestTable.Note)
		}
		// The columns, as the requests were typed above; each balances.
		perColumn := map[string]map[string]float64{
			"natural":         {"new_received": 2, "carried_over": 1, "disclosed": 2, "unable.not_held": 1, "total": 3, "carried_forward": 0},
			"business":        {"new_received": 1, "carried_over": 1, "not_disclosed.process_info": 1, "not_disclosed.state_secret": 1, "total": 2},
			"research":        {"new_received": 1, "not_processed.repeated": 1, "total": 1},
			"public_interest": {"new_received": 1, "other.other": 1, "total": 1},
			"legal_services":  {"new_received": 1, "partly_disclosed": 1, "total": 1},
			"other_org":       {"new_received": 1, "total": 0, "carried_forward": 1},
		}
		for _, row := range requestTable.Rows {
			if row.Header {
				continue
			}
			for col, values := range perColumn {
				if got := row.Values[col]; got != values[row.Code] {
					t.Errorf("row %s, column %s = %v, want %v", row.Code, col, got, values[row.Code])
				}
			}
		}
		for _, row := range requestTable.Rows {
			if row.Header {
				if len(row.Values) != 0 {
					t.Errorf("heading row %s has values %v", row.Code, row.Values)
				}
				continue
			}
			w, ok := want[row.Code]
			if !ok {
				t.Errorf("unexpected row %s %s", row.Code, row.Label)
				continue
			}
			if row.Values["total"] != w || row.Source != "derived" {
				t.Errorf("row %s %s = %v (%s), want %v", row.Code, row.Label, row.Values["total"], row.Source, w)
			}
			delete(want, row.Code)
		}
		if len(want) != 0 {
			t.Errorf("rows missing: %v", want)
		}
		for code, label := range map[string]string{"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
			"partly_disclosed": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "not_disclosed.administrative_query": "8.属于行政查询事项",
			"unable.not_held": "1.本机关不掌握相关政府信息", "other.no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
			"total": "（七）总计", "carried_forward": "四、结转下年度继续办理"} {
			if got := annualRow(t, v.Sections, "requests", code).Label; got != label {
				t.Errorf("row %s label %q, want %q", code, got, label)
			}
		}
		// Section 二.
		for _, c := range []struct {
			table, row, col string
			want            float64
		}{
			{"article20_5", "licensing", "decisions", 2}, {"article20_6", "penalty", "decisions", 3},
			{"article20_6", "enforcement", "decisions", 1}, {"article20_8", "fees", "amount", 0},
			{"article20_1", "regulations", "made", 0}, {"article20_1", "normative_documents", "in_force", 0},
			{"processing_fees", "processing_fees", "notices", 0},
		} {
			if got := annualRow(t, v.Sections, c.table, c.row).Values[c.col]; got != c.want {
				t.Errorf("%s/%s/%s = %v, want %v", c.table, c.row, c.col, got, c.want)
			}
		}
		if !v.Balanced || len(failedChecks(v)) != 0 || len(v.Checks) != 13 { // 7, and one per requester column
			t.Errorf("the compiled report does not balance: %+v", v.Checks)
		}
		raw := string(s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Clerk, nil)).Raw)
		for _, label := range []string{"总体情况", "主动公开政府信息情况", "第二十条第（一）项", "行政规范性文件", "行政事业性收费",
			"收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况", "复议后起诉", "存在的主要问题及改进情况", "其他需要报告的事项"} {
			if !strings.Contains(raw, label) {
				t.Errorf("the report lacks %q", label)
			}
		}

		// Reading, listing, recompiling.
		if got := decodeAnnual(t, s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Reviewer, nil))); !reflect.DeepEqual(got.Figures, f) {
			t.Errorf("read back: %+v", got.Figures)
		}
		list := s.Must(200, s.Do("GET", annualPath(county, ""), d.Clerk, nil))
		items, _ := list.Body["items"].([]any)
		if e2e.Num(list.Body["total"]) != 1 || len(items) != 1 || items[0].(map[string]any)["year"] != 2026.0 ||
			items[0].(map[string]any)["title"] != v.Title || items[0].(map[string]any)["status_title"] != "草稿" {
			t.Errorf("list: %s", list.Raw)
		}
		for _, bad := range []string{"/2025", "/abc", "/20260", "/0"} {
			if r := s.Do("GET", annualPath(county, bad), d.Admin, nil); r.Status != 404 {
				t.Errorf("GET %s: %d", bad, r.Status)
			}
		}
		again := decodeAnnual(t, s.Must(200, s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2026})))
		if again.ID != v.ID || !reflect.DeepEqual(again.Figures, f) {
			t.Errorf("recompiled: %+v", again)
		}

		// Inconsistent data: an answer whose reason fits no row of the
		// template, and an answer dated before its receipt.
		repExec(s, `INSERT INTO info_requests (county_code, tracking_no, requester_name, requester_contact, description, preferred_form,
			received_on, deadline, deadline_provisional, extended, extension_reason, extension_approved_by, status, outcome, outcome_reason,
			answer, answered_on, answered_by, on_time, warning, created_at, updated_at) VALUES
			(?, 'GK-BAD-1', '坏数据', 'x', 'x', 'other', '2026-05-10', '2026-06-08', ?, ?, '', 0, 'answered', 'not_disclosed', '', 'x',
			 '2026-05-12', 0, ?, 'none', ?, ?),
			(?, 'GK-BAD-2', '坏数据', 'x', 'x', 'other', '2027-01-02', '2027-02-01', ?, ?, '', 0, 'answered', 'disclosed', '', 'x',
			 '2026-12-30', 0, ?, 'none', ?, ?)`,
			county, false, false, true, cst("2026-05-10 09:00"), cst("2026-05-10 09:00"),
			county, false, false, true, cst("2027-01-02 09:00"), cst("2027-01-02 09:00"))
		v = decodeAnnual(t, s.Must(200, s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2026})))
		if got := failedChecks(v); !reflect.DeepEqual(got, []string{"requests.balance", "requests.total"}) || v.Balanced {
			t.Errorf("inconsistent data: failing %v: %+v", got, v.Checks)
		}
		complete := map[string]any{"overview": "2026年，本局认真贯彻《中华人民共和国政府信息公开条例》……",
			"regulations":         map[string]any{"made": 0, "repealed": 0, "in_force": 0},
			"normative_documents": map[string]any{"made": 2, "repealed": 1, "in_force": 9}, "fee_amount": 0,
			"reconsideration":                  map[string]any{"upheld": 1, "corrected": 1, "other": 0, "pending": 1, "total": 3},
			"litigation_direct":                map[string]any{"upheld": 0, "corrected": 0, "other": 1, "pending": 0, "total": 1},
			"litigation_after_reconsideration": map[string]any{"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
			"problems":                         "主动公开的及时性有待提高；下一步将……", "other": "无"}
		s.Must(200, s.Do("PUT", annualPath(county, "/2026/manual"), d.Admin, complete))
		r := s.Do("POST", annualPath(county, "/2026/publish"), d.Admin, nil)
		s.MustInvalid("publishing inconsistent data", r, "requests.total", "requests.balance")
		if got := fieldNames(r); !reflect.DeepEqual(got, []string{"requests.balance", "requests.total"}) {
			t.Errorf("fields %v", got)
		}
		if msg, _ := e2e.ErrorFields(r)["requests.balance"].(string); !strings.Contains(msg, "本年新收9＋上年结转2＝11") ||
			!strings.Contains(msg, "办理结果总计10＋结转下年度2＝12") {
			t.Errorf("balance message %q", msg)
		}
		if msg, _ := e2e.ErrorFields(r)["requests.total"].(string); !strings.Contains(msg, "总计10件与各项之和9件不符") ||
			!strings.Contains(msg, "not_disclosed.（1件）") {
			t.Errorf("total message %q", msg)
		}
		repExec(s, `DELETE FROM info_requests WHERE tracking_no IN ('GK-BAD-1', 'GK-BAD-2')`)
		v = decodeAnnual(t, s.Must(200, s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2026})))
		if !v.Balanced || !reflect.DeepEqual(v.Figures, f) {
			t.Errorf("after removing the bad rows: %+v", v.Checks)
		}

		// Entered figures: invalid values are refused and change nothing;
		// totals that do not add up are kept in the draft but block publishing.
		s.MustInvalid("negative count", s.Do("PUT", annualPath(county, "/2026/manual"), d.Admin,
			e2e.With(complete, "reconsideration", map[string]any{"upheld": -1, "total": -1}, "fee_amount", -3)),
			"reconsideration.upheld", "reconsideration.total", "fee_amount")
		s.MustInvalid("fraction of a case", s.Do("PUT", annualPath(county, "/2026/manual"), d.Admin,
			e2e.With(complete, "litigation_direct", map[string]any{"other": 1.5})), "litigation_direct.other")
		if r := s.Do("PUT", annualPath(county, "/2026/manual"), d.Clerk, complete); r.Status != 403 {
			t.Errorf("the clerk edits: %d", r.Status)
		}
		if got := decodeAnnual(t, s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Admin, nil))); got.Manual.Reconsideration.Total != 3 {
			t.Errorf("refused edits changed the report: %+v", got.Manual)
		}
		unbalanced := e2e.With(complete, "overview", "  ",
			"reconsideration", map[string]any{"upheld": 1, "corrected": 1, "other": 0, "pending": 1, "total": 4})
		v = decodeAnnual(t, s.Must(200, s.Do("PUT", annualPath(county, "/2026/manual"), d.Admin, unbalanced)))
		if got := failedChecks(v); !reflect.DeepEqual(got, []string{"reconsideration.total"}) || v.Balanced || v.Manual.Reconsideration.Total != 4 {
			t.Errorf("unbalanced entry: failing %v", got)
		}
		if row := annualRow(t, v.Sections, "review_litigation", "review_litigation"); row.Values["reconsideration.total"] != 4 ||
			row.Values["litigation_direct.other"] != 1 || row.Source != "manual" {
			t.Errorf("review row %+v", row)
		}
		if r := s.Do("POST", annualPath(county, "/2026/publish"), d.Reviewer, nil); r.Status != 403 {
			t.Errorf("the reviewer publishes: %d", r.Status)
		}
		r = s.Do("POST", annualPath(county, "/2026/publish"), d.Admin, nil)
		s.MustInvalid("publishing unbalanced entries", r, "reconsideration.total", "overview")
		if got := fieldNames(r); !reflect.DeepEqual(got, []string{"overview", "reconsideration.total"}) {
			t.Errorf("fields %v", got)
		}
		if msg, _ := e2e.ErrorFields(r)["reconsideration.total"].(string); !strings.Contains(msg, "结果维持1＋结果纠正1＋其他结果0＋尚未审结1＝3，总计填报4") {
			t.Errorf("reconsideration message %q", msg)
		}
		s.Must(404, s.Do("GET", publicAnnualPath(county, "2026"), "", nil))

		// Balanced: published and frozen.
		s.Must(200, s.Do("PUT", annualPath(county, "/2026/manual"), d.Admin, e2e.With(complete, "fee_amount", 1.25)))
		v = decodeAnnual(t, s.Must(200, s.Do("POST", annualPath(county, "/2026/publish"), d.Admin, nil)))
		if v.Status != "published" || v.StatusTitle != "已发布" || v.PublishedAt == nil || v.PublishedBy != d.AdminID || !v.Balanced {
			t.Fatalf("published: %+v", v.AnnualReport)
		}
		published := v

		// New data of 2026 arrives: Q11 is answered late in the year.
		repTravel(s, "2026-12-30")
		repAnswer(s, d.Clerk, county, ids["Q11"], "disclosed", "")
		repTravel(s, "2027-01-11")
		for _, q := range []struct {
			method, path string
			body         any
		}{
			{"PUT", annualPath(county, "/2026/manual"), complete},
			{"POST", annualPath(county, ""), map[string]any{"year": 2026}},
			{"POST", annualPath(county, "/2026/publish"), nil},
		} {
			if r := s.Do(q.method, q.path, d.Admin, q.body); r.Status != 409 || r.ErrorCode() != "report_frozen" {
				t.Errorf("%s %s on a published report: %d %s", q.method, q.path, r.Status, r.Raw)
			}
		}
		got := decodeAnnual(t, s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Clerk, nil)))
		if !reflect.DeepEqual(got.Figures, published.Figures) || !reflect.DeepEqual(got.Manual, published.Manual) ||
			got.Status != "published" || !got.UpdatedAt.Equal(published.UpdatedAt) {
			t.Errorf("the published report changed: %+v", got)
		}

		// The public reads it, and only it.
		pub := s.Must(200, s.Do("GET", publicAnnualPath(county, "2026"), "", nil))
		var pv reports.PublicAnnual
		if err := json.Unmarshal(pub.Raw, &pv); err != nil {
			t.Fatal(err)
		}
		if pv.CountyCode != county || pv.CountyName != "瑶海区" || pv.Year != 2026 || pv.Title != published.Title || pv.PublishedAt == nil ||
			!reflect.DeepEqual(pv.Sections, published.Sections) {
			t.Errorf("public view: %s", pub.Raw)
		}
		for _, key := range []string{"manual", "figures", "published_by", "checks", "status"} {
			if _, ok := pub.Body[key]; ok {
				t.Errorf("the public view shows %q", key)
			}
		}
		if annualRow(t, pv.Sections, "article20_8", "fees").Values["amount"] != 1.25 || annualRow(t, pv.Sections, "requests", "total").Values["total"] != 8 {
			t.Errorf("public tables: %s", pub.Raw)
		}
		for _, p := range []string{publicAnnualPath(county, "2025"), publicAnnualPath(county, "x"), publicAnnualPath("340103", "2026"),
			publicAnnualPath("999999", "2026")} {
			if r := s.Do("GET", p, "", nil); r.Status != 404 {
				t.Errorf("GET %s: %d %s", p, r.Status, r.Raw)
			}
		}
		s.MustInvalid("public path with a bad county code", s.Do("GET", publicAnnualPath("34010", "2026"), "", nil), "county")

		// Other counties' users cannot read it; the province can.
		adminB := s.Onboard("34", "340103")
		if r := s.Do("GET", annualPath(county, "/2026"), adminB, nil); r.Status != 403 {
			t.Errorf("another county reads: %d", r.Status)
		}
		if r := s.Do("GET", annualPath("340103", "/2026"), adminB, nil); r.Status != 404 {
			t.Errorf("own path, other county's year: %d", r.Status)
		}
		prov := s.ProvinceUser("34", "prov34_annual", "province_admin")
		s.Must(200, s.Do("GET", annualPath(county, "/2026"), prov, nil))
	})
}
