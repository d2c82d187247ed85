// Package cases handles applications (办件) against statutory clocks: cases
// created at the counter, from paper received earlier, or online by the public;
// their steps copied from the item's published flowchart; a status machine
// where every transition is an event; pauses that stop the clock; one
// extension; warning lights; and public tracking by tracking number.
package cases

import (
	"time"

	"safetypilot/modules/written"
)

// Case statuses.
const (
	StatusSubmitted   = "submitted"
	StatusAccepted    = "accepted"
	StatusInReview    = "in_review"
	StatusReturned    = "returned" // returned for correction (补正): the clock is stopped
	StatusApproved    = "approved"
	StatusDenied      = "denied"
	StatusDelivered   = "delivered"
	StatusWithdrawn   = "withdrawn"
	StatusNotAccepted = "not_accepted"
)

// StatusTitle is the Chinese name of a status.
func StatusTitle(s string) string {
	switch s {
	case StatusSubmitted:
		return "已提交，待受理"
	case StatusAccepted:
		return "已受理"
	case StatusInReview:
		return "审查中"
	case StatusReturned:
		return "退回补正"
	case StatusApproved:
		return "准予许可（已决定）"
	case StatusDenied:
		return "不予许可（已决定）"
	case StatusDelivered:
		return "已送达办结"
	case StatusWithdrawn:
		return "申请人已撤回"
	case StatusNotAccepted:
		return "不予受理"
	}
	return s
}

// Statuses lists every status in workflow order, for filters.
var Statuses = []string{StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned, StatusApproved,
	StatusDenied, StatusDelivered, StatusWithdrawn, StatusNotAccepted}

// OpenStatuses are the statuses of a case not yet decided or ended.
var OpenStatuses = []string{StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned}

// isOpen reports whether the case still runs against its clock.
func isOpen(status string) bool {
	for _, s := range OpenStatuses {
		if s == status {
			return true
		}
	}
	return false
}

// Actions a user can take on a case.
const (
	ActionAccept    = "accept"
	ActionNotAccept = "not_accept"
	ActionAdvance   = "advance"
	ActionPause     = "pause"
	ActionResume    = "resume"
	ActionExtend    = "extend"
	ActionApprove   = "approve"
	ActionDeny      = "deny"
	ActionDeliver   = "deliver"
	ActionWithdraw  = "withdraw"
)

// ActionTitle is the Chinese name of an action (button labels, timeline).
func ActionTitle(a string) string {
	switch a {
	case ActionAccept:
		return "受理"
	case ActionNotAccept:
		return "不予受理"
	case ActionAdvance:
		return "完成当前环节"
	case ActionPause:
		return "暂停计时"
	case ActionResume:
		return "恢复计时"
	case ActionExtend:
		return "批准延期"
	case ActionApprove:
		return "准予许可"
	case ActionDeny:
		return "不予许可"
	case ActionDeliver:
		return "送达办结"
	case ActionWithdraw:
		return "撤回申请"
	}
	return a
}

// PauseKinds are the periods that stop a case's clock: those 行政许可法
// 第四十五条 leaves out of the time limits (听证、招标、拍卖、检验、检测、检疫、
// 鉴定和专家评审; the applicant is told the time needed in writing), and 补正
// (the applicant completing the materials). Pauses recorded before 2026-12
// may carry the former combined kind 检验检测.
var PauseKinds = []string{"听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审", "补正"}

// Warning lights.
const (
	WarningNone   = "none"
	WarningYellow = "yellow"
	WarningRed    = "red"
)

// Channels by which a case arrives.
const (
	ChannelCounter = "counter"
	ChannelPaper   = "paper"
	ChannelOnline  = "online"
)

// Applicant is who applies; personal data never leaves the county's staff.
type Applicant struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	Contact    string `json:"contact"`
	Phone      string `json:"phone"`
}

// Case is a row of the cases table.
type Case struct {
	ID                  int64  `db:"id" json:"id"`
	CountyCode          string `db:"county_code" json:"county_code"`
	TrackingNo          string `db:"tracking_no" json:"tracking_no"`
	ItemCode            string `db:"item_code" json:"item_code"`
	ItemVersion         int    `db:"item_version" json:"item_version"`
	ItemName            string `db:"item_name" json:"item_name"`
	Channel             string `db:"channel" json:"channel"`
	ApplicantName       string `db:"applicant_name" json:"-"`
	ApplicantCreditCode string `db:"applicant_credit_code" json:"-"`
	ApplicantContact    string `db:"applicant_contact" json:"-"`
	ApplicantPhone      string `db:"applicant_phone" json:"-"`
	// ApplicantPhoneIndex is the phone's keyed blind index (written, never selected).
	ApplicantPhoneIndex string    `db:"applicant_phone_bidx" json:"-"`
	ReceivedOn          string    `db:"received_on" json:"received_on"`
	Status              string    `db:"status" json:"status"`
	StatutoryDays       int       `db:"statutory_days" json:"statutory_limit_workdays"`
	PromisedDays        int       `db:"promised_days" json:"promised_limit_workdays"`
	ExtensionDays       int       `db:"extension_days" json:"extension_workdays"`
	ExtensionAllowed    int       `db:"extension_allowed" json:"extension_allowed_workdays"`
	Extended            bool      `db:"extended" json:"extended"`
	Deadline            string    `db:"deadline" json:"deadline"`
	PromisedDeadline    string    `db:"promised_deadline" json:"promised_deadline"`
	Provisional         bool      `db:"provisional" json:"deadline_provisional"`
	ClockRunning        bool      `db:"clock_running" json:"clock_running"`
	Warning             string    `db:"warning" json:"-"`
	CurrentStep         int       `db:"current_step" json:"current_step"`
	HandlerID           int64     `db:"handler_id" json:"handler_id"`
	Decision            string    `db:"decision" json:"decision"`
	Reason              string    `db:"reason" json:"reason"`
	DecidedOn           *string   `db:"decided_on" json:"decided_on"`
	CompletedOn         *string   `db:"completed_on" json:"completed_on"`
	OnTime              *bool     `db:"on_time" json:"on_time"`
	CreatedBy           int64     `db:"created_by" json:"created_by"`
	CreatedAt           time.Time `db:"created_at" json:"created_at"`
	UpdatedAt           time.Time `db:"updated_at" json:"updated_at"`
}

