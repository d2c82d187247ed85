package catalog_test

import (
	"net/url"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
)

// pushPath is the province's catalog-push endpoint.
func pushPath(province string) string { return "/api/v1/provinces/" + province + "/catalog-pushes" }

// changesPath is a county's list of pushed catalog changes.
func changesPath(county, rest string) string {
	return "/api/v1/counties/" + county + "/catalog-changes" + rest
}

// pushCounts are the rows a push may add.
func pushCounts(s *e2e.Service) [3]int {
	s.T.Helper()
	return [3]int{s.CountRows(`SELECT COUNT(*) FROM catalog_pushes`), s.CountRows(`SELECT COUNT(*) FROM catalog_push_changes`),
		s.CountRows(`SELECT COUNT(*) FROM catalog_items`)}
}

// TestCatalogPush: a province pushes a new basic-catalog version; every
// active pilot county of the province gets the new item as a draft and the
// rename, and sees both until it acknowledges them; counties that are only
// recommended and counties of other provinces get nothing; county users
// cannot push, and invalid pushes store nothing.
func TestCatalogPush(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		national := s.AdminToken()
		adminA := s.Onboard("34", e2e.CatCountyA)
		adminB := s.Onboard("34", e2e.CatCountyB)
		_, clerkA := s.AddUser(adminA, e2e.CatCountyA, "clerk_a", "county_clerk")
		_, reviewerA := s.AddUser(adminA, e2e.CatCountyA, "reviewer_a", "county_reviewer")
		s.Must(201, s.Do("POST", "/api/v1/provinces/34/counties", national,
			map[string]string{"code": e2e.CatCountyC, "egov_readiness": "丙", "recommendation": "丙"}))
		const otherCounty = "110101" // 北京市东城区, another province
		adminOther := s.Onboard("11", otherCounty)
		province := s.ProvinceUser("34", "prov_admin_34", "province_admin")

		// County A has published 274 under its old name.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerkA, e2e.FireworksContent()))
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), adminA, nil))

		const oldName = "烟花爆竹经营（零售）许可证核发"
		const newName = "烟花爆竹经营（零售）许可"
		const addedName = "危险化学品重大危险源备案核查"
		push := map[string]any{
			"title": "2026年安全生产政务服务基本目录更新",
			"note":  "新增285项，274项更名",
			"items": []map[string]any{
				{"code": "285", "category": "power", "name": addedName},
				{"code": "274", "category": "power", "name": newName},
				{"code": "283", "category": "power", "name": "重大危险源备案"}, // unchanged
			},
		}

		// County users cannot push, nor can a province push to another province.
		before := pushCounts(s)
		for _, token := range []string{adminA, clerkA, reviewerA, adminOther} {
			if r := s.Do("POST", pushPath("34"), token, push); r.Status != 403 || r.ErrorCode() != "forbidden" {
				t.Errorf("county user pushes: %d %s", r.Status, r.Raw)
			}
		}
		s.Must(403, s.Do("POST", pushPath("11"), province, push))
		if after := pushCounts(s); after != before {
			t.Fatalf("refused pushes stored rows: %v before, %v after", before, after)
		}

		r := s.Must(201, s.Do("POST", pushPath("34"), province, push))
		pushID := e2e.Num(r.Body["id"])
		if pushID == 0 || r.Body["province_code"] != "34" || e2e.Num(r.Body["counties"]) != 2 || e2e.Num(r.Body["changes"]) != 4 ||
			r.Body["title"] != push["title"] {
			t.Fatalf("push: %s", r.Raw)
		}

		// Every active county of 34 has the new draft item and the rename.
		for _, c := range []struct{ county, token string }{{e2e.CatCountyA, adminA}, {e2e.CatCountyB, adminB}} {
			list := s.Must(200, s.Do("GET", e2e.CatPath(c.county, ""), c.token, nil))
			if e2e.Num(list.Body["total"]) != 32 {
				t.Errorf("%s: %v items after the push, want 32", c.county, list.Body["total"])
			}
			it := s.Must(200, s.Do("GET", e2e.CatPath(c.county, "/285"), c.token, nil))
			if it.Body["name"] != addedName || it.Body["category"] != "power" || it.Body["status"] != "draft" || e2e.Num(it.Body["version"]) != 0 {
				t.Errorf("%s: added item %s", c.county, it.Raw)
			}
			if it := s.Must(200, s.Do("GET", e2e.CatPath(c.county, "/274"), c.token, nil)); it.Body["name"] != newName {
				t.Errorf("%s: 274 after the push: %s", c.county, it.Raw)
			}
			pending := s.Must(200, s.Do("GET", changesPath(c.county, "?pending=true"), c.token, nil))
			items, _ := pending.Body["items"].([]any)
			if e2e.Num(pending.Body["total"]) != 2 || len(items) != 2 {
				t.Fatalf("%s: pending changes %s", c.county, pending.Raw)
			}
			byCode := map[string]map[string]any{}
			for _, x := range items {
				ch := x.(map[string]any)
				byCode[ch["code"].(string)] = ch
				if e2e.Num(ch["push_id"]) != pushID || ch["title"] != push["title"] || ch["acknowledged_at"] != nil {
					t.Errorf("%s: change %v", c.county, ch)
				}
			}
			if a := byCode["285"]; a == nil || a["kind"] != "added" || a["new_name"] != addedName || a["old_name"] != "" {
				t.Errorf("%s: added change %v", c.county, a)
			}
			if rn := byCode["274"]; rn == nil || rn["kind"] != "renamed" || rn["old_name"] != oldName || rn["new_name"] != newName {
				t.Errorf("%s: rename %v", c.county, rn)
			}
			// The console list shows them until acknowledged.
			html := string(s.Must(200, s.Do("GET", "/counties/"+c.county+"/catalog", c.token, nil)).Raw)
			if !strings.Contains(html, `data-testid="pending-changes"`) || !strings.Contains(html, "新增事项 285 "+addedName) ||
				!strings.Contains(html, "由“"+oldName+"”更名为“"+newName+"”") {
				t.Errorf("%s: console list does not show the pending changes", c.county)
			}
		}
		// A's published item stays public.
		if pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil)); e2e.Num(pub.Body["version"]) != 1 {
			t.Errorf("public 274 after the rename: %s", pub.Raw)
		}

		// A county that is only recommended has no catalog; another province's county is untouched.
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, e2e.CatCountyC); n != 0 {
			t.Errorf("recommended county %s got %d catalog items", e2e.CatCountyC, n)
		}
		for _, county := range []string{e2e.CatCountyC, otherCounty} {
			if n := s.CountRows(`SELECT COUNT(*) FROM catalog_push_changes WHERE county_code = ?`, county); n != 0 {
				t.Errorf("county %s got %d pushed changes", county, n)
			}
		}
		if list := s.Must(200, s.Do("GET", e2e.CatPath(otherCounty, ""), adminOther, nil)); e2e.Num(list.Body["total"]) != 31 {
			t.Errorf("%s: %v items, want 31", otherCounty, list.Body["total"])
		}
		s.Must(404, s.Do("GET", e2e.CatPath(otherCounty, "/285"), adminOther, nil))
		if it := s.Must(200, s.Do("GET", e2e.CatPath(otherCounty, "/274"), adminOther, nil)); it.Body["name"] != oldName {
			t.Errorf("%s: 274 renamed by another province's push: %s", otherCounty, it.Raw)
		}
		if ch := s.Must(200, s.Do("GET", changesPath(otherCounty, "?pending=true"), adminOther, nil)); e2e.Num(ch.Body["total"]) != 0 {
			t.Errorf("%s: pending changes %s", otherCounty, ch.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_push_changes`); n != 4 {
			t.Errorf("%d change rows, want 4", n)
		}

		// Acknowledging: catalog:edit of the county; a reviewer may not.
		ack := changesPath(e2e.CatCountyA, "/"+e2e.Itoa(pushID)+"/acknowledge")
		s.Must(403, s.Do("POST", ack, reviewerA, nil))
		s.Must(403, s.Do("POST", changesPath(e2e.CatCountyB, "/"+e2e.Itoa(pushID)+"/acknowledge"), adminA, nil))
		s.Must(204, s.Do("POST", ack, clerkA, nil))
		if ch := s.Must(200, s.Do("GET", changesPath(e2e.CatCountyA, "?pending=true"), adminA, nil)); e2e.Num(ch.Body["total"]) != 0 {
			t.Errorf("pending after acknowledging: %s", ch.Raw)
		}
		all := s.Must(200, s.Do("GET", changesPath(e2e.CatCountyA, ""), adminA, nil))
		if items, _ := all.Body["items"].([]any); len(items) != 2 || items[0].(map[string]any)["acknowledged_at"] == nil {
			t.Errorf("all changes after acknowledging: %s", all.Raw)
		}
		if r := s.Do("POST", ack, adminA, nil); r.Status != 404 || r.ErrorCode() != "not_found" {
			t.Errorf("second acknowledgement: %d %s", r.Status, r.Raw)
		}
		s.Must(404, s.Do("POST", changesPath(e2e.CatCountyA, "/999999/acknowledge"), adminA, nil))
		s.Must(404, s.Do("POST", changesPath(e2e.CatCountyA, "/abc/acknowledge"), adminA, nil))
		// B's changes are still pending: acknowledgements are per county.
		if ch := s.Must(200, s.Do("GET", changesPath(e2e.CatCountyB, "?pending=true"), adminB, nil)); e2e.Num(ch.Body["total"]) != 2 {
			t.Errorf("B's pending changes after A acknowledged: %s", ch.Raw)
		}
		html := string(s.Must(200, s.Do("GET", "/counties/"+e2e.CatCountyA+"/catalog", adminA, nil)).Raw)
		if strings.Contains(html, `data-testid="pending-changes"`) {
			t.Errorf("A's console list still shows acknowledged changes")
		}

		// The national administrator pushes too; a push that changes nothing records no change.
		r = s.Must(201, s.Do("POST", pushPath("34"), national, map[string]any{"title": "补充更新",
			"items": []map[string]any{{"code": "286", "category": "service", "name": "安全生产政策咨询"}, {"code": "274", "category": "power", "name": newName}}}))
		if e2e.Num(r.Body["counties"]) != 2 || e2e.Num(r.Body["changes"]) != 2 {
			t.Errorf("national push: %s", r.Raw)
		}
		if ch := s.Must(200, s.Do("GET", changesPath(e2e.CatCountyA, "?pending=true"), adminA, nil)); e2e.Num(ch.Body["total"]) != 1 {
			t.Errorf("A's pending changes after the second push: %s", ch.Raw)
		}
		list := s.Must(200, s.Do("GET", pushPath("34"), province, nil))
		if items, _ := list.Body["items"].([]any); e2e.Num(list.Body["total"]) != 2 || len(items) != 2 ||
			items[0].(map[string]any)["title"] != "补充更新" || len(items[1].(map[string]any)["items"].([]any)) != 3 {
			t.Errorf("push list: %s", list.Raw)
		}
		s.Must(403, s.Do("GET", pushPath("34"), adminA, nil))

		// Invalid pushes: 400 with the fields, nothing stored.
		before = pushCounts(s)
		invalid := []struct {
			name   string
			body   any
			fields []string
		}{
			{"no items", map[string]any{"title": "空", "items": []any{}}, []string{"items"}},
			{"items missing", map[string]any{"title": "空"}, []string{"items"}},
			{"duplicate codes", map[string]any{"title": "重复", "items": []map[string]any{
				{"code": "287", "category": "power", "name": "甲"}, {"code": "287", "category": "power", "name": "乙"}}}, []string{"items[1].code"}},
			{"bad category", map[string]any{"title": "类别", "items": []map[string]any{
				{"code": "288", "category": "power", "name": "甲"}, {"code": "289", "category": "penalty", "name": "乙"}}}, []string{"items[1].category"}},
			{"bad code and no name", map[string]any{"title": "编码", "items": []map[string]any{
				{"code": "28 9", "category": "power", "name": " "}}}, []string{"items[0].code", "items[0].name"}},
			{"no title", map[string]any{"title": " ", "items": []map[string]any{{"code": "290", "category": "power", "name": "甲"}}}, []string{"title"}},
		}
		for _, c := range invalid {
			s.MustInvalid(c.name, s.Do("POST", pushPath("34"), province, c.body), c.fields...)
		}
		if r := s.Do("POST", pushPath("34"), province, `{"title":"x","items":[{"code":"291"`); r.Status != 400 {
			t.Errorf("broken JSON: %d %s", r.Status, r.Raw)
		}
		// A province code that names no province: not found, not a push to nobody.
		if r := s.Do("POST", pushPath("99"), national, push); r.Status != 404 || r.ErrorCode() != "not_found" {
			t.Errorf("push to province 99: %d %s", r.Status, r.Raw)
		}
		if after := pushCounts(s); after != before {
			t.Errorf("invalid pushes stored rows: %v before, %v after", before, after)
		}

		// The province page links to the push page, which pushes from a form too.
		for _, token := range []string{province, national} {
			html := string(s.Must(200, s.Do("GET", "/provinces/34", token, nil)).Raw)
			if !strings.Contains(html, `<a href="/provinces/34/catalog-pushes" data-testid="catalog-pushes-link">推送目录更新</a>`) {
				t.Errorf("province page lacks the link to the push page")
			}
		}
		leader := s.ProvinceUser("34", "leader_34", "province_leader")
		html = string(s.Must(200, s.Do("GET", "/provinces/34", leader, nil)).Raw)
		if !strings.Contains(html, `href="/provinces/34/catalog-pushes"`) {
			t.Errorf("a province leader, who may read the pushes, is not offered the link")
		}
		pushes := string(s.Must(200, s.Do("GET", "/provinces/34/catalog-pushes", leader, nil)).Raw)
		if !strings.Contains(pushes, "2026年安全生产政务服务基本目录更新") || strings.Contains(pushes, `name="items"`) {
			t.Errorf("push page for a leader: lacks the history or offers the form")
		}
		s.Must(403, e2e.IsoRequest(s, "POST", "/provinces/34/catalog-pushes", leader, url.Values{"title": {"x"}, "items": {"292|行政职权|甲"}}))
		r = e2e.IsoRequest(s, "POST", "/provinces/34/catalog-pushes", province, url.Values{"title": {"表单推送"}, "items": {"292|行政职权|表单新增事项\n293｜便民服务｜表单便民事项"}})
		if r.Status != 200 || !strings.Contains(string(r.Raw), "已推送“表单推送”：2个试点县，共4处变化") {
			t.Errorf("push from the form: %d", r.Status)
		}
		if it := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyB, "/293"), adminB, nil)); it.Body["category"] != "service" || it.Body["name"] != "表单便民事项" {
			t.Errorf("item pushed from the form: %s", it.Raw)
		}
		r = e2e.IsoRequest(s, "POST", "/provinces/34/catalog-pushes", province, url.Values{"title": {"坏"}, "items": {"294|处罚|甲"}})
		if r.Status != 400 || !strings.Contains(string(r.Raw), "第1个事项的类别：类别应为") || strings.Contains(string(r.Raw), "items[0]") {
			t.Errorf("bad category from the form: %d", r.Status)
		}
	})
}
