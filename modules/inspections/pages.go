package inspections

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/entities"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the staff pages (plans, the draw with its verification, the
// inspection record and its print page, the inspector pool and conflicts)
// and the portal's results page.
type Pages struct {
	api                               *API
	pages                             *web.Pages
	plans, plan, verify, list, record *template.Template
	results, pool                     *template.Template
	print                             *template.Template
}

func fieldError(errs map[string]string, key string) string { return errs[key] }

var pageFuncs = template.FuncMap{
	"industryTitle":  entities.IndustryTitle,
	"riskGradeTitle": entities.RiskGradeTitle,
	"recheckTitle":   RecheckTitle,
	"fieldError":     fieldError,
	"inc":            func(i int) int { return i + 1 },
	"beijing":        web.FormatBeijing,
	"lightTitle": func(l string) string {
		switch l {
		case WarningYellow:
			return "即将到期"
		case WarningRed:
			return "已超期"
		}
		return ""
	},
	"statusTitle": func(s string) string {
		switch s {
		case StatusAssigned:
			return "待检查"
		case StatusCompleted:
			return "已检查"
		case StatusSuperseded:
			return "已作废（重新抽取）"
		case PlanDraft:
			return "待批准"
		case PlanApproved:
			return "已批准"
		}
		return s
	},
	"has": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"console_plans": &p.plans, "console_plan": &p.plan, "console_verify": &p.verify,
		"console_inspections": &p.list, "console_inspection": &p.record, "portal_results": &p.results,
		"console_inspectors": &p.pool,
	} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	t, err := template.New("print").Funcs(pageFuncs).ParseFS(templateFiles, "templates/print.html")
	if err != nil {
		return nil, fmt.Errorf("inspections: print: %w", err)
	}
	p.print = t
	return p, nil
}

// NavLinks are the header menu entries of the module.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{
		{Title: "双随机抽查", Perm: ReadPermission, URL: func(r string) string { return "/counties/" + r + "/inspection-plans" }},
	}
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, ReadPermission, web.CountyScope)
	plan := web.Require(e, PlanPermission, web.CountyScope)
	approve := web.Require(e, ApprovePermission, web.CountyScope)
	draw := web.Require(e, DrawPermission, web.CountyScope)
	record := web.Require(e, RecordPermission, web.CountyScope)
	publish := web.Require(e, PublishPermission, web.CountyScope)
	app.Get("/counties/:county/inspection-plans", read, p.showPlans)
	app.Post("/counties/:county/inspection-plans", plan, p.submitPlan)
	app.Get("/counties/:county/inspection-plans/:id", read, p.showPlan)
	app.Post("/counties/:county/inspection-plans/:id/approve", approve, p.submitApprove)
	app.Post("/counties/:county/inspection-plans/:id/draw", draw, p.submitDraw)
	app.Get("/counties/:county/inspection-draws/:id/verify", read, p.showVerify)
	app.Get("/counties/:county/inspections", read, p.showInspections)
	app.Get("/counties/:county/inspections/:id", read, p.showInspection)
	app.Get("/counties/:county/inspections/:id/print", read, p.printInspection)
	app.Post("/counties/:county/inspections/:id/findings", record, p.submitFinding)
	app.Post("/counties/:county/inspections/:id/complete", record, p.submitComplete)
	app.Post("/counties/:county/inspections/:id/recheck", record, p.submitRecheck)
	app.Post("/counties/:county/inspections/:id/publish", publish, p.submitPublish)
	app.Post("/counties/:county/inspections/:id/findings/:finding/penalty-case", record, p.submitPenaltyCase)
	pool := web.Require(e, PoolPermission, web.CountyScope)
	app.Get("/counties/:county/inspectors", read, p.showPool)
	app.Post("/counties/:county/inspectors", pool, p.submitInspector)
	app.Post("/counties/:county/inspection-conflicts", read, p.submitConflict)
	app.Get("/portal/:county/inspection-results", p.api.RequireActiveCounty, p.showResults)
}

func (p *Pages) can(c *fiber.Ctx, county, perm string) bool {
	ok, err := web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, perm)
	return err == nil && ok
}

// formError splits bad input (400, 409) into a message and field errors for
// a form; other errors pass through to the error handler.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok || (e.Status != fiber.StatusBadRequest && e.Status != fiber.StatusConflict) {
		return "", nil, err
	}
	c.Status(e.Status)
	return e.Message, e.Fields, nil
}

