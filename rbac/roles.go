package rbac

import "strings"

// Role names, as fixed by the API contract.
const (
	NationalAdmin  = "national_admin"
	ProvinceAdmin  = "province_admin"
	ProvinceLeader = "province_leader"
	CountyAdmin    = "county_admin"
	CountyClerk    = "county_clerk"
	CountyReviewer = "county_reviewer"
	// CountyLeader is the bureau's 负责人 (分管局领导): the law asks for
	// their approval of an extension (行政许可法 第四十二条).
	CountyLeader = "county_leader"
	// CountyOfficer is an enforcement officer (执法人员): keeps the register
	// of supervised entities, inspects and investigates.
	CountyOfficer = "county_officer"
	// CountyLegal reviews enforcement decisions (法制审核); kept apart from
	// the officers because the reviewer must not have investigated.
	CountyLegal = "county_legal"
	// DisclosureHead is the head of the county bureau's disclosure office
	// (政府信息公开工作机构负责人): 政府信息公开条例 第三十三条 asks for their
	// consent to extend the answer to a request. The bureau's 负责人
	// (CountyLeader), who heads the body, may give it too.
	DisclosureHead = "disclosure_head"
	SecurityAdmin  = "security_admin"
	AuditAdmin     = "audit_admin"
)

// NationalRegion is the domain of roles that cover the whole country.
const NationalRegion = "*"

// Level says which kind of region a role is held in.
type Level int

// Region levels.
const (
	LevelNational Level = iota
	LevelProvince
	LevelCounty
	LevelAny // security and audit administrators serve at any level
)

// Duty is the 等保 2.0 separated-duty class a role belongs to (三员分立): one person
// never holds roles of two different duties.
type Duty string

// The three separated administrator duties; roles outside them have no duty.
const (
	DutySystem   Duty = "system"
	DutySecurity Duty = "security"
	DutyAudit    Duty = "audit"
)

// RoleInfo describes a role for pages and for the grant rules.
type RoleInfo struct {
	Name  string
	Title string // Chinese name shown to users
	Level Level
	Duty  Duty
}

// Roles lists every role of the product.
var Roles = []RoleInfo{
	{NationalAdmin, "国家级系统管理员", LevelNational, DutySystem},
	{ProvinceAdmin, "省级系统管理员", LevelProvince, DutySystem},
	{ProvinceLeader, "省级领导（只读）", LevelProvince, ""},
	{CountyAdmin, "县级系统管理员", LevelCounty, DutySystem},
	{CountyClerk, "县级经办人员", LevelCounty, ""},
	{CountyReviewer, "县级审核人员", LevelCounty, ""},
	{CountyLeader, "县级负责人（分管局领导）", LevelCounty, ""},
	{DisclosureHead, "政府信息公开工作机构负责人", LevelCounty, ""},
	{CountyOfficer, "执法人员", LevelCounty, ""},
	{CountyLegal, "法制审核人员", LevelCounty, ""},
	{SecurityAdmin, "安全保密管理员", LevelAny, DutySecurity},
	{AuditAdmin, "安全审计员", LevelAny, DutyAudit},
}

// Role returns the description of a role name.
func Role(name string) (RoleInfo, bool) {
	for _, r := range Roles {
		if r.Name == name {
			return r, true
		}
	}
	return RoleInfo{}, false
}

// RoleTitle is the Chinese name of a role, or the name itself when unknown.
func RoleTitle(name string) string {
	if r, ok := Role(name); ok {
		return r.Title
	}
	return name
}

// grantable says which roles a holder of a role may give, and so also which
// roles it may create users with.
var grantable = map[string][]string{
	NationalAdmin: {NationalAdmin, ProvinceAdmin, ProvinceLeader, CountyAdmin, SecurityAdmin, AuditAdmin},
	ProvinceAdmin: {ProvinceAdmin, ProvinceLeader, CountyAdmin, CountyClerk, CountyReviewer, CountyLeader, DisclosureHead,
		CountyOfficer, CountyLegal},
	CountyAdmin: {CountyClerk, CountyReviewer, CountyLeader, DisclosureHead, CountyOfficer, CountyLegal},
}

// CanGrant reports whether a holder of role `by` may give role `role`.
func CanGrant(by, role string) bool {
	for _, r := range grantable[by] {
		if r == role {
			return true
		}
	}
	return false
}

// RegionLevel classifies a region code: "*", two digits, or six digits.
func RegionLevel(region string) (Level, bool) {
	switch {
	case region == NationalRegion:
		return LevelNational, true
	case len(region) == 2 && allDigits(region):
		return LevelProvince, true
	case len(region) == 6 && allDigits(region):
		return LevelCounty, true
	}
	return 0, false
}

// FitsLevel reports whether a role may be held in a region of that kind.
func (r RoleInfo) FitsLevel(region string) bool {
	lvl, ok := RegionLevel(region)
	if !ok {
		return false
	}
	return r.Level == LevelAny || r.Level == lvl
}

// Covers reports whether a role held in region scope applies in region target:
// the country covers everything, a province its counties (the XPCC, code 66,
// covers the county-level cities 6590xx that statistics list under Xinjiang).
func Covers(scope, target string) bool {
	switch {
	case scope == target || scope == NationalRegion:
		return true
	case len(scope) == 2 && len(target) == 6:
		if scope == "66" {
			return strings.HasPrefix(target, "6590")
		}
		return strings.HasPrefix(target, scope) && !strings.HasPrefix(target, "6590")
	}
	return false
}

// CoveredSQL is the SQL condition, with its arguments, that a region column
// holds a region scope covers, by the same rule as Covers: the XPCC's
// 6590xx belong to 66, not to Xinjiang (65). An empty or malformed scope
// matches nothing, never everything.
func CoveredSQL(column, scope string) (string, []any) {
	switch {
	case scope == NationalRegion:
		return "1 = 1", nil
	case scope == "66":
		return "(" + column + " = ? OR " + column + " LIKE ?)", []any{scope, "6590%"}
	case len(scope) == 2 && allDigits(scope):
		return "(" + column + " = ? OR (" + column + " LIKE ? AND " + column + " NOT LIKE ?))", []any{scope, scope + "%", "6590%"}
	case len(scope) == 6 && allDigits(scope):
		return column + " = ?", []any{scope}
	}
	return "1 = 0", nil
}

// ProvinceOf returns the province a county belongs to.
func ProvinceOf(county string) string {
	if strings.HasPrefix(county, "6590") {
		return "66"
	}
	if len(county) < 2 {
		return ""
	}
	return county[:2]
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
