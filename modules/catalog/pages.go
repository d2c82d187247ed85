package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the county console's catalog pages.
type Pages struct {
	api         *API
	pages       *web.Pages
	list, item  *template.Template
	pushes      *template.Template
	cleanup     *template.Template
	templates   *template.Template
	blankRows   int
	portalPages *portalPages
}

// pageFuncs are the catalog's template helpers.
var pageFuncs = template.FuncMap{
	"categoryTitle":  CategoryTitle,
	"powerTypeTitle": PowerTypeTitle,
	"inventoryTitle": InventoryTitle,
	"fieldError":     func(errs map[string]string, key string) string { return errs[key] },
	"fieldKey":       func(format string, args ...any) string { return fmt.Sprintf(format, args...) },
	"joinLines":      func(list []string) string { return strings.Join(list, "\n") },
	"joinKinds":      func(list []string) string { return strings.Join(list, "、") },
	"yuan":           Yuan,
	"yuanOrDash": func(v *int64) string {
		if v == nil {
			return "—"
		}
		return Yuan(*v)
	},
	"add":               func(a, b int) int { return a + b },
	"pushFieldLabel":    pushFieldLabel,
	"errorLinks":        errorLinks,
	"categories":        func() []string { return []string{CategoryInformation, CategoryPower, CategoryService} },
	"verificationTitle": verificationTitle,
}

// pushFieldLabel names a field of a push's validation errors in Chinese:
// "items[2].category" is 第3个事项的类别.
func pushFieldLabel(key string) string {
	parts := map[string]string{"code": "编码", "category": "类别", "name": "名称"}
	var i int
	var field string
	if n, err := fmt.Sscanf(strings.Replace(key, "].", "] ", 1), "items[%d] %s", &i, &field); err == nil && n == 2 && parts[field] != "" {
		return fmt.Sprintf("第%d个事项的%s", i+1, parts[field])
	}
	switch key {
	case "items":
		return "事项"
	case "note":
		return "说明"
	case "title":
		return "标题"
	}
	return key
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages, blankRows: 2}
	var err error
	if p.list, err = pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/console_list.html"); err != nil {
		return nil, err
	}
	if p.item, err = pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/console_item.html"); err != nil {
		return nil, err
	}
	if p.pushes, err = pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/province_pushes.html"); err != nil {
		return nil, err
	}
	if p.cleanup, err = pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/console_cleanup.html"); err != nil {
		return nil, err
	}
	if p.templates, err = pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/province_templates.html"); err != nil {
		return nil, err
	}
	if p.portalPages, err = newPortalPages(api, pages); err != nil {
		return nil, err
	}
	return p, nil
}

// Mount registers the console and portal page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, "catalog:read", web.CountyScope)
	edit := web.Require(e, "catalog:edit", web.CountyScope)
	publish := web.Require(e, "catalog:publish", web.CountyScope)
	app.Get("/counties/:county/catalog", read, p.showCatalogPage)
	app.Post("/counties/:county/catalog", edit, p.submitNewItem)
	app.Post("/counties/:county/catalog-import", edit, p.submitImport)
	app.Get("/counties/:county/catalog/:code", read, p.showItemPage)
	app.Post("/counties/:county/catalog/:code", edit, p.submitItem)
	app.Post("/counties/:county/catalog/:code/publish", publish, p.submitPublish)
	app.Post("/counties/:county/catalog/:code/applicability", publish, p.submitApplicability)
	// Calculating needs catalog:read, like the API; recording a decision
	// also needs cases:handle, checked in the handler.
	app.Post("/counties/:county/catalog/:code/discretion", read, p.submitDiscretion)
	app.Post("/counties/:county/catalog-changes/:push/acknowledge", edit, p.submitAcknowledge)
	app.Post("/counties/:county/catalog-templates/adopt-information", edit, p.submitAdoptInformation)
	app.Get("/counties/:county/cleanup", read, p.showCleanupPage)
	app.Post("/counties/:county/cleanup/:code/confirm", publish, p.submitCleanupConfirm)
	app.Post("/counties/:county/cleanup/:code", publish, p.submitCleanupChange)
	app.Get("/provinces/:province/catalog-pushes", web.Require(e, "counties:read", web.ProvinceScope), p.showPushesPage)
	app.Post("/provinces/:province/catalog-pushes", web.Require(e, "catalog:push", web.ProvinceScope), p.submitPush)
	app.Post("/provinces/:province/catalog-template-import", web.Require(e, "catalog:push", web.ProvinceScope), p.submitTemplateImport)
	app.Get("/provinces/:province/catalog-templates", web.Require(e, "counties:read", web.ProvinceScope), p.showTemplatesPage)
	app.Post("/provinces/:province/catalog-templates", web.Require(e, "catalog:push", web.ProvinceScope), p.submitTemplate)
	p.portalPages.mount(app)
}

