package publicity_test

import (
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
)

// TestPublicityBrowser walks the 双公示 through the pages: the reviewer
// finds the granted licence on the list, sees the preview with the phone
// masked, publishes it, is refused a withdrawal without a reason (the date
// typed is kept), withdraws it, and the public page shows the withdrawal,
// not the decision, at a phone's width and a desktop's.
func TestPublicityBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = e2e.CaseCountyA
	d := s.CaseDesk(county)
	c := s.NewCase(d.Clerk, county, e2e.CaseBody("274"))
	s.MustAct(d.Clerk, county, c.ID, "accept")
	s.MustAct(d.Reviewer, county, c.ID, "approve", "reason", "咨询电话13912345678")

	r := e2e.NewTab(t, browser, base)
	r.SignIn("reviewer_"+county, e2e.CasesUserPassword)
	r.Open("/counties/" + county + "/publicity")
	r.WantText("[data-testid=publicity-entries]", "待公示")
	r.Submit(`[data-testid=publicity-entries] a`)
	r.WantText("[data-testid=preview-party]", e2e.ApplicantName)
	if got := r.Text("[data-testid=preview-content]"); strings.Contains(got, "13912345678") || !strings.Contains(got, "＊") {
		t.Errorf("preview content %q, want the phone masked", got)
	}
	r.WantText("[data-testid=publicity-findings]", "手机号码")
	r.Submit("#publish-submit")
	r.WantText("[data-testid=entry-status]", "已公示")

	// A reason of spaces passes the browser's check and is refused by the
	// server, naming the field and keeping the date typed.
	todayStr := calendar.FormatDate(calendar.Today(time.Now()))
	r.Choose("revoked_on", todayStr)
	r.Fill("reason", "   ")
	if status := r.Click("#withdraw-submit"); status != 400 {
		t.Errorf("withdrawal without a reason: HTTP %d", status)
	}
	r.WantText("#reason-error", "请说明撤回理由")
	if v := r.Value("revoked_on"); v != todayStr {
		t.Errorf("the date after the refusal is %q, want %s", v, todayStr)
	}
	r.WantText("[data-testid=entry-status]", "已公示")
	r.Fill("reason", "经行政复议撤销")
	r.Submit("#withdraw-submit")
	r.WantText("[data-testid=entry-status]", "已撤回")

	r.Open("/portal/" + county + "/publicity")
	r.WantText("[data-testid=withdrawn-note]", "经行政复议撤销")
	if strings.Contains(r.BodyText(), "13912345678") || strings.Contains(r.BodyText(), e2e.ApplicantName) {
		t.Errorf("the portal shows the withdrawn decision's content:\n%s", r.BodyText())
	}
	r.Screenshots("publicity-portal")
}
