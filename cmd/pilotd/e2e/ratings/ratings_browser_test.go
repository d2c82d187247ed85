package ratings_test

import (
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
)

// TestRatingBrowser: in Chromium, the applicant of a decided case finds the
// rating form on the tracking page, is refused with a wrong phone (the form
// keeps what was typed), rates 非常不满意 and sees 已评价; the clerk finds the
// rectification with its due date, records the verification, the
// rectification and the call-back, and the reviewer closes it; the portal
// shows the county's 满意率 and 整改率.
func TestRatingBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = e2e.CaseCountyA
	d := s.CaseDesk(county)
	c := rtDecided(s, d)
	today := calendar.Today(time.Now())
	todayStr := calendar.FormatDate(today)
	due, _ := s.Svc.Calendar.Calendar().AddWorkdays("34", today, 15, nil)

	p := e2e.NewTab(t, browser, base)
	p.Open("/portal/" + county + "/track?no=" + c.TrackingNo)
	if p.Count("[data-testid=rate-form]") != 1 {
		t.Fatalf("no rating form on the tracking page of a decided case:\n%s", p.BodyText())
	}
	p.Fill("rate-phone", "0551-99999999")
	p.Tick("rate-level-1")
	p.Choose("rate-ind-overall", "1")
	p.Choose("rate-ind-efficiency", "2")
	p.Fill("rate-comment", "同一份材料被要求补交两次")
	if status := p.Click("#rate-submit"); status != 404 {
		t.Errorf("wrong phone: HTTP %d", status)
	}
	p.WantText("[data-testid=rate-error]", "联系电话与申请时登记的不一致")
	if v := p.Value("rate-comment"); v != "同一份材料被要求补交两次" {
		t.Errorf("comment after the refusal %q", v)
	}
	if v := p.Value("rate-ind-efficiency"); v != "2" {
		t.Errorf("indicator after the refusal %q", v)
	}
	p.Retype("rate-phone", e2e.ApplicantPhone)
	p.Tick("rate-level-1")
	p.Submit("#rate-submit")
	p.WantPath("/portal/" + county + "/track")
	p.WantText("[data-testid=rated]", "已评价")
	if p.Count("[data-testid=rate-form]") != 0 {
		t.Errorf("the rating form is still offered after rating")
	}
	p.Screenshots("rating-public")

	// The clerk: the rectification, its due date and the forms.
	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk_"+county, e2e.CasesUserPassword)
	clerk.Open("/counties/" + county + "/rectifications")
	clerk.Submit(`[data-testid=rectifications] a`)
	clerk.WantText("[data-testid=rect-due]", calendar.FormatDate(due))
	clerk.WantText("[data-testid=rect-level]", "非常不满意")
	clerk.WantText("[data-testid=rect-comment]", "同一份材料被要求补交两次")
	path := clerk.Path()

	clerk.Choose("verified-on", todayStr)
	clerk.Fill("verification", "经电话核实，补正告知未一次性说明")
	clerk.Submit("#action-verify")
	clerk.WantText("[data-testid=rect-verification]", "补正告知未一次性说明")
	clerk.Choose("rectified-on", todayStr)
	clerk.Fill("measures", "修订一次性告知单，组织窗口人员培训")
	clerk.Submit("#action-rectify")
	clerk.WantText("[data-testid=rect-measures]", "一次性告知单")
	// A call-back dated before the rating is refused by the server, naming
	// the field (a future date the date field's max already refuses).
	clerk.Choose("callback-on", calendar.FormatDate(today.AddDate(0, 0, -1)))
	clerk.Choose("callback-way", "电话")
	clerk.Tick("callback-view-1")
	if status := clerk.Click("#action-callback"); status != 400 {
		t.Errorf("call-back before the rating: HTTP %d", status)
	}
	if !strings.Contains(clerk.BodyText(), "日期不能早于评价日期") {
		t.Errorf("no field error for the early call-back:\n%s", clerk.BodyText())
	}
	clerk.Choose("callback-on", todayStr)
	clerk.Tick("callback-view-1")
	clerk.Fill("callback-note", "申请人认可整改")
	clerk.Submit("#action-callback")
	clerk.WantText("[data-testid=rect-callback]", "电话回访，评价人意见：基本满意")
	if clerk.Count("#action-close") != 0 {
		t.Errorf("the clerk is offered closing")
	}
	clerk.Screenshots("rectification")

	reviewer := e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_"+county, e2e.CasesUserPassword)
	reviewer.Open(path)
	reviewer.Submit("#action-close")
	reviewer.WantText("[data-testid=rect-status]", "已整改办结")

	p.Open("/portal/" + county)
	p.Submit(`a[href="/portal/` + county + `/ratings"]`)
	p.WantText("[data-testid=satisfaction-rate]", "0.0%")
	p.WantText("[data-testid=rectification-rate]", "100.0%")
	p.WantText("[data-testid=ratings-item-274]", "烟花爆竹")
}
