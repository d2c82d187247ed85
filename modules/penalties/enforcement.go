package penalties

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
)

// openRemedy is the case's 复议 or 诉讼 still under way, or nil.
func (s *Service) openRemedy(ctx context.Context, q sqlx.QueryerContext, c Case) (*Remedy, error) {
	list, err := s.store.remedies(ctx, q, c.CountyCode, c.ID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].EndedOn == "" {
			return &list[i], nil
		}
	}
	return nil, nil
}

// remedy records a 行政复议 or 行政诉讼 brought against the decision, or how
// it ended. One runs at a time. While it lasts the surcharge stops
// (第七十三条第三款) and the bureau cannot apply to the court; the period
// for that application then follows the 复议决定 or the judgment, which the
// product does not compute, so enforcement_due is cleared. An outcome that
// ends the decision (撤销, 变更, 确认违法, 确认无效) records its revocation and
// withdraws its 双公示 entry in the same step (第四十八条第二款).
func (s *Service) remedy(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, in ActionInput, today time.Time) (string, any, error) {
	f := map[string]string{}
	open, err := s.openRemedy(ctx, tx, *c)
	if err != nil {
		return "", nil, err
	}
	if in.Action == "remedy" {
		if open != nil {
			return "", nil, apperr.Conflict("remedy_open", "本案已有尚未结束的"+RemedyKinds[open.Kind]+"，结束后才能记录新的复议或诉讼")
		}
		if _, ok := RemedyKinds[in.RemedyKind]; !ok {
			f["remedy_kind"] = "应为 reconsideration（行政复议）或 litigation（行政诉讼）"
		}
		textField(f, "remedy_body", in.RemedyBody, true, 200)
		checkDate(f, "remedy_started_on", in.RemedyStartedOn, today, c.DecidedOn, "决定日期")
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		r := Remedy{CountyCode: c.CountyCode, CaseID: c.ID, Kind: in.RemedyKind, Body: strings.TrimSpace(in.RemedyBody),
			StartedOn: in.RemedyStartedOn, CreatedBy: a.ID, CreatedAt: db.Now()}
		if err := s.store.addRemedy(ctx, tx, &r); err != nil {
			return "", nil, err
		}
		c.EnforcementDue, c.EnforcementWarning = "", WarningNone
		return r.StartedOn, map[string]any{"remedy_id": r.ID, "kind": r.Kind, "body": r.Body}, nil
	}

	if open == nil {
		return "", nil, apperr.Conflict("no_open_remedy", "本案没有尚未结束的行政复议或行政诉讼")
	}
	if _, ok := RemedyOutcomes[in.RemedyOutcome]; !ok {
		f["remedy_outcome"] = "应为 " + strings.Join(remedyOutcomeCodes(), "、") + " 之一"
	}
	checkDate(f, "remedy_ended_on", in.RemedyEndedOn, today, open.StartedOn, RemedyKinds[open.Kind]+"开始日期")
	revocation, ends := remedyRevocations[in.RemedyOutcome]
	if ends && c.RevokedOn != "" {
		return "", nil, apperr.Conflict("invalid_transition", "该处罚决定已记录撤销或变更")
	}
	if len(f) > 0 {
		return "", nil, invalid(f)
	}
	open.EndedOn, open.Outcome = in.RemedyEndedOn, in.RemedyOutcome
	if err := s.store.endRemedy(ctx, tx, *open); err != nil {
		return "", nil, err
	}
	detail := map[string]any{"remedy_id": open.ID, "kind": open.Kind, "outcome": open.Outcome}
	if ends {
		reason := RemedyKinds[open.Kind] + "结果：" + RemedyOutcomes[open.Outcome] + "（" + open.Body + "）"
		if r := strings.TrimSpace(in.Reason); r != "" {
			reason += "；" + r
		}
		w, err := s.revoke(ctx, tx, a, c, in.RemedyEndedOn, revocation, reason)
		if err != nil {
			return "", nil, err
		}
		detail["revocation"] = w
	}
	return in.RemedyEndedOn, detail, nil
}

