package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/tenants"
	"safetypilot/web"
)

// ImportResult counts what a workbook import did (or, on a dry run, would do).
type ImportResult struct {
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	DryRun    bool `json:"dry_run,omitempty"`
}

// ExportWorkbook is a county's catalog with the content of every item as the
// catalog shows it (the drafts staff work on; the province's template, with
// its 【待填写…】 and 【待核实…】 markers, for an item never saved), as the
// import takes it back.
func (s *Service) ExportWorkbook(ctx context.Context, county string) ([]byte, error) {
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return nil, err
	}
	out := make([]WorkbookItem, 0, len(items))
	for _, it := range items {
		v, err := s.shown(ctx, it)
		if err != nil {
			return nil, err
		}
		wi := WorkbookItem{Code: it.Code, Category: it.Category, Name: it.Name, Status: it.Status,
			Version: it.LatestVersion, Content: v.Content}
		if v.FromTemplate {
			wi.TemplateStamp = TemplateStamp(v.Content)
		}
		out = append(out, wi)
	}
	return WriteWorkbook(out)
}

// TemplateStamp identifies template content: the first 12 hex digits of
// the SHA-256 of its canonical JSON.
func TemplateStamp(c Content) string {
	sum := sha256.Sum256(canonical(c))
	return hex.EncodeToString(sum[:6])
}

// canonical is content as JSON with empty lists and absent ones alike, so
// an item read back from a workbook compares equal to the stored one.
func canonical(c Content) []byte {
	norm := func(n int) bool { return n == 0 }
	if norm(len(c.Materials)) {
		c.Materials = nil
	}
	if norm(len(c.SpecialSteps)) {
		c.SpecialSteps = nil
	}
	if norm(len(c.Steps)) {
		c.Steps = nil
	}
	if norm(len(c.Discretion)) {
		c.Discretion = nil
	}
	d := make([]Standard, len(c.Discretion))
	for i, st := range c.Discretion {
		if len(st.Aggravating) == 0 {
			st.Aggravating = nil
		}
		if len(st.Mitigating) == 0 {
			st.Mitigating = nil
		}
		tiers := make([]Tier, len(st.Tiers))
		for j, t := range st.Tiers {
			if len(t.PenaltyKinds) == 0 {
				t.PenaltyKinds = nil
			}
			tiers[j] = t
		}
		if len(tiers) == 0 {
			tiers = nil
		}
		st.Tiers = tiers
		d[i] = st
	}
	if c.Discretion != nil {
		c.Discretion = d
	}
	data, _ := json.Marshal(c)
	return data
}

// importStep is what an import does to one item.
type importStep struct {
	item   *ParsedItem
	create bool
	save   bool
	base   int
}

