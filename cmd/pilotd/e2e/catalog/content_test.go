package catalog_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// localOnly changes exactly the fields a county fills in for itself: its
// name, telephone and address, and complaint channel.
func localOnly(content map[string]any) map[string]any {
	return e2e.With(content,
		"implementing_body", "瑶海区应急管理局",
		"consultation", "0551-62600000，瑶海区政务服务中心二楼应急管理窗口",
		"complaint", "驻区应急管理局纪检监察组 0551-62600001")
}

// contentOf is the editable content of an item answer (identity and
// lifecycle fields left out), as a clerk would send it back.
func contentOf(r e2e.Response) map[string]any {
	out := map[string]any{}
	for k, v := range r.Body {
		switch k {
		case "county_code", "code", "category", "name", "status", "status_reason", "version", "published_version",
			"created_at", "updated_at", "has_unpublished_changes", "from_template", "published_at", "published_by":
			continue
		}
		out[k] = v
	}
	return out
}

// TestStarterTemplatePublishedAfterLocalFields: a county provisioned today
// finds item 274 pre-filled from the shipped template (legal basis,
// conditions, materials, limits, fees, four complete steps) without any
// saved version; publishing the template as it stands is refused, naming
// each local field still to fill in; after changing only those fields it
// publishes and the public sees the template's legal content. An item whose
// legal basis awaits verification (275) is refused naming that field.
func TestStarterTemplatePublishedAfterLocalFields(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		_, clerk := s.AddUser(admin, county, "tpl_clerk", "county_clerk")

		it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk, nil))
		if it.Body["from_template"] != true || e2e.Num(it.Body["version"]) != 0 {
			t.Fatalf("274 of a new county: from_template %v version %v", it.Body["from_template"], it.Body["version"])
		}
		if lb, _ := it.Body["legal_basis"].(string); !strings.Contains(lb, "《烟花爆竹安全管理条例》") || !strings.Contains(lb, "第十九条") {
			t.Errorf("legal basis %q", lb)
		}
		steps, _ := it.Body["steps"].([]any)
		mats, _ := it.Body["materials"].([]any)
		if len(steps) != 4 || len(mats) < 3 || e2e.Num(it.Body["statutory_limit_workdays"]) != 20 ||
			e2e.Num(it.Body["promised_limit_workdays"]) != 13 || !strings.Contains(it.Body["fees"].(string), "不收费") ||
			it.Body["inventory_status"] != "kept" || it.Body["conditions"] == "" {
			t.Fatalf("274 template incomplete: %s", it.Raw)
		}
		if n := versionCount(s, county); n != 0 {
			t.Fatalf("%d versions stored by provisioning, want none (the template is shown, not copied)", n)
		}

		// The template saved as it stands is a draft, but not publishable.
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, contentOf(it)))
		r := s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil)
		s.MustInvalid("publishing the untouched template", r, "implementing_body", "consultation", "complaint")
		if msg, _ := e2e.ErrorFields(r)["consultation"].(string); !strings.Contains(msg, "【待填写") {
			t.Errorf("consultation message %q does not quote the marker", msg)
		}
		if n := len(e2e.ErrorFields(r)); n != 3 {
			t.Errorf("%d fields refused, want only the three local ones: %s", n, r.Raw)
		}

		// Only the local fields changed: published.
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, localOnly(contentOf(it))))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil))
		pub := s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))
		if pub.Body["implementing_body"] != "瑶海区应急管理局" || pub.Body["legal_basis"] != it.Body["legal_basis"] ||
			e2e.Num(pub.Body["version"]) != 2 {
			t.Errorf("published 274: %s", pub.Raw)
		}

		// 275's legal basis awaits verification: local fields are not enough.
		it275 := s.Must(200, s.Do("GET", e2e.CatPath(county, "/275"), clerk, nil))
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/275"), clerk, localOnly(contentOf(it275))))
		r = s.Do("POST", e2e.CatPath(county, "/275/publish"), admin, nil)
		s.MustInvalid("publishing 275 with its basis unverified", r, "legal_basis")
		if msg, _ := e2e.ErrorFields(r)["legal_basis"].(string); !strings.Contains(msg, "【待核实") {
			t.Errorf("legal_basis message %q", msg)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ? AND published_version > 0`, county); n != 1 {
			t.Errorf("%d items published, want 274 only", n)
		}
	})
}

// TestCleanupConfirmAndChange: a new county has the eleven suggestions in
// place, each with its legal ground and sources; it confirms one, changes
// another with a reason (written into the item as a new version), bad input
// and other roles or counties change nothing, the 底数 before and after
// follows, every decision is audited, and the summary report counts it.
func TestCleanupConfirmAndChange(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county, other = e2e.CatCountyA, e2e.CatCountyB
		admin := s.Onboard("34", county)
		otherAdmin := s.Onboard("34", other)
		_, clerk := s.AddUser(admin, county, "cl_clerk", "county_clerk")
		path := "/api/v1/counties/" + county + "/cleanup"

		c := s.Must(200, s.Do("GET", path, clerk, nil))
		items, _ := c.Body["items"].([]any)
		if len(items) != 11 {
			t.Fatalf("%d clean-up items, want 11: %s", len(items), c.Raw)
		}
		byCode := map[string]map[string]any{}
		for _, x := range items {
			m := x.(map[string]any)
			byCode[m["code"].(string)] = m
			if src, _ := m["sources"].([]any); len(src) == 0 || m["law"] == "" || m["decision"] != "pending" {
				t.Errorf("item %v lacks sources, law or is not pending: %v", m["code"], m)
			}
		}
		for code, want := range map[string]string{"274": "kept", "278": "cancelled", "279": "cancelled", "280": "cancelled",
			"282": "transferred", "284": "cancelled", "281": "kept"} {
			if got := byCode[code]["suggested_status"]; got != want {
				t.Errorf("%s suggested %v, want %s", code, got, want)
			}
		}
		if mt, _ := byCode["282"]["moved_to"].(string); !strings.Contains(mt, "卫生健康") {
			t.Errorf("282 moved to %q", mt)
		}
		checkSummary(t, "a new county", c, 11, 0, 11, 0, nil)

		// Bad input, other roles and counties, unknown items: nothing stored.
		for _, b := range []struct {
			name, token, method, path string
			body                      any
			status                    int
			field                     string
		}{
			{"no reason", admin, "PUT", path + "/276", map[string]any{"inventory_status": "cancelled", "reason": " "}, 400, "reason"},
			{"unknown result", admin, "PUT", path + "/276", map[string]any{"inventory_status": "abolished", "reason": "x"}, 400, "inventory_status"},
			{"no result", admin, "PUT", path + "/276", map[string]any{"reason": "x"}, 400, "inventory_status"},
			{"the clerk", clerk, "POST", path + "/278/confirm", nil, 403, ""},
			{"another county", otherAdmin, "POST", path + "/278/confirm", nil, 403, ""},
			{"an information item", admin, "POST", path + "/9/confirm", nil, 404, ""},
			{"no such item", admin, "POST", path + "/9999/confirm", nil, 404, ""},
		} {
			r := s.Do(b.method, b.path, b.token, b.body)
			if b.field != "" {
				s.MustInvalid(b.name, r, b.field)
			} else if r.Status != b.status {
				t.Errorf("%s: %d, want %d: %s", b.name, r.Status, b.status, r.Raw)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_cleanup`); n != 0 {
			t.Fatalf("%d decisions stored by refused requests", n)
		}

		// Confirming 278 (取消): the template already says so, no version.
		r := s.Must(200, s.Do("POST", path+"/278/confirm", admin, nil))
		if r.Body["decision"] != "confirmed" || r.Body["inventory_status"] != "cancelled" {
			t.Errorf("confirm 278: %s", r.Raw)
		}
		if n := versionCount(s, county); n != 0 {
			t.Errorf("confirming a suggestion the template holds stored %d versions", n)
		}
		// Changing 276 to 取消 with a reason: the item records it.
		reason := "本县无第三类易制毒化学品经营单位，经县政府同意不再列入本局权力清单"
		r = s.Must(200, s.Do("PUT", path+"/276", admin, map[string]any{"inventory_status": "cancelled", "reason": reason}))
		if r.Body["decision"] != "changed" || r.Body["inventory_status"] != "cancelled" || r.Body["reason"] != reason {
			t.Errorf("change 276: %s", r.Raw)
		}
		it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/276"), clerk, nil))
		if it.Body["inventory_status"] != "cancelled" || it.Body["inventory_reason"] != reason || e2e.Num(it.Body["version"]) != 1 {
			t.Errorf("276 after the change: %s", it.Raw)
		}
		// Changed back to the suggestion: a confirmation, with the county's reason.
		r = s.Must(200, s.Do("PUT", path+"/276", admin, map[string]any{"inventory_status": "kept", "reason": "复核后保留"}))
		if r.Body["decision"] != "confirmed" || r.Body["inventory_status"] != "kept" {
			t.Errorf("276 back to kept: %s", r.Raw)
		}
		s.Must(200, s.Do("PUT", path+"/282", admin, map[string]any{"inventory_status": "transferred", "reason": "已移交县卫生健康委"}))
		s.Must(200, s.Do("POST", path+"/274/confirm", admin, nil))

		c = s.Must(200, s.Do("GET", path, clerk, nil))
		checkSummary(t, "after four decisions", c, 11, 4, 7, 2, map[string]int64{"kept": 2, "cancelled": 1, "transferred": 1})
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE ? AND outcome = 'success'`, "%cleanup 276 change cancelled%"); n != 1 {
			t.Errorf("%d audit entries for changing 276", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE ? AND outcome = 'success'`, "%cleanup %"); n != 5 {
			t.Errorf("%d audited clean-up decisions, want 5", n)
		}
		// The other county is untouched.
		checkSummary(t, "the other county", s.Must(200, s.Do("GET", "/api/v1/counties/"+other+"/cleanup", otherAdmin, nil)), 11, 0, 11, 0, nil)

		// The summary report counts the clean-up.
		rep := s.Do("POST", "/api/v1/counties/"+county+"/reports", admin,
			map[string]string{"period_kind": "month", "date": time.Now().In(e2e.Beijing).Format("2006-01-02")})
		if rep.Status != 200 && rep.Status != 201 {
			t.Fatalf("compile: %d %s", rep.Status, rep.Raw)
		}
		f, _ := rep.Body["county_figures"].(map[string]any)
		cat, _ := f["catalog"].(map[string]any)
		cl, _ := cat["cleanup"].(map[string]any)
		byResult, _ := cl["by_result"].(map[string]any)
		if e2e.Num(cl["before"]) != 11 || e2e.Num(cl["decided"]) != 4 || e2e.Num(cl["held_after"]) != 2 || e2e.Num(byResult["transferred"]) != 1 {
			t.Errorf("report clean-up figures: %v", cl)
		}
	})
}

