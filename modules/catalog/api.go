package catalog

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// API serves the catalog endpoints of the county console and the public.
type API struct {
	svc        *Service
	tenants    *tenants.Service
	enforcer   *rbac.Enforcer
	flowcharts *Flowcharts
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, t *tenants.Service, enforcer *rbac.Enforcer, flowcharts *Flowcharts) *API {
	return &API{svc: svc, tenants: t, enforcer: enforcer, flowcharts: flowcharts}
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, "catalog:read", web.CountyScope)
	edit := web.Require(a.enforcer, "catalog:edit", web.CountyScope)
	publish := web.Require(a.enforcer, "catalog:publish", web.CountyScope)
	handle := web.Require(a.enforcer, "cases:handle", web.CountyScope)

	c := app.Group("/api/v1/counties/:county")
	c.Get("/catalog", read, a.listItems)
	c.Post("/catalog", edit, a.addItem)
	c.Get("/catalog/:code", read, a.showItem)
	c.Put("/catalog/:code", edit, a.saveItem)
	c.Post("/catalog/:code/publish", publish, a.publishItem)
	c.Put("/catalog/:code/applicability", publish, a.setApplicability)
	c.Get("/catalog/:code/versions", read, a.listVersions)
	c.Get("/catalog/:code/flowchart.svg", read, a.showFlowchart)
	c.Post("/catalog/:code/discretion/calculate", read, a.calculate)
	c.Get("/catalog/:code/discretion/decisions", read, a.listDecisions)
	c.Post("/catalog/:code/discretion/decisions", handle, a.recordDecision)
	c.Get("/catalog.xlsx", read, a.exportWorkbook)
	c.Post("/catalog/import", edit, a.importWorkbook)
	c.Get("/inventory", read, a.showInventory)
	c.Get("/cleanup", read, a.showCleanup)
	c.Post("/cleanup/:code/confirm", publish, a.confirmCleanup)
	c.Put("/cleanup/:code", publish, a.changeCleanup)
	c.Get("/catalog-templates", read, a.listCountyTemplates)
	c.Post("/catalog-templates/:code/adopt", edit, a.adoptTemplate)
	c.Get("/catalog-changes", read, a.listChanges)
	c.Post("/catalog-changes/:push/acknowledge", edit, a.acknowledgeChanges)

	pr := app.Group("/api/v1/provinces/:province")
	pr.Get("/catalog-pushes", web.Require(a.enforcer, "counties:read", web.ProvinceScope), a.listPushes)
	pr.Post("/catalog-pushes", web.Require(a.enforcer, "catalog:push", web.ProvinceScope), a.createPush)
	pr.Get("/catalog-template.xlsx", web.Require(a.enforcer, "counties:read", web.ProvinceScope), a.exportTemplate)
	pr.Post("/catalog-template/import", web.Require(a.enforcer, "catalog:push", web.ProvinceScope), a.importTemplate)
	pr.Get("/catalog-templates", web.Require(a.enforcer, "counties:read", web.ProvinceScope), a.listTemplates)
	pr.Get("/catalog-templates/:code", web.Require(a.enforcer, "counties:read", web.ProvinceScope), a.showTemplate)
	pr.Put("/catalog-templates/:code", web.Require(a.enforcer, "catalog:push", web.ProvinceScope), a.saveTemplate)

	p := app.Group("/api/v1/public/counties/:county", a.requireActiveCounty)
	p.Get("/catalog", a.listPublished)
	p.Get("/catalog/:code", a.showPublished)
	p.Get("/catalog/:code/flowchart.svg", a.showPublishedFlowchart)
	p.Get("/inventory", a.showPublishedInventory)
}

// requireActiveCounty hides everything of counties that are not active pilots.
func (a *API) requireActiveCounty(c *fiber.Ctx) error {
	return web.ActiveCounty(c, a.tenants.RequireActive)
}

