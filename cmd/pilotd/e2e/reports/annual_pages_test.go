package reports_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// annualOnPlatform dates a county's arrival on the platform to 2026, so
// that it owes the 2026 report whatever the real date of the test run.
func annualOnPlatform(s *e2e.Service, county string) {
	s.T.Helper()
	repExec(s, `UPDATE counties SET created_at = ? WHERE code = ?`, cst("2026-06-01 09:00"), county)
}

// annualForm is a complete, balanced manual part as the page posts it.
func annualForm() url.Values {
	v := url.Values{"overview": {"2026年，本局认真贯彻《中华人民共和国政府信息公开条例》。\n全年主动公开政府信息。"},
		"problems": {"主动公开的及时性有待提高。"}, "other": {"无。"}, "fee_amount": {"0"},
		"processing_fees.notices": {"1"}, "processing_fees.notice_amount": {"200"}, "processing_fees.collected": {"200"}}
	for _, f := range []string{"regulations.made", "regulations.repealed", "regulations.in_force", "normative_documents.made",
		"normative_documents.repealed", "normative_documents.in_force"} {
		v.Set(f, "0")
	}
	for _, g := range []string{"reconsideration", "litigation_direct", "litigation_after_reconsideration"} {
		for _, f := range []string{"upheld", "corrected", "other", "pending", "total"} {
			v.Set(g+"."+f, "0")
		}
	}
	return v
}

