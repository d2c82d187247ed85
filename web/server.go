// Package web is the HTTP server every module shares: the Fiber app, its
// middleware (errors, metrics, security headers, session, CSRF, audit,
// permission), the page layout and the static assets. It never imports a
// module; cmd mounts each module's routes on the app it builds.
package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"safetypilot/modules/apperr"
)

// Config holds the HTTP settings from the command line and environment.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes.
	BodyLimit int
	// UploadLimit is the largest file upload (multipart POST to an
	// .../attachments or .../materials route, or the online application
	// with its materials); it must be at least BodyLimit.
	UploadLimit int
	// CookieSecure: "auto" marks cookies Secure on HTTPS requests, "always" always.
	CookieSecure string
	// ProxyHeader, when set, is the header a trusted proxy puts the client IP in.
	ProxyHeader string
	// TrustedProxies lists the proxy addresses allowed to set ProxyHeader.
	TrustedProxies []string
	// RequestTimeout bounds the work of one request (its context's
	// deadline); 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is how long a request may work before its database
// calls are cancelled and it answers 503: longer than any page or export
// takes at national scale (seconds), short enough that a stuck request does
// not hold a connection of the pool for minutes.
const DefaultRequestTimeout = 30 * time.Second

// Deps are what the server needs from main.
type Deps struct {
	Config   Config
	Log      *slog.Logger
	Sessions Sessions
	Auditor  Auditor
	Metrics  *Metrics
	Pages    *Pages
	// Idempotency, when set, answers a repeated POST with an
	// Idempotency-Key with the first answer.
	Idempotency *Idempotency
}

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "sp_session"

// New builds the Fiber app with the shared middleware in place.
func New(d Deps) *fiber.App {
	cfg := fiber.Config{
		AppName:               "SafetyPilot",
		BodyLimit:             max(d.Config.BodyLimit, d.Config.UploadLimit),
		ErrorHandler:          errorHandler(d.Log, d.Pages),
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	}
	if d.Config.ProxyHeader != "" {
		cfg.ProxyHeader = d.Config.ProxyHeader
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = d.Config.TrustedProxies
	}
	app := fiber.New(cfg)
	app.Use(recover.New())
	timeout := d.Config.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	app.Use(requestDeadline(timeout))
	if d.Metrics != nil {
		app.Use(d.Metrics.middleware)
	}
	app.Use(limitBody(d.Config.BodyLimit))
	app.Use(securityHeaders)
	app.Use(authenticate(d.Sessions, d.Log))
	// Audit comes before the gates below, so a request they refuse (a bad
	// CSRF token or Origin, a password not yet changed, a second factor not
	// yet enrolled) is recorded too.
	if d.Auditor != nil {
		app.Use(audit(d.Auditor, d.Log))
	}
	app.Use(checkFormText)
	app.Use(requirePasswordChanged)
	app.Use(requireTOTPEnrolled)
	app.Use(checkCSRF)
	if d.Idempotency != nil {
		app.Use(d.Idempotency.middleware)
	}
	if d.Pages != nil {
		d.Pages.mountStatic(app)
	}
	return app
}

// requestDeadline gives every request a context with a deadline, which every
// database call of the request takes (c.UserContext()), instead of Fiber's
// context.Background(). fasthttp does not tell a handler that the client
// went away, so the deadline is what ends abandoned work.
func requestDeadline(timeout time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), timeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// checkFormText refuses a page form whose fields hold invalid UTF-8 or NUL,
// with 400 naming the field, as DecodeJSON does for JSON: either would be
// stored altered or as is by whichever handler reads the form. File parts
// of a multipart form are data and pass.
func checkFormText(c *fiber.Ctx) error {
	if isSafeMethod(c.Method()) {
		return c.Next()
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	var bad string
	switch {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if bad == "" && !cleanText(k, v) {
				bad = string(k)
			}
		})
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		form, err := c.MultipartForm()
		if err != nil {
			return c.Next() // the handler answers what it cannot read
		}
		for k, vs := range form.Value {
			for _, v := range vs {
				if bad == "" && !cleanText([]byte(k), []byte(v)) {
					bad = k
				}
			}
		}
	}
	if bad != "" {
		if !utf8.ValidString(bad) || strings.ContainsRune(bad, 0) {
			bad = "form"
		}
		return apperr.Invalid("提交的内容含有无效字符（空字符或无效的 UTF-8 编码）", map[string]string{bad: "含有空字符或无效的 UTF-8 编码"})
	}
	return c.Next()
}

// cleanText reports whether a form field's name and value are valid UTF-8
// without NUL.
func cleanText(name, value []byte) bool {
	return utf8.Valid(name) && utf8.Valid(value) && bytes.IndexByte(name, 0) < 0 && bytes.IndexByte(value, 0) < 0
}

