package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"safetypilot/modules/apperr"
)

// Item categories.
const (
	CategoryInformation = "information"
	CategoryPower       = "power"
	CategoryService     = "service"
)

// CategoryTitle is the Chinese name of a category.
func CategoryTitle(c string) string {
	switch c {
	case CategoryInformation:
		return "政府信息公开事项"
	case CategoryPower:
		return "行政职权事项"
	case CategoryService:
		return "便民服务事项"
	}
	return c
}

// Item statuses as the API reports them. An information item the bureau
// holds nothing of (a 2008 county-government item such as 乡（镇）债权债务)
// is marked not applicable with a reason: it leaves the public catalog and
// the publication figures but stays in the staff catalog with its reason.
const (
	StatusDraft         = "draft"
	StatusPublished     = "published"
	StatusNotApplicable = "not_applicable"
)

// PowerType is a kind of administrative power with its stable code (the
// pinyin initials used in power lists, 权力清单).
type PowerType struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// PowerTypes lists the eleven kinds of power items.
var PowerTypes = []PowerType{
	{"XK", "行政许可"}, {"CF", "行政处罚"}, {"QZ", "行政强制"}, {"ZS", "行政征收"},
	{"GF", "行政给付"}, {"JC", "行政检查"}, {"QR", "行政确认"}, {"JL", "行政奖励"},
	{"CJ", "行政裁决"}, {"QT", "其他行政权力"}, {"GG", "公共服务"},
}

// PowerTypeTitle is the Chinese name of a power type code.
func PowerTypeTitle(code string) string {
	for _, p := range PowerTypes {
		if p.Code == code {
			return p.Title
		}
	}
	return code
}

// InventoryStatus is the outcome of the power clean-up (职权清理) for an item.
type InventoryStatus struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// InventoryStatuses lists the clean-up outcomes.
var InventoryStatuses = []InventoryStatus{
	{"kept", "保留"}, {"cancelled", "取消"}, {"adjusted", "调整"}, {"delegated", "下放"}, {"transferred", "转移"},
}

// InventoryTitle is the Chinese name of an inventory status.
func InventoryTitle(code string) string {
	for _, s := range InventoryStatuses {
		if s.Code == code {
			return s.Title
		}
	}
	return code
}

// Disclosure modes of an information item.
const (
	Proactive = "proactive"
	OnRequest = "on_request"
)

// Material is one document an applicant hands in.
type Material struct {
	Name   string `json:"name"`
	Copies int    `json:"copies"`
	Note   string `json:"note"`
}

// SpecialStep is a procedure whose time does not count against the limit
// (听证, 检验检测, 专家评审 …).
type SpecialStep struct {
	Name          string `json:"name"`
	LimitWorkdays int    `json:"limit_workdays"`
	Note          string `json:"note"`
}

// Step is one step of the power-operation flowchart; the steps also drive the
// case workflow, each with its own time limit.
type Step struct {
	Name          string `json:"name"`
	Post          string `json:"post"`
	Authority     string `json:"authority"`
	Procedure     string `json:"procedure"`
	LimitWorkdays int    `json:"limit_workdays"`
	// ExcludedFromLimit marks a step whose time does not count against the
	// item's limit; by default every step counts.
	ExcludedFromLimit bool `json:"excluded_from_limit"`
}

// Content is everything a county fills in for an item; it is versioned as a
// whole, so the public keeps seeing the published version while a new draft
// is prepared.
type Content struct {
	Summary string `json:"summary"`

	// CategoryInformation items.
	ResponsibleUnit string `json:"responsible_unit"`
	Channel         string `json:"channel"`
	TimeLimit       string `json:"time_limit"`
	DisclosureMode  string `json:"disclosure_mode"`

	// CategoryPower and service items.
	PowerType              string        `json:"power_type"`
	ItemCode               string        `json:"item_code"`
	ImplementingBody       string        `json:"implementing_body"`
	LegalBasis             string        `json:"legal_basis"`
	LegalBasisVersion      string        `json:"legal_basis_version"`
	Conditions             string        `json:"conditions"`
	Materials              []Material    `json:"materials"`
	Fees                   string        `json:"fees"`
	StatutoryLimitWorkdays int           `json:"statutory_limit_workdays"`
	PromisedLimitWorkdays  int           `json:"promised_limit_workdays"`
	ExtensionWorkdays      int           `json:"extension_workdays"`
	SpecialSteps           []SpecialStep `json:"special_steps"`
	Consultation           string        `json:"consultation"`
	Complaint              string        `json:"complaint"`
	Steps                  []Step        `json:"steps"`
	InventoryStatus        string        `json:"inventory_status"`
	InventoryReason        string        `json:"inventory_reason"`
	Discretion             []Standard    `json:"discretion"`
}

