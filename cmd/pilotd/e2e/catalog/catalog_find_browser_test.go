package catalog_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// listedCodes are the item codes of the rows the catalog list shows.
func listedCodes(b *e2e.Tab) []string {
	b.T.Helper()
	codes, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=catalog-items] tbody tr")).map(r => r.dataset.testid.replace("item-row-", ""))`))
	if err != nil {
		b.T.Fatalf("listed codes: %v", err)
	}
	return codes
}

// query is the query string of the page the tab shows, decoded.
func query(b *e2e.Tab) url.Values {
	b.T.Helper()
	p := b.Path()
	_, q, _ := strings.Cut(p, "?")
	v, err := url.ParseQuery(q)
	if err != nil {
		b.T.Fatalf("query of %s: %v", p, err)
	}
	return v
}

// catalogFixture gives county 340102: 274 published and then changed (so it
// has unpublished changes), 275 a draft of type 行政许可, its own service item
// FW-900, and information item 20 not applicable. It returns the
// administrator's API token.
func catalogFixture(t *testing.T, s *e2e.Service, username string) string {
	t.Helper()
	const county = "340102"
	token := s.Login(username, e2e.CountyPassword)
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), token, e2e.FireworksContent()))
	s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), token, nil))
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), token, e2e.With(e2e.FireworksContent(), "fees", "免费")))
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/275"), token, map[string]any{"power_type": "XK"}))
	s.Must(201, s.Do("POST", e2e.CatPath(county, ""), token, map[string]any{"code": "FW-900", "category": "service", "name": "安全生产政策咨询"}))
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/20/applicability"), token, map[string]any{"applicable": false, "reason": "本局不掌握计划生育信息"}))
	return token
}

// TestBrowserCatalogFind: on the catalog list a clerk searches by name and
// by code (full-width letters too), filters by category, power type, status
// and unpublished changes; every choice is kept in the URL, so reloading or
// sharing the address shows the same list with the same choices selected;
// a search finding nothing says so, and 清除条件 shows everything again.
func TestBrowserCatalogFind(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, username := e2e.CountyAdminSignedIn(t, s, browser, base)
	catalogFixture(t, s, username)
	const list = "/counties/340102/catalog"

	b.Open(list)
	if got := listedCodes(b); len(got) != 32 {
		t.Fatalf("unfiltered list has %d rows, want 32: %v", len(got), got)
	}
	if n := b.Text("[data-testid=catalog-total]"); !strings.Contains(n, "共 32 项") {
		t.Errorf("total %q", n)
	}

	b.Fill("filter-q", "烟花")
	b.Submit("#filter-submit")
	if got := listedCodes(b); fmt.Sprint(got) != "[274]" {
		t.Errorf("search 烟花 lists %v, want [274]", got)
	}
	if q := query(b); q.Get("q") != "烟花" {
		t.Errorf("the search is not in the URL: %v", q)
	}
	if n := b.Text("[data-testid=catalog-total]"); !strings.Contains(n, "符合条件的事项 1 项（共 32 项）") {
		t.Errorf("total while searching %q", n)
	}

	// A code in full-width letters, as an input method may type it.
	b.Retype("filter-q", "ｆｗ－９００")
	b.Submit("#filter-submit")
	if got := listedCodes(b); fmt.Sprint(got) != "[FW-900]" {
		t.Errorf("search ｆｗ－９００ lists %v, want [FW-900]", got)
	}

	// Category and power type together, then reload the address.
	b.Retype("filter-q", "")
	b.Choose("filter-category", "power")
	b.Choose("filter-power-type", "XK")
	b.Submit("#filter-submit")
	// 274 and 275 were saved as 行政许可; 277–280 and 284 were never saved
	// and are 行政许可 by their province's template, as their pages show.
	const licences = "[274 275 277 278 279 280 284]"
	if got := listedCodes(b); fmt.Sprint(got) != licences {
		t.Errorf("行政职权事项 of type 行政许可: %v, want %s", got, licences)
	}
	addr := b.Path()
	b.Open(addr)
	if got := listedCodes(b); fmt.Sprint(got) != licences {
		t.Errorf("after reloading %s: %v", addr, got)
	}
	if b.Value("filter-category") != "power" || b.Value("filter-power-type") != "XK" {
		t.Errorf("reloaded filters: category %q, power type %q", b.Value("filter-category"), b.Value("filter-power-type"))
	}

	// Unpublished changes keep both; status 不适用 finds item 20.
	b.Tick("filter-changes")
	b.Submit("#filter-submit")
	// 274 has a draft newer than its published version, 275 a draft never
	// published: both hold what the public does not see yet.
	if got := listedCodes(b); fmt.Sprint(got) != "[274 275]" {
		t.Errorf("with unpublished changes: %v, want [274 275]", got)
	}
	if q := query(b); q.Get("changes") != "1" || q.Get("power_type") != "XK" {
		t.Errorf("URL %v lacks the filters", q)
	}
	b.Open(list + "?status=not_applicable")
	if got := listedCodes(b); fmt.Sprint(got) != "[20]" {
		t.Errorf("not applicable: %v, want [20]", got)
	}
	if b.Value("filter-status") != "not_applicable" {
		t.Errorf("status select shows %q", b.Value("filter-status"))
	}

	// Nothing found, then cleared.
	b.Open(list + "?q=" + url.QueryEscape("不存在的事项"))
	if n := b.Count("[data-testid=no-items]"); n != 1 {
		t.Errorf("no message for an empty result")
	}
	b.Submit("#filter-clear")
	if got := listedCodes(b); len(got) != 32 {
		t.Errorf("after clearing: %d rows", len(got))
	}
	b.Screenshots("catalog-find")
}

