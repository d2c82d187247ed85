package catalog_test

import (
	"net/http"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestBrowserCleanupPage: the county administrator opens 职权清理 from the
// menu, sees the eleven suggestions with their legal ground and sources and
// the 底数 (11 before, all pending), confirms one, is refused a change
// without a reason (marked beside the field, nothing stored), changes it
// with a reason, and the 底数 follows; the page works at 375 px.
func TestBrowserCleanupPage(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	b, _ := e2e.CountyAdminSignedIn(t, s, browser, base)
	const county = "340102"

	if n := b.Count(`nav.menu a[href="/counties/` + county + `/cleanup"]`); n != 1 {
		t.Fatalf("%d menu links to the clean-up page", n)
	}
	b.Open("/counties/" + county + "/cleanup")
	if h := b.Text("main h1"); !strings.Contains(h, "职权清理") {
		t.Fatalf("heading %q", h)
	}
	if got := b.Text("[data-testid=before]"); got != "11" {
		t.Errorf("before %q, want 11", got)
	}
	if got := b.Text("[data-testid=pending]"); got != "11" {
		t.Errorf("pending %q, want 11", got)
	}
	sec := b.Text("[data-testid=cleanup-280]")
	for _, want := range []string{"取消", "《中华人民共和国职业病防治法》", "主席令第四十八号", "已核实"} {
		if !strings.Contains(sec, want) {
			t.Errorf("item 280 does not show %q: %s", want, sec)
		}
	}
	if n := b.Count(`[data-testid=cleanup-280] a[href^="http"]`); n < 2 {
		t.Errorf("item 280 links %d sources", n)
	}
	if sec := b.Text("[data-testid=cleanup-275]"); !strings.Contains(sec, "部分核实") || !strings.Contains(sec, "未查到") {
		t.Errorf("item 275 does not say what could not be verified: %s", sec)
	}

	b.Submit("#confirm-280")
	b.WantPath("/counties/" + county + "/cleanup")
	if got := b.Text("[data-testid=decision-280]"); !strings.Contains(got, "已确认") || !strings.Contains(got, "取消") {
		t.Errorf("decision of 280 %q", got)
	}
	if got := b.Text("[data-testid=decided]"); got != "1" {
		t.Errorf("decided %q after one confirmation", got)
	}

	b.Choose("status-283", "cancelled")
	if status := b.Click("#change-283"); status != http.StatusBadRequest {
		t.Fatalf("changing without a reason: HTTP %d, want 400", status)
	}
	if msg := b.Text("#reason-283 + .field-error"); !strings.Contains(msg, "理由") {
		t.Errorf("message beside the reason %q", msg)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM catalog_cleanup WHERE code = '283'`); n != 0 {
		t.Fatalf("a refused change stored %d rows", n)
	}
	b.Choose("status-283", "cancelled")
	b.Fill("reason-283", "本县无危险化学品重大危险源，县政府决定不再列入")
	b.Submit("#change-283")
	if got := b.Text("[data-testid=decision-283]"); !strings.Contains(got, "已改为") || !strings.Contains(got, "取消") {
		t.Errorf("decision of 283 %q", got)
	}
	if got := b.Text("[data-testid=result-cancelled]"); got != "2" {
		t.Errorf("cancelled %q, want 2", got)
	}
	if got := b.Text("[data-testid=held-after]"); got != "0" {
		t.Errorf("held after %q, want 0 (only cancellations decided)", got)
	}
	b.Screenshots("cleanup")
}