// Item is an item of a county's catalog with its latest content.
type Item struct {
	CountyCode string `db:"county_code" json:"county_code"`
	Code       string `db:"code" json:"code"`
	Category   string `db:"category" json:"category"`
	Name       string `db:"name" json:"name"`
	Status     string `db:"status" json:"status"`
	// StatusReason says why an item is not applicable ("" otherwise).
	StatusReason     string    `db:"status_reason" json:"status_reason,omitempty"`
	SortOrder        int       `db:"sort_order" json:"-"`
	LatestVersion    int       `db:"latest_version" json:"version"`
	PublishedVersion int       `db:"published_version" json:"published_version"`
	CreatedAt        time.Time `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time `db:"updated_at" json:"updated_at"`
}

// HasUnpublishedChanges reports a draft newer than what the public sees.
func (it Item) HasUnpublishedChanges() bool { return it.LatestVersion > it.PublishedVersion }

// Version is one saved state of an item's content.
type Version struct {
	Version     int        `json:"version"`
	Name        string     `json:"name"`
	Content     Content    `json:"-"`
	UpdatedBy   int64      `json:"updated_by"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedBy *int64     `json:"published_by,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// ItemView is an item as the API shows it: identity, lifecycle and content.
type ItemView struct {
	Item
	Content
	HasUnpublishedChanges bool `json:"has_unpublished_changes"`
	// FromTemplate marks an item never saved whose content is its
	// province's template (the shipped starter content unless the province
	// edited it): the clerk replaces the local fields and saves.
	FromTemplate bool       `json:"from_template,omitempty"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	PublishedBy  *int64     `json:"published_by,omitempty"`
}

// ByOwnMotion tells the power types a bureau exercises on its own motion:
// penalties (行政处罚), inspections (行政检查) and coercive measures
// (行政强制). Nobody applies for them, so they are never offered for online
// application or counter receipt; staff open them as enforcement cases.
func ByOwnMotion(powerType string) bool {
	return powerType == "CF" || powerType == "JC" || powerType == "QZ"
}

// Applicable tells whether people can apply for the item (online or at the
// counter): a power or service item with steps and a statutory limit, not
// one exercised on the bureau's own motion.
func (v ItemView) Applicable() bool {
	return v.Category != CategoryInformation && len(v.Steps) > 0 && v.StatutoryLimitWorkdays > 0 && !ByOwnMotion(v.PowerType)
}

// fieldErrors collects validation messages by field path (e.g. steps[1].post).
type fieldErrors map[string]string

func (f fieldErrors) add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return apperr.Invalid("填写内容有误，请按提示修改", f)
}

const maxText = 20000

// checkText bounds the length of free text fields.
func (f fieldErrors) checkText(field, value string, limit int) {
	if utf8.RuneCountInString(value) > limit {
		f.add(field, "不能超过%d个字", limit)
	}
}

