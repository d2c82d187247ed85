package reports

import (
	"embed"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/rbac"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the report lists and report pages.
type Pages struct {
	api                  *API
	pages                *web.Pages
	list, national, show *template.Template
	annual               annualPages
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{"list": &p.list, "national": &p.national, "report": &p.show} {
		t, err := pages.ParseWithFuncs(exportFuncs, templateFiles, "templates/figures.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	if err := p.parseAnnual(); err != nil {
		return nil, err
	}
	return p, nil
}

// Mount registers the page routes, with the permissions of the API.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	county := func(perm string) fiber.Handler { return web.Require(e, perm, web.CountyScope) }
	province := func(perm string) fiber.Handler { return web.Require(e, perm, web.ProvinceScope) }
	a := p.api

	app.Get("/counties/:county/reports", county("reports:read"), p.showList(scopeCounty))
	app.Post("/counties/:county/reports", county("reports:edit"), countyStaffOnly, p.submitCompile(scopeCounty))
	app.Get("/counties/:county/reports/:id", county("reports:read"), p.showReport(scopeCounty, a.countyReport))
	app.Post("/counties/:county/reports/:id/narrative", county("reports:edit"), countyStaffOnly, p.submitNarrative(scopeCounty, a.countyReport))
	app.Post("/counties/:county/reports/:id/submit", county("reports:submit"), countyStaffOnly, p.submitReport(scopeCounty, a.countyReport))

	app.Get("/provinces/:province/reports", province("reports:read"), p.showList(scopeProvince))
	app.Post("/provinces/:province/reports", province("reports:edit"), p.submitCompile(scopeProvince))
	app.Get("/provinces/:province/reports/:id", province("reports:read"), p.showReport(scopeProvince, a.provinceReport))
	app.Post("/provinces/:province/reports/:id/narrative", province("reports:edit"), p.submitNarrative(scopeProvince, a.ownProvinceReport))
	app.Post("/provinces/:province/reports/:id/submit", province("reports:submit"), p.submitReport(scopeProvince, a.ownProvinceReport))
	app.Post("/provinces/:province/reports/:id/return", province("reports:review"), p.submitReview(false))
	app.Post("/provinces/:province/reports/:id/accept", province("reports:review"), p.submitReview(true))

	p.mountAnnualPages(app)

	national := web.Require(e, "reports:read", web.NationalScope)
	app.Get("/national/reports", national, p.showNationalList)
	app.Get("/national/reports/:id", national, p.showReport(scopeNational, a.nationalReport))
}

// scope is the console a report page belongs to.
type scope int

const (
	scopeCounty scope = iota
	scopeProvince
	scopeNational
)

// region is the code the page is about (rbac.NationalRegion for the nation).
func (s scope) region(c *fiber.Ctx) string {
	switch s {
	case scopeCounty:
		return c.Params("county")
	case scopeProvince:
		return c.Params("province")
	}
	return rbac.NationalRegion
}

// listURL is the page listing the scope's reports.
func (s scope) listURL(c *fiber.Ctx) string {
	switch s {
	case scopeCounty:
		return "/counties/" + c.Params("county") + "/reports"
	case scopeProvince:
		return "/provinces/" + c.Params("province") + "/reports"
	}
	return "/national/reports"
}

// option is one entry of a <select>.
type option struct {
	Value, Title string
	Selected     bool
}

var periodKinds = []option{{Value: "month", Title: "月度"}, {Value: "quarter", Title: "季度"}, {Value: "year", Title: "年度"}}

func periodOptions(selected string) []option {
	out := make([]option, len(periodKinds))
	for i, o := range periodKinds {
		o.Selected = o.Value == selected
		out[i] = o
	}
	return out
}

// listRow is one report in a list.
type listRow struct {
	Report
	Period string
	URL    string
}

func rows(list []Report, base string, keep func(Report) bool) []listRow {
	out := []listRow{}
	for _, r := range list {
		if keep == nil || keep(r) {
			out = append(out, listRow{Report: r, Period: periodLabel(r), URL: base + "/" + idString(r.ID)})
		}
	}
	return out
}

// idString writes a report id for a URL.
func idString(id int64) string { return strconv.FormatInt(id, 10) }

// listView is a county's or province's list of reports with the compile form.
type listView struct {
	Province   bool
	Region     string
	ListURL    string
	Own        []listRow
	Counties   []listRow
	Pending    int
	CanCompile bool
	Kinds      []option
	Date       string
	Error      string
	Errors     map[string]string
}

func (p *Pages) renderList(c *fiber.Ctx, s scope, v listView) error {
	ctx, region := c.UserContext(), s.region(c)
	v.Region, v.ListURL, v.Province = region, s.listURL(c), s == scopeProvince
	var err error
	if v.CanCompile, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, region, "reports:edit"); err != nil {
		return err
	}
	if v.Kinds == nil {
		v.Kinds, v.Date = periodOptions("month"), calendar.FormatDate(calendar.Today(p.api.svc.Now()))
	}
	title := "试点工作总结"
	if s == scopeCounty {
		list, err := p.api.svc.CountyReports(ctx, region)
		if err != nil {
			return err
		}
		v.Own = rows(list, v.ListURL, nil)
	} else {
		list, err := p.api.svc.ProvinceReports(ctx, region)
		if err != nil {
			return err
		}
		v.Own = rows(list, v.ListURL, func(r Report) bool { return r.Kind == KindProvince })
		v.Counties = rows(list, v.ListURL, func(r Report) bool { return r.Kind == KindCounty })
		for _, r := range v.Counties {
			if r.Status == StatusSubmitted {
				v.Pending++
			}
		}
	}
	return p.pages.Render(c, p.list, web.View{Title: title, Region: region, Data: v})
}

