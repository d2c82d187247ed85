// Package penalties is the administrative penalty procedure (行政处罚一般程序)
// of the 行政处罚法 (2021) for a county work-safety bureau: 立案 approved by
// the bureau's 负责人, 调查取证 by at least two officers, 告知 with the
// hearing right computed from the penalty and the party, the hearing window
// and hearing, 法制审核 by someone who did not investigate, the decision
// bound to the item's discretion standard, 送达, payment with its surcharge,
// and 结案. Every step is an event with who, when and why.
//
// The clocks and how their days count (see README "Penalty clocks"):
//   - decision_due: 90 days from 立案 (第六十条), natural days (第八十五条 makes
//     only 二日/三日/五日/七日 working days), counted from the day after 立案,
//     plus an extension approved by the 负责人;
//   - hearing_request_due: 5 working days after the 告知 (第六十四条（一）,
//     第八十五条);
//   - the hearing notice at least 7 working days before the hearing
//     (第六十四条（二）, 第八十五条);
//   - payment_due: 15 days from receipt of the decision (第六十七条第三款),
//     natural days from the day after service;
//   - surcharge: 3% of the fine per day after payment_due, never above the
//     fine (第七十二条第一款第（一）项), the days of a 行政复议 or 行政诉讼 not
//     counted (第七十三条第三款);
//   - enforcement_due: the last day to apply to the people's court for
//     enforcement of an unpaid fine (行政强制法 第五十三条): three months after
//     the party's six months to sue (行政诉讼法 第四十六条) run out, counted
//     in months as 民法典 第二百零一、二百零二条 count them; the application
//     comes more than ten working days after the 催告书 is served (行政强制法
//     第五十四条, 第六十九条).
package penalties

import (
	"fmt"
	"strings"
	"time"

	"safetypilot/modules/calendar"
)

// Permissions of the module (rbac/policy.csv).
const (
	// ReadPermission lets the county's enforcement staff and administrator
	// read cases and their documents.
	ReadPermission = "penalties:read"
	// OpenPermission lets officers and the 负责人 open a case (立案 proposal).
	OpenPermission = "penalties:open"
	// InvestigatePermission marks an enforcement officer (执法人员): only
	// they investigate, notify, record hearings, service and payment.
	InvestigatePermission = "penalties:investigate"
	// ApprovePermission is the bureau's 负责人: approves 立案, extensions and
	// decides (第五十七条).
	ApprovePermission = "penalties:approve"
	// ReviewPermission is the 法制审核 of 第五十八条.
	ReviewPermission = "penalties:review"
	// ThresholdsPermission lets a province set its 较大数额 thresholds.
	ThresholdsPermission = "penalties:thresholds"
)

// Statuses of a case, in the order of the procedure.
const (
	StatusFiling           = "filing"            // 立案待批
	StatusInvestigating    = "investigating"     // 调查取证
	StatusNotified         = "notified"          // 已告知（陈述申辩、听证申请期间）
	StatusHearingRequested = "hearing_requested" // 当事人申请听证
	StatusHearingScheduled = "hearing_scheduled" // 已通知听证
	StatusHeard            = "heard"             // 听证已举行
	StatusReviewed         = "reviewed"          // 法制审核完成
	StatusDecided          = "decided"           // 已作出决定
	StatusServed           = "served"            // 已送达（执行中）
	StatusPaid             = "paid"              // 罚款已缴纳
	StatusClosed           = "closed"            // 结案
	// StatusEnforcing is an unpaid fine the bureau has applied to the
	// people's court to enforce (行政强制法 第五十三条).
	StatusEnforcing = "enforcing" // 已申请法院强制执行
)

// StatusTitles are the Chinese names pages show.
var StatusTitles = map[string]string{
	StatusFiling: "立案待批", StatusInvestigating: "调查取证", StatusNotified: "已告知",
	StatusHearingRequested: "已申请听证", StatusHearingScheduled: "已通知听证", StatusHeard: "听证已举行",
	StatusReviewed: "法制审核完成", StatusDecided: "已作出决定", StatusServed: "已送达、执行中",
	StatusPaid: "罚款已缴纳", StatusClosed: "已结案", StatusEnforcing: "已申请法院强制执行",
}

// Open reports whether the decision clock still runs (no decision yet).
func Open(status string) bool {
	switch status {
	case StatusDecided, StatusServed, StatusPaid, StatusClosed, StatusEnforcing:
		return false
	}
	return true
}

