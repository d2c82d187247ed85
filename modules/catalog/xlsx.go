package catalog

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"safetypilot/modules/apperr"
)

// XLSXType is the media type of the catalog workbook, exported and imported.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// The workbook of a catalog (实施清单) in the layout a province circulates:
// one row per item on 实施清单, and the lists of an item (materials, steps,
// special procedures, discretion standards and their tiers) on sheets of
// their own, keyed by the item's code, in the order of their rows. Every
// field of Content has its column, so export and import are lossless.
const (
	SheetItems     = "实施清单"
	SheetMaterials = "申请材料"
	SheetSteps     = "办理环节"
	SheetSpecial   = "特别程序"
	SheetStandards = "裁量基准"
	SheetTiers     = "裁量阶次"
	SheetNotes     = "填写说明"
)

// MaxWorkbookRows bounds each sheet of an imported workbook, so an import
// stays one short transaction.
const MaxWorkbookRows = 5000

// WorkbookItem is one item as the workbook holds it: identity, the
// informational status and version the export writes, and the content.
type WorkbookItem struct {
	Code     string
	Category string
	Name     string
	Status   string
	Version  int
	Content  Content
	// TemplateStamp identifies the province template an item never saved
	// was exported with (TemplateStamp of its content; "" once saved), so
	// an import can tell a row left as exported from one edited against a
	// template the province has changed since.
	TemplateStamp string
}

// cellKind says how a column's cells are written and read.
type cellKind int

const (
	textCell  cellKind = iota
	intCell            // a whole number; empty is 0
	boolCell           // 是 or 否; empty is 否
	infoCell           // written on export, ignored on import (序号, 状态, 版本)
	titleCell          // a title of a code list (categories, power types …)
)

// wbColumn is a column of a workbook sheet: its header, the key of the
// content field it holds (as Content.Validate names errors), its width and
// how it reads and writes its value on a row's record.
type wbColumn struct {
	Header string
	Key    string
	Kind   cellKind
	Width  float64
}

// wbSheet is a sheet of the workbook with its columns in order.
type wbSheet struct {
	Name    string
	List    string // the Content list the sheet holds ("" for 实施清单)
	Columns []wbColumn
}

var (
	colSeq  = wbColumn{"序号", "", infoCell, 6}
	colCode = wbColumn{"事项编码", "code", textCell, 12}
)

// workbookSheets are the data sheets in order.
var workbookSheets = []wbSheet{
	{SheetItems, "", []wbColumn{
		colSeq, colCode, {"事项类别", "category", titleCell, 16}, {"事项名称", "name", textCell, 36},
		{"状态", "status", infoCell, 10}, {"职权类型", "power_type", titleCell, 12}, {"实施编码", "item_code", textCell, 16},
		{"实施主体", "implementing_body", textCell, 24}, {"事项说明", "summary", textCell, 40},
		{"责任单位", "responsible_unit", textCell, 20}, {"公开渠道", "channel", textCell, 24}, {"公开时限", "time_limit", textCell, 16},
		{"公开方式", "disclosure_mode", titleCell, 12}, {"实施依据", "legal_basis", textCell, 48},
		{"依据版本", "legal_basis_version", textCell, 20}, {"受理条件", "conditions", textCell, 40}, {"收费", "fees", textCell, 24},
		{"法定时限（工作日）", "statutory_limit_workdays", intCell, 12}, {"承诺时限（工作日）", "promised_limit_workdays", intCell, 12},
		{"可延长期限（工作日）", "extension_workdays", intCell, 12}, {"咨询方式", "consultation", textCell, 24},
		{"监督投诉渠道", "complaint", textCell, 28}, {"清理结果", "inventory_status", titleCell, 10},
		{"清理理由", "inventory_reason", textCell, 32}, {"版本", "version", infoCell, 8},
		{"模板标识", "template_stamp", infoCell, 14},
	}},
	{SheetMaterials, "materials", []wbColumn{
		colCode, colSeq, {"材料名称", "name", textCell, 36}, {"份数", "copies", intCell, 8}, {"说明", "note", textCell, 36},
	}},
	{SheetSteps, "steps", []wbColumn{
		colCode, colSeq, {"环节名称", "name", textCell, 12}, {"办理岗位", "post", textCell, 20}, {"办理权限", "authority", textCell, 36},
		{"办理程序", "procedure", textCell, 36}, {"时限（工作日）", "limit_workdays", intCell, 12},
		{"不计入时限", "excluded_from_limit", boolCell, 10},
	}},
	{SheetSpecial, "special_steps", []wbColumn{
		colCode, colSeq, {"程序名称", "name", textCell, 20}, {"时限（工作日）", "limit_workdays", intCell, 12}, {"说明", "note", textCell, 36},
	}},
	{SheetStandards, "discretion", []wbColumn{
		colCode, colSeq, {"基准编号", "id", textCell, 12}, {"违法行为", "violation", textCell, 36},
		{"违法条款", "legal_provision", textCell, 28}, {"处罚依据", "penalty_basis", textCell, 28},
		{"依据版本", "legal_basis_version", textCell, 20},
		{"法定罚款下限（元）", "statutory_fine.min", intCell, 14}, {"下限含本数", "statutory_fine.min_inclusive", boolCell, 10},
		{"法定罚款上限（元）", "statutory_fine.max", intCell, 14}, {"上限含本数", "statutory_fine.max_inclusive", boolCell, 10},
		{"从重情节", "aggravating", textCell, 36}, {"从轻情节", "mitigating", textCell, 36},
	}},
	{SheetTiers, "tiers", []wbColumn{
		colCode, {"基准编号", "standard", textCell, 12}, colSeq, {"阶次", "level", textCell, 10},
		{"适用对象", "applies_to", titleCell, 14}, {"适用情形", "conditions", textCell, 36},
		{"处罚种类", "penalty_kinds", textCell, 20}, {"罚款下限（元）", "fine.min", intCell, 14}, {"下限含本数", "fine.min_inclusive", boolCell, 10},
		{"罚款上限（元）", "fine.max", intCell, 14}, {"上限含本数", "fine.max_inclusive", boolCell, 10},
		{"须听证", "requires_hearing", boolCell, 8}, {"须集体讨论", "requires_collective_discussion", boolCell, 10},
	}},
}

