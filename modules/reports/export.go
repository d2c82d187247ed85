package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"safetypilot/modules/catalog"
	"safetypilot/modules/disclosure"
	"safetypilot/web"
)

// mountExports registers /:id.xlsx and /:id.html beside the JSON view. They
// come before /:id, which would otherwise take "12.xlsx" as the id; Fiber
// ends a parameter at a dot, so "/:id.xlsx" matches "/12.xlsx" with id 12.
func (a *API) mountExports(g fiber.Router, read fiber.Handler, load loader) {
	g.Get("/:id.xlsx", read, func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		data, err := WorkbookXLSX(v)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, xlsxType)
		c.Set(fiber.HeaderContentDisposition, contentDisposition("attachment", v, ".xlsx"))
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return c.Send(data)
	})
	g.Get("/:id.html", read, func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		data, err := PrintHTML(v)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", v, ".html"))
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return c.Send(data)
	})
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// contentDisposition names the download after the report title (RFC 6266 /
// RFC 5987 filename*), with an ASCII fallback for old clients.
func contentDisposition(kind string, v View, ext string) string {
	return fmt.Sprintf(`%s; filename="report-%d%s"; filename*=UTF-8''%s`, kind, v.ID, ext, rfc5987(v.Title+ext))
}

// rfc5987 percent-encodes every byte outside RFC 5987's attr-char.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(attr, ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// Cell formats.
const (
	fmtText    = iota
	fmtInt     // a count
	fmtDecimal // one decimal place
	fmtPercent // a rate 0…1 shown as a percentage
	fmtAmount  // money, two decimal places
)

// sheetCell is one value of a report table: a number, a text, or blank (a
// rate without a denominator).
type sheetCell struct {
	Text   string
	Num    float64
	Format int
	Blank  bool
}

func textCell(s string) sheetCell        { return sheetCell{Text: s} }
func intCell(n int) sheetCell            { return sheetCell{Num: float64(n), Format: fmtInt} }
func decimalCell(v float64) sheetCell    { return sheetCell{Num: v, Format: fmtDecimal} }
func blankCell() sheetCell               { return sheetCell{Blank: true} }
func rateCell(part, whole int) sheetCell { return rateOf(float64(part), whole) }

// rateOf is part/whole as a percentage cell, blank without a denominator.
func rateOf(part float64, whole int) sheetCell {
	if whole == 0 {
		return sheetCell{Blank: true, Format: fmtPercent}
	}
	return sheetCell{Num: round3(part / float64(whole)), Format: fmtPercent}
}

// IsNumber tells numbers (right-aligned on pages) from text.
func (c sheetCell) IsNumber() bool { return c.Format != fmtText }

// String is the cell as pages show it.
func (c sheetCell) String() string {
	switch {
	case c.Blank:
		return "—"
	case c.Format == fmtInt:
		return strconv.FormatInt(int64(c.Num), 10)
	case c.Format == fmtDecimal:
		return strconv.FormatFloat(c.Num, 'f', 1, 64)
	case c.Format == fmtPercent:
		return pctText(c.Num)
	case c.Format == fmtAmount:
		return strconv.FormatFloat(c.Num, 'f', 2, 64)
	}
	return c.Text
}

// sheetTable is one table of a report: a worksheet of the workbook and a
// table of the pages.
type sheetTable struct {
	No      int // 1, 2, … in the order of the workbook
	ID      string
	Sheet   string // worksheet name
	Title   string // heading on pages
	Note    string
	Headers []string
	Rows    [][]sheetCell
	// Total marks the last row as the total.
	Total bool
	// Compact tables are as wide as their content on pages, not the page.
	Compact bool
	// PrintCols, when set, are the columns pages show (the workbook has all).
	PrintCols []int
}

// Columns are the indexes of the columns pages show.
func (t sheetTable) Columns() []int {
	if t.PrintCols != nil {
		return t.PrintCols
	}
	out := make([]int, len(t.Headers))
	for i := range out {
		out[i] = i
	}
	return out
}

// kindTitle names the level of a report.
func kindTitle(kind string) string {
	if kind == KindProvince {
		return "省级试点工作总结"
	}
	return "县级试点工作总结"
}

// periodLabel is the report period in words ("2026年9月").
func periodLabel(r Report) string {
	if p, err := ParsePeriod(r.PeriodKind, r.PeriodStart); err == nil {
		return p.Label
	}
	return r.PeriodStart + "至" + r.PeriodEnd
}

