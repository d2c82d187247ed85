// Package ratings_test drives 好差评 end to end through HTTP: the public
// rating of a decided case, the rectification a 差评 opens on its
// working-day clock, the overdue job's lights, the call-back, the appeal the
// province decides, the public figures and the metrics.
package ratings_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }

// rtTravel moves "today" of the case and rating rules to date, 10:00
// Beijing time.
func rtTravel(s *e2e.Service, date string) {
	s.T.Helper()
	now, err := time.ParseInLocation("2006-01-02 15:04", date+" 10:00", e2e.Beijing)
	if err != nil {
		s.T.Fatal(err)
	}
	f := func() time.Time { return now }
	s.Svc.Cases.Now, s.Svc.Ratings.Now = f, f
}

// rtPublic posts a public rating; the per-IP limit is reset first, so the
// test compares answers rather than runs into it.
func rtPublic(s *e2e.Service, county, tracking string, body any) e2e.Response {
	s.T.Helper()
	if _, err := s.Svc.DB.Exec(`DELETE FROM rate_limits`); err != nil {
		s.T.Fatal(err)
	}
	return s.Do("POST", "/api/v1/public/counties/"+county+"/cases/"+tracking+"/rating", "", body)
}

// rtDecided opens a counter case today and has the reviewer approve it.
func rtDecided(s *e2e.Service, d e2e.CaseDesk) e2e.CaseView {
	s.T.Helper()
	c := rtAccepted(s, d)
	s.MustAct(d.Reviewer, d.County, c.ID, "approve")
	return c
}

// rtAccepted opens a counter case today and has the clerk accept it (the
// clerk becomes its handler).
func rtAccepted(s *e2e.Service, d e2e.CaseDesk) e2e.CaseView {
	s.T.Helper()
	c := s.NewCase(d.Clerk, d.County, e2e.CaseBody("274"))
	s.MustAct(d.Clerk, d.County, c.ID, "accept")
	return c
}

func rtPath(county, rest string) string {
	return "/api/v1/counties/" + county + "/rectifications" + rest
}

// rtAct takes a step on a rectification.
func rtAct(s *e2e.Service, token, county string, id int64, body map[string]any) e2e.Response {
	s.T.Helper()
	return s.Do("POST", rtPath(county, "/"+e2e.Itoa(id)+"/actions"), token, body)
}

// rtOnly returns the one rectification of a case.
func rtOf(s *e2e.Service, token, county, tracking string) map[string]any {
	s.T.Helper()
	r := s.Must(200, s.Do("GET", rtPath(county, ""), token, nil))
	for _, it := range r.Body["items"].([]any) {
		m := it.(map[string]any)
		if m["tracking_no"] == tracking {
			return m
		}
	}
	s.T.Fatalf("no rectification of %s in %s", tracking, r.Raw)
	return nil
}

func rtSummary(s *e2e.Service, county string) map[string]any {
	s.T.Helper()
	return s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/ratings/summary", "", nil)).Body
}

// badRating is level 1 with a reason and two online indicators.
func badRating(phone string) map[string]any {
	return map[string]any{"phone": phone, "level": 1, "comment": "材料要求前后不一，多跑了两趟",
		"indicators": map[string]any{"overall": 1, "guide_accuracy": 2}}
}

