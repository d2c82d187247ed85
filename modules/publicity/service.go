package publicity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/notices"
	"safetypilot/modules/written"
	"safetypilot/rbac"
	"safetypilot/web"
)

// Service holds the 双公示 rules.
type Service struct {
	db    *db.DB
	store *Store
	cal   *calendar.Calendar
	// Now is the wall clock; tests replace it to travel in time.
	Now func() time.Time
}

// NewService wires the rules to the database and the working-day calendar.
func NewService(database *db.DB, cal *calendar.Calendar) *Service {
	return &Service{db: database, store: &Store{db: database}, cal: cal, Now: time.Now}
}

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// Record stores a decision's publication entry in the caller's transaction
// (the one that makes the decision), due PublishWorkdays working days after
// the decision. A natural person's name is masked and their code dropped
// here, so nothing personal is kept for publication.
func (s *Service) Record(ctx context.Context, tx *sqlx.Tx, d Decision) error {
	decided, err := calendar.ParseDate(d.DecidedOn)
	if err != nil {
		return fmt.Errorf("publicity: decision date %q: %w", d.DecidedOn, err)
	}
	due, trace := s.cal.AddWorkdays(d.CountyCode[:2], decided, PublishWorkdays, nil)
	name, code := strings.TrimSpace(d.PartyName), strings.TrimSpace(d.PartyCode)
	if d.PartyIsPerson {
		name, code = MaskPersonName(name), ""
	}
	now := db.Now()
	e := Entry{CountyCode: d.CountyCode, Kind: d.Kind, SourceKind: d.SourceKind, SourceID: d.SourceID, DecisionNo: d.DecisionNo,
		ItemCode: d.ItemCode, ItemName: d.ItemName, PartyName: name, PartyCode: code, Content: strings.TrimSpace(d.Content),
		Basis: strings.TrimSpace(d.Basis), DecidedOn: d.DecidedOn, DueOn: calendar.FormatDate(due), DueProvisional: trace.Provisional(),
		Status: StatusPending, Warning: WarningNone, CreatedAt: now, UpdatedAt: now}
	return s.store.insert(ctx, tx, &e)
}

// light is a pending entry's light today: red once its publication is
// late, yellow from the working day before its due day. A withdrawal
// is made when it is recorded, so it has no clock of its own to light.
func (s *Service) light(e Entry, today time.Time) string {
	if e.Status != StatusPending {
		return WarningNone
	}
	due, todayStr := e.DueOn, calendar.FormatDate(today)
	if todayStr > due {
		return WarningRed
	}
	// Yellow on the working day before the due day and on the due day
	// itself, as the case lights are.
	if calendar.FormatDate(s.cal.NextWorkday(e.CountyCode[:2], today)) >= due {
		return WarningYellow
	}
	return WarningNone
}

func (s *Service) view(e Entry, today time.Time) View {
	return View{Entry: e, Light: s.light(e, today),
		PublishedLate: e.PublishedOn != "" && e.PublishedOn > e.DueOn,
		WithdrawnLate: e.WithdrawnOn != "" && e.WithdrawDue != "" && e.WithdrawnOn > e.WithdrawDue}
}

// List returns a county's entries, newest decision first, optionally of one status.
func (s *Service) List(ctx context.Context, county, status string) ([]View, error) {
	if status != "" && status != StatusPending && status != StatusPublished && status != StatusWithdrawn {
		return nil, apperr.InvalidField("status", "未知的公示状态："+status)
	}
	list, err := s.store.list(ctx, county, status)
	if err != nil {
		return nil, err
	}
	today := s.today()
	out := make([]View, 0, len(list))
	for _, e := range list {
		out = append(out, s.view(e, today))
	}
	return out, nil
}

// Get returns one entry of a county.
func (s *Service) Get(ctx context.Context, county string, id int64) (View, error) {
	e, err := s.store.get(ctx, s.db, county, id)
	if err != nil {
		return View{}, err
	}
	return s.view(e, s.today()), nil
}

// Preview is what publishing an entry would put on the portal, with the
// scan's findings in its text.
type Preview struct {
	Public   Public               `json:"public"`
	Findings []disclosure.Finding `json:"scan_findings"`
	// Blocked is the reason it cannot be published as it stands (a
	// secrecy mark in its text), or "".
	Blocked string `json:"blocked"`
}