// figuresOf are the figures a report's tables are made of: the county's, or
// the province's totals.
func figuresOf(v View) CountyFigures {
	switch {
	case v.County != nil:
		return *v.County
	case v.Province != nil:
		return v.Province.Totals
	}
	return CountyFigures{}
}

// regionName is the county or province the report is about.
func regionName(v View) string {
	if f := figuresOf(v); f.CountyName != "" {
		return f.CountyName
	}
	return v.Region
}

var categories = []string{catalog.CategoryInformation, catalog.CategoryPower, catalog.CategoryService}

// reportTables are the tables of a report in the order of the workbook.
func reportTables(v View) []sheetTable {
	f := figuresOf(v)
	tables := []sheetTable{summaryTable(v, f), catalogTable(f), inventoryTable(f), cleanupTable(f), disclosureTable(f), requestsTable(f), itemsTable(f),
		ratingsTable(f), enforcementTable(f)}
	if v.Province != nil {
		tables = append(tables, countiesTable(*v.Province), trendTable(v.Province.Trend))
	}
	for i := range tables {
		tables[i].No = i + 1
	}
	return tables
}

func summaryTable(v View, f CountyFigures) sheetTable {
	row := func(label string, c sheetCell) []sheetCell { return []sheetCell{textCell(label), c} }
	rows := [][]sheetCell{
		row("报告标题", textCell(v.Title)),
		row("报告类型", textCell(kindTitle(v.Kind))),
		row("地区", textCell(regionName(v)+"（"+v.Region+"）")),
		row("报告期", textCell(periodLabel(v.Report))),
		row("统计起止", textCell(v.PeriodStart+" 至 "+v.PeriodEnd)),
		row("状态", textCell(StatusTitle(v.Status))),
		row("数据生成时间", textCell(web.FormatBeijing(v.CompiledAt))),
	}
	if v.SubmittedAt != nil {
		rows = append(rows, row("上报时间", textCell(web.FormatBeijing(*v.SubmittedAt))))
	}
	if v.ReviewComment != "" {
		rows = append(rows, row("审核意见", textCell(v.ReviewComment)))
	}
	if v.Province != nil {
		rows = append(rows, row("试点县（个）", intCell(len(v.Province.Counties))))
	}
	items, published := 0, 0
	for _, c := range categories {
		items += f.Catalog.ItemsByCategory[c]
		published += f.Catalog.PublishedByCategory[c]
	}
	rows = append(rows,
		row("目录事项（项）", intCell(items)),
		row("已发布事项（项）", intCell(published)),
		row("已发布运行流程图（幅）", intCell(f.Catalog.FlowchartsPublished)),
		row("已发布自由裁量基准（条）", intCell(f.Catalog.StandardsPublished)),
		row("已发布行政职权和便民服务事项（项）", intCell(f.Catalog.PowersTotal)),
		row("主动公开政府信息（条）", intCell(f.Disclosure.Published)),
		row("收到政府信息公开申请（件）", intCell(f.Requests.Received)),
		row("受理办件（件）", intCell(f.Cases.Received)),
		row("办结（件）", intCell(f.Cases.Completed)),
		row("作出决定（件）", intCell(f.Cases.Decided)),
		row("按时作出决定（件）", intCell(f.Cases.DecidedOnTime)),
		row("按时办结率", rateCell(f.Cases.DecidedOnTime, f.Cases.Decided)),
		row("期末超期未办结（件）", intCell(f.Cases.OverdueAtEnd)),
		row("黄牌、红牌预警（次）", intCell(f.Cases.Warnings)),
	)
	return sheetTable{ID: "summary", Sheet: "概况", Title: "概况", Compact: true, Headers: []string{"项目", "内容"}, Rows: rows}
}

// cleanupTable is the 2026 clean-up of the basic powers: the 底数 before,
// the results decided by the period's end, and the powers still held.
func cleanupTable(f CountyFigures) sheetTable {
	cl := f.Catalog.Cleanup
	t := sheetTable{ID: "cleanup", Sheet: "职权清理", Title: "职权清理（基本目录行政职权）", Compact: true, Headers: []string{"项目", "数量（项）"},
		Note: "清理建议及其法律依据见各县“职权清理”页面；以报告期末已确认或改变的结果计。"}
	t.Rows = append(t.Rows, []sheetCell{textCell("清理前持有"), intCell(cl.Before)},
		[]sheetCell{textCell("已确定清理结果"), intCell(cl.Decided)},
		[]sheetCell{textCell("尚待确定"), intCell(cl.Pending)})
	for _, st := range catalog.InventoryStatuses {
		t.Rows = append(t.Rows, []sheetCell{textCell("其中：" + st.Title), intCell(cl.ByResult[st.Code])})
	}
	t.Rows = append(t.Rows, []sheetCell{textCell("清理后仍由本局行使（保留、调整）"), intCell(cl.HeldAfter)})
	return t
}

