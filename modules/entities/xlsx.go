package entities

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"safetypilot/modules/apperr"
)

// SheetName is the worksheet the template, the export and the import use.
const SheetName = "生产经营单位"

// column is a workbook column: its Chinese header and the input field it fills.
type column struct{ Header, Field string }

// columns are the workbook's columns in order. 状态 is optional on import
// (the export writes it, so an exported register can be loaded back).
var workbookColumns = []column{
	{"单位名称", "name"}, {"统一社会信用代码", "credit_code"}, {"地址", "address"}, {"行业", "industry"},
	{"风险等级", "risk_grade"}, {"联系人", "contact"}, {"联系电话", "phone"}, {"状态", "status"},
}

// optionalHeader is the one column an imported workbook may leave out.
const optionalHeader = "状态"

// MaxImportRows bounds a workbook, so one import stays one short transaction.
const MaxImportRows = 5000

// CellError is one wrong cell of an imported workbook.
type CellError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"` // the header, 单位名称 …
	Cell    string `json:"cell"`   // A1 reference
	Message string `json:"message"`
}

// ImportError lists every wrong cell of a workbook; it answers as a 400
// whose fields are keyed "sheet!cell", so nothing of it is imported.
type ImportError struct{ Cells []CellError }

func (e *ImportError) Error() string { return fmt.Sprintf("entities: %d wrong cells", len(e.Cells)) }

// Unwrap is the client error the one error handler answers with.
func (e *ImportError) Unwrap() error {
	fields := make(map[string]string, len(e.Cells))
	for _, c := range e.Cells {
		fields[SheetName+"!"+c.Cell] = fmt.Sprintf("第%d行「%s」：%s", c.Row, c.Column, c.Message)
	}
	return apperr.Invalid(fmt.Sprintf("工作簿有%d处错误，未导入任何单位", len(e.Cells)), fields)
}

// ImportRow is a valid row of an imported workbook.
type ImportRow struct {
	Row   int
	Input Input
	// HasStatus: the workbook has a 状态 column, so the row sets the status.
	HasStatus bool
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// ParseWorkbook reads and checks the rows of an entities workbook: the
// header row names the columns (in any order), every later non-empty row is
// an entity. Any wrong cell makes an ImportError listing them all.
func ParseWorkbook(data []byte) ([]ImportRow, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.InvalidField("file", "无法读取该文件，请上传 .xlsx 格式的工作簿")
	}
	defer f.Close()
	sheet := SheetName
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		return nil, apperr.InvalidField("file", "工作簿没有表头行，请使用导入模板")
	}
	var bad []CellError
	// The header row: which column holds which field.
	at := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		known := false
		for _, c := range workbookColumns {
			if c.Header == h {
				known = true
			}
		}
		switch {
		case !known:
			bad = append(bad, CellError{1, h, cellName(i+1, 1), "不是导入模板中的列"})
		case at[h] != 0:
			bad = append(bad, CellError{1, h, cellName(i+1, 1), "列重复"})
		default:
			at[h] = i + 1
		}
	}
	// A missing column is reported in the header cells after the last one,
	// where it would be added.
	next := len(rows[0])
	for _, c := range workbookColumns {
		if at[c.Header] == 0 && c.Header != optionalHeader {
			next++
			bad = append(bad, CellError{1, c.Header, cellName(next, 1), "缺少此列"})
		}
	}
	if len(bad) > 0 {
		return nil, &ImportError{Cells: bad}
	}
	if len(rows)-1 > MaxImportRows {
		return nil, apperr.InvalidField("file", "一次最多导入"+strconv.Itoa(MaxImportRows)+"行")
	}
	var out []ImportRow
	firstRow := map[string]int{} // credit code → the row it first appears in
	for r := 1; r < len(rows); r++ {
		rowNo := r + 1
		value := func(header string) string {
			col := at[header]
			if col == 0 || col > len(rows[r]) {
				return ""
			}
			return strings.TrimSpace(rows[r][col-1])
		}
		empty := true
		for _, c := range workbookColumns {
			empty = empty && value(c.Header) == ""
		}
		if empty {
			continue
		}
		in := Input{Name: value("单位名称"), CreditCode: value("统一社会信用代码"), Address: value("地址"),
			Contact: value("联系人"), Phone: value("联系电话")}
		// Titles in the workbook, codes in the register: a title not in the
		// list leaves an unknown code, which Validate names.
		in.Industry = titleToCode(Industries, value("行业"))
		in.RiskGrade = titleToCode(RiskGrades, value("风险等级"))
		in.Status = titleToCode(Statuses, value("状态"))
		in.normalize()
		fields := in.Validate()
		if in.Industry != "" && fields["industry"] != "" {
			fields["industry"] = "未知的行业，应为：" + titles(Industries)
		}
		if in.Status != "" && fields["status"] != "" {
			fields["status"] = "状态应为“在册”或“已关闭”"
		}
		if first, ok := firstRow[in.CreditCode]; ok && fields["credit_code"] == "" {
			fields["credit_code"] = fmt.Sprintf("与第%d行的统一社会信用代码重复", first)
		} else if !ok && in.CreditCode != "" {
			firstRow[in.CreditCode] = rowNo
		}
		for _, c := range workbookColumns {
			if msg := fields[c.Field]; msg != "" {
				col := at[c.Header]
				if col == 0 {
					col = len(rows[0]) + 1
				}
				bad = append(bad, CellError{rowNo, c.Header, cellName(col, rowNo), msg})
			}
		}
		out = append(out, ImportRow{Row: rowNo, Input: in, HasStatus: at[optionalHeader] != 0 && value("状态") != ""})
	}
	if len(bad) > 0 {
		// In reading order: by row, then left to right.
		sort.SliceStable(bad, func(i, j int) bool {
			if bad[i].Row != bad[j].Row {
				return bad[i].Row < bad[j].Row
			}
			ci, _, _ := excelize.CellNameToCoordinates(bad[i].Cell)
			cj, _, _ := excelize.CellNameToCoordinates(bad[j].Cell)
			return ci < cj
		})
		return nil, &ImportError{Cells: bad}
	}
	if len(out) == 0 {
		return nil, apperr.InvalidField("file", "工作簿中没有单位，请在表头下逐行填写")
	}
	return out, nil
}

