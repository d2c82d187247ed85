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
	"safetypilot/modules/cases"
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
	"cnDate":       CNDate,
	"lines":        func(s string) []string { return strings.Split(s, "\n") },
	// officerSlots numbers the two officer fields of the investigation form;
	// slotIndex is a slot's index in the request's investigators.
	"officerSlots": func() []string { return []string{"1", "2"} },
	"slotIndex": func(slot string) string {
		n, _ := strconv.Atoi(slot)
		return strconv.Itoa(n - 1)
	},
	"fileSize": cases.FileSize,
}

// CNDate writes 2026-12-07 as 2026年12月7日, as documents print dates ("" stays "").
func CNDate(s string) string {
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
	app.Post("/counties/:county/penalty-cases/:id/evidence", read, p.submitEvidence)
	app.Post("/counties/:county/penalty-cases/:id/evidence/:evidence/void", read, p.submitVoidEvidence)
	app.Get("/counties/:county/penalty-cases/:id/evidence/:evidence/files/:file", read, p.api.downloadEvidence)
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
	StatusHeard, StatusReviewed, StatusDecided, StatusServed, StatusEnforcing, StatusPaid, StatusClosed}

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
	// EnforcementLight is the light of the last day to apply to the court.
	EnforcementLight string
	RemedyKinds      map[string]string
	RemedyOutcomes   []struct{ Code, Title string }
	// RemedyOutcomeTitles names an ended remedy's outcome.
	RemedyOutcomeTitles map[string]string
	Surcharge           int64
	Factors             []string
	Clocks              []string
	Today               string
	Revocations         []string
	// Team is what the investigation form starts from: the officers of
	// the source inspection and the pool's certificate numbers.
	Team Team
	// FormAction and Form are the step form the service refused and what
	// was typed into it, shown again so nothing typed is lost.
	FormAction string
	Form       map[string][]string
	// Evidence is the case's evidence, for those who may read it
	// (ShowEvidence); AddEvidence tells whether the user may add or void
	// now, and EvidenceClosed why not when they are an officer.
	Evidence       []Evidence
	ShowEvidence   bool
	AddEvidence    bool
	EvidenceClosed string
	EvidenceKinds  any
	EvidenceAccept string
	EvidenceMaxMB  int
}

// VoidRefused is the void form of item id when it was the one refused.
func (v detailView) VoidRefused(id int64) bool {
	return v.FormAction == "evidence_void" && v.Kept("evidence_void", "evidence_id", "") == strconv.FormatInt(id, 10)
}

// Kept is what was sent in field key of action's form when that form was
// refused, else def (the field's usual default).
func (v detailView) Kept(action, key, def string) string {
	if vals, ok := v.Form[key]; ok && v.FormAction == action && len(vals) > 0 {
		return vals[0]
	}
	return def
}

// Investigator is the officer the investigation form's slot (1 or 2)
// starts from: the one typed when the form was refused, else the slot's
// officer of the source inspection.
func (v detailView) Investigator(slot string) string {
	def := ""
	if n, err := strconv.Atoi(slot); err == nil && n >= 1 && n <= len(v.Team.Inspected) {
		// Only an officer the form lists (one who left the role is not).
		for _, o := range v.Officers {
			if o.UserID == v.Team.Inspected[n-1] {
				def = strconv.FormatInt(o.UserID, 10)
			}
		}
	}
	return v.Kept("investigate", "inv_user_"+slot, def)
}

// Certificate is the certificate number the investigation form's slot
// starts from: the one typed when the form was refused, else the pool's
// number of the slot's officer.
func (v detailView) Certificate(slot string) string {
	id, _ := strconv.ParseInt(v.Investigator(slot), 10, 64)
	return v.Kept("investigate", "inv_cert_"+slot, v.Team.Certificates[id])
}

// ErrorFor is the refusal's message for field key of action's form ("" for
// another form, or a field not refused).
func (v detailView) ErrorFor(action, key string) string {
	if v.FormAction != action {
		return ""
	}
	return v.Errors[key]
}

