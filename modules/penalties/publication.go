package penalties

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
)

// PublishWorkdays is the 双公示 period: penalty decisions are published
// "自作出行政决定之日起7个工作日内" (国办发〔2015〕51号 and 国发〔2016〕33号 as
// quoted by 国家发展改革委办公厅 发改办财金〔2018〕424号, read with the search
// tool at guanchang.qwyd.net and credit.shiyan.gov.cn).
const PublishWorkdays = 7

// WithdrawWorkdays is the period of 行政处罚法 第四十八条第二款: a published
// decision that is changed, revoked, confirmed unlawful or void is withdrawn
// "在三日内" with the reason made public; 三日 are working days (第八十五条).
// The article's text is quoted from the law as the product knows it; the
// search tool found no page quoting it.
const WithdrawWorkdays = 3

// Publication is a decision as published on the county portal.
type Publication struct {
	CountyCode     string    `db:"county_code" json:"-"`
	CaseID         int64     `db:"case_id" json:"-"`
	DueOn          string    `db:"due_on" json:"due_on"`
	PublishedOn    string    `db:"published_on" json:"published_on"`
	PublishedBy    int64     `db:"published_by" json:"-"`
	DocNo          string    `db:"doc_no" json:"doc_no"`
	Body           string    `db:"body" json:"body"`
	Findings       string    `db:"findings" json:"-"`
	WithdrawDue    string    `db:"withdraw_due" json:"withdraw_due"`
	WithdrawnOn    string    `db:"withdrawn_on" json:"withdrawn_on"`
	WithdrawnBy    int64     `db:"withdrawn_by" json:"-"`
	WithdrawReason string    `db:"withdraw_reason" json:"withdraw_reason"`
	CreatedAt      time.Time `db:"created_at" json:"-"`
}

const publicationColumns = `county_code, case_id, due_on, published_on, published_by, doc_no, body, findings, withdraw_due,
	withdrawn_on, withdrawn_by, withdraw_reason, created_at`

// publication reads a case's publication; ok is false when none.
func (s *Store) publication(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Publication, bool, error) {
	var p Publication
	err := sqlx.GetContext(ctx, q, &p, `SELECT `+publicationColumns+` FROM penalty_publications WHERE county_code = ? AND case_id = ?`,
		county, id)
	if db.IsNoRows(err) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("penalties: publication: %w", err)
	}
	return p, true, nil
}

// Publication reads a case's publication; ok is false when none.
func (s *Service) Publication(ctx context.Context, county string, id int64) (Publication, bool, error) {
	return s.store.publication(ctx, s.db, county, id)
}