func checkSummary(t *testing.T, what string, r e2e.Response, before, decided, pending, held int64, byResult map[string]int64) {
	t.Helper()
	sum, _ := r.Body["summary"].(map[string]any)
	if e2e.Num(sum["before"]) != before || e2e.Num(sum["decided"]) != decided || e2e.Num(sum["pending"]) != pending ||
		e2e.Num(sum["held_after"]) != held {
		t.Errorf("%s: summary %v, want before %d decided %d pending %d held %d", what, sum, before, decided, pending, held)
	}
	got, _ := sum["by_result"].(map[string]any)
	if len(got) != len(byResult) {
		t.Errorf("%s: by_result %v, want %v", what, got, byResult)
	}
	for k, v := range byResult {
		if e2e.Num(got[k]) != v {
			t.Errorf("%s: by_result[%s] = %v, want %d", what, k, got[k], v)
		}
	}
}

// TestPenaltyTemplatesAndRepealedStandard: a county adopts the 第九十九条
// draft (its statutory ranges for the organisation and the persons
// separate, every tier inside them, publishing blocked while it is a
// draft); a standard citing the repealed 2010 standard is refused naming the
// field, for the county and for the province editing its template, and
// nothing is stored; the province's edit of a template reaches a county that
// has not saved the item.
func TestPenaltyTemplatesAndRepealedStandard(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		prov := s.ProvinceUser("34", "tpl_prov", "province_admin")

		list := s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/catalog-templates", admin, nil))
		penalties := 0
		for _, x := range list.Body["items"].([]any) {
			m := x.(map[string]any)
			if strings.HasPrefix(m["code"].(string), "CF-AQ-") {
				penalties++
				if m["draft"] != true || m["held"] != false {
					t.Errorf("%v: draft %v held %v", m["code"], m["draft"], m["held"])
				}
			}
		}
		if penalties < 10 {
			t.Fatalf("%d penalty templates offered, want at least ten", penalties)
		}

		it := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/catalog-templates/CF-AQ-099/adopt", admin, nil))
		if it.Body["power_type"] != "CF" || it.Body["from_template"] != true || it.Body["legal_basis"] != "《中华人民共和国安全生产法》第九十九条" {
			t.Fatalf("adopted 99: %s", it.Raw)
		}
		std := it.Body["discretion"].([]any)
		first := std[0].(map[string]any)
		sf := first["statutory_fine"].(map[string]any)
		if e2e.Num(sf["max"]) != 50000 || !strings.HasSuffix(first["violation"].(string), "（对单位）") {
			t.Errorf("99 first standard: %v", first)
		}
		s.Must(409, s.Do("POST", "/api/v1/counties/"+county+"/catalog-templates/CF-AQ-099/adopt", admin, nil))

		// The 2010 standard is refused, naming the field; nothing stored.
		content := contentOf(it)
		bad := map[string]any{}
		for k, v := range first {
			bad[k] = v
		}
		bad["legal_basis_version"] = "《安全生产行政处罚自由裁量标准》（安监总局2010年）"
		content["discretion"] = append([]any{bad}, std[1:]...)
		r := s.Do("PUT", e2e.CatPath(county, "/CF-AQ-099"), admin, content)
		s.MustInvalid("a standard citing the 2010 standard", r, "discretion[0].legal_basis_version")
		if msg, _ := e2e.ErrorFields(r)["discretion[0].legal_basis_version"].(string); !strings.Contains(msg, "应急〔2024〕90号") {
			t.Errorf("message %q does not name the instrument in force", msg)
		}
		if n := versionCount(s, county); n != 0 {
			t.Errorf("%d versions stored by the refused save", n)
		}
		r = s.Do("PUT", "/api/v1/provinces/34/catalog-templates/CF-AQ-099", prov, map[string]any{"content": content})
		s.MustInvalid("the province citing the 2010 standard", r, "discretion[0].legal_basis_version")
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_templates`); n != 0 {
			t.Errorf("%d templates stored by the refused edit", n)
		}
		// The draft mark blocks publishing.
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/CF-AQ-099"), admin, contentOf(it)))
		s.MustInvalid("publishing the draft", s.Do("POST", e2e.CatPath(county, "/CF-AQ-099/publish"), admin, nil), "summary")

		// A province edit reaches a county that has not saved the item.
		tpl := s.Must(200, s.Do("GET", "/api/v1/provinces/34/catalog-templates/281", prov, nil))
		tc := tpl.Body["content"].(map[string]any)
		tc["promised_limit_workdays"] = 2
		s.Must(403, s.Do("PUT", "/api/v1/provinces/34/catalog-templates/281", admin, map[string]any{"content": tc}))
		s.Must(200, s.Do("PUT", "/api/v1/provinces/34/catalog-templates/281", prov, map[string]any{"content": tc}))
		if got := s.Must(200, s.Do("GET", e2e.CatPath(county, "/281"), admin, nil)); e2e.Num(got.Body["promised_limit_workdays"]) != 2 {
			t.Errorf("281 after the province's edit: %v", got.Body["promised_limit_workdays"])
		}
		s.Must(404, s.Do("PUT", "/api/v1/provinces/34/catalog-templates/NOPE", prov, map[string]any{"content": tc}))
	})
}

// TestBureauDisclosureItems: the province's disclosure items are offered to
// a county; one adopted is an information item of the county's catalog, so
// the disclosure category picker (the fixed API's category) accepts it,
// which it refused before; the catalog page adds the rest in one go and
// shows the clean-up line of the 底数.
func TestBureauDisclosureItems(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		_, clerk := s.AddUser(admin, county, "gk_clerk", "county_clerk")
		body := map[string]any{"title": "2026年度安全生产监督检查计划", "category": "GK08", "body": "<p>计划全文</p>",
			"formed_on": time.Now().In(e2e.Beijing).Format("2006-01-02")}
		s.MustInvalid("a disclosure filed under an item not held", s.Do("POST", "/api/v1/counties/"+county+"/disclosures", clerk, body), "category")
		it := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/catalog-templates/GK08/adopt", admin, nil))
		if it.Body["category"] != "information" || it.Body["disclosure_mode"] != "proactive" ||
			!strings.Contains(it.Body["summary"].(string), "第二十条第（十三）项") {
			t.Fatalf("adopted GK08: %s", it.Raw)
		}
		s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/disclosures", clerk, body))

		// The catalog page offers the nine others and adds them in one go,
		// after the twenty items of the 2008 list; the clean-up line is there.
		page := string(s.Must(200, s.Do("GET", "/counties/"+county+"/catalog", admin, nil)).Raw)
		if !strings.Contains(page, "尚未加入本县目录") || strings.Count(page, "adopt-information") != 2 ||
			!strings.Contains(page, "清理前持有基本目录行政职权 11 项") {
			t.Errorf("catalog page does not offer the disclosure items or the clean-up line")
		}
		r := e2e.IsoRequest(s, "POST", "/counties/"+county+"/catalog-templates/adopt-information", admin, url.Values{})
		if r.Status != 303 {
			t.Fatalf("adopting the information items: %d %s", r.Status, r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ? AND code LIKE 'GK%' AND category = 'information'`, county); n != 10 {
			t.Errorf("%d disclosure items held, want 10", n)
		}
		list := s.Must(200, s.Do("GET", e2e.CatPath(county, ""), admin, nil)).Body["items"].([]any)
		if code := list[20].(map[string]any)["code"]; code != "GK01" {
			t.Errorf("item after the 2008 list is %v, want GK01", code)
		}
		if page := string(s.Must(200, s.Do("GET", "/counties/"+county+"/catalog", admin, nil)).Raw); strings.Contains(page, "adopt-information") {
			t.Errorf("the page still offers disclosure items after all were added")
		}
	})
}

