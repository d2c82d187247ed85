package inspections

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/entities"
	"safetypilot/modules/written"
)

// PublicFinding is a finding as the portal shows it.
type PublicFinding struct {
	Description    string `json:"description"`
	LegalProvision string `json:"legal_provision"`
	Violation      bool   `json:"violation"`
}

// PublicResult is a published inspection result (抽查检查结果): the entity
// (an organisation, by name and credit code), the plan, the date, the
// conclusion, the findings, the 整改 order and its re-check. It never
// carries a natural person's data: no inspector, no contact person or
// phone, and any of them, or a resident ID, mobile or bank-card number, a
// clerk typed into a text is masked (＊＊＊), as the tracking pages do.
type PublicResult struct {
	ID               int64           `json:"id"`
	EntityName       string          `json:"entity_name"`
	EntityCreditCode string          `json:"entity_credit_code"`
	Industry         string          `json:"industry"`
	PlanName         string          `json:"plan_name"`
	InspectedOn      string          `json:"inspected_on"`
	Summary          string          `json:"summary"`
	Findings         []PublicFinding `json:"findings"`
	Violations       int             `json:"violations"`
	RectifyDeadline  string          `json:"rectify_deadline"`
	RecheckOn        string          `json:"recheck_on"`
	RecheckResult    string          `json:"recheck_result"`
	PublishedOn      string          `json:"published_on"`
}

// RecheckTitle is the Chinese name of a re-check result.
func RecheckTitle(r string) string {
	switch r {
	case RecheckRectified:
		return "已整改"
	case RecheckNotRectified:
		return "未整改"
	}
	return ""
}

// maskText masks the personal strings and whatever the confidentiality scan
// finds (resident ID, mobile and bank-card numbers) in s.
func maskText(s string, personal []string) string {
	sorted := append([]string(nil), personal...)
	// Longer first, so a name inside a longer one does not leave a part.
	sort.Slice(sorted, func(a, b int) bool { return len([]rune(sorted[a])) > len([]rune(sorted[b])) })
	for _, p := range sorted {
		if p = strings.TrimSpace(p); len([]rune(p)) >= 2 {
			s = strings.ReplaceAll(s, p, written.Masked)
		}
	}
	runes := []rune(s)
	hits := disclosure.Scan("text", s, nil)
	sort.Slice(hits, func(a, b int) bool { return hits[a].Start > hits[b].Start })
	for _, h := range hits {
		if h.Kind == disclosure.FindingSecrecy || h.Start < 0 || h.End > len(runes) || h.Start >= h.End {
			continue
		}
		runes = append(runes[:h.Start], append([]rune(written.Masked), runes[h.End:]...)...)
	}
	return string(runes)
}

// PublicResults lists a county's published results, latest first.
func (s *Service) PublicResults(ctx context.Context, county string) ([]PublicResult, error) {
	var rows []struct {
		Inspection
		PlanName string `db:"plan_name"`
		Industry string `db:"entity_industry"`
		Contact  string `db:"entity_contact"`
		Phone    string `db:"entity_phone"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+inspectionColumns+`, p.name AS plan_name, e.industry AS entity_industry,
		e.contact AS entity_contact, e.phone AS entity_phone`+inspectionFrom+`
		JOIN inspection_plans p ON p.county_code = i.county_code AND p.id = i.plan_id
		WHERE i.county_code = ? AND i.status = ? AND i.published_on <> '' ORDER BY i.published_on DESC, i.id DESC`,
		county, StatusCompleted); err != nil {
		return nil, fmt.Errorf("inspections: public results: %w", err)
	}
	var names []string
	if err := s.db.SelectContext(ctx, &names, `SELECT u.display_name FROM inspectors i JOIN users u ON u.id = i.user_id
		WHERE i.county_code = ?`, county); err != nil {
		return nil, fmt.Errorf("inspections: inspector names: %w", err)
	}
	out := make([]PublicResult, 0, len(rows))
	for _, r := range rows {
		// The entity's contact and phone are sealed at rest (entities
		// SealedColumns, bound to the entity's id): opened here only to
		// mask them, since a sealed value matches nothing in the text.
		row := strconv.FormatInt(r.EntityID, 10)
		contact, err := s.db.OpenField(r.Contact, db.Field{Table: "entities", Column: "contact", Row: row})
		if err != nil {
			return nil, fmt.Errorf("inspections: public results: %w", err)
		}
		phone, err := s.db.OpenField(r.Phone, db.Field{Table: "entities", Column: "phone", Row: row})
		if err != nil {
			return nil, fmt.Errorf("inspections: public results: %w", err)
		}
		personal := append([]string{contact, phone}, names...)
		findings, err := s.store.findings(ctx, s.db, county, r.ID)
		if err != nil {
			return nil, err
		}
		pr := PublicResult{ID: r.ID, EntityName: r.EntityName, EntityCreditCode: r.EntityCreditCode,
			Industry: entities.IndustryTitle(r.Industry), PlanName: maskText(r.PlanName, personal), InspectedOn: r.InspectedOn,
			Summary: maskText(r.Summary, personal), Findings: []PublicFinding{}, RectifyDeadline: r.RectifyDeadline,
			RecheckOn: r.RecheckOn, RecheckResult: r.RecheckResult, PublishedOn: r.PublishedOn}
		for _, f := range findings {
			pr.Findings = append(pr.Findings, PublicFinding{Description: maskText(f.Description, personal),
				LegalProvision: maskText(f.LegalProvision, personal), Violation: f.Violation})
			if f.Violation {
				pr.Violations++
			}
		}
		out = append(out, pr)
	}
	return out, nil
}
