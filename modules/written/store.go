package written

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Store is the SQL of written notices; every query is scoped by county.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const noticeColumns = `id, county_code, subject, subject_id, kind, series, doc_year, doc_seq, issued_on, pause_kind, reason, period_start,
	period_end, period_workdays, deadline, deadline_provisional, issued_by, created_at`

// Issue numbers n in its kind's series of the county and year it is issued
// in and stores it, inside the caller's transaction (the one that records
// the event the notice tells of). The series' number row stays locked until
// that transaction ends, so numbers are neither shared nor skipped.
func (s *Store) Issue(ctx context.Context, tx *sqlx.Tx, n *Notice) error {
	info, ok := Info(n.Kind)
	if !ok || info.Subject != n.Subject {
		return fmt.Errorf("written: unknown kind %q of %q", n.Kind, n.Subject)
	}
	year, err := strconv.Atoi(n.IssuedOn[:4])
	if err != nil || len(n.IssuedOn) != 10 {
		return fmt.Errorf("written: issue date %q", n.IssuedOn)
	}
	n.Series, n.DocYear, n.CreatedAt = info.Series, year, db.Now()
	q := `INSERT INTO written_notice_numbers (county_code, series, doc_year, last_seq) VALUES (?, ?, ?, 1)
		ON DUPLICATE KEY UPDATE last_seq = last_seq + 1`
	if s.db.Dialect == db.SQLite {
		q = `INSERT INTO written_notice_numbers (county_code, series, doc_year, last_seq) VALUES (?, ?, ?, 1)
			ON CONFLICT (county_code, series, doc_year) DO UPDATE SET last_seq = last_seq + 1`
	}
	if _, err := tx.ExecContext(ctx, q, n.CountyCode, n.Series, n.DocYear); err != nil {
		return fmt.Errorf("written: number: %w", err)
	}
	if err := tx.GetContext(ctx, &n.DocSeq, `SELECT last_seq FROM written_notice_numbers WHERE county_code = ? AND series = ?
		AND doc_year = ?`, n.CountyCode, n.Series, n.DocYear); err != nil {
		return fmt.Errorf("written: number: %w", err)
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO written_notices (county_code, subject, subject_id, kind, series, doc_year,
		doc_seq, issued_on, pause_kind, reason, period_start, period_end, period_workdays, deadline, deadline_provisional, issued_by, created_at)
		VALUES (:county_code, :subject, :subject_id, :kind, :series, :doc_year, :doc_seq, :issued_on, :pause_kind, :reason, :period_start,
		:period_end, :period_workdays, :deadline, :deadline_provisional, :issued_by, :created_at)`, n)
	if err != nil {
		return fmt.Errorf("written: insert: %w", err)
	}
	n.ID, err = res.LastInsertId()
	return err
}

// List returns the notices of one case or request of a county, oldest first.
func (s *Store) List(ctx context.Context, q sqlx.QueryerContext, county, subject string, subjectID int64) ([]Notice, error) {
	out := []Notice{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+noticeColumns+` FROM written_notices
		WHERE county_code = ? AND subject = ? AND subject_id = ? ORDER BY id`, county, subject, subjectID)
	if err != nil {
		return nil, fmt.Errorf("written: list: %w", err)
	}
	return out, nil
}

// Get returns one notice of a case or request of a county; a notice of
// another subject, or of another county, is not found.
func (s *Store) Get(ctx context.Context, county, subject string, subjectID, id int64) (Notice, error) {
	var n Notice
	err := s.db.GetContext(ctx, &n, `SELECT `+noticeColumns+` FROM written_notices
		WHERE id = ? AND county_code = ? AND subject = ? AND subject_id = ?`, id, county, subject, subjectID)
	if db.IsNoRows(err) {
		return n, apperr.ErrNotFound
	}
	if err != nil {
		return n, fmt.Errorf("written: get: %w", err)
	}
	return n, nil
}
