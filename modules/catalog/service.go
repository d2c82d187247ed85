package catalog

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Service holds the catalog rules: drafts, versions, publishing, summaries.
type Service struct {
	db      *db.DB
	store   *Store
	shipped *Shipped
}

// NewService wires the catalog rules with the shipped content; it panics when
// the embedded content is malformed, a build error the package's tests catch.
func NewService(database *db.DB) *Service {
	if shippedErr != nil {
		panic(shippedErr)
	}
	return &Service{db: database, store: NewStore(database), shipped: shipped}
}

// Shipped exposes the shipped content (the reports count the clean-up).
func (s *Service) Shipped() *Shipped { return s.shipped }

// Store exposes the SQL layer to other modules (cases read published steps).
func (s *Service) Store() *Store { return s.store }

// List returns a county's items.
func (s *Service) List(ctx context.Context, county string) ([]ItemView, error) {
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return nil, err
	}
	out := make([]ItemView, 0, len(items))
	for _, it := range items {
		out = append(out, ItemView{Item: it, HasUnpublishedChanges: it.HasUnpublishedChanges()})
	}
	return out, nil
}

// Get returns an item with its latest content (the draft staff work on); an
// item never saved shows its province's template, if there is one.
func (s *Service) Get(ctx context.Context, county, code string) (ItemView, error) {
	it, err := s.store.Item(ctx, s.db, county, code)
	if err != nil {
		return ItemView{}, err
	}
	return s.shown(ctx, it)
}

// shown is an item as the county's catalog shows it: its latest version, or
// its province's template while it was never saved. The API, the pages and
// the workbook (export, and the import's "unchanged" test) all read it, so a
// workbook row says what the clerk sees on screen.
func (s *Service) shown(ctx context.Context, it Item) (ItemView, error) {
	v, err := s.view(ctx, it, it.LatestVersion)
	if err != nil {
		return ItemView{}, err
	}
	if err := s.prefill(ctx, &v); err != nil {
		return ItemView{}, err
	}
	return v, nil
}

// GetPublished returns the version the public sees; never-published items are not found.
func (s *Service) GetPublished(ctx context.Context, county, code string) (ItemView, error) {
	it, err := s.store.Item(ctx, s.db, county, code)
	if err != nil {
		return ItemView{}, err
	}
	if it.PublishedVersion == 0 || it.Status == StatusNotApplicable {
		return ItemView{}, apperr.ErrNotFound
	}
	return s.view(ctx, it, it.PublishedVersion)
}

// ListPublished returns every published item of a county in its published version.
func (s *Service) ListPublished(ctx context.Context, county string) ([]ItemView, error) {
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return nil, err
	}
	out := []ItemView{}
	for _, it := range items {
		if it.PublishedVersion == 0 || it.Status == StatusNotApplicable {
			continue
		}
		v, err := s.view(ctx, it, it.PublishedVersion)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, it Item, version int) (ItemView, error) {
	v, err := s.store.Version(ctx, it.CountyCode, it.Code, version)
	if err != nil {
		return ItemView{}, err
	}
	out := ItemView{Item: it, Content: v.Content, HasUnpublishedChanges: it.HasUnpublishedChanges()}
	if version > 0 {
		out.LatestVersion = version
	}
	if version > 0 && version != it.LatestVersion {
		// An older version (the published one while a draft is pending)
		// shows the name it was saved with, not the draft's new name.
		out.Name = v.Name
	}
	if it.PublishedVersion > 0 {
		pub, err := s.store.Version(ctx, it.CountyCode, it.Code, it.PublishedVersion)
		if err != nil {
			return ItemView{}, err
		}
		out.PublishedAt, out.PublishedBy = pub.PublishedAt, pub.PublishedBy
	}
	return out, nil
}

// SaveInput is an edit of an item: its whole content, optionally a new name
// (items a county added itself) and the version the editor started from.
type SaveInput struct {
	Content
	Name        *string `json:"name"`
	BaseVersion *int    `json:"base_version"`
}

// Save validates and stores the content as the item's next version.
func (s *Service) Save(ctx context.Context, county, code string, by int64, in SaveInput) (ItemView, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := s.saveTx(ctx, tx, county, code, by, in)
		return err
	})
	if err != nil {
		return ItemView{}, err
	}
	return s.Get(ctx, county, code)
}

