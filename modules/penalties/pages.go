package penalties

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/rbac"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the staff pages: the case list with the form that opens a
// case, the case with its timeline and the forms of the next steps, and the
// four numbered documents as print-ready A4 pages.
type Pages struct {
	api          *API
	pages        *web.Pages
	list, detail *template.Template
	print        *template.Template
}

var pageFuncs = template.FuncMap{
	"statusTitle":  func(s string) string { return StatusTitles[s] },
	"actionTitle":  func(s string) string { return ActionTitles[s] },
	"penaltyTitle": PenaltyTitle,
	"yuan":         func(fen int64) string { return fmt.Sprintf("%.2f", FenToYuan(fen)) },
	"fieldError":   func(errs map[string]string, key string) string { return errs[key] },
	"has":          func(list []string, v string) bool { return slices.Contains(list, v) },
	"cnDate":       cnDate,
	"lines":        func(s string) []string { return strings.Split(s, "\n") },
	// officerSlots numbers the two officer fields of the investigation form.
	"officerSlots": func() []string { return []string{"1", "2"} },
}

// cnDate writes 2026-12-07 as 2026年12月7日 ("" stays "").
func cnDate(s string) string {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{"console_penalties": &p.list, "console_penalty": &p.detail} {
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
		{Title: "行政处罚", Perm: ReadPermission, URL: func(r string) string { return "/counties/" + r + "/penalty-cases" }},
	}
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	e := p.api.enforcer
	read := web.Require(e, ReadPermission, web.CountyScope)
	open := web.Require(e, OpenPermission, web.CountyScope)
	app.Get("/counties/:county/penalty-cases", read, p.showList)
	app.Post("/counties/:county/penalty-cases", open, p.submitOpen)
	app.Get("/counties/:county/penalty-cases/:id", read, p.showCase)
	app.Post("/counties/:county/penalty-cases/:id/actions", read, p.submitAction)
	app.Get("/counties/:county/penalty-cases/:id/documents/:kind", read, p.showDocument)
}

type listView struct {
	County           string
	Q, Status        string
	Items            []Case
	Total, Page      int
	PageCount        int
	PrevURL, NextURL string
	CanOpen          bool
	PenaltyItems     []catalog.ItemView
	In               OpenInput
	Error            string
	Errors           map[string]string
	Statuses         []string
	Lights           map[int64]string
}

var statusOrder = []string{StatusFiling, StatusInvestigating, StatusNotified, StatusHearingRequested, StatusHearingScheduled,
	StatusHeard, StatusReviewed, StatusDecided, StatusServed, StatusPaid, StatusClosed}

func (p *Pages) can(c *fiber.Ctx, county, perm string) (bool, error) {
	return web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, county, perm)
}

func (p *Pages) renderList(c *fiber.Ctx, v listView) error {
	county := c.Params("county")
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	items, total, err := p.api.svc.List(c.UserContext(), county, f)
	if err != nil {
		return err
	}
	v.County, v.Q, v.Status, v.Items, v.Total, v.Page = county, f.Q, f.Status, items, total, f.Page
	v.PageCount, v.Statuses, v.Lights = max(1, (total+f.PerPage-1)/f.PerPage), statusOrder, map[int64]string{}
	today := p.api.svc.today()
	for _, x := range items {
		d, pay := Lights(x, today)
		if pay == WarningRed || d == WarningRed {
			v.Lights[x.ID] = WarningRed
		} else if pay == WarningYellow || d == WarningYellow {
			v.Lights[x.ID] = WarningYellow
		}
	}
	pageURL := func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if f.Q != "" {
			q.Set("q", f.Q)
		}
		if f.Status != "" {
			q.Set("status", f.Status)
		}
		return "/counties/" + county + "/penalty-cases?" + q.Encode()
	}
	if f.Page > 1 {
		v.PrevURL = pageURL(f.Page - 1)
	}
	if f.Page < v.PageCount {
		v.NextURL = pageURL(f.Page + 1)
	}
	if v.CanOpen, err = p.can(c, county, OpenPermission); err != nil {
		return err
	}
	if v.CanOpen {
		if v.PenaltyItems, err = p.api.svc.PenaltyItems(c.UserContext(), county); err != nil {
			return err
		}
	}
	return p.pages.Render(c, p.list, web.View{Title: "行政处罚案件", Region: county, Data: v})
}

func (p *Pages) showList(c *fiber.Ctx) error { return p.renderList(c, listView{}) }

