package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"safetypilot/jobs"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/db/dbtest"
	"safetypilot/rbac"
)

// runOverdue triggers the overdue job through the API and returns its record.
func (s *testService) runOverdue(token string) map[string]any {
	s.t.Helper()
	r := s.must(200, s.do("POST", "/api/v1/jobs/overdue/run", token, nil))
	if r.Body["status"] != "succeeded" || r.Body["job"] != "overdue" || num(r.Body["id"]) == 0 {
		s.t.Fatalf("overdue run: %s", r.Raw)
	}
	return r.Body
}

// flagEvents counts the events of kind recorded on a case.
func (s *testService) flagEvents(caseID int64, kind string) int {
	s.t.Helper()
	return s.countRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = ?`, caseID, kind)
}

// notices counts the notices of kind about a case sent to a user.
func (s *testService) notices(caseID, userID int64, kind string) int {
	s.t.Helper()
	return s.countRows(`SELECT COUNT(*) FROM notices WHERE case_id = ? AND user_id = ? AND kind = ?`, caseID, userID, kind)
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
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		admin := s.adminToken()

		s.travel("2026-09-21")
		caseR := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, caseR.ID, "accept")
		caseS := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, caseS.ID, "accept")
		if c := s.mustAct(d.clerk, caseCountyA, caseS.ID, "advance"); str(c.Steps[1].DueOn) != "2026-10-09" {
			t.Fatalf("S's second step due %s", str(c.Steps[1].DueOn))
		}
		caseQ := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		caseP := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, caseP.ID, "accept")
		s.mustAct(d.clerk, caseCountyA, caseP.ID, "pause", "kind", "听证", "reason", "申请人要求听证")

		// Only administrators with jobs:run trigger jobs; nothing is recorded otherwise.
		for _, tok := range []string{d.clerk, d.reviewer, d.admin} {
			if r := s.do("POST", "/api/v1/jobs/overdue/run", tok, nil); r.Status != 403 {
				t.Errorf("county user triggers the job: %d %s", r.Status, r.Raw)
			}
			s.must(403, s.do("GET", "/api/v1/jobs", tok, nil))
		}
		s.must(401, s.do("POST", "/api/v1/jobs/overdue/run", "", nil))
		s.must(404, s.do("POST", "/api/v1/jobs/nosuchjob/run", admin, nil))
		if n := s.countRows(`SELECT COUNT(*) FROM job_runs`); n != 0 {
			t.Fatalf("%d job runs recorded by refused triggers", n)
		}

		runs := 0
		run := func(date, want string) {
			t.Helper()
			s.travel(date)
			rec := s.runOverdue(admin)
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
		c := s.getCase(d.clerk, caseCountyA, caseS.ID)
		if c.Warning != "none" || c.Overdue || c.Steps[1].Warning != "red" || !c.Steps[1].Overdue {
			t.Errorf("S on 10-12: case %s/%v, step %s/%v", c.Warning, c.Overdue, c.Steps[1].Warning, c.Steps[1].Overdue)
		}
		if s.flagEvents(caseS.ID, "step_flag_red") != 1 || s.flagEvents(caseS.ID, "flag_red") != 0 || s.flagEvents(caseS.ID, "flag_yellow") != 0 {
			t.Errorf("S on 10-12: step flagged without the case")
		}
		// 10-13 (Tue): two working days before the promised deadline: no light.
		run("2026-10-13", overdueResult(0, 0, 0, 0, 0))
		// 10-14 (Wed): the working day before 10-15: yellow for R, S and Q
		// (R's and S's handler, and one digest).
		run("2026-10-14", overdueResult(0, 3, 0, 0, 3))
		for _, id := range []int64{caseR.ID, caseS.ID, caseQ.ID} {
			if c := s.getCase(d.clerk, caseCountyA, id); c.Warning != "yellow" || c.Overdue {
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
				if n := s.flagEvents(tc.id, kind); n != 1 {
					t.Errorf("case %s: %d %s events, want 1", tc.name, n, kind)
				}
			}
			if n := s.notices(tc.id, d.adminID, "flag_red"); n != 1 {
				t.Errorf("case %s: the county administrator got %d red notices", tc.name, n)
			}
			c := s.getCase(d.clerk, caseCountyA, tc.id)
			if c.Warning != "red" || !c.Overdue {
				t.Errorf("case %s on 11-05: %s/%v", tc.name, c.Warning, c.Overdue)
			}
		}
		for _, id := range []int64{caseR.ID, caseS.ID} {
			for _, kind := range []string{"flag_red", "flag_yellow", "step_flag_red", "step_flag_yellow"} {
				if n := s.notices(id, d.clerkID, kind); n != 1 {
					t.Errorf("case %d: the handling clerk got %d %s notices, want 1", id, n, kind)
				}
			}
		}
		// Q has no handler: the administrator alone is told; nobody else ever.
		if n := s.countRows(`SELECT COUNT(*) FROM notices WHERE case_id = ? AND user_id <> ?`, caseQ.ID, d.adminID); n != 0 {
			t.Errorf("%d notices about Q to others than the administrator", n)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM notices WHERE user_id = ?`, d.reviewerID); n != 0 {
			t.Errorf("the reviewer got %d notices", n)
		}
		// The administrator got no notice per yellow light, but a digest of
		// each run that raised one, linking to the county's case list.
		if n := s.countRows(`SELECT COUNT(*) FROM notices WHERE user_id = ? AND kind IN ('flag_yellow', 'step_flag_yellow')`, d.adminID); n != 0 {
			t.Errorf("the administrator got %d notices of single yellow lights", n)
		}
		var digests []string
		if err := s.svc.db.Select(&digests, `SELECT message FROM notices WHERE user_id = ? AND kind = 'yellow_digest' AND county_code = ? AND case_id = 0 ORDER BY id`,
			d.adminID, caseCountyA); err != nil {
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
		if n := s.countRows(`SELECT COUNT(*) FROM notices WHERE kind = 'yellow_digest' AND user_id <> ?`, d.adminID); n != 0 {
			t.Errorf("%d digests to others than the administrator", n)
		}
		page := string(s.must(200, s.do("GET", "/notices", d.admin, nil)).Raw)
		if !strings.Contains(page, `<a href="/counties/`+caseCountyA+`/cases">`+wantDigests[2]+`</a>`) {
			t.Errorf("the inbox does not link the digest to the county's cases:\n%s", page)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM notices`); n != 2+5+2+3+5 {
			t.Errorf("%d notices in all, want 17", n)
		}
		// The flag event names the deadline and who flagged.
		var note, actor string
		if err := s.svc.db.QueryRow(`SELECT note, actor_name FROM case_events WHERE case_id = ? AND kind = 'flag_red'`, caseR.ID).Scan(&note, &actor); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(note, caseR.TrackingNo) || !strings.Contains(note, "已超期（期限 2026-10-15）") || actor != "超期预警任务" {
			t.Errorf("red event: %q by %q", note, actor)
		}

		// The paused case was never flagged, and is not overdue while paused.
		if n := s.countRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind LIKE '%flag%'`, caseP.ID); n != 0 {
			t.Errorf("paused case: %d flag events", n)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM notices WHERE case_id = ?`, caseP.ID); n != 0 {
			t.Errorf("paused case: %d notices", n)
		}
		p := s.getCase(d.clerk, caseCountyA, caseP.ID)
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
		p = s.mustAct(d.clerk, caseCountyA, caseP.ID, "resume")
		if p.PromisedDeadline != "2026-11-24" || p.Pauses[0].Workdays != 28 || p.Warning != "none" || p.Overdue {
			t.Errorf("resumed: promised %s, paused %d working days, %s/%v", p.PromisedDeadline, p.Pauses[0].Workdays, p.Warning, p.Overdue)
		}
		if st := p.Steps[0]; str(st.DueOn) != "2026-11-06" || st.Warning != "yellow" {
			t.Errorf("resumed: first step due %s, %s", str(st.DueOn), st.Warning)
		}
		run("2026-11-05", overdueResult(0, 0, 0, 1, 2))
		run("2026-11-05", overdueResult(0, 0, 0, 0, 0))
		if s.flagEvents(caseP.ID, "step_flag_yellow") != 1 || s.notices(caseP.ID, d.clerkID, "step_flag_yellow") != 1 {
			t.Errorf("resumed case's step not flagged once")
		}

		// Every run is recorded.
		if n := s.countRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue' AND status = 'succeeded' AND finished_at IS NOT NULL`); n != runs {
			t.Errorf("%d succeeded runs recorded, want %d", n, runs)
		}
		if n := s.countRows(`SELECT COUNT(*) FROM job_runs`); n != runs {
			t.Errorf("%d job runs, want %d", n, runs)
		}
		r := s.must(200, s.do("GET", "/api/v1/jobs", admin, nil))
		items, _ := r.Body["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("jobs: %s", r.Raw)
		}
		job := items[0].(map[string]any)
		recent, _ := job["recent_runs"].([]any)
		if job["name"] != "overdue" || job["schedule"] != "*/5 * * * *" || len(recent) != 10 {
			t.Errorf("jobs list: %s", r.Raw)
		}
	})
}

