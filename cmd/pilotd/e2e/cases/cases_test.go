package cases_test

import (
	"fmt"
	"regexp"
	"safetypilot/cmd/pilotd/internal/e2e"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestCreditCodeHelper(t *testing.T) {
	t.Parallel()
	// The published example of GB 32100 checks out with the helper.
	if got := e2e.CreditCode("91350100M000100Y4"); got != "91350100M000100Y43" {
		t.Fatalf("creditCode = %s, want 91350100M000100Y43", got)
	}
	if e2e.ApplicantCode == e2e.WrongCode || len(e2e.WrongCode) != 18 {
		t.Fatalf("codes %s %s", e2e.ApplicantCode, e2e.WrongCode)
	}
}

func trackPath(county, tracking string) string {
	return "/api/v1/public/counties/" + county + "/cases/" + tracking
}

// travel moves the case rules' "today" to date, 10:00 Beijing time.
func travel(s *e2e.Service, date string) {
	s.T.Helper()
	d, err := time.ParseInLocation("2006-01-02", date, e2e.Beijing)
	if err != nil {
		s.T.Fatalf("travel: %v", err)
	}
	now := d.Add(10 * time.Hour)
	s.Svc.Cases.Now = func() time.Time { return now }
}

// stepWant is what a step must look like; "" for a date means null.
type stepWant struct {
	active                bool
	started, due, done    string
	warning               string
	overdue               bool
	name                  string
	limit                 int
	checkWarningAndStatus bool
}

func checkSteps(t *testing.T, what string, v e2e.CaseView, want []stepWant) {
	t.Helper()
	if len(v.Steps) != len(want) {
		t.Fatalf("%s: %d steps, want %d", what, len(v.Steps), len(want))
	}
	orNil := func(s string) string {
		if s == "" {
			return "<nil>"
		}
		return s
	}
	for i, w := range want {
		st := v.Steps[i]
		if st.Seq != i+1 || st.Active != w.active || e2e.Str(st.StartedOn) != orNil(w.started) || e2e.Str(st.DueOn) != orNil(w.due) ||
			e2e.Str(st.CompletedOn) != orNil(w.done) || st.Warning != w.warning || st.Overdue != w.overdue {
			t.Errorf("%s: step %d = seq %d active %v started %s due %s done %s warning %s overdue %v; want active %v started %s due %s done %s warning %s overdue %v",
				what, i+1, st.Seq, st.Active, e2e.Str(st.StartedOn), e2e.Str(st.DueOn), e2e.Str(st.CompletedOn), st.Warning, st.Overdue,
				w.active, orNil(w.started), orNil(w.due), orNil(w.done), w.warning, w.overdue)
		}
	}
}

// caseRows counts the rows of cases, case_steps, case_events and case_pauses.
func caseRows(s *e2e.Service) [4]int {
	s.T.Helper()
	return [4]int{s.CountRows(`SELECT COUNT(*) FROM cases`), s.CountRows(`SELECT COUNT(*) FROM case_steps`),
		s.CountRows(`SELECT COUNT(*) FROM case_events`), s.CountRows(`SELECT COUNT(*) FROM case_pauses`)}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCasesLifecycle follows one licensing case through the API, from paper
// receipt across the Mid-Autumn and National Day holidays of 2026 to delivery,
// with exact dates at every step.
//
// The national calendar (modules/calendar/data/cn-workday-calendar.json) for
// autumn 2026: 09-25 (Fri) to 09-27 off for Mid-Autumn, 10-01 (Thu) to 10-07
// off for National Day, and Saturday 10-10 a make-up working day (Sunday 09-20,
// the other make-up day, lies before the receipt and does not count).
//
// Counting from the day after received_on 2026-09-21 (Mon):
//
//	09-22 1  09-23 2  09-24 3  | 09-25..27 off | 09-28 4  09-29 5  09-30 6
//	| 10-01..07 off | 10-08 7  10-09 8  10-10 (Sat, make-up) 9  | 10-11 Sun |
//	10-12 10  10-13 11  10-14 12  10-15 13 ← promised (13)
//	10-16 14  10-19 15  10-20 16  10-21 17  10-22 18  10-23 19  10-26 20 ← statutory (20)
func TestCasesLifecycle(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		testStart := time.Now().Add(-2 * time.Second)

		// 09-22: the clerk records a paper application received the day before.
		travel(s, "2026-09-22")
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", "2026-09-21"))
		if c.ID == 0 || c.Status != "submitted" || c.Channel != "paper" || c.ReceivedOn != "2026-09-21" ||
			c.Deadline != "2026-10-26" || c.PromisedDeadline != "2026-10-15" || c.Provisional ||
			c.StatutoryDays != 20 || c.PromisedDays != 13 || c.ExtensionAllowed != 10 || c.Extended || c.ExtensionDays != 0 ||
			!c.ClockRunning || c.Warning != "none" || c.Overdue || c.Paused || c.CurrentStep != 1 || c.HandlerID != 0 ||
			c.CreatedBy != d.ClerkID || c.ItemCode != "274" || c.ItemVersion != 1 || c.ItemName != "烟花爆竹经营（零售）许可证核发" {
			t.Fatalf("new case: %+v", c)
		}
		if c.Applicant.Name != e2e.ApplicantName || c.Applicant.CreditCode != e2e.ApplicantCode || c.Applicant.Phone != e2e.ApplicantPhone ||
			c.Applicant.Contact != e2e.ApplicantContact {
			t.Errorf("staff see the applicant: %+v", c.Applicant)
		}
		// The steps are the published flowchart's; the first runs from receipt:
		// 受理 has 1 working day, due 09-22 — today, so its light is yellow.
		for i, st := range e2e.FireworksSteps() {
			if c.Steps[i].Name != st["name"] || c.Steps[i].Post != st["post"] || c.Steps[i].Authority != st["authority"] ||
				c.Steps[i].LimitDays != st["limit_workdays"] {
				t.Errorf("step %d not copied from the flowchart: %+v", i+1, c.Steps[i])
			}
		}
		checkSteps(t, "new case", c, []stepWant{
			{active: true, started: "2026-09-21", due: "2026-09-22", warning: "yellow"},
			{warning: "none"}, {warning: "none"},
		})
		for _, want := range []string{"2026-09-21收件", "法定时限20个工作日", "承诺时限13个工作日",
			"跳过节假日：2026-09-25（法定节假日）、2026-10-01（法定节假日）、2026-10-02（法定节假日）、2026-10-05（法定节假日）、2026-10-06（法定节假日）、2026-10-07（法定节假日）",
			"调休上班日照常计算：2026-10-10", "法定期限：2026-10-26；承诺期限：2026-10-15"} {
			if !strings.Contains(c.DeadlineExplanation, want) {
				t.Errorf("deadline_explanation lacks %q: %s", want, c.DeadlineExplanation)
			}
		}
		if !sameStrings(c.AllowedActions, []string{"accept", "not_accept", "pause", "withdraw"}) {
			t.Errorf("allowed actions when submitted: %v", c.AllowedActions)
		}
		if !regexp.MustCompile(`^340102-[2-9A-HJKMNP-Z]{10}$`).MatchString(c.TrackingNo) {
			t.Errorf("tracking number %q", c.TrackingNo)
		}

		// 09-22: accepted and the first step done; 审查 (8 working days) runs
		// from 09-22: 09-23 1, 09-24 2, 09-28 3, 09-29 4, 09-30 5, 10-08 6,
		// 10-09 7, 10-10 8 (the make-up Saturday).
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept", "note", "材料齐全")
		if c.Status != "accepted" || c.HandlerID != d.ClerkID {
			t.Fatalf("accepted: status %s handler %d", c.Status, c.HandlerID)
		}
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "advance")
		if c.Status != "in_review" || c.CurrentStep != 2 {
			t.Fatalf("advanced: status %s step %d", c.Status, c.CurrentStep)
		}
		checkSteps(t, "after the first advance", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{active: true, started: "2026-09-22", due: "2026-10-10", warning: "none"},
			{warning: "none"},
		})

		// 09-29: returned for correction (补正): the clock stops.
		travel(s, "2026-09-29")
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "pause", "kind", "补正", "reason", "缺少零售经营场所租赁证明")
		if c.Status != "returned" || c.ClockRunning || !c.Paused || c.Warning != "none" || len(c.Pauses) != 1 ||
			c.Pauses[0].Kind != "补正" || c.Pauses[0].StartedOn != "2026-09-29" || c.Pauses[0].EndedOn != nil ||
			c.Pauses[0].StartedBy != d.ClerkID || c.Pauses[0].Reason != "缺少零售经营场所租赁证明" || c.Pauses[0].Workdays != 0 {
			t.Fatalf("paused: %+v", c)
		}
		if !sameStrings(c.AllowedActions, []string{"resume", "withdraw", "extend"}) {
			t.Errorf("allowed actions when returned: %v", c.AllowedActions)
		}
		pub := s.Must(200, s.Do("GET", trackPath(e2e.CaseCountyA, c.TrackingNo), "", nil))
		if pub.Body["status"] != "returned" || pub.Body["paused"] != true {
			t.Errorf("public view while returned: %s", pub.Raw)
		}

		// 10-08, still paused: the ledger counts the working days so far
		// (09-30 and 10-08; the holidays in between are not working days).
		travel(s, "2026-10-08")
		c = s.GetCase(d.Clerk, e2e.CaseCountyA, c.ID)
		if c.Pauses[0].Workdays != 2 || c.Warning != "none" || c.Overdue {
			t.Errorf("during the pause: %+v", c.Pauses)
		}
		if !strings.Contains(c.DeadlineExplanation, "暂停计时2个工作日：补正（2026-09-29至今）") {
			t.Errorf("explanation during the pause: %s", c.DeadlineExplanation)
		}

		// 10-09: the material arrives; the clock runs again. Paused working
		// days: 09-30, 10-08, 10-09 (the pause runs from the day after it
		// began through the day it ended) = 3, so each deadline moves 3 working
		// days: promised 09-22 1 … 09-29 5, [09-30, 10-08, 10-09 paused], 10-10 6,
		// 10-12 7 … 10-16 11, 10-19 12, 10-20 13; statutory 10-21 14 … 10-29 20.
		travel(s, "2026-10-09")
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "resume", "note", "已补正")
		if c.Status != "in_review" || !c.ClockRunning || c.Paused || c.Deadline != "2026-10-29" || c.PromisedDeadline != "2026-10-20" {
			t.Fatalf("resumed: status %s running %v deadlines %s/%s", c.Status, c.ClockRunning, c.Deadline, c.PromisedDeadline)
		}
		if p := c.Pauses[0]; e2e.Str(p.EndedOn) != "2026-10-09" || p.EndedBy == nil || *p.EndedBy != d.ClerkID || p.Workdays != 3 {
			t.Errorf("pause ledger after resuming: %+v", p)
		}
		for _, want := range []string{"暂停计时3个工作日：补正（2026-09-29至2026-10-09）", "法定期限：2026-10-29；承诺期限：2026-10-20"} {
			if !strings.Contains(c.DeadlineExplanation, want) {
				t.Errorf("explanation after resuming lacks %q: %s", want, c.DeadlineExplanation)
			}
		}
		// The running step's clock stopped too: 审查 from 09-22, 8 working days
		// without the 3 paused ones: 09-23 1, 09-24 2, 09-28 3, 09-29 4, 10-10 5,
		// 10-12 6, 10-13 7, 10-14 8.
		checkSteps(t, "after resuming", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{active: true, started: "2026-09-22", due: "2026-10-14", warning: "none"},
			{warning: "none"},
		})

		// 10-13: the step is due the next working day (yellow), the case is not.
		travel(s, "2026-10-13")
		c = s.GetCase(d.Reviewer, e2e.CaseCountyA, c.ID)
		if c.Warning != "none" || c.Overdue || c.Steps[1].Warning != "yellow" || c.Steps[1].Overdue {
			t.Errorf("10-13: case %s/%v, step %s/%v", c.Warning, c.Overdue, c.Steps[1].Warning, c.Steps[1].Overdue)
		}
		// 10-15: the step is overdue (red) while the case (promised 10-20) is not.
		travel(s, "2026-10-15")
		c = s.GetCase(d.Reviewer, e2e.CaseCountyA, c.ID)
		if c.Warning != "none" || c.Overdue || c.StatutoryOverdue || c.Steps[1].Warning != "red" || !c.Steps[1].Overdue {
			t.Errorf("10-15: case %s/%v, step %s/%v", c.Warning, c.Overdue, c.Steps[1].Warning, c.Steps[1].Overdue)
		}

		// The extension: only an approver, with a reason, once.
		if r := e2e.Act(s, d.Clerk, e2e.CaseCountyA, c.ID, "extend", "reason", "需组织专家论证"); r.Status != 403 || r.ErrorCode() != "forbidden" {
			t.Errorf("the clerk extends: %d %s", r.Status, r.Raw)
		}
		if r := e2e.Act(s, d.Reviewer, e2e.CaseCountyA, c.ID, "extend", "reason", "需组织专家论证"); r.Status != 403 || r.ErrorCode() != "forbidden" {
			t.Errorf("the reviewer extends (only the 负责人 may): %d %s", r.Status, r.Raw)
		}
		s.MustInvalid("extension without a reason", e2e.Act(s, d.Leader, e2e.CaseCountyA, c.ID, "extend"), "reason")
		// 10 more working days on the statutory limit: 10-29 20 → 10-30 21,
		// 11-02 22 … 11-06 26, 11-09 27, 11-10 28, 11-11 29, 11-12 30. The
		// promise keeps its cut (13 of 20): 10 × 13/20 = 6 more, 10-20 13 →
		// 10-21 14, 10-22 15, 10-23 16, 10-26 17, 10-27 18, 10-28 19.
		c = s.MustAct(d.Leader, e2e.CaseCountyA, c.ID, "extend", "reason", "现场核查需延长")
		if !c.Extended || c.ExtensionDays != 10 || c.Deadline != "2026-11-12" || c.PromisedDeadline != "2026-10-28" || c.Status != "in_review" {
			t.Fatalf("extended: extended %v days %d deadlines %s/%s", c.Extended, c.ExtensionDays, c.Deadline, c.PromisedDeadline)
		}
		if !strings.Contains(c.DeadlineExplanation, "经负责人批准法定时限延长10个工作日、承诺时限相应延长6个工作日") ||
			!strings.Contains(c.DeadlineExplanation, "法定期限：2026-11-12；承诺期限：2026-10-28") {
			t.Errorf("explanation after the extension: %s", c.DeadlineExplanation)
		}
		for _, tok := range []string{d.Leader} {
			if r := e2e.Act(s, tok, e2e.CaseCountyA, c.ID, "extend", "reason", "再延一次"); r.Status != 409 || r.ErrorCode() != "invalid_transition" {
				t.Errorf("a second extension: %d %s", r.Status, r.Raw)
			}
		}

		// 10-15: 审查 done; 决定 (3 working days) due 10-20 (10-16, 10-19, 10-20).
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "advance")
		checkSteps(t, "in the last step", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{started: "2026-09-22", due: "2026-10-14", done: "2026-10-15", warning: "none"},
			{active: true, started: "2026-10-15", due: "2026-10-20", warning: "none"},
		})
		if r := e2e.Act(s, d.Clerk, e2e.CaseCountyA, c.ID, "advance"); r.Status != 409 || r.ErrorCode() != "invalid_transition" {
			t.Errorf("advancing past the last step: %d %s", r.Status, r.Raw)
		}

		// 10-19: the reviewer decides (the clerk may not), on time.
		travel(s, "2026-10-19")
		if r := e2e.Act(s, d.Clerk, e2e.CaseCountyA, c.ID, "approve"); r.Status != 403 {
			t.Errorf("the clerk approves: %d %s", r.Status, r.Raw)
		}
		c = s.MustAct(d.Reviewer, e2e.CaseCountyA, c.ID, "approve", "note", "符合条件")
		if c.Status != "approved" || c.Decision != "approved" || e2e.Str(c.DecidedOn) != "2026-10-19" || c.OnTime == nil || !*c.OnTime ||
			c.ClockRunning || c.Warning != "none" || !sameStrings(c.AllowedActions, []string{"deliver"}) {
			t.Fatalf("approved: %+v", c)
		}
		checkSteps(t, "decided", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{started: "2026-09-22", due: "2026-10-14", done: "2026-10-15", warning: "none"},
			{started: "2026-10-15", due: "2026-10-20", done: "2026-10-19", warning: "none"},
		})

		// 10-20: delivered.
		travel(s, "2026-10-20")
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "deliver")
		if c.Status != "delivered" || e2e.Str(c.CompletedOn) != "2026-10-20" || len(c.AllowedActions) != 0 || c.ClockRunning {
			t.Fatalf("delivered: %+v", c)
		}

		// Every transition is an event: what, from, to, who and when.
		want := []struct {
			kind, from, to string
			actor          int64
			note           string
		}{
			{"created", "", "submitted", d.ClerkID, "补录纸质申请，收件日期 2026-09-21"},
			{"accept", "submitted", "accepted", d.ClerkID, "材料齐全"},
			{"advance", "accepted", "in_review", d.ClerkID, "完成“受理”，进入“审查”"},
			{"pause", "in_review", "returned", d.ClerkID, "补正：缺少零售经营场所租赁证明"},
			{"resume", "returned", "in_review", d.ClerkID, "结束补正。已补正"},
			{"extend", "in_review", "in_review", d.LeaderID, "延长10个工作日：现场核查需延长"},
			{"advance", "in_review", "in_review", d.ClerkID, "完成“审查”，进入“决定”"},
			{"approve", "in_review", "approved", d.ReviewerID, "符合条件"},
			{"deliver", "approved", "delivered", d.ClerkID, ""},
		}
		if len(c.Events) != len(want) {
			t.Fatalf("%d events, want %d: %+v", len(c.Events), len(want), c.Events)
		}
		prev := testStart
		for i, w := range want {
			e := c.Events[i]
			name := "clerk_" + e2e.CaseCountyA
			switch w.actor {
			case d.ReviewerID:
				name = "reviewer_" + e2e.CaseCountyA
			case d.LeaderID:
				name = "leader_" + e2e.CaseCountyA
			}
			if e.Kind != w.kind || e.FromStatus != w.from || e.ToStatus != w.to || e.ActorID != w.actor || e.ActorName != name || e.Note != w.note {
				t.Errorf("event %d = %+v, want %+v by %s", i, e, w, name)
			}
			if e.At.Before(prev) || e.At.After(time.Now().Add(time.Second)) {
				t.Errorf("event %d at %v, not between %v and now", i, e.At, prev)
			}
			prev = e.At
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, c.ID); n != len(want) {
			t.Errorf("%d event rows", n)
		}

		// The public sees the outcome and the dates.
		pub = s.Must(200, s.Do("GET", trackPath(e2e.CaseCountyA, c.TrackingNo), "", nil))
		if pub.Body["status"] != "delivered" || pub.Body["deadline"] != "2026-11-12" || pub.Body["promised_deadline"] != "2026-10-28" ||
			pub.Body["completed_on"] != "2026-10-20" || pub.Body["received_on"] != "2026-09-21" || pub.Body["paused"] != false {
			t.Errorf("public view when delivered: %s", pub.Raw)
		}
		// The applicant is told of the clock's stops and the extension
		// (行政许可法 第四十五条, 第四十二条), with the reasons the written
		// notices gave them, and nothing else of staff's; then of the
		// written decision (第三十八条).
		pauses, _ := pub.Body["pauses"].([]any)
		notices, _ := pub.Body["notices"].([]any)
		if len(pauses) != 1 || pauses[0].(map[string]any)["kind"] != "补正" || pauses[0].(map[string]any)["started_on"] != "2026-09-29" ||
			pauses[0].(map[string]any)["ended_on"] != "2026-10-09" || pub.Body["extension_workdays"] != float64(10) || len(notices) != 3 ||
			notices[0].(map[string]any)["reason"] != "缺少零售经营场所租赁证明" || notices[1].(map[string]any)["reason"] != "现场核查需延长" ||
			notices[2].(map[string]any)["kind"] != "case_approval" || notices[2].(map[string]any)["issued_on"] != "2026-10-19" {
			t.Errorf("public view of the clock: %s", pub.Raw)
		}
	})
}