func catalogTable(f CountyFigures) sheetTable {
	t := sheetTable{ID: "catalog", Sheet: "目录", Title: "目录完整性（按类别）", Compact: true, Headers: []string{"类别", "目录事项（项）", "已发布（项）", "发布率"},
		Note: fmt.Sprintf("已发布行政权力运行流程图 %d 幅，自由裁量基准 %d 条。事项以报告期末已发布的版本计。",
			f.Catalog.FlowchartsPublished, f.Catalog.StandardsPublished), Total: true}
	items, published := 0, 0
	for _, c := range categories {
		n, p := f.Catalog.ItemsByCategory[c], f.Catalog.PublishedByCategory[c]
		items, published = items+n, published+p
		t.Rows = append(t.Rows, []sheetCell{textCell(catalog.CategoryTitle(c)), intCell(n), intCell(p), rateCell(p, n)})
	}
	t.Rows = append(t.Rows, []sheetCell{textCell("合计"), intCell(items), intCell(published), rateCell(published, items)})
	return t
}

func inventoryTable(f CountyFigures) sheetTable {
	t := sheetTable{ID: "inventory", Sheet: "职权底数", Title: "职权底数（按职权类型和清理结果）", Headers: []string{"职权类型"},
		Note: fmt.Sprintf("已发布的行政职权和便民服务事项共 %d 项；未填写类型或清理结果的不在表内。", f.Catalog.PowersTotal), Total: true}
	for _, st := range catalog.InventoryStatuses {
		t.Headers = append(t.Headers, st.Title)
	}
	t.Headers = append(t.Headers, "合计")
	counts := map[[2]string]int{}
	for _, c := range f.Catalog.Inventory {
		counts[[2]string{c.PowerType, c.Status}] += c.Count
	}
	colTotals := make([]int, len(catalog.InventoryStatuses))
	grand := 0
	for _, pt := range catalog.PowerTypes {
		row := []sheetCell{textCell(pt.Title)}
		sum := 0
		for i, st := range catalog.InventoryStatuses {
			n := counts[[2]string{pt.Code, st.Code}]
			row = append(row, intCell(n))
			sum += n
			colTotals[i] += n
		}
		if sum == 0 {
			continue
		}
		grand += sum
		t.Rows = append(t.Rows, append(row, intCell(sum)))
	}
	total := []sheetCell{textCell("合计")}
	for _, n := range colTotals {
		total = append(total, intCell(n))
	}
	t.Rows = append(t.Rows, append(total, intCell(grand)))
	return t
}

func disclosureTable(f CountyFigures) sheetTable {
	d := f.Disclosure
	return sheetTable{ID: "disclosure", Sheet: "信息公开", Title: "政府信息主动公开和保密审查", Compact: true, Headers: []string{"项目", "数量"}, Rows: [][]sheetCell{
		{textCell("主动公开政府信息（条）"), intCell(d.Published)},
		{textCell("其中：按时公开（条）"), intCell(d.PublishedOnTime)},
		{textCell("逾期公开（条）"), intCell(d.PublishedLate)},
		{textCell("按时公开率"), rateCell(d.PublishedOnTime, d.Published)},
		{textCell("保密审查（次）"), intCell(d.Reviews)},
		{textCell("其中：审查不通过（次）"), intCell(d.Rejections)},
		{textCell("平均审查用时（小时）"), decimalCell(d.AvgReviewHours)},
	}}
}

func ratingsTable(f CountyFigures) sheetTable {
	r := f.Ratings
	return sheetTable{ID: "ratings", Sheet: "好差评", Title: "政务服务好差评", Compact: true, Headers: []string{"项目", "数量"},
		Note: "满意含“非常满意”“满意”“基本满意”；差评为“不满意”“非常不满意”；申诉复核后剔除的评价不计。", Rows: [][]sheetCell{
			{textCell("收到评价（件）"), intCell(r.Rated)},
			{textCell("其中：满意（件）"), intCell(r.Satisfied)},
			{textCell("满意率"), rateCell(r.Satisfied, r.Rated)},
			{textCell("差评（件）"), intCell(r.Bad)},
			{textCell("其中：已整改（件）"), intCell(r.Rectified)},
			{textCell("整改率"), rateCell(r.Rectified, r.Bad)},
		}}
}

