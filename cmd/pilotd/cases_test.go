package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// Counties of the case tests (Anhui, province 34).
const (
	caseCountyA = "340102"
	caseCountyB = "340103"
	caseCountyC = "340104" // recommended only, never approved
)

// The applicant of the test cases: personal data that must never reach the
// public tracking page.
const (
	applicantName    = "合肥市瑶海区平安烟花爆竹经营部"
	applicantContact = "王平安"
	applicantPhone   = "0551-64000001"
)

// creditCodeChars and creditCodeWeights are GB 32100-2015's alphabet and the
// weights 3^i mod 31 of the first 17 characters.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCode completes 17 characters with their check character.
func creditCode(base string) string {
	if len(base) != 17 {
		panic("creditCode: need 17 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, base[i])
		if v < 0 {
			panic("creditCode: bad character in " + base)
		}
		sum += v * creditCodeWeights[i]
	}
	return base + string(creditCodeChars[(31-sum%31)%31])
}

// applicantCode is a valid unified social credit code; wrongCode differs
// from it only in the check character.
var (
	applicantCode = creditCode("92340102MA2TX5P41")
	wrongCode     = applicantCode[:17] + string(creditCodeChars[(strings.IndexByte(creditCodeChars, applicantCode[17])+1)%31])
)

func TestCreditCodeHelper(t *testing.T) {
	// The published example of GB 32100 checks out with the helper.
	if got := creditCode("91350100M000100Y4"); got != "91350100M000100Y43" {
		t.Fatalf("creditCode = %s, want 91350100M000100Y43", got)
	}
	if applicantCode == wrongCode || len(wrongCode) != 18 {
		t.Fatalf("codes %s %s", applicantCode, wrongCode)
	}
}

func validApplicant() map[string]any {
	return map[string]any{"name": applicantName, "credit_code": applicantCode, "contact": applicantContact, "phone": applicantPhone}
}

// caseBody is a new-case request for item with extra keys set.
func caseBody(item string, kv ...any) map[string]any {
	body := map[string]any{"item_code": item, "applicant": validApplicant()}
	for i := 0; i < len(kv); i += 2 {
		body[kv[i].(string)] = kv[i+1]
	}
	return body
}

func casePath(county, rest string) string { return "/api/v1/counties/" + county + "/cases" + rest }

func trackPath(county, tracking string) string {
	return "/api/v1/public/counties/" + county + "/cases/" + tracking
}

// beijing is the zone "today" is judged in.
var beijing = time.FixedZone("CST", 8*3600)

// travel moves the case rules' "today" to date, 10:00 Beijing time.
func (s *testService) travel(date string) {
	s.t.Helper()
	d, err := time.ParseInLocation("2006-01-02", date, beijing)
	if err != nil {
		s.t.Fatalf("travel: %v", err)
	}
	now := d.Add(10 * time.Hour)
	s.svc.cases.Now = func() time.Time { return now }
}

// caseDesk is a county with its staff and item 274 published.
type caseDesk struct {
	county                                    string
	admin, clerk, reviewer                    string
	adminID, clerkID, reviewerID, adminUserID int64
}

// userID returns the id of the signed-in user.
func (s *testService) userID(token string) int64 {
	s.t.Helper()
	r := s.must(200, s.do("GET", "/api/v1/session", token, nil))
	u, _ := r.Body["user"].(map[string]any)
	id := num(u["id"])
	if id == 0 {
		s.t.Fatalf("no user id in %s", r.Raw)
	}
	return id
}

// caseDesk onboards county with a clerk and a reviewer and publishes 274
// (烟花爆竹经营（零售）许可证核发: licensing, statutory 20 / promised 13 working
// days, extension 10, steps 受理 1 + 审查 8 + 决定 3).
func (s *testService) caseDesk(county string) caseDesk {
	s.t.Helper()
	d := caseDesk{county: county}
	d.admin = s.onboard("34", county)
	d.adminID = s.userID(d.admin)
	d.clerkID, d.clerk = s.addUser(d.admin, county, "clerk_"+county, "county_clerk")
	d.reviewerID, d.reviewer = s.addUser(d.admin, county, "reviewer_"+county, "county_reviewer")
	s.publishItem(d, "274", fireworksContent())
	return d
}

func (s *testService) publishItem(d caseDesk, code string, content map[string]any) {
	s.t.Helper()
	s.must(200, s.do("PUT", catPath(d.county, "/"+code), d.clerk, content))
	s.must(200, s.do("POST", catPath(d.county, "/"+code+"/publish"), d.admin, nil))
}

// qtContent is item 281 as a non-licensing power (其他行政权力): statutory 20,
// promised 10, no extension.
func qtContent() map[string]any {
	return with(fireworksContent(), "power_type", "QT", "item_code", "QT-281", "promised_limit_workdays", 10,
		"extension_workdays", nil, "legal_basis", "《生产安全事故应急预案管理办法》第二十六条")
}

// caseView is a case as the staff API returns it.
type caseView struct {
	ID                  int64   `json:"id"`
	CountyCode          string  `json:"county_code"`
	TrackingNo          string  `json:"tracking_no"`
	ItemCode            string  `json:"item_code"`
	ItemVersion         int     `json:"item_version"`
	ItemName            string  `json:"item_name"`
	Channel             string  `json:"channel"`
	ReceivedOn          string  `json:"received_on"`
	Status              string  `json:"status"`
	StatutoryDays       int     `json:"statutory_limit_workdays"`
	PromisedDays        int     `json:"promised_limit_workdays"`
	ExtensionDays       int     `json:"extension_workdays"`
	ExtensionAllowed    int     `json:"extension_allowed_workdays"`
	Extended            bool    `json:"extended"`
	Deadline            string  `json:"deadline"`
	PromisedDeadline    string  `json:"promised_deadline"`
	Provisional         bool    `json:"deadline_provisional"`
	ClockRunning        bool    `json:"clock_running"`
	CurrentStep         int     `json:"current_step"`
	HandlerID           int64   `json:"handler_id"`
	Decision            string  `json:"decision"`
	Reason              string  `json:"reason"`
	DecidedOn           *string `json:"decided_on"`
	CompletedOn         *string `json:"completed_on"`
	OnTime              *bool   `json:"on_time"`
	CreatedBy           int64   `json:"created_by"`
	Warning             string  `json:"warning"`
	Overdue             bool    `json:"overdue"`
	StatutoryOverdue    bool    `json:"statutory_overdue"`
	Paused              bool    `json:"paused"`
	DeadlineExplanation string  `json:"deadline_explanation"`
	AllowedActions      []string
	Applicant           struct {
		Name       string `json:"name"`
		CreditCode string `json:"credit_code"`
		Contact    string `json:"contact"`
		Phone      string `json:"phone"`
	} `json:"applicant"`
	Steps  []stepView  `json:"steps"`
	Pauses []pauseView `json:"pauses"`
	Events []eventView `json:"events"`
}

type stepView struct {
	Seq         int     `json:"seq"`
	Name        string  `json:"name"`
	Post        string  `json:"post"`
	Authority   string  `json:"authority"`
	LimitDays   int     `json:"limit_workdays"`
	Excluded    bool    `json:"excluded_from_limit"`
	Active      bool    `json:"active"`
	StartedOn   *string `json:"started_on"`
	DueOn       *string `json:"due_on"`
	CompletedOn *string `json:"completed_on"`
	Warning     string  `json:"warning"`
	Overdue     bool    `json:"overdue"`
}

type pauseView struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Reason    string  `json:"reason"`
	StartedOn string  `json:"started_on"`
	EndedOn   *string `json:"ended_on"`
	StartedBy int64   `json:"started_by"`
	EndedBy   *int64  `json:"ended_by"`
	Workdays  int     `json:"workdays"`
}

