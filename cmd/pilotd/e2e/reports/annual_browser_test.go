package reports_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestAnnualReportBrowser: in Chromium, a county administrator is reminded
// of the 2026 report in January 2027, compiles it, types a count that is not
// a number (refused, linked, kept), saves an entry that does not balance
// (kept; the check is marked and publishing is refused with a link to the
// field), corrects it and publishes; the public reads the report on the
// portal at phone and desktop width and prints it to an A4 PDF.
func TestAnnualReportBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = e2e.CaseCountyA
	d := s.CaseDesk(county)
	annualOnPlatform(s, county)
	repTravel(s, "2027-01-10")
	list := "/counties/" + county + "/annual-reports"
	page := list + "/2026"

	b := e2e.NewTab(t, browser, base)
	b.SignIn(s.Username(d.Admin), e2e.CountyPassword)
	b.Open("/counties/" + county)
	if banner := rptEval[string](b, `Array.from(document.querySelectorAll(".banner")).map(e => e.innerText).join("\n")`); !strings.Contains(banner, "2027-01-31") {
		t.Errorf("banner %q", banner)
	}
	b.Open(list)
	if due := b.Text("[data-testid=annual-due]"); !strings.Contains(due, "请编制2026年政府信息公开工作年度报告") {
		t.Errorf("due %q", due)
	}
	b.Screenshots("annual-list")
	b.Submit("#annual-compile") // last year is preselected
	b.WantPath(page)
	title := b.Text("[data-testid=report-title]")
	if title != "瑶海区安全生产监管部门2026年政府信息公开工作年度报告" {
		t.Errorf("title %q", title)
	}

	// Not a number: refused, the summary links the field, the text stays.
	b.Fill("f-overview", "2026年，本局认真贯彻《中华人民共和国政府信息公开条例》。")
	b.Retype("f-regulations-made", "三件")
	if status := b.Click("#annual-save"); status != 400 {
		t.Errorf("save with a word for a count: HTTP %d", status)
	}
	if msg := b.Text("[data-testid=annual-error]"); !strings.Contains(msg, "请填写整数") {
		t.Errorf("error %q", msg)
	}
	if n := b.Count(`[data-testid=annual-error] a[href="#f-regulations-made"]`); n != 1 {
		t.Errorf("%d links to the field", n)
	}
	if v := b.Value("f-regulations-made"); v != "三件" {
		t.Errorf("typed count after the refusal %q", v)
	}
	if v := b.Value("f-overview"); !strings.HasPrefix(v, "2026年，本局") {
		t.Errorf("overview after the refusal %q", v)
	}

	// Saved unbalanced: the check shows it, publishing is refused.
	b.Retype("f-regulations-made", "0")
	b.Fill("f-problems", "主动公开的及时性有待提高。")
	b.Retype("f-reconsideration-upheld", "1")
	b.Submit("#annual-save")
	if n := b.Count("[data-testid=checks-failed]"); n != 1 {
		t.Errorf("the failed check is not marked")
	}
	b.Tick("publish-confirm")
	if status := b.Click("#annual-publish"); status != 400 {
		t.Errorf("publish unbalanced: HTTP %d", status)
	}
	if n := b.Count(`[data-testid=annual-error] a[href="#f-reconsideration-total"]`); n != 1 {
		t.Errorf("the refusal does not link the total: %s", b.Text("[data-testid=annual-error]"))
	}
	if st := b.Text("[data-testid=report-status]"); st != "草稿" {
		t.Errorf("status after the refusal %q", st)
	}
	b.Retype("f-reconsideration-total", "1")
	b.Submit("#annual-save")
	if n := b.Count("[data-testid=checks-ok]"); n != 1 {
		t.Errorf("the checks do not pass after the correction")
	}
	b.Tick("publish-confirm")
	b.Submit("#annual-publish")
	if st := b.Text("[data-testid=report-status]"); st != "已发布" {
		t.Errorf("status after publishing %q", st)
	}

	// The public page, at phone and desktop width, and its print version.
	p := e2e.NewTab(t, browser, base)
	p.Open("/portal/" + county)
	p.Submit(`a[href="/portal/` + county + `/annual-reports"]`)
	p.Submit(`[data-testid=portal-annual-2026] a`)
	p.WantPath("/portal/" + county + "/annual-reports/2026")
	if h := p.Text("[data-testid=portal-title]"); h != title {
		t.Errorf("public title %q", h)
	}
	if lead := p.Text("[data-testid=annual-row-requests-new_received] th"); lead != "一、本年新收政府信息公开申请数量" {
		t.Errorf("request row %q", lead)
	}
	// Table 三's heading: 申请人情况 over all seven columns, 法人或其他组织 over five.
	spans := rptEval[[]int](p, `Array.from(document.querySelectorAll("[data-testid=annual-table-requests] thead th")).map(th => th.colSpan)`)
	if len(spans) != 1+1+3+5 || spans[1] != 7 || spans[3] != 5 {
		t.Errorf("request table heading spans %v", spans)
	}
	p.Screenshots("annual-public")
	p.Open("/portal/" + county + "/annual-reports/2026.html")
	rptPrint(p, "annual-print", title)
}
