package reports_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/catalog"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/reports"
)

// ---- helpers of the report tests ----

// cst is an instant given as "YYYY-MM-DD hh:mm" Beijing time.
func cst(at string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", at, e2e.Beijing)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// repTravel moves "today" of the cases, disclosure and report rules to date,
// 10:00 Beijing time. Instants the services stamp with the wall clock
// (publication, review and warning times) do not travel: the tests move
// those rows into place with repExec.
func repTravel(s *e2e.Service, date string) {
	s.T.Helper()
	now := cst(date + " 10:00")
	f := func() time.Time { return now }
	s.Svc.Cases.Now, s.Svc.Disclosure.Now, s.Svc.Reports.Now = f, f, f
}

// repExec runs a statement directly against the database.
func repExec(s *e2e.Service, query string, args ...any) {
	s.T.Helper()
	if _, err := s.Svc.DB.Exec(query, args...); err != nil {
		s.T.Fatalf("%s: %v", query, err)
	}
}

// repFile files a request for information as the public does, "today" (the
// public endpoint is rate-limited per address, so the service is called).
func repFile(s *e2e.Service, county, name string) int64 {
	s.T.Helper()
	r, err := s.Svc.Disclosure.FileRequest(context.Background(), county, disclosure.RequestInput{Name: name, Contact: "0551-65000000",
		Description: "申请公开" + name + "所需的政府信息"})
	if err != nil {
		s.T.Fatalf("file request %s: %v", name, err)
	}
	return r.ID
}

// repAnswer answers a request through the API, "today".
func repAnswer(s *e2e.Service, token, county string, id int64, outcome, reason string) {
	s.T.Helper()
	s.Must(200, s.Do("POST", "/api/v1/counties/"+county+"/info-requests/"+e2e.Itoa(id)+"/answer", token,
		map[string]any{"outcome": outcome, "reason": reason, "answer": "答复内容"}))
}

func disclosurePath(county, rest string) string {
	return "/api/v1/counties/" + county + "/disclosures" + rest
}

// repRecord writes a proactive record as the clerk and submits it for review.
func repRecord(s *e2e.Service, d e2e.CaseDesk, title, category, formedOn string) int64 {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", disclosurePath(d.County, ""), d.Clerk,
		map[string]any{"title": title, "category": category, "body": "<p>" + title + "</p>", "formed_on": formedOn}))
	id := e2e.Num(r.Body["id"])
	s.Must(200, s.Do("POST", disclosurePath(d.County, "/"+e2e.Itoa(id)+"/submit"), d.Clerk, nil))
	return id
}

// repReview records the reviewer's decision and moves the review's times.
func repReview(s *e2e.Service, d e2e.CaseDesk, id int64, decision, submitted, decided string) {
	s.T.Helper()
	body := map[string]any{"decision": decision}
	if decision == "reject" {
		body["opinion"] = "涉及个人信息，请修改"
	}
	s.Must(200, s.Do("POST", disclosurePath(d.County, "/"+e2e.Itoa(id)+"/review"), d.Reviewer, body))
	var review int64
	if err := s.Svc.DB.Get(&review, `SELECT MAX(id) FROM disclosure_reviews WHERE record_id = ?`, id); err != nil {
		s.T.Fatal(err)
	}
	repExec(s, `UPDATE disclosure_reviews SET submitted_at = ?, decided_at = ? WHERE id = ?`, cst(submitted), cst(decided), review)
}

// repPublish publishes an approved record as the reviewer at the instant given.
func repPublish(s *e2e.Service, d e2e.CaseDesk, id int64, at string) {
	s.T.Helper()
	s.Must(200, s.Do("POST", disclosurePath(d.County, "/"+e2e.Itoa(id)+"/publish"), d.Reviewer, nil))
	repExec(s, `UPDATE disclosure_records SET published_at = ? WHERE id = ?`, cst(at), id)
}

// repPublishedRecord writes, approves and publishes a record "today".
func repPublishedRecord(s *e2e.Service, d e2e.CaseDesk, title, category, formedOn string) int64 {
	s.T.Helper()
	id := repRecord(s, d, title, category, formedOn)
	s.Must(200, s.Do("POST", disclosurePath(d.County, "/"+e2e.Itoa(id)+"/review"), d.Reviewer, map[string]any{"decision": "approve"}))
	s.Must(200, s.Do("POST", disclosurePath(d.County, "/"+e2e.Itoa(id)+"/publish"), d.Reviewer, nil))
	return id
}

// infoContent is a complete information item.
func infoContent() map[string]any {
	return map[string]any{"summary": "本区安全生产规范性文件", "responsible_unit": "区应急管理局办公室", "channel": "区政府门户网站",
		"time_limit": "20个工作日内", "disclosure_mode": "proactive"}
}

// repCase opens a case of item "today" and has the clerk accept it.
func repCase(s *e2e.Service, d e2e.CaseDesk, item string) int64 {
	s.T.Helper()
	c := s.NewCase(d.Clerk, d.County, e2e.CaseBody(item))
	s.MustAct(d.Clerk, d.County, c.ID, "accept")
	return c.ID
}

func countyReportsPath(county, rest string) string {
	return "/api/v1/counties/" + county + "/reports" + rest
}

func provinceReportsPath(province, rest string) string {
	return "/api/v1/provinces/" + province + "/reports" + rest
}

// decodeReport reads a report answer.
func decodeReport(t testing.TB, r e2e.Response) reports.View {
	t.Helper()
	var v reports.View
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("decode report: %v: %s", err, r.Raw)
	}
	return v
}

func september() map[string]any { return map[string]any{"period_kind": "month", "date": "2026-09-15"} }

// reportIDs lists the ids in a report list answer.
func reportIDs(t testing.TB, r e2e.Response) []int64 {
	t.Helper()
	items, _ := r.Body["items"].([]any)
	out := []int64{}
	for _, it := range items {
		out = append(out, e2e.Num(it.(map[string]any)["id"]))
	}
	if e2e.Num(r.Body["total"]) != int64(len(out)) {
		t.Errorf("total %v for %d items", r.Body["total"], len(out))
	}
	return out
}

