package inspections

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Store is the SQL of the module; every query says WHERE county_code = ?.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const planColumns = `id, county_code, name, period_start, period_end, industries, risk_grades, entity_count,
	inspectors_per_entity, status, created_by, approved_by, approved_on, created_at, updated_at`

const drawColumns = `id, county_code, plan_id, seq, algorithm, seed, entity_pool, inspector_pool, conflicts, entity_count,
	inspectors_per_entity, draw_result, reason, superseded, drawn_by, created_at`

const inspectionColumns = `i.id, i.county_code, i.plan_id, i.draw_id, i.entity_id, i.inspectors, i.status, i.inspected_on,
	i.summary, i.completed_by, i.rectify_deadline, i.rectify_warning, i.recheck_on, i.recheck_result, i.recheck_note,
	i.rechecked_by, i.publish_due, i.publish_due_provisional, i.published_on, i.publish_warning, i.created_at, i.updated_at,
	e.name AS entity_name, e.credit_code AS entity_credit_code`

const inspectionFrom = ` FROM inspections i JOIN entities e ON e.county_code = i.county_code AND e.id = i.entity_id `

const findingColumns = `id, county_code, inspection_id, description, legal_provision, violation, penalty_case_id,
	penalty_case_no, created_by, created_at`

func notFound(err error, what string) error {
	if db.IsNoRows(err) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("inspections: %s: %w", what, err)
	}
	return nil
}

func (s *Store) plan(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Plan, error) {
	var p Plan
	err := sqlx.GetContext(ctx, q, &p, `SELECT `+planColumns+` FROM inspection_plans WHERE county_code = ? AND id = ?`, county, id)
	return p, notFound(err, "plan")
}

// lockPlan reads a plan for update, so two draws of one plan run one after
// the other (SQLite serialises writers anyway).
func (s *Store) lockPlan(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Plan, error) {
	var p Plan
	query := `SELECT ` + planColumns + ` FROM inspection_plans WHERE county_code = ? AND id = ?`
	if s.db.Dialect == db.MySQL {
		query += ` FOR UPDATE`
	}
	err := tx.GetContext(ctx, &p, query, county, id)
	return p, notFound(err, "lock plan")
}

func (s *Store) plans(ctx context.Context, county string) ([]Plan, error) {
	out := []Plan{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+planColumns+` FROM inspection_plans WHERE county_code = ?
		ORDER BY period_start DESC, id DESC`, county)
	return out, notFound(err, "plans")
}

func (s *Store) insertPlan(ctx context.Context, tx *sqlx.Tx, p *Plan) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO inspection_plans (county_code, name, period_start, period_end,
		industries, risk_grades, entity_count, inspectors_per_entity, status, created_by, approved_by, approved_on,
		created_at, updated_at) VALUES (:county_code, :name, :period_start, :period_end, :industries, :risk_grades,
		:entity_count, :inspectors_per_entity, :status, :created_by, :approved_by, :approved_on, :created_at, :updated_at)`, p)
	if err != nil {
		return fmt.Errorf("inspections: insert plan: %w", err)
	}
	p.ID, err = res.LastInsertId()
	return err
}

func (s *Store) draws(ctx context.Context, q sqlx.QueryerContext, county string, planID int64) ([]Draw, error) {
	out := []Draw{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+drawColumns+` FROM inspection_draws WHERE county_code = ? AND plan_id = ?
		ORDER BY seq`, county, planID)
	return out, notFound(err, "draws")
}

func (s *Store) draw(ctx context.Context, county string, id int64) (Draw, error) {
	var d Draw
	err := s.db.GetContext(ctx, &d, `SELECT `+drawColumns+` FROM inspection_draws WHERE county_code = ? AND id = ?`, county, id)
	return d, notFound(err, "draw")
}

func (s *Store) insertDraw(ctx context.Context, tx *sqlx.Tx, d *Draw) error {
	res, err := tx.NamedExecContext(ctx, `INSERT INTO inspection_draws (county_code, plan_id, seq, algorithm, seed,
		entity_pool, inspector_pool, conflicts, entity_count, inspectors_per_entity, draw_result, reason, superseded,
		drawn_by, created_at) VALUES (:county_code, :plan_id, :seq, :algorithm, :seed, :entity_pool, :inspector_pool,
		:conflicts, :entity_count, :inspectors_per_entity, :draw_result, :reason, :superseded, :drawn_by, :created_at)`, d)
	if err != nil {
		return fmt.Errorf("inspections: insert draw: %w", err)
	}
	d.ID, err = res.LastInsertId()
	return err
}

// entityPool lists the ids of the county's active entities in the plan's
// scope, ascending.
func (s *Store) entityPool(ctx context.Context, tx *sqlx.Tx, county string, industries, grades []string) ([]int64, error) {
	where, args := `county_code = ? AND status = ?`, []any{county, "active"}
	if len(industries) > 0 {
		where += ` AND industry IN (?` + repeat(len(industries)-1) + `)`
		for _, v := range industries {
			args = append(args, v)
		}
	}
	if len(grades) > 0 {
		where += ` AND risk_grade IN (?` + repeat(len(grades)-1) + `)`
		for _, v := range grades {
			args = append(args, v)
		}
	}
	out := []int64{}
	err := tx.SelectContext(ctx, &out, `SELECT id FROM entities WHERE `+where+` ORDER BY id`, args...)
	return out, notFound(err, "entity pool")
}

func repeat(n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += ", ?"
	}
	return out
}

// inspectorPool lists the user ids of the county's active inspectors who hold
// county_officer in the county and are not disabled, ascending.
func (s *Store) inspectorPool(ctx context.Context, q sqlx.QueryerContext, county string) ([]int64, error) {
	out := []int64{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT i.user_id FROM inspectors i
		JOIN users u ON u.id = i.user_id
		JOIN user_roles r ON r.user_id = i.user_id AND r.region = i.county_code AND r.role = ?
		WHERE i.county_code = ? AND i.active = ? AND u.disabled = ? ORDER BY i.user_id`, "county_officer", county, true, false)
	return out, notFound(err, "inspector pool")
}