type eventView struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	FromStatus string    `json:"from_status"`
	ToStatus   string    `json:"to_status"`
	ActorID    int64     `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	Note       string    `json:"note"`
	At         time.Time `json:"at"`
}

func (v *caseView) UnmarshalJSON(b []byte) error {
	type plain caseView
	var aux struct {
		plain
		AllowedActions []string `json:"allowed_actions"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*v = caseView(aux.plain)
	v.AllowedActions = aux.AllowedActions
	return nil
}

// decodeCase reads a case answer.
func decodeCase(t testing.TB, r response) caseView {
	t.Helper()
	var v caseView
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("decode case: %v: %s", err, r.Raw)
	}
	return v
}

// newCase opens a case and returns it.
func (s *testService) newCase(token, county string, body any) caseView {
	s.t.Helper()
	return decodeCase(s.t, s.must(201, s.do("POST", casePath(county, ""), token, body)))
}

// act takes an action on a case; kv adds "note", "reason", "kind".
func (s *testService) act(token, county string, id int64, action string, kv ...string) response {
	s.t.Helper()
	body := map[string]any{"action": action}
	for i := 0; i < len(kv); i += 2 {
		body[kv[i]] = kv[i+1]
	}
	return s.do("POST", casePath(county, "/"+itoa(id)+"/actions"), token, body)
}

// mustAct takes an action that must succeed.
func (s *testService) mustAct(token, county string, id int64, action string, kv ...string) caseView {
	s.t.Helper()
	return decodeCase(s.t, s.must(200, s.act(token, county, id, action, kv...)))
}

func (s *testService) getCase(token, county string, id int64) caseView {
	s.t.Helper()
	return decodeCase(s.t, s.must(200, s.do("GET", casePath(county, "/"+itoa(id)), token, nil)))
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
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

func checkSteps(t *testing.T, what string, v caseView, want []stepWant) {
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
		if st.Seq != i+1 || st.Active != w.active || str(st.StartedOn) != orNil(w.started) || str(st.DueOn) != orNil(w.due) ||
			str(st.CompletedOn) != orNil(w.done) || st.Warning != w.warning || st.Overdue != w.overdue {
			t.Errorf("%s: step %d = seq %d active %v started %s due %s done %s warning %s overdue %v; want active %v started %s due %s done %s warning %s overdue %v",
				what, i+1, st.Seq, st.Active, str(st.StartedOn), str(st.DueOn), str(st.CompletedOn), st.Warning, st.Overdue,
				w.active, orNil(w.started), orNil(w.due), orNil(w.done), w.warning, w.overdue)
		}
	}
}

