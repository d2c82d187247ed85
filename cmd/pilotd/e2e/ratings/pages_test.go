package ratings_test

import (
	"net/url"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestRatingPages drives the pages without a browser: the tracking page
// offers the form only for a decided case not yet rated; the province's
// appeal page lists an appeal and its form excludes the rating (refused
// without a reason); the portal shows the figures.
func TestRatingPages(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CaseCountyA
		d := s.CaseDesk(county)
		open := rtAccepted(s, d)
		decided := rtDecided(s, d)
		track := func(no string) string {
			return string(s.Must(200, s.Do("GET", "/portal/"+county+"/track?no="+no, "", nil)).Raw)
		}
		for _, tc := range []struct {
			name     string
			no       string
			form     bool
			rated    bool
			rateWith map[string]any
		}{
			{name: "open case", no: open.TrackingNo},
			{name: "decided case", no: decided.TrackingNo, form: true},
			{name: "rated case", no: decided.TrackingNo, rated: true,
				rateWith: map[string]any{"phone": e2e.ApplicantPhone, "level": 2, "comment": "窗口态度生硬"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.rateWith != nil {
					s.Must(201, rtPublic(s, county, tc.no, tc.rateWith))
				}
				page := track(tc.no)
				if got := strings.Contains(page, `data-testid="rate-form"`); got != tc.form {
					t.Errorf("rating form shown %v, want %v", got, tc.form)
				}
				if got := strings.Contains(page, `data-testid="rated"`); got != tc.rated {
					t.Errorf("已评价 shown %v, want %v", got, tc.rated)
				}
				if tc.form {
					for _, label := range []string{"非常满意", "满意", "基本满意", "不满意", "非常不满意", "办事指南精确度", "平台操作性"} {
						if !strings.Contains(page, label) {
							t.Errorf("the form lacks %s", label)
						}
					}
				}
			})
		}

		x := rtOf(s, d.Clerk, county, decided.TrackingNo)
		id := e2e.Num(x["id"])
		s.Must(200, rtAct(s, d.Reviewer, county, id, map[string]any{"action": "appeal", "reason": "误评：评价人选错等级"}))
		prov := s.ProvinceUser("34", "prov_pages_34", "province_admin")
		page := string(s.Must(200, s.Do("GET", "/provinces/34/rating-appeals", prov, nil)).Raw)
		if !strings.Contains(page, decided.TrackingNo) || !strings.Contains(page, "申诉待省级复核") || !strings.Contains(page, "误评：评价人选错等级") {
			t.Errorf("appeal page:\n%.2000s", page)
		}
		form := func(v url.Values) e2e.Response {
			return e2e.IsoRequest(s, "POST", "/provinces/34/counties/"+county+"/rectifications/"+e2e.Itoa(id)+"/review", prov, v)
		}
		r := form(url.Values{"decision": {"exclude"}})
		if r.Status != 400 || !strings.Contains(string(r.Raw), "请写明复核理由") {
			t.Errorf("review without a reason: %d", r.Status)
		}
		if r := form(url.Values{"decision": {"exclude"}, "reason": {"评价人确认误选"}}); r.Status != 303 {
			t.Fatalf("review: %d %.300s", r.Status, r.Raw)
		}
		page = string(s.Must(200, s.Do("GET", "/provinces/34/rating-appeals", prov, nil)).Raw)
		if !strings.Contains(page, "申诉成立，评价已剔除") {
			t.Errorf("appeal page after the review:\n%.2000s", page)
		}
		page = string(s.Must(200, s.Do("GET", "/counties/"+county+"/rectifications/"+e2e.Itoa(id), d.Clerk, nil)).Raw)
		if !strings.Contains(page, "经复核剔除") || strings.Contains(page, `id="action-verify"`) {
			t.Errorf("excluded rectification page:\n%.2000s", page)
		}

		// The excluded rating counts nowhere: no rating stands.
		page = string(s.Must(200, s.Do("GET", "/portal/"+county+"/ratings", "", nil)).Raw)
		if !strings.Contains(page, "暂无评价") {
			t.Errorf("portal figures:\n%.2000s", page)
		}
	})
}

// TestCounterRatingPage: staff with cases:handle enter a counter rating on
// the person's behalf from the case page: the counter indicators, a 差评
// refused without its reason (what was typed kept), then recorded.
func TestCounterRatingPage(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CaseCountyA
		d := s.CaseDesk(county)
		c := rtDecided(s, d)
		casePage := string(s.Must(200, s.Do("GET", "/counties/"+county+"/cases/"+e2e.Itoa(c.ID), d.Clerk, nil)).Raw)
		path := "/counties/" + county + "/cases/" + e2e.Itoa(c.ID) + "/rating"
		if !strings.Contains(casePage, `href="`+path+`"`) {
			t.Errorf("the case page does not link the counter rating")
		}
		page := string(s.Must(200, s.Do("GET", path, d.Clerk, nil)).Raw)
		if !strings.Contains(page, "服务态度") || strings.Contains(page, "平台操作性") || strings.Contains(page, `name="phone"`) {
			t.Errorf("counter form:\n%.2000s", page)
		}
		if r := s.Do("GET", path, d.Reviewer, nil); r.Status != 403 {
			t.Errorf("reviewer: %d", r.Status)
		}
		r := e2e.IsoRequest(s, "POST", path, d.Clerk, url.Values{"level": {"2"}, "indicator_service_attitude": {"1"}})
		if r.Status != 400 || !strings.Contains(string(r.Raw), "请写明不满意的原因") {
			t.Fatalf("差评 without a reason: %d", r.Status)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM ratings`); n != 0 {
			t.Fatalf("%d ratings stored by a refused form", n)
		}
		r = e2e.IsoRequest(s, "POST", path, d.Clerk, url.Values{"level": {"2"}, "indicator_service_attitude": {"1"}, "comment": {"窗口人员态度生硬"}})
		if r.Status != 303 {
			t.Fatalf("counter rating: %d %.300s", r.Status, r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM ratings WHERE channel = 'counter' AND level = 2 AND rated_by = ?`, d.ClerkID); n != 1 {
			t.Errorf("%d counter ratings stored", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM rectifications WHERE case_id = ?`, c.ID); n != 1 {
			t.Errorf("%d rectifications of the counter 差评", n)
		}
		page = string(s.Must(200, s.Do("GET", path+"?done=1", d.Clerk, nil)).Raw)
		if !strings.Contains(page, "已评价") || strings.Contains(page, `id="rate-submit"`) {
			t.Errorf("after the rating:\n%.2000s", page)
		}
	})
}