// dispositions of the workbook's titled columns: the title a province's
// sheet shows and the code the catalog stores.
var categoryTitles = []PowerType{
	{CategoryInformation, CategoryTitle(CategoryInformation)}, {CategoryPower, CategoryTitle(CategoryPower)},
	{CategoryService, CategoryTitle(CategoryService)},
}

var disclosureTitles = []PowerType{{Proactive, "主动公开"}, {OnRequest, "依申请公开"}}

// appliesToTitles are the titles of a tier's applies_to as the item editor
// shows them; an empty cell is a tier for either party, which the editor
// calls 单位或个人 and the import reads as such too.
var appliesToTitles = []PowerType{{TierOrganization, "单位"}, {TierIndividual, "个人（责任人员）"}}

// appliesToEither is the editor's title of an empty applies_to.
const appliesToEither = "单位或个人"

// codeOfAppliesTo reads a 适用对象 cell: a title, a code, 个人 for short,
// or empty (单位或个人) for either party.
func codeOfAppliesTo(v string) (string, bool) {
	switch v {
	case "", appliesToEither:
		return "", true
	case "个人":
		return TierIndividual, true
	}
	code, ok := codeOfTitle(appliesToTitles, v)
	return code, ok && code != ""
}

func inventoryTitles() []PowerType {
	out := make([]PowerType, 0, len(InventoryStatuses))
	for _, s := range InventoryStatuses {
		out = append(out, PowerType(s))
	}
	return out
}

// titleList is the code list a titled column draws on.
func titleList(key string) []PowerType {
	switch key {
	case "category":
		return categoryTitles
	case "power_type":
		return PowerTypes
	case "disclosure_mode":
		return disclosureTitles
	case "inventory_status":
		return inventoryTitles()
	case "applies_to":
		return appliesToTitles
	}
	return nil
}

func titleOf(list []PowerType, code string) string {
	for _, p := range list {
		if p.Code == code {
			return p.Title
		}
	}
	return code
}

// codeOfTitle reads a titled cell: a title or, as the API writes them, a code.
func codeOfTitle(list []PowerType, v string) (string, bool) {
	for _, p := range list {
		if p.Title == v || p.Code == v {
			return p.Code, true
		}
	}
	return "", v == ""
}

func titles(list []PowerType) string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, p.Title)
	}
	return strings.Join(out, "、")
}

// Lines of a list cell (从重情节, 从轻情节) are separated by line breaks,
// penalty kinds by 、 as the editor takes them.
func joinList(list []string, sep string) string { return strings.Join(list, sep) }

