package penalties

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
)

// ActionInput is the body of POST …/penalty-cases/{id}/actions: the action
// and the fields it takes (see README "Penalty cases").
type ActionInput struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
	// approve, extend
	ApprovedOn string `json:"approved_on"`
	Days       int    `json:"days"`
	// investigate
	Investigators []Investigator `json:"investigators"`
	Evidence      string         `json:"evidence"`
	InvestigateOn string         `json:"investigated_on"`
	// notify
	Penalty        string   `json:"penalty"`
	Penalties      []string `json:"penalties"`
	FineYuan       *int64   `json:"fine_yuan"`
	ConfiscateYuan int64    `json:"confiscate_yuan"`
	NotifiedOn     string   `json:"notified_on"`
	Major          bool     `json:"major"`
	// request_hearing
	RequestedOn string `json:"requested_on"`
	// schedule_hearing
	NoticeOn  string `json:"notice_on"`
	HearingOn string `json:"hearing_on"`
	Place     string `json:"place"`
	// hold_hearing
	HeldOn string `json:"held_on"`
	Record string `json:"record"`
	// legal_review
	ReviewedOn string `json:"reviewed_on"`
	Opinion    string `json:"opinion"`
	// decide
	DecidedOn            string   `json:"decided_on"`
	Outcome              string   `json:"outcome"`
	StandardID           string   `json:"standard_id"`
	TierLevel            string   `json:"tier_level"`
	Factors              []string `json:"factors"`
	Reasons              string   `json:"reasons"`
	MitigationGround     string   `json:"mitigation_ground"`
	CollectiveDiscussion string   `json:"collective_discussion"`
	// serve
	ServedOn string `json:"served_on"`
	// pay
	PaidOn   string   `json:"paid_on"`
	PaidYuan *float64 `json:"paid_yuan"`
	// close
	ClosedOn string `json:"closed_on"`
	// revoke (第四十八条: the 双公示 entry is withdrawn with it)
	RevokedOn  string `json:"revoked_on"`
	Revocation string `json:"revocation"`
	// remedy: a 行政复议 or 行政诉讼 the party brought, before whom
	RemedyKind      string `json:"remedy_kind"`
	RemedyBody      string `json:"remedy_body"`
	RemedyStartedOn string `json:"remedy_started_on"`
	// remedy_end: how it ended (upheld, revoked, changed, unlawful, void,
	// withdrawn); an outcome that ends the decision revokes it
	RemedyEndedOn string `json:"remedy_ended_on"`
	RemedyOutcome string `json:"remedy_outcome"`
	// urge: the day the 催告书 was served
	UrgedOn string `json:"urged_on"`
	// apply_enforcement: the application to the people's court
	AppliedOn string `json:"applied_on"`
	Court     string `json:"court"`
}

// Revocations are the ways 第四十八条第二款 names a published decision ceasing
// to stand.
var Revocations = []string{"变更", "撤销", "确认违法", "确认无效"}

// allowed lists the states each action may be taken in.
var allowed = map[string][]string{
	"approve":           {StatusFiling},
	"investigate":       {StatusInvestigating},
	"notify":            {StatusInvestigating},
	"request_hearing":   {StatusNotified},
	"schedule_hearing":  {StatusHearingRequested},
	"hold_hearing":      {StatusHearingScheduled},
	"legal_review":      {StatusNotified, StatusHeard},
	"decide":            {StatusNotified, StatusReviewed},
	"serve":             {StatusDecided},
	"pay":               {StatusServed, StatusEnforcing},
	"close":             {StatusDecided, StatusServed, StatusPaid, StatusEnforcing}, // decided: only once revoked
	"revoke":            {StatusDecided, StatusServed, StatusPaid, StatusClosed, StatusEnforcing},
	"remedy":            {StatusDecided, StatusServed, StatusPaid, StatusClosed, StatusEnforcing}, // 结案 may precede a suit
	"remedy_end":        {StatusDecided, StatusServed, StatusPaid, StatusClosed, StatusEnforcing},
	"urge":              {StatusServed},
	"apply_enforcement": {StatusServed},
	"extend":            {StatusFiling, StatusInvestigating, StatusNotified, StatusHearingRequested, StatusHearingScheduled, StatusHeard, StatusReviewed},
}