// TestCasesOtherOutcomes: refusal to accept, denial and withdrawal, each with
// its reason, and the rule that an extension is approved by someone other
// than the handler.
func TestCasesOtherOutcomes(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")

		// Not accepted: a reason is required; the case closes and its step ends.
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustInvalid("not_accept without a reason", e2e.Act(s, d.Clerk, e2e.CaseCountyA, c.ID, "not_accept"), "reason")
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "not_accept", "reason", "不属于本机关职权范围")
		if c.Status != "not_accepted" || c.Reason != "不属于本机关职权范围" || e2e.Str(c.CompletedOn) != "2026-09-21" || c.ClockRunning ||
			len(c.AllowedActions) != 0 {
			t.Errorf("not accepted: %+v", c)
		}
		// Weeks later, nothing of the closed case is active, overdue or lit.
		travel(s, "2026-11-02")
		c = s.GetCase(d.Clerk, e2e.CaseCountyA, c.ID)
		if c.Overdue || c.Warning != "none" {
			t.Errorf("closed case overdue: %+v", c)
		}
		for _, st := range c.Steps {
			if st.Active || st.Warning != "none" || st.Overdue {
				t.Errorf("step of a case not accepted: %+v", st)
			}
		}
		if e2e.Str(c.Steps[0].CompletedOn) != "2026-09-21" {
			t.Errorf("the running step of a case not accepted ends with it: %+v", c.Steps[0])
		}

		// Denied: a reason is required; the decision is recorded.
		travel(s, "2026-09-21")
		c = s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		s.MustInvalid("deny without a reason", e2e.Act(s, d.Reviewer, e2e.CaseCountyA, c.ID, "deny"), "reason")
		travel(s, "2026-09-24")
		c = s.MustAct(d.Reviewer, e2e.CaseCountyA, c.ID, "deny", "reason", "经营场所不符合安全条件")
		if c.Status != "denied" || c.Decision != "denied" || c.Reason != "经营场所不符合安全条件" || e2e.Str(c.DecidedOn) != "2026-09-24" ||
			c.OnTime == nil || !*c.OnTime || !sameStrings(c.AllowedActions, []string{"deliver"}) {
			t.Errorf("denied: %+v", c)
		}
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "deliver")
		if c.Status != "delivered" || c.Decision != "denied" {
			t.Errorf("denial delivered: %+v", c)
		}

		// Withdrawn by the applicant while in review.
		c = s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "advance")
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "withdraw", "reason", "申请人书面申请撤回")
		if c.Status != "withdrawn" || e2e.Str(c.CompletedOn) != "2026-09-24" || c.ClockRunning || c.Reason != "申请人书面申请撤回" {
			t.Errorf("withdrawn: %+v", c)
		}
		for _, st := range c.Steps {
			if st.Active {
				t.Errorf("active step after withdrawal: %+v", st)
			}
		}

		// Withdrawn while returned for correction: the pause ends with the case
		// (opened and paused 09-24, withdrawn 09-28: one paused working day,
		// 09-28, after the Mid-Autumn holiday and the weekend).
		c = s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "pause", "kind", "补正", "reason", "缺材料")
		travel(s, "2026-09-28")
		c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "withdraw", "reason", "申请人放弃")
		if c.Status != "withdrawn" || c.Paused || len(c.Pauses) != 1 || e2e.Str(c.Pauses[0].EndedOn) != "2026-09-28" || c.Pauses[0].Workdays != 1 {
			t.Errorf("withdrawn while paused: status %s paused %v pauses %+v", c.Status, c.Paused, c.Pauses)
		}
		travel(s, "2026-11-02")
		if c = s.GetCase(d.Clerk, e2e.CaseCountyA, c.ID); c.Paused || c.Pauses[0].Workdays != 1 || strings.Contains(c.DeadlineExplanation, "至今") {
			t.Errorf("weeks after withdrawal: paused %v, ledger %+v, %s", c.Paused, c.Pauses, c.DeadlineExplanation)
		}
		if pub := s.Must(200, s.Do("GET", trackPath(e2e.CaseCountyA, c.TrackingNo), "", nil)); pub.Body["paused"] != false {
			t.Errorf("the public sees a withdrawn case as paused: %s", pub.Raw)
		}
		travel(s, "2026-09-24")

		// The approver of an extension is not the handler: a user who is both
		// clerk and leader accepts a case and cannot extend it himself.
		dualID, dual := s.AddUser(d.Admin, e2e.CaseCountyA, "dual_"+e2e.CaseCountyA, "county_clerk", "county_leader")
		c = s.NewCase(dual, e2e.CaseCountyA, e2e.CaseBody("274"))
		c = s.MustAct(dual, e2e.CaseCountyA, c.ID, "accept")
		if c.HandlerID != dualID {
			t.Fatalf("handler %d, want %d", c.HandlerID, dualID)
		}
		events := s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, c.ID)
		if r := e2e.Act(s, dual, e2e.CaseCountyA, c.ID, "extend", "reason", "自己批准"); r.Status != 403 || r.ErrorCode() != "approver_is_handler" {
			t.Errorf("the handler approves his own extension: %d %s", r.Status, r.Raw)
		}
		if c2 := s.GetCase(d.Reviewer, e2e.CaseCountyA, c.ID); c2.Extended || c2.Deadline != c.Deadline ||
			s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, c.ID) != events {
			t.Errorf("refused extension changed the case: %+v", c2)
		}
		// Another leader may: 10 working days (the item says so).
		c = s.MustAct(d.Leader, e2e.CaseCountyA, c.ID, "extend", "reason", "需补充现场核查")
		if !c.Extended || c.ExtensionDays != 10 {
			t.Errorf("extension by the reviewer: %+v", c)
		}

		// A licensing item that states no extension still gets the 10 working
		// days of 行政许可法 art. 42; a non-licensing item without one gets none.
		s.PublishItem(d, "275", e2e.With(e2e.FireworksContent(), "extension_workdays", nil, "item_code", "XK-275"))
		c = s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("275"))
		if c.ExtensionAllowed != 10 {
			t.Errorf("licensing item without extension_workdays: extension allowed %d", c.ExtensionAllowed)
		}
		s.PublishItem(d, "281", e2e.QtContent())
		c = s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("281"))
		if c.ExtensionAllowed != 0 || c.PromisedDays != 10 {
			t.Errorf("non-licensing item: %+v", c)
		}
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		if r := e2e.Act(s, d.Leader, e2e.CaseCountyA, c.ID, "extend", "reason", "需要延长"); r.Status != 409 || r.ErrorCode() != "extension_not_allowed" {
			t.Errorf("extending an item without extension: %d %s", r.Status, r.Raw)
		}
	})
}

