package penalties

import (
	"context"
	"fmt"

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
	// EnforcementYellow and EnforcementRed are the lights of the last day
	// to apply to the court to enforce an unpaid fine.
	EnforcementYellow int
	EnforcementRed    int
}

// String is the run's summary in the job record.
func (f Flags) String() string {
	return fmt.Sprintf("处罚案件决定期限即将届满%d件、已届满%d件，罚款即将到期%d件、逾期%d件，申请强制执行期限即将届满%d件、已届满%d件",
		f.DecisionYellow, f.DecisionRed, f.PaymentYellow, f.PaymentRed, f.EnforcementYellow, f.EnforcementRed)
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
// The 双公示 clock of a decision is publicity's (modules/publicity lights
// its entries in the same job).
func (s *Service) FlagOverdue(ctx context.Context) (Flags, error) {
	var res Flags
	today := s.today()
	// The horizon reaches the earliest yellow of each clock.
	horizon := calendar.FormatDate(today.AddDate(0, 0, EnforcementYellowDays))
	for _, p := range []struct {
		clock    string
		from, to string
		count    *int
	}{
		{clockDecision, WarningNone, WarningRed, &res.DecisionRed},
		{clockDecision, WarningYellow, WarningRed, &res.DecisionRed},
		{clockDecision, WarningNone, WarningYellow, &res.DecisionYellow},
		{clockPayment, WarningNone, WarningRed, &res.PaymentRed},
		{clockPayment, WarningYellow, WarningRed, &res.PaymentRed},
		{clockPayment, WarningNone, WarningYellow, &res.PaymentYellow},
		{clockEnforcement, WarningNone, WarningRed, &res.EnforcementRed},
		{clockEnforcement, WarningYellow, WarningRed, &res.EnforcementRed},
		{clockEnforcement, WarningNone, WarningYellow, &res.EnforcementYellow},
	} {
		q := map[string]string{
			clockDecision: `SELECT ` + caseColumns + ` FROM penalty_cases WHERE warning = ? AND decision_due <= ? AND decided_on = ''
				ORDER BY decision_due, id LIMIT ?`,
			clockPayment: `SELECT ` + caseColumns + ` FROM penalty_cases WHERE payment_warning = ? AND payment_due <> ''
				AND payment_due <= ? AND paid_on = '' AND revoked_on = '' ORDER BY payment_due, id LIMIT ?`,
			clockEnforcement: `SELECT ` + caseColumns + ` FROM penalty_cases WHERE enforcement_warning = ? AND enforcement_due <> ''
				AND enforcement_due <= ? AND paid_on = '' AND revoked_on = '' AND status = '` + StatusServed + `'
				ORDER BY enforcement_due, id LIMIT ?`,
		}[p.clock]
		var list []Case
		if err := s.db.SelectContext(ctx, &list, q, p.from, horizon, flagScan); err != nil {
			return res, fmt.Errorf("penalties: overdue scan: %w", err)
		}
		if err := s.store.openAll(list); err != nil {
			return res, err
		}
		for _, c := range list {
			decision, payment := Lights(c, today)
			light := map[string]string{clockDecision: decision, clockPayment: payment,
				clockEnforcement: EnforcementLight(c, today)}[p.clock]
			if light != p.to {
				continue
			}
			ok, err := s.flagOnce(ctx, c, p.clock, p.from, p.to)
			if err != nil {
				return res, err
			}
			if ok {
				*p.count++
			}
		}
	}
	return res, nil
}

// The clocks the overdue job lights.
const (
	clockDecision    = "decision"
	clockPayment     = "payment"
	clockEnforcement = "enforcement"
)

func (s *Service) flagOnce(ctx context.Context, c Case, clock, from, to string) (bool, error) {
	column, action, kind := "warning", "flag_"+to, notices.KindPenaltyYellow
	// The message is stored (timeline, notices): the party by partyLabel.
	msg := fmt.Sprintf("处罚案件 %s（%s）决定期限 %s %s", c.CaseNo, partyLabel(c), c.DecisionDue, map[string]string{WarningYellow: "即将届满", WarningRed: "已届满"}[to])
	if to == WarningRed {
		kind = notices.KindPenaltyRed
	}
	switch clock {
	case clockPayment:
		column, action, kind = "payment_warning", "payment_"+to, notices.KindPaymentRed
		msg = fmt.Sprintf("处罚案件 %s（%s）罚款缴纳期限 %s %s", c.CaseNo, partyLabel(c), c.PaymentDue, map[string]string{WarningYellow: "即将届满", WarningRed: "已届满，开始加处罚款"}[to])
	case clockEnforcement:
		column, action, kind = "enforcement_warning", "enforcement_"+to, notices.KindEnforcementYellow
		if to == WarningRed {
			kind = notices.KindEnforcementRed
		}
		msg = fmt.Sprintf("处罚案件 %s（%s）罚款未缴纳，申请人民法院强制执行的期限 %s %s", c.CaseNo, partyLabel(c), c.EnforcementDue,
			map[string]string{WarningYellow: "即将届满，请及时催告并申请", WarningRed: "已届满"}[to])
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
		if clock == clockPayment && to == WarningYellow {
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
