package disclosure_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// fileRequest files an information request of county on the portal as of
// the disclosure clock's today, and returns its id and tracking number.
func fileRequest(s *e2e.Service, county string) (int64, string) {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", e2e.DisPublic(county, "/info-requests"), "", map[string]any{"name": "李四",
		"contact": "13912345678", "description": "辖区烟花爆竹经营许可的情况", "preferred_form": "email"}))
	tracking, _ := r.Body["tracking_no"].(string)
	var id int64
	if err := s.Svc.DB.Get(&id, `SELECT id FROM info_requests WHERE tracking_no = ?`, tracking); err != nil {
		s.T.Fatal(err)
	}
	return id, tracking
}

// correctionBody is a complete 补正 notice dated notified: what to correct
// and a period of ten days (条例 第三十条).
func correctionBody(notified string) map[string]any {
	d, err := time.Parse("2006-01-02", notified)
	if err != nil {
		panic(err)
	}
	return map[string]any{"notified_on": notified, "content": "请写明所需信息的文件名称、文号或者其他特征描述",
		"due_on": d.AddDate(0, 0, 10).Format("2006-01-02")}
}

// TestRequestCorrection: 政府信息公开条例 第三十条. A request received on
// 2026-09-24 (Thu) may be sent back for correction within 7 working days of
// its receipt — through 2026-10-12, counting 09-28, 29, 30, 10-08, 09, the
// worked Saturday 10-10 and 10-12 — and once only. While the requester
// corrects it no answer period runs (no deadline, not flagged, not
// answerable but as 逾期不补正); the corrected request, received on 10-13,
// has 20 working days from the day after: 10-14 … 11-10.
func TestRequestCorrection(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		disTravel(s, "2026-09-24")
		file := func() (int64, string) { return fileRequest(s, d.county) }
		path := func(id int64, rest string) string { return e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(id)+rest) }
		unclear, tracking := file()
		late, _ := file()
		abandoned, _ := file()
		plain, _ := file()

		disTravel(s, "2026-10-08")
		s.MustInvalid("a notice dated tomorrow", s.Do("POST", path(unclear, "/correction"), d.clerk, correctionBody("2026-10-09")), "notified_on")
		s.MustInvalid("a notice before the request", s.Do("POST", path(unclear, "/correction"), d.clerk, correctionBody("2026-09-23")), "notified_on")
		s.MustInvalid("no date", s.Do("POST", path(unclear, "/correction"), d.clerk, map[string]any{}), "notified_on")
		r := s.Must(200, s.Do("POST", path(unclear, "/correction"), d.clerk, correctionBody("2026-10-08")))
		if r.Body["status"] != "correcting" || r.Body["deadline"] != "" || r.Body["correction_notified_on"] != "2026-10-08" {
			t.Fatalf("after the correction notice: %s", r.Raw)
		}
		if r := s.Do("POST", path(unclear, "/correction"), d.clerk, correctionBody("2026-10-08")); r.Status != 409 {
			t.Errorf("a second correction notice: %d %s", r.Status, r.Raw)
		}
		pub := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/"+tracking), "", nil))
		if pub.Body["status"] != "correcting" || pub.Body["deadline"] != "" {
			t.Errorf("tracking while awaiting correction: %s", pub.Raw)
		}
		answer := map[string]any{"outcome": "disclosed", "answer": "见附件"}
		if r := s.Do("POST", path(unclear, "/answer"), d.clerk, answer); r.Status != 409 || r.ErrorCode() != "awaiting_correction" {
			t.Errorf("an answer while awaiting correction: %d %s", r.Status, r.Raw)
		}

		// Past the seventh working day it is too late to ask.
		disTravel(s, "2026-10-13")
		if r := s.Do("POST", path(late, "/correction"), d.clerk, correctionBody("2026-10-13")); r.Status != 409 ||
			r.ErrorCode() != "correction_too_late" {
			t.Errorf("a notice on the eighth working day: %d %s", r.Status, r.Raw)
		}
		s.Must(200, s.Do("POST", path(late, "/correction"), d.clerk, correctionBody("2026-10-12")))

		// The corrected request restarts the 20 working days.
		s.MustInvalid("corrected before the notice", s.Do("POST", path(unclear, "/corrected"), d.clerk, map[string]any{"received_on": "2026-10-07"}), "received_on")
		r = s.Must(200, s.Do("POST", path(unclear, "/corrected"), d.clerk, map[string]any{"received_on": "2026-10-13"}))
		if r.Body["status"] != "received" || r.Body["deadline"] != "2026-11-10" || r.Body["corrected_on"] != "2026-10-13" || r.Body["deadline_provisional"] != false {
			t.Fatalf("after the corrected request: %s", r.Raw)
		}
		if r := s.Do("POST", path(unclear, "/corrected"), d.clerk, map[string]any{"received_on": "2026-10-13"}); r.Status != 409 {
			t.Errorf("a second corrected request: %d %s", r.Status, r.Raw)
		}

		// 逾期不补正 closes only a request that awaited correction.
		noCorrection := map[string]any{"outcome": "other", "reason": "no_correction", "answer": "申请人逾期未补正，不再处理。"}
		if r := s.Do("POST", path(plain, "/answer"), d.clerk, noCorrection); r.Status != 409 || r.ErrorCode() != "not_awaiting_correction" {
			t.Errorf("逾期不补正 of a request never sent back: %d %s", r.Status, r.Raw)
		}
		s.Must(200, s.Do("POST", path(abandoned, "/correction"), d.clerk, correctionBody("2026-10-09")))
		disTravel(s, "2026-11-20")
		if r := s.Must(200, s.Do("POST", path(abandoned, "/answer"), d.clerk, noCorrection)); r.Body["status"] != "answered" {
			t.Errorf("closed for want of correction: %s", r.Raw)
		}
		list := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/info-requests?status=correcting"), d.clerk, nil))
		if list.Body["total"] != float64(1) { // late, still awaiting
			t.Errorf("requests awaiting correction: %s", list.Raw)
		}
	})
}

