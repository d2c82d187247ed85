// Package entities is a county's register of supervised 生产经营单位: who the
// work-safety bureau inspects, with their industry and risk grade. Inspections
// and penalty cases build on it; the register itself is staff-only, since it
// holds contact persons' names and phones.
package entities

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"safetypilot/modules/apperr"
	"safetypilot/modules/cases"
)

// Permissions of the register.
const (
	// ReadPermission lets enforcement staff see the register.
	ReadPermission = "entities:read"
	// EditPermission lets officers add and correct entities one by one.
	EditPermission = "entities:edit"
	// ImportPermission lets the county administrator load a whole workbook.
	ImportPermission = "entities:import"
	// ExportPersonalPermission lets a workbook carry phones and ID numbers
	// unmasked: the county administrator (who imports the register back)
	// and officers (who call entities to arrange inspections). Everyone
	// else gets them masked; an unmasked export is audited.
	ExportPersonalPermission = "personal:export"
)

// Statuses of an entity: a closed one stays in the register for history
// (past inspections name it) but is no longer supervised.
const (
	StatusActive = "active"
	StatusClosed = "closed"
)

// Option is a code with the Chinese title pages and workbooks use.
type Option struct{ Code, Title string }

// Industries follow the common split of a county bureau's work: the
// licensed high-hazard trades (危险化学品, 烟花爆竹, 非煤矿山) and the eight
// 工贸行业 of 《冶金有色建材机械轻工纺织烟草商贸行业安全监管分类标准（试行）》
// (应急厅〔2019〕17号, which replaced 安监总厅管四〔2014〕29号), as quoted by
// secondary sources read with the search tool; we could not read the
// Ministry's own text. 其他 takes everything else.
var Industries = []Option{
	{"hazchem", "危险化学品"}, {"fireworks", "烟花爆竹"}, {"noncoal_mine", "非煤矿山"},
	{"metallurgy", "冶金"}, {"nonferrous", "有色"}, {"building_materials", "建材"}, {"machinery", "机械"},
	{"light_industry", "轻工"}, {"textile", "纺织"}, {"tobacco", "烟草"}, {"commerce", "商贸"},
	{"other", "其他"},
}

// RiskGrades are the four grades of 安全风险分级管控, highest first, coded by
// the colour each is marked with (重大风险 红, 较大风险 橙, 一般风险 黄, 低风险
// 蓝). Wording as given by secondary sources found with the search tool
// (hjpbs.com, jingyanzongjie.com on 安全风险等级划分); the governing standard
// itself was not read.
var RiskGrades = []Option{
	{"red", "重大风险"}, {"orange", "较大风险"}, {"yellow", "一般风险"}, {"blue", "低风险"},
}

// Statuses lists the statuses with their titles.
var Statuses = []Option{{StatusActive, "在册"}, {StatusClosed, "已关闭"}}

// title finds the title of a code, or "" when the code is not in the list.
func title(list []Option, code string) string {
	for _, o := range list {
		if o.Code == code {
			return o.Title
		}
	}
	return ""
}

// codeOf finds the code of a title (as typed in a workbook), or "".
func codeOf(list []Option, t string) string {
	for _, o := range list {
		if o.Title == t {
			return o.Code
		}
	}
	return ""
}

// IndustryTitle is the Chinese name of an industry code.
func IndustryTitle(code string) string { return title(Industries, code) }

// RiskGradeTitle is the Chinese name of a risk grade code.
func RiskGradeTitle(code string) string { return title(RiskGrades, code) }

// StatusTitle is the Chinese name of a status.
func StatusTitle(code string) string { return title(Statuses, code) }

// Entity is one supervised 生产经营单位 of a county.
type Entity struct {
	ID         int64     `db:"id" json:"id"`
	CountyCode string    `db:"county_code" json:"county_code"`
	Name       string    `db:"name" json:"name"`
	CreditCode string    `db:"credit_code" json:"credit_code"`
	Address    string    `db:"address" json:"address"`
	Industry   string    `db:"industry" json:"industry"`
	RiskGrade  string    `db:"risk_grade" json:"risk_grade"`
	Contact    string    `db:"contact" json:"contact"`
	Phone      string    `db:"phone" json:"phone"`
	Status     string    `db:"status" json:"status"`
	CreatedBy  int64     `db:"created_by" json:"-"`
	UpdatedBy  int64     `db:"updated_by" json:"-"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time `db:"updated_at" json:"updated_at"`
}

// Input is an entity as a client sends it, to create or to replace one.
type Input struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	Address    string `json:"address"`
	Industry   string `json:"industry"`
	RiskGrade  string `json:"risk_grade"`
	Contact    string `json:"contact"`
	Phone      string `json:"phone"`
	// Status defaults to active.
	Status string `json:"status"`
}

// phonePattern accepts a mobile or fixed-line number with area code and
// extension separators, as the case applicant's phone does.
var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)

// normalize trims the input and upper-cases the credit code, so a code
// typed in lower case or with spaces around it matches the stored one.
func (in *Input) normalize() {
	for _, p := range []*string{&in.Name, &in.CreditCode, &in.Address, &in.Industry, &in.RiskGrade, &in.Contact,
		&in.Phone, &in.Status} {
		*p = strings.TrimSpace(*p)
	}
	in.CreditCode = strings.ToUpper(in.CreditCode)
	if in.Status == "" {
		in.Status = StatusActive
	}
}

// Validate checks an input (after normalize) and names every bad field.
// The field names are the JSON names; the import maps them to columns.
func (in Input) Validate() map[string]string {
	f := map[string]string{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f["name"] = "请填写单位名称"
	case n > 200:
		f["name"] = "单位名称不超过200字"
	}
	switch {
	case in.CreditCode == "":
		f["credit_code"] = "请填写统一社会信用代码"
	case !cases.ValidCreditCode(in.CreditCode):
		f["credit_code"] = "统一社会信用代码有误（应为18位，校验位正确）"
	}
	switch n := utf8.RuneCountInString(in.Address); {
	case n == 0:
		f["address"] = "请填写地址"
	case n > 300:
		f["address"] = "地址不超过300字"
	}
	if in.Industry == "" {
		f["industry"] = "请选择行业"
	} else if IndustryTitle(in.Industry) == "" {
		f["industry"] = "未知的行业"
	}
	if in.RiskGrade == "" {
		f["risk_grade"] = "请选择风险等级"
	} else if RiskGradeTitle(in.RiskGrade) == "" {
		f["risk_grade"] = "风险等级应为重大风险、较大风险、一般风险或低风险"
	}
	if utf8.RuneCountInString(in.Contact) > 64 {
		f["contact"] = "联系人不超过64字"
	}
	if in.Phone != "" && !phonePattern.MatchString(in.Phone) {
		f["phone"] = "联系电话格式有误"
	}
	if StatusTitle(in.Status) == "" {
		f["status"] = "状态应为 active 或 closed"
	}
	return f
}

// Filter selects a page of a county's register.
type Filter struct {
	// Q matches part of the name or of the credit code.
	Q             string
	Page, PerPage int
}

// errInvalid wraps field errors into the one client error.
func errInvalid(fields map[string]string) error {
	return apperr.Invalid("请检查填写的内容", fields)
}