// Validate checks content that is being saved as a draft: every value present
// must make sense, but the item need not be complete yet.
func (c *Content) Validate(category string) error {
	f := fieldErrors{}
	for field, v := range map[string]string{
		"summary": c.Summary, "responsible_unit": c.ResponsibleUnit, "channel": c.Channel, "time_limit": c.TimeLimit,
		"item_code": c.ItemCode, "implementing_body": c.ImplementingBody, "legal_basis": c.LegalBasis,
		"legal_basis_version": c.LegalBasisVersion, "conditions": c.Conditions, "fees": c.Fees,
		"consultation": c.Consultation, "complaint": c.Complaint, "inventory_reason": c.InventoryReason,
	} {
		f.checkText(field, v, maxText)
	}
	if c.DisclosureMode != "" && c.DisclosureMode != Proactive && c.DisclosureMode != OnRequest {
		f.add("disclosure_mode", "公开方式应为主动公开（proactive）或依申请公开（on_request）")
	}
	if c.PowerType != "" && PowerTypeTitle(c.PowerType) == c.PowerType {
		f.add("power_type", "未知的职权类型：%s", c.PowerType)
	}
	if c.InventoryStatus != "" && InventoryTitle(c.InventoryStatus) == c.InventoryStatus {
		f.add("inventory_status", "清理结果应为保留、取消、调整、下放或转移之一")
	}
	if c.InventoryStatus != "" && c.InventoryStatus != "kept" && strings.TrimSpace(c.InventoryReason) == "" {
		f.add("inventory_reason", "取消、调整、下放或转移的职权须说明理由")
	}
	if category == CategoryInformation && (c.PowerType != "" || len(c.Steps) > 0 || len(c.Discretion) > 0) {
		f.add("power_type", "政府信息公开事项不填写职权类型、办理环节和裁量基准")
	}
	c.validateLimits(f)
	for i, m := range c.Materials {
		if strings.TrimSpace(m.Name) == "" {
			f.add(fmt.Sprintf("materials[%d].name", i), "材料名称不能为空")
		}
		if m.Copies < 0 {
			f.add(fmt.Sprintf("materials[%d].copies", i), "份数不能为负数")
		}
	}
	for i, s := range c.SpecialSteps {
		if strings.TrimSpace(s.Name) == "" {
			f.add(fmt.Sprintf("special_steps[%d].name", i), "特别程序名称不能为空")
		}
		if s.LimitWorkdays < 0 {
			f.add(fmt.Sprintf("special_steps[%d].limit_workdays", i), "时限不能为负数")
		} else if s.LimitWorkdays > MaxLimitWorkdays {
			f.add(fmt.Sprintf("special_steps[%d].limit_workdays", i), "时限过长（不超过%d个工作日）", MaxLimitWorkdays)
		}
	}
	c.validateSteps(f)
	validateStandards(c.Discretion, c.PowerType, f)
	return f.err()
}

var limitFields = []string{"statutory_limit_workdays", "promised_limit_workdays", "extension_workdays"}

// MaxLimitWorkdays bounds every time limit an item or step may give, in
// working days. The law sets no upper bound to enforce (行政许可法 第四十二条
// lets laws and regulations set longer periods, 第四十五条 leaves hearings,
// tests and expert reviews to the time they need), so this is a bound on
// work, not a legal figure: ten years of working days, beyond any period a
// county item has, keeps every deadline count to microseconds (the calendar
// stops any count at calendar.MaxCountDays too).
const MaxLimitWorkdays = 3650

// MaxExtensionWorkdays is the longest extension the 行政许可法 gives
// (第四十二条): ten days for one body's decision, fifteen where the licence is
// handled jointly or centrally (统一办理、联合办理、集中办理). The article lets
// other laws and regulations provide otherwise; we found none among the
// work-safety items that grants a longer extension, so the cap holds for all.
const MaxExtensionWorkdays = 15

func (c *Content) validateLimits(f fieldErrors) {
	for i, v := range []int{c.StatutoryLimitWorkdays, c.PromisedLimitWorkdays, c.ExtensionWorkdays} {
		if v < 0 {
			f.add(limitFields[i], "时限不能为负数")
		} else if v > MaxLimitWorkdays {
			f.add(limitFields[i], "时限过长（不超过%d个工作日）", MaxLimitWorkdays)
		}
	}
	if c.ExtensionWorkdays > MaxExtensionWorkdays {
		f.add("extension_workdays", "延长期限不能超过%d个工作日（行政许可法第四十二条：一般延长十日，统一、联合、集中办理的延长十五日）", MaxExtensionWorkdays)
	}
	if c.PromisedLimitWorkdays > 0 && c.StatutoryLimitWorkdays > 0 && c.PromisedLimitWorkdays*3 > c.StatutoryLimitWorkdays*2 {
		f.add("promised_limit_workdays", "承诺时限应比法定时限至少缩短三分之一（不超过%d个工作日）", c.StatutoryLimitWorkdays*2/3)
	}
	if c.PromisedLimitWorkdays > 0 && c.StatutoryLimitWorkdays == 0 {
		f.add("statutory_limit_workdays", "填写承诺时限时须同时填写法定时限")
	}
}