func TestRatings(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CaseCountyA
		d := s.CaseDesk(county)
		dB := s.CaseDesk(e2e.CaseCountyB)

		rtTravel(s, "2026-09-14")
		c1, c2 := rtAccepted(s, d), rtAccepted(s, d)

		// Before the decision: 409, nothing stored.
		r := rtPublic(s, county, c1.TrackingNo, badRating(e2e.ApplicantPhone))
		if r.Status != 409 || r.ErrorCode() != "not_rateable" {
			t.Fatalf("rating an open case: %d %s", r.Status, r.Raw)
		}

		// A wrong phone and an unknown number get the same 404.
		wrong := rtPublic(s, county, c1.TrackingNo, badRating("0551-64000002"))
		unknown := rtPublic(s, county, county+"-XXXXXXXXXX", badRating(e2e.ApplicantPhone))
		if wrong.Status != 404 || unknown.Status != 404 || string(wrong.Raw) != string(unknown.Raw) {
			t.Fatalf("wrong phone %d %s; unknown number %d %s", wrong.Status, wrong.Raw, unknown.Status, unknown.Raw)
		}

		rtTravel(s, "2026-09-21")
		s.MustAct(d.Reviewer, county, c1.ID, "approve")
		s.MustAct(d.Reviewer, county, c2.ID, "deny", "reason", "不符合安全条件")
		rtTravel(s, "2026-09-22")

		// A wrong phone on a decided case is still 404, not 409.
		if r := rtPublic(s, county, c1.TrackingNo, badRating("13800000000")); r.Status != 404 {
			t.Errorf("wrong phone on a decided case: %d %s", r.Status, r.Raw)
		}

		// Bad input: 400 naming the field, nothing stored.
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no level", map[string]any{"phone": e2e.ApplicantPhone}, "level"},
			{"level 6", map[string]any{"phone": e2e.ApplicantPhone, "level": 6}, "level"},
			{"level not a number", map[string]any{"phone": e2e.ApplicantPhone, "level": "五"}, "level"},
			{"counter indicator online", map[string]any{"phone": e2e.ApplicantPhone, "level": 5,
				"indicators": map[string]any{"service_attitude": 5}}, "indicators.service_attitude"},
			{"indicator out of range", map[string]any{"phone": e2e.ApplicantPhone, "level": 5,
				"indicators": map[string]any{"overall": 0}}, "indicators.overall"},
			{"差评 without a reason", map[string]any{"phone": e2e.ApplicantPhone, "level": 2}, "comment"},
			{"no phone", map[string]any{"level": 5}, "phone"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := rtPublic(s, county, c1.TrackingNo, tc.body)
				if r.Status != 400 {
					t.Fatalf("status %d: %s", r.Status, r.Raw)
				}
				if _, ok := e2e.ErrorFields(r)[tc.field]; !ok {
					t.Errorf("fields %v, want %s", e2e.ErrorFields(r), tc.field)
				}
			})
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM ratings`); n != 0 {
			t.Fatalf("%d ratings stored by refused requests", n)
		}

		// Summary before any rating: no rate rather than 0 % or 100 %.
		if sum := rtSummary(s, county); e2e.Num(sum["ratings"]) != 0 || sum["satisfaction_rate"] != nil {
			t.Errorf("empty summary %v", sum)
		}

		// 非常不满意 opens a rectification; a second rating is 409. The phone
		// may be typed with spaces instead of the dash.
		r = s.Must(201, rtPublic(s, county, c1.TrackingNo, badRating("0551 64000001")))
		if r.Body["rectification_opened"] != true || e2e.Num(r.Body["level"]) != 1 {
			t.Errorf("rating %s", r.Raw)
		}
		if r := rtPublic(s, county, c1.TrackingNo, map[string]any{"phone": e2e.ApplicantPhone, "level": 5}); r.Status != 409 || r.ErrorCode() != "already_rated" {
			t.Errorf("second rating: %d %s", r.Status, r.Raw)
		}
		// 不予许可 is decided too: 满意.
		s.Must(201, rtPublic(s, county, c2.TrackingNo, map[string]any{"phone": e2e.ApplicantPhone, "level": 4}))

		// Due: 15 working days after 2026-09-22 by the shipped calendar —
		// 9-23, 9-24 (1, 2; 9-25 to 9-27 中秋), 9-28 to 9-30 (3–5; 10-1 to
		// 10-7 国庆), 10-8, 10-9 (6, 7), 10-10 Saturday worked (8), 10-12 to
		// 10-16 (9–13), 10-19 (14), 10-20 (15).
		x1 := rtOf(s, d.Clerk, county, c1.TrackingNo)
		id1 := e2e.Num(x1["id"])
		if x1["due"] != "2026-10-20" || x1["status"] != "open" || x1["warning"] != "none" || x1["due_provisional"] != false {
			t.Errorf("rectification %v", x1)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM rectifications`); n != 1 {
			t.Errorf("%d rectifications, want 1 (the 满意 opens none)", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'rectification' AND user_id = ?`, d.ClerkID); n != 1 {
			t.Errorf("handler notices of the new rectification: %d", n)
		}

		// Counter ratings: staff with cases:handle, the counter indicators.
		rtTravel(s, "2026-09-23")
		c3 := rtDecided(s, d)
		counter := "/api/v1/counties/" + county + "/cases/" + e2e.Itoa(c3.ID) + "/rating"
		if r := s.Do("POST", counter, d.Clerk, map[string]any{"level": 5, "indicators": map[string]any{"operability": 5}}); r.Status != 400 {
			t.Errorf("online indicator at the counter: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", counter, d.Reviewer, map[string]any{"level": 5}); r.Status != 403 {
			t.Errorf("counter rating by the reviewer: %d", r.Status)
		}
		r = s.Must(201, s.Do("POST", counter, d.Clerk, map[string]any{"level": 3, "indicators": map[string]any{"service_attitude": 4}}))
		if r.Body["channel"] != "counter" {
			t.Errorf("counter rating %s", r.Raw)
		}
		sum := rtSummary(s, county)
		if e2e.Num(sum["ratings"]) != 3 || e2e.Num(sum["satisfied"]) != 2 || sum["satisfaction_rate"] != 0.6667 {
			t.Errorf("summary %v", sum)
		}

		// The lights: nothing on 10-16, yellow on 10-19 (the working day
		// before the due date), red on 10-21; each once.
		admin := s.AdminToken()
		lights := func(kind string) int {
			return s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = ? AND user_id = ?`, kind, d.ClerkID)
		}
		for _, step := range []struct {
			date          string
			warning       string
			yellow, red   int
			adminsNotices int
		}{
			{"2026-10-16", "none", 0, 0, 0},
			{"2026-10-19", "yellow", 1, 0, 1},
			{"2026-10-19", "yellow", 1, 0, 1},
			{"2026-10-21", "red", 1, 1, 2},
			{"2026-10-22", "red", 1, 1, 2},
		} {
			rtTravel(s, step.date)
			s.RunOverdue(admin)
			var w string
			if err := s.Svc.DB.Get(&w, `SELECT warning FROM rectifications WHERE id = ?`, id1); err != nil {
				t.Fatal(err)
			}
			if w != step.warning || lights("rectification_yellow") != step.yellow || lights("rectification_red") != step.red {
				t.Errorf("%s: warning %s, handler's yellow %d red %d; want %s %d %d", step.date, w,
					lights("rectification_yellow"), lights("rectification_red"), step.warning, step.yellow, step.red)
			}
			if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind IN ('rectification_yellow', 'rectification_red') AND user_id = ?`,
				d.AdminID); n != step.adminsNotices {
				t.Errorf("%s: county administrator has %d light notices, want %d", step.date, n, step.adminsNotices)
			}
		}
		if v := s.Must(200, s.Do("GET", rtPath(county, "/"+e2e.Itoa(id1)), d.Reviewer, nil)).Body; v["warning"] != "red" || v["overdue"] != true {
			t.Errorf("overdue rectification %v", v)
		}

		// The steps, in order, by the roles that take them.
		for _, tc := range []struct {
			name   string
			token  string
			body   map[string]any
			status int
			field  string
		}{
			{"rectify before verifying", d.Clerk, map[string]any{"action": "rectify", "measures": "x", "rectified_on": "2026-10-20"}, 409, ""},
			{"verify by the administrator", d.Admin, map[string]any{"action": "verify", "verification": "x", "verified_on": "2026-10-20"}, 403, ""},
			{"verify in the future", d.Clerk, map[string]any{"action": "verify", "verification": "已电话核实", "verified_on": "2026-10-23"}, 400, "verified_on"},
			{"verify before the rating", d.Clerk, map[string]any{"action": "verify", "verification": "已电话核实", "verified_on": "2026-09-21"}, 400, "verified_on"},
			{"verify without text", d.Clerk, map[string]any{"action": "verify", "verification": " ", "verified_on": "2026-10-20"}, 400, "verification"},
			{"unknown action", d.Clerk, map[string]any{"action": "erase"}, 400, "action"},
			{"verify", d.Clerk, map[string]any{"action": "verify", "verification": "经电话核实，窗口一次性告知不到位", "verified_on": "2026-10-20"}, 200, ""},
			{"close before the call-back", d.Reviewer, map[string]any{"action": "close"}, 409, ""},
			{"rectify", d.Clerk, map[string]any{"action": "rectify", "measures": "修订办事指南材料清单，窗口人员培训", "rectified_on": "2026-10-21"}, 200, ""},
			{"call back with a bad view", d.Clerk, map[string]any{"action": "callback", "callback_on": "2026-10-22", "callback_way": "电话", "callback_view": "很好"}, 400, "callback_view"},
			{"call back", d.Clerk, map[string]any{"action": "callback", "callback_on": "2026-10-22", "callback_way": "电话", "callback_view": "基本满意", "callback_note": "认可整改"}, 200, ""},
			{"close by the clerk", d.Clerk, map[string]any{"action": "close"}, 403, ""},
			{"close", d.Reviewer, map[string]any{"action": "close"}, 200, ""},
			{"verify after closing", d.Clerk, map[string]any{"action": "verify", "verification": "x", "verified_on": "2026-10-22"}, 409, ""},
		} {
			t.Run("step "+tc.name, func(t *testing.T) {
				before := s.CountRows(`SELECT COUNT(*) FROM rectifications WHERE id = ? AND verified_on = '' AND updated_at = created_at`, id1)
				r := rtAct(s, tc.token, county, id1, tc.body)
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
				}
				if tc.field != "" {
					if _, ok := e2e.ErrorFields(r)[tc.field]; !ok {
						t.Errorf("fields %v, want %s", e2e.ErrorFields(r), tc.field)
					}
				}
				if tc.status >= 400 && before == 1 {
					if after := s.CountRows(`SELECT COUNT(*) FROM rectifications WHERE id = ? AND verified_on = '' AND updated_at = created_at`, id1); after != 1 {
						t.Errorf("a refused step changed the rectification")
					}
				}
			})
		}
		x1 = s.Must(200, s.Do("GET", rtPath(county, "/"+e2e.Itoa(id1)), d.Clerk, nil)).Body
		if x1["status"] != "closed" || x1["callback_view"] != "基本满意" || x1["callback_way"] != "电话" || x1["callback_on"] != "2026-10-22" ||
			x1["closed_on"] != "2026-10-22" || x1["warning"] != "none" {
			t.Errorf("closed rectification %v", x1)
		}
		if sum := rtSummary(s, county); e2e.Num(sum["bad"]) != 1 || e2e.Num(sum["rectified"]) != 1 || sum["rectification_rate"] != 1.0 {
			t.Errorf("summary after closing %v", sum)
		}

		// Appeals: two more 差评; the county appeals both.
		c4, c5 := rtDecided(s, d), rtDecided(s, d)
		s.Must(201, rtPublic(s, county, c4.TrackingNo, badRating(e2e.ApplicantPhone)))
		s.Must(201, rtPublic(s, county, c5.TrackingNo, map[string]any{"phone": e2e.ApplicantPhone, "level": 2, "comment": "态度一般"}))
		id4 := e2e.Num(rtOf(s, d.Clerk, county, c4.TrackingNo)["id"])
		id5 := e2e.Num(rtOf(s, d.Clerk, county, c5.TrackingNo)["id"])
		if r := rtAct(s, d.Clerk, county, id4, map[string]any{"action": "appeal", "reason": "x"}); r.Status != 403 {
			t.Errorf("appeal by the clerk: %d", r.Status)
		}
		s.MustInvalid("appeal without a reason", rtAct(s, d.Reviewer, county, id4, map[string]any{"action": "appeal"}), "reason")
		reason := "评价人与申请人无关，评价内容与本办件无关，属恶意差评"
		s.Must(200, rtAct(s, d.Reviewer, county, id4, map[string]any{"action": "appeal", "reason": reason}))
		s.Must(200, rtAct(s, d.Admin, county, id5, map[string]any{"action": "appeal", "reason": "评价人误选等级"}))
		if r := rtAct(s, d.Admin, county, id5, map[string]any{"action": "appeal", "reason": "再次申诉"}); r.Status != 409 {
			t.Errorf("second appeal: %d", r.Status)
		}

		// Only the province's administrators decide, and only in their province.
		review := func(province string, id int64) string {
			return "/api/v1/provinces/" + province + "/counties/" + county + "/rectifications/" + e2e.Itoa(id) + "/review"
		}
		exclude := map[string]any{"decision": "exclude", "reason": "经核查，评价人非本办件申请人"}
		prov := s.ProvinceUser("34", "prov_admin_34", "province_admin")
		other := s.ProvinceUser("11", "prov_admin_11", "province_admin")
		for _, tc := range []struct {
			name, token, path string
			status            int
		}{
			{"the county administrator", d.Admin, review("34", id4), 403},
			{"the county reviewer", d.Reviewer, review("34", id4), 403},
			{"another province's administrator", other, review("34", id4), 403},
			{"another province's administrator in their province", other, review("11", id4), 404},
		} {
			if r := s.Do("POST", tc.path, tc.token, exclude); r.Status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, r.Raw)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM ratings WHERE excluded = ?`, true); n != 0 {
			t.Fatalf("%d ratings excluded by refused reviews", n)
		}
		list := s.Must(200, s.Do("GET", "/api/v1/provinces/34/rating-appeals", prov, nil))
		if e2e.Num(list.Body["total"]) != 2 {
			t.Errorf("appeals %s", list.Raw)
		}
		if r := s.Do("GET", "/api/v1/provinces/11/rating-appeals", other, nil); e2e.Num(r.Body["total"]) != 0 {
			t.Errorf("province 11 sees %s", r.Raw)
		}
		s.MustInvalid("review without a reason", s.Do("POST", review("34", id4), prov, map[string]any{"decision": "exclude"}), "reason")
		r = s.Must(200, s.Do("POST", review("34", id4), prov, exclude))
		if r.Body["status"] != "excluded" || r.Body["appeal_status"] != "excluded" {
			t.Errorf("excluded %s", r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE outcome = 'success' AND detail LIKE ?`, "%appeal exclude%"); n != 1 {
			t.Errorf("%d audit entries of the exclusion", n)
		}
		r = s.Must(200, s.Do("POST", review("34", id5), prov, map[string]any{"decision": "reject", "reason": "无证据表明误评"}))
		if r.Body["status"] != "open" || r.Body["appeal_status"] != "rejected" {
			t.Errorf("rejected %s", r.Raw)
		}
		if r := s.Do("POST", review("34", id5), prov, exclude); r.Status != 409 {
			t.Errorf("second review: %d", r.Status)
		}
		// Excluded: out of every figure; the rejected one counts as an open 差评.
		sum = rtSummary(s, county)
		if e2e.Num(sum["ratings"]) != 4 || e2e.Num(sum["satisfied"]) != 2 || sum["satisfaction_rate"] != 0.5 ||
			e2e.Num(sum["bad"]) != 2 || e2e.Num(sum["rectified"]) != 1 || sum["rectification_rate"] != 0.5 {
			t.Errorf("summary after the appeals %v", sum)
		}
		// The county's summary report of the year counts the same.
		rep := s.Do("POST", "/api/v1/counties/"+county+"/reports", d.Admin, map[string]string{"period_kind": "year", "date": "2026-06-01"})
		if rep.Status != 201 && rep.Status != 200 {
			t.Fatalf("compile: %d %s", rep.Status, rep.Raw)
		}
		figures, _ := rep.Body["county_figures"].(map[string]any)
		if rf, _ := figures["ratings"].(map[string]any); e2e.Num(rf["rated"]) != 4 || e2e.Num(rf["satisfied"]) != 2 ||
			e2e.Num(rf["bad"]) != 2 || e2e.Num(rf["rectified"]) != 1 {
			t.Errorf("the report's ratings %v", figures["ratings"])
		}

		// County B sees nothing of A's, and A's rectification is not B's.
		if r := s.Do("GET", rtPath(county, "/"+e2e.Itoa(id1)), dB.Clerk, nil); r.Status != 403 {
			t.Errorf("B's clerk on A's path: %d", r.Status)
		}
		if r := s.Do("GET", rtPath(dB.County, "/"+e2e.Itoa(id1)), dB.Clerk, nil); r.Status != 404 {
			t.Errorf("A's rectification on B's path: %d", r.Status)
		}
		if r := s.Must(200, s.Do("GET", rtPath(dB.County, ""), dB.Clerk, nil)); e2e.Num(r.Body["total"]) != 0 {
			t.Errorf("B's list %s", r.Raw)
		}
		if sum := rtSummary(s, dB.County); e2e.Num(sum["ratings"]) != 0 {
			t.Errorf("B's summary %v", sum)
		}
		if r := rtPublic(s, dB.County, c4.TrackingNo, map[string]any{"phone": e2e.ApplicantPhone, "level": 5}); r.Status != 404 {
			t.Errorf("A's case rated through B: %d", r.Status)
		}

		// Metrics per county, read at scrape time.
		req := httptest.NewRequest("GET", "/metrics", nil)
		res, err := s.Svc.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		for name, want := range map[string]float64{"pilot_ratings": 4, "pilot_ratings_satisfied": 2, "pilot_rectifications_open": 1} {
			if v, ok := e2e.MetricValue(body, name, `county="`+county+`"`); !ok || v != want {
				t.Errorf("%s = %v (%v), want %v", name, v, ok, want)
			}
		}
		if !strings.Contains(string(body), "pilot_rectifications_overdue{") {
			t.Errorf("no pilot_rectifications_overdue")
		}
	})
}