// TestCasesInvalidTransitions: every action the status machine does not allow
// is a 409 that changes nothing.
func TestCasesInvalidTransitions(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")
		open := func() int64 { return s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274")).ID }
		ids := map[string]int64{}
		ids["submitted"] = open()
		ids["accepted"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["accepted"], "accept")
		ids["paused"] = open() // in review, paused for a hearing (听证)
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["paused"], "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["paused"], "advance")
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["paused"], "pause", "kind", "听证", "reason", "申请人要求听证", "expected_end", "2026-10-20")
		ids["paused_submitted"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["paused_submitted"], "pause", "kind", "检测", "reason", "样品送检", "expected_end", "2026-10-20")
		ids["returned"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["returned"], "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["returned"], "pause", "kind", "补正", "reason", "材料不全")
		ids["approved"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["approved"], "accept")
		s.MustAct(d.Reviewer, e2e.CaseCountyA, ids["approved"], "approve")
		ids["denied"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["denied"], "accept")
		s.MustAct(d.Reviewer, e2e.CaseCountyA, ids["denied"], "deny", "reason", "不符合条件")
		ids["delivered"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["delivered"], "accept")
		s.MustAct(d.Reviewer, e2e.CaseCountyA, ids["delivered"], "approve")
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["delivered"], "deliver")
		ids["withdrawn"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["withdrawn"], "withdraw")
		ids["not_accepted"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["not_accepted"], "not_accept", "reason", "不属于本机关职权")
		ids["extended"] = open()
		s.MustAct(d.Clerk, e2e.CaseCountyA, ids["extended"], "accept")
		s.MustAct(d.Leader, e2e.CaseCountyA, ids["extended"], "extend", "reason", "需要延长")

		clerk, reviewer, leader := d.Clerk, d.Reviewer, d.Leader
		// Each request is otherwise complete (kind, reason), so only the state refuses it.
		tests := []struct {
			state, action, who string
		}{
			{"submitted", "deliver", clerk},
			{"submitted", "advance", clerk},
			{"submitted", "resume", clerk},
			{"submitted", "approve", reviewer},
			{"submitted", "deny", reviewer},
			{"submitted", "extend", leader},
			{"accepted", "accept", clerk},
			{"accepted", "not_accept", clerk},
			{"accepted", "resume", clerk},
			{"accepted", "deliver", clerk},
			{"paused", "pause", clerk},
			{"paused", "advance", clerk},
			{"paused", "approve", reviewer},
			{"paused", "deny", reviewer},
			{"paused", "deliver", clerk},
			{"paused_submitted", "accept", clerk},
			{"paused_submitted", "pause", clerk},
			{"returned", "accept", clerk},
			{"returned", "advance", clerk},
			{"returned", "pause", clerk},
			{"returned", "approve", reviewer},
			{"returned", "deliver", clerk},
			{"approved", "approve", reviewer},
			{"approved", "deny", reviewer},
			{"approved", "extend", leader},
			{"approved", "pause", clerk},
			{"approved", "resume", clerk},
			{"approved", "advance", clerk},
			{"approved", "withdraw", clerk},
			{"approved", "accept", clerk},
			{"denied", "approve", reviewer},
			{"denied", "withdraw", clerk},
			{"delivered", "deliver", clerk},
			{"delivered", "withdraw", clerk},
			{"delivered", "resume", clerk},
			{"delivered", "extend", leader},
			{"withdrawn", "accept", clerk},
			{"withdrawn", "withdraw", clerk},
			{"withdrawn", "resume", clerk},
			{"withdrawn", "deliver", clerk},
			{"not_accepted", "accept", clerk},
			{"not_accepted", "not_accept", clerk},
			{"not_accepted", "withdraw", clerk},
			{"extended", "extend", leader},
		}
		for _, tc := range tests {
			id := ids[tc.state]
			before := s.GetCase(d.Clerk, e2e.CaseCountyA, id)
			rows := caseRows(s)
			r := e2e.Act(s, tc.who, e2e.CaseCountyA, id, tc.action, "kind", "专家评审", "reason", "测试理由")
			if r.Status != 409 || r.ErrorCode() != "invalid_transition" {
				t.Errorf("%s on %s: %d %s, want 409 invalid_transition", tc.action, tc.state, r.Status, r.Raw)
				continue
			}
			after := s.GetCase(d.Clerk, e2e.CaseCountyA, id)
			if after.Status != before.Status || after.Deadline != before.Deadline || after.Extended != before.Extended ||
				after.ClockRunning != before.ClockRunning || caseRows(s) != rows {
				t.Errorf("%s on %s changed the case: %+v → %+v", tc.action, tc.state, before, after)
			}
		}
	})
}

