package reports

// The annual report's pages: the county's list and compile form, the report
// a county fills in, checks, previews and publishes, and the public pages of
// published reports.

import (
	"html/template"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/tenants"
	"safetypilot/web"
)

// annualPages are the parsed templates of the annual report.
type annualPages struct {
	list, show, portalList, portalShow *template.Template
}

func (p *Pages) parseAnnual() error {
	funcs := template.FuncMap{}
	for k, v := range exportFuncs {
		funcs[k] = v
	}
	for k, v := range annualFuncs {
		funcs[k] = v
	}
	for name, dst := range map[string]**template.Template{"annual_list": &p.annual.list, "annual": &p.annual.show,
		"portal_annual_list": &p.annual.portalList, "portal_annual": &p.annual.portalShow} {
		t, err := p.pages.ParseWithFuncs(funcs, templateFiles, "templates/annual_doc.html", "templates/"+name+".html")
		if err != nil {
			return err
		}
		*dst = t
	}
	return nil
}

// mountAnnualPages registers the annual report's pages.
func (p *Pages) mountAnnualPages(app *fiber.App) {
	e := p.api.enforcer
	county := func(perm string) fiber.Handler { return web.Require(e, perm, web.CountyScope) }
	app.Get("/counties/:county/annual-reports", county("reports:read"), p.showAnnualList)
	app.Post("/counties/:county/annual-reports", county("reports:edit"), countyStaffOnly, p.submitAnnualCompile)
	app.Get("/counties/:county/annual-reports/:year", county("reports:read"), p.showAnnual)
	app.Post("/counties/:county/annual-reports/:year/manual", county("reports:edit"), countyStaffOnly, p.submitAnnualManual)
	app.Post("/counties/:county/annual-reports/:year/publish", county("reports:submit"), countyStaffOnly, p.submitAnnualPublish)

	app.Get("/portal/:county/annual-reports", p.showPortalAnnualList)
	app.Get("/portal/:county/annual-reports/:year.xlsx", p.sendPublicAnnual(".xlsx"))
	app.Get("/portal/:county/annual-reports/:year.html", p.sendPublicAnnual(".html"))
	app.Get("/portal/:county/annual-reports/:year", p.showPortalAnnual)
}

// annualListURL is the county's list of annual reports.
func annualListURL(c *fiber.Ctx) string { return "/counties/" + c.Params("county") + "/annual-reports" }

// annualListView is the county's reports, what it owes, and the compile form.
type annualListView struct {
	ListURL    string
	Due        *AnnualDue
	Rows       []annualListRow
	CanCompile bool
	Years      []option
	Error      string
	Errors     map[string]string
}

// annualListRow is one report in the list.
type annualListRow struct {
	AnnualSummary
	PublishBy string
}

func (p *Pages) renderAnnualList(c *fiber.Ctx, v annualListView, selected int) error {
	ctx, county := c.UserContext(), c.Params("county")
	var err error
	if v.Due, err = p.api.svc.AnnualDueOf(ctx, county); err != nil {
		return err
	}
	list, _, err := p.api.svc.AnnualReports(ctx, county, 1, 100)
	if err != nil {
		return err
	}
	for _, r := range list {
		v.Rows = append(v.Rows, annualListRow{AnnualSummary: r, PublishBy: calendar.FormatDate(AnnualPublishBy(r.Year))})
	}
	if v.CanCompile, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, "reports:edit"); err != nil {
		return err
	}
	current := calendar.Today(p.api.svc.Now()).Year()
	if selected == 0 {
		selected = current - 1
	}
	for y := current; y >= max(FirstAnnualYear, current-10); y-- {
		v.Years = append(v.Years, option{Value: strconv.Itoa(y), Title: strconv.Itoa(y) + "年度", Selected: y == selected})
	}
	v.ListURL = annualListURL(c)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return p.pages.Render(c, p.annual.list, web.View{Title: "政府信息公开工作年度报告", Region: county, Data: v})
}

func (p *Pages) showAnnualList(c *fiber.Ctx) error { return p.renderAnnualList(c, annualListView{}, 0) }

// submitAnnualCompile compiles (or refreshes) a year's report and opens it.
func (p *Pages) submitAnnualCompile(c *fiber.Ctx) error {
	year, convErr := strconv.Atoi(strings.TrimSpace(c.FormValue("year")))
	var err error
	if convErr != nil {
		err = apperr.InvalidField("year", "请选择年度")
	} else {
		_, _, err = p.api.svc.CompileAnnual(c.UserContext(), c.Params("county"), year)
	}
	if err == nil {
		return c.Redirect(annualListURL(c)+"/"+strconv.Itoa(year)+"?compiled=1", fiber.StatusSeeOther)
	}
	msg, fields, ferr := formError(c, err)
	if ferr != nil {
		return ferr
	}
	if e, ok := apperr.As(err); ok && e.Code == "report_frozen" {
		msg = "该年度报告已发布，数据不再重新统计。"
	}
	return p.renderAnnualList(c, annualListView{Error: msg, Errors: fields}, year)
}