// Actions lists the action names.
func Actions() []string {
	out := make([]string, 0, len(allowed))
	for a := range allowed {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// lastDate is the latest step date recorded on a case, which a new step may
// not precede ("dates out of order").
func lastDate(c Case) (string, string) {
	best, what := c.FiledOn, "立案日期"
	for _, d := range []struct{ v, what string }{
		{c.NotifiedOn, "告知日期"}, {c.HearingRequestedOn, "听证申请日期"}, {c.HearingNoticeOn, "听证通知日期"},
		{c.HeardOn, "听证日期"}, {c.LegalReviewedOn, "法制审核日期"}, {c.DecidedOn, "决定日期"}, {c.ServedOn, "送达日期"},
		{c.PaidOn, "缴款日期"}, {c.UrgedOn, "催告书送达日期"}, {c.EnforcementAppliedOn, "申请强制执行日期"},
	} {
		if d.v > best {
			best, what = d.v, d.what
		}
	}
	return best, what
}

// Act takes an action on a county's case. A wrong field is a 400 naming it
// and stores nothing; an action the state does not allow is a 409; an
// action by someone without the step's role (or an investigator deciding or
// reviewing) is a 403 naming the field.
func (s *Service) Act(ctx context.Context, actor Actor, county string, id int64, in ActionInput) (Case, error) {
	states, ok := allowed[in.Action]
	if !ok {
		return Case{}, apperr.InvalidField("action", "未知的操作："+in.Action)
	}
	if err := s.mayAct(actor, in.Action); err != nil {
		return Case{}, err
	}
	if len([]rune(in.Reason)) > 2000 {
		return Case{}, apperr.InvalidField("reason", "不超过2000字")
	}
	countyName, err := s.counties.CountyName(ctx, county)
	if err != nil {
		return Case{}, err
	}
	var c Case
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, err = s.store.lockForUpdate(ctx, tx, county, id); err != nil {
			return err
		}
		if !slices.Contains(states, c.Status) {
			return apperr.Conflict("invalid_transition", fmt.Sprintf("案件当前状态为“%s”，不能%s", StatusTitles[c.Status], ActionTitles[in.Action]))
		}
		// A decision revoked, changed, confirmed unlawful or void (第四十八条
		// 第二款 records it) is no longer served or enforced; the case is
		// closed instead.
		if c.RevokedOn != "" && (in.Action == "serve" || in.Action == "pay") {
			return apperr.Conflict("decision_revoked", "该处罚决定已于"+c.RevokedOn+"被"+revocationKind(c.Revocation)+"，不能再"+ActionTitles[in.Action])
		}
		from := c.Status
		on, detail, err := s.apply(ctx, tx, actor, &c, in, countyName)
		if err != nil {
			return err
		}
		c.UpdatedAt = time.Now().UTC()
		if err := s.store.update(ctx, tx, &c); err != nil {
			return err
		}
		return s.event(ctx, tx, &c, actor, in.Action, from, c.Status, on, in.Reason, detail)
	})
	return c, err
}

// mayAct checks the role a step needs.
func (s *Service) mayAct(a Actor, action string) error {
	need := map[string]bool{
		"approve": a.CanApprove, "extend": a.CanApprove, "decide": a.CanApprove,
		"legal_review": a.CanReview, "revoke": a.CanApprove,
		"investigate": a.CanInvestigate, "notify": a.CanInvestigate, "request_hearing": a.CanInvestigate,
		"schedule_hearing": a.CanInvestigate, "hold_hearing": a.CanInvestigate, "serve": a.CanInvestigate,
		"pay": a.CanInvestigate, "close": a.CanInvestigate, "urge": a.CanInvestigate, "apply_enforcement": a.CanApprove,
		// 复议 and 诉讼 are answered by the bureau's legal staff or the officers.
		"remedy": a.CanReview || a.CanInvestigate, "remedy_end": a.CanReview || a.CanInvestigate,
	}
	if !need[action] {
		who := map[string]string{"approve": "负责人", "extend": "负责人", "decide": "负责人", "revoke": "负责人",
			"apply_enforcement": "负责人", "legal_review": "法制审核人员", "remedy": "执法人员或法制审核人员",
			"remedy_end": "执法人员或法制审核人员"}[action]
		if who == "" {
			who = "执法人员"
		}
		return apperr.Forbidden("forbidden", "该操作只能由"+who+"办理")
	}
	return nil
}