// PublicDecisions lists a county's published decisions, newest first: the
// standing ones with their text, the withdrawn ones with the reason only.
func (s *Service) PublicDecisions(ctx context.Context, county string, page, perPage int) ([]Publication, int, error) {
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM penalty_publications WHERE county_code = ?`, county); err != nil {
		return nil, 0, fmt.Errorf("penalties: publications: %w", err)
	}
	out := []Publication{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+publicationColumns+` FROM penalty_publications WHERE county_code = ?
		ORDER BY published_on DESC, case_id DESC LIMIT ? OFFSET ?`, county, perPage, (page-1)*perPage); err != nil {
		return nil, 0, fmt.Errorf("penalties: publications: %w", err)
	}
	for i := range out {
		if out[i].WithdrawnOn != "" {
			out[i].Body = ""
		}
	}
	return out, total, nil
}

// maskedParty is how the public text names the party: an organisation by
// name and credit code; a natural person by surname and 某某 only, never the
// ID number (个人信息 are not published).
func maskedParty(c Case) string {
	if c.PartyKind == PartyOrganization {
		if c.PartyCreditCode != "" {
			return c.PartyName + "（统一社会信用代码：" + c.PartyCreditCode + "）"
		}
		return c.PartyName
	}
	r := []rune(c.PartyName)
	if len(r) == 0 {
		return "某某"
	}
	return string(r[0]) + "某某"
}

// publicText composes the decision's public text.
func publicText(c Case, docNo, bureau, basis string) string {
	decision := fmt.Sprintf("罚款人民币%d元", c.FineYuan)
	if c.Outcome == OutcomeNoPenalty {
		decision = "不予行政处罚（" + c.MitigationGround + "）"
	}
	lines := []string{
		"行政处罚决定书文号：" + docNo,
		"处罚事项：" + c.ItemName,
		"行政相对人：" + maskedParty(c),
		"主要违法事实：" + c.Facts,
		"处罚依据：" + basis,
		"处罚结果：" + decision,
		"处罚决定日期：" + c.DecidedOn,
		"处罚机关：" + bureau,
	}
	return strings.Join(lines, "\n")
}

// publish composes, scans and masks the public text of a decision and
// stores it (the caller holds the case's row lock). The secrecy scan of the
// disclosure module runs over it with the county's own terms: ID numbers,
// mobile and bank-card numbers and the terms are masked, and a natural
// person's full name wherever it occurs; a secrecy mark stops the
// publication (400 naming body), since no mask makes such a document public.
func (s *Service) publish(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, on, countyName string) (any, error) {
	if _, ok, err := s.store.publication(ctx, tx, c.CountyCode, c.ID); err != nil {
		return nil, err
	} else if ok {
		return nil, apperr.Conflict("already_published", "该处罚决定已公示")
	}
	if c.RevokedOn != "" {
		return nil, apperr.Conflict("invalid_transition", "已撤销或变更的处罚决定不再公示")
	}
	var docNo string
	list, err := s.store.documents(ctx, tx, c.CountyCode, c.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if d.Kind == DocDecision {
			docNo = Number(countyName, d.Series, d.DocYear, d.DocSeq)
		}
	}
	item, err := s.item(ctx, c)
	if err != nil {
		return nil, err
	}
	text := publicText(*c, docNo, BureauName(countyName), item.LegalBasis)
	var terms []string
	if s.Terms != nil {
		if terms, err = s.Terms(ctx, c.CountyCode); err != nil {
			return nil, err
		}
	}
	findings := disclosure.Scan("body", text, terms)
	var marks []string
	var reds []disclosure.Redaction
	for _, f := range findings {
		for _, m := range disclosure.SecrecyMarks {
			if strings.Contains(f.Text, m) {
				marks = append(marks, f.Text)
			}
		}
		reds = append(reds, disclosure.Redaction{Field: "body", Start: f.Start, End: f.End})
	}
	if len(marks) > 0 {
		return nil, apperr.InvalidField("body", "公示内容含有密级标识（"+strings.Join(marks, "、")+"），不能公示，请先核实")
	}
	if c.PartyKind == PartyIndividual {
		reds = append(reds, disclosure.PhraseRedactions("body", text, c.PartyName)...)
		if c.PartyIDNumber != "" {
			reds = append(reds, disclosure.PhraseRedactions("body", text, c.PartyIDNumber)...)
		}
	}
	body := disclosure.MaskedPreview("body", text, reds)
	raw, _ := json.Marshal(findings)
	decided, _ := calendar.ParseDate(c.DecidedOn)
	due, _ := s.cal.AddWorkdays(province(c.CountyCode), decided, PublishWorkdays, nil)
	p := Publication{CountyCode: c.CountyCode, CaseID: c.ID, DueOn: calendar.FormatDate(due), PublishedOn: on, PublishedBy: a.ID,
		DocNo: docNo, Body: body, Findings: string(raw), CreatedAt: db.Now()}
	if _, err := tx.NamedExecContext(ctx, `INSERT INTO penalty_publications (`+publicationColumns+`) VALUES (:county_code, :case_id,
		:due_on, :published_on, :published_by, :doc_no, :body, :findings, :withdraw_due, :withdrawn_on, :withdrawn_by,
		:withdraw_reason, :created_at)`, p); err != nil {
		return nil, fmt.Errorf("penalties: publish: %w", err)
	}
	return map[string]any{"due_on": p.DueOn, "late": on > p.DueOn, "masked": len(reds)}, nil
}

// revoke records that the decision was changed, revoked, confirmed
// unlawful or void; a published decision must then be withdrawn within
// WithdrawWorkdays.
func (s *Service) revoke(ctx context.Context, tx *sqlx.Tx, c *Case, on, kind, reason string) (any, error) {
	c.RevokedOn, c.Revocation = on, kind+"："+strings.TrimSpace(reason)
	p, ok, err := s.store.publication(ctx, tx, c.CountyCode, c.ID)
	if err != nil || !ok || p.WithdrawnOn != "" {
		return map[string]any{"kind": kind}, err
	}
	d, _ := calendar.ParseDate(on)
	due, _ := s.cal.AddWorkdays(province(c.CountyCode), d, WithdrawWorkdays, nil)
	if _, err := tx.ExecContext(ctx, `UPDATE penalty_publications SET withdraw_due = ? WHERE county_code = ? AND case_id = ?`,
		calendar.FormatDate(due), c.CountyCode, c.ID); err != nil {
		return nil, fmt.Errorf("penalties: revoke: %w", err)
	}
	return map[string]any{"kind": kind, "withdraw_due": calendar.FormatDate(due)}, nil
}

// withdraw takes a publication off the portal with the reason made public.
func (s *Service) withdraw(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, on, reason string) (any, error) {
	p, ok, err := s.store.publication(ctx, tx, c.CountyCode, c.ID)
	if err != nil {
		return nil, err
	}
	if !ok || p.WithdrawnOn != "" {
		return nil, apperr.Conflict("invalid_transition", "该处罚决定未在公示中")
	}
	if on < p.PublishedOn {
		return nil, apperr.InvalidField("withdrawn_on", "撤回日期不能早于公示日期（"+p.PublishedOn+"）")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE penalty_publications SET withdrawn_on = ?, withdrawn_by = ?, withdraw_reason = ?
		WHERE county_code = ? AND case_id = ?`, on, a.ID, strings.TrimSpace(reason), c.CountyCode, c.ID); err != nil {
		return nil, fmt.Errorf("penalties: withdraw: %w", err)
	}
	return map[string]any{"late": p.WithdrawDue != "" && on > p.WithdrawDue}, nil
}
