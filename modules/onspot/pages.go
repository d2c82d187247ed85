package onspot

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/catalog"
	"safetypilot/modules/penalties"
	"safetypilot/rbac"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the staff pages: the list of decisions with the form that
// records one, a decision with its 备案 and deposit steps, and the
// 当场行政处罚决定书 as a print-ready A4 page.
type Pages struct {
	api          *API
	pages        *web.Pages
	list, detail *template.Template
	print        *template.Template
}

var pageFuncs = template.FuncMap{
	"penaltyTitle": PenaltyTitle,
	"groundTitle":  GroundTitle,
	"actionTitle":  func(s string) string { return ActionTitles[s] },
	"fieldError":   func(errs map[string]string, key string) string { return errs[key] },
	"cnDate":       penalties.CNDate,
	"yuan":         func(fen int64) string { return fmt.Sprintf("%.2f", float64(fen)/100) },
	"slots":        func() []int { return []int{0, 1} },
	"add1":         func(i int) int { return i + 1 },
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{"console_onspot_list": &p.list, "console_onspot": &p.detail} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	t, err := template.New("doc").Funcs(pageFuncs).ParseFS(templateFiles, "templates/print.html")
	if err != nil {
		return nil, err
	}
	p.print = t
	return p, nil
}

// NavLinks are the header menu entries of the module.
func NavLinks() []web.NavEntry {
	return []web.NavEntry{
		{Title: "当场处罚", Perm: ReadPermission, URL: func(r string) string { return "/counties/" + r + "/onspot-decisions" }},
	}
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, ReadPermission, web.CountyScope)
	record := web.Require(e, RecordPermission, web.CountyScope)
	app.Get("/counties/:county/onspot-decisions", read, p.showList)
	app.Post("/counties/:county/onspot-decisions", record, p.submitRecord)
	app.Get("/counties/:county/onspot-decisions/:id", read, p.showDecision)
	app.Post("/counties/:county/onspot-decisions/:id/actions", read, p.submitAction)
	app.Get("/counties/:county/onspot-decisions/:id/document", read, p.showDocument)
}

type listView struct {
	County           string
	Q                string
	Items            []Decision
	Total, Page      int
	PageCount        int
	PrevURL, NextURL string
	CanRecord        bool
	PenaltyItems     []catalog.ItemView
	Officers         []Officer
	In               RecordInput
	Error            string
	Errors           map[string]string
	Lights           map[int64]string
	Grounds          []string
	Today            string
}

// Officer is the slot's officer as typed (a refused form keeps it).
func (v listView) Officer(i int) Officer {
	if i < len(v.In.Officers) {
		return v.In.Officers[i]
	}
	return Officer{}
}

// ErrorList is the refusal's field errors, sorted by field, with titles.
func (v listView) ErrorList() []FieldError { return errorList(v.Errors) }

// FieldError is one refused field as the pages list it.
type FieldError struct{ Field, Title, Message string }

var fieldTitles = map[string]string{
	"item_code": "行政处罚事项", "party.kind": "当事人类型", "party.name": "当事人名称或姓名",
	"party.credit_code": "统一社会信用代码", "party.id_number": "居民身份证号码", "facts": "违法事实",
	"legal_basis": "处罚依据", "penalty": "处罚种类", "fine_yuan": "罚款金额", "officers": "执法人员",
	"place": "地点", "decided_on": "决定日期", "informed": "告知与陈述申辩", "statement": "当事人陈述、申辩",
	"payment": "缴纳方式", "ground": "当场收缴情形", "ground_note": "当场收缴情况说明", "receipt_no": "专用票据号码",
	"collected_on": "收缴日期", "on": "日期", "paid_yuan": "缴纳金额", "action": "办理环节",
}

// FieldTitle is a field's title on the pages (officers[1].cert_no is
// 执法人员2的执法证号).
func FieldTitle(key string) string {
	if t, ok := fieldTitles[key]; ok {
		return t
	}
	var slot int
	var rest string
	if n, _ := fmt.Sscanf(strings.NewReplacer("[", " ", "].", " ").Replace(key), "officers %d %s", &slot, &rest); n == 2 {
		if rest == "cert_no" {
			return fmt.Sprintf("执法人员%d的执法证号", slot+1)
		}
		return fmt.Sprintf("执法人员%d", slot+1)
	}
	return "填写内容"
}

