package onspot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/rbac"
	"safetypilot/web"
)

// API serves the on-the-spot decision endpoints.
type API struct {
	svc      *Service
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, enforcer *rbac.Enforcer) *API {
	return &API{svc: svc, enforcer: enforcer}
}

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	read := web.Require(a.enforcer, ReadPermission, web.CountyScope)
	record := web.Require(a.enforcer, RecordPermission, web.CountyScope)
	g := app.Group("/api/v1/counties/:county/onspot-decisions")
	g.Get("", read, a.list)
	g.Post("", record, a.record)
	g.Get("/:id", read, a.show)
	g.Post("/:id/actions", read, a.act)
}

// ActorOf describes the signed-in user with the module permissions they
// hold in county.
func (a *API) ActorOf(c *fiber.Ctx, county string) (Actor, error) {
	p := web.CurrentUser(c)
	act := Actor{ID: p.UserID, Name: p.DisplayName}
	if act.Name == "" {
		act.Name = p.Username
	}
	for perm, dst := range map[string]*bool{RecordPermission: &act.CanRecord, FilePermission: &act.CanFile} {
		ok, err := web.Allowed(c, a.enforcer, p.UserID, county, perm)
		if err != nil {
			return act, err
		}
		*dst = ok
	}
	return act, nil
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// View is a decision with what its page and document show, as of a day.
type View struct {
	Decision
	Officers []Officer
	Dues     Dues
	AsOf     time.Time
}

// Bureau is the issuing body.
func (v View) Bureau(countyName string) string { return countyName + "应急管理局" }

// DepositLight is the view's deposit light.
func (v View) DepositLight() string { return DepositLight(v.Decision, v.Dues, v.AsOf) }

// PaymentLight is the view's bank payment light.
func (v View) PaymentLight() string { return PaymentLight(v.Decision, v.AsOf) }

// SurchargeFen is the view's 加处罚款 as of its day.
func (v View) SurchargeFen() int64 { return SurchargeFen(v.Decision, v.AsOf) }

// Clocks explains the decision's clocks and how their days count.
func (v View) Clocks() []string {
	d := v.Decision
	var out []string
	if d.FiledOn == "" {
		out = append(out, "备案：执法人员当场作出的行政处罚决定应当报所属行政机关备案（《行政处罚法》第五十二条第三款）；法律未规定备案期限，本系统不计时")
	}
	if d.Payment == PaymentBank {
		out = append(out, "缴款期限 "+d.PaymentDue+"：决定书当场交付（"+d.DecidedOn+"），自次日起十五日（自然日，第六十七条第三款）；逾期每日按罚款数额的3%加处罚款，不超过罚款数额（第七十二条）")
	}
	if v.Dues.HandOver != "" {
		out = append(out, "交至行政机关期限 "+v.Dues.HandOver+"：自收缴（"+d.CollectedOn+"）起二日内（工作日，第七十一条、第八十五条）")
	}
	if v.Dues.Bank != "" {
		out = append(out, "缴付指定银行期限 "+v.Dues.Bank+"：自交至行政机关（"+d.HandedOn+"）起二日内（工作日，第七十一条、第八十五条）")
	}
	return out
}

// JSON is the decision as the API answers it.
func (v View) JSON() fiber.Map {
	d := v.Decision
	m := fiber.Map{"id": d.ID, "county_code": d.CountyCode, "decision_no": d.DecisionNo, "item_code": d.ItemCode,
		"item_name": d.ItemName, "item_version": d.ItemVer,
		"party": fiber.Map{"kind": d.PartyKind, "name": d.PartyName, "credit_code": nz(d.PartyCreditCode), "id_number": nz(d.PartyIDNumber)},
		"facts": d.Facts, "legal_basis": d.LegalBasis, "penalty": d.Penalty, "penalty_title": PenaltyTitle(d.Penalty),
		"fine_yuan": d.FineYuan, "place": d.Place, "decided_on": d.DecidedOn, "informed": d.Informed, "statement": nz(d.Statement),
		"refused_to_sign": d.RefusedToSign, "officers": v.Officers,
		"filing":  nil,
		"payment": nil, "as_of": calendar.FormatDate(v.AsOf), "clocks": v.Clocks(), "created_at": d.CreatedAt}
	if v.Officers == nil {
		m["officers"] = []Officer{}
	}
	if d.FiledOn != "" {
		m["filing"] = fiber.Map{"filed_on": d.FiledOn, "filed_by": d.FiledBy, "filed_by_name": d.FiledByName}
	}
	switch d.Payment {
	case PaymentBank:
		pay := fiber.Map{"way": d.Payment, "due": d.PaymentDue, "paid_on": nz(d.PaidOn), "paid_yuan": nil,
			"surcharge_yuan": float64(v.SurchargeFen()) / 100, "warning": v.PaymentLight()}
		if d.PaidOn != "" {
			pay["paid_yuan"] = float64(d.PaidFen) / 100
		}
		m["payment"] = pay
	case PaymentOnSpot:
		m["payment"] = fiber.Map{"way": d.Payment, "ground": d.Ground, "ground_note": nz(d.GroundNote), "receipt_no": d.ReceiptNo,
			"collected_on": d.CollectedOn, "hand_over_due": nz(v.Dues.HandOver), "handed_on": nz(d.HandedOn),
			"bank_due": nz(v.Dues.Bank), "banked_on": nz(d.BankedOn), "stage": nz(DepositStage(d)),
			"warning": v.DepositLight(), "flagged": d.DepositWarning}
	}
	return m
}

func (a *API) view(ctx context.Context, d Decision, asOf time.Time) (View, error) {
	v := View{Decision: d, AsOf: asOf, Dues: a.svc.Dues(d)}
	var err error
	v.Officers, err = a.svc.Officers(ctx, d.CountyCode, d.ID)
	return v, err
}

// ParseFilter reads the list's query.
func ParseFilter(c *fiber.Ctx) (Filter, error) {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{Q: strings.TrimSpace(c.Query("q")), Page: page, PerPage: perPage}
	if len([]rune(f.Q)) > 100 {
		return f, apperr.InvalidField("q", "搜索内容不超过100字")
	}
	return f, nil
}

func (a *API) list(c *fiber.Ctx) error {
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
	for _, d := range list {
		items = append(items, View{Decision: d, AsOf: today, Dues: a.svc.Dues(d)}.JSON())
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": f.Page, "per_page": f.PerPage})
}

func (a *API) record(c *fiber.Ctx) error {
	var in RecordInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	county := c.Params("county")
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	d, officers, err := a.svc.Record(c.UserContext(), act, county, in)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "onspot decision "+strconv.FormatInt(d.ID, 10)+" "+d.DecisionNo)
	v := View{Decision: d, Officers: officers, AsOf: a.svc.today(), Dues: a.svc.Dues(d)}
	return c.Status(fiber.StatusCreated).JSON(v.JSON())
}

func (a *API) show(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	asOf := a.svc.today()
	if s := c.Query("as_of"); s != "" {
		if asOf, err = calendar.ParseDate(s); err != nil {
			return apperr.InvalidField("as_of", "日期格式应为 YYYY-MM-DD")
		}
	}
	d, err := a.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	v, err := a.view(c.UserContext(), d, asOf)
	if err != nil {
		return err
	}
	return c.JSON(v.JSON())
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
	d, err := a.svc.Act(c.UserContext(), act, county, id, in)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, "onspot decision "+strconv.FormatInt(id, 10)+" "+in.Action)
	v, err := a.view(c.UserContext(), d, a.svc.today())
	if err != nil {
		return err
	}
	return c.JSON(v.JSON())
}