// caseRows counts the rows of cases, case_steps, case_events and case_pauses.
func (s *testService) caseRows() [4]int {
	s.t.Helper()
	return [4]int{s.countRows(`SELECT COUNT(*) FROM cases`), s.countRows(`SELECT COUNT(*) FROM case_steps`),
		s.countRows(`SELECT COUNT(*) FROM case_events`), s.countRows(`SELECT COUNT(*) FROM case_pauses`)}
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
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		testStart := time.Now().Add(-2 * time.Second)

		// 09-22: the clerk records a paper application received the day before.
		s.travel("2026-09-22")
		c := s.newCase(d.clerk, caseCountyA, caseBody("274", "received_on", "2026-09-21"))
		if c.ID == 0 || c.Status != "submitted" || c.Channel != "paper" || c.ReceivedOn != "2026-09-21" ||
			c.Deadline != "2026-10-26" || c.PromisedDeadline != "2026-10-15" || c.Provisional ||
			c.StatutoryDays != 20 || c.PromisedDays != 13 || c.ExtensionAllowed != 10 || c.Extended || c.ExtensionDays != 0 ||
			!c.ClockRunning || c.Warning != "none" || c.Overdue || c.Paused || c.CurrentStep != 1 || c.HandlerID != 0 ||
			c.CreatedBy != d.clerkID || c.ItemCode != "274" || c.ItemVersion != 1 || c.ItemName != "烟花爆竹经营（零售）许可证核发" {
			t.Fatalf("new case: %+v", c)
		}
		if c.Applicant.Name != applicantName || c.Applicant.CreditCode != applicantCode || c.Applicant.Phone != applicantPhone ||
			c.Applicant.Contact != applicantContact {
			t.Errorf("staff see the applicant: %+v", c.Applicant)
		}
		// The steps are the published flowchart's; the first runs from receipt:
		// 受理 has 1 working day, due 09-22 — today, so its light is yellow.
		for i, st := range fireworksSteps() {
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
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "accept", "note", "材料齐全")
		if c.Status != "accepted" || c.HandlerID != d.clerkID {
			t.Fatalf("accepted: status %s handler %d", c.Status, c.HandlerID)
		}
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "advance")
		if c.Status != "in_review" || c.CurrentStep != 2 {
			t.Fatalf("advanced: status %s step %d", c.Status, c.CurrentStep)
		}
		checkSteps(t, "after the first advance", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{active: true, started: "2026-09-22", due: "2026-10-10", warning: "none"},
			{warning: "none"},
		})

		// 09-29: returned for correction (补正): the clock stops.
		s.travel("2026-09-29")
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "pause", "kind", "补正", "reason", "缺少零售经营场所租赁证明")
		if c.Status != "returned" || c.ClockRunning || !c.Paused || c.Warning != "none" || len(c.Pauses) != 1 ||
			c.Pauses[0].Kind != "补正" || c.Pauses[0].StartedOn != "2026-09-29" || c.Pauses[0].EndedOn != nil ||
			c.Pauses[0].StartedBy != d.clerkID || c.Pauses[0].Reason != "缺少零售经营场所租赁证明" || c.Pauses[0].Workdays != 0 {
			t.Fatalf("paused: %+v", c)
		}
		if !sameStrings(c.AllowedActions, []string{"resume", "withdraw", "extend"}) {
			t.Errorf("allowed actions when returned: %v", c.AllowedActions)
		}
		pub := s.must(200, s.do("GET", trackPath(caseCountyA, c.TrackingNo), "", nil))
		if pub.Body["status"] != "returned" || pub.Body["paused"] != true {
			t.Errorf("public view while returned: %s", pub.Raw)
		}

		// 10-08, still paused: the ledger counts the working days so far
		// (09-30 and 10-08; the holidays in between are not working days).
		s.travel("2026-10-08")
		c = s.getCase(d.clerk, caseCountyA, c.ID)
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
		s.travel("2026-10-09")
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "resume", "note", "已补正")
		if c.Status != "in_review" || !c.ClockRunning || c.Paused || c.Deadline != "2026-10-29" || c.PromisedDeadline != "2026-10-20" {
			t.Fatalf("resumed: status %s running %v deadlines %s/%s", c.Status, c.ClockRunning, c.Deadline, c.PromisedDeadline)
		}
		if p := c.Pauses[0]; str(p.EndedOn) != "2026-10-09" || p.EndedBy == nil || *p.EndedBy != d.clerkID || p.Workdays != 3 {
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
		s.travel("2026-10-13")
		c = s.getCase(d.reviewer, caseCountyA, c.ID)
		if c.Warning != "none" || c.Overdue || c.Steps[1].Warning != "yellow" || c.Steps[1].Overdue {
			t.Errorf("10-13: case %s/%v, step %s/%v", c.Warning, c.Overdue, c.Steps[1].Warning, c.Steps[1].Overdue)
		}
		// 10-15: the step is overdue (red) while the case (promised 10-20) is not.
		s.travel("2026-10-15")
		c = s.getCase(d.reviewer, caseCountyA, c.ID)
		if c.Warning != "none" || c.Overdue || c.StatutoryOverdue || c.Steps[1].Warning != "red" || !c.Steps[1].Overdue {
			t.Errorf("10-15: case %s/%v, step %s/%v", c.Warning, c.Overdue, c.Steps[1].Warning, c.Steps[1].Overdue)
		}

		// The extension: only an approver, with a reason, once.
		if r := s.act(d.clerk, caseCountyA, c.ID, "extend", "reason", "需组织专家论证"); r.Status != 403 || r.ErrorCode() != "forbidden" {
			t.Errorf("the clerk extends: %d %s", r.Status, r.Raw)
		}
		s.mustInvalid("extension without a reason", s.act(d.reviewer, caseCountyA, c.ID, "extend"), "reason")
		// 10 more working days on both: promised 10-20 13 → 10-21 14, 10-22 15,
		// 10-23 16, 10-26 17, 10-27 18, 10-28 19, 10-29 20, 10-30 21, 11-02 22,
		// 11-03 23; statutory 10-29 20 → 10-30 21, 11-02 22 … 11-06 26,
		// 11-09 27, 11-10 28, 11-11 29, 11-12 30.
		c = s.mustAct(d.reviewer, caseCountyA, c.ID, "extend", "reason", "现场核查需延长")
		if !c.Extended || c.ExtensionDays != 10 || c.Deadline != "2026-11-12" || c.PromisedDeadline != "2026-11-03" || c.Status != "in_review" {
			t.Fatalf("extended: extended %v days %d deadlines %s/%s", c.Extended, c.ExtensionDays, c.Deadline, c.PromisedDeadline)
		}
		if !strings.Contains(c.DeadlineExplanation, "经批准延长10个工作日") || !strings.Contains(c.DeadlineExplanation, "法定期限：2026-11-12；承诺期限：2026-11-03") {
			t.Errorf("explanation after the extension: %s", c.DeadlineExplanation)
		}
		for _, tok := range []string{d.reviewer, d.admin} {
			if r := s.act(tok, caseCountyA, c.ID, "extend", "reason", "再延一次"); r.Status != 409 || r.ErrorCode() != "invalid_transition" {
				t.Errorf("a second extension: %d %s", r.Status, r.Raw)
			}
		}

		// 10-15: 审查 done; 决定 (3 working days) due 10-20 (10-16, 10-19, 10-20).
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "advance")
		checkSteps(t, "in the last step", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{started: "2026-09-22", due: "2026-10-14", done: "2026-10-15", warning: "none"},
			{active: true, started: "2026-10-15", due: "2026-10-20", warning: "none"},
		})
		if r := s.act(d.clerk, caseCountyA, c.ID, "advance"); r.Status != 409 || r.ErrorCode() != "invalid_transition" {
			t.Errorf("advancing past the last step: %d %s", r.Status, r.Raw)
		}

		// 10-19: the reviewer decides (the clerk may not), on time.
		s.travel("2026-10-19")
		if r := s.act(d.clerk, caseCountyA, c.ID, "approve"); r.Status != 403 {
			t.Errorf("the clerk approves: %d %s", r.Status, r.Raw)
		}
		c = s.mustAct(d.reviewer, caseCountyA, c.ID, "approve", "note", "符合条件")
		if c.Status != "approved" || c.Decision != "approved" || str(c.DecidedOn) != "2026-10-19" || c.OnTime == nil || !*c.OnTime ||
			c.ClockRunning || c.Warning != "none" || !sameStrings(c.AllowedActions, []string{"deliver"}) {
			t.Fatalf("approved: %+v", c)
		}
		checkSteps(t, "decided", c, []stepWant{
			{started: "2026-09-21", due: "2026-09-22", done: "2026-09-22", warning: "none"},
			{started: "2026-09-22", due: "2026-10-14", done: "2026-10-15", warning: "none"},
			{started: "2026-10-15", due: "2026-10-20", done: "2026-10-19", warning: "none"},
		})

		// 10-20: delivered.
		s.travel("2026-10-20")
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "deliver")
		if c.Status != "delivered" || str(c.CompletedOn) != "2026-10-20" || len(c.AllowedActions) != 0 || c.ClockRunning {
			t.Fatalf("delivered: %+v", c)
		}

		// Every transition is an event: what, from, to, who and when.
		want := []struct {
			kind, from, to string
			actor          int64
			note           string
		}{
			{"created", "", "submitted", d.clerkID, "补录纸质申请，收件日期 2026-09-21"},
			{"accept", "submitted", "accepted", d.clerkID, "材料齐全"},
			{"advance", "accepted", "in_review", d.clerkID, "完成“受理”，进入“审查”"},
			{"pause", "in_review", "returned", d.clerkID, "补正：缺少零售经营场所租赁证明"},
			{"resume", "returned", "in_review", d.clerkID, "结束补正。已补正"},
			{"extend", "in_review", "in_review", d.reviewerID, "延长10个工作日：现场核查需延长"},
			{"advance", "in_review", "in_review", d.clerkID, "完成“审查”，进入“决定”"},
			{"approve", "in_review", "approved", d.reviewerID, "符合条件"},
			{"deliver", "approved", "delivered", d.clerkID, ""},
		}
		if len(c.Events) != len(want) {
			t.Fatalf("%d events, want %d: %+v", len(c.Events), len(want), c.Events)
		}
		prev := testStart
		for i, w := range want {
			e := c.Events[i]
			name := "clerk_" + caseCountyA
			if w.actor == d.reviewerID {
				name = "reviewer_" + caseCountyA
			}
			if e.Kind != w.kind || e.FromStatus != w.from || e.ToStatus != w.to || e.ActorID != w.actor || e.ActorName != name || e.Note != w.note {
				t.Errorf("event %d = %+v, want %+v by %s", i, e, w, name)
			}
			if e.At.Before(prev) || e.At.After(time.Now().Add(time.Second)) {
				t.Errorf("event %d at %v, not between %v and now", i, e.At, prev)
			}
			prev = e.At
		}
		if n := s.countRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, c.ID); n != len(want) {
			t.Errorf("%d event rows", n)
		}

		// The public sees the outcome and the dates.
		pub = s.must(200, s.do("GET", trackPath(caseCountyA, c.TrackingNo), "", nil))
		if pub.Body["status"] != "delivered" || pub.Body["deadline"] != "2026-11-12" || pub.Body["promised_deadline"] != "2026-11-03" ||
			pub.Body["completed_on"] != "2026-10-20" || pub.Body["received_on"] != "2026-09-21" || pub.Body["paused"] != false {
			t.Errorf("public view when delivered: %s", pub.Raw)
		}
	})
}

