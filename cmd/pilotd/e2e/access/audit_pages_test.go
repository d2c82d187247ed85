package access_test

import (
	"encoding/csv"
	"html"
	"net/http/httptest"
	"net/url"
	"regexp"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// getPage fetches a page with a bearer token (or signed out when token is "").
func getPage(s *e2e.Service, path, token string) e2e.Response {
	s.T.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}

var (
	exportHref = regexp.MustCompile(`href="(/api/v1/audit/export\?[^"]*)"`)
	auditTotal = regexp.MustCompile(`data-testid="audit-total">[^<]*共 (\d+) 条`)
	signInRow  = regexp.MustCompile(`<tr data-testid="sign-in-\d+"( class="failed")?>`)
)

// TestAuditPages: the audit administrator's log page filters by time, user,
// action and outcome and pages through the result; its 导出 CSV link carries
// the same filters, and the export follows them; the chain check says
// 完整; the sign-in page lists attempts with the failures marked and
// filtered. Every other role gets the 403 page and no menu entry.
func TestAuditPages(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		s.Must(401, signIn(s, "admin", "Wrong#Pass1", ""))
		s.Must(401, signIn(s, "ghost", "Wrong#Pass1", ""))
		s.Must(401, signIn(s, "ghost", "Wrong#Pass2", ""))
		auditor := auditorToken(s)
		admin := s.AdminToken()
		countyAdmin := s.Onboard("34", "340102")
		_, security := s.AddUser(admin, "340102", "sec_a", "security_admin")

		// Others: the 403 page, and no menu entry.
		for name, tok := range map[string]string{"national admin": admin, "county admin": countyAdmin, "security admin": security} {
			for _, path := range []string{"/audit", "/audit/verify", "/audit/sign-ins", "/audit?region=34"} {
				r := getPage(s, path, tok)
				if r.Status != 403 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || strings.Contains(string(r.Raw), "data-testid=\"audit-total\"") {
					t.Errorf("%s: GET %s = %d, want the 403 page", name, path, r.Status)
				}
				if strings.Contains(string(r.Raw), `href="/audit"`) {
					t.Errorf("%s: the menu offers the audit log", name)
				}
			}
		}
		if r := getPage(s, "/audit", ""); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("signed out: %d %q", r.Status, r.Header.Get("Location"))
		}

		page := getPage(s, "/audit", auditor)
		body := string(page.Raw)
		if page.Status != 200 || !strings.Contains(body, "审计日志") || !strings.Contains(body, `id="verify-chain"`) ||
			!strings.Contains(body, `href="/audit"`) || !strings.Contains(body, `href="/audit/sign-ins"`) {
			t.Fatalf("audit page: %d %s", page.Status, body)
		}
		totalOf := func(body string) int {
			t.Helper()
			m := auditTotal.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no total in %s", body)
			}
			n := 0
			for _, c := range m[1] {
				n = n*10 + int(c-'0')
			}
			return n
		}
		if got, want := totalOf(body), s.CountRows(`SELECT COUNT(*) FROM audit_log`); got != want {
			t.Errorf("unfiltered total %d, want %d", got, want)
		}

		today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		filters := url.Values{"from": {today}, "to": {today}, "username": {"ghost"}, "action": {"/api/v1/session"}, "outcome": {"denied"}}
		page = getPage(s, "/audit?"+filters.Encode(), auditor)
		body = string(page.Raw)
		if got := totalOf(body); got != 2 {
			t.Errorf("filtered total %d, want 2 (ghost's failed sign-ins): %s", got, body)
		}
		if strings.Contains(body, ">admin<") || strings.Contains(body, ">auditor<") {
			t.Error("the filtered list shows other users' entries")
		}
		m := exportHref.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no export link in %s", body)
		}
		link, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range filters {
			if got := link.Query().Get(k); got != v[0] {
				t.Errorf("export link %s: %s = %q, want %q", link, k, got, v[0])
			}
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(s.Must(200, s.Do("GET", link.String(), auditor, nil)).Raw), "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("export with the page's filters has %d rows, want header + 2: %q", len(rows), rows)
		}
		for _, r := range rows[1:] {
			if r[4] != "ghost" || r[8] != "拒绝" {
				t.Errorf("exported row %q does not match the filters", r)
			}
		}
		if r := getPage(s, "/audit?from="+today+"&to=2000-01-01", auditor); r.Status != 400 || !strings.Contains(string(r.Raw), "截止日期不能早于起始日期") {
			t.Errorf("inverted range: %d", r.Status)
		}
		if r := s.Do("GET", "/api/v1/audit?outcome=maybe", auditor, nil); r.Status != 400 {
			t.Errorf("API with a bad outcome: %d", r.Status)
		}
		r := s.Must(200, s.Do("GET", "/api/v1/audit?outcome=denied", auditor, nil))
		for _, it := range r.Body["items"].([]any) {
			if it.(map[string]any)["outcome"] != "denied" {
				t.Errorf("API filter let through %v", it)
			}
		}

		// Paging keeps the filters.
		page = getPage(s, "/audit?per_page=1&username=ghost", auditor)
		body = html.UnescapeString(string(page.Raw))
		if totalOf(body) != 2 || strings.Count(body, `<tr data-testid="audit-row-`) != 1 || !strings.Contains(body, `rel="next"`) ||
			!strings.Contains(body, "username=ghost") || !strings.Contains(body, "page=2") || !strings.Contains(body, "per_page=1") {
			t.Errorf("no next page with the filters: %s", body)
		}

		verify := string(getPage(s, "/audit/verify", auditor).Raw)
		if !strings.Contains(verify, `data-testid="verify-result"`) || !strings.Contains(verify, "审计日志链完整") {
			t.Errorf("verify page: %s", verify)
		}
		if _, err := s.Svc.DB.Exec(`UPDATE audit_log SET detail = 'tampered' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		verify = string(getPage(s, "/audit/verify", auditor).Raw)
		if !strings.Contains(verify, "审计日志链已损坏") || !strings.Contains(verify, "第 2 条") {
			t.Errorf("verify page after tampering: %s", verify)
		}

		signIns := string(getPage(s, "/audit/sign-ins", auditor).Raw)
		var ok, failed int
		for _, m := range signInRow.FindAllStringSubmatch(signIns, -1) {
			if m[1] != "" {
				failed++
			} else {
				ok++
			}
		}
		if failed != 3 || ok < 3 || !strings.Contains(signIns, "失败：用户名或密码错误") {
			t.Errorf("sign-in page: %d ok, %d failed: %s", ok, failed, signIns)
		}
		signIns = string(getPage(s, "/audit/sign-ins?outcome=failed&username=ghost", auditor).Raw)
		if n := len(signInRow.FindAllString(signIns, -1)); n != 2 || strings.Count(signIns, `class="failed"`) != 2 {
			t.Errorf("filtered sign-ins: %d rows: %s", n, signIns)
		}
	})
}

// TestBrowserAuditPage: the audit administrator signs in, opens the audit log
// from the menu and the chain check shows 完整.
func TestBrowserAuditPage(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	auditorToken(s) // password changed to Shen#Ji2026xx
	s.Must(401, signIn(s, "ghost", "Wrong#Pass1", ""))

	b := e2e.NewTab(t, browser, base)
	b.Open("/login?next=/audit")
	b.Fill("username", "auditor")
	b.Fill("password", "Shen#Ji2026xx")
	b.Submit("#login-submit")
	b.WantPath("/audit")
	if n := b.Text("[data-testid=audit-total]"); !strings.Contains(n, "全部记录共") {
		t.Errorf("total %q", n)
	}
	b.Screenshots("audit")
	b.Fill("filter-username", "ghost")
	b.Submit("#filter-submit")
	if n := b.Text("[data-testid=audit-total]"); !strings.Contains(n, "符合条件的记录共 1 条") {
		t.Errorf("filtered total %q", n)
	}
	href, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.getElementById("export-csv").getAttribute("href")`))
	if err != nil || !strings.Contains(href, "username=ghost") {
		t.Errorf("export link %q (%v)", href, err)
	}
	b.Submit("#verify-chain")
	b.WantPath("/audit/verify")
	if res := b.Text("[data-testid=verify-result]"); !strings.Contains(res, "完整") {
		t.Fatalf("verify result %q", res)
	}
	b.Open("/audit/sign-ins")
	if txt := b.Text("[data-testid=sign-in-failed]"); !strings.Contains(txt, "失败") {
		t.Errorf("failed sign-in cell %q", txt)
	}
	b.Screenshots("audit-sign-ins")
}
