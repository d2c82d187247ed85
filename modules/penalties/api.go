package penalties

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/publicity"
	"safetypilot/rbac"
	"safetypilot/web"
)

// Counties names a county (tenants.Service): the documents and case
// numbers carry its name.
type Counties interface {
	CountyName(ctx context.Context, code string) (string, error)
}

// CountyNamer adapts a function to Counties.
type CountyNamer func(ctx context.Context, code string) (string, error)

// CountyName calls the function.
func (f CountyNamer) CountyName(ctx context.Context, code string) (string, error) {
	return f(ctx, code)
}

// API serves the penalty endpoints.
type API struct {
	svc      *Service
	counties Counties
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, counties Counties, enforcer *rbac.Enforcer) *API {
	return &API{svc: svc, counties: counties, enforcer: enforcer}
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, ReadPermission, web.CountyScope)
	open := web.Require(a.enforcer, OpenPermission, web.CountyScope)
	g := app.Group("/api/v1/counties/:county/penalty-cases")
	g.Get("", read, a.listCases)
	g.Post("", open, a.openCase)
	g.Get("/:id", read, a.showCase)
	g.Post("/:id/actions", read, a.act)
	// Evidence: the service asks for the role (officers add and void;
	// officers, the 法制审核 reviewer and the 负责人 read).
	g.Get("/:id/evidence", read, a.listEvidence)
	g.Post("/:id/evidence", read, a.addEvidence)
	g.Get("/:id/evidence/:evidence/files/:file", read, a.downloadEvidence)
	g.Post("/:id/evidence/:evidence/void", read, a.voidEvidence)
	th := web.Require(a.enforcer, ThresholdsPermission, web.ProvinceScope)
	app.Get("/api/v1/provinces/:province/penalty-thresholds", th, a.showThresholds)
	app.Put("/api/v1/provinces/:province/penalty-thresholds", th, a.putThresholds)
}

// ActorOf describes the signed-in user with the module permissions they
// hold in county.
func (a *API) ActorOf(c *fiber.Ctx, county string) (Actor, error) {
	p := web.CurrentUser(c)
	act := Actor{ID: p.UserID, Name: p.DisplayName}
	if act.Name == "" {
		act.Name = p.Username
	}
	for perm, dst := range map[string]*bool{OpenPermission: &act.CanOpen, InvestigatePermission: &act.CanInvestigate,
		ApprovePermission: &act.CanApprove, ReviewPermission: &act.CanReview} {
		ok, err := web.Allowed(c, a.enforcer, p.UserID, county, perm)
		if err != nil {
			return act, err
		}
		*dst = ok
	}
	return act, nil
}

// nz is a date or text as JSON: null while not yet known.
func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// View is a case with everything the detail shows, as of a day.
type View struct {
	Case
	// Publication is the decision's 双公示 entry (modules/publicity), nil
	// before the decision.
	Publication   *publicity.View
	AsOf          time.Time
	CountyName    string
	Investigators []Investigator
	Events        []Event
	Documents     []Document
	// Remedies are the 复议 and 诉讼 brought against the decision.
	Remedies []Remedy
}

// SurchargeFen is the view's 加处罚款 as of its day.
func (v View) SurchargeFen() int64 {
	return SurchargeFen(v.FineYuan, v.PaymentDue, v.PaidOn, v.AsOf, v.Remedies)
}