// TestCasesOtherOutcomes: refusal to accept, denial and withdrawal, each with
// its reason, and the rule that an extension is approved by someone other
// than the handler.
func TestCasesOtherOutcomes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		s.travel("2026-09-21")

		// Not accepted: a reason is required; the case closes and its step ends.
		c := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustInvalid("not_accept without a reason", s.act(d.clerk, caseCountyA, c.ID, "not_accept"), "reason")
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "not_accept", "reason", "不属于本机关职权范围")
		if c.Status != "not_accepted" || c.Reason != "不属于本机关职权范围" || str(c.CompletedOn) != "2026-09-21" || c.ClockRunning ||
			len(c.AllowedActions) != 0 {
			t.Errorf("not accepted: %+v", c)
		}
		// Weeks later, nothing of the closed case is active, overdue or lit.
		s.travel("2026-11-02")
		c = s.getCase(d.clerk, caseCountyA, c.ID)
		if c.Overdue || c.Warning != "none" {
			t.Errorf("closed case overdue: %+v", c)
		}
		for _, st := range c.Steps {
			if st.Active || st.Warning != "none" || st.Overdue {
				t.Errorf("step of a case not accepted: %+v", st)
			}
		}
		if str(c.Steps[0].CompletedOn) != "2026-09-21" {
			t.Errorf("the running step of a case not accepted ends with it: %+v", c.Steps[0])
		}

		// Denied: a reason is required; the decision is recorded.
		s.travel("2026-09-21")
		c = s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		s.mustInvalid("deny without a reason", s.act(d.reviewer, caseCountyA, c.ID, "deny"), "reason")
		s.travel("2026-09-24")
		c = s.mustAct(d.reviewer, caseCountyA, c.ID, "deny", "reason", "经营场所不符合安全条件")
		if c.Status != "denied" || c.Decision != "denied" || c.Reason != "经营场所不符合安全条件" || str(c.DecidedOn) != "2026-09-24" ||
			c.OnTime == nil || !*c.OnTime || !sameStrings(c.AllowedActions, []string{"deliver"}) {
			t.Errorf("denied: %+v", c)
		}
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "deliver")
		if c.Status != "delivered" || c.Decision != "denied" {
			t.Errorf("denial delivered: %+v", c)
		}

		// Withdrawn by the applicant while in review.
		c = s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		s.mustAct(d.clerk, caseCountyA, c.ID, "advance")
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "withdraw", "reason", "申请人书面申请撤回")
		if c.Status != "withdrawn" || str(c.CompletedOn) != "2026-09-24" || c.ClockRunning || c.Reason != "申请人书面申请撤回" {
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
		c = s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		s.mustAct(d.clerk, caseCountyA, c.ID, "pause", "kind", "补正", "reason", "缺材料")
		s.travel("2026-09-28")
		c = s.mustAct(d.clerk, caseCountyA, c.ID, "withdraw", "reason", "申请人放弃")
		if c.Status != "withdrawn" || c.Paused || len(c.Pauses) != 1 || str(c.Pauses[0].EndedOn) != "2026-09-28" || c.Pauses[0].Workdays != 1 {
			t.Errorf("withdrawn while paused: status %s paused %v pauses %+v", c.Status, c.Paused, c.Pauses)
		}
		s.travel("2026-11-02")
		if c = s.getCase(d.clerk, caseCountyA, c.ID); c.Paused || c.Pauses[0].Workdays != 1 || strings.Contains(c.DeadlineExplanation, "至今") {
			t.Errorf("weeks after withdrawal: paused %v, ledger %+v, %s", c.Paused, c.Pauses, c.DeadlineExplanation)
		}
		if pub := s.must(200, s.do("GET", trackPath(caseCountyA, c.TrackingNo), "", nil)); pub.Body["paused"] != false {
			t.Errorf("the public sees a withdrawn case as paused: %s", pub.Raw)
		}
		s.travel("2026-09-24")

		// The approver of an extension is not the handler: a user who is both
		// clerk and reviewer accepts a case and cannot extend it himself.
		dualID, dual := s.addUser(d.admin, caseCountyA, "dual_"+caseCountyA, "county_clerk", "county_reviewer")
		c = s.newCase(dual, caseCountyA, caseBody("274"))
		c = s.mustAct(dual, caseCountyA, c.ID, "accept")
		if c.HandlerID != dualID {
			t.Fatalf("handler %d, want %d", c.HandlerID, dualID)
		}
		events := s.countRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, c.ID)
		if r := s.act(dual, caseCountyA, c.ID, "extend", "reason", "自己批准"); r.Status != 403 || r.ErrorCode() != "approver_is_handler" {
			t.Errorf("the handler approves his own extension: %d %s", r.Status, r.Raw)
		}
		if c2 := s.getCase(d.reviewer, caseCountyA, c.ID); c2.Extended || c2.Deadline != c.Deadline ||
			s.countRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, c.ID) != events {
			t.Errorf("refused extension changed the case: %+v", c2)
		}
		// Another approver may: 10 working days (the item says so).
		c = s.mustAct(d.reviewer, caseCountyA, c.ID, "extend", "reason", "需补充现场核查")
		if !c.Extended || c.ExtensionDays != 10 {
			t.Errorf("extension by the reviewer: %+v", c)
		}

		// A licensing item that states no extension still gets the 10 working
		// days of 行政许可法 art. 42; a non-licensing item without one gets none.
		s.publishItem(d, "275", with(fireworksContent(), "extension_workdays", nil, "item_code", "XK-275"))
		c = s.newCase(d.clerk, caseCountyA, caseBody("275"))
		if c.ExtensionAllowed != 10 {
			t.Errorf("licensing item without extension_workdays: extension allowed %d", c.ExtensionAllowed)
		}
		s.publishItem(d, "281", qtContent())
		c = s.newCase(d.clerk, caseCountyA, caseBody("281"))
		if c.ExtensionAllowed != 0 || c.PromisedDays != 10 {
			t.Errorf("non-licensing item: %+v", c)
		}
		s.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		if r := s.act(d.reviewer, caseCountyA, c.ID, "extend", "reason", "需要延长"); r.Status != 409 || r.ErrorCode() != "extension_not_allowed" {
			t.Errorf("extending an item without extension: %d %s", r.Status, r.Raw)
		}
	})
}