func splitList(v, sep string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), sep) {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

func boolText(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// itemText is the text of a main-sheet column of an item.
func itemText(it *WorkbookItem, key string) string {
	c := &it.Content
	switch key {
	case "code":
		return it.Code
	case "category":
		return titleOf(categoryTitles, it.Category)
	case "name":
		return it.Name
	case "status":
		return statusTitle(it.Status)
	case "power_type":
		return titleOf(PowerTypes, c.PowerType)
	case "item_code":
		return c.ItemCode
	case "implementing_body":
		return c.ImplementingBody
	case "summary":
		return c.Summary
	case "responsible_unit":
		return c.ResponsibleUnit
	case "channel":
		return c.Channel
	case "time_limit":
		return c.TimeLimit
	case "disclosure_mode":
		return titleOf(disclosureTitles, c.DisclosureMode)
	case "legal_basis":
		return c.LegalBasis
	case "legal_basis_version":
		return c.LegalBasisVersion
	case "conditions":
		return c.Conditions
	case "fees":
		return c.Fees
	case "consultation":
		return c.Consultation
	case "complaint":
		return c.Complaint
	case "inventory_status":
		return titleOf(inventoryTitles(), c.InventoryStatus)
	case "inventory_reason":
		return c.InventoryReason
	case "template_stamp":
		return it.TemplateStamp
	}
	return ""
}

func itemInt(it *WorkbookItem, key string) int {
	switch key {
	case "statutory_limit_workdays":
		return it.Content.StatutoryLimitWorkdays
	case "promised_limit_workdays":
		return it.Content.PromisedLimitWorkdays
	case "extension_workdays":
		return it.Content.ExtensionWorkdays
	case "version":
		return it.Version
	}
	return 0
}

// setItem stores a read main-sheet value on the item.
func setItem(it *WorkbookItem, key, v string, n int) {
	c := &it.Content
	switch key {
	case "code":
		it.Code = v
	case "category":
		it.Category = v
	case "name":
		it.Name = v
	case "power_type":
		c.PowerType = v
	case "item_code":
		c.ItemCode = v
	case "implementing_body":
		c.ImplementingBody = v
	case "summary":
		c.Summary = v
	case "responsible_unit":
		c.ResponsibleUnit = v
	case "channel":
		c.Channel = v
	case "time_limit":
		c.TimeLimit = v
	case "disclosure_mode":
		c.DisclosureMode = v
	case "legal_basis":
		c.LegalBasis = v
	case "legal_basis_version":
		c.LegalBasisVersion = v
	case "conditions":
		c.Conditions = v
	case "fees":
		c.Fees = v
	case "consultation":
		c.Consultation = v
	case "complaint":
		c.Complaint = v
	case "inventory_status":
		c.InventoryStatus = v
	case "inventory_reason":
		c.InventoryReason = v
	case "statutory_limit_workdays":
		c.StatutoryLimitWorkdays = n
	case "promised_limit_workdays":
		c.PromisedLimitWorkdays = n
	case "extension_workdays":
		c.ExtensionWorkdays = n
	}
}

func statusTitle(s string) string {
	switch s {
	case StatusPublished:
		return "已发布"
	case StatusNotApplicable:
		return "不适用"
	case StatusDraft:
		return "草稿"
	}
	return s
}

// record is one row of a list sheet as cells by column key: what Export
// writes and Parse reads, so both use one mapping per list.
type record map[string]string

func listRecords(it *WorkbookItem, list string) []record {
	c := &it.Content
	var out []record
	switch list {
	case "materials":
		for _, m := range c.Materials {
			out = append(out, record{"name": m.Name, "copies": strconv.Itoa(m.Copies), "note": m.Note})
		}
	case "steps":
		for _, s := range c.Steps {
			out = append(out, record{"name": s.Name, "post": s.Post, "authority": s.Authority, "procedure": s.Procedure,
				"limit_workdays": strconv.Itoa(s.LimitWorkdays), "excluded_from_limit": boolText(s.ExcludedFromLimit)})
		}
	case "special_steps":
		for _, s := range c.SpecialSteps {
			out = append(out, record{"name": s.Name, "limit_workdays": strconv.Itoa(s.LimitWorkdays), "note": s.Note})
		}
	case "discretion":
		for _, s := range c.Discretion {
			r := record{"id": s.ID, "violation": s.Violation, "legal_provision": s.LegalProvision,
				"penalty_basis": s.PenaltyBasis, "legal_basis_version": s.LegalBasisVersion,
				"aggravating": joinList(s.Aggravating, "\n"), "mitigating": joinList(s.Mitigating, "\n")}
			// No statutory range leaves the four cells empty.
			rangeCells(r, "statutory_fine", s.StatutoryFine)
			out = append(out, r)
		}
	case "tiers":
		for _, s := range c.Discretion {
			for _, t := range s.Tiers {
				r := record{"standard": s.ID, "level": t.Level, "applies_to": titleOf(appliesToTitles, t.AppliesTo), "conditions": t.Conditions,
					"penalty_kinds": joinList(t.PenaltyKinds, "、"), "requires_hearing": boolText(t.RequiresHearing),
					"requires_collective_discussion": boolText(t.RequiresCollectiveDiscussion)}
				rangeCells(r, "fine", t.Fine)
				out = append(out, r)
			}
		}
	}
	return out
}

// rangeCells writes a fine range into the four cells under prefix (fine,
// statutory_fine); a nil range leaves them empty.
func rangeCells(r record, prefix string, v *Range) {
	if v == nil {
		return
	}
	r[prefix+".min"], r[prefix+".max"] = strconv.FormatInt(v.Min, 10), strconv.FormatInt(v.Max, 10)
	r[prefix+".min_inclusive"], r[prefix+".max_inclusive"] = boolText(v.MinInclusive), boolText(v.MaxInclusive)
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// WriteWorkbook writes items as the catalog workbook, with a sheet that
// explains the layout.
func WriteWorkbook(items []WorkbookItem) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("catalog: workbook: %w", err) }
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fail(err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fail(err)
	}
	number, err := f.NewStyle(&excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return fail(err)
	}
	for si, sh := range workbookSheets {
		if si == 0 {
			err = f.SetSheetName("Sheet1", sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err != nil {
			return fail(err)
		}
		for ci, col := range sh.Columns {
			name, _ := excelize.ColumnNumberToName(ci + 1)
			style := text
			if col.Kind == intCell || col.Kind == infoCell && col.Key != "status" {
				style = number
			}
			if err := f.SetColStyle(sh.Name, name, style); err != nil {
				return fail(err)
			}
			_ = f.SetColWidth(sh.Name, name, name, col.Width)
			if err := f.SetCellStr(sh.Name, cellName(ci+1, 1), col.Header); err != nil {
				return fail(err)
			}
			_ = f.SetCellStyle(sh.Name, cellName(ci+1, 1), cellName(ci+1, 1), bold)
			if list := titleList(col.Key); list != nil {
				dv := excelize.NewDataValidation(true)
				dv.Sqref = name + "2:" + name + strconv.Itoa(MaxWorkbookRows+1)
				var opts []string
				for _, p := range list {
					opts = append(opts, p.Title)
				}
				if col.Key == "applies_to" {
					opts = append(opts, appliesToEither) // reads as empty
				}
				if err := dv.SetDropList(opts); err == nil {
					_ = f.AddDataValidation(sh.Name, dv)
				}
			}
		}
		_ = f.SetPanes(sh.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		row := 2
		for i := range items {
			it := &items[i]
			var records []record
			if sh.List == "" {
				records = []record{nil}
			} else {
				records = listRecords(it, sh.List)
			}
			for ri, rec := range records {
				for ci, col := range sh.Columns {
					cell := cellName(ci+1, row)
					switch {
					case col.Key == "" && sh.List == "":
						err = f.SetCellInt(sh.Name, cell, int64(i+1))
					case col.Key == "":
						err = f.SetCellInt(sh.Name, cell, int64(ri+1))
					case col.Key == "code":
						err = f.SetCellStr(sh.Name, cell, it.Code)
					case sh.List == "" && (col.Kind == intCell || col.Key == "version"):
						// A limit not set (0) is an empty cell, which reads back as
						// 0; version 0 (never saved) is written, so the conflict
						// check knows the row was exported before any save.
						if n := itemInt(it, col.Key); n != 0 || col.Key == "version" {
							err = f.SetCellInt(sh.Name, cell, int64(n))
						}
					case sh.List == "":
						err = f.SetCellStr(sh.Name, cell, itemText(it, col.Key))
					case col.Kind == intCell && rec[col.Key] != "":
						n, _ := strconv.ParseInt(rec[col.Key], 10, 64)
						err = f.SetCellInt(sh.Name, cell, n)
					default:
						err = f.SetCellStr(sh.Name, cell, rec[col.Key])
					}
					if err != nil {
						return fail(err)
					}
				}
				row++
			}
		}
	}
	if err := writeNotes(f); err != nil {
		return fail(err)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return fail(err)
	}
	return buf.Bytes(), nil
}

// writeNotes adds the sheet that explains the workbook to whoever fills it in.
func writeNotes(f *excelize.File) error {
	if _, err := f.NewSheet(SheetNotes); err != nil {
		return err
	}
	notes := []string{
		"本工作簿为政务公开和政务服务目录实施清单，可导出后修改再导入。",
		"“实施清单”表每行一个事项；申请材料、办理环节、特别程序、裁量基准、裁量阶次各占一表，以“事项编码”（裁量阶次另以“基准编号”）对应事项，按行的先后顺序排列。",
		"序号、状态、版本三列只供阅读，导入时不读取；版本为导出时的最新版本号：导入时若该事项此后已被修改，会提示冲突而不覆盖。",
		"事项类别、职权类型、公开方式、清理结果、适用对象请从下拉列表中选择；时限以工作日计，填写整数；是否类的列填写“是”或“否”。",
		"从重情节、从轻情节每行一项；处罚种类以顿号“、”分隔。",
		"罚款金额以元为单位填写整数；“含本数”填“是”表示“以上/以下”（含该数额），填“否”表示“超过/不满”（不含）。裁量阶次的罚款幅度须在裁量基准所填法定罚款幅度之内；法定罚款幅度四列均留空表示未填写法定幅度。",
		"裁量阶次的“适用对象”选“单位”或“个人（责任人员）”，留空表示单位或个人均可适用；对单位和对责任人员的阶次罚款幅度可以重叠。",
		"导入时内容没有变化的事项不会形成新版本；有变化的事项保存为新的草稿版本，须在系统中审核后发布。",
		"任何一处有误时整个工作簿都不会导入，错误按工作表、行和列列出。工作簿中没有的事项保持不变，不会被删除。",
	}
	_ = f.SetColWidth(SheetNotes, "A", "A", 120)
	for i, n := range notes {
		if err := f.SetCellStr(SheetNotes, cellName(1, i+1), n); err != nil {
			return err
		}
	}
	return nil
}

// CellError is one wrong cell of an imported workbook.
type CellError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"` // the header, 事项名称 …
	Cell    string `json:"cell"`   // A1 reference
	Message string `json:"message"`
}

// ImportError lists every wrong cell of a workbook; it answers as a 400
// whose fields are keyed "sheet!cell", and nothing of it is imported.
type ImportError struct{ Cells []CellError }

func (e *ImportError) Error() string { return fmt.Sprintf("catalog: %d wrong cells", len(e.Cells)) }

// Unwrap is the client error the one error handler answers with.
func (e *ImportError) Unwrap() error {
	fields := make(map[string]string, len(e.Cells))
	for _, c := range e.Cells {
		key := c.Sheet + "!" + c.Cell
		msg := fmt.Sprintf("“%s”表第%d行「%s」：%s", c.Sheet, c.Row, c.Column, c.Message)
		if old, ok := fields[key]; ok {
			msg = old + "；" + c.Message
		}
		fields[key] = msg
	}
	return apperr.Invalid(fmt.Sprintf("工作簿有%d处错误，未导入任何事项", len(e.Cells)), fields)
}

// sortCells puts errors in reading order: by sheet, row, then column.
func sortCells(list []CellError) {
	order := map[string]int{}
	for i, s := range workbookSheets {
		order[s.Name] = i
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Sheet != b.Sheet {
			return order[a.Sheet] < order[b.Sheet]
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		ca, _, _ := excelize.CellNameToCoordinates(a.Cell)
		cb, _, _ := excelize.CellNameToCoordinates(b.Cell)
		return ca < cb
	})
}

// ParsedItem is an item read from a workbook with where its parts are, so
// the content's validation messages can be put on their cells.
type ParsedItem struct {
	WorkbookItem
	// HasCategory, HasVersion: the row gave a category, a version.
	HasCategory, HasVersion bool
	at                      map[string][]int // list ("" for the item's row) → sheet rows
	tierRows                [][]int          // rows of each standard's tiers
}

// parsedSheet is a sheet of the uploaded workbook with its header map.
type parsedSheet struct {
	def  wbSheet
	rows [][]string
	col  map[string]int // column key → 1-based column
}

// Parsed is a workbook read and checked cell by cell.
type Parsed struct {
	Items  []*ParsedItem
	sheets map[string]*parsedSheet
	bad    []CellError
}

func (p *Parsed) fail(sheet string, row int, key string, format string, args ...any) {
	header, col := key, 1
	if s := p.sheets[sheet]; s != nil {
		for _, c := range s.def.Columns {
			if c.Key == key {
				header = c.Header
			}
		}
		if n := s.col[key]; n > 0 {
			col = n
		} else if row > 1 {
			col = len(s.rows[0]) + 1
		}
	}
	p.bad = append(p.bad, CellError{Sheet: sheet, Row: row, Column: header, Cell: cellName(col, row), Message: fmt.Sprintf(format, args...)})
}

// Err is the ImportError of every wrong cell found, nil when there is none.
func (p *Parsed) Err() error {
	if len(p.bad) == 0 {
		return nil
	}
	sortCells(p.bad)
	return &ImportError{Cells: p.bad}
}

// ParseOptions say what a workbook must hold.
type ParseOptions struct {
	// NamesOnly reads the identity columns of 实施清单 only (a province's
	// template push carries codes, categories and names); any content in
	// the workbook is an error rather than silently dropped.
	NamesOnly bool
}

// ParseWorkbook reads a catalog workbook. Wrong cells are collected in the
// result (see Err); an unreadable file is a client error at once.
func ParseWorkbook(data []byte, opt ParseOptions) (*Parsed, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.InvalidField("file", "无法读取该文件，请上传 .xlsx 格式的工作簿")
	}
	defer f.Close()
	p := &Parsed{sheets: map[string]*parsedSheet{}}
	for _, def := range workbookSheets {
		if idx, _ := f.GetSheetIndex(def.Name); idx < 0 {
			if !opt.NamesOnly {
				p.bad = append(p.bad, CellError{Sheet: def.Name, Row: 1, Column: "", Cell: "A1", Message: "缺少工作表“" + def.Name + "”，请使用导出的工作簿"})
			}
			continue
		}
		rows, err := f.GetRows(def.Name)
		if err != nil {
			return nil, apperr.InvalidField("file", "无法读取工作表“"+def.Name+"”")
		}
		if len(rows) == 0 {
			rows = [][]string{{}}
		}
		if len(rows)-1 > MaxWorkbookRows {
			return nil, apperr.InvalidField("file", fmt.Sprintf("工作表“%s”超过%d行", def.Name, MaxWorkbookRows))
		}
		s := &parsedSheet{def: def, rows: rows, col: map[string]int{}}
		p.sheets[def.Name] = s
		p.readHeader(s, opt)
	}
	if p.sheets[SheetItems] == nil {
		p.bad = append(p.bad, CellError{Sheet: SheetItems, Row: 1, Cell: "A1", Message: "缺少工作表“" + SheetItems + "”"})
	}
	if len(p.bad) > 0 {
		return p, nil
	}
	p.readItems(opt)
	if !opt.NamesOnly {
		p.readLists()
	} else {
		p.refuseContent()
	}
	return p, nil
}

// readHeader maps the header row's columns (in any order) to keys.
func (p *Parsed) readHeader(s *parsedSheet, opt ParseOptions) {
	for i, h := range s.rows[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		key := ""
		for _, c := range s.def.Columns {
			if c.Header == h {
				key = c.Key
				if key == "" {
					key = "#seq"
				}
			}
		}
		switch {
		case key == "":
			p.bad = append(p.bad, CellError{s.def.Name, 1, h, cellName(i+1, 1), "不是该工作表的列"})
		case s.col[key] != 0:
			p.bad = append(p.bad, CellError{s.def.Name, 1, h, cellName(i+1, 1), "列重复"})
		default:
			s.col[key] = i + 1
		}
	}
	next := len(s.rows[0])
	for _, c := range s.def.Columns {
		required := c.Kind != infoCell && (!opt.NamesOnly || c.Key == "code" || c.Key == "category" || c.Key == "name")
		if c.Key != "" && required && s.col[c.Key] == 0 {
			next++
			p.bad = append(p.bad, CellError{s.def.Name, 1, c.Header, cellName(next, 1), "缺少此列"})
		}
	}
}

// value is the cell of a sheet's row r (0-based in rows) under key.
func (s *parsedSheet) value(r int, key string) string {
	col := s.col[key]
	if col == 0 || col > len(s.rows[r]) {
		return ""
	}
	return s.rows[r][col-1]
}

// blank reports a row with nothing in any known column.
func (s *parsedSheet) blank(r int) bool {
	for key := range s.col {
		if key != "#seq" && strings.TrimSpace(s.value(r, key)) != "" {
			return false
		}
	}
	return true
}

func (p *Parsed) readInt(s *parsedSheet, r int, key string) int {
	v := strings.TrimSpace(s.value(r, key))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return int(f)
	}
	p.fail(s.def.Name, r+1, key, "请填写整数")
	return 0
}

func (p *Parsed) readInt64(s *parsedSheet, r int, key string) int64 {
	v := strings.TrimSpace(s.value(r, key))
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return int64(f)
	}
	p.fail(s.def.Name, r+1, key, "请填写以元为单位的整数金额")
	return 0
}

