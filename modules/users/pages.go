package users

import (
	"embed"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves sign-in, password change and the staff list of a region.
type Pages struct {
	api                        *API
	pages                      *web.Pages
	login, password, userAdmin *template.Template
	totp, security             *template.Template
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	var err error
	if p.login, err = pages.Parse(templateFiles, "templates/login.html"); err != nil {
		return nil, err
	}
	if p.password, err = pages.Parse(templateFiles, "templates/password.html"); err != nil {
		return nil, err
	}
	if p.userAdmin, err = pages.Parse(templateFiles, "templates/users.html"); err != nil {
		return nil, err
	}
	if p.totp, err = pages.Parse(templateFiles, "templates/totp.html"); err != nil {
		return nil, err
	}
	if p.security, err = pages.Parse(templateFiles, "templates/security.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	app.Get("/login", p.showLoginPage)
	app.Post("/login", p.submitLogin)
	app.Post("/logout", web.RequireUser, p.submitLogout)
	app.Get("/password", web.RequireUser, p.showPasswordPage)
	app.Post("/password", web.RequireUser, p.submitPassword)
	app.Get("/totp", web.RequireUser, p.showTOTPPage)
	app.Post("/totp", web.RequireUser, p.startTOTP)
	app.Post("/totp/confirm", web.RequireUser, p.confirmTOTP)
	for _, s := range []struct {
		path  string
		scope web.Scope
	}{
		{"/counties/:county/users", web.CountyScope},
		{"/provinces/:province/users", web.ProvinceScope},
		{"/national/users", web.NationalScope},
	} {
		manage := web.Require(p.api.enforcer, "users:manage", s.scope)
		app.Get(s.path, manage, p.showUsersPage(s.scope))
		app.Post(s.path, manage, p.submitUser(s.scope))
	}
	for _, s := range []struct {
		path  string
		scope web.Scope
	}{
		{"/counties/:county/security/users", web.CountyScope},
		{"/provinces/:province/security/users", web.ProvinceScope},
		{"/national/security/users", web.NationalScope},
	} {
		reset := web.Require(p.api.enforcer, ResetPermission, s.scope)
		app.Get(s.path, reset, p.showSecurityPage(s.scope))
		app.Post(s.path+"/:id/totp/reset", reset, p.submitTOTPReset(s.scope))
	}
}

// SecurityUsersURL is the security administrator's account page of a region.
func SecurityUsersURL(region string) string {
	if region == rbac.NationalRegion {
		return "/national/security/users"
	}
	return web.RegionURL(region) + "/security/users"
}

type loginView struct {
	Username, Next, Error string
}

func (p *Pages) showLoginPage(c *fiber.Ctx) error {
	if web.CurrentUser(c) != nil {
		return c.Redirect(web.SafeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return p.pages.Render(c, p.login, web.View{Title: "登录", Data: loginView{Next: web.SafeNext(c.Query("next"))}})
}

func (p *Pages) submitLogin(c *fiber.Ctx) error {
	username, next := c.FormValue("username"), web.SafeNext(c.FormValue("next"))
	web.SetAuditUser(c, username)
	err := p.api.allowSignIn(c)
	var s SignIn
	if err == nil {
		s, err = p.api.svc.LoginWithCode(c.UserContext(), username, c.FormValue("password"), c.FormValue("totp"))
	}
	if err != nil {
		auditSignInFailure(c, err)
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		c.Status(e.Status)
		return p.pages.Render(c, p.login, web.View{Title: "登录", Data: loginView{Username: username, Next: next, Error: e.Message}})
	}
	setSessionCookie(c, p.api.cookies, s.Token)
	if s.User.MustChangePassword {
		return c.Redirect("/password", fiber.StatusSeeOther)
	}
	if s.MustEnrollTOTP {
		return c.Redirect("/totp", fiber.StatusSeeOther)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (p *Pages) submitLogout(c *fiber.Ctx) error {
	if err := p.api.svc.Logout(c.UserContext(), sessionToken(c)); err != nil {
		return err
	}
	clearSessionCookie(c, p.api.cookies)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

type messageView struct{ Error string }

func (p *Pages) showPasswordPage(c *fiber.Ctx) error {
	return p.pages.Render(c, p.password, web.View{Title: "修改密码", Data: messageView{}})
}

func (p *Pages) submitPassword(c *fiber.Ctx) error {
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	var err error
	if next != c.FormValue("confirm_password") {
		err = apperr.InvalidField("confirm_password", "两次输入的新密码不一致")
	} else {
		err = p.api.svc.ChangePassword(c.UserContext(), web.CurrentUser(c).UserID, sessionToken(c), current, next)
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		msg := e.Message
		for _, v := range e.Fields {
			msg = v
		}
		c.Status(e.Status)
		return p.pages.Render(c, p.password, web.View{Title: "修改密码", Data: messageView{Error: msg}})
	}
	return c.Redirect("/?changed=1", fiber.StatusSeeOther)
}

type totpView struct {
	Enrolled      bool
	RecoveryLeft  int
	QR            template.URL // a PNG data: URI made here, never from input
	Secret        string
	RecoveryCodes []string
	Error         string
}

func (p *Pages) renderTOTP(c *fiber.Ctx, v totpView) error {
	return p.pages.Render(c, p.totp, web.View{Title: "双因素认证", Data: v})
}

// totpState shows a confirmed factor, or the pending one's QR code again.
func (p *Pages) totpState(c *fiber.Ctx) (totpView, error) {
	me := web.CurrentUser(c)
	enrolled, err := p.api.svc.TOTPEnrolled(c.UserContext(), me.UserID)
	if err != nil || enrolled {
		left := 0
		if err == nil {
			left, err = p.api.svc.RecoveryCodesLeft(c.UserContext(), me.UserID)
		}
		return totpView{Enrolled: true, RecoveryLeft: left}, err
	}
	pending, ok, err := p.api.svc.PendingTOTP(c.UserContext(), me.UserID)
	if err != nil || !ok {
		return totpView{}, err
	}
	qr, err := pending.QRDataURI()
	return totpView{QR: template.URL(qr), Secret: pending.Secret}, err
}

func (p *Pages) showTOTPPage(c *fiber.Ctx) error {
	v, err := p.totpState(c)
	if err != nil {
		return err
	}
	return p.renderTOTP(c, v)
}

func (p *Pages) startTOTP(c *fiber.Ctx) error {
	web.SetAuditDetail(c, "totp enrolment")
	e, err := p.api.svc.StartTOTP(c.UserContext(), web.CurrentUser(c).UserID)
	if err != nil {
		ae, ok := apperr.As(err)
		if !ok {
			return err
		}
		v, serr := p.totpState(c)
		if serr != nil {
			return serr
		}
		v.Error = ae.Message
		c.Status(ae.Status)
		return p.renderTOTP(c, v)
	}
	qr, err := e.QRDataURI()
	if err != nil {
		return err
	}
	return p.renderTOTP(c, totpView{QR: template.URL(qr), Secret: e.Secret, RecoveryCodes: e.RecoveryCodes})
}

func (p *Pages) confirmTOTP(c *fiber.Ctx) error {
	web.SetAuditDetail(c, "totp confirmation")
	err := p.api.svc.ConfirmTOTP(c.UserContext(), web.CurrentUser(c).UserID, c.FormValue("code"))
	if err != nil {
		ae, ok := apperr.As(err)
		if !ok {
			return err
		}
		v, serr := p.totpState(c)
		if serr != nil {
			return serr
		}
		v.Error = ae.Message
		for _, m := range ae.Fields {
			v.Error = m
		}
		c.Status(ae.Status)
		return p.renderTOTP(c, v)
	}
	return c.Redirect("/totp", fiber.StatusSeeOther)
}

type usersView struct {
	Users     []UserView
	Grantable []rbac.RoleInfo
	Created   *Created
	Error     string
}

func (p *Pages) usersView(c *fiber.Ctx, region string) (usersView, error) {
	list, err := p.api.svc.List(c.UserContext(), region)
	if err != nil {
		return usersView{}, err
	}
	v := usersView{Users: list}
	me := web.CurrentUser(c)
	for _, r := range rbac.Roles {
		if r.FitsLevel(region) && mayGrant(me, r.Name, region) == nil {
			v.Grantable = append(v.Grantable, r)
		}
	}
	return v, nil
}

func (p *Pages) showUsersPage(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		v, err := p.usersView(c, region)
		if err != nil {
			return err
		}
		return p.pages.Render(c, p.userAdmin, web.View{Title: "用户管理", Region: region, Data: v})
	}
}

func (p *Pages) submitUser(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		in := NewUser{Username: c.FormValue("username"), DisplayName: c.FormValue("display_name")}
		for _, r := range c.Context().PostArgs().PeekMulti("roles") {
			in.Roles = append(in.Roles, string(r))
		}
		web.SetAuditDetail(c, "create user "+in.Username)
		created, err := p.api.svc.Create(c.UserContext(), web.CurrentUser(c), region, in)
		v, lerr := p.usersView(c, region)
		if lerr != nil {
			return lerr
		}
		if err != nil {
			e, ok := apperr.As(err)
			if !ok {
				return err
			}
			v.Error = e.Message
			for _, m := range e.Fields {
				v.Error = m
			}
			c.Status(e.Status)
		} else {
			v.Created = &created
		}
		return p.pages.Render(c, p.userAdmin, web.View{Title: "用户管理", Region: region, Data: v})
	}
}

type securityView struct {
	Users []SecurityView
	Base  string // the page's path, which the reset forms post below
	Me    int64
	Error string
}

func (p *Pages) renderSecurity(c *fiber.Ctx, region, flash, msg string) error {
	list, err := p.api.svc.ListForSecurity(c.UserContext(), region)
	if err != nil {
		return err
	}
	v := securityView{Users: list, Base: SecurityUsersURL(region), Me: web.CurrentUser(c).UserID, Error: msg}
	return p.pages.Render(c, p.security, web.View{Title: "账号安全管理", Region: region, Flash: flash, Data: v})
}

func (p *Pages) showSecurityPage(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		return p.renderSecurity(c, region, "", "")
	}
}

// submitTOTPReset resets a user's second factor from the security page; the
// form's confirmation box is checked here too, not only by the browser.
func (p *Pages) submitTOTPReset(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		reason := c.FormValue("reason")
		web.SetAuditDetail(c, resetAuditDetail(id, reason))
		var u User
		if c.FormValue("confirm") != "yes" {
			err = apperr.InvalidField("confirm", "请勾选“确认重置”后再提交")
		} else {
			u, err = p.api.svc.ResetTOTP(c.UserContext(), web.CurrentUser(c), region, id, reason)
		}
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Status == fiber.StatusNotFound {
				return err
			}
			msg := e.Message
			for _, m := range e.Fields {
				msg = m
			}
			c.Status(e.Status)
			return p.renderSecurity(c, region, "", msg)
		}
		return p.renderSecurity(c, region, "已重置用户 "+u.Username+" 的双因素认证，其全部会话已结束；管理员账号下次登录时须重新启用。", "")
	}
}

// NavLinks are the header menu entries of the user pages: the security
// administrator's account page of each region they serve.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{{Title: "账号安全管理", Perm: ResetPermission, URL: SecurityUsersURL}}
}