type listView struct {
	County    string
	Changes   []Change
	Items     []ItemView
	Inventory Inventory
	CanEdit   bool
	Error     string
	Errors    map[string]string
	New       NewItem
	// Filter is the search and filters of the list, from the URL; Total
	// is the number of items before filtering.
	Filter     ListFilter
	Total      int
	PowerTypes []PowerType
	// Imported is the outcome of a workbook upload; ImportCells the wrong
	// cells of a refused one, and ImportError what the refusal says.
	Imported    *ImportResult
	ImportCells []CellError
	ImportError string
	// Cleanup is the 底数 before and after the 2026 clean-up.
	Cleanup  CleanupSummary
	Statuses []InventoryStatus
	// Offer lists the province's information templates the county does
	// not hold yet (the bureau's proactive-disclosure items).
	Offer []TemplateView
}

func (p *Pages) renderList(c *fiber.Ctx, v listView) error {
	ctx, county := c.UserContext(), c.Params("county")
	v.Filter = ParseListFilter(func(k string) string { return c.Query(k) })
	items, total, err := p.api.svc.ListLatest(ctx, county, v.Filter)
	if err != nil {
		return err
	}
	v.Total, v.PowerTypes = total, PowerTypes
	inv, err := p.api.svc.Inventory(ctx, county, false)
	if err != nil {
		return err
	}
	if v.Changes, err = p.api.svc.Changes(ctx, county, true); err != nil {
		return err
	}
	v.County, v.Items, v.Inventory, v.Statuses = county, items, inv, InventoryStatuses
	if v.CanEdit, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, "catalog:edit"); err != nil {
		return err
	}
	cl, err := p.api.svc.Cleanup(ctx, county)
	if err != nil {
		return err
	}
	v.Cleanup = cl.Summary
	if v.Offer, err = p.api.svc.informationOffer(ctx, county); err != nil {
		return err
	}
	return p.pages.Render(c, p.list, web.View{Title: "政务公开和政务服务目录", Region: county, Data: v})
}

func (p *Pages) showCatalogPage(c *fiber.Ctx) error { return p.renderList(c, listView{}) }