func errorList(errs map[string]string) []FieldError {
	out := make([]FieldError, 0, len(errs))
	for key, msg := range errs {
		out = append(out, FieldError{Field: key, Title: FieldTitle(key), Message: msg})
	}
	slices.SortFunc(out, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out
}

func (p *Pages) can(c *fiber.Ctx, county, perm string) (bool, error) {
	return web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, perm)
}

func (p *Pages) renderList(c *fiber.Ctx, v listView) error {
	county := c.Params("county")
	ctx := c.UserContext()
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	items, total, err := p.api.svc.List(ctx, county, f)
	if err != nil {
		return err
	}
	today := p.api.svc.today()
	v.County, v.Q, v.Items, v.Total, v.Page, v.Grounds = county, f.Q, items, total, f.Page, Grounds
	v.PageCount, v.Lights, v.Today = max(1, (total+f.PerPage-1)/f.PerPage), map[int64]string{}, today.Format("2006-01-02")
	for _, d := range items {
		if l := DepositLight(d, p.api.svc.Dues(d), today); l != WarningNone {
			v.Lights[d.ID] = l
		} else if PaymentLight(d, today) == WarningRed {
			v.Lights[d.ID] = WarningRed
		}
	}
	pageURL := func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if f.Q != "" {
			q.Set("q", f.Q)
		}
		return "/counties/" + county + "/onspot-decisions?" + q.Encode()
	}
	if f.Page > 1 {
		v.PrevURL = pageURL(f.Page - 1)
	}
	if f.Page < v.PageCount {
		v.NextURL = pageURL(f.Page + 1)
	}
	if v.CanRecord, err = p.can(c, county, RecordPermission); err != nil {
		return err
	}
	if v.CanRecord {
		if v.PenaltyItems, err = p.api.svc.PenaltyItems(ctx, county); err != nil {
			return err
		}
		ids, err := rbac.UsersWithRole(ctx, p.api.svc.db, rbac.CountyOfficer, county)
		if err != nil {
			return err
		}
		for _, uid := range ids {
			name, err := p.api.svc.store.userName(ctx, p.api.svc.db, uid)
			if err != nil {
				return err
			}
			v.Officers = append(v.Officers, Officer{UserID: uid, Name: name})
		}
		if v.In.DecidedOn == "" && v.Error == "" {
			v.In.DecidedOn = v.Today
		}
	}
	return p.pages.Render(c, p.list, web.View{Title: "当场处罚决定", Region: county, Data: v})
}

func (p *Pages) showList(c *fiber.Ctx) error { return p.renderList(c, listView{}) }

// readRecord turns the form into the API's input; a fine that is not a
// whole number is refused here.
func readRecord(c *fiber.Ctx) (RecordInput, map[string]string) {
	errs := map[string]string{}
	in := RecordInput{ItemCode: c.FormValue("item_code"), Facts: c.FormValue("facts"), LegalBasis: c.FormValue("legal_basis"),
		Penalty: c.FormValue("penalty"), Place: c.FormValue("place"), DecidedOn: c.FormValue("decided_on"),
		Informed: c.FormValue("informed") != "", Statement: c.FormValue("statement"), RefusedToSign: c.FormValue("refused_to_sign") != "",
		Payment: c.FormValue("payment"), Ground: c.FormValue("ground"), GroundNote: c.FormValue("ground_note"),
		ReceiptNo: c.FormValue("receipt_no"), CollectedOn: c.FormValue("collected_on"),
		Party: Party{Kind: c.FormValue("party_kind"), Name: c.FormValue("party_name"), CreditCode: c.FormValue("party_credit_code"),
			IDNumber: c.FormValue("party_id_number")}}
	if in.Penalty == PenaltyWarning {
		in.Payment = ""
	}
	if v := strings.TrimSpace(c.FormValue("fine_yuan")); v != "" && in.Penalty == PenaltyFine {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs["fine_yuan"] = "应为整数（元）"
		}
		in.FineYuan = n
	}
	// Slots up to the last one filled are sent in order, a blank one too,
	// so officers[k] in a refusal is the form's slot k+1.
	last := 0
	for i := 1; i <= MaxOfficers; i++ {
		if strings.TrimSpace(c.FormValue(fmt.Sprintf("officer_%d", i))) != "" || strings.TrimSpace(c.FormValue(fmt.Sprintf("cert_%d", i))) != "" {
			last = i
		}
	}
	for i := 1; i <= last; i++ {
		id, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(fmt.Sprintf("officer_%d", i))), 10, 64)
		in.Officers = append(in.Officers, Officer{UserID: id, CertNo: c.FormValue(fmt.Sprintf("cert_%d", i))})
	}
	return in, errs
}