// Party kinds; a tier's applies_to uses the same words.
const (
	PartyOrganization = "organization"
	PartyIndividual   = "individual"
)

// Penalty kinds of 第九条 the product knows, with their Chinese names.
var PenaltyKinds = []struct{ Code, Title string }{
	{"warning", "警告"}, {"criticism", "通报批评"}, {"fine", "罚款"}, {"confiscate", "没收违法所得、没收非法财物"},
	{"suspend_license", "暂扣许可证件"}, {"downgrade", "降低资质等级"}, {"revoke", "吊销许可证件"},
	{"restrict_operation", "限制开展生产经营活动"}, {"suspend", "责令停产停业"}, {"close", "责令关闭"},
	{"restrict", "限制从业"},
}

// PenaltyTitle is the Chinese name of a kind, or "" for an unknown one.
func PenaltyTitle(code string) string {
	for _, k := range PenaltyKinds {
		if k.Code == code {
			return k.Title
		}
	}
	return ""
}

// hearingKinds are the kinds after which a hearing must be offered whatever
// the amount (第六十三条第一款第（三）、（四）项: 降低资质等级、吊销许可证件;
// 责令停产停业、责令关闭、限制从业). 暂扣许可证件 and 限制开展生产经营活动
// are not named there; we count them under 第（五）项 "其他较重的行政处罚",
// since offering a hearing that was not due harms nobody while refusing
// one that was makes the decision unlawful.
var hearingKinds = map[string]bool{"downgrade": true, "revoke": true, "suspend": true, "close": true,
	"restrict": true, "suspend_license": true, "restrict_operation": true}

// Thresholds are a province's 较大数额 (第六十三条第一款第（一）、（二）项):
// a fine or a confiscation at or above them (含本数) gives the right to a
// hearing.
type Thresholds struct {
	Province         string    `db:"province_code" json:"province"`
	IndividualYuan   int64     `db:"individual_yuan" json:"individual_yuan"`
	OrganizationYuan int64     `db:"organization_yuan" json:"organization_yuan"`
	Basis            string    `db:"basis" json:"basis"`
	Default          bool      `db:"-" json:"default"`
	UpdatedBy        int64     `db:"updated_by" json:"-"`
	UpdatedAt        time.Time `db:"updated_at" json:"updated_at"`
}

// DefaultThresholds apply where a province has set none: 对个人罚款2万元以上、
// 对生产经营单位罚款5万元以上（含本数）. Source: the figures the 安全生产违法行为
// 行政处罚办法 (原国家安全监管总局令第15号, 第77号修正) used and that 应急管理
// bureaus quote for hearing, 法制审核 and 集体讨论 alike (secondary source read
// with the search tool: http://www.7sjm.com/question/16052.html). The 办法 was
// replaced by 应急管理部令第18号 (in force 2026-02-01; announced at
// http://www.digipub.cc/dy/article/KG1ACUFC0514ALKP.html); we could not read
// its hearing article, and other figures (1万/3万) circulate, so provinces set
// their own through PUT /api/v1/provinces/{province}/penalty-thresholds.
var DefaultThresholds = Thresholds{IndividualYuan: 20000, OrganizationYuan: 50000,
	Basis: "《安全生产违法行为行政处罚办法》（国家安全监管总局令第15号，第77号修正）规定的较大数额：对个人2万元以上、对生产经营单位5万元以上（含本数）；应急管理部令第18号（2026年2月1日施行）的标准待核实"}

// For returns the threshold of a party kind.
func (t Thresholds) For(partyKind string) int64 {
	if partyKind == PartyIndividual {
		return t.IndividualYuan
	}
	return t.OrganizationYuan
}

// HearingRequired tells whether a penalty gives the party the right to ask
// for a hearing (第六十三条), and why.
func HearingRequired(kinds []string, fineYuan, confiscateYuan int64, partyKind string, t Thresholds) (bool, string) {
	limit := t.For(partyKind)
	var why []string
	for _, k := range kinds {
		switch {
		case k == "fine" && fineYuan >= limit:
			why = append(why, fmt.Sprintf("罚款%d元达到较大数额（%d元以上）", fineYuan, limit))
		case k == "confiscate" && confiscateYuan >= limit:
			why = append(why, fmt.Sprintf("没收%d元达到较大数额（%d元以上）", confiscateYuan, limit))
		case hearingKinds[k]:
			why = append(why, PenaltyTitle(k))
		}
	}
	if len(why) == 0 {
		return false, ""
	}
	return true, "《中华人民共和国行政处罚法》第六十三条：" + strings.Join(why, "；")
}

