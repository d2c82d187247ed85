// Package onspot is the 简易程序 of 行政处罚法 (2021): an on-the-spot
// decision (当场行政处罚决定) of a 警告 or a small fine made by two officers
// where the facts are established and have a legal basis (第五十一条 to
// 第五十三条), reported to the bureau (备案, 第五十二条第三款), with the fine
// either collected on the spot against a 专用票据 (第六十八条 to 第七十条)
// and deposited on the clock of 第七十一条, or paid at the bank within
// fifteen days (第六十七条). Sources are listed in the README ("简易程序").
package onspot

import (
	"fmt"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/penalties"
)

// Permissions of the module (rbac/policy.csv).
const (
	// ReadPermission reads the county's on-the-spot decisions.
	ReadPermission = "onspot:read"
	// RecordPermission is an enforcement officer's: records a decision, the
	// hand-over of cash collected and a bank payment.
	RecordPermission = "onspot:record"
	// FilePermission is the bureau's (负责人 or 法制): acknowledges the
	// 备案 of a decision and records the deposit at the bank.
	FilePermission = "onspot:file"
)

// Party kinds, as in modules/penalties.
const (
	PartyOrganization = penalties.PartyOrganization
	PartyIndividual   = penalties.PartyIndividual
)

// Penalties of the 简易程序 (第五十一条: 警告 or 罚款 only).
const (
	PenaltyWarning = "warning"
	PenaltyFine    = "fine"
)

// PenaltyTitle is the Chinese name of a penalty.
func PenaltyTitle(p string) string {
	switch p {
	case PenaltyWarning:
		return "警告"
	case PenaltyFine:
		return "罚款"
	}
	return p
}

// Fine limits of 第五十一条: "对公民处以二百元以下、对法人或者其他组织处以
// 三千元以下罚款或者警告的行政处罚的，可以当场作出行政处罚决定" (含本数).
const (
	MaxFineIndividualYuan   = 200
	MaxFineOrganizationYuan = 3000
)

// MaxFine is the limit of 第五十一条 for a party kind.
func MaxFine(partyKind string) int64 {
	if partyKind == PartyIndividual {
		return MaxFineIndividualYuan
	}
	return MaxFineOrganizationYuan
}

// MinOfficers is 第四十二条第一款: "执法人员不得少于两人，法律另有规定的除外";
// no law we could find makes an exception for work safety, so the 简易程序
// also takes two. MaxOfficers bounds the form.
const (
	MinOfficers = 2
	MaxOfficers = 4
)

// Ways of paying the fine.
const (
	// PaymentBank is payment at the designated bank or through the
	// electronic payment system within PaymentDays (第六十七条第三款).
	PaymentBank = "bank"
	// PaymentOnSpot is 当场收缴 (第六十八条, 第六十九条).
	PaymentOnSpot = "on_spot"
)

// Grounds of 当场收缴.
const (
	// GroundSmall is 第六十八条第（一）项: "依法给予一百元以下罚款的".
	GroundSmall = "small"
	// GroundHardToEnforce is 第六十八条第（二）项: "不当场收缴事后难以执行的".
	GroundHardToEnforce = "hard_to_enforce"
	// GroundRemote is 第六十九条: in 边远、水上、交通不便地区, where paying at
	// the bank or electronically is really difficult, on the party's request.
	GroundRemote = "remote"
)

// GroundTitle is the Chinese title of a ground of 当场收缴.
func GroundTitle(g string) string {
	switch g {
	case GroundSmall:
		return "依法给予一百元以下罚款（第六十八条第（一）项）"
	case GroundHardToEnforce:
		return "不当场收缴事后难以执行（第六十八条第（二）项）"
	case GroundRemote:
		return "边远、水上、交通不便地区，当事人提出到银行或通过电子支付系统缴纳确有困难（第六十九条）"
	}
	return g
}

// Grounds lists the grounds of 当场收缴 in the form's order.
var Grounds = []string{GroundSmall, GroundHardToEnforce, GroundRemote}

// SmallFineYuan is the bound of 第六十八条第（一）项 (含本数).
const SmallFineYuan = 100