func (p *Pages) showList(s scope) fiber.Handler {
	return func(c *fiber.Ctx) error { return p.renderList(c, s, listView{}) }
}

// submitCompile compiles (or refreshes) the report of the chosen period and
// opens it.
func (p *Pages) submitCompile(s scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in := compileRequest{PeriodKind: strings.TrimSpace(c.FormValue("period_kind")), Date: strings.TrimSpace(c.FormValue("date"))}
		period, err := in.period()
		var v View
		if err == nil {
			if s == scopeCounty {
				v, err = p.api.svc.CompileCounty(c.UserContext(), s.region(c), period)
			} else {
				v, err = p.api.svc.CompileProvince(c.UserContext(), s.region(c), period)
			}
		}
		if err == nil {
			return c.Redirect(s.listURL(c)+"/"+idString(v.ID)+"?compiled=1", fiber.StatusSeeOther)
		}
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderList(c, s, listView{Kinds: periodOptions(in.PeriodKind), Date: in.Date, Error: msg, Errors: fields})
	}
}

// nationalView lists the provincial reports submitted upward.
type nationalView struct {
	Rows []listRow
}

func (p *Pages) showNationalList(c *fiber.Ctx) error {
	list, err := p.api.svc.NationalReports(c.UserContext())
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.national, web.View{Title: "各省试点工作总结", Region: rbac.NationalRegion,
		Data: nationalView{Rows: rows(list, "/national/reports", nil)}})
}

// reportView is the report page: the report as printed, and what the user
// may do with it from this console.
type reportView struct {
	printView
	ListURL, PageURL, ExportURL string
	// Editable: the narrative form (own report, draft or returned, reports:edit).
	Editable  bool
	CanSubmit bool
	SubmitTo  string
	// Reviewable: the province's accept/return form on a submitted county report.
	Reviewable bool
	Form       Narrative
	Comment    string
	Error      string
	Errors     map[string]string
}

// exportBase is the API path of the report's views (.xlsx, .html, JSON).
func exportBase(c *fiber.Ctx, s scope, id int64) string {
	switch s {
	case scopeCounty:
		return "/api/v1/counties/" + c.Params("county") + "/reports/" + idString(id)
	case scopeProvince:
		return "/api/v1/provinces/" + c.Params("province") + "/reports/" + idString(id)
	}
	return "/api/v1/national/reports/" + idString(id)
}

// ownReport tells whether the report is the scope's own (not a county's
// report seen by its province, nor anything seen nationally).
func ownReport(s scope, v View) bool {
	return (s == scopeCounty && v.Kind == KindCounty) || (s == scopeProvince && v.Kind == KindProvince)
}

func (p *Pages) renderReport(c *fiber.Ctx, s scope, v View, rv reportView, flash string) error {
	me, region := web.CurrentUser(c).UserID, s.region(c)
	rv.printView = newPrintView(v)
	rv.ListURL = s.listURL(c)
	rv.PageURL = rv.ListURL + "/" + idString(v.ID)
	rv.ExportURL = exportBase(c, s, v.ID)
	editable := v.Status == StatusDraft || v.Status == StatusReturned
	var err error
	if ownReport(s, v) && editable {
		if rv.Editable, err = web.Allowed(c, p.api.enforcer, me, region, "reports:edit"); err != nil {
			return err
		}
		if rv.CanSubmit, err = web.Allowed(c, p.api.enforcer, me, region, "reports:submit"); err != nil {
			return err
		}
		rv.CanSubmit = rv.CanSubmit && rv.Editable && !v.InterimFigures
	}
	rv.SubmitTo = "省级"
	if v.Kind == KindProvince {
		rv.SubmitTo = "国家"
	}
	if s == scopeProvince && v.Kind == KindCounty && v.Status == StatusSubmitted {
		if rv.Reviewable, err = web.Allowed(c, p.api.enforcer, me, region, "reports:review"); err != nil {
			return err
		}
	}
	if rv.Errors == nil {
		rv.Form = v.Narrative
		rv.Errors = map[string]string{}
	}
	view := web.View{Title: v.Title, Data: rv, Flash: flash}
	if s != scopeNational {
		view.Region = region
	} else {
		view.Region = rbac.NationalRegion
	}
	return p.pages.Render(c, p.show, view)
}

