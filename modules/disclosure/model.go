// Package disclosure is government information disclosure under the 2019
// Regulations on Open Government Information: records reviewed for secrecy
// before publication (先审查后公开，谁公开谁审查), an automatic scan for what must
// not leak, redaction, the 20-working-day publication rule, and requests for
// information (依申请公开) with their statutory deadlines and outcomes.
package disclosure

import (
	"time"

	"safetypilot/modules/written"
)

// Record statuses.
const (
	StatusDraft         = "draft"
	StatusPendingReview = "pending_review"
	StatusPendingSecond = "pending_second_review"
	StatusApproved      = "approved"
	StatusRejected      = "rejected"
	StatusPublished     = "published"
	StatusWithdrawn     = "withdrawn"
)

// StatusTitle is the Chinese name of a record status.
func StatusTitle(s string) string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusPendingReview:
		return "待保密审查"
	case StatusPendingSecond:
		return "待复审"
	case StatusApproved:
		return "审查通过，待发布"
	case StatusRejected:
		return "审查未通过"
	case StatusPublished:
		return "已公开"
	case StatusWithdrawn:
		return "已撤回"
	}
	return s
}

// Disclosure attributes of a record.
const (
	AttributeProactive = "proactive"  // 主动公开
	AttributeOnRequest = "on_request" // 依申请公开
	AttributeWithheld  = "withheld"   // 不予公开
)

// AttributeTitle is the Chinese name of a disclosure attribute.
func AttributeTitle(a string) string {
	switch a {
	case AttributeProactive:
		return "主动公开"
	case AttributeOnRequest:
		return "依申请公开"
	case AttributeWithheld:
		return "不予公开"
	}
	return a
}

// Reason is a coded statutory reason.
type Reason struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// WithheldReasons are the eight reasons for not disclosing, as the 2021
// annual-report template lists them.
var WithheldReasons = []Reason{
	{"state_secret", "属于国家秘密"},
	{"prohibited_by_law", "其他法律行政法规禁止公开"},
	{"three_securities", "危及“三安全一稳定”"},
	{"third_party", "保护第三方合法权益"},
	{"internal_affairs", "属于三类内部事务信息"},
	{"process_info", "属于四类过程性信息"},
	{"enforcement_file", "属于行政执法案卷"},
	{"administrative_query", "属于行政查询事项"},
}

// Outcome is a category of answers to requests, with its sub-reasons.
type Outcome struct {
	Code    string   `json:"code"`
	Title   string   `json:"title"`
	Reasons []Reason `json:"reasons,omitempty"`
}

