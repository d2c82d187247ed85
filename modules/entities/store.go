package entities

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// Store is the SQL of the register; every query says WHERE county_code = ?.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

// SealedColumns are the personal columns of the register, sealed at rest
// and bound to the entity's id: the contact person and the phone. The
// entity's name, credit code and address stay plain: they are an
// organisation's, public in the enterprise credit register.
var SealedColumns = []seal.Column{
	{Table: "entities", Column: "contact", RowKey: "id"},
	{Table: "entities", Column: "phone", RowKey: "id"},
}

func entityField(id int64, column string) db.Field {
	return db.Field{Table: "entities", Column: column, Row: strconv.FormatInt(id, 10)}
}

// open decrypts the personal fields of an entity read from the database.
func (s *Store) open(e *Entity) error {
	var err error
	if e.Contact, err = s.db.OpenField(e.Contact, entityField(e.ID, "contact")); err != nil {
		return fmt.Errorf("entities: open %d: %w", e.ID, err)
	}
	if e.Phone, err = s.db.OpenField(e.Phone, entityField(e.ID, "phone")); err != nil {
		return fmt.Errorf("entities: open %d: %w", e.ID, err)
	}
	return nil
}

func (s *Store) openAll(list []Entity) error {
	for i := range list {
		if err := s.open(&list[i]); err != nil {
			return err
		}
	}
	return nil
}

// sealPersonal writes an entity's sealed contact and phone (after its insert,
// once its id is known, or with any update).
func (s *Store) sealPersonal(ctx context.Context, tx *sqlx.Tx, e *Entity) error {
	contact, err := s.db.SealField(e.Contact, entityField(e.ID, "contact"))
	if err != nil {
		return fmt.Errorf("entities: seal: %w", err)
	}
	phone, err := s.db.SealField(e.Phone, entityField(e.ID, "phone"))
	if err != nil {
		return fmt.Errorf("entities: seal: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE entities SET contact = ?, phone = ? WHERE county_code = ? AND id = ?`,
		contact, phone, e.CountyCode, e.ID); err != nil {
		return fmt.Errorf("entities: seal: %w", err)
	}
	return nil
}

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
	return e, s.open(&e)
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
		if err := s.openAll(rows); err != nil {
			return nil, err
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
	return out, total, s.openAll(out)
}

// all reads a county's whole register, for the export.
func (s *Store) all(ctx context.Context, county string) ([]Entity, error) {
	out := []Entity{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+columns+` FROM entities WHERE county_code = ? ORDER BY name, id`,
		county); err != nil {
		return nil, fmt.Errorf("entities: all: %w", err)
	}
	return out, s.openAll(out)
}

// insert stores a new entity and sets its id.
func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, e *Entity) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO entities (county_code, name, credit_code, address, industry,
		risk_grade, contact, phone, status, created_by, updated_by, created_at, updated_at) VALUES (:county_code, :name,
		:credit_code, :address, :industry, :risk_grade, '', '', :status, :created_by, :updated_by,
		:created_at, :updated_at)`, e)
	if err != nil {
		return fmt.Errorf("entities: insert: %w", err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return s.sealPersonal(ctx, tx, e)
}

// update replaces the fields of a county's entity.
func (s *Store) update(ctx context.Context, tx *sqlx.Tx, e *Entity) error {
	_, err := tx.ExecContext(ctx, `UPDATE entities SET name = ?, credit_code = ?, address = ?, industry = ?,
		risk_grade = ?, status = ?, updated_by = ?, updated_at = ? WHERE county_code = ? AND id = ?`,
		e.Name, e.CreditCode, e.Address, e.Industry, e.RiskGrade, e.Status, e.UpdatedBy, e.UpdatedAt,
		e.CountyCode, e.ID)
	if err != nil {
		return fmt.Errorf("entities: update: %w", err)
	}
	return s.sealPersonal(ctx, tx, e)
}