// titleToCode maps a workbook title to its code. Anything else that is not
// empty, the API's codes included, becomes a value no list holds, so
// Validate reports it: a workbook speaks in titles only.
func titleToCode(list []Option, t string) string {
	if c := codeOf(list, t); c != "" || t == "" {
		return c
	}
	return "?" + t
}

func titles(list []Option) string {
	out := make([]string, 0, len(list))
	for _, o := range list {
		out = append(out, o.Title)
	}
	return strings.Join(out, "、")
}

// Template is the empty import workbook: the header row, drop-down lists
// for 行业 and 风险等级, and a sheet explaining the columns.
func Template() ([]byte, error) {
	return writeWorkbook(nil, workbookColumns[:len(workbookColumns)-1])
}

// Export is a county's register as a workbook the import accepts back.
// masked replaces all but the first three and last four digits of each
// phone with asterisks (MaskPhone), for staff without ExportPersonalPermission.
func Export(list []Entity, masked bool) ([]byte, error) {
	if masked {
		out := make([]Entity, len(list))
		for i, e := range list {
			e.Phone = MaskPhone(e.Phone)
			out[i] = e
		}
		list = out
	}
	return writeWorkbook(list, workbookColumns)
}

// MaskPhone keeps a phone's first three and last four digits (138****8000,
// 055****0001) and hides the rest; a number of eight digits or fewer keeps
// only its last two.
func MaskPhone(p string) string {
	digits := 0
	for _, r := range p {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits == 0 {
		return p
	}
	keepHead, keepTail := 3, 4
	if digits <= 8 {
		keepHead, keepTail = 0, 2
	}
	var b strings.Builder
	i := 0
	for _, r := range p {
		if r >= '0' && r <= '9' {
			if i < keepHead || i >= digits-keepTail {
				b.WriteRune(r)
			} else {
				b.WriteRune('*')
			}
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func writeWorkbook(list []Entity, cols []column) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return nil, fmt.Errorf("entities: workbook: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes and phones stay text
	if err != nil {
		return nil, fmt.Errorf("entities: workbook: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, fmt.Errorf("entities: workbook: %w", err)
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetColStyle(SheetName, "A:"+last, text); err != nil {
		return nil, fmt.Errorf("entities: workbook: %w", err)
	}
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(SheetName, name, name, 20)
		if err := f.SetCellStr(SheetName, cellName(i+1, 1), c.Header); err != nil {
			return nil, fmt.Errorf("entities: workbook: %w", err)
		}
		var options []Option
		switch c.Field {
		case "industry":
			options = Industries
		case "risk_grade":
			options = RiskGrades
		case "status":
			options = Statuses
		}
		if options != nil {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = name + "2:" + name + strconv.Itoa(MaxImportRows+1)
			values := make([]string, 0, len(options))
			for _, o := range options {
				values = append(values, o.Title)
			}
			if err := dv.SetDropList(values); err != nil {
				return nil, fmt.Errorf("entities: workbook: %w", err)
			}
			if err := f.AddDataValidation(SheetName, dv); err != nil {
				return nil, fmt.Errorf("entities: workbook: %w", err)
			}
		}
	}
	_ = f.SetCellStyle(SheetName, "A1", last+"1", bold)
	for r, e := range list {
		values := map[string]string{"name": e.Name, "credit_code": e.CreditCode, "address": e.Address,
			"industry": IndustryTitle(e.Industry), "risk_grade": RiskGradeTitle(e.RiskGrade), "contact": e.Contact,
			"phone": e.Phone, "status": StatusTitle(e.Status)}
		for i, c := range cols {
			if err := f.SetCellStr(SheetName, cellName(i+1, r+2), values[c.Field]); err != nil {
				return nil, fmt.Errorf("entities: workbook: %w", err)
			}
		}
	}
	if _, err := f.NewSheet("填写说明"); err != nil {
		return nil, fmt.Errorf("entities: workbook: %w", err)
	}
	notes := []string{
		"每行一个生产经营单位；第一行为表头，请勿修改。",
		"统一社会信用代码为18位，本县名录中已有该代码的单位将被更新，其余新增。",
		"行业应为：" + titles(Industries),
		"风险等级应为：" + titles(RiskGrades) + "（红、橙、黄、蓝四色）",
		"联系人、联系电话仅供执法人员联系使用，不公开。",
		"任何一行有误时整个工作簿都不会导入，请按提示逐一改正后重新上传。",
	}
	for i, n := range notes {
		_ = f.SetCellStr("填写说明", cellName(1, i+1), n)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("entities: workbook: %w", err)
	}
	return buf.Bytes(), nil
}
