package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/tenants"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// RegionNamer turns a region code into its Chinese name for headers and menus.
type RegionNamer func(ctx context.Context, code string) string

// Pages renders server-side pages inside the shared layout.
type Pages struct {
	base       *template.Template
	errorPage  *template.Template
	regionName RegionNamer
	// Banners, when set, returns warnings every page shows to a signed-in
	// user (such as a missing working-day calendar for administrators).
	Banners func(ctx context.Context, user *Principal) []string
	// Unread, when set, counts the user's unread notices for the header.
	Unread func(ctx context.Context, user *Principal) int
	// NavChecker decides which menu entries (AddNav) a user sees, with its
	// plain Allowed (see navFor).
	NavChecker Checker
	nav        []NavEntry
}

// NavEntry is a header menu entry, shown to a user who holds Perm in a
// region of one of their roles; URL is its address for that region.
type NavEntry struct {
	Title string
	Perm  string
	URL   func(region string) string
}

// NavLink is a menu entry as the layout shows it.
type NavLink struct {
	Title, URL string
	Current    bool
}

// AddNav adds header menu entries; call it while wiring, before serving.
func (p *Pages) AddNav(entries ...NavEntry) { p.nav = append(p.nav, entries...) }

// navKey holds, in a request's Locals, the menu computed for the request.
type navKey struct{}

// navQuestion is one question the menu asks: a permission in a region.
type navQuestion struct{ region, perm string }

// navFor lists the menu entries the user may open (a failed check hides the
// entry). It asks each (region, permission) question once however many
// entries share the permission, and once per request however many times the
// request renders (a page, then the error page). It asks the plain check
// (NavChecker.Allowed), never reading the database: most menu questions are
// refused, and making each refusal current would cost every page a read. So
// an entry opened by a grant on another replica shows once this replica's
// poll brought the grant, or at once when a refused check of the same request
// (Require, web.Allowed) already brought the policy up to date.
func (p *Pages) navFor(c *fiber.Ctx, user *Principal) []NavLink {
	if p.NavChecker == nil {
		return nil
	}
	if nav, ok := c.Locals(navKey{}).([]NavLink); ok {
		return nav
	}
	path := c.Path()
	answers := map[navQuestion]bool{}
	seen := map[string]bool{}
	out := []NavLink{}
	regions := user.Regions()
	for _, e := range p.nav {
		for _, r := range regions {
			u := e.URL(r)
			if seen[u] {
				continue
			}
			q := navQuestion{r, e.Perm}
			ok, asked := answers[q]
			if !asked {
				allowed, err := p.NavChecker.Allowed(user.UserID, r, e.Perm)
				ok = err == nil && allowed
				answers[q] = ok
			}
			if ok {
				seen[u] = true
				out = append(out, NavLink{Title: e.Title, URL: u, Current: u == path})
			}
		}
	}
	c.Locals(navKey{}, out)
	return out
}

// RegionLink is one entry of the region switcher.
type RegionLink struct {
	Code    string
	Name    string
	URL     string
	Current bool
}

// View is what a page handler passes to Render.
type View struct {
	Title  string
	Region string // the region the page is about, "" for none
	Flash  string
	Data   any
}

// page is what the layout sees.
type page struct {
	View
	User       *Principal
	CSRF       string
	RegionName string
	Regions    []RegionLink
	Banners    []string
	Unread     int
	Nav        []NavLink
	// LargeText is the larger-text mode (大字版) the visitor chose;
	// TextSizeURL switches to the other size and comes back to this page.
	LargeText   bool
	TextSizeURL string
}

// NewPages parses the layout; modules add their own templates with Parse.
func NewPages(namer RegionNamer) (*Pages, error) {
	base, err := template.New("layout").Funcs(Funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	p := &Pages{base: base, regionName: namer}
	if p.errorPage, err = p.Parse(templateFiles, "templates/error.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// Funcs are the template helpers every page may use.
var Funcs = template.FuncMap{
	"roleTitle":   rbac.RoleTitle,
	"regionURL":   RegionURL,
	"statusTitle": tenants.StatusTitle,
	"beijing":     FormatBeijing,
}

// Beijing is the time zone every page shows times in.
var Beijing = time.FixedZone("CST", 8*3600)

// FormatBeijing shows a timestamp in Beijing time to the minute.
func FormatBeijing(t time.Time) string { return t.In(Beijing).Format("2006-01-02 15:04") }

// Parse makes a page template: the layout plus the module's "content" block.
func (p *Pages) Parse(fsys fs.FS, patterns ...string) (*template.Template, error) {
	return p.ParseWithFuncs(nil, fsys, patterns...)
}

// ParseWithFuncs is Parse with helpers of the module's own.
func (p *Pages) ParseWithFuncs(funcs template.FuncMap, fsys fs.FS, patterns ...string) (*template.Template, error) {
	t, err := p.base.Clone()
	if err != nil {
		return nil, err
	}
	if funcs != nil {
		t = t.Funcs(funcs)
	}
	t, err = t.ParseFS(fsys, patterns...)
	if err != nil {
		return nil, fmt.Errorf("web: parse %v: %w", patterns, err)
	}
	return t, nil
}

// Render writes a page inside the layout.
func (p *Pages) Render(c *fiber.Ctx, t *template.Template, v View) error {
	data := page{View: v, User: CurrentUser(c), LargeText: largeText(c)}
	size := "large"
	if data.LargeText {
		size = "standard"
	}
	back := c.OriginalURL()
	if t == p.errorPage {
		// An error page goes back home, not to the refused address (which
		// may name a region the user may not see).
		back = "/"
	}
	data.TextSizeURL = TextSizePath + "?size=" + size + "&next=" + pathEscape(back)
	ctx := c.UserContext()
	if v.Region != "" {
		data.RegionName = p.regionName(ctx, v.Region)
	}
	if data.User != nil {
		if p.Banners != nil {
			data.Banners = p.Banners(ctx, data.User)
		}
		if p.Unread != nil {
			data.Unread = p.Unread(ctx, data.User)
		}
		data.Nav = p.navFor(c, data.User)
		data.CSRF = data.User.CSRFToken
		for _, r := range data.User.Regions() {
			data.Regions = append(data.Regions, RegionLink{
				Code: r, Name: p.regionName(ctx, r), URL: RegionURL(r), Current: r == v.Region,
			})
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render: %w", err)
	}
	c.Type("html", "utf-8")
	return c.Send(buf.Bytes())
}

// Error renders the error page for a client error.
func (p *Pages) Error(c *fiber.Ctx, e *apperr.Error) error {
	if e.Status == http.StatusUnauthorized {
		return c.Redirect("/login?next="+pathEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	return p.Render(c, p.errorPage, View{Title: "出错了", Data: e})
}

// RegionURL is the console page of a region.
func RegionURL(code string) string {
	switch lvl, _ := rbac.RegionLevel(code); lvl {
	case rbac.LevelNational:
		return "/national"
	case rbac.LevelProvince:
		return "/provinces/" + code
	}
	return "/counties/" + code
}

func (p *Pages) mountStatic(app *fiber.App) {
	sub, _ := fs.Sub(staticFiles, "static")
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 3600}))
	app.Get(TextSizePath, switchTextSize)
}

// pathEscape keeps a local path for the ?next= parameter.
func pathEscape(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		p = "/"
	}
	return url.QueryEscape(p)
}

// SafeNext returns the local path to go to after sign-in; anything that could
// leave the site becomes "/".
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