// uploadSuffixes end the paths that take files: disclosure attachments, a
// case's materials, the online application with its materials, a Word
// document converted into a disclosure record's body, and a penalty case's
// evidence.
var uploadSuffixes = []string{"/attachments", "/materials", "/apply", "/docx", "/evidence"}

// limitBody holds every request to limit bytes except file uploads, which the
// server-wide limit (UploadLimit) bounds. Fasthttp has read the body by then
// whatever the path, so letting the public application through adds no
// exposure; its rate limit still applies.
func limitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		upload := c.Method() == fiber.MethodPost && slices.ContainsFunc(uploadSuffixes, func(s string) bool { return strings.HasSuffix(c.Path(), s) }) &&
			strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm)
		if !upload && len(c.Request().Body()) > limit {
			return &apperr.Error{Status: fiber.StatusRequestEntityTooLarge, Code: "body_too_large",
				Message: "提交的内容超过" + sizeText(limit) + "的上限"}
		}
		return c.Next()
	}
}

func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	if c.Protocol() == "https" {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	return c.Next()
}

// authenticate resolves the bearer token or the session cookie, if any.
func authenticate(sessions Sessions, log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token, viaCookie := "", false
		if h := c.Get(fiber.HeaderAuthorization); strings.HasPrefix(h, "Bearer ") {
			token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if v := c.Cookies(SessionCookie); v != "" {
			token, viaCookie = v, true
		}
		if token != "" && sessions != nil {
			p, err := sessions.Resolve(c.UserContext(), token)
			if err != nil {
				return err
			}
			if p != nil {
				p.ViaCookie = viaCookie
				c.Locals(principalKey, p)
			}
		}
		return c.Next()
	}
}

// passwordChangePaths are what a user who must change the password may reach.
var passwordChangePaths = map[string]bool{
	"GET /api/v1/session":           true,
	"DELETE /api/v1/session":        true,
	"POST /api/v1/session":          true,
	"POST /api/v1/session/password": true,
	"GET /password":                 true,
	"POST /password":                true,
	"POST /logout":                  true,
	"GET /login":                    true,
	"POST /login":                   true,
}

func requirePasswordChanged(c *fiber.Ctx) error {
	p := CurrentUser(c)
	if p == nil || !p.MustChangePassword || passwordChangePaths[c.Method()+" "+c.Path()] ||
		strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	if wantsHTML(c) {
		return c.Redirect("/password", fiber.StatusSeeOther)
	}
	return errPasswordChangeRequired
}

// totpEnrolmentPaths are what a user who must enrol a second factor may reach.
var totpEnrolmentPaths = map[string]bool{
	"GET /api/v1/session":               true,
	"DELETE /api/v1/session":            true,
	"POST /api/v1/session":              true,
	"POST /api/v1/session/password":     true,
	"POST /api/v1/session/totp":         true,
	"POST /api/v1/session/totp/confirm": true,
	"GET /totp":                         true,
	"POST /totp":                        true,
	"POST /totp/confirm":                true,
	"GET /password":                     true,
	"POST /password":                    true,
	"POST /logout":                      true,
	"GET /login":                        true,
	"POST /login":                       true,
}

// requireTOTPEnrolled keeps an administrator without a second factor on the
// enrolment endpoints (MLPS level 3: two factors for administrators).
func requireTOTPEnrolled(c *fiber.Ctx) error {
	p := CurrentUser(c)
	if p == nil || !p.MustEnrollTOTP || totpEnrolmentPaths[c.Method()+" "+c.Path()] ||
		strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	if wantsHTML(c) {
		return c.Redirect("/totp", fiber.StatusSeeOther)
	}
	return errTOTPEnrollmentRequired
}

// checkCSRF demands the session's CSRF token on unsafe requests made with the
// session cookie (bearer clients are not exposed to cross-site requests).
func checkCSRF(c *fiber.Ctx) error {
	if isSafeMethod(c.Method()) {
		return c.Next()
	}
	// A browser names the page a request came from: a form another site
	// posts is refused whoever is signed in, and also when nobody is, so no
	// one can be signed in to an account of the other site's choosing (login
	// CSRF) or file a public form from it.
	if o := c.Get(fiber.HeaderOrigin); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != c.Hostname() {
			return errCSRF
		}
	}
	p := CurrentUser(c)
	if p == nil || !p.ViaCookie {
		return c.Next()
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("_csrf")
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
		return errCSRF
	}
	return c.Next()
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// regionOf is the region a request concerns, from its path parameters.
func regionOf(c *fiber.Ctx) string {
	if v := c.Params("county"); v != "" {
		return v
	}
	if v := c.Params("province"); v != "" {
		return v
	}
	return "*"
}

// sizeText writes a byte count the way the error messages show limits.
func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + "MB"
	}
	return strconv.Itoa((n+1023)>>10) + "KB"
}
