package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Province templates: the shipped starter content (content/*.json) as each
// province edits it. A county's item that was never saved shows its
// province's template (ItemView.FromTemplate), so a county provisioned today
// starts pre-filled, follows its province's edits until its first save, and
// keeps its own content from then on. Items a county does not hold yet (the
// bureau's disclosure items GK…, the penalty drafts CF-AQ-…) are adopted one
// by one, or arrive through a push, and start from the template the same way.

// TemplateView is a template as a province or county sees it: the content in
// force for that province, whether the province edited it, and its sources.
type TemplateView struct {
	Template
	Sources   []Source   `json:"sources_cited"`
	Edited    bool       `json:"edited"`
	UpdatedBy int64      `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	// Held tells a county whether the item is already in its catalog.
	Held bool `json:"held"`
}

type templateRow struct {
	Code      string    `db:"code"`
	Name      string    `db:"name"`
	Content   string    `db:"content"`
	UpdatedBy int64     `db:"updated_by"`
	UpdatedAt time.Time `db:"updated_at"`
}

// provinceOf is the province of a county code (GB/T 2260: its first two digits).
func provinceOf(county string) string {
	if len(county) < 2 {
		return county
	}
	return county[:2]
}

func (s *Service) provinceRows(ctx context.Context, q sqlx.QueryerContext, province string) (map[string]templateRow, error) {
	var rows []templateRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT code, name, content, updated_by, updated_at FROM catalog_templates
		WHERE province_code = ?`, province); err != nil {
		return nil, fmt.Errorf("catalog: templates: %w", err)
	}
	out := map[string]templateRow{}
	for _, r := range rows {
		out[r.Code] = r
	}
	return out, nil
}

func (s *Service) viewOf(t Template, row *templateRow) (TemplateView, error) {
	v := TemplateView{Template: t, Sources: s.shipped.SourcesOf(t.SourceIDs)}
	if row != nil {
		var c Content
		if err := json.Unmarshal([]byte(row.Content), &c); err != nil {
			return v, fmt.Errorf("catalog: decode template: %w", err)
		}
		at := row.UpdatedAt
		v.Content, v.Name, v.Edited, v.UpdatedBy, v.UpdatedAt = c, row.Name, true, row.UpdatedBy, &at
	}
	return v, nil
}

// Templates lists a province's templates in catalog order.
func (s *Service) Templates(ctx context.Context, province string) ([]TemplateView, error) {
	rows, err := s.provinceRows(ctx, s.db, province)
	if err != nil {
		return nil, err
	}
	out := make([]TemplateView, 0, len(s.shipped.Templates))
	for _, t := range s.shipped.Templates {
		var row *templateRow
		if r, ok := rows[t.Code]; ok {
			row = &r
		}
		v, err := s.viewOf(t, row)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// TemplateFor returns the template in force for a province and item code.
func (s *Service) TemplateFor(ctx context.Context, q sqlx.QueryerContext, province, code string) (TemplateView, error) {
	t, ok := s.shipped.Template(code)
	if !ok {
		return TemplateView{}, apperr.ErrNotFound
	}
	var row templateRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT code, name, content, updated_by, updated_at FROM catalog_templates
		WHERE province_code = ? AND code = ?`, province, code)
	if db.IsNoRows(err) {
		return s.viewOf(t, nil)
	}
	if err != nil {
		return TemplateView{}, fmt.Errorf("catalog: template: %w", err)
	}
	return s.viewOf(t, &row)
}

// TemplateInput is a province's edit of a template: its whole content, and a
// new name for an item outside the basic catalog.
type TemplateInput struct {
	Name    *string `json:"name"`
	Content Content `json:"content"`
}

// SaveTemplate stores a province's edit of a shipped template after the same
// checks as a county's draft (a repealed discretion instrument among them).
func (s *Service) SaveTemplate(ctx context.Context, province, code string, by int64, in TemplateInput) (TemplateView, error) {
	t, ok := s.shipped.Template(code)
	if !ok {
		return TemplateView{}, apperr.ErrNotFound
	}
	name := t.Name
	if in.Name != nil && strings.TrimSpace(*in.Name) != t.Name {
		if isBasic(code) {
			return TemplateView{}, apperr.InvalidField("name", "基本目录事项的名称不能修改")
		}
		if err := ValidateNewItem(code, t.Category, *in.Name); err != nil {
			return TemplateView{}, err
		}
		name = strings.TrimSpace(*in.Name)
	}
	if err := in.Content.Validate(t.Category); err != nil {
		return TemplateView{}, err
	}
	data, err := json.Marshal(in.Content)
	if err != nil {
		return TemplateView{}, fmt.Errorf("catalog: encode template: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		res, err := tx.ExecContext(ctx, `UPDATE catalog_templates SET name = ?, content = ?, updated_by = ?, updated_at = ?
			WHERE province_code = ? AND code = ?`, name, string(data), by, now, province, code)
		if err != nil {
			return fmt.Errorf("catalog: update template: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO catalog_templates (province_code, code, name, content, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, province, code, name, string(data), by, now)
		if db.IsDuplicate(err) {
			return apperr.Conflict("edit_conflict", "该模板刚被他人修改，请刷新后重试")
		}
		if err != nil {
			return fmt.Errorf("catalog: insert template: %w", err)
		}
		return nil
	})
	if err != nil {
		return TemplateView{}, err
	}
	return s.TemplateFor(ctx, s.db, province, code)
}

// CountyTemplates lists the templates of a county's province with whether
// the county already holds each item.
func (s *Service) CountyTemplates(ctx context.Context, county string) ([]TemplateView, error) {
	list, err := s.Templates(ctx, provinceOf(county))
	if err != nil {
		return nil, err
	}
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return nil, err
	}
	held := map[string]bool{}
	for _, it := range items {
		held[it.Code] = true
	}
	for i := range list {
		list[i].Held = held[list[i].Code]
	}
	return list, nil
}

// Adopt adds a template's item to a county's catalog as a draft that starts
// from the template (the bureau's disclosure items, the penalty drafts).
func (s *Service) Adopt(ctx context.Context, county, code string) (ItemView, error) {
	t, err := s.TemplateFor(ctx, s.db, provinceOf(county), code)
	if err != nil {
		return ItemView{}, err
	}
	if isBasic(code) {
		return ItemView{}, apperr.Conflict("duplicate", "基本目录事项已在本县目录中")
	}
	sort := 1000
	if t.Category == CategoryInformation {
		sort = informationTemplateSort
	}
	if err := s.store.insertItemAt(ctx, s.db, county, code, t.Category, t.Name, sort); err != nil {
		return ItemView{}, err
	}
	return s.Get(ctx, county, code)
}

// prefill shows a never-saved item with its province's template.
func (s *Service) prefill(ctx context.Context, v *ItemView) error {
	if v.LatestVersion != 0 {
		return nil
	}
	t, err := s.TemplateFor(ctx, s.db, provinceOf(v.CountyCode), v.Code)
	if err == apperr.ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Category != v.Category {
		return nil // a county's own item that happens to share a template code
	}
	v.Content, v.FromTemplate = t.Content, true
	return nil
}

// informationOffer lists the information templates of a county's province
// that the county does not hold yet.
func (s *Service) informationOffer(ctx context.Context, county string) ([]TemplateView, error) {
	list, err := s.CountyTemplates(ctx, county)
	if err != nil {
		return nil, err
	}
	var out []TemplateView
	for _, t := range list {
		if t.Category == CategoryInformation && !t.Held {
			out = append(out, t)
		}
	}
	return out, nil
}

// AdoptInformation adds every information template the county does not hold
// yet (the bureau's proactive-disclosure items) and returns their codes.
func (s *Service) AdoptInformation(ctx context.Context, county string) ([]string, error) {
	offer, err := s.informationOffer(ctx, county)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, t := range offer {
			if err := s.store.insertItemAt(ctx, tx, county, t.Code, t.Category, t.Name, informationTemplateSort); err != nil {
				return err
			}
			codes = append(codes, t.Code)
		}
		return nil
	})
	return codes, err
}