// MitigationGrounds are the legal grounds a decision below its tier or
// without a penalty must record: 减轻 (第三十二条) and 不予处罚 (第三十三条).
var MitigationGrounds = []struct{ Code, Kind, Title string }{
	{"32-1", "reduced", "第三十二条第（一）项 主动消除或者减轻违法行为危害后果"},
	{"32-2", "reduced", "第三十二条第（二）项 受他人胁迫或者诱骗实施违法行为"},
	{"32-3", "reduced", "第三十二条第（三）项 主动供述行政机关尚未掌握的违法行为"},
	{"32-4", "reduced", "第三十二条第（四）项 配合行政机关查处违法行为有立功表现"},
	{"32-5", "reduced", "第三十二条第（五）项 法律、法规、规章规定其他应当从轻或者减轻行政处罚的"},
	{"33-1", "no_penalty", "第三十三条第一款 违法行为轻微并及时改正，没有造成危害后果"},
	{"33-1b", "no_penalty", "第三十三条第一款 初次违法且危害后果轻微并及时改正"},
	{"33-2", "no_penalty", "第三十三条第二款 当事人有证据足以证明没有主观过错"},
}

// groundTitle finds a ground of the given kind; ok is false otherwise.
func groundTitle(code, kind string) (string, bool) {
	for _, g := range MitigationGrounds {
		if g.Code == code && g.Kind == kind {
			return g.Title, true
		}
	}
	return "", false
}

// Case is a penalty case as stored. Dates are YYYY-MM-DD or "" while unknown.
type Case struct {
	ID                   int64     `db:"id"`
	CountyCode           string    `db:"county_code"`
	CaseNo               string    `db:"case_no"`
	ItemCode             string    `db:"item_code"`
	ItemVersion          int       `db:"item_version"`
	ItemName             string    `db:"item_name"`
	PartyKind            string    `db:"party_kind"`
	PartyName            string    `db:"party_name"`
	PartyCreditCode      string    `db:"party_credit_code"`
	PartyIDNumber        string    `db:"party_id_number"`
	EntityID             int64     `db:"entity_id"`
	Facts                string    `db:"facts"`
	SourceKind           string    `db:"source_kind"`
	SourceID             int64     `db:"source_id"`
	Status               string    `db:"status"`
	Major                bool      `db:"major"`
	FiledOn              string    `db:"filed_on"`
	FilingApprovedBy     int64     `db:"filing_approved_by"`
	DecisionDue          string    `db:"decision_due"`
	ExtensionDays        int       `db:"extension_days"`
	Penalties            string    `db:"penalties"`
	ProposedFineYuan     int64     `db:"proposed_fine_yuan"`
	ConfiscateYuan       int64     `db:"confiscate_yuan"`
	NotifiedOn           string    `db:"notified_on"`
	HearingRequired      bool      `db:"hearing_required"`
	HearingRequestDue    string    `db:"hearing_request_due"`
	HearingRequestedOn   string    `db:"hearing_requested_on"`
	HearingNoticeOn      string    `db:"hearing_notice_on"`
	HearingOn            string    `db:"hearing_on"`
	HeardOn              string    `db:"heard_on"`
	LegalReviewedOn      string    `db:"legal_reviewed_on"`
	LegalReviewerID      int64     `db:"legal_reviewer_id"`
	LegalOpinion         string    `db:"legal_opinion"`
	DecidedOn            string    `db:"decided_on"`
	DecidedBy            int64     `db:"decided_by"`
	Outcome              string    `db:"outcome"`
	FineYuan             int64     `db:"fine_yuan"`
	StandardID           string    `db:"standard_id"`
	TierLevel            string    `db:"tier_level"`
	Factors              string    `db:"factors"`
	Reasons              string    `db:"reasons"`
	MitigationGround     string    `db:"mitigation_ground"`
	CollectiveDiscussion string    `db:"collective_discussion"`
	ServedOn             string    `db:"served_on"`
	PaymentDue           string    `db:"payment_due"`
	PaidOn               string    `db:"paid_on"`
	PaidFen              int64     `db:"paid_fen"`
	ClosedOn             string    `db:"closed_on"`
	Warning              string    `db:"warning"`
	PaymentWarning       string    `db:"payment_warning"`
	CreatedBy            int64     `db:"created_by"`
	CreatedAt            time.Time `db:"created_at"`
	UpdatedAt            time.Time `db:"updated_at"`
	// PartyPersonName is the column holding a natural person's name sealed
	// (party_person_name; party_name is then empty). The store opens it
	// into PartyName and PartyIDNumber and clears it, so nothing outside
	// the store meets a sealed value (see store.go, SealedColumns).
	PartyPersonName string `db:"party_person_name"`
	// RevokedOn and Revocation record a decision revoked, changed,
	// confirmed unlawful or void (第四十八条第二款), "" while it stands.
	RevokedOn  string `db:"revoked_on"`
	Revocation string `db:"revocation"`
	// UrgedOn is the day the 催告书 was served (行政强制法 第三十五条、第五十四条).
	UrgedOn string `db:"urged_on"`
	// EnforcementDue is the last day to apply to the court to enforce an
	// unpaid fine ("" with no fine, or once a 复议 or 诉讼 is recorded: the
	// period then follows the 复议决定 or the judgment, which the product
	// does not compute); EnforcementWarning is its light as the overdue
	// job last raised it.
	EnforcementDue       string `db:"enforcement_due"`
	EnforcementAppliedOn string `db:"enforcement_applied_on"`
	EnforcementCourt     string `db:"enforcement_court"`
	EnforcementWarning   string `db:"enforcement_warning"`
}