// TestCasesBadInput: malformed or invalid requests are 4xx and store nothing.
func TestCasesBadInput(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")
		// 276 is saved but never published; 11 is a published information item.
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CaseCountyA, "/276"), d.Clerk, e2e.With(e2e.FireworksContent(), "power_type", "QT", "item_code", "QT-276")))
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CaseCountyA, "/11"), d.Clerk, map[string]any{"summary": "监督检查情况",
			"responsible_unit": "区应急管理局办公室", "channel": "区政府门户网站", "time_limit": "20个工作日内", "disclosure_mode": "proactive"}))
		s.Must(200, s.Do("POST", e2e.CatPath(e2e.CaseCountyA, "/11/publish"), d.Admin, nil))

		applicantWith := func(k string, v any) map[string]any {
			a := e2e.ValidApplicant()
			a[k] = v
			return a
		}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"wrong check character", e2e.CaseBody("274", "applicant", applicantWith("credit_code", e2e.WrongCode)), 400, "applicant.credit_code"},
			{"credit code too short", e2e.CaseBody("274", "applicant", applicantWith("credit_code", e2e.ApplicantCode[:17])), 400, "applicant.credit_code"},
			{"credit code with O", e2e.CaseBody("274", "applicant", applicantWith("credit_code", "O"+e2e.ApplicantCode[1:])), 400, "applicant.credit_code"},
			{"no credit code", e2e.CaseBody("274", "applicant", applicantWith("credit_code", "")), 400, "applicant.credit_code"},
			{"no applicant name", e2e.CaseBody("274", "applicant", applicantWith("name", "  ")), 400, "applicant.name"},
			{"bad phone", e2e.CaseBody("274", "applicant", applicantWith("phone", "call me")), 400, "applicant.phone"},
			{"unknown item", e2e.CaseBody("999"), 400, "item_code"},
			{"no item", e2e.CaseBody(""), 400, "item_code"},
			{"unpublished item", e2e.CaseBody("276"), 400, "item_code"},
			{"information item", e2e.CaseBody("11"), 400, "item_code"},
			{"received tomorrow", e2e.CaseBody("274", "received_on", "2026-09-22"), 400, "received_on"},
			{"received over a year ago", e2e.CaseBody("274", "received_on", "2025-09-19"), 400, "received_on"},
			{"received_on with slashes", e2e.CaseBody("274", "received_on", "2026/09/18"), 400, "received_on"},
			{"received_on not a date", e2e.CaseBody("274", "received_on", "2026-02-30"), 400, "received_on"},
			{"received_on with time", e2e.CaseBody("274", "received_on", "2026-09-18T08:00:00+08:00"), 400, "received_on"},
			{"item_code a number", `{"item_code":274,"applicant":{"name":"x","credit_code":"` + e2e.ApplicantCode + `"}}`, 400, "item_code"},
			{"applicant a string", `{"item_code":"274","applicant":"平安经营部"}`, 400, "applicant"},
			{"received_on a number", `{"item_code":"274","applicant":{"name":"x","credit_code":"` + e2e.ApplicantCode + `"},"received_on":20260918}`, 400, "received_on"},
			{"malformed JSON", `{"item_code":"274",`, 400, ""},
			{"two objects", `{"item_code":"274"}{}`, 400, ""},
			{"empty body", "", 400, ""},
		}
		before := caseRows(s)
		for _, tc := range tests {
			r := s.Do("POST", e2e.CasePath(e2e.CaseCountyA, ""), d.Clerk, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Raw, tc.status)
				continue
			}
			if tc.field != "" {
				s.MustInvalid(tc.name, r, tc.field)
			}
		}
		// Not JSON at all.
		if r := s.Do("POST", e2e.CasePath(e2e.CaseCountyA, ""), d.Clerk, nil); r.Status != 415 || r.ErrorCode() != "unsupported_media_type" {
			t.Errorf("no body, no content type: %d %s", r.Status, r.Raw)
		}
		// Only case handlers open cases.
		if r := s.Do("POST", e2e.CasePath(e2e.CaseCountyA, ""), d.Reviewer, e2e.CaseBody("274")); r.Status != 403 {
			t.Errorf("the reviewer opens a case: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", e2e.CasePath(e2e.CaseCountyA, ""), "", e2e.CaseBody("274")); r.Status != 401 {
			t.Errorf("anonymous opens a case: %d %s", r.Status, r.Raw)
		}
		if got := caseRows(s); got != before {
			t.Fatalf("rows (cases, steps, events, pauses) %v → %v after refused requests", before, got)
		}

		// Actions with bad input on an existing case change nothing either.
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		path := e2e.CasePath(e2e.CaseCountyA, "/"+e2e.Itoa(c.ID)+"/actions")
		actionTests := []struct {
			name   string
			token  string
			body   any
			status int
			field  string
		}{
			{"unknown action", d.Clerk, map[string]any{"action": "approve_all"}, 400, "action"},
			{"no action", d.Clerk, map[string]any{"note": "x"}, 400, "action"},
			{"action a number", d.Clerk, `{"action":1}`, 400, "action"},
			{"note an object", d.Clerk, `{"action":"advance","note":{}}`, 400, "note"},
			{"unknown pause kind", d.Clerk, map[string]any{"action": "pause", "kind": "午休", "reason": "x"}, 400, "kind"},
			{"pause without a reason", d.Clerk, map[string]any{"action": "pause", "kind": "听证"}, 400, "reason"},
			{"note too long", d.Clerk, map[string]any{"action": "advance", "note": strings.Repeat("长", 2001)}, 400, "note"},
			{"malformed JSON", d.Clerk, `{"action":`, 400, ""},
		}
		before = caseRows(s)
		for _, tc := range actionTests {
			r := s.Do("POST", path, tc.token, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Raw, tc.status)
				continue
			}
			if tc.field != "" {
				s.MustInvalid(tc.name, r, tc.field)
			}
		}
		for _, p := range []string{"/abc", "/0", "/-1", "/99999999"} {
			if r := s.Do("GET", e2e.CasePath(e2e.CaseCountyA, p), d.Clerk, nil); r.Status != 404 {
				t.Errorf("GET case %s: %d", p, r.Status)
			}
			if r := s.Do("POST", e2e.CasePath(e2e.CaseCountyA, p+"/actions"), d.Clerk, map[string]any{"action": "advance"}); r.Status != 404 {
				t.Errorf("action on case %s: %d %s", p, r.Status, r.Raw)
			}
		}
		if got := caseRows(s); got != before {
			t.Fatalf("rows %v → %v after refused actions", before, got)
		}
		if c2 := s.GetCase(d.Clerk, e2e.CaseCountyA, c.ID); c2.Status != "accepted" || c2.CurrentStep != 1 || len(c2.Events) != 2 {
			t.Errorf("case after refused actions: %+v", c2)
		}

		// Bad list filters.
		for _, q := range []string{"status=done", "warning=green", "overdue=yes", "sort=name", "per_page=101", "per_page=0", "page=0"} {
			if r := s.Do("GET", e2e.CasePath(e2e.CaseCountyA, "?"+q), d.Clerk, nil); r.Status != 400 {
				t.Errorf("list ?%s: %d %s", q, r.Status, r.Raw)
			}
		}
	})
}

