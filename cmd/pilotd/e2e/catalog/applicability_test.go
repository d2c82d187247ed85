package catalog_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestInformationItemNotApplicable: a county marks an information item of
// the 2008 list that the bureau holds nothing of as not applicable, with
// its reason. It leaves the portal, the public API, the disclosure picker
// and the catalog figures of the summary report, stays in the staff catalog
// with its reason, cannot be published until restored, and comes back as it
// was. Bad input, other roles and other counties change nothing.
func TestInformationItemNotApplicable(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county, other = e2e.CatCountyA, e2e.CatCountyB
		admin := s.Onboard("34", county)
		otherAdmin := s.Onboard("34", other)
		_, clerk := s.AddUser(admin, county, "na_clerk", "county_clerk")
		info := map[string]any{"summary": "乡（镇）财政收支情况", "responsible_unit": "区应急管理局办公室", "channel": "区政府门户网站",
			"time_limit": "20个工作日内", "disclosure_mode": "proactive"}
		const item = "9"
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/"+item), admin, info))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/"+item+"/publish"), admin, nil))
		s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/"+item), "", nil))
		informationItems := func() float64 {
			t.Helper()
			r := s.Do("POST", "/api/v1/counties/"+county+"/reports", admin,
				map[string]string{"period_kind": "month", "date": time.Now().In(e2e.Beijing).Format("2006-01-02")})
			if r.Status != 200 && r.Status != 201 {
				t.Fatalf("compile: %d %s", r.Status, r.Raw)
			}
			f, _ := r.Body["county_figures"].(map[string]any)
			cat, _ := f["catalog"].(map[string]any)
			byCat, _ := cat["items_by_category"].(map[string]any)
			n, _ := byCat["information"].(float64)
			return n
		}
		before := informationItems()

		path := e2e.CatPath(county, "/"+item+"/applicability")
		reason := "本局不掌握乡（镇）财政收支信息，由乡镇人民政府公开"
		for _, c := range []struct {
			name, token, path string
			body              any
			status            int
			field             string
		}{
			{"no answer", admin, path, map[string]any{"reason": reason}, 400, "applicable"},
			{"no reason", admin, path, map[string]any{"applicable": false, "reason": "  "}, 400, "reason"},
			{"a reason too long", admin, path, map[string]any{"applicable": false, "reason": strings.Repeat("理", 501)}, 400, "reason"},
			{"a power item", admin, e2e.CatPath(county, "/274/applicability"), map[string]any{"applicable": false, "reason": reason}, 400, "applicable"},
			{"the clerk", clerk, path, map[string]any{"applicable": false, "reason": reason}, 403, ""},
			{"another county", otherAdmin, path, map[string]any{"applicable": false, "reason": reason}, 403, ""},
			{"no such item", admin, e2e.CatPath(county, "/9999/applicability"), map[string]any{"applicable": false, "reason": reason}, 404, ""},
		} {
			r := s.Do("PUT", c.path, c.token, c.body)
			if c.field != "" {
				s.MustInvalid(c.name, r, c.field)
			} else if r.Status != c.status {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Raw)
			}
		}
		if r := s.Must(200, s.Do("GET", e2e.CatPath(county, "/"+item), admin, nil)); r.Body["status"] != "published" {
			t.Fatalf("refused marks changed the item: %s", r.Raw)
		}

		r := s.Must(200, s.Do("PUT", path, admin, map[string]any{"applicable": false, "reason": reason}))
		if r.Body["status"] != "not_applicable" || r.Body["status_reason"] != reason {
			t.Fatalf("marked: %s", r.Raw)
		}
		// Out of the public catalog, the portal, the picker and the figures.
		s.Must(404, s.Do("GET", e2e.PubPath(county, "/catalog/"+item), "", nil))
		if list := string(s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog"), "", nil)).Raw); strings.Contains(list, `"code":"`+item+`"`) {
			t.Errorf("the public catalog lists the item")
		}
		s.Must(404, s.Do("GET", "/portal/"+county+"/items/"+item, "", nil))
		if n := informationItems(); n != before-1 {
			t.Errorf("information items in the figures: %v, want %v", n, before-1)
		}
		s.MustInvalid("a record under it", s.Do("POST", "/api/v1/counties/"+county+"/disclosures", clerk,
			map[string]any{"title": "乡镇财政收支", "category": item, "body": "<p>正文</p>", "formed_on": "2026-11-02"}), "category")
		form := s.BrowserLogin(s.Username(admin), e2e.CountyPassword)
		clerkForm := s.BrowserLogin("na_clerk", "User#Pass2026x")
		if page := string(s.Must(200, clerkForm.Get("/counties/"+county+"/disclosures")).Raw); strings.Contains(page, `<option value="`+item+`"`) ||
			!strings.Contains(page, `<option value="1"`) {
			t.Errorf("the disclosure picker offers the item, or offers nothing")
		}
		// In the staff catalog, with its reason; not publishable.
		if page := string(s.Must(200, form.Get("/counties/"+county+"/catalog")).Raw); !strings.Contains(page, reason) {
			t.Errorf("the staff catalog does not show the reason")
		}
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/"+item), admin, e2e.With(info, "summary", "修改后的内容")))
		if r := s.Do("POST", e2e.CatPath(county, "/"+item+"/publish"), admin, nil); r.Status != 409 || r.ErrorCode() != "not_applicable" {
			t.Errorf("publishing a not-applicable item: %d %s", r.Status, r.Raw)
		}

		// Restored through the page: published again, as it was.
		if r := form.Post("/counties/"+county+"/catalog/"+item+"/applicability", url.Values{"applicable": {"1"}}, true); r.Status != 303 {
			t.Fatalf("restore: %d %s", r.Status, r.Raw)
		}
		if r := s.Must(200, s.Do("GET", e2e.CatPath(county, "/"+item), admin, nil)); r.Body["status"] != "published" || r.Body["status_reason"] != nil {
			t.Errorf("restored: %s", r.Raw)
		}
		s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/"+item), "", nil))
		if n := informationItems(); n != before {
			t.Errorf("information items after restoring: %v, want %v", n, before)
		}
		// The page's own refusal keeps the form and names the field.
		if r := form.Post("/counties/"+county+"/catalog/"+item+"/applicability", url.Values{"applicable": {"0"}}, true); r.Status != 400 ||
			!strings.Contains(string(r.Raw), "请说明不适用的理由") {
			t.Errorf("a page mark without reason: %d", r.Status)
		}
	})
}