// flashes are the notices after a successful form, by query parameter.
var flashes = []struct{ key, text string }{
	{"compiled", "数据已重新统计。"},
	{"saved", "已保存。"},
	{"submitted", "已上报，报告已冻结。"},
	{"returned", "已退回县级修改。"},
	{"accepted", "已审核通过。"},
}

func (p *Pages) showReport(s scope, load loader) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		flash := ""
		for _, f := range flashes {
			if c.Query(f.key) == "1" {
				flash = f.text
			}
		}
		if flash == flashes[0].text && frozen(v.Status) {
			flash = "该期报告已上报，数据不再重新统计。"
		}
		return p.renderReport(c, s, v, reportView{}, flash)
	}
}

// formError splits a client error into the message and the errors by field,
// setting the response status; other errors are returned as they are.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", nil, err
	}
	c.Status(e.Status)
	fields := e.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return e.Message, fields, nil
}

func readNarrative(c *fiber.Ctx) Narrative {
	return Narrative{Experience: c.FormValue("experience"), Problems: c.FormValue("problems"), NextSteps: c.FormValue("next_steps")}
}

// failed shows the report again with the error and what was typed.
func (p *Pages) failed(c *fiber.Ctx, s scope, v View, cause error, form Narrative, comment string) error {
	msg, fields, err := formError(c, cause)
	if err != nil {
		return err
	}
	if e, ok := apperr.As(cause); ok && e.Code == "report_frozen" {
		// Someone else submitted it meanwhile: show it as it now is.
		if fresh, gerr := p.api.svc.Get(c.UserContext(), v.ID); gerr == nil {
			v = fresh
		}
	}
	return p.renderReport(c, s, v, reportView{Form: form, Comment: comment, Error: msg, Errors: fields}, "")
}

func (p *Pages) submitNarrative(s scope, load loader) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		form := readNarrative(c)
		if _, err := p.api.svc.SaveNarrative(c.UserContext(), v.ID, form); err != nil {
			return p.failed(c, s, v, err, form, "")
		}
		return c.Redirect(s.listURL(c)+"/"+idString(v.ID)+"?saved=1", fiber.StatusSeeOther)
	}
}

// submitReport sends the report upward; when the form carries the narrative
// (the "save and submit" button) and the user may edit, it is saved first.
func (p *Pages) submitReport(s scope, load loader) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := load(c)
		if err != nil {
			return err
		}
		form := v.Narrative
		if c.Request().PostArgs().Has("experience") {
			form = readNarrative(c)
			canEdit, err := web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, s.region(c), "reports:edit")
			if err != nil {
				return err
			}
			if canEdit {
				if _, err := p.api.svc.SaveNarrative(c.UserContext(), v.ID, form); err != nil {
					return p.failed(c, s, v, err, form, "")
				}
			}
		}
		if _, err := p.api.svc.Submit(c.UserContext(), v.ID, web.CurrentUser(c).UserID); err != nil {
			return p.failed(c, s, v, err, form, "")
		}
		return c.Redirect(s.listURL(c)+"/"+idString(v.ID)+"?submitted=1", fiber.StatusSeeOther)
	}
}

// submitReview accepts or returns a county's submitted report.
func (p *Pages) submitReview(accept bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := p.api.countyReportOfProvince(c)
		if err != nil {
			return err
		}
		comment := c.FormValue("comment")
		done := "returned"
		if accept {
			_, err = p.api.svc.Accept(c.UserContext(), v.ID, comment)
			done = "accepted"
		} else {
			_, err = p.api.svc.Return(c.UserContext(), v.ID, comment)
		}
		if err != nil {
			return p.failed(c, scopeProvince, v, err, v.Narrative, comment)
		}
		return c.Redirect(scopeProvince.listURL(c)+"/"+idString(v.ID)+"?"+done+"=1", fiber.StatusSeeOther)
	}
}
