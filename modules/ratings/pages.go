package ratings

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the county's rectification pages, the province's appeal
// page, the rating form of the public tracking page and the county's public
// satisfaction figures.
type Pages struct {
	api                                *API
	pages                              *web.Pages
	list, show, appeals, rate, figures *template.Template
	counter                            *template.Template
	// form is the rating form alone, put into the cases module's tracking page.
	form *template.Template
}

// percent shows a rate as a percentage with one decimal, or "—" when there
// is nothing to divide.
func percent(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

var pageFuncs = template.FuncMap{
	"levelTitle":    LevelTitle,
	"statusTitle":   StatusTitle,
	"appealTitle":   AppealTitle,
	"actionTitle":   ActionTitle,
	"percent":       percent,
	"fieldError":    func(errs map[string]string, key string) string { return errs[key] },
	"indicatorList": sortedIndicators,
	"isBad":         IsBad,
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"console_rectifications": &p.list, "console_rectification": &p.show, "province_appeals": &p.appeals,
		"portal_rate": &p.rate, "portal_ratings": &p.figures, "console_counter_rating": &p.counter,
	} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	form, err := template.New("form").Funcs(pageFuncs).ParseFS(templateFiles, "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("ratings: form: %w", err)
	}
	p.form = form
	return p, nil
}

// NavLinks are the header menu entries of the module.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{
		{Title: "差评整改", Perm: "cases:read", URL: func(r string) string { return "/counties/" + r + "/rectifications" }},
		{Title: "差评申诉复核", Perm: ReviewPermission, URL: func(r string) string { return "/provinces/" + r + "/rating-appeals" }},
	}
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, "cases:read", web.CountyScope)
	app.Get("/counties/:county/rectifications", read, p.showList)
	app.Get("/counties/:county/rectifications/:id", read, p.showRectification)
	app.Post("/counties/:county/rectifications/:id", read, p.submitAction)
	handle := web.Require(e, "cases:handle", web.CountyScope)
	app.Get("/counties/:county/cases/:id/rating", handle, p.showCounterRating)
	app.Post("/counties/:county/cases/:id/rating", handle, p.submitCounterRating)
	review := web.Require(e, ReviewPermission, web.ProvinceScope)
	app.Get("/provinces/:province/rating-appeals", review, p.showAppeals)
	app.Post("/provinces/:province/counties/:county/rectifications/:id/review", review, p.submitReview)

	active := p.api.RequireActiveCounty
	app.Post("/portal/:county/track/rating", active, p.api.LimitRatings(), p.submitRating)
	app.Get("/portal/:county/ratings", active, p.showFigures)
}

// formError splits a client error into a message and field errors for a
// form; other errors pass through to the error handler.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", nil, err
	}
	c.Status(e.Status)
	return e.Message, e.Fields, nil
}

// rateForm is the rating form as typed.
type rateForm struct {
	County, No string
	// CaseID is set for a counter rating.
	CaseID     int64
	Phone      string
	Level      int
	Indicators map[string]int
	Comment    string
}

// formData is what the rating form template needs.
type formData struct {
	Form rateForm
	// Action is where the form posts; Counter marks staff entering a
	// counter rating (no phone, the counter indicators).
	Action     string
	Counter    bool
	Indicators []Indicator
	Levels     []int
	CSRF       string
	Error      string
	Errors     map[string]string
}

func (p *Pages) formData(c *fiber.Ctx, f rateForm, msg string, errs map[string]string) formData {
	d := formData{Form: f, Action: "/portal/" + f.County + "/track/rating", Indicators: OnlineIndicators,
		Levels: []int{5, 4, 3, 2, 1}, Error: msg, Errors: errs}
	if f.CaseID != 0 {
		d.Action, d.Counter, d.Indicators = "/counties/"+f.County+"/cases/"+strconv.FormatInt(f.CaseID, 10)+"/rating", true, CounterIndicators
	}
	if u := web.CurrentUser(c); u != nil {
		d.CSRF = u.CSRFToken
	}
	return d
}

// TrackFragment is the rating part of the public tracking page of a found
// case: the form once the case may be rated and is not yet, "已评价" after.
// The cases module calls it through its TrackExtra hook.
func (p *Pages) TrackFragment(c *fiber.Ctx, county, tracking string) (template.HTML, error) {
	st, err := p.api.svc.StateOf(c.UserContext(), county, tracking)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !st.Rateable && !st.Rated) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if st.Rated {
		err = p.form.ExecuteTemplate(&buf, "rated", struct{ Just bool }{c.Query("rated") == "1"})
	} else {
		err = p.form.ExecuteTemplate(&buf, "rate_form", p.formData(c, rateForm{County: county, No: tracking}, "", nil))
	}
	if err != nil {
		return "", fmt.Errorf("ratings: form: %w", err)
	}
	return template.HTML(buf.String()), nil
}

