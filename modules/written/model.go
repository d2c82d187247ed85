// Package written keeps the written notices (书面告知) the law asks a body to
// give an applicant or a requester when their clock stops, is extended, or
// waits for them: the notice as issued (its number, reason, period and the
// deadline the product computed at that moment), its print-ready page, and
// what of it the public tracking pages may show.
//
// The modules that own the clocks (cases, disclosure) issue notices inside
// the transaction that records the event, so an event never exists without
// its notice nor a notice without its event.
package written

import (
	"fmt"
	"strings"
	"time"
)

// Subjects a notice belongs to.
const (
	SubjectCase    = "case"
	SubjectRequest = "request"
)

// Kinds of notice.
const (
	// KindCasePause: a licence case's clock stops for 听证、招标、拍卖、检验、
	// 检测、检疫、鉴定 or 专家评审 (行政许可法 第四十五条: "行政机关应当将所需
	// 时间书面告知申请人").
	KindCasePause = "case_pause"
	// KindCaseCorrection: the applicant must complete the materials (行政许可法
	// 第三十二条第一款第（四）项: "一次告知申请人需要补正的全部内容").
	KindCaseCorrection = "case_correction"
	// KindCaseExtension: the ten extra days (行政许可法 第四十二条第一款: "应当
	// 将延长期限的理由告知申请人").
	KindCaseExtension = "case_extension"
	// KindRequestCorrection: an unclear request (政府信息公开条例 第三十条:
	// "一次性告知申请人作出补正，说明需要补正的事项和合理的补正期限").
	KindRequestCorrection = "request_correction"
	// KindRequestExtension: the answer period extended (条例 第三十三条第二款:
	// "应当经政府信息公开工作机构负责人同意并告知申请人").
	KindRequestExtension = "request_extension"
	// KindRequestConsultation: third parties are consulted (条例 第三十二条) and
	// the time does not count (第三十三条第三款). The 条例 itself asks to tell
	// the third party in writing, not the requester; we tell the requester
	// too, since their deadline stops (some provinces require it, e.g. 江苏
	// 苏政办发〔2019〕50号, which we could not check beyond a quotation).
	KindRequestConsultation = "request_consultation"
	// KindCaseApproval: the written decision granting a licence (行政许可法
	// 第三十八条第一款: "应当依法作出准予行政许可的书面决定"). Its number is
	// the decision number the 双公示 publication carries (第四十条: "准予行政
	// 许可决定，应当予以公开").
	KindCaseApproval = "case_approval"
	// KindCaseDenial: the written decision refusing one, with the reasons and
	// the applicant's right to 行政复议 or 行政诉讼 (第三十八条第二款).
	KindCaseDenial = "case_denial"
)

// KindInfo is what the product knows of a kind: its title, its series
// abbreviation in the document number and the provision it rests on.
type KindInfo struct {
	Kind    string
	Subject string
	Title   string
	// Series is the part of the document number that names the kind, as in
	// "瑶海区安监许延告〔2026〕3号" (地区机关简称 + 性质 + 〔年份〕 + 顺序号).
	Series string
	// Basis is the provision cited in the notice.
	Basis string
}

// Kinds lists every kind of notice.
var Kinds = []KindInfo{
	{KindCasePause, SubjectCase, "行政许可期限扣除告知书", "许扣告", "《中华人民共和国行政许可法》第四十五条"},
	{KindCaseCorrection, SubjectCase, "补正材料通知书", "许补告", "《中华人民共和国行政许可法》第三十二条第一款第（四）项"},
	{KindCaseExtension, SubjectCase, "行政许可延期告知书", "许延告", "《中华人民共和国行政许可法》第四十二条第一款"},
	{KindCaseApproval, SubjectCase, "准予行政许可决定书", "许准决", "《中华人民共和国行政许可法》第三十八条第一款"},
	{KindCaseDenial, SubjectCase, "不予行政许可决定书", "许不决", "《中华人民共和国行政许可法》第三十八条第二款"},
	{KindRequestCorrection, SubjectRequest, "政府信息公开申请补正告知书", "依补告", "《中华人民共和国政府信息公开条例》第三十条"},
	{KindRequestExtension, SubjectRequest, "延长答复期限告知书", "依延告", "《中华人民共和国政府信息公开条例》第三十三条第二款"},
	{KindRequestConsultation, SubjectRequest, "征求第三方意见告知书", "依征告", "《中华人民共和国政府信息公开条例》第三十二条、第三十三条第三款"},
}