// Step is one step of a case, copied from the item's flowchart.
type Step struct {
	CaseID      int64   `db:"case_id" json:"-"`
	Seq         int     `db:"seq" json:"seq"`
	CountyCode  string  `db:"county_code" json:"-"`
	Name        string  `db:"name" json:"name"`
	Post        string  `db:"post" json:"post"`
	Authority   string  `db:"authority" json:"authority"`
	LimitDays   int     `db:"limit_days" json:"limit_workdays"`
	Excluded    bool    `db:"excluded" json:"excluded_from_limit"`
	Active      bool    `db:"active" json:"active"`
	StartedOn   *string `db:"started_on" json:"started_on"`
	DueOn       *string `db:"due_on" json:"due_on"`
	CompletedOn *string `db:"completed_on" json:"completed_on"`
	Warning     string  `db:"warning" json:"warning"`
	Overdue     bool    `db:"-" json:"overdue"`
}

// Pause is one entry of the pause ledger.
type Pause struct {
	ID        int64   `db:"id" json:"id"`
	CaseID    int64   `db:"case_id" json:"-"`
	Kind      string  `db:"kind" json:"kind"`
	Reason    string  `db:"reason" json:"reason"`
	StartedOn string  `db:"started_on" json:"started_on"`
	EndedOn   *string `db:"ended_on" json:"ended_on"`
	StartedBy int64   `db:"started_by" json:"started_by"`
	EndedBy   *int64  `db:"ended_by" json:"ended_by"`
	Workdays  int     `db:"-" json:"workdays"`
}

// Event is one entry of a case's timeline.
type Event struct {
	ID         int64  `db:"id" json:"id"`
	Kind       string `db:"kind" json:"kind"`
	FromStatus string `db:"from_status" json:"from_status"`
	ToStatus   string `db:"to_status" json:"to_status"`
	ActorID    int64  `db:"actor_id" json:"actor_id"`
	ActorName  string `db:"actor_name" json:"actor_name"`
	// ActorDisplayName is the actor's name as people know it (the account's
	// display name today), for the staff pages; the username stays in
	// ActorName, the API and the audit log.
	ActorDisplayName string    `db:"actor_display_name" json:"-"`
	Note             string    `db:"note" json:"note"`
	At               time.Time `db:"at" json:"at"`
}

// Actor is who acted, as the case page shows it: the display name, or the
// recorded name when the account is gone or the actor is the system.
func (e Event) Actor() string {
	if e.ActorDisplayName != "" {
		return e.ActorDisplayName
	}
	return e.ActorName
}

// Detail is a case as staff see it.
type Detail struct {
	Case
	Applicant           Applicant `json:"applicant"`
	Steps               []Step    `json:"steps"`
	Pauses              []Pause   `json:"pauses"`
	Events              []Event   `json:"events"`
	WarningLight        string    `json:"warning"`
	Overdue             bool      `json:"overdue"`
	StatutoryOverdue    bool      `json:"statutory_overdue"`
	Paused              bool      `json:"paused"`
	DeadlineExplanation string    `json:"deadline_explanation"`
	AllowedActions      []string  `json:"allowed_actions"`
	// Materials are the files of the applicant's materials, for staff only.
	Materials []Material `json:"materials"`
	// Notices are the written notices the applicant was given (pauses, 补正,
	// the extension), oldest first; their numbers are set by the API (Fill).
	Notices []written.Notice `json:"notices"`
}

// PublicView is what anyone holding the tracking number may see: status and
// dates, nothing personal.
type PublicView struct {
	TrackingNo       string  `json:"tracking_no"`
	ItemName         string  `json:"item_name"`
	Status           string  `json:"status"`
	StatusTitle      string  `json:"status_title"`
	ReceivedOn       string  `json:"received_on"`
	Deadline         string  `json:"deadline"`
	PromisedDeadline string  `json:"promised_deadline"`
	Provisional      bool    `json:"deadline_provisional"`
	Paused           bool    `json:"paused"`
	CompletedOn      *string `json:"completed_on"`
	// MaterialsReceived is how many files of materials the case holds: the
	// applicant sees the number, never the files.
	MaterialsReceived int `json:"materials_received"`
	// What the applicant is told of their clock (行政许可法 第四十二条 and
	// 第四十五条): each pause with its kind and dates, and an approved
	// extension. Staff's free-text reasons stay off this page, which needs
	// no sign-in.
	Pauses        []PublicPause `json:"pauses"`
	ExtensionDays int           `json:"extension_workdays"`
	// Notices are the written notices of the case as the public may see
	// them: the kind, dates, period and reason, with the applicant's own
	// data masked, never the addressee (written.PublicOf).
	Notices []written.Public `json:"notices"`
}

// PublicPause is one stop of the clock as the tracking page shows it.
type PublicPause struct {
	Kind      string  `json:"kind"`
	StartedOn string  `json:"started_on"`
	EndedOn   *string `json:"ended_on"`
}
