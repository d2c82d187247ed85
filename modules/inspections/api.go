package inspections

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// API serves the inspection endpoints of the county's enforcement staff and
// the public results of the portal.
type API struct {
	svc      *Service
	tenants  *tenants.Service
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, t *tenants.Service, enforcer *rbac.Enforcer) *API {
	return &API{svc: svc, tenants: t, enforcer: enforcer}
}

// Service is the module's service, for wiring the penalty opener.
func (a *API) Service() *Service { return a.svc }

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, ReadPermission, web.CountyScope)
	plan := web.Require(a.enforcer, PlanPermission, web.CountyScope)
	approve := web.Require(a.enforcer, ApprovePermission, web.CountyScope)
	draw := web.Require(a.enforcer, DrawPermission, web.CountyScope)
	record := web.Require(a.enforcer, RecordPermission, web.CountyScope)
	publish := web.Require(a.enforcer, PublishPermission, web.CountyScope)
	pool := web.Require(a.enforcer, PoolPermission, web.CountyScope)
	c := app.Group("/api/v1/counties/:county")
	c.Get("/inspectors", read, a.listInspectors)
	c.Put("/inspectors/:id", pool, a.saveInspector)
	c.Get("/inspection-conflicts", read, a.listConflicts)
	// Reading lets one try: the service lets an officer declare their own
	// conflicts and the county administrator anyone's.
	c.Post("/inspection-conflicts", read, a.declareConflict)
	c.Get("/inspection-plans", read, a.listPlans)
	c.Post("/inspection-plans", plan, a.createPlan)
	c.Get("/inspection-plans/:id", read, a.showPlan)
	c.Post("/inspection-plans/:id/approve", approve, a.approvePlan)
	c.Get("/inspection-plans/:id/draws", read, a.listDraws)
	c.Post("/inspection-plans/:id/draws", draw, a.drawPlan)
	c.Get("/inspection-draws/:id", read, a.showDraw)
	c.Get("/inspection-draws/:id/verify", read, a.verifyDraw)
	c.Get("/inspections", read, a.listInspections)
	c.Get("/inspections/:id", read, a.showInspection)
	c.Post("/inspections/:id/findings", record, a.addFinding)
	c.Post("/inspections/:id/complete", record, a.complete)
	c.Post("/inspections/:id/recheck", record, a.recheck)
	c.Post("/inspections/:id/publish", publish, a.publish)
	c.Post("/inspections/:id/findings/:finding/penalty-case", record, a.openPenaltyCase)
	app.Get("/api/v1/public/counties/:county/inspection-results", a.RequireActiveCounty, a.publicResults)
}

// RequireActiveCounty hides counties that are not active pilots.
func (a *API) RequireActiveCounty(c *fiber.Ctx) error {
	return web.ActiveCounty(c, a.tenants.RequireActive)
}

// ActorOf describes the signed-in user with the permissions that matter here.
func (a *API) ActorOf(c *fiber.Ctx, county string) (Actor, error) {
	p := web.CurrentUser(c)
	act := Actor{ID: p.UserID}
	var err error
	if act.CanApprove, err = web.Allowed(c, a.enforcer, p.UserID, county, ApprovePermission); err != nil {
		return act, err
	}
	if act.CanPool, err = web.Allowed(c, a.enforcer, p.UserID, county, PoolPermission); err != nil {
		return act, err
	}
	act.CanRecord, err = web.Allowed(c, a.enforcer, p.UserID, county, RecordPermission)
	return act, err
}

func list[T any](items []T) fiber.Map { return fiber.Map{"items": items, "total": len(items)} }

// planJSON is a plan with its scope as lists.
func planJSON(p Plan) fiber.Map {
	return fiber.Map{"id": p.ID, "county_code": p.CountyCode, "name": p.Name, "period_start": p.PeriodStart,
		"period_end": p.PeriodEnd, "industries": p.Industries(), "risk_grades": p.RiskGrades(), "entity_count": p.EntityCount,
		"inspectors_per_entity": p.InspectorsPerEntity, "status": p.Status, "created_by": p.CreatedBy,
		"approved_by": p.ApprovedBy, "approved_on": p.ApprovedOn, "created_at": p.CreatedAt, "updated_at": p.UpdatedAt}
}

func (a *API) listInspectors(c *fiber.Ctx) error {
	items, err := a.svc.Inspectors(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}

func (a *API) saveInspector(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in InspectorInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	in.UserID = id
	out, err := a.svc.SaveInspector(c.UserContext(), c.Params("county"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) listConflicts(c *fiber.Ctx) error {
	items, err := a.svc.Conflicts(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}

func (a *API) declareConflict(c *fiber.Ctx) error {
	var in ConflictInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	r, err := a.svc.DeclareConflict(c.UserContext(), county, act, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (a *API) listPlans(c *fiber.Ctx) error {
	plans, err := a.svc.Plans(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	items := make([]fiber.Map, 0, len(plans))
	for _, p := range plans {
		items = append(items, planJSON(p))
	}
	return c.JSON(list(items))
}

func (a *API) createPlan(c *fiber.Ctx) error {
	var in PlanInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.svc.CreatePlan(c.UserContext(), c.Params("county"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(planJSON(p))
}

func (a *API) showPlan(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := a.svc.Plan(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(planJSON(p))
}

func (a *API) approvePlan(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	p, err := a.svc.ApprovePlan(c.UserContext(), county, id, act)
	if err != nil {
		return err
	}
	return c.JSON(planJSON(p))
}

func (a *API) listDraws(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	items, err := a.svc.Draws(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}

func (a *API) drawPlan(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var req DrawRequest
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	d, err := a.svc.DrawPlan(c.UserContext(), county, id, act, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (a *API) showDraw(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := a.svc.GetDraw(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (a *API) verifyDraw(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.VerifyDraw(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) listInspections(c *fiber.Ctx) error {
	var planID int64
	if v := c.Query("plan_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return apperr.InvalidField("plan_id", "计划编号应为正整数")
		}
		planID = n
	}
	items, err := a.svc.Inspections(c.UserContext(), c.Params("county"), planID, c.Query("status"))
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}

func (a *API) showInspection(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// acting reads the path id and the actor of a recording endpoint.
func (a *API) acting(c *fiber.Ctx) (int64, Actor, error) {
	id, err := web.PathID(c, "id")
	if err != nil {
		return 0, Actor{}, err
	}
	act, err := a.ActorOf(c, c.Params("county"))
	return id, act, err
}

func (a *API) addFinding(c *fiber.Ctx) error {
	id, act, err := a.acting(c)
	if err != nil {
		return err
	}
	var in FindingInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	f, err := a.svc.AddFinding(c.UserContext(), c.Params("county"), id, act, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

func (a *API) complete(c *fiber.Ctx) error {
	id, act, err := a.acting(c)
	if err != nil {
		return err
	}
	var in CompleteInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Complete(c.UserContext(), c.Params("county"), id, act, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) recheck(c *fiber.Ctx) error {
	id, act, err := a.acting(c)
	if err != nil {
		return err
	}
	var in RecheckInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Recheck(c.UserContext(), c.Params("county"), id, act, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) publish(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Publish(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) openPenaltyCase(c *fiber.Ctx) error {
	id, act, err := a.acting(c)
	if err != nil {
		return err
	}
	findingID, err := web.PathID(c, "finding")
	if err != nil {
		return err
	}
	var req PenaltyRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	f, err := a.svc.OpenPenaltyCase(c.UserContext(), c.Params("county"), id, findingID, act, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

func (a *API) publicResults(c *fiber.Ctx) error {
	items, err := a.svc.PublicResults(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}