func (p *Pages) submitOpen(c *fiber.Ctx) error {
	county := c.Params("county")
	in := OpenInput{ItemCode: c.FormValue("item_code"), Facts: c.FormValue("facts"), FiledOn: c.FormValue("filed_on"),
		Reason: c.FormValue("reason"), Party: Party{Kind: c.FormValue("party_kind"), Name: c.FormValue("party_name"),
			CreditCode: c.FormValue("party_credit_code"), IDNumber: c.FormValue("party_id_number")}}
	if v := c.FormValue("entity_id"); v != "" {
		in.Party.EntityID, _ = strconv.ParseInt(v, 10, 64)
	}
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	pc, err := p.api.svc.Open(c.UserContext(), act, county, in)
	if err == nil {
		web.SetAuditDetail(c, "penalty case "+strconv.FormatInt(pc.ID, 10)+" "+pc.CaseNo)
		return c.Redirect("/counties/"+county+"/penalty-cases/"+strconv.FormatInt(pc.ID, 10), fiber.StatusSeeOther)
	}
	e, ok := apperr.As(err)
	if !ok || e.Status != fiber.StatusBadRequest {
		return err
	}
	c.Status(e.Status)
	return p.renderList(c, listView{In: in, Error: e.Message, Errors: e.Fields})
}

// detailView is the case page.
type detailView struct {
	View
	County                  string
	Actions                 []string
	Officers                []Investigator
	Standards               []catalog.Standard
	Grounds                 any
	Kinds                   any
	Error                   string
	Errors                  map[string]string
	DecisionLight, PayLight string
	Surcharge               int64
	Factors                 []string
	Clocks                  []string
	Today                   string
	Revocations             []string
}

func (p *Pages) renderCase(c *fiber.Ctx, county string, id int64, errMsg string, errs map[string]string) error {
	ctx := c.UserContext()
	today := p.api.svc.today()
	v, err := p.api.view(ctx, county, id, today)
	if err != nil {
		return err
	}
	dv := detailView{View: v, County: county, Error: errMsg, Errors: errs, Grounds: MitigationGrounds, Kinds: PenaltyKinds, Revocations: Revocations,
		Clocks: Clocks(v.Case), Today: calendar.FormatDate(today), Surcharge: v.SurchargeFen()}
	dv.DecisionLight, dv.PayLight = Lights(v.Case, today)
	_ = json.Unmarshal([]byte(v.Factors), &dv.Factors)
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	for _, a := range Actions() {
		unpaid := v.Status == StatusServed && v.FineYuan > 0
		if (a == "close" && unpaid) || (a == "pay" && v.FineYuan == 0) || (a == "revoke" && v.RevokedOn != "") {
			continue // the service would refuse them (409): not offered
		}
		if slices.Contains(allowed[a], v.Status) && p.api.svc.mayAct(act, a) == nil {
			dv.Actions = append(dv.Actions, a)
		}
	}
	if slices.Contains(dv.Actions, "investigate") {
		ids, err := rbac.UsersWithRole(ctx, p.api.svc.db, rbac.CountyOfficer, county)
		if err != nil {
			return err
		}
		for _, uid := range ids {
			name, err := p.api.svc.store.userName(ctx, p.api.svc.db, uid)
			if err != nil {
				return err
			}
			dv.Officers = append(dv.Officers, Investigator{UserID: uid, Name: name})
		}
	}
	if slices.Contains(dv.Actions, "decide") {
		item, err := p.api.svc.items.GetPublished(ctx, county, v.ItemCode)
		if err != nil && err != apperr.ErrNotFound {
			return err
		}
		dv.Standards = item.Discretion
	}
	return p.pages.Render(c, p.detail, web.View{Title: "行政处罚案件 · " + v.CaseNo, Region: county, Data: dv})
}

func (p *Pages) showCase(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	return p.renderCase(c, c.Params("county"), id, "", nil)
}

// formInt64 reads an optional whole number of a form.
func formInt64(c *fiber.Ctx, key string, errs map[string]string) *int64 {
	v := strings.TrimSpace(c.FormValue(key))
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		errs[key] = "应为整数"
		return nil
	}
	return &n
}

