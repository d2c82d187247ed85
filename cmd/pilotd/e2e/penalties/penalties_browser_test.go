package penalties_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/penalties"
)

// TestPenaltyBrowser walks a case through the staff pages in Chromium: an
// officer opens it, the 负责人 approves, two officers investigate, the 告知
// of a 较大数额 fine to a natural person offers a hearing, the party asks in
// time, the hearing is noticed seven working days ahead and held, the legal
// reviewer reviews, the 负责人 decides inside the tier, service, payment
// ten days late with the right surcharge (a wrong amount is refused with the
// amount due), 结案; the four documents print with their numbers.
func TestPenaltyBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	d := newDesk(s, county)
	s.EnforcementClock("2026-06-15")
	pw := e2e.CasesUserPassword

	officer := e2e.NewTab(t, browser, base)
	officer.SignIn("o3_"+county, pw)
	officer.Open("/counties/" + county + "/penalty-cases")
	officer.Choose("pc-item", "CF-001")
	officer.Choose("pc-kind", "individual")
	officer.Fill("pc-party", "王某某")
	officer.Fill("pc-idno", "11010519491231002X")
	officer.Choose("pc-filed", "2026-04-01")
	officer.Fill("pc-facts", "未按照规定对从业人员进行安全生产教育和培训，涉及从业人员4人。")
	officer.Submit("#pc-open")
	officer.WantText("[data-testid=pc-case-no]", "瑶海区应急罚立〔2026〕第1号")
	officer.WantText("[data-testid=pc-status]", "立案待批")
	officer.WantText("[data-testid=pc-decision-due]", "2026-06-30")
	casePath := officer.Path()
	if officer.Count("#form-approve") != 0 {
		t.Errorf("an officer is offered the 立案 approval")
	}

	leader := e2e.NewTab(t, browser, base)
	leader.SignIn("leader_"+county, pw)
	leader.Open(casePath)
	leader.Choose("approve-on", "2026-04-01")
	leader.Fill("approve-reason", "同意立案")
	leader.Submit("#submit-approve")
	leader.WantText("[data-testid=pc-status]", "调查取证")

	officer.Open(casePath)
	officer.Choose("inv-user-1", e2e.Itoa(d.o1ID))
	officer.Fill("inv-cert-1", "34010201001")
	officer.Choose("inv-user-2", e2e.Itoa(d.o2ID))
	officer.Fill("inv-cert-2", "34010201002")
	officer.Choose("inv-on", "2026-04-10")
	officer.Submit("#submit-investigate")
	officer.WantText("[data-testid=pc-investigators]", "34010201002")

	// A fine above the statutory range is refused, naming the field.
	officer.Choose("notify-on", "2026-04-20")
	officer.Tick("notify-kind-fine")
	officer.Fill("notify-fine", "60000")
	if status := officer.Click("#submit-notify"); status != 400 {
		t.Errorf("fine above the range: HTTP %d", status)
	}
	// The refusal names the field by its title, and the form keeps what was
	// typed and ticked.
	officer.WantText("[data-testid=field-errors] [data-field=fine_yuan]", "罚款：")
	if officer.Value("notify-on") != "2026-04-20" || officer.Value("notify-fine") != "60000" ||
		officer.Count("#notify-kind-fine:checked") != 1 {
		t.Errorf("the refused 告知 form lost what was typed: date %q, fine %q, ticked %d", officer.Value("notify-on"),
			officer.Value("notify-fine"), officer.Count("#notify-kind-fine:checked"))
	}
	// The message also stands next to the field, which points to it.
	officer.WantText("#notify-fine-error", "罚款")
	if n := officer.Count(`#notify-fine[aria-invalid="true"][aria-describedby="notify-fine-error"]`); n != 1 {
		t.Errorf("the refused fine field is not marked invalid with its message (%d)", n)
	}
	officer.Accessible("penalty-case-refused", e2e.AxeScript(t))
	officer.Retype("notify-fine", "25000")
	officer.Submit("#submit-notify")
	hearingDue := workdays(s, "2026-04-20", 5)
	officer.WantText("[data-testid=pc-hearing]", "应当告知听证权利，申请期限至 "+hearingDue)

	officer.Choose("rh-on", "2026-04-22")
	officer.Submit("#submit-request_hearing")
	hearingOn := workdays(s, "2026-04-23", 7)
	officer.Choose("sh-notice", "2026-04-23")
	officer.Choose("sh-on", hearingOn)
	// Fields the step needs carry a visible *.
	for _, id := range []string{"sh-notice", "sh-on", "sh-place"} {
		if officer.Count("label[for="+id+"] .required") != 1 {
			t.Errorf("the label of #%s has no required mark", id)
		}
	}
	officer.Fill("sh-place", "区应急管理局听证室")
	officer.Submit("#submit-schedule_hearing")
	officer.Choose("hh-on", hearingOn)
	officer.Fill("hh-record", "当事人承认违法事实，请求从轻处罚")
	officer.Submit("#submit-hold_hearing")
	officer.WantText("[data-testid=pc-status]", "听证已举行")

	legal := e2e.NewTab(t, browser, base)
	legal.SignIn("legal_"+county, pw)
	legal.Open(casePath)
	legal.Choose("lr-on", "2026-05-15")
	legal.Fill("lr-opinion", "事实清楚，证据确凿，程序合法，裁量适当")
	legal.Submit("#submit-legal_review")
	legal.WantText("[data-testid=pc-status]", "法制审核完成")

	leader.Open(casePath)
	leader.Choose("dc-on", "2026-05-20")
	leader.Choose("dc-tier", "CF-001-1|一般")
	leader.Fill("dc-fine", "20000")
	leader.Fill("dc-reasons", "培训缺失4人，已主动补训")
	leader.Submit("#submit-decide")
	leader.WantText("[data-testid=pc-decision]", "罚款 20000 元（裁量阶次：一般）")
	// The decision fell due for 双公示 7 working days after it; by today
	// (2026-06-15) it is late, lit red by publicity's own light.
	leader.WantText("[data-testid=pc-publication]", "待公示，期限 "+workdays(s, "2026-05-20", 7)+" 已超期")

	officer.Open(casePath)
	officer.Choose("sv-on", "2026-05-21")
	officer.Submit("#submit-serve")
	officer.WantText("[data-testid=pc-payment-due]", "2026-06-05")
	officer.WantText("[data-testid=pc-surcharge]", "6000.00 元")
	axe := e2e.AxeScript(t)
	officer.Accessible("penalty-case", axe)

	// Paying the fine alone is refused with the amount due.
	officer.Choose("pay-on", "2026-06-15")
	officer.Fill("pay-yuan", "20000")
	if status := officer.Click("#submit-pay"); status != 400 {
		t.Errorf("fine without the surcharge: HTTP %d", status)
	}
	officer.WantText("[data-testid=form-error]", "26000.00")
	officer.WantText("[data-testid=field-errors] [data-field=paid_yuan]", "缴纳金额：")
	officer.Retype("pay-yuan", "26000")
	officer.Submit("#submit-pay")
	officer.WantText("[data-testid=pc-paid]", "26000.00 元")
	officer.Choose("cl-on", "2026-06-15")
	officer.Submit("#submit-close")
	officer.WantText("[data-testid=pc-status]", "已结案")
	timeline := officer.Text("[data-testid=pc-timeline]")
	for _, step := range []string{"立案申请", "批准立案", "调查取证", "告知", "当事人申请听证", "通知听证", "举行听证", "法制审核",
		"作出决定", "送达", "缴纳罚款", "结案"} {
		if !strings.Contains(timeline, step) {
			t.Errorf("timeline lacks %s: %s", step, timeline)
		}
	}

	// The documents print from the case data with their numbers.
	for _, doc := range []struct{ kind, title, no, text string }{
		{"filing", "立案审批表", "瑶海区应急罚立〔2026〕第1号", "同意立案"},
		{"notice", "行政处罚告知书", "瑶海区应急罚告〔2026〕第1号", "有权要求听证"},
		{"hearing", "听证告知书", "瑶海区应急罚听〔2026〕第1号", "区应急管理局听证室"},
		{"decision", "行政处罚决定书", "瑶海区应急罚决〔2026〕第1号", "罚款人民币20000元"},
	} {
		officer.Open(casePath)
		officer.Submit("[data-testid=doc-" + doc.kind + "]")
		officer.WantText("[data-testid=doc-title]", doc.title)
		officer.WantText("[data-testid=doc-no]", doc.no)
		officer.WantText("[data-testid=doc-bureau]", "瑶海区应急管理局")
		officer.WantText("[data-testid=penalty-doc]", doc.text)
		officer.Accessible("penalty-doc-"+doc.kind, axe)
	}
	officer.Open("/counties/" + county + "/penalty-cases")
	officer.WantText("[data-testid=penalty-cases]", "王某某")
	officer.Accessible("penalty-list", axe)
}

