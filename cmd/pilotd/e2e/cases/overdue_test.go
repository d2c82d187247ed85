package cases_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/jobs"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/db/dbtest"
	"safetypilot/rbac"
)

// noticesOf counts the notices of kind about a case sent to a user.
func noticesOf(s *e2e.Service, caseID, userID int64, kind string) int {
	s.T.Helper()
	return s.CountRows(`SELECT COUNT(*) FROM notices WHERE case_id = ? AND user_id = ? AND kind = ?`, caseID, userID, kind)
}

// overdueResult is the detail an overdue run records.
func overdueResult(casesRed, casesYellow, stepsRed, stepsYellow, notices int) string {
	return cases.OverdueResult{CasesRed: casesRed, CasesYellow: casesYellow, StepsRed: stepsRed, StepsYellow: stepsYellow,
		Notices: notices}.String()
}

// TestOverdueJob: with "today" moved forward, the job raises each case's and
// each step's light once, with one event, a notice to the handler and, for a
// red light, one to the county administrator, who gets a run's yellow lights
// as one digest; it skips paused cases and records every run.
//
// Four cases of 274 opened on 2026-09-21 (Mon): promised deadline 10-15,
// step 受理 (1 working day) due 09-22 (see TestCasesLifecycle for the count).
//
//	R accepted by the clerk (the handler), first step still running;
//	S accepted and advanced on 09-21: 审查 (8 working days) due 10-09
//	  (09-22..24 1-3, 09-28..30 4-6, 10-08 7, 10-09 8);
//	Q never accepted (no handler: only the administrator is told);
//	P accepted and paused for a hearing the same day: never flagged.
func TestOverdueJob(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		admin := s.AdminToken()

		travel(s, "2026-09-21")
		caseR := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, caseR.ID, "accept")
		caseS := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, caseS.ID, "accept")
		if c := s.MustAct(d.Clerk, e2e.CaseCountyA, caseS.ID, "advance"); e2e.Str(c.Steps[1].DueOn) != "2026-10-09" {
			t.Fatalf("S's second step due %s", e2e.Str(c.Steps[1].DueOn))
		}
		caseQ := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		caseP := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, caseP.ID, "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, caseP.ID, "pause", "kind", "听证", "reason", "申请人要求听证", "expected_end", "2026-10-20")

		// Only administrators with jobs:run trigger jobs; nothing is recorded otherwise.
		for _, tok := range []string{d.Clerk, d.Reviewer, d.Admin} {
			if r := s.Do("POST", "/api/v1/jobs/overdue/run", tok, nil); r.Status != 403 {
				t.Errorf("county user triggers the job: %d %s", r.Status, r.Raw)
			}
			s.Must(403, s.Do("GET", "/api/v1/jobs", tok, nil))
		}
		s.Must(401, s.Do("POST", "/api/v1/jobs/overdue/run", "", nil))
		s.Must(404, s.Do("POST", "/api/v1/jobs/nosuchjob/run", admin, nil))
		if n := s.CountRows(`SELECT COUNT(*) FROM job_runs`); n != 0 {
			t.Fatalf("%d job runs recorded by refused triggers", n)
		}

		runs := 0
		run := func(date, want string) {
			t.Helper()
			travel(s, date)
			rec := s.RunOverdue(admin)
			runs++
			// The job's record begins with what the case pass did.
			if detail, _ := rec["detail"].(string); !strings.HasPrefix(detail+";", want+";") {
				t.Errorf("run on %s: %q, want it to begin with %q", date, detail, want)
			}
		}
		// 09-21: the first steps of R and Q are due the next working day.
		// R's handler is told; the administrator gets one digest of both.
		run("2026-09-21", overdueResult(0, 0, 0, 2, 2))
		run("2026-09-21", overdueResult(0, 0, 0, 0, 0))
		// 10-09 (Fri): those steps are late (R: handler and administrator;
		// Q: administrator); S's 审查 is due today (handler, digest).
		run("2026-10-09", overdueResult(0, 0, 2, 1, 5))
		// 10-12 (Mon): S's step is late while S itself (promised 10-15) is not.
		run("2026-10-12", overdueResult(0, 0, 1, 0, 2))
		c := s.GetCase(d.Clerk, e2e.CaseCountyA, caseS.ID)
		if c.Warning != "none" || c.Overdue || c.Steps[1].Warning != "red" || !c.Steps[1].Overdue {
			t.Errorf("S on 10-12: case %s/%v, step %s/%v", c.Warning, c.Overdue, c.Steps[1].Warning, c.Steps[1].Overdue)
		}
		if s.FlagEvents(caseS.ID, "step_flag_red") != 1 || s.FlagEvents(caseS.ID, "flag_red") != 0 || s.FlagEvents(caseS.ID, "flag_yellow") != 0 {
			t.Errorf("S on 10-12: step flagged without the case")
		}
		// 10-13 (Tue): two working days before the promised deadline: no light.
		run("2026-10-13", overdueResult(0, 0, 0, 0, 0))
		// 10-14 (Wed): the working day before 10-15: yellow for R, S and Q
		// (R's and S's handler, and one digest).
		run("2026-10-14", overdueResult(0, 3, 0, 0, 3))
		for _, id := range []int64{caseR.ID, caseS.ID, caseQ.ID} {
			if c := s.GetCase(d.Clerk, e2e.CaseCountyA, id); c.Warning != "yellow" || c.Overdue {
				t.Errorf("case %d on 10-14: %s/%v", id, c.Warning, c.Overdue)
			}
		}
		// 10-16 (Fri): past 10-15: red, once, however often the job runs.
		run("2026-10-16", overdueResult(3, 0, 0, 0, 5))
		run("2026-10-16", overdueResult(0, 0, 0, 0, 0))
		run("2026-10-19", overdueResult(0, 0, 0, 0, 0))
		run("2026-11-05", overdueResult(0, 0, 0, 0, 0))
		run("2026-11-05", overdueResult(0, 0, 0, 0, 0))

		for _, tc := range []struct {
			name string
			id   int64
		}{{"R", caseR.ID}, {"S", caseS.ID}, {"Q", caseQ.ID}} {
			for _, kind := range []string{"flag_red", "flag_yellow", "step_flag_red", "step_flag_yellow"} {
				if n := s.FlagEvents(tc.id, kind); n != 1 {
					t.Errorf("case %s: %d %s events, want 1", tc.name, n, kind)
				}
			}
			if n := noticesOf(s, tc.id, d.AdminID, "flag_red"); n != 1 {
				t.Errorf("case %s: the county administrator got %d red notices", tc.name, n)
			}
			c := s.GetCase(d.Clerk, e2e.CaseCountyA, tc.id)
			if c.Warning != "red" || !c.Overdue {
				t.Errorf("case %s on 11-05: %s/%v", tc.name, c.Warning, c.Overdue)
			}
		}
		for _, id := range []int64{caseR.ID, caseS.ID} {
			for _, kind := range []string{"flag_red", "flag_yellow", "step_flag_red", "step_flag_yellow"} {
				if n := noticesOf(s, id, d.ClerkID, kind); n != 1 {
					t.Errorf("case %d: the handling clerk got %d %s notices, want 1", id, n, kind)
				}
			}
		}
		// Q has no handler: the administrator alone is told; nobody else ever.
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE case_id = ? AND user_id <> ?`, caseQ.ID, d.AdminID); n != 0 {
			t.Errorf("%d notices about Q to others than the administrator", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE user_id = ?`, d.ReviewerID); n != 0 {
			t.Errorf("the reviewer got %d notices", n)
		}
		// The administrator got no notice per yellow light, but a digest of
		// each run that raised one, linking to the county's case list.
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE user_id = ? AND kind IN ('flag_yellow', 'step_flag_yellow')`, d.AdminID); n != 0 {
			t.Errorf("the administrator got %d notices of single yellow lights", n)
		}
		var digests []string
		if err := s.Svc.DB.Select(&digests, `SELECT message FROM notices WHERE user_id = ? AND kind = 'yellow_digest' AND county_code = ? AND case_id = 0 ORDER BY id`,
			d.AdminID, e2e.CaseCountyA); err != nil {
			t.Fatal(err)
		}
		wantDigests := []string{
			"超期预警汇总（2026-09-21）：新增即将到期的办理环节 2 个，已逐一提醒经办人。",
			"超期预警汇总（2026-10-09）：新增即将到期的办理环节 1 个，已逐一提醒经办人。",
			"超期预警汇总（2026-10-14）：新增即将到期的办件 3 件，已逐一提醒经办人。",
		}
		if strings.Join(digests, "\n") != strings.Join(wantDigests, "\n") {
			t.Errorf("digests:\n%s\nwant:\n%s", strings.Join(digests, "\n"), strings.Join(wantDigests, "\n"))
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'yellow_digest' AND user_id <> ?`, d.AdminID); n != 0 {
			t.Errorf("%d digests to others than the administrator", n)
		}
		page := string(s.Must(200, s.Do("GET", "/notices", d.Admin, nil)).Raw)
		if !strings.Contains(page, `<a href="/counties/`+e2e.CaseCountyA+`/cases">`+wantDigests[2]+`</a>`) {
			t.Errorf("the inbox does not link the digest to the county's cases:\n%s", page)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices`); n != 2+5+2+3+5 {
			t.Errorf("%d notices in all, want 17", n)
		}
		// The flag event names the deadline and who flagged.
		var note, actor string
		if err := s.Svc.DB.QueryRow(`SELECT note, actor_name FROM case_events WHERE case_id = ? AND kind = 'flag_red'`, caseR.ID).Scan(&note, &actor); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(note, caseR.TrackingNo) || !strings.Contains(note, "已超期（期限 2026-10-15）") || actor != "超期预警任务" {
			t.Errorf("red event: %q by %q", note, actor)
		}

		// The paused case was never flagged, and is not overdue while paused.
		if n := s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind LIKE '%flag%'`, caseP.ID); n != 0 {
			t.Errorf("paused case: %d flag events", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE case_id = ?`, caseP.ID); n != 0 {
			t.Errorf("paused case: %d notices", n)
		}
		p := s.GetCase(d.Clerk, e2e.CaseCountyA, caseP.ID)
		if p.Warning != "none" || p.Overdue || p.StatutoryOverdue || !p.Paused {
			t.Errorf("paused case on 11-05: warning %s overdue %v/%v paused %v", p.Warning, p.Overdue, p.StatutoryOverdue, p.Paused)
		}
		for _, st := range p.Steps {
			if st.Warning != "none" || st.Overdue {
				t.Errorf("paused case's step: %+v", st)
			}
		}
		// Resumed on 11-05 after 28 paused working days (09-22..24 3, 09-28..30 6,
		// 10-08..10 9, 10-12..16 14, 10-19..23 19, 10-26..30 24, 11-02..05 28),
		// the 13 working days count from 11-06: 11-06 1, 11-09..13 6,
		// 11-16..20 11, 11-23 12, 11-24 13. Its first step (1 working day
		// from 09-21) is now due 11-06, the next working day: yellow, and the
		// job says so once.
		p = s.MustAct(d.Clerk, e2e.CaseCountyA, caseP.ID, "resume")
		if p.PromisedDeadline != "2026-11-24" || p.Pauses[0].Workdays != 28 || p.Warning != "none" || p.Overdue {
			t.Errorf("resumed: promised %s, paused %d working days, %s/%v", p.PromisedDeadline, p.Pauses[0].Workdays, p.Warning, p.Overdue)
		}
		if st := p.Steps[0]; e2e.Str(st.DueOn) != "2026-11-06" || st.Warning != "yellow" {
			t.Errorf("resumed: first step due %s, %s", e2e.Str(st.DueOn), st.Warning)
		}
		run("2026-11-05", overdueResult(0, 0, 0, 1, 2))
		run("2026-11-05", overdueResult(0, 0, 0, 0, 0))
		if s.FlagEvents(caseP.ID, "step_flag_yellow") != 1 || noticesOf(s, caseP.ID, d.ClerkID, "step_flag_yellow") != 1 {
			t.Errorf("resumed case's step not flagged once")
		}

		// Every run is recorded.
		if n := s.CountRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue' AND status = 'succeeded' AND finished_at IS NOT NULL`); n != runs {
			t.Errorf("%d succeeded runs recorded, want %d", n, runs)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM job_runs`); n != runs {
			t.Errorf("%d job runs, want %d", n, runs)
		}
		r := s.Must(200, s.Do("GET", "/api/v1/jobs", admin, nil))
		items, _ := r.Body["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("jobs: %s", r.Raw)
		}
		// The list is by name; other jobs (crypto-sweep, reports, retention) sit beside it.
		var job map[string]any
		for _, it := range items {
			if it.(map[string]any)["name"] == "overdue" {
				job = it.(map[string]any)
			}
		}
		if job == nil {
			t.Fatalf("no overdue job: %s", r.Raw)
		}
		recent, _ := job["recent_runs"].([]any)
		if job["name"] != "overdue" || job["schedule"] != "*/5 * * * *" || len(recent) != 10 {
			t.Errorf("jobs list: %s", r.Raw)
		}
	})
}

// TestOverdueAfterExtension: an extension moves a red case's deadline out and
// its light back down; the job flags it again only when the new deadline passes.
func TestOverdueAfterExtension(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		admin := s.AdminToken()
		travel(s, "2026-09-21")
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "advance")
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "advance")
		travel(s, "2026-10-16")
		s.RunOverdue(admin)
		if s.FlagEvents(c.ID, "flag_red") != 1 {
			t.Fatalf("not flagged red on 10-16")
		}
		// Promised 10-15 + 10 × 13/20 = 6 working days: 10-16, 10-19 … 10-23.
		c = s.MustAct(d.Leader, e2e.CaseCountyA, c.ID, "extend", "reason", "需要延长")
		if c.PromisedDeadline != "2026-10-23" || c.Warning != "none" || c.Overdue {
			t.Fatalf("extended: %s %s/%v", c.PromisedDeadline, c.Warning, c.Overdue)
		}
		s.RunOverdue(admin)
		if n := s.CountRows(`SELECT COUNT(*) FROM cases WHERE id = ? AND warning = 'none'`, c.ID); n != 1 {
			t.Errorf("stored light after the extension is not none")
		}
		travel(s, "2026-10-22") // the working day before the extended promise
		s.RunOverdue(admin)
		travel(s, "2026-10-26")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if y, r := s.FlagEvents(c.ID, "flag_yellow"), s.FlagEvents(c.ID, "flag_red"); y != 1 || r != 2 {
			t.Errorf("after the extended deadline: %d yellow, %d red events; want 1 and 2", y, r)
		}
	})
}

// TestOverdueMetrics: the open, due-soon and overdue gauges per county and the
// last success of the overdue job. The gauges are read from the database on
// the real date, so the cases are placed around the real today.
func TestOverdueMetrics(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		a := s.CaseDesk(e2e.CaseCountyA)
		b := s.CaseDesk(e2e.CaseCountyB)
		admin := s.AdminToken()
		today := calendar.Today(time.Now())
		next := s.Svc.Calendar.Calendar().NextWorkday(rbac.NationalRegion, today)
		promised := func(received time.Time) time.Time {
			dl, err := s.Svc.Cases.Clock().Compute(cases.Case{CountyCode: e2e.CaseCountyA, ReceivedOn: calendar.FormatDate(received),
				StatutoryDays: 20, PromisedDays: 13}, nil, today)
			if err != nil {
				t.Fatal(err)
			}
			return dl.Promised
		}
		// A receipt date whose promised deadline is today or the next working day.
		var dueSoonOn time.Time
		for back := 0; back < 60; back++ {
			r := today.AddDate(0, 0, -back)
			if p := promised(r); !p.Before(today) && !p.After(next) {
				dueSoonOn = r
				break
			}
		}
		if dueSoonOn.IsZero() {
			t.Fatalf("no receipt date due soon for %s", calendar.FormatDate(today))
		}
		longAgo := today.AddDate(0, 0, -60)
		if !promised(longAgo).Before(today) {
			t.Fatalf("a case received %s is not overdue", calendar.FormatDate(longAgo))
		}

		s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", calendar.FormatDate(longAgo))) // overdue
		s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", calendar.FormatDate(dueSoonOn)))
		s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274")) // received today
		paused := s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", calendar.FormatDate(longAgo)))
		s.MustAct(a.Clerk, e2e.CaseCountyA, paused.ID, "accept")
		s.MustAct(a.Clerk, e2e.CaseCountyA, paused.ID, "pause", "kind", "检测", "reason", "送检",
			"expected_end", calendar.FormatDate(today.AddDate(0, 0, 10))) // late, but its clock stands
		closed := s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", calendar.FormatDate(longAgo)))
		s.MustAct(a.Clerk, e2e.CaseCountyA, closed.ID, "withdraw") // not open
		s.NewCase(b.Clerk, e2e.CaseCountyB, e2e.CaseBody("274"))

		r := s.Must(200, s.Do("GET", "/metrics", "", nil))
		for _, w := range []struct {
			name, county string
			want         float64
		}{
			{"pilot_cases_open", e2e.CaseCountyA, 4}, {"pilot_cases_overdue", e2e.CaseCountyA, 1}, {"pilot_cases_due_soon", e2e.CaseCountyA, 1},
			{"pilot_cases_open", e2e.CaseCountyB, 1}, {"pilot_cases_overdue", e2e.CaseCountyB, 0}, {"pilot_cases_due_soon", e2e.CaseCountyB, 0},
		} {
			v, ok := e2e.MetricValue(r.Raw, w.name, `county="`+w.county+`"`)
			if !ok || v != w.want {
				t.Errorf("%s{county=%q} = %v (present %v), want %v", w.name, w.county, v, ok, w.want)
			}
		}
		if v, ok := e2e.MetricValue(r.Raw, "pilot_cases_received_total", `county="`+e2e.CaseCountyA+`"`); !ok || v != 5 {
			t.Errorf("pilot_cases_received_total{county=%q} = %v (%v), want 5", e2e.CaseCountyA, v, ok)
		}
		if _, ok := e2e.MetricValue(r.Raw, "pilot_job_last_success_timestamp_seconds", `job="overdue"`); ok {
			t.Errorf("a last success before any run")
		}

		before := float64(time.Now().Add(-time.Second).UnixNano()) / 1e9
		s.RunOverdue(admin)
		after := float64(time.Now().Add(time.Second).UnixNano()) / 1e9
		r = s.Must(200, s.Do("GET", "/metrics", "", nil))
		v, ok := e2e.MetricValue(r.Raw, "pilot_job_last_success_timestamp_seconds", `job="overdue"`)
		if !ok || v < before || v > after {
			t.Errorf("pilot_job_last_success_timestamp_seconds{job=\"overdue\"} = %v (%v), want within [%v, %v]", v, ok, before, after)
		}
		if _, ok := e2e.MetricValue(r.Raw, "pilot_job_runs_total", `job="overdue",status="succeeded"`); !ok {
			t.Errorf("pilot_job_runs_total missing")
		}
	})
}

// newReplicaPair wires two services on the same fresh MariaDB database, as two
// replicas of one deployment.
func newReplicaPair(t *testing.T) (*e2e.Service, *e2e.Service) {
	t.Helper()
	dsn := dbtest.CreateMySQLDatabase(t)
	cfg := e2e.FlagConfig(t, "--db-dsn", dsn, "--log-format", "text", "--log-level", "error", "--db-max-open", "8",
		"--overdue-schedule", "*/5 * * * *")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return e2e.Wire(t, cfg, log), e2e.Wire(t, cfg, log)
}

// TestOverdueTwoReplicas: two replicas on one MariaDB database flag each case
// once even when their passes run at the same moment, and the job triggered
// on both at once records both runs and flags nothing twice.
func TestOverdueTwoReplicas(t *testing.T) {
	t.Parallel()
	dbtest.RequireMySQL(t)
	a, b := newReplicaPair(t)
	d := a.CaseDesk(e2e.CaseCountyA)
	travel(a, "2026-09-21")
	const n = 30
	var ids []int64
	for i := 0; i < n; i++ {
		c := a.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		a.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		ids = append(ids, c.ID)
	}
	// 10-16: every case (promised 10-15) and its first step (09-22) are late.
	travel(a, "2026-10-16")
	travel(b, "2026-10-16")

	ctx := context.Background()
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]cases.OverdueResult, 2)
	errs := make([]error, 2)
	for i, s := range []*e2e.Service{a, b} {
		wg.Add(1)
		go func(i int, s *e2e.Service) {
			defer wg.Done()
			<-start
			results[i], errs[i] = s.Svc.Cases.FlagOverdue(ctx)
		}(i, s)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	if got := results[0].CasesRed + results[1].CasesRed; got != n {
		t.Errorf("cases flagged red: %d + %d, want %d in all", results[0].CasesRed, results[1].CasesRed, n)
	}
	if got := results[0].StepsRed + results[1].StepsRed; got != n {
		t.Errorf("steps flagged red: %d + %d, want %d in all", results[0].StepsRed, results[1].StepsRed, n)
	}
	if got := results[0].Notices + results[1].Notices; got != 4*n {
		t.Errorf("notices: %d, want %d", got, 4*n)
	}
	for _, id := range ids {
		if a.FlagEvents(id, "flag_red") != 1 || a.FlagEvents(id, "step_flag_red") != 1 ||
			noticesOf(a, id, d.ClerkID, "flag_red") != 1 || noticesOf(a, id, d.AdminID, "flag_red") != 1 {
			t.Errorf("case %d not flagged exactly once", id)
		}
	}

	// The job triggered on both replicas at once: both runs are recorded (one
	// may find the other's lease and be skipped), nothing is flagged again.
	events := a.CountRows(`SELECT COUNT(*) FROM case_events`)
	runs := make([]jobs.Run, 2)
	start = make(chan struct{})
	for i, s := range []*e2e.Service{a, b} {
		wg.Add(1)
		go func(i int, s *e2e.Service) {
			defer wg.Done()
			<-start
			runs[i], errs[i] = s.Svc.Jobs.RunNow(ctx, "overdue")
		}(i, s)
	}
	close(start)
	wg.Wait()
	succeeded := 0
	for i, r := range runs {
		if errs[i] != nil {
			t.Fatalf("run on replica %d: %v", i, errs[i])
		}
		switch r.Status {
		case jobs.StatusSucceeded:
			succeeded++
		case jobs.StatusSkipped:
		default:
			t.Errorf("run on replica %d: %+v", i, r)
		}
	}
	if succeeded == 0 || runs[0].Replica == runs[1].Replica {
		t.Errorf("runs: %+v", runs)
	}
	if got := a.CountRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue' AND finished_at IS NOT NULL`); got != 2 {
		t.Errorf("%d finished runs recorded, want 2", got)
	}
	if got := a.CountRows(`SELECT COUNT(*) FROM case_events`); got != events {
		t.Errorf("events %d → %d after re-running", events, got)
	}
}