// TestCasesTrackingNumbers: unique, and nothing about one number tells
// another.
func TestCasesTrackingNumbers(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")
		pattern := regexp.MustCompile(`^340102-([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10})$`)
		var randoms []string
		seen := map[string]bool{}
		for i := 0; i < 50; i++ {
			c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
			m := pattern.FindStringSubmatch(c.TrackingNo)
			if m == nil {
				t.Fatalf("tracking number %q", c.TrackingNo)
			}
			if seen[c.TrackingNo] {
				t.Fatalf("tracking number %s twice", c.TrackingNo)
			}
			seen[c.TrackingNo] = true
			randoms = append(randoms, m[1])
		}
		if n := s.CountRows(`SELECT COUNT(DISTINCT tracking_no) FROM cases`); n != 50 {
			t.Errorf("%d distinct tracking numbers stored", n)
		}
		// No two numbers are neighbours: any pair differs in more than two of
		// the ten random characters (for independent random strings that fails
		// with a probability of about 1e-7 over all 1225 pairs).
		for i := range randoms {
			for j := i + 1; j < len(randoms); j++ {
				diff := 0
				for k := 0; k < 10; k++ {
					if randoms[i][k] != randoms[j][k] {
						diff++
					}
				}
				if diff <= 2 {
					t.Errorf("cases %d and %d have tracking numbers %s and %s, differing in %d characters", i, j, randoms[i], randoms[j], diff)
				}
			}
		}
		// Creation order is not the numbers' order, and every position varies.
		sorted := append([]string(nil), randoms...)
		sort.Strings(sorted)
		if sameStrings(sorted, randoms) {
			t.Errorf("tracking numbers ascend with creation: %v", randoms)
		}
		for k := 0; k < 10; k++ {
			chars := map[byte]bool{}
			for _, r := range randoms {
				chars[r[k]] = true
			}
			if len(chars) < 5 {
				t.Errorf("position %d takes only %d values over 50 numbers", k, len(chars))
			}
		}
	})
}

