package cases

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// Store is the SQL of cases; every query is scoped by county.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const caseColumns = `id, county_code, tracking_no, item_code, item_version, item_name, channel, applicant_name,
	applicant_credit_code, applicant_contact, applicant_phone, received_on, status, statutory_days, promised_days,
	extension_days, extension_allowed, extended, deadline, promised_deadline, provisional, clock_running, warning, current_step,
	handler_id, decision, reason, decided_on, completed_on, on_time, created_by, created_at, updated_at`

// SealedColumns are the personal columns of cases, sealed at rest (package
// seal): the applicant's contact person and phone, bound to the tracking
// number, the phone with a blind index for the rating's phone check and the
// list's q. The applicant's name and credit code stay plain: an applicant is
// an organisation (GB 32100 code), whose name and code are public.
var SealedColumns = []seal.Column{
	{Table: "cases", Column: "applicant_contact", RowKey: "tracking_no"},
	{Table: "cases", Column: "applicant_phone", RowKey: "tracking_no", Index: "applicant_phone_bidx", Kind: seal.KindPhone},
}

func caseField(c *Case, column string) db.Field {
	return db.Field{Table: "cases", Column: column, Row: c.TrackingNo}
}

// sealed is the copy of c written to the database: personal fields sealed,
// the phone's blind index computed.
func (s *Store) sealed(c *Case) (Case, error) {
	out := *c
	var err error
	if out.ApplicantContact, err = s.db.SealField(c.ApplicantContact, caseField(c, "applicant_contact")); err != nil {
		return out, fmt.Errorf("cases: seal: %w", err)
	}
	if out.ApplicantPhone, err = s.db.SealField(c.ApplicantPhone, caseField(c, "applicant_phone")); err != nil {
		return out, fmt.Errorf("cases: seal: %w", err)
	}
	out.ApplicantPhoneIndex = s.db.FieldIndex(seal.KindPhone, c.ApplicantPhone)
	return out, nil
}

// open decrypts the personal fields of a case read from the database.
func (s *Store) open(c *Case) error {
	var err error
	if c.ApplicantContact, err = s.db.OpenField(c.ApplicantContact, caseField(c, "applicant_contact")); err != nil {
		return fmt.Errorf("cases: open case %d: %w", c.ID, err)
	}
	if c.ApplicantPhone, err = s.db.OpenField(c.ApplicantPhone, caseField(c, "applicant_phone")); err != nil {
		return fmt.Errorf("cases: open case %d: %w", c.ID, err)
	}
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

func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, c *Case) error {
	row, err := s.sealed(c)
	if err != nil {
		return err
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO cases (county_code, tracking_no, item_code, item_version, item_name,
		channel, applicant_name, applicant_credit_code, applicant_contact, applicant_phone, applicant_phone_bidx, received_on, status,
		statutory_days, promised_days, extension_days, extension_allowed, extended, deadline, promised_deadline, provisional, clock_running,
		warning, current_step, handler_id, decision, reason, decided_on, completed_on, on_time, created_by, created_at, updated_at)
		VALUES (:county_code, :tracking_no, :item_code, :item_version, :item_name, :channel, :applicant_name,
		:applicant_credit_code, :applicant_contact, :applicant_phone, :applicant_phone_bidx, :received_on, :status, :statutory_days, :promised_days,
		:extension_days, :extension_allowed, :extended, :deadline, :promised_deadline, :provisional, :clock_running, :warning, :current_step,
		:handler_id, :decision, :reason, :decided_on, :completed_on, :on_time, :created_by, :created_at, :updated_at)`, &row)
	if err != nil {
		return err
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return s.addCount(ctx, tx, countKey{c.CountyCode, c.ItemCode, c.Status}, 1)
}

