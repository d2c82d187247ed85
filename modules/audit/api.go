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
	f, err := parseFilter(c, region)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.store.ExportFiltered(c.UserContext(), &buf, f); err != nil {
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
	f, err := parseSignInFilter(c, region)
	if err != nil {
		return err
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
	f, err := parseFilter(c, region)
	if err != nil {
		return err
	}
	items, total, err := a.store.ListFiltered(c.UserContext(), f, page, perPage)
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

// parseDates reads ?from= and ?to= (dates in Beijing time, both inclusive)
// as the half-open UTC range [from, until).
func parseDates(c *fiber.Ctx) (from, until time.Time, err error) {
	if v := strings.TrimSpace(c.Query("from")); v != "" {
		d, perr := time.ParseInLocation(time.DateOnly, v, beijing)
		if perr != nil {
			return from, until, apperr.InvalidField("from", "起始日期应为 YYYY-MM-DD")
		}
		from = d.UTC()
	}
	if v := strings.TrimSpace(c.Query("to")); v != "" {
		d, perr := time.ParseInLocation(time.DateOnly, v, beijing)
		if perr != nil {
			return from, until, apperr.InvalidField("to", "截止日期应为 YYYY-MM-DD")
		}
		until = d.AddDate(0, 0, 1).UTC()
	}
	if !from.IsZero() && !until.IsZero() && !from.Before(until) {
		return from, until, apperr.InvalidField("to", "截止日期不能早于起始日期")
	}
	return from, until, nil
}

// parseFilter reads the list and export filters: from, to, username, action
// and outcome.
func parseFilter(c *fiber.Ctx, scope string) (Filter, error) {
	f := Filter{Scope: scope, Username: strings.ToLower(strings.TrimSpace(c.Query("username"))),
		Action: strings.TrimSpace(c.Query("action")), Outcome: c.Query("outcome")}
	var err error
	if f.From, f.Until, err = parseDates(c); err != nil {
		return f, err
	}
	if len(f.Username) > 64 || len(f.Action) > 128 {
		return f, apperr.Invalid("筛选条件过长", nil)
	}
	switch f.Outcome {
	case "", "success", "denied", "rejected", "error":
	default:
		return f, apperr.InvalidField("outcome", "应为 success、denied、rejected 或 error")
	}
	return f, nil
}

// parseSignInFilter reads the sign-in history filters: from, to, username and
// outcome (all or failed).
func parseSignInFilter(c *fiber.Ctx, scope string) (SignInFilter, error) {
	f := SignInFilter{Scope: scope, Username: strings.ToLower(strings.TrimSpace(c.Query("username")))}
	switch c.Query("outcome") {
	case "", "all":
	case "failed":
		f.Failed = true
	default:
		return f, apperr.InvalidField("outcome", "应为 all 或 failed")
	}
	var err error
	f.From, f.Until, err = parseDates(c)
	return f, err
}
