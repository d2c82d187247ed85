package audit

import (
	"bytes"
	"strings"
	"time"

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
	app.Get("/api/v1/audit/export", read, a.exportCSV)
	app.Get("/api/v1/audit/sign-ins", read, a.listSignIns)
	// There is deliberately no route that deletes or edits entries: old
	// entries leave only through `pilotd audit-purge`, after MinRetention.
}

func (a *API) exportCSV(c *fiber.Ctx) error {
	region, _ := regionScope(c)
	var buf bytes.Buffer
	if err := a.store.ExportCSV(c.UserContext(), &buf, region); err != nil {
		return err
	}
	name := "audit-" + strings.ReplaceAll(region, "*", "all") + "-" + time.Now().UTC().Format("20060102") + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

func (a *API) listSignIns(c *fiber.Ctx) error {
	region, _ := regionScope(c)
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	f := SignInFilter{Scope: region, Username: strings.ToLower(strings.TrimSpace(c.Query("username")))}
	switch c.Query("outcome") {
	case "", "all":
	case "failed":
		f.Failed = true
	default:
		return apperr.InvalidField("outcome", "应为 all 或 failed")
	}
	items, total, err := a.store.SignIns(c.UserContext(), f, page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": total})
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
