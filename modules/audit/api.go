package audit

import (
	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

// API serves the audit log to audit administrators.
type API struct {
	store    *Store
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(store *Store, enforcer *rbac.Enforcer) *API {
	return &API{store: store, enforcer: enforcer}
}

// regionScope reads ?region= (default the whole country).
func regionScope(c *fiber.Ctx) (string, error) {
	r := c.Query("region", rbac.NationalRegion)
	if _, ok := rbac.RegionLevel(r); !ok {
		return "", apperr.InvalidField("region", "区域代码有误")
	}
	return r, nil
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, "audit:read", regionScope)
	app.Get("/api/v1/audit", read, a.listEntries)
	app.Get("/api/v1/audit/verify", read, a.verifyChain)
}

func (a *API) listEntries(c *fiber.Ctx) error {
	region, _ := regionScope(c)
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	items, total, err := a.store.List(c.UserContext(), region, page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": total})
}

func (a *API) verifyChain(c *fiber.Ctx) error {
	v, err := a.store.Verify(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(v)
}
