package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
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
func rptToday() string { return time.Now().In(beijing).Format("2006-01-02") }

// rptUsername is the username of the signed-in user of a token.
func (s *testService) rptUsername(token string) string {
	s.t.Helper()
	r := s.must(200, s.do("GET", "/api/v1/session", token, nil))
	u, _ := r.Body["user"].(map[string]any)
	name, _ := u["username"].(string)
	if name == "" {
		s.t.Fatalf("no username in %s", r.Raw)
	}
	return name
}

// rptDecidedCase opens a paper case of item 274 received days ago and takes
// it to an approval today, so the period has a decided case to chart.
func (s *testService) rptDecidedCase(d caseDesk, daysAgo int) {
	s.t.Helper()
	received := time.Now().In(beijing).AddDate(0, 0, -daysAgo).Format("2006-01-02")
	c := s.newCase(d.clerk, d.county, caseBody("274", "received_on", received))
	s.mustAct(d.clerk, d.county, c.ID, "accept")
	s.mustAct(d.clerk, d.county, c.ID, "advance")
	s.mustAct(d.clerk, d.county, c.ID, "advance")
	if v := s.mustAct(d.reviewer, d.county, c.ID, "approve"); v.Status != "approved" {
		s.t.Fatalf("case not approved: %s", v.Status)
	}
}

// rptCompile compiles a report of this month through the API and returns
// its id and title.
func (s *testService) rptCompile(token, path string) (int64, string) {
	s.t.Helper()
	r := s.must(201, s.do("POST", path, token, map[string]string{"period_kind": "month", "date": rptToday()}))
	id, title := num(r.Body["id"]), r.Body["title"].(string)
	if id == 0 || title == "" {
		s.t.Fatalf("compiled report: %s", r.Raw)
	}
	return id, title
}

// rptEval evaluates a script on the tab's page.
func rptEval[T any](b *tab, script string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](script))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

