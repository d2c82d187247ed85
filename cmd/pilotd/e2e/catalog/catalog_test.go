package catalog_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
)

// noticeCatalog is the basic catalog of the 2011 notice's attachment, as a
// newly approved county must receive it, in order.
var noticeCatalog = []struct{ code, category, name string }{
	{"1", "information", "行政法规、规章和规范性文件"},
	{"2", "information", "国民经济和社会发展规划、专项计划、区域规划及相关政策"},
	{"3", "information", "国民经济和社会发展统计信息"},
	{"4", "information", "财政预算、决算报告"},
	{"5", "information", "行政事业性收费的项目、依据、标准"},
	{"6", "information", "政府集中采购项目的目录、标准及实施情况"},
	{"7", "information", "行政许可的事项、依据、条件、数量、程序、期限以及申请行政许可需要提交的全部材料目录及办理情况"},
	{"8", "information", "重大建设项目的批准和实施情况"},
	{"9", "information", "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"},
	{"10", "information", "突发公共事件的应急预案、预警信息及应对情况"},
	{"11", "information", "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"},
	{"12", "information", "城乡建设和管理的重大事项"},
	{"13", "information", "社会公益事业建设情况"},
	{"14", "information", "征收或者征用土地、房屋拆迁及其补偿、补助费用的发放、使用情况"},
	{"15", "information", "抢险救灾、优抚、社会捐助、彩票公益金等款物的管理、使用和分配情况"},
	{"16", "information", "贯彻落实国家关于农村工作政策情况"},
	{"17", "information", "乡（镇）土地利用总体规划、宅基地使用的审核情况"},
	{"18", "information", "乡（镇）的债权债务、筹资筹劳情况"},
	{"19", "information", "乡（镇）集体企业及其他乡镇经济实体承包、租赁、拍卖等情况"},
	{"20", "information", "执行计划生育政策情况"},
	{"274", "power", "烟花爆竹经营（零售）许可证核发"},
	{"275", "power", "依法由县级政府办理的危险化学品经营（不包括有储存设施的）许可证核发"},
	{"276", "power", "第三类非药品类易制毒化学品经营备案"},
	{"277", "power", "矿山建设项目和用于生产、储存危险物品的建设项目安全设施设计审查"},
	{"278", "power", "矿山建设项目和用于生产、储存危险物品的建设项目安全设施竣工验收"},
	{"279", "power", "职业病危害严重的建设项目职业病防护设施设计审查"},
	{"280", "power", "建设项目职业病防护设施竣工验收"},
	{"281", "power", "生产经营单位安全生产事故应急救援预案备案"},
	{"282", "power", "用人单位职业病危害项目申报"},
	{"283", "power", "重大危险源备案"},
	{"284", "power", "职业病危害预评价报告审核"},
}

