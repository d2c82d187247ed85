package disclosure_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/disclosure"
	"safetypilot/web"
)

// disclosureIDOf is the id of the record with a title, as a path segment.
func disclosureIDOf(s *e2e.Service, county, title string) string {
	s.T.Helper()
	var id int64
	if err := s.Svc.DB.Get(&id, `SELECT id FROM disclosure_records WHERE county_code = ? AND title = ?`, county, title); err != nil {
		s.T.Fatalf("record %q: %v", title, err)
	}
	return e2e.Itoa(id)
}

// setValueDirect sets a form field's value directly (date inputs take no typing
// that is the same in every locale).
func setValueDirect(b *e2e.Tab, id, value string) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.SetValue(chromedp.ID(id), value)); err != nil {
		b.T.Fatalf("set #%s: %v", id, err)
	}
}

// disclosureShotsDir is where screenshots go (see tab.screenshots).
func disclosureShotsDir() string {
	if dir := os.Getenv("PILOT_TEST_SHOTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "shots")
}

// disclosureMedia emulates a CSS media type ("" ends the emulation).
func disclosureMedia(m string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return chromedp.Void{}, err
	}
}

// titleAfterLoad is the page's document.title, after giving anything that
// might run on load (an image's onerror) a moment.
func titleAfterLoad(b *e2e.Tab) string {
	b.T.Helper()
	time.Sleep(300 * time.Millisecond)
	title, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.title`))
	if err != nil {
		b.T.Fatalf("document.title: %v", err)
	}
	return title
}

// TestDisclosureBrowserReviewAndPublish: a clerk writes a record whose
// title and body carry script payloads and a resident ID number (不予公开
// without a reason is refused next to the field) and submits it; the
// clerk cannot review it; the reviewer sees the scan finding highlighted in
// the text, is refused a rejection without an opinion, masks the finding
// and a typed phrase, approves and publishes (a stale second window gets 409
// on the page); the printable review record keeps the review; an anonymous
// visitor sees the payloads as text, nothing runs, and the ID number masked.
func TestDisclosureBrowserReviewAndPublish(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	const idNo = "11010519491231002X"
	if !disclosure.ValidIDNumber(idNo) {
		t.Fatalf("%s is not a valid ID number", idNo)
	}
	const attachmentName = "联系电话13800138000.txt"
	const title = "<script>document.title='pwned'</script>关于安全生产执法检查情况的通报"
	const body = `<p>经查，当事人张某某（身份证号码 ` + idNo + `）未按规定开展隐患排查。</p>` +
		`<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'"><p>特此通报。</p>`
	admin := s.Onboard("34", county)
	_, clerkToken := s.AddUser(admin, county, "clerk_d", "county_clerk")
	s.AddUser(admin, county, "reviewer_d", "county_reviewer")
	list := "/counties/" + county + "/disclosures"
	// Each browser lives at most browserTimeout: one for the staff's work,
	// another for the public's visit.

	// The clerk writes the record; 不予公开 without its statutory reason is
	// refused next to the field, keeping what was typed.
	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk_d", e2e.CasesUserPassword)
	clerk.Open(list)
	clerk.Fill("new-title", title)
	clerk.Choose("new-category", "11")
	// The body goes in as markup through the editor's source view.
	if err := chromedp.Do(clerk.Ctx, chromedp.Click(chromedp.CSS("#new-record [data-cmd=source]"))); err != nil {
		t.Fatalf("source view: %v", err)
	}
	clerk.Fill("new-body", body)
	setValueDirect(clerk, "new-formed", time.Now().In(web.Beijing).Format("2006-01-02"))
	clerk.Choose("new-attribute", disclosure.AttributeWithheld)
	if status := clerk.Click("#new-submit"); status != http.StatusBadRequest {
		t.Fatalf("withheld without reason: HTTP %d, want 400\n%s", status, clerk.BodyText())
	}
	clerk.WantText("#new-reason + .field-error", "不予公开须选择法定理由")
	for id, want := range map[string]string{"new-title": title, "new-category": "11", "new-attribute": disclosure.AttributeWithheld} {
		if got := clerk.Value(id); got != want {
			t.Errorf("#%s after the refusal = %q, want %q", id, got, want)
		}
	}
	if got := clerk.Value("new-body"); !strings.Contains(got, idNo) {
		t.Errorf("body after the refusal = %q", got)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM disclosure_records`); n != 0 {
		t.Fatalf("%d records stored by a refused form", n)
	}
	clerk.Choose("new-attribute", disclosure.AttributeProactive)
	clerk.Submit("#new-submit")
	id := disclosureIDOf(s, county, title)
	record := list + "/" + id
	clerk.WantPath(record)
	clerk.WantText("[data-testid=record-status]", "草稿")
	clerk.WantText("[data-testid=record-title]", "<script>")
	if got := titleAfterLoad(clerk); got == "pwned" {
		t.Fatal("the payload ran on the clerk's record page")
	}
	// An attachment whose name carries a mobile number, through the
	// multipart form.
	file := filepath.Join(t.TempDir(), attachmentName)
	if err := os.WriteFile(file, []byte("检查记录：企业已整改。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(clerk.Ctx, chromedp.SetUploadFiles(chromedp.ID("attachment-file"), []string{file})); err != nil {
		t.Fatalf("choose file: %v", err)
	}
	clerk.Submit("#attachment-submit")
	clerk.WantText("#attachments", attachmentName)
	clerk.Open(list)
	clerk.WantText("[data-testid='record-row-"+id+"']", "草稿")
	clerk.Open(record)
	clerk.Submit("#submit-review")
	clerk.WantText("[data-testid=record-status]", "待保密审查")
	if n := clerk.Count("#review-approve"); n != 0 {
		t.Errorf("the author is offered the review form")
	}

	// The author can never review the record.
	r := s.Do("POST", "/api/v1/counties/"+county+"/disclosures/"+id+"/review", clerkToken,
		map[string]any{"decision": "approve", "opinion": "自审"})
	if r.Status != http.StatusForbidden {
		t.Fatalf("the clerk's own review: HTTP %d, want 403: %s", r.Status, r.Raw)
	}

	// The reviewer sees the finding in the findings list and marked in the
	// stored text, where the markup shows as text.
	reviewer := e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_d", e2e.CasesUserPassword)
	reviewer.Open(list + "?tab=review")
	reviewer.WantText("[data-testid='record-row-"+id+"']", "待保密审查")
	reviewer.Open(record)
	reviewer.WantText("[data-testid=finding-count]", "发现 2 处")
	reviewer.WantText("[data-testid=finding-1]", "居民身份证号码")
	reviewer.WantText("[data-testid=finding-1]", idNo)
	reviewer.WantText("[data-testid=finding-1]", "正文第")
	reviewer.WantText("[data-testid=finding-2]", "手机号码")
	reviewer.WantText("[data-testid=finding-2]", "13800138000")
	if n := reviewer.Count("[data-testid=rendered-body] mark.finding"); n != 1 {
		t.Fatalf("%d findings marked in the rendered body, want 1\n%s", n, reviewer.BodyText())
	}
	reviewer.WantText("[data-testid=rendered-body] mark.finding", idNo)
	if n := reviewer.Count("[data-testid=rendered-body] script, [data-testid=rendered-body] [onerror]"); n != 0 {
		t.Errorf("%d script elements or event handlers in the rendered body", n)
	}
	// The markup as stored, behind a disclosure triangle.
	if err := chromedp.Do(reviewer.Ctx, chromedp.Click(chromedp.CSS(".source-markup summary"))); err != nil {
		t.Fatalf("open the source view: %v", err)
	}
	if n := reviewer.Count("[data-testid=source-body] mark.finding"); n != 1 {
		t.Fatalf("%d findings marked in the body, want 1\n%s", n, reviewer.BodyText())
	}
	reviewer.WantText("[data-testid=source-body] mark.finding", idNo)
	reviewer.WantText("[data-testid=source-body]", `<img src="x">`)
	reviewer.WantText("[data-testid=source-title]", "<script>document.title='pwned'</script>")
	if got := titleAfterLoad(reviewer); got == "pwned" {
		t.Fatal("the payload ran on the review page")
	}
	reviewer.Screenshots("disclosure-review")

	// A rejection needs an opinion: refused next to the field, the ticks and
	// the phrase kept.
	for _, box := range []string{"mask-1", "mask-2"} {
		reviewer.Tick(box)
	}
	reviewer.Fill("review-phrases", "张某某")
	if status := reviewer.Click("#review-reject"); status != http.StatusBadRequest {
		t.Fatalf("rejection without opinion: HTTP %d, want 400\n%s", status, reviewer.BodyText())
	}
	reviewer.WantText("#review-opinion + .field-error", "审查不通过须填写审查意见")
	if checked, err := chromedp.Run(reviewer.Ctx, chromedp.Evaluate[bool](
		`document.getElementById("mask-1").checked && document.getElementById("mask-2").checked`)); err != nil || !checked {
		t.Errorf("the ticks were not kept after the refusal (%v)", err)
	}
	if got := reviewer.Value("review-phrases"); got != "张某某" {
		t.Errorf("phrase after the refusal = %q", got)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM disclosure_reviews`); n != 0 {
		t.Fatalf("%d reviews stored by a refused form", n)
	}
	reviewer.Fill("review-opinion", "身份证号码和当事人姓名已遮盖，同意公开。")
	reviewer.Submit("#review-approve")
	reviewer.WantPath(record)
	reviewer.WantText("[data-testid=record-status]", "审查通过，待发布")
	if n := reviewer.Count("[data-testid=source-body] mark.masked"); n < 2 {
		t.Errorf("%d masked spans shown after approval, want the ID number and the name", n)
	}
	reviewer.WantText("[data-testid=preview-body]", "＊＊＊")

	// A second window of the reviewer still shows the publish button.
	stale := e2e.NewTab(t, browser, base)
	stale.SignIn("reviewer_d", e2e.CasesUserPassword)
	stale.Open(record)
	reviewer.Submit("#publish-submit")
	reviewer.WantText("[data-testid=record-status]", "已公开")
	if status := stale.Click("#publish-submit"); status != http.StatusConflict {
		t.Errorf("publishing twice: HTTP %d, want 409", status)
	}
	stale.WantText("[data-testid=page-error]", "只有保密审查通过的信息可以发布")

	// The review is kept and printable.
	reviewer.Open(record + "/reviews")
	reviewer.WantText("[data-testid=review-record-title]", "<script>")
	entry := "[data-testid=review-record]"
	for _, want := range []string{"初审：通过", "reviewer_d", "身份证号码和当事人姓名已遮盖", "居民身份证号码", idNo, "张某某", "正文第"} {
		reviewer.WantText(entry, want)
	}
	reviewer.Screenshots("disclosure-reviews")
	// Printed (A4 width), the record stands alone: no page header, no links back.
	if err := chromedp.Do(reviewer.Ctx, disclosureMedia("print"), chromedp.EmulateViewport(794, 1123)); err != nil {
		t.Fatalf("print media: %v", err)
	}
	printed, err := chromedp.Run(reviewer.Ctx, chromedp.Evaluate[string](`[getComputedStyle(document.querySelector("header.top")).display,
		getComputedStyle(document.querySelector("p.back")).display,
		getComputedStyle(document.querySelector("[data-testid=review-record]")).display].join(" ")`))
	if err != nil {
		t.Fatalf("print layout: %v", err)
	}
	if printed != "none none block" {
		t.Errorf("printed review record: header, back link, record display = %q, want none none block", printed)
	}
	if png, err := chromedp.Run(reviewer.Ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(disclosureShotsDir(), "disclosure-reviews-print.png"), png, 0o644)
	}
	if err := chromedp.Do(reviewer.Ctx, disclosureMedia(""), chromedp.ResetViewport()); err != nil {
		t.Fatalf("screen media: %v", err)
	}

	// The public: the payloads are text, nothing runs, the ID is masked.
	public := e2e.NewTab(t, browser, base)
	public.Open("/portal/" + county + "/disclosures")
	public.WantText("[data-testid='portal-record-"+id+"']", "关于安全生产执法检查情况的通报")
	public.Open("/portal/" + county + "/disclosures/" + id)
	if got := titleAfterLoad(public); got == "pwned" {
		t.Fatal("the payload ran on the public page")
	}
	public.WantText("[data-testid=record-title]", "<script>document.title='pwned'</script>")
	if n := public.Count("[data-testid=record-body] script, [data-testid=record-body] [onerror]"); n != 0 {
		t.Errorf("%d script elements or event handlers in the public body", n)
	}
	if n := public.Count("script"); n != 0 {
		t.Errorf("%d script elements on the public page", n)
	}
	public.WantText("[data-testid=record-body]", strings.Repeat("＊", len(idNo)))
	public.WantText("[data-testid=record-body]", "特此通报")
	if text := public.BodyText(); strings.Contains(text, idNo) || strings.Contains(text, "张某某") || strings.Contains(text, "13800138000") {
		t.Errorf("the public page shows masked text:\n%s", text)
	}
	masked := "联系电话" + strings.Repeat("＊", 11) + ".txt"
	public.WantText("[data-testid=attachments]", masked)
	href, err := chromedp.Run(public.Ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=attachments] a").getAttribute("href")`))
	if err != nil {
		t.Fatalf("attachment link: %v", err)
	}
	if !strings.HasPrefix(href, "/api/v1/public/counties/"+county+"/disclosures/"+id+"/attachments/") {
		t.Errorf("attachment link %q", href)
	}
	if dl := s.Do("GET", href, "", nil); dl.Status != http.StatusOK || strings.Contains(dl.Header.Get("Content-Disposition"), "13800138000") ||
		!strings.Contains(dl.Header.Get("Content-Disposition"), url.PathEscape("＊")) {
		t.Errorf("public download: HTTP %d, Content-Disposition %q", dl.Status, dl.Header.Get("Content-Disposition"))
	}
	public.Screenshots("disclosure-public")
	if got := titleAfterLoad(public); got == "pwned" {
		t.Fatal("the payload ran on the public page after reload")
	}

	// The published record is withdrawn with a reason and leaves the portal.
	reviewer = e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_d", e2e.CasesUserPassword)
	reviewer.Open(record)
	reviewer.Fill("withdraw-reason", "信息有误，更正后重新发布。")
	reviewer.Submit("#withdraw-submit")
	reviewer.WantText("[data-testid=record-status]", "已撤回")
	if status := public.OpenStatus("/portal/" + county + "/disclosures/" + id); status != http.StatusNotFound {
		t.Errorf("withdrawn record on the portal: HTTP %d, want 404", status)
	}
}

