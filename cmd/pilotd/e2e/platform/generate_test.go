package platform_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/db"
)

// TestGenerate fills a database with a small national data set and checks
// that it is what the service itself would hold: every county active with
// its published catalog and staff, cases with their steps and a plausible
// status mix, lights as the previous working day's pass left them (so a
// pass on the data's last day flags only what fell due since), and that a
// generated clerk signs in and lists exactly their county's cases.
func TestGenerate(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		ctx := context.Background()
		const counties, users, total, records = 40, 800, 6000, 500
		var out bytes.Buffer
		opts := server.GenOptions{Counties: counties, Users: users, Cases: total, Disclosures: records, Years: 3, Seed: 7, AsOf: "2026-11-26"}
		if err := s.Svc.Generate(ctx, opts, &out); err != nil {
			t.Fatalf("generate: %v\n%s", err, out.String())
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM counties WHERE status = 'active'`); got != counties {
			t.Fatalf("active counties %d, want %d", got, counties)
		}
		if got := s.CountRows(`SELECT COUNT(DISTINCT province_code) FROM counties`); got != 31 {
			t.Errorf("counties spread over %d provinces, want all 31", got)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM users`); got != users {
			t.Errorf("users %d, want %d", got, users)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE category = 'power' AND published_version = 1`); got != 11*counties {
			t.Errorf("published power items %d, want %d", got, 11*counties)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM cases`); got != total {
			t.Fatalf("cases %d, want %d", got, total)
		}
		// Generated people's fields are sealed, with the phone's blind index.
		if got := s.CountRows(`SELECT COUNT(*) FROM cases WHERE applicant_phone NOT LIKE 'enc1:gm:1:%' OR applicant_contact NOT LIKE 'enc1:gm:1:%'
			OR applicant_phone_bidx = ''`); got != 0 {
			t.Errorf("%d generated cases with personal fields not sealed", got)
		}
		// The list's total reads case_counts: it holds exactly the cases.
		type count struct {
			County string `db:"county_code"`
			Item   string `db:"item_code"`
			Status string `db:"status"`
			N      int    `db:"n"`
		}
		var counted, grouped []count
		if err := s.Svc.DB.Select(&counted, `SELECT county_code, item_code, status, n FROM case_counts
			ORDER BY county_code, item_code, status`); err != nil {
			t.Fatal(err)
		}
		if err := s.Svc.DB.Select(&grouped, `SELECT county_code, item_code, status, COUNT(*) AS n FROM cases
			GROUP BY county_code, item_code, status ORDER BY county_code, item_code, status`); err != nil {
			t.Fatal(err)
		}
		if len(grouped) < counties || !reflect.DeepEqual(counted, grouped) {
			t.Errorf("case_counts (%d rows) is not the cases grouped by county, item and status (%d rows)", len(counted), len(grouped))
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM case_steps`); got != 3*total {
			t.Errorf("steps %d, want three per case", got)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM disclosure_records`); got != records {
			t.Errorf("disclosure records %d, want %d", got, records)
		}
		// Every case belongs to a county with that county's handler.
		if got := s.CountRows(`SELECT COUNT(*) FROM cases c LEFT JOIN user_roles r ON r.user_id = c.handler_id
			AND r.region = c.county_code AND r.role = 'county_clerk' WHERE r.user_id IS NULL`); got != 0 {
			t.Errorf("%d cases handled by someone who is not a clerk of their county", got)
		}
		open := s.CountRows(`SELECT COUNT(*) FROM cases WHERE status IN ('submitted', 'accepted', 'in_review', 'returned')`)
		if open == 0 || open > total/10 {
			t.Errorf("%d of %d cases open: want a working office's few percent", open, total)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM cases WHERE status IN ('delivered', 'denied', 'withdrawn') AND completed_on IS NULL`); got != 0 {
			t.Errorf("%d closed cases without a completion date", got)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM cases WHERE promised_deadline > deadline OR received_on >= promised_deadline`); got != 0 {
			t.Errorf("%d cases whose deadlines are out of order", got)
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM cases WHERE status = 'returned' AND clock_running = 1`); got != 0 {
			t.Errorf("%d returned cases with a running clock", got)
		}
		if s.CountRows(`SELECT COUNT(*) FROM cases WHERE status = 'delivered'`) < total*8/10 {
			t.Errorf("fewer than 80%% of cases delivered")
		}

		// A pass on the last day raises only what fell due since the
		// previous working day; a second pass raises nothing.
		asOf, _ := calendar.ParseDate(opts.AsOf)
		svc := cases.NewService(s.Svc.DB, s.Svc.Calendar.Calendar(), nil, nil)
		svc.Now = func() time.Time { return asOf.Add(2 * time.Hour) }
		first, err := svc.FlagOverdue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if first.CasesRed+first.CasesYellow >= open {
			t.Errorf("the day's pass flagged %s of %d open cases: the lights were not as yesterday's pass left them", first, open)
		}
		second, err := svc.FlagOverdue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if second != (cases.OverdueResult{}) {
			t.Errorf("second pass flagged %s", second)
		}

		// A generated clerk signs in and sees their county's cases only.
		var county string
		if err := s.Svc.DB.Get(&county, `SELECT county_code FROM cases GROUP BY county_code ORDER BY COUNT(*) DESC, county_code LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		token := s.Login("c"+county+"_clerk1", server.GeneratedPassword)
		r := s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/cases?per_page=20", token, nil))
		want := s.CountRows(`SELECT COUNT(*) FROM cases WHERE county_code = ?`, county)
		if got, _ := r.Body["total"].(float64); int(got) != want {
			t.Errorf("clerk's list total %v, want %d", r.Body["total"], want)
		}
		items, _ := r.Body["items"].([]any)
		if len(items) != min(20, want) {
			t.Errorf("page of %d cases, want %d", len(items), min(20, want))
		}
		for _, it := range items {
			if c, _ := it.(map[string]any)["county_code"].(string); c != county {
				t.Fatalf("a case of %s in %s's list", c, county)
			}
		}

		// Generating again over the data set is a no-op, not a second copy.
		out.Reset()
		if err := s.Svc.Generate(ctx, opts, &out); err != nil || !strings.Contains(out.String(), "already generated") {
			t.Errorf("second generate: %v, %q", err, out.String())
		}
		if got := s.CountRows(`SELECT COUNT(*) FROM cases`); got != total {
			t.Errorf("cases %d after a second generate, want %d", got, total)
		}
	})
}

// TestRecountCasesCommand checks that `pilotd recount-cases` rebuilds the
// case list's totals: a count of no cases is dropped.
func TestRecountCasesCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"--data-dir", dir, "--db-dsn", "", "--log-format", "text", "--log-level", "error"}
	if err := server.Run(context.Background(), append([]string{"migrate"}, args...), &out, &out); err != nil {
		t.Fatalf("migrate: %v (%s)", err, out.String())
	}
	d, err := db.Open(context.Background(), db.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`INSERT INTO case_counts (county_code, item_code, status, n) VALUES ('340102', '274', 'accepted', 3)`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := server.Run(context.Background(), append([]string{"recount-cases"}, args...), &out, &out); err != nil {
		t.Fatalf("recount-cases: %v (%s)", err, out.String())
	}
	if !strings.Contains(out.String(), "case counts rebuilt: 0 ") {
		t.Errorf("output %q", out.String())
	}
	var left int
	if err := d.Get(&left, `SELECT COUNT(*) FROM case_counts`); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d count rows of no cases left", left)
	}
}