// TestBrowserCatalogPublishSummary: publishing an item that lacks several
// fields lists every one at the top, in the form's order, each a link that
// brings its field into view.
func TestBrowserCatalogPublishSummary(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, username := e2e.CountyAdminSignedIn(t, s, browser, base)
	token := s.Login(username, e2e.CountyPassword)
	s.Must(200, s.Do("PUT", e2e.CatPath("340102", "/276"), token, map[string]any{"power_type": "XK", "inventory_status": "kept"}))

	b.Open("/counties/340102/catalog/276")
	if status := b.Click("#publish"); status != http.StatusBadRequest {
		t.Fatalf("publishing an empty item: HTTP %d, want 400", status)
	}
	want := []string{"implementing_body", "legal_basis", "statutory_limit_workdays", "promised_limit_workdays", "complaint", "steps"}
	if msg := b.Text("[data-testid=form-error]"); !strings.Contains(msg, fmt.Sprintf("还有%d处", len(want))) {
		t.Errorf("summary message %q does not count the %d problems", msg, len(want))
	}
	hrefs, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=error-list] a")).map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	var wantHrefs []string
	for _, id := range want {
		wantHrefs = append(wantHrefs, "#"+id)
	}
	if fmt.Sprint(hrefs) != fmt.Sprint(wantHrefs) {
		t.Fatalf("links at the top %v, want %v", hrefs, wantHrefs)
	}
	for _, id := range want {
		// Back to the top first, so each link has to move the page.
		if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(() => { window.scrollTo(0, 0); return true; })()`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(`[data-testid=error-list] a[href="#`+id+`"]`))); err != nil {
			t.Fatalf("follow the link to %s: %v", id, err)
		}
		if !startInView(b, id) {
			t.Errorf("the link to %s does not bring it into view", id)
		}
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = '340102' AND code = '276' AND published_at IS NOT NULL`); n != 0 {
		t.Errorf("%d versions of 276 published", n)
	}
}

