package disclosure

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"safetypilot/modules/apperr"
	"safetypilot/web/upload"
)

// Bounds of converting a Word document into a record's body. The upload is
// at most MaxDocxBytes; what its parts may inflate to is bounded separately,
// so a small zip that expands a thousandfold is refused rather than read.
const (
	// MaxDocxBytes bounds an uploaded .docx.
	MaxDocxBytes = 10 << 20
	// MaxBodyBytes is the longest body a record may have (validate refuses
	// a longer one); a conversion that would be longer is refused.
	MaxBodyBytes       = 2 << 20
	maxDocxInflated    = 32 << 20
	maxDocxTableNested = 4
	maxDocxLinkNested  = 4
)

// docxPolicy accepts only Word documents, through the shared upload check.
var docxPolicy = upload.Policy{
	MaxBytes: MaxDocxBytes,
	Types: map[string]upload.Type{
		".docx": {Sniffed: zipped, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	},
	TypesText: "只能导入 Word 文档（.docx）；旧版 .doc 请先在 Word 中另存为 .docx",
}

// DocxConversion is a Word document turned into a record body, with what
// could not be carried over, in Chinese for the clerk.
type DocxConversion struct {
	HTML    string   `json:"body"`
	Dropped []string `json:"dropped"`
}

// ConvertDocx checks an uploaded file and turns its main text into the
// rich-text subset the editor writes: headings from Word's heading styles,
// paragraphs, bold and italic, lists, tables and web links. Nothing outside
// the zip is ever fetched: linked images, templates and other external
// relationships are ignored, and only http, https and mailto link targets are
// kept. The result is sanitised like any typed body before it is stored.
func (s *Service) ConvertDocx(name string, data []byte) (DocxConversion, error) {
	if _, _, problem := docxPolicy.Check(name, data); problem != nil {
		if problem.TooBig {
			return DocxConversion{}, &apperr.Error{Status: 413, Code: "body_too_large", Message: problem.Message,
				Fields: map[string]string{"docx": problem.Message}}
		}
		return DocxConversion{}, apperr.InvalidField("docx", problem.Message)
	}
	out, err := convertDocx(data)
	if err != nil {
		return DocxConversion{}, err
	}
	// What the converter writes is meant to pass the sanitiser unchanged;
	// it passes through it anyway, as every body does.
	out.HTML = s.SanitizeHTML(out.HTML)
	return out, nil
}

// errDocx is a document that cannot be converted, with the reason for the clerk.
type errDocx string

func (e errDocx) Error() string { return string(e) }

func convertDocx(data []byte) (out DocxConversion, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = DocxConversion{}, apperr.InvalidField("docx", "Word 文档已损坏或格式异常，无法转换")
		}
	}()
	c, err := newDocxConverter(data)
	if err == nil {
		err = c.convert()
	}
	var reason errDocx
	switch {
	case errors.Is(err, errTooLarge):
		return DocxConversion{}, apperr.InvalidField("docx", "Word 文档解压后过大，无法转换")
	case errors.As(err, &reason):
		return DocxConversion{}, apperr.InvalidField("docx", string(reason))
	case err != nil:
		return DocxConversion{}, apperr.InvalidField("docx", "Word 文档已损坏或格式异常，无法转换")
	}
	return DocxConversion{HTML: c.out.String(), Dropped: c.dropped()}, nil
}

// docxStyle is what a paragraph or character style contributes.
type docxStyle struct {
	basedOn       string
	heading       int // 1-based outline level; 0 for body text
	bold, italic  *bool
	numID, numLvl string
}

// docxConverter holds one document's lookups and the HTML written so far.
type docxConverter struct {
	zr      *zip.Reader
	budget  int64
	styles  map[string]docxStyle
	links   map[string]string // relationship id → external http(s)/mailto target
	formats map[string]string // numId + "/" + ilvl → numFmt
	out     strings.Builder
	// what was left out, counted
	images, notes, boxes, otherLinks, chunks int
	// open lists: their tags, one per level
	lists []string
}

