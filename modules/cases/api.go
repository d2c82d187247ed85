package cases

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/written"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
	"safetypilot/web/challenge"
)

// API serves the case endpoints of the console and the public.
type API struct {
	svc        *Service
	tenants    *tenants.Service
	enforcer   *rbac.Enforcer
	limiter    *web.RateLimiter
	challenges *challenge.Service
}

// NewAPI builds the handlers; challenges guards the online application (the
// page always, the JSON API when so configured).
func NewAPI(svc *Service, t *tenants.Service, enforcer *rbac.Enforcer, limiter *web.RateLimiter, challenges *challenge.Service) *API {
	return &API{svc: svc, tenants: t, enforcer: enforcer, limiter: limiter, challenges: challenges}
}

// Public limits: tracking lookups and online applications per client IP.
const (
	trackingPerMinute     = 30
	applicationsPerMinute = 5
)

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, "cases:read", web.CountyScope)
	handle := web.Require(a.enforcer, "cases:handle", web.CountyScope)
	c := app.Group("/api/v1/counties/:county/cases")
	c.Post("", handle, a.createCase)
	c.Get("", read, a.listCases)
	c.Get("/:id", read, a.showCase)
	c.Post("/:id/actions", read, a.actOnCase)
	c.Post("/:id/materials", handle, a.uploadMaterials)
	c.Get("/:id/materials/:mid", read, a.downloadMaterial)

	p := app.Group("/api/v1/public/counties/:county", a.RequireActiveCounty)
	p.Get("/cases/:tracking", a.limiter.Limit("track", trackingPerMinute, time.Minute), a.trackCase)
	p.Post("/cases", a.limiter.Limit("apply", applicationsPerMinute, time.Minute),
		a.challenges.RequireOnAPI(applyForm), a.applyOnline)
}

// applyForm is the challenge form of the county's online application.
func applyForm(c *fiber.Ctx) string { return challenge.Form(challenge.KindApply, c.Params("county")) }

// RequireActiveCounty hides counties that are not active pilots.
func (a *API) RequireActiveCounty(c *fiber.Ctx) error {
	return web.ActiveCounty(c, a.tenants.RequireActive)
}

// ActorOf describes the signed-in user with the case permissions they hold in county.
func (a *API) ActorOf(c *fiber.Ctx, county string) (Actor, error) {
	p := web.CurrentUser(c)
	act := Actor{ID: p.UserID, Username: p.Username}
	var err error
	if act.CanHandle, err = web.Allowed(c, a.enforcer, p.UserID, county, "cases:handle"); err != nil {
		return act, err
	}
	if act.CanApprove, err = web.Allowed(c, a.enforcer, p.UserID, county, "cases:approve"); err != nil {
		return act, err
	}
	if act.CanExtend, err = web.Allowed(c, a.enforcer, p.UserID, county, "cases:extend"); err != nil {
		return act, err
	}
	return act, nil
}

func (a *API) createCase(c *fiber.Ctx) error {
	var in NewCase
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	if in.ReceivedOn != "" {
		web.SetAuditDetail(c, "paper application received_on="+in.ReceivedOn)
	}
	d, err := a.svc.Create(c.UserContext(), county, act, ChannelCounter, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

// ParseFilter reads the list filters from the query string.
// A status of "open" keeps the cases not yet decided or ended.
func ParseFilter(c *fiber.Ctx) (Filter, error) { return parseFilter(c, c.Query("status")) }

// parseFilter is ParseFilter with the status the caller read (the page
// defaults it to open cases).
func parseFilter(c *fiber.Ctx, status string) (Filter, error) {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{Status: status, Warning: c.Query("warning"), ItemCode: c.Query("item"),
		Sort: c.Query("sort"), Page: page, PerPage: perPage, Q: strings.TrimSpace(c.Query("q"))}
	if utf8.RuneCountInString(f.Q) > 100 {
		return f, apperr.InvalidField("q", "检索词过长（最多 100 个字）")
	}
	if f.Status == "open" {
		f.Status, f.Open = "", true
	}
	if f.Status != "" && !contains(Statuses, f.Status) {
		return f, apperr.InvalidField("status", "未知的办件状态")
	}
	if f.Warning != "" && f.Warning != WarningRed && f.Warning != WarningYellow {
		return f, apperr.InvalidField("warning", "预警灯应为 red 或 yellow")
	}
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return f, apperr.InvalidField("overdue", "应为 true 或 false")
	}
	if f.Sort != "" && f.Sort != "deadline" && f.Sort != "received" {
		return f, apperr.InvalidField("sort", "排序应为 deadline 或 received")
	}
	return f, nil
}

func (a *API) listCases(c *fiber.Ctx) error {
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.List(c.UserContext(), c.Params("county"), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": total})
}

func caseID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

func (a *API) showCase(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	d, err := a.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return a.sendCase(c, d)
}

// countyName is the county's name, which numbers its written notices.
func (a *API) countyName(ctx context.Context, code string) (string, error) {
	county, err := a.tenants.County(ctx, code)
	return county.Name, err
}

// sendCase answers with a case, its written notices numbered.
func (a *API) sendCase(c *fiber.Ctx, d Detail) error {
	name, err := a.countyName(c.UserContext(), d.CountyCode)
	if err != nil {
		return err
	}
	written.Fill(d.Notices, name)
	return c.JSON(d)
}

func (a *API) actOnCase(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	var in ActionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, in.Action)
	d, err := a.svc.Act(c.UserContext(), county, id, act, in)
	if err != nil {
		return err
	}
	return a.sendCase(c, d)
}

func (a *API) trackCase(c *fiber.Ctx) error {
	name, err := a.countyName(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	v, err := a.svc.Public(c.UserContext(), c.Params("county"), name, c.Params("tracking"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// onlineApplicant is who applies on the portal: no account.
var onlineApplicant = Actor{Username: "网上申请"}

func (a *API) applyOnline(c *fiber.Ctx) error {
	var in NewCase
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.svc.Create(c.UserContext(), c.Params("county"), onlineApplicant, ChannelOnline, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tracking_no": d.TrackingNo, "status": d.Status,
		"deadline": d.Deadline, "promised_deadline": d.PromisedDeadline, "deadline_provisional": d.Provisional})
}