func (p *Parsed) readBool(s *parsedSheet, r int, key string) bool {
	switch strings.ToUpper(strings.TrimSpace(s.value(r, key))) {
	case "是", "TRUE", "1":
		return true
	case "否", "FALSE", "0", "":
		return false
	}
	p.fail(s.def.Name, r+1, key, "请填写“是”或“否”")
	return false
}

// readItems reads 实施清单, one item a row.
func (p *Parsed) readItems(opt ParseOptions) {
	s := p.sheets[SheetItems]
	seen := map[string]int{}
	for r := 1; r < len(s.rows); r++ {
		if s.blank(r) {
			continue
		}
		it := &ParsedItem{at: map[string][]int{"": {r + 1}}}
		for _, c := range s.def.Columns {
			if c.Key == "" || s.col[c.Key] == 0 {
				continue
			}
			raw := s.value(r, c.Key)
			switch {
			case c.Key == "version":
				if strings.TrimSpace(raw) != "" {
					it.HasVersion, it.Version = true, p.readInt(s, r, c.Key)
				}
			case c.Key == "template_stamp":
				it.TemplateStamp = strings.TrimSpace(raw)
			case c.Kind == infoCell:
			case c.Kind == intCell:
				setItem(&it.WorkbookItem, c.Key, "", p.readInt(s, r, c.Key))
			case c.Kind == titleCell:
				v := strings.TrimSpace(raw)
				code, ok := codeOfTitle(titleList(c.Key), v)
				if !ok {
					p.fail(SheetItems, r+1, c.Key, "应为以下之一：%s", titles(titleList(c.Key)))
				}
				if c.Key == "category" {
					it.HasCategory = code != ""
				}
				setItem(&it.WorkbookItem, c.Key, code, 0)
			case c.Key == "code" || c.Key == "name":
				setItem(&it.WorkbookItem, c.Key, strings.TrimSpace(raw), 0)
			default:
				setItem(&it.WorkbookItem, c.Key, raw, 0)
			}
		}
		switch first, dup := seen[it.Code]; {
		case it.Code == "":
			p.fail(SheetItems, r+1, "code", "请填写事项编码")
		case dup:
			p.fail(SheetItems, r+1, "code", "与第%d行的事项编码重复", first)
		default:
			seen[it.Code] = r + 1
		}
		if it.Name == "" {
			p.fail(SheetItems, r+1, "name", "请填写事项名称")
		}
		if opt.NamesOnly && !it.HasCategory {
			p.fail(SheetItems, r+1, "category", "请选择事项类别")
		}
		p.Items = append(p.Items, it)
	}
	if len(p.Items) == 0 && len(p.bad) == 0 {
		p.fail(SheetItems, 2, "code", "工作簿中没有事项，请在表头下逐行填写")
	}
}

