package cases

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/written"
	"safetypilot/web"
	"safetypilot/web/challenge"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the county's case pages and the public application and
// tracking pages.
type Pages struct {
	api                      *API
	pages                    *web.Pages
	list, show, apply, track *template.Template
	// TrackExtra, when set, adds a part to the tracking page of a found
	// case (the rating form of modules/ratings, wired in main, so this
	// module does not know it).
	TrackExtra func(c *fiber.Ctx, county, tracking string) (template.HTML, error)
}

// pageFuncs are the case pages' template helpers.
var pageFuncs = template.FuncMap{
	"caseStatus":   StatusTitle,
	"actionTitle":  ActionTitle,
	"eventTitle":   eventTitle,
	"channelTitle": channelTitle,
	"fieldError":   func(errs map[string]string, key string) string { return errs[key] },
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"derefBool":     func(b *bool) bool { return b != nil && *b },
	"materialTitle": materialTitle,
	"sourceTitle":   sourceTitle,
	"fileSize":      FileSize,
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"console_cases": &p.list, "console_case": &p.show, "portal_apply": &p.apply, "portal_track": &p.track,
	} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	return p, nil
}

// Mount registers the page routes. The portal routes end in fixed words, so
// they never shadow the catalog's /portal/:county pages mounted before them.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, "cases:read", web.CountyScope)
	handle := web.Require(e, "cases:handle", web.CountyScope)
	app.Get("/counties/:county/cases", read, p.showCaseList)
	app.Post("/counties/:county/cases", handle, p.submitNewCase)
	app.Get("/counties/:county/cases/:id", read, p.showCasePage)
	app.Get("/counties/:county/cases/:id/notices/:notice", read, p.showNoticePrint)
	// Like the API: reading the case lets one try; the role each action
	// needs is checked by the service (403 on the page).
	app.Post("/counties/:county/cases/:id/actions", read, p.submitAction)
	app.Post("/counties/:county/cases/:id/materials", handle, p.submitMaterials)
	app.Get("/counties/:county/cases/:id/materials/:mid", read, p.api.downloadMaterial)

	active := p.api.RequireActiveCounty
	issue := p.api.limiter.Limit("challenge", challenge.IssuesPerMinute, time.Minute)
	app.Get("/portal/:county/apply", active, issue, p.showApplyPage)
	app.Post("/portal/:county/apply", active, p.api.limiter.Limit("apply", applicationsPerMinute, time.Minute), p.submitApplication)
	app.Get("/portal/:county/track", active, p.limitLookups(), p.showTrackPage)
}

// limitLookups counts tracking lookups against the API's limit; the empty
// form costs nothing.
func (p *Pages) limitLookups() fiber.Handler {
	limit := p.api.limiter.Limit("track", trackingPerMinute, time.Minute)
	return func(c *fiber.Ctx) error {
		if strings.TrimSpace(c.Query("no")) == "" {
			return c.Next()
		}
		return limit(c)
	}
}

// option is one entry of a <select>.
type option struct {
	Value, Title string
	Selected     bool
}

// caseableItems keeps the published items a case can be opened on (the rule
// of Service.Create).
func caseableItems(items []catalog.ItemView) []catalog.ItemView {
	out := items[:0:0]
	for _, it := range items {
		if it.Applicable() {
			out = append(out, it)
		}
	}
	return out
}

func itemOptions(items []catalog.ItemView, selected string) []option {
	out := make([]option, 0, len(items))
	for _, it := range items {
		out = append(out, option{Value: it.Code, Title: it.Code + " " + it.Name, Selected: it.Code == selected})
	}
	return out
}

// applicantForm is the applicant part of the new-case and online forms, as typed.
type applicantForm struct {
	ItemCode, Name, CreditCode, Contact, Phone, ReceivedOn string
}

func readApplicantForm(c *fiber.Ctx) applicantForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return applicantForm{ItemCode: v("item_code"), Name: v("name"), CreditCode: v("credit_code"),
		Contact: v("contact"), Phone: v("phone"), ReceivedOn: v("received_on")}
}

func (f applicantForm) newCase() NewCase {
	return NewCase{ItemCode: f.ItemCode, ReceivedOn: f.ReceivedOn,
		Applicant: Applicant{Name: f.Name, CreditCode: f.CreditCode, Contact: f.Contact, Phone: f.Phone}}
}

// formError splits a client error into the message and the errors by field;
// other errors are returned as they are.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", nil, err
	}
	c.Status(e.Status)
	fields := e.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return e.Message, fields, nil
}

