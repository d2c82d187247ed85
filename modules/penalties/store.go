package penalties

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// Store is the SQL of penalty cases; every query says WHERE county_code = ?.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const caseColumns = `id, county_code, case_no, item_code, item_version, item_name, party_kind, party_name, party_person_name,
	party_credit_code, party_id_number, entity_id, facts, source_kind, source_id, status, major,
	filed_on, filing_approved_by, decision_due, extension_days, penalties, proposed_fine_yuan,
	confiscate_yuan, notified_on, hearing_required, hearing_request_due, hearing_requested_on,
	hearing_notice_on, hearing_on, heard_on, legal_reviewed_on, legal_reviewer_id, legal_opinion,
	decided_on, decided_by, outcome, fine_yuan, standard_id, tier_level, factors, reasons,
	mitigation_ground, collective_discussion, served_on, payment_due, paid_on, paid_fen, closed_on,
	warning, payment_warning, created_by, created_at, updated_at, revoked_on, revocation, urged_on, enforcement_due,
	enforcement_applied_on, enforcement_court, enforcement_warning`

// SealedColumns are the personal columns of penalty cases, sealed at rest
// (package seal) and bound to the case's id: a natural person's name
// (party_person_name) and ID number, each with a blind index for the
// list's q. An organisation's name and credit code stay plain in
// party_name and party_credit_code: they are public in the enterprise
// credit register, and the list searches them in part. server.SealedColumns
// lists these, so key rotation, the profile migration and the sweep that
// seals values from before (migration 00197 moved them here) reach them.
var SealedColumns = partyTable.Columns()

// partyTable seals and opens the party columns.
var partyTable = seal.PartyTable("penalty_cases")

// sealParty writes a new case's natural person's name and ID number sealed
// under its id, with their blind indexes (an organisation has neither).
func (s *Store) sealParty(ctx context.Context, tx *sqlx.Tx, c *Case) error {
	name := ""
	if c.PartyKind == PartyIndividual {
		name = c.PartyName
	}
	if err := partyTable.Seal(ctx, tx, s.db, c.CountyCode, c.ID, name, c.PartyIDNumber); err != nil {
		return fmt.Errorf("penalties: %w", err)
	}
	return nil
}

// open decrypts the party of a case read from the database: a natural
// person's name into PartyName, the ID number into PartyIDNumber.
func (s *Store) open(c *Case) error {
	name, idNumber, err := partyTable.Open(s.db, c.ID, c.PartyPersonName, c.PartyIDNumber)
	if err != nil {
		return fmt.Errorf("penalties: %w", err)
	}
	if c.PartyKind == PartyIndividual {
		c.PartyName = name
	}
	c.PartyIDNumber, c.PartyPersonName = idNumber, ""
	return nil
}

func (s *Store) openAll(list []Case) error {
	for i := range list {
		if err := s.open(&list[i]); err != nil {
			return err
		}
	}
	return nil
}

// ErasePersonal erases the natural person's name and ID number
// (SealedColumns) of penalty cases closed (结案) before the cutoff date, for
// the retention job: the case, its dates, decision, timeline, documents'
// numbers and audit entries stay.
func ErasePersonal(ctx context.Context, d *db.DB, before, today string) (int, error) {
	return seal.Erase(ctx, d, SealedColumns, `party_kind = ? AND status = ? AND closed_on <> '' AND closed_on < ?`,
		[]any{PartyIndividual, StatusClosed, before}, today)
}

// get reads one of a county's cases.
func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Case, error) {
	var c Case
	err := sqlx.GetContext(ctx, q, &c, `SELECT `+caseColumns+` FROM penalty_cases WHERE county_code = ? AND id = ?`, county, id)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("penalties: get: %w", err)
	}
	return c, s.open(&c)
}

// lockForUpdate reads a case and locks its row (MySQL) for the transaction
// that moves it, so two actions on one case run one after the other.
func (s *Store) lockForUpdate(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Case, error) {
	var c Case
	q := `SELECT ` + caseColumns + ` FROM penalty_cases WHERE county_code = ? AND id = ?`
	if s.db.Dialect != db.SQLite {
		q += ` FOR UPDATE`
	}
	err := tx.GetContext(ctx, &c, q, county, id)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("penalties: lock: %w", err)
	}
	return c, s.open(&c)
}

// insert stores a new case and sets its id. The row is written without
// the natural person's name and ID number, which sealParty then writes
// sealed and bound to the new id, in the same transaction.
func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, full *Case) error {
	c := new(Case)
	*c = *full
	c.PartyPersonName, c.PartyIDNumber = "", ""
	if c.PartyKind == PartyIndividual {
		c.PartyName = ""
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO penalty_cases (county_code, case_no, item_code, item_version, item_name, party_kind, party_name,
	party_credit_code, party_id_number, entity_id, facts, source_kind, source_id, status, major,
	filed_on, filing_approved_by, decision_due, extension_days, penalties, proposed_fine_yuan,
	confiscate_yuan, notified_on, hearing_required, hearing_request_due, hearing_requested_on,
	hearing_notice_on, hearing_on, heard_on, legal_reviewed_on, legal_reviewer_id, legal_opinion,
	decided_on, decided_by, outcome, fine_yuan, standard_id, tier_level, factors, reasons,
	mitigation_ground, collective_discussion, served_on, payment_due, paid_on, paid_fen, closed_on,
	warning, payment_warning, created_by, created_at, updated_at, revoked_on, revocation)
		VALUES (:county_code, :case_no, :item_code, :item_version, :item_name, :party_kind, :party_name,
	:party_credit_code, :party_id_number, :entity_id, :facts, :source_kind, :source_id, :status,
	:major, :filed_on, :filing_approved_by, :decision_due, :extension_days, :penalties,
	:proposed_fine_yuan, :confiscate_yuan, :notified_on, :hearing_required, :hearing_request_due,
	:hearing_requested_on, :hearing_notice_on, :hearing_on, :heard_on, :legal_reviewed_on,
	:legal_reviewer_id, :legal_opinion, :decided_on, :decided_by, :outcome, :fine_yuan, :standard_id,
	:tier_level, :factors, :reasons, :mitigation_ground, :collective_discussion, :served_on,
	:payment_due, :paid_on, :paid_fen, :closed_on, :warning, :payment_warning, :created_by,
	:created_at, :updated_at, :revoked_on, :revocation)`, c)
	if err != nil {
		return fmt.Errorf("penalties: insert: %w", err)
	}
	if full.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return s.sealParty(ctx, tx, full)
}