func enforcementTable(f CountyFigures) sheetTable {
	e := f.Enforcement
	return sheetTable{ID: "enforcement", Sheet: "执法与许可", Title: "行政检查、行政处罚和行政许可", Compact: true, Headers: []string{"项目", "数量"},
		Note: "“双随机”抽查按检查日期计；处罚案件按立案日期、处罚决定按决定日期计；罚款金额不含不予处罚和已撤销的决定；当场处罚（简易程序）按决定日期计；准予许可按决定日期计。", Rows: [][]sheetCell{
			{textCell("“双随机”抽查完成检查（家次）"), intCell(e.Inspections)},
			{textCell("其中：发现违法行为（家次）"), intCell(e.InspectionsWithViolations)},
			{textCell("行政处罚立案（件）"), intCell(e.PenaltyCasesFiled)},
			{textCell("作出行政处罚决定（件）"), intCell(e.PenaltyDecisions)},
			{textCell("罚款金额（元）"), sheetCell{Num: float64(e.FinesYuan), Format: fmtInt}},
			{textCell("当场作出行政处罚决定（简易程序，件）"), intCell(e.OnSpotDecisions)},
			{textCell("当场处罚罚款金额（元）"), sheetCell{Num: float64(e.OnSpotFinesYuan), Format: fmtInt}},
			{textCell("准予行政许可决定（件）"), intCell(e.LicencesGranted)},
		}}
}

// outcomeTitle is the short name of an answer outcome.
func outcomeTitle(code string) string {
	for _, o := range disclosure.Outcomes {
		if o.Code == code {
			title, _, _ := strings.Cut(o.Title, "（")
			return title
		}
	}
	return code
}

func requestsTable(f CountyFigures) sheetTable {
	r := f.Requests
	t := sheetTable{ID: "requests", Sheet: "依申请公开", Title: "依申请公开", Compact: true, Headers: []string{"项目", "数量"}, Rows: [][]sheetCell{
		{textCell("收到申请（件）"), intCell(r.Received)},
		{textCell("答复（件）"), intCell(r.Answered)},
		{textCell("其中：按时答复（件）"), intCell(r.AnsweredOnTime)},
		{textCell("按时答复率"), rateCell(r.AnsweredOnTime, r.Answered)},
	}}
	seen := map[string]bool{}
	add := func(code string) {
		seen[code] = true
		t.Rows = append(t.Rows, []sheetCell{textCell("答复结果：" + outcomeTitle(code) + "（件）"), intCell(r.Outcomes[code])})
	}
	for _, o := range disclosure.Outcomes {
		add(o.Code)
	}
	for code := range r.Outcomes {
		if !seen[code] {
			add(code)
		}
	}
	return t
}

func itemsTable(f CountyFigures) sheetTable {
	t := sheetTable{ID: "items", Sheet: "办件", Title: "各事项办理用时", Headers: []string{"事项编码", "事项名称", "作出决定（件）", "平均用时（工作日）", "90%分位用时（工作日）"},
		Note: "用时为自收件次日起至作出决定之日的工作日数；90%分位按最近秩法计算。"}
	for _, it := range f.Cases.ByItem {
		t.Rows = append(t.Rows, []sheetCell{textCell(it.Item), textCell(it.Name), intCell(it.Decided), decimalCell(it.AvgWorkdays), intCell(it.P90Workdays)})
	}
	return t
}

func countiesTable(p ProvinceFigures) sheetTable {
	t := sheetTable{ID: "counties", Sheet: "各县对比", Title: "各试点县主要指标对比", Total: true,
		Headers: []string{"县（市、区）", "区划代码", "目录事项（项）", "已发布事项（项）", "运行流程图（幅）", "裁量基准（条）", "职权事项（项）",
			"主动公开（条）", "按时公开（条）", "依申请受理（件）", "按时答复（件）", "受理办件（件）", "办结（件）", "作出决定（件）", "按时决定（件）",
			"按时办结率", "期末超期（件）", "预警（次）"},
		PrintCols: []int{0, 2, 3, 4, 5, 7, 9, 11, 12, 15, 16, 17}}
	row := func(name, code string, f CountyFigures) []sheetCell {
		items, published := 0, 0
		for _, c := range categories {
			items += f.Catalog.ItemsByCategory[c]
			published += f.Catalog.PublishedByCategory[c]
		}
		return []sheetCell{textCell(name), textCell(code), intCell(items), intCell(published), intCell(f.Catalog.FlowchartsPublished),
			intCell(f.Catalog.StandardsPublished), intCell(f.Catalog.PowersTotal), intCell(f.Disclosure.Published), intCell(f.Disclosure.PublishedOnTime),
			intCell(f.Requests.Received), intCell(f.Requests.AnsweredOnTime), intCell(f.Cases.Received), intCell(f.Cases.Completed),
			intCell(f.Cases.Decided), intCell(f.Cases.DecidedOnTime), rateCell(f.Cases.DecidedOnTime, f.Cases.Decided),
			intCell(f.Cases.OverdueAtEnd), intCell(f.Cases.Warnings)}
	}
	for _, c := range p.Counties {
		t.Rows = append(t.Rows, row(c.CountyName, c.County, c))
	}
	t.Rows = append(t.Rows, row("合计", "", p.Totals))
	return t
}