// TestCasesInvalidTransitions: every action the status machine does not allow
// is a 409 that changes nothing.
func TestCasesInvalidTransitions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		s.travel("2026-09-21")
		open := func() int64 { return s.newCase(d.clerk, caseCountyA, caseBody("274")).ID }
		ids := map[string]int64{}
		ids["submitted"] = open()
		ids["accepted"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["accepted"], "accept")
		ids["paused"] = open() // in review, paused for a hearing (听证)
		s.mustAct(d.clerk, caseCountyA, ids["paused"], "accept")
		s.mustAct(d.clerk, caseCountyA, ids["paused"], "advance")
		s.mustAct(d.clerk, caseCountyA, ids["paused"], "pause", "kind", "听证", "reason", "申请人要求听证")
		ids["paused_submitted"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["paused_submitted"], "pause", "kind", "检验检测", "reason", "样品送检")
		ids["returned"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["returned"], "accept")
		s.mustAct(d.clerk, caseCountyA, ids["returned"], "pause", "kind", "补正", "reason", "材料不全")
		ids["approved"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["approved"], "accept")
		s.mustAct(d.reviewer, caseCountyA, ids["approved"], "approve")
		ids["denied"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["denied"], "accept")
		s.mustAct(d.reviewer, caseCountyA, ids["denied"], "deny", "reason", "不符合条件")
		ids["delivered"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["delivered"], "accept")
		s.mustAct(d.reviewer, caseCountyA, ids["delivered"], "approve")
		s.mustAct(d.clerk, caseCountyA, ids["delivered"], "deliver")
		ids["withdrawn"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["withdrawn"], "withdraw")
		ids["not_accepted"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["not_accepted"], "not_accept", "reason", "不属于本机关职权")
		ids["extended"] = open()
		s.mustAct(d.clerk, caseCountyA, ids["extended"], "accept")
		s.mustAct(d.reviewer, caseCountyA, ids["extended"], "extend", "reason", "需要延长")

		clerk, reviewer := d.clerk, d.reviewer
		// Each request is otherwise complete (kind, reason), so only the state refuses it.
		tests := []struct {
			state, action, who string
		}{
			{"submitted", "deliver", clerk},
			{"submitted", "advance", clerk},
			{"submitted", "resume", clerk},
			{"submitted", "approve", reviewer},
			{"submitted", "deny", reviewer},
			{"submitted", "extend", reviewer},
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
			{"approved", "extend", reviewer},
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
			{"delivered", "extend", reviewer},
			{"withdrawn", "accept", clerk},
			{"withdrawn", "withdraw", clerk},
			{"withdrawn", "resume", clerk},
			{"withdrawn", "deliver", clerk},
			{"not_accepted", "accept", clerk},
			{"not_accepted", "not_accept", clerk},
			{"not_accepted", "withdraw", clerk},
			{"extended", "extend", reviewer},
		}
		for _, tc := range tests {
			id := ids[tc.state]
			before := s.getCase(d.clerk, caseCountyA, id)
			rows := s.caseRows()
			r := s.act(tc.who, caseCountyA, id, tc.action, "kind", "专家评审", "reason", "测试理由")
			if r.Status != 409 || r.ErrorCode() != "invalid_transition" {
				t.Errorf("%s on %s: %d %s, want 409 invalid_transition", tc.action, tc.state, r.Status, r.Raw)
				continue
			}
			after := s.getCase(d.clerk, caseCountyA, id)
			if after.Status != before.Status || after.Deadline != before.Deadline || after.Extended != before.Extended ||
				after.ClockRunning != before.ClockRunning || s.caseRows() != rows {
				t.Errorf("%s on %s changed the case: %+v → %+v", tc.action, tc.state, before, after)
			}
		}
	})
}