// stepFields are the parts of a flowchart step a clerk writes, with the
// editor's names for them. Point 三 of the 2011 notice (安监总厅〔2011〕209号)
// asks that every step's 岗位、权限、程序和时限 be clear; the name labels the
// step in the chart.
var stepFields = []struct{ key, label string }{
	{"name", "环节名称"}, {"post", "办理岗位"}, {"authority", "办理权限"}, {"procedure", "办理程序"},
}

// text is the part of the step a key of stepFields names.
func (s Step) text(key string) string {
	switch key {
	case "name":
		return s.Name
	case "post":
		return s.Post
	case "authority":
		return s.Authority
	}
	return s.Procedure
}

// validateSteps checks what a draft's steps hold; a step may still lack
// parts (publishing demands them), so nothing a clerk typed is refused for
// what is not typed yet. Every message names the step, as the editor's list
// of errors shows it away from the field.
func (c *Content) validateSteps(f fieldErrors) {
	counted := 0
	for i, s := range c.Steps {
		p := fmt.Sprintf("steps[%d]", i)
		if s.LimitWorkdays < 0 {
			f.add(p+".limit_workdays", "第%d步的时限不能为负数", i+1)
		} else if s.LimitWorkdays > MaxLimitWorkdays {
			f.add(p+".limit_workdays", "第%d步的时限过长（不超过%d个工作日）", i+1, MaxLimitWorkdays)
		}
		for _, field := range stepFields {
			if utf8.RuneCountInString(s.text(field.key)) > maxStepText {
				f.add(p+"."+field.key, "第%d步的%s不能超过%d个字", i+1, field.label, maxStepText)
			}
		}
		if !s.ExcludedFromLimit {
			counted += s.LimitWorkdays
		}
	}
	if len(c.Steps) > 50 {
		f.add("steps", "环节不能超过50个")
	}
	if c.StatutoryLimitWorkdays > 0 && counted > c.StatutoryLimitWorkdays {
		f.add("steps", "各计时环节时限之和（%d个工作日）超过法定时限（%d个工作日）", counted, c.StatutoryLimitWorkdays)
	}
}

const maxStepText = 2000

// requireCompleteSteps asks of every step of a published flowchart its name,
// post, authority, procedure and a time limit of at least one working day
// (an excluded step too: the public is told how long it takes, even if the
// item's clock does not count it).
func (c *Content) requireCompleteSteps(f fieldErrors) {
	for i, s := range c.Steps {
		p := fmt.Sprintf("steps[%d]", i)
		for _, field := range stepFields {
			if strings.TrimSpace(s.text(field.key)) == "" {
				f.add(p+"."+field.key, "请填写第%d步的%s", i+1, field.label)
			}
		}
		if s.LimitWorkdays < 1 {
			f.add(p+".limit_workdays", "请填写第%d步的办理时限（至少1个工作日）", i+1)
		}
	}
}

