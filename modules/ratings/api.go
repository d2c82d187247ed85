package ratings

import (
	"math"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// API serves the rating endpoints of the public, the county and the province.
type API struct {
	svc      *Service
	tenants  *tenants.Service
	enforcer *rbac.Enforcer
	limiter  *web.RateLimiter
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, t *tenants.Service, enforcer *rbac.Enforcer, limiter *web.RateLimiter) *API {
	return &API{svc: svc, tenants: t, enforcer: enforcer, limiter: limiter}
}

// ratingsPerMinute limits rating attempts per client IP. The phone check is
// the guard against rating someone else's case; the limit keeps anyone from
// trying phone numbers against a tracking number, so no challenge is asked.
const ratingsPerMinute = 5

// ReviewPermission lets a province's administrators decide appeals against
// ratings (申诉复核).
const ReviewPermission = "ratings:review"

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, "cases:read", web.CountyScope)
	handle := web.Require(a.enforcer, "cases:handle", web.CountyScope)
	app.Post("/api/v1/counties/:county/cases/:id/rating", handle, a.rateAtCounter)
	r := app.Group("/api/v1/counties/:county/rectifications")
	r.Get("", read, a.listRectifications)
	r.Get("/:id", read, a.showRectification)
	// Reading lets one try; the role each step needs is checked by the
	// service after the rectification is found (404 before 403).
	r.Post("/:id/actions", read, a.actOnRectification)

	review := web.Require(a.enforcer, ReviewPermission, web.ProvinceScope)
	app.Get("/api/v1/provinces/:province/rating-appeals", review, a.listAppeals)
	app.Post("/api/v1/provinces/:province/counties/:county/rectifications/:id/review", review, a.reviewAppeal)

	p := app.Group("/api/v1/public/counties/:county", a.RequireActiveCounty)
	p.Post("/cases/:tracking/rating", a.LimitRatings(), a.ratePublic)
	p.Get("/ratings/summary", a.summary)
}

// LimitRatings counts rating attempts per client IP.
func (a *API) LimitRatings() fiber.Handler {
	return a.limiter.Limit("rate", ratingsPerMinute, time.Minute)
}

// RequireActiveCounty hides counties that are not active pilots.
func (a *API) RequireActiveCounty(c *fiber.Ctx) error {
	return web.ActiveCounty(c, a.tenants.RequireActive)
}

// ActorOf describes the signed-in user with the case permissions they hold in county.
func (a *API) ActorOf(c *fiber.Ctx, county string) (Actor, error) {
	p := web.CurrentUser(c)
	act := Actor{ID: p.UserID}
	var err error
	if act.CanHandle, err = web.Allowed(c, a.enforcer, p.UserID, county, "cases:handle"); err != nil {
		return act, err
	}
	act.CanApprove, err = web.Allowed(c, a.enforcer, p.UserID, county, "cases:approve")
	return act, err
}

// ratingJSON is a stored rating as the API answers it.
func ratingJSON(r Rating, in RateInput) fiber.Map {
	ind := in.Indicators
	if ind == nil {
		ind = map[string]int{}
	}
	return fiber.Map{"id": r.ID, "tracking_no": r.TrackingNo, "level": r.Level, "level_title": LevelTitle(r.Level),
		"channel": r.Channel, "indicators": ind, "comment": r.Comment, "rated_on": r.RatedOn,
		"rectification_opened": IsBad(r.Level)}
}

func (a *API) ratePublic(c *fiber.Ctx) error {
	var in RateInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.RatePublic(c.UserContext(), c.Params("county"), c.Params("tracking"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ratingJSON(r, in))
}

func (a *API) rateAtCounter(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in RateInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.RateCounter(c.UserContext(), c.Params("county"), id, web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ratingJSON(r, in))
}

// rate rounds a rate to four decimals; nil stays nil (JSON null).
func rate(r *float64) *float64 {
	if r == nil {
		return nil
	}
	v := math.Round(*r*10000) / 10000
	return &v
}

// SummaryJSON is the public summary of figures: satisfaction_rate is
// satisfied / ratings, where satisfied counts 非常满意, 满意 and 基本满意
// (levels 3–5), and null when there is no rating; rectification_rate is
// closed rectifications / 差评, null when there is no 差评. Excluded ratings
// count nowhere.
func SummaryJSON(f Figures) fiber.Map {
	m := fiber.Map{"ratings": f.Ratings, "satisfied": f.Satisfied, "satisfaction_rate": rate(f.SatisfactionRate()),
		"bad": f.Bad, "rectified": f.Rectified, "rectification_rate": rate(f.RectificationRate())}
	if f.ItemCode != "" {
		m["item_code"], m["item_name"] = f.ItemCode, f.ItemName
	}
	return m
}

func (a *API) summary(c *fiber.Ctx) error {
	ctx, county := c.UserContext(), c.Params("county")
	f, err := a.svc.Summary(ctx, county)
	if err != nil {
		return err
	}
	items, err := a.svc.ByItem(ctx, county)
	if err != nil {
		return err
	}
	out := SummaryJSON(f)
	list := make([]fiber.Map, 0, len(items))
	for _, it := range items {
		list = append(list, SummaryJSON(it))
	}
	out["items"] = list
	return c.JSON(out)
}

func (a *API) listRectifications(c *fiber.Ctx) error {
	list, err := a.svc.List(c.UserContext(), c.Params("county"), c.Query("status"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) showRectification(c *fiber.Ctx) error {
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

func (a *API) actOnRectification(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
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
	v, err := a.svc.Act(c.UserContext(), county, id, act, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) listAppeals(c *fiber.Ctx) error {
	list, err := a.svc.Appeals(c.UserContext(), c.Params("province"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) reviewAppeal(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in ReviewInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Review(c.UserContext(), c.Params("province"), c.Params("county"), id, web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
