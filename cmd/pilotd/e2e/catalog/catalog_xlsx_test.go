package catalog_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"reflect"
	"safetypilot/cmd/pilotd/internal/e2e"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// postWorkbook sends a workbook as the request body.
func postWorkbook(s *e2e.Service, path, token string, data []byte) e2e.Response {
	s.T.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(data))
	req.Header.Set("Content-Type", xlsxType)
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// exportWorkbook downloads a county's catalog workbook and opens it.
func exportWorkbook(s *e2e.Service, county, token string) *excelize.File {
	s.T.Helper()
	r := s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/catalog.xlsx", token, nil))
	if ct := r.Header.Get("Content-Type"); ct != xlsxType {
		s.T.Fatalf("Content-Type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Raw))
	if err != nil {
		s.T.Fatalf("open the exported workbook: %v", err)
	}
	s.T.Cleanup(func() { f.Close() })
	return f
}

// workbookBytes writes f out.
func workbookBytes(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rowOf finds the row of the item with code on a sheet whose column A or B
// holds codes; 0 when there is none.
func rowOf(t *testing.T, f *excelize.File, sheet, col, code string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	idx := int(col[0] - 'A')
	for i, r := range rows {
		if len(r) > idx && r[idx] == code {
			return i + 1
		}
	}
	return 0
}

// columnOf is the letter of a header on a sheet.
func columnOf(t *testing.T, f *excelize.File, sheet, header string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range rows[0] {
		if h == header {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	t.Fatalf("no column %s on %s", header, sheet)
	return ""
}

func set(t *testing.T, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogWorkbookRoundTrip: a county's catalog, with a published item,
// a penalty item with its discretion standard and a never-edited item,
// exports as a workbook that imports back unchanged with nothing recorded;
// an edited row becomes the next unpublished version and a new row a new
// item (a dry run first, which writes nothing); a workbook with wrong cells
// is refused cell by cell with nothing imported; a row edited after a newer
// version was saved is refused; the province's template exports and imports
// as a push.
func TestCatalogWorkbookRoundTrip(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		adminB := s.Onboard("34", e2e.CatCountyB)
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), admin, e2e.FireworksContent()))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil))
		e2e.PenaltyItemPublished(s, county, admin)
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/1"), admin, map[string]any{
			"summary": "  前后空格与换行\n第二行 <b>&</b>", "responsible_unit": "办公室", "disclosure_mode": "proactive"}))
		versions := versionCount(s, county)
		items := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, county)

		// Export, import unchanged: nothing recorded.
		f := exportWorkbook(s, county, admin)
		for _, sheet := range []string{"实施清单", "申请材料", "办理环节", "特别程序", "裁量基准", "裁量阶次", "填写说明"} {
			if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
				t.Errorf("exported workbook lacks sheet %s", sheet)
			}
		}
		if got, _ := f.GetCellValue("实施清单", columnOf(t, f, "实施清单", "职权类型")+itoa(rowOf(t, f, "实施清单", "B", "274"))); got != "行政许可" {
			t.Errorf("职权类型 of 274 = %q, want the title 行政许可", got)
		}
		if n := rowOf(t, f, "裁量阶次", "B", "CF-001-1"); n == 0 {
			t.Errorf("the penalty item's tiers are not on 裁量阶次")
		}
		data := workbookBytes(t, f)
		r := s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), admin, data))
		if e2e.Num(r.Body["created"]) != 0 || e2e.Num(r.Body["updated"]) != 0 || e2e.Num(r.Body["unchanged"]) != int64(items) {
			t.Fatalf("unchanged import: %s, want 0 created, 0 updated, %d unchanged", r.Raw, items)
		}
		if n := versionCount(s, county); n != versions {
			t.Fatalf("%d versions after an unchanged import, want %d", n, versions)
		}

		// Edit the promised limit of 274, add a new item with a material.
		main := "实施清单"
		row274 := itoa(rowOf(t, f, main, "B", "274"))
		set(t, f, main, columnOf(t, f, main, "承诺时限（工作日）")+row274, 12)
		next := itoa(items + 2)
		set(t, f, main, "B"+next, "FW-900")
		set(t, f, main, columnOf(t, f, main, "事项类别")+next, "便民服务事项")
		set(t, f, main, columnOf(t, f, main, "事项名称")+next, "安全生产政策咨询")
		set(t, f, main, columnOf(t, f, main, "事项说明")+next, "解答企业安全生产政策问题")
		mats, _ := f.GetRows("申请材料")
		mrow := itoa(len(mats) + 1)
		set(t, f, "申请材料", "A"+mrow, "FW-900")
		set(t, f, "申请材料", "C"+mrow, "咨询登记表")
		set(t, f, "申请材料", "D"+mrow, 1)
		edited := workbookBytes(t, f)

		dry := s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import?dry_run=true"), admin, edited))
		if e2e.Num(dry.Body["created"]) != 1 || e2e.Num(dry.Body["updated"]) != 1 || dry.Body["dry_run"] != true {
			t.Errorf("dry run: %s", dry.Raw)
		}
		if n := versionCount(s, county); n != versions {
			t.Fatalf("a dry run saved %d versions", n-versions)
		}
		s.Must(404, s.Do("GET", e2e.CatPath(county, "/FW-900"), admin, nil))

		r = s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), admin, edited))
		if e2e.Num(r.Body["created"]) != 1 || e2e.Num(r.Body["updated"]) != 1 || e2e.Num(r.Body["unchanged"]) != int64(items-1) {
			t.Fatalf("edited import: %s", r.Raw)
		}
		it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), admin, nil))
		if e2e.Num(it.Body["promised_limit_workdays"]) != 12 || e2e.Num(it.Body["version"]) != 2 ||
			e2e.Num(it.Body["published_version"]) != 1 || it.Body["has_unpublished_changes"] != true {
			t.Errorf("274 after the import: %.400s", it.Raw)
		}
		pub := s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))
		if e2e.Num(pub.Body["promised_limit_workdays"]) != 13 {
			t.Errorf("the public sees %v before publishing, want 13", pub.Body["promised_limit_workdays"])
		}
		nw := s.Must(200, s.Do("GET", e2e.CatPath(county, "/FW-900"), admin, nil))
		m, _ := nw.Body["materials"].([]any)
		if nw.Body["category"] != "service" || nw.Body["status"] != "draft" || len(m) != 1 ||
			m[0].(map[string]any)["name"] != "咨询登记表" || nw.Body["summary"] != "解答企业安全生产政策问题" {
			t.Errorf("the imported item: %.500s", nw.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action LIKE '%catalog/import%' AND detail LIKE '%created=1 updated=1%'`); n != 1 {
			t.Errorf("%d audit entries of the import, want 1", n)
		}
		// Importing the same workbook again changes nothing.
		again := s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), admin, edited))
		if e2e.Num(again.Body["created"]) != 0 || e2e.Num(again.Body["updated"]) != 0 {
			t.Errorf("second import of the same workbook: %s", again.Raw)
		}
		versions = versionCount(s, county)
		items++

		// Wrong cells: every one reported, nothing imported (not even the valid new row).
		g := exportWorkbook(s, county, admin)
		row274 = itoa(rowOf(t, g, main, "B", "274"))
		promised := columnOf(t, g, main, "承诺时限（工作日）")
		set(t, g, main, promised+row274, 19) // more than two thirds of 20
		set(t, g, main, columnOf(t, g, main, "职权类型")+row274, "许可")
		next = itoa(items + 2)
		set(t, g, main, "B"+next, "FW-901")
		set(t, g, main, columnOf(t, g, main, "事项类别")+next, "便民服务事项")
		set(t, g, main, columnOf(t, g, main, "事项名称")+next, "有效的新事项")
		stepRow := itoa(rowOf(t, g, "办理环节", "A", "274"))
		set(t, g, "办理环节", columnOf(t, g, "办理环节", "时限（工作日）")+stepRow, "三天")
		r = postWorkbook(s, e2e.CatPath(county, "/import"), admin, workbookBytes(t, g))
		s.MustInvalid("wrong cells", r, "实施清单!"+columnOf(t, g, main, "职权类型")+row274, "办理环节!"+columnOf(t, g, "办理环节", "时限（工作日）")+stepRow)
		if msg, _ := e2e.ErrorFields(r)["办理环节!"+columnOf(t, g, "办理环节", "时限（工作日）")+stepRow].(string); !strings.Contains(msg, "时限（工作日）") || !strings.Contains(msg, "第"+stepRow+"行") {
			t.Errorf("message of the step cell %q names neither row nor column", msg)
		}
		// The limit check runs once the cells read: fix them and the rule speaks.
		set(t, g, main, columnOf(t, g, main, "职权类型")+row274, "行政许可")
		set(t, g, "办理环节", columnOf(t, g, "办理环节", "时限（工作日）")+stepRow, 1)
		r = postWorkbook(s, e2e.CatPath(county, "/import"), admin, workbookBytes(t, g))
		s.MustInvalid("promised limit", r, "实施清单!"+promised+row274)
		if msg, _ := e2e.ErrorFields(r)["实施清单!"+promised+row274].(string); !strings.Contains(msg, "三分之一") {
			t.Errorf("promised limit message %q", msg)
		}
		if n := versionCount(s, county); n != versions {
			t.Errorf("a refused import saved %d versions", n-versions)
		}
		s.Must(404, s.Do("GET", e2e.CatPath(county, "/FW-901"), admin, nil))

		// A newer version saved after the export is not overwritten.
		h := exportWorkbook(s, county, admin)
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), admin, e2e.With(e2e.FireworksContent(), "fees", "不收费（他人修改）")))
		row274 = itoa(rowOf(t, h, main, "B", "274"))
		set(t, h, main, columnOf(t, h, main, "咨询方式")+row274, "0551-69999999")
		r = postWorkbook(s, e2e.CatPath(county, "/import"), admin, workbookBytes(t, h))
		s.MustInvalid("stale row", r, "实施清单!"+columnOf(t, h, main, "版本")+row274)
		if fees := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), admin, nil)).Body["fees"]; fees != "不收费（他人修改）" {
			t.Errorf("the newer version was overwritten: fees %v", fees)
		}

		// Not a workbook; another county's workbook names county B's items only in B.
		bad := s.Do("POST", e2e.CatPath(county, "/import"), admin, map[string]any{})
		if bad.Status != 415 {
			t.Errorf("JSON body: %d, want 415", bad.Status)
		}
		s.MustInvalid("garbage", postWorkbook(s, e2e.CatPath(county, "/import"), admin, []byte("not a zip")), "file")
		s.Must(403, postWorkbook(s, e2e.CatPath(county, "/import"), adminB, data))
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ?`, e2e.CatCountyB); n != 0 {
			t.Errorf("county B has %d versions", n)
		}

		// The province's template: the basic catalog before any push.
		prov := s.ProvinceUser("34", "prov_xlsx", "province_admin")
		tr := s.Must(200, s.Do("GET", "/api/v1/provinces/34/catalog-template.xlsx", prov, nil))
		tf, err := excelize.OpenReader(bytes.NewReader(tr.Raw))
		if err != nil {
			t.Fatal(err)
		}
		if r := rowOf(t, tf, main, "B", "284"); r != 32 {
			t.Errorf("item 284 on row %d of the template, want 32", r)
		}
		set(t, tf, main, "B33", "285")
		set(t, tf, main, "C33", "行政职权事项")
		set(t, tf, main, "D33", "危险化学品安全使用许可证核发")
		tdata := workbookBytes(t, tf)
		s.Must(200, postWorkbook(s, "/api/v1/provinces/34/catalog-template/import?dry_run=true", prov, tdata))
		s.Must(404, s.Do("GET", e2e.CatPath(county, "/285"), admin, nil))
		pr := s.Must(201, postWorkbook(s, "/api/v1/provinces/34/catalog-template/import?title=2026年目录", prov, tdata))
		if e2e.Num(pr.Body["items"]) != 32 {
			t.Errorf("template import: %s", pr.Raw)
		}
		if got := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyB, "/285"), adminB, nil)); got.Body["name"] != "危险化学品安全使用许可证核发" {
			t.Errorf("pushed item in county B: %s", got.Raw)
		}
		// The template now is the push; content in a template workbook is refused.
		tf2, err := excelize.OpenReader(bytes.NewReader(s.Must(200, s.Do("GET", "/api/v1/provinces/34/catalog-template.xlsx", prov, nil)).Raw))
		if err != nil {
			t.Fatal(err)
		}
		if r := rowOf(t, tf2, main, "B", "285"); r != 33 {
			t.Errorf("pushed item on row %d of the template, want 33", r)
		}
		set(t, tf2, main, columnOf(t, tf2, main, "收费")+"2", "不收费")
		s.MustInvalid("template content", postWorkbook(s, "/api/v1/provinces/34/catalog-template/import", prov, workbookBytes(t, tf2)),
			"实施清单!"+columnOf(t, tf2, main, "收费")+"2")
		s.Must(403, postWorkbook(s, "/api/v1/provinces/34/catalog-template/import", admin, tdata))
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// postForm uploads a workbook through a page's multipart form.
func postForm(s *e2e.Service, path, token string, fields map[string]string, data []byte) e2e.Response {
	s.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "目录.xlsx")
	_, _ = fw.Write(data)
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// TestProvinceTemplatePage: the province's pushes page links the template
// workbook; an uploaded template with a content cell is refused with the
// cell in a table and nothing pushed; a clean one is pushed under the title
// given, and the county sees the new item.
func TestProvinceTemplatePage(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, "sqlite")
	admin := s.Onboard("34", e2e.CatCountyA)
	prov := s.ProvinceUser("34", "prov_page", "province_admin")
	page := string(s.Must(200, e2e.IsoRequest(s, "GET", "/provinces/34/catalog-pushes", prov, nil)).Raw)
	if !strings.Contains(page, `href="/api/v1/provinces/34/catalog-template.xlsx" id="template-download"`) {
		t.Fatalf("the pushes page does not link the template workbook")
	}
	f, err := excelize.OpenReader(bytes.NewReader(s.Must(200, s.Do("GET", "/api/v1/provinces/34/catalog-template.xlsx", prov, nil)).Raw))
	if err != nil {
		t.Fatal(err)
	}
	main := "实施清单"
	set(t, f, main, "B33", "285")
	set(t, f, main, "C33", "行政职权事项")
	set(t, f, main, "D33", "危险化学品安全使用许可证核发")
	set(t, f, main, columnOf(t, f, main, "实施依据")+"33", "《危险化学品安全管理条例》")
	pushes := s.CountRows(`SELECT COUNT(*) FROM catalog_pushes`)
	r := postForm(s, "/provinces/34/catalog-template-import", prov, map[string]string{"title": "2026年目录"}, workbookBytes(t, f))
	html := string(r.Raw)
	cell := columnOf(t, f, main, "实施依据") + "33"
	if r.Status != 400 || !strings.Contains(html, `data-testid="import-cells"`) || !strings.Contains(html, "<td data-label=\"单元格\">"+cell+"</td>") {
		t.Fatalf("template with content: %d\n%.2000s", r.Status, html)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM catalog_pushes`); n != pushes {
		t.Fatalf("a refused template pushed %d times", n-pushes)
	}
	set(t, f, main, cell, "")
	r = postForm(s, "/provinces/34/catalog-template-import", prov, map[string]string{"title": "2026年目录"}, workbookBytes(t, f))
	if r.Status != 200 || !strings.Contains(string(r.Raw), "已推送“2026年目录”") {
		t.Fatalf("clean template: %d\n%.1500s", r.Status, r.Raw)
	}
	if got := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, "/285"), admin, nil)); got.Body["status"] != "draft" {
		t.Errorf("pushed item: %s", got.Raw)
	}
}

// TestCatalogWorkbookStarterPenalties: a county that adopted and saved every
// shipped penalty draft (statutory fine ranges on each standard; one item's
// tiers marked for the organisation or the responsible persons) exports a
// workbook carrying those ranges and 适用对象 that imports back unchanged
// with nothing recorded; changing one tier's 适用对象 in the workbook saves
// exactly that as the item's next version.
func TestCatalogWorkbookStarterPenalties(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		list := s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/catalog-templates", admin, nil))
		adopted := 0
		for _, x := range list.Body["items"].([]any) {
			code := x.(map[string]any)["code"].(string)
			if !strings.HasPrefix(code, "CF-AQ-") {
				continue
			}
			it := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/catalog-templates/"+code+"/adopt", admin, nil))
			content := contentOf(it)
			if code == "CF-AQ-099" {
				for _, sx := range content["discretion"].([]any) {
					st := sx.(map[string]any)
					party := "organization"
					if strings.HasSuffix(st["violation"].(string), "（对责任人员）") {
						party = "individual"
					}
					for _, tx := range st["tiers"].([]any) {
						tx.(map[string]any)["applies_to"] = party
					}
				}
			}
			s.Must(200, s.Do("PUT", e2e.CatPath(county, "/"+code), admin, content))
			adopted++
		}
		if adopted < 10 {
			t.Fatalf("%d penalty drafts adopted, want at least ten", adopted)
		}
		versions := versionCount(s, county)
		items := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, county)

		f := exportWorkbook(s, county, admin)
		std, tiers := "裁量基准", "裁量阶次"
		row := itoa(rowOf(t, f, std, "C", "99-U1"))
		if row == "0" {
			rows, _ := f.GetRows(std)
			t.Fatalf("no standard 99-U1 of CF-AQ-099 on %s: %v", std, rows)
		}
		for header, want := range map[string]string{"法定罚款下限（元）": "0", "法定罚款上限（元）": "50000", "下限含本数": "是", "上限含本数": "是"} {
			if got, _ := f.GetCellValue(std, columnOf(t, f, std, header)+row); got != want {
				t.Errorf("%s of 99-U1 = %q, want %q", header, got, want)
			}
		}
		tierRow := itoa(rowOf(t, f, tiers, "B", "99-U1"))
		appliesCol := columnOf(t, f, tiers, "适用对象")
		if got, _ := f.GetCellValue(tiers, appliesCol+tierRow); got != "单位" {
			t.Errorf("适用对象 of 99-U1's first tier = %q, want 单位", got)
		}
		r := s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), admin, workbookBytes(t, f)))
		if e2e.Num(r.Body["created"]) != 0 || e2e.Num(r.Body["updated"]) != 0 || e2e.Num(r.Body["unchanged"]) != int64(items) {
			t.Fatalf("unchanged import: %s, want 0 created, 0 updated, %d unchanged", r.Raw, items)
		}
		if n := versionCount(s, county); n != versions {
			t.Fatalf("%d versions after an unchanged import, want %d", n, versions)
		}

		// The persons' tiers may share amounts with the organisation's: one
		// tier moved to 个人（责任人员） is saved as such.
		set(t, f, tiers, appliesCol+tierRow, "个人（责任人员）")
		r = s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), admin, workbookBytes(t, f)))
		if e2e.Num(r.Body["updated"]) != 1 || e2e.Num(r.Body["created"]) != 0 {
			t.Fatalf("import of one changed tier: %s", r.Raw)
		}
		got := s.Must(200, s.Do("GET", e2e.CatPath(county, "/CF-AQ-099"), admin, nil))
		for _, sx := range got.Body["discretion"].([]any) {
			st := sx.(map[string]any)
			if st["id"] != "99-U1" {
				continue
			}
			tier := st["tiers"].([]any)[0].(map[string]any)
			if tier["applies_to"] != "individual" || st["statutory_fine"] == nil {
				t.Errorf("99-U1 after the import: %v", st)
			}
		}
	})
}

// emptyList is an absent list or an empty one, which the catalog treats alike.
func emptyList(v any) bool {
	l, ok := v.([]any)
	return v == nil || ok && len(l) == 0
}

// contentDiff names the content fields where got differs from want.
func contentDiff(got, want map[string]any) []string {
	var out []string
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	for k := range keys {
		if emptyList(got[k]) && emptyList(want[k]) {
			continue
		}
		if !reflect.DeepEqual(got[k], want[k]) {
			out = append(out, fmt.Sprintf("%s: got %v, want %v", k, got[k], want[k]))
		}
	}
	sort.Strings(out)
	return out
}

// TestCatalogWorkbookNeverSavedItems: a county provisioned today, with no
// item saved, exports the content its catalog shows (the province's
// template, markers included) rather than blanks; the workbook imports back
// unchanged with no version stored; one local cell changed saves the item's
// first version, the template content plus that change; and a row exported
// at version 0 is refused on its 版本 cell once the item was saved since.
func TestCatalogWorkbookNeverSavedItems(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		_, clerk := s.AddUser(admin, county, "wb_clerk", "county_clerk")
		items := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, county)
		if n := versionCount(s, county); n != 0 || items == 0 {
			t.Fatalf("a new county has %d items and %d versions, want items and no version", items, n)
		}
		shown := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk, nil))
		if shown.Body["from_template"] != true || e2e.Num(shown.Body["version"]) != 0 {
			t.Fatalf("274 of a new county: %.300s", shown.Raw)
		}
		tpl := contentOf(shown)

		// The export carries what the catalog shows.
		f := exportWorkbook(s, county, clerk)
		main := "实施清单"
		row := itoa(rowOf(t, f, main, "B", "274"))
		if row == "0" {
			t.Fatal("no row of 274 on 实施清单")
		}
		cell := func(header string) string {
			v, _ := f.GetCellValue(main, columnOf(t, f, main, header)+row)
			return v
		}
		if lb := cell("实施依据"); lb != tpl["legal_basis"] || !strings.Contains(lb, "《烟花爆竹安全管理条例》") {
			t.Errorf("实施依据 of 274 = %q, want the template's %q", lb, tpl["legal_basis"])
		}
		if c := cell("咨询方式"); c != tpl["consultation"] || !strings.Contains(c, "【待填写") {
			t.Errorf("咨询方式 of 274 = %q, want the template's marker %q", c, tpl["consultation"])
		}
		if v := cell("版本"); v != "0" {
			t.Errorf("版本 of 274 = %q, want 0", v)
		}
		steps, _ := tpl["steps"].([]any)
		stepRows, _ := f.GetRows("办理环节")
		var names []string
		for _, r := range stepRows {
			if len(r) > 2 && r[0] == "274" {
				names = append(names, r[2])
			}
		}
		if len(steps) == 0 || len(names) != len(steps) {
			t.Fatalf("办理环节 has %d steps of 274 (%v), want the template's %d", len(names), names, len(steps))
		}
		for i, st := range steps {
			if want := st.(map[string]any)["name"]; names[i] != want {
				t.Errorf("step %d of 274 on 办理环节 = %q, want %q", i+1, names[i], want)
			}
		}
		// 275 awaits verification of its basis: the marker is exported as is.
		row275 := itoa(rowOf(t, f, main, "B", "275"))
		if lb, _ := f.GetCellValue(main, columnOf(t, f, main, "实施依据")+row275); !strings.Contains(lb, "【待核实") {
			t.Errorf("实施依据 of 275 = %q, want its 【待核实…】 marker", lb)
		}

		// Imported unchanged: nothing saved.
		r := s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), clerk, workbookBytes(t, f)))
		if e2e.Num(r.Body["created"]) != 0 || e2e.Num(r.Body["updated"]) != 0 || e2e.Num(r.Body["unchanged"]) != int64(items) {
			t.Fatalf("unchanged import: %s, want 0 created, 0 updated, %d unchanged", r.Raw, items)
		}
		if n := versionCount(s, county); n != 0 {
			t.Fatalf("an unchanged import stored %d versions", n)
		}
		if again := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk, nil)); again.Body["from_template"] != true {
			t.Fatalf("274 no longer follows the template after an unchanged import: %.300s", again.Raw)
		}

		// One local cell changed: the first version, the template plus the change.
		const phone = "0551-62600000，瑶海区政务服务中心二楼"
		set(t, f, main, columnOf(t, f, main, "咨询方式")+row, phone)
		r = s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), clerk, workbookBytes(t, f)))
		if e2e.Num(r.Body["created"]) != 0 || e2e.Num(r.Body["updated"]) != 1 || e2e.Num(r.Body["unchanged"]) != int64(items-1) {
			t.Fatalf("import of one changed cell: %s", r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ? AND code = '274' AND version = 1`, county); n != 1 || versionCount(s, county) != 1 {
			t.Fatalf("versions after the import: %d of 274 at version 1, %d in all; want exactly that one", n, versionCount(s, county))
		}
		got := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk, nil))
		if got.Body["from_template"] == true || e2e.Num(got.Body["version"]) != 1 || got.Body["status"] != "draft" {
			t.Errorf("274 after the import: %.300s", got.Raw)
		}
		if d := contentDiff(contentOf(got), e2e.With(tpl, "consultation", phone)); len(d) > 0 {
			t.Errorf("version 1 of 274 is not the template plus the change:\n%s", strings.Join(d, "\n"))
		}

		// A row exported at version 0, the item saved since: refused on 版本.
		g := exportWorkbook(s, county, clerk)
		row275 = itoa(rowOf(t, g, main, "B", "275"))
		it275 := s.Must(200, s.Do("GET", e2e.CatPath(county, "/275"), clerk, nil))
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/275"), clerk, localOnly(contentOf(it275))))
		set(t, g, main, columnOf(t, g, main, "咨询方式")+row275, "0551-69999999")
		s.MustInvalid("row of 275 exported before its first save", postWorkbook(s, e2e.CatPath(county, "/import"), clerk, workbookBytes(t, g)),
			"实施清单!"+columnOf(t, g, main, "版本")+row275)
		after := s.Must(200, s.Do("GET", e2e.CatPath(county, "/275"), clerk, nil))
		if e2e.Num(after.Body["version"]) != 1 || after.Body["consultation"] != localOnly(contentOf(it275))["consultation"] {
			t.Errorf("275 after the refused import: %.300s", after.Raw)
		}
	})
}

