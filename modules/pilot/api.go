// Package pilot serves the pilot lifecycle over HTTP: the provinces, their
// pilot counties, recommendation and approval, and the consoles of each region.
package pilot

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// API serves the province and county endpoints.
type API struct {
	tenants  *tenants.Service
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(t *tenants.Service, enforcer *rbac.Enforcer) *API {
	return &API{tenants: t, enforcer: enforcer}
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	api := app.Group("/api/v1")
	api.Get("/provinces", web.RequireUser, a.listProvinces)
	api.Get("/provinces/:province/counties", web.Require(a.enforcer, "counties:read", web.ProvinceScope), a.listCounties)
	api.Post("/provinces/:province/counties", web.Require(a.enforcer, "counties:recommend", web.ProvinceScope), a.recommendCounty)
	api.Post("/provinces/:province/counties/:county/approve", web.Require(a.enforcer, "counties:approve", web.ProvinceScope), a.approveCounty)
	api.Post("/provinces/:province/counties/:county/decline", web.Require(a.enforcer, "counties:approve", web.ProvinceScope), a.declineCounty)
	api.Get("/counties/:county", web.Require(a.enforcer, "counties:read", web.CountyScope), a.showCounty)
}

// visibleProvinces are the provinces the user holds a role in or under; a
// national role sees them all.
func (a *API) visibleProvinces(ctx context.Context, p *web.Principal) ([]tenants.Province, error) {
	all, err := a.tenants.Provinces(ctx)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, r := range p.Regions() {
		if r == rbac.NationalRegion {
			return all, nil
		}
		mine[rbac.ProvinceOf(r)] = true
	}
	out := []tenants.Province{}
	for _, pr := range all {
		if mine[pr.Code] {
			out = append(out, pr)
		}
	}
	return out, nil
}

func (a *API) listProvinces(c *fiber.Ctx) error {
	list, err := a.visibleProvinces(c.UserContext(), web.CurrentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) listCounties(c *fiber.Ctx) error {
	province := c.Params("province")
	if _, err := a.tenants.Province(c.UserContext(), province); err != nil {
		return err
	}
	list, err := a.tenants.Counties(c.UserContext(), province)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func actor(c *fiber.Ctx) tenants.Actor {
	p := web.CurrentUser(c)
	return tenants.Actor{ID: p.UserID, Username: p.Username}
}

func (a *API) recommendCounty(c *fiber.Ctx) error {
	var in tenants.Recommendation
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county, err := a.tenants.Recommend(c.UserContext(), actor(c), c.Params("province"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(county)
}

// approve runs the approval and makes the new administrator's role effective here at once.
func (a *API) approve(c *fiber.Ctx) (tenants.County, map[string]any, error) {
	county, result, err := a.tenants.Approve(c.UserContext(), actor(c), c.Params("province"), c.Params("county"))
	if err != nil {
		return county, nil, err
	}
	return county, result, a.enforcer.ReloadIfChanged(c.UserContext())
}

func (a *API) approveCounty(c *fiber.Ctx) error {
	county, result, err := a.approve(c)
	if err != nil {
		return err
	}
	body := fiber.Map{"code": county.Code, "name": county.Name, "province_code": county.ProvinceCode, "status": county.Status}
	for k, v := range result {
		body[k] = v
	}
	return c.JSON(body)
}

type declineRequest struct {
	Note string `json:"note"`
}

func (a *API) declineCounty(c *fiber.Ctx) error {
	var in declineRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county, err := a.tenants.Decline(c.UserContext(), actor(c), c.Params("province"), c.Params("county"), in.Note)
	if err != nil {
		return err
	}
	return c.JSON(county)
}

func (a *API) showCounty(c *fiber.Ctx) error {
	county, err := a.tenants.County(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	events, err := a.tenants.Events(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"county": county, "events": events})
}