func (p *Pages) submitRecord(c *fiber.Ctx) error {
	county := c.Params("county")
	in, errs := readRecord(c)
	if len(errs) > 0 {
		c.Status(fiber.StatusBadRequest)
		return p.renderList(c, listView{In: in, Error: "当场处罚决定信息有误", Errors: errs})
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	d, _, err := p.api.svc.Record(c.UserContext(), act, county, in)
	if err == nil {
		web.SetAuditDetail(c, "onspot decision "+strconv.FormatInt(d.ID, 10)+" "+d.DecisionNo)
		return c.Redirect("/counties/"+county+"/onspot-decisions/"+strconv.FormatInt(d.ID, 10), fiber.StatusSeeOther)
	}
	e, ok := apperr.As(err)
	if !ok || e.Status != fiber.StatusBadRequest {
		return err
	}
	c.Status(e.Status)
	return p.renderList(c, listView{In: in, Error: e.Message, Errors: e.Fields})
}

// detailView is the decision page.
type detailView struct {
	View
	County     string
	CountyName string
	Actions    []string
	Error      string
	Errors     map[string]string
	Today      string
}

// ErrorList is the refusal's field errors with titles.
func (v detailView) ErrorList() []FieldError { return errorList(v.Errors) }

func (p *Pages) renderDecision(c *fiber.Ctx, county string, id int64, errMsg string, errs map[string]string) error {
	ctx := c.UserContext()
	d, err := p.api.svc.Get(ctx, county, id)
	if err != nil {
		return err
	}
	v, err := p.api.view(ctx, d, p.api.svc.today())
	if err != nil {
		return err
	}
	dv := detailView{View: v, County: county, Error: errMsg, Errors: errs, Today: v.AsOf.Format("2006-01-02")}
	if dv.CountyName, err = p.api.svc.counties.CountyName(ctx, county); err != nil {
		return err
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	for _, a := range Actions {
		if Available(d, act, a) == nil {
			dv.Actions = append(dv.Actions, a)
		}
	}
	return p.pages.Render(c, p.detail, web.View{Title: "当场处罚决定 · " + d.DecisionNo, Region: county, Data: dv})
}

func (p *Pages) showDecision(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	return p.renderDecision(c, c.Params("county"), id, "", nil)
}

func (p *Pages) submitAction(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := p.api.svc.Get(c.UserContext(), county, id); err != nil {
		return err
	}
	in := ActionInput{Action: c.FormValue("action"), On: c.FormValue("on")}
	if v := strings.TrimSpace(c.FormValue("paid_yuan")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			c.Status(fiber.StatusBadRequest)
			return p.renderDecision(c, county, id, "填写有误", map[string]string{"paid_yuan": "应为金额（元）"})
		}
		in.PaidYuan = &f
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	if _, err := p.api.svc.Act(c.UserContext(), act, county, id, in); err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Status == fiber.StatusNotFound || e.Status >= 500 {
			return err
		}
		c.Status(e.Status)
		return p.renderDecision(c, county, id, e.Message, e.Fields)
	}
	web.SetAuditDetail(c, "onspot decision "+strconv.FormatInt(id, 10)+" "+in.Action)
	return c.Redirect("/counties/"+county+"/onspot-decisions/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// docView is what the printed decision shows.
type docView struct {
	View
	Bureau string
}

func (p *Pages) showDocument(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := p.api.svc.Get(c.UserContext(), county, id)
	if err != nil {
		return err
	}
	v, err := p.api.view(c.UserContext(), d, p.api.svc.today())
	if err != nil {
		return err
	}
	name, err := p.api.svc.counties.CountyName(c.UserContext(), county)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.print.ExecuteTemplate(&buf, "doc", docView{View: v, Bureau: penalties.BureauName(name)}); err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(buf.Bytes())
}
