// Package enforcement_test walks the whole enforcement chain of a county
// work-safety bureau through the staff and public pages in Chromium, on
// SQLite and on MariaDB: a 双随机 inspection finds a violation, the finding
// opens a penalty case, the party asks for a hearing in time, 法制审核 and
// the 负责人's decision follow, the fine is paid late with its surcharge,
// the decision is published (双公示) with personal data masked and withdrawn
// when the decision is revoked. Each module's own tests cover its rules and
// refusals; this one shows they hold together as one bureau uses them.
package enforcement_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const (
	county   = "340102"
	password = e2e.CasesUserPassword
	// phone is the site manager's mobile, written into the finding: it is
	// carried into the case's facts and must never reach the portal.
	phone = "13800000001"
)

func api(rest string) string { return "/api/v1/counties/" + county + rest }

// bureau is the county with its staff: three officers in the inspector
// pool (so two are drawn), a 负责人, a legal reviewer, a reviewer who
// publishes, and one registered fireworks wholesaler.
type bureau struct {
	admin      string
	officerIDs []int64
	certs      map[int64]string
	entity     string
}

func newBureau(s *e2e.Service) bureau {
	s.T.Helper()
	b := bureau{admin: s.Onboard("34", county), certs: map[int64]string{}, entity: "瑶海烟花爆竹批发有限公司"}
	for k, name := range []string{"王执法", "李执法", "赵执法"} {
		id, _ := s.AddUser(b.admin, county, "officer"+e2e.Itoa(int64(k))+"_"+county, "county_officer")
		cert := "3401020100" + e2e.Itoa(int64(k))
		s.Must(200, s.Do("PUT", api("/inspectors/"+e2e.Itoa(id)), b.admin, map[string]any{"certificate_no": cert}))
		if _, err := s.Svc.DB.Exec(`UPDATE users SET display_name = ? WHERE id = ?`, name, id); err != nil {
			s.T.Fatal(err)
		}
		b.officerIDs, b.certs[id] = append(b.officerIDs, id), cert
	}
	s.AddUser(b.admin, county, "leader_"+county, "county_leader")
	s.AddUser(b.admin, county, "legal_"+county, "county_legal")
	s.AddUser(b.admin, county, "reviewer_"+county, "county_reviewer")
	s.Must(201, s.Do("POST", api("/entities"), b.admin, map[string]any{"name": b.entity,
		"credit_code": e2e.CreditCode("91340102MA2TX5Q41"), "address": "合肥市瑶海区长江东路1号", "industry": "fireworks",
		"risk_grade": "orange", "contact": "张联系", "phone": phone}))
	e2e.PenaltyItemPublished(s, county, b.admin)
	return b
}

// TestEnforcementChainBrowser runs the chain on each engine.
func TestEnforcementChainBrowser(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			walkChain(t, d)
		})
	}
}

