package disclosure

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Bounds of reading an attachment's contents. Uploads are at most
// MaxAttachmentBytes, but a zip (.docx, .xlsx) or the compressed streams of a
// PDF can expand a thousandfold: what a file may expand to is bounded, and so
// is the text kept for the scan.
const (
	maxExtractedBytes = 2 << 20  // text kept of one attachment
	maxInflatedBytes  = 64 << 20 // what one file's compressed parts may expand to
	maxPDFPages       = 2000
	maxPDFDepth       = 32 // of the page tree and of a page's chain of parents
)

// textPart is one located piece of an attachment's text.
type textPart struct {
	Where string // 第3段, 工作表“名单”B3单元格, 第2页, 第5行
	Text  string
}

// attachmentText is what the scan could read of one attachment.
type attachmentText struct {
	Parts []textPart
	// Problem says, in Chinese, why the contents could not be read in full;
	// "" when they were.
	Problem string
}

// errTooLarge: a part of the file expands past maxInflatedBytes.
var errTooLarge = errors.New("expands past the limit")

// extractText reads the text of an attachment by its extension (upload
// already checked the bytes match it). It never panics: a file the readers
// choke on comes back with a Problem.
func extractText(fileName string, data []byte) (out attachmentText) {
	defer func() {
		if r := recover(); r != nil {
			out = attachmentText{Problem: "文件已损坏或格式异常，无法读取内容"}
		}
	}()
	switch strings.ToLower(filepath.Ext(fileName)) {
	case ".txt":
		return readPlainText(data)
	case ".docx":
		return readDocx(data)
	case ".xlsx":
		return readXlsx(data)
	case ".pdf":
		return readPDF(data)
	case ".png", ".jpg", ".jpeg":
		return attachmentText{Problem: "为图片，其中的文字无法自动识别"}
	case ".doc", ".xls":
		return attachmentText{Problem: "为旧版 Office 格式（.doc/.xls），无法自动读取内容"}
	case ".ofd":
		return attachmentText{Problem: "为 OFD 版式文件，无法自动读取内容"}
	}
	return attachmentText{Problem: "的格式无法自动读取内容"}
}

// extractTimeout bounds the reading of one attachment: a file crafted to send
// a reader into a loop (the PDF reader cannot be guarded against every cycle
// beforehand) comes back as unreadable instead of holding the request; the
// reader's goroutine is left to end on its own.
const extractTimeout = 10 * time.Second

// withinTime runs read and waits at most limit for its result.
func withinTime(limit time.Duration, read func() attachmentText) attachmentText {
	done := make(chan attachmentText, 1)
	go func() { done <- read() }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case t := <-done:
		return t
	case <-timer.C:
		return attachmentText{Problem: "读取超时，无法自动读取内容"}
	}
}

// collector gathers located text up to maxExtractedBytes.
type collector struct {
	parts []textPart
	size  int
	full  bool
}

// add keeps a part (cut at the limit); false once the limit is reached.
func (c *collector) add(where, text string) bool {
	if c.full {
		return false
	}
	if strings.TrimSpace(text) == "" {
		return true
	}
	if c.size+len(text) > maxExtractedBytes {
		cut := maxExtractedBytes - c.size
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text, c.full = text[:cut], true
	}
	c.size += len(text)
	if text != "" {
		c.parts = append(c.parts, textPart{Where: where, Text: text})
	}
	return !c.full
}

// result is the text gathered, with the limit's problem when it was reached.
func (c *collector) result() attachmentText {
	out := attachmentText{Parts: c.parts}
	if c.full {
		out.Problem = fmt.Sprintf("内容超过自动检查的上限（约%d万字），只检查了前面部分", maxExtractedBytes/3/10000)
	}
	return out
}

// readPlainText reads UTF-8 text (with or without a byte-order mark) and,
// failing that, GB18030, the superset of GBK and GB2312 in which Chinese
// offices' text files are often saved.
func readPlainText(data []byte) attachmentText {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := string(data)
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || bytes.Count(decoded, []byte("\ufffd")) > 0 {
			return attachmentText{Problem: "的文字编码无法识别（既不是 UTF-8 也不是 GBK/GB18030），无法读取内容"}
		}
		text = string(decoded)
	}
	var c collector
	for i, line := range strings.Split(text, "\n") {
		if !c.add(fmt.Sprintf("第%d行", i+1), strings.TrimSuffix(line, "\r")) {
			break
		}
	}
	return c.result()
}

// limitedReader reads at most n more bytes from a shared budget and fails
// with errTooLarge past it.
type limitedReader struct {
	r      io.Reader
	budget *int64
}