// apply checks an action against the case and changes the case; it returns
// the step's date and its detail for the timeline.
func (s *Service) apply(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, in ActionInput, countyName string) (string, any, error) {
	today := s.today()
	last, lastWhat := lastDate(*c)
	var inv string
	if err := tx.GetContext(ctx, &inv, `SELECT COALESCE(MAX(on_date), '') FROM penalty_events WHERE county_code = ? AND case_id = ?
		AND action IN ('approve', 'investigate')`, c.CountyCode, c.ID); err != nil {
		return "", nil, fmt.Errorf("penalties: last step: %w", err)
	}
	if inv > last {
		last, lastWhat = inv, "立案批准或调查取证日期"
	}
	f := map[string]string{}
	switch in.Action {
	case "approve":
		if in.ApprovedOn == "" {
			in.ApprovedOn = calendar.FormatDate(today)
		}
		checkDate(f, "approved_on", in.ApprovedOn, today, last, lastWhat)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		c.Status, c.FilingApprovedBy = StatusInvestigating, a.ID
		return in.ApprovedOn, nil, nil

	case "extend":
		if c.ExtensionDays > 0 {
			return "", nil, apperr.Conflict("already_extended", "办案期限已延长过一次")
		}
		if calendar.FormatDate(today) > c.DecisionDue {
			return "", nil, apperr.Conflict("deadline_passed", "决定期限已届满，不能再延长")
		}
		if in.Days < 1 || in.Days > MaxExtensionDays {
			f["days"] = fmt.Sprintf("延长天数应为1至%d日", MaxExtensionDays)
		}
		textField(f, "reason", in.Reason, true, 2000)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		due, _ := calendar.ParseDate(c.DecisionDue)
		c.ExtensionDays = in.Days
		c.DecisionDue = calendar.FormatDate(due.AddDate(0, 0, in.Days))
		c.Warning = WarningNone
		return calendar.FormatDate(today), map[string]any{"days": in.Days, "decision_due": c.DecisionDue}, nil

	case "investigate":
		on := in.InvestigateOn
		if on == "" {
			on = calendar.FormatDate(today)
		}
		checkDate(f, "investigated_on", on, today, last, lastWhat)
		if err := s.checkInvestigators(ctx, c.CountyCode, in.Investigators, f); err != nil {
			return "", nil, err
		}
		textField(f, "evidence", in.Evidence, false, 10000)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		for i, inv := range in.Investigators {
			if err := s.store.addInvestigator(ctx, tx, c.CountyCode, c.ID, inv); err != nil {
				return "", nil, err
			}
			// The timeline keeps the officer's name as it was.
			name, err := s.store.userName(ctx, tx, inv.UserID)
			if err != nil {
				return "", nil, err
			}
			in.Investigators[i].Name = name
		}
		return on, map[string]any{"investigators": in.Investigators, "evidence": in.Evidence}, nil

	case "notify":
		return s.notify(ctx, tx, a, c, in, today, last, lastWhat)

	case "request_hearing":
		checkDate(f, "requested_on", in.RequestedOn, today, last, lastWhat)
		if !c.HearingRequired {
			f["requested_on"] = "拟作出的处罚不属于第六十三条规定的听证范围"
		} else if f["requested_on"] == "" && in.RequestedOn > c.HearingRequestDue {
			f["requested_on"] = "听证申请已超过告知后五个工作日的期限（" + c.HearingRequestDue + "）"
		}
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		c.Status, c.HearingRequestedOn = StatusHearingRequested, in.RequestedOn
		return in.RequestedOn, nil, nil

	case "schedule_hearing":
		checkDate(f, "notice_on", in.NoticeOn, today, last, lastWhat)
		hearing, err := calendar.ParseDate(in.HearingOn)
		if err != nil {
			f["hearing_on"] = "日期格式应为 YYYY-MM-DD"
		} else if notice, err := calendar.ParseDate(in.NoticeOn); err == nil {
			earliest, _ := s.cal.AddWorkdays(province(c.CountyCode), notice, HearingNoticeWorkdays, nil)
			if hearing.Before(earliest) {
				f["hearing_on"] = "应当在举行听证的七个工作日前通知当事人：最早可定于" + calendar.FormatDate(earliest)
			}
		}
		textField(f, "place", in.Place, true, 200)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		c.Status, c.HearingNoticeOn, c.HearingOn = StatusHearingScheduled, in.NoticeOn, in.HearingOn
		d := Document{CountyCode: c.CountyCode, CaseID: c.ID, Kind: DocHearing, IssuedOn: in.NoticeOn, IssuedBy: a.ID}
		if err := s.store.issue(ctx, tx, &d); err != nil {
			return "", nil, err
		}
		return in.NoticeOn, map[string]any{"hearing_on": in.HearingOn, "place": in.Place,
			"doc_no": Number(countyName, d.Series, d.DocYear, d.DocSeq)}, nil

	case "hold_hearing":
		checkDate(f, "held_on", in.HeldOn, today, last, lastWhat)
		if f["held_on"] == "" && in.HeldOn < c.HearingOn {
			f["held_on"] = "听证日期不能早于通知的听证日期（" + c.HearingOn + "）"
		}
		textField(f, "record", in.Record, true, 20000)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		c.Status, c.HeardOn = StatusHeard, in.HeldOn
		return in.HeldOn, map[string]any{"record": in.Record}, nil

	case "legal_review":
		checkDate(f, "reviewed_on", in.ReviewedOn, today, last, lastWhat)
		textField(f, "opinion", in.Opinion, true, 10000)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		if inv, err := s.isInvestigator(ctx, tx, c, a.ID); err != nil {
			return "", nil, err
		} else if inv {
			return "", nil, &apperr.Error{Status: 403, Code: "investigator_excluded", Message: "参与调查的执法人员不能进行法制审核",
				Fields: map[string]string{"reviewed_by": "审核人员参与了本案调查"}}
		}
		c.Status, c.LegalReviewedOn, c.LegalReviewerID, c.LegalOpinion = StatusReviewed, in.ReviewedOn, a.ID, strings.TrimSpace(in.Opinion)
		return in.ReviewedOn, map[string]any{"opinion": c.LegalOpinion}, nil

	case "decide":
		return s.decide(ctx, tx, a, c, in, today, last, lastWhat, countyName)

	case "serve":
		checkDate(f, "served_on", in.ServedOn, today, last, lastWhat)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		served, _ := calendar.ParseDate(in.ServedOn)
		c.Status, c.ServedOn = StatusServed, in.ServedOn
		if c.FineYuan > 0 {
			c.PaymentDue = calendar.FormatDate(served.AddDate(0, 0, PaymentDays))
			if open, err := s.openRemedy(ctx, tx, *c); err != nil {
				return "", nil, err
			} else if open == nil {
				c.EnforcementDue = EnforcementDue(in.ServedOn)
			}
		}
		// Served after the seven working days of 第六十一条: recorded, not
		// refused (the service happened; the delay is the bureau's).
		due := s.ServiceDue(*c)
		return in.ServedOn, map[string]any{"payment_due": c.PaymentDue, "service_due": due, "late": in.ServedOn > due}, nil

	case "pay":
		if c.FineYuan <= 0 {
			return "", nil, apperr.Conflict("invalid_transition", "本案没有罚款")
		}
		checkDate(f, "paid_on", in.PaidOn, today, last, lastWhat)
		if in.PaidYuan == nil {
			f["paid_yuan"] = "请填写缴纳金额（元）"
		}
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		paid, _ := calendar.ParseDate(in.PaidOn)
		remedies, err := s.store.remedies(ctx, tx, c.CountyCode, c.ID)
		if err != nil {
			return "", nil, err
		}
		sur := SurchargeFen(c.FineYuan, c.PaymentDue, "", paid, remedies)
		want := c.FineYuan*100 + sur
		got := int64(*in.PaidYuan*100 + 0.5)
		if got != want {
			return "", nil, apperr.InvalidField("paid_yuan", fmt.Sprintf("应缴金额为%.2f元（罚款%d元、加处罚款%.2f元）", FenToYuan(want), c.FineYuan, FenToYuan(sur)))
		}
		c.Status, c.PaidOn, c.PaidFen, c.PaymentWarning = StatusPaid, in.PaidOn, got, WarningNone
		return in.PaidOn, map[string]any{"paid_yuan": FenToYuan(got), "surcharge_yuan": FenToYuan(sur)}, nil

	case "revoke":
		on := in.RevokedOn
		if on == "" {
			on = calendar.FormatDate(today)
		}
		checkDate(f, "revoked_on", on, today, c.DecidedOn, "决定日期")
		// The reason is published with the withdrawal, after the kind
		// ("撤销：…"), within publicity's 500 characters.
		textField(f, "reason", in.Reason, true, 490)
		if !slices.Contains(Revocations, in.Revocation) {
			f["revocation"] = "应为 " + strings.Join(Revocations, "、") + " 之一"
		}
		if c.RevokedOn != "" {
			return "", nil, apperr.Conflict("invalid_transition", "该处罚决定已记录撤销或变更")
		}
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		detail, err := s.revoke(ctx, tx, a, c, on, in.Revocation, in.Reason)
		return on, detail, err

	case "remedy", "remedy_end":
		return s.remedy(ctx, tx, a, c, in, today)

	case "urge", "apply_enforcement":
		return s.enforce(ctx, tx, a, c, in, today, last, lastWhat)

	case "close":
		if c.Status == StatusDecided && c.RevokedOn == "" {
			return "", nil, apperr.Conflict("invalid_transition", "处罚决定尚未送达，不能结案")
		}
		if c.Status == StatusServed && c.FineYuan > 0 && c.RevokedOn == "" {
			return "", nil, apperr.Conflict("invalid_transition", "罚款尚未缴纳，不能结案")
		}
		on := in.ClosedOn
		if on == "" {
			on = calendar.FormatDate(today)
		}
		checkDate(f, "closed_on", on, today, last, lastWhat)
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		c.Status, c.ClosedOn = StatusClosed, on
		return on, nil, nil
	}
	return "", nil, apperr.InvalidField("action", "未知的操作")
}