// Remedy is a 行政复议 or 行政诉讼 the party brought against the decision:
// it does not stop the decision's execution (第七十三条第一款), but the
// surcharge does not run while it lasts (第七十三条第三款) and the bureau
// cannot apply to the court to enforce until it ends.
type Remedy struct {
	ID         int64     `db:"id" json:"id"`
	CountyCode string    `db:"county_code" json:"-"`
	CaseID     int64     `db:"case_id" json:"-"`
	Kind       string    `db:"kind" json:"kind"`
	Body       string    `db:"body" json:"body"`
	StartedOn  string    `db:"started_on" json:"started_on"`
	EndedOn    string    `db:"ended_on" json:"ended_on"`
	Outcome    string    `db:"outcome" json:"outcome"`
	CreatedBy  int64     `db:"created_by" json:"-"`
	CreatedAt  time.Time `db:"created_at" json:"-"`
}

// Remedy kinds and outcomes, with the titles pages show.
var (
	RemedyKinds    = map[string]string{"reconsideration": "行政复议", "litigation": "行政诉讼"}
	RemedyOutcomes = map[string]string{"upheld": "维持或驳回", "revoked": "撤销", "changed": "变更",
		"unlawful": "确认违法", "void": "确认无效", "withdrawn": "当事人撤回申请或起诉"}
)

// remedyRevocations map the outcomes that end the decision to the kind of
// revocation recorded on the case (第四十八条第二款).
var remedyRevocations = map[string]string{"revoked": "撤销", "changed": "变更", "unlawful": "确认违法", "void": "确认无效"}