// TestRequestDeadlineFollowsCalendar: a request received on 2026-12-10 runs
// into 2027, whose holidays are not loaded: its deadline is provisional on
// the staff and the public page alike; loading 2027 recounts it and clears
// the mark without anyone touching the request.
func TestRequestDeadlineFollowsCalendar(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		disTravel(s, "2026-12-10")
		_, tracking := fileRequest(s, d.county)
		pub := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/"+tracking), "", nil))
		// 12-11 (1), 12-14 … 12-18 (6), 12-21 … 12-25 (11), 12-28 … 12-31
		// (15), and weekdays only in 2027: 01-01 (16), 01-04 … 01-07 (20).
		if pub.Body["deadline_provisional"] != true || pub.Body["deadline"] != "2027-01-07" {
			t.Fatalf("public tracking before 2027 is loaded: %s", pub.Raw)
		}
		page := string(s.Must(200, s.Do("GET", "/portal/"+d.county+"/info-requests/track?no="+tracking, "", nil)).Raw)
		if !strings.Contains(page, `data-testid="track-provisional"`) {
			t.Errorf("the public tracking page does not mark the deadline provisional")
		}
		// 2027: New Year's Day off.
		s.Must(200, s.Do("PUT", "/api/v1/calendar/years/2027", s.AdminToken(), map[string]any{"holidays": []string{"2027-01-01"}}))
		pub = s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/"+tracking), "", nil))
		if pub.Body["deadline_provisional"] != false || pub.Body["deadline"] != "2027-01-08" {
			t.Errorf("public tracking after 2027 is loaded: %s", pub.Raw)
		}
	})
}

// TestRequestCorrectionPages: the clerk records the correction notice and
// the corrected request on the request's page; a date past the seven working
// days is refused on the page with the article's reason, and the list has a
// tab of the requests awaiting correction.
func TestRequestCorrectionPages(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		disTravel(s, "2026-09-24")
		id, tracking := fileRequest(s, d.county)
		page := "/counties/" + d.county + "/info-requests/" + e2e.Itoa(id)
		clerk := s.BrowserLogin("dclerk_"+d.county, "User#Pass2026x")
		disTravel(s, "2026-10-13")
		wantPage(t, "request page", clerk.Get(page), 200, "告知补正", `name="notified_on"`)
		wantPage(t, "a late notice", clerk.Post(page+"/correction", url.Values{"notified_on": {"2026-10-13"}, "content": {"写明文号"}, "due_on": {"2026-10-23"}}, true), 409,
			"7个工作日内", "条例第三十条")
		wantPage(t, "a malformed date", clerk.Post(page+"/correction", url.Values{"notified_on": {"十月十二日"}, "content": {"写明文号"}, "due_on": {"2026-10-23"}}, true), 400,
			`id="correction-date-error"`, "十月十二日")
		// The form asks for what 第三十条 says the notice must state.
		wantPage(t, "a notice without content or period", clerk.Post(page+"/correction", url.Values{"notified_on": {"2026-10-12"}}, true), 400,
			"请一次性说明需要补正的事项", "请给出合理的补正期限")
		if r := clerk.Post(page+"/correction", url.Values{"notified_on": {"2026-10-12"}, "content": {"写明文号"}, "due_on": {"2026-10-23"}}, true); r.Status != 303 {
			t.Fatalf("correction notice: HTTP %d\n%s", r.Status, r.Raw)
		}
		wantPage(t, "awaiting correction", clerk.Get(page), 200, "待申请人补正", "等待申请人补正，暂不计算", `name="received_on"`)
		wantPage(t, "the list's tab", clerk.Get("/counties/"+d.county+"/info-requests?status=correcting"), 200, tracking, "待补正")
		if r := clerk.Post(page+"/corrected", url.Values{"received_on": {"2026-10-13"}}, true); r.Status != 303 {
			t.Fatalf("corrected: HTTP %d\n%s", r.Status, r.Raw)
		}
		wantPage(t, "corrected", clerk.Get(page), 200, "2026-11-10", "答复期限自次日起重新计算")
	})
}