// update writes every mutable field of a case. The party is not one:
// it is fixed at 立案, and its personal fields are only ever written sealed
// (insert, and the sweep when the key changes).
func (s *Store) update(ctx context.Context, tx *sqlx.Tx, c *Case) error {
	_, err := tx.NamedExecContext(ctx, `UPDATE penalty_cases SET item_code = :item_code, item_version = :item_version, item_name = :item_name,
	facts = :facts,
	source_kind = :source_kind, source_id = :source_id, status = :status, major = :major,
	filed_on = :filed_on, filing_approved_by = :filing_approved_by, decision_due = :decision_due,
	extension_days = :extension_days, penalties = :penalties, proposed_fine_yuan = :proposed_fine_yuan,
	confiscate_yuan = :confiscate_yuan, notified_on = :notified_on,
	hearing_required = :hearing_required, hearing_request_due = :hearing_request_due,
	hearing_requested_on = :hearing_requested_on, hearing_notice_on = :hearing_notice_on,
	hearing_on = :hearing_on, heard_on = :heard_on, legal_reviewed_on = :legal_reviewed_on,
	legal_reviewer_id = :legal_reviewer_id, legal_opinion = :legal_opinion, decided_on = :decided_on,
	decided_by = :decided_by, outcome = :outcome, fine_yuan = :fine_yuan, standard_id = :standard_id,
	tier_level = :tier_level, factors = :factors, reasons = :reasons,
	mitigation_ground = :mitigation_ground, collective_discussion = :collective_discussion,
	served_on = :served_on, payment_due = :payment_due, paid_on = :paid_on, paid_fen = :paid_fen,
	closed_on = :closed_on, warning = :warning, payment_warning = :payment_warning,
	updated_at = :updated_at, revoked_on = :revoked_on, revocation = :revocation, urged_on = :urged_on,
	enforcement_due = :enforcement_due, enforcement_applied_on = :enforcement_applied_on,
	enforcement_court = :enforcement_court, enforcement_warning = :enforcement_warning
		WHERE county_code = :county_code AND id = :id`, c)
	if err != nil {
		return fmt.Errorf("penalties: update: %w", err)
	}
	return nil
}

// Filter selects a page of a county's cases.
type Filter struct {
	Status  string
	Overdue bool
	Q       string
	Page    int
	PerPage int
}