func (p *Pages) submitNewItem(c *fiber.Ctx) error {
	in := NewItem{Code: c.FormValue("code"), Category: c.FormValue("category"), Name: c.FormValue("name")}
	it, err := p.api.svc.Add(c.UserContext(), c.Params("county"), in)
	if err == nil {
		return c.Redirect("/counties/"+it.CountyCode+"/catalog/"+it.Code, fiber.StatusSeeOther)
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	c.Status(e.Status)
	return p.renderList(c, listView{Error: e.Message, Errors: e.Fields, New: in})
}

// submitImport imports (or, with 仅检查, checks) an uploaded catalog
// workbook and shows the list again with the counts, or with every wrong
// cell in a table and nothing imported.
func (p *Pages) submitImport(c *fiber.Ctx) error {
	county := c.Params("county")
	dry := c.FormValue("dry_run") == "1"
	var v listView
	err := func() error {
		data, err := uploadedFile(c)
		if err != nil {
			return err
		}
		res, err := p.api.svc.ImportWorkbook(c.UserContext(), county, web.CurrentUser(c).UserID, data, dry)
		if err != nil {
			return err
		}
		v.Imported = &res
		return nil
	}()
	var ie *ImportError
	switch {
	case errors.As(err, &ie):
		v.ImportCells = ie.Cells
		v.ImportError = fmt.Sprintf("工作簿有%d处错误，未导入任何事项。请按下表改正后重新上传。", len(ie.Cells))
		c.Status(fiber.StatusBadRequest)
	case err != nil:
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		v.ImportError = e.Message
		if m := e.Fields["file"]; m != "" {
			v.ImportError = m
		}
		c.Status(e.Status)
	}
	return p.renderList(c, v)
}

// itemView is the edit form: the item, the values being edited, errors by
// field path, and blank rows for adding steps, materials and standards.
type itemView struct {
	Item        ItemView
	Form        Content
	BaseVersion int
	Errors      map[string]string
	Error       string
	Saved       bool
	Published   bool
	CanEdit     bool
	CanPublish  bool
	PowerTypes  []PowerType
	Inventory   []InventoryStatus
	Versions    []Version
	// Calc is the discretion calculator of a penalty item with published
	// standards, and the decisions recorded with it; nil when there is none.
	Calc *calcView
}

func (p *Pages) renderItem(c *fiber.Ctx, it ItemView, v itemView) error {
	ctx, county := c.UserContext(), c.Params("county")
	me := web.CurrentUser(c).UserID
	var err error
	if v.CanEdit, err = web.Allowed(c, p.api.enforcer, me, county, "catalog:edit"); err != nil {
		return err
	}
	if v.CanPublish, err = web.Allowed(c, p.api.enforcer, me, county, "catalog:publish"); err != nil {
		return err
	}
	if v.Versions, err = p.api.svc.store.Versions(ctx, county, it.Code); err != nil {
		return err
	}
	if v.Calc == nil {
		if v.Calc, err = p.discretionView(c, it.Code, calcInput{}); err != nil {
			return err
		}
	}
	v.Item, v.PowerTypes, v.Inventory = it, PowerTypes, InventoryStatuses
	if v.Errors == nil {
		v.Form, v.BaseVersion = it.Content, it.LatestVersion
	}
	v.Form = padRows(v.Form, p.blankRows)
	return p.pages.Render(c, p.item, web.View{Title: it.Name, Region: county, Data: v})
}

// minStepRows is how many step rows the form shows at least: a flowchart
// usually has three to four steps (受理、审查、决定、送达), which an item being
// filled in for the first time must be able to take in one save.
const minStepRows = 4

// padRows adds empty rows so a form without script can grow lists.
func padRows(c Content, n int) Content {
	for i := 0; i < n; i++ {
		c.Materials = append(c.Materials, Material{})
		c.SpecialSteps = append(c.SpecialSteps, SpecialStep{})
	}
	for blank := 0; blank < n || len(c.Steps) < minStepRows; blank++ {
		c.Steps = append(c.Steps, Step{})
	}
	c.Discretion = append(c.Discretion, Standard{})
	for i := range c.Discretion {
		for j := 0; j < n; j++ {
			c.Discretion[i].Tiers = append(c.Discretion[i].Tiers, Tier{})
		}
	}
	return c
}

func (p *Pages) showItemPage(c *fiber.Ctx) error {
	it, err := p.api.svc.Get(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return p.renderItem(c, it, itemView{Saved: c.Query("saved") == "1", Published: c.Query("published") == "1"})
}

func (p *Pages) submitItem(c *fiber.Ctx) error {
	county, code := c.Params("county"), c.Params("code")
	form, formErrs := parseContentForm(c)
	base, _ := strconv.Atoi(c.FormValue("base_version"))
	var err error = formErrs.err()
	if err == nil {
		_, err = p.api.svc.Save(c.UserContext(), county, code, web.CurrentUser(c).UserID, SaveInput{Content: form, BaseVersion: &base})
	}
	if err == nil {
		return c.Redirect("/counties/"+county+"/catalog/"+code+"?saved=1", fiber.StatusSeeOther)
	}
	return p.renderItemFailure(c, err, "", func(ItemView) (Content, int) { return form, base })
}

// renderItemFailure shows the item page again with a client error (field
// messages beside the fields) and the form values the page should keep;
// any other error propagates.
func (p *Pages) renderItemFailure(c *fiber.Ctx, err error, prefix string, keep func(ItemView) (Content, int)) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	it, gerr := p.api.svc.Get(c.UserContext(), c.Params("county"), c.Params("code"))
	if gerr != nil {
		return gerr
	}
	c.Status(e.Status)
	errs := e.Fields
	if errs == nil {
		errs = map[string]string{}
	}
	form, base := keep(it)
	return p.renderItem(c, it, itemView{Form: form, BaseVersion: base, Errors: errs, Error: prefix + e.Message})
}

// submitPublish publishes the latest version. From the edit form's 保存并发布
// button the request carries the form, which is saved as the next draft
// first (unless it is what the latest version holds): a refusal then shows
// what was typed again, with the errors beside the fields, and loses nothing.
func (p *Pages) submitPublish(c *fiber.Ctx) error {
	ctx, county, code := c.UserContext(), c.Params("county"), c.Params("code")
	me := web.CurrentUser(c).UserID
	published := "/counties/" + county + "/catalog/" + code + "?published=1"
	if c.FormValue("base_version") == "" {
		if _, err := p.api.svc.Publish(ctx, county, code, me); err != nil {
			return p.renderItemFailure(c, err, "发布失败：", func(it ItemView) (Content, int) { return it.Content, it.LatestVersion })
		}
		return c.Redirect(published, fiber.StatusSeeOther)
	}
	canEdit, err := web.Allowed(c, p.api.enforcer, me, county, "catalog:edit")
	if err != nil {
		return err
	}
	if !canEdit {
		return apperr.ErrForbidden
	}
	form, formErrs := parseContentForm(c)
	base, _ := strconv.Atoi(c.FormValue("base_version"))
	prefix := "发布失败："
	if err = formErrs.err(); err == nil {
		var saved ItemView
		if saved, err = p.saveIfChanged(c, form, base); err == nil {
			if saved.LatestVersion != base {
				prefix = fmt.Sprintf("已保存为第 %d 版草稿，但未发布：", saved.LatestVersion)
				base = saved.LatestVersion
			}
			_, err = p.api.svc.Publish(ctx, county, code, me)
		}
	}
	if err != nil {
		return p.renderItemFailure(c, err, prefix, func(ItemView) (Content, int) { return form, base })
	}
	return c.Redirect(published, fiber.StatusSeeOther)
}

// submitApplicability marks an information item not applicable (with its
// reason) or applicable again.
func (p *Pages) submitApplicability(c *fiber.Ctx) error {
	applicable := c.FormValue("applicable") == "1"
	in := ApplicabilityInput{Applicable: &applicable, Reason: c.FormValue("reason")}
	if _, err := p.api.svc.SetApplicability(c.UserContext(), c.Params("county"), c.Params("code"), in); err != nil {
		return p.renderItemFailure(c, err, "", func(it ItemView) (Content, int) { return it.Content, it.LatestVersion })
	}
	return c.Redirect("/counties/"+c.Params("county")+"/catalog/"+c.Params("code"), fiber.StatusSeeOther)
}

// saveIfChanged saves the form as the item's next version unless it holds
// exactly what the version it was edited from holds, so publishing an
// unchanged form adds no version.
func (p *Pages) saveIfChanged(c *fiber.Ctx, form Content, base int) (ItemView, error) {
	ctx, county, code := c.UserContext(), c.Params("county"), c.Params("code")
	it, err := p.api.svc.Get(ctx, county, code)
	if err != nil {
		return it, err
	}
	if base == it.LatestVersion && base > 0 {
		a, aerr := json.Marshal(form)
		b, berr := json.Marshal(it.Content)
		if aerr == nil && berr == nil && bytes.Equal(a, b) {
			return it, nil
		}
	}
	return p.api.svc.Save(ctx, county, code, web.CurrentUser(c).UserID, SaveInput{Content: form, BaseVersion: &base})
}

// errorLink is one entry of the list of errors at the top of the item form,
// which links to the field (or the section) each error is marked beside: the
// form is long, and the field may be far below the button that was pressed.
type errorLink struct {
	Anchor string // the HTML id to jump to; "" for an error of no field
	Text   string
}

// formFields are the item form's single fields in the order it shows them,
// with their labels; each field's HTML id is its key.
var formFields = []struct{ key, label string }{
	{"summary", "事项说明"}, {"responsible_unit", "责任单位"}, {"channel", "公开渠道"}, {"time_limit", "公开时限"},
	{"disclosure_mode", "公开方式"}, {"power_type", "职权类型"}, {"item_code", "事项编码"}, {"implementing_body", "实施主体"},
	{"legal_basis", "设定依据"}, {"legal_basis_version", "依据版本"}, {"conditions", "受理条件"}, {"fees", "收费标准及依据"},
	{"statutory_limit_workdays", "法定时限"}, {"promised_limit_workdays", "承诺时限"}, {"extension_workdays", "可延长期限"},
	{"consultation", "咨询方式"}, {"complaint", "监督投诉渠道"}, {"inventory_status", "职权清理结果"},
	{"inventory_reason", "清理理由"},
}

// formSections are the form's lists, after the single fields and in order:
// the key of their errors, the id of their fieldset, the label of the list
// and of one of its rows.
var formSections = []struct{ key, id, label, row string }{
	{"materials", "materials", "申请材料", "第%d项材料"},
	{"steps", "steps", "办理环节", "第%d步"},
	{"special_steps", "special-steps", "特别程序", "第%d项特别程序"},
	{"discretion", "discretion", "裁量基准", "第%d个违法行为的裁量基准"},
}

// stepInputs are the HTML id suffixes of a step row's fields, in form order.
var stepInputs = []struct{ key, id string }{
	{"name", "name"}, {"post", "post"}, {"limit_workdays", "limit"}, {"authority", "authority"}, {"procedure", "procedure"},
}

// errorLinks orders an item form's errors as the form shows the fields and
// says what each is about when its message does not ("第3步", "承诺时限").
func errorLinks(errs map[string]string, category string) []errorLink {
	type entry struct {
		section, row, part int
		key                string
		link               errorLink
	}
	list := make([]entry, 0, len(errs))
	for key, msg := range errs {
		e := entry{section: len(formFields) + len(formSections), key: key}
		label := ""
		for i, f := range formFields {
			if f.key == key {
				e.section, e.link.Anchor, label = i, key, f.label
				if key == "summary" && category == CategoryInformation {
					label = "公开的具体内容"
				}
			}
		}
		head, rest, _ := strings.Cut(key, "[")
		for i, sec := range formSections {
			if sec.key != head {
				continue
			}
			e.section, e.link.Anchor, label = len(formFields)+i, sec.id, sec.label
			n, part, _ := strings.Cut(rest, "]")
			row, err := strconv.Atoi(n)
			if rest == "" || err != nil {
				break
			}
			e.row, label = row+1, fmt.Sprintf(sec.row, row+1)
			if head == "steps" {
				e.link.Anchor = fmt.Sprintf("step-%d", row)
				for j, in := range stepInputs {
					if "."+in.key == part {
						e.part, e.link.Anchor = j, fmt.Sprintf("step-%d-%s", row, in.id)
					}
				}
			}
		}
		e.link.Text = msg
		if label != "" && !strings.Contains(msg, label) {
			e.link.Text = label + "：" + msg
		}
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.section != b.section {
			return a.section < b.section
		}
		if a.row != b.row {
			return a.row < b.row
		}
		if a.part != b.part {
			return a.part < b.part
		}
		return a.key < b.key
	})
	out := make([]errorLink, len(list))
	for i, e := range list {
		out[i] = e.link
	}
	return out
}