func remedyOutcomeCodes() []string {
	return []string{"upheld", "revoked", "changed", "unlawful", "void", "withdrawn"}
}

// enforce records the 催告 of an unpaid fine and the application to the
// people's court (行政强制法 第五十三、五十四条). The 催告书 is served once
// the fine is overdue and is numbered (罚催); the application is made by the
// 负责人, no earlier than the day after the ten working days the 催告书
// gives, once the party's six months to sue have run out with no 复议 or
// 诉讼 under way, and names the court. An application after
// enforcement_due is recorded, not refused: the court decides whether a
// late one has 正当理由, and the red light stays in the record.
func (s *Service) enforce(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, in ActionInput, today time.Time, last, lastWhat string) (string, any, error) {
	f := map[string]string{}
	if c.FineYuan <= 0 {
		return "", nil, apperr.Conflict("invalid_transition", "本案没有罚款")
	}
	if c.RevokedOn != "" {
		return "", nil, apperr.Conflict("decision_revoked", "该处罚决定已于"+c.RevokedOn+"被"+revocationKind(c.Revocation)+"，不能再"+ActionTitles[in.Action])
	}
	if in.Action == "urge" {
		if c.UrgedOn != "" {
			return "", nil, apperr.Conflict("invalid_transition", "已于"+c.UrgedOn+"催告")
		}
		checkDate(f, "urged_on", in.UrgedOn, today, last, lastWhat)
		if f["urged_on"] == "" && in.UrgedOn <= c.PaymentDue {
			f["urged_on"] = "缴款期限（" + c.PaymentDue + "）届满后才能催告"
		}
		if len(f) > 0 {
			return "", nil, invalid(f)
		}
		c.UrgedOn = in.UrgedOn
		d := Document{CountyCode: c.CountyCode, CaseID: c.ID, Kind: DocUrge, IssuedOn: in.UrgedOn, IssuedBy: a.ID}
		if err := s.store.issue(ctx, tx, &d); err != nil {
			return "", nil, err
		}
		return in.UrgedOn, map[string]any{"document_id": d.ID}, nil
	}

	if c.UrgedOn == "" {
		return "", nil, apperr.Conflict("not_urged", "申请人民法院强制执行前应当催告当事人履行义务（《行政强制法》第五十四条）")
	}
	if open, err := s.openRemedy(ctx, tx, *c); err != nil {
		return "", nil, err
	} else if open != nil {
		return "", nil, apperr.Conflict("remedy_open", RemedyKinds[open.Kind]+"尚未结束，不能申请强制执行")
	}
	textField(f, "court", in.Court, true, 200)
	checkDate(f, "applied_on", in.AppliedOn, today, last, lastWhat)
	if f["applied_on"] == "" {
		urged, _ := calendar.ParseDate(c.UrgedOn)
		urgeEnds, _ := s.cal.AddWorkdays(province(c.CountyCode), urged, UrgeWorkdays, nil)
		sueEnds := SueEnds(c.ServedOn)
		switch {
		case in.AppliedOn <= calendar.FormatDate(urgeEnds):
			f["applied_on"] = "催告书送达后十个工作日（至" + calendar.FormatDate(urgeEnds) + "）届满后才能申请（《行政强制法》第五十四条、第六十九条）"
		case c.EnforcementDue != "" && in.AppliedOn <= sueEnds:
			f["applied_on"] = "当事人的起诉期限（至" + sueEnds + "）届满后才能申请（《行政强制法》第五十三条、《行政诉讼法》第四十六条）"
		}
	}
	if len(f) > 0 {
		return "", nil, invalid(f)
	}
	c.Status, c.EnforcementAppliedOn, c.EnforcementCourt = StatusEnforcing, in.AppliedOn, strings.TrimSpace(in.Court)
	late := c.EnforcementDue != "" && in.AppliedOn > c.EnforcementDue
	return in.AppliedOn, map[string]any{"court": c.EnforcementCourt, "enforcement_due": c.EnforcementDue, "late": late}, nil
}