// list reads a page of a county's cases, newest first, and the total.
func (s *Store) list(ctx context.Context, county string, f Filter, today string) ([]Case, int, error) {
	where, args := `county_code = ?`, []any{county}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Overdue {
		where += ` AND ((decided_on = '' AND decision_due < ?) OR (payment_due <> '' AND paid_on = '' AND payment_due < ?))`
		args = append(args, today, today)
	}
	if f.Q != "" {
		// The case number, an organisation's name or credit code match in
		// part (plain columns); a natural person's full name or ID number
		// only exactly, through their blind indexes: nothing is decrypted.
		p := "%" + strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(f.Q) + "%"
		cond := `case_no LIKE ? ESCAPE '!' OR party_name LIKE ? ESCAPE '!' OR party_credit_code LIKE ? ESCAPE '!'`
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
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM penalty_cases WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("penalties: count: %w", err)
	}
	out := []Case{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+caseColumns+` FROM penalty_cases WHERE `+where+`
		ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.PerPage, (f.Page-1)*f.PerPage)...); err != nil {
		return nil, 0, fmt.Errorf("penalties: list: %w", err)
	}
	return out, total, s.openAll(out)
}

// addEvent records a step.
func (s *Store) addEvent(ctx context.Context, tx *sqlx.Tx, e *Event) error {
	e.CreatedAt = db.Now()
	res, err := tx.NamedExecContext(ctx, `INSERT INTO penalty_events (county_code, case_id, action, from_status, to_status,
		actor_id, actor_name, on_date, reason, detail, created_at) VALUES (:county_code, :case_id, :action, :from_status,
		:to_status, :actor_id, :actor_name, :on_date, :reason, :detail, :created_at)`, e)
	if err != nil {
		return fmt.Errorf("penalties: event: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// events reads a case's steps, oldest first.
func (s *Store) events(ctx context.Context, county string, id int64) ([]Event, error) {
	out := []Event{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, county_code, case_id, action, from_status, to_status, actor_id, actor_name,
		on_date, reason, detail, created_at FROM penalty_events WHERE county_code = ? AND case_id = ? ORDER BY id`, county, id)
	if err != nil {
		return nil, fmt.Errorf("penalties: events: %w", err)
	}
	return out, nil
}