// parseContentForm reads the edit form. Rows left entirely blank are dropped;
// numbers that do not parse are reported against their field.
func parseContentForm(c *fiber.Ctx) (Content, fieldErrors) {
	errs := fieldErrors{}
	val := func(key string) string { return strings.TrimSpace(c.FormValue(key)) }
	num := func(key string) int {
		s := val(key)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs.add(key, "请填写整数")
		}
		return n
	}
	amount := func(key string) int64 {
		n, err := strconv.ParseInt(val(key), 10, 64)
		if err != nil {
			errs.add(key, "请填写以元为单位的整数金额")
		}
		return n
	}
	lines := func(key string) []string {
		var out []string
		for _, l := range strings.Split(c.FormValue(key), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	kinds := func(key string) []string {
		var out []string
		for _, k := range strings.FieldsFunc(val(key), func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' }) {
			if k = strings.TrimSpace(k); k != "" {
				out = append(out, k)
			}
		}
		return out
	}
	form := Content{
		Summary: val("summary"), ResponsibleUnit: val("responsible_unit"), Channel: val("channel"),
		TimeLimit: val("time_limit"), DisclosureMode: val("disclosure_mode"), PowerType: val("power_type"),
		ItemCode: val("item_code"), ImplementingBody: val("implementing_body"), LegalBasis: val("legal_basis"),
		LegalBasisVersion: val("legal_basis_version"), Conditions: val("conditions"), Fees: val("fees"),
		StatutoryLimitWorkdays: num("statutory_limit_workdays"), PromisedLimitWorkdays: num("promised_limit_workdays"),
		ExtensionWorkdays: num("extension_workdays"), Consultation: val("consultation"), Complaint: val("complaint"),
		InventoryStatus: val("inventory_status"), InventoryReason: val("inventory_reason"),
	}
	const maxRows = 60
	for i := 0; i < maxRows; i++ {
		p := fmt.Sprintf("steps[%d]", i)
		s := Step{Name: val(p + ".name"), Post: val(p + ".post"), Authority: val(p + ".authority"),
			Procedure: val(p + ".procedure"), ExcludedFromLimit: c.FormValue(p+".excluded_from_limit") != ""}
		if s.Name == "" && s.Post == "" && s.Authority == "" && s.Procedure == "" && val(p+".limit_workdays") == "" {
			continue
		}
		s.LimitWorkdays = num(p + ".limit_workdays")
		form.Steps = append(form.Steps, s)
	}
	for i := 0; i < maxRows; i++ {
		p := fmt.Sprintf("materials[%d]", i)
		m := Material{Name: val(p + ".name"), Note: val(p + ".note")}
		if m.Name == "" && m.Note == "" && val(p+".copies") == "" {
			continue
		}
		m.Copies = num(p + ".copies")
		form.Materials = append(form.Materials, m)
	}
	for i := 0; i < maxRows; i++ {
		p := fmt.Sprintf("special_steps[%d]", i)
		s := SpecialStep{Name: val(p + ".name"), Note: val(p + ".note")}
		if s.Name == "" && s.Note == "" && val(p+".limit_workdays") == "" {
			continue
		}
		s.LimitWorkdays = num(p + ".limit_workdays")
		form.SpecialSteps = append(form.SpecialSteps, s)
	}
	for i := 0; i < 20; i++ {
		p := fmt.Sprintf("discretion[%d]", i)
		s := Standard{ID: val(p + ".id"), Violation: val(p + ".violation"), LegalProvision: val(p + ".legal_provision"),
			PenaltyBasis: val(p + ".penalty_basis"), LegalBasisVersion: val(p + ".legal_basis_version"),
			Aggravating: lines(p + ".aggravating"), Mitigating: lines(p + ".mitigating")}
		for j := 0; j < 20; j++ {
			tp := fmt.Sprintf("%s.tiers[%d]", p, j)
			t := Tier{Level: val(tp + ".level"), Conditions: val(tp + ".conditions"), PenaltyKinds: kinds(tp + ".penalty_kinds"),
				RequiresHearing: c.FormValue(tp+".requires_hearing") != "", RequiresCollectiveDiscussion: c.FormValue(tp+".requires_collective_discussion") != "",
				AppliesTo: val(tp + ".applies_to")}
			if val(tp+".fine_min") != "" || val(tp+".fine_max") != "" {
				t.Fine = &Range{Min: amount(tp + ".fine_min"), Max: amount(tp + ".fine_max"),
					MinInclusive: c.FormValue(tp+".min_inclusive") != "", MaxInclusive: c.FormValue(tp+".max_inclusive") != ""}
				// The field paths of validation errors name the fine, not its parts.
				if msg := errs[tp+".fine_min"] + errs[tp+".fine_max"]; msg != "" {
					errs.add(tp+".fine", "%s", msg)
				}
			}
			if t.Level == "" && t.Conditions == "" && len(t.PenaltyKinds) == 0 && t.Fine == nil {
				continue
			}
			s.Tiers = append(s.Tiers, t)
		}
		if s.ID == "" && s.Violation == "" && s.LegalProvision == "" && s.PenaltyBasis == "" && len(s.Tiers) == 0 &&
			len(s.Aggravating) == 0 && len(s.Mitigating) == 0 {
			continue
		}
		form.Discretion = append(form.Discretion, s)
	}
	return form, errs
}

func (p *Pages) submitAcknowledge(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("push"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := p.api.svc.Acknowledge(c.UserContext(), c.Params("county"), id, web.CurrentUser(c).UserID); err != nil {
		return err
	}
	return c.Redirect("/counties/"+c.Params("county")+"/catalog", fiber.StatusSeeOther)
}

type pushesView struct {
	Province string
	Pushes   []Push
	CanPush  bool
	Input    string
	Title    string
	Note     string
	Error    string
	Errors   map[string]string
	Done     *Push
	// ImportCells are the wrong cells of a refused template workbook.
	ImportCells []CellError
	ImportError string
}

func (p *Pages) renderPushes(c *fiber.Ctx, v pushesView) error {
	province := c.Params("province")
	var err error
	if v.Pushes, err = p.api.svc.Pushes(c.UserContext(), province); err != nil {
		return err
	}
	if v.CanPush, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, province, "catalog:push"); err != nil {
		return err
	}
	v.Province = province
	return p.pages.Render(c, p.pushes, web.View{Title: "推送目录更新", Region: province, Data: v})
}

func (p *Pages) showPushesPage(c *fiber.Ctx) error {
	if _, err := web.ProvinceScope(c); err != nil {
		return err
	}
	return p.renderPushes(c, pushesView{})
}

// parsePushLines reads one item a line: 编码|类别|名称 (类别 may be the
// Chinese or the English name of the category).
func parsePushLines(text string) ([]BasicItem, fieldErrors) {
	errs := fieldErrors{}
	var out []BasicItem
	categories := map[string]string{"行政职权": CategoryPower, "行政职权事项": CategoryPower, "便民服务": CategoryService,
		"便民服务事项": CategoryService, "政府信息公开": CategoryInformation, "政府信息公开事项": CategoryInformation}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(strings.ReplaceAll(line, "｜", "|"), "|")
		if len(parts) != 3 {
			errs.add("items", "第%d行格式应为：编码|类别|名称", n+1)
			continue
		}
		cat := strings.TrimSpace(parts[1])
		if v, ok := categories[cat]; ok {
			cat = v
		}
		out = append(out, BasicItem{Code: strings.TrimSpace(parts[0]), Category: cat, Name: strings.TrimSpace(parts[2])})
	}
	return out, errs
}

