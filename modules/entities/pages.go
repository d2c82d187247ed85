package entities

import (
	"embed"
	"html/template"
	"io"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the staff pages of the register: the searchable list, the
// add and edit form, and the workbook import with its row report.
type Pages struct {
	api                *API
	pages              *web.Pages
	list, form, upload *template.Template
}

var pageFuncs = template.FuncMap{
	"industryTitle":  IndustryTitle,
	"riskGradeTitle": RiskGradeTitle,
	"entityStatus":   StatusTitle,
	"fieldError":     func(errs map[string]string, key string) string { return errs[key] },
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"console_entities": &p.list, "console_entity": &p.form, "console_import": &p.upload,
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
		{Title: "生产经营单位", Perm: ReadPermission, URL: func(r string) string { return "/counties/" + r + "/entities" }},
	}
}

// Mount registers the page routes; the fixed paths come before /:id.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, ReadPermission, web.CountyScope)
	edit := web.Require(e, EditPermission, web.CountyScope)
	imp := web.Require(e, ImportPermission, web.CountyScope)
	app.Get("/counties/:county/entities", read, p.showList)
	app.Post("/counties/:county/entities", edit, p.submitNew)
	app.Get("/counties/:county/entities/new", edit, p.showNew)
	app.Get("/counties/:county/entities/import", imp, p.showImport)
	app.Post("/counties/:county/entities/import", imp, p.submitImport)
	app.Get("/counties/:county/entities/:id", read, p.showEntity)
	app.Post("/counties/:county/entities/:id", edit, p.submitEntity)
}

// listView is the register page.
type listView struct {
	County, Q              string
	Items                  []Entity
	Total, Page, PageCount int
	PrevURL, NextURL       string
	CanEdit, CanImport     bool
	Industries, RiskGrades []Option
}

func (p *Pages) can(c *fiber.Ctx, county, perm string) (bool, error) {
	return web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, perm)
}

func (p *Pages) showList(c *fiber.Ctx) error {
	county := c.Params("county")
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	items, total, err := p.api.svc.List(c.UserContext(), county, f)
	if err != nil {
		return err
	}
	v := listView{County: county, Q: f.Q, Items: items, Total: total, Page: f.Page,
		PageCount: max(1, (total+f.PerPage-1)/f.PerPage)}
	pageURL := func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if f.Q != "" {
			q.Set("q", f.Q)
		}
		return "/counties/" + county + "/entities?" + q.Encode()
	}
	if f.Page > 1 {
		v.PrevURL = pageURL(f.Page - 1)
	}
	if f.Page < v.PageCount {
		v.NextURL = pageURL(f.Page + 1)
	}
	if v.CanEdit, err = p.can(c, county, EditPermission); err != nil {
		return err
	}
	if v.CanImport, err = p.can(c, county, ImportPermission); err != nil {
		return err
	}
	return p.pages.Render(c, p.list, web.View{Title: "生产经营单位名录", Region: county, Data: v})
}

// formView is the add or edit page of one entity.
type formView struct {
	County string
	// ID is 0 for a new entity.
	ID                     int64
	In                     Input
	CanEdit, Saved         bool
	Error                  string
	Errors                 map[string]string
	Industries, RiskGrades []Option
	Statuses               []Option
}

func (p *Pages) renderForm(c *fiber.Ctx, v formView) error {
	v.Industries, v.RiskGrades, v.Statuses = Industries, RiskGrades, Statuses
	title := "新增生产经营单位"
	if v.ID != 0 {
		title = "生产经营单位 · " + v.In.Name
	}
	return p.pages.Render(c, p.form, web.View{Title: title, Region: v.County, Data: v})
}

// formError splits bad input into a message and field errors for a form;
// other errors (not found, conflicts, internal) pass through to the error
// handler, so a form is never shown for an entity that is not there.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok || e.Status != fiber.StatusBadRequest {
		return "", nil, err
	}
	c.Status(e.Status)
	return e.Message, e.Fields, nil
}

func readForm(c *fiber.Ctx) Input {
	return Input{Name: c.FormValue("name"), CreditCode: c.FormValue("credit_code"), Address: c.FormValue("address"),
		Industry: c.FormValue("industry"), RiskGrade: c.FormValue("risk_grade"), Contact: c.FormValue("contact"),
		Phone: c.FormValue("phone"), Status: c.FormValue("status")}
}