// AddMonths is the last day of a period of n months that starts the day
// after from, as 民法典 第二百零一、二百零二条 count it: the corresponding
// day of the last month, or that month's last day when it has none
// (2026-08-31 plus six months is 2027-02-28).
func AddMonths(from time.Time, n int) time.Time {
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := from.Day()
	if day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// Periods of the enforcement of an unpaid fine.
const (
	// SueMonths is the party's time to sue after learning of the decision
	// (行政诉讼法 第四十六条: 六个月).
	SueMonths = 6
	// EnforcementMonths is the time to apply to the court once that has run
	// out (行政强制法 第五十三条: 三个月).
	EnforcementMonths = 3
	// UrgeWorkdays is how long the 催告书 gives before the application
	// (第五十四条: 十日; 第六十九条: 十日以内 are working days).
	UrgeWorkdays = 10
	// EnforcementYellowDays is how early the application light turns
	// yellow (natural days; a product choice that leaves time to serve the
	// 催告书 and wait its ten working days).
	EnforcementYellowDays = 30
)

// SueEnds is the last day the party may sue against a decision served on
// servedOn; EnforcementDue the last day the bureau may apply to the court.
func SueEnds(servedOn string) string {
	d, err := time.Parse(time.DateOnly, servedOn)
	if err != nil {
		return ""
	}
	return calendar.FormatDate(AddMonths(d, SueMonths))
}

// EnforcementDue is the last day to apply to the court to enforce a fine of
// a decision served on servedOn: three months from the end of the party's
// six months to sue.
func EnforcementDue(servedOn string) string {
	end, err := time.Parse(time.DateOnly, SueEnds(servedOn))
	if err != nil {
		return ""
	}
	return calendar.FormatDate(AddMonths(end, EnforcementMonths))
}

// EnforcementLight is the application clock's light as of today: yellow in
// its last EnforcementYellowDays days, red after enforcement_due, while the
// fine is unpaid and no application is made.
func EnforcementLight(c Case, today time.Time) string {
	if c.Status != StatusServed || c.EnforcementDue == "" || c.PaidOn != "" || c.FineYuan <= 0 || c.RevokedOn != "" {
		return WarningNone
	}
	due, err := calendar.ParseDate(c.EnforcementDue)
	if err != nil {
		return WarningNone
	}
	switch {
	case calendar.FormatDate(today) > c.EnforcementDue:
		return WarningRed
	case !today.Before(due.AddDate(0, 0, -EnforcementYellowDays)):
		return WarningYellow
	}
	return WarningNone
}

// partyLabel names the party in what the product stores about a case
// outside its own row (the timeline, notices): an organisation by its name,
// a natural person by surname + 某某 only, so no plain copy of a sealed name
// is kept (staff read the full name on the case itself).
func partyLabel(c Case) string {
	if c.PartyKind != PartyIndividual {
		return c.PartyName
	}
	r := []rune(strings.TrimSpace(c.PartyName))
	if len(r) == 0 {
		return "某某"
	}
	return string(r[0]) + "某某"
}

// Outcomes of a decision.
const (
	OutcomePenalty   = "penalty"    // 给予行政处罚
	OutcomeReduced   = "reduced"    // 减轻行政处罚（第三十二条）
	OutcomeNoPenalty = "no_penalty" // 不予行政处罚（第三十三条）
)

// PenaltyList is the case's notified penalty kinds.
func (c Case) PenaltyList() []string {
	if c.Penalties == "" {
		return nil
	}
	return strings.Split(c.Penalties, ",")
}

// Warning lights of the decision and payment clocks.
const (
	WarningNone   = "none"
	WarningYellow = "yellow"
	WarningRed    = "red"
)

// Event is one recorded step.
type Event struct {
	ID         int64     `db:"id" json:"id"`
	CountyCode string    `db:"county_code" json:"-"`
	CaseID     int64     `db:"case_id" json:"-"`
	Action     string    `db:"action" json:"action"`
	FromStatus string    `db:"from_status" json:"from_status"`
	ToStatus   string    `db:"to_status" json:"to_status"`
	ActorID    int64     `db:"actor_id" json:"actor_id"`
	ActorName  string    `db:"actor_name" json:"actor_name"`
	OnDate     string    `db:"on_date" json:"on_date"`
	Reason     string    `db:"reason" json:"reason"`
	Detail     string    `db:"detail" json:"detail"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// ActionTitles name the actions on the timeline.
var ActionTitles = map[string]string{
	"open": "立案申请", "approve": "批准立案", "investigate": "调查取证", "notify": "告知",
	"request_hearing": "当事人申请听证", "schedule_hearing": "通知听证", "hold_hearing": "举行听证",
	"legal_review": "法制审核", "decide": "作出决定", "serve": "送达", "pay": "缴纳罚款", "close": "结案",
	"extend": "延长办案期限", "flag_yellow": "决定期限即将届满", "flag_red": "决定期限已届满",
	"payment_yellow": "缴款期限即将届满", "payment_red": "逾期未缴纳罚款",
	"revoke": "决定被撤销或变更",
	"remedy": "当事人申请行政复议或提起行政诉讼", "remedy_end": "行政复议或诉讼结束",
	"urge": "催告", "apply_enforcement": "申请法院强制执行",
	"enforcement_yellow": "申请强制执行期限即将届满", "enforcement_red": "申请强制执行期限已届满",
	"evidence": "收集证据", "evidence_void": "证据作废",
}

// Investigator is an officer who investigated, with their certificate.
type Investigator struct {
	UserID int64  `db:"user_id" json:"user_id"`
	CertNo string `db:"cert_no" json:"cert_no"`
	Name   string `db:"name" json:"name"`
}

// Document kinds, with their title and series (the 性质 part of the number,
// as in 瑶海区应急罚告〔2026〕第3号).
const (
	DocFiling   = "filing"   // 立案审批表
	DocNotice   = "notice"   // 行政处罚告知书
	DocHearing  = "hearing"  // 听证告知书
	DocDecision = "decision" // 行政处罚决定书
	DocUrge     = "urge"     // 催告书
)

// DocKinds lists the numbered documents.
var DocKinds = []struct{ Kind, Title, Series string }{
	{DocFiling, "立案审批表", "罚立"},
	{DocNotice, "行政处罚告知书", "罚告"},
	{DocHearing, "听证告知书", "罚听"},
	{DocDecision, "行政处罚决定书", "罚决"},
	{DocUrge, "催告书", "罚催"},
}

func docInfo(kind string) (title, series string) {
	for _, d := range DocKinds {
		if d.Kind == kind {
			return d.Title, d.Series
		}
	}
	return "", ""
}

// Document is an issued, numbered document of a case.
type Document struct {
	ID         int64     `db:"id" json:"id"`
	CountyCode string    `db:"county_code" json:"-"`
	CaseID     int64     `db:"case_id" json:"-"`
	Kind       string    `db:"kind" json:"kind"`
	Series     string    `db:"series" json:"-"`
	DocYear    int       `db:"doc_year" json:"year"`
	DocSeq     int       `db:"doc_seq" json:"seq"`
	IssuedOn   string    `db:"issued_on" json:"issued_on"`
	IssuedBy   int64     `db:"issued_by" json:"-"`
	CreatedAt  time.Time `db:"created_at" json:"-"`
	Title      string    `db:"-" json:"title"`
	DocNo      string    `db:"-" json:"doc_no"`
}

// Number is the document number in the form counties use.
func Number(countyName, series string, year, seq int) string {
	return fmt.Sprintf("%s应急%s〔%d〕第%d号", countyName, series, year, seq)
}

// BureauName is the issuing body as the documents print it.
func BureauName(countyName string) string { return countyName + "应急管理局" }

// SurchargeFen is the 加处罚款 of 第七十二条第一款第（一）项 in fen (分) as of
// asOf: 3% of the fine for each day after paymentDue until the day paid (or
// asOf, whichever is earlier), never more than the fine. Day counts are
// natural days; the days of a 行政复议 or 行政诉讼 (from the day it was
// brought through the day it ended, or asOf while it lasts) are not
// counted (第七十三条第三款).
func SurchargeFen(fineYuan int64, paymentDue, paidOn string, asOf time.Time, remedies []Remedy) int64 {
	if fineYuan <= 0 || paymentDue == "" {
		return 0
	}
	due, err := time.Parse(time.DateOnly, paymentDue)
	if err != nil {
		return 0
	}
	end := asOf
	if paidOn != "" {
		if p, err := time.Parse(time.DateOnly, paidOn); err == nil && p.Before(end) {
			end = p
		}
	}
	days := int64(end.Sub(due).Hours() / 24)
	if days <= 0 {
		return 0
	}
	// Each excluded day is one in (due, end]; remedies never overlap (one
	// at a time), so their overlaps with that span add up.
	for _, r := range remedies {
		from, err := time.Parse(time.DateOnly, r.StartedOn)
		if err != nil {
			continue
		}
		to := end
		if r.EndedOn != "" {
			if t, err := time.Parse(time.DateOnly, r.EndedOn); err == nil && t.Before(to) {
				to = t
			}
		}
		if from.Before(due.AddDate(0, 0, 1)) {
			from = due.AddDate(0, 0, 1)
		}
		if n := int64(to.Sub(from).Hours()/24) + 1; n > 0 {
			days -= n
		}
	}
	if days <= 0 {
		return 0
	}
	// 3% of fine yuan per day = fine × 3 fen per day.
	s := fineYuan * 3 * days
	if s > fineYuan*100 {
		s = fineYuan * 100
	}
	return s
}

// FenToYuan turns fen into yuan with two decimals.
func FenToYuan(fen int64) float64 { return float64(fen) / 100 }
