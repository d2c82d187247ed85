package disclosure_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"safetypilot/cmd/pilotd/internal/e2e"
	dt "safetypilot/modules/disclosure/docxtest"
	"safetypilot/web"
)

// keys types into whatever has the focus, with modifiers when given.
func keys(b *e2e.Tab, text string, mods ...chromedp.Modifier) {
	b.T.Helper()
	var opts []chromedp.KeyOption
	if len(mods) > 0 {
		opts = append(opts, chromedp.KeyModifiers(mods...))
	}
	if err := chromedp.Do(b.Ctx, chromedp.KeyEvent(text, opts...)); err != nil {
		b.T.Fatalf("keys %q: %v", text, err)
	}
}

// tool clicks a toolbar button of the editor in the form section.
func tool(b *e2e.Tab, section, cmd string) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(section+" [data-cmd="+cmd+"]"))); err != nil {
		b.T.Fatalf("toolbar %s: %v", cmd, err)
	}
}

// editorValue is what the editor in a section would post.
func editorValue(b *e2e.Tab, section string) string {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.querySelector("`+section+` .rte-area").rteValue()`))
	if err != nil {
		b.T.Fatalf("editor value: %v", err)
	}
	return v
}

func storedBody(s *e2e.Service, county, id string) string {
	s.T.Helper()
	var body string
	if err := s.Svc.DB.Get(&body, `SELECT body FROM disclosure_records WHERE county_code = ? AND id = ?`, county, id); err != nil {
		s.T.Fatalf("body of %s: %v", id, err)
	}
	return body
}

// TestDisclosureBrowserEditor: a clerk writes a record in the rich-text
// editor with the toolbar and the keyboard (a heading, a list, a table, a
// link, bold text, an undone slip), saves it, and finds the same content on
// reopening: the stored body is exactly what the editor wrote, so it passed
// the sanitiser unchanged. The clerk then imports a .docx built here into the
// edit form, sees it converted in the editor before saving, saves and
// submits; the reviewer sees the record rendered (no tags) with the scan's
// findings marked in place, in bold text and in a table cell.
func TestDisclosureBrowserEditor(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	admin := s.Onboard("34", county)
	s.AddUser(admin, county, "clerk_e", "county_clerk")
	s.AddUser(admin, county, "reviewer_e", "county_reviewer")
	list := "/counties/" + county + "/disclosures"

	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk_e", e2e.CasesUserPassword)
	clerk.Open(list)
	if n := clerk.Count("#new-body:not([hidden])"); n != 0 {
		t.Fatalf("the raw textarea still shows beside the editor")
	}
	clerk.Fill("new-title", "关于2026年第一季度执法检查情况的通报")
	clerk.Choose("new-category", "11")
	setValueDirect(clerk, "new-formed", time.Now().In(web.Beijing).Format("2006-01-02"))

	const sec = "#new-record"
	// A heading: typed, then made a heading with the toolbar (mouse).
	if err := chromedp.Do(clerk.Ctx, chromedp.Click(chromedp.CSS(sec+" .rte-area"))); err != nil {
		t.Fatalf("focus the editor: %v", err)
	}
	keys(clerk, "检查概况")
	tool(clerk, sec, "h2")
	// A list, from the keyboard only: Alt+F10 to the toolbar, arrows to
	// the list button, Enter; Escape would return, Enter on a button does.
	keys(clerk, kb.End+kb.Enter)
	keys(clerk, kb.F10, chromedp.ModifierAlt)
	focused, err := chromedp.Run(clerk.Ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("data-cmd") || ""`))
	if err != nil || focused != "p" {
		t.Fatalf("Alt+F10 focused %q (%v), want the toolbar's first button", focused, err)
	}
	keys(clerk, strings.Repeat(kb.ArrowRight, 5)+kb.Enter) // p h2 h3 bold italic → ul
	keys(clerk, "甲公司已整改"+kb.Enter+"乙公司限期整改"+kb.Enter+kb.Enter)
	// A slip (a line made a sub-heading), undone with Ctrl+Z, redone with
	// Ctrl+Y, undone with the toolbar; then the line is deleted.
	keys(clerk, "临时")
	tool(clerk, sec, "h3")
	if v := editorValue(clerk, sec); !strings.HasSuffix(v, "<h3>临时</h3>") {
		t.Fatalf("the sub-heading button wrote %s", v)
	}
	keys(clerk, "z", chromedp.ModifierCtrl)
	if v := editorValue(clerk, sec); !strings.HasSuffix(v, "<p>临时</p>") {
		t.Fatalf("Ctrl+Z left %s", v)
	}
	keys(clerk, "y", chromedp.ModifierCtrl)
	if v := editorValue(clerk, sec); !strings.HasSuffix(v, "<h3>临时</h3>") {
		t.Fatalf("Ctrl+Y left %s", v)
	}
	tool(clerk, sec, "undo")
	if v := editorValue(clerk, sec); !strings.HasSuffix(v, "<p>临时</p>") {
		t.Fatalf("the undo button left %s", v)
	}
	keys(clerk, kb.End)
	keys(clerk, kb.Home, chromedp.ModifierShift)
	keys(clerk, kb.Backspace)
	// A table: inserted with the toolbar, cells filled with Tab.
	tool(clerk, sec, "table")
	keys(clerk, "单位"+kb.Tab+"问题"+kb.Tab+"期限"+kb.Tab+"甲公司"+kb.Tab+"未培训"+kb.Tab+"30日")
	tool(clerk, sec, "row")
	keys(clerk, "乙公司")
	// A link with Ctrl+K on selected words, then bold text with Ctrl+B,
	// after the table.
	keys(clerk, kb.End, chromedp.ModifierCtrl)
	keys(clerk, "详见通知")
	keys(clerk, kb.Home, chromedp.ModifierShift)
	keys(clerk, "k", chromedp.ModifierCtrl)
	keys(clerk, "https://yjj.example.gov.cn/tz?id=1&v=2"+kb.Enter)
	keys(clerk, kb.End)
	keys(clerk, "，")
	keys(clerk, "b", chromedp.ModifierCtrl)
	keys(clerk, "务必落实")
	keys(clerk, "b", chromedp.ModifierCtrl)
	keys(clerk, "。")

	want := `<h2>检查概况</h2><ul><li>甲公司已整改</li><li>乙公司限期整改</li></ul>` +
		`<table><tbody><tr><td>单位</td><td>问题</td><td>期限</td></tr><tr><td>甲公司</td><td>未培训</td><td>30日</td></tr>` +
		`<tr><td>乙公司</td><td></td><td></td></tr><tr><td></td><td></td><td></td></tr></tbody></table>` +
		`<p><a href="https://yjj.example.gov.cn/tz?id=1&amp;v=2" rel="nofollow">详见通知</a>，<strong>务必落实</strong>。</p>`
	written := editorValue(clerk, sec)
	if written != want {
		t.Errorf("the editor wrote\n%s\nwant\n%s", written, want)
	}
	clerk.Submit("#new-submit")
	id := disclosureIDOf(s, county, "关于2026年第一季度执法检查情况的通报")
	record := list + "/" + id
	clerk.WantPath(record)
	if got := storedBody(s, county, id); got != written {
		t.Errorf("stored body differs from what the editor wrote (the sanitiser changed it):\nstored %s\neditor %s", got, written)
	}
	// Reopened, the editor holds the same content.
	clerk.Open(record)
	if got := editorValue(clerk, "#edit"); got != written {
		t.Errorf("reopened editor holds\n%s\nwant\n%s", got, written)
	}
	for sel, n := range map[string]int{"#edit .rte-area h2": 1, "#edit .rte-area li": 2, "#edit .rte-area td": 12, "#edit .rte-area a[href]": 1, "#edit .rte-area strong": 1} {
		if got := clerk.Count(sel); got != n {
			t.Errorf("%d × %s in the reopened editor, want %d", got, sel, n)
		}
	}
	// At each width: no sideways scroll, and axe-core finds nothing serious
	// in the editor (its toolbar, labels and the link panel).
	clerk.Accessible("disclosure-editor", e2e.AxeScript(t))
	// Saving without touching the body keeps it byte for byte.
	clerk.Submit("#edit-submit")
	if got := storedBody(s, county, id); got != written {
		t.Errorf("saving unchanged changed the body:\n%s", got)
	}

	// A .docx built here: heading styles, bold, a list, a table, a link,
	// a mobile number in bold and an ID number in a table cell.
	const idNo = "11010519491231002X"
	doc := dt.Doc{Body: dt.P("1", "一、基本情况") +
		`<w:p>` + dt.R("", "联系人电话") + dt.R("<w:b/>", "13812345678") + dt.R("", "，请勿外传。") + `</w:p>` +
		dt.Item(1, 0, "隐患排查") + dt.Item(1, 0, "教育培训") +
		dt.Table(true, []string{"姓名", "身份证号"}, []string{"张三", idNo}) +
		`<w:p><w:hyperlink r:id="rId7">` + dt.R("", "处罚决定书") + `</w:hyperlink></w:p>`}
	doc.Link("rId7", "https://yjj.example.gov.cn/cf/1")
	file := filepath.Join(t.TempDir(), "检查通报.docx")
	if err := os.WriteFile(file, dt.Build(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(clerk.Ctx, chromedp.SetUploadFiles(chromedp.ID("edit-docx"), []string{file})); err != nil {
		t.Fatalf("choose docx: %v", err)
	}
	if status := clerk.Click("#edit-import"); status != http.StatusOK {
		t.Fatalf("import: HTTP %d\n%s", status, clerk.BodyText())
	}
	clerk.WantText("[data-testid=docx-imported]", "检查通报.docx")
	clerk.WantText("[data-testid=docx-imported]", "尚未保存")
	converted := `<h2>一、基本情况</h2><p>联系人电话<strong>13812345678</strong>，请勿外传。</p><ul><li>隐患排查</li><li>教育培训</li></ul>` +
		`<table><tbody><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张三</td><td>` + idNo + `</td></tr></tbody></table>` +
		`<p><a href="https://yjj.example.gov.cn/cf/1" rel="nofollow">处罚决定书</a></p>`
	if got := editorValue(clerk, "#edit"); got != converted {
		t.Errorf("the editor shows the conversion as\n%s\nwant\n%s", got, converted)
	}
	if got := storedBody(s, county, id); got != written {
		t.Errorf("the import saved something before the clerk did")
	}
	clerk.Submit("#edit-submit")
	if got := storedBody(s, county, id); got != converted {
		t.Errorf("stored after the import\n%s\nwant\n%s", got, converted)
	}
	clerk.Submit("#submit-review")

	// The reviewer sees the record rendered, findings marked in place.
	reviewer := e2e.NewTab(t, browser, base)
	reviewer.SignIn("reviewer_e", e2e.CasesUserPassword)
	reviewer.Open(record)
	body := "[data-testid=rendered-body]"
	reviewer.WantText(body+" h2", "一、基本情况")
	if text := reviewer.Text(body); strings.Contains(text, "<h2>") || strings.Contains(text, "<td>") {
		t.Errorf("the reviewer reads tags: %s", text)
	}
	reviewer.WantText(body+" strong mark.finding", "13812345678")
	reviewer.WantText(body+" td mark.finding", idNo)
	if n := reviewer.Count(body + " mark.finding"); n != 2 {
		t.Errorf("%d findings marked in the rendered body, want 2", n)
	}
	reviewer.WantText(body+" a[href='https://yjj.example.gov.cn/cf/1']", "处罚决定书")
	// Each row of the findings table links to its mark in the body.
	for _, n := range []string{"1", "2"} {
		if got := reviewer.Count("[data-testid=finding-" + n + "] a[href='#finding-mark-" + n + "']"); got != 1 {
			t.Errorf("finding %s has %d links to its mark", n, got)
		}
		if got := reviewer.Count(body + " mark#finding-mark-" + n); got != 1 {
			t.Errorf("%d marks with the id finding-mark-%s", got, n)
		}
	}
	reviewer.Accessible("disclosure-review-rendered", e2e.AxeScript(t))
}
