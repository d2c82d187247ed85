// Package entities_test drives the county register of supervised entities
// end to end through HTTP on SQLite and MariaDB: the JSON API, the XLSX
// import with its all-or-nothing row report, the template and the export,
// the staff pages, the roles and the isolation between counties.
package entities_test

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"safetypilot/cmd/pilotd/internal/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const (
	county = "340102"
	other  = "340103"
	xlsx   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Valid credit codes of the tests' entities.
var (
	codeA = e2e.CreditCode("91340102MA2TX5P41")
	codeB = e2e.CreditCode("91340102MA2TX5P42")
	codeC = e2e.CreditCode("91340102MA2TX5P43")
	codeD = e2e.CreditCode("91340102MA2TX5P44")
)

func path(c, rest string) string { return "/api/v1/counties/" + c + "/entities" + rest }

// entity is a valid entity body with kv overriding its fields.
func entity(name, code string, kv ...any) map[string]any {
	m := map[string]any{"name": name, "credit_code": code, "address": "合肥市瑶海区长江东路1号", "industry": "fireworks",
		"risk_grade": "orange", "contact": "张联系", "phone": "13800000001"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// desk is a county with its administrator, an officer, a legal reviewer
// and a clerk.
type desk struct{ admin, officer, legal, clerk string }

func newDesk(s *e2e.Service, c string) desk {
	s.T.Helper()
	d := desk{admin: s.Onboard("34", c)}
	_, d.officer = s.AddUser(d.admin, c, "officer_"+c, "county_officer")
	_, d.legal = s.AddUser(d.admin, c, "legal_"+c, "county_legal")
	_, d.clerk = s.AddUser(d.admin, c, "clerk_"+c, "county_clerk")
	return d
}

func count(s *e2e.Service, c string) int {
	return s.CountRows(`SELECT COUNT(*) FROM entities WHERE county_code = ?`, c)
}

// workbook builds an XLSX body: a header row and the given rows.
func workbook(t *testing.T, header []string, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "生产经营单位"); err != nil {
		t.Fatal(err)
	}
	for r, row := range append([][]string{header}, rows...) {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("生产经营单位", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var header = []string{"单位名称", "统一社会信用代码", "地址", "行业", "风险等级", "联系人", "联系电话"}

func row(name, code, industry, grade string) []string {
	return []string{name, code, "合肥市瑶海区站前路2号", industry, grade, "李联系", "0551-65550000"}
}

func upload(s *e2e.Service, token, c string, body []byte) e2e.Response {
	s.T.Helper()
	req := httptest.NewRequest("POST", path(c, "/import"), bytes.NewReader(body))
	req.Header.Set("Content-Type", xlsx)
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// names lists the names of a list answer's items.
func names(r e2e.Response) []string {
	var out []string
	items, _ := r.Body["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["name"].(string))
	}
	return out
}

func TestEntityRegister(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)

		// An officer registers and corrects entities; codes are upper-cased.
		r := s.Must(201, s.Do("POST", path(county, ""), d.officer, entity("瑶海烟花爆竹批发有限公司", strings.ToLower(codeA))))
		id := e2e.Num(r.Body["id"])
		if r.Body["credit_code"] != codeA || r.Body["status"] != "active" || r.Body["risk_grade_title"] != "较大风险" ||
			r.Body["industry_title"] != "烟花爆竹" {
			t.Errorf("created entity: %s", r.Raw)
		}
		s.Must(201, s.Do("POST", path(county, ""), d.admin, entity("长江建材有限公司", codeB, "industry", "building_materials",
			"risk_grade", "blue")))
		r = s.Must(200, s.Do("PUT", path(county, "/"+e2e.Itoa(id)), d.officer,
			entity("瑶海烟花爆竹批发有限公司", codeA, "risk_grade", "red", "status", "closed")))
		if r.Body["risk_grade"] != "red" || r.Body["status"] != "closed" {
			t.Errorf("updated entity: %s", r.Raw)
		}
		r = s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.legal, nil))
		if r.Body["risk_grade"] != "red" || r.Body["contact"] != "张联系" {
			t.Errorf("entity as the legal reviewer reads it: %s", r.Raw)
		}

		// Lists: search by part of the name or of the code, and paging.
		for _, tc := range []struct {
			name, query string
			want        []string
		}{
			{"all", "", []string{"瑶海烟花爆竹批发有限公司", "长江建材有限公司"}},
			{"by part of the name", "?q=" + url.QueryEscape("建材"), []string{"长江建材有限公司"}},
			{"by part of the code", "?q=" + strings.ToLower(codeA[13:]), []string{"瑶海烟花爆竹批发有限公司"}},
			{"a LIKE wildcard is literal", "?q=" + url.QueryEscape("%"), nil},
			{"second page of one", "?per_page=1&page=2", nil}, // filled below
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.Must(200, s.Do("GET", path(county, tc.query), d.officer, nil))
				got := names(r)
				if tc.name == "second page of one" {
					if len(got) != 1 || e2e.Num(r.Body["total"]) != 2 {
						t.Errorf("page 2 of 1: %s", r.Raw)
					}
					return
				}
				if strings.Join(got, ",") != strings.Join(tc.want, ",") || e2e.Num(r.Body["total"]) != int64(len(tc.want)) {
					t.Errorf("list%s = %v (total %v), want %v", tc.query, got, r.Body["total"], tc.want)
				}
			})
		}
		s.MustInvalid("per_page 0", s.Do("GET", path(county, "?per_page=0"), d.officer, nil), "per_page")

		// Bad input: 400 naming the field, nothing stored.
		before := count(s, county)
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"wrong check character", entity("甲公司", e2e.WrongCode), "credit_code"},
			{"short credit code", entity("甲公司", "91340102MA2TX5P4"), "credit_code"},
			{"credit code already registered", entity("另一家公司", codeB), "credit_code"},
			{"unknown industry", entity("甲公司", codeC, "industry", "mining"), "industry"},
			{"industry given as a title", entity("甲公司", codeC, "industry", "冶金"), "industry"},
			{"unknown risk grade", entity("甲公司", codeC, "risk_grade", "green"), "risk_grade"},
			{"no name", entity("  ", codeC), "name"},
			{"no address", entity("甲公司", codeC, "address", ""), "address"},
			{"bad phone", entity("甲公司", codeC, "phone", "call me"), "phone"},
			{"unknown status", entity("甲公司", codeC, "status", "gone"), "status"},
		} {
			t.Run("create: "+tc.name, func(t *testing.T) {
				s.MustInvalid(tc.name, s.Do("POST", path(county, ""), d.officer, tc.body), tc.field)
			})
		}
		s.MustInvalid("update to another entity's code", s.Do("PUT", path(county, "/"+e2e.Itoa(id)), d.officer,
			entity("瑶海烟花爆竹批发有限公司", codeB)), "credit_code")
		if n := count(s, county); n != before {
			t.Errorf("%d entities after refused input, want %d", n, before)
		}
		r = s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.officer, nil))
		if r.Body["credit_code"] != codeA {
			t.Errorf("a refused update changed the entity: %s", r.Raw)
		}

		// Roles: a clerk neither reads nor edits; the legal reviewer reads only;
		// the officer does not import.
		for _, tc := range []struct {
			name, token, method, path string
			body                      any
		}{
			{"clerk lists", d.clerk, "GET", path(county, ""), nil},
			{"clerk reads", d.clerk, "GET", path(county, "/"+e2e.Itoa(id)), nil},
			{"clerk creates", d.clerk, "POST", path(county, ""), entity("丙公司", codeD)},
			{"clerk edits", d.clerk, "PUT", path(county, "/"+e2e.Itoa(id)), entity("改名公司", codeA)},
			{"legal reviewer creates", d.legal, "POST", path(county, ""), entity("丙公司", codeD)},
			{"legal reviewer edits", d.legal, "PUT", path(county, "/"+e2e.Itoa(id)), entity("改名公司", codeA)},
			{"officer downloads the template", d.officer, "GET", path(county, "/template.xlsx"), nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.Do(tc.method, tc.path, tc.token, tc.body)
				if r.Status != 403 || r.ErrorCode() != "forbidden" {
					t.Errorf("%s: status %d code %q, want 403: %.200s", tc.name, r.Status, r.ErrorCode(), r.Raw)
				}
			})
		}
		if n := count(s, county); n != before {
			t.Errorf("%d entities after refused requests, want %d", n, before)
		}
		r = s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.officer, nil))
		if r.Body["name"] != "瑶海烟花爆竹批发有限公司" {
			t.Errorf("a refused edit changed the entity: %s", r.Raw)
		}
	})
}

