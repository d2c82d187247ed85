package onspot

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// Store is the SQL of on-the-spot decisions; every query says
// WHERE county_code = ?.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const decisionColumns = `id, county_code, decision_no, doc_year, doc_seq, item_code, item_version, item_name, party_kind,
	party_name, party_person_name, party_credit_code, party_id_number, facts, legal_basis, penalty, fine_yuan, place,
	decided_on, informed, statement, refused_to_sign, payment, ground, ground_note, receipt_no, collected_on, handed_on,
	handed_by, banked_on, banked_by, deposit_warning, payment_due, paid_on, paid_fen, filed_on, filed_by, filed_by_name,
	created_by, created_at, updated_at, payment_warning`

// SealedColumns are the personal columns of on-the-spot decisions, sealed
// at rest like those of penalty cases (modules/penalties): a natural
// person's name and ID number, bound to the row's id, each with a blind
// index for the list's q. server.SealedColumns lists them so key rotation
// and the sweep reach them.
var SealedColumns = partyTable.Columns()

// partyTable seals and opens the party columns.
var partyTable = seal.PartyTable("onspot_decisions")

// ErasePersonal erases the natural person's name and ID number
// (SealedColumns) of on-the-spot decisions done before the cutoff date, for
// the retention job: filed (备案) and either a 警告 or a fine paid at the
// bank or deposited there after 当场收缴, each before the cutoff. The
// decision, its number, dates and amounts stay.
func ErasePersonal(ctx context.Context, d *db.DB, before, today string) (int, error) {
	return seal.Erase(ctx, d, SealedColumns, `party_kind = ? AND filed_on <> '' AND filed_on < ? AND (penalty = ?
		OR (paid_on <> '' AND paid_on < ?) OR (banked_on <> '' AND banked_on < ?))`,
		[]any{PartyIndividual, before, PenaltyWarning, before, before}, today)
}

// sealParty writes a new decision's natural person's name and ID number
// sealed under its id, with their blind indexes.
func (s *Store) sealParty(ctx context.Context, tx *sqlx.Tx, d *Decision) error {
	name := ""
	if d.PartyKind == PartyIndividual {
		name = d.PartyName
	}
	if err := partyTable.Seal(ctx, tx, s.db, d.CountyCode, d.ID, name, d.PartyIDNumber); err != nil {
		return fmt.Errorf("onspot: %w", err)
	}
	return nil
}

// open decrypts the party of a decision read from the database.
func (s *Store) open(d *Decision) error {
	name, idNumber, err := partyTable.Open(s.db, d.ID, d.PartyPersonName, d.PartyIDNumber)
	if err != nil {
		return fmt.Errorf("onspot: %w", err)
	}
	if d.PartyKind == PartyIndividual {
		d.PartyName = name
	}
	d.PartyIDNumber, d.PartyPersonName = idNumber, ""
	return nil
}

func (s *Store) openAll(list []Decision) error {
	for i := range list {
		if err := s.open(&list[i]); err != nil {
			return err
		}
	}
	return nil
}

// get reads one of a county's decisions; lock also locks its row (MySQL)
// for the transaction that moves it.
func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, county string, id int64, lock bool) (Decision, error) {
	var d Decision
	query := `SELECT ` + decisionColumns + ` FROM onspot_decisions WHERE county_code = ? AND id = ?`
	if lock && s.db.Dialect != db.SQLite {
		query += ` FOR UPDATE`
	}
	err := sqlx.GetContext(ctx, q, &d, query, county, id)
	if db.IsNoRows(err) {
		return d, apperr.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("onspot: get: %w", err)
	}
	return d, s.open(&d)
}

// nextNumber gives the next number of the county's series of the year,
// inside the caller's transaction: the number row stays locked until it
// ends, so numbers are neither shared nor skipped (a failed transaction
// rolls its increment back), as modules/penalties issues its documents.
func (s *Store) nextNumber(ctx context.Context, tx *sqlx.Tx, county string, year int) (int, error) {
	q := `INSERT INTO onspot_doc_numbers (county_code, doc_year, last_seq) VALUES (?, ?, 1)
		ON DUPLICATE KEY UPDATE last_seq = last_seq + 1`
	if s.db.Dialect == db.SQLite {
		q = `INSERT INTO onspot_doc_numbers (county_code, doc_year, last_seq) VALUES (?, ?, 1)
			ON CONFLICT (county_code, doc_year) DO UPDATE SET last_seq = last_seq + 1`
	}
	if _, err := tx.ExecContext(ctx, q, county, year); err != nil {
		return 0, fmt.Errorf("onspot: number: %w", err)
	}
	var seq int
	if err := tx.GetContext(ctx, &seq, `SELECT last_seq FROM onspot_doc_numbers WHERE county_code = ? AND doc_year = ?`,
		county, year); err != nil {
		return 0, fmt.Errorf("onspot: number: %w", err)
	}
	return seq, nil
}

// insert stores a new decision without its personal fields, which
// sealParty then writes sealed under the new id, and its officers.
func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, full *Decision, officers []Officer) error {
	d := *full
	d.PartyPersonName, d.PartyIDNumber = "", ""
	if d.PartyKind == PartyIndividual {
		d.PartyName = ""
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO onspot_decisions (county_code, decision_no, doc_year, doc_seq, item_code,
		item_version, item_name, party_kind, party_name, party_credit_code, facts, legal_basis, penalty, fine_yuan, place,
		decided_on, informed, statement, refused_to_sign, payment, ground, ground_note, receipt_no, collected_on,
		deposit_warning, payment_due, created_by, created_at, updated_at)
		VALUES (:county_code, :decision_no, :doc_year, :doc_seq, :item_code, :item_version, :item_name, :party_kind,
		:party_name, :party_credit_code, :facts, :legal_basis, :penalty, :fine_yuan, :place, :decided_on, :informed,
		:statement, :refused_to_sign, :payment, :ground, :ground_note, :receipt_no, :collected_on, :deposit_warning,
		:payment_due, :created_by, :created_at, :updated_at)`, &d)
	if err != nil {
		return fmt.Errorf("onspot: insert: %w", err)
	}
	if full.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for i, o := range officers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO onspot_officers (county_code, decision_id, slot, user_id, cert_no)
			VALUES (?, ?, ?, ?, ?)`, full.CountyCode, full.ID, i+1, o.UserID, o.CertNo); err != nil {
			return fmt.Errorf("onspot: officer: %w", err)
		}
	}
	return s.sealParty(ctx, tx, full)
}

// update writes the steps after the decision (备案, deposit, payment).
func (s *Store) update(ctx context.Context, tx *sqlx.Tx, d *Decision) error {
	_, err := tx.NamedExecContext(ctx, `UPDATE onspot_decisions SET handed_on = :handed_on, handed_by = :handed_by,
		banked_on = :banked_on, banked_by = :banked_by, deposit_warning = :deposit_warning, paid_on = :paid_on,
		paid_fen = :paid_fen, filed_on = :filed_on, filed_by = :filed_by, filed_by_name = :filed_by_name,
		updated_at = :updated_at WHERE county_code = :county_code AND id = :id`, d)
	if err != nil {
		return fmt.Errorf("onspot: update: %w", err)
	}
	return nil
}

// officers reads a decision's officers with their names, in slot order.
func (s *Store) officers(ctx context.Context, county string, id int64) ([]Officer, error) {
	out := []Officer{}
	err := s.db.SelectContext(ctx, &out, `SELECT o.user_id, o.cert_no, COALESCE(NULLIF(u.display_name, ''), u.username) AS name
		FROM onspot_officers o JOIN users u ON u.id = o.user_id
		WHERE o.county_code = ? AND o.decision_id = ? ORDER BY o.slot`, county, id)
	if err != nil {
		return nil, fmt.Errorf("onspot: officers: %w", err)
	}
	return out, nil
}

// Filter selects a page of a county's decisions.
type Filter struct {
	Q       string
	Page    int
	PerPage int
}

// list reads a page of a county's decisions, newest first, and the total.
func (s *Store) list(ctx context.Context, county string, f Filter) ([]Decision, int, error) {
	where, args := `county_code = ?`, []any{county}
	if f.Q != "" {
		// The number, an organisation's name or credit code in part; a
		// natural person's full name or ID number only exactly, through
		// the blind indexes: nothing is decrypted.
		p := "%" + strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(f.Q) + "%"
		cond := `decision_no LIKE ? ESCAPE '!' OR party_name LIKE ? ESCAPE '!' OR party_credit_code LIKE ? ESCAPE '!'`
		args = append(args, p, p, strings.ToUpper(p))
		for _, ix := range []struct{ column, kind string }{{"party_name_bidx", seal.KindText}, {"party_id_bidx", seal.KindIDNumber}} {
			if list := s.db.FieldIndexes(ix.kind, f.Q); len(list) > 0 {
				cond += ` OR ` + ix.column + ` IN (?` + strings.Repeat(", ?", len(list)-1) + `)`
				for _, v := range list {
					args = append(args, v)
				}
			}
		}
		where += ` AND (` + cond + `)`
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM onspot_decisions WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("onspot: count: %w", err)
	}
	out := []Decision{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+decisionColumns+` FROM onspot_decisions WHERE `+where+`
		ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.PerPage, (f.Page-1)*f.PerPage)...); err != nil {
		return nil, 0, fmt.Errorf("onspot: list: %w", err)
	}
	return out, total, s.openAll(out)
}

// userName is a user's display name (or username), "" when unknown.
func (s *Store) userName(ctx context.Context, q sqlx.QueryerContext, id int64) (string, error) {
	var name string
	err := sqlx.GetContext(ctx, q, &name, `SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = ?`, id)
	if db.IsNoRows(err) {
		return "", nil
	}
	return name, err
}