func newDocxConverter(data []byte) (*docxConverter, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errDocx("不是有效的 Word 文档（.docx），无法转换")
	}
	c := &docxConverter{zr: zr, budget: maxDocxInflated, styles: map[string]docxStyle{}, links: map[string]string{},
		formats: map[string]string{}}
	if c.file("word/document.xml") == nil {
		return nil, errDocx("不是有效的 Word 文档（缺少正文），无法转换")
	}
	if err := c.readStyles(); err != nil {
		return nil, err
	}
	if err := c.readLinks(); err != nil {
		return nil, err
	}
	if err := c.readNumbering(); err != nil {
		return nil, err
	}
	return c, nil
}

// file finds a part by name (the first, when a crafted zip repeats one).
func (c *docxConverter) file(name string) *zip.File {
	for _, f := range c.zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// open reads a part within the shared inflation budget; nil, nil when absent.
func (c *docxConverter) open(name string) (*xml.Decoder, io.Closer, error) {
	f := c.file(name)
	if f == nil {
		return nil, nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	dec := xml.NewDecoder(limitedReader{rc, &c.budget})
	// Word writes UTF-8 (or UTF-16 with a declaration encoding/xml
	// refuses); no charset reader is offered, and no DTD is ever expanded.
	return dec, rc, nil
}

type xVal struct {
	Val *string `xml:"val,attr"`
}

func (v *xVal) on() *bool {
	if v == nil {
		return nil
	}
	b := v.Val == nil || !(*v.Val == "0" || *v.Val == "false" || *v.Val == "off")
	return &b
}

type xNumPr struct {
	Ilvl  *xVal `xml:"ilvl"`
	NumID *xVal `xml:"numId"`
}

type xPPr struct {
	Style      *xVal   `xml:"pStyle"`
	OutlineLvl *xVal   `xml:"outlineLvl"`
	NumPr      *xNumPr `xml:"numPr"`
}

type xRPr struct {
	Style  *xVal `xml:"rStyle"`
	Bold   *xVal `xml:"b"`
	Italic *xVal `xml:"i"`
}

func (c *docxConverter) readStyles() error {
	dec, rc, err := c.open("word/styles.xml")
	if dec == nil {
		return err
	}
	defer rc.Close()
	var doc struct {
		Styles []struct {
			ID      string `xml:"styleId,attr"`
			Name    xVal   `xml:"name"`
			BasedOn xVal   `xml:"basedOn"`
			PPr     xPPr   `xml:"pPr"`
			RPr     xRPr   `xml:"rPr"`
		} `xml:"style"`
	}
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	for _, st := range doc.Styles {
		s := docxStyle{bold: st.RPr.Bold.on(), italic: st.RPr.Italic.on()}
		if st.BasedOn.Val != nil {
			s.basedOn = *st.BasedOn.Val
		}
		if st.Name.Val != nil {
			s.heading = headingOfStyleName(*st.Name.Val)
		}
		if s.heading == 0 && st.PPr.OutlineLvl != nil && st.PPr.OutlineLvl.Val != nil {
			if n, err := strconv.Atoi(*st.PPr.OutlineLvl.Val); err == nil && n >= 0 && n < 9 {
				s.heading = n + 1
			}
		}
		if np := st.PPr.NumPr; np != nil {
			s.numID, s.numLvl = valOf(np.NumID), valOf(np.Ilvl)
		}
		c.styles[st.ID] = s
	}
	return nil
}

func valOf(v *xVal) string {
	if v == nil || v.Val == nil {
		return ""
	}
	return *v.Val
}

// headingOfStyleName reads the outline level from a style's name: Word keeps
// the English built-in names ("heading 1", "Title") in the file whatever the
// interface language; WPS may write the Chinese ones (标题 1, 标题).
func headingOfStyleName(name string) int {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, prefix := range []string{"heading", "标题"} {
		if rest, ok := strings.CutPrefix(n, prefix); ok {
			rest = strings.TrimSpace(rest)
			if rest == "" {
				return 1
			}
			if k, err := strconv.Atoi(rest); err == nil && k >= 1 && k <= 9 {
				return k
			}
		}
	}
	if n == "title" {
		return 1
	}
	return 0
}

// style follows a style and those it is based on (at most 16 steps, so a
// loop in a crafted file ends) and returns the first answer of get.
func (c *docxConverter) style(id string, get func(docxStyle) bool) {
	for i := 0; i < 16 && id != ""; i++ {
		s, ok := c.styles[id]
		if !ok || get(s) {
			return
		}
		id = s.basedOn
	}
}

func (c *docxConverter) readLinks() error {
	dec, rc, err := c.open("word/_rels/document.xml.rels")
	if dec == nil {
		return err
	}
	defer rc.Close()
	var doc struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
			Mode   string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	for _, r := range doc.Rels {
		if r.Mode != "External" || !strings.HasSuffix(r.Type, "/hyperlink") {
			continue
		}
		if u, err := url.Parse(strings.TrimSpace(r.Target)); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
			c.links[r.ID] = u.String()
		}
	}
	return nil
}

func (c *docxConverter) readNumbering() error {
	dec, rc, err := c.open("word/numbering.xml")
	if dec == nil {
		return err
	}
	defer rc.Close()
	var doc struct {
		Abstract []struct {
			ID     string `xml:"abstractNumId,attr"`
			Levels []struct {
				Ilvl   string `xml:"ilvl,attr"`
				NumFmt xVal   `xml:"numFmt"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Nums []struct {
			ID       string `xml:"numId,attr"`
			Abstract xVal   `xml:"abstractNumId"`
		} `xml:"num"`
	}
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	abstract := map[string]map[string]string{}
	for _, a := range doc.Abstract {
		lv := map[string]string{}
		for _, l := range a.Levels {
			lv[l.Ilvl] = valOf(&l.NumFmt)
		}
		abstract[a.ID] = lv
	}
	for _, n := range doc.Nums {
		for lvl, f := range abstract[valOf(&n.Abstract)] {
			c.formats[n.ID+"/"+lvl] = f
		}
	}
	return nil
}

// transparent elements only wrap what they hold: content controls, custom
// XML, smart tags, tracked insertions and moves, simple fields.
func transparent(local string) bool {
	switch local {
	case "sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo", "fldSimple", "dir", "bdo", "body":
		return true
	}
	return false
}

// walk reads the children of the element just started, calling each for
// every child start element that is not transparent; each must consume
// the whole child (parse it or Skip it).
func walk(dec *xml.Decoder, each func(xml.StartElement) error) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if transparent(t.Name.Local) {
				depth++
				continue
			}
			if err := each(t); err != nil {
				return err
			}
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func (c *docxConverter) convert() error {
	dec, rc, err := c.open("word/document.xml")
	if err != nil {
		return err
	}
	defer rc.Close()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return errDocx("Word 文档缺少正文，无法转换")
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "body" {
			break
		}
	}
	var blocks []docxBlock
	err = walk(dec, func(se xml.StartElement) error {
		b, err := c.block(dec, se, 0)
		if b != nil {
			blocks = append(blocks, *b)
		}
		return err
	})
	if err != nil {
		return err
	}
	c.writeBlocks(blocks, false)
	if c.out.Len() > MaxBodyBytes {
		return errDocx(fmt.Sprintf("转换后的正文超过%dMB，请拆分文档或把全文作为附件上传", MaxBodyBytes>>20))
	}
	if strings.TrimSpace(c.out.String()) == "" {
		return errDocx("Word 文档中没有可以导入的文字")
	}
	return nil
}

// docxBlock is a paragraph or a table.
type docxBlock struct {
	heading int
	list    string // "ul", "ol" or ""
	level   int
	inline  string
	table   *docxTable
}

type docxCell struct {
	span, rowspan int
	merge         string // "", "restart" or "continue"
	header        bool
	blocks        []docxBlock
}

type docxTable struct{ rows [][]*docxCell }

// block reads one block-level element: a paragraph, a table, or nothing.
func (c *docxConverter) block(dec *xml.Decoder, se xml.StartElement, tableDepth int) (*docxBlock, error) {
	switch se.Name.Local {
	case "p":
		return c.paragraph(dec)
	case "tbl":
		if tableDepth >= maxDocxTableNested {
			return nil, errDocx("Word 文档中的表格嵌套过深，无法转换")
		}
		t, err := c.table(dec, tableDepth+1)
		if err != nil {
			return nil, err
		}
		return &docxBlock{table: t}, nil
	case "altChunk":
		c.chunks++
	}
	return nil, dec.Skip()
}

// paragraph reads a w:p: its style and the HTML of its runs.
func (c *docxConverter) paragraph(dec *xml.Decoder) (*docxBlock, error) {
	var ppr xPPr
	var runs []docxRun
	err := walk(dec, func(se xml.StartElement) error {
		if se.Name.Local == "pPr" {
			return dec.DecodeElement(&ppr, &se)
		}
		return c.inline(dec, se, "", 0, &runs)
	})
	if err != nil {
		return nil, err
	}
	b := &docxBlock{}
	styleID := valOf(ppr.Style)
	c.style(styleID, func(s docxStyle) bool { b.heading = s.heading; return s.heading > 0 })
	if lvl := valOf(ppr.OutlineLvl); lvl != "" {
		if n, err := strconv.Atoi(lvl); err == nil && n >= 0 && n < 9 {
			b.heading = n + 1
		}
	}
	numID, ilvl := "", ""
	if ppr.NumPr != nil {
		numID, ilvl = valOf(ppr.NumPr.NumID), valOf(ppr.NumPr.Ilvl)
	}
	if numID == "" {
		c.style(styleID, func(s docxStyle) bool { numID, ilvl = s.numID, s.numLvl; return s.numID != "" })
	}
	if ilvl == "" {
		ilvl = "0"
	}
	if numID != "" && numID != "0" && b.heading == 0 {
		switch f, ok := c.formats[numID+"/"+ilvl]; {
		case !ok || f == "none":
		case f == "bullet":
			b.list = "ul"
		default:
			b.list = "ol"
		}
		if n, err := strconv.Atoi(ilvl); err == nil && n >= 0 && n < 9 {
			b.level = n
		}
	}
	// A paragraph style's bold and italic apply to body text; a heading
	// is shown as a heading, not bold.
	var pBold, pItalic *bool
	if b.heading == 0 {
		c.style(styleID, func(s docxStyle) bool {
			if pBold == nil {
				pBold = s.bold
			}
			if pItalic == nil {
				pItalic = s.italic
			}
			return pBold != nil && pItalic != nil
		})
	}
	for i := range runs {
		if runs[i].bold == nil {
			runs[i].bold = pBold
		}
		if runs[i].italic == nil {
			runs[i].italic = pItalic
		}
	}
	b.inline = writeRuns(runs)
	return b, nil
}

// docxRun is a piece of text with its formatting; text "\n" is a line break.
type docxRun struct {
	text         string
	bold, italic *bool
	href         string
}

func yes(b *bool) bool { return b != nil && *b }

// inline reads one element inside a paragraph (or a hyperlink).
func (c *docxConverter) inline(dec *xml.Decoder, se xml.StartElement, href string, depth int, runs *[]docxRun) error {
	switch se.Name.Local {
	case "r":
		return c.run(dec, href, runs)
	case "hyperlink":
		if depth >= maxDocxLinkNested {
			return errDocx("Word 文档中的链接嵌套过深，无法转换")
		}
		target := href
		{
			id := ""
			for _, a := range se.Attr {
				if a.Name.Local == "id" {
					id = a.Value
				}
			}
			if l, ok := c.links[id]; ok {
				target = l
			} else if id != "" {
				c.otherLinks++
			}
		}
		return walk(dec, func(child xml.StartElement) error { return c.inline(dec, child, target, depth+1, runs) })
	}
	return dec.Skip()
}

// run reads a w:r: its formatting and text.
func (c *docxConverter) run(dec *xml.Decoder, href string, runs *[]docxRun) error {
	var rpr xRPr
	var text strings.Builder
	err := walk(dec, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "rPr":
			return dec.DecodeElement(&rpr, &se)
		case "t":
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return err
			}
			text.WriteString(s)
			return nil
		case "tab", "ptab":
			text.WriteString(" ")
		case "br", "cr":
			page := false
			for _, a := range se.Attr {
				page = page || a.Name.Local == "type" && a.Value == "page"
			}
			if !page {
				text.WriteString("\n")
			}
		case "noBreakHyphen":
			text.WriteString("-")
		case "drawing", "pict", "object":
			c.images++
		case "AlternateContent":
			c.boxes++
		case "footnoteReference", "endnoteReference":
			c.notes++
		}
		return dec.Skip()
	})
	if err != nil {
		return err
	}
	r := docxRun{text: text.String(), bold: rpr.Bold.on(), italic: rpr.Italic.on(), href: href}
	c.style(valOf(rpr.Style), func(s docxStyle) bool {
		if r.bold == nil {
			r.bold = s.bold
		}
		if r.italic == nil {
			r.italic = s.italic
		}
		return r.bold != nil && r.italic != nil
	})
	if r.text != "" {
		*runs = append(*runs, r)
	}
	return nil
}

// cleanText drops the control characters HTML cannot carry.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) && r != '\n' || r == '\ufffe' || r == '\uffff' {
			return -1
		}
		return r
	}, s)
}

// writeRuns writes runs as the editor would: a link holds strong, which
// holds em; line breaks are <br>.
func writeRuns(runs []docxRun) string {
	var b strings.Builder
	for i := 0; i < len(runs); {
		j := i
		for j < len(runs) && runs[j].href == runs[i].href {
			j++
		}
		if runs[i].href != "" {
			b.WriteString(`<a href="` + html.EscapeString(runs[i].href) + `" rel="nofollow">`)
		}
		for k := i; k < j; {
			m := k
			for m < j && yes(runs[m].bold) == yes(runs[k].bold) {
				m++
			}
			if yes(runs[k].bold) {
				b.WriteString("<strong>")
			}
			for n := k; n < m; {
				o := n
				for o < m && yes(runs[o].italic) == yes(runs[n].italic) {
					o++
				}
				var text strings.Builder
				for _, r := range runs[n:o] {
					text.WriteString(cleanText(r.text))
				}
				lines := strings.Split(text.String(), "\n")
				for li, line := range lines {
					if li > 0 {
						b.WriteString("<br>")
					}
					if line == "" {
						continue
					}
					if yes(runs[n].italic) {
						b.WriteString("<em>" + html.EscapeString(line) + "</em>")
					} else {
						b.WriteString(html.EscapeString(line))
					}
				}
				n = o
			}
			if yes(runs[k].bold) {
				b.WriteString("</strong>")
			}
			k = m
		}
		if runs[i].href != "" {
			b.WriteString("</a>")
		}
		i = j
	}
	return b.String()
}

// table reads a w:tbl.
func (c *docxConverter) table(dec *xml.Decoder, depth int) (*docxTable, error) {
	t := &docxTable{}
	err := walk(dec, func(se xml.StartElement) error {
		if se.Name.Local != "tr" {
			return dec.Skip()
		}
		var row []*docxCell
		header := false
		err := walk(dec, func(se xml.StartElement) error {
			switch se.Name.Local {
			case "trPr":
				var pr struct {
					Header *xVal `xml:"tblHeader"`
				}
				if err := dec.DecodeElement(&pr, &se); err != nil {
					return err
				}
				header = yes(pr.Header.on())
				return nil
			case "tc":
				cell, err := c.cell(dec, depth)
				if err == nil {
					row = append(row, cell)
				}
				return err
			}
			return dec.Skip()
		})
		for _, cell := range row {
			cell.header = header
		}
		t.rows = append(t.rows, row)
		return err
	})
	return t, err
}

// cell reads a w:tc.
func (c *docxConverter) cell(dec *xml.Decoder, depth int) (*docxCell, error) {
	cell := &docxCell{span: 1, rowspan: 1}
	err := walk(dec, func(se xml.StartElement) error {
		if se.Name.Local == "tcPr" {
			var pr struct {
				Span  *xVal `xml:"gridSpan"`
				Merge *xVal `xml:"vMerge"`
			}
			if err := dec.DecodeElement(&pr, &se); err != nil {
				return err
			}
			if n, err := strconv.Atoi(valOf(pr.Span)); err == nil && n > 1 && n <= 64 {
				cell.span = n
			}
			if pr.Merge != nil {
				cell.merge = "continue"
				if valOf(pr.Merge) == "restart" {
					cell.merge = "restart"
				}
			}
			return nil
		}
		b, err := c.block(dec, se, depth)
		if b != nil {
			cell.blocks = append(cell.blocks, *b)
		}
		return err
	})
	return cell, err
}

// writeBlocks writes paragraphs, headings, lists and tables; in a table cell
// paragraphs are lines of the cell rather than <p>.
func (c *docxConverter) writeBlocks(blocks []docxBlock, inCell bool) {
	line := false // a cell line was written: the next one starts with <br>
	for _, b := range blocks {
		if c.out.Len() > MaxBodyBytes {
			return
		}
		if b.list == "" {
			c.closeLists(0)
		}
		switch {
		case b.table != nil:
			c.writeTable(b.table)
			line = false
		case b.list != "":
			c.listItem(b.list, b.level, b.inline)
			line = false
		case strings.TrimSpace(strings.ReplaceAll(b.inline, "<br>", "")) == "":
			// Word's empty paragraphs are spacing, not content.
		case inCell:
			if line {
				c.out.WriteString("<br>")
			}
			c.out.WriteString(b.inline)
			line = true
		case b.heading > 0:
			tag := "h" + strconv.Itoa(min(b.heading+1, 4))
			c.out.WriteString("<" + tag + ">" + b.inline + "</" + tag + ">")
		default:
			c.out.WriteString("<p>" + b.inline + "</p>")
		}
	}
	c.closeLists(0)
}

// listItem writes one item at a level, opening and closing lists around it.
func (c *docxConverter) listItem(tag string, level int, inline string) {
	depth := level + 1
	for len(c.lists) > depth {
		c.closeLists(len(c.lists) - 1)
	}
	if len(c.lists) == depth && c.lists[depth-1] != tag {
		c.closeLists(depth - 1)
	}
	if len(c.lists) == depth {
		c.out.WriteString("</li><li>")
	}
	for len(c.lists) < depth {
		// A deeper list opens inside the item above; a list at a level with
		// no item above gets an empty one.
		c.out.WriteString("<" + tag + "><li>")
		c.lists = append(c.lists, tag)
	}
	c.out.WriteString(inline)
}

// closeLists closes open lists down to keep of them.
func (c *docxConverter) closeLists(keep int) {
	for len(c.lists) > keep {
		c.out.WriteString("</li></" + c.lists[len(c.lists)-1] + ">")
		c.lists = c.lists[:len(c.lists)-1]
	}
}

// writeTable writes a table, turning Word's vertical merges into rowspan.
func (c *docxConverter) writeTable(t *docxTable) {
	// Which cell starts each grid column, row by row, to find where a
	// continued merge belongs.
	starts := map[int]*docxCell{}
	for _, row := range t.rows {
		col := 0
		for _, cell := range row {
			switch cell.merge {
			case "continue":
				if top := starts[col]; top != nil {
					top.rowspan++
					cell.span = -cell.span // written as part of the cell above
				}
			case "restart":
				starts[col] = cell
			default:
				delete(starts, col)
			}
			col += max(cell.span, -cell.span)
		}
	}
	saved := c.lists
	c.lists = nil
	c.out.WriteString("<table><tbody>")
	for _, row := range t.rows {
		c.out.WriteString("<tr>")
		for _, cell := range row {
			if cell.span < 0 {
				continue
			}
			tag := "td"
			if cell.header {
				tag = "th"
			}
			c.out.WriteString("<" + tag)
			if cell.span > 1 {
				c.out.WriteString(` colspan="` + strconv.Itoa(cell.span) + `"`)
			}
			if cell.rowspan > 1 {
				c.out.WriteString(` rowspan="` + strconv.Itoa(cell.rowspan) + `"`)
			}
			c.out.WriteString(">")
			c.writeBlocks(cell.blocks, true)
			c.out.WriteString("</" + tag + ">")
		}
		c.out.WriteString("</tr>")
	}
	c.out.WriteString("</tbody></table>")
	c.lists = saved
}

// dropped says what of the document was not carried over.
func (c *docxConverter) dropped() []string {
	var out []string
	if c.images > 0 {
		out = append(out, fmt.Sprintf("%d处图片或图形未导入（需要时请作为附件上传）", c.images))
	}
	if c.boxes > 0 {
		out = append(out, fmt.Sprintf("%d处文本框或艺术字未导入", c.boxes))
	}
	if c.notes > 0 {
		out = append(out, fmt.Sprintf("%d处脚注或尾注未导入", c.notes))
	}
	if c.otherLinks > 0 {
		out = append(out, fmt.Sprintf("%d处链接不是网址（或指向文档内部），只保留了文字", c.otherLinks))
	}
	if c.chunks > 0 {
		out = append(out, fmt.Sprintf("%d处嵌入的其他格式内容未导入", c.chunks))
	}
	return out
}
