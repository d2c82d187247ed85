package catalog

import (
	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/web"
)

// cleanupView is the clean-up page: every power with its suggestion, the
// county's decision, and the 底数 before and after.
type cleanupView struct {
	County     string
	Cleanup    Cleanup
	Statuses   []InventoryStatus
	CanDecide  bool
	Done       string
	Error      string
	Errors     map[string]string
	FailedCode string
	Reason     string
}

// verificationTitle says in Chinese how far a shipped statement was checked.
func verificationTitle(v string) string {
	switch v {
	case Verified:
		return "已核实"
	case Partial:
		return "部分核实"
	case Unverified:
		return "未能核实"
	}
	return v
}

func (p *Pages) renderCleanup(c *fiber.Ctx, v cleanupView) error {
	county := c.Params("county")
	var err error
	if v.Cleanup, err = p.api.svc.Cleanup(c.UserContext(), county); err != nil {
		return err
	}
	if v.CanDecide, err = web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, "catalog:publish"); err != nil {
		return err
	}
	v.County, v.Statuses = county, InventoryStatuses
	return p.pages.Render(c, p.cleanup, web.View{Title: "职权清理", Region: county, Data: v})
}

func (p *Pages) showCleanupPage(c *fiber.Ctx) error {
	return p.renderCleanup(c, cleanupView{Done: c.Query("done")})
}

func (p *Pages) submitCleanup(c *fiber.Ctx, in CleanupInput) error {
	county, code := c.Params("county"), c.Params("code")
	web.SetAuditDetail(c, cleanupAuditDetail(code, in))
	it, err := p.api.svc.DecideCleanup(c.UserContext(), county, code, web.CurrentUser(c).UserID, in)
	if err == nil {
		return c.Redirect("/counties/"+county+"/cleanup?done="+it.Code+"#item-"+it.Code, fiber.StatusSeeOther)
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	c.Status(e.Status)
	return p.renderCleanup(c, cleanupView{Error: e.Message, Errors: e.Fields, FailedCode: code, Reason: in.Reason})
}

func (p *Pages) submitCleanupConfirm(c *fiber.Ctx) error {
	return p.submitCleanup(c, CleanupInput{Confirm: true})
}

func (p *Pages) submitCleanupChange(c *fiber.Ctx) error {
	return p.submitCleanup(c, CleanupInput{Status: c.FormValue("inventory_status"), Reason: c.FormValue("reason")})
}

// NavLinks are the catalog's header menu entries.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{
		{Title: "职权清理", Perm: "catalog:read", URL: func(r string) string { return "/counties/" + r + "/cleanup" }},
	}
}

func (p *Pages) submitAdoptInformation(c *fiber.Ctx) error {
	web.SetAuditDetail(c, "adopt information templates")
	if _, err := p.api.svc.AdoptInformation(c.UserContext(), c.Params("county")); err != nil {
		return err
	}
	return c.Redirect("/counties/"+c.Params("county")+"/catalog", fiber.StatusSeeOther)
}