// Info describes a kind; ok is false for an unknown one.
func Info(kind string) (KindInfo, bool) {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return KindInfo{}, false
}

// Notice is one written notice as issued.
type Notice struct {
	ID         int64  `db:"id" json:"id"`
	CountyCode string `db:"county_code" json:"-"`
	Subject    string `db:"subject" json:"-"`
	SubjectID  int64  `db:"subject_id" json:"-"`
	Kind       string `db:"kind" json:"kind"`
	Series     string `db:"series" json:"-"`
	DocYear    int    `db:"doc_year" json:"-"`
	DocSeq     int    `db:"doc_seq" json:"-"`
	IssuedOn   string `db:"issued_on" json:"issued_on"`
	// PauseKind is what stops a case's clock (one of cases.PauseKinds) for
	// a case pause or 补正, else "".
	PauseKind string `db:"pause_kind" json:"pause_kind,omitempty"`
	// Reason is the reason or content as staff entered it: what to correct,
	// why the time is needed or extended.
	Reason string `db:"reason" json:"reason"`
	// The period the notice is about, "" or 0 where the kind has none: a
	// pause from its first day to the day it is expected to end, a 补正 period
	// to its last day, the working days of an extension.
	PeriodStart    string `db:"period_start" json:"period_start"`
	PeriodEnd      string `db:"period_end" json:"period_end"`
	PeriodWorkdays int    `db:"period_workdays" json:"period_workdays"`
	// Deadline is the deadline as the clock's owner computed it when the
	// notice was issued ("" where none runs, as while a request awaits its
	// correction).
	Deadline            string    `db:"deadline" json:"deadline"`
	DeadlineProvisional bool      `db:"deadline_provisional" json:"deadline_provisional"`
	IssuedBy            int64     `db:"issued_by" json:"-"`
	CreatedAt           time.Time `db:"created_at" json:"-"`
	// Title and DocNo are filled for the JSON views (see Fill).
	Title string `db:"-" json:"title"`
	DocNo string `db:"-" json:"doc_no"`
	Basis string `db:"-" json:"legal_basis"`
}

// Number is the document number (文书编号) of a notice of a county.
func (n Notice) Number(countyName string) string {
	info, _ := Info(n.Kind)
	return fmt.Sprintf("%s安监%s〔%d〕%d号", countyName, info.Series, n.DocYear, n.DocSeq)
}

// Fill sets the fields the JSON views derive: title, number and basis.
func Fill(list []Notice, countyName string) []Notice {
	for i := range list {
		info, _ := Info(list[i].Kind)
		list[i].Title, list[i].Basis, list[i].DocNo = info.Title, info.Basis, list[i].Number(countyName)
	}
	return list
}

// BodyName is the issuing body: the county's work-safety authority, named as
// the product names it elsewhere (the annual report's "…安全生产监管部门").
func BodyName(countyName string) string { return countyName + "安全生产监管部门" }

// Public is a notice as the tracking pages show it, without a sign-in:
// kind, number, dates, period and the reason with the addressee's own data
// masked. It never carries the addressee.
type Public struct {
	Kind                string `json:"kind"`
	PauseKind           string `json:"pause_kind,omitempty"`
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

// Masked stands for personal data taken out of a public reason.
const Masked = "＊＊＊"

// PublicOf turns notices into their public form. personal lists the
// addressee's own data (name, credit code, contact, phone) the tracking page
// does not show; any of it a clerk typed into a reason is masked.
func PublicOf(list []Notice, countyName string, personal ...string) []Public {
	out := make([]Public, 0, len(list))
	for _, n := range list {
		info, _ := Info(n.Kind)
		out = append(out, Public{Kind: n.Kind, PauseKind: n.PauseKind, Title: info.Title, DocNo: n.Number(countyName), IssuedOn: n.IssuedOn,
			Reason: mask(n.Reason, personal), PeriodStart: n.PeriodStart, PeriodEnd: n.PeriodEnd,
			PeriodWorkdays: n.PeriodWorkdays, Deadline: n.Deadline, DeadlineProvisional: n.DeadlineProvisional, Basis: info.Basis})
	}
	return out
}

// mask replaces every occurrence of the personal strings (two characters or
// more: a one-character "name" would mask ordinary words) in s.
func mask(s string, personal []string) string {
	for _, p := range personal {
		if p = strings.TrimSpace(p); len([]rune(p)) >= 2 {
			s = strings.ReplaceAll(s, p, Masked)
		}
	}
	return s
}
