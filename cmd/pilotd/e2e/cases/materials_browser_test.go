package cases_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// setFiles puts files on the file input with the HTML id, as a person
// choosing them would.
func setFiles(b *e2e.Tab, id string, paths ...string) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.SetUploadFiles(chromedp.ID(id), paths)); err != nil {
		b.T.Fatalf("files on #%s: %v", id, err)
	}
}

// TestMaterialsBrowser: a citizen applies online for 274 with a file per
// listed material (an executable renamed .pdf is refused first, naming the
// file and the material, and nothing is stored); the tracking page shows how
// many files arrived and no link to them; the clerk sees the files on the
// case page, downloads one, and attaches a counter scan through the form.
func TestMaterialsBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	const county = "340102"
	s.CaseDesk(county)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pdf := e2e.PDF(3000)
	form, premises := write("申请书.pdf", pdf), write("租赁证明.png", e2e.PNG())
	fake := write("病毒.pdf", e2e.EXE())
	scan := write("窗口扫描件.pdf", e2e.PDF(1500))

	citizen := e2e.NewTab(t, browser, base)
	fillApplicant := func() {
		citizen.Open("/portal/" + county + "/apply?item=274")
		if n := citizen.Count("fieldset[data-item='274']:not([hidden]) input[type=file]"); n != 2 {
			t.Fatalf("%d visible file inputs for 274's materials, want 2\n%s", n, citizen.BodyText())
		}
		citizen.Fill("apply-name", "瑶海区平安烟花爆竹零售店")
		citizen.Fill("apply-credit", "91350100M000100Y43")
		citizen.Fill("apply-phone", "13800000000")
	}
	// The chosen item's inputs fit a phone's width, and the phone number is
	// marked as required where a sighted person reads the label.
	citizen.Open("/portal/" + county + "/apply?item=274")
	for _, id := range []string{"apply-item", "apply-name", "apply-credit", "apply-phone"} {
		if mark := citizen.Text("label[for=" + id + "] .req"); mark != "*" {
			t.Errorf("the label of %s shows %q, want the required mark *", id, mark)
		}
	}
	if mark := citizen.Count("label[for=apply-contact] .req"); mark != 0 {
		t.Errorf("the optional contact is marked as required")
	}
	citizen.Screenshots("cases-apply-materials")
	fillApplicant()
	setFiles(citizen, "material_274_0", form)
	setFiles(citizen, "material_274_1", fake)
	if status := citizen.Click("#apply-submit"); status != http.StatusBadRequest {
		t.Fatalf("application with a renamed executable: HTTP %d, want 400\n%s", status, citizen.BodyText())
	}
	citizen.WantText("[data-testid=material-error]", "病毒.pdf")
	citizen.WantText("[data-testid=material-error]", fireworksPremises)
	if n := s.CountRows(`SELECT COUNT(*) FROM cases`) + materialRows(s, county); n != 0 {
		t.Fatalf("a refused application stored %d rows", n)
	}

	fillApplicant()
	setFiles(citizen, "material_274_0", form)
	setFiles(citizen, "material_274_1", premises)
	citizen.Submit("#apply-submit")
	citizen.WantPath("/portal/" + county + "/track")
	citizen.WantText("[data-testid=track-materials]", "2个文件")
	if n := citizen.Count("a[href*='/materials/']"); n != 0 {
		t.Errorf("the tracking page links to %d files", n)
	}
	no := citizen.Text("[data-testid=tracking-no]")
	id := casesIDOf(s, no)

	clerk := e2e.NewTab(t, browser, base)
	clerk.SignIn("clerk_"+county, e2e.CasesUserPassword)
	clerk.Open("/counties/" + county + "/cases/" + id)
	clerk.WantText("[data-testid=materials]", "申请书.pdf")
	clerk.WantText("[data-testid=materials]", fireworksApplication)
	clerk.WantText("[data-testid=materials]", "租赁证明.png")
	clerk.WantText("[data-testid=materials]", "网上申请")
	got, err := chromedp.Run(clerk.Ctx, chromedp.Evaluate[string](`(async () => {
		const a = document.querySelector('[data-testid=material-link]');
		const r = await fetch(a.href);
		return r.status + '|' + r.headers.get('Content-Disposition') + '|' + r.headers.get('Cache-Control') + '|' + await r.text();
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	parts := strings.SplitN(got, "|", 4)
	if len(parts) != 4 || parts[0] != "200" || !strings.HasPrefix(parts[1], "attachment;") || parts[2] != "no-store" || parts[3] != string(pdf) {
		t.Errorf("download = %.200q", got)
	}

	// A counter scan through the case page's form.
	clerk.Choose("material-name", fireworksPremises)
	setFiles(clerk, "material-file", scan)
	clerk.Submit("#material-submit")
	clerk.WantText(".flash, [role=status]", "材料已上传")
	clerk.WantText("[data-testid=materials]", "窗口扫描件.pdf")
	clerk.WantText("[data-testid=materials]", "窗口扫描")
	if n := materialRows(s, county); n != 3 {
		t.Errorf("%d files stored, want 3", n)
	}
	clerk.Screenshots("cases-materials")
}
