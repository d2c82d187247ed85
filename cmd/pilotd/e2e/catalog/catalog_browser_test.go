package catalog_test

import (
	"fmt"
	"net/http"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// imageWidth waits up to five seconds for the image the CSS selector names to
// finish loading and returns its natural width (0: it did not load).
func imageWidth(b *e2e.Tab, css string) int {
	b.T.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](fmt.Sprintf(
			`(() => { const i = document.querySelector(%q); return i && i.complete ? i.naturalWidth : -1; })()`, css)))
		if err != nil {
			b.T.Fatalf("image %s: %v", css, err)
		}
		if w >= 0 || time.Now().After(deadline) {
			return max(w, 0)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fieldInView waits up to two seconds for the page's location to name the
// field with the HTML id and for the field to be on screen.
func fieldInView(b *e2e.Tab, id string) bool {
	b.T.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const r = document.getElementById(%q).getBoundingClientRect();
			return location.hash === "#" + %q && r.top >= 0 && r.bottom <= window.innerHeight; })()`, id, id)))
		if err != nil {
			b.T.Fatalf("position of #%s: %v", id, err)
		}
		if ok || time.Now().After(deadline) {
			return ok
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// publicItemText opens an item's public page in t's anonymous tab, checks its
// flowchart image loaded, and returns the page's text.
func publicItemText(t *testing.T, pub *e2e.Tab, county, code string) string {
	t.Helper()
	pub.Open("/portal/" + county + "/items/" + code)
	if n := pub.Count("img[data-testid=flowchart]"); n != 1 {
		t.Fatalf("public page of %s has %d flowchart images\n%s", code, n, pub.BodyText())
	}
	if w := imageWidth(pub, "img[data-testid=flowchart]"); w <= 0 {
		t.Errorf("the flowchart of %s did not load (naturalWidth %d)", code, w)
	}
	return pub.BodyText()
}

// TestBrowserCatalogEditAndPublish: a county administrator fills in a blank
// licensing item of its own on its console page (a promised limit of 14 of 20 days is refused next to
// the field, 13 is saved), adds three steps with their posts and limits, the
// clean-up result and the complaint channel; publishing is refused until every
// step has its authority and procedure too (marked beside each field and
// listed at the top, linked to it); 保存并发布 saves and publishes them, and
// the public portal shows the item with its flowchart; an unpublished item is
// a 404 page.
func TestBrowserCatalogEditAndPublish(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, username := e2e.CountyAdminSignedIn(t, s, browser, base)
	// An item of the county's own starts blank (a basic item starts from
	// its province's template, see content_test.go).
	const county, code = "340102", "XK-901"
	const name = "烟花爆竹经营（零售）许可证核发（本县自有事项）"
	s.Must(201, s.Do("POST", e2e.CatPath(county, ""), s.Login(username, e2e.CountyPassword),
		map[string]any{"code": code, "category": "power", "name": name}))
	itemPage := "/counties/" + county + "/catalog/" + code

	b.Open(itemPage)
	if h := b.Text("main h1"); h != name {
		t.Fatalf("item page heading %q, want %s", h, name)
	}
	b.Choose("power_type", "XK") // 行政许可
	b.Fill("implementing_body", "瑶海区应急管理局")
	b.Fill("legal_basis", "《烟花爆竹安全管理条例》第十九条")
	b.Fill("statutory_limit_workdays", "20")
	b.Fill("promised_limit_workdays", "14")
	if status := b.Click("#save"); status != http.StatusBadRequest {
		t.Fatalf("saving promised 14 of statutory 20: HTTP %d, want 400\n%s", status, b.BodyText())
	}
	if msg := b.Text("#promised_limit_workdays + .field-error"); !strings.Contains(msg, "三分之一") {
		t.Errorf("message next to the promised limit %q, want one about 三分之一", msg)
	}
	if msg := b.Text("[data-testid=form-error]"); !strings.Contains(msg, "填写内容有误") {
		t.Errorf("form error %q", msg)
	}
	if n := versionCount(s, county); n != 0 {
		t.Fatalf("%d versions saved by a refused save", n)
	}
	// The form keeps what was typed.
	for id, want := range map[string]string{"power_type": "XK", "implementing_body": "瑶海区应急管理局",
		"legal_basis": "《烟花爆竹安全管理条例》第十九条", "statutory_limit_workdays": "20", "promised_limit_workdays": "14"} {
		if got := b.Value(id); got != want {
			t.Errorf("#%s after the refused save = %q, want %q", id, got, want)
		}
	}

	b.Retype("promised_limit_workdays", "13")
	b.Submit("#save")
	b.WantPath(itemPage)
	if msg := b.Text("main .flash"); !strings.Contains(msg, "已保存为第 1 版草稿") {
		t.Errorf("flash after saving %q", msg)
	}
	if n := b.Count("#promised_limit_workdays + .field-error"); n != 0 {
		t.Errorf("%d field errors after a successful save", n)
	}

	// Three steps in the blank step rows, the clean-up result and the complaint channel.
	steps := []struct{ name, post, limit string }{
		{"受理", "政务服务中心应急窗口", "1"},
		{"审查", "危险化学品安全监管股", "8"},
		{"决定", "分管副局长", "3"},
	}
	for i, st := range steps {
		if got := b.Value(fmt.Sprintf("step-%d-name", i)); got != "" {
			t.Fatalf("step row %d is not blank: %q", i, got)
		}
		b.Fill(fmt.Sprintf("step-%d-name", i), st.name)
		b.Fill(fmt.Sprintf("step-%d-post", i), st.post)
		b.Fill(fmt.Sprintf("step-%d-limit", i), st.limit)
	}
	b.Choose("inventory_status", "kept") // 保留
	b.Fill("complaint", "瑶海区纪委监委驻区应急管理局纪检组 0551-62600001")
	b.Submit("#save")
	if msg := b.Text("main .flash"); !strings.Contains(msg, "已保存为第 2 版草稿") {
		t.Errorf("flash after the second save %q", msg)
	}
	for i, st := range steps {
		if got := b.Value(fmt.Sprintf("step-%d-post", i)); got != st.post {
			t.Errorf("step %d post after saving = %q, want %q", i+1, got, st.post)
		}
	}
	if got := b.Value("inventory_status"); got != "kept" {
		t.Errorf("inventory status after saving = %q", got)
	}
	// Nothing is public before publishing.
	anon := e2e.NewTab(t, browser, base)
	if status := anon.OpenStatus("/portal/" + county + "/items/" + code); status != http.StatusNotFound {
		t.Errorf("public page of the draft: HTTP %d, want 404", status)
	}
	b.Screenshots("catalog-item")

	// The steps lack their authority and procedure: publishing is refused,
	// each message beside its field and listed at the top, linked to it.
	if status := b.Click("#publish"); status != http.StatusBadRequest {
		t.Fatalf("publishing steps without authority and procedure: HTTP %d, want 400\n%s", status, b.BodyText())
	}
	for i := range steps {
		for _, part := range []struct{ id, msg string }{{"authority", "办理权限"}, {"procedure", "办理程序"}} {
			want := fmt.Sprintf("请填写第%d步的%s", i+1, part.msg)
			css := fmt.Sprintf("#step-%d-%s", i, part.id)
			if msg := b.Text(css + " + .field-error"); msg != want {
				t.Errorf("message beside %s %q, want %q", css, msg, want)
			}
			if got := b.Text(`[data-testid=error-list] a[href="` + css + `"]`); got != want {
				t.Errorf("top list entry for %s %q, want %q", css, got, want)
			}
		}
	}
	if n := b.Count("[data-testid=error-list] li"); n != 2*len(steps) {
		t.Errorf("%d errors listed at the top, want %d", n, 2*len(steps))
	}
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(`[data-testid=error-list] a[href="#step-2-procedure"]`))); err != nil {
		t.Fatalf("follow the link to step 3's procedure: %v", err)
	}
	if !fieldInView(b, "step-2-procedure") {
		t.Errorf("the link does not bring step 3's procedure into view")
	}

	// Typed in and saved with 保存并发布: version 3 is saved and published.
	authorities := []string{"对申请材料是否齐全、是否符合法定形式进行审查", "审查经营场所是否符合安全条件", "作出准予或者不予许可的决定"}
	procedures := []string{"收到申请材料后当场核对，材料齐全的出具受理通知书", "书面审查并组织现场核查", "审核审查意见后签发许可证"}
	for i := range steps {
		b.Fill(fmt.Sprintf("step-%d-authority", i), authorities[i])
		b.Fill(fmt.Sprintf("step-%d-procedure", i), procedures[i])
	}
	b.Submit("#save-publish")
	b.WantPath(itemPage)
	if msg := b.Text("main .flash"); !strings.Contains(msg, "已发布") || !strings.Contains(msg, "第 3 版") {
		t.Errorf("flash after publishing %q", msg)
	}
	if n := b.Count("#publish"); n != 0 {
		t.Errorf("publish button still shown after publishing")
	}

	// The public, in a browser context of its own, sees the item and its flowchart.
	text := publicItemText(t, anon, county, code)
	if got := anon.Text("[data-testid=item-name]"); got != name {
		t.Errorf("public item name %q", got)
	}
	if got := anon.Text("[data-testid=promised-limit]"); got != "13个工作日" {
		t.Errorf("public promised limit %q, want 13个工作日", got)
	}
	if !strings.Contains(text, "承诺时限") || !strings.Contains(text, "行政许可") || !strings.Contains(text, "瑶海区应急管理局") {
		t.Errorf("public page lacks the limit label, power type or body:\n%s", text)
	}
	for i, st := range steps {
		for _, want := range []string{st.post, authorities[i], procedures[i]} {
			if !strings.Contains(text, want) {
				t.Errorf("public page lacks step %d's %q:\n%s", i+1, want, text)
			}
		}
	}
	if n := anon.Count("[data-testid=current-user]"); n != 0 {
		t.Errorf("the anonymous page shows a signed-in user")
	}
	anon.Screenshots("portal-item")

	// The county's public page lists the item and links to it.
	anon.Open("/portal/" + county)
	link := `a[href="/portal/` + county + `/items/` + code + `"]`
	if got := anon.Text(link); got != name {
		t.Errorf("county portal link %q, want %s", got, name)
	}
	if n := anon.Count(`a[href^="/portal/` + county + `/items/"]`); n != 1 {
		t.Errorf("county portal lists %d items, want 1 (only that item is published)", n)
	}

	// An unpublished item is a 404 page, anonymous or signed in.
	for _, who := range []*e2e.Tab{anon, b} {
		if status := who.OpenStatus("/portal/" + county + "/items/275"); status != http.StatusNotFound {
			t.Errorf("public page of unpublished 275: HTTP %d, want 404", status)
		}
		if text := who.BodyText(); !strings.Contains(text, "未找到") || strings.Contains(text, "危险化学品经营") {
			t.Errorf("404 page of 275:\n%s", text)
		}
	}
}

// TestBrowserCatalogNewDraftKeepsPublic: editing a published item on the
// console saves a new draft; the public page keeps showing the published
// values until the draft is published too.
func TestBrowserCatalogNewDraftKeepsPublic(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, username := e2e.CountyAdminSignedIn(t, s, browser, base)
	const county, code = "340102", "274"
	itemPage := "/counties/" + county + "/catalog/" + code

	// Version 1 is filled in and published through the API.
	token := s.Login(username, e2e.CountyPassword)
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/"+code), token, e2e.FireworksContent()))
	s.Must(200, s.Do("POST", e2e.CatPath(county, "/"+code+"/publish"), token, nil))

	anon := e2e.NewTab(t, browser, base)
	text := publicItemText(t, anon, county, code)
	if got := anon.Text("[data-testid=promised-limit]"); got != "13个工作日" || !strings.Contains(text, "危险化学品安全监管股") {
		t.Fatalf("public page of version 1: promised %q\n%s", got, text)
	}

	b.Open(itemPage)
	if n := b.Count("#publish"); n != 0 {
		t.Errorf("publish button shown for an item without unpublished changes")
	}
	if got := b.Value("step-1-post"); got != "危险化学品安全监管股" {
		t.Fatalf("step 2 post on the form = %q", got)
	}
	b.Retype("promised_limit_workdays", "12")
	b.Retype("step-1-post", "行政审批股")
	b.Retype("fees", "按规定收取工本费10元")
	b.Submit("#save")
	if msg := b.Text("main .flash"); !strings.Contains(msg, "已保存为第 2 版草稿") {
		t.Errorf("flash after editing the published item %q", msg)
	}
	if info := b.Text("main p.muted"); !strings.Contains(info, "已发布第 1 版") || !strings.Contains(info, "当前草稿第 2 版") {
		t.Errorf("item status line %q", info)
	}
	if label := b.Text("#publish"); !strings.Contains(label, "发布第 2 版") {
		t.Errorf("publish button %q", label)
	}
	b.Open("/counties/" + county + "/catalog")
	if st := b.Text("[data-testid=item-status-" + code + "]"); !strings.Contains(st, "已发布") || !strings.Contains(st, "有未发布的修改") {
		t.Errorf("catalog list status of %s: %q", code, st)
	}

	// The public still sees version 1.
	text = publicItemText(t, anon, county, code)
	if got := anon.Text("[data-testid=promised-limit]"); got != "13个工作日" {
		t.Errorf("public promised limit during the draft %q, want 13个工作日", got)
	}
	if !strings.Contains(text, "危险化学品安全监管股") || strings.Contains(text, "行政审批股") ||
		strings.Contains(text, "工本费") || !strings.Contains(text, "第 1 版") {
		t.Errorf("public page during the draft shows the draft:\n%s", text)
	}
	pub := s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/"+code), "", nil))
	if e2e.Num(pub.Body["promised_limit_workdays"]) != 13 || e2e.Num(pub.Body["version"]) != 1 {
		t.Errorf("public API during the draft: %s", pub.Raw)
	}

	// Publishing the draft shows it to the public.
	b.Open(itemPage)
	b.Submit("#publish")
	if msg := b.Text("main .flash"); !strings.Contains(msg, "第 2 版") {
		t.Errorf("flash after publishing the draft %q", msg)
	}
	text = publicItemText(t, anon, county, code)
	if got := anon.Text("[data-testid=promised-limit]"); got != "12个工作日" {
		t.Errorf("public promised limit after publishing %q, want 12个工作日", got)
	}
	if !strings.Contains(text, "行政审批股") || strings.Contains(text, "危险化学品安全监管股") ||
		!strings.Contains(text, "按规定收取工本费10元") || !strings.Contains(text, "第 2 版") {
		t.Errorf("public page after publishing the draft:\n%s", text)
	}
}

// TestBrowserDiscretionCalculator: a clerk calculates the recommended fine
// of a published penalty item on its console page, is told to give a reason
// when the decided amount leaves the range, and records the decision; the
// administrator, who does not handle cases, can only calculate.
func TestBrowserDiscretionCalculator(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	admin := s.Onboard("34", county)
	clerkID, _ := s.AddUser(admin, county, "clerk_a", "county_clerk")
	e2e.PenaltyItemPublished(s, county, admin)
	itemPage := "/counties/" + county + "/catalog/CF-001"
	decisions := func() int {
		return s.CountRows(`SELECT COUNT(*) FROM discretion_decisions WHERE county_code = ?`, county)
	}

	b := e2e.NewTab(t, browser, base)
	b.SignIn("clerk_a", "User#Pass2026x")
	b.Open(itemPage)
	if n := b.Count("[data-testid=discretion-calculator]"); n != 1 {
		t.Fatalf("no calculator on the page of a published penalty item\n%s", b.BodyText())
	}
	if got := b.Value("calc-standard"); got != "CF-001-1" {
		t.Errorf("standard preselected %q", got)
	}
	if txt := b.Text("[data-testid=decisions] tbody"); !strings.Contains(txt, "尚未记录") {
		t.Errorf("decisions before any: %q", txt)
	}

	// Calculating alone records nothing.
	b.Choose("calc-tier-0", "一般")
	mitigating := `input[type=checkbox][name="mitigating:CF-001-1"][value="主动消除违法行为危害后果"]`
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(mitigating))); err != nil {
		t.Fatalf("tick the mitigating circumstance: %v", err)
	}
	b.Submit("#calc-submit")
	if got := b.Text("[data-testid=calc-range]"); got != "超过1万元2万元以下罚款" {
		t.Errorf("recommended range %q, want 超过1万元2万元以下罚款", got)
	}
	if ex := b.Text("[data-testid=calc-explanation]"); !strings.Contains(ex, "从轻情节（主动消除违法行为危害后果）") || !strings.Contains(ex, "适用阶次：一般") {
		t.Errorf("explanation %q", ex)
	}
	if h, c := b.Text("[data-testid=calc-hearing]"), b.Text("[data-testid=calc-collective]"); h != "不要求" || c != "不要求" {
		t.Errorf("flags of the general tier: hearing %q, collective discussion %q", h, c)
	}
	if got := b.Value("calc-tier-0"); got != "一般" {
		t.Errorf("tier after calculating %q", got)
	}
	if checked, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checked`, mitigating))); err != nil || !checked {
		t.Errorf("the mitigating circumstance is no longer ticked (%v)", err)
	}
	if n := decisions(); n != 0 {
		t.Fatalf("%d decisions recorded by calculating", n)
	}

	// A decided amount above the range needs a reason, shown next to its field.
	b.Fill("calc-case-ref", "瑶应急罚〔2026〕1号")
	b.Fill("calc-amount", "25000")
	if status := b.Click("#calc-submit"); status != http.StatusBadRequest {
		t.Fatalf("deviation without a reason: HTTP %d, want 400\n%s", status, b.BodyText())
	}
	if msg := b.Text("#calc-reason + .field-error"); !strings.Contains(msg, "须说明理由") || !strings.Contains(msg, "超过1万元2万元以下罚款") {
		t.Errorf("message next to the reason %q", msg)
	}
	if got := b.Text("[data-testid=calc-range]"); got != "超过1万元2万元以下罚款" {
		t.Errorf("the range is not shown with the error: %q", got)
	}
	if n := decisions(); n != 0 {
		t.Fatalf("%d decisions recorded without a reason", n)
	}
	if got := b.Value("calc-case-ref"); got != "瑶应急罚〔2026〕1号" {
		t.Errorf("case reference after the refusal %q", got)
	}

	const reason = "违法行为造成较大社会影响，经集体讨论从重"
	b.Fill("calc-reason", reason)
	b.Submit("#calc-submit")
	if msg := b.Text("[data-testid=decision-recorded]"); !strings.Contains(msg, "瑶应急罚〔2026〕1号") {
		t.Errorf("recorded flash %q", msg)
	}
	row := b.Text("[data-testid=decisions] tbody tr")
	for _, want := range []string{"瑶应急罚〔2026〕1号", "CF-001-1", "一般", "1万元至2万元", "25000元", reason} {
		if !strings.Contains(row, want) {
			t.Errorf("decision row lacks %q: %q", want, row)
		}
	}
	var d struct {
		By     int64  `db:"decided_by"`
		Amount int64  `db:"decided_amount"`
		Reason string `db:"deviation_reason"`
	}
	if err := s.Svc.DB.Get(&d, `SELECT decided_by, decided_amount, deviation_reason FROM discretion_decisions WHERE county_code = ?`, county); err != nil {
		t.Fatalf("recorded decision: %v", err)
	}
	if d.By != clerkID || d.Amount != 25000 || d.Reason != reason {
		t.Errorf("recorded decision %+v, want by %d, 25000, the reason", d, clerkID)
	}
	if got := b.Value("calc-case-ref"); got != "" {
		t.Errorf("case reference kept after recording: %q", got)
	}

	// The serious tier with an aggravating circumstance: hearing and collective discussion.
	b.Choose("calc-tier-0", "严重")
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(mitigating)),
		chromedp.Click(chromedp.CSS(`input[type=checkbox][name="aggravating:CF-001-1"][value="拒不改正"]`))); err != nil {
		t.Fatalf("tick the circumstances: %v", err)
	}
	b.Submit("#calc-submit")
	if got := b.Text("[data-testid=calc-range]"); got != "4万元以上5万元以下罚款" {
		t.Errorf("serious tier range %q", got)
	}
	if h := b.Text("[data-testid=calc-hearing]"); !strings.Contains(h, "听证") {
		t.Errorf("hearing flag %q", h)
	}
	if c := b.Text("[data-testid=calc-collective]"); !strings.Contains(c, "集体讨论") {
		t.Errorf("collective discussion flag %q", c)
	}
	if n := decisions(); n != 1 {
		t.Errorf("%d decisions, want 1", n)
	}
	b.Open(itemPage)
	b.Screenshots("discretion")

	// The administrator calculates but is not offered to record decisions.
	a := e2e.NewTab(t, browser, base)
	username := "admin_" + county
	a.SignIn(username, e2e.CountyPassword)
	a.Open(itemPage)
	if n := a.Count("#calc-case-ref, #calc-amount, #calc-reason"); n != 0 {
		t.Errorf("the administrator is offered %d decision fields", n)
	}
	if row := a.Text("[data-testid=decisions] tbody tr"); !strings.Contains(row, "瑶应急罚〔2026〕1号") {
		t.Errorf("the administrator does not see the recorded decision: %q", row)
	}
	a.Choose("calc-tier-0", "轻微")
	a.Submit("#calc-submit")
	if got := a.Text("[data-testid=calc-range]"); got != "1万元以下罚款" {
		t.Errorf("minor tier range for the administrator %q", got)
	}

	// Items without a published standard have no calculator.
	b.Open("/counties/" + county + "/catalog/274")
	if n := b.Count("[data-testid=discretion-calculator]"); n != 0 {
		t.Errorf("calculator on a licence item")
	}
}