// checkInvestigators: at least two distinct officers of the county
// (第四十二条第一款 "执法人员不得少于两人"), each with a certificate number.
func (s *Service) checkInvestigators(ctx context.Context, county string, list []Investigator, f map[string]string) error {
	if len(list) < 2 {
		f["investigators"] = "调查取证的执法人员不得少于两人"
	}
	seen := map[int64]bool{}
	for i, inv := range list {
		p := fmt.Sprintf("investigators[%d]", i)
		inv.CertNo = strings.TrimSpace(inv.CertNo)
		list[i].CertNo = inv.CertNo
		if inv.CertNo == "" || len(inv.CertNo) > 32 {
			f[p+".cert_no"] = "请填写执法证件号（不超过32个字符）"
		}
		if seen[inv.UserID] {
			f[p+".user_id"] = "同一执法人员重复"
			continue
		}
		seen[inv.UserID] = true
		ok, err := s.checker.Check(ctx, inv.UserID, county, InvestigatePermission)
		if err != nil {
			return err
		}
		if !ok || inv.UserID <= 0 {
			f[p+".user_id"] = "不是本县的执法人员（county_officer）"
		}
	}
	return nil
}

func (s *Service) isInvestigator(ctx context.Context, q sqlx.QueryerContext, c *Case, userID int64) (bool, error) {
	list, err := s.store.investigators(ctx, q, c.CountyCode, c.ID)
	if err != nil {
		return false, err
	}
	for _, i := range list {
		if i.UserID == userID {
			return true, nil
		}
	}
	return false, nil
}

