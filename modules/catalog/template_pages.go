package catalog

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/web"
)

// templateFields are the text fields of a template a province edits on its
// page; the lists (steps, materials, standards) are edited through the API.
var templateFields = []struct{ Key, Label string }{
	{"legal_basis", "设定依据"}, {"legal_basis_version", "依据版本"}, {"conditions", "受理条件"}, {"fees", "收费依据"},
	{"summary", "事项说明"},
}

type templatesView struct {
	Province  string
	Templates []TemplateView
	Fields    []struct{ Key, Label string }
	CanEdit   bool
	Done      string
	Error     string
	Errors    map[string]string
	Code      string
	Input     map[string]string
}

func (p *Pages) renderTemplates(c *fiber.Ctx, v templatesView) error {
	province := c.Params("province")
	var err error
	if v.Templates, err = p.api.svc.Templates(c.UserContext(), province); err != nil {
		return err
	}
	if v.CanEdit, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, province, "catalog:push"); err != nil {
		return err
	}
	v.Province, v.Fields = province, templateFields
	if v.Input == nil {
		v.Input = map[string]string{}
	}
	return p.pages.Render(c, p.templates, web.View{Title: "目录模板", Region: province, Data: v})
}

func (p *Pages) showTemplatesPage(c *fiber.Ctx) error {
	if _, err := p.api.tenants.Province(c.UserContext(), c.Params("province")); err != nil {
		return err
	}
	return p.renderTemplates(c, templatesView{Done: c.Query("done")})
}

// submitTemplate changes the text fields filled in on the form and keeps the
// rest of the template as it is.
func (p *Pages) submitTemplate(c *fiber.Ctx) error {
	ctx, province := c.UserContext(), c.Params("province")
	if _, err := p.api.tenants.Province(ctx, province); err != nil {
		return err
	}
	code := c.FormValue("code")
	input := map[string]string{}
	for _, f := range templateFields {
		input[f.Key] = c.FormValue(f.Key)
	}
	web.SetAuditDetail(c, "template "+code)
	fail := func(err error) error {
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		c.Status(e.Status)
		return p.renderTemplates(c, templatesView{Error: e.Message, Errors: e.Fields, Code: code, Input: input})
	}
	t, err := p.api.svc.TemplateFor(ctx, p.api.svc.db, province, code)
	if err == apperr.ErrNotFound {
		return fail(apperr.InvalidField("code", "没有这个模板"))
	}
	if err != nil {
		return err
	}
	content := t.Content
	for key, v := range input {
		if strings.TrimSpace(v) == "" {
			continue
		}
		switch key {
		case "legal_basis":
			content.LegalBasis = v
		case "legal_basis_version":
			content.LegalBasisVersion = v
		case "conditions":
			content.Conditions = v
		case "fees":
			content.Fees = v
		case "summary":
			content.Summary = v
		}
	}
	if _, err := p.api.svc.SaveTemplate(ctx, province, code, web.CurrentUser(c).UserID, TemplateInput{Content: content}); err != nil {
		return fail(err)
	}
	return c.Redirect("/provinces/"+province+"/catalog-templates?done="+code, fiber.StatusSeeOther)
}
