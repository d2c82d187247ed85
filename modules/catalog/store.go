package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/tenants"
)

// BasicItem is an item of the national basic catalog.
type BasicItem struct {
	Code     string `db:"code" json:"code"`
	Category string `db:"category" json:"category"`
	Name     string `db:"name" json:"name"`
}

// SeedMigration loads the basic catalog once, as migration number version.
func SeedMigration(version int64) db.Seed {
	return db.Seed{Version: version, Run: func(ctx context.Context, tx *sql.Tx) error {
		for i, it := range basicCatalog {
			if _, err := tx.ExecContext(ctx, `INSERT INTO basic_catalog (code, category, name, sort_order) VALUES (?, ?, ?, ?)`,
				it.Code, it.Category, it.Name, i+1); err != nil {
				return fmt.Errorf("seed basic catalog: %w", err)
			}
		}
		return nil
	}}
}

// Provisioner copies the basic catalog into a newly approved county as drafts.
func Provisioner() tenants.Provisioner {
	return func(ctx context.Context, tx *sqlx.Tx, c tenants.County, _ tenants.Actor) (map[string]any, error) {
		now := db.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO catalog_items (county_code, code, category, name, status, sort_order, created_at, updated_at)
			SELECT ?, code, category, name, ?, sort_order, ?, ? FROM basic_catalog`, c.Code, StatusDraft, now, now)
		if err != nil {
			return nil, fmt.Errorf("catalog: provision %s: %w", c.Code, err)
		}
		n, _ := res.RowsAffected()
		return map[string]any{"catalog_items": n}, nil
	}
}

// Store is the SQL of county catalogs; every query is scoped by county.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const itemColumns = `county_code, code, category, name, status, status_reason, sort_order, latest_version, published_version, created_at, updated_at`

// Items lists a county's catalog in the basic catalog's order.
func (s *Store) Items(ctx context.Context, county string) ([]Item, error) {
	out := []Item{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+itemColumns+` FROM catalog_items WHERE county_code = ? ORDER BY sort_order, code`, county)
	if err != nil {
		return nil, fmt.Errorf("catalog: items: %w", err)
	}
	return out, nil
}

// Item returns one item of a county's catalog.
func (s *Store) Item(ctx context.Context, q sqlx.QueryerContext, county, code string) (Item, error) {
	var it Item
	err := sqlx.GetContext(ctx, q, &it, `SELECT `+itemColumns+` FROM catalog_items WHERE county_code = ? AND code = ?`, county, code)
	if db.IsNoRows(err) {
		return it, apperr.ErrNotFound
	}
	if err != nil {
		return it, fmt.Errorf("catalog: item: %w", err)
	}
	return it, nil
}

type versionRow struct {
	Version     int        `db:"version"`
	Name        string     `db:"name"`
	Content     string     `db:"content"`
	UpdatedBy   int64      `db:"updated_by"`
	UpdatedAt   time.Time  `db:"updated_at"`
	PublishedBy *int64     `db:"published_by"`
	PublishedAt *time.Time `db:"published_at"`
}

// Version returns one saved version of an item; version 0 is the empty start.
func (s *Store) Version(ctx context.Context, county, code string, version int) (Version, error) {
	if version == 0 {
		return Version{}, nil
	}
	var row versionRow
	err := s.db.GetContext(ctx, &row, `SELECT version, name, content, updated_by, updated_at, published_by, published_at
		FROM catalog_versions WHERE county_code = ? AND code = ? AND version = ?`, county, code, version)
	if db.IsNoRows(err) {
		return Version{}, apperr.ErrNotFound
	}
	if err != nil {
		return Version{}, fmt.Errorf("catalog: version: %w", err)
	}
	v := Version{Version: row.Version, Name: row.Name, UpdatedBy: row.UpdatedBy, UpdatedAt: row.UpdatedAt,
		PublishedBy: row.PublishedBy, PublishedAt: row.PublishedAt}
	if err := json.Unmarshal([]byte(row.Content), &v.Content); err != nil {
		return Version{}, fmt.Errorf("catalog: decode version: %w", err)
	}
	return v, nil
}

// Versions lists an item's history, newest first.
func (s *Store) Versions(ctx context.Context, county, code string) ([]Version, error) {
	var rows []versionRow
	err := s.db.SelectContext(ctx, &rows, `SELECT version, name, '' AS content, updated_by, updated_at, published_by, published_at
		FROM catalog_versions WHERE county_code = ? AND code = ? ORDER BY version DESC`, county, code)
	if err != nil {
		return nil, fmt.Errorf("catalog: versions: %w", err)
	}
	out := make([]Version, 0, len(rows))
	for _, r := range rows {
		out = append(out, Version{Version: r.Version, Name: r.Name, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt,
			PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt})
	}
	return out, nil
}

// insertVersion stores content as the item's next version inside tx. Every
// save is a new version, so no edit is ever overwritten.
func (s *Store) insertVersion(ctx context.Context, tx *sqlx.Tx, it Item, name string, c Content, by int64) (int, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("catalog: encode: %w", err)
	}
	next, now := it.LatestVersion+1, db.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_versions (county_code, code, version, name, content, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, it.CountyCode, it.Code, next, name, string(data), by, now); err != nil {
		if db.IsDuplicate(err) {
			return 0, apperr.Conflict("edit_conflict", "该事项刚被他人修改，请刷新后重试")
		}
		return 0, fmt.Errorf("catalog: insert version: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE catalog_items SET latest_version = ?, name = ?, updated_at = ?
		WHERE county_code = ? AND code = ? AND latest_version = ?`, next, name, now, it.CountyCode, it.Code, it.LatestVersion)
	if err != nil {
		return 0, fmt.Errorf("catalog: move latest: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, apperr.Conflict("edit_conflict", "该事项刚被他人修改，请刷新后重试")
	}
	return next, nil
}

// markPublished makes version the public one.
func (s *Store) markPublished(ctx context.Context, tx *sqlx.Tx, it Item, version int, by int64) error {
	now := db.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE catalog_versions SET published_by = ?, published_at = ?
		WHERE county_code = ? AND code = ? AND version = ?`, by, now, it.CountyCode, it.Code, version); err != nil {
		return fmt.Errorf("catalog: publish version: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE catalog_items SET published_version = ?, status = ?, updated_at = ?
		WHERE county_code = ? AND code = ? AND latest_version = ?`, version, StatusPublished, now, it.CountyCode, it.Code, version)
	if err != nil {
		return fmt.Errorf("catalog: publish item: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflict("edit_conflict", "发布期间该事项被他人修改，请刷新后重试")
	}
	return nil
}

// setStatus records an item's status and its reason.
func (s *Store) setStatus(ctx context.Context, tx *sqlx.Tx, county, code, status, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE catalog_items SET status = ?, status_reason = ?, updated_at = ? WHERE county_code = ? AND code = ?`,
		status, reason, db.Now(), county, code); err != nil {
		return fmt.Errorf("catalog: set status: %w", err)
	}
	return nil
}

// insertItem adds an item of the county's own.
func (s *Store) insertItem(ctx context.Context, q sqlx.ExecerContext, county, code, category, name string) error {
	return s.insertItemAt(ctx, q, county, code, category, name, 1000)
}

// informationTemplateSort places the bureau's own disclosure items right
// after the twenty of the basic catalog (sort orders 1–20; ties sort by code).
const informationTemplateSort = 20

// insertItemAt adds a draft item at a sort position.
func (s *Store) insertItemAt(ctx context.Context, q sqlx.ExecerContext, county, code, category, name string, sort int) error {
	now := db.Now()
	_, err := q.ExecContext(ctx, `INSERT INTO catalog_items (county_code, code, category, name, status, sort_order,
		latest_version, published_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
		county, code, category, name, StatusDraft, sort, now, now)
	if db.IsDuplicate(err) {
		return apperr.Conflict("duplicate", "该事项编码已存在")
	}
	if err != nil {
		return fmt.Errorf("catalog: insert item: %w", err)
	}
	return nil
}

// Decision is a recorded use of the discretion calculator.
type Decision struct {
	ID              int64     `db:"id" json:"id"`
	ItemCode        string    `db:"item_code" json:"item_code"`
	ItemVersion     int       `db:"item_version" json:"item_version"`
	StandardID      string    `db:"standard_id" json:"standard_id"`
	TierLevel       string    `db:"tier_level" json:"tier_level"`
	CaseRef         string    `db:"case_ref" json:"case_ref"`
	RecommendedMin  *int64    `db:"recommended_min" json:"recommended_min"`
	RecommendedMax  *int64    `db:"recommended_max" json:"recommended_max"`
	DecidedAmount   *int64    `db:"decided_amount" json:"decided_amount"`
	DeviationReason string    `db:"deviation_reason" json:"deviation_reason"`
	DecidedBy       int64     `db:"decided_by" json:"decided_by"`
	DecidedAt       time.Time `db:"decided_at" json:"decided_at"`
}

func (s *Store) insertDecision(ctx context.Context, county string, d *Decision) error {
	d.DecidedAt = db.Now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO discretion_decisions (county_code, item_code, item_version, standard_id,
		tier_level, case_ref, recommended_min, recommended_max, decided_amount, deviation_reason, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, county, d.ItemCode, d.ItemVersion, d.StandardID, d.TierLevel, d.CaseRef,
		d.RecommendedMin, d.RecommendedMax, d.DecidedAmount, d.DeviationReason, d.DecidedBy, d.DecidedAt)
	if err != nil {
		return fmt.Errorf("catalog: insert decision: %w", err)
	}
	d.ID, err = res.LastInsertId()
	return err
}

// Decisions lists the recorded discretion decisions of an item, newest first.
func (s *Store) Decisions(ctx context.Context, county, code string) ([]Decision, error) {
	out := []Decision{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, item_code, item_version, standard_id, tier_level, case_ref, recommended_min,
		recommended_max, decided_amount, deviation_reason, decided_by, decided_at FROM discretion_decisions
		WHERE county_code = ? AND item_code = ? ORDER BY id DESC`, county, code)
	if err != nil {
		return nil, fmt.Errorf("catalog: decisions: %w", err)
	}
	return out, nil
}