func versionCount(s *e2e.Service, county string) int {
	s.T.Helper()
	return s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ?`, county)
}

// svgText checks an SVG answer is image/svg+xml and well-formed XML with an
// <svg> root, and returns all its character data.
func svgText(t *testing.T, what string, r e2e.Response) string {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("%s: status %d: %.300s", what, r.Status, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Fatalf("%s: Content-Type %q, want image/svg+xml", what, ct)
	}
	dec := xml.NewDecoder(bytes.NewReader(r.Raw))
	dec.Strict = true
	var text strings.Builder
	root, depth, elements := "", 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: SVG is not well-formed XML: %v\n%s", what, err, r.Raw)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = v.Name.Local
			} else if depth == 0 {
				t.Fatalf("%s: second root element <%s>", what, v.Name.Local)
			}
			depth++
			elements++
		case xml.EndElement:
			depth--
		case xml.CharData:
			text.Write(v)
			text.WriteByte('\n')
		}
	}
	if root != "svg" || depth != 0 || elements < 5 {
		t.Fatalf("%s: root <%s>, depth %d, %d elements", what, root, depth, elements)
	}
	return text.String()
}

// assertStepsDrawn checks the SVG text holds every step's post and limit.
func assertStepsDrawn(t *testing.T, what, text string, steps []map[string]any) {
	t.Helper()
	for i, st := range steps {
		post := st["post"].(string)
		if !strings.Contains(text, post) {
			t.Errorf("%s: step %d post %q not in the SVG text:\n%s", what, i+1, post, text)
		}
		limit := fmt.Sprintf("时限：%d个工作日", st["limit_workdays"])
		if !strings.Contains(text, limit) {
			t.Errorf("%s: step %d limit %q not in the SVG text:\n%s", what, i+1, limit, text)
		}
	}
}

// TestCatalogBasicItems: a newly approved county's catalog is the notice's
// 31 basic items, with their codes, categories and names, all drafts.
func TestCatalogBasicItems(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", e2e.CatCountyA)
		r := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, ""), admin, nil))
		items, _ := r.Body["items"].([]any)
		if e2e.Num(r.Body["total"]) != 31 || len(items) != 31 || len(noticeCatalog) != 31 {
			t.Fatalf("total %v, %d items: %.500s", r.Body["total"], len(items), r.Raw)
		}
		for i, want := range noticeCatalog {
			it := items[i].(map[string]any)
			if it["code"] != want.code || it["category"] != want.category || it["name"] != want.name {
				t.Errorf("item %d = %v %v %v, want %s %s %s", i, it["code"], it["category"], it["name"], want.code, want.category, want.name)
			}
			if it["county_code"] != e2e.CatCountyA || it["status"] != "draft" || e2e.Num(it["version"]) != 0 ||
				e2e.Num(it["published_version"]) != 0 || it["has_unpublished_changes"] != false {
				t.Errorf("item %s lifecycle: %v", want.code, it)
			}
		}
		// A few names literally, as the notice prints them.
		for code, name := range map[string]string{
			"274": "烟花爆竹经营（零售）许可证核发",
			"20":  "执行计划生育政策情况",
			"1":   "行政法规、规章和规范性文件",
			"283": "重大危险源备案",
		} {
			it := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/"+code), admin, nil))
			if it.Body["name"] != name || it.Body["code"] != code {
				t.Errorf("item %s: %s", code, it.Raw)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM basic_catalog`); n != 31 {
			t.Errorf("basic_catalog has %d rows", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ? AND category = 'information'`, e2e.CatCountyA); n != 20 {
			t.Errorf("%d information items, want 20", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ? AND category = 'power'`, e2e.CatCountyA); n != 11 {
			t.Errorf("%d power items, want 11", n)
		}
		if n := versionCount(s, e2e.CatCountyA); n != 0 {
			t.Errorf("%d versions before any edit", n)
		}
		// Nothing is public yet.
		pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog"), "", nil))
		if e2e.Num(pub.Body["total"]) != 0 {
			t.Errorf("public catalog of a new county: %s", pub.Raw)
		}
		s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))
		// A second county gets its own copy.
		adminB := s.Onboard("34", e2e.CatCountyB)
		rb := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyB, ""), adminB, nil))
		if e2e.Num(rb.Body["total"]) != 31 {
			t.Errorf("county B catalog: %v items", rb.Body["total"])
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items`); n != 62 {
			t.Errorf("%d catalog rows for two counties", n)
		}
	})
}

// TestCatalogValidation: invalid content is refused with 400 and field
// errors, and nothing is saved.
func TestCatalogValidation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", e2e.CatCountyA)
		_, clerk := s.AddUser(admin, e2e.CatCountyA, "clerk_a", "county_clerk")
		s.Must(201, s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin,
			map[string]any{"code": "CF-001", "category": "power", "name": "对未按规定开展安全生产教育和培训的处罚"}))

		steps := func(edit func(st []map[string]any)) []map[string]any {
			st := e2e.FireworksSteps()
			edit(st)
			return st
		}
		tiers := func(edit func(tiers []map[string]any)) []map[string]any {
			std := e2e.PenaltyContent()["discretion"].([]map[string]any)[0]
			list := std["tiers"].([]map[string]any)
			edit(list)
			return []map[string]any{std}
		}
		cases := []struct {
			name   string
			code   string
			body   map[string]any
			fields []string
		}{
			{"promised 14 of statutory 20", "274", e2e.With(e2e.FireworksContent(), "promised_limit_workdays", 14), []string{"promised_limit_workdays"}},
			{"promised equal to statutory", "274", e2e.With(e2e.FireworksContent(), "promised_limit_workdays", 20), []string{"promised_limit_workdays"}},
			{"negative limits", "274", e2e.With(e2e.FireworksContent(), "statutory_limit_workdays", -20, "promised_limit_workdays", -1, "extension_workdays", -5),
				[]string{"statutory_limit_workdays", "promised_limit_workdays", "extension_workdays"}},
			{"promised without statutory", "274", e2e.With(e2e.FireworksContent(), "statutory_limit_workdays", 0), []string{"statutory_limit_workdays"}},
			{"overlong step procedure", "274", e2e.With(e2e.FireworksContent(), "steps", steps(func(st []map[string]any) { st[1]["procedure"] = strings.Repeat("程", 2001) })), []string{"steps[1].procedure"}},
			{"negative step limit", "274", e2e.With(e2e.FireworksContent(), "steps", steps(func(st []map[string]any) { st[2]["limit_workdays"] = -1 })), []string{"steps[2].limit_workdays"}},
			{"counted steps over the statutory limit", "274", e2e.With(e2e.FireworksContent(), "steps", steps(func(st []map[string]any) { st[1]["limit_workdays"] = 17 })), []string{"steps"}},
			{"cancelled without reason", "274", e2e.With(e2e.FireworksContent(), "inventory_status", "cancelled"), []string{"inventory_reason"}},
			{"unknown inventory status", "274", e2e.With(e2e.FireworksContent(), "inventory_status", "abolished", "inventory_reason", "x"), []string{"inventory_status"}},
			{"unknown power type", "274", e2e.With(e2e.FireworksContent(), "power_type", "XZ"), []string{"power_type"}},
			{"discretion on a licence", "274", e2e.With(e2e.FireworksContent(), "discretion", e2e.PenaltyContent()["discretion"]), []string{"discretion"}},
			{"information item with steps", "11", map[string]any{"summary": "监督检查情况", "steps": e2e.FireworksSteps()}, []string{"power_type"}},
			{"tier min above max", "CF-001", e2e.With(e2e.PenaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[0]["fine"] = map[string]any{"min": 20000, "max": 10000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[0].fine"}},
			{"tier without level", "CF-001", e2e.With(e2e.PenaltyContent(), "discretion", tiers(func(l []map[string]any) { l[2]["level"] = "" })),
				[]string{"discretion[0].tiers[2].level"}},
			{"tier level too long to record", "CF-001", e2e.With(e2e.PenaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[1]["level"] = strings.Repeat("较", 33)
			})), []string{"discretion[0].tiers[1].level"}},
			{"negative fine", "CF-001", e2e.With(e2e.PenaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[0]["fine"] = map[string]any{"min": -1, "max": 10000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[0].fine"}},
			{"tiers touching at an inclusive bound", "CF-001", e2e.With(e2e.PenaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[1]["fine"] = map[string]any{"min": 10000, "max": 30000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[1].fine"}},
			{"overlapping tiers", "CF-001", e2e.With(e2e.PenaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[2]["fine"] = map[string]any{"min": 25000, "max": 50000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[2].fine"}},
			{"several errors at once", "274", e2e.With(e2e.FireworksContent(), "promised_limit_workdays", 14,
				"steps", steps(func(st []map[string]any) { st[0]["limit_workdays"] = -1 }), "inventory_status", "delegated"),
				[]string{"promised_limit_workdays", "steps[0].limit_workdays", "inventory_reason"}},
		}
		for _, c := range cases {
			before := versionCount(s, e2e.CatCountyA)
			r := s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/"+c.code), clerk, c.body)
			s.MustInvalid(c.name, r, c.fields...)
			if n := versionCount(s, e2e.CatCountyA); n != before {
				t.Errorf("%s: %d versions before, %d after a refused save", c.name, before, n)
			}
		}
		if n := versionCount(s, e2e.CatCountyA); n != 0 {
			t.Fatalf("%d versions saved by refused edits", n)
		}
		for _, code := range []string{"274", "11", "CF-001"} {
			it := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/"+code), clerk, nil))
			if e2e.Num(it.Body["version"]) != 0 || it.Body["has_unpublished_changes"] != false {
				t.Errorf("item %s changed by refused edits: %s", code, it.Raw)
			}
		}

		// Malformed bodies: wrong types and broken JSON.
		r := s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, `{"statutory_limit_workdays":"二十"}`)
		s.MustInvalid("limit as a string", r, "statutory_limit_workdays")
		r = s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, `{"steps":[{"name":"受理"`)
		if r.Status != 400 || r.ErrorCode() != "invalid_input" {
			t.Errorf("broken JSON: %d %s", r.Status, r.Raw)
		}
		// A basic item keeps the notice's name.
		r = s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, e2e.With(e2e.FireworksContent(), "name", "烟花爆竹零售许可"))
		s.MustInvalid("renaming a basic item", r, "name")

		// A valid save is one version; a refused one afterwards changes nothing.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, e2e.FireworksContent()))
		if n := versionCount(s, e2e.CatCountyA); n != 1 {
			t.Fatalf("%d versions after one save", n)
		}
		r = s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, e2e.With(e2e.FireworksContent(), "promised_limit_workdays", 14, "fees", "收费"))
		s.MustInvalid("invalid second save", r, "promised_limit_workdays")
		if n := versionCount(s, e2e.CatCountyA); n != 1 {
			t.Errorf("%d versions after a refused second save", n)
		}
		it := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, nil))
		if it.Body["fees"] != "不收费" || e2e.Num(it.Body["promised_limit_workdays"]) != 13 || e2e.Num(it.Body["version"]) != 1 {
			t.Errorf("item after refused save: %s", it.Raw)
		}
		// Promised 13 of 20 is accepted (at most two thirds).
		if e2e.Num(it.Body["statutory_limit_workdays"]) != 20 {
			t.Errorf("statutory limit: %s", it.Raw)
		}
	})
}

// TestCatalogLifecycle: drafts, publishing, new versions of published items
// and what the public sees; the flowchart SVG of both.
func TestCatalogLifecycle(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", e2e.CatCountyA)
		_, clerk := s.AddUser(admin, e2e.CatCountyA, "clerk_a", "county_clerk")
		_, reviewer := s.AddUser(admin, e2e.CatCountyA, "reviewer_a", "county_reviewer")

		// A clerk fills in 274 as a draft.
		r := s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, e2e.With(e2e.FireworksContent(), "base_version", 0)))
		if r.Body["status"] != "draft" || e2e.Num(r.Body["version"]) != 1 || e2e.Num(r.Body["published_version"]) != 0 ||
			r.Body["has_unpublished_changes"] != true || r.Body["fees"] != "不收费" || r.Body["power_type"] != "XK" ||
			r.Body["name"] != "烟花爆竹经营（零售）许可证核发" {
			t.Fatalf("after first save: %s", r.Raw)
		}
		if steps, _ := r.Body["steps"].([]any); len(steps) != 3 {
			t.Fatalf("steps: %s", r.Raw)
		}
		// Not public before it is published.
		s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))
		s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274/flowchart.svg"), "", nil))
		if pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog"), "", nil)); e2e.Num(pub.Body["total"]) != 0 {
			t.Fatalf("public list before publishing: %s", pub.Raw)
		}

		// The staff flowchart of the draft.
		text := svgText(t, "staff flowchart", s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/274/flowchart.svg"), reviewer, nil))
		assertStepsDrawn(t, "staff flowchart", text, e2e.FireworksSteps())
		for _, want := range []string{"烟花爆竹经营（零售）许可证核发", "法定时限20个工作日", "承诺时限13个工作日", "现场核查"} {
			if !strings.Contains(text, want) {
				t.Errorf("staff flowchart lacks %q:\n%s", want, text)
			}
		}

		// Only those with catalog:publish publish: a clerk and a reviewer cannot.
		if r := s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), clerk, nil); r.Status != 403 || r.ErrorCode() != "forbidden" {
			t.Fatalf("clerk publishes: %d %s", r.Status, r.Raw)
		}
		s.Must(403, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), reviewer, nil))
		s.Must(403, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), reviewer, e2e.FireworksContent()))
		s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))

		r = s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), admin, nil))
		if r.Body["status"] != "published" || e2e.Num(r.Body["published_version"]) != 1 || e2e.Num(r.Body["version"]) != 1 ||
			r.Body["has_unpublished_changes"] != false || r.Body["published_at"] == nil || r.Body["published_by"] == nil {
			t.Fatalf("after publishing: %s", r.Raw)
		}
		if r := s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), admin, nil); r.Status != 409 || r.ErrorCode() != "already_published" {
			t.Errorf("publishing twice: %d %s", r.Status, r.Raw)
		}

		pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))
		if pub.Body["code"] != "274" || pub.Body["name"] != "烟花爆竹经营（零售）许可证核发" || pub.Body["status"] != "published" ||
			e2e.Num(pub.Body["version"]) != 1 || pub.Body["fees"] != "不收费" || pub.Body["power_type"] != "XK" ||
			pub.Body["legal_basis_version"] != e2e.FireworksContent()["legal_basis_version"] ||
			e2e.Num(pub.Body["statutory_limit_workdays"]) != 20 || e2e.Num(pub.Body["promised_limit_workdays"]) != 13 ||
			pub.Body["complaint"] != e2e.FireworksContent()["complaint"] || pub.Body["inventory_status"] != "kept" {
			t.Fatalf("public item: %s", pub.Raw)
		}
		list := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog"), "", nil))
		if items, _ := list.Body["items"].([]any); e2e.Num(list.Body["total"]) != 1 || len(items) != 1 || items[0].(map[string]any)["code"] != "274" {
			t.Fatalf("public list: %s", list.Raw)
		}
		pubText := svgText(t, "public flowchart", s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274/flowchart.svg"), "", nil))
		assertStepsDrawn(t, "public flowchart", pubText, e2e.FireworksSteps())

		// An edit from a stale base is a conflict and saves nothing.
		r = s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, e2e.With(e2e.FireworksContent(), "base_version", 0, "fees", "过期的修改"))
		if r.Status != 409 || r.ErrorCode() != "edit_conflict" {
			t.Fatalf("stale base version: %d %s", r.Status, r.Raw)
		}
		if n := versionCount(s, e2e.CatCountyA); n != 1 {
			t.Fatalf("%d versions after a conflict", n)
		}

		// A change to the published item is a new draft version.
		newSteps := e2e.FireworksSteps()
		newSteps[1]["post"] = "行政审批股"
		newSteps[1]["limit_workdays"] = 6
		changed := e2e.With(e2e.FireworksContent(), "base_version", 1, "fees", "按规定收取工本费10元", "steps", newSteps)
		r = s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, changed))
		if e2e.Num(r.Body["version"]) != 2 || e2e.Num(r.Body["published_version"]) != 1 || r.Body["has_unpublished_changes"] != true ||
			r.Body["status"] != "published" || r.Body["fees"] != "按规定收取工本费10元" {
			t.Fatalf("after editing the published item: %s", r.Raw)
		}
		staff := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/274"), reviewer, nil))
		if staff.Body["fees"] != "按规定收取工本费10元" || staff.Body["has_unpublished_changes"] != true || e2e.Num(staff.Body["version"]) != 2 {
			t.Errorf("staff view of the new draft: %s", staff.Raw)
		}
		pub = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))
		if pub.Body["fees"] != "不收费" || e2e.Num(pub.Body["version"]) != 1 {
			t.Errorf("public sees the unpublished draft: %s", pub.Raw)
		}
		list = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog"), "", nil))
		if strings.Contains(string(list.Raw), "工本费") {
			t.Errorf("public list shows the draft: %s", list.Raw)
		}
		// The flowcharts follow: staff see the draft's steps, the public the published ones.
		text = svgText(t, "staff flowchart of the draft", s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/274/flowchart.svg"), clerk, nil))
		assertStepsDrawn(t, "staff flowchart of the draft", text, newSteps)
		pubText = svgText(t, "public flowchart during the draft", s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274/flowchart.svg"), "", nil))
		assertStepsDrawn(t, "public flowchart during the draft", pubText, e2e.FireworksSteps())
		if strings.Contains(pubText, "行政审批股") {
			t.Errorf("public flowchart shows the draft's post")
		}

		vers := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/274/versions"), reviewer, nil))
		vs, _ := vers.Body["items"].([]any)
		if e2e.Num(vers.Body["total"]) != 2 || len(vs) != 2 {
			t.Fatalf("versions: %s", vers.Raw)
		}
		v2, v1 := vs[0].(map[string]any), vs[1].(map[string]any)
		if e2e.Num(v2["version"]) != 2 || v2["published_at"] != nil || e2e.Num(v1["version"]) != 1 || v1["published_at"] == nil {
			t.Errorf("version history: %s", vers.Raw)
		}

		// Publishing the new version shows it to the public.
		r = s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), admin, nil))
		if e2e.Num(r.Body["published_version"]) != 2 || r.Body["has_unpublished_changes"] != false {
			t.Fatalf("second publication: %s", r.Raw)
		}
		pub = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))
		if pub.Body["fees"] != "按规定收取工本费10元" || e2e.Num(pub.Body["version"]) != 2 {
			t.Errorf("public after the second publication: %s", pub.Raw)
		}
		pubText = svgText(t, "public flowchart after republishing", s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274/flowchart.svg"), "", nil))
		assertStepsDrawn(t, "public flowchart after republishing", pubText, newSteps)

		// An incomplete item cannot be published; it stays unpublished.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/275"), clerk, map[string]any{"summary": "只填了摘要"}))
		r = s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/275/publish"), admin, nil)
		s.MustInvalid("publishing an incomplete item", r, "power_type", "implementing_body", "legal_basis", "inventory_status", "complaint")
		// A kept power item needs limits and steps to be published.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/276"), clerk, e2e.With(e2e.FireworksContent(),
			"statutory_limit_workdays", nil, "promised_limit_workdays", nil, "steps", nil)))
		r = s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/276/publish"), admin, nil)
		s.MustInvalid("publishing without limits and steps", r, "statutory_limit_workdays", "promised_limit_workdays", "steps")
		// Never-edited items have nothing to publish.
		s.MustInvalid("publishing an empty item", s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/277/publish"), admin, nil), "content")
		s.Must(404, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/999/publish"), admin, nil))
		for _, code := range []string{"275", "276", "277"} {
			s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/"+code), "", nil))
			s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/"+code+"/flowchart.svg"), "", nil))
			it := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/"+code), admin, nil))
			if it.Body["status"] != "draft" || e2e.Num(it.Body["published_version"]) != 0 {
				t.Errorf("item %s after refused publishing: %s", code, it.Raw)
			}
		}
		list = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog"), "", nil))
		if e2e.Num(list.Body["total"]) != 1 {
			t.Errorf("public list holds unpublished items: %s", list.Raw)
		}

		// An information item: published without power data, no flowchart.
		info := map[string]any{"summary": "本区安全生产监督检查计划及检查结果", "responsible_unit": "区应急管理局办公室",
			"channel": "区政府门户网站", "time_limit": "信息形成或变更之日起20个工作日内", "disclosure_mode": "proactive"}
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/11"), clerk, info))
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/11/publish"), admin, nil))
		s.Must(404, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/11/flowchart.svg"), admin, nil))
		s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/11/flowchart.svg"), "", nil))
		pub = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/11"), "", nil))
		if pub.Body["disclosure_mode"] != "proactive" || pub.Body["category"] != "information" {
			t.Errorf("public information item: %s", pub.Raw)
		}
		list = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog"), "", nil))
		if e2e.Num(list.Body["total"]) != 2 {
			t.Errorf("public list after publishing two items: %s", list.Raw)
		}
		if n := versionCount(s, e2e.CatCountyA); n != 5 {
			t.Errorf("%d versions, want 5 (274 twice, 275, 276, 11)", n)
		}
	})
}

// TestCatalogDiscretion: a county's own penalty item with a discretion
// standard, the calculator and recorded decisions.
func TestCatalogDiscretion(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", e2e.CatCountyA)
		_, clerk := s.AddUser(admin, e2e.CatCountyA, "clerk_a", "county_clerk")

		// The county adds its own penalty item.
		r := s.Must(201, s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin,
			map[string]any{"code": "CF-001", "category": "power", "name": "对未按规定开展安全生产教育和培训的处罚"}))
		if r.Body["code"] != "CF-001" || r.Body["category"] != "power" || r.Body["status"] != "draft" || e2e.Num(r.Body["version"]) != 0 {
			t.Fatalf("new item: %s", r.Raw)
		}
		if r := s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin, map[string]any{"code": "CF-001", "category": "power", "name": "重复"}); r.Status != 409 || r.ErrorCode() != "duplicate" {
			t.Errorf("duplicate code: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin, map[string]any{"code": "274", "category": "power", "name": "占用基本目录编码"}); r.Status != 409 {
			t.Errorf("basic code: %d %s", r.Status, r.Raw)
		}
		s.MustInvalid("bad code", s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin, map[string]any{"code": "CF 002", "category": "power", "name": "x"}), "code")
		s.MustInvalid("bad category", s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin, map[string]any{"code": "CF-002", "category": "penalty", "name": "x"}), "category")
		s.MustInvalid("no name", s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin, map[string]any{"code": "CF-002", "category": "power", "name": " "}), "name")
		if list := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, ""), clerk, nil)); e2e.Num(list.Body["total"]) != 32 {
			t.Errorf("catalog after adding one item: %v", list.Body["total"])
		}

		// A penalty item cannot be published without its discretion standard.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/CF-001"), clerk, e2e.With(e2e.PenaltyContent(), "discretion", nil)))
		s.MustInvalid("penalty item without discretion", s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/publish"), admin, nil), "discretion")
		// The calculator works on published standards only.
		s.Must(404, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-001-1", "tier_level": "一般"}))

		r = s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/CF-001"), clerk, e2e.PenaltyContent()))
		if ds, _ := r.Body["discretion"].([]any); len(ds) != 1 {
			t.Fatalf("saved discretion: %s", r.Raw)
		}
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/publish"), admin, nil))
		pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/CF-001"), "", nil))
		ds, _ := pub.Body["discretion"].([]any)
		if len(ds) != 1 || len(ds[0].(map[string]any)["tiers"].([]any)) != 3 || pub.Body["name"] != "对未按规定开展安全生产教育和培训的处罚" {
			t.Fatalf("public penalty item: %s", pub.Raw)
		}

		type rangeWant struct {
			min, max         int64
			minIncl, maxIncl bool
			text             string
		}
		calcCases := []struct {
			name                string
			in                  map[string]any
			want                rangeWant
			hearing, collective bool
		}{
			{"no circumstances", map[string]any{"tier_level": "一般"},
				rangeWant{10000, 30000, false, true, "超过1万元3万元以下罚款"}, false, false},
			{"mitigating: lower half", map[string]any{"tier_level": "一般", "mitigating": []string{"主动消除违法行为危害后果"}},
				rangeWant{10000, 20000, false, true, "超过1万元2万元以下罚款"}, false, false},
			{"aggravating: upper half", map[string]any{"tier_level": "一般", "aggravating": []string{"拒不改正"}},
				rangeWant{20000, 30000, true, true, "2万元以上3万元以下罚款"}, false, false},
			{"both: whole range", map[string]any{"tier_level": "一般", "aggravating": []string{"拒不改正"}, "mitigating": []string{"配合查处违法行为有立功表现"}},
				rangeWant{10000, 30000, false, true, "超过1万元3万元以下罚款"}, false, false},
			{"serious: hearing and collective discussion", map[string]any{"tier_level": "严重", "aggravating": []string{"拒不改正"}},
				rangeWant{40000, 50000, true, true, "4万元以上5万元以下罚款"}, true, true},
			{"minor, from zero", map[string]any{"tier_level": "轻微"},
				rangeWant{0, 10000, true, true, "1万元以下罚款"}, false, false},
		}
		for _, c := range calcCases {
			in := e2e.With(c.in, "standard_id", "CF-001-1")
			r := s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/discretion/calculate"), clerk, in))
			rg, _ := r.Body["range"].(map[string]any)
			if rg == nil || e2e.Num(rg["min"]) != c.want.min || e2e.Num(rg["max"]) != c.want.max ||
				rg["min_inclusive"] != c.want.minIncl || rg["max_inclusive"] != c.want.maxIncl || r.Body["range_text"] != c.want.text {
				t.Errorf("%s: %s", c.name, r.Raw)
			}
			if r.Body["requires_hearing"] != c.hearing || r.Body["requires_collective_discussion"] != c.collective {
				t.Errorf("%s: flags %s", c.name, r.Raw)
			}
			if tier, _ := r.Body["tier"].(map[string]any); tier["level"] != c.in["tier_level"] {
				t.Errorf("%s: tier %s", c.name, r.Raw)
			}
			if ex, _ := r.Body["explanation"].([]any); len(ex) < 2 {
				t.Errorf("%s: explanation %s", c.name, r.Raw)
			}
		}
		s.MustInvalid("unknown standard", s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-999", "tier_level": "一般"}), "standard_id")
		s.MustInvalid("unknown tier", s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-001-1", "tier_level": "特别严重"}), "tier_level")
		s.MustInvalid("unknown circumstance", s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-001-1", "tier_level": "一般", "aggravating": []string{"态度恶劣"}}), "aggravating[0]")

		// Recording decisions: the handler of cases records; the administrator does not handle cases.
		decision := func(amount int64, reason string) map[string]any {
			return map[string]any{"standard_id": "CF-001-1", "tier_level": "一般", "mitigating": []string{"主动消除违法行为危害后果"},
				"case_ref": "瑶应急罚〔2026〕1号", "decided_amount": amount, "deviation_reason": reason}
		}
		decisions := e2e.CatPath(e2e.CatCountyA, "/CF-001/discretion/decisions")
		s.Must(403, s.Do("POST", decisions, admin, decision(15000, "")))
		countDecisions := func() int {
			return s.CountRows(`SELECT COUNT(*) FROM discretion_decisions WHERE county_code = ?`, e2e.CatCountyA)
		}
		// Outside the recommended (10000, 20000]: above it, and at its exclusive lower bound.
		s.MustInvalid("above the range without reason", s.Do("POST", decisions, clerk, decision(25000, "")), "deviation_reason")
		s.MustInvalid("at the exclusive bound without reason", s.Do("POST", decisions, clerk, decision(10000, "  ")), "deviation_reason")
		s.MustInvalid("no case reference", s.Do("POST", decisions, clerk, e2e.With(decision(15000, ""), "case_ref", "")), "case_ref")
		s.MustInvalid("negative amount", s.Do("POST", decisions, clerk, decision(-1, "理由")), "decided_amount")
		if n := countDecisions(); n != 0 {
			t.Fatalf("%d decisions stored by refused requests", n)
		}
		r = s.Must(201, s.Do("POST", decisions, clerk, decision(25000, "违法行为造成较大社会影响，经集体讨论从重")))
		d, _ := r.Body["decision"].(map[string]any)
		if d == nil || e2e.Num(d["recommended_min"]) != 10000 || e2e.Num(d["recommended_max"]) != 20000 || e2e.Num(d["decided_amount"]) != 25000 ||
			d["deviation_reason"] != "违法行为造成较大社会影响，经集体讨论从重" || d["tier_level"] != "一般" || d["standard_id"] != "CF-001-1" ||
			e2e.Num(d["item_version"]) != 2 || d["case_ref"] != "瑶应急罚〔2026〕1号" {
			t.Fatalf("recorded decision: %s", r.Raw)
		}
		if calc, _ := r.Body["calculation"].(map[string]any); calc["range_text"] != "超过1万元2万元以下罚款" {
			t.Errorf("calculation of the decision: %s", r.Raw)
		}
		s.Must(201, s.Do("POST", decisions, clerk, decision(20000, "")))
		if n := countDecisions(); n != 2 {
			t.Fatalf("%d decisions stored, want 2", n)
		}
		list := s.Must(200, s.Do("GET", decisions, admin, nil))
		items, _ := list.Body["items"].([]any)
		if e2e.Num(list.Body["total"]) != 2 || len(items) != 2 || e2e.Num(items[0].(map[string]any)["decided_amount"]) != 20000 {
			t.Errorf("decisions list: %s", list.Raw)
		}

		// A tier level of the longest allowed length is recorded on every database.
		long := e2e.With(e2e.PenaltyContent(), "base_version", 2)
		std := long["discretion"].([]map[string]any)[0]
		std["id"] = "CF-001-2"
		std["tiers"].([]map[string]any)[1]["level"] = strings.Repeat("较", 32)
		long["discretion"] = append(e2e.PenaltyContent()["discretion"].([]map[string]any), std)
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/CF-001"), clerk, long))
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/publish"), admin, nil))
		r = s.Must(201, s.Do("POST", decisions, clerk, map[string]any{"standard_id": "CF-001-2", "tier_level": strings.Repeat("较", 32),
			"case_ref": "瑶应急罚〔2026〕2号", "decided_amount": 30000}))
		if d, _ := r.Body["decision"].(map[string]any); d["tier_level"] != strings.Repeat("较", 32) || e2e.Num(d["item_version"]) != 3 {
			t.Errorf("decision on the long tier level: %s", r.Raw)
		}

		// Renaming the county's own item is a new version; the public keeps the old name until it is published.
		r = s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/CF-001"), clerk, e2e.With(e2e.PenaltyContent(), "name", "对未按规定进行安全生产教育培训的处罚")))
		if r.Body["name"] != "对未按规定进行安全生产教育培训的处罚" {
			t.Errorf("renamed item: %s", r.Raw)
		}
		if pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/CF-001"), "", nil)); pub.Body["name"] != "对未按规定开展安全生产教育和培训的处罚" {
			t.Errorf("public name before publishing the rename: %s", pub.Raw)
		}
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-001/publish"), admin, nil))
		if pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/CF-001"), "", nil)); pub.Body["name"] != "对未按规定进行安全生产教育培训的处罚" {
			t.Errorf("public name after publishing the rename: %s", pub.Raw)
		}
	})
}

// TestCatalogIsolation: a county's staff never read or change another
// county's catalog, and the public sees only active counties.
func TestCatalogIsolation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		adminA := s.Onboard("34", e2e.CatCountyA)
		adminB := s.Onboard("34", e2e.CatCountyB)
		_, clerkA := s.AddUser(adminA, e2e.CatCountyA, "clerk_a", "county_clerk")
		s.Must(201, s.Do("POST", "/api/v1/provinces/34/counties", s.AdminToken(),
			map[string]string{"code": e2e.CatCountyC, "egov_readiness": "丙", "recommendation": "丙"}))

		// County B's drafts, with markers.
		const marker = "乙县草稿-MARKER-B"
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyB, "/274"), adminB, e2e.With(e2e.FireworksContent(), "fees", marker)))
		s.Must(201, s.Do("POST", e2e.CatPath(e2e.CatCountyB, ""), adminB, map[string]any{"code": "CF-B01", "category": "power", "name": marker + "处罚"}))
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyB, "/CF-B01"), adminB, e2e.PenaltyContent()))
		bVersions := versionCount(s, e2e.CatCountyB)
		bItems := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, e2e.CatCountyB)

		calc := map[string]any{"standard_id": "CF-001-1", "tier_level": "一般"}
		dec := map[string]any{"standard_id": "CF-001-1", "tier_level": "一般", "case_ref": "x", "decided_amount": 1}
		requests := []struct {
			method, path string
			body         any
		}{
			{"GET", e2e.CatPath(e2e.CatCountyB, ""), nil},
			{"POST", e2e.CatPath(e2e.CatCountyB, ""), map[string]any{"code": "CF-X", "category": "power", "name": "越权新增"}},
			{"GET", e2e.CatPath(e2e.CatCountyB, "/274"), nil},
			{"PUT", e2e.CatPath(e2e.CatCountyB, "/274"), e2e.With(e2e.FireworksContent(), "fees", "越权修改")},
			{"POST", e2e.CatPath(e2e.CatCountyB, "/274/publish"), nil},
			{"GET", e2e.CatPath(e2e.CatCountyB, "/274/versions"), nil},
			{"GET", e2e.CatPath(e2e.CatCountyB, "/274/flowchart.svg"), nil},
			{"GET", e2e.CatPath(e2e.CatCountyB, "/CF-B01"), nil},
			{"PUT", e2e.CatPath(e2e.CatCountyB, "/CF-B01"), e2e.PenaltyContent()},
			{"POST", e2e.CatPath(e2e.CatCountyB, "/CF-B01/publish"), nil},
			{"POST", e2e.CatPath(e2e.CatCountyB, "/CF-B01/discretion/calculate"), calc},
			{"GET", e2e.CatPath(e2e.CatCountyB, "/CF-B01/discretion/decisions"), nil},
			{"POST", e2e.CatPath(e2e.CatCountyB, "/CF-B01/discretion/decisions"), dec},
			{"GET", "/api/v1/counties/" + e2e.CatCountyB + "/inventory", nil},
		}
		for _, actor := range []struct{ name, token string }{{"admin of A", adminA}, {"clerk of A", clerkA}} {
			for _, q := range requests {
				r := s.Do(q.method, q.path, actor.token, q.body)
				if r.Status != 403 || r.ErrorCode() != "forbidden" {
					t.Errorf("%s: %s %s = %d %.300s, want 403 forbidden", actor.name, q.method, q.path, r.Status, r.Raw)
				}
				if strings.Contains(string(r.Raw), marker) {
					t.Errorf("%s: %s %s leaks county B's draft: %s", actor.name, q.method, q.path, r.Raw)
				}
			}
			// B's own item through A's path is simply not there.
			s.Must(404, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/CF-B01"), actor.token, nil))
			s.Must(404, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/CF-B01"), actor.token, e2e.PenaltyContent()))
		}
		s.Must(404, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/CF-B01/publish"), adminA, nil))
		if n := versionCount(s, e2e.CatCountyB); n != bVersions {
			t.Errorf("county B has %d versions after refused requests, had %d", n, bVersions)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, e2e.CatCountyB); n != bItems {
			t.Errorf("county B has %d items, had %d", n, bItems)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE published_version > 0`); n != 0 {
			t.Errorf("%d items published by refused requests", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM discretion_decisions`); n != 0 {
			t.Errorf("%d decisions stored by refused requests", n)
		}
		own := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyB, "/274"), adminB, nil))
		if own.Body["fees"] != marker || e2e.Num(own.Body["version"]) != 1 {
			t.Errorf("county B's draft changed: %s", own.Raw)
		}
		// The public does not see B's drafts either.
		for _, path := range []string{e2e.PubPath(e2e.CatCountyB, "/catalog/274"), e2e.PubPath(e2e.CatCountyB, "/catalog/CF-B01"),
			e2e.PubPath(e2e.CatCountyB, "/catalog/274/flowchart.svg")} {
			r := s.Must(404, s.Do("GET", path, "", nil))
			if strings.Contains(string(r.Raw), marker) {
				t.Errorf("public %s leaks the draft", path)
			}
		}
		if r := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyB, "/catalog"), "", nil)); e2e.Num(r.Body["total"]) != 0 || strings.Contains(string(r.Raw), marker) {
			t.Errorf("public list of B: %s", r.Raw)
		}

		// A county that is only recommended, and one that does not exist, have no public pages.
		for _, county := range []string{e2e.CatCountyC, "340111"} {
			for _, rest := range []string{"/catalog", "/catalog/274", "/catalog/274/flowchart.svg", "/inventory"} {
				if r := s.Do("GET", e2e.PubPath(county, rest), "", nil); r.Status != 404 || r.ErrorCode() != "not_found" {
					t.Errorf("public %s%s: %d %s", county, rest, r.Status, r.Raw)
				}
			}
		}
		// Once B publishes, the public sees it; A's staff still do not.
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyB, "/274/publish"), adminB, nil))
		if r := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyB, "/catalog/274"), "", nil)); r.Body["fees"] != marker {
			t.Errorf("B's published item: %s", r.Raw)
		}
		s.Must(403, s.Do("GET", e2e.CatPath(e2e.CatCountyB, "/274"), adminA, nil))
		s.Must(404, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/catalog/274"), "", nil))
	})
}

// TestCatalogInventory: the power inventory counts items by type and
// clean-up status as saved (staff) and as published (public).
func TestCatalogInventory(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", e2e.CatCountyA)
		_, clerk := s.AddUser(admin, e2e.CatCountyA, "clerk_a", "county_clerk")
		save := func(code string, kv ...any) {
			t.Helper()
			s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/"+code), clerk, e2e.With(e2e.FireworksContent(), kv...)))
		}
		save("274")
		save("275", "inventory_status", "cancelled", "inventory_reason", "国发〔2013〕19号取消")
		save("276", "power_type", "QR", "inventory_status", "delegated", "inventory_reason", "下放至乡镇实施")
		save("281", "power_type", "QT", "inventory_status", "transferred", "inventory_reason", "划转至区市场监管局")
		save("283", "power_type", "JC", "inventory_status", "adjusted", "inventory_reason", "与282合并实施")
		save("282", "power_type", "JC", "inventory_status", "kept")
		s.Must(201, s.Do("POST", e2e.CatPath(e2e.CatCountyA, ""), admin, map[string]any{"code": "CF-001", "category": "power", "name": "处罚事项"}))
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/CF-001"), clerk, e2e.PenaltyContent()))
		// An information item is not a power and is not counted.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/11"), clerk, map[string]any{"summary": "监督检查情况"}))

		inv := s.Must(200, s.Do("GET", "/api/v1/counties/"+e2e.CatCountyA+"/inventory", clerk, nil))
		checkInventory(t, "staff inventory", inv, 12, 5,
			map[string]int64{"XK": 2, "QR": 1, "QT": 1, "JC": 2, "CF": 1},
			map[string]int64{"kept": 3, "cancelled": 1, "delegated": 1, "transferred": 1, "adjusted": 1},
			[][3]any{{"XK", "kept", 1}, {"XK", "cancelled", 1}, {"CF", "kept", 1}, {"JC", "kept", 1}, {"JC", "adjusted", 1},
				{"QR", "delegated", 1}, {"QT", "transferred", 1}})

		// The public counts published items in their published version.
		pub := s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/inventory"), "", nil))
		checkInventory(t, "public inventory before publishing", pub, 0, 0, map[string]int64{}, map[string]int64{}, nil)
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/274/publish"), admin, nil))
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CatCountyA, "/275/publish"), admin, nil))
		// A new draft of 274 changes the staff count only.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CatCountyA, "/274"), clerk, e2e.With(e2e.FireworksContent(), "inventory_status", "adjusted", "inventory_reason", "优化流程")))
		pub = s.Must(200, s.Do("GET", e2e.PubPath(e2e.CatCountyA, "/inventory"), "", nil))
		checkInventory(t, "public inventory", pub, 2, 0, map[string]int64{"XK": 2},
			map[string]int64{"kept": 1, "cancelled": 1}, [][3]any{{"XK", "kept", 1}, {"XK", "cancelled", 1}})
		inv = s.Must(200, s.Do("GET", "/api/v1/counties/"+e2e.CatCountyA+"/inventory", admin, nil))
		checkInventory(t, "staff inventory after the new draft", inv, 12, 5,
			map[string]int64{"XK": 2, "QR": 1, "QT": 1, "JC": 2, "CF": 1},
			map[string]int64{"kept": 2, "cancelled": 1, "delegated": 1, "transferred": 1, "adjusted": 2},
			[][3]any{{"XK", "cancelled", 1}, {"XK", "adjusted", 1}, {"CF", "kept", 1}, {"JC", "kept", 1}, {"JC", "adjusted", 1},
				{"QR", "delegated", 1}, {"QT", "transferred", 1}})
	})
}

func checkInventory(t *testing.T, what string, r e2e.Response, total, unassessed int64, byType, byStatus map[string]int64, cells [][3]any) {
	t.Helper()
	if e2e.Num(r.Body["total"]) != total || e2e.Num(r.Body["unassessed"]) != unassessed {
		t.Errorf("%s: total %v unassessed %v, want %d and %d: %s", what, r.Body["total"], r.Body["unassessed"], total, unassessed, r.Raw)
	}
	for key, want := range map[string]map[string]int64{"by_type": byType, "by_status": byStatus} {
		got, _ := r.Body[key].(map[string]any)
		if len(got) != len(want) {
			t.Errorf("%s: %s = %v, want %v", what, key, got, want)
			continue
		}
		for k, n := range want {
			if e2e.Num(got[k]) != n {
				t.Errorf("%s: %s[%s] = %v, want %d", what, key, k, got[k], n)
			}
		}
	}
	gotCells, _ := r.Body["cells"].([]any)
	if len(gotCells) != len(cells) {
		t.Errorf("%s: cells %v, want %v", what, gotCells, cells)
		return
	}
	for i, want := range cells {
		c := gotCells[i].(map[string]any)
		if c["power_type"] != want[0] || c["inventory_status"] != want[1] || e2e.Num(c["count"]) != int64(want[2].(int)) {
			t.Errorf("%s: cell %d = %v, want %v", what, i, c, want)
		}
	}
}
