package publicity

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Store is the SQL of publicity entries; every query of a county is scoped by it.
type Store struct{ db *db.DB }

const entryColumns = `id, county_code, kind, source_kind, source_id, decision_no, item_code, item_name, party_name, party_code,
	content, basis, decided_on, due_on, due_provisional, status, warning, published_on, published_by, revoked_on, withdraw_due,
	withdrawn_on, withdrawn_by, withdraw_reason, created_at, updated_at`

func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, e *Entry) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO publicity_entries (county_code, kind, source_kind, source_id, decision_no,
		item_code, item_name, party_name, party_code, content, basis, decided_on, due_on, due_provisional, status, warning,
		published_on, published_by, revoked_on, withdraw_due, withdrawn_on, withdrawn_by, withdraw_reason, created_at, updated_at)
		VALUES (:county_code, :kind, :source_kind, :source_id, :decision_no, :item_code, :item_name, :party_name, :party_code,
		:content, :basis, :decided_on, :due_on, :due_provisional, :status, :warning, :published_on, :published_by, :revoked_on,
		:withdraw_due, :withdrawn_on, :withdrawn_by, :withdraw_reason, :created_at, :updated_at)`, e)
	if err != nil {
		return fmt.Errorf("publicity: insert: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

func (s *Store) update(ctx context.Context, tx *sqlx.Tx, e Entry) error {
	_, err := tx.NamedExecContext(ctx, `UPDATE publicity_entries SET party_name = :party_name, content = :content, basis = :basis,
		status = :status, warning = :warning, published_on = :published_on, published_by = :published_by, revoked_on = :revoked_on,
		withdraw_due = :withdraw_due, withdrawn_on = :withdrawn_on, withdrawn_by = :withdrawn_by, withdraw_reason = :withdraw_reason,
		updated_at = :updated_at WHERE id = :id AND county_code = :county_code`, e)
	if err != nil {
		return fmt.Errorf("publicity: update: %w", err)
	}
	return nil
}

func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Entry, error) {
	var e Entry
	err := sqlx.GetContext(ctx, q, &e, `SELECT `+entryColumns+` FROM publicity_entries WHERE id = ? AND county_code = ?`, id, county)
	if db.IsNoRows(err) {
		return e, apperr.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("publicity: get: %w", err)
	}
	return e, nil
}

// bySource reads the entry of a decided record (one per record).
func (s *Store) bySource(ctx context.Context, q sqlx.QueryerContext, county, sourceKind string, sourceID int64) (Entry, error) {
	var e Entry
	err := sqlx.GetContext(ctx, q, &e, `SELECT `+entryColumns+` FROM publicity_entries WHERE county_code = ? AND source_kind = ? AND source_id = ?`,
		county, sourceKind, sourceID)
	if db.IsNoRows(err) {
		return e, apperr.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("publicity: by source: %w", err)
	}
	return e, nil
}

// lock reads an entry with its row locked, so its transitions are
// serialised: a no-op update takes the row lock (InnoDB) or the write lock
// (SQLite), as the cases store does.
func (s *Store) lock(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Entry, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE publicity_entries SET updated_at = updated_at WHERE id = ? AND county_code = ?`, id, county); err != nil {
		return Entry{}, fmt.Errorf("publicity: lock: %w", err)
	}
	return s.get(ctx, tx, county, id)
}

// listLimit bounds a list page: a county decides a few hundred licences and
// penalties a year.
const listLimit = 500

func (s *Store) list(ctx context.Context, county, status string) ([]Entry, error) {
	q, args := `SELECT `+entryColumns+` FROM publicity_entries WHERE county_code = ?`, []any{county}
	if status != "" {
		q, args = q+` AND status = ?`, append(args, status)
	}
	out := []Entry{}
	if err := s.db.SelectContext(ctx, &out, q+` ORDER BY decided_on DESC, id DESC LIMIT ?`, append(args, listLimit)...); err != nil {
		return nil, fmt.Errorf("publicity: list: %w", err)
	}
	return out, nil
}

// public lists what was ever published: published decisions and those
// withdrawn after publication (one withdrawn before it never reaches the
// portal).
func (s *Store) public(ctx context.Context, county string) ([]Entry, error) {
	out := []Entry{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+entryColumns+` FROM publicity_entries WHERE county_code = ? AND published_on <> ''
		ORDER BY decided_on DESC, id DESC LIMIT ?`, county, listLimit); err != nil {
		return nil, fmt.Errorf("publicity: public list: %w", err)
	}
	return out, nil
}

// pendingBy lists pending entries of every county with the given light, due
// on or before the given day.
func (s *Store) pendingBy(ctx context.Context, warning, dueBy string) ([]Entry, error) {
	out := []Entry{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+entryColumns+` FROM publicity_entries WHERE status = ? AND warning = ? AND due_on <= ?
		ORDER BY id LIMIT 5000`, StatusPending, warning, dueBy); err != nil {
		return nil, fmt.Errorf("publicity: overdue scan: %w", err)
	}
	return out, nil
}
