package reports

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

// API serves the report endpoints for counties, provinces and the nation.
type API struct {
	svc      *Service
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, enforcer *rbac.Enforcer) *API { return &API{svc: svc, enforcer: enforcer} }

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	county := func(p string) fiber.Handler { return web.Require(a.enforcer, p, web.CountyScope) }
	province := func(p string) fiber.Handler { return web.Require(a.enforcer, p, web.ProvinceScope) }
	c := app.Group("/api/v1/counties/:county/reports")
	c.Get("", county("reports:read"), a.listCounty)
	c.Post("", county("reports:edit"), countyStaffOnly, a.compileCounty)
	a.mountReport(c, county("reports:read"), a.countyReport)
	c.Put("/:id/narrative", county("reports:edit"), countyStaffOnly, a.saveNarrative(a.countyReport))
	c.Post("/:id/submit", county("reports:submit"), countyStaffOnly, a.submit(a.countyReport))

	p := app.Group("/api/v1/provinces/:province/reports")
	p.Get("", province("reports:read"), a.listProvince)
	p.Post("", province("reports:edit"), a.compileProvince)
	a.mountReport(p, province("reports:read"), a.provinceReport)
	p.Put("/:id/narrative", province("reports:edit"), a.saveNarrative(a.ownProvinceReport))
	p.Post("/:id/submit", province("reports:submit"), a.submit(a.ownProvinceReport))
	p.Post("/:id/return", province("reports:review"), a.returnReport)
	p.Post("/:id/accept", province("reports:review"), a.acceptReport)

	n := app.Group("/api/v1/national/reports")
	n.Get("", web.Require(a.enforcer, "reports:read", web.NationalScope), a.listNational)
	a.mountReport(n, web.Require(a.enforcer, "reports:read", web.NationalScope), a.nationalReport)

	a.mountAnnual(app)
}

// countyStaffOnly keeps a county's own report in the county's hands: a
// province role covers the county for reading and reviewing, not for writing
// the county's summary or submitting it.
func countyStaffOnly(c *fiber.Ctx) error {
	for _, a := range web.CurrentUser(c).Roles {
		if a.Region == c.Params("county") {
			return c.Next()
		}
	}
	return apperr.Forbidden("forbidden", "县级报告由本县人员编写、上报和发布")
}

// loader finds a report the path's region may see.
type loader func(c *fiber.Ctx) (View, error)

// mountReport registers the views of a report: the exports, then the JSON.
func (a *API) mountReport(g fiber.Router, read fiber.Handler, load loader) {
	a.mountExports(g, read, load)
	g.Get("/:id", read, func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		return c.JSON(v)
	})
}

func reportID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

func (a *API) countyReport(c *fiber.Ctx) (View, error) {
	id, err := reportID(c)
	if err != nil {
		return View{}, err
	}
	return a.svc.ForCounty(c.UserContext(), c.Params("county"), id)
}

func (a *API) provinceReport(c *fiber.Ctx) (View, error) {
	id, err := reportID(c)
	if err != nil {
		return View{}, err
	}
	return a.svc.ForProvince(c.UserContext(), c.Params("province"), id)
}

// ownProvinceReport is the province's own report (not a county's).
func (a *API) ownProvinceReport(c *fiber.Ctx) (View, error) {
	v, err := a.provinceReport(c)
	if err == nil && v.Kind != KindProvince {
		return View{}, apperr.Conflict("invalid_transition", "县级报告由县级上报；省级只能审核或退回")
	}
	return v, err
}

func (a *API) nationalReport(c *fiber.Ctx) (View, error) {
	id, err := reportID(c)
	if err != nil {
		return View{}, err
	}
	return a.svc.ForNational(c.UserContext(), id)
}

func listJSON(c *fiber.Ctx, list []Report, err error) error {
	if err != nil {
		return err
	}
	out := make([]View, 0, len(list))
	for _, r := range list {
		out = append(out, View{Report: r, StatusTitle: StatusTitle(r.Status)})
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

func (a *API) listCounty(c *fiber.Ctx) error {
	list, err := a.svc.CountyReports(c.UserContext(), c.Params("county"))
	return listJSON(c, list, err)
}

func (a *API) listProvince(c *fiber.Ctx) error {
	list, err := a.svc.ProvinceReports(c.UserContext(), c.Params("province"))
	return listJSON(c, list, err)
}

func (a *API) listNational(c *fiber.Ctx) error {
	list, err := a.svc.NationalReports(c.UserContext())
	return listJSON(c, list, err)
}

// compileRequest names the period to compile: its kind and any date in it.
type compileRequest struct {
	PeriodKind string `json:"period_kind"`
	Date       string `json:"date"`
}

func (in compileRequest) period() (Period, error) {
	p, err := ParsePeriod(in.PeriodKind, in.Date)
	if err != nil {
		return p, apperr.Invalid("报告期有误", map[string]string{"period_kind": "应为 month、quarter 或 year", "date": "应为报告期内的日期 YYYY-MM-DD"})
	}
	return p, nil
}

func (a *API) compileCounty(c *fiber.Ctx) error {
	var in compileRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := in.period()
	if err != nil {
		return err
	}
	v, err := a.svc.CompileCounty(c.UserContext(), c.Params("county"), p)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (a *API) compileProvince(c *fiber.Ctx) error {
	var in compileRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := in.period()
	if err != nil {
		return err
	}
	v, err := a.svc.CompileProvince(c.UserContext(), c.Params("province"), p)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (a *API) saveNarrative(load loader) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var n Narrative
		if err := web.DecodeJSON(c, &n); err != nil {
			return err
		}
		v, err := load(c)
		if err != nil {
			return err
		}
		v, err = a.svc.SaveNarrative(c.UserContext(), v.ID, n)
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
}

func (a *API) submit(load loader) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		v, err = a.svc.Submit(c.UserContext(), v.ID, web.CurrentUser(c).UserID)
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
}

type commentInput struct {
	Comment string `json:"comment"`
}

func (a *API) countyReportOfProvince(c *fiber.Ctx) (View, error) {
	v, err := a.provinceReport(c)
	if err == nil && v.Kind != KindCounty {
		return View{}, apperr.Conflict("invalid_transition", "只能审核或退回县级报告")
	}
	return v, err
}

func (a *API) returnReport(c *fiber.Ctx) error {
	var in commentInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.countyReportOfProvince(c)
	if err != nil {
		return err
	}
	v, err = a.svc.Return(c.UserContext(), v.ID, in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) acceptReport(c *fiber.Ctx) error {
	var in commentInput
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	v, err := a.countyReportOfProvince(c)
	if err != nil {
		return err
	}
	v, err = a.svc.Accept(c.UserContext(), v.ID, in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