// TestCasesBadInput: malformed or invalid requests are 4xx and store nothing.
func TestCasesBadInput(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		s.travel("2026-09-21")
		// 276 is saved but never published; 11 is a published information item.
		s.must(200, s.do("PUT", catPath(caseCountyA, "/276"), d.clerk, with(fireworksContent(), "power_type", "QT", "item_code", "QT-276")))
		s.must(200, s.do("PUT", catPath(caseCountyA, "/11"), d.clerk, map[string]any{"summary": "监督检查情况",
			"responsible_unit": "区应急管理局办公室", "channel": "区政府门户网站", "time_limit": "20个工作日内", "disclosure_mode": "proactive"}))
		s.must(200, s.do("POST", catPath(caseCountyA, "/11/publish"), d.admin, nil))

		applicantWith := func(k string, v any) map[string]any {
			a := validApplicant()
			a[k] = v
			return a
		}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"wrong check character", caseBody("274", "applicant", applicantWith("credit_code", wrongCode)), 400, "applicant.credit_code"},
			{"credit code too short", caseBody("274", "applicant", applicantWith("credit_code", applicantCode[:17])), 400, "applicant.credit_code"},
			{"credit code with O", caseBody("274", "applicant", applicantWith("credit_code", "O"+applicantCode[1:])), 400, "applicant.credit_code"},
			{"no credit code", caseBody("274", "applicant", applicantWith("credit_code", "")), 400, "applicant.credit_code"},
			{"no applicant name", caseBody("274", "applicant", applicantWith("name", "  ")), 400, "applicant.name"},
			{"bad phone", caseBody("274", "applicant", applicantWith("phone", "call me")), 400, "applicant.phone"},
			{"unknown item", caseBody("999"), 400, "item_code"},
			{"no item", caseBody(""), 400, "item_code"},
			{"unpublished item", caseBody("276"), 400, "item_code"},
			{"information item", caseBody("11"), 400, "item_code"},
			{"received tomorrow", caseBody("274", "received_on", "2026-09-22"), 400, "received_on"},
			{"received over a year ago", caseBody("274", "received_on", "2025-09-19"), 400, "received_on"},
			{"received_on with slashes", caseBody("274", "received_on", "2026/09/18"), 400, "received_on"},
			{"received_on not a date", caseBody("274", "received_on", "2026-02-30"), 400, "received_on"},
			{"received_on with time", caseBody("274", "received_on", "2026-09-18T08:00:00+08:00"), 400, "received_on"},
			{"item_code a number", `{"item_code":274,"applicant":{"name":"x","credit_code":"` + applicantCode + `"}}`, 400, "item_code"},
			{"applicant a string", `{"item_code":"274","applicant":"平安经营部"}`, 400, "applicant"},
			{"received_on a number", `{"item_code":"274","applicant":{"name":"x","credit_code":"` + applicantCode + `"},"received_on":20260918}`, 400, "received_on"},
			{"malformed JSON", `{"item_code":"274",`, 400, ""},
			{"two objects", `{"item_code":"274"}{}`, 400, ""},
			{"empty body", "", 400, ""},
		}
		before := s.caseRows()
		for _, tc := range tests {
			r := s.do("POST", casePath(caseCountyA, ""), d.clerk, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Raw, tc.status)
				continue
			}
			if tc.field != "" {
				s.mustInvalid(tc.name, r, tc.field)
			}
		}
		// Not JSON at all.
		if r := s.do("POST", casePath(caseCountyA, ""), d.clerk, nil); r.Status != 415 || r.ErrorCode() != "unsupported_media_type" {
			t.Errorf("no body, no content type: %d %s", r.Status, r.Raw)
		}
		// Only case handlers open cases.
		if r := s.do("POST", casePath(caseCountyA, ""), d.reviewer, caseBody("274")); r.Status != 403 {
			t.Errorf("the reviewer opens a case: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", casePath(caseCountyA, ""), "", caseBody("274")); r.Status != 401 {
			t.Errorf("anonymous opens a case: %d %s", r.Status, r.Raw)
		}
		if got := s.caseRows(); got != before {
			t.Fatalf("rows (cases, steps, events, pauses) %v → %v after refused requests", before, got)
		}

		// Actions with bad input on an existing case change nothing either.
		c := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		s.mustAct(d.clerk, caseCountyA, c.ID, "accept")
		path := casePath(caseCountyA, "/"+itoa(c.ID)+"/actions")
		actionTests := []struct {
			name   string
			token  string
			body   any
			status int
			field  string
		}{
			{"unknown action", d.clerk, map[string]any{"action": "approve_all"}, 400, "action"},
			{"no action", d.clerk, map[string]any{"note": "x"}, 400, "action"},
			{"action a number", d.clerk, `{"action":1}`, 400, "action"},
			{"note an object", d.clerk, `{"action":"advance","note":{}}`, 400, "note"},
			{"unknown pause kind", d.clerk, map[string]any{"action": "pause", "kind": "午休", "reason": "x"}, 400, "kind"},
			{"pause without a reason", d.clerk, map[string]any{"action": "pause", "kind": "听证"}, 400, "reason"},
			{"note too long", d.clerk, map[string]any{"action": "advance", "note": strings.Repeat("长", 2001)}, 400, "note"},
			{"malformed JSON", d.clerk, `{"action":`, 400, ""},
		}
		before = s.caseRows()
		for _, tc := range actionTests {
			r := s.do("POST", path, tc.token, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Raw, tc.status)
				continue
			}
			if tc.field != "" {
				s.mustInvalid(tc.name, r, tc.field)
			}
		}
		for _, p := range []string{"/abc", "/0", "/-1", "/99999999"} {
			if r := s.do("GET", casePath(caseCountyA, p), d.clerk, nil); r.Status != 404 {
				t.Errorf("GET case %s: %d", p, r.Status)
			}
			if r := s.do("POST", casePath(caseCountyA, p+"/actions"), d.clerk, map[string]any{"action": "advance"}); r.Status != 404 {
				t.Errorf("action on case %s: %d %s", p, r.Status, r.Raw)
			}
		}
		if got := s.caseRows(); got != before {
			t.Fatalf("rows %v → %v after refused actions", before, got)
		}
		if c2 := s.getCase(d.clerk, caseCountyA, c.ID); c2.Status != "accepted" || c2.CurrentStep != 1 || len(c2.Events) != 2 {
			t.Errorf("case after refused actions: %+v", c2)
		}

		// Bad list filters.
		for _, q := range []string{"status=done", "warning=green", "overdue=yes", "sort=name", "per_page=101", "per_page=0", "page=0"} {
			if r := s.do("GET", casePath(caseCountyA, "?"+q), d.clerk, nil); r.Status != 400 {
				t.Errorf("list ?%s: %d %s", q, r.Status, r.Raw)
			}
		}
	})
}