func (p *Pages) submitPush(c *fiber.Ctx) error {
	v := pushesView{Input: c.FormValue("items"), Title: c.FormValue("title"), Note: c.FormValue("note")}
	items, errs := parsePushLines(v.Input)
	err := errs.err()
	var done Push
	if err == nil {
		done, err = p.api.svc.Push(c.UserContext(), p.api.tenants, c.Params("province"), web.CurrentUser(c).UserID,
			PushInput{Title: v.Title, Note: v.Note, Items: items})
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		c.Status(e.Status)
		v.Error, v.Errors = e.Message, e.Fields
		return p.renderPushes(c, v)
	}
	return p.renderPushes(c, pushesView{Done: &done})
}

// submitTemplateImport pushes an uploaded template workbook (the title
// from the form) and shows the pushes page with the result or every wrong
// cell, nothing pushed.
func (p *Pages) submitTemplateImport(c *fiber.Ctx) error {
	province := c.Params("province")
	title := strings.TrimSpace(c.FormValue("title"))
	v := pushesView{Title: title}
	err := func() error {
		data, err := uploadedFile(c)
		if err != nil {
			return err
		}
		res, err := p.api.svc.ImportTemplate(c.UserContext(), p.api.tenants, province, web.CurrentUser(c).UserID, data, title, "", false)
		if err != nil {
			return err
		}
		v.Done = res.Push
		return nil
	}()
	var ie *ImportError
	switch {
	case errors.As(err, &ie):
		v.ImportCells = ie.Cells
		v.ImportError = fmt.Sprintf("工作簿有%d处错误，未推送任何事项。请按下表改正后重新上传。", len(ie.Cells))
		c.Status(fiber.StatusBadRequest)
	case err != nil:
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		v.ImportError = e.Message
		if m := e.Fields["file"]; m != "" {
			v.ImportError = m
		}
		c.Status(e.Status)
	}
	return p.renderPushes(c, v)
}