// update writes back every mutable column of a case and, when the status
// changed, moves the case between its counts. The caller holds the case's
// row lock (lock), so the status read here is the one being replaced.
func (s *Store) update(ctx context.Context, tx *sqlx.Tx, c *Case) error {
	var old string
	if err := tx.GetContext(ctx, &old, `SELECT status FROM cases WHERE id = ? AND county_code = ?`, c.ID, c.CountyCode); err != nil {
		return fmt.Errorf("cases: update: status: %w", err)
	}
	c.UpdatedAt = db.Now()
	_, err := tx.NamedExecContext(ctx, `UPDATE cases SET status = :status, extension_days = :extension_days,
		extended = :extended, deadline = :deadline, promised_deadline = :promised_deadline, provisional = :provisional,
		clock_running = :clock_running, warning = :warning, current_step = :current_step, handler_id = :handler_id,
		decision = :decision, reason = :reason, decided_on = :decided_on, completed_on = :completed_on,
		on_time = :on_time, updated_at = :updated_at WHERE id = :id AND county_code = :county_code`, c)
	if err != nil {
		return fmt.Errorf("cases: update: %w", err)
	}
	if old == c.Status {
		return nil
	}
	// Always the smaller key first: two transactions moving cases between the
	// same two statuses in opposite directions then lock the two count rows in
	// the same order, so neither can hold one while waiting for the other.
	from, to := countKey{c.CountyCode, c.ItemCode, old}, countKey{c.CountyCode, c.ItemCode, c.Status}
	if to.less(from) {
		if err := s.addCount(ctx, tx, to, 1); err != nil {
			return err
		}
		return s.addCount(ctx, tx, from, -1)
	}
	if err := s.addCount(ctx, tx, from, -1); err != nil {
		return err
	}
	return s.addCount(ctx, tx, to, 1)
}

// Recount rebuilds case_counts from the cases themselves, in one
// transaction, and returns the number of count rows. The store keeps the
// counts with every case write; this repairs them after anything that wrote
// cases without it: a rollback to a release older than migration 00051, a
// restore of part of the tables, a manual fix in SQL (pilotd recount-cases).
// A case write that runs meanwhile waits for the rows it counts into, so
// neither is lost.
func Recount(ctx context.Context, d *db.DB) (int, error) {
	var n int64
	err := d.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_counts`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO case_counts (county_code, item_code, status, n)
			SELECT county_code, item_code, status, COUNT(*) FROM cases GROUP BY county_code, item_code, status`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cases: recount: %w", err)
	}
	return int(n), nil
}

// countKey is one row of case_counts.
type countKey struct{ county, item, status string }

func (k countKey) less(o countKey) bool {
	if k.county != o.county {
		return k.county < o.county
	}
	if k.item != o.item {
		return k.item < o.item
	}
	return k.status < o.status
}

// addCount adds delta to a row of case_counts (migration 00051), creating it
// when it is the first case of its county, item and status. It runs in the
// transaction that writes the case, so the count commits or rolls back with it.
func (s *Store) addCount(ctx context.Context, tx *sqlx.Tx, k countKey, delta int) error {
	q := `INSERT INTO case_counts (county_code, item_code, status, n) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = n + ?`
	if s.db.Dialect == db.SQLite {
		q = `INSERT INTO case_counts (county_code, item_code, status, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (county_code, item_code, status) DO UPDATE SET n = n + ?`
	}
	if _, err := tx.ExecContext(ctx, q, k.county, k.item, k.status, delta, delta); err != nil {
		return fmt.Errorf("cases: count: %w", err)
	}
	return nil
}