func (s *Store) conflictPairs(ctx context.Context, q sqlx.QueryerContext, county string) ([]Conflict, error) {
	var rows []ConflictRecord
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, county_code, user_id, entity_id, reason, declared_by, created_at
		FROM inspection_conflicts WHERE county_code = ? ORDER BY user_id, entity_id`, county)
	out := make([]Conflict, 0, len(rows))
	for _, r := range rows {
		out = append(out, Conflict{InspectorID: r.UserID, EntityID: r.EntityID})
	}
	return out, notFound(err, "conflicts")
}

func (s *Store) conflicts(ctx context.Context, county string) ([]ConflictRecord, error) {
	out := []ConflictRecord{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, county_code, user_id, entity_id, reason, declared_by, created_at
		FROM inspection_conflicts WHERE county_code = ? ORDER BY id`, county)
	return out, notFound(err, "conflicts")
}

func (s *Store) inspectors(ctx context.Context, county string) ([]Inspector, error) {
	out := []Inspector{}
	err := s.db.SelectContext(ctx, &out, `SELECT i.id, i.county_code, i.user_id, i.certificate_no, i.active, i.created_by,
		i.created_at, i.updated_at, u.display_name, u.username FROM inspectors i JOIN users u ON u.id = i.user_id
		WHERE i.county_code = ? ORDER BY i.user_id`, county)
	return out, notFound(err, "inspectors")
}

func (s *Store) inspection(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Inspection, error) {
	var i Inspection
	err := sqlx.GetContext(ctx, q, &i, `SELECT `+inspectionColumns+inspectionFrom+`WHERE i.county_code = ? AND i.id = ?`, county, id)
	return i, notFound(err, "inspection")
}

func (s *Store) inspections(ctx context.Context, county string, planID int64, status string) ([]Inspection, error) {
	where, args := `i.county_code = ?`, []any{county}
	if planID != 0 {
		where += ` AND i.plan_id = ?`
		args = append(args, planID)
	}
	if status != "" {
		where += ` AND i.status = ?`
		args = append(args, status)
	}
	out := []Inspection{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+inspectionColumns+inspectionFrom+`WHERE `+where+` ORDER BY i.id`, args...)
	return out, notFound(err, "inspections")
}

func (s *Store) findings(ctx context.Context, q sqlx.QueryerContext, county string, inspectionID int64) ([]Finding, error) {
	out := []Finding{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+findingColumns+` FROM inspection_findings
		WHERE county_code = ? AND inspection_id = ? ORDER BY id`, county, inspectionID)
	return out, notFound(err, "findings")
}

func (s *Store) finding(ctx context.Context, q sqlx.QueryerContext, county string, inspectionID, id int64) (Finding, error) {
	var f Finding
	err := sqlx.GetContext(ctx, q, &f, `SELECT `+findingColumns+` FROM inspection_findings
		WHERE county_code = ? AND inspection_id = ? AND id = ?`, county, inspectionID, id)
	return f, notFound(err, "finding")
}
