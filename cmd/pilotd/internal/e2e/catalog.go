package e2e

import (
	"fmt"

	"github.com/chromedp/chromedp"
)

// Choose picks the option with value in the <select> with the HTML id.
func (b *Tab) Choose(id, value string) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.SetValue(chromedp.ID(id), value)); err != nil {
		b.T.Fatalf("choose %s in #%s: %v", value, id, err)
	}
	if got, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.ID(id))); err != nil || got != value {
		b.T.Fatalf("#%s = %q (%v) after choosing %q: no such option", id, got, err, value)
	}
}

// Tick clicks the element with the HTML id, a checkbox or radio button
// (a click that loads no page).
func (b *Tab) Tick(id string) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		b.T.Fatalf("click #%s: %v", id, err)
	}
}

// Retype empties the field with the HTML id and types value into it.
func (b *Tab) Retype(id, value string) {
	b.T.Helper()
	emptied, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](fmt.Sprintf(
		`(() => { const e = document.getElementById(%q); e.value = ""; return e.value === ""; })()`, id)))
	if err != nil || !emptied {
		b.T.Fatalf("empty #%s: %v", id, err)
	}
	b.Fill(id, value)
}

// Value is the current value of the form field with the HTML id.
func (b *Tab) Value(id string) string {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		b.T.Fatalf("value of #%s: %v", id, err)
	}
	return v
}

// Count is how many elements match the CSS selector.
func (b *Tab) Count(css string) int {
	b.T.Helper()
	n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, css)))
	if err != nil {
		b.T.Fatalf("count %s: %v", css, err)
	}
	return n
}

// OpenStatus navigates to path and returns the HTTP status, whatever it is.
func (b *Tab) OpenStatus(path string) int64 {
	b.T.Helper()
	resp, err := chromedp.Run(b.Ctx, chromedp.NavigateResponse(b.Base+path))
	if err != nil {
		b.T.Fatalf("open %s: %v", path, err)
	}
	if resp == nil {
		b.T.Fatalf("open %s: no response", path)
	}
	return resp.Status
}

// PenaltyItemPublished adds the county's own penalty item CF-001 with the
// discretion standard of penaltyContent and publishes it through the API.
func PenaltyItemPublished(s *Service, county, token string) {
	s.T.Helper()
	s.Must(201, s.Do("POST", CatPath(county, ""), token,
		map[string]any{"code": "CF-001", "category": "power", "name": "对未按规定开展安全生产教育和培训的处罚"}))
	s.Must(200, s.Do("PUT", CatPath(county, "/CF-001"), token, PenaltyContent()))
	s.Must(200, s.Do("POST", CatPath(county, "/CF-001/publish"), token, nil))
}

// Counties of the catalog tests (Anhui, province 34).
const (
	CatCountyA = "340102"
	CatCountyB = "340103"
	CatCountyC = "340104" // recommended only, never approved
)

func CatPath(county, rest string) string { return "/api/v1/counties/" + county + "/catalog" + rest }

func PubPath(county, rest string) string { return "/api/v1/public/counties/" + county + rest }

// FireworksSteps are the three steps of item 274, each complete as
// publishing asks (post, authority, procedure, time limit); the first post
// holds characters that must be escaped in the SVG. Every test that publishes
// an item takes its steps from here.
func FireworksSteps() []map[string]any {
	return []map[string]any{
		{"name": "受理", "post": "政务服务中心应急窗口<A&B>", "authority": "审查申请材料是否齐全、符合法定形式",
			"procedure": "材料齐全的当场受理；不齐全的一次性告知需要补正的全部内容", "limit_workdays": 1},
		{"name": "审查", "post": "危险化学品安全监管股", "authority": "审查经营场所是否符合安全条件",
			"procedure": "书面审查并组织现场核查", "limit_workdays": 8},
		{"name": "决定", "post": "分管副局长", "authority": "作出准予或不予许可的决定",
			"procedure": "审核审查意见后签发许可证；不予许可的书面说明理由并告知申请人依法享有的救济权利", "limit_workdays": 3},
	}
}

// FireworksContent is a complete power item 274 (烟花爆竹经营（零售）许可证核发).
func FireworksContent() map[string]any {
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
		"steps":                    FireworksSteps(),
		"inventory_status":         "kept",
	}
}

// PenaltyContent is a complete penalty item with one discretion standard of
// three tiers whose fine ranges touch without overlapping.
func PenaltyContent() map[string]any {
	c := FireworksContent()
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

// With returns a copy of content with keys set (a nil value deletes the key).
func With(content map[string]any, kv ...any) map[string]any {
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

// ErrorFields returns error.fields of an error response.
func ErrorFields(r Response) map[string]any {
	e, _ := r.Body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// MustInvalid asserts a 400 invalid_input naming every field in fields.
func (s *Service) MustInvalid(what string, r Response, fields ...string) {
	s.T.Helper()
	if r.Status != 400 || r.ErrorCode() != "invalid_input" {
		s.T.Errorf("%s: status %d code %q, want 400 invalid_input: %s", what, r.Status, r.ErrorCode(), r.Raw)
		return
	}
	got := ErrorFields(r)
	if len(got) == 0 {
		s.T.Errorf("%s: no error.fields: %s", what, r.Raw)
	}
	for _, f := range fields {
		if m, _ := got[f].(string); m == "" {
			s.T.Errorf("%s: error.fields lacks %q: %s", what, f, r.Raw)
		}
	}
}

func Num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// ProvinceUser creates a user with roles in province as the national
// administrator and returns their token after the first password change.
func (s *Service) ProvinceUser(province, username string, roles ...string) string {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", "/api/v1/provinces/"+province+"/users", s.AdminToken(),
		map[string]any{"username": username, "display_name": username, "roles": roles}))
	initial := r.Body["initial_password"].(string)
	token := s.Login(username, initial)
	s.Must(204, s.Do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "Prov#Pass2026x"}))
	return token
}