// rptChartsDrawn checks the page has n SVG charts, each laid out with a
// non-zero box, with text drawn and at least one mark (bar or point).
func rptChartsDrawn(b *tab, n int) {
	b.t.Helper()
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
		b.t.Fatalf("%d charts at %s, want %d", len(boxes), b.path(), n)
	}
	for _, c := range boxes {
		if c.W < 200 || c.H < 50 || c.Texts < 4 || c.Marks < 1 {
			b.t.Errorf("chart %q not drawn: %+v", c.Label, c)
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
func rptPrint(b *tab, name, title string) []byte {
	b.t.Helper()
	pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		b.t.Fatalf("print %s: %v", name, err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		b.t.Fatalf("%s: not a PDF: %q", name, pdf[:min(len(pdf), 16)])
	}
	if got, ok := rptPDFTitle(pdf); !ok || got != title {
		b.t.Errorf("%s: PDF title %q (found %v), want %q", name, got, ok, title)
	}
	// A4 is 595.28 × 841.89 pt; Chromium rounds to whole CSS pixels.
	box := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`).FindSubmatch(pdf)
	if box == nil {
		b.t.Errorf("%s: no MediaBox", name)
	} else {
		w, _ := strconv.ParseFloat(string(box[1]), 64)
		h, _ := strconv.ParseFloat(string(box[2]), 64)
		if w < 593 || w > 597 || h < 840 || h > 844 {
			b.t.Errorf("%s: page %.1f × %.1f pt, want A4 (595 × 842)", name, w, h)
		}
	}
	if err := os.MkdirAll(rptShotsDir(), 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(rptShotsDir(), name+".pdf"), pdf, 0o644)
	}
	return pdf
}

// rptPrintShot photographs the page as print media at the width of an A4
// sheet (794 CSS pixels), to look at the printed layout.
func rptPrintShot(b *tab, name string) {
	b.t.Helper()
	media := func(m string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return chromedp.Void{}, err
		}
	}
	if err := chromedp.Do(b.ctx, media("print"), chromedp.EmulateViewport(794, 1123)); err != nil {
		b.t.Fatalf("print media: %v", err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("print screenshot: %v", err)
	}
	if err := os.MkdirAll(rptShotsDir(), 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(rptShotsDir(), name+"-print.png"), png, 0o644)
	}
	if err := chromedp.Do(b.ctx, media(""), chromedp.ResetViewport()); err != nil {
		b.t.Fatalf("reset media: %v", err)
	}
}

// TestReportsBrowserExport: a county with a published item and a decided
// case compiles this month's report; its page shows the figures and the
// chart, and the print-ready export renders its SVG chart and prints to an
// A4 PDF titled like the report.
func TestReportsBrowserExport(t *testing.T) {
	path := chromiumPath(t)
	s, base := serveForBrowser(t)
	const county = "340102"
	d := s.caseDesk(county)
	s.rptDecidedCase(d, 8)
	id, title := s.rptCompile(d.admin, "/api/v1/counties/"+county+"/reports")
	if !strings.HasPrefix(title, "瑶海区安全生产政务公开和政务服务试点工作总结（") {
		t.Fatalf("title %q", title)
	}
	browser := newBrowser(t, path)

	b := newTab(t, browser, base)
	b.signIn(s.rptUsername(d.admin), countyPassword)
	b.open("/counties/" + county + "/reports")
	if row := b.text(fmt.Sprintf("[data-testid=report-row-%d]", id)); !strings.Contains(row, title) || !strings.Contains(row, "草稿") {
		t.Errorf("list row %q", row)
	}
	b.screenshots("reports-county-list")

	page := fmt.Sprintf("/counties/%s/reports/%d", county, id)
	b.open(page)
	if h := b.text("[data-testid=report-title]"); h != title {
		t.Errorf("page heading %q, want %q", h, title)
	}
	if st := b.text("[data-testid=report-status]"); st != "草稿" {
		t.Errorf("status %q", st)
	}
	if row := b.text("[data-testid=table-items] tbody tr"); !strings.Contains(row, "274") || !strings.Contains(row, "烟花爆竹经营（零售）许可证核发") {
		t.Errorf("items row %q", row)
	}
	if lead := b.text("[data-testid=lead]"); !strings.Contains(lead, "作出决定1件") {
		t.Errorf("lead %q", lead)
	}
	rptChartsDrawn(b, 1)
	b.fill("experience", "一是对照国家基本目录逐项梳理。\n二是全部事项进驻政务服务中心。")
	b.submit("#narrative-save")
	b.wantPath(page)
	if f := b.text("main .flash"); f != "已保存。" {
		t.Errorf("flash %q", f)
	}
	b.open(page)
	b.screenshots("report-county")

	// The links of the page lead to the exports.
	href := rptEval[string](b, `document.querySelector("#export-html").getAttribute("href")`)
	if want := fmt.Sprintf("/api/v1/counties/%s/reports/%d.html", county, id); href != want {
		t.Fatalf("print link %q, want %q", href, want)
	}
	if x := rptEval[string](b, `document.querySelector("#export-xlsx").getAttribute("href")`); x != strings.TrimSuffix(href, ".html")+".xlsx" {
		t.Errorf("xlsx link %q", x)
	}
	b.open(href)
	if got := rptEval[string](b, `document.title`); got != title {
		t.Errorf("export title %q, want %q", got, title)
	}
	if n := rptEval[int](b, `document.querySelectorAll("script").length`); n != 0 {
		t.Errorf("%d scripts in the export", n)
	}
	rptChartsDrawn(b, 1)
	if p := b.text("[data-testid=narrative-experience]"); !strings.Contains(p, "二是全部事项进驻政务服务中心。") {
		t.Errorf("narrative in the export %q", p)
	}
	// The stylesheet applied (the page is not the browser's default serif).
	if bg := rptEval[string](b, `getComputedStyle(document.querySelector(".report-head")).textAlign`); bg != "center" {
		t.Errorf("report head not styled (text-align %q)", bg)
	}
	b.screenshots("report-county-export")
	rptPrintShot(b, "report-county-export")
	rptPrint(b, "report-county", title)
}

// TestReportsBrowserWorkflow: the county submits (refused without the three
// parts of the narrative, with the text kept; a stale window then gets 409),
// the province returns it with a comment (refused without one) and accepts
// the resubmission.
func TestReportsBrowserWorkflow(t *testing.T) {
	path := chromiumPath(t)
	s, base := serveForBrowser(t)
	const county = "340102"
	d := s.caseDesk(county)
	s.rptDecidedCase(d, 5)
	id, title := s.rptCompile(d.admin, "/api/v1/counties/"+county+"/reports")
	countyUser := s.rptUsername(d.admin)
	page := fmt.Sprintf("/counties/%s/reports/%d", county, id)
	s.provinceUser("34", "rpt_prov34", "province_admin")
	browser := newBrowser(t, path)

	b := newTab(t, browser, base)
	b.signIn(countyUser, countyPassword)
	stale := newTab(t, browser, base)
	stale.signIn(countyUser, countyPassword)
	stale.open(page)

	// Submitting with only one part filled in is refused; the text stays.
	b.open(page)
	b.fill("experience", "建立目录动态调整机制。")
	if status := b.click("#report-submit"); status != 400 {
		t.Errorf("incomplete submit: HTTP %d, want 400", status)
	}
	if msg := b.text("[data-testid=report-error]"); !strings.Contains(msg, "上报前请填写") {
		t.Errorf("error %q", msg)
	}
	if v := b.value("experience"); v != "建立目录动态调整机制。" {
		t.Errorf("experience after the refusal %q", v)
	}
	if st := b.text("[data-testid=report-status]"); st != "草稿" {
		t.Errorf("status after the refusal %q", st)
	}
	b.fill("problems", "个别事项办理时限压缩不足。")
	b.fill("next_steps", "下季度完成全部事项的流程再造。")
	b.submit("#report-submit")
	b.wantPath(page)
	if st := b.text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("status after submitting %q", st)
	}
	if n := b.count("#experience"); n != 0 {
		t.Errorf("narrative form still shown after submitting")
	}

	// The stale window's save is refused with 409 and shows the report frozen.
	stale.fill("experience", "过时的修改")
	if status := stale.click("#narrative-save"); status != 409 {
		t.Errorf("stale save: HTTP %d, want 409", status)
	}
	if msg := stale.text("[data-testid=report-error]"); !strings.Contains(msg, "报告已上报，不能再修改") {
		t.Errorf("stale error %q", msg)
	}
	if st := stale.text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("stale status %q", st)
	}

	// The province reviews: returning needs a comment.
	p := newTab(t, browser, base)
	p.signIn("rpt_prov34", "Prov#Pass2026x")
	p.open("/provinces/34/reports")
	if n := p.text("[data-testid=pending-count]"); n != "待审核 1" {
		t.Errorf("pending %q", n)
	}
	p.submit(fmt.Sprintf("[data-testid=report-row-%d] a", id))
	provPage := fmt.Sprintf("/provinces/34/reports/%d", id)
	p.wantPath(provPage)
	if h := p.text("[data-testid=report-title]"); h != title {
		t.Errorf("province sees %q", h)
	}
	if status := p.click("#review-return"); status != 400 {
		t.Errorf("return without comment: HTTP %d, want 400", status)
	}
	if msg := p.text("[data-testid=comment-error]"); !strings.Contains(msg, "退回须填写意见") {
		t.Errorf("comment error %q", msg)
	}
	p.fill("comment", "请补充办件按时率的分析。")
	p.submit("#review-return")
	if st := p.text("[data-testid=report-status]"); st != "已退回修改" {
		t.Errorf("status after returning %q", st)
	}

	// The county sees the comment, edits and resubmits.
	b.open(page)
	if c := b.text("[data-testid=review-comment]"); !strings.Contains(c, "请补充办件按时率的分析。") {
		t.Errorf("county sees comment %q", c)
	}
	if v := b.value("experience"); v != "建立目录动态调整机制。" {
		t.Errorf("returned report's text %q", v)
	}
	b.fill("problems", "按时率分析：本月办件全部按时办结。")
	b.submit("#report-submit")
	if st := b.text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("status after resubmitting %q", st)
	}

	p.open(provPage)
	p.fill("comment", "同意。")
	p.submit("#review-accept")
	if st := p.text("[data-testid=report-status]"); st != "省级已审核" {
		t.Errorf("status after accepting %q", st)
	}
	if n := p.count("#review-accept"); n != 0 {
		t.Errorf("review form still shown after accepting")
	}

	p.open("/provinces/34/reports")
	p.screenshots("reports-province-list")
}

// TestReportsBrowserProvince: the province compiles its own report on the
// page, with the county comparison and trend charts, and submits it upward,
// where the national administrator reads it and prints it.
func TestReportsBrowserProvince(t *testing.T) {
	path := chromiumPath(t)
	s, base := serveForBrowser(t)
	const county = "340102"
	d := s.caseDesk(county)
	s.rptDecidedCase(d, 6)
	s.onboard("34", "340103") // a second pilot county, without cases
	s.provinceUser("34", "rpt_prov34", "province_admin")
	browser := newBrowser(t, path)

	p := newTab(t, browser, base)
	p.signIn("rpt_prov34", "Prov#Pass2026x")
	p.open("/provinces/34/reports")
	p.submit("#compile-submit")
	if !regexp.MustCompile(`^/provinces/34/reports/\d+$`).MatchString(strings.SplitN(p.path(), "?", 2)[0]) {
		t.Fatalf("after compiling: %s", p.path())
	}
	provReport := strings.SplitN(p.path(), "?", 2)[0]
	provTitle := p.text("[data-testid=report-title]")
	if !strings.HasPrefix(provTitle, "安徽省安全生产政务公开和政务服务试点工作总结（") {
		t.Errorf("province title %q", provTitle)
	}
	rptChartsDrawn(p, 3)
	if row := p.text("[data-testid=table-counties] tbody tr"); !strings.Contains(row, "瑶海区") || !strings.Contains(row, "100%") {
		t.Errorf("county comparison row %q", row)
	}
	if n := p.count("[data-testid=table-counties] tbody tr"); n != 3 {
		t.Errorf("county comparison has %d rows, want 2 counties and the total", n)
	}
	p.fill("experience", "全省统一部署，分县推进。")
	p.fill("problems", "各县进度不一。")
	p.fill("next_steps", "加强督导检查。")
	p.submit("#report-submit")
	if st := p.text("[data-testid=report-status]"); st != "已上报" {
		t.Errorf("province status %q", st)
	}

	// The national administrator reads it.
	n := newTab(t, browser, base)
	n.signIn("admin", adminPassword)
	n.open("/national/reports")
	provID := provReport[strings.LastIndexByte(provReport, '/')+1:]
	if row := n.text("[data-testid=report-row-" + provID + "]"); !strings.Contains(row, provTitle) || !strings.Contains(row, "已上报") {
		t.Errorf("national row %q", row)
	}
	n.screenshots("reports-national-list")
	n.open("/national/reports/" + provID)
	if p := n.text("[data-testid=narrative-experience]"); !strings.Contains(p, "全省统一部署，分县推进。") {
		t.Errorf("national sees narrative %q", p)
	}
	if c := n.count("form[action$='/narrative'], #review-accept"); c != 0 {
		t.Errorf("national page shows %d forms", c)
	}
	n.open("/api/v1/national/reports/" + provID + ".html")
	if got := rptEval[string](n, `document.title`); got != provTitle {
		t.Errorf("province export title %q", got)
	}
	rptChartsDrawn(n, 3)
	n.screenshots("report-province-export")
	rptPrintShot(n, "report-province-export")
	rptPrint(n, "report-province", provTitle)
}

// TestReportExports: the exports answer with the right types and names, as
// numbers, only within the path's region, and only for what the JSON view
// would show.
func TestReportExports(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		const county = "340102"
		d := s.caseDesk(county)
		s.rptDecidedCase(d, 3)
		id, title := s.rptCompile(d.admin, "/api/v1/counties/"+county+"/reports")
		other := s.onboard("34", "340103")
		base := fmt.Sprintf("/api/v1/counties/%s/reports/%d", county, id)

		r := s.must(200, s.do("GET", base+".xlsx", d.clerk, nil))
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
		if sheets := strings.Join(f.GetSheetList(), ","); sheets != "概况,目录,职权底数,信息公开,依申请公开,办件" {
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

		h := s.must(200, s.do("GET", base+".html", d.reviewer, nil))
		page := string(h.Raw)
		if ct := h.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(page, "<title>"+title+"</title>") ||
			!strings.Contains(page, "<svg ") || strings.Contains(page, "<script") {
			t.Errorf("html export: %s", ct)
		}
		if csp := h.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
		// The JSON view is still /:id.
		if j := s.must(200, s.do("GET", base, d.clerk, nil)); num(j.Body["id"]) != id {
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
			{fmt.Sprintf("/api/v1/provinces/34/reports/%d.xlsx", id), s.adminToken(), 404},
			{fmt.Sprintf("/api/v1/national/reports/%d.html", id), s.adminToken(), 404},
			{base + ".pdf", d.clerk, 404},
			{base + ".html", "", 401},
		} {
			if r := s.do("GET", c.path, c.token, nil); r.Status != c.status {
				t.Errorf("GET %s: %d, want %d: %s", c.path, r.Status, c.status, r.Raw)
			}
		}
		// Once submitted, the province sees it and its exports.
		s.must(200, s.do("PUT", base+"/narrative", d.admin, map[string]string{"experience": "甲", "problems": "乙", "next_steps": "丙"}))
		s.must(200, s.do("POST", base+"/submit", d.admin, nil))
		s.must(200, s.do("GET", fmt.Sprintf("/api/v1/provinces/34/reports/%d.xlsx", id), s.adminToken(), nil))
		s.must(200, s.do("GET", fmt.Sprintf("/api/v1/provinces/34/reports/%d.html", id), s.adminToken(), nil))
	})
}

// rptShotsDir is where screenshots and PDFs go (see tab.screenshots).
func rptShotsDir() string {
	if dir := os.Getenv("PILOT_TEST_SHOTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "shots")
}