// personalKinds are the findings masked on publication without asking:
// they identify a person and are never part of a published decision.
var personalKinds = map[string]bool{disclosure.FindingIDNumber: true, disclosure.FindingMobile: true, disclosure.FindingBankCard: true}

// preview scans the texts an entry publishes (the same confidentiality scan
// as the disclosure records), masks personal data and tells whether a
// secrecy mark blocks publication.
func preview(e Entry) Preview {
	p := Preview{Findings: []disclosure.Finding{}}
	fields := map[string]*string{"party_name": &e.PartyName, "content": &e.Content, "basis": &e.Basis}
	for _, field := range []string{"party_name", "content", "basis"} {
		text := fields[field]
		findings := disclosure.Scan(field, *text, nil)
		runes := []rune(*text)
		for _, f := range findings {
			p.Findings = append(p.Findings, f)
			if personalKinds[f.Kind] && f.Start >= 0 && f.End <= len(runes) {
				for i := f.Start; i < f.End; i++ {
					runes[i] = '＊'
				}
			}
			if f.Kind == disclosure.FindingSecrecy && p.Blocked == "" {
				p.Blocked = "“" + f.Text + "”是密级标志，含有密级标志的内容不得公示"
			}
		}
		*text = string(runes)
	}
	e.Status = StatusPublished
	p.Public = PublicOf(e)
	return p
}

// PreviewOf is the preview of one entry.
func (s *Service) PreviewOf(ctx context.Context, county string, id int64) (Preview, error) {
	e, err := s.store.get(ctx, s.db, county, id)
	if err != nil {
		return Preview{}, err
	}
	return preview(e), nil
}

// Publish puts a pending entry on the portal as its preview shows it.
func (s *Service) Publish(ctx context.Context, county string, id, by int64) (View, error) {
	todayStr := calendar.FormatDate(s.today())
	var out Entry
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		e, err := s.store.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		web.SetAuditSubject(ctx, "publicity "+e.DecisionNo)
		if e.Status != StatusPending {
			return apperr.Conflict("invalid_transition", "该决定已"+StatusTitle(e.Status)+"，不能再次公示")
		}
		p := preview(e)
		if p.Blocked != "" {
			return apperr.Conflict("secrecy_mark", p.Blocked)
		}
		e.PartyName, e.Content, e.Basis = p.Public.PartyName, p.Public.Content, p.Public.Basis
		e.Status, e.PublishedOn, e.PublishedBy, e.UpdatedAt = StatusPublished, todayStr, by, db.Now()
		out = e
		return s.store.update(ctx, tx, e)
	})
	if err != nil {
		return View{}, err
	}
	return s.view(out, s.today()), nil
}

// WithdrawInput records that a decision was revoked or changed.
type WithdrawInput struct {
	Reason    string `json:"reason"`
	RevokedOn string `json:"revoked_on"`
}

// Withdraw takes a decision off the portal because it was revoked, changed,
// confirmed unlawful or void (行政处罚法 第四十八条), keeping on the portal
// that it was withdrawn and why. The due day of the withdrawal is counted
// from the revocation, so a withdrawal recorded late shows as late.
func (s *Service) Withdraw(ctx context.Context, county string, id, by int64, in WithdrawInput) (View, error) {
	// Another county's entry, or none, is not found before any field is checked.
	if _, err := s.store.get(ctx, s.db, county, id); err != nil {
		return View{}, err
	}
	today := s.today()
	in, err := checkWithdraw(in, today)
	if err != nil {
		return View{}, err
	}
	var out Entry
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		e, err := s.store.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		out, err = s.withdraw(ctx, tx, e, by, in, today)
		return err
	})
	if err != nil {
		return View{}, err
	}
	return s.view(out, today), nil
}

