// Package ratings is 政务服务"好差评": the person a case served rates it once
// on five levels, online through the tracking page or at the counter through
// staff; a 差评 (不满意 or 非常不满意) opens a rectification on a working-day
// clock (verify, rectify, call back, close), which the overdue job lights like
// any other clock; the county may appeal a malicious or mistaken rating and
// the province may exclude it (申诉复核). Sources are listed in the README
// ("好差评").
package ratings

import "time"

// The five levels of 国办发〔2019〕51号 and GB/T 39734-2020 (非常满意 ☆☆☆☆☆ …
// 非常不满意 ☆), stored as 5 … 1.
const (
	LevelVeryDissatisfied = 1
	LevelDissatisfied     = 2
	LevelFair             = 3
	LevelSatisfied        = 4
	LevelVerySatisfied    = 5
)

// LevelTitle is the Chinese name of a level.
func LevelTitle(level int) string {
	switch level {
	case LevelVerySatisfied:
		return "非常满意"
	case LevelSatisfied:
		return "满意"
	case LevelFair:
		return "基本满意"
	case LevelDissatisfied:
		return "不满意"
	case LevelVeryDissatisfied:
		return "非常不满意"
	}
	return ""
}

// IsBad reports a 差评: the two lowest levels, which open a rectification.
func IsBad(level int) bool { return level == LevelDissatisfied || level == LevelVeryDissatisfied }

// IsSatisfied reports the levels the satisfaction rate counts as satisfied:
// 基本满意, 满意 and 非常满意 (levels 3–5).
func IsSatisfied(level int) bool { return level >= LevelFair && level <= LevelVerySatisfied }

// Channels a rating comes by.
const (
	// ChannelOnline is the tracking page (网上服务"一事一评").
	ChannelOnline = "online"
	// ChannelCounter is staff entering the person's rating at the counter
	// (现场服务"一次一评").
	ChannelCounter = "counter"
)

// Indicator is one first-level indicator (一级指标) of a channel.
type Indicator struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// OnlineIndicators are the national indicators of a rating made online
// (网上评价): 整体满意度, 办事效率, 办事指南精确度, 办事便捷度, 平台操作性.
var OnlineIndicators = []Indicator{
	{"overall", "整体满意度"}, {"efficiency", "办事效率"}, {"guide_accuracy", "办事指南精确度"},
	{"convenience", "办事便捷度"}, {"operability", "平台操作性"},
}

// CounterIndicators are those of a rating made at the counter (线下评价):
// 整体满意度, 服务效率, 服务水平, 服务态度.
var CounterIndicators = []Indicator{
	{"overall", "整体满意度"}, {"service_efficiency", "服务效率"}, {"service_level", "服务水平"},
	{"service_attitude", "服务态度"},
}

// IndicatorsOf is the indicator set a channel's ratings may carry.
func IndicatorsOf(channel string) []Indicator {
	if channel == ChannelCounter {
		return CounterIndicators
	}
	return OnlineIndicators
}

// indicatorTitle names an indicator code of either set.
func indicatorTitle(code string) string {
	for _, set := range [][]Indicator{OnlineIndicators, CounterIndicators} {
		for _, i := range set {
			if i.Code == code {
				return i.Title
			}
		}
	}
	return code
}

// RectificationWorkdays is the rectification clock: a 差评 is to be put right
// within 15 working days of the rating. The national standard GB/T 39734-2020
// §9.3 (差评处置) sets the period, but its text could not be read with our
// search tool; 15 is the rule of a Sichuan city's 好差评 scheme ("对'不满意'
// 或者'非常不满意'问题，在15个工作日内整改到位", spprec.com, 2020-05-19);
// others are stricter (德州: 5 working days). See the README.
const RectificationWorkdays = 15

// Rectification statuses.
const (
	StatusOpen     = "open"
	StatusClosed   = "closed"
	StatusExcluded = "excluded" // the rating was excluded on appeal
)

// StatusTitle is the Chinese name of a rectification status.
func StatusTitle(s string) string {
	switch s {
	case StatusOpen:
		return "整改中"
	case StatusClosed:
		return "已整改办结"
	case StatusExcluded:
		return "经复核剔除"
	}
	return s
}

// Appeal states (申诉复核).
const (
	AppealNone     = ""
	AppealPending  = "pending"
	AppealExcluded = "excluded"
	AppealRejected = "rejected"
)

// AppealTitle is the Chinese name of an appeal state.
func AppealTitle(s string) string {
	switch s {
	case AppealPending:
		return "申诉待省级复核"
	case AppealExcluded:
		return "申诉成立，评价已剔除"
	case AppealRejected:
		return "申诉未获支持，继续整改"
	}
	return "未申诉"
}

// Warning lights, as on cases.
const (
	WarningNone   = "none"
	WarningYellow = "yellow"
	WarningRed    = "red"
)

// CallbackWays are how the person is called back (回访).
var CallbackWays = []string{"电话", "短信", "上门", "现场", "其他"}

// CallbackViews are the person's view of the rectification when called back.
var CallbackViews = []string{"满意", "基本满意", "不满意"}

// Actions on a rectification.
const (
	ActionVerify   = "verify"   // 核实情况
	ActionRectify  = "rectify"  // 整改情况
	ActionCallback = "callback" // 回访
	ActionClose    = "close"    // 办结
	ActionAppeal   = "appeal"   // 申诉
)