// TestCasesTrackingNumbers: unique, and nothing about one number tells
// another.
func TestCasesTrackingNumbers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		s.travel("2026-09-21")
		pattern := regexp.MustCompile(`^340102-([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10})$`)
		var randoms []string
		seen := map[string]bool{}
		for i := 0; i < 50; i++ {
			c := s.newCase(d.clerk, caseCountyA, caseBody("274"))
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
		if n := s.countRows(`SELECT COUNT(DISTINCT tracking_no) FROM cases`); n != 50 {
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
	forEachDialect(t, func(t *testing.T, s *testService) {
		a := s.caseDesk(caseCountyA)
		b := s.caseDesk(caseCountyB)
		admin := s.adminToken()
		s.must(201, s.do("POST", "/api/v1/provinces/34/counties", admin,
			map[string]string{"code": caseCountyC, "egov_readiness": "良好", "recommendation": "推荐"}))
		s.travel("2026-09-21")
		ca := s.newCase(a.clerk, caseCountyA, caseBody("274"))
		cb := s.newCase(b.clerk, caseCountyB, caseBody("274"))

		r := s.must(200, s.do("GET", trackPath(caseCountyA, ca.TrackingNo), "", nil))
		for k, want := range map[string]any{"tracking_no": ca.TrackingNo, "item_name": "烟花爆竹经营（零售）许可证核发",
			"status": "submitted", "status_title": "已提交，待受理", "received_on": "2026-09-21", "deadline": "2026-10-26",
			"promised_deadline": "2026-10-15", "paused": false, "deadline_provisional": false} {
			if r.Body[k] != want {
				t.Errorf("public %s = %v, want %v", k, r.Body[k], want)
			}
		}
		allowed := map[string]bool{"tracking_no": true, "item_name": true, "status": true, "status_title": true, "received_on": true,
			"deadline": true, "promised_deadline": true, "deadline_provisional": true, "paused": true, "completed_on": true}
		for k := range r.Body {
			if !allowed[k] {
				t.Errorf("public view has field %q: %s", k, r.Raw)
			}
		}
		for _, secret := range []string{applicantName, applicantCode, applicantPhone, applicantContact, "applicant", "handler", "clerk_"} {
			if strings.Contains(string(r.Raw), secret) {
				t.Errorf("public view shows %q: %s", secret, r.Raw)
			}
		}
		// Another county's number, an unknown number, a county not yet a pilot.
		s.must(404, s.do("GET", trackPath(caseCountyA, cb.TrackingNo), "", nil))
		s.must(404, s.do("GET", trackPath(caseCountyB, ca.TrackingNo), "", nil))
		s.must(404, s.do("GET", trackPath(caseCountyA, "340102-2222222222"), "", nil))
		s.must(404, s.do("GET", trackPath(caseCountyC, ca.TrackingNo), "", nil))
		s.must(200, s.do("GET", trackPath(caseCountyB, cb.TrackingNo), "", nil))
	})
}

// TestCasesTrackingRateLimit: the 31st lookup within a minute from one client is refused.
func TestCasesTrackingRateLimit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		s.travel("2026-09-21")
		c := s.newCase(d.clerk, caseCountyA, caseBody("274"))
		// The limit counts per wall-clock minute: start early in one.
		if now := time.Now(); now.Second() >= 45 {
			time.Sleep(now.Truncate(time.Minute).Add(time.Minute + 100*time.Millisecond).Sub(now))
		}
		start := time.Now()
		for i := 1; i <= 30; i++ {
			path := trackPath(caseCountyA, c.TrackingNo)
			want := 200
			if i%10 == 0 {
				path, want = trackPath(caseCountyA, "340102-2222222222"), 404 // misses count too
			}
			if r := s.do("GET", path, "", nil); r.Status != want {
				t.Fatalf("lookup %d: %d %s", i, r.Status, r.Raw)
			}
		}
		r := s.do("GET", trackPath(caseCountyA, c.TrackingNo), "", nil)
		if time.Now().Truncate(time.Minute) != start.Truncate(time.Minute) {
			t.Fatalf("the 31 lookups took %v and crossed a minute; cannot judge the limit", time.Since(start))
		}
		if r.Status != 429 || r.ErrorCode() != "rate_limited" || r.Header.Get("Retry-After") != "60" {
			t.Fatalf("31st lookup: %d %s %v", r.Status, r.Raw, r.Header)
		}
		// Staff reading cases are not limited by it.
		for i := 0; i < 3; i++ {
			s.must(200, s.do("GET", casePath(caseCountyA, "/"+itoa(c.ID)), d.clerk, nil))
		}
	})
}

// listIDs returns the ids of a list answer and its total.
func listIDs(t *testing.T, r response) ([]int64, int64) {
	t.Helper()
	items, _ := r.Body["items"].([]any)
	var ids []int64
	for _, it := range items {
		ids = append(ids, num(it.(map[string]any)["id"]))
	}
	return ids, num(r.Body["total"])
}