// refuseContent reports content cells of a names-only workbook.
func (p *Parsed) refuseContent() {
	for name, s := range p.sheets {
		for r := 1; r < len(s.rows); r++ {
			for _, c := range s.def.Columns {
				if v := strings.TrimSpace(s.value(r, c.Key)); c.Key == "" || c.Kind == infoCell || s.col[c.Key] == 0 || v == "" || c.Kind == intCell && v == "0" {
					continue
				}
				if name == SheetItems && (c.Key == "code" || c.Key == "category" || c.Key == "name") {
					continue
				}
				p.fail(name, r+1, c.Key, "省级目录推送只包含事项编码、类别和名称，此处内容不会被导入，请删除后再导入")
			}
		}
	}
}

// readLists reads the list sheets onto their items.
func (p *Parsed) readLists() {
	byCode := map[string]*ParsedItem{}
	for _, it := range p.Items {
		if it.Code != "" {
			byCode[it.Code] = it
		}
	}
	for _, def := range workbookSheets[1:] {
		s := p.sheets[def.Name]
		for r := 1; r < len(s.rows); r++ {
			if s.blank(r) {
				continue
			}
			code := strings.TrimSpace(s.value(r, "code"))
			it := byCode[code]
			if it == nil {
				if code == "" {
					p.fail(def.Name, r+1, "code", "请填写事项编码")
				} else {
					p.fail(def.Name, r+1, "code", "“%s”表中没有编码为%s的事项", SheetItems, code)
				}
				continue
			}
			c := &it.Content
			text := func(key string) string { return s.value(r, key) }
			switch def.List {
			case "materials":
				c.Materials = append(c.Materials, Material{Name: text("name"), Copies: p.readInt(s, r, "copies"), Note: text("note")})
			case "steps":
				c.Steps = append(c.Steps, Step{Name: text("name"), Post: text("post"), Authority: text("authority"),
					Procedure: text("procedure"), LimitWorkdays: p.readInt(s, r, "limit_workdays"),
					ExcludedFromLimit: p.readBool(s, r, "excluded_from_limit")})
			case "special_steps":
				c.SpecialSteps = append(c.SpecialSteps, SpecialStep{Name: text("name"), LimitWorkdays: p.readInt(s, r, "limit_workdays"), Note: text("note")})
			case "discretion":
				c.Discretion = append(c.Discretion, Standard{ID: strings.TrimSpace(text("id")), Violation: text("violation"),
					LegalProvision: text("legal_provision"), PenaltyBasis: text("penalty_basis"),
					LegalBasisVersion: text("legal_basis_version"), StatutoryFine: p.readRange(s, r, "statutory_fine"),
					Aggravating: splitList(text("aggravating"), "\n"), Mitigating: splitList(text("mitigating"), "\n")})
				it.tierRows = append(it.tierRows, nil)
			case "tiers":
				p.readTier(s, r, it)
				continue
			}
			it.at[def.List] = append(it.at[def.List], r+1)
		}
	}
}