// submitRating records an online rating from the tracking page and goes back
// to it; a refused rating shows the form again with what was typed.
func (p *Pages) submitRating(c *fiber.Ctx) error {
	county := c.Params("county")
	f := rateForm{County: county, No: strings.ToUpper(strings.TrimSpace(c.FormValue("no")))}
	in, err := readRating(c, &f, OnlineIndicators)
	if err == nil {
		_, err = p.api.svc.RatePublic(c.UserContext(), county, f.No, in)
	}
	if err == nil {
		return c.Redirect("/portal/"+county+"/track?rated=1&no="+url.QueryEscape(f.No), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	name, err := p.countyName(c, county)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.rate, web.View{Title: "办件评价 · " + name,
		Data: struct {
			F          formData
			CountyName string
		}{p.formData(c, f, msg, fields), name}})
}

// readRating reads the rating form's level, indicators of the set, comment
// and phone into f (as typed, for showing it again) and the input; a level
// or indicator that is not a number is a 400 naming it.
func readRating(c *fiber.Ctx, f *rateForm, set []Indicator) (RateInput, error) {
	f.Phone, f.Comment, f.Indicators = c.FormValue("phone"), c.FormValue("comment"), map[string]int{}
	in := RateInput{Phone: f.Phone, Comment: f.Comment, Indicators: map[string]int{}}
	fields := map[string]string{}
	if n, err := strconv.Atoi(c.FormValue("level")); err == nil {
		f.Level, in.Level = n, n
	} else {
		fields["level"] = "请选择评价等级"
	}
	for _, i := range set {
		if v := c.FormValue("indicator_" + i.Code); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				fields["indicators."+i.Code] = "指标评价应为1至5"
				continue
			}
			f.Indicators[i.Code], in.Indicators[i.Code] = n, n
		}
	}
	if len(fields) > 0 {
		return in, apperr.Invalid("请检查填写的内容", fields)
	}
	return in, nil
}

// counterView is the staff page for entering a counter rating.
type counterView struct {
	County     string
	CaseID     int64
	TrackingNo string
	State      CaseState
	// Just: the rating was recorded by the request before (the "rated" block).
	Just bool
	F    formData
}

func (p *Pages) renderCounter(c *fiber.Ctx, f rateForm, msg string, errs map[string]string) error {
	st, tracking, err := p.api.svc.StateOfCase(c.UserContext(), f.County, f.CaseID)
	if err != nil {
		return err
	}
	v := counterView{County: f.County, CaseID: f.CaseID, TrackingNo: tracking, State: st, Just: c.Query("done") == "1",
		F: p.formData(c, f, msg, errs)}
	return p.pages.Render(c, p.counter, web.View{Title: "现场评价代录 · " + tracking, Region: f.County, Data: v})
}

func (p *Pages) showCounterRating(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	return p.renderCounter(c, rateForm{County: c.Params("county"), CaseID: id}, "", nil)
}