func trendTable(trend []TrendPoint) sheetTable {
	t := sheetTable{ID: "trend", Sheet: "月度趋势", Title: "按时办结率月度趋势（截至报告期末的12个月）", Compact: true,
		Headers: []string{"月份", "作出决定（件）", "按时决定（件）", "按时办结率"}}
	for _, p := range trend {
		t.Rows = append(t.Rows, []sheetCell{textCell(p.Month), intCell(p.Decided), intCell(p.OnTime), rateCell(p.OnTime, p.Decided)})
	}
	return t
}

// WorkbookXLSX writes the report as an Excel workbook: one sheet per table,
// Chinese headers in the first row (frozen), figures as numeric cells.
func WorkbookXLSX(v View) ([]byte, error) {
	return workbook(reportTables(v), &excelize.DocProperties{Title: v.Title, Subject: kindTitle(v.Kind),
		Created: v.CompiledAt.UTC().Format(time.RFC3339), Modified: v.UpdatedAt.UTC().Format(time.RFC3339)})
}

// workbook writes tables as the sheets of a workbook, in order, with the
// document properties (creator and language filled in).
func workbook(tables []sheetTable, props *excelize.DocProperties) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newSheetStyles(f)
	if err != nil {
		return nil, err
	}
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), t.Sheet); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(t.Sheet); err != nil {
			return nil, err
		}
		if err := writeSheet(f, st, t); err != nil {
			return nil, fmt.Errorf("reports: sheet %s: %w", t.Sheet, err)
		}
	}
	f.SetActiveSheet(0)
	props.Creator, props.Language = "安全生产政务公开和政务服务试点平台", "zh-CN"
	if err := f.SetDocProps(props); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("reports: write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// sheetStyles are the cell styles of the workbook: [format][bold].
type sheetStyles struct {
	header int
	cells  [5][2]int
}

func newSheetStyles(f *excelize.File) (sheetStyles, error) {
	var s sheetStyles
	border := []excelize.Border{{Type: "left", Color: "BFC8D2", Style: 1}, {Type: "right", Color: "BFC8D2", Style: 1},
		{Type: "top", Color: "BFC8D2", Style: 1}, {Type: "bottom", Color: "BFC8D2", Style: 1}}
	var err error
	s.header, err = f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return s, err
	}
	decimal, percent, amount := "0.0", "0.0%", "0.00"
	for format := range s.cells {
		for bold := 0; bold < 2; bold++ {
			style := &excelize.Style{Border: border, Font: &excelize.Font{Bold: bold == 1},
				Alignment: &excelize.Alignment{Vertical: "top", WrapText: format == fmtText}}
			switch format {
			case fmtInt:
				style.NumFmt = 1 // 0
			case fmtDecimal:
				style.CustomNumFmt = &decimal
			case fmtPercent:
				style.CustomNumFmt = &percent
			case fmtAmount:
				style.CustomNumFmt = &amount
			}
			if s.cells[format][bold], err = f.NewStyle(style); err != nil {
				return s, err
			}
		}
	}
	return s, nil
}

