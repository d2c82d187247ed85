package inspections_test

import (
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
)

const officerPassword = "User#Pass2026x"

// TestInspectionBrowser: in Chromium, an officer creates a plan, the 负责人
// approves it, the officer draws and verifies the draw; an inspector drawn
// for the entity records a violation with 责令限期整改, is refused a 复查
// before the deadline, records it after, publishes, prints the record, and
// the public results page shows the result without personal data.
func TestInspectionBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	axe := e2e.AxeScript(t)
	s, base := e2e.ServeForBrowser(t)
	d := newDesk(s)
	today := calendar.Today(time.Now())
	day := func(n int) string { return calendar.FormatDate(today.AddDate(0, 0, n)) }
	// The plan is drawn 20 days ago; the inspection follows it.
	clock := s.EnforcementClock(day(-20))

	officer := e2e.NewTab(t, browser, base)
	officer.SignIn("officer0_"+county, officerPassword)
	// The officer declares a conflict with an entity on the pool page; a
	// declaration without a reason is refused.
	officer.Open("/counties/" + county + "/inspectors")
	officer.WantText("[data-testid=pool]", "皖340102000")
	officer.Choose("conflict-entity", e2e.Itoa(d.entities[1]))
	if status := officer.Click("#conflict-submit"); status != 400 {
		t.Fatalf("conflict without a reason: HTTP %d", status)
	}
	officer.WantText("#conflict-reason-error", "回避理由")
	officer.Choose("conflict-entity", e2e.Itoa(d.entities[1]))
	officer.Fill("conflict-reason", "本人曾在该单位任职")
	officer.Submit("#conflict-submit")
	officer.WantText("[data-testid=conflicts]", "本人曾在该单位任职")
	officer.Screenshots("inspection-pool")

	officer.Open("/counties/" + county + "/inspection-plans")
	officer.Fill("plan-name", "烟花爆竹经营单位双随机抽查")
	officer.Choose("plan-start", day(-30))
	officer.Choose("plan-end", day(-40))
	officer.Fill("plan-count", "1")
	officer.Tick("plan-ind-fireworks")
	// A period that ends before it starts is refused, the form kept.
	if status := officer.Click("#plan-submit"); status != 400 {
		t.Fatalf("plan ending before it starts: HTTP %d", status)
	}
	officer.WantText("#plan-end-error", "不能早于开始日期")
	if v := officer.Value("plan-name"); v != "烟花爆竹经营单位双随机抽查" {
		t.Errorf("plan name after the refusal: %q", v)
	}
	officer.Choose("plan-end", day(30))
	officer.Submit("#plan-submit")
	planPath := officer.Path()
	if !strings.HasPrefix(planPath, "/counties/"+county+"/inspection-plans/") {
		t.Fatalf("after saving the plan: %s", planPath)
	}
	officer.WantText("[data-testid=plan-status]", "待批准")
	officer.Screenshots("inspection-plan-draft")

	leader := e2e.NewTab(t, browser, base)
	leader.SignIn("leader_"+county, officerPassword)
	leader.Open(planPath)
	leader.Submit("#plan-approve")
	leader.WantText("[data-testid=plan-status]", "已批准")

	officer.Open(planPath)
	officer.Submit("#plan-draw")
	officer.WantText("[data-testid=flash]", "已完成随机抽取")
	if seed := officer.Text("[data-testid=draw-seed]"); len(seed) != 64 {
		t.Errorf("seed shown: %q", seed)
	}
	if n := officer.Count("[data-testid=draw-result] tbody tr"); n != 1 {
		t.Errorf("%d rows in the draw result", n)
	}
	if officer.Count("#plan-draw") != 0 {
		t.Errorf("the draw button is still offered after the draw")
	}
	officer.Screenshots("inspection-draw")
	officer.Submit("#verify-1")
	officer.WantText("[data-testid=verify-result]", "一致")

	// Who was drawn: the inspection and one of its inspectors.
	r := s.Must(200, s.Do("GET", api("/inspections?status=assigned"), d.admin, nil))
	ins := r.Body["items"].([]any)[0].(map[string]any)
	id := e2e.Itoa(e2e.Num(ins["id"]))
	drawn := -1
	for k, uid := range d.officerIDs {
		for _, x := range ins["inspectors"].([]any) {
			if drawn < 0 && e2e.Num(x) == uid {
				drawn = k
			}
		}
	}
	clock.Set(day(0))
	rec := e2e.NewTab(t, browser, base)
	rec.SignIn("officer"+e2e.Itoa(int64(drawn))+"_"+county, officerPassword)
	rec.Open("/counties/" + county + "/inspections/" + id)
	rec.Fill("finding-description", "仓库内烟花爆竹超过核定储存量，联系人张联系在场")
	rec.Fill("finding-provision", "《烟花爆竹安全管理条例》第二十二条")
	rec.Choose("finding-violation", "1")
	rec.Submit("#finding-submit")
	rec.WantText("[data-testid=findings]", "超过核定储存量")
	rec.Choose("inspected-on", day(-14))
	rec.Fill("summary", "存在违法储存行为，已责令限期整改")
	rec.Choose("rectify-deadline", day(-3))
	rec.Submit("#complete-submit")
	rec.WantText("[data-testid=inspection-status]", "已检查")
	rec.WantText("[data-testid=rectify-deadline]", day(-3))
	rec.Screenshots("inspection-record")

	// The 复查 before the deadline is refused; after it, recorded.
	rec.Choose("recheck-on", day(-5))
	rec.Choose("recheck-result", "rectified")
	if status := rec.Click("#recheck-submit"); status != 400 {
		t.Fatalf("recheck before the deadline: HTTP %d", status)
	}
	rec.WantText("#recheck-on-error", "不能早于整改期限")
	rec.Choose("recheck-on", day(0))
	rec.Choose("recheck-result", "rectified")
	rec.Fill("recheck-note", "已清理超量部分")
	rec.Submit("#recheck-submit")
	rec.WantText("[data-testid=recheck]", "已整改")
	// The violation opens a penalty case (立案) on the county's published
	// penalty item; the finding then shows the case number.
	e2e.PenaltyItemPublished(s, county, d.admin)
	rec.Open("/counties/" + county + "/inspections/" + id)
	rec.Choose("penalty-item-"+findingID(t, s, id), "CF-001")
	rec.Submit("#penalty-submit-" + findingID(t, s, id))
	var caseNo string
	if err := s.Svc.DB.Get(&caseNo, `SELECT case_no FROM penalty_cases WHERE county_code = ?`, county); err != nil {
		t.Fatalf("no penalty case opened from the finding: %v", err)
	}
	rec.WantText("[data-testid=findings]", caseNo)
	rec.Open("/counties/" + county + "/inspections/" + id)
	rec.Submit("#publish-submit")
	rec.WantText("[data-testid=published-on]", day(0))

	rec.Open("/counties/" + county + "/inspections/" + id + "/print")
	rec.WantText("[data-testid=print-findings]", "超过核定储存量")
	rec.WantText("[data-testid=print-rectify]", "整改完毕")
	rec.Screenshots("inspection-print")

	public := e2e.NewTab(t, browser, base)
	public.Open("/portal/" + county)
	public.Submit(`a[href="/portal/` + county + `/inspection-results"]`)
	public.WantText("[data-testid=result-recheck]", "已整改")
	public.WantText("[data-testid=result-summary]", "已责令限期整改")
	body := public.BodyText()
	for _, personal := range []string{"张联系", "13800000001", "王执法", "李执法", "赵执法"} {
		if strings.Contains(body, personal) {
			t.Errorf("the public results page shows %q", personal)
		}
	}
	public.Accessible("inspection-results-public", axe)
}

// findingID is the id of the first finding of inspection id.
func findingID(t *testing.T, s *e2e.Service, id string) string {
	t.Helper()
	var n int64
	if err := s.Svc.DB.Get(&n, `SELECT MIN(id) FROM inspection_findings WHERE inspection_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	return e2e.Itoa(n)
}