// caseJSON is a case as the API answers it.
func (a *API) caseJSON(v View, full bool) fiber.Map {
	c := v.Case
	decision, payment := Lights(c, v.AsOf)
	m := fiber.Map{"id": c.ID, "case_no": c.CaseNo, "county_code": c.CountyCode, "item_code": c.ItemCode, "item_name": c.ItemName,
		"item_version": c.ItemVersion, "status": c.Status, "status_title": StatusTitles[c.Status],
		"party": fiber.Map{"kind": c.PartyKind, "name": c.PartyName, "credit_code": nz(c.PartyCreditCode), "id_number": nz(c.PartyIDNumber),
			"entity_id": c.EntityID},
		"filed_on": c.FiledOn, "decision_due": c.DecisionDue, "extension_days": c.ExtensionDays,
		"warning": decision, "payment_warning": payment, "overdue": decision == WarningRed,
		"hearing_required": nil, "hearing_request_due": nz(c.HearingRequestDue), "payment_due": nz(c.PaymentDue),
		"surcharge_yuan": nil, "as_of": calendar.FormatDate(v.AsOf), "created_at": c.CreatedAt}
	if c.NotifiedOn != "" {
		m["hearing_required"] = c.HearingRequired
	}
	if c.PaymentDue != "" {
		sur := v.SurchargeFen()
		m["surcharge_yuan"] = FenToYuan(sur)
		m["amount_due_yuan"] = FenToYuan(c.FineYuan*100 + sur)
	}
	if !full {
		m["party_name"] = c.PartyName
		return m
	}
	var factors []string
	_ = json.Unmarshal([]byte(c.Factors), &factors)
	m["facts"] = c.Facts
	m["major"] = c.Major
	m["source"] = nil
	if c.SourceKind != "" {
		m["source"] = fiber.Map{"kind": c.SourceKind, "id": c.SourceID}
	}
	m["filing_approved"] = c.FilingApprovedBy != 0
	m["penalties"] = c.PenaltyList()
	m["proposed_fine_yuan"] = nil
	if c.NotifiedOn != "" {
		m["proposed_fine_yuan"] = c.ProposedFineYuan
	}
	for k, val := range map[string]string{"notified_on": c.NotifiedOn, "hearing_requested_on": c.HearingRequestedOn,
		"hearing_notice_on": c.HearingNoticeOn, "hearing_on": c.HearingOn, "heard_on": c.HeardOn,
		"legal_reviewed_on": c.LegalReviewedOn, "legal_opinion": c.LegalOpinion, "served_on": c.ServedOn, "paid_on": c.PaidOn,
		"closed_on": c.ClosedOn} {
		m[k] = nz(val)
	}
	m["paid_yuan"] = nil
	if c.PaidOn != "" {
		m["paid_yuan"] = FenToYuan(c.PaidFen)
	}
	m["decision"] = nil
	if c.DecidedOn != "" {
		m["decision"] = fiber.Map{"decided_on": c.DecidedOn, "decided_by": c.DecidedBy, "outcome": c.Outcome, "fine_yuan": c.FineYuan,
			"standard_id": nz(c.StandardID), "tier_level": nz(c.TierLevel), "factors": factors, "reasons": c.Reasons,
			"mitigation_ground": nz(c.MitigationGround), "collective_discussion": nz(c.CollectiveDiscussion)}
	}
	m["investigators"] = v.Investigators
	m["events"] = v.Events
	for i := range v.Documents {
		v.Documents[i].DocNo = Number(v.CountyName, v.Documents[i].Series, v.Documents[i].DocYear, v.Documents[i].DocSeq)
	}
	m["documents"] = v.Documents
	m["clocks"] = Clocks(c)
	m["revoked_on"], m["revocation"] = nz(c.RevokedOn), nz(c.Revocation)
	m["remedies"] = v.Remedies
	if v.Remedies == nil {
		m["remedies"] = []Remedy{}
	}
	m["enforcement"] = nil
	if c.PaymentDue != "" {
		m["enforcement"] = fiber.Map{"urged_on": nz(c.UrgedOn), "sue_ends": nz(SueEnds(c.ServedOn)), "due": nz(c.EnforcementDue),
			"warning": EnforcementLight(c, v.AsOf), "applied_on": nz(c.EnforcementAppliedOn), "court": nz(c.EnforcementCourt)}
	}
	m["service_due"] = nil
	if c.DecidedOn != "" {
		m["service_due"] = a.svc.ServiceDue(c)
	}
	m["publication"] = nil
	if p := v.Publication; p != nil {
		m["publication"] = fiber.Map{"id": p.ID, "status": p.Status, "decision_no": p.DecisionNo, "due_on": p.DueOn,
			"published_on": nz(p.PublishedOn), "late": p.PublishedLate, "warning": p.Light, "withdraw_due": nz(p.WithdrawDue),
			"withdrawn_on": nz(p.WithdrawnOn), "withdraw_reason": nz(p.WithdrawReason)}
	}
	return m
}

// Clocks explains each clock of a case: its date and how its days count.
func Clocks(c Case) []string {
	out := []string{"决定期限 " + c.DecisionDue + "：自立案（" + c.FiledOn + "）次日起算九十日（自然日，《行政处罚法》第六十条）" +
		map[bool]string{true: "，经负责人批准延长" + strconv.Itoa(c.ExtensionDays) + "日", false: ""}[c.ExtensionDays > 0]}
	if c.HearingRequestDue != "" {
		out = append(out, "听证申请期限 "+c.HearingRequestDue+"：告知（"+c.NotifiedOn+"）后五个工作日（第六十四条、第八十五条）")
	}
	if c.HearingOn != "" {
		out = append(out, "听证 "+c.HearingOn+"：于七个工作日前（"+c.HearingNoticeOn+"）通知（第六十四条、第八十五条）")
	}
	if c.PaymentDue != "" {
		out = append(out, "缴款期限 "+c.PaymentDue+"：自收到决定书（"+c.ServedOn+"）次日起十五日（自然日，第六十七条）；逾期每日按罚款数额的3%加处罚款，不超过罚款数额（第七十二条），行政复议、行政诉讼期间不计算（第七十三条）")
	}
	if c.EnforcementDue != "" {
		out = append(out, "申请法院强制执行期限 "+c.EnforcementDue+"：当事人起诉期限（自收到决定书次日起六个月，至"+SueEnds(c.ServedOn)+
			"，《行政诉讼法》第四十六条）届满后三个月内（《行政强制法》第五十三条；按月计算依《民法典》第二百零一、二百零二条）；申请前应当催告，催告书送达十个工作日后方可申请（第五十四条、第六十九条）")
	} else if c.PaymentDue != "" && c.FineYuan > 0 {
		out = append(out, "申请法院强制执行期限：已有行政复议或行政诉讼，依复议决定或裁判确定，本系统不计算")
	}
	return out
}