// Invalid marks a refused field of action's form for assistive technology:
// aria-invalid, and its message (the element id+"-error") as its
// description.
func (v detailView) Invalid(action, key, id string) template.HTMLAttr {
	if v.ErrorFor(action, key) == "" {
		return ""
	}
	return template.HTMLAttr(` aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(id) + `-error"`)
}

// Ticked tells whether value was among those sent in field key of action's
// refused form (a checkbox or a select's option to show again).
func (v detailView) Ticked(action, key, value string) bool {
	return v.FormAction == action && slices.Contains(v.Form[key], value)
}

// ErrorList is the refusal's field errors, sorted by field name, each with
// its field's title, so staff read 罚款 rather than fine_yuan.
func (v detailView) ErrorList() []FieldError {
	out := make([]FieldError, 0, len(v.Errors))
	for key, msg := range v.Errors {
		out = append(out, FieldError{Field: key, Title: FieldTitle(key), Message: msg})
	}
	slices.SortFunc(out, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// FieldError is one refused field as the case page lists it.
type FieldError struct{ Field, Title, Message string }

// fieldTitles are the case page's titles of the API's field names.
var fieldTitles = map[string]string{
	"action": "办理环节", "reason": "理由、说明", "approved_on": "批准日期", "days": "延长天数",
	"investigated_on": "调查日期", "investigators": "执法人员", "evidence": "证据材料", "notified_on": "告知日期",
	"penalty": "处罚种类", "penalties": "处罚种类", "major": "情节复杂或重大违法行为", "fine_yuan": "罚款", "confiscate_yuan": "没收金额",
	"requested_on": "听证申请日期", "notice_on": "听证通知日期", "hearing_on": "听证日期", "place": "听证地点",
	"held_on": "听证举行日期", "record": "听证笔录摘要", "reviewed_on": "法制审核日期", "opinion": "审核意见",
	"legal_review": "法制审核", "decided_on": "决定日期", "outcome": "决定类型", "standard_id": "裁量基准",
	"tier_level": "裁量阶次", "factors": "裁量情节", "mitigation_ground": "减轻或不予处罚的法定情形",
	"reasons": "裁量理由", "collective_discussion": "集体讨论记录", "served_on": "送达日期", "paid_on": "缴款日期",
	"paid_yuan": "缴纳金额", "revoked_on": "撤销或变更日期", "revocation": "撤销或变更情形", "closed_on": "结案日期",
	"remedy_kind": "复议或诉讼", "remedy_body": "复议机关或人民法院", "remedy_started_on": "申请复议或起诉日期",
	"remedy_ended_on": "复议或诉讼结束日期", "remedy_outcome": "复议或诉讼结果", "urged_on": "催告书送达日期",
	"applied_on": "申请强制执行日期", "court": "受理申请的人民法院",
	"reviewed_by": "法制审核人员", "decided_by": "作出决定的负责人",
	"kind": "证据种类", "title": "证据名称", "collected_by": "收集人", "collected_on": "收集日期", "note": "备注",
	"file": "证据文件",
}

// FieldTitle is the title of an API field on the case page: the
// investigators' fields by their slot (investigators[1].cert_no is 执法人员2的
// 执法证号), any other unknown name as 填写内容.
func FieldTitle(key string) string {
	if t, ok := fieldTitles[key]; ok {
		return t
	}
	var slot int
	var rest string
	if n, _ := fmt.Sscanf(strings.NewReplacer("[", " ", "].", " ").Replace(key), "investigators %d %s", &slot, &rest); n == 2 {
		if rest == "cert_no" {
			return fmt.Sprintf("执法人员%d的执法证号", slot+1)
		}
		return fmt.Sprintf("执法人员%d", slot+1)
	}
	return "填写内容"
}

// refusal is a step form the case page shows again: the message, the
// fields refused and what was sent.
type refusal struct {
	message string
	errors  map[string]string
	action  string
	form    map[string][]string
}

// refused collects the sent form of a refused step.
func refused(c *fiber.Ctx, message string, errs map[string]string) refusal {
	form := map[string][]string{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if key := string(k); key != "_csrf" {
			form[key] = append(form[key], string(v))
		}
	})
	return refusal{message: message, errors: errs, action: c.FormValue("action"), form: form}
}

func (p *Pages) renderCase(c *fiber.Ctx, county string, id int64, r refusal) error {
	errMsg, errs := r.message, r.errors
	ctx := c.UserContext()
	today := p.api.svc.today()
	v, err := p.api.view(ctx, county, id, today)
	if err != nil {
		return err
	}
	dv := detailView{View: v, County: county, Error: errMsg, Errors: errs, Grounds: MitigationGrounds, Kinds: PenaltyKinds, Revocations: Revocations,
		Clocks: Clocks(v.Case), Today: calendar.FormatDate(today), Surcharge: v.SurchargeFen(), FormAction: r.action, Form: r.form}
	dv.DecisionLight, dv.PayLight = Lights(v.Case, today)
	dv.EnforcementLight, dv.RemedyKinds, dv.RemedyOutcomeTitles = EnforcementLight(v.Case, today), RemedyKinds, RemedyOutcomes
	for _, code := range remedyOutcomeCodes() {
		dv.RemedyOutcomes = append(dv.RemedyOutcomes, struct{ Code, Title string }{code, RemedyOutcomes[code]})
	}
	_ = json.Unmarshal([]byte(v.Factors), &dv.Factors)
	act, err := p.api.ActorOf(c, county)
	if err != nil {
		return err
	}
	remedyOpen := false
	for _, r := range v.Remedies {
		remedyOpen = remedyOpen || r.EndedOn == ""
	}
	for _, a := range Actions() {
		unpaid := v.Status == StatusServed && v.FineYuan > 0
		enforceable := v.FineYuan > 0 && v.RevokedOn == ""
		if (a == "close" && unpaid) || (a == "pay" && v.FineYuan == 0) || (a == "revoke" && v.RevokedOn != "") ||
			(a == "remedy" && remedyOpen) || (a == "remedy_end" && !remedyOpen) ||
			(a == "urge" && (!enforceable || v.UrgedOn != "" || calendar.FormatDate(today) <= v.PaymentDue)) ||
			(a == "apply_enforcement" && (!enforceable || v.UrgedOn == "" || remedyOpen)) {
			continue // the service would refuse them (409): not offered
		}
		if slices.Contains(allowed[a], v.Status) && p.api.svc.mayAct(act, a) == nil {
			dv.Actions = append(dv.Actions, a)
		}
	}
	if mayReadEvidence(act) == nil {
		dv.ShowEvidence, dv.EvidenceKinds, dv.EvidenceAccept, dv.EvidenceMaxMB = true, EvidenceKinds, EvidenceAccept, MaxEvidenceFileBytes>>20
		if dv.Evidence, err = p.api.svc.EvidenceList(ctx, county, id); err != nil {
			return err
		}
		if act.CanInvestigate {
			if err := evidenceOpen(v.Case, "添加证据"); err != nil {
				e, _ := apperr.As(err)
				dv.EvidenceClosed = e.Message
			} else {
				dv.AddEvidence = true
			}
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
		if p.api.svc.Team != nil {
			var inspection int64
			if v.SourceKind == "inspection" {
				inspection = v.SourceID
			}
			if dv.Team, err = p.api.svc.Team(ctx, county, inspection); err != nil {
				return err
			}
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
	return p.renderCase(c, c.Params("county"), id, refusal{})
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
		ClosedOn: c.FormValue("closed_on"), RevokedOn: c.FormValue("revoked_on"), Revocation: c.FormValue("revocation"),
		RemedyKind: c.FormValue("remedy_kind"), RemedyBody: c.FormValue("remedy_body"), RemedyStartedOn: c.FormValue("remedy_started_on"),
		RemedyEndedOn: c.FormValue("remedy_ended_on"), RemedyOutcome: c.FormValue("remedy_outcome"), UrgedOn: c.FormValue("urged_on"),
		AppliedOn: c.FormValue("applied_on"), Court: c.FormValue("court")}
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
	// Slots up to the last one filled are sent in order, a blank one too,
	// so investigators[k] in a refusal is the form's slot k+1.
	last := 0
	for i := 1; i <= 4; i++ {
		if strings.TrimSpace(c.FormValue(fmt.Sprintf("inv_user_%d", i))) != "" {
			last = i
		}
	}
	for i := 1; i <= last; i++ {
		id, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(fmt.Sprintf("inv_user_%d", i))), 10, 64)
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
		return p.renderCase(c, county, id, refused(c, "填写有误", errs))
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
		return p.renderCase(c, county, id, refused(c, e.Message, fields))
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
	// UrgeSurcharge and UrgeEnds are what the 催告书 states: the 加处罚款
	// as of its service and the last of its ten working days.
	UrgeSurcharge int64
	UrgeEnds      string
	// EvidenceKinds are the kinds of the evidence the decision rests on
	// (its items not voided), in the order of 第四十六条: the 决定书 states
	// 违法的事实和证据 (第五十九条).
	EvidenceKinds []string
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
	action := map[string]string{DocFiling: "open", DocNotice: "notify", DocHearing: "schedule_hearing", DocDecision: "decide",
		DocUrge: "urge"}[dv.Doc.Kind]
	if dv.Doc.Kind == DocUrge {
		urged, _ := calendar.ParseDate(dv.Doc.IssuedOn)
		dv.UrgeSurcharge = SurchargeFen(v.FineYuan, v.PaymentDue, "", urged, v.Remedies)
		ends, _ := p.api.svc.cal.AddWorkdays(province(county), urged, UrgeWorkdays, nil)
		dv.UrgeEnds = calendar.FormatDate(ends)
	}
	for _, e := range v.Events {
		if e.Action == action {
			dv.Event = e
		}
	}
	if dv.Doc.Kind == DocDecision {
		list, err := p.api.svc.EvidenceList(c.UserContext(), county, id)
		if err != nil {
			return err
		}
		dv.EvidenceKinds = reliedKinds(list)
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
