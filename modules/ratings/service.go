package ratings

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/db"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
	"safetypilot/web"
)

// Service holds the rating and rectification rules.
type Service struct {
	db    *db.DB
	store *Store
	cal   *calendar.Calendar
	// Now is the wall clock; tests replace it to travel in time.
	Now func() time.Time
}

// NewService wires the rules on the shared working-day calendar.
func NewService(database *db.DB, cal *calendar.Calendar) *Service {
	return &Service{db: database, store: NewStore(database), cal: cal, Now: time.Now}
}

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// Actor is who acts on a rectification, with the case permissions they hold
// in its county: the handler's work (核实, 整改, 回访) is cases:handle, closing
// and appealing are cases:approve (the county's reviewers, leaders and
// administrators).
type Actor struct {
	ID         int64
	CanHandle  bool
	CanApprove bool
}

// RateInput is a rating as the person gives it.
type RateInput struct {
	// Phone is the number the case was filed with (online ratings only).
	Phone      string         `json:"phone"`
	Level      int            `json:"level"`
	Indicators map[string]int `json:"indicators"`
	Comment    string         `json:"comment"`
}

// maxComment bounds a comment, in characters.
const maxComment = 1000

// Rateable reports whether a case in this status may be rated: once it is
// decided (准予 or 不予许可), delivered (送达办结) or refused (不予受理).
// Withdrawn and open cases may not.
func Rateable(status string) bool {
	switch status {
	case cases.StatusApproved, cases.StatusDenied, cases.StatusDelivered, cases.StatusNotAccepted:
		return true
	}
	return false
}

// validate checks a rating's level, indicators and comment for channel.
func (in *RateInput) validate(channel string) error {
	f := map[string]string{}
	in.Comment = strings.TrimSpace(in.Comment)
	if LevelTitle(in.Level) == "" {
		f["level"] = "评价等级应为1（非常不满意）至5（非常满意）"
	}
	allowed := map[string]bool{}
	for _, i := range IndicatorsOf(channel) {
		allowed[i.Code] = true
	}
	for code, v := range in.Indicators {
		switch {
		case !allowed[code]:
			f["indicators."+code] = "该渠道没有此评价指标"
		case LevelTitle(v) == "":
			f["indicators."+code] = "指标评价应为1至5"
		}
	}
	if utf8.RuneCountInString(in.Comment) > maxComment {
		f["comment"] = fmt.Sprintf("评价内容不超过%d字", maxComment)
	}
	if IsBad(in.Level) && in.Comment == "" && f["level"] == "" {
		f["comment"] = "选择“不满意”或“非常不满意”时，请写明不满意的原因"
	}
	if len(f) > 0 {
		return apperr.Invalid("评价内容有误", f)
	}
	return nil
}

