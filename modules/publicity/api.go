package publicity

import (
	"github.com/gofiber/fiber/v2"

	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// API serves the 双公示 endpoints of the county and the public.
type API struct {
	svc      *Service
	tenants  *tenants.Service
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, t *tenants.Service, enforcer *rbac.Enforcer) *API {
	return &API{svc: svc, tenants: t, enforcer: enforcer}
}

// Permissions: reading the list is reading the county's disclosure work;
// publishing and withdrawing are what its reviewers do for every record
// that reaches the portal (谁公开谁审查).
const (
	ReadPermission    = "disclosure:read"
	PublishPermission = "disclosure:publish"
)

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, ReadPermission, web.CountyScope)
	publish := web.Require(a.enforcer, PublishPermission, web.CountyScope)
	g := app.Group("/api/v1/counties/:county/publicity")
	g.Get("", read, a.list)
	g.Get("/:id", read, a.show)
	g.Post("/:id/publish", publish, a.publish)
	g.Post("/:id/withdraw", publish, a.withdraw)
	app.Get("/api/v1/public/counties/:county/publicity", a.RequireActiveCounty, a.publicList)
}

// RequireActiveCounty hides counties that are not active pilots.
func (a *API) RequireActiveCounty(c *fiber.Ctx) error {
	return web.ActiveCounty(c, a.tenants.RequireActive)
}

func (a *API) list(c *fiber.Ctx) error {
	list, err := a.svc.List(c.UserContext(), c.Params("county"), c.Query("status"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entries": list})
}

func (a *API) show(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	p, err := a.svc.PreviewOf(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entry": v, "preview": p})
}

func (a *API) publish(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Publish(c.UserContext(), c.Params("county"), id, web.CurrentUser(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) withdraw(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in WithdrawInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Withdraw(c.UserContext(), c.Params("county"), id, web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) publicList(c *fiber.Ctx) error {
	list, err := a.svc.PublicList(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"decisions": list})
}
