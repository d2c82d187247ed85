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
	"safetypilot/tenants"
)

// A province can push a new version of the basic catalog to its pilot
// counties: items they lack are added as drafts, items whose name changed are
// renamed, and each county is shown what changed until it acknowledges.
// Items left out of a push are not removed: a county retires a power through
// its inventory status (取消), with a reason. A push carries names only, so an
// added item is an empty draft that the county fills in and publishes with
// the same checks as any other (a complete flowchart among them).

// Change kinds shown to a county.
const (
	ChangeAdded   = "added"
	ChangeRenamed = "renamed"
)

// PushInput is a province's new basic-catalog version.
type PushInput struct {
	Title string      `json:"title"`
	Note  string      `json:"note"`
	Items []BasicItem `json:"items"`
}

// Push is a recorded push with what it did.
type Push struct {
	ID           int64       `db:"id" json:"id"`
	ProvinceCode string      `db:"province_code" json:"province_code"`
	Title        string      `db:"title" json:"title"`
	Note         string      `db:"note" json:"note"`
	ItemsJSON    string      `db:"items" json:"-"`
	Items        []BasicItem `db:"-" json:"items"`
	PushedBy     int64       `db:"pushed_by" json:"pushed_by"`
	PushedAt     time.Time   `db:"pushed_at" json:"pushed_at"`
	Counties     int         `db:"-" json:"counties"`
	Changes      int         `db:"-" json:"changes"`
}

// Change is one difference a push made to a county's catalog.
type Change struct {
	PushID         int64      `db:"push_id" json:"push_id"`
	Title          string     `db:"title" json:"title"`
	Code           string     `db:"code" json:"code"`
	Kind           string     `db:"change_kind" json:"kind"`
	OldName        string     `db:"old_name" json:"old_name"`
	NewName        string     `db:"new_name" json:"new_name"`
	PushedAt       time.Time  `db:"pushed_at" json:"pushed_at"`
	AcknowledgedAt *time.Time `db:"acknowledged_at" json:"acknowledged_at"`
}

func (in *PushInput) validate() error {
	f := fieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		f.add("title", "请填写本次目录更新的标题")
	}
	f.checkText("title", in.Title, 200)
	f.checkText("note", in.Note, 4000)
	if len(in.Items) == 0 {
		f.add("items", "请至少列出一个事项")
	}
	if len(in.Items) > 500 {
		f.add("items", "一次最多推送500个事项")
	}
	seen := map[string]bool{}
	for i, it := range in.Items {
		in.Items[i].Code, in.Items[i].Name = strings.TrimSpace(it.Code), strings.TrimSpace(it.Name)
		if err := ValidateNewItem(in.Items[i].Code, it.Category, in.Items[i].Name); err != nil {
			e, _ := apperr.As(err)
			for k, v := range e.Fields {
				f.add(fmt.Sprintf("items[%d].%s", i, k), "%s", v)
			}
		}
		if seen[in.Items[i].Code] {
			f.add(fmt.Sprintf("items[%d].code", i), "事项编码重复")
		}
		seen[in.Items[i].Code] = true
	}
	return f.err()
}

// Push applies a province's new basic-catalog version to its active counties.
func (s *Service) Push(ctx context.Context, t *tenants.Service, province string, by int64, in PushInput) (Push, error) {
	if err := in.validate(); err != nil {
		return Push{}, err
	}
	if _, err := t.Province(ctx, province); err != nil {
		return Push{}, err // no push is recorded for a province that does not exist
	}
	counties, err := t.Counties(ctx, province)
	if err != nil {
		return Push{}, err
	}
	items, _ := json.Marshal(in.Items)
	p := Push{ProvinceCode: province, Title: in.Title, Note: in.Note, Items: in.Items, PushedBy: by, PushedAt: db.Now()}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO catalog_pushes (province_code, title, note, items, pushed_by, pushed_at)
			VALUES (?, ?, ?, ?, ?, ?)`, province, p.Title, p.Note, string(items), by, p.PushedAt)
		if err != nil {
			return fmt.Errorf("catalog: insert push: %w", err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, county := range counties {
			if county.Status != tenants.StatusActive {
				continue
			}
			p.Counties++
			n, err := s.applyPush(ctx, tx, p, county.Code)
			if err != nil {
				return err
			}
			p.Changes += n
		}
		return nil
	})
	return p, err
}

// applyPush brings one county's catalog in line with the pushed items.
func (s *Service) applyPush(ctx context.Context, tx *sqlx.Tx, p Push, county string) (int, error) {
	changes := 0
	for i, it := range p.Items {
		existing, err := s.store.Item(ctx, tx, county, it.Code)
		kind, oldName := "", ""
		switch {
		case err == apperr.ErrNotFound:
			now := db.Now()
			if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_items (county_code, code, category, name, status, sort_order,
				latest_version, published_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
				county, it.Code, it.Category, it.Name, StatusDraft, 500+i, now, now); err != nil {
				return 0, fmt.Errorf("catalog: push add: %w", err)
			}
			kind = ChangeAdded
		case err != nil:
			return 0, err
		case existing.Name != it.Name:
			if _, err := tx.ExecContext(ctx, `UPDATE catalog_items SET name = ?, updated_at = ? WHERE county_code = ? AND code = ?`,
				it.Name, db.Now(), county, it.Code); err != nil {
				return 0, fmt.Errorf("catalog: push rename: %w", err)
			}
			kind, oldName = ChangeRenamed, existing.Name
		}
		if kind == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_push_changes (push_id, county_code, code, change_kind, old_name, new_name)
			VALUES (?, ?, ?, ?, ?, ?)`, p.ID, county, it.Code, kind, oldName, it.Name); err != nil {
			return 0, fmt.Errorf("catalog: push change: %w", err)
		}
		changes++
	}
	return changes, nil
}

// Pushes lists a province's pushes, newest first.
func (s *Service) Pushes(ctx context.Context, province string) ([]Push, error) {
	out := []Push{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, province_code, title, note, items, pushed_by, pushed_at
		FROM catalog_pushes WHERE province_code = ? ORDER BY id DESC`, province)
	if err != nil {
		return nil, fmt.Errorf("catalog: pushes: %w", err)
	}
	for i := range out {
		if err := json.Unmarshal([]byte(out[i].ItemsJSON), &out[i].Items); err != nil {
			return nil, fmt.Errorf("catalog: decode push: %w", err)
		}
	}
	return out, nil
}

// Changes lists what pushes changed in a county's catalog; pendingOnly keeps
// those not yet acknowledged.
func (s *Service) Changes(ctx context.Context, county string, pendingOnly bool) ([]Change, error) {
	q := `SELECT c.push_id, p.title, c.code, c.change_kind, c.old_name, c.new_name, p.pushed_at, c.acknowledged_at
		FROM catalog_push_changes c JOIN catalog_pushes p ON p.id = c.push_id WHERE c.county_code = ?`
	if pendingOnly {
		q += ` AND c.acknowledged_at IS NULL`
	}
	out := []Change{}
	if err := s.db.SelectContext(ctx, &out, q+` ORDER BY c.push_id DESC, c.code`, county); err != nil {
		return nil, fmt.Errorf("catalog: changes: %w", err)
	}
	return out, nil
}

// Acknowledge marks a push's changes to a county as seen.
func (s *Service) Acknowledge(ctx context.Context, county string, pushID, by int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE catalog_push_changes SET acknowledged_by = ?, acknowledged_at = ?
		WHERE county_code = ? AND push_id = ? AND acknowledged_at IS NULL`, by, db.Now(), county, pushID)
	if err != nil {
		return fmt.Errorf("catalog: acknowledge: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