func (l limitedReader) Read(p []byte) (int, error) {
	if *l.budget <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > *l.budget {
		p = p[:*l.budget]
	}
	n, err := l.r.Read(p)
	*l.budget -= int64(n)
	return n, err
}

// docxParts are the parts of a Word document that hold text a reader of the
// file can see, with how a reviewer is told where: the body, headers and
// footers (where marks are often printed), notes, comments, and text deleted
// under tracked changes (still in the file).
func docxPartName(name string) (string, bool) {
	base := strings.TrimSuffix(strings.TrimPrefix(name, "word/"), ".xml")
	switch {
	case name == "word/document.xml":
		return "正文", true
	case strings.HasPrefix(name, "word/header") && strings.HasSuffix(name, ".xml") && !strings.Contains(base, "/"):
		return "页眉", true
	case strings.HasPrefix(name, "word/footer") && strings.HasSuffix(name, ".xml") && !strings.Contains(base, "/"):
		return "页脚", true
	case name == "word/footnotes.xml":
		return "脚注", true
	case name == "word/endnotes.xml":
		return "尾注", true
	case name == "word/comments.xml":
		return "批注", true
	}
	return "", false
}

// readDocx reads the paragraphs of a .docx (a zip of WordprocessingML).
func readDocx(data []byte) attachmentText {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return attachmentText{Problem: "已损坏（不是有效的 Word 文档），无法读取内容"}
	}
	files := map[string]*zip.File{}
	var names []string
	for _, f := range zr.File {
		if _, ok := docxPartName(f.Name); ok {
			files[f.Name] = f
			names = append(names, f.Name)
		}
	}
	if files["word/document.xml"] == nil {
		return attachmentText{Problem: "不是有效的 Word 文档（缺少正文），无法读取内容"}
	}
	// The body first, then the rest in name order.
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "word/document.xml") != (names[j] == "word/document.xml") {
			return names[i] == "word/document.xml"
		}
		return names[i] < names[j]
	})
	var c collector
	budget := int64(maxInflatedBytes)
	for _, name := range names {
		label, _ := docxPartName(name)
		rc, err := files[name].Open()
		if err != nil {
			return attachmentText{Problem: "已损坏，无法读取内容"}
		}
		err = docxParagraphs(limitedReader{rc, &budget}, func(n int, text string) bool {
			where := label
			if name == "word/document.xml" {
				where = fmt.Sprintf("正文第%d段", n)
			}
			return c.add(where, text)
		})
		_ = rc.Close()
		switch {
		case errors.Is(err, errTooLarge):
			return attachmentText{Parts: c.parts, Problem: "解压后过大，无法完整读取内容"}
		case err != nil:
			return attachmentText{Parts: c.parts, Problem: "已损坏，无法完整读取内容"}
		}
		if c.full {
			break
		}
	}
	return c.result()
}

// docxParagraphs calls each with the number and text of each paragraph
// (w:p, counted in document order) until it returns false. Text is that of
// w:t and w:delText; tabs and breaks become a tab and a newline, so digits on
// either side are not read as one number.
func docxParagraphs(r io.Reader, each func(n int, text string) bool) error {
	dec := xml.NewDecoder(r)
	var stack []*strings.Builder
	inText, n := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				stack = append(stack, &strings.Builder{})
			case "t", "delText":
				inText++
			case "tab":
				if len(stack) > 0 {
					stack[len(stack)-1].WriteByte('\t')
				}
			case "br", "cr":
				if len(stack) > 0 {
					stack[len(stack)-1].WriteByte('\n')
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p":
				if len(stack) == 0 {
					continue
				}
				text := stack[len(stack)-1].String()
				stack = stack[:len(stack)-1]
				n++
				if !each(n, text) {
					return nil
				}
			case "t", "delText":
				inText = max(inText-1, 0)
			}
		case xml.CharData:
			if inText > 0 && len(stack) > 0 {
				stack[len(stack)-1].Write(t)
			}
		}
	}
}