// uploadedFile reads the workbook of a form's file field.
func uploadedFile(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, apperr.InvalidField("file", "请选择要导入的 .xlsx 工作簿")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.InvalidField("file", "无法读取上传的文件")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 32<<20))
	if err != nil {
		return nil, apperr.InvalidField("file", "无法读取上传的文件")
	}
	return data, nil
}

// calcInput is the discretion calculator's form as submitted. Each standard
// has its own tier select and circumstance checkboxes (named
// "tier_level:<id>", "aggravating:<id>", "mitigating:<id>"), so a form
// without script can offer each standard's own tiers and circumstances; only
// those of the standard chosen in standard_id count.
type calcInput struct {
	StandardID      string
	Tiers           map[string]string
	Aggravating     map[string][]string
	Mitigating      map[string][]string
	CaseRef         string
	DecidedAmount   string
	DeviationReason string
}

// calculation is what the calculator computes from the form.
func (in calcInput) calculation() CalculationInput {
	return CalculationInput{StandardID: in.StandardID, TierLevel: in.Tiers[in.StandardID],
		Aggravating: in.Aggravating[in.StandardID], Mitigating: in.Mitigating[in.StandardID]}
}

// records reports whether the user asked to record a decision.
func (in calcInput) records() bool {
	return in.CaseRef != "" || in.DecidedAmount != "" || in.DeviationReason != ""
}