// reviewGroup is one of section 四's three groups of entered counts.
type reviewGroup struct {
	Title  string
	Fields []annualField
}

// annualField is one entered number of the form.
type annualField struct{ ID, Name, Label string }

// reviewGroups are section 四's fields in the template's order.
func reviewGroups() []reviewGroup {
	var out []reviewGroup
	for _, g := range []struct{ code, title string }{{"reconsideration", "行政复议"},
		{"litigation_direct", "行政诉讼·未经复议直接起诉"}, {"litigation_after_reconsideration", "行政诉讼·复议后起诉"}} {
		rg := reviewGroup{Title: g.title}
		for _, f := range []struct{ code, label string }{{"upheld", "结果维持"}, {"corrected", "结果纠正"}, {"other", "其他结果"},
			{"pending", "尚未审结"}, {"total", "总计"}} {
			rg.Fields = append(rg.Fields, annualField{ID: g.code + "-" + f.code, Name: g.code + "." + f.code, Label: f.label})
		}
		out = append(out, rg)
	}
	return out
}

// annualFormInts are the entered counts, by form name, with where each goes.
func annualFormInts(m *AnnualManual) map[string]*int {
	out := map[string]*int{
		"regulations.made": &m.Regulations.Made, "regulations.repealed": &m.Regulations.Repealed,
		"regulations.in_force": &m.Regulations.InForce, "normative_documents.made": &m.NormativeDocuments.Made,
		"normative_documents.repealed": &m.NormativeDocuments.Repealed, "normative_documents.in_force": &m.NormativeDocuments.InForce,
		"processing_fees.notices": &m.ProcessingFees.Notices,
	}
	for prefix, r := range map[string]*ReviewCounts{"reconsideration": &m.Reconsideration, "litigation_direct": &m.LitigationDirect,
		"litigation_after_reconsideration": &m.LitigationAfterReconsideration} {
		out[prefix+".upheld"], out[prefix+".corrected"], out[prefix+".other"] = &r.Upheld, &r.Corrected, &r.Other
		out[prefix+".pending"], out[prefix+".total"] = &r.Pending, &r.Total
	}
	return out
}

// annualFormAmounts are the entered amounts, by form name.
func annualFormAmounts(m *AnnualManual) map[string]*float64 {
	return map[string]*float64{"fee_amount": &m.FeeAmount, "processing_fees.notice_amount": &m.ProcessingFees.NoticeAmount,
		"processing_fees.collected": &m.ProcessingFees.Collected}
}

// annualFormTexts are the entered texts, by form name.
func annualFormTexts(m *AnnualManual) map[string]*string {
	return map[string]*string{"overview": &m.Overview, "problems": &m.Problems, "other": &m.Other}
}

// manualForm is the hand-entered parts as the form shows them.
func manualForm(m AnnualManual) map[string]string {
	out := map[string]string{}
	for name, v := range annualFormInts(&m) {
		out[name] = strconv.Itoa(*v)
	}
	for name, v := range annualFormAmounts(&m) {
		out[name] = strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for name, v := range annualFormTexts(&m) {
		out[name] = *v
	}
	return out
}

// readManualForm reads the posted form: the parts, what was typed (to show
// again), and the fields that are not numbers. An empty number is 0.
func readManualForm(c *fiber.Ctx) (AnnualManual, map[string]string, map[string]string) {
	var m AnnualManual
	typed, bad := map[string]string{}, map[string]string{}
	for name, dst := range annualFormInts(&m) {
		raw := strings.TrimSpace(c.FormValue(name))
		typed[name] = raw
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			bad[name] = "请填写整数"
			continue
		}
		*dst = n
	}
	for name, dst := range annualFormAmounts(&m) {
		raw := strings.TrimSpace(c.FormValue(name))
		typed[name] = raw
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			bad[name] = "请填写金额数字，如 12.5"
			continue
		}
		*dst = v
	}
	for name, dst := range annualFormTexts(&m) {
		*dst = c.FormValue(name)
		typed[name] = *dst
	}
	return m, typed, bad
}

// errorLink points from the error summary to a field of the form.
type errorLink struct{ Target, Text string }

// annualView is the report page.
type annualView struct {
	Report       AnnualView
	ListURL      string
	PageURL      string
	ExportURL    string
	PublicURL    string
	Editable     bool
	CanPublish   bool
	ReviewGroups []reviewGroup
	Form         map[string]string
	Error        string
	Errors       map[string]string
	ErrorLinks   []errorLink
}

// annualFlashes are the notices after a successful form.
var annualFlashes = []struct{ key, text string }{
	{"compiled", "数据已重新统计。"},
	{"saved", "已保存。"},
	{"published", "年度报告已发布，在本县公众门户公开。"},
}