func TestEntityImport(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		s.Must(201, s.Do("POST", path(county, ""), d.admin, entity("已登记公司", codeA, "risk_grade", "blue")))

		// Wrong workbooks: 400 listing every wrong cell, nothing imported.
		for _, tc := range []struct {
			name   string
			body   []byte
			fields []string
		}{
			{"one bad code among good rows", workbook(t, header, row("甲公司", codeB, "冶金", "一般风险"),
				row("乙公司", e2e.WrongCode, "机械", "低风险"), row("丙公司", codeC, "商贸", "低风险")), []string{"生产经营单位!B3"}},
			{"unknown industry and grade", workbook(t, header, row("甲公司", codeB, "采矿", "一般风险"),
				row("乙公司", codeC, "机械", "绿色")), []string{"生产经营单位!D2", "生产经营单位!E3"}},
			{"a code repeated in the workbook", workbook(t, header, row("甲公司", codeB, "冶金", "一般风险"),
				row("甲公司二", codeB, "冶金", "一般风险")), []string{"生产经营单位!B3"}},
			{"a missing name", workbook(t, header, row("", codeB, "冶金", "一般风险")), []string{"生产经营单位!A2"}},
			{"a missing column", workbook(t, header[:4], []string{"甲公司", codeB, "地址", "冶金"}), []string{"生产经营单位!E1"}},
			{"an unknown column", workbook(t, append(append([]string{}, header...), "备注"), row("甲公司", codeB, "冶金", "一般风险")),
				[]string{"生产经营单位!H1"}},
			{"no rows", workbook(t, header), []string{"file"}},
			{"not a workbook", []byte("单位名称,统一社会信用代码\n"), []string{"file"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := upload(s, d.admin, county, tc.body)
				s.MustInvalid(tc.name, r, tc.fields...)
				if tc.name == "one bad code among good rows" {
					msg, _ := e2e.ErrorFields(r)["生产经营单位!B3"].(string)
					if !strings.Contains(msg, "第3行") || !strings.Contains(msg, "统一社会信用代码") || len(e2e.ErrorFields(r)) != 1 {
						t.Errorf("row report: %s", r.Raw)
					}
				}
			})
		}
		if n := count(s, county); n != 1 {
			t.Fatalf("%d entities after refused imports, want 1", n)
		}

		// A good workbook creates and updates in one go.
		r := s.Must(200, upload(s, d.admin, county, workbook(t, header,
			row("已登记公司（更名）", strings.ToLower(codeA), "危险化学品", "重大风险"),
			row("甲公司", codeB, "冶金", "一般风险"),
			[]string{}, // an empty row is skipped
			row("乙公司", codeC, "非煤矿山", "较大风险"))))
		if e2e.Num(r.Body["created"]) != 2 || e2e.Num(r.Body["updated"]) != 1 || e2e.Num(r.Body["unchanged"]) != 0 {
			t.Errorf("import: %s", r.Raw)
		}
		list := s.Must(200, s.Do("GET", path(county, "?q="+codeA), d.admin, nil))
		items := list.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["name"] != "已登记公司（更名）" ||
			items[0].(map[string]any)["risk_grade"] != "red" || items[0].(map[string]any)["industry"] != "hazchem" {
			t.Errorf("updated by the import: %s", list.Raw)
		}
		// The same workbook again changes nothing.
		r = s.Must(200, upload(s, d.admin, county, workbook(t, header,
			row("甲公司", codeB, "冶金", "一般风险"))))
		if e2e.Num(r.Body["unchanged"]) != 1 || e2e.Num(r.Body["created"])+e2e.Num(r.Body["updated"]) != 0 {
			t.Errorf("import again: %s", r.Raw)
		}

		// The export is a workbook the import takes back unchanged.
		exp := s.Do("GET", "/api/v1/counties/"+county+"/entities.xlsx", d.officer, nil)
		if exp.Status != 200 || exp.Header.Get("Content-Type") != xlsx {
			t.Fatalf("export: %d %s", exp.Status, exp.Header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader(exp.Raw))
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		rows, _ := f.GetRows("生产经营单位")
		f.Close()
		if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(header, ",")+",状态" {
			t.Errorf("export rows: %q", rows)
		}
		r = s.Must(200, upload(s, d.admin, county, exp.Raw))
		if e2e.Num(r.Body["unchanged"]) != 3 {
			t.Errorf("re-importing the export: %s", r.Raw)
		}

		// The template: the header row, and it imports once filled.
		tpl := s.Do("GET", path(county, "/template.xlsx"), d.admin, nil)
		if tpl.Status != 200 {
			t.Fatalf("template: %d", tpl.Status)
		}
		f, err = excelize.OpenReader(bytes.NewReader(tpl.Raw))
		if err != nil {
			t.Fatalf("template: %v", err)
		}
		rows, _ = f.GetRows("生产经营单位")
		if len(rows) != 1 || strings.Join(rows[0], ",") != strings.Join(header, ",") {
			t.Errorf("template rows: %q", rows)
		}
		for i, v := range row("丁公司", codeD, "纺织", "低风险") {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			_ = f.SetCellStr("生产经营单位", cell, v)
		}
		var buf bytes.Buffer
		_ = f.Write(&buf)
		f.Close()
		r = s.Must(200, upload(s, d.admin, county, buf.Bytes()))
		if e2e.Num(r.Body["created"]) != 1 {
			t.Errorf("filled template: %s", r.Raw)
		}

		// Only the administrator imports; a JSON body is not a workbook.
		before := count(s, county)
		if r := upload(s, d.officer, county, workbook(t, header, row("戊公司", e2e.CreditCode("91340102MA2TX5P45"), "冶金", "低风险"))); r.Status != 403 {
			t.Errorf("officer import: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", path(county, "/import"), d.admin, map[string]any{}); r.Status != 415 {
			t.Errorf("JSON import: %d %s", r.Status, r.Raw)
		}
		if n := count(s, county); n != before {
			t.Errorf("%d entities after refused imports, want %d", n, before)
		}
	})
}