// saveTx is Save inside a transaction of the caller's, so a workbook import
// stores many items through the editor's own checks, all or none.
func (s *Service) saveTx(ctx context.Context, tx *sqlx.Tx, county, code string, by int64, in SaveInput) (int, error) {
	it, err := s.store.Item(ctx, tx, county, code)
	if err != nil {
		return 0, err
	}
	if in.BaseVersion != nil && *in.BaseVersion != it.LatestVersion {
		return 0, apperr.Conflict("edit_conflict", "该事项已被他人修改（当前版本较新），请刷新后在最新版本上修改")
	}
	name := it.Name
	if in.Name != nil && strings.TrimSpace(*in.Name) != it.Name {
		if isBasic(it.Code) {
			return 0, apperr.InvalidField("name", "基本目录事项的名称不能修改")
		}
		if err := ValidateNewItem(it.Code, it.Category, *in.Name); err != nil {
			return 0, err
		}
		name = strings.TrimSpace(*in.Name)
	}
	if err := in.Content.Validate(it.Category); err != nil {
		return 0, err
	}
	return s.store.insertVersion(ctx, tx, it, name, in.Content, by)
}

// Publish makes the latest version public after checking it is complete.
func (s *Service) Publish(ctx context.Context, county, code string, by int64) (ItemView, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		it, err := s.store.Item(ctx, tx, county, code)
		if err != nil {
			return err
		}
		if it.Status == StatusNotApplicable {
			return apperr.Conflict("not_applicable", "该事项已标记为不适用，请先恢复适用再发布")
		}
		if it.LatestVersion == 0 {
			return apperr.InvalidField("content", "该事项尚未填写内容，不能发布")
		}
		if it.LatestVersion == it.PublishedVersion {
			return apperr.Conflict("already_published", "当前版本已经发布")
		}
		v, err := s.store.Version(ctx, county, code, it.LatestVersion)
		if err != nil {
			return err
		}
		if err := v.Content.ValidateForPublishing(it.Category); err != nil {
			return err
		}
		return s.store.markPublished(ctx, tx, it, it.LatestVersion, by)
	})
	if err != nil {
		return ItemView{}, err
	}
	return s.Get(ctx, county, code)
}

// maxStatusReason bounds the reason an item is not applicable.
const maxStatusReason = 500

// ApplicabilityInput marks an information item applicable or not, with the
// reason when it is not.
type ApplicabilityInput struct {
	Applicable *bool  `json:"applicable"`
	Reason     string `json:"reason"`
}

// SetApplicability marks an information item not applicable to the bureau
// (with its reason) or applicable again. Only information items can be: a
// power that does not apply is answered by the clean-up (取消, 转移 …).
// Restoring gives back the status the item had: published if a version was.
func (s *Service) SetApplicability(ctx context.Context, county, code string, in ApplicabilityInput) (ItemView, error) {
	reason := strings.TrimSpace(in.Reason)
	switch {
	case in.Applicable == nil:
		return ItemView{}, apperr.InvalidField("applicable", "请说明该事项是否适用")
	case !*in.Applicable && reason == "":
		return ItemView{}, apperr.InvalidField("reason", "请说明不适用的理由")
	case utf8.RuneCountInString(reason) > maxStatusReason:
		return ItemView{}, apperr.InvalidField("reason", "理由不能超过500字")
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		it, err := s.store.Item(ctx, tx, county, code)
		if err != nil {
			return err
		}
		if it.Category != CategoryInformation {
			return apperr.InvalidField("applicable", "只有政府信息公开事项可以标记为不适用；行政职权事项请在职权清理中说明取消、下放或转移")
		}
		if !*in.Applicable {
			return s.store.setStatus(ctx, tx, county, code, StatusNotApplicable, reason)
		}
		status := StatusDraft
		if it.PublishedVersion > 0 {
			status = StatusPublished
		}
		return s.store.setStatus(ctx, tx, county, code, status, "")
	})
	if err != nil {
		return ItemView{}, err
	}
	return s.Get(ctx, county, code)
}

// NewItem is an item a county adds to its own catalog.
type NewItem struct {
	Code     string `json:"code"`
	Category string `json:"category"`
	Name     string `json:"name"`
}

// Add creates an empty draft item of the county's own.
func (s *Service) Add(ctx context.Context, county string, in NewItem) (ItemView, error) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if err := checkNewItem(in); err != nil {
		return ItemView{}, err
	}
	if err := s.store.insertItem(ctx, s.db, county, in.Code, in.Category, in.Name); err != nil {
		return ItemView{}, err
	}
	return s.Get(ctx, county, in.Code)
}

// checkNewItem is what Add asks of an item a county adds (a workbook import too).
func checkNewItem(in NewItem) error {
	if err := ValidateNewItem(in.Code, in.Category, in.Name); err != nil {
		return err
	}
	if isBasic(in.Code) {
		return apperr.Conflict("duplicate", "该编码属于基本目录，不能作为自有事项编码")
	}
	return nil
}

func isBasic(code string) bool {
	for _, b := range basicCatalog {
		if b.Code == code {
			return true
		}
	}
	return false
}

// InventoryCount is one cell of the power inventory (底数).
type InventoryCount struct {
	PowerType string `json:"power_type"`
	Status    string `json:"inventory_status"`
	Count     int    `json:"count"`
}

