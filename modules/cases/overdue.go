package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// OverdueResult is what one pass of the overdue job did.
type OverdueResult struct {
	CasesRed    int `json:"cases_red"`
	CasesYellow int `json:"cases_yellow"`
	StepsRed    int `json:"steps_red"`
	StepsYellow int `json:"steps_yellow"`
	Notices     int `json:"notices"`
}

func (r OverdueResult) String() string {
	return fmt.Sprintf("newly overdue cases %d, due soon %d; steps overdue %d, due soon %d; notices %d",
		r.CasesRed, r.CasesYellow, r.StepsRed, r.StepsYellow, r.Notices)
}

// flagBatch bounds each query of the pass.
const flagBatch = 1000

type flagCandidate struct {
	ID       int64  `db:"id"`
	County   string `db:"county_code"`
	Tracking string `db:"tracking_no"`
	ItemName string `db:"item_name"`
	Handler  int64  `db:"handler_id"`
	Deadline string `db:"deadline_on"`
	Seq      int    `db:"seq"`
	StepName string `db:"step_name"`
}

// FlagOverdue raises the warning light of cases and steps that became due
// soon or overdue, once each: the stored light is the guard, so running the
// pass again (or on two replicas) changes nothing more. It reads only the
// rows that need flagging, through the (clock_running, warning, deadline) and
// (active, warning, due_on) indexes.
func (s *Service) FlagOverdue(ctx context.Context) (OverdueResult, error) {
	var res OverdueResult
	today := s.today()
	todayStr := calendar.FormatDate(today)
	// Candidates for yellow are bounded by the latest next working day of any
	// province; each is then judged with its own province's calendar.
	next := calendar.FormatDate(s.clock.cal.LatestNextWorkday(today))

	caseQuery := `SELECT id, county_code, tracking_no, item_name, handler_id, promised_deadline AS deadline_on, 0 AS seq, '' AS step_name
		FROM cases WHERE clock_running = ? AND warning = ? AND promised_deadline %s ? AND (promised_deadline > ? OR (promised_deadline = ? AND id > ?))
		ORDER BY promised_deadline, id LIMIT ?`
	stepQuery := `SELECT c.id, c.county_code, c.tracking_no, c.item_name, c.handler_id, s.due_on AS deadline_on, s.seq, s.name AS step_name
		FROM case_steps s JOIN cases c ON c.id = s.case_id
		WHERE s.active = ? AND s.warning = ? AND s.due_on %s ? AND c.clock_running = ? AND (s.due_on > ? OR (s.due_on = ? AND s.case_id > ?))
		ORDER BY s.due_on, s.case_id LIMIT ?`

	passes := []struct {
		step      bool
		from, to  string
		op, bound string
		count     *int
	}{
		{false, WarningNone, WarningRed, "<", todayStr, &res.CasesRed},
		{false, WarningYellow, WarningRed, "<", todayStr, &res.CasesRed},
		{false, WarningNone, WarningYellow, "<=", next, &res.CasesYellow},
		{true, WarningNone, WarningRed, "<", todayStr, &res.StepsRed},
		{true, WarningYellow, WarningRed, "<", todayStr, &res.StepsRed},
		{true, WarningNone, WarningYellow, "<=", next, &res.StepsYellow},
	}
	for _, p := range passes {
		lastDate, lastID := "", int64(0)
		for {
			var batch []flagCandidate
			var err error
			if p.step {
				err = s.db.SelectContext(ctx, &batch, fmt.Sprintf(stepQuery, p.op), true, p.from, p.bound, true, lastDate, lastDate, lastID, flagBatch)
			} else {
				err = s.db.SelectContext(ctx, &batch, fmt.Sprintf(caseQuery, p.op), true, p.from, p.bound, lastDate, lastDate, lastID, flagBatch)
			}
			if err != nil {
				return res, fmt.Errorf("cases: overdue scan: %w", err)
			}
			for _, cand := range batch {
				lastDate, lastID = cand.Deadline, cand.ID
				// Yellow is judged with the province's own calendar.
				if p.to == WarningYellow && s.clock.Light(cand.County, mustDate(cand.Deadline), today) == WarningNone {
					continue
				}
				n, err := s.flag(ctx, cand, p.step, p.from, p.to)
				if err != nil {
					return res, err
				}
				if n >= 0 {
					*p.count++
					res.Notices += n
				}
			}
			if len(batch) < flagBatch {
				break
			}
		}
	}
	return res, nil
}