// TestCasesPublicTracking: status and dates only, nothing personal, and only
// in the county that holds the case.
func TestCasesPublicTracking(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		a := s.CaseDesk(e2e.CaseCountyA)
		b := s.CaseDesk(e2e.CaseCountyB)
		admin := s.AdminToken()
		s.Must(201, s.Do("POST", "/api/v1/provinces/34/counties", admin,
			map[string]string{"code": e2e.CaseCountyC, "egov_readiness": "良好", "recommendation": "推荐"}))
		travel(s, "2026-09-21")
		ca := s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		cb := s.NewCase(b.Clerk, e2e.CaseCountyB, e2e.CaseBody("274"))

		r := s.Must(200, s.Do("GET", trackPath(e2e.CaseCountyA, ca.TrackingNo), "", nil))
		for k, want := range map[string]any{"tracking_no": ca.TrackingNo, "item_name": "烟花爆竹经营（零售）许可证核发",
			"status": "submitted", "status_title": "已提交，待受理", "received_on": "2026-09-21", "deadline": "2026-10-26",
			"promised_deadline": "2026-10-15", "paused": false, "deadline_provisional": false} {
			if r.Body[k] != want {
				t.Errorf("public %s = %v, want %v", k, r.Body[k], want)
			}
		}
		allowed := map[string]bool{"tracking_no": true, "item_name": true, "status": true, "status_title": true, "received_on": true,
			"deadline": true, "promised_deadline": true, "deadline_provisional": true, "paused": true, "completed_on": true,
			"pauses": true, "extension_workdays": true, "notices": true,
			// How many files of materials arrived, never the files or their names.
			"materials_received": true}
		for k := range r.Body {
			if !allowed[k] {
				t.Errorf("public view has field %q: %s", k, r.Raw)
			}
		}
		for _, secret := range []string{e2e.ApplicantName, e2e.ApplicantCode, e2e.ApplicantPhone, e2e.ApplicantContact, "applicant", "handler", "clerk_"} {
			if strings.Contains(string(r.Raw), secret) {
				t.Errorf("public view shows %q: %s", secret, r.Raw)
			}
		}
		// Another county's number, an unknown number, a county not yet a pilot.
		s.Must(404, s.Do("GET", trackPath(e2e.CaseCountyA, cb.TrackingNo), "", nil))
		s.Must(404, s.Do("GET", trackPath(e2e.CaseCountyB, ca.TrackingNo), "", nil))
		s.Must(404, s.Do("GET", trackPath(e2e.CaseCountyA, "340102-2222222222"), "", nil))
		s.Must(404, s.Do("GET", trackPath(e2e.CaseCountyC, ca.TrackingNo), "", nil))
		s.Must(200, s.Do("GET", trackPath(e2e.CaseCountyB, cb.TrackingNo), "", nil))
	})
}