// WithdrawSource withdraws the entry of a decided record (a penalty case
// whose decision is revoked or changed) inside the caller's transaction, the
// one that records the revocation, with the checks of Withdraw. An entry
// never published is withdrawn before it reaches the portal (the portal
// lists only what was published). ok is false when the record has no entry.
func (s *Service) WithdrawSource(ctx context.Context, tx *sqlx.Tx, county, sourceKind string, sourceID, by int64, in WithdrawInput) (View, bool, error) {
	today := s.today()
	in, err := checkWithdraw(in, today)
	if err != nil {
		return View{}, false, err
	}
	e, err := s.store.bySource(ctx, tx, county, sourceKind, sourceID)
	if err == apperr.ErrNotFound {
		return View{}, false, nil
	}
	if err != nil {
		return View{}, false, err
	}
	if e, err = s.store.lock(ctx, tx, county, e.ID); err != nil {
		return View{}, false, err
	}
	out, err := s.withdraw(ctx, tx, e, by, in, today)
	if err != nil {
		return View{}, false, err
	}
	return s.view(out, today), true, nil
}

// BySource reads the entry of a decided record; ok is false when none.
func (s *Service) BySource(ctx context.Context, county, sourceKind string, sourceID int64) (View, bool, error) {
	e, err := s.store.bySource(ctx, s.db, county, sourceKind, sourceID)
	if err == apperr.ErrNotFound {
		return View{}, false, nil
	}
	if err != nil {
		return View{}, false, err
	}
	return s.view(e, s.today()), true, nil
}

// checkWithdraw checks a withdrawal's fields (a reason, the day of the
// revocation not after today) and returns them trimmed.
func checkWithdraw(in WithdrawInput, today time.Time) (WithdrawInput, error) {
	in.Reason, in.RevokedOn = strings.TrimSpace(in.Reason), strings.TrimSpace(in.RevokedOn)
	fields := map[string]string{}
	if in.Reason == "" {
		fields["reason"] = "请说明撤回理由（如决定被撤销、变更、确认违法或者确认无效）"
	} else if utf8.RuneCountInString(in.Reason) > 500 {
		fields["reason"] = "不能超过500个字"
	}
	revoked, err := calendar.ParseDate(in.RevokedOn)
	switch {
	case in.RevokedOn == "":
		fields["revoked_on"] = "请填写决定被撤销或者变更的日期"
	case err != nil:
		fields["revoked_on"] = "日期格式应为YYYY-MM-DD"
	case revoked.After(today):
		fields["revoked_on"] = "不能晚于今天"
	}
	if len(fields) > 0 {
		return in, apperr.Invalid("撤回信息填写有误", fields)
	}
	return in, nil
}

// withdraw withdraws a locked entry with checked input: the transition and
// the revocation date against the decision are checked against the row.
func (s *Service) withdraw(ctx context.Context, tx *sqlx.Tx, e Entry, by int64, in WithdrawInput, today time.Time) (Entry, error) {
	web.SetAuditSubject(ctx, "publicity "+e.DecisionNo)
	if e.Status == StatusWithdrawn {
		return e, apperr.Conflict("invalid_transition", "该决定已撤回")
	}
	if in.RevokedOn < e.DecidedOn {
		return e, apperr.InvalidField("revoked_on", "不能早于决定日期"+e.DecidedOn)
	}
	revoked, _ := calendar.ParseDate(in.RevokedOn)
	due, _ := s.cal.AddWorkdays(e.CountyCode[:2], revoked, WithdrawWorkdays, nil)
	e.Status, e.RevokedOn, e.WithdrawDue = StatusWithdrawn, in.RevokedOn, calendar.FormatDate(due)
	e.WithdrawnOn, e.WithdrawnBy, e.WithdrawReason, e.UpdatedAt = calendar.FormatDate(today), by, in.Reason, db.Now()
	return e, s.store.update(ctx, tx, e)
}

// PublicList returns what the portal shows of a county: published and
// withdrawn decisions, newest first.
func (s *Service) PublicList(ctx context.Context, county string) ([]Public, error) {
	list, err := s.store.public(ctx, county)
	if err != nil {
		return nil, err
	}
	out := make([]Public, 0, len(list))
	for _, e := range list {
		out = append(out, PublicOf(e))
	}
	return out, nil
}

// Flags counts what one overdue run lit.
type Flags struct{ DueSoon, Overdue int }

// String is the run's summary in the job log.
func (f Flags) String() string {
	return fmt.Sprintf("双公示%d项即将到期、%d项超期", f.DueSoon, f.Overdue)
}