// TestRequestConsultation: 政府信息公开条例 第三十三条第二款. A request
// received on 2026-09-24 is due 10-29 (see TestDisclosureInfoRequests); the
// third party is consulted from 10-12 to 10-16, and those working days
// (10-13 … 10-16, four) do not count: due 11-04. While the consultation runs
// the request has no deadline and raises no light; it is recorded once, not
// after the deadline, and its end not before its start.
func TestRequestConsultation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		disTravel(s, "2026-09-24")
		id, tracking := fileRequest(s, d.county)
		late, _ := fileRequest(s, d.county)
		path := func(id int64, rest string) string { return e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(id)+rest) }

		disTravel(s, "2026-10-12")
		s.MustInvalid("a consultation before the request", s.Do("POST", path(id, "/consultation"), d.clerk, map[string]any{"started_on": "2026-09-23"}), "started_on")
		r := s.Must(200, s.Do("POST", path(id, "/consultation"), d.clerk, map[string]any{"started_on": "2026-10-12"}))
		if r.Body["deadline"] != "" || r.Body["consultation_started_on"] != "2026-10-12" {
			t.Fatalf("consulting: %s", r.Raw)
		}
		if r := s.Do("POST", path(id, "/consultation"), d.clerk, map[string]any{"started_on": "2026-10-12"}); r.Status != 409 {
			t.Errorf("a second consultation: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", path(id, "/extend"), d.head, map[string]any{"reason": "情况复杂"}); r.Status != 409 || r.ErrorCode() != "consulting" {
			t.Errorf("an extension while consulting: %d %s", r.Status, r.Raw)
		}
		pub := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/"+tracking), "", nil))
		if pub.Body["deadline"] != "" || !strings.Contains(pub.Body["status_title"].(string), "征求第三方") {
			t.Errorf("tracking while consulting: %s", pub.Raw)
		}
		disTravel(s, "2026-11-02") // past the original deadline: no light while consulting
		if flags := s.RunOverdue(s.AdminToken()); s.CountRows(`SELECT COUNT(*) FROM info_requests WHERE id = ? AND warning <> 'none'`, id) != 0 {
			t.Errorf("a consulting request was flagged: %v", flags)
		}
		s.MustInvalid("an end before the start", s.Do("POST", path(id, "/consultation/end"), d.clerk, map[string]any{"ended_on": "2026-10-11"}), "ended_on")
		r = s.Must(200, s.Do("POST", path(id, "/consultation/end"), d.clerk, map[string]any{"ended_on": "2026-10-16"}))
		if r.Body["deadline"] != "2026-11-04" || r.Body["consultation_ended_on"] != "2026-10-16" {
			t.Fatalf("after the consultation: %s", r.Raw)
		}
		if r := s.Do("POST", path(id, "/consultation/end"), d.clerk, map[string]any{"ended_on": "2026-10-16"}); r.Status != 409 {
			t.Errorf("a second end: %d %s", r.Status, r.Raw)
		}
		// After its deadline (10-29) a request cannot stop its clock any more.
		if r := s.Do("POST", path(late, "/consultation"), d.clerk, map[string]any{"started_on": "2026-10-30"}); r.Status != 409 ||
			r.ErrorCode() != "deadline_passed" {
			t.Errorf("a consultation after the deadline: %d %s", r.Status, r.Raw)
		}
	})
}

// TestRequesterType: the portal's form asks who is asking (the annual
// report's columns) and refuses a request without it, keeping what was
// typed; the API takes it, refuses an unknown one naming the field, and —
// its contract older than the field — files a request without it.
func TestRequesterType(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		form := url.Values{"name": {"王市民"}, "contact": {"13912345678"}, "description": {"本区危险化学品经营许可名单"}, "preferred_form": {"email"}}
		post := func(v url.Values) e2e.Response {
			t.Helper()
			req := httptest.NewRequest("POST", "/portal/"+d.county+"/info-requests/new",
				strings.NewReader(s.SolvedChallenge("info-request", d.county).Fields(v).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return s.Send(req)
		}
		before := s.CountRows(`SELECT COUNT(*) FROM info_requests`)
		r := post(form)
		if body := string(r.Raw); r.Status != 400 || !strings.Contains(body, "请选择申请人类型") || !strings.Contains(body, "本区危险化学品经营许可名单") {
			t.Errorf("the form without a requester type: %d", r.Status)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM info_requests`); n != before {
			t.Fatalf("a refused form stored a request")
		}
		form.Set("requester_type", "legal_services")
		if r := post(form); r.Status != 303 {
			t.Fatalf("the form with a requester type: %d %s", r.Status, r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM info_requests WHERE requester_type = 'legal_services'`); n != 1 {
			t.Errorf("%d requests of a law firm stored", n)
		}
		api := map[string]any{"name": "某公司", "contact": "0551-1", "description": "年度检查计划", "requester_type": "pirate"}
		s.MustInvalid("an unknown requester type", s.Do("POST", e2e.DisPublic(d.county, "/info-requests"), "", api), "requester_type")
		delete(api, "requester_type")
		s.Must(201, s.Do("POST", e2e.DisPublic(d.county, "/info-requests"), "", api))
	})
}