func TestEntityIsolation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		a, b := newDesk(s, county), newDesk(s, other)
		r := s.Must(201, s.Do("POST", path(county, ""), a.officer, entity("甲县专属单位", codeA)))
		idA := e2e.Itoa(e2e.Num(r.Body["id"]))
		// B may register the same code: the register is per county.
		s.Must(201, s.Do("POST", path(other, ""), b.officer, entity("乙县单位", codeA)))

		for _, tc := range []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"list A's register", "GET", path(county, ""), nil, 403},
			{"read A's entity", "GET", path(county, "/"+idA), nil, 403},
			{"edit A's entity", "PUT", path(county, "/"+idA), entity("改名", codeA), 403},
			{"add to A's register", "POST", path(county, ""), entity("插入", codeB), 403},
			{"export A's register", "GET", "/api/v1/counties/" + county + "/entities.xlsx", nil, 403},
			{"A's entity through B's path", "GET", path(other, "/"+idA), nil, 404},
			{"edit A's entity through B's path", "PUT", path(other, "/"+idA), entity("改名", codeD), 404},
		} {
			for _, who := range []struct{ name, token string }{{"admin", b.admin}, {"officer", b.officer}, {"legal", b.legal}} {
				t.Run(tc.name+" as B's "+who.name, func(t *testing.T) {
					want := tc.want
					if who.name == "legal" && tc.method == "PUT" && want == 404 {
						want = 403 // the legal reviewer may not edit at all
					}
					r := s.Do(tc.method, tc.path, who.token, tc.body)
					if r.Status != want {
						t.Errorf("status %d, want %d: %.200s", r.Status, want, r.Raw)
					}
					if strings.Contains(string(r.Raw), "甲县专属单位") {
						t.Errorf("B's %s sees A's entity: %.200s", who.name, r.Raw)
					}
				})
			}
		}
		r = s.Must(200, s.Do("GET", path(other, "?q="+codeA), b.admin, nil))
		if got := names(r); len(got) != 1 || got[0] != "乙县单位" {
			t.Errorf("B's register: %v", got)
		}
		r = s.Must(200, s.Do("GET", path(county, "/"+idA), a.legal, nil))
		if r.Body["name"] != "甲县专属单位" {
			t.Errorf("A's entity was changed: %s", r.Raw)
		}
		if n := count(s, county); n != 1 {
			t.Errorf("A has %d entities, want 1", n)
		}
	})
}