// phoneDigits keeps the digits of a phone number, so "0551-64000001" and
// "0551 6400 0001" are the same number.
func phoneDigits(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsDigit(r) && r < utf8.RuneSelf {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// errNoSuchCase is the one answer to an unknown tracking number and a phone
// that is not the case's: the rating endpoint never tells them apart.
var errNoSuchCase = &apperr.Error{Status: 404, Code: "not_found", Message: "未找到该办件，或联系电话与申请时登记的不一致"}

// RatePublic records the rating of a case given online with its tracking
// number and the phone it was filed with. Bad input is 400 before anything
// is looked up; an unknown number and a wrong phone are the same 404; a case
// not yet decided, or already rated, is 409.
func (s *Service) RatePublic(ctx context.Context, county, tracking string, in RateInput) (Rating, error) {
	if err := in.validate(ChannelOnline); err != nil {
		return Rating{}, err
	}
	phone := phoneDigits(in.Phone)
	if phone == "" {
		return Rating{}, apperr.InvalidField("phone", "请填写申请时登记的联系电话")
	}
	c, err := s.store.caseByTracking(ctx, county, strings.ToUpper(strings.TrimSpace(tracking)))
	if err == apperr.ErrNotFound {
		return Rating{}, errNoSuchCase
	}
	if err != nil {
		return Rating{}, err
	}
	if ok, err := s.store.phoneMatches(c, phone); err != nil {
		return Rating{}, err
	} else if !ok {
		return Rating{}, errNoSuchCase
	}
	return s.rate(ctx, c, ChannelOnline, 0, in)
}

// RateCounter records a rating staff enter at the counter on the person's
// behalf; it uses the counter indicators and needs no phone.
func (s *Service) RateCounter(ctx context.Context, county string, caseID int64, by int64, in RateInput) (Rating, error) {
	if err := in.validate(ChannelCounter); err != nil {
		return Rating{}, err
	}
	c, err := s.store.caseByID(ctx, county, caseID)
	if err != nil {
		return Rating{}, err
	}
	return s.rate(ctx, c, ChannelCounter, by, in)
}

func (s *Service) rate(ctx context.Context, c caseRow, channel string, by int64, in RateInput) (Rating, error) {
	if !Rateable(c.Status) {
		return Rating{}, apperr.Conflict("not_rateable", "办件作出决定、送达办结或不予受理后才能评价")
	}
	indicators := in.Indicators
	if indicators == nil {
		indicators = map[string]int{}
	}
	ind, err := json.Marshal(indicators)
	if err != nil {
		return Rating{}, err
	}
	today := s.today()
	now := db.Now()
	r := Rating{CountyCode: c.CountyCode, CaseID: c.ID, TrackingNo: c.TrackingNo, ItemCode: c.ItemCode, ItemName: c.ItemName,
		Channel: channel, Level: in.Level, Indicators: string(ind), Comment: in.Comment, RatedOn: calendar.FormatDate(today),
		RatedBy: by, CreatedAt: now}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.store.insertRating(ctx, tx, &r); err != nil {
			if db.IsDuplicate(err) {
				return apperr.Conflict("already_rated", "该办件已评价，每件只能评价一次")
			}
			return fmt.Errorf("ratings: insert: %w", err)
		}
		web.SetAuditSubject(ctx, c.TrackingNo)
		web.AddAuditDetail(ctx, "level="+strconv.Itoa(r.Level)+" channel="+channel)
		if !IsBad(r.Level) {
			return nil
		}
		due, trace := s.cal.AddWorkdays(rbac.ProvinceOf(c.CountyCode), today, RectificationWorkdays, nil)
		handler := c.HandlerID
		if handler == 0 {
			handler = c.CreatedBy
		}
		x := Rectification{CountyCode: c.CountyCode, RatingID: r.ID, CaseID: c.ID, HandlerID: handler,
			OpenedOn: r.RatedOn, Due: calendar.FormatDate(due), DueProvisional: trace.Provisional(), Status: StatusOpen,
			Warning: WarningNone, CreatedAt: now, UpdatedAt: now}
		if err := s.store.insertRectification(ctx, tx, &x); err != nil {
			return err
		}
		msg := fmt.Sprintf("办件 %s（%s）收到“%s”评价，请核实整改并回访，整改期限 %s", c.TrackingNo, c.ItemName, LevelTitle(r.Level), x.Due)
		return s.notify(ctx, tx, c.CountyCode, handler, notices.KindRectification, msg)
	})
	return r, err
}