// disclosureAdminName is the username of the county's administrator.
func disclosureAdminName(s *e2e.Service, county string) string {
	s.T.Helper()
	var name string
	if err := s.Svc.DB.Get(&name, `SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = 'county_admin' AND r.region = ?`, county); err != nil {
		s.T.Fatalf("county administrator of %s: %v", county, err)
	}
	return name
}

// TestDisclosureBrowserInfoRequest: a citizen files a request for
// information on the portal and gets a tracking number and the deadline
// (the county administrator has set the review settings on their page);
// tracking shows the status and nothing personal; the reviewer may not
// extend the deadline, the head of the disclosure office does, once; the
// tracking page then shows the extension notice with its reason and still
// nothing personal; the clerk answers with an annual-report outcome, and the
// tracking page follows.
func TestDisclosureBrowserInfoRequest(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	const name, contact = "王市民", "13912345678"
	const description = "2025年度本区烟花爆竹零售许可证核发数量"
	admin := s.Onboard("34", county)
	s.AddUser(admin, county, "clerk_r", "county_clerk")
	s.AddUser(admin, county, "reviewer_r", "county_reviewer")
	s.AddUser(admin, county, "head_r", "disclosure_head")

	// The county administrator switches on the second review and sets the
	// county's terms on the settings page.
	adminTab := e2e.NewTab(t, browser, base)
	adminTab.SignIn(disclosureAdminName(s, county), e2e.CountyPassword)
	adminTab.Open("/counties/" + county + "/disclosure-settings")
	adminTab.Tick("second-review")
	adminTab.Fill("terms", "内部通报\n  \n涉密会议")
	adminTab.Submit("#settings-submit")
	adminTab.WantText("[data-testid=saved]", "设置已保存")
	if got := adminTab.Value("terms"); got != "内部通报\n涉密会议" {
		t.Errorf("terms after saving = %q", got)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM disclosure_settings WHERE county_code = ? AND second_review = ?`, county, true); n != 1 {
		t.Errorf("second review not stored")
	}

	citizen := e2e.NewTab(t, browser, base)
	citizen.Open("/portal/" + county + "/info-requests/new")
	citizen.Screenshots("disclosure-request")
	citizen.Fill("request-name", name)
	citizen.Fill("request-contact", contact)
	citizen.Fill("request-description", description)
	citizen.Choose("request-form", "email")
	citizen.Choose("request-type", "natural")
	citizen.Submit("#request-submit")
	citizen.WantPath("/portal/" + county + "/info-requests/track")
	no := citizen.Text("[data-testid=tracking-no]")
	if !strings.HasPrefix(no, "GK"+county+"-") {
		t.Fatalf("tracking number %q", no)
	}
	var deadline string
	if err := s.Svc.DB.Get(&deadline, `SELECT deadline FROM info_requests WHERE tracking_no = ?`, no); err != nil {
		t.Fatalf("request %s: %v", no, err)
	}
	citizen.WantText("[data-testid=submitted]", "请记下申请编号")
	citizen.WantText("[data-testid=track-status]", "已收到，办理中")
	citizen.WantText("[data-testid=track-deadline]", deadline)
	track := "/portal/" + county + "/info-requests/track?no=" + url.QueryEscape(no)
	citizen.Open(track)
	citizen.WantText("[data-testid=track-status]", "已收到，办理中")
	if n := citizen.Count("[data-testid=submitted]"); n != 0 {
		t.Errorf("a later lookup still says the request was just submitted")
	}
	for _, personal := range []string{name, contact, description} {
		if strings.Contains(citizen.BodyText(), personal) {
			t.Errorf("the tracking page shows %q", personal)
		}
	}
	citizen.Screenshots("disclosure-track")
	if status := citizen.OpenStatus("/portal/" + county + "/info-requests/track?no=GK" + county + "-2222222222"); status != http.StatusNotFound {
		t.Errorf("unknown tracking number: HTTP %d, want 404", status)
	}
	citizen.WantText("[data-testid=track-not-found]", "未找到申请编号")

	// The reviewer extends the deadline once.
	var reqID int64
	if err := s.Svc.DB.Get(&reqID, `SELECT id FROM info_requests WHERE tracking_no = ?`, no); err != nil {
		t.Fatal(err)
	}
	page := "/counties/" + county + "/info-requests/" + e2e.Itoa(reqID)
	reviewer := e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_r", e2e.CasesUserPassword)
	reviewer.Open("/counties/" + county + "/info-requests")
	reviewer.WantText("[data-testid='request-row-"+no+"']", name)
	reviewer.Open(page)
	reviewer.WantText("[data-testid=request-description]", description)
	if n := reviewer.Count("#answer-submit"); n != 0 {
		t.Errorf("the reviewer, without disclosure:write, is offered the answer form")
	}
	if n := reviewer.Count("#extend-submit"); n != 0 {
		t.Errorf("the reviewer, without disclosure:extend, is offered the extension form")
	}
	head := e2e.NewTab(t, browser, base)
	head.SignIn("head_r", e2e.CasesUserPassword)
	head.Open(page)
	head.Fill("extend-reason", "涉及多个部门，需要会商。")
	head.Submit("#extend-submit")
	head.WantPath(page)
	if got := head.Text("[data-testid=request-deadline]"); strings.Contains(got, deadline) || !strings.Contains(got, "延长20个工作日") {
		t.Errorf("deadline after the extension: %q (was %s)", got, deadline)
	}
	if n := head.Count("#extend-submit"); n != 0 {
		t.Errorf("a second extension is offered")
	}
	head.WantText("[data-testid=notices]", "延长答复期限告知书")

	// The requester sees the notice on the tracking page: what, when, the
	// reason and the new deadline, and still nothing personal.
	citizen.Open(track)
	citizen.WantText("[data-testid=track-notice]", "延长答复期限告知书")
	citizen.WantText("[data-testid=track-notice-reason]", "涉及多个部门，需要会商")
	var extended string
	if err := s.Svc.DB.Get(&extended, `SELECT deadline FROM info_requests WHERE tracking_no = ?`, no); err != nil {
		t.Fatal(err)
	}
	citizen.WantText("[data-testid=track-notice]", extended)
	citizen.WantText("[data-testid=track-notice]", "第三十三条第二款")
	for _, personal := range []string{name, contact, description} {
		if strings.Contains(citizen.BodyText(), personal) {
			t.Errorf("the tracking page with the notice shows %q", personal)
		}
	}

	// The clerk answers; a sub-reason is part of the outcome.
	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk_r", e2e.CasesUserPassword)
	clerk.Open(page)
	clerk.Choose("answer-outcome", "unable/not_held")
	clerk.Fill("answer-text", "经检索，本机关未制作或获取该信息。")
	clerk.Submit("#answer-submit")
	clerk.WantText("[data-testid=request-status]", "已答复")
	clerk.WantText("[data-testid=request-outcome]", "无法提供：本机关不掌握相关政府信息")

	citizen.Open(track)
	citizen.WantText("[data-testid=track-status]", "已答复：无法提供")
}

// disclosureStatus is a record's stored status.
func disclosureStatus(s *e2e.Service, id string) string {
	s.T.Helper()
	var st string
	if err := s.Svc.DB.Get(&st, `SELECT status FROM disclosure_records WHERE id = ?`, id); err != nil {
		s.T.Fatalf("record %s: %v", id, err)
	}
	return st
}

// wantPage asserts a page answer's status and that its HTML contains every want.
func wantPage(t *testing.T, what string, r e2e.Response, status int, want ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: HTTP %d, want %d\n%s", what, r.Status, status, r.Raw)
	}
	for _, w := range want {
		if !strings.Contains(string(r.Raw), w) {
			t.Errorf("%s: the page lacks %q", what, w)
		}
	}
}

// TestDisclosurePagesWorkflow drives the console forms without a browser, on
// both databases: settings (a bad term is named by its line), a refused and
// an accepted edit, the second review (the first reviewer may not do it; the
// second sees the first's masks ticked), a rejection and resubmission, the
// printable record of every round, publication by the administrator, and
// the answer and extension forms of a request with their refusals.
func TestDisclosurePagesWorkflow(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		admin := s.Onboard("34", county)
		s.AddUser(admin, county, "clerk_p", "county_clerk")
		s.AddUser(admin, county, "rev_one", "county_reviewer")
		s.AddUser(admin, county, "rev_two", "county_reviewer")
		s.AddUser(admin, county, "head_p", "disclosure_head")
		s.AddUser(admin, county, "leader_p", "county_leader")
		adm := s.BrowserLogin(disclosureAdminName(s, county), e2e.CountyPassword)
		clerk := s.BrowserLogin("clerk_p", e2e.CasesUserPassword)
		one := s.BrowserLogin("rev_one", e2e.CasesUserPassword)
		two := s.BrowserLogin("rev_two", e2e.CasesUserPassword)
		base := "/counties/" + county + "/disclosures"

		// Settings: the clerk may look but not change; a bad term is named by line.
		wantPage(t, "settings as clerk", clerk.Get("/counties/"+county+"/disclosure-settings"), 200, "不实行")
		wantPage(t, "settings post as clerk", clerk.Post("/counties/"+county+"/disclosure-settings",
			url.Values{"second_review": {"1"}}, true), 403)
		wantPage(t, "bad term", adm.Post("/counties/"+county+"/disclosure-settings",
			url.Values{"second_review": {"1"}, "terms": {"内部通报\n<b>"}}, true), 400, "第2行")
		r := adm.Post("/counties/"+county+"/disclosure-settings", url.Values{"second_review": {"1"}, "terms": {"内部通报"}}, true)
		if r.Status != 303 {
			t.Fatalf("settings: HTTP %d\n%s", r.Status, r.Raw)
		}

		// The clerk writes a record: a refused edit keeps the input.
		today := time.Now().In(web.Beijing).Format("2006-01-02")
		form := url.Values{"title": {"安全生产检查情况"}, "category": {"11"}, "formed_on": {today}, "attribute": {"proactive"},
			"body": {"<p>联系人李四，手机 13912345678，内部通报。</p>"}}
		r = clerk.Post(base, form, true)
		if r.Status != 303 {
			t.Fatalf("create: HTTP %d\n%s", r.Status, r.Raw)
		}
		record := strings.SplitN(r.Header.Get("Location"), "?", 2)[0]
		id := record[strings.LastIndexByte(record, '/')+1:]
		bad := url.Values{"title": {""}, "category": {"11"}, "formed_on": {today}, "attribute": {"proactive"}, "body": {"改过的正文"}}
		wantPage(t, "edit without title", clerk.Post(record, bad, true), 400, "请填写标题", "改过的正文")
		wantPage(t, "edit by a reviewer", one.Post(record, form, true), 403)
		if r := clerk.Post(record+"/submit", nil, true); r.Status != 303 {
			t.Fatalf("submit: HTTP %d\n%s", r.Status, r.Raw)
		}

		// First review: a phrase that is not there is refused; then approved
		// with the mobile masked, and sent to the second review.
		page := one.Get(record)
		wantPage(t, "first review page", page, 200, "本县敏感词", "手机号码", `id="review-approve"`)
		wantPage(t, "phrase not found", one.Post(record+"/review", url.Values{"decision": {"approve"}, "phrases": {"王五"}}, true),
			400, "没有找到“王五”")
		mask := regexp.MustCompile(`name="mask" value="(body:\d+:\d+)" id="mask-1"`).FindStringSubmatch(string(page.Raw))
		if mask == nil {
			t.Fatalf("no mask checkbox for the first finding\n%s", page.Raw)
		}
		if r := one.Post(record+"/review", url.Values{"decision": {"approve"}, "mask": {mask[1]}, "phrases": {"李四"}}, true); r.Status != 303 {
			t.Fatalf("first review: HTTP %d\n%s", r.Status, r.Raw)
		}
		if st := disclosureStatus(s, id); st != "pending_second_review" {
			t.Fatalf("status after the first review %s", st)
		}
		wantPage(t, "second review by the first reviewer", one.Get(record), 200, "复审须由初审以外的人员进行")
		wantPage(t, "second review post by the first reviewer", one.Post(record+"/review", url.Values{"decision": {"approve"}}, true),
			403, "复审须由初审以外的人员进行")
		page = two.Get(record)
		wantPage(t, "second review page", page, 200, `value="`+mask[1]+`" id="mask-1" checked`, "继续遮盖", "李四")

		// The second reviewer rejects; the clerk sees the opinion, edits and resubmits.
		wantPage(t, "reject without opinion", two.Post(record+"/review", url.Values{"decision": {"reject"}}, true), 400, "审查不通过须填写审查意见")
		if r := two.Post(record+"/review", url.Values{"decision": {"reject"}, "opinion": {"删去内部通报字样"}}, true); r.Status != 303 {
			t.Fatalf("reject: HTTP %d\n%s", r.Status, r.Raw)
		}
		wantPage(t, "rejected record", clerk.Get(record), 200, "保密审查未通过", "删去内部通报字样")
		form.Set("body", "<p>联系人李四，手机 13912345678。</p>")
		if r := clerk.Post(record, form, true); r.Status != 303 {
			t.Fatalf("edit: HTTP %d\n%s", r.Status, r.Raw)
		}
		if r := clerk.Post(record+"/submit", nil, true); r.Status != 303 {
			t.Fatalf("resubmit: HTTP %d\n%s", r.Status, r.Raw)
		}
		for _, who := range []*e2e.FormSession{one, two} {
			if r := who.Post(record+"/review", url.Values{"decision": {"approve"}, "phrases": {"13912345678\n李四"}}, true); r.Status != 303 {
				t.Fatalf("review: HTTP %d\n%s", r.Status, r.Raw)
			}
		}
		if st := disclosureStatus(s, id); st != "approved" {
			t.Fatalf("status after both reviews %s", st)
		}
		wantPage(t, "publish as clerk", clerk.Post(record+"/publish", nil, true), 403)
		if r := adm.Post(record+"/publish", nil, true); r.Status != 303 {
			t.Fatalf("publish: HTTP %d\n%s", r.Status, r.Raw)
		}
		pub := s.Do("GET", "/portal/"+county+"/disclosures/"+id, "", nil)
		wantPage(t, "public record", pub, 200, "联系人＊＊，手机 ＊＊＊＊＊＊＊＊＊＊＊")
		if strings.Contains(string(pub.Raw), "李四") {
			t.Errorf("the public record shows a masked name")
		}

		// The printable record keeps all four reviews, the first round's masks
		// named from its findings although the text has changed since.
		rec := clerk.Get(record + "/reviews")
		wantPage(t, "review record", rec, 200, "第4条", "初审：通过", "复审：不通过", "删去内部通报字样", "rev_one", "rev_two",
			"13912345678", "原文不再保存")
		// Only the first round's phrase lost its text; this round's are shown.
		if n := strings.Count(string(rec.Raw), "原文不再保存"); n != 1 {
			t.Errorf("%d masks without their text, want 1 (the first round's phrase)", n)
		}

		// Requests: answer refusals next to the fields, one extension only.
		no := func() string {
			r := s.Do("POST", "/api/v1/public/counties/"+county+"/info-requests", "", map[string]string{
				"name": "张三", "contact": "zhang@example.com", "description": "年度执法检查计划"})
			if r.Status != 201 {
				t.Fatalf("file request: HTTP %d %s", r.Status, r.Raw)
			}
			return r.Body["tracking_no"].(string)
		}()
		var reqID int64
		if err := s.Svc.DB.Get(&reqID, `SELECT id FROM info_requests WHERE tracking_no = ?`, no); err != nil {
			t.Fatal(err)
		}
		req := "/counties/" + county + "/info-requests/" + e2e.Itoa(reqID)
		wantPage(t, "request list", clerk.Get("/counties/"+county+"/info-requests"), 200, no, "张三")
		wantPage(t, "answer without reason", clerk.Post(req+"/answer", url.Values{"outcome": {"not_disclosed"}, "answer": {"不予公开"}}, true),
			400, "请选择“不予公开”的具体情形", `id="answer-outcome-error"`)
		wantPage(t, "answer as reviewer", one.Post(req+"/answer", url.Values{"outcome": {"disclosed"}, "answer": {"x"}}, true), 403)
		// The extension is the disclosure office head's (or the bureau's
		// 负责人's), not a reviewer's: the form is not offered to one either.
		head := s.BrowserLogin("head_p", e2e.CasesUserPassword)
		leader := s.BrowserLogin("leader_p", e2e.CasesUserPassword)
		if page := string(one.Get(req).Raw); strings.Contains(page, `id="extend-submit"`) {
			t.Errorf("a reviewer is offered the extension form")
		}
		wantPage(t, "extend as reviewer", one.Post(req+"/extend", url.Values{"reason": {"需要会商"}}, true), 403)
		wantPage(t, "extend without reason", head.Post(req+"/extend", url.Values{"reason": {" "}, "workdays": {"10"}}, true), 400,
			"延期须说明理由", `id="extend-reason-error"`)
		wantPage(t, "extend by 21 days", head.Post(req+"/extend", url.Values{"reason": {"需要会商"}, "workdays": {"21"}}, true), 400,
			"最长不得超过20个工作日", `id="extend-workdays-error"`)
		wantPage(t, "the head's form", head.Get(req), 200, `id="extend-submit"`, `name="workdays"`)
		if r := head.Post(req+"/extend", url.Values{"reason": {"需要会商"}, "workdays": {"15"}}, true); r.Status != 303 {
			t.Fatalf("extend: HTTP %d\n%s", r.Status, r.Raw)
		}
		wantPage(t, "extended request", head.Get(req), 200, "延长15个工作日", "延长答复期限告知书", "需要会商")
		wantPage(t, "extend twice", leader.Post(req+"/extend", url.Values{"reason": {"再延"}}, true), 409, "答复期限只能延长一次")
		if r := clerk.Post(req+"/answer", url.Values{"outcome": {"not_disclosed/third_party"}, "answer": {"涉及第三方合法权益"}}, true); r.Status != 303 {
			t.Fatalf("answer: HTTP %d\n%s", r.Status, r.Raw)
		}
		wantPage(t, "answered request", clerk.Get(req), 200, "不予公开：保护第三方合法权益")
		wantPage(t, "answered list", clerk.Get("/counties/"+county+"/info-requests?status=answered"), 200, no)

		// The portal of a county that is not an active pilot shows nothing.
		for _, p := range []string{"/portal/340103/disclosures", "/portal/340103/info-requests/new", "/portal/340103/info-requests/track"} {
			if r := s.Do("GET", p, "", nil); r.Status != 404 {
				t.Errorf("%s: HTTP %d, want 404", p, r.Status)
			}
		}
		wantPage(t, "portal list", s.Do("GET", "/portal/"+county+"/disclosures?category=11", "", nil), 200, "安全生产检查情况")
		wantPage(t, "portal list of another item", s.Do("GET", "/portal/"+county+"/disclosures?category=12", "", nil), 200, "该事项暂无公开的信息")
	})
}
