package publicity

import (
	"embed"
	"html/template"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/disclosure"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

var pageFuncs = template.FuncMap{
	"kindTitle":   KindTitle,
	"stateTitle":  StatusTitle,
	"fieldError":  func(errs map[string]string, key string) string { return errs[key] },
	"lightTitle":  lightTitle,
	"orDash":      orDash,
	"findingKind": disclosure.FindingTitle,
}

func lightTitle(l string) string {
	switch l {
	case WarningRed:
		return "已超期"
	case WarningYellow:
		return "即将到期"
	}
	return "正常"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Pages serves the county's 双公示 list and the portal's page.
type Pages struct {
	api                 *API
	pages               *web.Pages
	list, entry, portal *template.Template
}

// NewPages parses the templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"console_list": &p.list, "console_entry": &p.entry, "portal_list": &p.portal,
	} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	return p, nil
}

// NavLinks are the header menu entries of the module.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{
		{Title: "双公示", Perm: ReadPermission, URL: func(r string) string { return "/counties/" + r + "/publicity" }},
	}
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, ReadPermission, web.CountyScope)
	publish := web.Require(e, PublishPermission, web.CountyScope)
	app.Get("/counties/:county/publicity", read, p.showList)
	app.Get("/counties/:county/publicity/:id", read, p.showEntry)
	app.Post("/counties/:county/publicity/:id/publish", publish, p.submitPublish)
	app.Post("/counties/:county/publicity/:id/withdraw", publish, p.submitWithdraw)
	app.Get("/portal/:county/publicity", p.api.RequireActiveCounty, p.showPortal)
}

type listView struct {
	County, Status string
	Entries        []View
	Statuses       []string
}

func (p *Pages) showList(c *fiber.Ctx) error {
	county := c.Params("county")
	status := c.Query("status")
	list, err := p.api.svc.List(c.UserContext(), county, status)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.list, web.View{Title: "双公示", Region: county,
		Data: listView{County: county, Status: status, Entries: list, Statuses: []string{StatusPending, StatusPublished, StatusWithdrawn}}})
}

type entryView struct {
	County     string
	Entry      View
	Preview    Preview
	CanPublish bool
	Withdraw   WithdrawInput
	Error      string
	Errors     map[string]string
}

func (p *Pages) renderEntry(c *fiber.Ctx, id int64, v entryView, flash string) error {
	ctx, county := c.UserContext(), c.Params("county")
	e, err := p.api.svc.Get(ctx, county, id)
	if err != nil {
		return err
	}
	pv, err := p.api.svc.PreviewOf(ctx, county, id)
	if err != nil {
		return err
	}
	v.County, v.Entry, v.Preview = county, e, pv
	if v.CanPublish, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, PublishPermission); err != nil {
		return err
	}
	return p.pages.Render(c, p.entry, web.View{Title: "双公示 · " + e.DecisionNo, Region: county, Flash: flash, Data: v})
}

func (p *Pages) showEntry(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	flash := map[string]string{"published": "已在门户网站公示。", "withdrawn": "已撤回，门户网站显示撤回理由。"}[c.Query("done")]
	return p.renderEntry(c, id, entryView{}, flash)
}

// formError splits a client error into a message and field errors for a
// form; other errors pass through to the error handler.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", nil, err
	}
	c.Status(e.Status)
	return e.Message, e.Fields, nil
}

func (p *Pages) entryURL(county string, id int64, done string) string {
	return "/counties/" + county + "/publicity/" + strconv.FormatInt(id, 10) + "?done=" + url.QueryEscape(done)
}

func (p *Pages) submitPublish(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	if _, err := p.api.svc.Publish(c.UserContext(), county, id, web.CurrentUser(c).UserID); err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderEntry(c, id, entryView{Error: msg, Errors: fields}, "")
	}
	return c.Redirect(p.entryURL(county, id, "published"), fiber.StatusSeeOther)
}

func (p *Pages) submitWithdraw(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	in := WithdrawInput{Reason: c.FormValue("reason"), RevokedOn: c.FormValue("revoked_on")}
	if _, err := p.api.svc.Withdraw(c.UserContext(), county, id, web.CurrentUser(c).UserID, in); err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderEntry(c, id, entryView{Withdraw: in, Error: msg, Errors: fields}, "")
	}
	return c.Redirect(p.entryURL(county, id, "withdrawn"), fiber.StatusSeeOther)
}

type portalView struct {
	County, CountyName string
	Decisions          []Public
}

func (p *Pages) showPortal(c *fiber.Ctx) error {
	county := c.Params("county")
	info, err := p.api.tenants.County(c.UserContext(), county)
	if err != nil {
		return err
	}
	list, err := p.api.svc.PublicList(c.UserContext(), county)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.portal, web.View{Title: "行政许可和行政处罚决定公示 · " + info.Name,
		Data: portalView{County: county, CountyName: info.Name, Decisions: list}})
}
