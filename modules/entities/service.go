package entities

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Service holds the rules of the register: validation, one entity per
// credit code in a county, and the all-or-nothing workbook import.
type Service struct {
	db    *db.DB
	store *Store
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// NewService builds the service on the database.
func NewService(database *db.DB) *Service {
	return &Service{db: database, store: NewStore(database), Now: db.Now}
}

// duplicateCode is the field error of a credit code another entity of the
// county already has.
const duplicateCode = "该统一社会信用代码已在本县名录中登记"

// Get reads one of a county's entities.
func (s *Service) Get(ctx context.Context, county string, id int64) (Entity, error) {
	return s.store.get(ctx, s.db, county, id)
}

// List reads a page of a county's register and the number of all matching.
func (s *Service) List(ctx context.Context, county string, f Filter) ([]Entity, int, error) {
	return s.store.list(ctx, county, f)
}

// All reads the county's whole register (for the export).
func (s *Service) All(ctx context.Context, county string) ([]Entity, error) {
	return s.store.all(ctx, county)
}

// Create adds an entity; a bad field or a credit code already registered in
// the county is a 400 naming the field, and nothing is stored.
func (s *Service) Create(ctx context.Context, county string, by int64, in Input) (Entity, error) {
	in.normalize()
	if f := in.Validate(); len(f) > 0 {
		return Entity{}, errInvalid(f)
	}
	now := s.Now().UTC()
	e := Entity{CountyCode: county, CreatedBy: by, UpdatedBy: by, CreatedAt: now, UpdatedAt: now}
	in.apply(&e)
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		found, err := s.store.byCreditCodes(ctx, tx, county, []string{e.CreditCode})
		if err != nil {
			return err
		}
		if len(found) > 0 {
			return errInvalid(map[string]string{"credit_code": duplicateCode})
		}
		return s.store.insert(ctx, tx, &e)
	})
	return e, duplicateAsInvalid(err)
}

// Update replaces the fields of a county's entity, with the rules of Create.
func (s *Service) Update(ctx context.Context, county string, id, by int64, in Input) (Entity, error) {
	in.normalize()
	if f := in.Validate(); len(f) > 0 {
		return Entity{}, errInvalid(f)
	}
	var e Entity
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if e, err = s.store.get(ctx, tx, county, id); err != nil {
			return err
		}
		found, err := s.store.byCreditCodes(ctx, tx, county, []string{in.CreditCode})
		if err != nil {
			return err
		}
		if other, ok := found[in.CreditCode]; ok && other.ID != id {
			return errInvalid(map[string]string{"credit_code": duplicateCode})
		}
		in.apply(&e)
		e.UpdatedBy, e.UpdatedAt = by, s.Now().UTC()
		return s.store.update(ctx, tx, &e)
	})
	return e, duplicateAsInvalid(err)
}

// duplicateAsInvalid turns a unique-key violation (another request stored
// the same credit code between our check and our write) into the same 400.
func duplicateAsInvalid(err error) error {
	if db.IsDuplicate(err) {
		return errInvalid(map[string]string{"credit_code": duplicateCode})
	}
	return err
}

// apply copies a validated input onto an entity.
func (in Input) apply(e *Entity) {
	e.Name, e.CreditCode, e.Address, e.Industry, e.RiskGrade = in.Name, in.CreditCode, in.Address, in.Industry, in.RiskGrade
	e.Contact, e.Phone, e.Status = in.Contact, in.Phone, in.Status
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Import loads a workbook of entities into a county's register in one
// transaction: a row whose credit code the county has updates that entity,
// any other row creates one. When any row is wrong nothing is stored and
// the error lists every wrong cell (ImportError). Without a 状态 column a row
// keeps the status the entity has (a new one is active).
func (s *Service) Import(ctx context.Context, county string, by int64, workbook []byte) (ImportResult, error) {
	rows, err := ParseWorkbook(workbook)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		res = ImportResult{}
		codes := make([]string, 0, len(rows))
		for _, r := range rows {
			codes = append(codes, r.Input.CreditCode)
		}
		existing, err := s.store.byCreditCodes(ctx, tx, county, codes)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		for _, r := range rows {
			e, ok := existing[r.Input.CreditCode]
			if !ok {
				e = Entity{CountyCode: county, CreatedBy: by, UpdatedBy: by, CreatedAt: now, UpdatedAt: now}
				r.Input.apply(&e)
				if err := s.store.insert(ctx, tx, &e); err != nil {
					return err
				}
				res.Created++
				continue
			}
			if !r.HasStatus {
				r.Input.Status = e.Status
			}
			before := e
			r.Input.apply(&e)
			if e == before {
				res.Unchanged++
				continue
			}
			e.UpdatedBy, e.UpdatedAt = by, now
			if err := s.store.update(ctx, tx, &e); err != nil {
				return err
			}
			res.Updated++
		}
		return nil
	})
	if db.IsDuplicate(err) {
		return ImportResult{}, apperr.Conflict("import_conflict", "导入期间名录已被他人修改，请重新导入")
	}
	return res, err
}

// IsImportError tells the page an import's row report from other errors.
func IsImportError(err error) (*ImportError, bool) {
	var ie *ImportError
	ok := errors.As(err, &ie)
	return ie, ok
}