func writeSheet(f *excelize.File, st sheetStyles, t sheetTable) error {
	widths := make([]float64, len(t.Headers))
	for i, h := range t.Headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue(t.Sheet, cell, h); err != nil {
			return err
		}
		widths[i] = cellWidth(h)
	}
	last, _ := excelize.CoordinatesToCellName(max(len(t.Headers), 1), 1)
	if err := f.SetCellStyle(t.Sheet, "A1", last, st.header); err != nil {
		return err
	}
	for r, row := range t.Rows {
		bold := 0
		if t.Total && r == len(t.Rows)-1 {
			bold = 1
		}
		for i, c := range row {
			ref, _ := excelize.CoordinatesToCellName(i+1, r+2)
			var err error
			switch {
			case c.Blank:
				err = nil
			case c.Format == fmtInt:
				err = f.SetCellValue(t.Sheet, ref, int64(c.Num))
			case c.IsNumber():
				err = f.SetCellValue(t.Sheet, ref, c.Num)
			default:
				err = f.SetCellValue(t.Sheet, ref, c.Text)
			}
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(t.Sheet, ref, ref, st.cells[c.Format][bold]); err != nil {
				return err
			}
			if i < len(widths) {
				widths[i] = max(widths[i], cellWidth(c.String()))
			}
		}
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(t.Sheet, col, col, min(max(w+2, 8), 60)); err != nil {
			return err
		}
	}
	return f.SetPanes(t.Sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// cellWidth is how many character widths a text needs: two for a Chinese
// character, one for others.
func cellWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if wideRune(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// printView is what the print-ready page shows.
type printView struct {
	View
	Period     string
	KindTitle  string
	RegionName string
	Tables     []sheetTable
	Charts     []reportChart
	// Lead sums the figures up in a sentence.
	Lead string
}

// newPrintView gathers the report, its tables and charts for a template.
func newPrintView(v View) printView {
	return printView{View: v, Period: periodLabel(v.Report), KindTitle: kindTitle(v.Kind), RegionName: regionName(v),
		Tables: reportTables(v), Charts: reportCharts(v), Lead: leadSentence(v)}
}

// leadSentence states the main figures of the period in words.
func leadSentence(v View) string {
	f := figuresOf(v)
	var b strings.Builder
	b.WriteString(periodLabel(v.Report) + "（" + v.PeriodStart + "至" + v.PeriodEnd + "），")
	if v.Province != nil {
		fmt.Fprintf(&b, "全省%d个试点县", len(v.Province.Counties))
	} else {
		b.WriteString(regionName(v))
	}
	items, published := 0, 0
	for _, c := range categories {
		items += f.Catalog.ItemsByCategory[c]
		published += f.Catalog.PublishedByCategory[c]
	}
	fmt.Fprintf(&b, "目录事项%d项，已发布%d项，已发布运行流程图%d幅、自由裁量基准%d条；主动公开政府信息%d条，收到政府信息公开申请%d件；受理办件%d件，办结%d件，作出决定%d件",
		items, published, f.Catalog.FlowchartsPublished, f.Catalog.StandardsPublished, f.Disclosure.Published, f.Requests.Received,
		f.Cases.Received, f.Cases.Completed, f.Cases.Decided)
	if f.Cases.Decided > 0 {
		fmt.Fprintf(&b, "，其中在承诺期限内作出决定%d件，按时办结率%s", f.Cases.DecidedOnTime, pctText(f.Cases.OnTimeRate))
	}
	fmt.Fprintf(&b, "；期末超期未办结%d件，发出黄牌、红牌预警%d次。", f.Cases.OverdueAtEnd, f.Cases.Warnings)
	return b.String()
}

// paragraphs splits narrative text into its non-empty lines.
func paragraphs(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// exportFuncs are the helpers of the report templates.
var exportFuncs = template.FuncMap{
	"paragraphs":   paragraphs,
	"reportStatus": StatusTitle,
	"beijingTime":  web.FormatBeijing,
	"cellAt": func(row []sheetCell, i int) sheetCell {
		if i < len(row) {
			return row[i]
		}
		return blankCell()
	},
	"headerAt": func(t sheetTable, i int) string { return t.Headers[i] },
	"isLast":   func(i, n int) bool { return i == n-1 },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"chartsFor": func(charts []reportChart, table string) []reportChart {
		var out []reportChart
		for _, c := range charts {
			if c.For == table {
				out = append(out, c)
			}
		}
		return out
	},
}

var printTemplate = template.Must(template.New("print").Funcs(exportFuncs).ParseFS(templateFiles, "templates/figures.html", "templates/print.html"))

// PrintHTML renders the print-ready page: a standalone HTML document with the
// narrative, every table and the charts as inline SVG, laid out for A4.
func PrintHTML(v View) ([]byte, error) {
	var buf bytes.Buffer
	if err := printTemplate.ExecuteTemplate(&buf, "print", newPrintView(v)); err != nil {
		return nil, fmt.Errorf("reports: render print page: %w", err)
	}
	return buf.Bytes(), nil
}
