package users

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

// API serves the session and user endpoints.
type API struct {
	svc      *Service
	enforcer *rbac.Enforcer
	cookies  web.Config
	limiter  *web.RateLimiter
	perIP    int
}

// LimitSignIn caps sign-in attempts (API and page alike) at perMinute per
// client IP, counted in the database so the cap holds across replicas; it
// comes on top of the per-account lockout.
func (a *API) LimitSignIn(l *web.RateLimiter, perMinute int) {
	a.limiter, a.perIP = l, perMinute
}

// allowSignIn counts one sign-in attempt from the client's IP.
func (a *API) allowSignIn(c *fiber.Ctx) error {
	if a.limiter == nil || a.perIP <= 0 {
		return nil
	}
	ok, err := a.limiter.Hit(c.UserContext(), "signin:"+c.IP(), a.perIP, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		c.Set(fiber.HeaderRetryAfter, "60")
		return apperr.TooMany("rate_limited", "登录尝试过于频繁，请一分钟后再试")
	}
	return nil
}

// auditSignInFailure notes why a sign-in failed in its audit entry.
func auditSignInFailure(c *fiber.Ctx, err error) {
	if e, ok := apperr.As(err); ok {
		web.SetAuditDetail(c, "sign-in failed: "+e.Code)
	}
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, enforcer *rbac.Enforcer, cfg web.Config) *API {
	return &API{svc: svc, enforcer: enforcer, cookies: cfg}
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	api := app.Group("/api/v1")
	api.Post("/session", a.createSession)
	api.Get("/session", web.RequireUser, a.showSession)
	api.Delete("/session", web.RequireUser, a.deleteSession)
	api.Post("/session/password", web.RequireUser, a.changePassword)
	api.Post("/session/totp", web.RequireUser, a.startTOTP)
	api.Post("/session/totp/confirm", web.RequireUser, a.confirmTOTP)

	for _, s := range []struct {
		prefix string
		scope  web.Scope
	}{
		{"/counties/:county/users", web.CountyScope},
		{"/provinces/:province/users", web.ProvinceScope},
		{"/national/users", web.NationalScope},
	} {
		manage := web.Require(a.enforcer, "users:manage", s.scope)
		api.Get(s.prefix, manage, a.listUsers(s.scope))
		api.Post(s.prefix, manage, a.createUser(s.scope))
		api.Get(s.prefix+"/:id", manage, a.showUser(s.scope))
		api.Post(s.prefix+"/:id/roles", manage, a.grantRole(s.scope))
		api.Delete(s.prefix+"/:id/roles/:role", manage, a.revokeRole(s.scope))
		reset := web.Require(a.enforcer, ResetPermission, s.scope)
		api.Post(s.prefix+"/:id/totp/reset", reset, a.resetTOTP(s.scope))
	}
}

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

type sessionUser struct {
	ID                 int64             `json:"id"`
	Username           string            `json:"username"`
	DisplayName        string            `json:"display_name"`
	HomeRegion         string            `json:"home_region"`
	MustChangePassword bool              `json:"must_change_password"`
	Roles              []rbac.Assignment `json:"roles"`
}

func (a *API) createSession(c *fiber.Ctx) error {
	var in credentials
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	web.SetAuditUser(c, in.Username)
	if err := a.allowSignIn(c); err != nil {
		auditSignInFailure(c, err)
		return err
	}
	if in.Username == "" || in.Password == "" {
		return apperr.Invalid("请输入用户名和密码", map[string]string{"username": "必填", "password": "必填"})
	}
	s, err := a.svc.LoginWithCode(c.UserContext(), in.Username, in.Password, in.TOTP)
	if err != nil {
		auditSignInFailure(c, err)
		return err
	}
	setSessionCookie(c, a.cookies, s.Token)
	roles, err := rbac.Assignments(c.UserContext(), a.svc.db, s.User.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"token":                s.Token,
		"expires_at":           s.ExpiresAt.Format(time.RFC3339),
		"csrf_token":           s.CSRFToken,
		"must_change_password": s.User.MustChangePassword,
		"must_enroll_totp":     s.MustEnrollTOTP,
		"user":                 viewOf(s.User, roles),
	})
}

