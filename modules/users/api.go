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
	}
}

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
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
	if in.Username == "" || in.Password == "" {
		return apperr.Invalid("请输入用户名和密码", map[string]string{"username": "必填", "password": "必填"})
	}
	s, err := a.svc.Login(c.UserContext(), in.Username, in.Password)
	if err != nil {
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
	return c.JSON(fiber.Map{
		"user": sessionUser{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, HomeRegion: p.HomeRegion,
			MustChangePassword: p.MustChangePassword, Roles: roles},
		"roles":      roles,
		"csrf_token": p.CSRFToken,
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
		created, err := a.svc.Create(c.UserContext(), web.CurrentUser(c), region, in)
		if err != nil {
			return err
		}
		web.SetAuditDetail(c, "created user "+created.Username)
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
