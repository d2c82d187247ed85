package reports

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/catalog"
)

// countyFigures are the known figures of one county in the tests.
func countyFigures(code, name string, decided, onTime int, byItem []ItemTiming) CountyFigures {
	f := CountyFigures{County: code, CountyName: name,
		Catalog: CatalogFigures{
			ItemsByCategory:     map[string]int{"information": 20, "power": 11, "service": 2},
			PublishedByCategory: map[string]int{"information": 5, "power": 3},
			FlowchartsPublished: 3, StandardsPublished: 4, PowersTotal: 3,
			Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 2}, {PowerType: "CF", Status: "adjusted", Count: 1}},
			Cleanup: catalog.CleanupSummary{Before: 11, Decided: 4, Pending: 7, HeldAfter: 2,
				ByResult: map[string]int{"kept": 2, "cancelled": 1, "transferred": 1}},
		},
		Disclosure: DisclosureFigures{Published: 7, PublishedOnTime: 6, PublishedLate: 1, Reviews: 9, Rejections: 2, AvgReviewHours: 5.5},
		Requests:   RequestFigures{Received: 4, Answered: 3, AnsweredOnTime: 3, Outcomes: map[string]int{"disclosed": 2, "unable": 1}},
		Cases: CaseFigures{Received: 12, Completed: 9, Decided: decided, DecidedOnTime: onTime, OverdueAtEnd: 1, Warnings: 2,
			ByItem: byItem},
		Ratings: RatingFigures{Rated: 8, Satisfied: 6, Bad: 2, Rectified: 1},
		Enforcement: EnforcementFigures{Inspections: 5, InspectionsWithViolations: 2, PenaltyCasesFiled: 3, PenaltyDecisions: 2,
			FinesYuan: 23000, OnSpotDecisions: 3, OnSpotFinesYuan: 450, LicencesGranted: 4},
	}
	if decided > 0 {
		f.Cases.OnTimeRate = round3(float64(onTime) / float64(decided))
	}
	return f
}

// timed is an item's timing from the working days of its decided cases.
func timed(item, name string, days ...int) ItemTiming {
	return timing(&ItemTiming{Item: item, Name: name, days: days})
}

const testTitle = "瑶海区安全生产政务公开和政务服务试点工作总结（2026年9月）"

