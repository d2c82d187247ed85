package cases_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/db"
	"safetypilot/web"
	"safetypilot/web/challenge"
)

// casesIDOf is the id of the case with a tracking number, as a path segment.
func casesIDOf(s *e2e.Service, trackingNo string) string {
	s.T.Helper()
	var id int64
	if err := s.Svc.DB.Get(&id, `SELECT id FROM cases WHERE tracking_no = ?`, trackingNo); err != nil {
		s.T.Fatalf("case %s: %v", trackingNo, err)
	}
	return e2e.Itoa(id)
}

// TestCasesBrowserLifecycle: a citizen applies online for item 274 (a wrong
// credit code is refused next to its field and stores nothing) and tracks
// the case; the clerk finds it in the case list, accepts it (a second,
// stale window of the same case gets 409 on the page), completes a step,
// pauses for 补正 and resumes; the reviewer, who sees only the decisions,
// approves (and is refused a clerk's action with 403); the clerk delivers;
// the public tracking page follows every status without personal data. The
// list filters by status, and the clerk records a paper application
// received earlier.
func TestCasesBrowserLifecycle(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county, code = "340102", "274"
	const itemName = "烟花爆竹经营（零售）许可证核发"
	const applicant, phone, credit = "合肥市瑶海区平安烟花爆竹零售店", "13800000000", "91350100M000100Y43"
	admin := s.Onboard("34", county)
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/"+code), admin, e2e.FireworksContent()))
	s.Must(200, s.Do("POST", e2e.CatPath(county, "/"+code+"/publish"), admin, nil))
	s.AddUser(admin, county, "clerk_c", "county_clerk")
	s.AddUser(admin, county, "reviewer_c", "county_reviewer")
	caseCount := func() int { return s.CountRows(`SELECT COUNT(*) FROM cases WHERE county_code = ?`, county) }

	// The citizen applies online; a wrong check character is refused next to
	// the field, keeps what was typed and stores nothing.
	citizen := e2e.NewTab(t, browser, base)
	citizen.Open("/portal/" + county + "/apply")
	if n := citizen.Count("#apply-item option[value='" + code + "']"); n != 1 {
		t.Fatalf("apply page offers item %s %d times\n%s", code, n, citizen.BodyText())
	}
	if n := citizen.Count("#apply-item option[value='1']"); n != 0 {
		t.Errorf("apply page offers an information item")
	}
	citizen.Screenshots("cases-apply")
	citizen.Choose("apply-item", code)
	citizen.Fill("apply-name", applicant)
	citizen.Fill("apply-credit", "91350100M000100Y44")
	citizen.Fill("apply-contact", "李明")
	citizen.Fill("apply-phone", phone)
	if status := citizen.Click("#apply-submit"); status != http.StatusBadRequest {
		t.Fatalf("wrong credit code: HTTP %d, want 400\n%s", status, citizen.BodyText())
	}
	citizen.WantText("#apply-credit + .field-error", "统一社会信用代码有误")
	if n := caseCount(); n != 0 {
		t.Fatalf("%d cases stored after a wrong credit code", n)
	}
	for id, want := range map[string]string{"apply-item": code, "apply-name": applicant, "apply-phone": phone} {
		if got := citizen.Value(id); got != want {
			t.Errorf("#%s after the refusal = %q, want %q", id, got, want)
		}
	}
	citizen.Retype("apply-credit", credit)
	citizen.Submit("#apply-submit")
	citizen.WantPath("/portal/" + county + "/track")
	no := citizen.Text("[data-testid=tracking-no]")
	if !strings.HasPrefix(no, county+"-") || len(no) != len(county)+11 {
		t.Fatalf("tracking number %q", no)
	}
	citizen.WantText("[data-testid=submitted]", "请记下受理编号")
	citizen.WantText("[data-testid=track-status]", "已提交，待受理")
	if n := caseCount(); n != 1 {
		t.Fatalf("%d cases after the application, want 1", n)
	}
	trackPage := "/portal/" + county + "/track?no=" + url.QueryEscape(no)
	publicHasNoPersonalData := func(when string) {
		t.Helper()
		text := citizen.BodyText()
		for _, personal := range []string{applicant, phone, credit, "李明"} {
			if strings.Contains(text, personal) {
				t.Errorf("tracking page %s shows %q:\n%s", when, personal, text)
			}
		}
	}
	publicHasNoPersonalData("after applying")
	citizen.Open(trackPage)
	citizen.WantText("[data-testid=track-status]", "已提交，待受理")
	if n := citizen.Count("[data-testid=submitted]"); n != 0 {
		t.Errorf("a later lookup still says the application was just submitted")
	}
	citizen.Screenshots("cases-track")
	if status := citizen.OpenStatus("/portal/" + county + "/track?no=" + county + "-2222222222"); status != http.StatusNotFound {
		t.Errorf("unknown tracking number: HTTP %d, want 404", status)
	}
	citizen.WantText("[data-testid=track-not-found]", "未找到受理编号")

	// The clerk finds the case in the list and opens it.
	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk_c", e2e.CasesUserPassword)
	list := "/counties/" + county + "/cases"
	clerk.Open(list)
	row := "[data-testid='case-row-" + no + "']"
	for _, want := range []string{no, itemName, applicant, "已提交，待受理", time.Now().In(web.Beijing).Format("2006-01-02")} {
		clerk.WantText(row, want)
	}
	clerk.Submit(row + " a.tracking")
	casePage := list + "/" + casesIDOf(s, no)
	clerk.WantPath(casePage)
	clerk.WantText("[data-testid=case-status]", "已提交，待受理")
	clerk.WantText("[data-testid=applicant]", credit)
	clerk.WantText("[data-testid=deadline-explanation]", "法定时限20个工作日，承诺时限13个工作日")
	clerk.WantText("[data-testid=timeline]", "网上申请")

	// The same case in a second window of the clerk: once accepted in the
	// first, its stale 受理 button is refused with 409 on the page.
	staleCtx, cancelStale := chromedp.NewContext(clerk.Ctx)
	t.Cleanup(cancelStale)
	stale := &e2e.Tab{T: t, Ctx: staleCtx, Base: base}
	stale.Open(casePage)
	clerk.Submit("#action-accept")
	clerk.WantPath(casePage)
	clerk.WantText("main .flash", "已受理")
	clerk.WantText("[data-testid=case-status]", "已受理")
	if status := stale.Click("#action-accept"); status != http.StatusConflict {
		t.Errorf("stale accept: HTTP %d, want 409\n%s", status, stale.BodyText())
	}
	stale.WantText("[data-testid=action-error]", "不能执行“受理”")
	stale.WantText("[data-testid=case-status]", "已受理")

	// A step, then a pause for 补正 and its end.
	clerk.Submit("#action-advance")
	clerk.WantText("[data-testid=case-status]", "审查中")
	clerk.WantText("[data-testid=step-1-state]", "已完成")
	clerk.WantText("[data-testid=step-2-state]", "办理中")
	for _, id := range []string{"#action-approve", "#action-deny", "#action-extend"} {
		if n := clerk.Count(id); n != 0 {
			t.Errorf("the clerk is offered %s", id)
		}
	}
	clerk.WantText("[data-testid=others]", "由其他岗位办理：准予许可、不予许可")
	const pauseReason = "缺少零售经营场所产权证明，请补正后提交"
	clerk.Choose("pause-kind", "补正")
	clerk.Fill("pause-reason", pauseReason)
	clerk.Submit("#action-pause")
	clerk.WantText("[data-testid=case-status]", "退回补正")
	clerk.WantText("[data-testid=case-paused]", "暂停计时")
	clerk.WantText("[data-testid=pauses]", pauseReason)
	clerk.WantText("[data-testid=pauses]", "暂停中")
	if n := clerk.Count("#action-advance"); n != 0 {
		t.Errorf("a step can be completed while the case is returned for correction")
	}
	// The 补正 notice: listed with its print page for staff; on the public
	// tracking page, what to correct (the applicant is told it in writing,
	// 行政许可法 第三十二条), without the applicant's data or the print link.
	clerk.WantText("[data-testid=notices]", "补正材料通知书")
	clerk.WantText("[data-testid=notices]", "查看并打印")
	citizen.Open(trackPage)
	citizen.WantText("[data-testid=track-status]", "退回补正")
	citizen.WantText("[data-testid=track-notice]", "补正材料通知书")
	citizen.WantText("[data-testid=track-notice-reason]", pauseReason)
	publicHasNoPersonalData("while paused")
	if n := citizen.Count("[data-testid=track-notices] a"); n != 0 {
		t.Errorf("the public tracking page links to %d notice pages", n)
	}
	clerk.Submit("#action-resume")
	clerk.WantText("main .flash", "已恢复计时")
	clerk.WantText("[data-testid=case-status]", "审查中")
	if n := clerk.Count("[data-testid=case-paused]"); n != 0 {
		t.Errorf("still marked paused after resuming")
	}
	if got := clerk.Text("[data-testid=pauses] tbody td[data-label='结束']"); got == "暂停中" || got == "" {
		t.Errorf("pause end after resuming = %q", got)
	}
	for _, want := range []string{"受理", "完成当前环节", "暂停计时", "补正：" + pauseReason, "恢复计时", "clerk_c"} {
		clerk.WantText("[data-testid=timeline]", want)
	}
	clerk.WantText("[data-testid=deadline-explanation]", "暂停计时")
	clerk.Screenshots("cases-case")

	// The reviewer is offered the decisions only (an extension is the
	// 负责人's, 行政许可法 第四十二条), and approves.
	reviewer := e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_c", e2e.CasesUserPassword)
	reviewer.Open(casePage)
	for _, id := range []string{"#action-accept", "#action-advance", "#action-pause", "#action-withdraw", "#action-extend"} {
		if n := reviewer.Count(id); n != 0 {
			t.Errorf("the reviewer is offered %s", id)
		}
	}
	for _, id := range []string{"#action-approve", "#action-deny"} {
		if n := reviewer.Count(id); n != 1 {
			t.Errorf("the reviewer is offered %s %d times, want 1", id, n)
		}
	}
	reviewer.Submit("#action-approve")
	reviewer.WantText("[data-testid=case-status]", "准予许可（已决定）")
	reviewer.WantText("[data-testid=decision]", "准予许可")

	// A clerk's action posted by the reviewer is refused with 403 on the page.
	req := httptest.NewRequest("POST", casePage+"/actions", strings.NewReader(url.Values{"action": {"deliver"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.Login("reviewer_c", e2e.CasesUserPassword))
	r := s.Send(req)
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Raw), "只有经办人员可以送达办结") {
		t.Errorf("reviewer delivering: HTTP %d\n%s", r.Status, r.Raw)
	}

	// The clerk delivers; nothing is left to do.
	clerk.Open(casePage)
	clerk.Submit("#action-deliver")
	clerk.WantText("[data-testid=case-status]", "已送达办结")
	if n := clerk.Count("form[action$='/actions']"); n != 0 {
		t.Errorf("%d action forms on a delivered case", n)
	}
	citizen.Open(trackPage)
	citizen.WantText("[data-testid=track-status]", "已送达办结")
	citizen.WantText("[data-testid=track-result]", "办结日期")
	publicHasNoPersonalData("after delivery")

	// The list filters by status.
	clerk.Open(list)
	clerk.Choose("filter-status", "delivered")
	clerk.Submit("#filter-submit")
	clerk.WantText(row, "已送达办结")
	clerk.Choose("filter-status", "submitted")
	clerk.Submit("#filter-submit")
	clerk.WantText("[data-testid=no-cases]", "没有符合条件的办件")

	// A paper application received 40 days ago, already past its promised
	// deadline: a wrong code is refused next to its field, then the case
	// opens with the date received and a red light, in the list too.
	clerk.Open(list)
	received := time.Now().In(web.Beijing).AddDate(0, 0, -40).Format("2006-01-02")
	clerk.Choose("new-item", code)
	clerk.Fill("new-name", "瑶海区红星烟花店")
	clerk.Fill("new-credit", "91350100M000100Y4")
	clerk.Choose("new-received", received)
	if status := clerk.Click("#new-case-submit"); status != http.StatusBadRequest {
		t.Fatalf("wrong credit code at the counter: HTTP %d, want 400\n%s", status, clerk.BodyText())
	}
	clerk.WantText("#new-credit + .field-error", "统一社会信用代码有误")
	if n := caseCount(); n != 1 {
		t.Fatalf("%d cases after a refused paper case, want 1", n)
	}
	if got := clerk.Value("new-received"); got != received {
		t.Errorf("received date after the refusal %q, want %s", got, received)
	}
	clerk.Retype("new-credit", credit)
	clerk.Submit("#new-case-submit")
	clerk.WantText("main .flash", "已收件")
	paper := clerk.Text("[data-testid=tracking-no]")
	clerk.WantText("main .case-grid", "补录纸质申请")
	clerk.WantText("main .case-grid", received)
	clerk.WantText("[data-testid=case-light]", "红灯")
	clerk.WantText("[data-testid=promised-deadline]", "已超期")
	if n := caseCount(); n != 2 {
		t.Errorf("%d cases after the paper case, want 2", n)
	}
	clerk.Open(list + "?warning=red")
	clerk.WantText("[data-testid='case-row-"+paper+"'] .light.red", "红灯")
	if n := clerk.Count(row); n != 0 {
		t.Errorf("the delivered case is listed under red lights")
	}
	// Pages of one case each, of all the cases.
	clerk.Open(list + "?status=all&per_page=1") // the delivered case too: the default list shows open cases
	clerk.WantText("[data-testid=case-total]", "第 1/2 页")
	first := clerk.Text("tbody a.tracking")
	clerk.Submit("a[rel=next]")
	clerk.WantText("[data-testid=case-total]", "第 2/2 页")
	if second := clerk.Text("tbody a.tracking"); second == first || clerk.Count("tbody tr") != 1 {
		t.Errorf("page 2 shows %d rows, first %s, then %s", clerk.Count("tbody tr"), first, second)
	}
	if n := clerk.Count("a[rel=next]"); n != 0 {
		t.Errorf("a next link on the last page")
	}
	clerk.Open(list)
	clerk.Screenshots("cases-list")

	// A county that is not an active pilot has no public case pages.
	for _, p := range []string{"/portal/340103/apply", "/portal/340103/track?no=340103-2222222222"} {
		if status := citizen.OpenStatus(p); status != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", p, status)
		}
	}
}