// lock takes the case's row lock (so concurrent actions queue) and reads it.
func (s *Store) lock(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Case, error) {
	// A no-op update still takes the row lock (InnoDB) or the write lock (SQLite).
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = updated_at WHERE id = ? AND county_code = ?`, id, county); err != nil {
		return Case{}, fmt.Errorf("cases: lock: %w", err)
	}
	return s.get(ctx, tx, county, id)
}

func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Case, error) {
	var c Case
	err := sqlx.GetContext(ctx, q, &c, `SELECT `+caseColumns+` FROM cases WHERE id = ? AND county_code = ?`, id, county)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("cases: get: %w", err)
	}
	return c, s.open(&c)
}

// byTracking finds a case of a county by its tracking number.
func (s *Store) byTracking(ctx context.Context, county, trackingNo string) (Case, error) {
	var c Case
	err := s.db.GetContext(ctx, &c, `SELECT `+caseColumns+` FROM cases WHERE tracking_no = ? AND county_code = ?`, trackingNo, county)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("cases: by tracking: %w", err)
	}
	return c, s.open(&c)
}

const stepColumns = `case_id, seq, county_code, name, post, authority, limit_days, excluded, active, started_on, due_on, completed_on, warning`

func (s *Store) insertStep(ctx context.Context, tx *sqlx.Tx, st Step) error {
	_, err := tx.NamedExecContext(ctx, `INSERT INTO case_steps (`+stepColumns+`) VALUES (:case_id, :seq, :county_code,
		:name, :post, :authority, :limit_days, :excluded, :active, :started_on, :due_on, :completed_on, :warning)`, st)
	if err != nil {
		return fmt.Errorf("cases: insert step: %w", err)
	}
	return nil
}

func (s *Store) updateStep(ctx context.Context, tx *sqlx.Tx, st Step) error {
	_, err := tx.NamedExecContext(ctx, `UPDATE case_steps SET active = :active, started_on = :started_on, due_on = :due_on,
		completed_on = :completed_on, warning = :warning WHERE case_id = :case_id AND seq = :seq`, st)
	if err != nil {
		return fmt.Errorf("cases: update step: %w", err)
	}
	return nil
}

func (s *Store) steps(ctx context.Context, q sqlx.QueryerContext, county string, caseID int64) ([]Step, error) {
	out := []Step{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+stepColumns+` FROM case_steps WHERE case_id = ? AND county_code = ? ORDER BY seq`, caseID, county)
	if err != nil {
		return nil, fmt.Errorf("cases: steps: %w", err)
	}
	return out, nil
}

func (s *Store) pauses(ctx context.Context, q sqlx.QueryerContext, county string, caseID int64) ([]Pause, error) {
	out := []Pause{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, case_id, kind, reason, started_on, ended_on, started_by, ended_by
		FROM case_pauses WHERE case_id = ? AND county_code = ? ORDER BY id`, caseID, county)
	if err != nil {
		return nil, fmt.Errorf("cases: pauses: %w", err)
	}
	return out, nil
}

func (s *Store) insertPause(ctx context.Context, tx *sqlx.Tx, county string, p Pause) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_pauses (case_id, county_code, kind, reason, started_on, started_by)
		VALUES (?, ?, ?, ?, ?, ?)`, p.CaseID, county, p.Kind, p.Reason, p.StartedOn, p.StartedBy)
	if err != nil {
		return fmt.Errorf("cases: insert pause: %w", err)
	}
	return nil
}

func (s *Store) endPause(ctx context.Context, tx *sqlx.Tx, county string, id int64, on string, by int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE case_pauses SET ended_on = ?, ended_by = ? WHERE id = ? AND county_code = ?`, on, by, id, county)
	if err != nil {
		return fmt.Errorf("cases: end pause: %w", err)
	}
	return nil
}