// listView is the county's case list with its filters and the new-case form.
type listView struct {
	County    string
	Cases     []Detail
	Total     int
	Page      int
	PageCount int
	PrevURL   string
	NextURL   string
	Statuses  []option
	Warnings  []option
	Items     []option
	Sorts     []option
	Filtered  bool
	// OpenOnly: the list shows open cases (the default); AllStatuses: every status.
	OpenOnly, AllStatuses bool
	CanHandle             bool
	// NewItems are the items of the new-case form.
	NewItems []option
	New      applicantForm
	Today    string
	Error    string
	Errors   map[string]string
}

func (p *Pages) renderList(c *fiber.Ctx, v listView) error {
	ctx, county := c.UserContext(), c.Params("county")
	// Open cases unless the clerk chose a status or 全部状态 (status=all).
	status := c.Query("status", "open")
	if status == "all" {
		status = ""
	}
	f, err := parseFilter(c, status)
	if err != nil {
		return err
	}
	list, total, err := p.api.svc.List(ctx, county, f)
	if err != nil {
		return err
	}
	published, err := p.api.svc.catalog.ListPublished(ctx, county)
	if err != nil {
		return err
	}
	items := caseableItems(published)
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	v.County, v.Cases, v.Total, v.Page, v.CanHandle = county, list, total, f.Page, act.CanHandle
	v.PageCount = (total + f.PerPage - 1) / f.PerPage
	if f.Page > 1 {
		v.PrevURL = filterURL(county, f, f.Page-1)
	}
	if f.Page < v.PageCount {
		v.NextURL = filterURL(county, f, f.Page+1)
	}
	v.Filtered = f.Status != "" || !f.Open || f.Warning != "" || f.ItemCode != "" || f.Overdue
	v.OpenOnly, v.AllStatuses = f.Open, f.Status == "" && !f.Open
	for _, s := range Statuses {
		v.Statuses = append(v.Statuses, option{Value: s, Title: StatusTitle(s), Selected: s == f.Status})
	}
	v.Warnings = []option{{Value: WarningRed, Title: "红灯（已超期）", Selected: f.Warning == WarningRed},
		{Value: WarningYellow, Title: "黄灯（即将到期）", Selected: f.Warning == WarningYellow}}
	v.Sorts = []option{{Value: "deadline", Title: "承诺期限先到", Selected: f.Sort != "received"},
		{Value: "received", Title: "新收件在前", Selected: f.Sort == "received"}}
	v.Items = itemOptions(items, f.ItemCode)
	v.NewItems = itemOptions(items, v.New.ItemCode)
	v.Today = calendar.FormatDate(p.api.svc.today())
	return p.pages.Render(c, p.list, web.View{Title: "办件管理", Region: county, Data: v})
}

// filterURL is the list page with f's filters on page.
func filterURL(county string, f Filter, page int) string {
	q := url.Values{}
	status := f.Status
	if f.Open {
		status = "open"
	} else if status == "" {
		status = "all"
	}
	for k, v := range map[string]string{"status": status, "warning": f.Warning, "item": f.ItemCode, "sort": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.PerPage != 20 {
		q.Set("per_page", strconv.Itoa(f.PerPage))
	}
	q.Set("page", strconv.Itoa(page))
	return "/counties/" + county + "/cases?" + q.Encode()
}

func (p *Pages) showCaseList(c *fiber.Ctx) error { return p.renderList(c, listView{}) }

// submitNewCase opens a case at the counter, or from a paper application
// received earlier when received_on is given.
func (p *Pages) submitNewCase(c *fiber.Ctx) error {
	county := c.Params("county")
	form := readApplicantForm(c)
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	if form.ReceivedOn != "" {
		web.SetAuditDetail(c, "paper application received_on="+form.ReceivedOn)
	}
	d, err := p.api.svc.Create(c.UserContext(), county, act, ChannelCounter, form.newCase())
	if err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderList(c, listView{New: form, Error: msg, Errors: fields})
	}
	return c.Redirect("/counties/"+county+"/cases/"+strconv.FormatInt(d.ID, 10)+"?done=created", fiber.StatusSeeOther)
}

// actionForm is one action the signed-in user may take on the case.
type actionForm struct {
	Action string
	Title  string
	// Reason is "required", "optional" or "" (no reason field).
	Reason      string
	ReasonLabel string
	// Kinds are the pause kinds (pause only).
	Kinds []option
	// ExpectedEnd asks when the pause is expected to end (pause only).
	ExpectedEnd bool
	// Secondary marks actions that end or interrupt the case.
	Secondary bool
}