func countyView() View {
	f := countyFigures("340102", "瑶海区", 8, 7, []ItemTiming{
		{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", Decided: 5, AvgWorkdays: 6.4, P90Workdays: 11},
		{Item: "281", Name: "生产经营单位生产安全事故应急预案备案", Decided: 3, AvgWorkdays: 2, P90Workdays: 3},
	})
	compiled := time.Date(2026, 10, 1, 1, 30, 0, 0, time.UTC)
	return View{
		Report: Report{ID: 12, Kind: KindCounty, Region: "340102", ProvinceCode: "34", PeriodKind: "month",
			PeriodStart: "2026-09-01", PeriodEnd: "2026-09-30", Title: testTitle, Status: StatusReturned,
			ReviewComment: "请补充“存在问题”一节的具体数据。", CompiledAt: compiled, UpdatedAt: compiled},
		StatusTitle: StatusTitle(StatusReturned),
		Narrative: Narrative{Experience: "一是全面梳理职权。\n\n二是<推行>网上办理。", Problems: "部分事项流程图尚未发布。",
			NextSteps: "年底前完成全部事项发布。"},
		County: &f,
	}
}

func provinceView() View {
	a := countyFigures("340102", "瑶海区", 8, 7, []ItemTiming{timed("274", "烟花爆竹经营（零售）许可证核发", 2, 3, 4, 5, 6, 7, 9, 12)})
	b := countyFigures("340103", "庐阳区", 4, 2, []ItemTiming{timed("274", "烟花爆竹经营（零售）许可证核发", 6, 8, 10, 14)})
	c := countyFigures("340104", "蜀山区", 0, 0, []ItemTiming{})
	totals := Sum([]CountyFigures{a, b, c})
	totals.CountyName = "安徽省"
	trend := make([]TrendPoint, 12)
	for i := range trend {
		trend[i].Month = time.Date(2025, time.Month(10+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	trend[10] = TrendPoint{Month: trend[10].Month, Decided: 5, OnTime: 4, OnTimeRate: 0.8}
	trend[11] = TrendPoint{Month: trend[11].Month, Decided: 12, OnTime: 9, OnTimeRate: 0.75}
	compiled := time.Date(2026, 10, 2, 2, 0, 0, 0, time.UTC)
	return View{
		Report: Report{ID: 30, Kind: KindProvince, Region: "34", ProvinceCode: "34", PeriodKind: "month",
			PeriodStart: "2026-09-01", PeriodEnd: "2026-09-30", Title: "安徽省安全生产政务公开和政务服务试点工作总结（2026年9月）",
			Status: StatusSubmitted, CompiledAt: compiled, UpdatedAt: compiled, SubmittedAt: &compiled},
		StatusTitle: StatusTitle(StatusSubmitted),
		Narrative:   Narrative{Experience: "统筹推进。", Problems: "进展不平衡。", NextSteps: "加强督导。"},
		Province:    &ProvinceFigures{Totals: totals, Counties: []CountyFigures{a, b, c}, Trend: trend},
	}
}

// openWorkbook parses XLSX bytes.
func openWorkbook(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// wantCell checks a cell's text and whether it is stored as a number.
func wantCell(t *testing.T, f *excelize.File, sheet, ref, text string, number bool) {
	t.Helper()
	got, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	if got != text {
		t.Errorf("%s!%s = %q, want %q", sheet, ref, got, text)
	}
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s type: %v", sheet, ref, err)
	}
	// Numbers are written without a type (the default, n) or as n.
	isNumber := typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber
	if number && !isNumber {
		t.Errorf("%s!%s has type %v, want a number", sheet, ref, typ)
	}
	if !number && isNumber && text != "" {
		t.Errorf("%s!%s is a number, want text", sheet, ref)
	}
}

func TestWorkbookCounty(t *testing.T) {
	data, err := WorkbookXLSX(countyView())
	if err != nil {
		t.Fatal(err)
	}
	f := openWorkbook(t, data)
	want := []string{"概况", "目录", "职权底数", "职权清理", "信息公开", "依申请公开", "办件", "好差评", "执法与许可"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	// 好差评: counts as numbers, the rates of satisfied and rectified.
	wantCell(t, f, "好差评", "B2", "8", true)
	for cell, v := range map[string]string{"B2": "5", "B3": "2", "B4": "3", "B5": "2", "B6": "23000", "B7": "3", "B8": "450", "B9": "4"} {
		wantCell(t, f, "执法与许可", cell, v, true)
	}
	wantCell(t, f, "好差评", "B3", "6", true)
	wantCell(t, f, "好差评", "B5", "2", true)
	wantCell(t, f, "好差评", "B6", "1", true)
	if v, _ := f.GetCellValue("好差评", "B4"); v != "75.0%" {
		t.Errorf("满意率 %q", v)
	}
	if v, _ := f.GetCellValue("好差评", "B7"); v != "50.0%" {
		t.Errorf("整改率 %q", v)
	}
	// 概况: title, period, status, and headline figures as numbers.
	wantCell(t, f, "概况", "A1", "项目", false)
	wantCell(t, f, "概况", "B1", "内容", false)
	wantCell(t, f, "概况", "B2", testTitle, false)
	wantCell(t, f, "概况", "B5", "2026年9月", false)
	wantCell(t, f, "概况", "B7", "已退回修改", false)
	rows, err := f.GetRows("概况")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for i, r := range rows {
		if len(r) == 2 {
			found[r[0]] = r[1]
			if r[0] == "受理办件（件）" {
				ref, _ := excelize.CoordinatesToCellName(2, i+1)
				wantCell(t, f, "概况", ref, "12", true)
			}
			if r[0] == "按时办结率" {
				ref, _ := excelize.CoordinatesToCellName(2, i+1)
				wantCell(t, f, "概况", ref, "0.875", true)
			}
		}
	}
	if found["审核意见"] != "请补充“存在问题”一节的具体数据。" || found["按时办结率"] != "87.5%" || found["受理办件（件）"] != "12" {
		t.Errorf("概况 rows: %v", found)
	}
	// 目录: one row per category and the total, counts as numbers.
	wantCell(t, f, "目录", "A1", "类别", false)
	wantCell(t, f, "目录", "B1", "目录事项（项）", false)
	wantCell(t, f, "目录", "A3", "行政职权事项", false)
	wantCell(t, f, "目录", "B3", "11", true)
	wantCell(t, f, "目录", "C3", "3", true)
	wantCell(t, f, "目录", "A5", "合计", false)
	wantCell(t, f, "目录", "B5", "33", true)
	wantCell(t, f, "目录", "C5", "8", true)
	// Service items: 2 in the catalog, none published → 0%, not blank.
	wantCell(t, f, "目录", "D4", "0", true)
	// 职权底数: type by clean-up result.
	wantCell(t, f, "职权底数", "B1", "保留", false)
	wantCell(t, f, "职权底数", "A2", "行政许可", false)
	wantCell(t, f, "职权底数", "B2", "2", true)
	wantCell(t, f, "职权底数", "A4", "合计", false)
	wantCell(t, f, "职权底数", "G4", "3", true)
	// 职权清理: before, decided, pending, each result, held after.
	wantCell(t, f, "职权清理", "A2", "清理前持有", false)
	wantCell(t, f, "职权清理", "B2", "11", true)
	wantCell(t, f, "职权清理", "B4", "7", true)
	wantCell(t, f, "职权清理", "A6", "其中：取消", false)
	wantCell(t, f, "职权清理", "B6", "1", true)
	wantCell(t, f, "职权清理", "B10", "2", true)
	// 信息公开 and 依申请公开.
	wantCell(t, f, "信息公开", "B2", "7", true)
	wantCell(t, f, "信息公开", "B8", "5.5", true)
	wantCell(t, f, "依申请公开", "B2", "4", true)
	wantCell(t, f, "依申请公开", "A6", "答复结果：予以公开（件）", false)
	wantCell(t, f, "依申请公开", "B6", "2", true)
	// 办件: per item decided, average and 90th percentile.
	for ref, v := range map[string]string{"A1": "事项编码", "B1": "事项名称", "C1": "作出决定（件）", "D1": "平均用时（工作日）", "E1": "90%分位用时（工作日）",
		"A2": "274", "B2": "烟花爆竹经营（零售）许可证核发"} {
		wantCell(t, f, "办件", ref, v, false)
	}
	wantCell(t, f, "办件", "C2", "5", true)
	wantCell(t, f, "办件", "D2", "6.4", true)
	wantCell(t, f, "办件", "E2", "11", true)
	wantCell(t, f, "办件", "D3", "2", true)
	// The percentage is shown as one.
	if s, _ := f.GetCellValue("目录", "D3"); s != "27.3%" {
		t.Errorf("formatted rate %q, want 27.3%%", s)
	}
	// Readable column widths: the item names are wider than the default.
	if w, _ := f.GetColWidth("办件", "B"); w < 25 {
		t.Errorf("办件!B width %v", w)
	}
	if props, err := f.GetDocProps(); err != nil || props.Title != testTitle {
		t.Errorf("doc title %+v %v", props, err)
	}
}

func TestWorkbookProvince(t *testing.T) {
	data, err := WorkbookXLSX(provinceView())
	if err != nil {
		t.Fatal(err)
	}
	f := openWorkbook(t, data)
	want := []string{"概况", "目录", "职权底数", "职权清理", "信息公开", "依申请公开", "办件", "好差评", "执法与许可", "各县对比", "月度趋势"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	// One row per county and the total.
	rows, _ := f.GetRows("各县对比")
	if len(rows) != 5 || rows[1][0] != "瑶海区" || rows[2][0] != "庐阳区" || rows[3][0] != "蜀山区" || rows[4][0] != "合计" {
		t.Fatalf("各县对比 rows %v", rows)
	}
	wantCell(t, f, "各县对比", "B2", "340102", false)
	wantCell(t, f, "各县对比", "P1", "按时办结率", false)
	wantCell(t, f, "各县对比", "P2", "0.875", true)
	wantCell(t, f, "各县对比", "P3", "0.5", true)
	wantCell(t, f, "各县对比", "P4", "", false) // no decisions: blank, not 0%
	wantCell(t, f, "各县对比", "N5", "12", true)
	wantCell(t, f, "各县对比", "O5", "9", true)
	wantCell(t, f, "各县对比", "P5", "0.75", true)
	// The province's items merge the counties' decisions.
	wantCell(t, f, "办件", "C2", "12", true)
	wantCell(t, f, "办件", "D2", "7.2", true)
	wantCell(t, f, "办件", "E2", "12", true)
	// Twelve months of trend.
	rows, _ = f.GetRows("月度趋势")
	if len(rows) != 13 || rows[1][0] != "2025-10" || rows[12][0] != "2026-09" {
		t.Fatalf("月度趋势 rows %v", rows)
	}
	wantCell(t, f, "月度趋势", "B13", "12", true)
	wantCell(t, f, "月度趋势", "D13", "0.75", true)
	wantCell(t, f, "月度趋势", "D2", "", false)
}

func TestPrintHTML(t *testing.T) {
	for name, v := range map[string]View{"county": countyView(), "province": provinceView()} {
		t.Run(name, func(t *testing.T) {
			data, err := PrintHTML(v)
			if err != nil {
				t.Fatal(err)
			}
			page := string(data)
			if dir := os.Getenv("PILOT_TEST_SHOTS"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, "report-"+name+".html"), data, 0o644)
			}
			if !strings.Contains(page, "<title>"+v.Title+"</title>") || !strings.Contains(page, `<h1 data-testid="report-title">`+v.Title+`</h1>`) {
				t.Errorf("no title in the page")
			}
			for _, bad := range []string{"<script", " style=", "<style", "http://cdn", "https://"} {
				if strings.Contains(strings.ToLower(page), bad) {
					t.Errorf("page contains %q", bad)
				}
			}
			if !strings.Contains(page, `<link rel="stylesheet" href="/static/app.css">`) {
				t.Error("no stylesheet link")
			}
			wantSVG := 1
			if name == "province" {
				wantSVG = 3
			}
			if n := strings.Count(page, "<svg "); n != wantSVG {
				t.Errorf("%d <svg> elements, want %d", n, wantSVG)
			}
			// Each SVG is well-formed XML with Chinese labels and values.
			for _, svg := range regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1) {
				dec := xml.NewDecoder(strings.NewReader(svg))
				var texts []string
				for {
					tok, err := dec.Token()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("svg not well-formed: %v\n%s", err, svg)
					}
					if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
						texts = append(texts, string(cd))
					}
				}
				if len(texts) < 4 {
					t.Errorf("svg has too few labels: %v", texts)
				}
			}
			for _, want := range []string{"一、经验做法", "二、存在问题", "三、下一步打算", "表1　概况", "表7　各事项办理用时", "烟花爆竹经营（零售）许可证核发"} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if name == "county" {
				// Narrative text is escaped, split into paragraphs.
				if !strings.Contains(page, "<p>二是&lt;推行&gt;网上办理。</p>") {
					t.Error("narrative paragraph not escaped or split")
				}
				for _, want := range []string{"请补充“存在问题”一节的具体数据。", "各事项平均办理用时", ">6.4<", "按时办结率87.5%"} {
					if !strings.Contains(page, want) {
						t.Errorf("county page lacks %q", want)
					}
				}
			} else {
				for _, want := range []string{"各试点县按时办结率", "按时办结率月度趋势", "表8　政务服务好差评", "表9　行政检查、行政处罚和行政许可", "表10　各试点县主要指标对比", "表11　", ">87.5%<", ">50%<", "本期无办结决定",
					">2026年<", ">1月<", "全省3个试点县"} {
					if !strings.Contains(page, want) {
						t.Errorf("province page lacks %q", want)
					}
				}
			}
		})
	}
}

func TestChartHelpers(t *testing.T) {
	end, ticks := niceAxis(6.4)
	if end != 8 || len(ticks) != 5 || ticks[4] != 8 {
		t.Errorf("niceAxis(6.4) = %v %v", end, ticks)
	}
	if end, ticks := niceAxis(0); end != 1 || len(ticks) != 2 {
		t.Errorf("niceAxis(0) = %v %v", end, ticks)
	}
	if end, _ := niceAxis(37); end != 40 {
		t.Errorf("niceAxis(37) = %v", end)
	}
	if s := truncateText("烟花爆竹经营（零售）许可证核发", 60, 12); s != "烟花爆竹…" {
		t.Errorf("truncate = %q", s)
	}
	empty := string(itemDaysChart(nil).SVG)
	if !strings.Contains(empty, "本期没有作出决定的办件") {
		t.Errorf("empty chart: %s", empty)
	}
}

// TestExportRoutes: "/:id.xlsx" and "/:id.html" take the id before the dot,
// run the region loader, and leave "/:id" to the JSON view.
func TestExportRoutes(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		if e, ok := apperr.As(err); ok {
			return c.Status(e.Status).SendString(e.Code)
		}
		return c.Status(500).SendString(err.Error())
	}})
	var loaded []string
	load := func(c *fiber.Ctx) (View, error) {
		loaded = append(loaded, c.Params("county")+"/"+c.Params("id"))
		id, err := reportID(c)
		if err != nil {
			return View{}, err
		}
		if c.Params("county") != "340102" || id != 12 {
			return View{}, apperr.ErrNotFound
		}
		return countyView(), nil
	}
	a := &API{}
	g := app.Group("/api/v1/counties/:county/reports")
	reads := 0
	read := func(c *fiber.Ctx) error { reads++; return c.Next() }
	a.mountReport(g, read, load)

	get := func(path string) (int, string, string, []byte) {
		res, err := app.Test(httptest.NewRequest("GET", path, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), body
	}
	status, ctype, disp, body := get("/api/v1/counties/340102/reports/12.xlsx")
	if status != 200 || ctype != xlsxType || !bytes.HasPrefix(body, []byte("PK")) {
		t.Fatalf("xlsx: %d %s %q", status, ctype, body[:min(len(body), 40)])
	}
	if !strings.HasPrefix(disp, `attachment; filename="report-12.xlsx"; filename*=UTF-8''`) {
		t.Errorf("xlsx disposition %q", disp)
	}
	if name, err := url.PathUnescape(strings.SplitN(disp, "''", 2)[1]); err != nil || name != testTitle+".xlsx" {
		t.Errorf("xlsx file name %q %v", name, err)
	}
	openWorkbook(t, body)
	status, ctype, disp, body = get("/api/v1/counties/340102/reports/12.html")
	if status != 200 || ctype != "text/html; charset=utf-8" || !strings.Contains(string(body), "<svg ") ||
		!strings.HasPrefix(disp, `inline; filename="report-12.html"`) {
		t.Fatalf("html: %d %s %s", status, ctype, disp)
	}
	// The JSON view keeps /:id; the loader guards every view.
	if status, ctype, _, _ = get("/api/v1/counties/340102/reports/12"); status != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Errorf("json view: %d %s", status, ctype)
	}
	for _, p := range []string{"/api/v1/counties/340103/reports/12.xlsx", "/api/v1/counties/340103/reports/12.html",
		"/api/v1/counties/340102/reports/13.xlsx", "/api/v1/counties/340102/reports/x.html", "/api/v1/counties/340102/reports/12.pdf"} {
		if status, _, _, body := get(p); status != 404 {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
	wantLoaded := "340102/12 340102/12 340102/12 340103/12 340103/12 340102/13 340102/x 340102/12.pdf"
	if got := strings.Join(loaded, " "); got != wantLoaded {
		t.Errorf("loader saw %s, want %s", got, wantLoaded)
	}
	if reads != len(loaded) {
		t.Errorf("permission checked %d times for %d requests", reads, len(loaded))
	}
}
