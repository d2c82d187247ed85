package penalties

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
)

// Flags counts what one run of the overdue job raised on penalty cases.
type Flags struct {
	DecisionYellow int
	DecisionRed    int
	PaymentYellow  int
	PaymentRed     int
	// PublicationRed counts decisions not published in time and revoked
	// ones not withdrawn in time.
	PublicationRed int
}

// String is the run's summary in the job record.
func (f Flags) String() string {
	return fmt.Sprintf("处罚案件决定期限即将届满%d件、已届满%d件，罚款即将到期%d件、逾期%d件，公示或撤回逾期%d件",
		f.DecisionYellow, f.DecisionRed, f.PaymentYellow, f.PaymentRed, f.PublicationRed)
}

// flagScan bounds one query of a pass.
const flagScan = 5000

// FlagOverdue raises the lights of penalty cases exactly once each, like the
// licence cases and the rectifications: the decision clock (yellow in its
// last DecisionYellowDays days, red once decision_due has passed without a
// decision) and the payment clock (yellow, then red once payment_due has
// passed unpaid, when the 加处罚款 starts). Each change is a guarded update
// from the light the scan saw, with an event on the case's timeline and a
// notice to the case's opener and the county administrators, in one
// transaction: however many replicas run the job, a light goes on once.
func (s *Service) FlagOverdue(ctx context.Context) (Flags, error) {
	var res Flags
	today := s.today()
	horizon := calendar.FormatDate(today.AddDate(0, 0, DecisionYellowDays))
	for _, p := range []struct {
		payment  bool
		from, to string
		count    *int
	}{
		{false, WarningNone, WarningRed, &res.DecisionRed},
		{false, WarningYellow, WarningRed, &res.DecisionRed},
		{false, WarningNone, WarningYellow, &res.DecisionYellow},
		{true, WarningNone, WarningRed, &res.PaymentRed},
		{true, WarningYellow, WarningRed, &res.PaymentRed},
		{true, WarningNone, WarningYellow, &res.PaymentYellow},
	} {
		q := `SELECT ` + caseColumns + ` FROM penalty_cases WHERE warning = ? AND decision_due <= ? AND decided_on = ''
			ORDER BY decision_due, id LIMIT ?`
		if p.payment {
			q = `SELECT ` + caseColumns + ` FROM penalty_cases WHERE payment_warning = ? AND payment_due <> '' AND payment_due <= ?
				AND paid_on = '' ORDER BY payment_due, id LIMIT ?`
		}
		var list []Case
		if err := s.db.SelectContext(ctx, &list, q, p.from, horizon, flagScan); err != nil {
			return res, fmt.Errorf("penalties: overdue scan: %w", err)
		}
		if err := s.store.openAll(list); err != nil {
			return res, err
		}
		for _, c := range list {
			decision, payment := Lights(c, today)
			light := decision
			if p.payment {
				light = payment
			}
			if light != p.to {
				continue
			}
			ok, err := s.flagOnce(ctx, c, p.payment, p.from, p.to)
			if err != nil {
				return res, err
			}
			if ok {
				*p.count++
			}
		}
	}
	return res, s.flagPublications(ctx, today, &res)
}

// Publication lights (publication_warning).
const (
	publicationRed = "red"
	withdrawRed    = "withdraw_red"
)

// flagPublications raises, once each, the light of a decision not
// published within PublishWorkdays and of a revoked one not withdrawn
// within WithdrawWorkdays.
func (s *Service) flagPublications(ctx context.Context, today time.Time, res *Flags) error {
	todayStr := calendar.FormatDate(today)
	// Seven working days span at least seven calendar days: a cheap bound.
	var late []Case
	if err := s.db.SelectContext(ctx, &late, `SELECT `+caseColumns+` FROM penalty_cases c WHERE publication_warning = ?
		AND decided_on <> '' AND decided_on <= ? AND revoked_on = '' AND NOT EXISTS (SELECT 1 FROM penalty_publications p
		WHERE p.county_code = c.county_code AND p.case_id = c.id) ORDER BY decided_on, id LIMIT ?`,
		WarningNone, calendar.FormatDate(today.AddDate(0, 0, -PublishWorkdays)), flagScan); err != nil {
		return fmt.Errorf("penalties: publication scan: %w", err)
	}
	for _, c := range late {
		decided, _ := calendar.ParseDate(c.DecidedOn)
		due, _ := s.cal.AddWorkdays(province(c.CountyCode), decided, PublishWorkdays, nil)
		if todayStr <= calendar.FormatDate(due) {
			continue
		}
		msg := fmt.Sprintf("处罚决定 %s（%s）未在作出决定后7个工作日内（%s前）公示", c.CaseNo, c.PartyName, calendar.FormatDate(due))
		ok, err := s.flagPublication(ctx, c, []string{WarningNone}, publicationRed, msg)
		if err != nil {
			return err
		}
		if ok {
			res.PublicationRed++
		}
	}
	var unwithdrawn []struct {
		Case
		WithdrawDue string `db:"withdraw_due"`
	}
	if err := s.db.SelectContext(ctx, &unwithdrawn, `SELECT `+prefixed(caseColumns, "c.")+`, p.withdraw_due
		FROM penalty_cases c JOIN penalty_publications p ON p.county_code = c.county_code AND p.case_id = c.id
		WHERE c.publication_warning <> ? AND p.withdraw_due <> '' AND p.withdrawn_on = '' AND p.withdraw_due < ?
		ORDER BY p.withdraw_due, c.id LIMIT ?`, withdrawRed, todayStr, flagScan); err != nil {
		return fmt.Errorf("penalties: withdrawal scan: %w", err)
	}
	for _, u := range unwithdrawn {
		msg := fmt.Sprintf("处罚决定 %s（%s）已被撤销或变更，未在三个工作日内（%s前）撤回公示", u.CaseNo, u.PartyName, u.WithdrawDue)
		ok, err := s.flagPublication(ctx, u.Case, []string{WarningNone, publicationRed}, withdrawRed, msg)
		if err != nil {
			return err
		}
		if ok {
			res.PublicationRed++
		}
	}
	return nil
}

