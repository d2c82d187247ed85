// Package catalog is each pilot county's catalog (目录): its copy of the
// national basic catalog, turned into concrete content item by item.
package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// Item categories.
const (
	Information = "information"
	Power       = "power"
	Service     = "service"
)

// Item statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// BasicItem is an item of the national basic catalog.
type BasicItem struct {
	Code     string `db:"code" json:"code"`
	Category string `db:"category" json:"category"`
	Name     string `db:"name" json:"name"`
}

// Item is an item of a county's catalog.
type Item struct {
	CountyCode string    `db:"county_code" json:"county_code"`
	Code       string    `db:"code" json:"code"`
	Category   string    `db:"category" json:"category"`
	Name       string    `db:"name" json:"name"`
	Status     string    `db:"status" json:"status"`
	SortOrder  int       `db:"sort_order" json:"-"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time `db:"updated_at" json:"updated_at"`
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

// Store is the SQL of county catalogs; every query is scoped by county.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

const itemColumns = `county_code, code, category, name, status, sort_order, created_at, updated_at`

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
func (s *Store) Item(ctx context.Context, county, code string) (Item, error) {
	var it Item
	err := s.db.GetContext(ctx, &it, `SELECT `+itemColumns+` FROM catalog_items WHERE county_code = ? AND code = ?`, county, code)
	if db.IsNoRows(err) {
		return it, apperr.ErrNotFound
	}
	if err != nil {
		return it, fmt.Errorf("catalog: item: %w", err)
	}
	return it, nil
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

// API serves the catalog endpoints.
type API struct {
	store    *Store
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(store *Store, enforcer *rbac.Enforcer) *API {
	return &API{store: store, enforcer: enforcer}
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, "catalog:read", web.CountyScope)
	app.Get("/api/v1/counties/:county/catalog", read, a.listItems)
	app.Get("/api/v1/counties/:county/catalog/:code", read, a.showItem)
}

func (a *API) listItems(c *fiber.Ctx) error {
	items, err := a.store.Items(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

func (a *API) showItem(c *fiber.Ctx) error {
	it, err := a.store.Item(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(it)
}