// flag raises one light if it is still at from, records the event and the
// notices; it returns the notices written, or -1 when another pass won.
func (s *Service) flag(ctx context.Context, cand flagCandidate, step bool, from, to string) (int, error) {
	notices := -1
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		var n int64
		if step {
			res, e := tx.ExecContext(ctx, `UPDATE case_steps SET warning = ? WHERE case_id = ? AND seq = ? AND warning = ?`, to, cand.ID, cand.Seq, from)
			err = e
			if err == nil {
				n, _ = res.RowsAffected()
			}
		} else {
			res, e := tx.ExecContext(ctx, `UPDATE cases SET warning = ? WHERE id = ? AND warning = ?`, to, cand.ID, from)
			err = e
			if err == nil {
				n, _ = res.RowsAffected()
			}
		}
		if err != nil {
			return fmt.Errorf("cases: flag: %w", err)
		}
		if n != 1 {
			return nil
		}
		what := "办件"
		if step {
			what = "环节“" + cand.StepName + "”"
		}
		state := "即将到期（承诺期限 " + cand.Deadline + "）"
		if to == WarningRed {
			state = "已超期（期限 " + cand.Deadline + "）"
		}
		if step && to == WarningYellow {
			state = "即将到期（环节期限 " + cand.Deadline + "）"
		}
		msg := fmt.Sprintf("%s %s：%s%s", cand.Tracking, cand.ItemName, what, state)
		kind := "flag_" + to
		if step {
			kind = "step_flag_" + to
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, county_code, kind, from_status, to_status, actor_id,
			actor_name, note, at) SELECT id, county_code, ?, status, status, 0, ?, ?, ? FROM cases WHERE id = ?`,
			kind, "超期预警任务", msg, db.Now(), cand.ID); err != nil {
			return fmt.Errorf("cases: flag event: %w", err)
		}
		admins, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, cand.County)
		if err != nil {
			return err
		}
		recipients := admins
		if cand.Handler != 0 && !containsID(admins, cand.Handler) {
			recipients = append(recipients, cand.Handler)
		}
		for _, uid := range recipients {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, cand.County, uid, cand.ID, kind, msg, db.Now()); err != nil {
				return fmt.Errorf("cases: notice: %w", err)
			}
		}
		notices = len(recipients)
		return nil
	})
	return notices, err
}

func containsID(list []int64, id int64) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}

// RecomputeOpen recounts the deadlines of every open case, as after a change
// of the working-day calendar. It returns how many deadlines moved.
func (s *Service) RecomputeOpen(ctx context.Context) (int, error) {
	today := s.today()
	moved := 0
	for after := int64(0); ; {
		batch, err := s.store.openCaseIDs(ctx, after, 500)
		if err != nil {
			return moved, err
		}
		for _, c := range batch {
			after = c.ID
			changed, err := s.recomputeOne(ctx, c.CountyCode, c.ID, today)
			if err != nil {
				return moved, err
			}
			if changed {
				moved++
			}
		}
		if len(batch) < 500 {
			return moved, nil
		}
	}
}

func (s *Service) recomputeOne(ctx context.Context, county string, id int64, today time.Time) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		c, err := s.store.lock(ctx, tx, county, id)
		if err != nil || !isOpen(c.Status) {
			return err
		}
		pauses, err := s.store.pauses(ctx, tx, county, id)
		if err != nil {
			return err
		}
		before := c.Deadline + c.PromisedDeadline + fmt.Sprint(c.Provisional)
		if err := s.recompute(&c, pauses, today); err != nil {
			return err
		}
		steps, err := s.store.steps(ctx, tx, county, id)
		if err != nil {
			return err
		}
		for _, st := range steps {
			moved, err := s.refreshStepDue(ctx, tx, county, st, pauses, today)
			if err != nil {
				return err
			}
			changed = changed || moved
		}
		if before != c.Deadline+c.PromisedDeadline+fmt.Sprint(c.Provisional) {
			changed = true
			if err := s.store.update(ctx, tx, &c); err != nil {
				return err
			}
			return s.store.insertEvent(ctx, tx, c, "recomputed", c.Status, c.Status, 0, "系统",
				"工作日历变更，期限重新计算为：法定 "+c.Deadline+"，承诺 "+c.PromisedDeadline)
		}
		return nil
	})
	return changed, err
}