// flagPublication moves publication_warning from one of from to to once,
// with an event and notices, like flagOnce.
func (s *Service) flagPublication(ctx context.Context, c Case, from []string, to, msg string) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, `UPDATE penalty_cases SET publication_warning = ? WHERE county_code = ? AND id = ?
			AND publication_warning IN (?`+strings.Repeat(", ?", len(from)-1)+`)`, append([]any{to, c.CountyCode, c.ID}, toAny(from)...)...)
		if err != nil {
			return fmt.Errorf("penalties: flag publication: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		action := "publication_red"
		if to == withdrawRed {
			action = "withdraw_red"
		}
		if err := s.event(ctx, tx, &c, Actor{Name: "系统（超期检查）"}, action, c.Status, c.Status, calendar.FormatDate(s.today()), msg, nil); err != nil {
			return err
		}
		return s.notifyStaff(ctx, tx, c, notices.KindPublicationRed, msg)
	})
	return changed, err
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(columns, alias string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

func (s *Service) flagOnce(ctx context.Context, c Case, payment bool, from, to string) (bool, error) {
	column, action, kind := "warning", "flag_"+to, notices.KindPenaltyYellow
	// The message is stored (timeline, notices): the party by partyLabel.
	msg := fmt.Sprintf("处罚案件 %s（%s）决定期限 %s %s", c.CaseNo, partyLabel(c), c.DecisionDue, map[string]string{WarningYellow: "即将届满", WarningRed: "已届满"}[to])
	if to == WarningRed {
		kind = notices.KindPenaltyRed
	}
	if payment {
		column, action, kind = "payment_warning", "payment_"+to, notices.KindPaymentRed
		msg = fmt.Sprintf("处罚案件 %s（%s）罚款缴纳期限 %s %s", c.CaseNo, partyLabel(c), c.PaymentDue, map[string]string{WarningYellow: "即将届满", WarningRed: "已届满，开始加处罚款"}[to])
	}
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, `UPDATE penalty_cases SET `+column+` = ? WHERE county_code = ? AND id = ? AND `+column+` = ? AND status = ?`,
			to, c.CountyCode, c.ID, from, c.Status)
		if err != nil {
			return fmt.Errorf("penalties: flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		if err := s.event(ctx, tx, &c, Actor{Name: "系统（超期检查）"}, action, c.Status, c.Status, calendar.FormatDate(s.today()), msg, nil); err != nil {
			return err
		}
		if payment && to == WarningYellow {
			return nil // only the opener's timeline: payment reminders are the officer's routine
		}
		return s.notifyStaff(ctx, tx, c, kind, msg)
	})
	return changed, err
}

// notifyStaff sends a notice to the county administrators and the case's
// opener.
func (s *Service) notifyStaff(ctx context.Context, tx *sqlx.Tx, c Case, kind, msg string) error {
	recipients, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, c.CountyCode)
	if err != nil {
		return err
	}
	if c.CreatedBy != 0 {
		recipients = append(recipients, c.CreatedBy)
	}
	seen := map[int64]bool{}
	for _, uid := range recipients {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
			VALUES (?, ?, 0, ?, ?, ?)`, c.CountyCode, uid, kind, msg, db.Now()); err != nil {
			return fmt.Errorf("penalties: notice: %w", err)
		}
	}
	return nil
}