// --- Plans ---

type plansView struct {
	County                 string
	Plans                  []Plan
	CanPlan                bool
	In                     PlanInput
	Error                  string
	Errors                 map[string]string
	Industries, RiskGrades []entities.Option
}

func (p *Pages) renderPlans(c *fiber.Ctx, v plansView) error {
	var err error
	if v.Plans, err = p.api.svc.Plans(c.UserContext(), v.County); err != nil {
		return err
	}
	v.CanPlan = p.can(c, v.County, PlanPermission)
	v.Industries, v.RiskGrades = entities.Industries, entities.RiskGrades
	return p.pages.Render(c, p.plans, web.View{Title: "双随机抽查计划", Region: v.County, Data: v})
}

func (p *Pages) showPlans(c *fiber.Ctx) error {
	return p.renderPlans(c, plansView{County: c.Params("county"), In: PlanInput{InspectorsPerEntity: 2}})
}

func (p *Pages) submitPlan(c *fiber.Ctx) error {
	county := c.Params("county")
	n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("entity_count")))
	m, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("inspectors_per_entity")))
	args := c.Request().PostArgs()
	var ind, grades []string
	for _, v := range args.PeekMulti("industries") {
		ind = append(ind, string(v))
	}
	for _, v := range args.PeekMulti("risk_grades") {
		grades = append(grades, string(v))
	}
	in := PlanInput{Name: c.FormValue("name"), PeriodStart: c.FormValue("period_start"), PeriodEnd: c.FormValue("period_end"),
		Industries: ind, RiskGrades: grades, EntityCount: n, InspectorsPerEntity: m}
	plan, err := p.api.svc.CreatePlan(c.UserContext(), county, web.CurrentUser(c).UserID, in)
	if err == nil {
		return c.Redirect("/counties/"+county+"/inspection-plans/"+strconv.FormatInt(plan.ID, 10), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderPlans(c, plansView{County: county, In: in, Error: msg, Errors: fields})
}

// --- One plan and its draws ---

type drawRow struct {
	DrawView
	Entities   []named
	Inspectors []named
	Result     []resultRow
}

type named struct {
	ID   int64
	Name string
	// Extra is a credit code or a certificate number.
	Extra string
}

type resultRow struct {
	Entity     named
	Inspectors []named
}

type planView struct {
	County              string
	Plan                Plan
	Draws               []drawRow
	CanApprove, CanDraw bool
	Error, Flash        string
	Errors              map[string]string
	Reason              string
}

// names reads the county's entity and inspector names for the draw pages.
func (p *Pages) names(ctx context.Context, county string) (map[int64]named, map[int64]named, error) {
	ents := map[int64]named{}
	all, err := entities.NewService(p.api.svc.db).All(ctx, county)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range all {
		ents[e.ID] = named{ID: e.ID, Name: e.Name, Extra: e.CreditCode}
	}
	people := map[int64]named{}
	list, err := p.api.svc.Inspectors(ctx, county)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range list {
		people[i.UserID] = named{ID: i.UserID, Name: i.DisplayName, Extra: i.CertificateNo}
	}
	return ents, people, nil
}

func lookup(m map[int64]named, id int64) named {
	if n, ok := m[id]; ok {
		return n
	}
	return named{ID: id, Name: "编号" + strconv.FormatInt(id, 10)}
}

func (p *Pages) renderPlan(c *fiber.Ctx, v planView) error {
	ctx := c.UserContext()
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	if v.Plan, err = p.api.svc.Plan(ctx, v.County, id); err != nil {
		return err
	}
	draws, err := p.api.svc.Draws(ctx, v.County, id)
	if err != nil {
		return err
	}
	ents, people, err := p.names(ctx, v.County)
	if err != nil {
		return err
	}
	for _, d := range draws {
		row := drawRow{DrawView: d}
		for _, e := range d.EntityPool {
			row.Entities = append(row.Entities, lookup(ents, e))
		}
		for _, i := range d.InspectorPool {
			row.Inspectors = append(row.Inspectors, lookup(people, i))
		}
		for _, a := range d.Result {
			r := resultRow{Entity: lookup(ents, a.EntityID)}
			for _, i := range a.Inspectors {
				r.Inspectors = append(r.Inspectors, lookup(people, i))
			}
			row.Result = append(row.Result, r)
		}
		v.Draws = append(v.Draws, row)
	}
	v.CanApprove = p.can(c, v.County, ApprovePermission)
	v.CanDraw = p.can(c, v.County, DrawPermission)
	return p.pages.Render(c, p.plan, web.View{Title: "抽查计划 · " + v.Plan.Name, Region: v.County, Data: v})
}

func (p *Pages) showPlan(c *fiber.Ctx) error {
	v := planView{County: c.Params("county")}
	switch c.Query("done") {
	case "approved":
		v.Flash = "计划已批准。"
	case "drawn":
		v.Flash = "已完成随机抽取，结果如下。"
	}
	return p.renderPlan(c, v)
}

func (p *Pages) submitApprove(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	if _, err = p.api.svc.ApprovePlan(c.UserContext(), county, id, act); err == nil {
		return c.Redirect(fmt.Sprintf("/counties/%s/inspection-plans/%d?done=approved", county, id), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderPlan(c, planView{County: county, Error: msg, Errors: fields})
}

func (p *Pages) submitDraw(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	req := DrawRequest{Redraw: c.FormValue("redraw") == "1", Reason: c.FormValue("reason")}
	if _, err = p.api.svc.DrawPlan(c.UserContext(), county, id, act, req); err == nil {
		return c.Redirect(fmt.Sprintf("/counties/%s/inspection-plans/%d?done=drawn", county, id), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderPlan(c, planView{County: county, Error: msg, Errors: fields, Reason: req.Reason})
}

type verifyView struct {
	County string
	Draw   DrawView
	V      Verification
}

func (p *Pages) showVerify(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := p.api.svc.GetDraw(c.UserContext(), county, id)
	if err != nil {
		return err
	}
	v, err := p.api.svc.VerifyDraw(c.UserContext(), county, id)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.verify, web.View{Title: "验证抽取结果", Region: county, Data: verifyView{County: county, Draw: d, V: v}})
}

// --- Inspections ---

type listView struct {
	County string
	Items  []View
}

func (p *Pages) showInspections(c *fiber.Ctx) error {
	county := c.Params("county")
	items, err := p.api.svc.Inspections(c.UserContext(), county, 0, "")
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.list, web.View{Title: "检查记录", Region: county, Data: listView{County: county, Items: items}})
}

type recordView struct {
	County     string
	I          View
	Plan       Plan
	Inspectors []named
	CanRecord  bool
	CanPublish bool
	Error      string
	Errors     map[string]string
	Flash      string
	// Form values as typed, shown again after a refusal.
	Form map[string]string
	// Today is the default date of the forms.
	Today string
	// PenaltyItems are what a violation may open a case on (filled only
	// when the page offers that form).
	PenaltyItems []PenaltyItem
}

func (p *Pages) renderRecord(c *fiber.Ctx, v recordView) error {
	ctx := c.UserContext()
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	if v.I, err = p.api.svc.Get(ctx, v.County, id); err != nil {
		return err
	}
	if v.Plan, err = p.api.svc.Plan(ctx, v.County, v.I.PlanID); err != nil {
		return err
	}
	_, people, err := p.names(ctx, v.County)
	if err != nil {
		return err
	}
	for _, i := range v.I.Inspectors {
		v.Inspectors = append(v.Inspectors, lookup(people, i))
	}
	v.CanRecord = p.can(c, v.County, RecordPermission) && containsID(v.I.Inspectors, web.CurrentUser(c).UserID) &&
		v.I.Status != StatusSuperseded
	v.CanPublish = p.can(c, v.County, PublishPermission)
	if v.CanRecord && v.I.Status == StatusCompleted && p.api.svc.PenaltyItems != nil && openViolation(v.I.Findings) {
		if v.PenaltyItems, err = p.api.svc.PenaltyItems(ctx, v.County); err != nil {
			return err
		}
	}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	v.Today = todayString(p.api.svc)
	return p.pages.Render(c, p.record, web.View{Title: "检查记录 · " + v.I.EntityName, Region: v.County, Data: v})
}

// openViolation tells whether a violation has yet to open a penalty case.
func openViolation(findings []Finding) bool {
	for _, f := range findings {
		if f.Violation && f.PenaltyCaseID == 0 {
			return true
		}
	}
	return false
}

func todayString(s *Service) string { return s.today().Format("2006-01-02") }

func (p *Pages) showInspection(c *fiber.Ctx) error {
	v := recordView{County: c.Params("county")}
	switch c.Query("done") {
	case "finding":
		v.Flash = "已添加检查发现。"
	case "complete":
		v.Flash = "检查记录已完成。"
	case "recheck":
		v.Flash = "复查结果已记录。"
	case "publish":
		v.Flash = "检查结果已在门户网站公开。"
	case "penalty":
		v.Flash = "已由检查发现立案。"
	}
	return p.renderRecord(c, v)
}

// act runs one form of the record page and redirects, or shows the page
// again with the refusal and what was typed.
func (p *Pages) act(c *fiber.Ctx, done string, form map[string]string, run func(county string, id int64, act Actor) error) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	if err = run(county, id, act); err == nil {
		return c.Redirect(fmt.Sprintf("/counties/%s/inspections/%d?done=%s", county, id, done), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderRecord(c, recordView{County: county, Error: msg, Errors: fields, Form: form})
}

func (p *Pages) submitFinding(c *fiber.Ctx) error {
	form := map[string]string{"description": c.FormValue("description"), "legal_provision": c.FormValue("legal_provision"),
		"violation": c.FormValue("violation")}
	return p.act(c, "finding", form, func(county string, id int64, act Actor) error {
		in := FindingInput{Description: form["description"], LegalProvision: form["legal_provision"]}
		switch form["violation"] {
		case "1":
			in.Violation = ptr(true)
		case "0":
			in.Violation = ptr(false)
		}
		_, err := p.api.svc.AddFinding(c.UserContext(), county, id, act, in)
		return err
	})
}

func ptr[T any](v T) *T { return &v }

func (p *Pages) submitComplete(c *fiber.Ctx) error {
	form := map[string]string{"inspected_on": c.FormValue("inspected_on"), "summary": c.FormValue("summary"),
		"rectify_deadline": c.FormValue("rectify_deadline")}
	return p.act(c, "complete", form, func(county string, id int64, act Actor) error {
		_, err := p.api.svc.Complete(c.UserContext(), county, id, act, CompleteInput{InspectedOn: form["inspected_on"],
			Summary: form["summary"], RectifyDeadline: form["rectify_deadline"]})
		return err
	})
}

func (p *Pages) submitRecheck(c *fiber.Ctx) error {
	form := map[string]string{"recheck_on": c.FormValue("recheck_on"), "result": c.FormValue("result"), "note": c.FormValue("note")}
	return p.act(c, "recheck", form, func(county string, id int64, act Actor) error {
		_, err := p.api.svc.Recheck(c.UserContext(), county, id, act, RecheckInput{RecheckOn: form["recheck_on"],
			Result: form["result"], Note: form["note"]})
		return err
	})
}

func (p *Pages) submitPublish(c *fiber.Ctx) error {
	return p.act(c, "publish", nil, func(county string, id int64, _ Actor) error {
		_, err := p.api.svc.Publish(c.UserContext(), county, id)
		return err
	})
}

func (p *Pages) submitPenaltyCase(c *fiber.Ctx) error {
	form := map[string]string{"item_code": c.FormValue("item_code"), "filed_on": c.FormValue("filed_on"), "finding": c.Params("finding")}
	return p.act(c, "penalty", form, func(county string, id int64, act Actor) error {
		finding, err := web.PathID(c, "finding")
		if err != nil {
			return err
		}
		_, err = p.api.svc.OpenPenaltyCase(c.UserContext(), county, id, finding, act, PenaltyRequest{ItemCode: form["item_code"],
			FiledOn: form["filed_on"]})
		return err
	})
}

// printView is the inspection record laid out on A4 (现场检查记录).
type printView struct {
	CountyName string
	I          View
	Plan       Plan
	Entity     entities.Entity
	Inspectors []named
}

func (p *Pages) printInspection(c *fiber.Ctx) error {
	ctx := c.UserContext()
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v := printView{}
	if v.I, err = p.api.svc.Get(ctx, county, id); err != nil {
		return err
	}
	if v.Plan, err = p.api.svc.Plan(ctx, county, v.I.PlanID); err != nil {
		return err
	}
	if v.Entity, err = entities.NewService(p.api.svc.db).Get(ctx, county, v.I.EntityID); err != nil {
		return err
	}
	_, people, err := p.names(ctx, county)
	if err != nil {
		return err
	}
	for _, i := range v.I.Inspectors {
		v.Inspectors = append(v.Inspectors, lookup(people, i))
	}
	cty, err := p.api.tenants.County(ctx, county)
	if err != nil {
		return err
	}
	v.CountyName = cty.Name
	var buf bytes.Buffer
	if err := p.print.ExecuteTemplate(&buf, "print", v); err != nil {
		return fmt.Errorf("inspections: print: %w", err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// --- Portal ---

type resultsView struct {
	County, CountyName string
	Items              []PublicResult
	Workdays           int
}

func (p *Pages) showResults(c *fiber.Ctx) error {
	county := c.Params("county")
	cty, err := p.api.tenants.County(c.UserContext(), county)
	if err != nil {
		return err
	}
	items, err := p.api.svc.PublicResults(c.UserContext(), county)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.results, web.View{Title: "双随机抽查结果公开 · " + cty.Name,
		Data: resultsView{County: county, CountyName: cty.Name, Items: items, Workdays: PublishWorkdays}})
}

// --- The inspector pool and conflicts ---

type poolView struct {
	County     string
	Inspectors []Inspector
	Officers   []Officer
	Conflicts  []conflictRow
	Entities   []entities.Entity
	CanPool    bool
	CanRecord  bool
	Me         int64
	Error      string
	Errors     map[string]string
	Flash      string
	Form       map[string]string
}

type conflictRow struct {
	ConflictRecord
	Inspector, Entity string
}

func (p *Pages) renderPool(c *fiber.Ctx, v poolView) error {
	ctx := c.UserContext()
	var err error
	if v.Inspectors, err = p.api.svc.Inspectors(ctx, v.County); err != nil {
		return err
	}
	if v.Officers, err = p.api.svc.Officers(ctx, v.County); err != nil {
		return err
	}
	if v.Entities, err = entities.NewService(p.api.svc.db).All(ctx, v.County); err != nil {
		return err
	}
	ents, people, err := p.names(ctx, v.County)
	if err != nil {
		return err
	}
	list, err := p.api.svc.Conflicts(ctx, v.County)
	if err != nil {
		return err
	}
	for _, r := range list {
		v.Conflicts = append(v.Conflicts, conflictRow{ConflictRecord: r, Inspector: lookup(people, r.UserID).Name,
			Entity: lookup(ents, r.EntityID).Name})
	}
	v.CanPool = p.can(c, v.County, PoolPermission)
	v.CanRecord = p.can(c, v.County, RecordPermission)
	v.Me = web.CurrentUser(c).UserID
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	return p.pages.Render(c, p.pool, web.View{Title: "执法检查人员名录库", Region: v.County, Data: v})
}

func (p *Pages) showPool(c *fiber.Ctx) error {
	v := poolView{County: c.Params("county")}
	switch c.Query("done") {
	case "inspector":
		v.Flash = "已保存执法人员。"
	case "conflict":
		v.Flash = "已登记回避申报。"
	}
	return p.renderPool(c, v)
}

func formID(c *fiber.Ctx, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
	return n
}

func (p *Pages) submitInspector(c *fiber.Ctx) error {
	county := c.Params("county")
	form := map[string]string{"user_id": c.FormValue("user_id"), "certificate_no": c.FormValue("certificate_no")}
	active := c.FormValue("active") != "0"
	_, err := p.api.svc.SaveInspector(c.UserContext(), county, web.CurrentUser(c).UserID, InspectorInput{
		UserID: formID(c, "user_id"), CertificateNo: form["certificate_no"], Active: &active})
	if err == nil {
		return c.Redirect("/counties/"+county+"/inspectors?done=inspector", fiber.StatusSeeOther)
	}
	if e, ok := apperr.As(err); ok && e.Status == fiber.StatusNotFound {
		err = apperr.InvalidField("user_id", "请选择本县执法人员")
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderPool(c, poolView{County: county, Error: msg, Errors: fields, Form: form})
}

func (p *Pages) submitConflict(c *fiber.Ctx) error {
	county := c.Params("county")
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	form := map[string]string{"inspector_id": c.FormValue("inspector_id"), "entity_id": c.FormValue("entity_id"),
		"reason": c.FormValue("reason")}
	inspector := formID(c, "inspector_id")
	if inspector == 0 && !act.CanPool {
		inspector = act.ID
	}
	_, err = p.api.svc.DeclareConflict(c.UserContext(), county, act, ConflictInput{InspectorID: inspector,
		EntityID: formID(c, "entity_id"), Reason: form["reason"]})
	if err == nil {
		return c.Redirect("/counties/"+county+"/inspectors?done=conflict", fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderPool(c, poolView{County: county, Error: msg, Errors: fields, Form: form})
}