// readTier attaches a tier row to its standard (by 基准编号) of its item.
func (p *Parsed) readTier(s *parsedSheet, r int, it *ParsedItem) {
	id := strings.TrimSpace(s.value(r, "standard"))
	k := -1
	for i, st := range it.Content.Discretion {
		if st.ID == id && id != "" {
			k = i
		}
	}
	if k < 0 {
		p.fail(s.def.Name, r+1, "standard", "事项%s在“%s”表中没有编号为“%s”的裁量基准", it.Code, SheetStandards, id)
		return
	}
	appliesTo, ok := codeOfAppliesTo(strings.TrimSpace(s.value(r, "applies_to")))
	if !ok {
		p.fail(s.def.Name, r+1, "applies_to", "应为以下之一：%s，或留空（%s）", titles(appliesToTitles), appliesToEither)
	}
	t := Tier{Level: s.value(r, "level"), Conditions: s.value(r, "conditions"), AppliesTo: appliesTo,
		PenaltyKinds:                 splitList(s.value(r, "penalty_kinds"), "、"),
		RequiresHearing:              p.readBool(s, r, "requires_hearing"),
		RequiresCollectiveDiscussion: p.readBool(s, r, "requires_collective_discussion"),
		Fine:                         p.readRange(s, r, "fine")}
	it.Content.Discretion[k].Tiers = append(it.Content.Discretion[k].Tiers, t)
	it.tierRows[k] = append(it.tierRows[k], r+1)
}

