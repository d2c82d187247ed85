package ratings

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// Store is the SQL of ratings and rectifications; every query of a county's
// rows says WHERE county_code = ?.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const rectificationColumns = `x.id, x.county_code, x.rating_id, x.case_id, x.handler_id, x.opened_on, x.due_on,
	x.due_provisional, x.status, x.warning, x.verification, x.verified_on, x.verified_by, x.measures, x.rectified_on,
	x.rectified_by, x.callback_on, x.callback_way, x.callback_view, x.callback_note, x.callback_by, x.closed_on,
	x.closed_by, x.appeal_status, x.appeal_reason, x.appealed_on, x.appealed_by, x.review_reason, x.reviewed_on,
	x.reviewed_by, x.created_at, x.updated_at`

// viewSelect joins a rectification to its rating; callers add the WHERE.
const viewSelect = `SELECT ` + rectificationColumns + `, r.tracking_no, r.item_code, r.item_name, r.level, r.channel,
	r.comment, r.rated_on, r.indicators
	FROM rectifications x JOIN ratings r ON r.county_code = x.county_code AND r.id = x.rating_id`

// viewRow is a View as read, with the rating's indicators still JSON.
type viewRow struct {
	View
	IndicatorsJSON string `db:"indicators"`
}

func (r viewRow) view() View {
	v := r.View
	_ = json.Unmarshal([]byte(r.IndicatorsJSON), &v.Indicators)
	return v
}

func views(rows []viewRow) []View {
	out := make([]View, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.view())
	}
	return out
}

// caseRow is what rating needs of a case.
type caseRow struct {
	ID             int64  `db:"id"`
	CountyCode     string `db:"county_code"`
	TrackingNo     string `db:"tracking_no"`
	ItemCode       string `db:"item_code"`
	ItemName       string `db:"item_name"`
	Status         string `db:"status"`
	ApplicantPhone string `db:"applicant_phone"`
	// PhoneIndex is the phone's blind index; "" for a case not yet swept.
	PhoneIndex string `db:"applicant_phone_bidx"`
	HandlerID  int64  `db:"handler_id"`
	CreatedBy  int64  `db:"created_by"`
}

const caseColumns = `id, county_code, tracking_no, item_code, item_name, status, applicant_phone, applicant_phone_bidx, handler_id, created_by`

// caseByTracking finds a county's case by its tracking number.
func (s *Store) caseByTracking(ctx context.Context, county, tracking string) (caseRow, error) {
	var c caseRow
	err := s.db.GetContext(ctx, &c, `SELECT `+caseColumns+` FROM cases WHERE county_code = ? AND tracking_no = ?`, county, tracking)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("ratings: case: %w", err)
	}
	return c, nil
}

// caseByID finds a county's case by id.
func (s *Store) caseByID(ctx context.Context, county string, id int64) (caseRow, error) {
	var c caseRow
	err := s.db.GetContext(ctx, &c, `SELECT `+caseColumns+` FROM cases WHERE county_code = ? AND id = ?`, county, id)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("ratings: case: %w", err)
	}
	return c, nil
}

// phoneMatches checks the phone given for a case against the one it was
// filed with through the keyed blind index (constant time), never by
// decrypting; a case from before sealing that the migration sweep has not
// reached yet has no index and is compared as stored.
func (s *Store) phoneMatches(c caseRow, phone string) (bool, error) {
	if c.PhoneIndex == "" {
		stored, err := s.db.OpenField(c.ApplicantPhone, db.Field{Table: "cases", Column: "applicant_phone", Row: c.TrackingNo})
		if err != nil {
			return false, err
		}
		return seal.Normalize(seal.KindPhone, stored) == seal.Normalize(seal.KindPhone, phone), nil
	}
	for _, ix := range s.db.FieldIndexes(seal.KindPhone, phone) {
		if subtle.ConstantTimeCompare([]byte(ix), []byte(c.PhoneIndex)) == 1 {
			return true, nil
		}
	}
	return false, nil
}

// rated reports whether a county's case has a rating.
func (s *Store) rated(ctx context.Context, county string, caseID int64) (bool, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM ratings WHERE county_code = ? AND case_id = ?`, county, caseID); err != nil {
		return false, fmt.Errorf("ratings: rated: %w", err)
	}
	return n > 0, nil
}