// TestCasesList: the filters by status, overdue, warning light and item, and
// paging, judged on the day the case rules believe it is.
func TestCasesList(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		d := s.caseDesk(caseCountyA)
		s.publishItem(d, "281", qtContent())
		b := s.caseDesk(caseCountyB)

		// Opened on 09-21 (Mon). Promised deadlines: 13 working days for 274,
		// 10 for 281, from the day after receipt (see TestCasesLifecycle), and
		// Sunday 09-20 is a make-up working day that counts:
		// from 09-14: 09-15..18 1-4, 09-20 5, 09-21..24 6-9, 09-28..30 10-12, 10-08 13;
		// from 09-16: 09-17 1, 09-18 2, 09-20 3, 09-21..24 4-7, 09-28..30 8-10,
		// 10-08 11, 10-09 12, 10-10 (make-up Saturday) 13;
		// from 09-21 (281): 09-22..24 1-3, 09-28..30 4-6, 10-08 7, 10-09 8, 10-10 9, 10-12 10.
		s.travel("2026-09-21")
		c1 := s.newCase(d.clerk, caseCountyA, caseBody("274"))                              // promised 10-15, submitted
		c2 := s.newCase(d.clerk, caseCountyA, caseBody("274", "received_on", "2026-09-14")) // promised 10-08, submitted
		c3 := s.newCase(d.clerk, caseCountyA, caseBody("274", "received_on", "2026-09-16")) // promised 10-10, accepted
		s.mustAct(d.clerk, caseCountyA, c3.ID, "accept")
		c4 := s.newCase(d.clerk, caseCountyA, caseBody("274", "received_on", "2026-09-14")) // promised 10-08, accepted, paused
		s.mustAct(d.clerk, caseCountyA, c4.ID, "accept")
		s.mustAct(d.clerk, caseCountyA, c4.ID, "pause", "kind", "听证", "reason", "听证")
		c5 := s.newCase(d.clerk, caseCountyA, caseBody("281")) // promised 10-12, withdrawn
		s.mustAct(d.clerk, caseCountyA, c5.ID, "withdraw")
		c6 := s.newCase(d.clerk, caseCountyA, caseBody("281")) // promised 10-12, submitted
		s.newCase(b.clerk, caseCountyB, caseBody("274", "received_on", "2026-09-14"))
		for _, w := range []struct {
			c    caseView
			want string
		}{{c1, "2026-10-15"}, {c2, "2026-10-08"}, {c3, "2026-10-10"}, {c4, "2026-10-08"}, {c5, "2026-10-12"}, {c6, "2026-10-12"}} {
			if w.c.PromisedDeadline != w.want {
				t.Fatalf("case %d received %s: promised %s, want %s", w.c.ID, w.c.ReceivedOn, w.c.PromisedDeadline, w.want)
			}
		}

		list := func(q string) ([]int64, int64) {
			t.Helper()
			return listIDs(t, s.must(200, s.do("GET", casePath(caseCountyA, "?"+q), d.clerk, nil)))
		}
		expect := func(q string, total int64, ids ...int64) {
			t.Helper()
			got, n := list(q)
			if n != total || fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Errorf("?%s: ids %v total %d, want %v total %d", q, got, n, ids, total)
			}
		}
		// 10-09 (Fri): the next working day is the make-up Saturday 10-10.
		s.travel("2026-10-09")
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
		r := s.must(200, s.do("GET", casePath(caseCountyA, ""), d.clerk, nil))
		lights := map[int64]string{}
		for _, it := range r.Body["items"].([]any) {
			m := it.(map[string]any)
			lights[num(m["id"])] = fmt.Sprintf("%v/%v/%v", m["warning"], m["overdue"], m["paused"])
		}
		for id, want := range map[int64]string{c1.ID: "none/false/false", c2.ID: "red/true/false", c3.ID: "yellow/false/false",
			c4.ID: "none/false/true", c5.ID: "none/false/false", c6.ID: "none/false/false"} {
			if lights[id] != want {
				t.Errorf("list light of case %d = %s, want %s", id, lights[id], want)
			}
		}

		// 10-12 (Mon): c3 (10-10) is overdue too; c6 (10-12) is due today: yellow.
		s.travel("2026-10-12")
		expect("overdue=true", 2, c2.ID, c3.ID)
		expect("warning=red", 2, c2.ID, c3.ID)
		expect("warning=yellow", 1, c6.ID)
		// Back before anything was due: nothing is late.
		s.travel("2026-09-21")
		expect("overdue=true", 0)
		expect("warning=yellow", 0)
	})
}

// TestCasesCountyIsolation: a case exists only in its own county.
func TestCasesCountyIsolation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		a := s.caseDesk(caseCountyA)
		b := s.caseDesk(caseCountyB)
		s.travel("2026-09-21")
		ca := s.newCase(a.clerk, caseCountyA, caseBody("274"))
		cb := s.newCase(b.clerk, caseCountyB, caseBody("274"))
		rows := s.caseRows()

		// County B's case under county A's path: not found, for every A user.
		for _, tok := range []string{a.clerk, a.reviewer, a.admin} {
			s.must(404, s.do("GET", casePath(caseCountyA, "/"+itoa(cb.ID)), tok, nil))
		}
		s.must(404, s.act(a.clerk, caseCountyA, cb.ID, "accept"))
		s.must(404, s.act(a.reviewer, caseCountyA, cb.ID, "extend", "reason", "x"))
		ids, total := listIDs(t, s.must(200, s.do("GET", casePath(caseCountyA, ""), a.clerk, nil)))
		if total != 1 || len(ids) != 1 || ids[0] != ca.ID {
			t.Errorf("county A's list: %v total %d", ids, total)
		}
		// County A's users have no business in county B.
		s.must(403, s.do("GET", casePath(caseCountyB, "/"+itoa(cb.ID)), a.clerk, nil))
		s.must(403, s.do("GET", casePath(caseCountyB, ""), a.clerk, nil))
		s.must(403, s.do("POST", casePath(caseCountyB, ""), a.clerk, caseBody("274")))
		s.must(403, s.act(a.clerk, caseCountyB, cb.ID, "accept"))
		if got := s.caseRows(); got != rows {
			t.Errorf("rows %v → %v", rows, got)
		}
		if c := s.getCase(b.clerk, caseCountyB, cb.ID); c.Status != "submitted" || len(c.Events) != 1 {
			t.Errorf("county B's case was touched: %+v", c)
		}
	})
}