// penaltyKinds reads the notify body's kinds (penalty or penalties).
func penaltyKinds(in ActionInput, f map[string]string) []string {
	kinds := in.Penalties
	if in.Penalty != "" {
		kinds = append([]string{in.Penalty}, kinds...)
	}
	var out []string
	for _, k := range kinds {
		if PenaltyTitle(k) == "" {
			f["penalty"] = "未知的处罚种类：" + k
			continue
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 && f["penalty"] == "" {
		f["penalty"] = "请选择拟作出的处罚种类"
	}
	return out
}

// statutoryRange is the envelope of an item's standards' tiers: the lowest
// and the highest fine any of them allows, which the product takes as the
// statutory range (the standards refine the 罚则 within it).
func statutoryRange(item catalog.ItemView, partyKind string) *catalog.Range {
	var out *catalog.Range
	for _, st := range item.Discretion {
		for _, t := range st.Tiers {
			if t.Fine == nil || !t.AppliesToParty(partyKind) {
				continue
			}
			r := *t.Fine
			if out == nil {
				out = &r
				continue
			}
			if r.Min < out.Min || (r.Min == out.Min && r.MinInclusive) {
				out.Min, out.MinInclusive = r.Min, r.MinInclusive
			}
			if r.Max > out.Max || (r.Max == out.Max && r.MaxInclusive) {
				out.Max, out.MaxInclusive = r.Max, r.MaxInclusive
			}
		}
	}
	return out
}

func (s *Service) item(ctx context.Context, c *Case) (catalog.ItemView, error) {
	return s.items.GetPublished(ctx, c.CountyCode, c.ItemCode)
}

// notify records the 告知 (第四十四条): the proposed penalty, and computes
// whether the party may ask for a hearing (第六十三条) and until when.
func (s *Service) notify(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, in ActionInput, today time.Time, last, lastWhat string) (string, any, error) {
	f := map[string]string{}
	checkDate(f, "notified_on", in.NotifiedOn, today, last, lastWhat)
	kinds := penaltyKinds(in, f)
	var fine int64
	if slices.Contains(kinds, "fine") {
		if in.FineYuan == nil || *in.FineYuan <= 0 {
			f["fine_yuan"] = "拟处罚款应为正整数（元）"
		} else {
			fine = *in.FineYuan
		}
	} else if in.FineYuan != nil && *in.FineYuan != 0 {
		f["fine_yuan"] = "处罚种类中没有罚款"
	}
	if in.ConfiscateYuan < 0 || (in.ConfiscateYuan > 0 && !slices.Contains(kinds, "confiscate")) {
		f["confiscate_yuan"] = "没收金额应为非负整数，且处罚种类中应有没收"
	}
	investigators, err := s.store.investigators(ctx, tx, c.CountyCode, c.ID)
	if err != nil {
		return "", nil, err
	}
	if len(investigators) < 2 {
		f["investigators"] = "告知前应记录至少两名执法人员的调查取证（investigate）"
	}
	if len(f) > 0 {
		return "", nil, invalid(f)
	}
	item, err := s.item(ctx, c)
	if err != nil {
		return "", nil, err
	}
	if r := statutoryRange(item, c.PartyKind); fine > 0 && r != nil && fine > r.Max {
		return "", nil, apperr.InvalidField("fine_yuan", "拟处罚款超出法定幅度（"+r.Describe()+"）")
	}
	th, err := s.store.thresholds(ctx, tx, province(c.CountyCode))
	if err != nil {
		return "", nil, err
	}
	required, why := HearingRequired(kinds, fine, in.ConfiscateYuan, c.PartyKind, th)
	notified, _ := calendar.ParseDate(in.NotifiedOn)
	c.Status, c.NotifiedOn, c.Penalties, c.ProposedFineYuan, c.ConfiscateYuan = StatusNotified, in.NotifiedOn, strings.Join(kinds, ","), fine, in.ConfiscateYuan
	c.HearingRequired, c.HearingRequestDue, c.Major = required, "", c.Major || in.Major
	if required {
		due, _ := s.cal.AddWorkdays(province(c.CountyCode), notified, HearingRequestWorkdays, nil)
		c.HearingRequestDue = calendar.FormatDate(due)
	}
	d := Document{CountyCode: c.CountyCode, CaseID: c.ID, Kind: DocNotice, IssuedOn: in.NotifiedOn, IssuedBy: a.ID}
	if err := s.store.issue(ctx, tx, &d); err != nil {
		return "", nil, err
	}
	return in.NotifiedOn, map[string]any{"penalties": kinds, "fine_yuan": fine, "hearing_required": required,
		"hearing_basis": why, "hearing_request_due": c.HearingRequestDue, "major": c.Major}, nil
}

// decide records the decision of the 负责人 (第五十七条), bound to the item's
// discretion standard.
func (s *Service) decide(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, in ActionInput, today time.Time, last, lastWhat, countyName string) (string, any, error) {
	if inv, err := s.isInvestigator(ctx, tx, c, a.ID); err != nil {
		return "", nil, err
	} else if inv {
		return "", nil, &apperr.Error{Status: 403, Code: "investigator_excluded", Message: "参与调查的执法人员不能作出处罚决定",
			Fields: map[string]string{"decided_by": "决定人参与了本案调查"}}
	}
	f := map[string]string{}
	checkDate(f, "decided_on", in.DecidedOn, today, last, lastWhat)
	if c.HearingRequired && c.HearingRequestedOn == "" && f["decided_on"] == "" && in.DecidedOn <= c.HearingRequestDue {
		f["decided_on"] = "听证申请期限（" + c.HearingRequestDue + "）届满前不能作出决定"
	}
	outcome := in.Outcome
	if outcome == "" {
		outcome = OutcomePenalty
	}
	var fine int64
	if in.FineYuan != nil {
		fine = *in.FineYuan
	}
	if fine < 0 {
		f["fine_yuan"] = "罚款不能为负数"
	}
	textField(f, "reasons", in.Reasons, false, 10000)
	textField(f, "collective_discussion", in.CollectiveDiscussion, false, 10000)
	ground := ""
	switch outcome {
	case OutcomePenalty:
	case OutcomeReduced, OutcomeNoPenalty:
		t, ok := groundTitle(in.MitigationGround, outcome)
		if !ok {
			f["mitigation_ground"] = "请选择减轻（第三十二条）或不予处罚（第三十三条）的法定情形"
		}
		ground = t
		if outcome == OutcomeNoPenalty && fine != 0 {
			f["fine_yuan"] = "不予行政处罚时罚款应为0"
		}
	default:
		f["outcome"] = "应为 penalty、reduced 或 no_penalty"
	}
	if len(f) > 0 {
		return "", nil, invalid(f)
	}
	item, err := s.item(ctx, c)
	if err != nil {
		return "", nil, err
	}
	// The standard and tier (required when the item has standards).
	var std *catalog.Standard
	var tier *catalog.Tier
	for i := range item.Discretion {
		if item.Discretion[i].ID == in.StandardID {
			std = &item.Discretion[i]
		}
	}
	if len(item.Discretion) > 0 && outcome != OutcomeNoPenalty {
		if std == nil {
			f["standard_id"] = "请选择该事项的裁量基准"
		} else {
			for i := range std.Tiers {
				if std.Tiers[i].Level == in.TierLevel {
					tier = &std.Tiers[i]
				}
			}
			switch {
			case tier == nil:
				f["tier_level"] = "请选择该裁量基准的阶次"
			case !tier.AppliesToParty(c.PartyKind):
				f["tier_level"] = "该阶次不适用于此类当事人（" + map[string]string{catalog.TierOrganization: "单位", catalog.TierIndividual: "个人、责任人员"}[tier.AppliesTo] + "适用）"
			}
		}
		for i, fa := range in.Factors {
			if std != nil && !slices.Contains(std.Aggravating, fa) && !slices.Contains(std.Mitigating, fa) {
				f[fmt.Sprintf("factors[%d]", i)] = "不是该基准列明的从重、从轻情节：" + fa
			}
		}
	}
	if len(f) > 0 {
		return "", nil, invalid(f)
	}
	if r := statutoryRange(item, c.PartyKind); r != nil && fine > 0 && fine > r.Max {
		return "", nil, apperr.InvalidField("fine_yuan", "罚款超出法定幅度（"+r.Describe()+"）")
	}
	if tier != nil && tier.Fine != nil && outcome != OutcomeNoPenalty {
		switch {
		case tier.Fine.Contains(fine):
			if outcome == OutcomeReduced {
				return "", nil, apperr.InvalidField("outcome", "罚款在阶次幅度内，不属于减轻处罚")
			}
		case outcome == OutcomeReduced && fine < tier.Fine.Min:
		default:
			return "", nil, apperr.InvalidField("fine_yuan", fmt.Sprintf("罚款应在“%s”阶次的幅度内（%s）；低于幅度须以减轻处罚并记录法定情形", tier.Level, tier.Fine.Describe()))
		}
	}
	if c.ProposedFineYuan > 0 && fine > c.ProposedFineYuan {
		return "", nil, apperr.InvalidField("fine_yuan", fmt.Sprintf("罚款不得高于告知的拟处罚款%d元（第四十五条：不得因陈述申辩加重处罚）", c.ProposedFineYuan))
	}
	kinds := c.PenaltyList()
	if fine > 0 && !slices.Contains(kinds, "fine") {
		return "", nil, apperr.InvalidField("fine_yuan", "告知的处罚种类中没有罚款，须重新告知")
	}
	th, err := s.store.thresholds(ctx, tx, province(c.CountyCode))
	if err != nil {
		return "", nil, err
	}
	if need, _ := HearingRequired(kinds, fine, c.ConfiscateYuan, c.PartyKind, th); need && !c.HearingRequired {
		return "", nil, apperr.InvalidField("fine_yuan", "该处罚应当告知听证权利，须重新告知")
	}
	// 集体讨论 (第五十七条第二款) and 法制审核 (第五十八条).
	major := c.Major || (tier != nil && tier.RequiresCollectiveDiscussion)
	if major && strings.TrimSpace(in.CollectiveDiscussion) == "" {
		return "", nil, apperr.InvalidField("collective_discussion", "情节复杂或者重大违法行为须经负责人集体讨论决定：请记录集体讨论的日期、参加人和结论")
	}
	if (major || c.HeardOn != "") && c.LegalReviewedOn == "" {
		return "", nil, apperr.InvalidField("legal_review", "依第五十八条须先经法制审核")
	}
	factors, _ := json.Marshal(append([]string{}, in.Factors...))
	c.Status, c.DecidedOn, c.DecidedBy, c.Outcome, c.FineYuan = StatusDecided, in.DecidedOn, a.ID, outcome, fine
	c.StandardID, c.TierLevel, c.Factors, c.Reasons = in.StandardID, in.TierLevel, string(factors), strings.TrimSpace(in.Reasons)
	c.MitigationGround, c.CollectiveDiscussion, c.Warning = ground, strings.TrimSpace(in.CollectiveDiscussion), WarningNone
	if outcome == OutcomeNoPenalty {
		c.FineYuan, c.StandardID, c.TierLevel = 0, "", ""
	}
	d := Document{CountyCode: c.CountyCode, CaseID: c.ID, Kind: DocDecision, IssuedOn: in.DecidedOn, IssuedBy: a.ID}
	if err := s.store.issue(ctx, tx, &d); err != nil {
		return "", nil, err
	}
	docNo := Number(countyName, d.Series, d.DocYear, d.DocSeq)
	// 双公示: the decision falls due for publication with its number.
	if err := s.recordPublication(ctx, tx, c, docNo, item.LegalBasis); err != nil {
		return "", nil, err
	}
	return in.DecidedOn, map[string]any{"outcome": outcome, "fine_yuan": c.FineYuan, "standard_id": c.StandardID, "tier_level": c.TierLevel,
		"factors": in.Factors, "mitigation_ground": ground, "doc_no": docNo}, nil
}

// revocationKind is the kind of a recorded revocation ("撤销：…" → 撤销).
func revocationKind(revocation string) string {
	kind, _, _ := strings.Cut(revocation, "：")
	if kind == "" {
		return "撤销或变更"
	}
	return kind
}