func (a *API) listItems(c *fiber.Ctx) error {
	items, err := a.svc.List(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

func (a *API) addItem(c *fiber.Ctx) error {
	var in NewItem
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	it, err := a.svc.Add(c.UserContext(), c.Params("county"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (a *API) showItem(c *fiber.Ctx) error {
	it, err := a.svc.Get(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (a *API) saveItem(c *fiber.Ctx) error {
	var in SaveInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	it, err := a.svc.Save(c.UserContext(), c.Params("county"), c.Params("code"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (a *API) publishItem(c *fiber.Ctx) error {
	it, err := a.svc.Publish(c.UserContext(), c.Params("county"), c.Params("code"), web.CurrentUser(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (a *API) setApplicability(c *fiber.Ctx) error {
	var in ApplicabilityInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	it, err := a.svc.SetApplicability(c.UserContext(), c.Params("county"), c.Params("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (a *API) listVersions(c *fiber.Ctx) error {
	county, code := c.Params("county"), c.Params("code")
	if _, err := a.svc.store.Item(c.UserContext(), a.svc.db, county, code); err != nil {
		return err
	}
	list, err := a.svc.store.Versions(c.UserContext(), county, code)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) sendFlowchart(c *fiber.Ctx, it ItemView) error {
	if it.Category == CategoryInformation {
		return apperr.ErrNotFound
	}
	svg, err := a.flowcharts.SVG(c.UserContext(), it)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
	return c.Send(svg)
}

func (a *API) showFlowchart(c *fiber.Ctx) error {
	it, err := a.svc.Get(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return a.sendFlowchart(c, it)
}

func (a *API) calculate(c *fiber.Ctx) error {
	var in CalculationInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.svc.Calculate(c.UserContext(), c.Params("county"), c.Params("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) listDecisions(c *fiber.Ctx) error {
	county, code := c.Params("county"), c.Params("code")
	if _, err := a.svc.store.Item(c.UserContext(), a.svc.db, county, code); err != nil {
		return err
	}
	list, err := a.svc.store.Decisions(c.UserContext(), county, code)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) recordDecision(c *fiber.Ctx) error {
	var in DecisionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, calc, err := a.svc.RecordDecision(c.UserContext(), c.Params("county"), c.Params("code"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"decision": d, "calculation": calc})
}

func (a *API) showInventory(c *fiber.Ctx) error {
	inv, err := a.svc.Inventory(c.UserContext(), c.Params("county"), false)
	if err != nil {
		return err
	}
	return c.JSON(inv)
}

// publicItem is what the public sees of an item: its published content only.
type publicItem struct {
	Code     string `json:"code"`
	Category string `json:"category"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Version  int    `json:"version"`
	Content
}

func toPublic(it ItemView) publicItem {
	return publicItem{Code: it.Code, Category: it.Category, Name: it.Name, Status: StatusPublished,
		Version: it.PublishedVersion, Content: it.Content}
}

func (a *API) listPublished(c *fiber.Ctx) error {
	items, err := a.svc.ListPublished(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	out := make([]publicItem, 0, len(items))
	for _, it := range items {
		out = append(out, toPublic(it))
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

func (a *API) showPublished(c *fiber.Ctx) error {
	it, err := a.svc.GetPublished(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(toPublic(it))
}

func (a *API) showPublishedFlowchart(c *fiber.Ctx) error {
	it, err := a.svc.GetPublished(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return a.sendFlowchart(c, it)
}

func (a *API) showPublishedInventory(c *fiber.Ctx) error {
	inv, err := a.svc.Inventory(c.UserContext(), c.Params("county"), true)
	if err != nil {
		return err
	}
	return c.JSON(inv)
}

func (a *API) listPushes(c *fiber.Ctx) error {
	list, err := a.svc.Pushes(c.UserContext(), c.Params("province"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) createPush(c *fiber.Ctx) error {
	var in PushInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.svc.Push(c.UserContext(), a.tenants, c.Params("province"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (a *API) listChanges(c *fiber.Ctx) error {
	list, err := a.svc.Changes(c.UserContext(), c.Params("county"), c.Query("pending") == "true")
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) acknowledgeChanges(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("push"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := a.svc.Acknowledge(c.UserContext(), c.Params("county"), id, web.CurrentUser(c).UserID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// sendWorkbook answers with a workbook download.
func sendWorkbook(c *fiber.Ctx, name string, data []byte) error {
	c.Set(fiber.HeaderContentType, XLSXType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(data)
}

// workbookBody is the request's workbook; another media type is a 415.
func workbookBody(c *fiber.Ctx) ([]byte, error) {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, XLSXType) && !strings.HasPrefix(ct, fiber.MIMEOctetStream) {
		return nil, &apperr.Error{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "请以 .xlsx 工作簿作为请求内容提交", Fields: map[string]string{"content_type": "应为 " + XLSXType}}
	}
	return c.Body(), nil
}

func (a *API) exportWorkbook(c *fiber.Ctx) error {
	county := c.Params("county")
	data, err := a.svc.ExportWorkbook(c.UserContext(), county)
	if err != nil {
		return err
	}
	return sendWorkbook(c, "catalog-"+county+".xlsx", data)
}

func (a *API) importWorkbook(c *fiber.Ctx) error {
	body, err := workbookBody(c)
	if err != nil {
		return err
	}
	dry := c.QueryBool("dry_run")
	res, err := a.svc.ImportWorkbook(c.UserContext(), c.Params("county"), web.CurrentUser(c).UserID, body, dry)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (a *API) exportTemplate(c *fiber.Ctx) error {
	province := c.Params("province")
	data, err := a.svc.ExportTemplate(c.UserContext(), a.tenants, province)
	if err != nil {
		return err
	}
	return sendWorkbook(c, "catalog-template-"+province+".xlsx", data)
}

func (a *API) importTemplate(c *fiber.Ctx) error {
	body, err := workbookBody(c)
	if err != nil {
		return err
	}
	dry := c.QueryBool("dry_run")
	res, err := a.svc.ImportTemplate(c.UserContext(), a.tenants, c.Params("province"), web.CurrentUser(c).UserID, body,
		strings.TrimSpace(c.Query("title")), c.Query("note"), dry)
	if err != nil {
		return err
	}
	if dry {
		return c.JSON(res)
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

func (a *API) showCleanup(c *fiber.Ctx) error {
	out, err := a.svc.Cleanup(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) decideCleanup(c *fiber.Ctx, in CleanupInput) error {
	web.SetAuditDetail(c, cleanupAuditDetail(c.Params("code"), in))
	it, err := a.svc.DecideCleanup(c.UserContext(), c.Params("county"), c.Params("code"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

// cleanupAuditDetail says what a clean-up request asks, for its audit entry
// (details are set before the change commits).
func cleanupAuditDetail(code string, in CleanupInput) string {
	if in.Confirm {
		return "cleanup " + code + " confirm"
	}
	return "cleanup " + code + " change " + in.Status
}

func (a *API) confirmCleanup(c *fiber.Ctx) error {
	return a.decideCleanup(c, CleanupInput{Confirm: true})
}

func (a *API) changeCleanup(c *fiber.Ctx) error {
	var in CleanupInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	return a.decideCleanup(c, in)
}

func (a *API) listCountyTemplates(c *fiber.Ctx) error {
	list, err := a.svc.CountyTemplates(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) adoptTemplate(c *fiber.Ctx) error {
	web.SetAuditDetail(c, "adopt template "+c.Params("code"))
	it, err := a.svc.Adopt(c.UserContext(), c.Params("county"), c.Params("code"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (a *API) listTemplates(c *fiber.Ctx) error {
	if _, err := a.tenants.Province(c.UserContext(), c.Params("province")); err != nil {
		return err
	}
	list, err := a.svc.Templates(c.UserContext(), c.Params("province"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (a *API) showTemplate(c *fiber.Ctx) error {
	if _, err := a.tenants.Province(c.UserContext(), c.Params("province")); err != nil {
		return err
	}
	t, err := a.svc.TemplateFor(c.UserContext(), a.svc.db, c.Params("province"), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (a *API) saveTemplate(c *fiber.Ctx) error {
	if _, err := a.tenants.Province(c.UserContext(), c.Params("province")); err != nil {
		return err
	}
	var in TemplateInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	web.SetAuditDetail(c, "template "+c.Params("code"))
	t, err := a.svc.SaveTemplate(c.UserContext(), c.Params("province"), c.Params("code"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}
