// Package publicity keeps a county's 双公示: the publication on its portal of
// the licensing and penalty decisions it makes, each due a fixed number of
// working days after the decision, and the withdrawal, with its reason, of a
// published decision that is later revoked or changed.
//
// The modules that make decisions (cases for licences; penalties for
// penalties) record an entry inside the transaction of the decision, so a
// decision never exists without its publication falling due. Staff publish
// an entry after a look at what the public will see; the overdue job lights
// entries not published in time like every other clock.
//
// Sources: 行政许可法 第四十条 ("行政机关作出的准予行政许可决定，应当予以
// 公开"); 行政处罚法 (2021) 第四十八条 ("具有一定社会影响的行政处罚决定应当
// 依法公开。公开的行政处罚决定被依法变更、撤销、确认违法或者确认无效的，
// 行政机关应当在三日内撤回行政处罚决定信息并公开说明理由"), whose 三日 are
// working days by 第八十五条. The 7 working days for publishing come from the
// 双公示 rules of 国办发〔2015〕51号 as provinces and bureaus apply them
// ("行政许可、行政处罚信息自决定做出起7个工作日进行公示"); the text of the
// State Council document itself could not be retrieved with the search tool,
// only bureaus' notices quoting the rule, so the period is a constant here
// and the README says so.
package publicity

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of decision published.
const (
	KindLicensing = "licensing"
	KindPenalty   = "penalty"
)

// KindTitle is the Chinese name of a kind.
func KindTitle(kind string) string {
	switch kind {
	case KindLicensing:
		return "行政许可"
	case KindPenalty:
		return "行政处罚"
	}
	return kind
}

// Entry statuses.
const (
	StatusPending   = "pending"
	StatusPublished = "published"
	StatusWithdrawn = "withdrawn"
)

// StatusTitle is the Chinese name of a status.
func StatusTitle(status string) string {
	switch status {
	case StatusPending:
		return "待公示"
	case StatusPublished:
		return "已公示"
	case StatusWithdrawn:
		return "已撤回"
	}
	return status
}

// Lights of an entry's publication clock.
const (
	WarningNone   = "none"
	WarningYellow = "yellow"
	WarningRed    = "red"
)

// PublishWorkdays is the time to publish a decision, counted in working days
// from the day after it; WithdrawWorkdays the time to withdraw a published
// decision revoked or changed, from the day after the revocation.
const (
	PublishWorkdays  = 7
	WithdrawWorkdays = 3
)

// Decision is what a deciding module records for publication.
type Decision struct {
	CountyCode string
	Kind       string
	// SourceKind and SourceID name the decided record ("case" and the
	// case's id); one entry per record.
	SourceKind string
	SourceID   int64
	DecisionNo string
	ItemCode   string
	ItemName   string
	// PartyName is the applicant or party; PartyIsPerson marks a natural
	// person, whose name is published masked and whose code is not kept.
	PartyName     string
	PartyCode     string
	PartyIsPerson bool
	// Content is the decision as published (许可内容, 处罚结果), and Basis
	// the provisions it rests on.
	Content   string
	Basis     string
	DecidedOn string
}

// Entry is a decision's publication record.
type Entry struct {
	ID             int64     `db:"id" json:"id"`
	CountyCode     string    `db:"county_code" json:"-"`
	Kind           string    `db:"kind" json:"kind"`
	SourceKind     string    `db:"source_kind" json:"source_kind"`
	SourceID       int64     `db:"source_id" json:"source_id"`
	DecisionNo     string    `db:"decision_no" json:"decision_no"`
	ItemCode       string    `db:"item_code" json:"item_code"`
	ItemName       string    `db:"item_name" json:"item_name"`
	PartyName      string    `db:"party_name" json:"party_name"`
	PartyCode      string    `db:"party_code" json:"party_code"`
	Content        string    `db:"content" json:"content"`
	Basis          string    `db:"basis" json:"basis"`
	DecidedOn      string    `db:"decided_on" json:"decided_on"`
	DueOn          string    `db:"due_on" json:"due_on"`
	DueProvisional bool      `db:"due_provisional" json:"due_provisional"`
	Status         string    `db:"status" json:"status"`
	Warning        string    `db:"warning" json:"-"`
	PublishedOn    string    `db:"published_on" json:"published_on"`
	PublishedBy    int64     `db:"published_by" json:"-"`
	RevokedOn      string    `db:"revoked_on" json:"revoked_on"`
	WithdrawDue    string    `db:"withdraw_due" json:"withdraw_due"`
	WithdrawnOn    string    `db:"withdrawn_on" json:"withdrawn_on"`
	WithdrawnBy    int64     `db:"withdrawn_by" json:"-"`
	WithdrawReason string    `db:"withdraw_reason" json:"withdraw_reason"`
	CreatedAt      time.Time `db:"created_at" json:"-"`
	UpdatedAt      time.Time `db:"updated_at" json:"-"`
}

// View is an entry with its light as of today, for staff.
type View struct {
	Entry
	Light string `json:"warning"`
	// Late marks a publication or a withdrawal made after its due day.
	PublishedLate bool `json:"published_late"`
	WithdrawnLate bool `json:"withdrawn_late"`
}

// Public is an entry as the portal shows it: a withdrawn decision keeps its
// number, dates and the reason of the withdrawal, not its content.
type Public struct {
	Kind           string `json:"kind"`
	KindTitle      string `json:"kind_title"`
	DecisionNo     string `json:"decision_no"`
	ItemName       string `json:"item_name"`
	PartyName      string `json:"party_name"`
	PartyCode      string `json:"party_code"`
	Content        string `json:"content"`
	Basis          string `json:"basis"`
	DecidedOn      string `json:"decided_on"`
	PublishedOn    string `json:"published_on"`
	Status         string `json:"status"`
	WithdrawnOn    string `json:"withdrawn_on"`
	WithdrawReason string `json:"withdraw_reason"`
}

// PublicOf turns a published or withdrawn entry into its public form.
func PublicOf(e Entry) Public {
	p := Public{Kind: e.Kind, KindTitle: KindTitle(e.Kind), DecisionNo: e.DecisionNo, ItemName: e.ItemName,
		PartyName: e.PartyName, PartyCode: e.PartyCode, Content: e.Content, Basis: e.Basis, DecidedOn: e.DecidedOn,
		PublishedOn: e.PublishedOn, Status: e.Status, WithdrawnOn: e.WithdrawnOn, WithdrawReason: e.WithdrawReason}
	if e.Status == StatusWithdrawn {
		p.PartyName, p.PartyCode, p.Content, p.Basis = "", "", "", ""
	}
	return p
}

// MaskPersonName keeps a natural person's surname and masks the rest
// ("张三丰" → "张＊＊"), as published decisions show people: 行政处罚法 第四十八条
// and the 条例 第十五条 protect personal privacy in what is published.
func MaskPersonName(name string) string {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(name)
	if n == 1 {
		return "＊"
	}
	return string(first) + strings.Repeat("＊", n-1)
}