func parseCalcForm(c *fiber.Ctx) calcInput {
	in := calcInput{Tiers: map[string]string{}, Aggravating: map[string][]string{}, Mitigating: map[string][]string{},
		StandardID: strings.TrimSpace(c.FormValue("standard_id")), CaseRef: strings.TrimSpace(c.FormValue("case_ref")),
		DecidedAmount: strings.TrimSpace(c.FormValue("decided_amount")), DeviationReason: strings.TrimSpace(c.FormValue("deviation_reason"))}
	c.Context().PostArgs().VisitAll(func(key, value []byte) {
		name, id, ok := strings.Cut(string(key), ":")
		if !ok {
			return
		}
		switch name {
		case "tier_level":
			in.Tiers[id] = strings.TrimSpace(string(value))
		case "aggravating":
			in.Aggravating[id] = append(in.Aggravating[id], string(value))
		case "mitigating":
			in.Mitigating[id] = append(in.Mitigating[id], string(value))
		}
	})
	return in
}

// calcView is the calculator section of the item page.
type calcView struct {
	// Version is the published version whose standards apply.
	Version   int
	Standards []calcStandard
	// CanHandle shows the fields that record a decision (cases:handle).
	CanHandle bool
	Input     calcInput
	Result    *Calculation
	Recorded  *Decision
	Error     string
	Errors    map[string]string
	// CircumstanceErrors are the messages about the circumstances ticked.
	CircumstanceErrors []string
	Decisions          []Decision
}