func (p *Pages) showNew(c *fiber.Ctx) error {
	return p.renderForm(c, formView{County: c.Params("county"), CanEdit: true, In: Input{Status: StatusActive}})
}

// submitNew adds an entity and shows it; a refused one shows the form again
// with what was typed.
func (p *Pages) submitNew(c *fiber.Ctx) error {
	county := c.Params("county")
	in := readForm(c)
	e, err := p.api.svc.Create(c.UserContext(), county, web.CurrentUser(c).UserID, in)
	if err == nil {
		web.SetAuditDetail(c, "entity "+strconv.FormatInt(e.ID, 10)+" "+e.CreditCode)
		return c.Redirect("/counties/"+county+"/entities/"+strconv.FormatInt(e.ID, 10)+"?saved=1", fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderForm(c, formView{County: county, CanEdit: true, In: in, Error: msg, Errors: fields})
}

func inputOf(e Entity) Input {
	return Input{Name: e.Name, CreditCode: e.CreditCode, Address: e.Address, Industry: e.Industry,
		RiskGrade: e.RiskGrade, Contact: e.Contact, Phone: e.Phone, Status: e.Status}
}

func (p *Pages) showEntity(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	e, err := p.api.svc.Get(c.UserContext(), county, id)
	if err != nil {
		return err
	}
	canEdit, err := p.can(c, county, EditPermission)
	if err != nil {
		return err
	}
	return p.renderForm(c, formView{County: county, ID: id, In: inputOf(e), CanEdit: canEdit, Saved: c.Query("saved") == "1"})
}

// submitEntity saves the edit form.
func (p *Pages) submitEntity(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	in := readForm(c)
	e, err := p.api.svc.Update(c.UserContext(), county, id, web.CurrentUser(c).UserID, in)
	if err == nil {
		web.SetAuditDetail(c, "entity "+strconv.FormatInt(e.ID, 10)+" "+e.CreditCode)
		return c.Redirect("/counties/"+county+"/entities/"+strconv.FormatInt(e.ID, 10)+"?saved=1", fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderForm(c, formView{County: county, ID: id, CanEdit: true, In: in, Error: msg, Errors: fields})
}

// importView is the import page: the form, and after an upload either the
// counts or every wrong cell.
type importView struct {
	County string
	Result *ImportResult
	Cells  []CellError
	Error  string
	Max    int
}

func (p *Pages) showImport(c *fiber.Ctx) error {
	return p.pages.Render(c, p.upload, web.View{Title: "导入生产经营单位", Region: c.Params("county"),
		Data: importView{County: c.Params("county"), Max: MaxImportRows}})
}

// submitImport imports the uploaded workbook and shows what happened.
func (p *Pages) submitImport(c *fiber.Ctx) error {
	county := c.Params("county")
	v := importView{County: county, Max: MaxImportRows}
	err := func() error {
		fh, err := c.FormFile("file")
		if err != nil {
			return apperr.InvalidField("file", "请选择要导入的 .xlsx 工作簿")
		}
		f, err := fh.Open()
		if err != nil {
			return apperr.InvalidField("file", "无法读取上传的文件")
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return apperr.InvalidField("file", "无法读取上传的文件")
		}
		res, err := p.api.svc.Import(c.UserContext(), county, web.CurrentUser(c).UserID, data)
		if err != nil {
			return err
		}
		web.SetAuditDetail(c, "entities import created="+strconv.Itoa(res.Created)+" updated="+strconv.Itoa(res.Updated))
		v.Result = &res
		return nil
	}()
	if ie, ok := IsImportError(err); ok {
		v.Cells, v.Error = ie.Cells, "工作簿有误，未导入任何单位。请按下表改正后重新上传。"
		c.Status(fiber.StatusBadRequest)
	} else if err != nil {
		msg, fields, ferr := formError(c, err)
		if ferr != nil {
			return ferr
		}
		v.Error = msg
		if m := fields["file"]; m != "" {
			v.Error = m
		}
	}
	return p.pages.Render(c, p.upload, web.View{Title: "导入生产经营单位", Region: county, Data: v})
}