// PaymentDays is 第六十七条第三款: "自收到行政处罚决定书之日起十五日内"
// (natural days); the 简易程序 hands the decision over on the spot
// (第五十二条第一款), so it is received on decided_on.
const PaymentDays = 15

// DepositWorkdays is 第七十一条: the officer hands cash collected to the
// bureau "自收缴罚款之日起二日内", and the bureau pays it into the bank
// "在二日内"; 二日 are working days (第八十五条). The law's water case
// (自抵岸之日起) is not modelled: the officer records the day of landing as
// collected_on.
const DepositWorkdays = 2

// Warning lights.
const (
	WarningNone   = "none"
	WarningYellow = "yellow"
	WarningRed    = "red"
)

// Deposit stages.
const (
	StageHandOver = "hand_over" // officer → bureau
	StageBank     = "bank"      // bureau → bank
)

// Decision is one 当场行政处罚决定.
type Decision struct {
	ID         int64  `db:"id" json:"id"`
	CountyCode string `db:"county_code" json:"county_code"`
	DecisionNo string `db:"decision_no" json:"decision_no"`
	DocYear    int    `db:"doc_year" json:"doc_year"`
	DocSeq     int    `db:"doc_seq" json:"doc_seq"`
	ItemCode   string `db:"item_code" json:"item_code"`
	ItemVer    int    `db:"item_version" json:"item_version"`
	ItemName   string `db:"item_name" json:"item_name"`
	PartyKind  string `db:"party_kind" json:"-"`
	// PartyName is an organisation's name (plain) or, once opened, a
	// natural person's name (sealed in party_person_name).
	PartyName       string `db:"party_name" json:"-"`
	PartyPersonName string `db:"party_person_name" json:"-"`
	PartyCreditCode string `db:"party_credit_code" json:"-"`
	PartyIDNumber   string `db:"party_id_number" json:"-"`
	Facts           string `db:"facts" json:"facts"`
	LegalBasis      string `db:"legal_basis" json:"legal_basis"`
	Penalty         string `db:"penalty" json:"penalty"`
	FineYuan        int64  `db:"fine_yuan" json:"fine_yuan"`
	Place           string `db:"place" json:"place"`
	DecidedOn       string `db:"decided_on" json:"decided_on"`
	Informed        bool   `db:"informed" json:"informed"`
	Statement       string `db:"statement" json:"statement"`
	RefusedToSign   bool   `db:"refused_to_sign" json:"refused_to_sign"`
	Payment         string `db:"payment" json:"payment"`
	Ground          string `db:"ground" json:"ground"`
	GroundNote      string `db:"ground_note" json:"ground_note"`
	ReceiptNo       string `db:"receipt_no" json:"receipt_no"`
	CollectedOn     string `db:"collected_on" json:"collected_on"`
	HandedOn        string `db:"handed_on" json:"handed_on"`
	HandedBy        int64  `db:"handed_by" json:"handed_by"`
	BankedOn        string `db:"banked_on" json:"banked_on"`
	BankedBy        int64  `db:"banked_by" json:"banked_by"`
	DepositWarning  string `db:"deposit_warning" json:"deposit_warning"`
	// PaymentWarning is the bank payment's light as the overdue job last
	// raised it (red once payment_due has passed unpaid).
	PaymentWarning string    `db:"payment_warning" json:"-"`
	PaymentDue     string    `db:"payment_due" json:"payment_due"`
	PaidOn         string    `db:"paid_on" json:"paid_on"`
	PaidFen        int64     `db:"paid_fen" json:"paid_fen"`
	FiledOn        string    `db:"filed_on" json:"filed_on"`
	FiledBy        int64     `db:"filed_by" json:"filed_by"`
	FiledByName    string    `db:"filed_by_name" json:"filed_by_name"`
	CreatedBy      int64     `db:"created_by" json:"created_by"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
}

// Officer is an officer present at a decision with the number of the
// enforcement certificate shown to the party (第五十二条第一款).
type Officer struct {
	UserID int64  `db:"user_id" json:"user_id"`
	CertNo string `db:"cert_no" json:"cert_no"`
	Name   string `db:"name" json:"name"`
}

// Number is the decision's number: 瑶海区应急罚当〔2026〕第1号.
func Number(countyName string, year, seq int) string {
	return penalties.Number(countyName, Series, year, seq)
}

// Series is the number series of 当场行政处罚决定书.
const Series = "罚当"

// MaskedName is a natural person's name as lists and logs show it: the
// surname and 某某.
func MaskedName(name string) string {
	r := []rune(name)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + "某某"
}

// DepositStage is the deposit step a decision collected on the spot is
// waiting for ("" when none is).
func DepositStage(d Decision) string {
	switch {
	case d.Payment != PaymentOnSpot || d.CollectedOn == "":
		return ""
	case d.HandedOn == "":
		return StageHandOver
	case d.BankedOn == "":
		return StageBank
	}
	return ""
}

// Dues are the deposit clock's dates.
type Dues struct {
	// HandOver is the last day the officer may hand the cash to the
	// bureau; Bank the last day the bureau may pay it into the bank ("" until
	// handed over).
	HandOver, Bank string
}

// AddWorkdays counts working days in a province (calendar.Calendar).
type AddWorkdays func(province string, from time.Time, n int) time.Time

// DepositDues computes the clock of 第七十一条: two working days from the
// day collected, then two from the day handed over.
func DepositDues(d Decision, province string, add AddWorkdays) Dues {
	var out Dues
	if d.Payment != PaymentOnSpot || d.CollectedOn == "" {
		return out
	}
	if from, err := calendar.ParseDate(d.CollectedOn); err == nil {
		out.HandOver = calendar.FormatDate(add(province, from, DepositWorkdays))
	}
	if from, err := calendar.ParseDate(d.HandedOn); err == nil && d.HandedOn != "" {
		out.Bank = calendar.FormatDate(add(province, from, DepositWorkdays))
	}
	return out
}

// DepositLight is the deposit clock's light on a day: yellow on the last
// day of the stage waited for, red after it.
func DepositLight(d Decision, dues Dues, today time.Time) string {
	due := ""
	switch DepositStage(d) {
	case StageHandOver:
		due = dues.HandOver
	case StageBank:
		due = dues.Bank
	}
	if due == "" {
		return WarningNone
	}
	t := calendar.FormatDate(today)
	switch {
	case t > due:
		return WarningRed
	case t == due:
		return WarningYellow
	}
	return WarningNone
}

// SurchargeFen is the 加处罚款 of a fine paid at the bank (第七十二条第一款第
// （一）项, penalties.SurchargeFen) as of a day.
func SurchargeFen(d Decision, asOf time.Time) int64 {
	if d.Payment != PaymentBank || d.PaymentDue == "" {
		return 0
	}
	return penalties.SurchargeFen(d.FineYuan, d.PaymentDue, d.PaidOn, asOf, nil)
}

// PaymentLight is the bank payment's light: red once payment_due has
// passed unpaid (the surcharge runs).
func PaymentLight(d Decision, today time.Time) string {
	if d.Payment == PaymentBank && d.PaidOn == "" && d.PaymentDue != "" && calendar.FormatDate(today) > d.PaymentDue {
		return WarningRed
	}
	return WarningNone
}

// PaymentDueOf is decided_on + PaymentDays.
func PaymentDueOf(decidedOn string) string {
	d, err := calendar.ParseDate(decidedOn)
	if err != nil {
		return ""
	}
	return calendar.FormatDate(d.AddDate(0, 0, PaymentDays))
}

// partyLabel names the party in stored messages: a natural person by
// surname only.
func partyLabel(d Decision) string {
	if d.PartyKind == PartyIndividual {
		return MaskedName(d.PartyName)
	}
	return d.PartyName
}

// depositMessage is the overdue job's message of a light.
func depositMessage(d Decision, stage, due, light string) string {
	what := map[string]string{StageHandOver: "执法人员交至行政机关", StageBank: "行政机关缴付指定银行"}[stage]
	state := map[string]string{WarningYellow: "今日届满", WarningRed: "已逾期"}[light]
	return fmt.Sprintf("当场收缴的罚款 %s（%s，%d元）%s的期限 %s %s（《行政处罚法》第七十一条）", d.DecisionNo, partyLabel(d), d.FineYuan, what, due, state)
}
