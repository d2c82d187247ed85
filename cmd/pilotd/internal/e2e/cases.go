package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// CasesUserPassword is what s.addUser sets for county staff.
const CasesUserPassword = "User#Pass2026x"

// WantText asserts the text of the element the CSS selector names contains want.
func (b *Tab) WantText(css, want string) {
	b.T.Helper()
	if got := b.Text(css); !strings.Contains(got, want) {
		b.T.Errorf("%s at %s = %q, want it to contain %q", css, b.Path(), got, want)
	}
}

// RunOverdue triggers the overdue job through the API and returns its record.
func (s *Service) RunOverdue(token string) map[string]any {
	s.T.Helper()
	r := s.Must(200, s.Do("POST", "/api/v1/jobs/overdue/run", token, nil))
	if r.Body["status"] != "succeeded" || r.Body["job"] != "overdue" || Num(r.Body["id"]) == 0 {
		s.T.Fatalf("overdue run: %s", r.Raw)
	}
	return r.Body
}

// FlagEvents counts the events of kind recorded on a case.
func (s *Service) FlagEvents(caseID int64, kind string) int {
	s.T.Helper()
	return s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = ?`, caseID, kind)
}

// MetricValue reads one sample of the Prometheus text exposition; ok is false
// when it is absent.
func MetricValue(body []byte, name string, labels string) (float64, bool) {
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

// Counties of the case tests (Anhui, province 34).
const (
	CaseCountyA = "340102"
	CaseCountyB = "340103"
	CaseCountyC = "340104" // recommended only, never approved
)

// The applicant of the test cases: personal data that must never reach the
// public tracking page.
const (
	ApplicantName    = "合肥市瑶海区平安烟花爆竹经营部"
	ApplicantContact = "王平安"
	ApplicantPhone   = "0551-64000001"
)

// creditCodeChars and creditCodeWeights are GB 32100-2015's alphabet and the
// weights 3^i mod 31 of the first 17 characters.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode completes 17 characters with their check character.
func CreditCode(base string) string {
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
	ApplicantCode = CreditCode("92340102MA2TX5P41")
	WrongCode     = ApplicantCode[:17] + string(creditCodeChars[(strings.IndexByte(creditCodeChars, ApplicantCode[17])+1)%31])
)

func ValidApplicant() map[string]any {
	return map[string]any{"name": ApplicantName, "credit_code": ApplicantCode, "contact": ApplicantContact, "phone": ApplicantPhone}
}

// CaseBody is a new-case request for item with extra keys set.
func CaseBody(item string, kv ...any) map[string]any {
	body := map[string]any{"item_code": item, "applicant": ValidApplicant()}
	for i := 0; i < len(kv); i += 2 {
		body[kv[i].(string)] = kv[i+1]
	}
	return body
}

func CasePath(county, rest string) string { return "/api/v1/counties/" + county + "/cases" + rest }

// Beijing is the zone "today" is judged in.
var Beijing = time.FixedZone("CST", 8*3600)

// CaseDesk is a county with its staff and item 274 published.
type CaseDesk struct {
	County                                              string
	Admin, Clerk, Reviewer, Leader                      string
	AdminID, ClerkID, ReviewerID, LeaderID, adminUserID int64
}

// UserID returns the id of the signed-in user.
func (s *Service) UserID(token string) int64 {
	s.T.Helper()
	r := s.Must(200, s.Do("GET", "/api/v1/session", token, nil))
	u, _ := r.Body["user"].(map[string]any)
	id := Num(u["id"])
	if id == 0 {
		s.T.Fatalf("no user id in %s", r.Raw)
	}
	return id
}

// Username returns the username of the signed-in user.
func (s *Service) Username(token string) string {
	s.T.Helper()
	r := s.Must(200, s.Do("GET", "/api/v1/session", token, nil))
	u, _ := r.Body["user"].(map[string]any)
	name, _ := u["username"].(string)
	if name == "" {
		s.T.Fatalf("no username in %s", r.Raw)
	}
	return name
}

// CaseDesk onboards county with a clerk, a reviewer and a leader (负责人, who
// approves extensions) and publishes 274
// (烟花爆竹经营（零售）许可证核发: licensing, statutory 20 / promised 13 working
// days, extension 10, steps 受理 1 + 审查 8 + 决定 3).
func (s *Service) CaseDesk(county string) CaseDesk {
	s.T.Helper()
	d := CaseDesk{County: county}
	d.Admin = s.Onboard("34", county)
	d.AdminID = s.UserID(d.Admin)
	d.ClerkID, d.Clerk = s.AddUser(d.Admin, county, "clerk_"+county, "county_clerk")
	d.ReviewerID, d.Reviewer = s.AddUser(d.Admin, county, "reviewer_"+county, "county_reviewer")
	d.LeaderID, d.Leader = s.AddUser(d.Admin, county, "leader_"+county, "county_leader")
	s.PublishItem(d, "274", FireworksContent())
	return d
}

func (s *Service) PublishItem(d CaseDesk, code string, content map[string]any) {
	s.T.Helper()
	s.Must(200, s.Do("PUT", CatPath(d.County, "/"+code), d.Clerk, content))
	s.Must(200, s.Do("POST", CatPath(d.County, "/"+code+"/publish"), d.Admin, nil))
}

// QtContent is item 281 as a non-licensing power (其他行政权力): statutory 20,
// promised 10, no extension.
func QtContent() map[string]any {
	return With(FireworksContent(), "power_type", "QT", "item_code", "QT-281", "promised_limit_workdays", 10,
		"extension_workdays", nil, "legal_basis", "《生产安全事故应急预案管理办法》第二十六条")
}

// CaseView is a case as the staff API returns it.
type CaseView struct {
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
	Steps   []stepView   `json:"steps"`
	Pauses  []pauseView  `json:"pauses"`
	Events  []eventView  `json:"events"`
	Notices []NoticeView `json:"notices"`
}

// NoticeView is a written notice as the staff API returns it.
type NoticeView struct {
	ID                  int64  `json:"id"`
	Kind                string `json:"kind"`
	PauseKind           string `json:"pause_kind"`
	Title               string `json:"title"`
	DocNo               string `json:"doc_no"`
	IssuedOn            string `json:"issued_on"`
	Reason              string `json:"reason"`
	PeriodStart         string `json:"period_start"`
	PeriodEnd           string `json:"period_end"`
	PeriodWorkdays      int    `json:"period_workdays"`
	Deadline            string `json:"deadline"`
	DeadlineProvisional bool   `json:"deadline_provisional"`
	Basis               string `json:"legal_basis"`
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

func (v *CaseView) UnmarshalJSON(b []byte) error {
	type plain CaseView
	var aux struct {
		plain
		AllowedActions []string `json:"allowed_actions"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*v = CaseView(aux.plain)
	v.AllowedActions = aux.AllowedActions
	return nil
}