// TestOverdueAfterExtension: an extension moves a red case's deadline out and
// its light back down; the job flags it again only when the new deadline passes.
func TestOverdueAfterExtension(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		admin := s.adminToken()
		s.travel("2026-09-21")
		c := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		s.mustAct(d.clerk, caseCountyA, c.ID, "advance")
		s.mustAct(d.clerk, caseCountyA, c.ID, "advance")
		s.travel("2026-10-16")
		s.runOverdue(admin)
		if s.flagEvents(c.ID, "flag_red") != 1 {
			t.Fatalf("not flagged red on 10-16")
		}
		// Promised 10-15 + 10 working days: 10-16 … 10-29.
		c = s.mustAct(d.reviewer, caseCountyA, c.ID, "extend", "reason", "需要延长")
		if c.PromisedDeadline != "2026-10-29" || c.Warning != "none" || c.Overdue {
			t.Fatalf("extended: %s %s/%v", c.PromisedDeadline, c.Warning, c.Overdue)
		}
		s.runOverdue(admin)
		if n := s.countRows(`SELECT COUNT(*) FROM cases WHERE id = ? AND warning = 'none'`, c.ID); n != 1 {
			t.Errorf("stored light after the extension is not none")
		}
		s.travel("2026-10-28")
		s.runOverdue(admin)
		s.travel("2026-10-30")
		s.runOverdue(admin)
		s.runOverdue(admin)
		if y, r := s.flagEvents(c.ID, "flag_yellow"), s.flagEvents(c.ID, "flag_red"); y != 1 || r != 2 {
			t.Errorf("after the extended deadline: %d yellow, %d red events; want 1 and 2", y, r)
		}
	})
}