// walkChain is the chain, dated across four months of 2026 by the
// enforcement clock: each step is taken on a day after the one before, as
// the procedure's own date checks require.
func walkChain(t *testing.T, dialect db.Dialect) {
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowserOn(t, dialect)
	b := newBureau(s)
	clock := s.EnforcementClock("2026-03-02")
	workdays := func(from string, n int) string {
		d, err := calendar.ParseDate(from)
		if err != nil {
			t.Fatal(err)
		}
		due, _ := s.Svc.Calendar.Calendar().AddWorkdays("34", d, n, nil)
		return calendar.FormatDate(due)
	}

	// 2026-03-02: the plan, approved by the 负责人, and the draw.
	planner := e2e.NewTab(t, browser, base)
	planner.SignIn("officer0_"+county, password)
	planner.Open("/counties/" + county + "/inspection-plans")
	planner.Fill("plan-name", "2026年第一季度烟花爆竹经营单位双随机抽查")
	planner.Choose("plan-start", "2026-03-01")
	planner.Choose("plan-end", "2026-06-30")
	planner.Fill("plan-count", "1")
	planner.Tick("plan-ind-fireworks")
	planner.Submit("#plan-submit")
	planPath := planner.Path()
	planner.WantText("[data-testid=plan-status]", "待批准")

	leader := e2e.NewTab(t, browser, base)
	leader.SignIn("leader_"+county, password)
	leader.Open(planPath)
	leader.Submit("#plan-approve")
	leader.WantText("[data-testid=plan-status]", "已批准")

	planner.Open(planPath)
	planner.Submit("#plan-draw")
	planner.WantText("[data-testid=flash]", "已完成随机抽取")
	planner.WantText("[data-testid=draw-result]", b.entity)
	planner.Submit("#verify-1")
	planner.WantText("[data-testid=verify-result]", "一致")

	// Who was drawn: the inspection and its two inspectors.
	r := s.Must(200, s.Do("GET", api("/inspections?status=assigned"), b.admin, nil))
	list := r.Body["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("%d inspections assigned by the draw: %s", len(list), r.Raw)
	}
	ins := list[0].(map[string]any)
	inspectionPath := "/counties/" + county + "/inspections/" + e2e.Itoa(e2e.Num(ins["id"]))
	var drawn []int64
	for _, x := range ins["inspectors"].([]any) {
		drawn = append(drawn, e2e.Num(x))
	}
	if len(drawn) != 2 {
		t.Fatalf("inspectors drawn: %v", drawn)
	}
	username := func(id int64) string {
		for k, o := range b.officerIDs {
			if o == id {
				return "officer" + e2e.Itoa(int64(k)) + "_" + county
			}
		}
		t.Fatalf("inspector %d is not in the pool", id)
		return ""
	}

	// 2026-03-10: the first inspector drawn inspects, finds the violation,
	// orders it rectified, publishes the result and opens the case.
	clock.Set("2026-03-10")
	officer := e2e.NewTab(t, browser, base)
	officer.SignIn(username(drawn[0]), password)
	officer.Open(inspectionPath)
	officer.Fill("finding-description", "未对新入职的6名仓库保管员进行安全生产教育和培训，现场负责人手机"+phone)
	officer.Fill("finding-provision", "《中华人民共和国安全生产法》第二十八条")
	officer.Choose("finding-violation", "1")
	officer.Submit("#finding-submit")
	officer.Choose("inspected-on", "2026-03-10")
	officer.Fill("summary", "未按规定开展从业人员安全培训，已责令限期整改")
	officer.Choose("rectify-deadline", "2026-03-31")
	officer.Submit("#complete-submit")
	officer.WantText("[data-testid=inspection-status]", "已检查")
	officer.Submit("#publish-submit")
	officer.WantText("[data-testid=published-on]", "2026-03-10")

	var finding int64
	if err := s.Svc.DB.Get(&finding, `SELECT MIN(id) FROM inspection_findings WHERE county_code = ?`, county); err != nil {
		t.Fatal(err)
	}
	fid := e2e.Itoa(finding)
	// A case dated before the inspection is refused, the choices kept.
	officer.Choose("penalty-item-"+fid, "CF-001")
	officer.Choose("penalty-filed-"+fid, "2026-03-09")
	if status := officer.Click("#penalty-submit-" + fid); status != 400 {
		t.Fatalf("case filed before the inspection: HTTP %d", status)
	}
	officer.WantText("#penalty-filed-"+fid+"-error", "不能早于检查日期")
	if v := officer.Value("penalty-item-" + fid); v != "CF-001" {
		t.Errorf("item after the refusal: %q", v)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM penalty_cases`); n != 0 {
		t.Fatalf("%d penalty cases after the refusal", n)
	}
	officer.Choose("penalty-filed-"+fid, "2026-03-10")
	officer.Submit("#penalty-submit-" + fid)
	officer.WantText("[data-testid=finding-case-"+fid+"]", "瑶海区应急罚立〔2026〕第1号")
	officer.Submit("[data-testid=finding-case-" + fid + "]")
	casePath := officer.Path()
	officer.WantText("[data-testid=pc-status]", "立案待批")
	officer.WantText("[data-testid=pc-party]", b.entity)
	officer.WantText("[data-testid=pc-source]", "检查发现")
	officer.WantText("[data-testid=pc-facts]", "未对新入职的6名仓库保管员")
	// 第六十条: 90 days from 立案, natural days.
	officer.WantText("[data-testid=pc-decision-due]", "2026-06-08")

	leader.Open(casePath)
	leader.Choose("approve-on", "2026-03-10")
	leader.Fill("approve-reason", "同意立案")
	leader.Submit("#submit-approve")
	leader.WantText("[data-testid=pc-status]", "调查取证")

	// 2026-05-22: the steps up to the decision, each on its own date, then
	// service and publication.
	clock.Set("2026-05-22")
	officer.Open(casePath)
	// The investigation starts from the two officers who inspected, with
	// their certificate numbers from the inspector pool.
	for k, id := range drawn {
		slot := e2e.Itoa(int64(k + 1))
		if got := officer.Value("inv-user-" + slot); got != e2e.Itoa(id) {
			t.Errorf("investigator %s starts as %q, want the inspector %d", slot, got, id)
		}
		if got := officer.Value("inv-cert-" + slot); got != b.certs[id] {
			t.Errorf("certificate %s starts as %q, want %s", slot, got, b.certs[id])
		}
	}
	officer.Choose("inv-on", "2026-03-20")
	officer.Submit("#submit-investigate")
	officer.WantText("[data-testid=pc-investigators]", b.certs[drawn[1]])

	// 5万元 to an organisation is a 较大数额 fine: the hearing right is
	// computed, with the request window of five working days.
	officer.Choose("notify-on", "2026-04-20")
	officer.Tick("notify-kind-fine")
	officer.Fill("notify-fine", "50000")
	officer.Tick("notify-major")
	officer.Submit("#submit-notify")
	requestDue := workdays("2026-04-20", 5)
	officer.WantText("[data-testid=pc-hearing]", "应当告知听证权利，申请期限至 "+requestDue)

	// A request after the window is refused; the one in time is recorded.
	late, _ := calendar.ParseDate(requestDue)
	officer.Choose("rh-on", calendar.FormatDate(late.AddDate(0, 0, 1)))
	if status := officer.Click("#submit-request_hearing"); status != 400 {
		t.Errorf("hearing asked for after the window: HTTP %d", status)
	}
	officer.WantText("[data-testid=field-errors] [data-field=requested_on]", "听证申请日期：")
	officer.Choose("rh-on", "2026-04-22")
	officer.Submit("#submit-request_hearing")
	hearingOn := workdays("2026-04-23", 7)
	officer.Choose("sh-notice", "2026-04-23")
	officer.Choose("sh-on", hearingOn)
	officer.Fill("sh-place", "区应急管理局听证室")
	officer.Submit("#submit-schedule_hearing")
	officer.Choose("hh-on", hearingOn)
	officer.Fill("hh-record", "当事人对违法事实无异议，称已安排补训")
	officer.Submit("#submit-hold_hearing")
	officer.WantText("[data-testid=pc-status]", "听证已举行")

	legal := e2e.NewTab(t, browser, base)
	legal.SignIn("legal_"+county, password)
	legal.Open(casePath)
	legal.Choose("lr-on", "2026-05-15")
	legal.Fill("lr-opinion", "事实清楚，证据确凿，程序合法，裁量适当")
	legal.Submit("#submit-legal_review")
	legal.WantText("[data-testid=pc-status]", "法制审核完成")

	leader.Open(casePath)
	leader.Choose("dc-on", "2026-05-20")
	leader.Choose("dc-tier", "CF-001-1|严重")
	leader.Fill("dc-fine", "50000")
	leader.Fill("dc-reasons", "未培训从业人员6人，属严重情形")
	leader.Fill("dc-collective", "2026-05-19 局长办公会，局长、分管副局长、法制股长参加，同意处罚")
	leader.Submit("#submit-decide")
	leader.WantText("[data-testid=pc-decision]", "罚款 50000 元（裁量阶次：严重）")
	publishDue := workdays("2026-05-20", 7)
	leader.WantText("[data-testid=pc-publication]", "待公示，期限 "+publishDue)

	officer.Open(casePath)
	officer.Choose("sv-on", "2026-05-21")
	officer.Submit("#submit-serve")
	// 第七十二条: payment within 15 days of receipt.
	officer.WantText("[data-testid=pc-payment-due]", "2026-06-05")

	reviewer := e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_"+county, password)
	reviewer.Open("/counties/" + county + "/publicity")
	reviewer.WantText("[data-testid=publicity-entries]", "瑶海区应急罚决〔2026〕第1号")
	reviewer.Submit(`[data-testid=publicity-entries] a`)
	reviewer.WantText("[data-testid=preview-party]", b.entity)
	if got := reviewer.Text("[data-testid=preview-content]"); strings.Contains(got, phone) ||
		!strings.Contains(got, "罚款人民币50000元") {
		t.Errorf("preview %q: want the fine and the phone masked", got)
	}
	reviewer.Submit("#publish-submit")
	reviewer.WantText("[data-testid=entry-status]", "已公示")

	public := e2e.NewTab(t, browser, base)
	public.Open("/portal/" + county + "/publicity")
	public.WantText("[data-testid=publicity-public]", "罚款人民币50000元")
	public.WantText("[data-testid=publicity-public]", b.entity)
	public.Open("/portal/" + county + "/inspection-results")
	public.WantText("[data-testid=result-summary]", "已责令限期整改")
	for _, page := range []string{"/portal/" + county + "/publicity", "/portal/" + county + "/inspection-results"} {
		public.Open(page)
		for _, personal := range []string{phone, "张联系", "王执法", "李执法", "赵执法"} {
			if strings.Contains(public.BodyText(), personal) {
				t.Errorf("%s shows %q", page, personal)
			}
		}
	}

	// 2026-06-15: the fine, due 2026-06-05, is paid ten days late; 加处罚款
	// is 3% a day (第七十二条): 50000 × 3% × 10 = 15000. The fine alone is
	// refused with the amount due.
	clock.Set("2026-06-15")
	officer.Open(casePath)
	officer.WantText("[data-testid=pc-surcharge]", "15000.00 元")
	officer.Choose("pay-on", "2026-06-15")
	officer.Fill("pay-yuan", "50000")
	if status := officer.Click("#submit-pay"); status != 400 {
		t.Errorf("the fine without the surcharge: HTTP %d", status)
	}
	officer.WantText("[data-testid=form-error]", "65000.00")
	officer.Retype("pay-yuan", "65000")
	officer.Submit("#submit-pay")
	officer.WantText("[data-testid=pc-paid]", "65000.00 元")

	// 2026-06-18: the decision is revoked on 行政复议; its publication is
	// withdrawn in the same step (第四十八条), and the portal says why.
	clock.Set("2026-06-18")
	leader.Open(casePath)
	leader.Choose("rv-on", "2026-06-18")
	leader.Choose("rv-kind", "撤销")
	leader.Fill("revoke-reason", "经行政复议撤销")
	leader.Submit("#submit-revoke")
	leader.WantText("[data-testid=pc-revoked]", "2026-06-18 撤销")
	leader.WantText("[data-testid=pc-publication]", "已于 2026-06-18 撤回")

	public.Open("/portal/" + county + "/publicity")
	public.WantText("[data-testid=withdrawn-note]", "经行政复议撤销")
	if strings.Contains(public.BodyText(), "罚款人民币50000元") {
		t.Errorf("the portal still shows the revoked decision:\n%s", public.BodyText())
	}

	officer.Open(casePath)
	timeline := officer.Text("[data-testid=pc-timeline]")
	for _, step := range []string{"立案申请", "批准立案", "调查取证", "告知", "当事人申请听证", "通知听证", "举行听证", "法制审核",
		"作出决定", "送达", "缴纳罚款", "决定被撤销或变更"} {
		if !strings.Contains(timeline, step) {
			t.Errorf("timeline lacks %s: %s", step, timeline)
		}
	}
}