// Inventory is the power clean-up summary of a county.
type Inventory struct {
	Total      int              `json:"total"`
	ByType     map[string]int   `json:"by_type"`
	ByStatus   map[string]int   `json:"by_status"`
	Cells      []InventoryCount `json:"cells"`
	Unassessed int              `json:"unassessed"`
}

// Summarize counts power and service items by type and clean-up status.
func Summarize(items []ItemView) Inventory {
	inv := Inventory{ByType: map[string]int{}, ByStatus: map[string]int{}, Cells: []InventoryCount{}}
	cells := map[[2]string]int{}
	for _, it := range items {
		if it.Category == CategoryInformation {
			continue
		}
		inv.Total++
		if it.PowerType == "" || it.InventoryStatus == "" {
			inv.Unassessed++
			continue
		}
		inv.ByType[it.PowerType]++
		inv.ByStatus[it.InventoryStatus]++
		cells[[2]string{it.PowerType, it.InventoryStatus}]++
	}
	for _, pt := range PowerTypes {
		for _, st := range InventoryStatuses {
			if n := cells[[2]string{pt.Code, st.Code}]; n > 0 {
				inv.Cells = append(inv.Cells, InventoryCount{PowerType: pt.Code, Status: st.Code, Count: n})
			}
		}
	}
	return inv
}

// Inventory summarises the latest content of a county's powers (staff view).
func (s *Service) Inventory(ctx context.Context, county string, publishedOnly bool) (Inventory, error) {
	var items []ItemView
	if publishedOnly {
		list, err := s.ListPublished(ctx, county)
		if err != nil {
			return Inventory{}, err
		}
		items = list
	} else {
		list, err := s.store.Items(ctx, county)
		if err != nil {
			return Inventory{}, err
		}
		for _, it := range list {
			v, err := s.view(ctx, it, it.LatestVersion)
			if err != nil {
				return Inventory{}, err
			}
			items = append(items, v)
		}
	}
	return Summarize(items), nil
}

// DecisionInput records a penalty decision made with the calculator.
type DecisionInput struct {
	CalculationInput
	CaseRef         string `json:"case_ref"`
	DecidedAmount   *int64 `json:"decided_amount"`
	DeviationReason string `json:"deviation_reason"`
}

// standard finds a standard in the published version of a penalty item.
func (s *Service) standard(ctx context.Context, county, code, id string) (ItemView, Standard, error) {
	it, err := s.GetPublished(ctx, county, code)
	if err != nil {
		return it, Standard{}, err
	}
	for _, st := range it.Discretion {
		if st.ID == id {
			return it, st, nil
		}
	}
	return it, Standard{}, apperr.InvalidField("standard_id", "该事项没有编号为“"+id+"”的裁量基准")
}

// Calculate applies a published discretion standard to the circumstances.
func (s *Service) Calculate(ctx context.Context, county, code string, in CalculationInput) (Calculation, error) {
	_, st, err := s.standard(ctx, county, code, in.StandardID)
	if err != nil {
		return Calculation{}, err
	}
	return Calculate(st, in)
}

// RecordDecision keeps the amount decided and, when it leaves the
// recommended range, the reason for the deviation (required then).
func (s *Service) RecordDecision(ctx context.Context, county, code string, by int64, in DecisionInput) (Decision, Calculation, error) {
	it, st, err := s.standard(ctx, county, code, in.StandardID)
	if err != nil {
		return Decision{}, Calculation{}, err
	}
	calc, err := Calculate(st, in.CalculationInput)
	if err != nil {
		return Decision{}, Calculation{}, err
	}
	f := fieldErrors{}
	if strings.TrimSpace(in.CaseRef) == "" {
		f.add("case_ref", "请填写案件编号")
	}
	f.checkText("case_ref", in.CaseRef, 64)
	f.checkText("deviation_reason", in.DeviationReason, 4000)
	if in.DecidedAmount != nil && *in.DecidedAmount < 0 {
		f.add("decided_amount", "罚款金额不能为负数")
	}
	deviates := in.DecidedAmount != nil && calc.Range != nil && !calc.Range.Contains(*in.DecidedAmount)
	if deviates && strings.TrimSpace(in.DeviationReason) == "" {
		f.add("deviation_reason", "决定金额超出建议幅度（%s），须说明理由", calc.RangeText)
	}
	if err := f.err(); err != nil {
		return Decision{}, Calculation{}, err
	}
	d := Decision{ItemCode: code, ItemVersion: it.PublishedVersion, StandardID: st.ID, TierLevel: calc.Tier.Level,
		CaseRef: strings.TrimSpace(in.CaseRef), DecidedAmount: in.DecidedAmount, DeviationReason: in.DeviationReason, DecidedBy: by}
	if calc.Range != nil {
		d.RecommendedMin, d.RecommendedMax = &calc.Range.Min, &calc.Range.Max
	}
	if err := s.store.insertDecision(ctx, county, &d); err != nil {
		return Decision{}, Calculation{}, err
	}
	return d, calc, nil
}