// caseView is the case page.
type caseView struct {
	County  string
	Case    Detail
	Simple  []actionForm // one button each
	Reasons []actionForm // with a reason (and a kind)
	// Others are actions the status allows that need another role.
	Others []string
	// Failed is the action whose form Error and Errors belong to.
	Failed string
	Input  ActionInput
	Error  string
	Errors map[string]string
	// CanHandle shows the form to attach scans; Listed are the item's
	// materials it offers.
	CanHandle bool
	Listed    []string
	Accept    string
}

// actionForms splits the actions the status machine allows into those the
// actor's role allows (as forms) and the others (named only).
func actionForms(d Detail, act Actor, in ActionInput, failed string) (simple, reasons []actionForm, others []string) {
	for _, a := range d.AllowedActions {
		if checkRole(a, act) != nil {
			others = append(others, ActionTitle(a))
			continue
		}
		f := actionForm{Action: a, Title: ActionTitle(a)}
		switch a {
		case ActionPause:
			f.Reason, f.ReasonLabel = "required", "暂停理由（补正须列明需要补正的全部内容；将写入书面告知书，并在办件查询页面向申请人显示，请勿填写个人信息）"
			f.ExpectedEnd = true
			kind := "补正" // the most common stop
			if failed == a && in.Kind != "" {
				kind = in.Kind
			}
			for _, k := range PauseKinds {
				f.Kinds = append(f.Kinds, option{Value: k, Title: k, Selected: k == kind})
			}
		case ActionNotAccept:
			f.Reason, f.ReasonLabel, f.Secondary = "required", "不予受理的理由和依据", true
		case ActionDeny:
			f.Reason, f.ReasonLabel, f.Secondary = "required", "不予许可的理由和依据", true
		case ActionExtend:
			f.Reason, f.ReasonLabel = "required", "延期理由（将写入延期告知书并告知申请人，行政许可法第四十二条；请勿填写个人信息）"
		case ActionWithdraw:
			f.Reason, f.ReasonLabel, f.Secondary = "optional", "撤回说明（选填）", true
		}
		if f.Reason == "" {
			simple = append(simple, f)
		} else {
			reasons = append(reasons, f)
		}
	}
	return simple, reasons, others
}

func (p *Pages) renderCase(c *fiber.Ctx, d Detail, v caseView, flash string) error {
	county := c.Params("county")
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	name, err := p.api.countyName(c.UserContext(), county)
	if err != nil {
		return err
	}
	written.Fill(d.Notices, name)
	v.County, v.Case = county, d
	v.CanHandle, v.Accept = act.CanHandle, MaterialAccept
	if act.CanHandle {
		item, err := p.api.svc.catalog.GetPublished(c.UserContext(), county, d.ItemCode)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		for _, m := range item.Materials {
			v.Listed = append(v.Listed, m.Name)
		}
	}
	v.Simple, v.Reasons, v.Others = actionForms(d, act, v.Input, v.Failed)
	return p.pages.Render(c, p.show, web.View{Title: d.ItemName + " " + d.TrackingNo, Region: county, Flash: flash, Data: v})
}

// doneFlash is the notice after a redirect back to the case page.
func doneFlash(done string, d Detail) string {
	switch {
	case done == "":
		return ""
	case done == "created":
		return "已收件，受理编号 " + d.TrackingNo + "。"
	case done == "materials":
		return "材料已上传。"
	case ActionTitle(done) != done: // a known action
		return "已" + ActionTitle(done) + "。当前状态：" + StatusTitle(d.Status) + "。"
	}
	return ""
}

func (p *Pages) showCasePage(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	d, err := p.api.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return p.renderCase(c, d, caseView{}, doneFlash(c.Query("done"), d))
}

// submitAction applies one action and goes back to the case page; a refused
// action (409 not now, 403 not your role, 400 a missing reason) is shown on
// the page with what was typed.
func (p *Pages) submitAction(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	ctx, county := c.UserContext(), c.Params("county")
	in := ActionInput{Action: c.FormValue("action"), Note: c.FormValue("note"), Reason: c.FormValue("reason"), Kind: c.FormValue("kind"),
		ExpectedEnd: c.FormValue("expected_end")}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, in.Action)
	var d Detail
	if in.Action == "pause" && in.Kind != "补正" && strings.TrimSpace(in.ExpectedEnd) == "" {
		// The time needed is told in writing (行政许可法 第四十五条): the form
		// asks for it; the API takes it optionally (its contract is older).
		err = apperr.InvalidField("expected_end", "请填写预计结束日期：所需时间应书面告知申请人（行政许可法第四十五条）")
	} else {
		d, err = p.api.svc.Act(ctx, county, id, act, in)
	}
	if err == nil {
		return c.Redirect("/counties/"+county+"/cases/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(in.Action), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	if d, err = p.api.svc.Get(ctx, county, id); err != nil {
		return err
	}
	return p.renderCase(c, d, caseView{Failed: in.Action, Input: in, Error: msg, Errors: fields}, "")
}