// TestCasesTrackingRateLimit: the 31st lookup within a minute from one client is refused.
func TestCasesTrackingRateLimit(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		// The limit counts per wall-clock minute: start early in one.
		if now := time.Now(); now.Second() >= 45 {
			time.Sleep(now.Truncate(time.Minute).Add(time.Minute + 100*time.Millisecond).Sub(now))
		}
		start := time.Now()
		for i := 1; i <= 30; i++ {
			path := trackPath(e2e.CaseCountyA, c.TrackingNo)
			want := 200
			if i%10 == 0 {
				path, want = trackPath(e2e.CaseCountyA, "340102-2222222222"), 404 // misses count too
			}
			if r := s.Do("GET", path, "", nil); r.Status != want {
				t.Fatalf("lookup %d: %d %s", i, r.Status, r.Raw)
			}
		}
		r := s.Do("GET", trackPath(e2e.CaseCountyA, c.TrackingNo), "", nil)
		if time.Now().Truncate(time.Minute) != start.Truncate(time.Minute) {
			t.Fatalf("the 31 lookups took %v and crossed a minute; cannot judge the limit", time.Since(start))
		}
		if r.Status != 429 || r.ErrorCode() != "rate_limited" || r.Header.Get("Retry-After") != "60" {
			t.Fatalf("31st lookup: %d %s %v", r.Status, r.Raw, r.Header)
		}
		// Staff reading cases are not limited by it.
		for i := 0; i < 3; i++ {
			s.Must(200, s.Do("GET", e2e.CasePath(e2e.CaseCountyA, "/"+e2e.Itoa(c.ID)), d.Clerk, nil))
		}
	})
}

// listIDs returns the ids of a list answer and its total.
func listIDs(t *testing.T, r e2e.Response) ([]int64, int64) {
	t.Helper()
	items, _ := r.Body["items"].([]any)
	var ids []int64
	for _, it := range items {
		ids = append(ids, e2e.Num(it.(map[string]any)["id"]))
	}
	return ids, e2e.Num(r.Body["total"])
}