func (s *Store) insertRating(ctx context.Context, tx *sqlx.Tx, r *Rating) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO ratings (county_code, case_id, tracking_no, item_code, item_name,
		channel, level, indicators, comment, rated_on, rated_by, excluded, created_at) VALUES (:county_code, :case_id,
		:tracking_no, :item_code, :item_name, :channel, :level, :indicators, :comment, :rated_on, :rated_by, :excluded,
		:created_at)`, r)
	if err != nil {
		return err
	}
	r.ID, err = res.LastInsertId()
	return err
}

func (s *Store) insertRectification(ctx context.Context, tx *sqlx.Tx, x *Rectification) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO rectifications (county_code, rating_id, case_id, handler_id,
		opened_on, due_on, due_provisional, status, warning, verification, verified_on, verified_by, measures,
		rectified_on, rectified_by, callback_on, callback_way, callback_view, callback_note, callback_by, closed_on,
		closed_by, appeal_status, appeal_reason, appealed_on, appealed_by, review_reason, reviewed_on, reviewed_by,
		created_at, updated_at) VALUES (:county_code, :rating_id, :case_id, :handler_id, :opened_on, :due_on,
		:due_provisional, :status, :warning, :verification, :verified_on, :verified_by, :measures, :rectified_on,
		:rectified_by, :callback_on, :callback_way, :callback_view, :callback_note, :callback_by, :closed_on, :closed_by,
		:appeal_status, :appeal_reason, :appealed_on, :appealed_by, :review_reason, :reviewed_on, :reviewed_by,
		:created_at, :updated_at)`, x)
	if err != nil {
		return fmt.Errorf("ratings: insert rectification: %w", err)
	}
	x.ID, err = res.LastInsertId()
	return err
}

// get reads one of a county's rectifications.
func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (View, error) {
	var r viewRow
	err := sqlx.GetContext(ctx, q, &r, viewSelect+` WHERE x.county_code = ? AND x.id = ?`, county, id)
	if db.IsNoRows(err) {
		return View{}, apperr.ErrNotFound
	}
	if err != nil {
		return View{}, fmt.Errorf("ratings: rectification: %w", err)
	}
	return r.view(), nil
}

// list reads a county's rectifications, open ones first by due date.
func (s *Store) list(ctx context.Context, county, status string) ([]View, error) {
	where, args := ` WHERE x.county_code = ?`, []any{county}
	if status != "" {
		where += ` AND x.status = ?`
		args = append(args, status)
	}
	var rows []viewRow
	if err := s.db.SelectContext(ctx, &rows, viewSelect+where+` ORDER BY CASE WHEN x.status = 'open' THEN 0 ELSE 1 END,
		x.due_on, x.id LIMIT 1000`, args...); err != nil {
		return nil, fmt.Errorf("ratings: rectifications: %w", err)
	}
	return views(rows), nil
}

// appeals reads the appealed rectifications of a province's counties,
// pending ones first.
func (s *Store) appeals(ctx context.Context, province string) ([]View, error) {
	var rows []viewRow
	if err := s.db.SelectContext(ctx, &rows, viewSelect+` WHERE x.county_code IN (SELECT code FROM counties WHERE province_code = ?)
		AND x.appeal_status <> '' ORDER BY CASE WHEN x.appeal_status = 'pending' THEN 0 ELSE 1 END, x.appealed_on, x.id LIMIT 1000`,
		province); err != nil {
		return nil, fmt.Errorf("ratings: appeals: %w", err)
	}
	return views(rows), nil
}

// figuresSelect counts ratings that stand and their rectifications; callers
// add the WHERE (on r) and GROUP BY.
const figuresSelect = `SELECT COUNT(*) AS ratings,
	COALESCE(SUM(CASE WHEN r.level >= 3 THEN 1 ELSE 0 END), 0) AS satisfied,
	COALESCE(SUM(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END), 0) AS bad,
	COALESCE(SUM(CASE WHEN x.status = 'closed' THEN 1 ELSE 0 END), 0) AS rectified`

const figuresFrom = ` FROM ratings r LEFT JOIN rectifications x ON x.county_code = r.county_code AND x.rating_id = r.id`

// figures counts a county's ratings.
func (s *Store) figures(ctx context.Context, county string) (Figures, error) {
	var f Figures
	if err := s.db.GetContext(ctx, &f, figuresSelect+figuresFrom+` WHERE r.county_code = ? AND r.excluded = ?`, county, false); err != nil {
		return f, fmt.Errorf("ratings: figures: %w", err)
	}
	return f, nil
}

// figuresByItem counts a county's ratings per item.
func (s *Store) figuresByItem(ctx context.Context, county string) ([]Figures, error) {
	var out []Figures
	if err := s.db.SelectContext(ctx, &out, figuresSelect+`, r.item_code, MAX(r.item_name) AS item_name`+figuresFrom+`
		WHERE r.county_code = ? AND r.excluded = ? GROUP BY r.item_code ORDER BY r.item_code`, county, false); err != nil {
		return nil, fmt.Errorf("ratings: figures by item: %w", err)
	}
	return out, nil
}