// notify leaves msg for the county administrators and also (the handler).
func (s *Service) notify(ctx context.Context, tx *sqlx.Tx, county string, also int64, kind, msg string) error {
	recipients, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, county)
	if err != nil {
		return err
	}
	if also != 0 && !containsID(recipients, also) {
		recipients = append(recipients, also)
	}
	for _, uid := range recipients {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
			VALUES (?, ?, 0, ?, ?, ?)`, county, uid, kind, msg, db.Now()); err != nil {
			return fmt.Errorf("ratings: notice: %w", err)
		}
	}
	return nil
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// CaseState is what the tracking page shows about rating a case.
type CaseState struct {
	Rateable bool
	Rated    bool
}

// StateOf tells whether a county's case (by tracking number) may be rated
// and whether it has been.
func (s *Service) StateOf(ctx context.Context, county, tracking string) (CaseState, error) {
	c, err := s.store.caseByTracking(ctx, county, tracking)
	if err != nil {
		return CaseState{}, err
	}
	rated, err := s.store.rated(ctx, county, c.ID)
	return CaseState{Rateable: Rateable(c.Status), Rated: rated}, err
}

// StateOfCase is StateOf for a case by id, with its tracking number.
func (s *Service) StateOfCase(ctx context.Context, county string, id int64) (CaseState, string, error) {
	c, err := s.store.caseByID(ctx, county, id)
	if err != nil {
		return CaseState{}, "", err
	}
	rated, err := s.store.rated(ctx, county, c.ID)
	return CaseState{Rateable: Rateable(c.Status), Rated: rated}, c.TrackingNo, err
}

// light judges a rectification's light today: red once past due, yellow from
// the working day before it (as on cases), none when it is no longer open.
func (s *Service) light(v *View, today time.Time) {
	v.WarningLight = WarningNone
	if v.Status != StatusOpen {
		return
	}
	todayStr := calendar.FormatDate(today)
	next := calendar.FormatDate(s.cal.NextWorkday(rbac.ProvinceOf(v.CountyCode), today))
	switch {
	case v.Due < todayStr:
		v.WarningLight, v.Overdue = WarningRed, true
	case v.Due <= next:
		v.WarningLight = WarningYellow
	}
}

// List returns a county's rectifications (status "" for all), open ones first.
func (s *Service) List(ctx context.Context, county, status string) ([]View, error) {
	if status != "" && status != StatusOpen && status != StatusClosed && status != StatusExcluded {
		return nil, apperr.InvalidField("status", "状态应为 open、closed 或 excluded")
	}
	list, err := s.store.list(ctx, county, status)
	today := s.today()
	for i := range list {
		s.light(&list[i], today)
	}
	return list, err
}

// Get returns one of a county's rectifications.
func (s *Service) Get(ctx context.Context, county string, id int64) (View, error) {
	v, err := s.store.get(ctx, s.db, county, id)
	if err == nil {
		s.light(&v, s.today())
	}
	return v, err
}

// ActionInput is one step of a rectification; each action reads its fields.
type ActionInput struct {
	Action       string `json:"action"`
	Verification string `json:"verification"`
	VerifiedOn   string `json:"verified_on"`
	Measures     string `json:"measures"`
	RectifiedOn  string `json:"rectified_on"`
	CallbackOn   string `json:"callback_on"`
	CallbackWay  string `json:"callback_way"`
	CallbackView string `json:"callback_view"`
	CallbackNote string `json:"callback_note"`
	Reason       string `json:"reason"`
}

// maxText bounds the free texts of a rectification, in characters.
const maxText = 2000

// Act records one step of a rectification: 404 when the county has no such
// rectification, 403 when the actor's role does not take this step, 409 when
// it is not the time for it, 400 naming the field for bad input (nothing is
// stored then).
func (s *Service) Act(ctx context.Context, county string, id int64, act Actor, in ActionInput) (View, error) {
	var out View
	today := s.today()
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		v, err := s.store.get(ctx, tx, county, id)
		if err != nil {
			return err
		}
		switch in.Action {
		case ActionVerify, ActionRectify, ActionCallback:
			if !act.CanHandle {
				return apperr.ErrForbidden
			}
		case ActionClose, ActionAppeal:
			if !act.CanApprove {
				return apperr.ErrForbidden
			}
		default:
			return apperr.InvalidField("action", "操作应为 verify、rectify、callback、close 或 appeal")
		}
		if v.Status != StatusOpen {
			return apperr.Conflict("rectification_closed", "该整改已办结或已剔除")
		}
		f := map[string]string{}
		text := func(field, value, missing string) string {
			value = strings.TrimSpace(value)
			switch {
			case value == "":
				f[field] = missing
			case utf8.RuneCountInString(value) > maxText:
				f[field] = fmt.Sprintf("不超过%d字", maxText)
			}
			return value
		}
		date := func(field, value string) string {
			value = strings.TrimSpace(value)
			d, err := calendar.ParseDate(value)
			switch {
			case value == "":
				f[field] = "请填写日期"
			case err != nil:
				f[field] = "日期格式应为 YYYY-MM-DD"
			case d.After(today):
				f[field] = "日期不能晚于今天"
			case value < v.RatedOn:
				f[field] = "日期不能早于评价日期（" + v.RatedOn + "）"
			}
			return value
		}
		now := db.Now()
		var update string
		var args []any
		switch in.Action {
		case ActionVerify:
			t, d := text("verification", in.Verification, "请填写核实情况"), date("verified_on", in.VerifiedOn)
			update, args = `verification = ?, verified_on = ?, verified_by = ?`, []any{t, d, act.ID}
		case ActionRectify:
			if v.VerifiedOn == "" {
				return apperr.Conflict("not_verified", "请先记录核实情况")
			}
			t, d := text("measures", in.Measures, "请填写整改情况"), date("rectified_on", in.RectifiedOn)
			update, args = `measures = ?, rectified_on = ?, rectified_by = ?`, []any{t, d, act.ID}
		case ActionCallback:
			if v.RectifiedOn == "" {
				return apperr.Conflict("not_rectified", "请先记录整改情况")
			}
			d := date("callback_on", in.CallbackOn)
			if !oneOf(CallbackWays, in.CallbackWay) {
				f["callback_way"] = "回访方式应为" + strings.Join(CallbackWays, "、") + "之一"
			}
			if !oneOf(CallbackViews, in.CallbackView) {
				f["callback_view"] = "评价人意见应为满意、基本满意或不满意"
			}
			note := strings.TrimSpace(in.CallbackNote)
			if utf8.RuneCountInString(note) > maxText {
				f["callback_note"] = fmt.Sprintf("不超过%d字", maxText)
			}
			update, args = `callback_on = ?, callback_way = ?, callback_view = ?, callback_note = ?, callback_by = ?`,
				[]any{d, in.CallbackWay, in.CallbackView, note, act.ID}
		case ActionClose:
			if v.CallbackOn == "" {
				return apperr.Conflict("no_callback", "整改办结前须回访评价人并记录结果")
			}
			if v.AppealStatus == AppealPending {
				return apperr.Conflict("appeal_pending", "申诉正在省级复核，复核后再办结")
			}
			update, args = `status = ?, closed_on = ?, closed_by = ?`, []any{StatusClosed, calendar.FormatDate(today), act.ID}
		case ActionAppeal:
			if v.AppealStatus != AppealNone {
				return apperr.Conflict("already_appealed", "该评价已申诉过，每条评价只能申诉一次")
			}
			t := text("reason", in.Reason, "请写明申诉理由（恶意差评或误评的依据）")
			update, args = `appeal_status = ?, appeal_reason = ?, appealed_on = ?, appealed_by = ?`,
				[]any{AppealPending, t, calendar.FormatDate(today), act.ID}
		}
		if len(f) > 0 {
			return apperr.Invalid("请检查填写的内容", f)
		}
		// Guarded on the state read above, so two concurrent requests do not
		// both close, or both appeal, the same rectification.
		res, err := tx.ExecContext(ctx, `UPDATE rectifications SET `+update+`, updated_at = ?
			WHERE county_code = ? AND id = ? AND status = ? AND appeal_status = ?`,
			append(args, now, county, id, StatusOpen, v.AppealStatus)...)
		if err != nil {
			return fmt.Errorf("ratings: act: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.Conflict("rectification_changed", "该整改刚被他人更新，请刷新后重试")
		}
		web.SetAuditSubject(ctx, "rectification "+strconv.FormatInt(id, 10)+" "+v.TrackingNo)
		if out, err = s.store.get(ctx, tx, county, id); err != nil {
			return err
		}
		return nil
	})
	if err == nil {
		s.light(&out, today)
	}
	return out, err
}

func oneOf(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// ReviewInput is the province's decision on an appeal.
type ReviewInput struct {
	// Decision is "exclude" (the rating is set aside) or "reject" (it stands
	// and the rectification goes on).
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// Review decides an appeal (申诉复核) of a county of province: excluding the
// rating takes it out of every figure and closes its rectification as
// excluded; rejecting lets the rectification continue. A county outside
// the province is 404, as if it had no such rectification.
func (s *Service) Review(ctx context.Context, province, county string, id, by int64, in ReviewInput) (View, error) {
	var out View
	if rbac.ProvinceOf(county) != province {
		return out, apperr.ErrNotFound
	}
	today := calendar.FormatDate(s.today())
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		v, err := s.store.get(ctx, tx, county, id)
		if err != nil {
			return err
		}
		f := map[string]string{}
		if in.Decision != "exclude" && in.Decision != "reject" {
			f["decision"] = "复核决定应为 exclude（剔除该评价）或 reject（不予支持）"
		}
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			f["reason"] = "请写明复核理由"
		} else if utf8.RuneCountInString(reason) > maxText {
			f["reason"] = fmt.Sprintf("不超过%d字", maxText)
		}
		if v.AppealStatus != AppealPending {
			return apperr.Conflict("no_pending_appeal", "该评价没有待复核的申诉")
		}
		if len(f) > 0 {
			return apperr.Invalid("请检查复核决定", f)
		}
		now := db.Now()
		web.SetAuditSubject(ctx, "rectification "+strconv.FormatInt(id, 10)+" "+v.TrackingNo)
		web.AddAuditDetail(ctx, "appeal "+in.Decision+": "+reason)
		var res sql.Result
		if in.Decision == "reject" {
			res, err = tx.ExecContext(ctx, `UPDATE rectifications SET appeal_status = ?, review_reason = ?, reviewed_on = ?,
				reviewed_by = ?, updated_at = ? WHERE county_code = ? AND id = ? AND appeal_status = ?`,
				AppealRejected, reason, today, by, now, county, id, AppealPending)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE rectifications SET appeal_status = ?, review_reason = ?, reviewed_on = ?,
				reviewed_by = ?, status = ?, closed_on = ?, closed_by = ?, updated_at = ? WHERE county_code = ? AND id = ?
				AND appeal_status = ?`, AppealExcluded, reason, today, by, StatusExcluded, today, by, now, county, id, AppealPending)
		}
		if err != nil {
			return fmt.Errorf("ratings: review: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.Conflict("no_pending_appeal", "该评价没有待复核的申诉")
		}
		if in.Decision == "exclude" {
			if _, err = tx.ExecContext(ctx, `UPDATE ratings SET excluded = ? WHERE county_code = ? AND id = ?`, true, county, v.RatingID); err != nil {
				return fmt.Errorf("ratings: exclude: %w", err)
			}
		}
		out, err = s.store.get(ctx, tx, county, id)
		return err
	})
	if err == nil {
		s.light(&out, s.today())
	}
	return out, err
}