// view reads a case with its timeline as of asOf.
func (a *API) view(ctx context.Context, county string, id int64, asOf time.Time) (View, error) {
	c, err := a.svc.Get(ctx, county, id)
	if err != nil {
		return View{}, err
	}
	return a.viewOf(ctx, c, asOf)
}

func (a *API) viewOf(ctx context.Context, c Case, asOf time.Time) (View, error) {
	v := View{Case: c, AsOf: asOf}
	var err error
	if v.CountyName, err = a.counties.CountyName(ctx, c.CountyCode); err != nil {
		return v, err
	}
	if v.Investigators, err = a.svc.Investigators(ctx, c.CountyCode, c.ID); err != nil {
		return v, err
	}
	if v.Events, err = a.svc.Events(ctx, c.CountyCode, c.ID); err != nil {
		return v, err
	}
	if v.Documents, err = a.svc.Documents(ctx, c.CountyCode, v.CountyName, c.ID); err != nil {
		return v, err
	}
	if v.Remedies, err = a.svc.store.remedies(ctx, a.svc.db, c.CountyCode, c.ID); err != nil {
		return v, err
	}
	if a.svc.Publicity != nil {
		if p, ok, err := a.svc.Publicity.BySource(ctx, c.CountyCode, PublicitySource, c.ID); err != nil {
			return v, err
		} else if ok {
			v.Publication = &p
		}
	}
	return v, nil
}

// asOf reads ?as_of=, default today.
func (a *API) asOf(c *fiber.Ctx) (time.Time, error) {
	if s := c.Query("as_of"); s != "" {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return d, apperr.InvalidField("as_of", "日期格式应为 YYYY-MM-DD")
		}
		return d, nil
	}
	return a.svc.today(), nil
}

// ParseFilter reads the list's query.
func ParseFilter(c *fiber.Ctx) (Filter, error) {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{Status: c.Query("status"), Q: strings.TrimSpace(c.Query("q")), Page: page, PerPage: perPage}
	if f.Status != "" && StatusTitles[f.Status] == "" {
		return f, apperr.InvalidField("status", "未知的案件状态")
	}
	if len([]rune(f.Q)) > 100 {
		return f, apperr.InvalidField("q", "搜索内容不超过100字")
	}
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return f, apperr.InvalidField("overdue", "应为 true 或 false")
	}
	return f, nil
}

func (a *API) listCases(c *fiber.Ctx) error {
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.List(c.UserContext(), c.Params("county"), f)
	if err != nil {
		return err
	}
	today := a.svc.today()
	items := make([]fiber.Map, 0, len(list))
	for _, x := range list {
		items = append(items, a.caseJSON(View{Case: x, AsOf: today}, false))
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": f.Page, "per_page": f.PerPage})
}

func (a *API) openCase(c *fiber.Ctx) error {
	var in OpenInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	pc, err := a.svc.Open(c.UserContext(), act, county, in)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "penalty case "+strconv.FormatInt(pc.ID, 10)+" "+pc.CaseNo)
	v, err := a.viewOf(c.UserContext(), pc, a.svc.today())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.caseJSON(v, true))
}

func (a *API) showCase(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	asOf, err := a.asOf(c)
	if err != nil {
		return err
	}
	v, err := a.view(c.UserContext(), c.Params("county"), id, asOf)
	if err != nil {
		return err
	}
	return c.JSON(a.caseJSON(v, true))
}

func (a *API) act(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in ActionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county := c.Params("county")
	if _, err := a.svc.Get(c.UserContext(), county, id); err != nil {
		return err // 404 before anything about the action
	}
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	pc, err := a.svc.Act(c.UserContext(), act, county, id, in)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "penalty case "+strconv.FormatInt(pc.ID, 10)+" "+in.Action)
	v, err := a.viewOf(c.UserContext(), pc, a.svc.today())
	if err != nil {
		return err
	}
	return c.JSON(a.caseJSON(v, true))
}

func (a *API) showThresholds(c *fiber.Ctx) error {
	t, err := a.svc.Thresholds(c.UserContext(), c.Params("province"))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (a *API) putThresholds(c *fiber.Ctx) error {
	var t Thresholds
	if err := web.DecodeJSON(c, &t); err != nil {
		return err
	}
	t, err := a.svc.SetThresholds(c.UserContext(), c.Params("province"), web.CurrentUser(c).UserID, t)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "penalty thresholds "+t.Province)
	return c.JSON(t)
}