// TestAnnualReportPages: a county administrator compiles the 2026 report on
// its page in January 2027, is told what it owes, fills it in (a value that
// is not a number is refused with a link to its field and changes nothing;
// what was typed stays), cannot publish while an entered total is off, then
// publishes; the public reads it, prints it and downloads it, and nothing of
// a draft or of another county is visible.
func TestAnnualReportPages(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county, other = e2e.CaseCountyA, e2e.CaseCountyB
		d := s.CaseDesk(county)
		o := s.CaseDesk(other)
		annualOnPlatform(s, county)
		repTravel(s, "2027-01-10")
		admin := s.BrowserLogin(s.Username(d.Admin), e2e.CountyPassword)
		clerk := s.BrowserLogin(s.Username(d.Clerk), "User#Pass2026x")
		list := "/counties/" + county + "/annual-reports"
		page := list + "/2026"

		// What the county owes shows on the list and on every page of its administrator.
		body := string(s.Must(200, admin.Get(list)).Raw)
		for _, want := range []string{`data-testid="annual-due"`, "2026年政府信息公开工作年度报告", "2027-01-31", "第四十九条", `id="annual-compile"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the list lacks %q", want)
			}
		}
		if home := string(s.Must(200, admin.Get("/counties/"+county)).Raw); !strings.Contains(home, `class="banner"`) ||
			!strings.Contains(home, "请编制2026年政府信息公开工作年度报告") || !strings.Contains(home, `href="`+list+`"`) {
			t.Errorf("the county page lacks the reminder banner or the link")
		}
		if home := string(s.Must(200, clerk.Get("/counties/"+county)).Raw); strings.Contains(home, "年度报告，并于") {
			t.Errorf("the clerk sees the administrators' reminder")
		}
		// The clerk reads but does not compile.
		if body := string(s.Must(200, clerk.Get(list)).Raw); strings.Contains(body, `id="annual-compile"`) {
			t.Errorf("the clerk is offered the compile form")
		}
		s.Must(403, clerk.Post(list, url.Values{"year": {"2026"}}, true))
		s.Must(400, admin.Post(list, url.Values{"year": {"2030"}}, true))
		if n := s.CountRows(`SELECT COUNT(*) FROM annual_reports`); n != 0 {
			t.Fatalf("%d reports after refused compiles", n)
		}

		r := s.Must(303, admin.Post(list, url.Values{"year": {"2026"}}, true))
		if loc := r.Header.Get("Location"); loc != page+"?compiled=1" {
			t.Fatalf("compiled to %q", loc)
		}
		body = string(s.Must(200, admin.Get(page+"?compiled=1")).Raw)
		for _, want := range []string{"数据已重新统计。", "平衡校验", `data-testid="checks-ok"`, `id="f-overview"`, `id="f-processing_fees-collected"`,
			"申请人情况", "法人或其他组织", `colspan="5"`, "收取信息处理费情况", "公布期限：2027-01-31前", `id="annual-publish"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the report page lacks %q", want)
			}
		}
		// A draft is nobody's business but the county's.
		s.Must(404, s.Do("GET", "/portal/"+county+"/annual-reports/2026", "", nil))
		s.Must(404, s.Do("GET", "/portal/"+county+"/annual-reports/2026.html", "", nil))
		s.Must(404, s.Do("GET", "/portal/"+county+"/annual-reports/2026.xlsx", "", nil))
		s.Must(403, s.Do("GET", "/api/v1/counties/"+county+"/annual-reports/2026.xlsx", o.Admin, nil))
		other2 := s.BrowserLogin(s.Username(o.Admin), e2e.CountyPassword)
		s.Must(403, other2.Get(page))
		s.Must(403, other2.Post(page+"/manual", annualForm(), true))

		// A value that is not a number: 400, its field linked, what was typed kept, nothing stored.
		bad := annualForm()
		bad.Set("regulations.made", "三件")
		bad.Set("processing_fees.collected", "200元")
		r = admin.Post(page+"/manual", bad, true)
		body = string(s.Must(400, r).Raw)
		for _, want := range []string{`href="#f-regulations-made"`, `href="#f-processing_fees-collected"`, "请填写整数", "请填写金额数字",
			`value="三件"`, "2026年，本局认真贯彻"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		if v := decodeAnnual(t, s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Admin, nil))); v.Manual.Overview != "" {
			t.Errorf("a refused form saved the overview %q", v.Manual.Overview)
		}
		// Without CSRF the form is refused.
		s.Must(403, admin.Post(page+"/manual", annualForm(), false))

		// Saved with a total that does not add up: kept, but publishing is refused and names it.
		off := annualForm()
		off.Set("reconsideration.upheld", "2")
		s.Must(303, admin.Post(page+"/manual", off, true))
		v := decodeAnnual(t, s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Admin, nil)))
		if v.Manual.Reconsideration.Upheld != 2 || v.Manual.ProcessingFees.Collected != 200 || v.Balanced {
			t.Errorf("saved manual %+v balanced %v", v.Manual, v.Balanced)
		}
		s.Must(400, admin.Post(page+"/publish", url.Values{}, true)) // not confirmed
		body = string(s.Must(400, admin.Post(page+"/publish", url.Values{"confirm": {"1"}}, true)).Raw)
		if !strings.Contains(body, `href="#f-reconsideration-total"`) || !strings.Contains(body, "行政复议总计等于各项结果之和") {
			t.Errorf("the refused publication does not link the unbalanced total")
		}
		if got := decodeAnnual(t, s.Must(200, s.Do("GET", annualPath(county, "/2026"), d.Admin, nil))); got.Status != "draft" {
			t.Fatalf("published while unbalanced")
		}
		s.Must(303, admin.Post(page+"/manual", annualForm(), true))
		s.Must(403, clerk.Post(page+"/publish", url.Values{"confirm": {"1"}}, true))
		r = s.Must(303, admin.Post(page+"/publish", url.Values{"confirm": {"1"}}, true))
		if loc := r.Header.Get("Location"); loc != page+"?published=1" {
			t.Fatalf("published to %q", loc)
		}
		body = string(s.Must(200, admin.Get(page+"?published=1")).Raw)
		if strings.Contains(body, `id="f-overview"`) || strings.Contains(body, `id="annual-publish"`) || !strings.Contains(body, "已发布") {
			t.Errorf("the published report is still editable")
		}
		if home := string(s.Must(200, admin.Get("/counties/"+county)).Raw); strings.Contains(home, "请编制2026年") {
			t.Errorf("the reminder stays after publishing")
		}
		s.Must(409, admin.Post(page+"/manual", annualForm(), true))

		// The public: the list, the page, the print version and the workbook.
		pl := string(s.Must(200, s.Do("GET", "/portal/"+county+"/annual-reports", "", nil)).Raw)
		if !strings.Contains(pl, `href="/portal/`+county+`/annual-reports/2026"`) {
			t.Errorf("the public list lacks the report")
		}
		if pl := string(s.Must(200, s.Do("GET", "/portal/"+other+"/annual-reports", "", nil)).Raw); !strings.Contains(pl, "暂无已发布的年度报告") {
			t.Errorf("the other county lists a report")
		}
		pub := string(s.Must(200, s.Do("GET", "/portal/"+county+"/annual-reports/2026", "", nil)).Raw)
		for _, want := range []string{v.Title, "一、总体情况", "全年主动公开政府信息。", "申请人情况", "收取信息处理费情况", "200.00"} {
			if !strings.Contains(pub, want) {
				t.Errorf("the public page lacks %q", want)
			}
		}
		for _, hidden := range []string{"平衡校验", "编制参考", `name="_csrf"`} {
			if strings.Contains(pub, hidden) {
				t.Errorf("the public page shows %q", hidden)
			}
		}
		printed := s.Must(200, s.Do("GET", "/portal/"+county+"/annual-reports/2026.html", "", nil))
		if p := string(printed.Raw); !strings.Contains(p, "<title>"+v.Title+"</title>") || strings.Contains(p, "草稿") {
			t.Errorf("the print version: %.300s", p)
		}
		book := s.Must(200, s.Do("GET", "/portal/"+county+"/annual-reports/2026.xlsx", "", nil))
		if ct := book.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("workbook type %q", ct)
		}
		f, err := excelize.OpenReader(bytes.NewReader(book.Raw))
		if err != nil {
			t.Fatalf("open workbook: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) != 1+4+1+1+1 || sheets[0] != "报告正文" {
			t.Errorf("sheets %v", sheets)
		}
		var requestSheet string
		for _, name := range sheets {
			if strings.HasPrefix(name, "三、") {
				requestSheet = name
			}
		}
		if head, _ := f.GetCellValue(requestSheet, "B1"); head != "申请人情况·自然人" {
			t.Errorf("request sheet %q B1 %q", requestSheet, head)
		}
		if head, _ := f.GetCellValue(requestSheet, "C1"); head != "申请人情况·法人或其他组织·商业企业" {
			t.Errorf("request sheet C1 %q", head)
		}
		if label, _ := f.GetCellValue(requestSheet, "A2"); label != "一、本年新收政府信息公开申请数量" {
			t.Errorf("request sheet A2 %q", label)
		}
		if n := strings.Count(pl, "/annual-reports/"); n != 1 {
			t.Errorf("the public list links %d reports", n)
		}
		api := s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/annual-reports", "", nil))
		if items, _ := api.Body["items"].([]any); len(items) != 1 {
			t.Errorf("public JSON list %s", api.Raw)
		}
		// The portal links to the reports.
		if p := string(s.Must(200, s.Do("GET", "/portal/"+county, "", nil)).Raw); !strings.Contains(p, "/portal/"+county+"/annual-reports") {
			t.Errorf("the county portal does not link the annual reports")
		}
	})
}

