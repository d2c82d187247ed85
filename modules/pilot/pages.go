package pilot

import (
	"embed"
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/ratings"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the landing page and the national, province and county consoles.
type Pages struct {
	api                              *API
	db                               *db.DB
	pages                            *web.Pages
	home, national, province, county *template.Template
}

// NewPages parses the module's templates.
func NewPages(api *API, database *db.DB, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, db: database, pages: pages}
	for name, dst := range map[string]**template.Template{
		"home": &p.home, "national": &p.national, "province": &p.province, "county": &p.county,
	} {
		t, err := pages.Parse(templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	return p, nil
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	app.Get("/", p.showHome)
	app.Get("/national", web.Require(e, "counties:read", web.NationalScope), p.showNational)
	app.Get("/provinces/:province", web.Require(e, "counties:read", web.ProvinceScope), p.showProvince)
	app.Post("/provinces/:province/counties", web.Require(e, "counties:recommend", web.ProvinceScope), p.submitRecommendation)
	app.Post("/provinces/:province/counties/:county/approve", web.Require(e, "counties:approve", web.ProvinceScope), p.submitApproval)
	app.Get("/counties/:county", web.Require(e, "counties:read", web.CountyScope), p.showCounty)
}

type homeView struct{ Counties []tenants.County }

// showHome sends staff to their console and shows the public the pilot counties.
func (p *Pages) showHome(c *fiber.Ctx) error {
	if u := web.CurrentUser(c); u != nil {
		if regions := u.Regions(); len(regions) > 0 {
			return c.Redirect(web.RegionURL(regions[0]), fiber.StatusSeeOther)
		}
	}
	var active []tenants.County
	err := p.db.SelectContext(c.UserContext(), &active,
		`SELECT code, province_code, name, status, egov_readiness, recommendation, created_at, updated_at
		 FROM counties WHERE status = ? ORDER BY code`, tenants.StatusActive)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.home, web.View{Title: "首页", Data: homeView{Counties: active}})
}

type provinceRow struct {
	Code, Name    string
	Total, Active int
}

func (p *Pages) showNational(c *fiber.Ctx) error {
	var rows []provinceRow
	err := p.db.SelectContext(c.UserContext(), &rows, `SELECT p.code AS code, p.name AS name,
		COUNT(c.code) AS total, COALESCE(SUM(CASE WHEN c.status = ? THEN 1 ELSE 0 END), 0) AS active
		FROM provinces p LEFT JOIN counties c ON c.province_code = p.code
		GROUP BY p.code, p.name ORDER BY p.code`, tenants.StatusActive)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.national, web.View{Title: "全国试点工作", Region: rbac.NationalRegion,
		Data: struct{ Provinces []provinceRow }{rows}})
}

type approvedView struct{ Name, Username, Password string }

type provinceView struct {
	Province                 tenants.Province
	Counties                 []tenants.County
	Divisions                []tenants.Province
	CanRecommend, CanApprove bool
	// CanReviewAppeals is whether the menu offers the review of appeals
	// against ratings (ratings.ReviewPermission).
	CanReviewAppeals bool
	Approved         *approvedView
	Error            string
}

func (p *Pages) provinceView(c *fiber.Ctx) (provinceView, error) {
	ctx, code := c.UserContext(), c.Params("province")
	var v provinceView
	var err error
	if v.Province, err = p.api.tenants.Province(ctx, code); err != nil {
		return v, err
	}
	if v.Counties, err = p.api.tenants.Counties(ctx, code); err != nil {
		return v, err
	}
	me := web.CurrentUser(c)
	if v.CanRecommend, err = web.Allowed(c, p.api.enforcer, me.UserID, code, "counties:recommend"); err != nil {
		return v, err
	}
	if v.CanApprove, err = web.Allowed(c, p.api.enforcer, me.UserID, code, "counties:approve"); err != nil {
		return v, err
	}
	if v.CanReviewAppeals, err = web.Allowed(c, p.api.enforcer, me.UserID, code, ratings.ReviewPermission); err != nil {
		return v, err
	}
	if v.CanRecommend {
		prefix := code
		if code == tenants.XPCC {
			prefix = "6590"
		}
		err = p.db.SelectContext(ctx, &v.Divisions, `SELECT d.code AS code, d.name AS name FROM divisions d
			LEFT JOIN counties c ON c.code = d.code
			WHERE d.code LIKE ? AND c.code IS NULL ORDER BY d.code`, prefix+"%")
		if code != tenants.XPCC {
			kept := v.Divisions[:0]
			for _, d := range v.Divisions {
				if !strings.HasPrefix(d.Code, "6590") {
					kept = append(kept, d)
				}
			}
			v.Divisions = kept
		}
	}
	return v, err
}

func (p *Pages) renderProvince(c *fiber.Ctx, v provinceView) error {
	return p.pages.Render(c, p.province, web.View{Title: "试点县管理", Region: v.Province.Code, Data: v})
}

func (p *Pages) showProvince(c *fiber.Ctx) error {
	v, err := p.provinceView(c)
	if err != nil {
		return err
	}
	return p.renderProvince(c, v)
}

// pageError turns a client error into a message on the page; others propagate.
func pageError(c *fiber.Ctx, err error) (string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", err
	}
	c.Status(e.Status)
	for _, m := range e.Fields {
		return m, nil
	}
	return e.Message, nil
}

func (p *Pages) submitRecommendation(c *fiber.Ctx) error {
	in := tenants.Recommendation{Code: c.FormValue("code"), Name: c.FormValue("name"),
		EgovReadiness: c.FormValue("egov_readiness"), Recommendation: c.FormValue("recommendation")}
	_, err := p.api.tenants.Recommend(c.UserContext(), actor(c), c.Params("province"), in)
	if err == nil {
		return c.Redirect("/provinces/"+c.Params("province"), fiber.StatusSeeOther)
	}
	msg, err := pageError(c, err)
	if err != nil {
		return err
	}
	v, verr := p.provinceView(c)
	if verr != nil {
		return verr
	}
	v.Error = msg
	return p.renderProvince(c, v)
}

func (p *Pages) submitApproval(c *fiber.Ctx) error {
	county, result, err := p.api.approve(c)
	var approved *approvedView
	msg := ""
	if err != nil {
		if msg, err = pageError(c, err); err != nil {
			return err
		}
	} else if admin, ok := result["admin"].(map[string]string); ok {
		approved = &approvedView{Name: county.Name, Username: admin["username"], Password: admin["initial_password"]}
	}
	v, verr := p.provinceView(c)
	if verr != nil {
		return verr
	}
	v.Approved, v.Error = approved, msg
	return p.renderProvince(c, v)
}

type countyView struct {
	County tenants.County
	Events []tenants.Event
}

func (p *Pages) showCounty(c *fiber.Ctx) error {
	county, err := p.api.tenants.County(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	events, err := p.api.tenants.Events(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.county, web.View{Title: county.Name, Region: county.Code,
		Data: countyView{County: county, Events: events}})
}