// ImportWorkbook reads a catalog workbook into a county's catalog: new items
// are added, changed ones saved as new unpublished versions through the
// editor's own checks (Save), unchanged ones (equal to what the catalog
// shows, the template for an item never saved) left alone. Every wrong cell is
// reported and, if there is any, nothing is imported; all the writes are one
// transaction. Items not in the workbook stay as they are.
func (s *Service) ImportWorkbook(ctx context.Context, county string, by int64, data []byte, dryRun bool) (ImportResult, error) {
	parsed, err := ParseWorkbook(data, ParseOptions{})
	if err != nil {
		return ImportResult{}, err
	}
	if err := parsed.Err(); err != nil {
		return ImportResult{}, err
	}
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return ImportResult{}, err
	}
	existing := map[string]Item{}
	for _, it := range items {
		existing[it.Code] = it
	}
	res := ImportResult{DryRun: dryRun}
	var plan []importStep
	for _, pi := range parsed.Items {
		main := pi.at[""][0]
		cur, ok := existing[pi.Code]
		step := importStep{item: pi}
		if !ok {
			if pi.Category == "" {
				parsed.fail(SheetItems, main, "category", "新事项须选择事项类别")
			} else if err := checkNewItem(NewItem{Code: pi.Code, Category: pi.Category, Name: pi.Name}); err != nil {
				parsed.placeAppError(pi, err)
			}
			step.create = true
			step.save = !bytes.Equal(canonical(pi.Content), canonical(Content{}))
		} else {
			if pi.HasCategory && pi.Category != cur.Category {
				parsed.fail(SheetItems, main, "category", "与本县目录中该事项的类别（%s）不同；类别不能通过导入修改", CategoryTitle(cur.Category))
			}
			pi.Category = cur.Category
			// Compare with what the catalog shows: a never-saved item's row
			// equal to its template is unchanged; one the county changed
			// saves the item's first version (base version 0).
			v, err := s.shown(ctx, cur)
			if err != nil {
				return ImportResult{}, err
			}
			same := bytes.Equal(canonical(pi.Content), canonical(v.Content)) && pi.Name == cur.Name
			// A never-saved item's row carries the stamp of the template it
			// was exported with. Left as exported, it is unchanged even if
			// the province has changed the template since (the item goes on
			// following it); edited against a template changed since, it is
			// refused, lest the county's first version undo the province's
			// change unseen.
			if !same && cur.LatestVersion == 0 && v.FromTemplate && pi.TemplateStamp != "" && pi.Name == cur.Name {
				switch {
				case TemplateStamp(pi.Content) == pi.TemplateStamp:
					same = true
				case TemplateStamp(v.Content) != pi.TemplateStamp:
					parsed.fail(SheetItems, main, "template_stamp", "省级模板在导出后已更新；请重新导出后再修改，以免覆盖省级模板的更新")
				}
			}
			if !same && pi.Name != cur.Name {
				if isBasic(cur.Code) {
					parsed.fail(SheetItems, main, "name", "基本目录事项的名称不能修改（应为“%s”）", cur.Name)
				} else if err := ValidateNewItem(cur.Code, cur.Category, pi.Name); err != nil {
					parsed.placeAppError(pi, err)
				}
			}
			if !same && pi.HasVersion && pi.Version != cur.LatestVersion {
				parsed.fail(SheetItems, main, "version", "该事项在导出（第%d版）后已被修改，现为第%d版；请重新导出后再修改，以免覆盖他人的修改", pi.Version, cur.LatestVersion)
			}
			step.save, step.base = !same, cur.LatestVersion
		}
		if step.save {
			if err := pi.Content.Validate(pi.Category); err != nil {
				parsed.placeAppError(pi, err)
			}
		}
		switch {
		case step.create:
			res.Created++
		case step.save:
			res.Updated++
		default:
			res.Unchanged++
		}
		plan = append(plan, step)
	}
	if err := parsed.Err(); err != nil {
		return ImportResult{}, err
	}
	if dryRun {
		return res, nil
	}
	// The audit entry is written with the transaction's commit: name the
	// counts before it.
	web.AddAuditDetail(ctx, fmt.Sprintf("catalog import created=%d updated=%d unchanged=%d", res.Created, res.Updated, res.Unchanged))
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, st := range plan {
			pi := st.item
			if st.create {
				if err := s.store.insertItem(ctx, tx, county, pi.Code, pi.Category, pi.Name); err != nil {
					return err
				}
			}
			if !st.save {
				continue
			}
			name := pi.Name
			if _, err := s.saveTx(ctx, tx, county, pi.Code, by, SaveInput{Content: pi.Content, Name: &name, BaseVersion: &st.base}); err != nil {
				return fmt.Errorf("事项%s：%w", pi.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// placeAppError puts the field messages of a client error on their cells.
func (p *Parsed) placeAppError(it *ParsedItem, err error) {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		msg := err.Error()
		if ok {
			msg = e.Message
		}
		p.fail(SheetItems, it.at[""][0], "code", "%s", msg)
		return
	}
	for key, msg := range e.Fields {
		p.placeError(it, key, msg)
	}
}

// TemplateItems is a province's catalog template: the items of its latest
// push, or the national basic catalog before its first push.
func (s *Service) TemplateItems(ctx context.Context, province string) ([]BasicItem, error) {
	pushes, err := s.Pushes(ctx, province)
	if err != nil {
		return nil, err
	}
	if len(pushes) > 0 {
		return pushes[0].Items, nil
	}
	return append([]BasicItem(nil), basicCatalog...), nil
}

// ExportTemplate is a province's catalog template as a workbook of the
// county layout; a push carries codes, categories and names only, so the
// content columns are empty.
func (s *Service) ExportTemplate(ctx context.Context, t *tenants.Service, province string) ([]byte, error) {
	if _, err := t.Province(ctx, province); err != nil {
		return nil, err
	}
	items, err := s.TemplateItems(ctx, province)
	if err != nil {
		return nil, err
	}
	out := make([]WorkbookItem, 0, len(items))
	for _, it := range items {
		out = append(out, WorkbookItem{Code: it.Code, Category: it.Category, Name: it.Name})
	}
	return WriteWorkbook(out)
}

// TemplateImport is the outcome of importing a province template workbook.
type TemplateImport struct {
	Items  int   `json:"items"`
	DryRun bool  `json:"dry_run,omitempty"`
	Push   *Push `json:"push,omitempty"`
}

// ImportTemplate reads a province template workbook and pushes it to the
// province's active counties (the push's own checks apply); a dry run only
// checks it. A title left empty is named after the day.
func (s *Service) ImportTemplate(ctx context.Context, t *tenants.Service, province string, by int64, data []byte, title, note string, dryRun bool) (TemplateImport, error) {
	if _, err := t.Province(ctx, province); err != nil {
		return TemplateImport{}, err
	}
	parsed, err := ParseWorkbook(data, ParseOptions{NamesOnly: true})
	if err != nil {
		return TemplateImport{}, err
	}
	if err := parsed.Err(); err != nil {
		return TemplateImport{}, err
	}
	in := PushInput{Title: title, Note: note}
	if in.Title == "" {
		in.Title = "导入工作簿 " + time.Now().Format("2006-01-02")
	}
	for _, it := range parsed.Items {
		in.Items = append(in.Items, BasicItem{Code: it.Code, Category: it.Category, Name: it.Name})
	}
	if err := in.validate(); err != nil {
		// Item errors come back keyed items[i].field: put them on the rows.
		if e, ok := apperr.As(err); ok {
			for key, msg := range e.Fields {
				var i int
				var field string
				if n, _ := fmt.Sscanf(key, "items[%d].%s", &i, &field); n == 2 && i < len(parsed.Items) {
					parsed.fail(SheetItems, parsed.Items[i].at[""][0], field, "%s", msg)
				} else {
					parsed.fail(SheetItems, 1, "code", "%s", msg)
				}
			}
			if perr := parsed.Err(); perr != nil {
				return TemplateImport{}, perr
			}
		}
		return TemplateImport{}, err
	}
	out := TemplateImport{Items: len(in.Items), DryRun: dryRun}
	if dryRun {
		return out, nil
	}
	web.AddAuditDetail(ctx, fmt.Sprintf("catalog template import items=%d", len(in.Items)))
	p, err := s.Push(ctx, t, province, by, in)
	if err != nil {
		return TemplateImport{}, err
	}
	out.Push = &p
	return out, nil
}