// TestAnnualReminders: the overdue job reminds a county's administrators,
// once per stage, of the report they owe — from 1 January, a week before
// 31 January and once it has passed — and stops when it is published.
// A county that joined the platform after the year owed is not reminded.
func TestAnnualReminders(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county, late = e2e.CaseCountyA, e2e.CaseCountyB
		d := s.CaseDesk(county)
		l := s.CaseDesk(late)
		annualOnPlatform(s, county)
		repExec(s, `UPDATE counties SET created_at = ? WHERE code = ?`, cst("2027-01-01 08:00"), late)
		admin := s.AdminToken()
		reminders := func(stage string) int {
			t.Helper()
			return s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'annual_report' AND user_id = ? AND message LIKE ?`,
				d.AdminID, "%"+stage+"%")
		}
		run := func(date string) {
			t.Helper()
			repTravel(s, date)
			rec := s.RunOverdue(admin)
			if detail, _ := rec["detail"].(string); !strings.Contains(detail, "年度报告提醒") {
				t.Errorf("run on %s: %q", date, detail)
			}
		}
		run("2026-12-31") // the 2025 report: the county was not yet here
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'annual_report'`); n != 0 {
			t.Errorf("%d reminders in December", n)
		}
		run("2027-01-02")
		run("2027-01-02")
		if n := reminders("请编制2026年"); n != 1 {
			t.Errorf("%d first reminders", n)
		}
		run("2027-01-24") // eight days left: still the first stage
		run("2027-01-25")
		run("2027-01-28")
		if n := reminders("距期限还有6天"); n != 1 {
			t.Errorf("%d second reminders", n)
		}
		run("2027-02-01")
		run("2027-03-01")
		if n := reminders("已超过公布期限"); n != 1 {
			t.Errorf("%d overdue reminders", n)
		}
		for _, uid := range []int64{d.ClerkID, d.ReviewerID, d.LeaderID, l.AdminID} {
			if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'annual_report' AND user_id = ?`, uid); n != 0 {
				t.Errorf("user %d got %d reminders", uid, n)
			}
		}
		inbox := s.BrowserLogin(s.Username(d.Admin), e2e.CountyPassword)
		if p := string(s.Must(200, inbox.Get("/notices")).Raw); !strings.Contains(p, `href="/counties/`+county+`/annual-reports"`) {
			t.Errorf("the inbox does not link the reminder to the annual reports")
		}

		// Published in March: no more reminders, even in a new stage.
		s.Must(201, s.Do("POST", annualPath(county, ""), d.Admin, map[string]any{"year": 2026}))
		s.Must(200, s.Do("PUT", annualPath(county, "/2026/manual"), d.Admin, map[string]any{"overview": "总体情况。", "problems": "问题。"}))
		s.Must(200, s.Do("POST", annualPath(county, "/2026/publish"), d.Admin, nil))
		before := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'annual_report'`)
		repExec(s, `DELETE FROM annual_reminders`)
		run("2027-03-02")
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'annual_report'`); n != before {
			t.Errorf("reminded after publishing: %d notices, was %d", n, before)
		}
	})
}