// readAction turns a step form into the API's action input.
func readAction(c *fiber.Ctx) (ActionInput, map[string]string) {
	errs := map[string]string{}
	in := ActionInput{Action: c.FormValue("action"), Reason: c.FormValue("reason"), ApprovedOn: c.FormValue("approved_on"),
		Evidence: c.FormValue("evidence"), InvestigateOn: c.FormValue("investigated_on"), NotifiedOn: c.FormValue("notified_on"),
		Major: c.FormValue("major") != "", RequestedOn: c.FormValue("requested_on"), NoticeOn: c.FormValue("notice_on"),
		HearingOn: c.FormValue("hearing_on"), Place: c.FormValue("place"), HeldOn: c.FormValue("held_on"), Record: c.FormValue("record"),
		ReviewedOn: c.FormValue("reviewed_on"), Opinion: c.FormValue("opinion"), DecidedOn: c.FormValue("decided_on"),
		Outcome: c.FormValue("outcome"), Reasons: c.FormValue("reasons"), MitigationGround: c.FormValue("mitigation_ground"),
		CollectiveDiscussion: c.FormValue("collective_discussion"), ServedOn: c.FormValue("served_on"), PaidOn: c.FormValue("paid_on"),
		ClosedOn: c.FormValue("closed_on"), RevokedOn: c.FormValue("revoked_on"), Revocation: c.FormValue("revocation")}
	if st := c.FormValue("standard_tier"); st != "" {
		in.StandardID, in.TierLevel, _ = strings.Cut(st, "|")
	}
	in.FineYuan = formInt64(c, "fine_yuan", errs)
	if n := formInt64(c, "confiscate_yuan", errs); n != nil {
		in.ConfiscateYuan = *n
	}
	if n := formInt64(c, "days", errs); n != nil {
		in.Days = int(*n)
	}
	if v := strings.TrimSpace(c.FormValue("paid_yuan")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs["paid_yuan"] = "应为金额（元）"
		} else {
			in.PaidYuan = &f
		}
	}
	args := c.Request().PostArgs()
	for _, k := range args.PeekMulti("penalties") {
		in.Penalties = append(in.Penalties, string(k))
	}
	for _, k := range args.PeekMulti("factors") {
		in.Factors = append(in.Factors, string(k))
	}
	for i := 1; i <= 4; i++ {
		u := strings.TrimSpace(c.FormValue(fmt.Sprintf("inv_user_%d", i)))
		if u == "" {
			continue
		}
		id, _ := strconv.ParseInt(u, 10, 64)
		in.Investigators = append(in.Investigators, Investigator{UserID: id, CertNo: c.FormValue(fmt.Sprintf("inv_cert_%d", i))})
	}
	return in, errs
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
	in, errs := readAction(c)
	if len(errs) > 0 {
		c.Status(fiber.StatusBadRequest)
		return p.renderCase(c, county, id, "填写有误", errs)
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
		fields := e.Fields
		if fields == nil {
			fields = map[string]string{}
		}
		return p.renderCase(c, county, id, e.Message, fields)
	}
	web.SetAuditDetail(c, "penalty case "+strconv.FormatInt(id, 10)+" "+in.Action)
	return c.Redirect("/counties/"+county+"/penalty-cases/"+strconv.FormatInt(id, 10)+"#timeline", fiber.StatusSeeOther)
}

// docView is what a printed document shows.
type docView struct {
	View
	Doc      Document
	Bureau   string
	Standard *catalog.Standard
	Tier     *catalog.Tier
	Factors  []string
	Basis    string
	Event    Event
	Detail   map[string]any
	Penalty  string
}

func (p *Pages) showDocument(c *fiber.Ctx) error {
	county := c.Params("county")
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := p.api.view(c.UserContext(), county, id, p.api.svc.today())
	if err != nil {
		return err
	}
	dv := docView{View: v, Bureau: BureauName(v.CountyName)}
	found := false
	for _, d := range v.Documents {
		if d.Kind == c.Params("kind") {
			dv.Doc, found = d, true
		}
	}
	if !found {
		return apperr.ErrNotFound
	}
	action := map[string]string{DocFiling: "open", DocNotice: "notify", DocHearing: "schedule_hearing", DocDecision: "decide"}[dv.Doc.Kind]
	for _, e := range v.Events {
		if e.Action == action {
			dv.Event = e
		}
	}
	_ = json.Unmarshal([]byte(dv.Event.Detail), &dv.Detail)
	_ = json.Unmarshal([]byte(v.Factors), &dv.Factors)
	var kinds []string
	for _, k := range v.PenaltyList() {
		kinds = append(kinds, PenaltyTitle(k))
	}
	dv.Penalty = strings.Join(kinds, "、")
	item, err := p.api.svc.items.GetPublished(c.UserContext(), county, v.ItemCode)
	if err != nil && err != apperr.ErrNotFound {
		return err
	}
	dv.Basis = item.LegalBasis
	for i := range item.Discretion {
		if item.Discretion[i].ID == v.StandardID {
			dv.Standard = &item.Discretion[i]
			for j := range dv.Standard.Tiers {
				if dv.Standard.Tiers[j].Level == v.TierLevel {
					dv.Tier = &dv.Standard.Tiers[j]
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := p.print.ExecuteTemplate(&buf, "doc", dv); err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(buf.Bytes())
}