// TestCasesList: the filters by status, overdue, warning light and item, and
// paging, judged on the day the case rules believe it is.
func TestCasesList(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		s.PublishItem(d, "281", e2e.QtContent())
		b := s.CaseDesk(e2e.CaseCountyB)

		// Opened on 09-21 (Mon). Promised deadlines: 13 working days for 274,
		// 10 for 281, from the day after receipt (see TestCasesLifecycle), and
		// Sunday 09-20 is a make-up working day that counts:
		// from 09-14: 09-15..18 1-4, 09-20 5, 09-21..24 6-9, 09-28..30 10-12, 10-08 13;
		// from 09-16: 09-17 1, 09-18 2, 09-20 3, 09-21..24 4-7, 09-28..30 8-10,
		// 10-08 11, 10-09 12, 10-10 (make-up Saturday) 13;
		// from 09-21 (281): 09-22..24 1-3, 09-28..30 4-6, 10-08 7, 10-09 8, 10-10 9, 10-12 10.
		travel(s, "2026-09-21")
		c1 := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))                              // promised 10-15, submitted
		c2 := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", "2026-09-14")) // promised 10-08, submitted
		c3 := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", "2026-09-16")) // promised 10-10, accepted
		s.MustAct(d.Clerk, e2e.CaseCountyA, c3.ID, "accept")
		c4 := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274", "received_on", "2026-09-14")) // promised 10-08, accepted, paused
		s.MustAct(d.Clerk, e2e.CaseCountyA, c4.ID, "accept")
		s.MustAct(d.Clerk, e2e.CaseCountyA, c4.ID, "pause", "kind", "听证", "reason", "听证", "expected_end", "2026-10-20")
		c5 := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("281")) // promised 10-12, withdrawn
		s.MustAct(d.Clerk, e2e.CaseCountyA, c5.ID, "withdraw")
		c6 := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("281")) // promised 10-12, submitted
		s.NewCase(b.Clerk, e2e.CaseCountyB, e2e.CaseBody("274", "received_on", "2026-09-14"))
		for _, w := range []struct {
			c    e2e.CaseView
			want string
		}{{c1, "2026-10-15"}, {c2, "2026-10-08"}, {c3, "2026-10-10"}, {c4, "2026-10-08"}, {c5, "2026-10-12"}, {c6, "2026-10-12"}} {
			if w.c.PromisedDeadline != w.want {
				t.Fatalf("case %d received %s: promised %s, want %s", w.c.ID, w.c.ReceivedOn, w.c.PromisedDeadline, w.want)
			}
		}

		list := func(q string) ([]int64, int64) {
			t.Helper()
			return listIDs(t, s.Must(200, s.Do("GET", e2e.CasePath(e2e.CaseCountyA, "?"+q), d.Clerk, nil)))
		}
		expect := func(q string, total int64, ids ...int64) {
			t.Helper()
			got, n := list(q)
			if n != total || fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Errorf("?%s: ids %v total %d, want %v total %d", q, got, n, ids, total)
			}
		}
		// 10-09 (Fri): the next working day is the make-up Saturday 10-10.
		travel(s, "2026-10-09")
		expect("", 6, c2.ID, c4.ID, c3.ID, c5.ID, c6.ID, c1.ID) // by promised deadline, then id
		expect("per_page=2&page=2", 6, c3.ID, c5.ID)
		expect("per_page=4&page=2", 6, c6.ID, c1.ID)
		expect("per_page=2&page=4", 6)
		expect("sort=received", 6, c6.ID, c5.ID, c1.ID, c3.ID, c4.ID, c2.ID)
		expect("status=submitted", 3, c2.ID, c6.ID, c1.ID)
		expect("status=accepted", 2, c4.ID, c3.ID)
		expect("status=withdrawn", 1, c5.ID)
		expect("status=delivered", 0)
		expect("item=281", 2, c5.ID, c6.ID)
		expect("item=274&status=submitted", 2, c2.ID, c1.ID)
		expect("overdue=true", 1, c2.ID) // c4 is as late but paused
		expect("overdue=false", 6, c2.ID, c4.ID, c3.ID, c5.ID, c6.ID, c1.ID)
		expect("warning=red", 1, c2.ID)
		expect("warning=yellow", 1, c3.ID)
		expect("warning=red&status=accepted", 0)
		r := s.Must(200, s.Do("GET", e2e.CasePath(e2e.CaseCountyA, ""), d.Clerk, nil))
		lights := map[int64]string{}
		for _, it := range r.Body["items"].([]any) {
			m := it.(map[string]any)
			lights[e2e.Num(m["id"])] = fmt.Sprintf("%v/%v/%v", m["warning"], m["overdue"], m["paused"])
		}
		for id, want := range map[int64]string{c1.ID: "none/false/false", c2.ID: "red/true/false", c3.ID: "yellow/false/false",
			c4.ID: "none/false/true", c5.ID: "none/false/false", c6.ID: "none/false/false"} {
			if lights[id] != want {
				t.Errorf("list light of case %d = %s, want %s", id, lights[id], want)
			}
		}

		// 10-12 (Mon): c3 (10-10) is overdue too; c6 (10-12) is due today: yellow.
		travel(s, "2026-10-12")
		expect("overdue=true", 2, c2.ID, c3.ID)
		expect("warning=red", 2, c2.ID, c3.ID)
		expect("warning=yellow", 1, c6.ID)
		// Back before anything was due: nothing is late.
		travel(s, "2026-09-21")
		expect("overdue=true", 0)
		expect("warning=yellow", 0)
	})
}

// TestCasesCountyIsolation: a case exists only in its own county.
func TestCasesCountyIsolation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		a := s.CaseDesk(e2e.CaseCountyA)
		b := s.CaseDesk(e2e.CaseCountyB)
		travel(s, "2026-09-21")
		ca := s.NewCase(a.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		cb := s.NewCase(b.Clerk, e2e.CaseCountyB, e2e.CaseBody("274"))
		rows := caseRows(s)

		// County B's case under county A's path: not found, for every A user.
		for _, tok := range []string{a.Clerk, a.Reviewer, a.Admin} {
			s.Must(404, s.Do("GET", e2e.CasePath(e2e.CaseCountyA, "/"+e2e.Itoa(cb.ID)), tok, nil))
		}
		s.Must(404, e2e.Act(s, a.Clerk, e2e.CaseCountyA, cb.ID, "accept"))
		s.Must(404, e2e.Act(s, a.Leader, e2e.CaseCountyA, cb.ID, "extend", "reason", "x"))
		ids, total := listIDs(t, s.Must(200, s.Do("GET", e2e.CasePath(e2e.CaseCountyA, ""), a.Clerk, nil)))
		if total != 1 || len(ids) != 1 || ids[0] != ca.ID {
			t.Errorf("county A's list: %v total %d", ids, total)
		}
		// County A's users have no business in county B.
		s.Must(403, s.Do("GET", e2e.CasePath(e2e.CaseCountyB, "/"+e2e.Itoa(cb.ID)), a.Clerk, nil))
		s.Must(403, s.Do("GET", e2e.CasePath(e2e.CaseCountyB, ""), a.Clerk, nil))
		s.Must(403, s.Do("POST", e2e.CasePath(e2e.CaseCountyB, ""), a.Clerk, e2e.CaseBody("274")))
		s.Must(403, e2e.Act(s, a.Clerk, e2e.CaseCountyB, cb.ID, "accept"))
		if got := caseRows(s); got != rows {
			t.Errorf("rows %v → %v", rows, got)
		}
		if c := s.GetCase(b.Clerk, e2e.CaseCountyB, cb.ID); c.Status != "submitted" || len(c.Events) != 1 {
			t.Errorf("county B's case was touched: %+v", c)
		}
	})
}