func (p *Pages) renderAnnual(c *fiber.Ctx, v AnnualView, av annualView, flash string) error {
	county, me := c.Params("county"), web.CurrentUser(c).UserID
	av.Report = v
	av.ListURL = annualListURL(c)
	av.PageURL = av.ListURL + "/" + strconv.Itoa(v.Year)
	av.ExportURL = "/api/v1/counties/" + county + "/annual-reports/" + strconv.Itoa(v.Year)
	av.PublicURL = "/portal/" + county + "/annual-reports/" + strconv.Itoa(v.Year)
	av.ReviewGroups = reviewGroups()
	var err error
	if v.Status != AnnualPublished {
		if av.Editable, err = web.Allowed(c, p.api.enforcer, me, county, "reports:edit"); err != nil {
			return err
		}
		if av.CanPublish, err = web.Allowed(c, p.api.enforcer, me, county, "reports:submit"); err != nil {
			return err
		}
	}
	if av.Form == nil {
		av.Form = manualForm(v.Manual)
	}
	if av.Errors == nil {
		av.Errors = map[string]string{}
	}
	formFields := manualForm(AnnualManual{})
	for _, f := range slices.Sorted(maps.Keys(av.Errors)) {
		target := "check-" + f
		if _, ok := formFields[f]; ok {
			target = "f-" + strings.ReplaceAll(f, ".", "-")
		} else if f == "confirm" {
			target = "publish-confirm"
		}
		av.ErrorLinks = append(av.ErrorLinks, errorLink{Target: target, Text: av.Errors[f]})
	}
	return p.pages.Render(c, p.annual.show, web.View{Title: v.Title, Region: county, Data: av, Flash: flash})
}

func (p *Pages) showAnnual(c *fiber.Ctx) error {
	v, err := p.api.LoadAnnual(c)
	if err != nil {
		return err
	}
	flash := ""
	for _, f := range annualFlashes {
		if c.Query(f.key) == "1" {
			flash = f.text
		}
	}
	return p.renderAnnual(c, v, annualView{}, flash)
}

// annualFailed shows the report again with the error and what was typed.
func (p *Pages) annualFailed(c *fiber.Ctx, cause error, typed map[string]string) error {
	msg, fields, err := formError(c, cause)
	if err != nil {
		return err
	}
	status := c.Response().StatusCode()
	v, err := p.api.LoadAnnual(c)
	if err != nil {
		return err
	}
	if v.Status == AnnualPublished {
		typed = nil // published meanwhile: show it as it now is
	}
	c.Status(status)
	return p.renderAnnual(c, v, annualView{Form: typed, Error: msg, Errors: fields}, "")
}

func (p *Pages) submitAnnualManual(c *fiber.Ctx) error {
	year, err := annualYear(c)
	if err != nil {
		return err
	}
	m, typed, bad := readManualForm(c)
	if len(bad) > 0 {
		return p.annualFailed(c, apperr.Invalid("年度报告填报内容有误", bad), typed)
	}
	if _, err := p.api.svc.SaveAnnualManual(c.UserContext(), c.Params("county"), year, m); err != nil {
		return p.annualFailed(c, err, typed)
	}
	return c.Redirect(annualListURL(c)+"/"+strconv.Itoa(year)+"?saved=1", fiber.StatusSeeOther)
}

func (p *Pages) submitAnnualPublish(c *fiber.Ctx) error {
	year, err := annualYear(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "1" {
		return p.annualFailed(c, apperr.Invalid("请先确认已核对报告内容", map[string]string{"confirm": "请勾选“我已核对报告内容，确认发布”"}), nil)
	}
	if _, err := p.api.svc.PublishAnnual(c.UserContext(), c.Params("county"), year, web.CurrentUser(c).UserID); err != nil {
		return p.annualFailed(c, err, nil)
	}
	return c.Redirect(annualListURL(c)+"/"+strconv.Itoa(year)+"?published=1", fiber.StatusSeeOther)
}

// ---- public ----

// portalAnnualListView is a county's published reports.
type portalAnnualListView struct {
	County tenants.County
	Rows   []AnnualSummary
}

func (p *Pages) showPortalAnnualList(c *fiber.Ctx) error {
	county, rows, err := p.api.svc.PublishedAnnualReports(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.annual.portalList, web.View{Title: "政府信息公开工作年度报告 · " + county.Name,
		Data: portalAnnualListView{County: county, Rows: rows}})
}

// publicAnnual is the published report the path names, as the public may read it.
func (p *Pages) publicAnnual(c *fiber.Ctx) (AnnualView, error) {
	y, err := annualYear(c)
	if err != nil {
		return AnnualView{}, err
	}
	return p.api.svc.publishedAnnual(c.UserContext(), c.Params("county"), y)
}

// portalAnnualView is one published report.
type portalAnnualView struct{ Report AnnualView }

func (p *Pages) showPortalAnnual(c *fiber.Ctx) error {
	v, err := p.publicAnnual(c)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.annual.portalShow, web.View{Title: v.Title, Data: portalAnnualView{Report: v}})
}

func (p *Pages) sendPublicAnnual(ext string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := p.publicAnnual(c)
		if err != nil {
			return err
		}
		return sendAnnual(c, v, ext, true)
	}
}