// TestPenaltyEnforcementBrowser: in Chromium, an unpaid fine's case page
// shows the last day to apply to the court; the officer records a 复议 and
// how it ended, serves the 催告书 and prints it with the amount due; the
// 负责人 is refused an application within the 催告's ten working days (the
// court typed is kept) and then applies.
func TestPenaltyEnforcementBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	d := newDesk(s, county)
	clock := s.EnforcementClock("2026-06-15")
	id := servedFine(s, d)
	casePath := "/counties/" + county + "/penalty-cases/" + e2e.Itoa(id)
	pw := e2e.CasesUserPassword

	clock.Set("2026-09-01")
	officer := e2e.NewTab(t, browser, base)
	officer.SignIn("o3_"+county, pw)
	officer.Open(casePath)
	officer.WantText("[data-testid=pc-enforcement-due]", "2027-03-05")
	officer.WantText("[data-testid=pc-clocks]", "申请法院强制执行期限 2027-03-05")
	officer.Choose("rm-kind", "reconsideration")
	officer.Fill("rm-body", "合肥市人民政府")
	officer.Choose("rm-on", "2026-06-25")
	officer.Submit("#submit-remedy")
	officer.WantText("[data-testid=pc-remedy]", "尚未结束")
	officer.Choose("re-on", "2026-08-20")
	officer.Choose("re-outcome", "upheld")
	officer.Submit("#submit-remedy_end")
	officer.WantText("[data-testid=pc-remedy]", "维持或驳回")
	// 06-21 to 09-01 late, 06-25 to 08-20 not counted: 16 days × 150 yuan.
	officer.WantText("[data-testid=pc-surcharge]", "2400.00 元")
	officer.Choose("ug-on", "2026-09-01")
	officer.Submit("#submit-urge")
	officer.WantText("[data-testid=pc-urged]", "2026-09-01")
	officer.Submit("[data-testid=doc-urge]")
	officer.WantText("[data-testid=doc-title]", "催告书")
	officer.WantText("[data-testid=doc-no]", "瑶海区应急罚催〔2026〕第1号")
	officer.WantText("[data-testid=doc-urge-amount]", "加处罚款人民币2400.00元")
	officer.WantText("[data-testid=doc-urge-amount]", penalties.CNDate(workdays(s, "2026-09-01", 10)))

	leader := e2e.NewTab(t, browser, base)
	leader.SignIn("leader_"+county, pw)
	leader.Open(casePath)
	leader.Choose("ap-on", "2026-09-01")
	leader.Fill("ap-court", "合肥市瑶海区人民法院")
	if status := leader.Click("#submit-apply_enforcement"); status != 400 {
		t.Errorf("application within the 催告's ten working days: HTTP %d", status)
	}
	leader.WantText("[data-testid=field-errors] [data-field=applied_on]", "申请强制执行日期：")
	leader.WantText("#ap-on-error", "十个工作日")
	if v := leader.Value("ap-court"); v != "合肥市瑶海区人民法院" {
		t.Errorf("the court after the refusal: %q", v)
	}
	clock.Set("2026-09-30")
	leader.Open(casePath)
	leader.Choose("ap-on", "2026-09-30")
	leader.Fill("ap-court", "合肥市瑶海区人民法院")
	leader.Submit("#submit-apply_enforcement")
	leader.WantText("[data-testid=pc-status]", "已申请法院强制执行")
	leader.WantText("[data-testid=pc-enforcement]", "2026-09-30 向合肥市瑶海区人民法院申请")
	leader.Accessible("penalty-enforcement", e2e.AxeScript(t))
}