// TestProvinceTemplatesPage: the province administrator sees every template
// with how far it was verified, changes 281's legal basis on the page, and a
// county that has not saved 281 shows the change; an unknown code is refused
// and stores nothing; a county administrator cannot edit.
func TestProvinceTemplatesPage(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		prov := s.ProvinceUser("34", "tplpage_prov", "province_admin")
		page := string(s.Must(200, s.Do("GET", "/provinces/34/catalog-templates", prov, nil)).Raw)
		for _, want := range []string{`data-testid="template-274"`, `data-testid="template-GK10"`, `data-testid="template-CF-AQ-114"`, "未能核实", "部分核实"} {
			if !strings.Contains(page, want) {
				t.Errorf("templates page lacks %q", want)
			}
		}
		basis := "《生产安全事故应急条例》第七条；本省生产安全事故应急预案管理实施细则"
		r := e2e.IsoRequest(s, "POST", "/provinces/34/catalog-templates", prov, url.Values{"code": {"281"}, "legal_basis": {basis}})
		if r.Status != 303 {
			t.Fatalf("saving the template: %d %s", r.Status, r.Raw)
		}
		if got := s.Must(200, s.Do("GET", e2e.CatPath(county, "/281"), admin, nil)); got.Body["legal_basis"] != basis ||
			got.Body["from_template"] != true || len(got.Body["steps"].([]any)) != 3 {
			t.Errorf("281 after the province's edit: %s", got.Raw)
		}
		if r := e2e.IsoRequest(s, "POST", "/provinces/34/catalog-templates", prov, url.Values{"code": {"NOPE"}, "fees": {"x"}}); r.Status != 400 {
			t.Errorf("an unknown template: %d", r.Status)
		}
		if r := e2e.IsoRequest(s, "POST", "/provinces/34/catalog-templates", admin, url.Values{"code": {"274"}, "fees": {"x"}}); r.Status != 403 {
			t.Errorf("a county administrator edits a template: %d", r.Status)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_templates`); n != 1 {
			t.Errorf("%d templates stored, want 281 only", n)
		}
	})
}
