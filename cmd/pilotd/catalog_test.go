package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Counties of the catalog tests (Anhui, province 34).
const (
	catCountyA = "340102"
	catCountyB = "340103"
	catCountyC = "340104" // recommended only, never approved
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

func catPath(county, rest string) string { return "/api/v1/counties/" + county + "/catalog" + rest }

func pubPath(county, rest string) string { return "/api/v1/public/counties/" + county + rest }

// fireworksSteps are the three steps of item 274; the first post holds
// characters that must be escaped in the SVG.
func fireworksSteps() []map[string]any {
	return []map[string]any{
		{"name": "受理", "post": "政务服务中心应急窗口<A&B>", "authority": "审查申请材料是否齐全、符合法定形式",
			"procedure": "材料齐全的当场受理；不齐全的一次性告知需要补正的全部内容", "limit_workdays": 1},
		{"name": "审查", "post": "危险化学品安全监管股", "authority": "审查经营场所是否符合安全条件",
			"procedure": "书面审查并组织现场核查", "limit_workdays": 8},
		{"name": "决定", "post": "分管副局长", "authority": "作出准予或不予许可的决定", "limit_workdays": 3},
	}
}

// fireworksContent is a complete power item 274 (烟花爆竹经营（零售）许可证核发).
func fireworksContent() map[string]any {
	return map[string]any{
		"summary":             "烟花爆竹零售经营许可",
		"power_type":          "XK",
		"item_code":           "XK-340102-274",
		"implementing_body":   "瑶海区应急管理局",
		"legal_basis":         "《烟花爆竹安全管理条例》第十九条；《烟花爆竹经营许可实施办法》第十六条",
		"legal_basis_version": "国务院令第455号（2016年修订）；原国家安全监管总局令第65号",
		"conditions":          "有符合规定的零售经营场所；主要负责人经过安全培训",
		"materials": []map[string]any{
			{"name": "烟花爆竹经营（零售）许可证申请书", "copies": 1},
			{"name": "零售经营场所产权或租赁证明", "copies": 1, "note": "复印件"},
		},
		"fees":                     "不收费",
		"statutory_limit_workdays": 20,
		"promised_limit_workdays":  13,
		"extension_workdays":       10,
		"special_steps":            []map[string]any{{"name": "现场核查", "limit_workdays": 5, "note": "不计入办理时限"}},
		"consultation":             "0551-62600000",
		"complaint":                "瑶海区纪委监委驻区应急管理局纪检组 0551-62600001",
		"steps":                    fireworksSteps(),
		"inventory_status":         "kept",
	}
}

// penaltyContent is a complete penalty item with one discretion standard of
// three tiers whose fine ranges touch without overlapping.
func penaltyContent() map[string]any {
	c := fireworksContent()
	c["power_type"] = "CF"
	c["summary"] = "对生产经营单位未按规定对从业人员进行安全生产教育和培训的处罚"
	c["legal_basis"] = "《中华人民共和国安全生产法》第九十七条"
	c["legal_basis_version"] = "2021年修正"
	c["discretion"] = []map[string]any{{
		"id":                  "CF-001-1",
		"violation":           "未按照规定对从业人员进行安全生产教育和培训",
		"legal_provision":     "《安全生产法》第二十八条",
		"penalty_basis":       "《安全生产法》第九十七条第三项",
		"legal_basis_version": "应急〔2024〕90号",
		"aggravating":         []string{"拒不改正", "一年内因同一违法行为受过处罚"},
		"mitigating":          []string{"主动消除违法行为危害后果", "配合查处违法行为有立功表现"},
		"tiers": []map[string]any{
			{"level": "轻微", "conditions": "未培训从业人员1至2人", "penalty_kinds": []string{"责令限期改正", "罚款"},
				"fine": map[string]any{"min": 0, "max": 10000, "min_inclusive": true, "max_inclusive": true}},
			{"level": "一般", "conditions": "未培训从业人员3至5人", "penalty_kinds": []string{"罚款"},
				"fine": map[string]any{"min": 10000, "max": 30000, "min_inclusive": false, "max_inclusive": true}},
			{"level": "严重", "conditions": "未培训从业人员6人以上", "penalty_kinds": []string{"罚款", "责令停产停业整顿"},
				"fine":             map[string]any{"min": 30000, "max": 50000, "min_inclusive": false, "max_inclusive": true},
				"requires_hearing": true, "requires_collective_discussion": true},
		},
	}}
	return c
}

// with returns a copy of content with keys set (a nil value deletes the key).
func with(content map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range content {
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

// errorFields returns error.fields of an error response.
func errorFields(r response) map[string]any {
	e, _ := r.Body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// mustInvalid asserts a 400 invalid_input naming every field in fields.
func (s *testService) mustInvalid(what string, r response, fields ...string) {
	s.t.Helper()
	if r.Status != 400 || r.ErrorCode() != "invalid_input" {
		s.t.Errorf("%s: status %d code %q, want 400 invalid_input: %s", what, r.Status, r.ErrorCode(), r.Raw)
		return
	}
	got := errorFields(r)
	if len(got) == 0 {
		s.t.Errorf("%s: no error.fields: %s", what, r.Raw)
	}
	for _, f := range fields {
		if m, _ := got[f].(string); m == "" {
			s.t.Errorf("%s: error.fields lacks %q: %s", what, f, r.Raw)
		}
	}
}

func (s *testService) versionCount(county string) int {
	s.t.Helper()
	return s.countRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ?`, county)
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// svgText checks an SVG answer is image/svg+xml and well-formed XML with an
// <svg> root, and returns all its character data.
func svgText(t *testing.T, what string, r response) string {
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
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", catCountyA)
		r := s.must(200, s.do("GET", catPath(catCountyA, ""), admin, nil))
		items, _ := r.Body["items"].([]any)
		if num(r.Body["total"]) != 31 || len(items) != 31 || len(noticeCatalog) != 31 {
			t.Fatalf("total %v, %d items: %.500s", r.Body["total"], len(items), r.Raw)
		}
		for i, want := range noticeCatalog {
			it := items[i].(map[string]any)
			if it["code"] != want.code || it["category"] != want.category || it["name"] != want.name {
				t.Errorf("item %d = %v %v %v, want %s %s %s", i, it["code"], it["category"], it["name"], want.code, want.category, want.name)
			}
			if it["county_code"] != catCountyA || it["status"] != "draft" || num(it["version"]) != 0 ||
				num(it["published_version"]) != 0 || it["has_unpublished_changes"] != false {
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
			it := s.must(200, s.do("GET", catPath(catCountyA, "/"+code), admin, nil))
			if it.Body["name"] != name || it.Body["code"] != code {
				t.Errorf("item %s: %s", code, it.Raw)
			}
		}
		if n := s.countRows(`SELECT COUNT(*) FROM basic_catalog`); n != 31 {
			t.Errorf("basic_catalog has %d rows", n)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ? AND category = 'information'`, catCountyA); n != 20 {
			t.Errorf("%d information items, want 20", n)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ? AND category = 'power'`, catCountyA); n != 11 {
			t.Errorf("%d power items, want 11", n)
		}
		if n := s.versionCount(catCountyA); n != 0 {
			t.Errorf("%d versions before any edit", n)
		}
		// Nothing is public yet.
		pub := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog"), "", nil))
		if num(pub.Body["total"]) != 0 {
			t.Errorf("public catalog of a new county: %s", pub.Raw)
		}
		s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))
		// A second county gets its own copy.
		adminB := s.onboard("34", catCountyB)
		rb := s.must(200, s.do("GET", catPath(catCountyB, ""), adminB, nil))
		if num(rb.Body["total"]) != 31 {
			t.Errorf("county B catalog: %v items", rb.Body["total"])
		}
		if n := s.countRows(`SELECT COUNT(*) FROM catalog_items`); n != 62 {
			t.Errorf("%d catalog rows for two counties", n)
		}
	})
}

// TestCatalogValidation: invalid content is refused with 400 and field
// errors, and nothing is saved.
func TestCatalogValidation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", catCountyA)
		_, clerk := s.addUser(admin, catCountyA, "clerk_a", "county_clerk")
		s.must(201, s.do("POST", catPath(catCountyA, ""), admin,
			map[string]any{"code": "CF-001", "category": "power", "name": "对未按规定开展安全生产教育和培训的处罚"}))

		steps := func(edit func(st []map[string]any)) []map[string]any {
			st := fireworksSteps()
			edit(st)
			return st
		}
		tiers := func(edit func(tiers []map[string]any)) []map[string]any {
			std := penaltyContent()["discretion"].([]map[string]any)[0]
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
			{"promised 14 of statutory 20", "274", with(fireworksContent(), "promised_limit_workdays", 14), []string{"promised_limit_workdays"}},
			{"promised equal to statutory", "274", with(fireworksContent(), "promised_limit_workdays", 20), []string{"promised_limit_workdays"}},
			{"negative limits", "274", with(fireworksContent(), "statutory_limit_workdays", -20, "promised_limit_workdays", -1, "extension_workdays", -5),
				[]string{"statutory_limit_workdays", "promised_limit_workdays", "extension_workdays"}},
			{"promised without statutory", "274", with(fireworksContent(), "statutory_limit_workdays", 0), []string{"statutory_limit_workdays"}},
			{"empty step post", "274", with(fireworksContent(), "steps", steps(func(st []map[string]any) { st[1]["post"] = "" })), []string{"steps[1].post"}},
			{"blank step post", "274", with(fireworksContent(), "steps", steps(func(st []map[string]any) { st[0]["post"] = "   " })), []string{"steps[0].post"}},
			{"negative step limit", "274", with(fireworksContent(), "steps", steps(func(st []map[string]any) { st[2]["limit_workdays"] = -1 })), []string{"steps[2].limit_workdays"}},
			{"counted steps over the statutory limit", "274", with(fireworksContent(), "steps", steps(func(st []map[string]any) { st[1]["limit_workdays"] = 17 })), []string{"steps"}},
			{"cancelled without reason", "274", with(fireworksContent(), "inventory_status", "cancelled"), []string{"inventory_reason"}},
			{"unknown inventory status", "274", with(fireworksContent(), "inventory_status", "abolished", "inventory_reason", "x"), []string{"inventory_status"}},
			{"unknown power type", "274", with(fireworksContent(), "power_type", "XZ"), []string{"power_type"}},
			{"discretion on a licence", "274", with(fireworksContent(), "discretion", penaltyContent()["discretion"]), []string{"discretion"}},
			{"information item with steps", "11", map[string]any{"summary": "监督检查情况", "steps": fireworksSteps()}, []string{"power_type"}},
			{"tier min above max", "CF-001", with(penaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[0]["fine"] = map[string]any{"min": 20000, "max": 10000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[0].fine"}},
			{"tier without level", "CF-001", with(penaltyContent(), "discretion", tiers(func(l []map[string]any) { l[2]["level"] = "" })),
				[]string{"discretion[0].tiers[2].level"}},
			{"tier level too long to record", "CF-001", with(penaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[1]["level"] = strings.Repeat("较", 33)
			})), []string{"discretion[0].tiers[1].level"}},
			{"negative fine", "CF-001", with(penaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[0]["fine"] = map[string]any{"min": -1, "max": 10000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[0].fine"}},
			{"tiers touching at an inclusive bound", "CF-001", with(penaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[1]["fine"] = map[string]any{"min": 10000, "max": 30000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[1].fine"}},
			{"overlapping tiers", "CF-001", with(penaltyContent(), "discretion", tiers(func(l []map[string]any) {
				l[2]["fine"] = map[string]any{"min": 25000, "max": 50000, "min_inclusive": true, "max_inclusive": true}
			})), []string{"discretion[0].tiers[2].fine"}},
			{"several errors at once", "274", with(fireworksContent(), "promised_limit_workdays", 14,
				"steps", steps(func(st []map[string]any) { st[0]["post"] = "" }), "inventory_status", "delegated"),
				[]string{"promised_limit_workdays", "steps[0].post", "inventory_reason"}},
		}
		for _, c := range cases {
			before := s.versionCount(catCountyA)
			r := s.do("PUT", catPath(catCountyA, "/"+c.code), clerk, c.body)
			s.mustInvalid(c.name, r, c.fields...)
			if n := s.versionCount(catCountyA); n != before {
				t.Errorf("%s: %d versions before, %d after a refused save", c.name, before, n)
			}
		}
		if n := s.versionCount(catCountyA); n != 0 {
			t.Fatalf("%d versions saved by refused edits", n)
		}
		for _, code := range []string{"274", "11", "CF-001"} {
			it := s.must(200, s.do("GET", catPath(catCountyA, "/"+code), clerk, nil))
			if num(it.Body["version"]) != 0 || it.Body["has_unpublished_changes"] != false {
				t.Errorf("item %s changed by refused edits: %s", code, it.Raw)
			}
		}

		// Malformed bodies: wrong types and broken JSON.
		r := s.do("PUT", catPath(catCountyA, "/274"), clerk, `{"statutory_limit_workdays":"二十"}`)
		s.mustInvalid("limit as a string", r, "statutory_limit_workdays")
		r = s.do("PUT", catPath(catCountyA, "/274"), clerk, `{"steps":[{"name":"受理"`)
		if r.Status != 400 || r.ErrorCode() != "invalid_input" {
			t.Errorf("broken JSON: %d %s", r.Status, r.Raw)
		}
		// A basic item keeps the notice's name.
		r = s.do("PUT", catPath(catCountyA, "/274"), clerk, with(fireworksContent(), "name", "烟花爆竹零售许可"))
		s.mustInvalid("renaming a basic item", r, "name")

		// A valid save is one version; a refused one afterwards changes nothing.
		s.must(200, s.do("PUT", catPath(catCountyA, "/274"), clerk, fireworksContent()))
		if n := s.versionCount(catCountyA); n != 1 {
			t.Fatalf("%d versions after one save", n)
		}
		r = s.do("PUT", catPath(catCountyA, "/274"), clerk, with(fireworksContent(), "promised_limit_workdays", 14, "fees", "收费"))
		s.mustInvalid("invalid second save", r, "promised_limit_workdays")
		if n := s.versionCount(catCountyA); n != 1 {
			t.Errorf("%d versions after a refused second save", n)
		}
		it := s.must(200, s.do("GET", catPath(catCountyA, "/274"), clerk, nil))
		if it.Body["fees"] != "不收费" || num(it.Body["promised_limit_workdays"]) != 13 || num(it.Body["version"]) != 1 {
			t.Errorf("item after refused save: %s", it.Raw)
		}
		// Promised 13 of 20 is accepted (at most two thirds).
		if num(it.Body["statutory_limit_workdays"]) != 20 {
			t.Errorf("statutory limit: %s", it.Raw)
		}
	})
}

// TestCatalogLifecycle: drafts, publishing, new versions of published items
// and what the public sees; the flowchart SVG of both.
func TestCatalogLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", catCountyA)
		_, clerk := s.addUser(admin, catCountyA, "clerk_a", "county_clerk")
		_, reviewer := s.addUser(admin, catCountyA, "reviewer_a", "county_reviewer")

		// A clerk fills in 274 as a draft.
		r := s.must(200, s.do("PUT", catPath(catCountyA, "/274"), clerk, with(fireworksContent(), "base_version", 0)))
		if r.Body["status"] != "draft" || num(r.Body["version"]) != 1 || num(r.Body["published_version"]) != 0 ||
			r.Body["has_unpublished_changes"] != true || r.Body["fees"] != "不收费" || r.Body["power_type"] != "XK" ||
			r.Body["name"] != "烟花爆竹经营（零售）许可证核发" {
			t.Fatalf("after first save: %s", r.Raw)
		}
		if steps, _ := r.Body["steps"].([]any); len(steps) != 3 {
			t.Fatalf("steps: %s", r.Raw)
		}
		// Not public before it is published.
		s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))
		s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/274/flowchart.svg"), "", nil))
		if pub := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog"), "", nil)); num(pub.Body["total"]) != 0 {
			t.Fatalf("public list before publishing: %s", pub.Raw)
		}

		// The staff flowchart of the draft.
		text := svgText(t, "staff flowchart", s.do("GET", catPath(catCountyA, "/274/flowchart.svg"), reviewer, nil))
		assertStepsDrawn(t, "staff flowchart", text, fireworksSteps())
		for _, want := range []string{"烟花爆竹经营（零售）许可证核发", "法定时限20个工作日", "承诺时限13个工作日", "现场核查"} {
			if !strings.Contains(text, want) {
				t.Errorf("staff flowchart lacks %q:\n%s", want, text)
			}
		}

		// Only those with catalog:publish publish: a clerk and a reviewer cannot.
		if r := s.do("POST", catPath(catCountyA, "/274/publish"), clerk, nil); r.Status != 403 || r.ErrorCode() != "forbidden" {
			t.Fatalf("clerk publishes: %d %s", r.Status, r.Raw)
		}
		s.must(403, s.do("POST", catPath(catCountyA, "/274/publish"), reviewer, nil))
		s.must(403, s.do("PUT", catPath(catCountyA, "/274"), reviewer, fireworksContent()))
		s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))

		r = s.must(200, s.do("POST", catPath(catCountyA, "/274/publish"), admin, nil))
		if r.Body["status"] != "published" || num(r.Body["published_version"]) != 1 || num(r.Body["version"]) != 1 ||
			r.Body["has_unpublished_changes"] != false || r.Body["published_at"] == nil || r.Body["published_by"] == nil {
			t.Fatalf("after publishing: %s", r.Raw)
		}
		if r := s.do("POST", catPath(catCountyA, "/274/publish"), admin, nil); r.Status != 409 || r.ErrorCode() != "already_published" {
			t.Errorf("publishing twice: %d %s", r.Status, r.Raw)
		}

		pub := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))
		if pub.Body["code"] != "274" || pub.Body["name"] != "烟花爆竹经营（零售）许可证核发" || pub.Body["status"] != "published" ||
			num(pub.Body["version"]) != 1 || pub.Body["fees"] != "不收费" || pub.Body["power_type"] != "XK" ||
			pub.Body["legal_basis_version"] != fireworksContent()["legal_basis_version"] ||
			num(pub.Body["statutory_limit_workdays"]) != 20 || num(pub.Body["promised_limit_workdays"]) != 13 ||
			pub.Body["complaint"] != fireworksContent()["complaint"] || pub.Body["inventory_status"] != "kept" {
			t.Fatalf("public item: %s", pub.Raw)
		}
		list := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog"), "", nil))
		if items, _ := list.Body["items"].([]any); num(list.Body["total"]) != 1 || len(items) != 1 || items[0].(map[string]any)["code"] != "274" {
			t.Fatalf("public list: %s", list.Raw)
		}
		pubText := svgText(t, "public flowchart", s.do("GET", pubPath(catCountyA, "/catalog/274/flowchart.svg"), "", nil))
		assertStepsDrawn(t, "public flowchart", pubText, fireworksSteps())

		// An edit from a stale base is a conflict and saves nothing.
		r = s.do("PUT", catPath(catCountyA, "/274"), clerk, with(fireworksContent(), "base_version", 0, "fees", "过期的修改"))
		if r.Status != 409 || r.ErrorCode() != "edit_conflict" {
			t.Fatalf("stale base version: %d %s", r.Status, r.Raw)
		}
		if n := s.versionCount(catCountyA); n != 1 {
			t.Fatalf("%d versions after a conflict", n)
		}

		// A change to the published item is a new draft version.
		newSteps := fireworksSteps()
		newSteps[1]["post"] = "行政审批股"
		newSteps[1]["limit_workdays"] = 6
		changed := with(fireworksContent(), "base_version", 1, "fees", "按规定收取工本费10元", "steps", newSteps)
		r = s.must(200, s.do("PUT", catPath(catCountyA, "/274"), clerk, changed))
		if num(r.Body["version"]) != 2 || num(r.Body["published_version"]) != 1 || r.Body["has_unpublished_changes"] != true ||
			r.Body["status"] != "published" || r.Body["fees"] != "按规定收取工本费10元" {
			t.Fatalf("after editing the published item: %s", r.Raw)
		}
		staff := s.must(200, s.do("GET", catPath(catCountyA, "/274"), reviewer, nil))
		if staff.Body["fees"] != "按规定收取工本费10元" || staff.Body["has_unpublished_changes"] != true || num(staff.Body["version"]) != 2 {
			t.Errorf("staff view of the new draft: %s", staff.Raw)
		}
		pub = s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))
		if pub.Body["fees"] != "不收费" || num(pub.Body["version"]) != 1 {
			t.Errorf("public sees the unpublished draft: %s", pub.Raw)
		}
		list = s.must(200, s.do("GET", pubPath(catCountyA, "/catalog"), "", nil))
		if strings.Contains(string(list.Raw), "工本费") {
			t.Errorf("public list shows the draft: %s", list.Raw)
		}
		// The flowcharts follow: staff see the draft's steps, the public the published ones.
		text = svgText(t, "staff flowchart of the draft", s.do("GET", catPath(catCountyA, "/274/flowchart.svg"), clerk, nil))
		assertStepsDrawn(t, "staff flowchart of the draft", text, newSteps)
		pubText = svgText(t, "public flowchart during the draft", s.do("GET", pubPath(catCountyA, "/catalog/274/flowchart.svg"), "", nil))
		assertStepsDrawn(t, "public flowchart during the draft", pubText, fireworksSteps())
		if strings.Contains(pubText, "行政审批股") {
			t.Errorf("public flowchart shows the draft's post")
		}

		vers := s.must(200, s.do("GET", catPath(catCountyA, "/274/versions"), reviewer, nil))
		vs, _ := vers.Body["items"].([]any)
		if num(vers.Body["total"]) != 2 || len(vs) != 2 {
			t.Fatalf("versions: %s", vers.Raw)
		}
		v2, v1 := vs[0].(map[string]any), vs[1].(map[string]any)
		if num(v2["version"]) != 2 || v2["published_at"] != nil || num(v1["version"]) != 1 || v1["published_at"] == nil {
			t.Errorf("version history: %s", vers.Raw)
		}

		// Publishing the new version shows it to the public.
		r = s.must(200, s.do("POST", catPath(catCountyA, "/274/publish"), admin, nil))
		if num(r.Body["published_version"]) != 2 || r.Body["has_unpublished_changes"] != false {
			t.Fatalf("second publication: %s", r.Raw)
		}
		pub = s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))
		if pub.Body["fees"] != "按规定收取工本费10元" || num(pub.Body["version"]) != 2 {
			t.Errorf("public after the second publication: %s", pub.Raw)
		}
		pubText = svgText(t, "public flowchart after republishing", s.do("GET", pubPath(catCountyA, "/catalog/274/flowchart.svg"), "", nil))
		assertStepsDrawn(t, "public flowchart after republishing", pubText, newSteps)

		// An incomplete item cannot be published; it stays unpublished.
		s.must(200, s.do("PUT", catPath(catCountyA, "/275"), clerk, map[string]any{"summary": "只填了摘要"}))
		r = s.do("POST", catPath(catCountyA, "/275/publish"), admin, nil)
		s.mustInvalid("publishing an incomplete item", r, "power_type", "implementing_body", "legal_basis", "inventory_status", "complaint")
		// A kept power item needs limits and steps to be published.
		s.must(200, s.do("PUT", catPath(catCountyA, "/276"), clerk, with(fireworksContent(),
			"statutory_limit_workdays", nil, "promised_limit_workdays", nil, "steps", nil)))
		r = s.do("POST", catPath(catCountyA, "/276/publish"), admin, nil)
		s.mustInvalid("publishing without limits and steps", r, "statutory_limit_workdays", "promised_limit_workdays", "steps")
		// Never-edited items have nothing to publish.
		s.mustInvalid("publishing an empty item", s.do("POST", catPath(catCountyA, "/277/publish"), admin, nil), "content")
		s.must(404, s.do("POST", catPath(catCountyA, "/999/publish"), admin, nil))
		for _, code := range []string{"275", "276", "277"} {
			s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/"+code), "", nil))
			s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/"+code+"/flowchart.svg"), "", nil))
			it := s.must(200, s.do("GET", catPath(catCountyA, "/"+code), admin, nil))
			if it.Body["status"] != "draft" || num(it.Body["published_version"]) != 0 {
				t.Errorf("item %s after refused publishing: %s", code, it.Raw)
			}
		}
		list = s.must(200, s.do("GET", pubPath(catCountyA, "/catalog"), "", nil))
		if num(list.Body["total"]) != 1 {
			t.Errorf("public list holds unpublished items: %s", list.Raw)
		}

		// An information item: published without power data, no flowchart.
		info := map[string]any{"summary": "本区安全生产监督检查计划及检查结果", "responsible_unit": "区应急管理局办公室",
			"channel": "区政府门户网站", "time_limit": "信息形成或变更之日起20个工作日内", "disclosure_mode": "proactive"}
		s.must(200, s.do("PUT", catPath(catCountyA, "/11"), clerk, info))
		s.must(200, s.do("POST", catPath(catCountyA, "/11/publish"), admin, nil))
		s.must(404, s.do("GET", catPath(catCountyA, "/11/flowchart.svg"), admin, nil))
		s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/11/flowchart.svg"), "", nil))
		pub = s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/11"), "", nil))
		if pub.Body["disclosure_mode"] != "proactive" || pub.Body["category"] != "information" {
			t.Errorf("public information item: %s", pub.Raw)
		}
		list = s.must(200, s.do("GET", pubPath(catCountyA, "/catalog"), "", nil))
		if num(list.Body["total"]) != 2 {
			t.Errorf("public list after publishing two items: %s", list.Raw)
		}
		if n := s.versionCount(catCountyA); n != 5 {
			t.Errorf("%d versions, want 5 (274 twice, 275, 276, 11)", n)
		}
	})
}

// TestCatalogDiscretion: a county's own penalty item with a discretion
// standard, the calculator and recorded decisions.
func TestCatalogDiscretion(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", catCountyA)
		_, clerk := s.addUser(admin, catCountyA, "clerk_a", "county_clerk")

		// The county adds its own penalty item.
		r := s.must(201, s.do("POST", catPath(catCountyA, ""), admin,
			map[string]any{"code": "CF-001", "category": "power", "name": "对未按规定开展安全生产教育和培训的处罚"}))
		if r.Body["code"] != "CF-001" || r.Body["category"] != "power" || r.Body["status"] != "draft" || num(r.Body["version"]) != 0 {
			t.Fatalf("new item: %s", r.Raw)
		}
		if r := s.do("POST", catPath(catCountyA, ""), admin, map[string]any{"code": "CF-001", "category": "power", "name": "重复"}); r.Status != 409 || r.ErrorCode() != "duplicate" {
			t.Errorf("duplicate code: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", catPath(catCountyA, ""), admin, map[string]any{"code": "274", "category": "power", "name": "占用基本目录编码"}); r.Status != 409 {
			t.Errorf("basic code: %d %s", r.Status, r.Raw)
		}
		s.mustInvalid("bad code", s.do("POST", catPath(catCountyA, ""), admin, map[string]any{"code": "CF 002", "category": "power", "name": "x"}), "code")
		s.mustInvalid("bad category", s.do("POST", catPath(catCountyA, ""), admin, map[string]any{"code": "CF-002", "category": "penalty", "name": "x"}), "category")
		s.mustInvalid("no name", s.do("POST", catPath(catCountyA, ""), admin, map[string]any{"code": "CF-002", "category": "power", "name": " "}), "name")
		if list := s.must(200, s.do("GET", catPath(catCountyA, ""), clerk, nil)); num(list.Body["total"]) != 32 {
			t.Errorf("catalog after adding one item: %v", list.Body["total"])
		}

		// A penalty item cannot be published without its discretion standard.
		s.must(200, s.do("PUT", catPath(catCountyA, "/CF-001"), clerk, with(penaltyContent(), "discretion", nil)))
		s.mustInvalid("penalty item without discretion", s.do("POST", catPath(catCountyA, "/CF-001/publish"), admin, nil), "discretion")
		// The calculator works on published standards only.
		s.must(404, s.do("POST", catPath(catCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-001-1", "tier_level": "一般"}))

		r = s.must(200, s.do("PUT", catPath(catCountyA, "/CF-001"), clerk, penaltyContent()))
		if ds, _ := r.Body["discretion"].([]any); len(ds) != 1 {
			t.Fatalf("saved discretion: %s", r.Raw)
		}
		s.must(200, s.do("POST", catPath(catCountyA, "/CF-001/publish"), admin, nil))
		pub := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/CF-001"), "", nil))
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
			in := with(c.in, "standard_id", "CF-001-1")
			r := s.must(200, s.do("POST", catPath(catCountyA, "/CF-001/discretion/calculate"), clerk, in))
			rg, _ := r.Body["range"].(map[string]any)
			if rg == nil || num(rg["min"]) != c.want.min || num(rg["max"]) != c.want.max ||
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
		s.mustInvalid("unknown standard", s.do("POST", catPath(catCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-999", "tier_level": "一般"}), "standard_id")
		s.mustInvalid("unknown tier", s.do("POST", catPath(catCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-001-1", "tier_level": "特别严重"}), "tier_level")
		s.mustInvalid("unknown circumstance", s.do("POST", catPath(catCountyA, "/CF-001/discretion/calculate"), clerk,
			map[string]any{"standard_id": "CF-001-1", "tier_level": "一般", "aggravating": []string{"态度恶劣"}}), "aggravating[0]")

		// Recording decisions: the handler of cases records; the administrator does not handle cases.
		decision := func(amount int64, reason string) map[string]any {
			return map[string]any{"standard_id": "CF-001-1", "tier_level": "一般", "mitigating": []string{"主动消除违法行为危害后果"},
				"case_ref": "瑶应急罚〔2026〕1号", "decided_amount": amount, "deviation_reason": reason}
		}
		decisions := catPath(catCountyA, "/CF-001/discretion/decisions")
		s.must(403, s.do("POST", decisions, admin, decision(15000, "")))
		countDecisions := func() int {
			return s.countRows(`SELECT COUNT(*) FROM discretion_decisions WHERE county_code = ?`, catCountyA)
		}
		// Outside the recommended (10000, 20000]: above it, and at its exclusive lower bound.
		s.mustInvalid("above the range without reason", s.do("POST", decisions, clerk, decision(25000, "")), "deviation_reason")
		s.mustInvalid("at the exclusive bound without reason", s.do("POST", decisions, clerk, decision(10000, "  ")), "deviation_reason")
		s.mustInvalid("no case reference", s.do("POST", decisions, clerk, with(decision(15000, ""), "case_ref", "")), "case_ref")
		s.mustInvalid("negative amount", s.do("POST", decisions, clerk, decision(-1, "理由")), "decided_amount")
		if n := countDecisions(); n != 0 {
			t.Fatalf("%d decisions stored by refused requests", n)
		}
		r = s.must(201, s.do("POST", decisions, clerk, decision(25000, "违法行为造成较大社会影响，经集体讨论从重")))
		d, _ := r.Body["decision"].(map[string]any)
		if d == nil || num(d["recommended_min"]) != 10000 || num(d["recommended_max"]) != 20000 || num(d["decided_amount"]) != 25000 ||
			d["deviation_reason"] != "违法行为造成较大社会影响，经集体讨论从重" || d["tier_level"] != "一般" || d["standard_id"] != "CF-001-1" ||
			num(d["item_version"]) != 2 || d["case_ref"] != "瑶应急罚〔2026〕1号" {
			t.Fatalf("recorded decision: %s", r.Raw)
		}
		if calc, _ := r.Body["calculation"].(map[string]any); calc["range_text"] != "超过1万元2万元以下罚款" {
			t.Errorf("calculation of the decision: %s", r.Raw)
		}
		s.must(201, s.do("POST", decisions, clerk, decision(20000, "")))
		if n := countDecisions(); n != 2 {
			t.Fatalf("%d decisions stored, want 2", n)
		}
		list := s.must(200, s.do("GET", decisions, admin, nil))
		items, _ := list.Body["items"].([]any)
		if num(list.Body["total"]) != 2 || len(items) != 2 || num(items[0].(map[string]any)["decided_amount"]) != 20000 {
			t.Errorf("decisions list: %s", list.Raw)
		}

		// A tier level of the longest allowed length is recorded on every database.
		long := with(penaltyContent(), "base_version", 2)
		std := long["discretion"].([]map[string]any)[0]
		std["id"] = "CF-001-2"
		std["tiers"].([]map[string]any)[1]["level"] = strings.Repeat("较", 32)
		long["discretion"] = append(penaltyContent()["discretion"].([]map[string]any), std)
		s.must(200, s.do("PUT", catPath(catCountyA, "/CF-001"), clerk, long))
		s.must(200, s.do("POST", catPath(catCountyA, "/CF-001/publish"), admin, nil))
		r = s.must(201, s.do("POST", decisions, clerk, map[string]any{"standard_id": "CF-001-2", "tier_level": strings.Repeat("较", 32),
			"case_ref": "瑶应急罚〔2026〕2号", "decided_amount": 30000}))
		if d, _ := r.Body["decision"].(map[string]any); d["tier_level"] != strings.Repeat("较", 32) || num(d["item_version"]) != 3 {
			t.Errorf("decision on the long tier level: %s", r.Raw)
		}

		// Renaming the county's own item is a new version; the public keeps the old name until it is published.
		r = s.must(200, s.do("PUT", catPath(catCountyA, "/CF-001"), clerk, with(penaltyContent(), "name", "对未按规定进行安全生产教育培训的处罚")))
		if r.Body["name"] != "对未按规定进行安全生产教育培训的处罚" {
			t.Errorf("renamed item: %s", r.Raw)
		}
		if pub := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/CF-001"), "", nil)); pub.Body["name"] != "对未按规定开展安全生产教育和培训的处罚" {
			t.Errorf("public name before publishing the rename: %s", pub.Raw)
		}
		s.must(200, s.do("POST", catPath(catCountyA, "/CF-001/publish"), admin, nil))
		if pub := s.must(200, s.do("GET", pubPath(catCountyA, "/catalog/CF-001"), "", nil)); pub.Body["name"] != "对未按规定进行安全生产教育培训的处罚" {
			t.Errorf("public name after publishing the rename: %s", pub.Raw)
		}
	})
}

// TestCatalogIsolation: a county's staff never read or change another
// county's catalog, and the public sees only active counties.
func TestCatalogIsolation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		adminA := s.onboard("34", catCountyA)
		adminB := s.onboard("34", catCountyB)
		_, clerkA := s.addUser(adminA, catCountyA, "clerk_a", "county_clerk")
		s.must(201, s.do("POST", "/api/v1/provinces/34/counties", s.adminToken(),
			map[string]string{"code": catCountyC, "egov_readiness": "丙", "recommendation": "丙"}))

		// County B's drafts, with markers.
		const marker = "乙县草稿-MARKER-B"
		s.must(200, s.do("PUT", catPath(catCountyB, "/274"), adminB, with(fireworksContent(), "fees", marker)))
		s.must(201, s.do("POST", catPath(catCountyB, ""), adminB, map[string]any{"code": "CF-B01", "category": "power", "name": marker + "处罚"}))
		s.must(200, s.do("PUT", catPath(catCountyB, "/CF-B01"), adminB, penaltyContent()))
		bVersions := s.versionCount(catCountyB)
		bItems := s.countRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, catCountyB)

		calc := map[string]any{"standard_id": "CF-001-1", "tier_level": "一般"}
		dec := map[string]any{"standard_id": "CF-001-1", "tier_level": "一般", "case_ref": "x", "decided_amount": 1}
		requests := []struct {
			method, path string
			body         any
		}{
			{"GET", catPath(catCountyB, ""), nil},
			{"POST", catPath(catCountyB, ""), map[string]any{"code": "CF-X", "category": "power", "name": "越权新增"}},
			{"GET", catPath(catCountyB, "/274"), nil},
			{"PUT", catPath(catCountyB, "/274"), with(fireworksContent(), "fees", "越权修改")},
			{"POST", catPath(catCountyB, "/274/publish"), nil},
			{"GET", catPath(catCountyB, "/274/versions"), nil},
			{"GET", catPath(catCountyB, "/274/flowchart.svg"), nil},
			{"GET", catPath(catCountyB, "/CF-B01"), nil},
			{"PUT", catPath(catCountyB, "/CF-B01"), penaltyContent()},
			{"POST", catPath(catCountyB, "/CF-B01/publish"), nil},
			{"POST", catPath(catCountyB, "/CF-B01/discretion/calculate"), calc},
			{"GET", catPath(catCountyB, "/CF-B01/discretion/decisions"), nil},
			{"POST", catPath(catCountyB, "/CF-B01/discretion/decisions"), dec},
			{"GET", "/api/v1/counties/" + catCountyB + "/inventory", nil},
		}
		for _, actor := range []struct{ name, token string }{{"admin of A", adminA}, {"clerk of A", clerkA}} {
			for _, q := range requests {
				r := s.do(q.method, q.path, actor.token, q.body)
				if r.Status != 403 || r.ErrorCode() != "forbidden" {
					t.Errorf("%s: %s %s = %d %.300s, want 403 forbidden", actor.name, q.method, q.path, r.Status, r.Raw)
				}
				if strings.Contains(string(r.Raw), marker) {
					t.Errorf("%s: %s %s leaks county B's draft: %s", actor.name, q.method, q.path, r.Raw)
				}
			}
			// B's own item through A's path is simply not there.
			s.must(404, s.do("GET", catPath(catCountyA, "/CF-B01"), actor.token, nil))
			s.must(404, s.do("PUT", catPath(catCountyA, "/CF-B01"), actor.token, penaltyContent()))
		}
		s.must(404, s.do("POST", catPath(catCountyA, "/CF-B01/publish"), adminA, nil))
		if n := s.versionCount(catCountyB); n != bVersions {
			t.Errorf("county B has %d versions after refused requests, had %d", n, bVersions)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, catCountyB); n != bItems {
			t.Errorf("county B has %d items, had %d", n, bItems)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM catalog_items WHERE published_version > 0`); n != 0 {
			t.Errorf("%d items published by refused requests", n)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM discretion_decisions`); n != 0 {
			t.Errorf("%d decisions stored by refused requests", n)
		}
		own := s.must(200, s.do("GET", catPath(catCountyB, "/274"), adminB, nil))
		if own.Body["fees"] != marker || num(own.Body["version"]) != 1 {
			t.Errorf("county B's draft changed: %s", own.Raw)
		}
		// The public does not see B's drafts either.
		for _, path := range []string{pubPath(catCountyB, "/catalog/274"), pubPath(catCountyB, "/catalog/CF-B01"),
			pubPath(catCountyB, "/catalog/274/flowchart.svg")} {
			r := s.must(404, s.do("GET", path, "", nil))
			if strings.Contains(string(r.Raw), marker) {
				t.Errorf("public %s leaks the draft", path)
			}
		}
		if r := s.must(200, s.do("GET", pubPath(catCountyB, "/catalog"), "", nil)); num(r.Body["total"]) != 0 || strings.Contains(string(r.Raw), marker) {
			t.Errorf("public list of B: %s", r.Raw)
		}

		// A county that is only recommended, and one that does not exist, have no public pages.
		for _, county := range []string{catCountyC, "340111"} {
			for _, rest := range []string{"/catalog", "/catalog/274", "/catalog/274/flowchart.svg", "/inventory"} {
				if r := s.do("GET", pubPath(county, rest), "", nil); r.Status != 404 || r.ErrorCode() != "not_found" {
					t.Errorf("public %s%s: %d %s", county, rest, r.Status, r.Raw)
				}
			}
		}
		// Once B publishes, the public sees it; A's staff still do not.
		s.must(200, s.do("POST", catPath(catCountyB, "/274/publish"), adminB, nil))
		if r := s.must(200, s.do("GET", pubPath(catCountyB, "/catalog/274"), "", nil)); r.Body["fees"] != marker {
			t.Errorf("B's published item: %s", r.Raw)
		}
		s.must(403, s.do("GET", catPath(catCountyB, "/274"), adminA, nil))
		s.must(404, s.do("GET", pubPath(catCountyA, "/catalog/274"), "", nil))
	})
}

// TestCatalogInventory: the power inventory counts items by type and
// clean-up status as saved (staff) and as published (public).
func TestCatalogInventory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", catCountyA)
		_, clerk := s.addUser(admin, catCountyA, "clerk_a", "county_clerk")
		save := func(code string, kv ...any) {
			t.Helper()
			s.must(200, s.do("PUT", catPath(catCountyA, "/"+code), clerk, with(fireworksContent(), kv...)))
		}
		save("274")
		save("275", "inventory_status", "cancelled", "inventory_reason", "国发〔2013〕19号取消")
		save("276", "power_type", "QR", "inventory_status", "delegated", "inventory_reason", "下放至乡镇实施")
		save("281", "power_type", "QT", "inventory_status", "transferred", "inventory_reason", "划转至区市场监管局")
		save("283", "power_type", "JC", "inventory_status", "adjusted", "inventory_reason", "与282合并实施")
		save("282", "power_type", "JC", "inventory_status", "kept")
		s.must(201, s.do("POST", catPath(catCountyA, ""), admin, map[string]any{"code": "CF-001", "category": "power", "name": "处罚事项"}))
		s.must(200, s.do("PUT", catPath(catCountyA, "/CF-001"), clerk, penaltyContent()))
		// An information item is not a power and is not counted.
		s.must(200, s.do("PUT", catPath(catCountyA, "/11"), clerk, map[string]any{"summary": "监督检查情况"}))

		inv := s.must(200, s.do("GET", "/api/v1/counties/"+catCountyA+"/inventory", clerk, nil))
		checkInventory(t, "staff inventory", inv, 12, 5,
			map[string]int64{"XK": 2, "QR": 1, "QT": 1, "JC": 2, "CF": 1},
			map[string]int64{"kept": 3, "cancelled": 1, "delegated": 1, "transferred": 1, "adjusted": 1},
			[][3]any{{"XK", "kept", 1}, {"XK", "cancelled", 1}, {"CF", "kept", 1}, {"JC", "kept", 1}, {"JC", "adjusted", 1},
				{"QR", "delegated", 1}, {"QT", "transferred", 1}})

		// The public counts published items in their published version.
		pub := s.must(200, s.do("GET", pubPath(catCountyA, "/inventory"), "", nil))
		checkInventory(t, "public inventory before publishing", pub, 0, 0, map[string]int64{}, map[string]int64{}, nil)
		s.must(200, s.do("POST", catPath(catCountyA, "/274/publish"), admin, nil))
		s.must(200, s.do("POST", catPath(catCountyA, "/275/publish"), admin, nil))
		// A new draft of 274 changes the staff count only.
		s.must(200, s.do("PUT", catPath(catCountyA, "/274"), clerk, with(fireworksContent(), "inventory_status", "adjusted", "inventory_reason", "优化流程")))
		pub = s.must(200, s.do("GET", pubPath(catCountyA, "/inventory"), "", nil))
		checkInventory(t, "public inventory", pub, 2, 0, map[string]int64{"XK": 2},
			map[string]int64{"kept": 1, "cancelled": 1}, [][3]any{{"XK", "kept", 1}, {"XK", "cancelled", 1}})
		inv = s.must(200, s.do("GET", "/api/v1/counties/"+catCountyA+"/inventory", admin, nil))
		checkInventory(t, "staff inventory after the new draft", inv, 12, 5,
			map[string]int64{"XK": 2, "QR": 1, "QT": 1, "JC": 2, "CF": 1},
			map[string]int64{"kept": 2, "cancelled": 1, "delegated": 1, "transferred": 1, "adjusted": 2},
			[][3]any{{"XK", "cancelled", 1}, {"XK", "adjusted", 1}, {"CF", "kept", 1}, {"JC", "kept", 1}, {"JC", "adjusted", 1},
				{"QR", "delegated", 1}, {"QT", "transferred", 1}})
	})
}

func checkInventory(t *testing.T, what string, r response, total, unassessed int64, byType, byStatus map[string]int64, cells [][3]any) {
	t.Helper()
	if num(r.Body["total"]) != total || num(r.Body["unassessed"]) != unassessed {
		t.Errorf("%s: total %v unassessed %v, want %d and %d: %s", what, r.Body["total"], r.Body["unassessed"], total, unassessed, r.Raw)
	}
	for key, want := range map[string]map[string]int64{"by_type": byType, "by_status": byStatus} {
		got, _ := r.Body[key].(map[string]any)
		if len(got) != len(want) {
			t.Errorf("%s: %s = %v, want %v", what, key, got, want)
			continue
		}
		for k, n := range want {
			if num(got[k]) != n {
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
		if c["power_type"] != want[0] || c["inventory_status"] != want[1] || num(c["count"]) != int64(want[2].(int)) {
			t.Errorf("%s: cell %d = %v, want %v", what, i, c, want)
		}
	}
}