// calcStandard is one published standard with the form's state for it.
type calcStandard struct {
	Standard
	Selected    bool
	Tier        string
	Aggravating []calcOption
	Mitigating  []calcOption
}

type calcOption struct {
	Value   string
	Checked bool
}

func options(values, checked []string) []calcOption {
	out := make([]calcOption, 0, len(values))
	for _, v := range values {
		o := calcOption{Value: v}
		for _, c := range checked {
			o.Checked = o.Checked || c == v
		}
		out = append(out, o)
	}
	return out
}

// discretionView builds the calculator of a penalty item with published
// standards, with the recorded decisions; nil when the item has neither.
func (p *Pages) discretionView(c *fiber.Ctx, code string, in calcInput) (*calcView, error) {
	ctx, county := c.UserContext(), c.Params("county")
	v := &calcView{Input: in}
	pub, err := p.api.svc.GetPublished(ctx, county, code)
	switch {
	case err == nil:
		if pub.PowerType == "CF" {
			v.Version = pub.PublishedVersion
			for i, s := range pub.Discretion {
				selected := s.ID == in.StandardID || (in.StandardID == "" && i == 0)
				v.Standards = append(v.Standards, calcStandard{Standard: s, Selected: selected, Tier: in.Tiers[s.ID],
					Aggravating: options(s.Aggravating, in.Aggravating[s.ID]), Mitigating: options(s.Mitigating, in.Mitigating[s.ID])})
			}
		}
	case err != apperr.ErrNotFound:
		return nil, err
	}
	if v.Decisions, err = p.api.svc.store.Decisions(ctx, county, code); err != nil {
		return nil, err
	}
	if len(v.Standards) == 0 && len(v.Decisions) == 0 {
		return nil, nil
	}
	v.CanHandle, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, "cases:handle")
	return v, err
}

// submitDiscretion calculates the recommended penalty for the circumstances
// chosen and, when a case reference (or a decided amount) is given, records
// the decision; the item page shows the result or the errors by field.
func (p *Pages) submitDiscretion(c *fiber.Ctx) error {
	ctx, county, code := c.UserContext(), c.Params("county"), c.Params("code")
	it, err := p.api.svc.Get(ctx, county, code)
	if err != nil {
		return err
	}
	in := parseCalcForm(c)
	v, err := p.discretionView(c, code, in)
	if err != nil {
		return err
	}
	if v == nil || len(v.Standards) == 0 {
		return apperr.ErrNotFound
	}
	if in.records() && !v.CanHandle {
		return apperr.ErrForbidden
	}
	errs := fieldErrors{}
	calcIn := in.calculation()
	switch {
	case calcIn.StandardID == "":
		errs.add("standard_id", "请选择违法行为")
	case calcIn.TierLevel == "":
		errs.add("tier_level", "请选择裁量阶次")
	}
	var amount *int64
	if in.DecidedAmount != "" {
		n, perr := strconv.ParseInt(in.DecidedAmount, 10, 64)
		if perr != nil {
			errs.add("decided_amount", "请填写以元为单位的整数金额")
		} else {
			amount = &n
		}
	}
	var failed error
	if len(errs) == 0 {
		calc, err := p.api.svc.Calculate(ctx, county, code, calcIn)
		if err == nil {
			v.Result = &calc
		} else {
			failed = err
		}
	}
	if v.Result != nil && in.records() && len(errs) == 0 {
		d, _, err := p.api.svc.RecordDecision(ctx, county, code, web.CurrentUser(c).UserID, DecisionInput{
			CalculationInput: calcIn, CaseRef: in.CaseRef, DecidedAmount: amount, DeviationReason: in.DeviationReason})
		if err != nil {
			failed = err
		} else {
			v.Recorded = &d
			v.Input.CaseRef, v.Input.DecidedAmount, v.Input.DeviationReason = "", "", ""
			if v.Decisions, err = p.api.svc.store.Decisions(ctx, county, code); err != nil {
				return err
			}
		}
	}
	if failed == nil {
		failed = errs.err()
	}
	if failed != nil {
		e, ok := apperr.As(failed)
		if !ok {
			return failed
		}
		c.Status(e.Status)
		v.Error, v.Errors = e.Message, map[string]string{}
		for k, msg := range errs {
			v.Errors[k] = msg
		}
		for k, msg := range e.Fields {
			if strings.HasPrefix(k, "aggravating[") || strings.HasPrefix(k, "mitigating[") {
				v.CircumstanceErrors = append(v.CircumstanceErrors, msg)
				continue
			}
			v.Errors[k] = msg
		}
		sort.Strings(v.CircumstanceErrors)
	}
	return p.renderItem(c, it, itemView{Calc: v})
}