// Appeals lists the appeals of a province's counties, pending ones first.
func (s *Service) Appeals(ctx context.Context, province string) ([]View, error) {
	list, err := s.store.appeals(ctx, province)
	today := s.today()
	for i := range list {
		s.light(&list[i], today)
	}
	return list, err
}

// Summary is a county's satisfaction figures (the public summary endpoint).
func (s *Service) Summary(ctx context.Context, county string) (Figures, error) {
	return s.store.figures(ctx, county)
}

// ByItem is a county's figures per item, by item code.
func (s *Service) ByItem(ctx context.Context, county string) ([]Figures, error) {
	return s.store.figuresByItem(ctx, county)
}

// Flags counts what one run of the overdue job raised.
type Flags struct {
	DueSoon int
	Overdue int
}

// String is the run's summary in the job record.
func (f Flags) String() string {
	return fmt.Sprintf("差评整改即将到期%d件、超期%d件", f.DueSoon, f.Overdue)
}

// FlagOverdue raises the lights of open rectifications exactly once each:
// yellow from the working day before the due date, red once it has passed
// (straight to red when the job did not run in between), with a notice to
// the case's handler and the county administrators. A guarded update makes
// each light go out once however many replicas run the job.
func (s *Service) FlagOverdue(ctx context.Context) (Flags, error) {
	var res Flags
	today := s.today()
	todayStr := calendar.FormatDate(today)
	for _, pass := range []struct {
		from, to string
		count    *int
	}{
		{WarningNone, WarningRed, &res.Overdue},
		{WarningYellow, WarningRed, &res.Overdue},
		{WarningNone, WarningYellow, &res.DueSoon},
	} {
		var list []Rectification
		if err := s.db.SelectContext(ctx, &list, `SELECT `+rectificationColumns+` FROM rectifications x
			WHERE x.status = ? AND x.warning = ? AND x.due_on <= ? ORDER BY x.id LIMIT 5000`,
			StatusOpen, pass.from, calendar.FormatDate(today.AddDate(0, 0, 30))); err != nil {
			return res, fmt.Errorf("ratings: overdue scan: %w", err)
		}
		for _, x := range list {
			v := View{Rectification: x}
			s.light(&v, today)
			if v.WarningLight != pass.to {
				continue
			}
			state := "即将到期"
			if pass.to == WarningRed {
				state = "已超期"
			}
			msg := fmt.Sprintf("差评整改 %d %s（整改期限 %s，今天 %s）", x.ID, state, x.Due, todayStr)
			ok, err := s.flagOnce(ctx, x, pass.from, pass.to, msg)
			if err != nil {
				return res, err
			}
			if ok {
				*pass.count++
			}
		}
	}
	return res, nil
}