// submitMaterials attaches scans made at the counter to the case; a
// refused file is shown on the case page and nothing is stored.
func (p *Pages) submitMaterials(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	ctx, county := c.UserContext(), c.Params("county")
	d, err := p.api.svc.Get(ctx, county, id)
	if err != nil {
		return err
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	files, err := counterMaterialFiles(c)
	if err == nil {
		var ms []Material
		if ms, err = p.api.svc.AddMaterials(ctx, county, id, act, files); err == nil {
			auditMaterials(c, ms)
			return c.Redirect("/counties/"+county+"/cases/"+strconv.FormatInt(id, 10)+"?done=materials#materials", fiber.StatusSeeOther)
		}
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderCase(c, d, caseView{Failed: "materials", Error: msg, Errors: fields}, "")
}

// applyView is the public online application form.
type applyView struct {
	County     string
	CountyName string
	Items      []option
	Form       applicantForm
	Error      string
	Errors     map[string]string
	// Groups are the listed materials of each item, one file input each;
	// the page's script shows the chosen item's group only.
	Groups []materialGroup
	Accept string
	// MaxFileMB and MaxTotalMB are the limits told on the form.
	MaxFileMB, MaxTotalMB int
	// Challenge is what the page's script must solve before it submits.
	Challenge challenge.Challenge
}

func (p *Pages) renderApply(c *fiber.Ctx, v applyView) error {
	ctx := c.UserContext()
	county, err := p.api.tenants.County(ctx, c.Params("county"))
	if err != nil {
		return err
	}
	published, err := p.api.svc.catalog.ListPublished(ctx, county.Code)
	if err != nil {
		return err
	}
	v.County, v.CountyName = county.Code, county.Name
	items := caseableItems(published)
	v.Items = itemOptions(items, v.Form.ItemCode)
	v.Groups = materialGroups(items, v.Form.ItemCode)
	v.Accept, v.MaxFileMB, v.MaxTotalMB = MaterialAccept, MaxMaterialBytes>>20, MaxApplicationBytes>>20
	if len(v.Items) > 0 {
		if v.Challenge, err = p.api.challenges.Issue(ctx, challenge.Form(challenge.KindApply, county.Code)); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.pages.Render(c, p.apply, web.View{Title: "网上申请 · " + county.Name, Data: v})
}

func (p *Pages) showApplyPage(c *fiber.Ctx) error {
	return p.renderApply(c, applyView{Form: applicantForm{ItemCode: c.Query("item")}})
}

// submitApplication opens an online case and shows its tracking page; the
// receipt date is always today. Without a solved challenge nothing is stored
// and the form comes back as it was typed.
func (p *Pages) submitApplication(c *fiber.Ctx) error {
	county := c.Params("county")
	form := readApplicantForm(c)
	form.ReceivedOn = ""
	if err := p.api.challenges.CheckPage(c, challenge.Form(challenge.KindApply, county)); err != nil {
		msg, _, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderApply(c, applyView{Form: form, Error: msg})
	}
	in := form.newCase()
	files, err := p.applicationFiles(c, county, form.ItemCode)
	if err != nil {
		return err
	}
	in.Materials = files
	if len(files) > 0 {
		web.SetAuditDetail(c, fmt.Sprintf("online application with %d files of materials", len(files)))
	}
	d, err := p.api.svc.Create(c.UserContext(), county, onlineApplicant, ChannelOnline, in)
	if err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderApply(c, applyView{Form: form, Error: msg, Errors: fields})
	}
	return c.Redirect("/portal/"+county+"/track?submitted=1&no="+url.QueryEscape(d.TrackingNo), fiber.StatusSeeOther)
}

// materialGroup is the file inputs of one item's listed materials.
type materialGroup struct {
	Code, Name string
	Selected   bool
	Inputs     []materialInput
}

// materialInput is the file input of one listed material.
type materialInput struct {
	Field  string
	Name   string
	Copies int
	Note   string
}

// materialField names the file input of the i-th listed material of an
// item; the item code is in it so only the chosen item's files are read.
func materialField(code string, i int) string { return "material_" + code + "_" + strconv.Itoa(i) }

func materialGroups(items []catalog.ItemView, selected string) []materialGroup {
	var out []materialGroup
	for _, it := range items {
		if len(it.Materials) == 0 {
			continue
		}
		g := materialGroup{Code: it.Code, Name: it.Name, Selected: it.Code == selected}
		for i, m := range it.Materials {
			g.Inputs = append(g.Inputs, materialInput{Field: materialField(it.Code, i), Name: m.Name, Copies: m.Copies, Note: m.Note})
		}
		out = append(out, g)
	}
	return out
}

// applicationFiles reads the files sent for the chosen item's listed
// materials; a form without files (or an unknown item, which Create
// refuses) has none.
func (p *Pages) applicationFiles(c *fiber.Ctx, county, code string) ([]MaterialFile, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, nil // an urlencoded form carries no files
	}
	item, err := p.api.svc.catalog.GetPublished(c.UserContext(), county, code)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	fields := make([]string, 0, len(item.Materials))
	for i, m := range item.Materials {
		f := materialField(item.Code, i)
		names[f] = m.Name
		fields = append(fields, f)
	}
	return readMaterialFiles(form, fields, func(field string) string { return names[field] })
}

// trackView is the public tracking page: status and dates, nothing personal.
type trackView struct {
	County     string
	CountyName string
	No         string
	Submitted  bool
	Found      *PublicView
	NotFound   bool
	// Extra is what TrackExtra adds below a found case.
	Extra template.HTML
}

// maxTrackingNo bounds what is looked up (a county code, a dash and ten characters).
const maxTrackingNo = 32

func (p *Pages) showTrackPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	county, err := p.api.tenants.County(ctx, c.Params("county"))
	if err != nil {
		return err
	}
	v := trackView{County: county.Code, CountyName: county.Name, No: strings.ToUpper(strings.TrimSpace(c.Query("no")))}
	if v.No != "" {
		var pv PublicView
		var err error = apperr.ErrNotFound
		if len(v.No) <= maxTrackingNo {
			pv, err = p.api.svc.Public(ctx, county.Code, county.Name, v.No)
		}
		switch {
		case err == nil:
			v.Found, v.Submitted = &pv, c.Query("submitted") == "1"
			if p.TrackExtra != nil {
				if v.Extra, err = p.TrackExtra(c, county.Code, pv.TrackingNo); err != nil {
					return err
				}
			}
		case errors.Is(err, apperr.ErrNotFound):
			v.NotFound = true
			c.Status(fiber.StatusNotFound)
		default:
			return err
		}
	}
	return p.pages.Render(c, p.track, web.View{Title: "办件查询 · " + county.Name, Data: v})
}

