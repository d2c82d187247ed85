package catalog

import (
	"embed"
	"fmt"
	"html/template"
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
	"add":            func(a, b int) int { return a + b },
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
	app.Get("/counties/:county/catalog/:code", read, p.showItemPage)
	app.Post("/counties/:county/catalog/:code", edit, p.submitItem)
	app.Post("/counties/:county/catalog/:code/publish", publish, p.submitPublish)
	app.Post("/counties/:county/catalog-changes/:push/acknowledge", edit, p.submitAcknowledge)
	app.Get("/provinces/:province/catalog-pushes", web.Require(e, "counties:read", web.ProvinceScope), p.showPushesPage)
	app.Post("/provinces/:province/catalog-pushes", web.Require(e, "catalog:push", web.ProvinceScope), p.submitPush)
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
}

func (p *Pages) renderList(c *fiber.Ctx, v listView) error {
	ctx, county := c.UserContext(), c.Params("county")
	items, err := p.api.svc.List(ctx, county)
	if err != nil {
		return err
	}
	inv, err := p.api.svc.Inventory(ctx, county, false)
	if err != nil {
		return err
	}
	if v.Changes, err = p.api.svc.Changes(ctx, county, true); err != nil {
		return err
	}
	v.County, v.Items, v.Inventory = county, items, inv
	if v.CanEdit, err = p.api.enforcer.Allowed(web.CurrentUser(c).UserID, county, "catalog:edit"); err != nil {
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
}

func (p *Pages) renderItem(c *fiber.Ctx, it ItemView, v itemView) error {
	ctx, county := c.UserContext(), c.Params("county")
	me := web.CurrentUser(c).UserID
	var err error
	if v.CanEdit, err = p.api.enforcer.Allowed(me, county, "catalog:edit"); err != nil {
		return err
	}
	if v.CanPublish, err = p.api.enforcer.Allowed(me, county, "catalog:publish"); err != nil {
		return err
	}
	if v.Versions, err = p.api.svc.store.Versions(ctx, county, it.Code); err != nil {
		return err
	}
	v.Item, v.PowerTypes, v.Inventory = it, PowerTypes, InventoryStatuses
	if v.Errors == nil {
		v.Form, v.BaseVersion = it.Content, it.LatestVersion
	}
	v.Form = padRows(v.Form, p.blankRows)
	return p.pages.Render(c, p.item, web.View{Title: it.Name, Region: county, Data: v})
}

// padRows adds empty rows so a form without script can grow lists.
func padRows(c Content, n int) Content {
	for i := 0; i < n; i++ {
		c.Steps = append(c.Steps, Step{})
		c.Materials = append(c.Materials, Material{})
		c.SpecialSteps = append(c.SpecialSteps, SpecialStep{})
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
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	it, gerr := p.api.svc.Get(c.UserContext(), county, code)
	if gerr != nil {
		return gerr
	}
	c.Status(e.Status)
	errs := e.Fields
	if errs == nil {
		errs = map[string]string{}
	}
	return p.renderItem(c, it, itemView{Form: form, BaseVersion: base, Errors: errs, Error: e.Message})
}

func (p *Pages) submitPublish(c *fiber.Ctx) error {
	county, code := c.Params("county"), c.Params("code")
	_, err := p.api.svc.Publish(c.UserContext(), county, code, web.CurrentUser(c).UserID)
	if err == nil {
		return c.Redirect("/counties/"+county+"/catalog/"+code+"?published=1", fiber.StatusSeeOther)
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	it, gerr := p.api.svc.Get(c.UserContext(), county, code)
	if gerr != nil {
		return gerr
	}
	c.Status(e.Status)
	errs := e.Fields
	if errs == nil {
		errs = map[string]string{}
	}
	return p.renderItem(c, it, itemView{Form: it.Content, BaseVersion: it.LatestVersion, Errors: errs,
		Error: "发布失败：" + e.Message})
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
				RequiresHearing: c.FormValue(tp+".requires_hearing") != "", RequiresCollectiveDiscussion: c.FormValue(tp+".requires_collective_discussion") != ""}
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
}

func (p *Pages) renderPushes(c *fiber.Ctx, v pushesView) error {
	province := c.Params("province")
	var err error
	if v.Pushes, err = p.api.svc.Pushes(c.UserContext(), province); err != nil {
		return err
	}
	if v.CanPush, err = p.api.enforcer.Allowed(web.CurrentUser(c).UserID, province, "catalog:push"); err != nil {
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
