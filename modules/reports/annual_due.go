package reports

// When the annual disclosure report is due, and the reminders that lead up
// to it. 政府信息公开条例 第四十九条: a department of a government at county
// level or above submits last year's report to the disclosure authority and
// publishes it "在每年1月31日前". A county work-safety bureau is such a
// department, so the report of year Y is due by 31 January of Y+1; we count
// 31 January itself as in time.

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
	"safetypilot/tenants"
)

// AnnualPublishBy is the last day to publish the report of a year.
func AnnualPublishBy(year int) time.Time {
	return time.Date(year+1, time.January, 31, 0, 0, 0, 0, time.UTC)
}

// dueSoonDays is how many days before the deadline the second reminder goes out.
const dueSoonDays = 7

// Reminder stages: the year has begun, the deadline is a week away, it has passed.
const (
	stageOpen    = "open"
	stageDueSoon = "due_soon"
	stageOverdue = "overdue"
)

// AnnualDue is the state of the report a county owes this year: last year's.
type AnnualDue struct {
	Year      int    `json:"year"`
	PublishBy string `json:"publish_by"`
	// DaysLeft counts calendar days to the deadline (0 on the day itself,
	// negative once it has passed).
	DaysLeft  int    `json:"days_left"`
	Overdue   bool   `json:"overdue"`
	Stage     string `json:"stage"`
	Compiled  bool   `json:"compiled"`
	Published bool   `json:"published"`
}

// annualDueOn is the report owed on a day, and the reminder stage of that day.
func annualDueOn(today time.Time) AnnualDue {
	year := today.Year() - 1
	by := AnnualPublishBy(year)
	d := AnnualDue{Year: year, PublishBy: calendar.FormatDate(by), DaysLeft: int(by.Sub(today).Hours() / 24)}
	switch {
	case d.DaysLeft < 0:
		d.Overdue, d.Stage = true, stageOverdue
	case d.DaysLeft < dueSoonDays:
		d.Stage = stageDueSoon
	default:
		d.Stage = stageOpen
	}
	return d
}

// Message is the reminder of the stage, in the words the county reads.
func (d AnnualDue) Message() string {
	switch {
	case d.Published:
		return fmt.Sprintf("%d年政府信息公开工作年度报告已发布。", d.Year)
	case d.Overdue:
		return fmt.Sprintf("%d年政府信息公开工作年度报告已超过公布期限（%s，《政府信息公开条例》第四十九条），尚未发布，请尽快编制发布。",
			d.Year, d.PublishBy)
	case d.DaysLeft == 0:
		return fmt.Sprintf("%d年政府信息公开工作年度报告应于%s前公布（《政府信息公开条例》第四十九条），今天是最后一天，尚未发布。",
			d.Year, d.PublishBy)
	case d.Stage == stageDueSoon:
		return fmt.Sprintf("%d年政府信息公开工作年度报告应于%s前公布（《政府信息公开条例》第四十九条），尚未发布，距期限还有%d天。",
			d.Year, d.PublishBy, d.DaysLeft)
	}
	return fmt.Sprintf("请编制%d年政府信息公开工作年度报告，并于%s前向社会公布（《政府信息公开条例》第四十九条）。", d.Year, d.PublishBy)
}

// AnnualDueOf is what a county owes today; nil when the county was not yet
// on the platform in the year owed (its report for that year was made elsewhere).
func (s *Service) AnnualDueOf(ctx context.Context, county string) (*AnnualDue, error) {
	d := annualDueOn(calendar.Today(s.Now()))
	var created time.Time
	if err := s.db.GetContext(ctx, &created, `SELECT created_at FROM counties WHERE code = ?`, county); err != nil {
		if db.IsNoRows(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reports: county created: %w", err)
	}
	if !created.Before(time.Date(d.Year+1, 1, 1, 0, 0, 0, 0, time.UTC)) {
		return nil, nil
	}
	var status []string
	if err := s.db.SelectContext(ctx, &status, `SELECT status FROM annual_reports WHERE county_code = ? AND year = ?`, county, d.Year); err != nil {
		return nil, fmt.Errorf("reports: annual due: %w", err)
	}
	d.Compiled = len(status) > 0
	d.Published = d.Compiled && status[0] == AnnualPublished
	return &d, nil
}

// RemindAnnual leaves each county administrator a notice about the report
// owed this year, once per stage (the year has begun, a week is left, the
// deadline has passed), until the report is published. Counties that joined
// after the year owed are left alone. It returns how many counties were
// reminded; the overdue job runs it on every tick.
func (s *Service) RemindAnnual(ctx context.Context) (int, error) {
	d := annualDueOn(calendar.Today(s.Now()))
	var counties []string
	if err := s.db.SelectContext(ctx, &counties, `SELECT c.code FROM counties c WHERE c.status = ? AND c.created_at < ?
		AND NOT EXISTS (SELECT 1 FROM annual_reports a WHERE a.county_code = c.code AND a.year = ? AND a.status = ?)
		AND NOT EXISTS (SELECT 1 FROM annual_reminders r WHERE r.county_code = c.code AND r.year = ? AND r.stage = ?)
		ORDER BY c.code`, tenants.StatusActive, time.Date(d.Year+1, 1, 1, 0, 0, 0, 0, time.UTC), d.Year, AnnualPublished,
		d.Year, d.Stage); err != nil {
		return 0, fmt.Errorf("reports: counties to remind: %w", err)
	}
	reminded := 0
	for _, county := range counties {
		sent := false
		err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			sent = false
			_, err := tx.ExecContext(ctx, `INSERT INTO annual_reminders (county_code, year, stage, sent_at) VALUES (?, ?, ?, ?)`,
				county, d.Year, d.Stage, db.Now())
			if db.IsDuplicate(err) {
				return nil // another replica reminded it meanwhile
			}
			if err != nil {
				return fmt.Errorf("reports: reminder: %w", err)
			}
			admins, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, county)
			if err != nil {
				return err
			}
			for _, uid := range admins {
				if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
					VALUES (?, ?, 0, ?, ?, ?)`, county, uid, notices.KindAnnualReport, d.Message(), db.Now()); err != nil {
					return fmt.Errorf("reports: reminder notice: %w", err)
				}
			}
			sent = true
			return nil
		})
		if err != nil {
			return reminded, err
		}
		if sent {
			reminded++
		}
	}
	return reminded, nil
}