// TestCasesPagesRateLimit: the online application and tracking pages count
// against the same per-client limits as the public API, so alternating
// between page and API gains nothing; a refused application stores nothing.
func TestCasesPagesRateLimit(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	const county = "340102"
	admin := s.Onboard("34", county)
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), admin, e2e.FireworksContent()))
	s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil))
	form := func(method, path string, v url.Values) e2e.Response {
		req := httptest.NewRequest(method, path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return s.Send(req)
	}
	// A bad credit code (with a solved challenge): every application is
	// refused after the limiter.
	applyPage := func() e2e.Response {
		return form("POST", "/portal/"+county+"/apply", s.SolvedChallenge(challenge.KindApply, county).Fields(url.Values{
			"item_code": {"274"}, "name": {"探测"}, "credit_code": {"91350100M000100Y44"}, "phone": {"13800000000"}}))
	}
	applyAPI := func() e2e.Response {
		return s.Do("POST", e2e.PubPath(county, "/cases"), "", map[string]any{"item_code": "274",
			"applicant": map[string]string{"name": "探测", "credit_code": "91350100M000100Y44", "phone": "13800000000"}})
	}
	const unknown = county + "-2222222222"
	trackPage := func() e2e.Response { return s.Do("GET", "/portal/"+county+"/track?no="+unknown, "", nil) }
	trackAPI := func() e2e.Response { return s.Do("GET", e2e.PubPath(county, "/cases/"+unknown), "", nil) }

	// The limits count per minute: start early in a window so that all
	// requests fall into one.
	if left := time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)); left < 15*time.Second {
		time.Sleep(left + 100*time.Millisecond)
	}
	for _, tc := range []struct {
		name      string
		limit     int
		allowed   int
		page, api func() e2e.Response
	}{
		{"apply", 5, http.StatusBadRequest, applyPage, applyAPI},
		{"track", 30, http.StatusNotFound, trackPage, trackAPI},
	} {
		for i := 0; i < tc.limit+2; i++ {
			via, send := "page", tc.page
			if i%2 == 1 {
				via, send = "API", tc.api
			}
			r := send()
			want := tc.allowed
			if i >= tc.limit {
				want = http.StatusTooManyRequests
			}
			if r.Status != want {
				t.Fatalf("%s request %d via the %s: HTTP %d, want %d\n%s", tc.name, i+1, via, r.Status, want, r.Raw)
			}
			if want == http.StatusTooManyRequests && r.Header.Get("Retry-After") == "" {
				t.Errorf("%s request %d via the %s: 429 without Retry-After", tc.name, i+1, via)
			}
			if want == http.StatusTooManyRequests && via == "page" && !strings.Contains(string(r.Raw), "请求过于频繁") {
				t.Errorf("%s page at the limit:\n%s", tc.name, r.Raw)
			}
		}
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM cases`); n != 0 {
		t.Errorf("%d cases stored by refused applications", n)
	}
}