// DecodeCase reads a case answer.
func DecodeCase(t testing.TB, r Response) CaseView {
	t.Helper()
	var v CaseView
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("decode case: %v: %s", err, r.Raw)
	}
	return v
}

// NewCase opens a case and returns it.
func (s *Service) NewCase(token, county string, body any) CaseView {
	s.T.Helper()
	return DecodeCase(s.T, s.Must(201, s.Do("POST", CasePath(county, ""), token, body)))
}

// Act takes an action on a case; kv adds "note", "reason", "kind".
func Act(s *Service, token, county string, id int64, action string, kv ...string) Response {
	s.T.Helper()
	body := map[string]any{"action": action}
	for i := 0; i < len(kv); i += 2 {
		body[kv[i]] = kv[i+1]
	}
	return s.Do("POST", CasePath(county, "/"+Itoa(id)+"/actions"), token, body)
}

// MustAct takes an action that must succeed.
func (s *Service) MustAct(token, county string, id int64, action string, kv ...string) CaseView {
	s.T.Helper()
	return DecodeCase(s.T, s.Must(200, Act(s, token, county, id, action, kv...)))
}

func (s *Service) GetCase(token, county string, id int64) CaseView {
	s.T.Helper()
	return DecodeCase(s.T, s.Must(200, s.Do("GET", CasePath(county, "/"+Itoa(id)), token, nil)))
}

func Str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