// TestEntityPages drives the staff pages with a cookie session: the list
// with its search, the add form's field errors, and the import form's row
// report.
func TestEntityPages(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		officer := s.BrowserLogin("officer_"+county, "User#Pass2026x")
		base := "/counties/" + county + "/entities"

		// A refused form shows the field's message and stores nothing.
		bad := url.Values{"name": {"页面公司"}, "credit_code": {e2e.WrongCode}, "address": {"地址"},
			"industry": {"machinery"}, "risk_grade": {"yellow"}}
		r := officer.Post(base, bad, true)
		if r.Status != 400 || !strings.Contains(string(r.Raw), "统一社会信用代码有误") || !strings.Contains(string(r.Raw), "页面公司") {
			t.Errorf("refused form: %d %.300s", r.Status, r.Raw)
		}
		if n := count(s, county); n != 0 {
			t.Fatalf("%d entities after a refused form", n)
		}
		good := url.Values{"name": {"页面公司"}, "credit_code": {codeA}, "address": {"地址"}, "industry": {"machinery"},
			"risk_grade": {"yellow"}, "contact": {"王联系"}, "phone": {"13900000009"}}
		r = officer.Post(base, good, true)
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), base+"/") {
			t.Fatalf("form: %d %s", r.Status, r.Header.Get("Location"))
		}
		show := officer.Get(r.Header.Get("Location"))
		if show.Status != 200 || !strings.Contains(string(show.Raw), "已保存") || !strings.Contains(string(show.Raw), "王联系") {
			t.Errorf("entity page: %d", show.Status)
		}
		list := officer.Get(base + "?q=" + url.QueryEscape("页面"))
		if list.Status != 200 || !strings.Contains(string(list.Raw), "页面公司") || !strings.Contains(string(list.Raw), "一般风险") {
			t.Errorf("list page: %d", list.Status)
		}
		if r := officer.Get(base + "?q=" + url.QueryEscape("不存在")); !strings.Contains(string(r.Raw), "没有符合条件的单位") {
			t.Errorf("search without matches: %.300s", r.Raw)
		}
		// The officer has no import page; the county console links the register.
		if r := officer.Get(base + "/import"); r.Status != 403 {
			t.Errorf("officer import page: %d", r.Status)
		}
		admin := s.BrowserLogin("admin_"+county, "County#Pass2026")
		if r := admin.Get("/counties/" + county); !strings.Contains(string(r.Raw), `href="`+base+`"`) {
			t.Errorf("the county console does not link the register")
		}

		// The import form lists the wrong rows and imports nothing.
		post := func(body []byte) e2e.Response {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			_ = w.WriteField("_csrf", admin.CSRF)
			fw, _ := w.CreateFormFile("file", "名录.xlsx")
			_, _ = fw.Write(body)
			_ = w.Close()
			req := httptest.NewRequest("POST", base+"/import", &buf)
			req.Header.Set("Content-Type", w.FormDataContentType())
			req.AddCookie(admin.Cookie)
			return s.Send(req)
		}
		r = post(workbook(t, header, row("好公司", codeB, "冶金", "一般风险"), row("坏公司", codeC, "冶金", "紫色")))
		page := string(r.Raw)
		if r.Status != 400 || !strings.Contains(page, "第3行") || !strings.Contains(page, "风险等级") || !strings.Contains(page, "E3") {
			t.Errorf("import page with a bad row: %d %.500s", r.Status, page)
		}
		if n := count(s, county); n != 1 {
			t.Fatalf("%d entities after a refused import page, want 1", n)
		}
		r = post(workbook(t, header, row("好公司", codeB, "冶金", "一般风险")))
		if r.Status != 200 || !strings.Contains(string(r.Raw), "新增 1 家") {
			t.Errorf("import page: %d %.300s", r.Status, r.Raw)
		}
		_ = d
	})
}