func (s *Store) events(ctx context.Context, q sqlx.QueryerContext, county string, caseID int64) ([]Event, error) {
	out := []Event{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT e.id, e.kind, e.from_status, e.to_status, e.actor_id, e.actor_name,
		COALESCE(u.display_name, '') AS actor_display_name, e.note, e.at
		FROM case_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.case_id = ? AND e.county_code = ? ORDER BY e.id`, caseID, county)
	if err != nil {
		return nil, fmt.Errorf("cases: events: %w", err)
	}
	return out, nil
}

func (s *Store) insertEvent(ctx context.Context, tx sqlx.ExecerContext, c Case, kind, from, to string, actorID int64, actorName, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, county_code, kind, from_status, to_status, actor_id,
		actor_name, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.CountyCode, kind, from, to, actorID, actorName, note, db.Now())
	if err != nil {
		return fmt.Errorf("cases: insert event: %w", err)
	}
	return nil
}

// Filter narrows a county's case list.
type Filter struct {
	Status string
	// Open keeps the cases still running against their clock (submitted,
	// accepted, in review, returned for correction): the staff list's default.
	Open     bool
	Warning  string // red or yellow: computed from the deadline, not from the last flag
	Overdue  bool
	ItemCode string
	Sort     string // "deadline" (default) or "received"
	Page     int
	PerPage  int
	// Q finds a tracking number or a credit code (exactly), an applicant's
	// name (any part: organisations' names are stored plain) or the phone
	// the case was filed with (exactly, through its blind index).
	Q string
	// phoneIndexes are Q's blind indexes as a phone (set by the store).
	phoneIndexes []string
}

// list returns a page of a county's cases and the total matching.
func (s *Store) list(ctx context.Context, county string, f Filter, today, nextWorkday string) ([]Case, int, error) {
	if strings.TrimSpace(f.Q) != "" && phonePattern.MatchString(strings.TrimSpace(f.Q)) {
		f.phoneIndexes = s.db.FieldIndexes(seal.KindPhone, f.Q)
	}
	q := ListSQL(s.db.Dialect, county, f, today, nextWorkday)
	var total int
	if err := s.db.GetContext(ctx, &total, q.Count, q.CountArgs...); err != nil {
		return nil, 0, fmt.Errorf("cases: count: %w", err)
	}
	out := []Case{}
	if err := s.db.SelectContext(ctx, &out, q.Page, q.PageArgs...); err != nil {
		return nil, 0, fmt.Errorf("cases: list: %w", err)
	}
	return out, total, s.openAll(out)
}

// ListQuery is the SQL of one page of a county's case list: the count of
// matching cases and the page itself.
type ListQuery struct {
	Count, Page         string
	CountArgs, PageArgs []any
}

// ListSQL builds the case list's statements. The service runs them, and so
// does the benchmark's bare handler, so both measure the same SQL.
//
// The total of a list filtered by county, status and item at most is summed
// from case_counts, which the store keeps with every case write: counting a
// large county's cases in the index costs more than the page itself. The
// warning and overdue filters depend on today's date and only ever match
// open cases (a short range of cases_county_clock), so they count the cases.
func ListSQL(dialect db.Dialect, county string, f Filter, today, nextWorkday string) ListQuery {
	where, args := []string{"county_code = ?"}, []any{county}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	} else if f.Open {
		where = append(where, "status IN (?, ?, ?, ?)")
		for _, st := range OpenStatuses {
			args = append(args, st)
		}
	}
	if f.ItemCode != "" {
		where, args = append(where, "item_code = ?"), append(args, f.ItemCode)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		cond := "(tracking_no = ? OR applicant_credit_code = ? OR applicant_name LIKE ? ESCAPE '!'"
		args = append(args, strings.ToUpper(q), strings.ToUpper(q), likePattern(q))
		if len(f.phoneIndexes) > 0 {
			cond += " OR applicant_phone_bidx IN (?" + strings.Repeat(", ?", len(f.phoneIndexes)-1) + ")"
			for _, ix := range f.phoneIndexes {
				args = append(args, ix)
			}
		}
		where = append(where, cond+")")
	}
	var clock string
	var clockArgs []any
	if f.Overdue || f.Warning == WarningRed {
		clock, clockArgs = "clock_running = ? AND promised_deadline < ?", []any{true, today}
	} else if f.Warning == WarningYellow {
		clock, clockArgs = "clock_running = ? AND promised_deadline >= ? AND promised_deadline <= ?", []any{true, today, nextWorkday}
	}
	from := "cases"
	if index := listIndex(f); index != "" && dialect == db.MySQL {
		from = "cases FORCE INDEX (" + index + ")"
	}
	count, countArgs := `SELECT COALESCE(SUM(n), 0) FROM case_counts WHERE `+strings.Join(where, " AND "), args
	if clock != "" || strings.TrimSpace(f.Q) != "" {
		if clock != "" {
			where, args = append(where, clock), append(args, clockArgs...)
		}
		count, countArgs = `SELECT COUNT(*) FROM `+from+` WHERE `+strings.Join(where, " AND "), args
	}
	cond := strings.Join(where, " AND ")
	order := "promised_deadline, id"
	if f.Sort == "received" {
		order = "received_on DESC, id DESC"
	}
	// The page's ids come from an index first (migration 00050) and only the
	// page's rows are then read. Two combinations have no index in their
	// order and sort their range: the item filter by deadline and the status
	// filter by receipt.
	return ListQuery{
		Count:     count,
		CountArgs: countArgs,
		Page: `SELECT ` + db.Qualify("c", caseColumns) + ` FROM (SELECT id FROM ` + from + ` WHERE ` + cond + ` ORDER BY ` + order +
			` LIMIT ? OFFSET ?) page JOIN cases c ON c.id = page.id ORDER BY ` + db.Qualify("c", order),
		PageArgs: append(args[:len(args):len(args)], f.PerPage, (f.Page-1)*f.PerPage),
	}
}

// likePattern escapes q for a LIKE … ESCAPE '!' that matches it anywhere
// ('!' rather than a backslash, which the two engines quote differently).
func likePattern(q string) string {
	r := strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`)
	return "%" + r.Replace(q) + "%"
}

