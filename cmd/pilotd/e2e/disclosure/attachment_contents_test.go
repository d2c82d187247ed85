package disclosure_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// disContentFinding is a scan finding with the fields of findings in an
// attachment's contents.
type disContentFinding struct {
	Field        string `json:"field"`
	Kind         string `json:"kind"`
	Text         string `json:"text"`
	AttachmentID int64  `json:"attachment_id"`
	Location     string `json:"location"`
	Excerpt      string `json:"excerpt"`
	Checked      bool   `json:"checked"`
}

type disContentRecord struct {
	Status       string              `json:"status"`
	ScanFindings []disContentFinding `json:"scan_findings"`
	Reviews      []struct {
		Decision string              `json:"decision"`
		Findings []disContentFinding `json:"findings"`
	} `json:"reviews"`
}

// disXlsx is a workbook with an ID number, written in groups, in cell B3.
func disXlsx(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	for cell, v := range map[string]string{"A1": "姓名", "B1": "身份证号", "A3": "张三", "B3": "340102 19900307 1232"} {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// disDocx is a Word document with one paragraph of text.
func disDocx(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDisclosureAttachmentContents: an ID number inside an uploaded
// spreadsheet is found with its cell, and blocks publication: the record
// cannot be approved (so not published) until the reviewer confirms having
// checked that attachment by hand; a clean attachment needs no confirmation.
// The console page says which attachment and which cell.
func TestDisclosureAttachmentContents(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		rec := s.DisCreate(d.clerk, d.county, e2e.DisPlain("企业检查名单", "2026-10-09"))
		xlsx := e2e.DisDecode[e2e.DisAttachment](t, s.Must(201, disUpload(s, d.clerk, d.county, rec.ID, "名单.xlsx", disXlsx(t))))
		clean := e2e.DisDecode[e2e.DisAttachment](t, s.Must(201, disUpload(s, d.clerk, d.county, rec.ID, "说明.docx",
			disDocx(t, "检查于2026-10-09进行，文号皖应急〔2026〕12号。"))))

		get := func() disContentRecord {
			r := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), d.reviewer, nil))
			var v disContentRecord
			if err := json.Unmarshal(r.Raw, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		v := get()
		want := disContentFinding{Field: "attachment_content:" + e2e.Itoa(xlsx.ID), Kind: "id_number", Text: "340102 19900307 1232",
			AttachmentID: xlsx.ID, Location: "工作表“Sheet1”B3单元格", Excerpt: "340102 19900307 1232"}
		if len(v.ScanFindings) != 1 || v.ScanFindings[0] != want {
			t.Fatalf("scan findings %+v, want only %+v", v.ScanFindings, want)
		}

		// Contents cannot be masked.
		s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil)
		bad := s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer, map[string]any{
			"decision": "approve", "checked_attachments": []int64{xlsx.ID},
			"redactions": []map[string]any{{"field": want.Field, "start": 0, "end": 6}}})
		if bad.Status != 400 {
			t.Fatalf("mask on contents: %d %s", bad.Status, bad.Raw)
		}
		// Not confirmed, or only the clean file confirmed: 400 naming the
		// file; the record stays unreviewed and cannot be published.
		for _, checked := range [][]int64{nil, {clean.ID}} {
			r := s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer,
				map[string]any{"decision": "approve", "checked_attachments": checked})
			if msg := disField(r, "checked_attachments"); r.Status != 400 || !strings.Contains(msg, "名单.xlsx") || strings.Contains(msg, "说明.docx") {
				t.Fatalf("approve with %v: %d %s", checked, r.Status, r.Raw)
			}
		}
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.reviewer, nil))
		if got := get(); got.Status != "pending_review" || len(got.Reviews) != 0 {
			t.Fatalf("refused approvals changed the record: %+v", got)
		}
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), "", nil))

		// The console page names the attachment and the cell, offers no mask
		// for it and asks for the hand check.
		rev := s.BrowserLogin("dreviewer_"+d.county, e2e.CasesUserPassword)
		record := "/counties/" + d.county + "/disclosures/" + e2e.Itoa(rec.ID)
		wantPage(t, "review page", rev.Get(record), 200, "附件“名单.xlsx”的内容，工作表“Sheet1”B3单元格",
			"附件内容无法遮盖", `name="checked_attachment" value="`+e2e.Itoa(xlsx.ID)+`"`)
		wantPage(t, "approve without the check", rev.Post(record+"/review", url.Values{"decision": {"approve"}}, true),
			400, "名单.xlsx", "附件内容无法遮盖")

		// Confirmed by hand through the form: approved, the kept record says
		// so, and publication goes ahead.
		r := rev.Post(record+"/review", url.Values{"decision": {"approve"}, "opinion": {"名单经人工核查，身份证号为示例数据"},
			"checked_attachment": {e2e.Itoa(xlsx.ID)}}, true)
		if r.Status != 303 {
			t.Fatalf("approve with the check: HTTP %d\n%s", r.Status, r.Raw)
		}
		v = get()
		if v.Status != "approved" || len(v.Reviews) != 1 || len(v.Reviews[0].Findings) != 1 || !v.Reviews[0].Findings[0].Checked {
			t.Fatalf("approved: %+v", v)
		}
		wantPage(t, "printable review record", rev.Get(record+"/reviews"), 200, "工作表“Sheet1”B3单元格", "审查人已人工核查该附件")
		s.DisAct(200, d.reviewer, d.county, rec.ID, "publish", nil)
	})
}

// TestDisclosureUnreadableAttachment: a file whose contents cannot be read
// is a finding of its own, which blocks approval the same way.
func TestDisclosureUnreadableAttachment(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		rec := s.DisCreate(d.clerk, d.county, e2e.DisPlain("现场检查", "2026-10-09"))
		broken := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x7f}, 64)...)
		att := e2e.DisDecode[e2e.DisAttachment](t, s.Must(201, disUpload(s, d.clerk, d.county, rec.ID, "方案.docx", broken)))
		v := e2e.DisDecode[disContentRecord](t, s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), d.reviewer, nil)))
		if len(v.ScanFindings) != 1 || v.ScanFindings[0].Kind != "unreadable" || v.ScanFindings[0].AttachmentID != att.ID ||
			!strings.Contains(v.ScanFindings[0].Text, "附件“方案.docx”") || !strings.Contains(v.ScanFindings[0].Text, "请人工核查") {
			t.Fatalf("scan findings %+v", v.ScanFindings)
		}
		s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil)
		if r := s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer,
			map[string]any{"decision": "approve"}); r.Status != 400 || disField(r, "checked_attachments") == "" {
			t.Fatalf("approve: %d %s", r.Status, r.Raw)
		}
		// Sent back to the author instead.
		s.DisAct(200, d.reviewer, d.county, rec.ID, "review", map[string]any{"decision": "reject", "opinion": "附件无法打开，请重新上传"})
	})
}