// TestCatalogWorkbookTemplateChanged: a never-saved item's row carries the
// stamp of the province template it was exported with. After the province
// edits that template, the row imported as exported is unchanged (the item
// follows the new template), the row edited is refused on its 模板标识 cell
// with nothing saved, and the row edited in a new export is saved on top of
// the new template.
func TestCatalogWorkbookTemplateChanged(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		_, clerk := s.AddUser(admin, county, "tpl_clerk", "county_clerk")
		prov := s.ProvinceUser("34", "prov_tpl", "province_admin")
		main := "实施清单"
		f := exportWorkbook(s, county, clerk)
		row := itoa(rowOf(t, f, main, "B", "281"))
		if v, _ := f.GetCellValue(main, columnOf(t, f, main, "模板标识")+row); len(v) != 12 {
			t.Fatalf("模板标识 of a never-saved item = %q, want a 12-digit stamp", v)
		}

		tpl := s.Must(200, s.Do("GET", "/api/v1/provinces/34/catalog-templates/281", prov, nil))
		tc := tpl.Body["content"].(map[string]any)
		tc["promised_limit_workdays"] = 2
		s.Must(200, s.Do("PUT", "/api/v1/provinces/34/catalog-templates/281", prov, map[string]any{"content": tc}))

		r := s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), clerk, workbookBytes(t, f)))
		if e2e.Num(r.Body["updated"]) != 0 || versionCount(s, county) != 0 {
			t.Fatalf("the workbook as exported, after the template changed: %s, %d versions", r.Raw, versionCount(s, county))
		}
		if got := s.Must(200, s.Do("GET", e2e.CatPath(county, "/281"), clerk, nil)); got.Body["from_template"] != true ||
			e2e.Num(got.Body["promised_limit_workdays"]) != 2 {
			t.Errorf("281 no longer follows the province's template: %.300s", got.Raw)
		}

		set(t, f, main, columnOf(t, f, main, "咨询方式")+row, "0551-62611111")
		s.MustInvalid("a row edited against the old template", postWorkbook(s, e2e.CatPath(county, "/import"), clerk, workbookBytes(t, f)),
			"实施清单!"+columnOf(t, f, main, "模板标识")+row)
		if n := versionCount(s, county); n != 0 {
			t.Fatalf("the refused import stored %d versions", n)
		}

		g := exportWorkbook(s, county, clerk)
		row = itoa(rowOf(t, g, main, "B", "281"))
		set(t, g, main, columnOf(t, g, main, "咨询方式")+row, "0551-62611111")
		s.Must(200, postWorkbook(s, e2e.CatPath(county, "/import"), clerk, workbookBytes(t, g)))
		got := s.Must(200, s.Do("GET", e2e.CatPath(county, "/281"), clerk, nil))
		if e2e.Num(got.Body["version"]) != 1 || got.Body["consultation"] != "0551-62611111" || e2e.Num(got.Body["promised_limit_workdays"]) != 2 {
			t.Errorf("281 saved from the new export: %.300s", got.Raw)
		}
	})
}