// listIndex names the index that holds exactly a list's filter in its order
// (migrations 00027 and 00050), or "" where none does and the optimizer
// should choose. MySQL is told to use it: weighing all eight of the cases
// table's county indexes (two B-tree dives into each) took most of a
// page's time. SQLite's planner is cheap and needs no hint.
func listIndex(f Filter) string {
	if strings.TrimSpace(f.Q) != "" {
		// The tracking number's unique key or the phone's blind index
		// narrows far more than any list index: the optimizer chooses.
		return ""
	}
	clock := f.Overdue || f.Warning == WarningRed || f.Warning == WarningYellow
	byStatus, byItem := f.Status != "" || f.Open, f.ItemCode != ""
	switch {
	case clock && !byStatus && !byItem && f.Sort != "received":
		return "cases_county_clock"
	case clock:
		return ""
	case f.Sort == "received" && !byStatus && !byItem:
		return "cases_county_received"
	case f.Sort == "received" && byItem && !byStatus:
		return "cases_county_item"
	case f.Sort == "received":
		return ""
	case byItem && byStatus:
		return "cases_county_item_status"
	case byStatus:
		return "cases_county_status"
	case !byItem:
		return "cases_county_deadline"
	}
	return ""
}

// openCaseIDs lists the open cases after id, a batch at a time (for recomputing).
func (s *Store) openCaseIDs(ctx context.Context, afterID int64, limit int) ([]Case, error) {
	out := []Case{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+caseColumns+` FROM cases WHERE id > ? AND status IN (?, ?, ?, ?) ORDER BY id LIMIT ?`,
		afterID, StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned, limit)
	if err != nil {
		return nil, fmt.Errorf("cases: open cases: %w", err)
	}
	return out, s.openAll(out)
}

// ErasePersonal erases the personal fields (SealedColumns) of cases closed
// before the cutoff date (completed_on < before), for the retention job: the
// case, its dates, decision, history and audit entries stay.
func ErasePersonal(ctx context.Context, d *db.DB, before, today string) (int, error) {
	return seal.Erase(ctx, d, SealedColumns, `completed_on IS NOT NULL AND completed_on < ? AND status NOT IN (?, ?, ?, ?)`,
		[]any{before, StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned}, today)
}