func viewOf(u User, roles []rbac.Assignment) sessionUser {
	if roles == nil {
		roles = []rbac.Assignment{}
	}
	return sessionUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, HomeRegion: u.HomeRegion,
		MustChangePassword: u.MustChangePassword, Roles: roles}
}

func (a *API) showSession(c *fiber.Ctx) error {
	p := web.CurrentUser(c)
	roles := p.Roles
	if roles == nil {
		roles = []rbac.Assignment{}
	}
	enrolled, err := a.svc.TOTPEnrolled(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"user": sessionUser{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, HomeRegion: p.HomeRegion,
			MustChangePassword: p.MustChangePassword, Roles: roles},
		"roles":            roles,
		"csrf_token":       p.CSRFToken,
		"must_enroll_totp": p.MustEnrollTOTP,
		"totp_enabled":     enrolled,
	})
}

func (a *API) deleteSession(c *fiber.Ctx) error {
	if err := a.svc.Logout(c.UserContext(), sessionToken(c)); err != nil {
		return err
	}
	clearSessionCookie(c, a.cookies)
	return c.SendStatus(fiber.StatusNoContent)
}

type passwordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (a *API) changePassword(c *fiber.Ctx) error {
	var in passwordChange
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := web.CurrentUser(c)
	if err := a.svc.ChangePassword(c.UserContext(), p.UserID, sessionToken(c), in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) startTOTP(c *fiber.Ctx) error {
	web.SetAuditDetail(c, "totp enrolment")
	e, err := a.svc.StartTOTP(c.UserContext(), web.CurrentUser(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

type totpConfirmation struct {
	Code string `json:"code"`
}

func (a *API) confirmTOTP(c *fiber.Ctx) error {
	var in totpConfirmation
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	web.SetAuditDetail(c, "totp confirmation")
	if err := a.svc.ConfirmTOTP(c.UserContext(), web.CurrentUser(c).UserID, in.Code); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) listUsers(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		list, err := a.svc.List(c.UserContext(), region)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": list, "total": len(list)})
	}
}

func (a *API) createUser(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		var in NewUser
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
		web.SetAuditDetail(c, "create user "+in.Username)
		created, err := a.svc.Create(c.UserContext(), web.CurrentUser(c), region, in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(created)
	}
}

func (a *API) showUser(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		u, err := a.svc.Get(c.UserContext(), region, id)
		if err != nil {
			return err
		}
		return c.JSON(u)
	}
}

type roleRequest struct {
	Role string `json:"role"`
}

func (a *API) grantRole(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in roleRequest
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
		if err := a.svc.Grant(c.UserContext(), web.CurrentUser(c), region, id, in.Role); err != nil {
			return err
		}
		u, err := a.svc.Get(c.UserContext(), region, id)
		if err != nil {
			return err
		}
		return c.JSON(u)
	}
}

func (a *API) revokeRole(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if err := a.svc.Revoke(c.UserContext(), web.CurrentUser(c), region, id, c.Params("role")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

type totpReset struct {
	Reason string `json:"reason"`
}

// resetTOTP is the security administrator's reset of a lost second factor;
// the reason goes into the request's audit entry, refused or not.
func (a *API) resetTOTP(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, _ := scope(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in totpReset
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
		web.SetAuditDetail(c, resetAuditDetail(id, in.Reason))
		if _, err := a.svc.ResetTOTP(c.UserContext(), web.CurrentUser(c), region, id, in.Reason); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func idParam(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// sessionToken is the token the current request was authenticated with.
func sessionToken(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); len(h) > 7 && h[:7] == "Bearer " {
		return h[7:]
	}
	return c.Cookies(web.SessionCookie)
}

func setSessionCookie(c *fiber.Ctx, cfg web.Config, token string) {
	c.Cookie(&fiber.Cookie{
		Name: web.SessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: cfg.CookieSecure == "always" || c.Protocol() == "https",
	})
}

func clearSessionCookie(c *fiber.Ctx, cfg web.Config) {
	c.Cookie(&fiber.Cookie{
		Name: web.SessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: cfg.CookieSecure == "always" || c.Protocol() == "https", Expires: time.Unix(0, 0), MaxAge: -1,
	})
}