// showNoticePrint is the print-ready page of a written notice of the case,
// addressed to the applicant (so for staff only; the tracking page shows
// the notice without the addressee).
func (p *Pages) showNoticePrint(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	nid, err := strconv.ParseInt(c.Params("notice"), 10, 64)
	if err != nil || nid <= 0 {
		return apperr.ErrNotFound
	}
	ctx, county := c.UserContext(), c.Params("county")
	k, n, err := p.api.svc.Notice(ctx, county, id, nid)
	if err != nil {
		return err
	}
	name, err := p.api.countyName(ctx, county)
	if err != nil {
		return err
	}
	page, err := written.PrintHTML(written.Compose(n, written.Addressing{CountyName: name, Addressee: k.ApplicantName,
		TrackingLabel: "受理编号", TrackingNo: k.TrackingNo, SubjectLabel: "申请事项", SubjectText: k.ItemName, ReceivedOn: k.ReceivedOn}))
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(page)
}

// eventTitle names an entry of the timeline.
func eventTitle(kind string) string {
	switch kind {
	case "created":
		return "收件"
	case "flag_yellow":
		return "黄灯预警"
	case "flag_red":
		return "红灯超期"
	case "step_flag_yellow":
		return "环节黄灯预警"
	case "step_flag_red":
		return "环节超期"
	case "recomputed":
		return "期限重算"
	}
	return ActionTitle(kind)
}

// channelTitle names how a case arrived.
func channelTitle(ch string) string {
	switch ch {
	case ChannelCounter:
		return "窗口收件"
	case ChannelPaper:
		return "补录纸质申请"
	case ChannelOnline:
		return "网上申请"
	}
	return ch
}

// sourceTitle names where a material's file came from.
func sourceTitle(source string) string {
	if source == SourceOnline {
		return "网上申请"
	}
	return "窗口扫描"
}

// FileSize is a size for people: KB below a megabyte, else MB (the
// pages of case materials and of penalty evidence).
func FileSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
