package disclosure

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"safetypilot/modules/apperr"
)

// docxFile builds a .docx with the given parts (name → XML).
func docxFile(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// wordBody wraps paragraphs' XML as word/document.xml.
func wordBody(paragraphs ...string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` +
		strings.Join(paragraphs, "") + `</w:body></w:document>`
}

// wordPara is a paragraph of runs.
func wordPara(runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	for _, r := range runs {
		fmt.Fprintf(&b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, r)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// xlsxFile builds a workbook with excelize: cells by sheet, and the sheets
// to hide.
func xlsxFile(t testing.TB, cells map[string]map[string]any, hidden ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	first := true
	for _, sheet := range []string{"名单", "备注"} {
		values, ok := cells[sheet]
		if !ok {
			continue
		}
		if first {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				t.Fatal(err)
			}
			first = false
		} else if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		for cell, v := range values {
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, sheet := range hidden {
		if err := f.SetSheetVisible(sheet, false); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fpdfFile writes pages of ASCII text with fpdf (compressed streams, as
// office tools write them).
func fpdfFile(t testing.TB, pages ...[]string) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetFont("Helvetica", "", 12)
	for _, lines := range pages {
		doc.AddPage()
		for _, l := range lines {
			doc.Cell(0, 10, l)
			doc.Ln(12)
		}
	}
	var b bytes.Buffer
	if err := doc.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawPDF lays out numbered objects (1 … n) with a cross-reference table and
// a trailer whose root is object 1.
func rawPDF(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func pdfStream(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// cjkPDF shows text in a CID font whose ToUnicode map gives each character
// its own two-byte code (no glyphs are needed to read the text back).
func cjkPDF(text string) []byte {
	var codes, bfchar strings.Builder
	runes := []rune(text)
	for i, r := range runes {
		fmt.Fprintf(&codes, "%04X", i+1)
		fmt.Fprintf(&bfchar, "<%04X> <%04X>\n", i+1, r)
	}
	cmap := "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
		fmt.Sprintf("%d beginbfchar\n%sendbfchar\n", len(runes), bfchar.String()) +
		"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
	content := "BT /F1 12 Tf 72 720 Td <" + codes.String() + "> Tj ET"
	return rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		pdfStream("", content),
		"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 6 0 R >>",
		pdfStream("", cmap),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
	)
}

// zlibBytes compresses data as a PDF FlateDecode stream holds it.
func zlibBytes(data []byte) string {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	_, _ = zw.Write(data)
	_ = zw.Close()
	return b.String()
}

// where lists each finding of an attachment as kind@location:text.
func contentSummary(list []Finding) []string {
	var out []string
	for _, f := range list {
		if f.Kind == FindingUnreadable {
			out = append(out, "unreadable")
			continue
		}
		out = append(out, f.Kind+"@"+f.Location+":"+f.Text)
	}
	return out
}

func TestExtractAndScanAttachments(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("检查记录\n联系人身份证" + idPlain + "，本件机密\n")
	if err != nil {
		t.Fatal(err)
	}
	bigPDFStream := zlibBytes(make([]byte, maxInflatedBytes+1))
	cases := []struct {
		name string
		file string
		data []byte
		want []string // contentSummary of the findings
	}{
		{"utf-8 text", "a.txt", []byte("第一行\n联系电话：138 0013 8000\r\n"), []string{"mobile@第2行:138 0013 8000"}},
		{"utf-8 text with a byte-order mark", "a.txt", []byte("\xef\xbb\xbf" + idPlain), []string{"id_number@第1行:" + idPlain}},
		{"GBK text", "a.txt", []byte(gbk), []string{"id_number@第2行:" + idPlain, "secrecy_mark@第2行:机密"}},
		{"text in no known encoding", "a.txt", []byte("abc\x81\x20\xff\xfe"), []string{"unreadable"}},
		{"clean text", "a.txt", []byte("企业已整改完毕。2026-12-07\n"), nil},

		{"docx body, runs split a mark", "a.docx", docxFile(t, map[string]string{
			"word/document.xml": wordBody(wordPara("关于检查的通知"), wordPara("本件", "机", "密", "，请勿外传"),
				`<w:tbl><w:tr><w:tc>`+wordPara("联系人")+`</w:tc><w:tc>`+wordPara("１３８００１３８０００")+`</w:tc></w:tr></w:tbl>`),
		}), []string{"secrecy_mark@正文第2段:机密", "mobile@正文第4段:１３８００１３８０００"}},
		{"docx header, footer, deleted text", "a.docx", docxFile(t, map[string]string{
			"word/document.xml": wordBody(wordPara("正文"), `<w:p><w:del><w:r><w:delText>`+idX+`</w:delText></w:r></w:del></w:p>`),
			"word/header1.xml":  `<w:hdr ` + wordNS + `>` + wordPara("秘密★1年") + `</w:hdr>`,
			"word/footer1.xml":  `<w:ftr ` + wordNS + `>` + wordPara("内部资料") + `</w:ftr>`,
		}), []string{"id_number@正文第2段:" + idX, "secrecy_mark@页脚:内部", "secrecy_mark@页眉:秘密★1年"}},
		{"docx tab between numbers", "a.docx", docxFile(t, map[string]string{
			"word/document.xml": wordBody(`<w:p><w:r><w:t>138</w:t><w:tab/><w:t>0013 8000</w:t></w:r></w:p>`),
		}), nil},
		{"docx without a body", "a.docx", docxFile(t, map[string]string{"word/styles.xml": "<w:styles/>"}), []string{"unreadable"}},
		{"docx not a zip", "a.docx", []byte("PK\x03\x04 broken"), []string{"unreadable"}},
		{"docx with broken XML", "a.docx", docxFile(t, map[string]string{
			"word/document.xml": wordBody(wordPara(mobile)) + "<w:p><w:r>",
		}), []string{"mobile@正文第1段:" + mobile, "unreadable"}},

		{"xlsx cells, hidden sheet", "a.xlsx", xlsxFile(t, map[string]map[string]any{
			"名单": {"A1": "姓名", "B3": idPlain, "C4": 13800138000, "D5": "2026-12-07"},
			"备注": {"A2": "机 密"},
		}, "备注"), []string{"id_number@工作表“名单”B3单元格:" + idPlain, "mobile@工作表“名单”C4单元格:" + mobile,
			"secrecy_mark@工作表“备注”A2单元格:机 密"}},
		{"xlsx clean", "a.xlsx", xlsxFile(t, map[string]map[string]any{"名单": {"A1": "企业名称", "B2": 12.5}}), nil},
		{"xlsx not a workbook", "a.xlsx", docxFile(t, map[string]string{"a.txt": "x"}), []string{"unreadable"}},

		{"pdf by fpdf", "a.pdf", fpdfFile(t, []string{"Inspection record"}, []string{"ID " + idPlain, "Tel +86 138 0013 8000"}),
			[]string{"id_number@第2页:" + idPlain, "mobile@第2页:+86 138 0013 8000"}},
		{"pdf clean", "a.pdf", fpdfFile(t, []string{"Inspection record 2026-12-07"}), nil},
		{"pdf with a Chinese mark", "a.pdf", cjkPDF("本件机密★1年，不得外传"), []string{"secrecy_mark@第1页:机密★1年"}},
		{"pdf without text", "a.pdf", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"), []string{"unreadable"}},
		{"pdf broken", "a.pdf", []byte("%PDF-1.7\nnot really"), []string{"unreadable"}},
		{"pdf page tree in a cycle", "a.pdf", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"),
			[]string{"unreadable"}},
		{"pdf page its own parent", "a.pdf", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>", pdfStream("", "BT (x) Tj ET")), []string{"unreadable"}},
		{"pdf bomb", "a.pdf", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>",
			pdfStream("/Filter /FlateDecode", bigPDFStream)), []string{"unreadable"}},

		{"image", "a.png", tinyPNG(), []string{"unreadable"}},
		{"old Word", "a.doc", oleBytes, []string{"unreadable"}},
		{"old Excel", "a.xls", oleBytes, []string{"unreadable"}},
		{"OFD", "a.ofd", zipBytes, []string{"unreadable"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Attachment{ID: 7, FileName: c.file}
			got := scanAttachment(a, extractText(c.file, c.data), nil)
			if s := contentSummary(got); !reflect.DeepEqual(s, c.want) {
				t.Fatalf("findings %q, want %q\n%+v", s, c.want, got)
			}
			for _, f := range got {
				if f.Field != "attachment_content:7" || f.AttachmentID != 7 {
					t.Errorf("finding %+v not tied to the attachment", f)
				}
				if f.Kind == FindingUnreadable {
					if !strings.HasPrefix(f.Text, "附件“"+c.file+"”") || !strings.HasSuffix(f.Text, "请人工核查") {
						t.Errorf("unreadable message %q", f.Text)
					}
					continue
				}
				if f.Excerpt == "" || !strings.Contains(f.Excerpt, strings.Join(strings.Fields(f.Text), " ")) {
					t.Errorf("excerpt %q does not show %q", f.Excerpt, f.Text)
				}
			}
		})
	}
}

// TestExtractDocxBomb: a document that inflates past the limit is read no
// further, and says so.
func TestExtractDocxBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 64 MiB")
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte(`<w:document ` + wordNS + `><w:body>` + wordPara(mobile) + `<w:p><w:r><w:t>`))
	chunk := bytes.Repeat([]byte("0"), 1<<20)
	for i := 0; i < maxInflatedBytes>>20+1; i++ {
		_, _ = w.Write(chunk)
	}
	_ = zw.Close()
	if b.Len() > MaxAttachmentBytes {
		t.Fatalf("bomb of %d bytes is larger than an upload", b.Len())
	}
	got := extractText("a.docx", b.Bytes())
	if !strings.Contains(got.Problem, "过大") || len(got.Parts) != 1 || got.Parts[0].Text != mobile {
		t.Fatalf("got %q with %d parts", got.Problem, len(got.Parts))
	}
}

// TestExtractXlsxBomb: a workbook that inflates past the limit is refused
// by excelize's own bound.
func TestExtractXlsxBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 64 MiB")
	}
	base := xlsxFile(t, map[string]map[string]any{"名单": {"A1": "x"}})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("xl/media/big.bin")
	chunk := make([]byte, 1<<20)
	for i := 0; i < maxInflatedBytes>>20+1; i++ {
		_, _ = w.Write(chunk)
	}
	_ = zw.Close()
	if got := extractText("a.xlsx", b.Bytes()); !strings.Contains(got.Problem, "过大") {
		t.Fatalf("got %+v", got.Problem)
	}
}

// TestExtractTextLimit: past maxExtractedBytes the text is cut on a
// character boundary and the attachment asks for a hand check.
func TestExtractTextLimit(t *testing.T) {
	line := strings.Repeat("检", 1000) + "\n"
	data := []byte(strings.Repeat(line, maxExtractedBytes/len(line)+2))
	got := extractText("a.txt", data)
	size := 0
	for _, p := range got.Parts {
		size += len(p.Text)
		if !strings.HasPrefix(p.Where, "第") || strings.ContainsRune(p.Text, '\ufffd') {
			t.Fatalf("part %q cut badly", p.Where)
		}
	}
	if size > maxExtractedBytes || size < maxExtractedBytes-3 || !strings.Contains(got.Problem, "上限") {
		t.Fatalf("kept %d bytes, problem %q", size, got.Problem)
	}
	if small := extractText("a.txt", []byte(line)); small.Problem != "" {
		t.Fatalf("a short file has a problem: %q", small.Problem)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("前", 30) + mobile + strings.Repeat("后", 30)
	cases := []struct {
		name       string
		text       string
		start, end int
		want       string
	}{
		{"whole line", "电话" + mobile, 2, 13, "电话" + mobile},
		{"cut both sides", long, 30, 41, "…" + strings.Repeat("前", 20) + mobile + strings.Repeat("后", 20) + "…"},
		{"tabs and newlines on one line", "姓名\t张三\n电话" + mobile, 7, 18, "姓名 张三 电话" + mobile},
	}
	for _, c := range cases {
		if got := excerpt(c.text, c.start, c.end); got != c.want {
			t.Errorf("%s: excerpt = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCheckAttachmentsConfirmed(t *testing.T) {
	atts := []Attachment{{ID: 1, FileName: "名单.xlsx"}, {ID: 2, FileName: "照片.png"}, {ID: 3, FileName: "说明.txt"}}
	findings := func() []Finding {
		return []Finding{
			{Field: "body", Kind: FindingMobile, Start: 0, End: 11, Text: mobile},
			{Field: contentField(1), Kind: FindingIDNumber, AttachmentID: 1, Text: idPlain},
			{Field: contentField(2), Kind: FindingUnreadable, AttachmentID: 2, Text: "附件“照片.png”为图片……"},
		}
	}
	cases := []struct {
		name      string
		in        ReviewInput
		wantField string // "" when allowed
	}{
		{"approve, nothing confirmed", ReviewInput{Decision: "approve"}, "checked_attachments"},
		{"approve, one of two confirmed", ReviewInput{Decision: "approve", CheckedAttachments: []int64{1}}, "checked_attachments"},
		{"approve, both confirmed", ReviewInput{Decision: "approve", CheckedAttachments: []int64{2, 1}}, ""},
		{"approve, a clean one confirmed too", ReviewInput{Decision: "approve", CheckedAttachments: []int64{1, 2, 3}}, ""},
		{"reject needs no confirmation", ReviewInput{Decision: "reject"}, ""},
		{"another record's attachment", ReviewInput{Decision: "approve", CheckedAttachments: []int64{1, 2, 99}}, "checked_attachments[2]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list := findings()
			err := checkAttachmentsConfirmed(c.in, atts, list)
			if c.wantField == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				for _, f := range list {
					if want := f.AttachmentID != 0 && c.in.Decision == "approve"; f.Checked != want {
						t.Errorf("finding %+v: checked %v, want %v", f, f.Checked, want)
					}
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Status != 400 || e.Fields[c.wantField] == "" {
				t.Fatalf("got %v, want a 400 on %s", err, c.wantField)
			}
			if c.wantField == "checked_attachments" && (!strings.Contains(e.Fields[c.wantField], "照片.png") ||
				strings.Contains(e.Fields[c.wantField], "说明.txt")) {
				t.Errorf("message %q should name what is unconfirmed, only that", e.Fields[c.wantField])
			}
		})
	}
}

// TestExtractWithinTime: a reader that never finishes comes back as
// unreadable once the limit passes; one that finishes gives its text.
func TestExtractWithinTime(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	got := withinTime(20*time.Millisecond, func() attachmentText { <-stuck; return attachmentText{} })
	if !strings.Contains(got.Problem, "读取超时") {
		t.Errorf("a stuck reader: %+v", got)
	}
	ok := withinTime(time.Minute, func() attachmentText { return attachmentText{Parts: []textPart{{}}} })
	if ok.Problem != "" || len(ok.Parts) != 1 {
		t.Errorf("a finished reader: %+v", ok)
	}
}