// readRange reads the four cells of a fine range under prefix (fine,
// statutory_fine): all empty is no range, anything in them a range whose
// amounts must then be whole numbers of yuan.
func (p *Parsed) readRange(s *parsedSheet, r int, prefix string) *Range {
	keys := []string{prefix + ".min", prefix + ".max", prefix + ".min_inclusive", prefix + ".max_inclusive"}
	given := false
	for _, key := range keys {
		given = given || strings.TrimSpace(s.value(r, key)) != ""
	}
	if !given {
		return nil
	}
	return &Range{Min: p.readInt64(s, r, keys[0]), Max: p.readInt64(s, r, keys[1]),
		MinInclusive: p.readBool(s, r, keys[2]), MaxInclusive: p.readBool(s, r, keys[3])}
}

// placeError puts a message of Content.Validate (keyed like
// "steps[1].post" or "discretion[0].tiers[2].fine") on the cell it is about.
func (p *Parsed) placeError(it *ParsedItem, key, msg string) {
	main := it.at[""][0]
	head, rest, _ := strings.Cut(key, "[")
	var sheet string
	for _, def := range workbookSheets[1:] {
		if def.List == head {
			sheet = def.Name
		}
	}
	if sheet == "" || rest == "" {
		if sheet != "" && len(it.at[head]) > 0 { // the list as a whole: its first row
			p.fail(sheet, it.at[head][0], "code", "%s", msg)
			return
		}
		if key == "steps" || key == "discretion" || key == "materials" || key == "special_steps" {
			key = "code"
		}
		known := false
		for _, c := range workbookSheets[0].Columns {
			known = known || c.Key == key
		}
		if !known {
			key = "code"
		}
		p.fail(SheetItems, main, key, "%s", msg)
		return
	}
	n, part, _ := strings.Cut(rest, "]")
	i, _ := strconv.Atoi(n)
	part = strings.TrimPrefix(part, ".")
	rows := it.at[head]
	if i >= len(rows) {
		p.fail(SheetItems, main, "code", "%s", msg)
		return
	}
	if head == "discretion" && strings.HasPrefix(part, "tiers") {
		tn, tpart, _ := strings.Cut(strings.TrimPrefix(part, "tiers["), "]")
		j, err := strconv.Atoi(tn)
		if err == nil && i < len(it.tierRows) && j < len(it.tierRows[i]) {
			tpart = strings.TrimPrefix(tpart, ".")
			if tpart == "fine" {
				tpart = "fine.min"
			}
			if tpart == "" {
				tpart = "level"
			}
			p.fail(SheetTiers, it.tierRows[i][j], tpart, "%s", msg)
			return
		}
		part = "id"
	}
	if part == "" {
		part = "code"
	}
	if part == "statutory_fine" {
		part = "statutory_fine.min"
	}
	p.fail(sheet, rows[i], part, "%s", msg)
}
