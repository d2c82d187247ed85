package cases_test

import (
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
)

// TestCaseListOpenByDefault: the staff case list page shows the cases not
// yet decided or ended unless the clerk asks for all (status=all); the page
// says which it shows and links to the other; the API keeps listing every
// case without a status and takes status=open too.
func TestCaseListOpenByDefault(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		open1 := s.NewCase(d.Clerk, d.County, e2e.CaseBody("274"))
		open2 := s.NewCase(d.Clerk, d.County, e2e.CaseBody("274"))
		closed := s.NewCase(d.Clerk, d.County, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, d.County, closed.ID, "withdraw", "reason", "申请人书面申请撤回")
		s.MustAct(d.Clerk, d.County, open2.ID, "accept")

		page := "/counties/" + d.County + "/cases"
		html := string(s.Must(200, e2e.IsoRequest(s, "GET", page, d.Clerk, nil)).Raw)
		for _, no := range []string{open1.TrackingNo, open2.TrackingNo} {
			if !strings.Contains(html, `data-testid="case-row-`+no+`"`) {
				t.Errorf("open case %s not on the default list", no)
			}
		}
		if strings.Contains(html, `data-testid="case-row-`+closed.TrackingNo+`"`) {
			t.Errorf("the withdrawn case %s is on the default list", closed.TrackingNo)
		}
		if !strings.Contains(html, "未办结的办件共 2 件") || !strings.Contains(html, `href="/counties/`+d.County+`/cases?status=all" id="show-all-cases"`) {
			t.Errorf("the default list does not say it shows open cases, or lacks the link to all")
		}
		if !strings.Contains(html, `<option value="open" selected>`) {
			t.Errorf("the status filter does not show 未办结 selected")
		}

		all := string(s.Must(200, e2e.IsoRequest(s, "GET", page+"?status=all", d.Clerk, nil)).Raw)
		for _, no := range []string{open1.TrackingNo, open2.TrackingNo, closed.TrackingNo} {
			if !strings.Contains(all, `data-testid="case-row-`+no+`"`) {
				t.Errorf("case %s not on the list of all cases", no)
			}
		}
		if !strings.Contains(all, "符合条件的办件共 3 件") || !strings.Contains(all, `<option value="all" selected>`) {
			t.Errorf("the list of all cases does not say so")
		}
		withdrawn := string(s.Must(200, e2e.IsoRequest(s, "GET", page+"?status=withdrawn", d.Clerk, nil)).Raw)
		if !strings.Contains(withdrawn, `data-testid="case-row-`+closed.TrackingNo+`"`) || strings.Contains(withdrawn, `data-testid="case-row-`+open1.TrackingNo+`"`) {
			t.Errorf("status=withdrawn lists the wrong cases")
		}

		api := "/api/v1/counties/" + d.County + "/cases"
		if n := e2e.Num(s.Must(200, s.Do("GET", api, d.Clerk, nil)).Body["total"]); n != 3 {
			t.Errorf("API without status: %d cases, want 3", n)
		}
		r := s.Must(200, s.Do("GET", api+"?status=open", d.Clerk, nil))
		if n := e2e.Num(r.Body["total"]); n != 2 {
			t.Errorf("API status=open: total %d, want 2", n)
		}
		if items, _ := r.Body["items"].([]any); len(items) != 2 {
			t.Errorf("API status=open: %d items, want 2", len(items))
		}
	})
}
