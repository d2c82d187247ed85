package audit

import (
	"embed"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages are the audit administrator's consoles: the log with filters, its
// CSV export and chain check, and the sign-in history.
type Pages struct {
	api                     *API
	pages                   *web.Pages
	log, verify, signInPage *template.Template
}

var pageFuncs = template.FuncMap{
	"outcomeTitle": OutcomeTitle,
	"reasonTitle":  SignInReasonTitle,
	"beijingFull":  func(e Entry) string { return e.At.In(beijing).Format("2006-01-02 15:04:05") },
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"log": &p.log, "verify": &p.verify, "sign_ins": &p.signInPage,
	} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	return p, nil
}

// Mount registers the page routes; only holders of audit:read in the region
// (the audit administrator) see them.
func (p *Pages) Mount(app *fiber.App) {
	read := web.Require(p.api.enforcer, "audit:read", pageScope)
	app.Get("/audit", read, p.showLogPage)
	app.Get("/audit/verify", read, p.showVerifyPage)
	app.Get("/audit/sign-ins", read, p.showSignInsPage)
}

// pageScope is ?region=, or else the region the signed-in user's roles are held in.
func pageScope(c *fiber.Ctx) (string, error) {
	if c.Query("region") != "" {
		return regionScope(c)
	}
	if u := web.CurrentUser(c); u != nil {
		return u.HomeRegion, nil
	}
	return rbac.NationalRegion, nil
}

// NavLinks are the header menu entries of the audit pages for a region.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{
		{Title: "审计日志", Perm: "audit:read", URL: func(string) string { return "/audit" }},
		{Title: "登录记录", Perm: "audit:read", URL: func(string) string { return "/audit/sign-ins" }},
	}
}

type option struct {
	Value, Title string
	Selected     bool
}

type logView struct {
	Region                              string
	From, To, Username, Action, Outcome string
	Outcomes                            []option
	Entries                             []Entry
	Filtered                            bool
	Total, Page, PageCount              int
	PrevURL, NextURL                    string
	ExportURL, VerifyURL                string
	Error                               string
}

// filterQuery is the page's filters as query parameters (without paging).
func filterQuery(c *fiber.Ctx, region string, keys ...string) url.Values {
	q := url.Values{"region": {region}}
	for _, k := range keys {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// pager fills in the page count and the neighbouring pages' links.
func pager(base string, q url.Values, page, perPage, total int) (count int, prev, next string) {
	count = (total + perPage - 1) / perPage
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		if perPage != 20 {
			v.Set("per_page", strconv.Itoa(perPage))
		}
		return base + "?" + v.Encode()
	}
	if page > 1 {
		prev = link(page - 1)
	}
	if page < count {
		next = link(page + 1)
	}
	return count, prev, next
}

// pageMessage turns a client error into a message shown on the page.
func pageMessage(c *fiber.Ctx, err error) (string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", err
	}
	c.Status(e.Status)
	for _, m := range e.Fields {
		return m, nil
	}
	return e.Message, nil
}

func (p *Pages) showLogPage(c *fiber.Ctx) error {
	region, _ := pageScope(c)
	keys := []string{"from", "to", "username", "action", "outcome"}
	q := filterQuery(c, region, keys...)
	v := logView{Region: region, From: q.Get("from"), To: q.Get("to"), Username: q.Get("username"),
		Action: q.Get("action"), Outcome: q.Get("outcome"), Filtered: len(q) > 1,
		ExportURL: "/api/v1/audit/export?" + q.Encode(), VerifyURL: "/audit/verify?" + url.Values{"region": {region}}.Encode()}
	for _, o := range Outcomes {
		v.Outcomes = append(v.Outcomes, option{Value: o, Title: OutcomeTitle(o), Selected: o == v.Outcome})
	}
	page, perPage, err := web.Paging(c)
	var f Filter
	if err == nil {
		f, err = parseFilter(c, region)
	}
	if err == nil {
		v.Entries, v.Total, err = p.api.store.ListFiltered(c.UserContext(), f, page, perPage)
	}
	if err != nil {
		if v.Error, err = pageMessage(c, err); err != nil {
			return err
		}
	} else {
		v.Page = page
		v.PageCount, v.PrevURL, v.NextURL = pager("/audit", q, page, perPage, v.Total)
	}
	return p.pages.Render(c, p.log, web.View{Title: "审计日志", Region: region, Data: v})
}

type verifyView struct {
	Result  Verification
	BackURL string
}

func (p *Pages) showVerifyPage(c *fiber.Ctx) error {
	region, _ := pageScope(c)
	res, err := p.api.store.Verify(c.UserContext())
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.verify, web.View{Title: "审计日志链完整性校验", Region: region,
		Data: verifyView{Result: res, BackURL: "/audit?" + url.Values{"region": {region}}.Encode()}})
}

type signInsView struct {
	Region                      string
	From, To, Username, Outcome string
	Items                       []SignIn
	Filtered                    bool
	Total, Page, PageCount      int
	PrevURL, NextURL            string
	Error                       string
}

func (p *Pages) showSignInsPage(c *fiber.Ctx) error {
	region, _ := pageScope(c)
	q := filterQuery(c, region, "from", "to", "username", "outcome")
	v := signInsView{Region: region, From: q.Get("from"), To: q.Get("to"), Username: q.Get("username"),
		Outcome: q.Get("outcome"), Filtered: len(q) > 1}
	page, perPage, err := web.Paging(c)
	var f SignInFilter
	if err == nil {
		f, err = parseSignInFilter(c, region)
	}
	if err == nil {
		v.Items, v.Total, err = p.api.store.SignIns(c.UserContext(), f, page, perPage)
	}
	if err != nil {
		if v.Error, err = pageMessage(c, err); err != nil {
			return err
		}
	} else {
		v.Page = page
		v.PageCount, v.PrevURL, v.NextURL = pager("/audit/sign-ins", q, page, perPage, v.Total)
	}
	return p.pages.Render(c, p.signInPage, web.View{Title: "登录记录", Region: region, Data: v})
}

// signInReasons are the Chinese names of the codes a failed sign-in records.
var signInReasons = map[string]string{
	"invalid_credentials":    "用户名或密码错误",
	"totp_required":          "未输入动态验证码",
	"invalid_totp":           "动态验证码错误",
	"account_locked":         "账号已锁定",
	"rate_limited":           "尝试过于频繁",
	"invalid_input":          "未填写用户名或密码",
	"totp_secret_unreadable": "双因素认证密钥无法解密",
}

// SignInReasonTitle is the Chinese name of a failed sign-in's reason code.
func SignInReasonTitle(code string) string {
	if t, ok := signInReasons[code]; ok {
		return t
	}
	return code
}