// investigators reads a case's officers with their names.
func (s *Store) investigators(ctx context.Context, q sqlx.QueryerContext, county string, id int64) ([]Investigator, error) {
	out := []Investigator{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT i.user_id, i.cert_no, COALESCE(NULLIF(u.display_name, ''), u.username) AS name
		FROM penalty_investigators i JOIN users u ON u.id = i.user_id
		WHERE i.county_code = ? AND i.case_id = ? ORDER BY i.user_id`, county, id)
	if err != nil {
		return nil, fmt.Errorf("penalties: investigators: %w", err)
	}
	return out, nil
}

// addInvestigator records an officer on a case (again: the certificate is
// replaced).
func (s *Store) addInvestigator(ctx context.Context, tx *sqlx.Tx, county string, id int64, inv Investigator) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM penalty_investigators WHERE county_code = ? AND case_id = ? AND user_id = ?`,
		county, id, inv.UserID); err != nil {
		return fmt.Errorf("penalties: investigator: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO penalty_investigators (county_code, case_id, user_id, cert_no) VALUES (?, ?, ?, ?)`,
		county, id, inv.UserID, inv.CertNo); err != nil {
		return fmt.Errorf("penalties: investigator: %w", err)
	}
	return nil
}

// issue numbers a document in its series of the county and year it is
// issued in and stores it, inside the caller's transaction (the one that
// records the step). The series' number row stays locked until that
// transaction ends, so numbers are neither shared nor skipped: a
// transaction that fails rolls its increment back with it.
func (s *Store) issue(ctx context.Context, tx *sqlx.Tx, d *Document) error {
	_, series := docInfo(d.Kind)
	if series == "" || len(d.IssuedOn) != 10 {
		return fmt.Errorf("penalties: document %q on %q", d.Kind, d.IssuedOn)
	}
	var year int
	if _, err := fmt.Sscanf(d.IssuedOn[:4], "%d", &year); err != nil {
		return fmt.Errorf("penalties: document year: %w", err)
	}
	d.Series, d.DocYear, d.CreatedAt = series, year, db.Now()
	q := `INSERT INTO penalty_doc_numbers (county_code, series, doc_year, last_seq) VALUES (?, ?, ?, 1)
		ON DUPLICATE KEY UPDATE last_seq = last_seq + 1`
	if s.db.Dialect == db.SQLite {
		q = `INSERT INTO penalty_doc_numbers (county_code, series, doc_year, last_seq) VALUES (?, ?, ?, 1)
			ON CONFLICT (county_code, series, doc_year) DO UPDATE SET last_seq = last_seq + 1`
	}
	if _, err := tx.ExecContext(ctx, q, d.CountyCode, d.Series, d.DocYear); err != nil {
		return fmt.Errorf("penalties: number: %w", err)
	}
	if err := tx.GetContext(ctx, &d.DocSeq, `SELECT last_seq FROM penalty_doc_numbers WHERE county_code = ? AND series = ?
		AND doc_year = ?`, d.CountyCode, d.Series, d.DocYear); err != nil {
		return fmt.Errorf("penalties: number: %w", err)
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO penalty_documents (county_code, case_id, kind, series, doc_year, doc_seq,
		issued_on, issued_by, created_at) VALUES (:county_code, :case_id, :kind, :series, :doc_year, :doc_seq, :issued_on,
		:issued_by, :created_at)`, d)
	if err != nil {
		return fmt.Errorf("penalties: document: %w", err)
	}
	d.ID, err = res.LastInsertId()
	return err
}

// documents reads a case's issued documents.
func (s *Store) documents(ctx context.Context, q sqlx.QueryerContext, county string, id int64) ([]Document, error) {
	out := []Document{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, county_code, case_id, kind, series, doc_year, doc_seq, issued_on, issued_by,
		created_at FROM penalty_documents WHERE county_code = ? AND case_id = ? ORDER BY id`, county, id)
	if err != nil {
		return nil, fmt.Errorf("penalties: documents: %w", err)
	}
	return out, nil
}

// thresholds reads a province's 较大数额, or the default.
func (s *Store) thresholds(ctx context.Context, q sqlx.QueryerContext, province string) (Thresholds, error) {
	var t Thresholds
	err := sqlx.GetContext(ctx, q, &t, `SELECT province_code, individual_yuan, organization_yuan, basis, updated_by, updated_at
		FROM penalty_thresholds WHERE province_code = ?`, province)
	if db.IsNoRows(err) {
		t = DefaultThresholds
		t.Province, t.Default = province, true
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("penalties: thresholds: %w", err)
	}
	return t, nil
}

// setThresholds stores a province's 较大数额.
func (s *Store) setThresholds(ctx context.Context, t Thresholds) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM penalty_thresholds WHERE province_code = ?`, t.Province); err != nil {
			return fmt.Errorf("penalties: thresholds: %w", err)
		}
		_, err := tx.NamedExecContext(ctx, `INSERT INTO penalty_thresholds (province_code, individual_yuan, organization_yuan,
			basis, updated_by, updated_at) VALUES (:province_code, :individual_yuan, :organization_yuan, :basis, :updated_by,
			:updated_at)`, t)
		if err != nil {
			return fmt.Errorf("penalties: thresholds: %w", err)
		}
		return nil
	})
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

const remedyColumns = `id, county_code, case_id, kind, body, started_on, ended_on, outcome, created_by, created_at`

// remedies reads a case's 复议 and 诉讼, oldest first.
func (s *Store) remedies(ctx context.Context, q sqlx.QueryerContext, county string, id int64) ([]Remedy, error) {
	var out []Remedy
	if err := sqlx.SelectContext(ctx, q, &out, `SELECT `+remedyColumns+` FROM penalty_remedies WHERE county_code = ? AND case_id = ?
		ORDER BY id`, county, id); err != nil {
		return nil, fmt.Errorf("penalties: remedies: %w", err)
	}
	return out, nil
}

// addRemedy records a 复议 or 诉讼 brought.
func (s *Store) addRemedy(ctx context.Context, tx *sqlx.Tx, r *Remedy) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO penalty_remedies (county_code, case_id, kind, body, started_on, ended_on,
		outcome, created_by, created_at) VALUES (:county_code, :case_id, :kind, :body, :started_on, :ended_on, :outcome,
		:created_by, :created_at)`, r)
	if err != nil {
		return fmt.Errorf("penalties: add remedy: %w", err)
	}
	r.ID, err = res.LastInsertId()
	return err
}

// endRemedy records how the case's open 复议 or 诉讼 ended.
func (s *Store) endRemedy(ctx context.Context, tx *sqlx.Tx, r Remedy) error {
	if _, err := tx.ExecContext(ctx, `UPDATE penalty_remedies SET ended_on = ?, outcome = ? WHERE county_code = ? AND id = ?
		AND ended_on = ''`, r.EndedOn, r.Outcome, r.CountyCode, r.ID); err != nil {
		return fmt.Errorf("penalties: end remedy: %w", err)
	}
	return nil
}
