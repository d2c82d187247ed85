package penalties

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/publicity"
)

// PublicitySource names a penalty case as the source of its 双公示 entry
// (modules/publicity): one entry per case, recorded when it is decided.
const PublicitySource = "penalty_case"

// publicContent is what 双公示 publishes of a decision besides the fields
// publicity keeps apart (number, item, party, basis, date): the main facts
// and the result — every penalty imposed (罚款人民币N元 for the fine), or
// 不予行政处罚 with its statutory ground. A natural person's full name and
// ID number are replaced in the facts (the party is published by surname,
// 行政处罚法 第四十八条 protecting personal privacy), and the county's own
// sensitive terms masked as the confidentiality scan finds them; phones,
// ID and bank-card numbers are masked again by publicity's scan before
// publication, and a secrecy mark there stops it.
func publicContent(c Case, terms []string) string {
	facts := c.Facts
	if c.PartyKind == PartyIndividual {
		if c.PartyIDNumber != "" {
			facts = strings.ReplaceAll(facts, c.PartyIDNumber, strings.Repeat("＊", len([]rune(c.PartyIDNumber))))
		}
		if name := strings.TrimSpace(c.PartyName); name != "" {
			facts = strings.ReplaceAll(facts, name, publicity.MaskPersonName(name))
		}
	}
	if len(terms) > 0 {
		var reds []disclosure.Redaction
		for _, f := range disclosure.Scan("facts", facts, terms) {
			if f.Kind == disclosure.FindingCountyTerm {
				reds = append(reds, disclosure.Redaction{Field: "facts", Start: f.Start, End: f.End})
			}
		}
		facts = disclosure.MaskedPreview("facts", facts, reds)
	}
	return "主要违法事实：" + facts + "\n处罚结果：" + penaltyResult(c)
}

// penaltyResult is the decision's result as published.
func penaltyResult(c Case) string {
	if c.Outcome == OutcomeNoPenalty {
		return "不予行政处罚（" + c.MitigationGround + "）"
	}
	var parts []string
	for _, k := range c.PenaltyList() {
		switch {
		case k == "fine" && c.FineYuan > 0:
			parts = append(parts, fmt.Sprintf("罚款人民币%d元", c.FineYuan))
		case k == "fine":
		case k == "confiscate" && c.ConfiscateYuan > 0:
			parts = append(parts, fmt.Sprintf("%s（%d元）", PenaltyTitle(k), c.ConfiscateYuan))
		default:
			parts = append(parts, PenaltyTitle(k))
		}
	}
	if len(parts) == 0 && c.FineYuan > 0 {
		parts = append(parts, fmt.Sprintf("罚款人民币%d元", c.FineYuan))
	}
	out := strings.Join(parts, "；")
	if c.Outcome == OutcomeReduced && c.MitigationGround != "" {
		out += "（减轻处罚：" + c.MitigationGround + "）"
	}
	return out
}

// recordPublication records a decision for 双公示 in the transaction of the
// decision, once its 决定书 is numbered: every decision is published, the
// one not to penalise included (as the module published them before
// modules/publicity took the publication over).
func (s *Service) recordPublication(ctx context.Context, tx *sqlx.Tx, c *Case, docNo, basis string) error {
	if s.Publicity == nil {
		return fmt.Errorf("penalties: publicity is not wired")
	}
	var terms []string
	if s.Terms != nil {
		var err error
		if terms, err = s.Terms(ctx, c.CountyCode); err != nil {
			return err
		}
	}
	return s.Publicity.Record(ctx, tx, publicity.Decision{CountyCode: c.CountyCode, Kind: publicity.KindPenalty,
		SourceKind: PublicitySource, SourceID: c.ID, DecisionNo: docNo, ItemCode: c.ItemCode, ItemName: c.ItemName,
		PartyName: c.PartyName, PartyCode: c.PartyCreditCode, PartyIsPerson: c.PartyKind == PartyIndividual,
		Content: publicContent(*c, terms), Basis: basis, DecidedOn: c.DecidedOn})
}

// revoke records that the decision was changed, revoked, confirmed
// unlawful or void (第四十八条第二款) and withdraws its 双公示 entry in the
// same transaction, with the reason made public; an entry not yet
// published is withdrawn before it ever reaches the portal.
func (s *Service) revoke(ctx context.Context, tx *sqlx.Tx, a Actor, c *Case, on, kind, reason string) (any, error) {
	if s.Publicity == nil {
		return nil, fmt.Errorf("penalties: publicity is not wired")
	}
	c.RevokedOn, c.Revocation = on, kind+"："+strings.TrimSpace(reason)
	v, ok, err := s.Publicity.WithdrawSource(ctx, tx, c.CountyCode, PublicitySource, c.ID, a.ID,
		publicity.WithdrawInput{Reason: c.Revocation, RevokedOn: on})
	if err != nil {
		if e, isApp := apperr.As(err); isApp && e.Code == "invalid_transition" {
			// Withdrawn already through publicity: the revocation stands.
			return map[string]any{"kind": kind}, nil
		}
		return nil, err
	}
	if !ok {
		return map[string]any{"kind": kind}, nil
	}
	return map[string]any{"kind": kind, "publicity_id": v.ID, "published": v.PublishedOn != "", "withdrawn_on": v.WithdrawnOn,
		"withdraw_due": v.WithdrawDue}, nil
}