// Outcomes are the answer categories of the annual-report template.
var Outcomes = []Outcome{
	{Code: "disclosed", Title: "予以公开"},
	{Code: "partly_disclosed", Title: "部分公开（区分处理的，只计这一情形，不计其他情形）"},
	{Code: "not_disclosed", Title: "不予公开", Reasons: WithheldReasons},
	{Code: "unable", Title: "无法提供", Reasons: []Reason{
		{"not_held", "本机关不掌握相关政府信息"},
		{"needs_creation", "没有现成信息需要另行制作"},
		{"unclear_after_correction", "补正后申请内容仍不明确"},
	}},
	{Code: "not_processed", Title: "不予处理", Reasons: []Reason{
		{"petition", "信访举报投诉类申请"},
		{"repeated", "重复申请"},
		{"publication", "要求提供公开出版物"},
		{"abusive", "无正当理由大量反复申请"},
		{"confirmation", "要求行政机关确认或重新出具已获取信息"},
	}},
	{Code: "other", Title: "其他处理", Reasons: []Reason{
		{"no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
		{"no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
		{"other", "其他"},
	}},
}

// outcome finds an outcome by code.
func outcome(code string) (Outcome, bool) {
	for _, o := range Outcomes {
		if o.Code == code {
			return o, true
		}
	}
	return Outcome{}, false
}

// reasonTitle names a reason code of an outcome.
func reasonTitle(list []Reason, code string) (string, bool) {
	for _, r := range list {
		if r.Code == code {
			return r.Title, true
		}
	}
	return "", false
}

// Redaction masks a span of a field (title, body or attachment:<id>).
type Redaction struct {
	Field string `json:"field"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Record is one piece of government information.
type Record struct {
	ID                  int64      `db:"id" json:"id"`
	CountyCode          string     `db:"county_code" json:"county_code"`
	Title               string     `db:"title" json:"title"`
	Category            string     `db:"category" json:"category"`
	Body                string     `db:"body" json:"body"`
	FormedOn            string     `db:"formed_on" json:"formed_on"`
	Attribute           string     `db:"attribute" json:"attribute"`
	WithheldReason      string     `db:"withheld_reason" json:"withheld_reason"`
	Status              string     `db:"status" json:"status"`
	AuthorID            int64      `db:"author_id" json:"author_id"`
	AuthorName          string     `db:"author_name" json:"author_name"`
	FirstReviewerID     int64      `db:"first_reviewer_id" json:"-"`
	PublishDeadline     string     `db:"publish_deadline" json:"publish_deadline"`
	DeadlineProvisional bool       `db:"deadline_provisional" json:"deadline_provisional"`
	OverdueFlagged      bool       `db:"overdue_flagged" json:"overdue_flagged"`
	RedactionsJSON      string     `db:"redactions" json:"-"`
	PublishedTitle      string     `db:"published_title" json:"published_title,omitempty"`
	PublishedBody       string     `db:"published_body" json:"published_body,omitempty"`
	SubmittedAt         *time.Time `db:"submitted_at" json:"submitted_at"`
	ApprovedAt          *time.Time `db:"approved_at" json:"approved_at"`
	PublishedAt         *time.Time `db:"published_at" json:"published_at"`
	PublishedBy         int64      `db:"published_by" json:"published_by"`
	PublishedOnTime     *bool      `db:"published_on_time" json:"published_on_time"`
	CreatedAt           time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt           time.Time  `db:"updated_at" json:"updated_at"`
}

// Review is one kept confidentiality-review record (保密审查记录).
type Review struct {
	ID             int64       `db:"id" json:"id"`
	RecordID       int64       `db:"record_id" json:"record_id"`
	Stage          int         `db:"stage" json:"stage"`
	ReviewerID     int64       `db:"reviewer_id" json:"reviewer_id"`
	ReviewerName   string      `db:"reviewer_name" json:"reviewer_name"`
	Decision       string      `db:"decision" json:"decision"`
	Opinion        string      `db:"opinion" json:"opinion"`
	FindingsJSON   string      `db:"findings" json:"-"`
	RedactionsJSON string      `db:"redactions" json:"-"`
	SubmittedAt    time.Time   `db:"submitted_at" json:"submitted_at"`
	DecidedAt      time.Time   `db:"decided_at" json:"decided_at"`
	Findings       []Finding   `db:"-" json:"findings"`
	Redactions     []Redaction `db:"-" json:"redactions"`
}

// Attachment is a file of a record, kept in the database so every replica
// serves it.
type Attachment struct {
	ID          int64     `db:"id" json:"id"`
	RecordID    int64     `db:"record_id" json:"record_id"`
	FileName    string    `db:"file_name" json:"file_name"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

// RecordView is a record as staff see it, with its scan and reviews.
type RecordView struct {
	Record
	StatusTitle  string       `json:"status_title"`
	ScanFindings []Finding    `json:"scan_findings"`
	Redactions   []Redaction  `json:"redactions"`
	Reviews      []Review     `json:"reviews"`
	Attachments  []Attachment `json:"attachments"`
	Overdue      bool         `json:"overdue"`
}

// PublicRecord is what the portal shows of a published record.
type PublicRecord struct {
	ID          int64              `json:"id"`
	Title       string             `json:"title"`
	Category    string             `json:"category"`
	Body        string             `json:"body"`
	FormedOn    string             `json:"formed_on"`
	PublishedAt *time.Time         `json:"published_at"`
	Attachments []PublicAttachment `json:"attachments"`
}

// PublicAttachment is an attachment under its masked name.
type PublicAttachment struct {
	ID       int64  `json:"id"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
}

// Request statuses.
const (
	RequestReceived = "received"
	// RequestAwaitingCorrection: the requester was told to correct the
	// request (条例 第三十条); no answer period runs until the corrected
	// request arrives.
	RequestAwaitingCorrection = "correcting"
	RequestAnswered           = "answered"
)

// RequestStatuses are the statuses a request list may be filtered by.
var RequestStatuses = []string{RequestReceived, RequestAwaitingCorrection, RequestAnswered}

// InfoRequest is a request for information (依申请公开).
type InfoRequest struct {
	ID               int64  `db:"id" json:"id"`
	CountyCode       string `db:"county_code" json:"county_code"`
	TrackingNo       string `db:"tracking_no" json:"tracking_no"`
	RequesterName    string `db:"requester_name" json:"requester_name"`
	RequesterContact string `db:"requester_contact" json:"requester_contact"`
	Description      string `db:"description" json:"description"`
	PreferredForm    string `db:"preferred_form" json:"preferred_form"`
	// RequesterType is one of RequesterTypes; "" for a request filed before
	// the type was asked (counted in the annual report's 总计 only).
	RequesterType       string `db:"requester_type" json:"requester_type"`
	ReceivedOn          string `db:"received_on" json:"received_on"`
	Deadline            string `db:"deadline" json:"deadline"`
	DeadlineProvisional bool   `db:"deadline_provisional" json:"deadline_provisional"`
	Extended            bool   `db:"extended" json:"extended"`
	// ExtensionWorkdays is how far the answer period was extended (at most
	// ExtensionWorkdays, 条例 第三十三条第二款); 0 when not extended.
	ExtensionWorkdays   int     `db:"extension_workdays" json:"extension_workdays"`
	ExtensionReason     string  `db:"extension_reason" json:"extension_reason"`
	ExtensionApprovedBy int64   `db:"extension_approved_by" json:"extension_approved_by"`
	Status              string  `db:"status" json:"status"`
	Outcome             string  `db:"outcome" json:"outcome"`
	OutcomeReason       string  `db:"outcome_reason" json:"outcome_reason"`
	Answer              string  `db:"answer" json:"answer"`
	AnsweredOn          *string `db:"answered_on" json:"answered_on"`
	AnsweredBy          int64   `db:"answered_by" json:"answered_by"`
	OnTime              *bool   `db:"on_time" json:"on_time"`
	// CorrectionNotifiedOn is when the requester was told to correct the
	// request, CorrectedOn when the corrected request arrived (条例 第三十条).
	CorrectionNotifiedOn *string `db:"correction_notified_on" json:"correction_notified_on"`
	CorrectedOn          *string `db:"corrected_on" json:"corrected_on"`
	// The consultation of third parties or other bodies (条例 第三十二条):
	// its days do not count (第三十三条第三款); while it runs the request
	// has no deadline.
	ConsultationStartedOn *string   `db:"consultation_started_on" json:"consultation_started_on"`
	ConsultationEndedOn   *string   `db:"consultation_ended_on" json:"consultation_ended_on"`
	Warning               string    `db:"warning" json:"-"`
	CreatedAt             time.Time `db:"created_at" json:"created_at"`
	UpdatedAt             time.Time `db:"updated_at" json:"updated_at"`
	// Notices are the written notices the requester was given (补正,
	// extension, consultation), oldest first: filled for one request, not
	// in lists.
	Notices []written.Notice `db:"-" json:"notices,omitempty"`
}

// RequesterTypes are who may ask, as the columns of the annual report's table
// 三 (国办公开办函〔2021〕30号) split them: 自然人, and the 法人或其他组织 of five
// kinds.
var RequesterTypes = []Reason{{"natural", "自然人"}, {"business", "商业企业"}, {"research", "科研机构"},
	{"public_interest", "社会公益组织"}, {"legal_services", "法律服务机构"}, {"other_org", "其他法人或组织"}}

// PreferredForms are how a requester may want the information.
var PreferredForms = []Reason{{"paper", "纸质"}, {"email", "电子邮件"}, {"disc", "光盘"}, {"pickup", "当面领取"}, {"other", "其他"}}
