// Package docxtest builds small Word documents in tests, so the conversion
// of .docx uploads is tried on files made here rather than on binaries
// checked in.
package docxtest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Doc is what goes into a test document.
type Doc struct {
	// Body is the WordprocessingML inside w:body (paragraphs, tables).
	Body string
	// Rels are extra relationships of the main part, Id → full
	// <Relationship> element; Link adds the common case.
	Rels []string
	// Extra parts by name, written as given (e.g. a bomb).
	Extra map[string][]byte
	// Document replaces word/document.xml whole when set.
	Document []byte
}

// Link adds an external hyperlink relationship.
func (d *Doc) Link(id, target string) {
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(target))
	d.Rels = append(d.Rels, fmt.Sprintf(`<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="%s" TargetMode="External"/>`, id, esc.String()))
}

const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

// Styles are those of a Chinese Word: ids are numbers, names the English
// built-in ones. Style "Strong" is a bold character style.
const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles ` + ns + `>
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="a"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style>
</w:styles>`

// Numbering: numId 1 is bulleted, numId 2 numbered, both two levels deep.
const numbering = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering ` + ns + `>
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>`

// Build writes the document as a .docx (a zip of its parts).
func Build(d Doc) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			panic(err)
		}
		if _, err := w.Write(data); err != nil {
			panic(err)
		}
	}
	put("[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`))
	put("_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`))
	doc := d.Document
	if doc == nil {
		doc = []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + ns + `><w:body>` + d.Body + `<w:sectPr/></w:body></w:document>`)
	}
	put("word/document.xml", doc)
	put("word/styles.xml", []byte(styles))
	put("word/numbering.xml", []byte(numbering))
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	for _, r := range d.Rels {
		rels += r
	}
	put("word/_rels/document.xml.rels", []byte(rels+`</Relationships>`))
	for name, data := range d.Extra {
		put(name, data)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// P is a paragraph of plain text in a style ("" for none).
func P(style, text string) string {
	pPr := ""
	if style != "" {
		pPr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return `<w:p>` + pPr + R("", text) + `</w:p>`
}

// R is a run with run properties (e.g. "<w:b/>") and text.
func R(rPr, text string) string {
	if rPr != "" {
		rPr = "<w:rPr>" + rPr + "</w:rPr>"
	}
	return `<w:r>` + rPr + `<w:t xml:space="preserve">` + text + `</w:t></w:r>`
}

// Item is a list paragraph of numbering numID at level ilvl.
func Item(numID, ilvl int, text string) string {
	return fmt.Sprintf(`<w:p><w:pPr><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr></w:pPr>%s</w:p>`, ilvl, numID, R("", text))
}

// Table is a table of rows of cells of plain text; the first row repeats as
// a header when header is set.
func Table(header bool, rows ...[]string) string {
	out := `<w:tbl><w:tblPr/><w:tblGrid/>`
	for i, row := range rows {
		out += `<w:tr>`
		if header && i == 0 {
			out += `<w:trPr><w:tblHeader/></w:trPr>`
		}
		for _, cell := range row {
			out += `<w:tc><w:tcPr/>` + P("", cell) + `</w:tc>`
		}
		out += `</w:tr>`
	}
	return out + `</w:tbl>`
}
