package reports_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// rptToday is today in Beijing, the date a report period is chosen by.
func rptToday() string { return time.Now().In(e2e.Beijing).Format("2006-01-02") }

// rptPeriodEnded moves the reports' clock to the first day of next month,
// when this month's period has ended, and compiles the report at path
// again: its figures are then final and it may be submitted.
func rptPeriodEnded(s *e2e.Service, token, path string) {
	s.T.Helper()
	now := time.Now().In(e2e.Beijing)
	next := time.Date(now.Year(), now.Month()+1, 1, 10, 0, 0, 0, e2e.Beijing)
	s.Svc.Reports.Now = func() time.Time { return next }
	rptCompile(s, token, path)
}

// rptDecidedCase opens a paper case of item 274 received days ago and takes
// it to an approval today, so the period has a decided case to chart.
func rptDecidedCase(s *e2e.Service, d e2e.CaseDesk, daysAgo int) {
	s.T.Helper()
	received := time.Now().In(e2e.Beijing).AddDate(0, 0, -daysAgo).Format("2006-01-02")
	c := s.NewCase(d.Clerk, d.County, e2e.CaseBody("274", "received_on", received))
	s.MustAct(d.Clerk, d.County, c.ID, "accept")
	s.MustAct(d.Clerk, d.County, c.ID, "advance")
	s.MustAct(d.Clerk, d.County, c.ID, "advance")
	if v := s.MustAct(d.Reviewer, d.County, c.ID, "approve"); v.Status != "approved" {
		s.T.Fatalf("case not approved: %s", v.Status)
	}
}

// rptCompile compiles a report of this month through the API and returns
// its id and title.
func rptCompile(s *e2e.Service, token, path string) (int64, string) {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", path, token, map[string]string{"period_kind": "month", "date": rptToday()}))
	id, title := e2e.Num(r.Body["id"]), r.Body["title"].(string)
	if id == 0 || title == "" {
		s.T.Fatalf("compiled report: %s", r.Raw)
	}
	return id, title
}

