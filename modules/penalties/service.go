package penalties

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/publicity"
	"safetypilot/rbac"
)

// Actor is who acts, with the module permissions they hold in the county.
// Another module calling Open fills it from its own request.
type Actor struct {
	ID   int64
	Name string
	// CanOpen: may open a case (penalties:open).
	CanOpen bool
	// CanInvestigate: an enforcement officer (penalties:investigate).
	CanInvestigate bool
	// CanApprove: the bureau's 负责人 (penalties:approve).
	CanApprove bool
	// CanReview: a 法制审核 reviewer (penalties:review).
	CanReview bool
}

// Checker answers whether a user holds a permission in a region
// (rbac.Enforcer): the service asks it whether the officers named on an
// investigation are officers of the county.
type Checker interface {
	Check(ctx context.Context, userID int64, region, perm string) (bool, error)
}

// Items reads a county's published catalog items (catalog.Service).
type Items interface {
	GetPublished(ctx context.Context, county, code string) (catalog.ItemView, error)
	ListPublished(ctx context.Context, county string) ([]catalog.ItemView, error)
}

// Service holds the rules of the procedure.
type Service struct {
	db      *db.DB
	store   *Store
	cal     *calendar.Calendar
	items   Items
	checker Checker
	// counties names a county for its case and document numbers.
	counties Counties
	// Terms reads a county's own sensitive terms, masked in the facts a
	// decision publishes (disclosure.Service.Settings); nil masks none.
	Terms func(ctx context.Context, county string) ([]string, error)
	// Publicity records each decision for 双公示 in the decision's
	// transaction and withdraws it when the decision is revoked
	// (publicity.Service, set in app.go; required to decide or revoke).
	Publicity *publicity.Service
	// Team tells the investigation form whom to start from: the officers
	// who carried out the case's source inspection and the enforcement
	// certificate numbers the inspector pool holds (modules/inspections,
	// set in app.go); nil starts from empty fields.
	Team func(ctx context.Context, county string, inspectionID int64) (Team, error)
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// NewService builds the service.
func NewService(database *db.DB, cal *calendar.Calendar, items Items, checker Checker, counties Counties) *Service {
	return &Service{db: database, store: NewStore(database), cal: cal, items: items, checker: checker, counties: counties, Now: db.Now}
}

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// ActorFor describes a user for the procedure outside an HTTP request (a
// case opened from an inspection finding): their display name and the
// permissions they hold in the county, as the module's own endpoints read
// them from the session.
func (s *Service) ActorFor(ctx context.Context, county string, userID int64) (Actor, error) {
	act := Actor{ID: userID}
	var names struct {
		Username    string `db:"username"`
		DisplayName string `db:"display_name"`
	}
	if err := s.db.GetContext(ctx, &names, `SELECT username, display_name FROM users WHERE id = ?`, userID); err != nil {
		return act, fmt.Errorf("penalties: actor: %w", err)
	}
	act.Name = names.DisplayName
	if act.Name == "" {
		act.Name = names.Username
	}
	for perm, dst := range map[string]*bool{OpenPermission: &act.CanOpen, InvestigatePermission: &act.CanInvestigate,
		ApprovePermission: &act.CanApprove, ReviewPermission: &act.CanReview} {
		ok, err := s.checker.Check(ctx, userID, county, perm)
		if err != nil {
			return act, err
		}
		*dst = ok
	}
	return act, nil
}

// DecisionDays is the period of 第六十条: "行政机关应当自行政处罚案件立案之日起
// 九十日内作出行政处罚决定" (natural days; see the package comment).
const DecisionDays = 90

// PaymentDays is the period of 第六十七条第三款 (natural days).
const PaymentDays = 15

// HearingRequestWorkdays is the period of 第六十四条第（一）项, working days
// by 第八十五条.
const HearingRequestWorkdays = 5

// HearingNoticeWorkdays is the notice of 第六十四条第（二）项, working days by
// 第八十五条.
const HearingNoticeWorkdays = 7

// MaxExtensionDays bounds an extension approved by the 负责人. 第六十条 lets
// "法律、法规、规章另有规定的，从其规定"; the figure of 30 days is the one
// other penalty procedure rules give (e.g. the former 工商行政管理机关行政处罚
// 程序规定 第五十七条, read with the search tool); we could not read whether
// 应急管理部令第18号 provides an extension, so the product allows one of at
// most 30 days, approved by the 负责人 with a reason, and says so.
const MaxExtensionDays = 30

// Party is the party of a case (当事人).
type Party struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	IDNumber   string `json:"id_number"`
	// EntityID optionally names the supervised entity (modules/entities) the
	// party is; its name and credit code are then taken from the register.
	EntityID int64 `json:"entity_id"`
}