// startInView waits up to two seconds for the location to name the element
// with the HTML id and for its start to be in the upper part of the screen
// with room for its label above (a fieldset of steps is taller than the
// screen, so its end need not be in view).
func startInView(b *e2e.Tab, id string) bool {
	b.T.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const r = document.getElementById(%q).getBoundingClientRect();
			return location.hash === "#" + %q && r.top >= 16 && r.top <= window.innerHeight / 2; })()`, id, id)))
		if err != nil {
			b.T.Fatalf("position of #%s: %v", id, err)
		}
		if ok || time.Now().After(deadline) {
			return ok
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// downloadInPage fetches a path with the tab's session, as the download
// link does, and returns the status, the media type and the body.
func downloadInPage(b *e2e.Tab, path string) (int, string, []byte) {
	b.T.Helper()
	type result struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Body   string `json:"body"`
	}
	r, err := chromedp.Run(b.Ctx, chromedp.Evaluate[result](fmt.Sprintf(`(async () => {
		const res = await fetch(%q, {credentials: "same-origin"});
		const buf = new Uint8Array(await res.arrayBuffer());
		let s = ""; for (const c of buf) s += String.fromCharCode(c);
		return {status: res.status, type: res.headers.get("Content-Type"), body: btoa(s)};
	})()`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("fetch %s: %v", path, err)
	}
	data, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		b.T.Fatalf("decode %s: %v", path, err)
	}
	return r.Status, r.Type, data
}

// TestBrowserCatalogWorkbook: the list's download link gives the catalog
// workbook; uploading it with three wrong cells shows them in a table
// (sheet, row, column, message) and imports nothing, not even its valid
// change; the corrected workbook imports that change as a new draft.
func TestBrowserCatalogWorkbook(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, username := e2e.CountyAdminSignedIn(t, s, browser, base)
	catalogFixture(t, s, username)
	b.Open("/counties/340102/catalog")

	href, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.getElementById("catalog-download").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	status, ctype, data := downloadInPage(b, href)
	if status != 200 || ctype != xlsxType {
		t.Fatalf("download %s: HTTP %d, %s", href, status, ctype)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	main := "实施清单"
	row := itoa(rowOf(t, f, main, "B", "274"))
	if name, _ := f.GetCellValue(main, columnOf(t, f, main, "事项名称")+row); name != "烟花爆竹经营（零售）许可证核发" {
		t.Fatalf("274 on row %s is named %q", row, name)
	}

	// A valid change and three wrong cells.
	set(t, f, main, columnOf(t, f, main, "咨询方式")+row, "0551-62611111")
	set(t, f, main, columnOf(t, f, main, "职权类型")+row, "许可")
	stepRow := itoa(rowOf(t, f, "办理环节", "A", "274"))
	set(t, f, "办理环节", columnOf(t, f, "办理环节", "时限（工作日）")+stepRow, "三天")
	mats, _ := f.GetRows("申请材料")
	matRow := itoa(len(mats) + 1)
	set(t, f, "申请材料", "A"+matRow, "NOPE")
	set(t, f, "申请材料", "C"+matRow, "申请书")
	dir := t.TempDir()
	bad := filepath.Join(dir, "catalog-bad.xlsx")
	if err := os.WriteFile(bad, workbookBytes(t, f), 0o600); err != nil {
		t.Fatal(err)
	}
	versions := versionCount(s, "340102")

	if err := chromedp.Do(b.Ctx, chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{bad})); err != nil {
		t.Fatal(err)
	}
	if status := b.Click("#import-submit"); status != http.StatusBadRequest {
		t.Fatalf("uploading the wrong workbook: HTTP %d, want 400\n%s", status, b.BodyText())
	}
	if msg := b.Text("[data-testid=import-error]"); !strings.Contains(msg, "3处错误") || !strings.Contains(msg, "未导入任何事项") {
		t.Errorf("import error %q", msg)
	}
	cells, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[][]string](
		`Array.from(document.querySelectorAll("[data-testid=import-cells] tbody tr")).map(r => Array.from(r.cells).map(c => c.innerText.trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"实施清单", "第" + row + "行", "职权类型"},
		{"申请材料", "第" + matRow + "行", "事项编码"},
		{"办理环节", "第" + stepRow + "行", "时限（工作日）"},
	}
	if len(cells) != len(want) {
		t.Fatalf("error table rows %v, want %d", cells, len(want))
	}
	for i, w := range want {
		if fmt.Sprint(cells[i][:3]) != fmt.Sprint(w) || cells[i][4] == "" {
			t.Errorf("error row %d = %v, want %v and a message", i, cells[i], w)
		}
	}
	if n := versionCount(s, "340102"); n != versions {
		t.Errorf("a refused upload saved %d versions", n-versions)
	}
	b.Screenshots("catalog-import-errors")

	// Corrected, the valid change is imported as the next draft of 274.
	set(t, f, main, columnOf(t, f, main, "职权类型")+row, "行政许可")
	set(t, f, "办理环节", columnOf(t, f, "办理环节", "时限（工作日）")+stepRow, 1)
	if err := f.RemoveRow("申请材料", len(mats)+1); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "catalog-good.xlsx")
	if err := os.WriteFile(good, workbookBytes(t, f), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.Ctx, chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{good})); err != nil {
		t.Fatal(err)
	}
	b.Submit("#import-submit")
	if msg := b.Text("[data-testid=import-result]"); !strings.Contains(msg, "新增 0 项，更新 1 项") || !strings.Contains(msg, "未变 31 项") {
		t.Errorf("import result %q", msg)
	}
	if n := versionCount(s, "340102"); n != versions+1 {
		t.Errorf("%d versions saved by the import, want 1", n-versions)
	}
	if n := b.Count("[data-testid=import-cells]"); n != 0 {
		t.Errorf("the error table is still shown")
	}
}