// rptEval evaluates a script on the tab's page.
func rptEval[T any](b *e2e.Tab, script string) T {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](script))
	if err != nil {
		b.T.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

// rptChartsDrawn checks the page has n SVG charts, each laid out with a
// non-zero box, with text drawn and at least one mark (bar or point).
func rptChartsDrawn(b *e2e.Tab, n int) {
	b.T.Helper()
	type box struct {
		W, H         float64
		Texts, Marks int
		Label        string
	}
	boxes := rptEval[[]box](b, `Array.from(document.querySelectorAll("svg.chart")).map(s => {
		const r = s.getBoundingClientRect();
		return {W: r.width, H: r.height, Texts: s.querySelectorAll("text").length,
			Marks: s.querySelectorAll("rect[fill='#0b5394'], circle").length, Label: s.getAttribute("aria-label")};
	})`)
	if len(boxes) != n {
		b.T.Fatalf("%d charts at %s, want %d", len(boxes), b.Path(), n)
	}
	for _, c := range boxes {
		if c.W < 200 || c.H < 50 || c.Texts < 4 || c.Marks < 1 {
			b.T.Errorf("chart %q not drawn: %+v", c.Label, c)
		}
	}
}

// rptPDFTitle reads the document title from a PDF's information dictionary:
// a literal string (with escapes) or a hex string, in UTF-16BE when it
// starts with the byte-order mark.
func rptPDFTitle(pdf []byte) (string, bool) {
	m := regexp.MustCompile(`/Title\s*(\(|<)`).FindIndex(pdf)
	if m == nil {
		return "", false
	}
	var raw []byte
	if pdf[m[1]-1] == '<' {
		end := bytes.IndexByte(pdf[m[1]:], '>')
		if end < 0 {
			return "", false
		}
		h := regexp.MustCompile(`\s+`).ReplaceAll(pdf[m[1]:m[1]+end], nil)
		var err error
		if raw, err = hex.DecodeString(string(h)); err != nil {
			return "", false
		}
	} else {
		depth := 1
		for i := m[1]; i < len(pdf) && depth > 0; i++ {
			ch := pdf[i]
			switch {
			case ch == '\\' && i+1 < len(pdf):
				i++
				switch e := pdf[i]; e {
				case 'n':
					raw = append(raw, '\n')
				case 'r':
					raw = append(raw, '\r')
				case 't':
					raw = append(raw, '\t')
				case 'b':
					raw = append(raw, '\b')
				case 'f':
					raw = append(raw, '\f')
				case '0', '1', '2', '3', '4', '5', '6', '7':
					j := i
					for j < len(pdf) && j < i+3 && pdf[j] >= '0' && pdf[j] <= '7' {
						j++
					}
					v, _ := strconv.ParseUint(string(pdf[i:j]), 8, 8)
					raw = append(raw, byte(v))
					i = j - 1
				default:
					raw = append(raw, e)
				}
			case ch == '(':
				depth++
				raw = append(raw, ch)
			case ch == ')':
				depth--
				if depth > 0 {
					raw = append(raw, ch)
				}
			default:
				raw = append(raw, ch)
			}
		}
	}
	if len(raw) >= 2 && raw[0] == 0xfe && raw[1] == 0xff {
		u := make([]uint16, 0, len(raw)/2)
		for i := 2; i+1 < len(raw); i += 2 {
			u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
		}
		return string(utf16.Decode(u)), true
	}
	return string(raw), true
}

// rptPrint prints the tab's page to PDF as a user would (A4 from the page's
// CSS), checks the file and its title, and keeps it beside the screenshots.
func rptPrint(b *e2e.Tab, name, title string) []byte {
	b.T.Helper()
	pdf, err := chromedp.Run(b.Ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		b.T.Fatalf("print %s: %v", name, err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		b.T.Fatalf("%s: not a PDF: %q", name, pdf[:min(len(pdf), 16)])
	}
	if got, ok := rptPDFTitle(pdf); !ok || got != title {
		b.T.Errorf("%s: PDF title %q (found %v), want %q", name, got, ok, title)
	}
	// A4 is 595.28 × 841.89 pt; Chromium rounds to whole CSS pixels.
	box := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`).FindSubmatch(pdf)
	if box == nil {
		b.T.Errorf("%s: no MediaBox", name)
	} else {
		w, _ := strconv.ParseFloat(string(box[1]), 64)
		h, _ := strconv.ParseFloat(string(box[2]), 64)
		if w < 593 || w > 597 || h < 840 || h > 844 {
			b.T.Errorf("%s: page %.1f × %.1f pt, want A4 (595 × 842)", name, w, h)
		}
	}
	if err := os.MkdirAll(rptShotsDir(), 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(rptShotsDir(), name+".pdf"), pdf, 0o644)
	}
	return pdf
}

// rptPrintShot photographs the page as print media at the width of an A4
// sheet (794 CSS pixels), to look at the printed layout.
func rptPrintShot(b *e2e.Tab, name string) {
	b.T.Helper()
	media := func(m string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return chromedp.Void{}, err
		}
	}
	if err := chromedp.Do(b.Ctx, media("print"), chromedp.EmulateViewport(794, 1123)); err != nil {
		b.T.Fatalf("print media: %v", err)
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.T.Fatalf("print screenshot: %v", err)
	}
	if err := os.MkdirAll(rptShotsDir(), 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(rptShotsDir(), name+"-print.png"), png, 0o644)
	}
	if err := chromedp.Do(b.Ctx, media(""), chromedp.ResetViewport()); err != nil {
		b.T.Fatalf("reset media: %v", err)
	}
}

// TestReportsBrowserExport: a county with a published item and a decided
// case compiles this month's report; its page shows the figures and the
// chart, and the print-ready export renders its SVG chart and prints to an
// A4 PDF titled like the report.
func TestReportsBrowserExport(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	d := s.CaseDesk(county)
	rptDecidedCase(s, d, 8)
	id, title := rptCompile(s, d.Admin, "/api/v1/counties/"+county+"/reports")
	if !strings.HasPrefix(title, "瑶海区安全生产政务公开和政务服务试点工作总结（") {
		t.Fatalf("title %q", title)
	}

	b := e2e.NewTab(t, browser, base)
	b.SignIn(s.Username(d.Admin), e2e.CountyPassword)
	b.Open("/counties/" + county + "/reports")
	if row := b.Text(fmt.Sprintf("[data-testid=report-row-%d]", id)); !strings.Contains(row, title) || !strings.Contains(row, "草稿") {
		t.Errorf("list row %q", row)
	}
	b.Screenshots("reports-county-list")

	page := fmt.Sprintf("/counties/%s/reports/%d", county, id)
	b.Open(page)
	if h := b.Text("[data-testid=report-title]"); h != title {
		t.Errorf("page heading %q, want %q", h, title)
	}
	if st := b.Text("[data-testid=report-status]"); st != "草稿" {
		t.Errorf("status %q", st)
	}
	if row := b.Text("[data-testid=table-items] tbody tr"); !strings.Contains(row, "274") || !strings.Contains(row, "烟花爆竹经营（零售）许可证核发") {
		t.Errorf("items row %q", row)
	}
	if lead := b.Text("[data-testid=lead]"); !strings.Contains(lead, "作出决定1件") {
		t.Errorf("lead %q", lead)
	}
	rptChartsDrawn(b, 1)
	b.Fill("experience", "一是对照国家基本目录逐项梳理。\n二是全部事项进驻政务服务中心。")
	b.Submit("#narrative-save")
	b.WantPath(page)
	if f := b.Text("main .flash"); f != "已保存。" {
		t.Errorf("flash %q", f)
	}
	b.Open(page)
	b.Screenshots("report-county")

	// The links of the page lead to the exports.
	href := rptEval[string](b, `document.querySelector("#export-html").getAttribute("href")`)
	if want := fmt.Sprintf("/api/v1/counties/%s/reports/%d.html", county, id); href != want {
		t.Fatalf("print link %q, want %q", href, want)
	}
	if x := rptEval[string](b, `document.querySelector("#export-xlsx").getAttribute("href")`); x != strings.TrimSuffix(href, ".html")+".xlsx" {
		t.Errorf("xlsx link %q", x)
	}
	b.Open(href)
	if got := rptEval[string](b, `document.title`); got != title {
		t.Errorf("export title %q, want %q", got, title)
	}
	if n := rptEval[int](b, `document.querySelectorAll("script").length`); n != 0 {
		t.Errorf("%d scripts in the export", n)
	}
	rptChartsDrawn(b, 1)
	if p := b.Text("[data-testid=narrative-experience]"); !strings.Contains(p, "二是全部事项进驻政务服务中心。") {
		t.Errorf("narrative in the export %q", p)
	}
	// The stylesheet applied (the page is not the browser's default serif).
	if bg := rptEval[string](b, `getComputedStyle(document.querySelector(".report-head")).textAlign`); bg != "center" {
		t.Errorf("report head not styled (text-align %q)", bg)
	}
	b.Screenshots("report-county-export")
	rptPrintShot(b, "report-county-export")
	rptPrint(b, "report-county", title)
}

// TestReportsBrowserWorkflow: the county submits (refused without the three
// parts of the narrative, with the text kept; a stale window then gets 409),
// the province returns it with a comment (refused without one) and accepts
// the resubmission.
func TestReportsBrowserWorkflow(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	d := s.CaseDesk(county)
	rptDecidedCase(s, d, 5)
	id, title := rptCompile(s, d.Admin, "/api/v1/counties/"+county+"/reports")
	countyUser := s.Username(d.Admin)
	page := fmt.Sprintf("/counties/%s/reports/%d", county, id)
	s.ProvinceUser("34", "rpt_prov34", "province_admin")
	rptPeriodEnded(s, d.Admin, "/api/v1/counties/"+county+"/reports")

	b := e2e.NewTab(t, browser, base)
	b.SignIn(countyUser, e2e.CountyPassword)
	stale := e2e.NewTab(t, browser, base)
	stale.SignIn(countyUser, e2e.CountyPassword)
	stale.Open(page)

	// Submitting with only one part filled in is refused; the text stays.
	b.Open(page)
	b.Fill("experience", "建立目录动态调整机制。")
	if status := b.Click("#report-submit"); status != 400 {
		t.Errorf("incomplete submit: HTTP %d, want 400", status)
	}
	if msg := b.Text("[data-testid=report-error]"); !strings.Contains(msg, "上报前请填写") {
		t.Errorf("error %q", msg)
	}
	if v := b.Value("experience"); v != "建立目录动态调整机制。" {
		t.Errorf("experience after the refusal %q", v)
	}
	if st := b.Text("[data-testid=report-status]"); st != "草稿" {
		t.Errorf("status after the refusal %q", st)
	}
	b.Fill("problems", "个别事项办理时限压缩不足。")
	b.Fill("next_steps", "下季度完成全部事项的流程再造。")
	b.Submit("#report-submit")
	b.WantPath(page)
	if st := b.Text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("status after submitting %q", st)
	}
	if n := b.Count("#experience"); n != 0 {
		t.Errorf("narrative form still shown after submitting")
	}

	// The stale window's save is refused with 409 and shows the report frozen.
	stale.Fill("experience", "过时的修改")
	if status := stale.Click("#narrative-save"); status != 409 {
		t.Errorf("stale save: HTTP %d, want 409", status)
	}
	if msg := stale.Text("[data-testid=report-error]"); !strings.Contains(msg, "报告已上报，不能再修改") {
		t.Errorf("stale error %q", msg)
	}
	if st := stale.Text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("stale status %q", st)
	}

	// The province reviews: returning needs a comment.
	p := e2e.NewTab(t, browser, base)
	p.SignIn("rpt_prov34", "Prov#Pass2026x")
	p.Open("/provinces/34/reports")
	if n := p.Text("[data-testid=pending-count]"); n != "待审核 1" {
		t.Errorf("pending %q", n)
	}
	p.Submit(fmt.Sprintf("[data-testid=report-row-%d] a", id))
	provPage := fmt.Sprintf("/provinces/34/reports/%d", id)
	p.WantPath(provPage)
	if h := p.Text("[data-testid=report-title]"); h != title {
		t.Errorf("province sees %q", h)
	}
	if status := p.Click("#review-return"); status != 400 {
		t.Errorf("return without comment: HTTP %d, want 400", status)
	}
	if msg := p.Text("[data-testid=comment-error]"); !strings.Contains(msg, "退回须填写意见") {
		t.Errorf("comment error %q", msg)
	}
	p.Fill("comment", "请补充办件按时率的分析。")
	p.Submit("#review-return")
	if st := p.Text("[data-testid=report-status]"); st != "已退回修改" {
		t.Errorf("status after returning %q", st)
	}

	// The county sees the comment, edits and resubmits.
	b.Open(page)
	if c := b.Text("[data-testid=review-comment]"); !strings.Contains(c, "请补充办件按时率的分析。") {
		t.Errorf("county sees comment %q", c)
	}
	if v := b.Value("experience"); v != "建立目录动态调整机制。" {
		t.Errorf("returned report's text %q", v)
	}
	b.Fill("problems", "按时率分析：本月办件全部按时办结。")
	b.Submit("#report-submit")
	if st := b.Text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("status after resubmitting %q", st)
	}

	p.Open(provPage)
	p.Fill("comment", "同意。")
	p.Submit("#review-accept")
	if st := p.Text("[data-testid=report-status]"); st != "省级已审核" {
		t.Errorf("status after accepting %q", st)
	}
	if n := p.Count("#review-accept"); n != 0 {
		t.Errorf("review form still shown after accepting")
	}

	p.Open("/provinces/34/reports")
	p.Screenshots("reports-province-list")
}

// TestReportsBrowserProvince: the province compiles its own report on the
// page, with the county comparison and trend charts, and submits it upward,
// where the national administrator reads it and prints it.
func TestReportsBrowserProvince(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	d := s.CaseDesk(county)
	rptDecidedCase(s, d, 6)
	s.Onboard("34", "340103") // a second pilot county, without cases
	s.ProvinceUser("34", "rpt_prov34", "province_admin")

	p := e2e.NewTab(t, browser, base)
	p.SignIn("rpt_prov34", "Prov#Pass2026x")
	p.Open("/provinces/34/reports")
	p.Submit("#compile-submit")
	if !regexp.MustCompile(`^/provinces/34/reports/\d+$`).MatchString(strings.SplitN(p.Path(), "?", 2)[0]) {
		t.Fatalf("after compiling: %s", p.Path())
	}
	provReport := strings.SplitN(p.Path(), "?", 2)[0]
	provTitle := p.Text("[data-testid=report-title]")
	if !strings.HasPrefix(provTitle, "安徽省安全生产政务公开和政务服务试点工作总结（") {
		t.Errorf("province title %q", provTitle)
	}
	rptChartsDrawn(p, 3)
	if row := p.Text("[data-testid=table-counties] tbody tr"); !strings.Contains(row, "瑶海区") || !strings.Contains(row, "100%") {
		t.Errorf("county comparison row %q", row)
	}
	if n := p.Count("[data-testid=table-counties] tbody tr"); n != 3 {
		t.Errorf("county comparison has %d rows, want 2 counties and the total", n)
	}
	// The month ends; the province compiles its report again and submits it.
	rptPeriodEnded(s, s.Login("rpt_prov34", "Prov#Pass2026x"), "/api/v1/provinces/34/reports")
	p.Open(provReport)
	p.Fill("experience", "全省统一部署，分县推进。")
	p.Fill("problems", "各县进度不一。")
	p.Fill("next_steps", "加强督导检查。")
	p.Submit("#report-submit")
	if st := p.Text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("province status %q", st)
	}

	// The national administrator reads it.
	n := e2e.NewTab(t, browser, base)
	n.SignIn("admin", e2e.AdminPassword)
	n.Open("/national/reports")
	provID := provReport[strings.LastIndexByte(provReport, '/')+1:]
	if row := n.Text("[data-testid=report-row-" + provID + "]"); !strings.Contains(row, provTitle) || !strings.Contains(row, "已上报") {
		t.Errorf("national row %q", row)
	}
	n.Screenshots("reports-national-list")
	n.Open("/national/reports/" + provID)
	if p := n.Text("[data-testid=narrative-experience]"); !strings.Contains(p, "全省统一部署，分县推进。") {
		t.Errorf("national sees narrative %q", p)
	}
	if c := n.Count("form[action$='/narrative'], #review-accept"); c != 0 {
		t.Errorf("national page shows %d forms", c)
	}
	n.Open("/api/v1/national/reports/" + provID + ".html")
	if got := rptEval[string](n, `document.title`); got != provTitle {
		t.Errorf("province export title %q", got)
	}
	rptChartsDrawn(n, 3)
	n.Screenshots("report-province-export")
	rptPrintShot(n, "report-province-export")
	rptPrint(n, "report-province", provTitle)
}

// TestReportExports: the exports answer with the right types and names, as
// numbers, only within the path's region, and only for what the JSON view
// would show.
func TestReportExports(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		d := s.CaseDesk(county)
		rptDecidedCase(s, d, 3)
		id, title := rptCompile(s, d.Admin, "/api/v1/counties/"+county+"/reports")
		other := s.Onboard("34", "340103")
		base := fmt.Sprintf("/api/v1/counties/%s/reports/%d", county, id)

		r := s.Must(200, s.Do("GET", base+".xlsx", d.Clerk, nil))
		if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("xlsx content type %q", ct)
		}
		disp := r.Header.Get("Content-Disposition")
		parts := strings.SplitN(disp, "filename*=UTF-8''", 2)
		if len(parts) != 2 || !strings.HasPrefix(disp, fmt.Sprintf(`attachment; filename="report-%d.xlsx"`, id)) {
			t.Fatalf("xlsx disposition %q", disp)
		}
		if name, err := url.PathUnescape(parts[1]); err != nil || name != title+".xlsx" {
			t.Errorf("xlsx file name %q (%v)", name, err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Raw))
		if err != nil {
			t.Fatalf("open xlsx: %v", err)
		}
		defer f.Close()
		if sheets := strings.Join(f.GetSheetList(), ","); sheets != "概况,目录,职权底数,职权清理,信息公开,依申请公开,办件,好差评,执法与许可" {
			t.Errorf("sheets %s", sheets)
		}
		if v, _ := f.GetCellValue("办件", "A2"); v != "274" {
			t.Errorf("办件!A2 = %q", v)
		}
		if v, _ := f.GetCellValue("办件", "C2"); v != "1" {
			t.Errorf("办件!C2 = %q", v)
		}
		if typ, _ := f.GetCellType("办件", "C2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("办件!C2 is not a number (%v)", typ)
		}

		h := s.Must(200, s.Do("GET", base+".html", d.Reviewer, nil))
		page := string(h.Raw)
		if ct := h.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(page, "<title>"+title+"</title>") ||
			!strings.Contains(page, "<svg ") || strings.Contains(page, "<script") {
			t.Errorf("html export: %s", ct)
		}
		if csp := h.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
		// The JSON view is still /:id.
		if j := s.Must(200, s.Do("GET", base, d.Clerk, nil)); e2e.Num(j.Body["id"]) != id {
			t.Errorf("json view %s", j.Raw)
		}

		// Another county's user, another county's path, a province that has
		// not received it (a draft), the nation (not a provincial report):
		// not found; no sign-in: 401.
		for _, c := range []struct {
			path, token string
			status      int
		}{
			{base + ".xlsx", other, 403},
			{fmt.Sprintf("/api/v1/counties/340103/reports/%d.xlsx", id), other, 404},
			{fmt.Sprintf("/api/v1/counties/340103/reports/%d.html", id), other, 404},
			{fmt.Sprintf("/api/v1/provinces/34/reports/%d.xlsx", id), s.AdminToken(), 404},
			{fmt.Sprintf("/api/v1/national/reports/%d.html", id), s.AdminToken(), 404},
			{base + ".pdf", d.Clerk, 404},
			{base + ".html", "", 401},
		} {
			if r := s.Do("GET", c.path, c.token, nil); r.Status != c.status {
				t.Errorf("GET %s: %d, want %d: %s", c.path, r.Status, c.status, r.Raw)
			}
		}
		// Once submitted, the province sees it and its exports. A report of
		// a period under way is interim and cannot be submitted; compiled
		// again once the month is over, it can.
		s.Must(200, s.Do("PUT", base+"/narrative", d.Admin, map[string]string{"experience": "甲", "problems": "乙", "next_steps": "丙"}))
		if r := s.Do("POST", base+"/submit", d.Admin, nil); r.Status != 409 || r.ErrorCode() != "report_interim" {
			t.Fatalf("submitting an interim report: %d %s", r.Status, r.Raw)
		}
		if r := s.Must(200, s.Do("GET", base, d.Admin, nil)); r.Body["interim"] != true || r.Body["figures_as_of"] != rptToday() {
			t.Errorf("an interim report: %s", r.Raw)
		}
		if page := string(s.Must(200, s.Do("GET", base+".html", d.Admin, nil)).Raw); !strings.Contains(page, `data-testid="report-interim"`) {
			t.Errorf("the print version does not say the figures are interim")
		}
		rptPeriodEnded(s, d.Admin, "/api/v1/counties/"+county+"/reports")
		if r := s.Must(200, s.Do("GET", base, d.Admin, nil)); r.Body["interim"] != false {
			t.Errorf("a report compiled after its period: %s", r.Raw)
		}
		s.Must(200, s.Do("POST", base+"/submit", d.Admin, nil))
		s.Must(200, s.Do("GET", fmt.Sprintf("/api/v1/provinces/34/reports/%d.xlsx", id), s.AdminToken(), nil))
		s.Must(200, s.Do("GET", fmt.Sprintf("/api/v1/provinces/34/reports/%d.html", id), s.AdminToken(), nil))
	})
}

// rptShotsDir is where screenshots and PDFs go (see tab.screenshots).
func rptShotsDir() string {
	if dir := os.Getenv("PILOT_TEST_SHOTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "shots")
}