func containsInt(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ---- the data set ----

// reportDesks are the two counties of the report tests with their staff.
type reportDesks struct{ a, b e2e.CaseDesk }

// seedSeptember builds the data set of September 2026 in 瑶海区 (A, 340102)
// and 庐阳区 (B, 340103), day by day. The national calendar of September 2026:
// Sunday 09-20 is a make-up working day, 09-25 (Fri) to 09-27 are off for
// Mid-Autumn, 10-01 to 10-07 for National Day, Saturday 10-10 is worked.
//
// Catalog (created 08-01, published 08-15): A publishes information item 1,
// 274 (licensing, steps), 281 (other power, steps) and its own penalty item
// CF-001 (steps, one discretion standard); B publishes 274.
//
// Cases of 274 (promised 13 working days) and 281 (promised 10):
//
//	A6 274 received 08-31, approved 09-04: 4 working days (09-01..04), on time
//	A1 274 received 09-01, approved 09-08: 5 (09-02..04, 07, 08), on time; delivered 09-09
//	A2 274 received 09-01, approved 09-18: 13, on time (promised deadline 09-18)
//	A3 274 received 09-02, denied 09-24: 17 (09-03..18 = 12, 20, 21..24), late
//	   (deadline 09-20, the make-up Sunday); delivered 09-28
//	A4 274 received 09-03, deadline 09-21, still open on 09-30: overdue at the
//	   end of September; approved 10-09
//	A5 274 received 09-28, open, deadline 10-21 (overdue at the end of October)
//	A7 274 received 09-10, not accepted the same day
//	A8 281 received 09-07, approved 09-11: 4, on time
//	B1 274 received 09-07, approved 09-10: 3, on time
//	B2 274 received 09-07, approved 09-29: 16 (09-08..11 4, 14..18 9, 20..24 14, 28, 29), late (deadline 09-23)
//
// The overdue job runs on 09-22: A3 and A4 turn red, B2 (due 09-23, the next
// working day) yellow.
//
// Records of A (20 working days to publish): D1 formed 09-01 (due 09-29),
// reviewed 2 h, published 09-10, on time; D2 formed 08-03 (due 08-31), reviewed
// 24 h, published 09-15, late; D3 formed 09-01, rejected after 1 h, approved
// after 48 h, published 09-16, on time; D4 formed 09-28, approved on 09-30
// after 25 h, published 10-12. Reviews in September: 5, one rejection, 100 h.
//
// Requests (20 working days to answer): R3 received 08-03 (due 08-31),
// answered 09-04 unable (late); R1 09-01 → 09-10 disclosed; R2 09-02 → 09-15
// not disclosed; R4 09-20 → 10-12 partly disclosed; R5 09-21 → 09-30 other;
// B's RB1 09-08 → 09-09 disclosed.
func seedSeptember(s *e2e.Service) (reportDesks, map[string]int64) {
	s.T.Helper()
	a := s.CaseDesk("340102")
	s.PublishItem(a, "281", e2e.QtContent())
	e2e.PenaltyItemPublished(s, "340102", a.Admin)
	s.PublishItem(a, "1", infoContent())
	b := s.CaseDesk("340103")
	repExec(s, `UPDATE catalog_items SET created_at = ? WHERE county_code IN ('340102', '340103')`, cst("2026-08-01 09:00"))
	repExec(s, `UPDATE catalog_versions SET published_at = ? WHERE county_code IN ('340102', '340103') AND published_at IS NOT NULL`,
		cst("2026-08-15 10:00"))

	ids := map[string]int64{}
	day := func(date string) { repTravel(s, date) }
	day("2026-08-03")
	ids["R3"] = repFile(s, a.County, "R3")
	day("2026-08-31")
	ids["A6"] = repCase(s, a, "274")
	day("2026-09-01")
	ids["A1"] = repCase(s, a, "274")
	ids["A2"] = repCase(s, a, "274")
	ids["R1"] = repFile(s, a.County, "R1")
	day("2026-09-02")
	ids["A3"] = repCase(s, a, "274")
	ids["R2"] = repFile(s, a.County, "R2")
	day("2026-09-03")
	ids["A4"] = repCase(s, a, "274")
	if c := s.GetCase(a.Clerk, a.County, ids["A4"]); c.PromisedDeadline != "2026-09-21" {
		s.T.Fatalf("A4 promised deadline %s", c.PromisedDeadline)
	}
	day("2026-09-04")
	s.MustAct(a.Reviewer, a.County, ids["A6"], "approve")
	repAnswer(s, a.Clerk, a.County, ids["R3"], "unable", "not_held")
	day("2026-09-07")
	ids["A8"] = repCase(s, a, "281")
	ids["B1"] = repCase(s, b, "274")
	ids["B2"] = repCase(s, b, "274")
	day("2026-09-08")
	s.MustAct(a.Reviewer, a.County, ids["A1"], "approve")
	ids["RB1"] = repFile(s, b.County, "RB1")
	day("2026-09-09")
	s.MustAct(a.Clerk, a.County, ids["A1"], "deliver")
	repAnswer(s, b.Clerk, b.County, ids["RB1"], "disclosed", "")
	day("2026-09-10")
	c := s.NewCase(a.Clerk, a.County, e2e.CaseBody("274"))
	ids["A7"] = c.ID
	s.MustAct(a.Clerk, a.County, c.ID, "not_accept", "reason", "不属于本机关职权范围")
	s.MustAct(b.Reviewer, b.County, ids["B1"], "approve")
	ids["D1"] = repRecord(s, a, "D1 2026年9月安全生产执法检查计划", "1", "2026-09-01")
	repReview(s, a, ids["D1"], "approve", "2026-09-10 09:00", "2026-09-10 11:00")
	repPublish(s, a, ids["D1"], "2026-09-10 15:00")
	repAnswer(s, a.Clerk, a.County, ids["R1"], "disclosed", "")
	day("2026-09-11")
	s.MustAct(a.Reviewer, a.County, ids["A8"], "approve")
	ids["D3"] = repRecord(s, a, "D3 关于开展危险化学品专项整治的通知", "1", "2026-09-01")
	repReview(s, a, ids["D3"], "reject", "2026-09-11 09:00", "2026-09-11 10:00")
	day("2026-09-14")
	ids["D2"] = repRecord(s, a, "D2 2026年8月烟花爆竹经营许可办理情况", "1", "2026-08-03")
	s.Must(200, s.Do("PUT", disclosurePath(a.County, "/"+e2e.Itoa(ids["D3"])), a.Clerk,
		map[string]any{"title": "D3 关于开展危险化学品专项整治的通知（修改稿）", "category": "1", "body": "<p>已删除个人信息</p>", "formed_on": "2026-09-01"}))
	s.Must(200, s.Do("POST", disclosurePath(a.County, "/"+e2e.Itoa(ids["D3"])+"/submit"), a.Clerk, nil))
	day("2026-09-15")
	repReview(s, a, ids["D2"], "approve", "2026-09-14 09:00", "2026-09-15 09:00")
	repPublish(s, a, ids["D2"], "2026-09-15 10:00")
	repAnswer(s, a.Clerk, a.County, ids["R2"], "not_disclosed", "state_secret")
	day("2026-09-16")
	repReview(s, a, ids["D3"], "approve", "2026-09-14 09:00", "2026-09-16 09:00")
	repPublish(s, a, ids["D3"], "2026-09-16 10:00")
	day("2026-09-18")
	s.MustAct(a.Reviewer, a.County, ids["A2"], "approve")
	day("2026-09-20")
	ids["R4"] = repFile(s, a.County, "R4")
	day("2026-09-21")
	ids["R5"] = repFile(s, a.County, "R5")
	day("2026-09-22")
	// R5 is unclear: the requester is told to correct it (条例 第三十条),
	// and never does (closed as 逾期不补正 on 09-30).
	s.Must(200, s.Do("POST", "/api/v1/counties/"+a.County+"/info-requests/"+e2e.Itoa(ids["R5"])+"/correction", a.Clerk,
		map[string]string{"notified_on": "2026-09-22", "content": "请写明所需信息的名称或文号", "due_on": "2026-09-29"}))
	s.RunOverdue(s.AdminToken())
	repExec(s, `UPDATE case_events SET at = ? WHERE kind LIKE '%flag_%'`, cst("2026-09-22 10:00"))
	for _, w := range []struct {
		id   int64
		kind string
	}{{ids["A3"], "flag_red"}, {ids["A4"], "flag_red"}, {ids["B2"], "flag_yellow"}} {
		if n := s.FlagEvents(w.id, w.kind); n != 1 {
			s.T.Fatalf("case %d: %d %s events", w.id, n, w.kind)
		}
	}
	day("2026-09-24")
	s.MustAct(a.Reviewer, a.County, ids["A3"], "deny", "reason", "经营场所不符合安全条件")
	day("2026-09-28")
	s.MustAct(a.Clerk, a.County, ids["A3"], "deliver")
	ids["A5"] = repCase(s, a, "274")
	day("2026-09-29")
	s.MustAct(b.Reviewer, b.County, ids["B2"], "approve")
	ids["D4"] = repRecord(s, a, "D4 国庆节前安全生产检查通报", "1", "2026-09-28")
	day("2026-09-30")
	repReview(s, a, ids["D4"], "approve", "2026-09-29 09:00", "2026-09-30 10:00")
	repAnswer(s, a.Clerk, a.County, ids["R5"], "other", "no_correction")

	// Every decision fell as planned.
	for name, want := range map[string]bool{"A6": true, "A1": true, "A2": true, "A3": false, "A8": true, "B1": true, "B2": false} {
		d := a
		if name[0] == 'B' {
			d = b
		}
		if c := s.GetCase(d.Clerk, d.County, ids[name]); c.OnTime == nil || *c.OnTime != want {
			s.T.Fatalf("case %s on time %v, want %v (decided %s, promised %s)", name, c.OnTime, want, e2e.Str(c.DecidedOn), c.PromisedDeadline)
		}
	}
	return reportDesks{a, b}, ids
}

// seedOctober adds what happens after September: decisions, a publication,
// an answer and a new case, a new catalog item and new published versions.
func seedOctober(s *e2e.Service, desks reportDesks, ids map[string]int64) {
	s.T.Helper()
	a := desks.a
	repTravel(s, "2026-10-09")
	s.MustAct(a.Reviewer, a.County, ids["A4"], "approve")
	repTravel(s, "2026-10-12")
	repPublish(s, a, ids["D4"], "2026-10-12 10:00")
	repAnswer(s, a.Clerk, a.County, ids["R4"], "partly_disclosed", "")
	ids["A9"] = repCase(s, a, "274")
	repTravel(s, "2026-10-13")
	s.MustAct(a.Reviewer, a.County, ids["A9"], "approve")

	// The catalog changes in October: 275 published (with its flowchart), a
	// second standard for CF-001, a new penalty item drafted.
	s.PublishItem(a, "275", e2e.With(e2e.FireworksContent(), "item_code", "XK-275"))
	repExec(s, `UPDATE catalog_versions SET published_at = ? WHERE county_code = ? AND code = '275'`, cst("2026-10-15 10:00"), a.County)
	pc := e2e.PenaltyContent()
	std := pc["discretion"].([]map[string]any)
	second := map[string]any{}
	for k, v := range std[0] {
		second[k] = v
	}
	second["id"], second["violation"] = "CF-001-2", "未如实记录安全生产教育和培训情况"
	s.Must(200, s.Do("PUT", e2e.CatPath(a.County, "/CF-001"), a.Admin, e2e.With(pc, "discretion", []map[string]any{std[0], second})))
	s.Must(200, s.Do("POST", e2e.CatPath(a.County, "/CF-001/publish"), a.Admin, nil))
	repExec(s, `UPDATE catalog_versions SET published_at = ? WHERE county_code = ? AND code = 'CF-001' AND version = 2`,
		cst("2026-10-20 10:00"), a.County)
	if n := s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ? AND code = 'CF-001' AND published_at IS NOT NULL`, a.County); n != 2 {
		s.T.Fatalf("CF-001 has %d published versions", n)
	}
	s.Must(201, s.Do("POST", e2e.CatPath(a.County, ""), a.Admin,
		map[string]any{"code": "CF-002", "category": "power", "name": "对未按规定设置安全生产管理机构的处罚"}))
	repExec(s, `UPDATE catalog_items SET created_at = ? WHERE county_code = ? AND code = 'CF-002'`, cst("2026-10-10 09:00"), a.County)
}

// Expected September figures (see seedSeptember).
func septemberA() reports.CountyFigures {
	return reports.CountyFigures{County: "340102", CountyName: "瑶海区",
		Catalog: reports.CatalogFigures{
			ItemsByCategory:     map[string]int{"information": 20, "power": 12},
			PublishedByCategory: map[string]int{"information": 1, "power": 3},
			FlowchartsPublished: 3, StandardsPublished: 1, PowersTotal: 3,
			Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 1}, {PowerType: "CF", Status: "kept", Count: 1},
				{PowerType: "QT", Status: "kept", Count: 1}},
			Cleanup: catalog.CleanupSummary{Before: 11, Pending: 11, ByResult: map[string]int{}},
		},
		Disclosure: reports.DisclosureFigures{Published: 3, PublishedOnTime: 2, PublishedLate: 1, Reviews: 5, Rejections: 1, AvgReviewHours: 20},
		Requests: reports.RequestFigures{Received: 4, Answered: 4, AnsweredOnTime: 3,
			Outcomes: map[string]int{"disclosed": 1, "not_disclosed": 1, "unable": 1, "other": 1}},
		Cases: reports.CaseFigures{Received: 7, Completed: 2, Decided: 5, DecidedOnTime: 4, OnTimeRate: 0.8, OverdueAtEnd: 1, Warnings: 2,
			ByItem: []reports.ItemTiming{
				// 4 5 13 17: mean 39/4 = 9.75 → 9.8; nearest rank ceil(3.6) = 4 → 17.
				{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", Decided: 4, AvgWorkdays: 9.8, P90Workdays: 17},
				{Item: "281", Name: "生产经营单位安全生产事故应急救援预案备案", Decided: 1, AvgWorkdays: 4, P90Workdays: 4},
			}},
		// Licences granted in September: A6, A1, A2 (A3 was refused; A8's 281
		// is a 备案, not a licence).
		Enforcement: reports.EnforcementFigures{LicencesGranted: 3},
	}
}

func septemberB() reports.CountyFigures {
	return reports.CountyFigures{County: "340103", CountyName: "庐阳区",
		Catalog: reports.CatalogFigures{
			ItemsByCategory:     map[string]int{"information": 20, "power": 11},
			PublishedByCategory: map[string]int{"power": 1},
			FlowchartsPublished: 1, PowersTotal: 1,
			Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 1}},
			Cleanup:   catalog.CleanupSummary{Before: 11, Pending: 11, ByResult: map[string]int{}},
		},
		Disclosure: reports.DisclosureFigures{},
		Requests:   reports.RequestFigures{Received: 1, Answered: 1, AnsweredOnTime: 1, Outcomes: map[string]int{"disclosed": 1}},
		Cases: reports.CaseFigures{Received: 2, Decided: 2, DecidedOnTime: 1, OnTimeRate: 0.5, Warnings: 1,
			ByItem: []reports.ItemTiming{
				// 3 16: mean 9.5; rank ceil(1.8) = 2 → 16.
				{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", Decided: 2, AvgWorkdays: 9.5, P90Workdays: 16},
			}},
		Enforcement: reports.EnforcementFigures{LicencesGranted: 2}, // B1 and B2
	}
}

func sameFigures(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

// TestReportFigures compiles the county reports of September 2026 from the
// data set of seedSeptember and checks every figure; recompiles them after
// October's data arrived and gets the same; compiles October; sums the two
// counties into the province's report; and runs the monthly report job on
// 2026-10-01, twice.
func TestReportFigures(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		desks, ids := seedSeptember(s)
		a, b := desks.a, desks.b
		prov := s.ProvinceUser("34", "prov34_reports", "province_admin")

		repTravel(s, "2026-10-08")
		if r := s.Do("POST", countyReportsPath(a.County, ""), a.Clerk, september()); r.Status != 403 {
			t.Errorf("the clerk compiles: %d", r.Status)
		}
		s.MustInvalid("bad period", s.Do("POST", countyReportsPath(a.County, ""), a.Admin, map[string]any{"period_kind": "week", "date": "2026-09-15"}),
			"period_kind")
		va := decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(a.County, ""), a.Admin, september())))
		if va.Kind != "county" || va.Region != a.County || va.ProvinceCode != "34" || va.PeriodKind != "month" || va.PeriodStart != "2026-09-01" ||
			va.PeriodEnd != "2026-09-30" || va.Status != "draft" || va.County == nil || va.Province != nil ||
			va.Title != "瑶海区安全生产政务公开和政务服务试点工作总结（2026年9月）" {
			t.Fatalf("county report: %+v", va.Report)
		}
		sameFigures(t, "瑶海区, September", *va.County, septemberA())
		vb := decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(b.County, ""), b.Admin, september())))
		sameFigures(t, "庐阳区, September", *vb.County, septemberB())
		firstA, _ := json.Marshal(va.County)

		// October's data does not change September's figures.
		seedOctober(s, desks, ids)
		// An October clean-up decision: 278 confirmed as 取消 (the template
		// already says so, so the catalog is unchanged).
		s.Must(200, s.Do("POST", "/api/v1/counties/"+a.County+"/cleanup/278/confirm", a.Admin, nil))
		repExec(s, `UPDATE catalog_cleanup SET decided_at = ? WHERE county_code = ?`, cst("2026-10-20 10:00"), a.County)
		again := decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(a.County, ""), a.Admin, september())))
		if again.ID != va.ID {
			t.Errorf("recompiling made a new report %d (was %d)", again.ID, va.ID)
		}
		sameFigures(t, "瑶海区, September, recompiled after October", *again.County, septemberA())
		if j, _ := json.Marshal(again.County); string(j) != string(firstA) {
			t.Errorf("recompiled figures differ:\n%s\n%s", j, firstA)
		}

		// October: A4 decided late after 21 working days (09-04 … 09-30 = 19,
		// 10-08, 10-09), A9 on time after 1; A5 overdue at the month's end.
		repTravel(s, "2026-11-02")
		oct := decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(a.County, ""), a.Admin,
			map[string]any{"period_kind": "month", "date": "2026-10-31"})))
		sameFigures(t, "瑶海区, October", *oct.County, reports.CountyFigures{County: "340102", CountyName: "瑶海区",
			Catalog: reports.CatalogFigures{
				ItemsByCategory:     map[string]int{"information": 20, "power": 13},
				PublishedByCategory: map[string]int{"information": 1, "power": 4},
				FlowchartsPublished: 4, StandardsPublished: 2, PowersTotal: 4,
				Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 2}, {PowerType: "CF", Status: "kept", Count: 1},
					{PowerType: "QT", Status: "kept", Count: 1}},
				// The October decision counts in October only.
				Cleanup: catalog.CleanupSummary{Before: 11, Decided: 1, Pending: 10, ByResult: map[string]int{"cancelled": 1}},
			},
			Disclosure: reports.DisclosureFigures{Published: 1, PublishedOnTime: 1},
			Requests:   reports.RequestFigures{Answered: 1, AnsweredOnTime: 1, Outcomes: map[string]int{"partly_disclosed": 1}},
			Cases: reports.CaseFigures{Received: 1, Decided: 2, DecidedOnTime: 1, OnTimeRate: 0.5, OverdueAtEnd: 1,
				ByItem: []reports.ItemTiming{{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", Decided: 2, AvgWorkdays: 11, P90Workdays: 21}}},
			Enforcement: reports.EnforcementFigures{LicencesGranted: 2}, // A4 and A9
		})

		// The province's report sums its two counties and lists them.
		if r := s.Do("POST", provinceReportsPath("34", ""), a.Admin, september()); r.Status != 403 {
			t.Errorf("a county administrator compiles the province's report: %d", r.Status)
		}
		vp := decodeReport(t, s.Must(201, s.Do("POST", provinceReportsPath("34", ""), prov, september())))
		if vp.Kind != "province" || vp.Region != "34" || vp.Province == nil || vp.County != nil ||
			vp.Title != "安徽省安全生产政务公开和政务服务试点工作总结（2026年9月）" {
			t.Fatalf("province report: %+v", vp.Report)
		}
		pf := vp.Province
		if len(pf.Counties) != 2 {
			t.Fatalf("province lists %d counties", len(pf.Counties))
		}
		sameFigures(t, "province: 瑶海区", pf.Counties[0], septemberA())
		sameFigures(t, "province: 庐阳区", pf.Counties[1], septemberB())
		sameFigures(t, "province totals", pf.Totals, reports.CountyFigures{CountyName: "安徽省",
			Catalog: reports.CatalogFigures{
				ItemsByCategory:     map[string]int{"information": 40, "power": 23},
				PublishedByCategory: map[string]int{"information": 1, "power": 4},
				FlowchartsPublished: 4, StandardsPublished: 1, PowersTotal: 4,
				Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 2}, {PowerType: "CF", Status: "kept", Count: 1},
					{PowerType: "QT", Status: "kept", Count: 1}},
				Cleanup: catalog.CleanupSummary{Before: 22, Pending: 22, ByResult: map[string]int{}},
			},
			Disclosure: reports.DisclosureFigures{Published: 3, PublishedOnTime: 2, PublishedLate: 1, Reviews: 5, Rejections: 1, AvgReviewHours: 20},
			Requests: reports.RequestFigures{Received: 5, Answered: 5, AnsweredOnTime: 4,
				Outcomes: map[string]int{"disclosed": 2, "not_disclosed": 1, "unable": 1, "other": 1}},
			// 5 of 7 on time; 274 over both counties: 3 4 5 13 16 17, mean 58/6 =
			// 9.67 → 9.7, rank ceil(5.4) = 6 → 17.
			Cases: reports.CaseFigures{Received: 9, Completed: 2, Decided: 7, DecidedOnTime: 5, OnTimeRate: 0.714, OverdueAtEnd: 1, Warnings: 3,
				ByItem: []reports.ItemTiming{
					{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", Decided: 6, AvgWorkdays: 9.7, P90Workdays: 17},
					{Item: "281", Name: "生产经营单位安全生产事故应急救援预案备案", Decided: 1, AvgWorkdays: 4, P90Workdays: 4},
				}},
			Enforcement: reports.EnforcementFigures{LicencesGranted: 5},
		})
		if len(pf.Trend) != 12 || pf.Trend[0].Month != "2025-10" || pf.Trend[11].Month != "2026-09" ||
			pf.Trend[11] != (reports.TrendPoint{Month: "2026-09", Decided: 7, OnTime: 5, OnTimeRate: 0.714}) {
			t.Errorf("trend %+v", pf.Trend)
		}
		for _, p := range pf.Trend[:11] {
			if p.Decided != 0 || p.OnTime != 0 || p.OnTimeRate != 0 {
				t.Errorf("trend before September: %+v", p)
			}
		}

		// The job on the first of October compiles September and the third
		// quarter for both counties and the province; running it again
		// changes nothing.
		before := s.CountRows(`SELECT COUNT(*) FROM reports`)
		repTravel(s, "2026-10-01")
		for run := 1; run <= 2; run++ {
			r := s.Must(200, s.Do("POST", "/api/v1/jobs/reports/run", s.AdminToken(), nil))
			if r.Body["status"] != "succeeded" || r.Body["detail"] != "2026年9月：3份；2026年第3季度：3份" {
				t.Errorf("run %d: %s", run, r.Raw)
			}
			if n := s.CountRows(`SELECT COUNT(*) FROM reports`); n != before+3 {
				t.Errorf("run %d: %d reports, want %d", run, n, before+3)
			}
			if n := s.CountRows(`SELECT COUNT(*) FROM reports WHERE period_kind = 'month' AND period_start = '2026-09-01'`); n != 3 {
				t.Errorf("run %d: %d September reports", run, n)
			}
			if n := s.CountRows(`SELECT COUNT(*) FROM reports WHERE period_kind = 'quarter' AND period_start = '2026-07-01'`); n != 3 {
				t.Errorf("run %d: %d third-quarter reports", run, n)
			}
			got := decodeReport(t, s.Must(200, s.Do("GET", countyReportsPath(b.County, "/"+e2e.Itoa(vb.ID)), b.Clerk, nil)))
			sameFigures(t, "庐阳区, September, after the job", *got.County, septemberB())
			got = decodeReport(t, s.Must(200, s.Do("GET", provinceReportsPath("34", "/"+e2e.Itoa(vp.ID)), prov, nil)))
			sameFigures(t, "province, September, after the job", got.Province.Totals.Cases, vp.Province.Totals.Cases)
		}
		var q3 int64
		if err := s.Svc.DB.Get(&q3, `SELECT id FROM reports WHERE kind = 'county' AND region = ? AND period_kind = 'quarter'`, a.County); err != nil {
			t.Fatal(err)
		}
		vq := decodeReport(t, s.Must(200, s.Do("GET", countyReportsPath(a.County, "/"+e2e.Itoa(q3)), a.Admin, nil)))
		// The quarter adds August: A6 received 08-31, R3 received 08-03.
		if vq.Title != "瑶海区安全生产政务公开和政务服务试点工作总结（2026年第3季度）" || vq.County.Cases.Received != 8 ||
			vq.County.Cases.Decided != 5 || vq.County.Requests.Received != 5 || vq.County.Requests.Answered != 4 ||
			!reflect.DeepEqual(vq.County.Cases.ByItem, septemberA().Cases.ByItem) || vq.County.Disclosure != septemberA().Disclosure {
			t.Errorf("third quarter: %+v", vq.County)
		}
		// Only national and province administrators trigger it.
		if r := s.Do("POST", "/api/v1/jobs/reports/run", a.Admin, nil); r.Status != 403 {
			t.Errorf("a county administrator runs the job: %d", r.Status)
		}
	})
}

// TestReportWorkflow: a county report goes up to the province, comes back
// with comments, goes up again and is accepted; a submitted report is frozen;
// the province's report goes up to the national administration; nobody
// reads another region's reports.
func TestReportWorkflow(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		a := s.CaseDesk("340102")
		adminB := s.Onboard("34", "340103")
		prov := s.ProvinceUser("34", "prov34_flow", "province_admin")
		provJS := s.ProvinceUser("32", "prov32_flow", "province_admin")
		national := s.AdminToken()
		provID := s.UserID(prov)

		repTravel(s, "2026-09-07")
		first := repCase(s, a, "274")
		repTravel(s, "2026-09-08")
		s.MustAct(a.Reviewer, a.County, first, "approve")

		repTravel(s, "2026-10-08")
		v := decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(a.County, ""), a.Admin, september())))
		id := e2e.Itoa(v.ID)
		if v.County.Cases.Decided != 1 || v.Status != "draft" || v.StatusTitle != "草稿" {
			t.Fatalf("compiled: %+v", v)
		}
		// A draft is the county's own: the province neither lists nor reads it.
		if ids := reportIDs(t, s.Must(200, s.Do("GET", provinceReportsPath("34", ""), prov, nil))); containsInt(ids, v.ID) {
			t.Errorf("the province lists a county draft")
		}
		s.Must(404, s.Do("GET", provinceReportsPath("34", "/"+id), prov, nil))

		// Submitting needs the three parts of the narrative.
		r := s.Do("POST", countyReportsPath(a.County, "/"+id+"/submit"), a.Admin, nil)
		s.MustInvalid("submit without narrative", r, "narrative")
		s.Must(200, s.Do("PUT", countyReportsPath(a.County, "/"+id+"/narrative"), a.Admin, map[string]any{"experience": "推行“一窗受理”"}))
		s.MustInvalid("submit with part of the narrative", s.Do("POST", countyReportsPath(a.County, "/"+id+"/submit"), a.Admin, nil), "narrative")
		narrative := map[string]any{"experience": "推行“一窗受理”", "problems": "部分事项办理超期", "next_steps": "加强超期预警"}
		if r := s.Do("PUT", countyReportsPath(a.County, "/"+id+"/narrative"), a.Clerk, narrative); r.Status != 403 {
			t.Errorf("the clerk writes the narrative: %d", r.Status)
		}
		s.Must(200, s.Do("PUT", countyReportsPath(a.County, "/"+id+"/narrative"), a.Admin, narrative))
		if r := s.Do("POST", countyReportsPath(a.County, "/"+id+"/submit"), a.Clerk, nil); r.Status != 403 {
			t.Errorf("the clerk submits: %d", r.Status)
		}
		v = decodeReport(t, s.Must(200, s.Do("POST", countyReportsPath(a.County, "/"+id+"/submit"), a.Admin, nil)))
		if v.Status != "submitted" || v.SubmittedAt == nil || v.SubmittedBy != a.AdminID || v.Narrative.Problems != "部分事项办理超期" {
			t.Fatalf("submitted: %+v", v)
		}
		submitted := v

		// Frozen: a new decision of September arrives; the narrative cannot
		// change and recompiling returns the figures as submitted.
		repTravel(s, "2026-09-15")
		late := repCase(s, a, "274")
		s.MustAct(a.Reviewer, a.County, late, "approve")
		repTravel(s, "2026-10-09")
		r = s.Do("PUT", countyReportsPath(a.County, "/"+id+"/narrative"), a.Admin, e2e.With(narrative, "problems", "改"))
		if r.Status != 409 || r.ErrorCode() != "report_frozen" {
			t.Errorf("editing a submitted report: %d %s", r.Status, r.Raw)
		}
		again := decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(a.County, ""), a.Admin, september())))
		if again.ID != v.ID || again.Status != "submitted" || !reflect.DeepEqual(again.County, submitted.County) ||
			again.Narrative != submitted.Narrative || !again.CompiledAt.Equal(submitted.CompiledAt) {
			t.Errorf("recompiling a submitted report changed it: %+v", again)
		}
		if r := s.Do("POST", countyReportsPath(a.County, "/"+id+"/submit"), a.Admin, nil); r.Status != 409 || r.ErrorCode() != "report_frozen" {
			t.Errorf("submitting twice: %d %s", r.Status, r.Raw)
		}

		// The province reads it, returns it with a comment (required).
		if ids := reportIDs(t, s.Must(200, s.Do("GET", provinceReportsPath("34", ""), prov, nil))); !containsInt(ids, v.ID) {
			t.Errorf("the province does not list the submitted report: %v", ids)
		}
		s.Must(200, s.Do("GET", provinceReportsPath("34", "/"+id), prov, nil))
		s.MustInvalid("return without comment", s.Do("POST", provinceReportsPath("34", "/"+id+"/return"), prov, map[string]any{"comment": " "}), "comment")
		if r := s.Do("POST", provinceReportsPath("34", "/"+id+"/return"), a.Admin, map[string]any{"comment": "x"}); r.Status != 403 {
			t.Errorf("the county returns its own report: %d", r.Status)
		}
		v = decodeReport(t, s.Must(200, s.Do("POST", provinceReportsPath("34", "/"+id+"/return"), prov,
			map[string]any{"comment": "请补充超期原因分析"})))
		if v.Status != "returned" || v.ReviewComment != "请补充超期原因分析" {
			t.Fatalf("returned: %+v", v.Report)
		}

		// The county edits, recompiles (now the late decision counts) and resubmits.
		v = decodeReport(t, s.Must(200, s.Do("GET", countyReportsPath(a.County, "/"+id), a.Clerk, nil)))
		if v.Status != "returned" || v.StatusTitle != "已退回修改" || v.ReviewComment != "请补充超期原因分析" {
			t.Errorf("the county sees %+v", v.Report)
		}
		s.Must(200, s.Do("PUT", countyReportsPath(a.County, "/"+id+"/narrative"), a.Admin,
			e2e.With(narrative, "problems", "部分事项办理超期，原因是现场核查安排不及时")))
		v = decodeReport(t, s.Must(201, s.Do("POST", countyReportsPath(a.County, ""), a.Admin, september())))
		if v.Status != "returned" || v.County.Cases.Decided != 2 {
			t.Errorf("recompiled after return: status %s decided %d", v.Status, v.County.Cases.Decided)
		}
		v = decodeReport(t, s.Must(200, s.Do("POST", countyReportsPath(a.County, "/"+id+"/submit"), a.Admin, nil)))
		if v.Status != "submitted" || v.Narrative.Problems != "部分事项办理超期，原因是现场核查安排不及时" {
			t.Fatalf("resubmitted: %+v", v)
		}
		v = decodeReport(t, s.Must(200, s.Do("POST", provinceReportsPath("34", "/"+id+"/accept"), prov, map[string]any{"comment": "同意"})))
		if v.Status != "accepted" || v.StatusTitle != "省级已审核" || v.ReviewComment != "同意" {
			t.Fatalf("accepted: %+v", v.Report)
		}
		for _, q := range []struct{ path, token string }{
			{countyReportsPath(a.County, "/"+id+"/submit"), a.Admin},
			{provinceReportsPath("34", "/"+id+"/accept"), prov},
			{provinceReportsPath("34", "/"+id+"/return"), prov},
		} {
			if r := s.Do("POST", q.path, q.token, map[string]any{"comment": "再改"}); r.Status != 409 || r.ErrorCode() != "report_frozen" {
				t.Errorf("POST %s on an accepted report: %d %s", q.path, r.Status, r.Raw)
			}
		}

		// The province's own report goes up and is frozen.
		pv := decodeReport(t, s.Must(201, s.Do("POST", provinceReportsPath("34", ""), prov, september())))
		pid := e2e.Itoa(pv.ID)
		if len(pv.Province.Counties) != 2 || pv.Province.Counties[0].County != "340102" || pv.Province.Counties[1].County != "340103" ||
			pv.Province.Totals.Cases.Decided != 2 {
			t.Errorf("province report: %+v", pv.Province)
		}
		s.MustInvalid("province submits without narrative", s.Do("POST", provinceReportsPath("34", "/"+pid+"/submit"), prov, nil), "narrative")
		s.Must(200, s.Do("PUT", provinceReportsPath("34", "/"+pid+"/narrative"), prov,
			map[string]any{"experience": "全省试点县统一目录", "problems": "县际进度不一", "next_steps": "扩大试点"}))
		if r := s.Do("POST", provinceReportsPath("34", "/"+id+"/submit"), prov, nil); r.Status != 409 {
			t.Errorf("the province submits a county's report: %d %s", r.Status, r.Raw)
		}
		pv = decodeReport(t, s.Must(200, s.Do("POST", provinceReportsPath("34", "/"+pid+"/submit"), prov, nil)))
		if pv.Status != "submitted" || pv.SubmittedBy != provID {
			t.Fatalf("province submitted: %+v", pv.Report)
		}
		if r := s.Do("PUT", provinceReportsPath("34", "/"+pid+"/narrative"), prov, map[string]any{"experience": "改"}); r.Status != 409 ||
			r.ErrorCode() != "report_frozen" {
			t.Errorf("editing the submitted province report: %d %s", r.Status, r.Raw)
		}
		frozen := decodeReport(t, s.Must(201, s.Do("POST", provinceReportsPath("34", ""), prov, september())))
		if frozen.ID != pv.ID || !reflect.DeepEqual(frozen.Province, pv.Province) || frozen.Status != "submitted" {
			t.Errorf("recompiling the submitted province report changed it")
		}

		// The national administrator lists and reads it, and nothing else.
		nl := s.Must(200, s.Do("GET", "/api/v1/national/reports", national, nil))
		if ids := reportIDs(t, nl); !reflect.DeepEqual(ids, []int64{pv.ID}) {
			t.Errorf("national list %v, want [%d]", ids, pv.ID)
		}
		nv := decodeReport(t, s.Must(200, s.Do("GET", "/api/v1/national/reports/"+pid, national, nil)))
		if nv.Kind != "province" || nv.Region != "34" || nv.Narrative.NextSteps != "扩大试点" || nv.Province == nil {
			t.Errorf("national view: %+v", nv.Report)
		}
		s.Must(404, s.Do("GET", "/api/v1/national/reports/"+id, national, nil))
		if r := s.Do("GET", "/api/v1/national/reports", prov, nil); r.Status != 403 {
			t.Errorf("a province administrator reads the national list: %d", r.Status)
		}

		// Another province's administrator: 403 on province 34's paths, 404
		// for 34's reports under its own.
		for _, p := range []string{provinceReportsPath("34", ""), provinceReportsPath("34", "/"+pid), provinceReportsPath("34", "/"+id)} {
			if r := s.Do("GET", p, provJS, nil); r.Status != 403 {
				t.Errorf("province 32 reads %s: %d", p, r.Status)
			}
		}
		for _, rid := range []string{pid, id} {
			if r := s.Do("GET", provinceReportsPath("32", "/"+rid), provJS, nil); r.Status != 404 {
				t.Errorf("province 32 reads report %s under its own path: %d %s", rid, r.Status, r.Raw)
			}
		}
		if r := s.Do("POST", provinceReportsPath("32", "/"+id+"/return"), provJS, map[string]any{"comment": "x"}); r.Status != 404 {
			t.Errorf("province 32 returns 34's report: %d", r.Status)
		}
		if ids := reportIDs(t, s.Must(200, s.Do("GET", provinceReportsPath("32", ""), provJS, nil))); len(ids) != 0 {
			t.Errorf("province 32 lists %v", ids)
		}

		// Another county: 403 by path, 404 by id under its own path.
		for _, p := range []string{countyReportsPath(a.County, ""), countyReportsPath(a.County, "/"+id)} {
			if r := s.Do("GET", p, adminB, nil); r.Status != 403 {
				t.Errorf("county B reads %s: %d", p, r.Status)
			}
		}
		for _, rid := range []string{id, pid} {
			if r := s.Do("GET", countyReportsPath("340103", "/"+rid), adminB, nil); r.Status != 404 {
				t.Errorf("county B reads report %s under its own path: %d", rid, r.Status)
			}
		}
		if r := s.Do("PUT", countyReportsPath("340103", "/"+id+"/narrative"), adminB, narrative); r.Status != 404 {
			t.Errorf("county B edits A's report under its own path: %d", r.Status)
		}
		// County A's own staff read it; the list is its own.
		s.Must(200, s.Do("GET", countyReportsPath(a.County, "/"+id), a.Reviewer, nil))
		if ids := reportIDs(t, s.Must(200, s.Do("GET", countyReportsPath(a.County, ""), a.Clerk, nil))); !reflect.DeepEqual(ids, []int64{v.ID}) {
			t.Errorf("county A lists %v", ids)
		}
		if r := s.Do("GET", provinceReportsPath("34", ""), a.Admin, nil); r.Status != 403 {
			t.Errorf("a county administrator reads the province's list: %d", r.Status)
		}
	})
}

// TestReportPeriodNotBegun: a summary report of a period that has not begun
// (a month of 2099, next year) is refused with 400 naming the date, for a
// county and a province, and nothing is stored; the month under way compiles.
func TestReportPeriodNotBegun(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		d := s.CaseDesk(county)
		province := s.ProvinceUser("34", "prov_admin", "province_admin")
		nextYear := strconv.Itoa(time.Now().In(e2e.Beijing).Year()+1) + "-01-15"
		for _, p := range []struct{ path, token string }{
			{countyReportsPath(county, ""), d.Admin},
			{provinceReportsPath("34", ""), province},
		} {
			for _, date := range []string{"2099-06-01", nextYear} {
				for _, kind := range []string{"month", "quarter", "year"} {
					r := s.Do("POST", p.path, p.token, map[string]string{"period_kind": kind, "date": date})
					if r.Status != 400 || r.ErrorCode() != "invalid_input" || !strings.Contains(string(r.Raw), `"date"`) {
						t.Errorf("%s %s of %s: %d, want 400 naming the date: %s", p.path, kind, date, r.Status, r.Raw)
					}
				}
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM reports`); n != 0 {
			t.Errorf("%d reports stored by refused compilations", n)
		}
		s.Must(201, s.Do("POST", countyReportsPath(county, ""), d.Admin, map[string]string{"period_kind": "month", "date": time.Now().In(e2e.Beijing).Format("2006-01-02")}))
	})
}