func (s *Service) flagOnce(ctx context.Context, x Rectification, from, to, msg string) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, `UPDATE rectifications SET warning = ? WHERE county_code = ? AND id = ? AND warning = ? AND status = ?`,
			to, x.CountyCode, x.ID, from, StatusOpen)
		if err != nil {
			return fmt.Errorf("ratings: flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		kind := notices.KindRectificationYellow
		if to == WarningRed {
			kind = notices.KindRectificationRed
		}
		return s.notify(ctx, tx, x.CountyCode, x.HandlerID, kind, msg)
	})
	return changed, err
}

// sortedIndicators lists a rating's indicators in the channel's order, for pages.
func sortedIndicators(channel string, values map[string]int) []indicatorValue {
	var out []indicatorValue
	for _, i := range IndicatorsOf(channel) {
		if v, ok := values[i.Code]; ok {
			out = append(out, indicatorValue{Title: i.Title, Level: v})
		}
	}
	// Codes of the other set (not accepted, but shown if ever stored).
	var rest []string
	for code := range values {
		found := false
		for _, i := range IndicatorsOf(channel) {
			found = found || i.Code == code
		}
		if !found {
			rest = append(rest, code)
		}
	}
	sort.Strings(rest)
	for _, code := range rest {
		out = append(out, indicatorValue{Title: indicatorTitle(code), Level: values[code]})
	}
	return out
}

// indicatorValue is one indicator's level as pages show it.
type indicatorValue struct {
	Title string
	Level int
}