// metricValue reads one sample of the Prometheus text exposition; ok is false
// when it is absent.
func metricValue(body []byte, name string, labels string) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	want := name + "{" + labels + "} "
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, want) {
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, want)), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// TestOverdueMetrics: the open, due-soon and overdue gauges per county and the
// last success of the overdue job. The gauges are read from the database on
// the real date, so the cases are placed around the real today.
func TestOverdueMetrics(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		a := s.caseDesk(caseCountyA)
		b := s.caseDesk(caseCountyB)
		admin := s.adminToken()
		today := calendar.Today(time.Now())
		next := s.svc.calendar.Calendar().NextWorkday(rbac.NationalRegion, today)
		promised := func(received time.Time) time.Time {
			dl, err := s.svc.cases.Clock().Compute(cases.Case{CountyCode: caseCountyA, ReceivedOn: calendar.FormatDate(received),
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

		s.newCase(a.clerk, caseCountyA, caseBody("274", "received_on", calendar.FormatDate(longAgo))) // overdue
		s.newCase(a.clerk, caseCountyA, caseBody("274", "received_on", calendar.FormatDate(dueSoonOn)))
		s.newCase(a.clerk, caseCountyA, caseBody("274")) // received today
		paused := s.newCase(a.clerk, caseCountyA, caseBody("274", "received_on", calendar.FormatDate(longAgo)))
		s.mustAct(a.clerk, caseCountyA, paused.ID, "accept")
		s.mustAct(a.clerk, caseCountyA, paused.ID, "pause", "kind", "检验检测", "reason", "送检") // late, but its clock stands
		closed := s.newCase(a.clerk, caseCountyA, caseBody("274", "received_on", calendar.FormatDate(longAgo)))
		s.mustAct(a.clerk, caseCountyA, closed.ID, "withdraw") // not open
		s.newCase(b.clerk, caseCountyB, caseBody("274"))

		r := s.must(200, s.do("GET", "/metrics", "", nil))
		for _, w := range []struct {
			name, county string
			want         float64
		}{
			{"pilot_cases_open", caseCountyA, 4}, {"pilot_cases_overdue", caseCountyA, 1}, {"pilot_cases_due_soon", caseCountyA, 1},
			{"pilot_cases_open", caseCountyB, 1}, {"pilot_cases_overdue", caseCountyB, 0}, {"pilot_cases_due_soon", caseCountyB, 0},
		} {
			v, ok := metricValue(r.Raw, w.name, `county="`+w.county+`"`)
			if !ok || v != w.want {
				t.Errorf("%s{county=%q} = %v (present %v), want %v", w.name, w.county, v, ok, w.want)
			}
		}
		if v, ok := metricValue(r.Raw, "pilot_cases_received_total", `county="`+caseCountyA+`"`); !ok || v != 5 {
			t.Errorf("pilot_cases_received_total{county=%q} = %v (%v), want 5", caseCountyA, v, ok)
		}
		if _, ok := metricValue(r.Raw, "pilot_job_last_success_timestamp_seconds", `job="overdue"`); ok {
			t.Errorf("a last success before any run")
		}

		before := float64(time.Now().Add(-time.Second).UnixNano()) / 1e9
		s.runOverdue(admin)
		after := float64(time.Now().Add(time.Second).UnixNano()) / 1e9
		r = s.must(200, s.do("GET", "/metrics", "", nil))
		v, ok := metricValue(r.Raw, "pilot_job_last_success_timestamp_seconds", `job="overdue"`)
		if !ok || v < before || v > after {
			t.Errorf("pilot_job_last_success_timestamp_seconds{job=\"overdue\"} = %v (%v), want within [%v, %v]", v, ok, before, after)
		}
		if _, ok := metricValue(r.Raw, "pilot_job_runs_total", `job="overdue",status="succeeded"`); !ok {
			t.Errorf("pilot_job_runs_total missing")
		}
	})
}

// newReplicaPair wires two services on the same fresh MariaDB database, as two
// replicas of one deployment.
func newReplicaPair(t *testing.T) (*testService, *testService) {
	t.Helper()
	dsn := dbtest.CreateMySQLDatabase(t)
	replica := func() *testService {
		ctx := context.Background()
		// The defaults of every setting, as a replica started with these flags.
		cfg, err := parseConfig([]string{"--db-dsn", dsn, "--bootstrap-admin-password", adminPassword,
			"--log-format", "text", "--log-level", "error", "--db-max-open", "8", "--overdue-schedule", "*/5 * * * *", "--require-admin-totp=false"})
		if err != nil {
			t.Fatalf("config: %v", err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		database, migrator, err := openDatabase(ctx, cfg, log)
		if err != nil {
			t.Fatalf("open database: %v", err)
		}
		t.Cleanup(func() { database.Close() })
		svc, err := build(ctx, cfg, log, database, migrator)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		return &testService{t: t, svc: svc}
	}
	return replica(), replica()
}

// TestOverdueTwoReplicas: two replicas on one MariaDB database flag each case
// once even when their passes run at the same moment, and the job triggered
// on both at once records both runs and flags nothing twice.
func TestOverdueTwoReplicas(t *testing.T) {
	dbtest.RequireMySQL(t)
	a, b := newReplicaPair(t)
	d := a.caseDesk(caseCountyA)
	a.travel("2026-09-21")
	const n = 30
	var ids []int64
	for i := 0; i < n; i++ {
		c := a.newCase(d.clerk, caseCountyA, caseBody("274"))
		a.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		ids = append(ids, c.ID)
	}
	// 10-16: every case (promised 10-15) and its first step (09-22) are late.
	a.travel("2026-10-16")
	b.travel("2026-10-16")

	ctx := context.Background()
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]cases.OverdueResult, 2)
	errs := make([]error, 2)
	for i, s := range []*testService{a, b} {
		wg.Add(1)
		go func(i int, s *testService) {
			defer wg.Done()
			<-start
			results[i], errs[i] = s.svc.cases.FlagOverdue(ctx)
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
		if a.flagEvents(id, "flag_red") != 1 || a.flagEvents(id, "step_flag_red") != 1 ||
			a.notices(id, d.clerkID, "flag_red") != 1 || a.notices(id, d.adminID, "flag_red") != 1 {
			t.Errorf("case %d not flagged exactly once", id)
		}
	}

	// The job triggered on both replicas at once: both runs are recorded (one
	// may find the other's lease and be skipped), nothing is flagged again.
	events := a.countRows(`SELECT COUNT(*) FROM case_events`)
	runs := make([]jobs.Run, 2)
	start = make(chan struct{})
	for i, s := range []*testService{a, b} {
		wg.Add(1)
		go func(i int, s *testService) {
			defer wg.Done()
			<-start
			runs[i], errs[i] = s.svc.jobs.RunNow(ctx, "overdue")
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
	if got := a.countRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue' AND finished_at IS NOT NULL`); got != 2 {
		t.Errorf("%d finished runs recorded, want 2", got)
	}
	if got := a.countRows(`SELECT COUNT(*) FROM case_events`); got != events {
		t.Errorf("events %d → %d after re-running", events, got)
	}
}