// ActionTitle is the Chinese name of an action.
func ActionTitle(a string) string {
	switch a {
	case ActionVerify:
		return "记录核实情况"
	case ActionRectify:
		return "记录整改情况"
	case ActionCallback:
		return "记录回访结果"
	case ActionClose:
		return "整改办结"
	case ActionAppeal:
		return "提出申诉"
	}
	return a
}

// Rating is a row of the ratings table.
type Rating struct {
	ID         int64     `db:"id" json:"id"`
	CountyCode string    `db:"county_code" json:"county_code"`
	CaseID     int64     `db:"case_id" json:"case_id"`
	TrackingNo string    `db:"tracking_no" json:"tracking_no"`
	ItemCode   string    `db:"item_code" json:"item_code"`
	ItemName   string    `db:"item_name" json:"item_name"`
	Channel    string    `db:"channel" json:"channel"`
	Level      int       `db:"level" json:"level"`
	Indicators string    `db:"indicators" json:"-"`
	Comment    string    `db:"comment" json:"comment"`
	RatedOn    string    `db:"rated_on" json:"rated_on"`
	RatedBy    int64     `db:"rated_by" json:"rated_by"`
	Excluded   bool      `db:"excluded" json:"excluded"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// Rectification is a row of the rectifications table.
type Rectification struct {
	ID             int64     `db:"id" json:"id"`
	CountyCode     string    `db:"county_code" json:"county_code"`
	RatingID       int64     `db:"rating_id" json:"rating_id"`
	CaseID         int64     `db:"case_id" json:"case_id"`
	HandlerID      int64     `db:"handler_id" json:"handler_id"`
	OpenedOn       string    `db:"opened_on" json:"opened_on"`
	Due            string    `db:"due_on" json:"due"`
	DueProvisional bool      `db:"due_provisional" json:"due_provisional"`
	Status         string    `db:"status" json:"status"`
	Warning        string    `db:"warning" json:"-"`
	Verification   string    `db:"verification" json:"verification"`
	VerifiedOn     string    `db:"verified_on" json:"verified_on"`
	VerifiedBy     int64     `db:"verified_by" json:"verified_by"`
	Measures       string    `db:"measures" json:"measures"`
	RectifiedOn    string    `db:"rectified_on" json:"rectified_on"`
	RectifiedBy    int64     `db:"rectified_by" json:"rectified_by"`
	CallbackOn     string    `db:"callback_on" json:"callback_on"`
	CallbackWay    string    `db:"callback_way" json:"callback_way"`
	CallbackView   string    `db:"callback_view" json:"callback_view"`
	CallbackNote   string    `db:"callback_note" json:"callback_note"`
	CallbackBy     int64     `db:"callback_by" json:"callback_by"`
	ClosedOn       string    `db:"closed_on" json:"closed_on"`
	ClosedBy       int64     `db:"closed_by" json:"closed_by"`
	AppealStatus   string    `db:"appeal_status" json:"appeal_status"`
	AppealReason   string    `db:"appeal_reason" json:"appeal_reason"`
	AppealedOn     string    `db:"appealed_on" json:"appealed_on"`
	AppealedBy     int64     `db:"appealed_by" json:"appealed_by"`
	ReviewReason   string    `db:"review_reason" json:"review_reason"`
	ReviewedOn     string    `db:"reviewed_on" json:"reviewed_on"`
	ReviewedBy     int64     `db:"reviewed_by" json:"reviewed_by"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
}

// View is a rectification as staff see it: with its rating and case, and the
// light judged today.
type View struct {
	Rectification
	TrackingNo   string         `db:"tracking_no" json:"tracking_no"`
	ItemCode     string         `db:"item_code" json:"item_code"`
	ItemName     string         `db:"item_name" json:"item_name"`
	Level        int            `db:"level" json:"level"`
	Channel      string         `db:"channel" json:"channel"`
	Comment      string         `db:"comment" json:"comment"`
	RatedOn      string         `db:"rated_on" json:"rated_on"`
	Indicators   map[string]int `db:"-" json:"indicators"`
	WarningLight string         `db:"-" json:"warning"`
	Overdue      bool           `db:"-" json:"overdue"`
}

// Figures are the satisfaction and rectification figures of a county or an
// item. Excluded ratings count nowhere.
type Figures struct {
	ItemCode string `db:"item_code" json:"item_code,omitempty"`
	ItemName string `db:"item_name" json:"item_name,omitempty"`
	// Ratings counts the ratings that stand.
	Ratings int `db:"ratings" json:"ratings"`
	// Satisfied counts the ratings of levels 3–5 (基本满意, 满意, 非常满意).
	Satisfied int `db:"satisfied" json:"satisfied"`
	// Bad counts the 差评 (levels 1–2) that stand, Rectified those of them
	// whose rectification is closed.
	Bad       int `db:"bad" json:"bad"`
	Rectified int `db:"rectified" json:"rectified"`
}

// SatisfactionRate is satisfied / ratings; nil when there is no rating, so
// "no rating yet" never reads as 0 % or 100 %.
func (f Figures) SatisfactionRate() *float64 { return ratio(f.Satisfied, f.Ratings) }

// RectificationRate is rectified / 差评; nil when there is no 差评.
func (f Figures) RectificationRate() *float64 { return ratio(f.Rectified, f.Bad) }

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}
