package disclosure_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/db"
	dt "safetypilot/modules/disclosure/docxtest"
	"safetypilot/web"
)

// postDocx posts the author's form with a file in the field docx.
func postDocx(s *e2e.Service, path, token, name string, data []byte) e2e.Response {
	s.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("title", "导入的通报")
	_ = w.WriteField("category", "11")
	_ = w.WriteField("body", "<p>原来的正文</p>")
	if data != nil {
		fw, _ := w.CreateFormFile("docx", name)
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// TestDisclosureDocxImport: a .docx posted with the author's form comes back
// converted in the form, saving nothing; hostile, wrong and oversized files
// are refused next to the field, and only the author of a record still being
// prepared may import into it.
func TestDisclosureDocxImport(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	const county = "340102"
	admin := s.Onboard("34", county)
	_, clerk := s.AddUser(admin, county, "clerk_x", "county_clerk")
	_, other := s.AddUser(admin, county, "clerk_y", "county_clerk")
	_, reviewer := s.AddUser(admin, county, "reviewer_x", "county_reviewer")
	today := time.Now().In(web.Beijing).Format("2006-01-02")
	rec := s.DisCreate(clerk, county, e2e.DisPlain("通报", today))
	newPath := "/counties/" + county + "/disclosures/docx"
	editPath := "/counties/" + county + "/disclosures/" + e2e.Itoa(rec.ID) + "/docx"
	good := dt.Build(dt.Doc{Body: dt.P("1", "一、概况") + dt.P("", "&lt;script&gt;alert(1)&lt;/script&gt;")})
	wantBody := "<h2>一、概况</h2><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
	count := func() int { return s.CountRows(`SELECT COUNT(*) FROM disclosure_records`) }

	for _, path := range []string{newPath, editPath} {
		r := postDocx(s, path, clerk, "通报.docx", good)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: HTTP %d: %.500s", path, r.Status, r.Raw)
		}
		// The converted body is in the form's textarea (escaped there), the
		// other fields as posted.
		if !strings.Contains(string(r.Raw), html.EscapeString(wantBody)) {
			i := strings.Index(string(r.Raw), "<textarea")
			t.Errorf("%s: the converted body is not in the form: %.600s", path, string(r.Raw)[max(i, 0):])
		}
		if !strings.Contains(string(r.Raw), `value="导入的通报"`) || !strings.Contains(string(r.Raw), "尚未保存") {
			t.Errorf("%s: the form lost its title or says nothing of the import", path)
		}
	}
	if n := count(); n != 1 {
		t.Errorf("%d records after importing, want the 1 created", n)
	}
	if got := s.DisCreate(clerk, county, e2e.DisPlain("另一条", today)); got.ID == 0 {
		t.Fatal("no record")
	}
	stored := e2e.DisDecode[e2e.DisRecord](t, s.Must(200, s.Do("GET", e2e.DisPath(county, "/disclosures/"+e2e.Itoa(rec.ID)), clerk, nil)))
	if stored.Body != "<p>本季度共检查企业12家，均已整改。</p>" {
		t.Errorf("the import changed the stored body: %s", stored.Body)
	}

	bomb := dt.Build(dt.Doc{Document: append(append([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`),
		bytes.Repeat([]byte(" "), 40<<20)...), `</w:body></w:document>`...)})
	for _, tc := range []struct {
		name, file string
		data       []byte
		token      string
		path       string
		status     int
		says       string
	}{
		{"a zip bomb", "a.docx", bomb, clerk, newPath, 400, "解压后过大"},
		{"an old .doc", "a.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...), clerk, editPath, 400, "只能导入 Word 文档"},
		{"no file", "", nil, clerk, newPath, 400, "请选择要导入的 Word 文档"},
		{"not the author", "a.docx", good, other, editPath, 403, ""},
		{"a reviewer", "a.docx", good, reviewer, editPath, 403, ""},
	} {
		r := postDocx(s, tc.path, tc.token, tc.file, tc.data)
		if r.Status != tc.status || !strings.Contains(string(r.Raw), tc.says) {
			t.Errorf("%s: HTTP %d, want %d saying %q: %.400s", tc.name, r.Status, tc.status, tc.says, r.Raw)
		}
	}
	s.DisAct(200, clerk, county, rec.ID, "submit", nil)
	if r := postDocx(s, editPath, clerk, "a.docx", good); r.Status != http.StatusConflict {
		t.Errorf("import into a submitted record: HTTP %d, want 409", r.Status)
	}
	if n := count(); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
}
