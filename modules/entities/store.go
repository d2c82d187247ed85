package entities

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Store is the SQL of the register; every query says WHERE county_code = ?.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const columns = `id, county_code, name, credit_code, address, industry, risk_grade, contact, phone, status,
	created_by, updated_by, created_at, updated_at`

// get reads one of a county's entities.
func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Entity, error) {
	var e Entity
	err := sqlx.GetContext(ctx, q, &e, `SELECT `+columns+` FROM entities WHERE county_code = ? AND id = ?`, county, id)
	if db.IsNoRows(err) {
		return e, apperr.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("entities: get: %w", err)
	}
	return e, nil
}

// byCreditCodes reads a county's entities with any of codes, keyed by code.
func (s *Store) byCreditCodes(ctx context.Context, q sqlx.QueryerContext, county string, codes []string) (map[string]Entity, error) {
	out := map[string]Entity{}
	// Chunks keep the statement's placeholders well under every engine's limit.
	for start := 0; start < len(codes); start += 500 {
		chunk := codes[start:min(start+500, len(codes))]
		args := []any{county}
		for _, c := range chunk {
			args = append(args, c)
		}
		var rows []Entity
		if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+columns+` FROM entities WHERE county_code = ? AND credit_code IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...); err != nil {
			return nil, fmt.Errorf("entities: by credit codes: %w", err)
		}
		for _, e := range rows {
			out[e.CreditCode] = e
		}
	}
	return out, nil
}

// likePattern escapes q for a LIKE … ESCAPE '!' that matches it anywhere
// ('!' rather than a backslash, which the two engines quote differently).
func likePattern(q string) string {
	r := strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`)
	return "%" + r.Replace(q) + "%"
}

// list reads one page of a county's entities matching f, by name, and the
// number of all that match.
func (s *Store) list(ctx context.Context, county string, f Filter) ([]Entity, int, error) {
	where, args := `county_code = ?`, []any{county}
	if f.Q != "" {
		p := likePattern(f.Q)
		where += ` AND (name LIKE ? ESCAPE '!' OR credit_code LIKE ? ESCAPE '!')`
		args = append(args, p, strings.ToUpper(p))
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM entities WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("entities: count: %w", err)
	}
	out := []Entity{}
	page := append(args, f.PerPage, (f.Page-1)*f.PerPage)
	if err := s.db.SelectContext(ctx, &out, `SELECT `+columns+` FROM entities WHERE `+where+`
		ORDER BY name, id LIMIT ? OFFSET ?`, page...); err != nil {
		return nil, 0, fmt.Errorf("entities: list: %w", err)
	}
	return out, total, nil
}

// all reads a county's whole register, for the export.
func (s *Store) all(ctx context.Context, county string) ([]Entity, error) {
	out := []Entity{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+columns+` FROM entities WHERE county_code = ? ORDER BY name, id`,
		county); err != nil {
		return nil, fmt.Errorf("entities: all: %w", err)
	}
	return out, nil
}

// insert stores a new entity and sets its id.
func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, e *Entity) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO entities (county_code, name, credit_code, address, industry,
		risk_grade, contact, phone, status, created_by, updated_by, created_at, updated_at) VALUES (:county_code, :name,
		:credit_code, :address, :industry, :risk_grade, :contact, :phone, :status, :created_by, :updated_by,
		:created_at, :updated_at)`, e)
	if err != nil {
		return fmt.Errorf("entities: insert: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// update replaces the fields of a county's entity.
func (s *Store) update(ctx context.Context, tx *sqlx.Tx, e *Entity) error {
	_, err := tx.ExecContext(ctx, `UPDATE entities SET name = ?, credit_code = ?, address = ?, industry = ?,
		risk_grade = ?, contact = ?, phone = ?, status = ?, updated_by = ?, updated_at = ? WHERE county_code = ? AND id = ?`,
		e.Name, e.CreditCode, e.Address, e.Industry, e.RiskGrade, e.Contact, e.Phone, e.Status, e.UpdatedBy, e.UpdatedAt,
		e.CountyCode, e.ID)
	if err != nil {
		return fmt.Errorf("entities: update: %w", err)
	}
	return nil
}