// ValidateForPublishing also demands what the public must be able to read,
// among it a complete flowchart: every step with its post, authority,
// procedure and time limit.
//
// Every problem is reported at once, what a draft may not hold and what a
// published item must hold, so the editor's list at the top names them all.
func (c *Content) ValidateForPublishing(category string) error {
	f := fieldErrors{}
	if err := c.Validate(category); err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		for k, v := range e.Fields {
			f[k] = v
		}
	}
	required := func(field, value, message string) {
		if strings.TrimSpace(value) == "" {
			f.add(field, "%s", message)
		}
	}
	switch category {
	case CategoryInformation:
		required("summary", c.Summary, "请填写公开的具体内容")
		required("responsible_unit", c.ResponsibleUnit, "请填写责任单位")
		required("channel", c.Channel, "请填写公开渠道")
		required("time_limit", c.TimeLimit, "请填写公开时限")
		required("disclosure_mode", c.DisclosureMode, "请选择公开方式")
	default:
		required("power_type", c.PowerType, "请选择职权类型")
		required("implementing_body", c.ImplementingBody, "请填写实施主体")
		required("legal_basis", c.LegalBasis, "请填写设定依据")
		required("inventory_status", c.InventoryStatus, "请填写职权清理结果")
		required("complaint", c.Complaint, "请填写监督投诉渠道")
		if c.InventoryStatus == "kept" || c.InventoryStatus == "adjusted" {
			if c.StatutoryLimitWorkdays == 0 {
				f.add("statutory_limit_workdays", "请填写法定时限")
			}
			if c.PromisedLimitWorkdays == 0 {
				f.add("promised_limit_workdays", "请填写承诺时限")
			}
			if len(c.Steps) == 0 {
				f.add("steps", "请至少填写一个办理环节（运行流程图）")
			}
		}
		if c.PowerType == "CF" && len(c.Discretion) == 0 {
			f.add("discretion", "行政处罚事项须填写裁量基准")
		}
		c.requireCompleteSteps(f)
	}
	c.refuseMarkers(f)
	if len(f) == 0 {
		return nil
	}
	return apperr.Invalid(fmt.Sprintf("填写内容有误：发布前还有%d处需要填写或改正，请按下方列表逐项处理", len(f)), f)
}

// refuseMarkers names every field still holding a template marker: a local
// value to fill in (【待填写…】) or a legal fact to check (【待核实…】).
// Shipped starter content uses them so that nothing unchecked or generic is
// published by accident.
func (c *Content) refuseMarkers(f fieldErrors) {
	check := func(field, v string) {
		switch {
		case strings.Contains(v, MarkerLocal):
			f.add(field, "请将“%s”替换为本单位的实际内容", marked(v, MarkerLocal))
		case strings.Contains(v, MarkerVerify):
			f.add(field, "请核实并替换“%s”", marked(v, MarkerVerify))
		}
	}
	for field, v := range map[string]string{
		"summary": c.Summary, "responsible_unit": c.ResponsibleUnit, "channel": c.Channel, "time_limit": c.TimeLimit,
		"item_code": c.ItemCode, "implementing_body": c.ImplementingBody, "legal_basis": c.LegalBasis,
		"legal_basis_version": c.LegalBasisVersion, "conditions": c.Conditions, "fees": c.Fees,
		"consultation": c.Consultation, "complaint": c.Complaint, "inventory_reason": c.InventoryReason,
	} {
		check(field, v)
	}
	for i, m := range c.Materials {
		check(fmt.Sprintf("materials[%d].name", i), m.Name)
		check(fmt.Sprintf("materials[%d].note", i), m.Note)
	}
	for i, s := range c.Steps {
		for _, field := range stepFields {
			check(fmt.Sprintf("steps[%d].%s", i, field.key), s.text(field.key))
		}
	}
	for i, st := range c.Discretion {
		p := fmt.Sprintf("discretion[%d]", i)
		for field, v := range map[string]string{"violation": st.Violation, "legal_provision": st.LegalProvision,
			"penalty_basis": st.PenaltyBasis, "legal_basis_version": st.LegalBasisVersion} {
			check(p+"."+field, v)
		}
		for j, t := range st.Tiers {
			check(fmt.Sprintf("%s.tiers[%d].conditions", p, j), t.Conditions)
		}
	}
}

// marked returns the marker text starting at the first marker in v.
func marked(v, marker string) string {
	i := strings.Index(v, marker)
	rest := v[i:]
	if j := strings.Index(rest, "】"); j >= 0 {
		return rest[:j+len("】")]
	}
	return rest
}

var itemCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,15}$`)

// ValidateNewItem checks an item a county adds to its own catalog.
func ValidateNewItem(code, category, name string) error {
	f := fieldErrors{}
	if !itemCodePattern.MatchString(code) {
		f.add("code", "事项编码应为1至16位字母、数字或连字符")
	}
	if category != CategoryInformation && category != CategoryPower && category != CategoryService {
		f.add("category", "类别应为 information、power 或 service")
	}
	if strings.TrimSpace(name) == "" {
		f.add("name", "请填写事项名称")
	}
	f.checkText("name", name, 200)
	return f.err()
}
