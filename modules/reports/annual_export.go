package reports

// The annual report as people read it: a table of the template with its
// nested headings, the print-ready document (staff and public alike) and the
// Excel workbook.

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"safetypilot/web"
)

// headerCell is one cell of a table heading.
type headerCell struct {
	Text             string
	ColSpan, RowSpan int
}

// amountColumns are the columns of money (the rest are counts).
var amountColumns = map[string]bool{"amount": true, "notice_amount": true, "collected": true}

// valueCell is a template value as a sheet cell: an amount with its
// decimals, a count as an integer.
func valueCell(code string, v float64) sheetCell {
	if amountColumns[code] {
		return sheetCell{Num: v, Format: fmtAmount}
	}
	return intCell(int(v))
}

// tableHead lays out the heading rows of a template table: the row-label
// column, then the table's heading (if any) over every value column, then
// the column groups over their columns, then the columns. A column without a
// group reaches down to the last heading row.
func tableHead(t AnnualTable) [][]headerCell {
	grouped := false
	for _, c := range t.Columns {
		grouped = grouped || c.Group != ""
	}
	depth := 1
	if grouped {
		depth++
	}
	if t.Heading != "" {
		depth++
	}
	rows := make([][]headerCell, depth)
	rows[0] = append(rows[0], headerCell{Text: "信息内容", ColSpan: 1, RowSpan: depth})
	level := 0
	if t.Heading != "" {
		rows[0] = append(rows[0], headerCell{Text: t.Heading, ColSpan: len(t.Columns), RowSpan: 1})
		level++
	}
	if !grouped {
		for _, c := range t.Columns {
			rows[level] = append(rows[level], headerCell{Text: c.Label, ColSpan: 1, RowSpan: 1})
		}
		return rows
	}
	for i := 0; i < len(t.Columns); {
		c := t.Columns[i]
		if c.Group == "" {
			rows[level] = append(rows[level], headerCell{Text: c.Label, ColSpan: 1, RowSpan: 2})
			i++
			continue
		}
		j := i
		for j < len(t.Columns) && t.Columns[j].Group == c.Group {
			rows[level+1] = append(rows[level+1], headerCell{Text: t.Columns[j].Label, ColSpan: 1, RowSpan: 1})
			j++
		}
		rows[level] = append(rows[level], headerCell{Text: c.Group, ColSpan: j - i, RowSpan: 1})
		i = j
	}
	return rows
}

// columnTitle is a column's heading in one line (the workbook's header row).
func columnTitle(t AnnualTable, c AnnualColumn) string {
	parts := []string{}
	if t.Heading != "" {
		parts = append(parts, t.Heading)
	}
	if c.Group != "" {
		parts = append(parts, c.Group)
	}
	return strings.Join(append(parts, c.Label), "·")
}

// rowCells are a row's values in column order, blank for a heading row.
func rowCells(t AnnualTable, r AnnualRow) []sheetCell {
	out := make([]sheetCell, len(t.Columns))
	for i, c := range t.Columns {
		if r.Header {
			out[i] = blankCell()
			continue
		}
		out[i] = valueCell(c.Code, r.Values[c.Code])
	}
	return out
}

// annualPrint is what the print-ready document shows.
type annualPrint struct {
	AnnualView
	// Public hides what only staff see (status, checks).
	Public bool
}

var annualFuncs = template.FuncMap{
	"tableHead":    tableHead,
	"rowCells":     rowCells,
	"paragraphs":   paragraphs,
	"beijingTime":  web.FormatBeijing,
	"annualStatus": AnnualStatusTitle,
}

var annualPrintTemplate = template.Must(template.New("annual_print").Funcs(annualFuncs).ParseFS(templateFiles,
	"templates/annual_doc.html", "templates/annual_print.html"))

// AnnualPrintHTML renders the report as a standalone A4 document.
func AnnualPrintHTML(v AnnualView, public bool) ([]byte, error) {
	var buf bytes.Buffer
	if err := annualPrintTemplate.ExecuteTemplate(&buf, "annual_print", annualPrint{AnnualView: v, Public: public}); err != nil {
		return nil, fmt.Errorf("reports: render annual print: %w", err)
	}
	return buf.Bytes(), nil
}

// annualSheets are the workbook's sheets: the text of the report, then one
// sheet per template table.
func annualSheets(v AnnualView) []sheetTable {
	text := sheetTable{Sheet: "报告正文", Title: v.Title, Headers: []string{"部分", "内容"}}
	text.Rows = append(text.Rows, []sheetCell{textCell("标题"), textCell(v.Title)},
		[]sheetCell{textCell("统计期限"), textCell(fmt.Sprintf("%d年1月1日至%d年12月31日", v.Year, v.Year))})
	var out []sheetTable
	for _, sec := range v.Sections {
		if sec.Text != "" || len(sec.Tables) == 0 {
			text.Rows = append(text.Rows, []sheetCell{textCell(sec.Number + "、" + sec.Title), textCell(sec.Text)})
		}
		for _, t := range sec.Tables {
			st := sheetTable{Sheet: sheetName(sec.Number, t), Title: t.Title, Note: t.Note, Headers: []string{"信息内容"}}
			for _, c := range t.Columns {
				st.Headers = append(st.Headers, columnTitle(t, c))
			}
			for _, r := range t.Rows {
				label := strings.Repeat("　", r.Level) + r.Label
				st.Rows = append(st.Rows, append([]sheetCell{textCell(label)}, rowCells(t, r)...))
			}
			out = append(out, st)
		}
	}
	return append([]sheetTable{text}, out...)
}

// sheetName names a table's sheet within Excel's 31 characters.
func sheetName(section string, t AnnualTable) string {
	name := section + "、" + t.Title
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	return name
}

// AnnualXLSX writes the report as an Excel workbook.
func AnnualXLSX(v AnnualView) ([]byte, error) {
	return workbook(annualSheets(v), &excelize.DocProperties{Title: v.Title, Subject: "政府信息公开工作年度报告",
		Created: v.CompiledAt.UTC().Format(time.RFC3339), Modified: v.UpdatedAt.UTC().Format(time.RFC3339)})
}

// sendAnnual answers with the report as a print document or workbook.
func sendAnnual(c *fiber.Ctx, v AnnualView, ext string, public bool) error {
	var data []byte
	var err error
	disposition := "inline"
	if ext == ".xlsx" {
		data, err = AnnualXLSX(v)
		c.Set(fiber.HeaderContentType, xlsxType)
		disposition = "attachment"
	} else {
		data, err = AnnualPrintHTML(v, public)
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`%s; filename="annual-report-%s-%d%s"; filename*=UTF-8''%s`,
		disposition, v.CountyCode, v.Year, ext, rfc5987(v.Title+ext)))
	if public {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	} else {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return c.Send(data)
}