// OpenInput is what opening a case takes. SourceKind and SourceID name
// where the case comes from (e.g. "inspection" and the inspection's id),
// stored on the case and shown on it; both empty for a case opened by hand.
type OpenInput struct {
	ItemCode   string `json:"item_code"`
	Party      Party  `json:"party"`
	Facts      string `json:"facts"`
	FiledOn    string `json:"filed_on"`
	SourceKind string `json:"source_kind"`
	SourceID   int64  `json:"source_id"`
	Reason     string `json:"reason"`
}

func invalid(f map[string]string) error { return apperr.Invalid("处罚案件信息有误", f) }

// checkDate validates a step date: a date, not after today, not before the
// previous step (after, "" for none).
func checkDate(f map[string]string, field, v string, today time.Time, after, afterWhat string) time.Time {
	if v == "" {
		f[field] = "请填写日期（YYYY-MM-DD）"
		return time.Time{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		f[field] = "日期格式应为 YYYY-MM-DD"
		return time.Time{}
	}
	if d.After(today) {
		f[field] = "日期不能晚于今天"
	} else if after != "" && v < after {
		f[field] = fmt.Sprintf("日期不能早于%s（%s）", afterWhat, after)
	}
	return d
}

func textField(f map[string]string, field, v string, required bool, max int) {
	if required && strings.TrimSpace(v) == "" {
		f[field] = "不能为空"
	} else if utf8.RuneCountInString(v) > max {
		f[field] = fmt.Sprintf("不超过%d字", max)
	}
}

// Open opens a penalty case (立案) on a published 行政处罚 item of the county:
// the 立案审批表 is numbered at once and its number is the case number. When
// the actor is the 负责人 the filing stands approved; otherwise it waits for
// the 负责人's approve action. The decision is due DecisionDays after
// filed_on. This is the entry point for other modules (an inspection finding
// carries its facts over with SourceKind "inspection").
//
// A caller from another module fills Actor from its own request (ActorOf
// does it for a Fiber request) and the county from its path:
//
//	c, err := penaltySvc.Open(ctx, actor, county, penalties.OpenInput{
//		ItemCode: "CF-001", Party: penalties.Party{Kind: "organization", EntityID: entityID},
//		Facts: finding.Facts, FiledOn: "2026-12-07", SourceKind: "inspection", SourceID: inspectionID})
//
// Errors are the module's: 400 naming the field, 403 without OpenPermission.
func (s *Service) Open(ctx context.Context, actor Actor, county string, in OpenInput) (Case, error) {
	if !actor.CanOpen {
		return Case{}, apperr.Forbidden("forbidden", "只有执法人员或负责人可以立案")
	}
	countyName, err := s.counties.CountyName(ctx, county)
	if err != nil {
		return Case{}, err
	}
	today := s.today()
	in.Party.Name, in.Facts = strings.TrimSpace(in.Party.Name), strings.TrimSpace(in.Facts)
	in.Party.CreditCode = strings.ToUpper(strings.TrimSpace(in.Party.CreditCode))
	in.Party.IDNumber = strings.ToUpper(strings.TrimSpace(in.Party.IDNumber))
	f := map[string]string{}
	if in.FiledOn == "" {
		in.FiledOn = calendar.FormatDate(today)
	}
	if d := checkDate(f, "filed_on", in.FiledOn, today, "", ""); f["filed_on"] == "" && today.Sub(d) > 366*24*time.Hour {
		f["filed_on"] = "立案日期不能早于一年前"
	}
	if strings.TrimSpace(in.ItemCode) == "" {
		f["item_code"] = "请选择行政处罚事项"
	}
	if in.Party.EntityID != 0 {
		var e struct {
			Name string `db:"name"`
			Code string `db:"credit_code"`
		}
		err := s.db.GetContext(ctx, &e, `SELECT name, credit_code FROM entities WHERE county_code = ? AND id = ?`, county, in.Party.EntityID)
		if db.IsNoRows(err) {
			f["party.entity_id"] = "本县名录中没有该生产经营单位"
		} else if err != nil {
			return Case{}, fmt.Errorf("penalties: entity: %w", err)
		} else {
			in.Party.Kind, in.Party.Name, in.Party.CreditCode = PartyOrganization, e.Name, e.Code
		}
	}
	switch in.Party.Kind {
	case PartyOrganization:
		if !cases.ValidCreditCode(in.Party.CreditCode) {
			f["party.credit_code"] = "统一社会信用代码无效（18位，含校验码）"
		}
		in.Party.IDNumber = ""
	case PartyIndividual:
		if in.Party.IDNumber != "" && !disclosure.ValidIDNumber(in.Party.IDNumber) {
			f["party.id_number"] = "居民身份证号码无效（18位，含校验码）"
		}
		if in.Party.CreditCode != "" && !cases.ValidCreditCode(in.Party.CreditCode) {
			f["party.credit_code"] = "统一社会信用代码无效（18位，含校验码）"
		}
	default:
		f["party.kind"] = "当事人类型应为 organization（单位）或 individual（个人）"
	}
	textField(f, "party.name", in.Party.Name, true, 200)
	textField(f, "facts", in.Facts, true, 10000)
	textField(f, "reason", in.Reason, false, 2000)
	if len(in.SourceKind) > 32 || (in.SourceKind == "") != (in.SourceID == 0) || in.SourceID < 0 {
		f["source_kind"] = "来源类型与来源编号应同时填写"
	}
	if len(f) > 0 {
		return Case{}, invalid(f)
	}
	item, err := s.items.GetPublished(ctx, county, in.ItemCode)
	if err == apperr.ErrNotFound {
		return Case{}, apperr.InvalidField("item_code", "该事项不存在或尚未发布")
	}
	if err != nil {
		return Case{}, err
	}
	if item.PowerType != "CF" {
		return Case{}, apperr.InvalidField("item_code", "该事项不是行政处罚事项")
	}
	filed, _ := calendar.ParseDate(in.FiledOn)
	now := db.Now()
	c := Case{CountyCode: county, ItemCode: item.Code, ItemVersion: item.PublishedVersion, ItemName: item.Name,
		PartyKind: in.Party.Kind, PartyName: in.Party.Name, PartyCreditCode: in.Party.CreditCode, PartyIDNumber: in.Party.IDNumber,
		EntityID: in.Party.EntityID, Facts: in.Facts, SourceKind: in.SourceKind, SourceID: in.SourceID, Status: StatusFiling,
		FiledOn: in.FiledOn, DecisionDue: calendar.FormatDate(filed.AddDate(0, 0, DecisionDays)), Factors: "[]",
		Warning: WarningNone, PaymentWarning: WarningNone, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	if actor.CanApprove {
		c.Status, c.FilingApprovedBy = StatusInvestigating, actor.ID
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		c.ID = 0
		d := Document{CountyCode: county, Kind: DocFiling, IssuedOn: in.FiledOn, IssuedBy: actor.ID}
		// The case row needs its number and the document its case: number
		// first with case 0, then point the document at the case.
		if err := s.store.issue(ctx, tx, &d); err != nil {
			return err
		}
		c.CaseNo = Number(countyName, d.Series, d.DocYear, d.DocSeq)
		if err := s.store.insert(ctx, tx, &c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE penalty_documents SET case_id = ? WHERE county_code = ? AND id = ?`, c.ID, county, d.ID); err != nil {
			return fmt.Errorf("penalties: document: %w", err)
		}
		// The timeline names a natural person by surname only: the full
		// name is kept sealed on the case.
		detail := map[string]any{"item_code": c.ItemCode, "party": partyLabel(c)}
		if c.SourceKind != "" {
			detail["source_kind"], detail["source_id"] = c.SourceKind, c.SourceID
		}
		if err := s.event(ctx, tx, &c, actor, "open", StatusFiling, c.Status, in.FiledOn, in.Reason, detail); err != nil {
			return err
		}
		if c.Status == StatusInvestigating {
			return s.event(ctx, tx, &c, actor, "approve", StatusFiling, StatusInvestigating, in.FiledOn, "负责人立案", nil)
		}
		return nil
	})
	return c, err
}

// event records a step of a case.
func (s *Service) event(ctx context.Context, tx *sqlx.Tx, c *Case, actor Actor, action, from, to, on, reason string, detail any) error {
	raw := []byte("{}")
	if detail != nil {
		var err error
		if raw, err = json.Marshal(detail); err != nil {
			return err
		}
	}
	name := actor.Name
	if name == "" && actor.ID != 0 {
		var err error
		if name, err = s.store.userName(ctx, tx, actor.ID); err != nil {
			return err
		}
	}
	return s.store.addEvent(ctx, tx, &Event{CountyCode: c.CountyCode, CaseID: c.ID, Action: action, FromStatus: from, ToStatus: to,
		ActorID: actor.ID, ActorName: name, OnDate: on, Reason: strings.TrimSpace(reason), Detail: string(raw)})
}

// Thresholds reads a province's 较大数额 (or the default).
func (s *Service) Thresholds(ctx context.Context, province string) (Thresholds, error) {
	return s.store.thresholds(ctx, s.db, province)
}

// SetThresholds stores a province's 较大数额 with the instrument that sets them.
func (s *Service) SetThresholds(ctx context.Context, province string, by int64, t Thresholds) (Thresholds, error) {
	f := map[string]string{}
	if t.IndividualYuan <= 0 || t.IndividualYuan > 100_000_000 {
		f["individual_yuan"] = "应为正整数（元）"
	}
	if t.OrganizationYuan <= 0 || t.OrganizationYuan > 100_000_000 {
		f["organization_yuan"] = "应为正整数（元）"
	}
	textField(f, "basis", t.Basis, true, 500)
	if len(f) > 0 {
		return Thresholds{}, apperr.Invalid("较大数额标准有误", f)
	}
	t.Province, t.UpdatedBy, t.UpdatedAt, t.Default = province, by, db.Now(), false
	return t, s.store.setThresholds(ctx, t)
}

// Get reads one of a county's cases.
func (s *Service) Get(ctx context.Context, county string, id int64) (Case, error) {
	return s.store.get(ctx, s.db, county, id)
}

// List reads a page of a county's cases.
func (s *Service) List(ctx context.Context, county string, f Filter) ([]Case, int, error) {
	return s.store.list(ctx, county, f, calendar.FormatDate(s.today()))
}

// Events reads a case's timeline.
func (s *Service) Events(ctx context.Context, county string, id int64) ([]Event, error) {
	return s.store.events(ctx, county, id)
}

// Investigators reads a case's officers.
func (s *Service) Investigators(ctx context.Context, county string, id int64) ([]Investigator, error) {
	return s.store.investigators(ctx, s.db, county, id)
}

// Documents reads a case's numbered documents with their numbers.
func (s *Service) Documents(ctx context.Context, county, countyName string, id int64) ([]Document, error) {
	list, err := s.store.documents(ctx, s.db, county, id)
	for i := range list {
		list[i].Title, _ = docInfo(list[i].Kind)
		list[i].DocNo = Number(countyName, list[i].Series, list[i].DocYear, list[i].DocSeq)
	}
	return list, err
}

// Lights are a case's warning lights as of a day: the decision clock (yellow
// in its last DecisionYellowDays days, red after it) and the payment clock
// (yellow in its last PaymentYellowDays days, red after).
func Lights(c Case, today time.Time) (decision, payment string) {
	decision, payment = WarningNone, WarningNone
	t := calendar.FormatDate(today)
	if Open(c.Status) && c.DecisionDue != "" {
		due, _ := calendar.ParseDate(c.DecisionDue)
		switch {
		case t > c.DecisionDue:
			decision = WarningRed
		case !today.Before(due.AddDate(0, 0, -DecisionYellowDays)):
			decision = WarningYellow
		}
	}
	if (c.Status == StatusServed || c.Status == StatusEnforcing) && c.PaymentDue != "" && c.PaidOn == "" && c.FineYuan > 0 {
		due, _ := calendar.ParseDate(c.PaymentDue)
		switch {
		case t > c.PaymentDue:
			payment = WarningRed
		case !today.Before(due.AddDate(0, 0, -PaymentYellowDays)):
			payment = WarningYellow
		}
	}
	return decision, payment
}

// DecisionYellowDays and PaymentYellowDays are how early the yellow lights
// come on (natural days, like the periods themselves): a product choice,
// not a legal one.
const (
	DecisionYellowDays = 10
	PaymentYellowDays  = 3
)

// province is the calendar region of a county.
func province(county string) string { return rbac.ProvinceOf(county) }

// ServiceWorkdays is the period of 第六十一条第一款: a decision not handed
// to the party on the spot is served "在七日内" under the 民事诉讼法; 七日
// are working days (第八十五条).
const ServiceWorkdays = 7

// ServiceDue is the last day to serve a case's decision ("" before it).
func (s *Service) ServiceDue(c Case) string {
	if c.DecidedOn == "" {
		return ""
	}
	d, _ := calendar.ParseDate(c.DecidedOn)
	due, _ := s.cal.AddWorkdays(province(c.CountyCode), d, ServiceWorkdays, nil)
	return calendar.FormatDate(due)
}

// PenaltyItems lists the county's published 行政处罚 items, the ones a
// penalty case may be opened on (by staff here or from an inspection
// finding).
func (s *Service) PenaltyItems(ctx context.Context, county string) ([]catalog.ItemView, error) {
	all, err := s.items.ListPublished(ctx, county)
	if err != nil {
		return nil, err
	}
	var out []catalog.ItemView
	for _, it := range all {
		if it.PowerType == "CF" {
			out = append(out, it)
		}
	}
	return out, nil
}

// Team is what the investigation form starts from.
type Team struct {
	// Inspected are the officers of the source inspection, in its order
	// (none when the case has no inspection).
	Inspected []int64
	// Certificates are the county's enforcement certificate numbers by user.
	Certificates map[int64]string
}