// FlagOverdue lights pending entries due on the next working day (yellow)
// or past due (red), each light once: the light is set in the row with the
// light it replaces as a condition, so replicas running the job at once
// flag an entry once, and the county's administrators get one notice.
func (s *Service) FlagOverdue(ctx context.Context) (Flags, error) {
	var res Flags
	today := s.today()
	for _, pass := range []struct {
		from, to string
		count    *int
	}{
		{WarningNone, WarningRed, &res.Overdue},
		{WarningYellow, WarningRed, &res.Overdue},
		{WarningNone, WarningYellow, &res.DueSoon},
	} {
		// Due within a week at most is enough to find every yellow.
		list, err := s.store.pendingBy(ctx, pass.from, calendar.FormatDate(today.AddDate(0, 0, 14)))
		if err != nil {
			return res, err
		}
		for _, e := range list {
			if s.light(e, today) != pass.to {
				continue
			}
			state := "明天到期"
			kind := notices.KindPublicityYellow
			if pass.to == WarningRed {
				state, kind = "已超期", notices.KindPublicityRed
			}
			msg := fmt.Sprintf("%s决定 %s 的双公示%s（公示期限 %s）", KindTitle(e.Kind), e.DecisionNo, state, e.DueOn)
			ok, err := s.flagOnce(ctx, e, pass.from, pass.to, kind, msg)
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

func (s *Service) flagOnce(ctx context.Context, e Entry, from, to, kind, msg string) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, `UPDATE publicity_entries SET warning = ? WHERE county_code = ? AND id = ? AND warning = ? AND status = ?`,
			to, e.CountyCode, e.ID, from, StatusPending)
		if err != nil {
			return fmt.Errorf("publicity: flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		admins, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, e.CountyCode)
		if err != nil {
			return err
		}
		for _, uid := range admins {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
				VALUES (?, ?, 0, ?, ?, ?)`, e.CountyCode, uid, kind, msg, db.Now()); err != nil {
				return fmt.Errorf("publicity: notice: %w", err)
			}
		}
		return nil
	})
	return changed, err
}

// RecordLicence records a granted licence (an approved case of a 行政许可
// item, power type XK) for publication, in the transaction that grants it
// (cases.Service.OnApproved): its number is the
// written decision's, its content the item granted and the applicant an
// organisation (an application carries a credit code). The legal basis is
// the item's as published in the version the case was opened under.
func (s *Service) RecordLicence(ctx context.Context, tx *sqlx.Tx, c cases.Case, decision written.Notice) error {
	var countyName, content string
	if err := tx.GetContext(ctx, &countyName, `SELECT name FROM counties WHERE code = ?`, c.CountyCode); err != nil {
		return fmt.Errorf("publicity: county name: %w", err)
	}
	if err := tx.GetContext(ctx, &content, `SELECT content FROM catalog_versions WHERE county_code = ? AND code = ? AND version = ?`,
		c.CountyCode, c.ItemCode, c.ItemVersion); err != nil && !db.IsNoRows(err) {
		return fmt.Errorf("publicity: item version: %w", err)
	}
	var item struct {
		PowerType  string `json:"power_type"`
		LegalBasis string `json:"legal_basis"`
	}
	if content != "" {
		if err := json.Unmarshal([]byte(content), &item); err != nil {
			return fmt.Errorf("publicity: item version: %w", err)
		}
	}
	// 第四十条 is about licences: an approved 备案, 确认 or service is not
	// a 行政许可 decision and is not published as one.
	if item.PowerType != "XK" {
		return nil
	}
	granted := "准予" + c.ItemName
	if r := strings.TrimSpace(c.Reason); r != "" {
		granted += "。" + r
	}
	return s.Record(ctx, tx, Decision{CountyCode: c.CountyCode, Kind: KindLicensing, SourceKind: "case", SourceID: c.ID,
		DecisionNo: decision.Number(countyName), ItemCode: c.ItemCode, ItemName: c.ItemName,
		PartyName: c.ApplicantName, PartyCode: c.ApplicantCreditCode, Content: granted, Basis: item.LegalBasis,
		DecidedOn: decision.IssuedOn})
}