// submitCounterRating records a counter rating entered by staff.
func (p *Pages) submitCounterRating(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	f := rateForm{County: county, CaseID: id}
	in, err := readRating(c, &f, CounterIndicators)
	if err == nil {
		_, err = p.api.svc.RateCounter(c.UserContext(), county, id, web.CurrentUser(c).UserID, in)
	}
	if err == nil {
		return c.Redirect("/counties/"+county+"/cases/"+strconv.FormatInt(id, 10)+"/rating?done=1", fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderCounter(c, f, msg, fields)
}

func (p *Pages) countyName(c *fiber.Ctx, code string) (string, error) {
	county, err := p.api.tenants.County(c.UserContext(), code)
	return county.Name, err
}

// figuresView is the county's public satisfaction page.
type figuresView struct {
	County, CountyName string
	Total              Figures
	Items              []Figures
}

func (p *Pages) showFigures(c *fiber.Ctx) error {
	ctx, county := c.UserContext(), c.Params("county")
	name, err := p.countyName(c, county)
	if err != nil {
		return err
	}
	v := figuresView{County: county, CountyName: name}
	if v.Total, err = p.api.svc.Summary(ctx, county); err != nil {
		return err
	}
	if v.Items, err = p.api.svc.ByItem(ctx, county); err != nil {
		return err
	}
	return p.pages.Render(c, p.figures, web.View{Title: "政务服务好差评 · " + name, Data: v})
}

// listView is the county's list of rectifications.
type listView struct {
	County string
	Status string
	Items  []View
	Total  Figures
}

func (p *Pages) showList(c *fiber.Ctx) error {
	ctx, county := c.UserContext(), c.Params("county")
	v := listView{County: county, Status: c.Query("status")}
	var err error
	if v.Items, err = p.api.svc.List(ctx, county, v.Status); err != nil {
		return err
	}
	if v.Total, err = p.api.svc.Summary(ctx, county); err != nil {
		return err
	}
	return p.pages.Render(c, p.list, web.View{Title: "差评整改", Region: county, Data: v})
}

// showView is one rectification with the forms the user may fill.
type showView struct {
	County     string
	X          View
	Indicators []indicatorValue
	Actor      Actor
	Today      string
	Ways       []string
	Views      []string
	Failed     string
	Input      ActionInput
	Error      string
	Errors     map[string]string
	Flash      string
}

func (p *Pages) renderShow(c *fiber.Ctx, x View, v showView) error {
	county := c.Params("county")
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	v.County, v.X, v.Actor, v.Ways, v.Views = county, x, act, CallbackWays, CallbackViews
	v.Indicators = sortedIndicators(x.Channel, x.Indicators)
	v.Today = calendar.FormatDate(p.api.svc.today())
	return p.pages.Render(c, p.show, web.View{Title: "差评整改 · " + x.TrackingNo, Region: county, Flash: v.Flash, Data: v})
}

func (p *Pages) showRectification(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	x, err := p.api.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	flash := ""
	if done := c.Query("done"); done != "" {
		flash = "已" + ActionTitle(done) + "。"
		if done == ActionAppeal {
			flash = "申诉已提交，等待省级复核。"
		}
	}
	return p.renderShow(c, x, showView{Flash: flash})
}

// submitAction records one step from the rectification page; a refused step
// shows the page again with what was typed.
func (p *Pages) submitAction(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx, county := c.UserContext(), c.Params("county")
	in := ActionInput{Action: c.FormValue("action"), Verification: c.FormValue("verification"), VerifiedOn: c.FormValue("verified_on"),
		Measures: c.FormValue("measures"), RectifiedOn: c.FormValue("rectified_on"), CallbackOn: c.FormValue("callback_on"),
		CallbackWay: c.FormValue("callback_way"), CallbackView: c.FormValue("callback_view"),
		CallbackNote: c.FormValue("callback_note"), Reason: c.FormValue("reason")}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, in.Action)
	if _, err := p.api.svc.Act(ctx, county, id, act, in); err == nil {
		return c.Redirect("/counties/"+county+"/rectifications/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(in.Action), fiber.StatusSeeOther)
	} else {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		x, err := p.api.svc.Get(ctx, county, id)
		if err != nil {
			return err
		}
		return p.renderShow(c, x, showView{Failed: in.Action, Input: in, Error: msg, Errors: fields})
	}
}

// appealsView is the province's appeal list.
type appealsView struct {
	Province string
	Items    []View
	Error    string
	FailedID int64
	Errors   map[string]string
	Flash    string
}

func (p *Pages) renderAppeals(c *fiber.Ctx, v appealsView) error {
	province := c.Params("province")
	list, err := p.api.svc.Appeals(c.UserContext(), province)
	if err != nil {
		return err
	}
	v.Province, v.Items = province, list
	return p.pages.Render(c, p.appeals, web.View{Title: "差评申诉复核", Region: province, Flash: v.Flash, Data: v})
}

func (p *Pages) showAppeals(c *fiber.Ctx) error {
	v := appealsView{}
	switch c.Query("done") {
	case "exclude":
		v.Flash = "已剔除该评价，其整改随之终结。"
	case "reject":
		v.Flash = "已驳回申诉，该差评继续整改。"
	}
	return p.renderAppeals(c, v)
}

func (p *Pages) submitReview(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	province := c.Params("province")
	in := ReviewInput{Decision: c.FormValue("decision"), Reason: c.FormValue("reason")}
	_, err = p.api.svc.Review(c.UserContext(), province, c.Params("county"), id, web.CurrentUser(c).UserID, in)
	if err == nil {
		return c.Redirect("/provinces/"+province+"/rating-appeals?done="+url.QueryEscape(in.Decision), fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderAppeals(c, appealsView{Error: msg, Errors: fields, FailedID: id})
}
