package entities

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

// API serves the register's endpoints to the county's enforcement staff.
type API struct {
	svc      *Service
	enforcer *rbac.Enforcer
	// Audit records unmasked exports (a GET, which the request audit skips).
	Audit web.Auditor
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, enforcer *rbac.Enforcer) *API {
	return &API{svc: svc, enforcer: enforcer}
}

// XLSXType is the media type of a workbook, sent and accepted.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Mount registers the routes. The fixed paths (template.xlsx, import) come
// before /:id.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, ReadPermission, web.CountyScope)
	edit := web.Require(a.enforcer, EditPermission, web.CountyScope)
	imp := web.Require(a.enforcer, ImportPermission, web.CountyScope)
	app.Get("/api/v1/counties/:county/entities.xlsx", read, a.exportWorkbook)
	g := app.Group("/api/v1/counties/:county/entities")
	g.Get("", read, a.listEntities)
	g.Post("", edit, a.createEntity)
	g.Get("/template.xlsx", imp, a.sendTemplate)
	g.Post("/import", imp, a.importWorkbook)
	g.Get("/:id", read, a.showEntity)
	g.Put("/:id", edit, a.updateEntity)
}

// entityJSON is an entity as the API answers it: the codes with their titles.
func entityJSON(e Entity) fiber.Map {
	return fiber.Map{"id": e.ID, "county_code": e.CountyCode, "name": e.Name, "credit_code": e.CreditCode,
		"address": e.Address, "industry": e.Industry, "industry_title": IndustryTitle(e.Industry),
		"risk_grade": e.RiskGrade, "risk_grade_title": RiskGradeTitle(e.RiskGrade), "contact": e.Contact,
		"phone": e.Phone, "status": e.Status, "created_at": e.CreatedAt, "updated_at": e.UpdatedAt}
}

// ParseFilter reads ?q= and the paging of a list.
func ParseFilter(c *fiber.Ctx) (Filter, error) {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return Filter{}, err
	}
	q := strings.TrimSpace(c.Query("q"))
	if len([]rune(q)) > 100 {
		return Filter{}, apperr.InvalidField("q", "搜索内容不超过100字")
	}
	return Filter{Q: q, Page: page, PerPage: perPage}, nil
}

func (a *API) listEntities(c *fiber.Ctx) error {
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.List(c.UserContext(), c.Params("county"), f)
	if err != nil {
		return err
	}
	items := make([]fiber.Map, 0, len(list))
	for _, e := range list {
		items = append(items, entityJSON(e))
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": f.Page, "per_page": f.PerPage})
}

func (a *API) showEntity(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	e, err := a.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(entityJSON(e))
}

func (a *API) createEntity(c *fiber.Ctx) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	e, err := a.svc.Create(c.UserContext(), c.Params("county"), web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "entity "+strconv.FormatInt(e.ID, 10)+" "+e.CreditCode)
	return c.Status(fiber.StatusCreated).JSON(entityJSON(e))
}

func (a *API) updateEntity(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	e, err := a.svc.Update(c.UserContext(), c.Params("county"), id, web.CurrentUser(c).UserID, in)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "entity "+strconv.FormatInt(e.ID, 10)+" "+e.CreditCode)
	return c.JSON(entityJSON(e))
}

func (a *API) importWorkbook(c *fiber.Ctx) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, XLSXType) && !strings.HasPrefix(ct, fiber.MIMEOctetStream) {
		return &apperr.Error{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "请以 .xlsx 工作簿作为请求内容提交", Fields: map[string]string{"content_type": "应为 " + XLSXType}}
	}
	res, err := a.svc.Import(c.UserContext(), c.Params("county"), web.CurrentUser(c).UserID, c.Body())
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "entities import created="+strconv.Itoa(res.Created)+" updated="+strconv.Itoa(res.Updated))
	return c.JSON(res)
}

// sendWorkbook answers with a workbook download.
func sendWorkbook(c *fiber.Ctx, name string, data []byte) error {
	c.Set(fiber.HeaderContentType, XLSXType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(data)
}

func (a *API) sendTemplate(c *fiber.Ctx) error {
	data, err := Template()
	if err != nil {
		return err
	}
	return sendWorkbook(c, "entities-template.xlsx", data)
}

func (a *API) exportWorkbook(c *fiber.Ctx) error {
	county := c.Params("county")
	list, err := a.svc.All(c.UserContext(), county)
	if err != nil {
		return err
	}
	p := web.CurrentUser(c)
	unmasked, err := web.Allowed(c, a.enforcer, p.UserID, county, ExportPersonalPermission)
	if err != nil {
		return err
	}
	data, err := Export(list, !unmasked)
	if err != nil {
		return err
	}
	if unmasked {
		if a.Audit == nil {
			return errors.New("entities: unmasked export needs an auditor")
		}
		if err := a.Audit.Record(c.UserContext(), web.AuditEntry{UserID: p.UserID, Username: p.Username, Region: county,
			Action: "GET " + c.Route().Path, Object: c.Path(), Outcome: "success", IP: c.IP(),
			Detail: "unmasked export of personal data: " + strconv.Itoa(len(list)) + " entities"}); err != nil {
			return err
		}
	}
	return sendWorkbook(c, "entities-"+county+".xlsx", data)
}