// readXlsx reads every cell of every sheet, hidden sheets included, as the
// cells show their values.
func readXlsx(data []byte) attachmentText {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxInflatedBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return attachmentText{Problem: "解压后过大，无法读取内容"}
		}
		return attachmentText{Problem: "已损坏（不是有效的 Excel 表格），无法读取内容"}
	}
	defer func() { _ = f.Close() }()
	var c collector
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			return attachmentText{Parts: c.parts, Problem: "工作表“" + sheet + "”已损坏，无法完整读取内容"}
		}
		for row := 1; rows.Next(); row++ {
			cols, err := rows.Columns()
			if err != nil {
				_ = rows.Close()
				return attachmentText{Parts: c.parts, Problem: "工作表“" + sheet + "”已损坏，无法完整读取内容"}
			}
			for col, v := range cols {
				cell, _ := excelize.CoordinatesToCellName(col+1, row)
				if !c.add("工作表“"+sheet+"”"+cell+"单元格", v) {
					_ = rows.Close()
					return c.result()
				}
			}
		}
		if err := rows.Close(); err != nil {
			return attachmentText{Parts: c.parts, Problem: "工作表“" + sheet + "”已损坏，无法完整读取内容"}
		}
	}
	return c.result()
}

// readPDF reads the text of each page of a PDF. The reader
// (github.com/ledongthuc/pdf) inflates streams without a limit and follows
// the page tree and a page's parents without a guard against cycles, so the
// file is checked for both first: every Flate stream is inflated here within
// maxInflatedBytes, and the page tree is walked here with a bounded depth.
// A PDF of scanned images has no text: that is a problem too, since its
// contents could not be checked.
func readPDF(data []byte) attachmentText {
	if err := checkPDFStreams(data); err != nil {
		return attachmentText{Problem: "解压后过大，无法读取内容"}
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return attachmentText{Problem: "已损坏或已加密，无法读取内容"}
	}
	if !r.Trailer().Key("Encrypt").IsNull() {
		return attachmentText{Problem: "已加密，无法读取内容"}
	}
	var pages []pdf.Value
	visited := 0
	if !pdfPages(r.Trailer().Key("Root").Key("Pages"), 0, &pages, &visited) {
		return attachmentText{Problem: "的页面结构异常，无法读取内容"}
	}
	var c collector
	found := false
	for i, p := range pages {
		if !pdfParentsBounded(p) {
			return attachmentText{Parts: c.parts, Problem: "的页面结构异常，无法读取内容"}
		}
		text, err := pdf.Page{V: p}.GetPlainText(nil)
		if err != nil {
			return attachmentText{Parts: c.parts, Problem: fmt.Sprintf("第%d页已损坏，无法完整读取内容", i+1)}
		}
		found = found || strings.IndexFunc(text, func(r rune) bool { return !unicode.IsSpace(r) }) >= 0
		if !c.add(fmt.Sprintf("第%d页", i+1), text) {
			break
		}
	}
	if !found {
		return attachmentText{Problem: "中没有可以读取的文字（可能是扫描件或图片），无法自动检查内容"}
	}
	return c.result()
}

// pdfPages collects the page objects of a page tree in order; false when the
// tree is deeper than maxPDFDepth (a cycle) or has more than maxPDFPages
// nodes (a node listed as a kid many times).
func pdfPages(node pdf.Value, depth int, out *[]pdf.Value, visited *int) bool {
	*visited++
	if depth > maxPDFDepth || *visited > maxPDFPages*2 {
		return false
	}
	switch node.Key("Type").Name() {
	case "Page":
		*out = append(*out, node)
		return len(*out) <= maxPDFPages
	case "Pages":
		kids := node.Key("Kids")
		for i := 0; i < kids.Len(); i++ {
			if !pdfPages(kids.Index(i), depth+1, out, visited) {
				return false
			}
		}
	}
	return true
}

// pdfParentsBounded: the reader looks up a page's resources through its
// chain of parents, which must end.
func pdfParentsBounded(page pdf.Value) bool {
	v := page
	for i := 0; i <= maxPDFDepth; i++ {
		if v.IsNull() {
			return true
		}
		v = v.Key("Parent")
	}
	return false
}

// checkPDFStreams inflates every zlib stream of a PDF, together within
// maxInflatedBytes: errTooLarge past it. Streams that are not zlib (images,
// encrypted data) are left to the reader, which reads only text.
func checkPDFStreams(data []byte) error {
	budget := int64(maxInflatedBytes)
	keyword := []byte("stream")
	for off := 0; ; {
		i := bytes.Index(data[off:], keyword)
		if i < 0 {
			return nil
		}
		at := off + i
		off = at + len(keyword)
		if at >= 3 && string(data[at-3:at]) == "end" {
			continue
		}
		body := data[off:]
		switch {
		case bytes.HasPrefix(body, []byte("\r\n")):
			body = body[2:]
		case bytes.HasPrefix(body, []byte("\n")), bytes.HasPrefix(body, []byte("\r")):
			body = body[1:]
		default:
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			continue
		}
		// A broken stream is the reader's to report; only the size counts.
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, budget+1))
		budget -= n
		if budget < 0 {
			return errTooLarge
		}
	}
}
