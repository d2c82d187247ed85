package rbac_test

import (
	"testing"

	"safetypilot/rbac"
)

func TestCovers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		scope, target string
		want          bool
	}{
		{"country covers a county", "*", "340102", true},
		{"country covers a province", "*", "34", true},
		{"country covers itself", "*", "*", true},
		{"country covers an XPCC city", "*", "659001", true},
		{"province covers its county", "34", "340102", true},
		{"province covers itself", "34", "34", true},
		{"province does not cover another province's county", "34", "350102", false},
		{"province does not cover a city-level code", "34", "3401", false},
		{"province does not cover another province", "34", "35", false},
		{"province does not cover the country", "34", "*", false},
		{"XPCC covers its county-level city", "66", "659001", true},
		{"XPCC covers 659012", "66", "659012", true},
		{"XPCC does not cover Xinjiang's counties", "66", "650102", false},
		{"Xinjiang does not cover the XPCC cities", "65", "659001", false},
		{"Xinjiang covers its own counties", "65", "650102", true},
		{"county covers itself", "340102", "340102", true},
		{"county does not cover a sibling", "340102", "340103", false},
		{"county does not cover its province", "340102", "34", false},
		{"county does not cover the country", "340102", "*", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rbac.Covers(tc.scope, tc.target); got != tc.want {
				t.Errorf("Covers(%q, %q) = %v, want %v", tc.scope, tc.target, got, tc.want)
			}
		})
	}
}

func TestProvinceOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, county, want string
	}{
		{"Anhui county", "340102", "34"},
		{"Fujian county", "350102", "35"},
		{"Xinjiang county", "650102", "65"},
		{"XPCC city belongs to 66", "659001", "66"},
		{"another XPCC city", "659012", "66"},
		{"province code itself", "34", "34"},
		{"too short", "3", ""},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rbac.ProvinceOf(tc.county); got != tc.want {
				t.Errorf("ProvinceOf(%q) = %q, want %q", tc.county, got, tc.want)
			}
		})
	}
}

func TestRegionLevel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		region string
		want   rbac.Level
		ok     bool
	}{
		{"country", "*", rbac.LevelNational, true},
		{"province", "34", rbac.LevelProvince, true},
		{"XPCC", "66", rbac.LevelProvince, true},
		{"county", "340102", rbac.LevelCounty, true},
		{"XPCC city", "659001", rbac.LevelCounty, true},
		{"empty", "", 0, false},
		{"one digit", "3", 0, false},
		{"city-level four digits", "3401", 0, false},
		{"seven digits", "3401021", 0, false},
		{"letters in a province", "3a", 0, false},
		{"letters in a county", "34010x", 0, false},
		{"double star", "**", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := rbac.RegionLevel(tc.region)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("RegionLevel(%q) = %v, %v; want %v, %v", tc.region, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestFitsLevel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		role, region string
		want         bool
	}{
		{"national admin in the country", rbac.NationalAdmin, "*", true},
		{"national admin not in a province", rbac.NationalAdmin, "34", false},
		{"national admin not in a county", rbac.NationalAdmin, "340102", false},
		{"province admin in a province", rbac.ProvinceAdmin, "34", true},
		{"province admin in the XPCC", rbac.ProvinceAdmin, "66", true},
		{"province admin not in a county", rbac.ProvinceAdmin, "340102", false},
		{"province admin not in the country", rbac.ProvinceAdmin, "*", false},
		{"province leader in a province", rbac.ProvinceLeader, "34", true},
		{"county admin in a county", rbac.CountyAdmin, "340102", true},
		{"county admin not in a province", rbac.CountyAdmin, "34", false},
		{"county clerk in a county", rbac.CountyClerk, "340102", true},
		{"county clerk not in the country", rbac.CountyClerk, "*", false},
		{"county reviewer in a county", rbac.CountyReviewer, "659001", true},
		{"security admin in the country", rbac.SecurityAdmin, "*", true},
		{"security admin in a province", rbac.SecurityAdmin, "34", true},
		{"security admin in a county", rbac.SecurityAdmin, "340102", true},
		{"audit admin in a county", rbac.AuditAdmin, "340102", true},
		{"audit admin not in a malformed region", rbac.AuditAdmin, "3401", false},
		{"county clerk not in an empty region", rbac.CountyClerk, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, ok := rbac.Role(tc.role)
			if !ok {
				t.Fatalf("Role(%q) unknown", tc.role)
			}
			if got := info.FitsLevel(tc.region); got != tc.want {
				t.Errorf("%s.FitsLevel(%q) = %v, want %v", tc.role, tc.region, got, tc.want)
			}
		})
	}
}

func TestCanGrant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		by, role string
		want     bool
	}{
		{"county admin gives county clerk", rbac.CountyAdmin, rbac.CountyClerk, true},
		{"county admin gives county reviewer", rbac.CountyAdmin, rbac.CountyReviewer, true},
		{"county admin cannot give county admin", rbac.CountyAdmin, rbac.CountyAdmin, false},
		{"county admin cannot give province admin", rbac.CountyAdmin, rbac.ProvinceAdmin, false},
		{"county admin cannot give security admin", rbac.CountyAdmin, rbac.SecurityAdmin, false},
		{"county admin cannot give audit admin", rbac.CountyAdmin, rbac.AuditAdmin, false},
		{"province admin gives county admin", rbac.ProvinceAdmin, rbac.CountyAdmin, true},
		{"province admin gives county clerk", rbac.ProvinceAdmin, rbac.CountyClerk, true},
		{"province admin gives disclosure head", rbac.ProvinceAdmin, rbac.DisclosureHead, true},
		{"county admin gives disclosure head", rbac.CountyAdmin, rbac.DisclosureHead, true},
		{"national admin cannot give disclosure head", rbac.NationalAdmin, rbac.DisclosureHead, false},
		{"county admin gives county officer", rbac.CountyAdmin, rbac.CountyOfficer, true},
		{"county admin gives county legal", rbac.CountyAdmin, rbac.CountyLegal, true},
		{"province admin gives county officer", rbac.ProvinceAdmin, rbac.CountyOfficer, true},
		{"province admin gives county legal", rbac.ProvinceAdmin, rbac.CountyLegal, true},
		{"national admin cannot give county officer", rbac.NationalAdmin, rbac.CountyOfficer, false},
		{"county officer gives nothing", rbac.CountyOfficer, rbac.CountyLegal, false},
		{"province admin cannot give national admin", rbac.ProvinceAdmin, rbac.NationalAdmin, false},
		{"province admin cannot give security admin", rbac.ProvinceAdmin, rbac.SecurityAdmin, false},
		{"national admin gives security admin", rbac.NationalAdmin, rbac.SecurityAdmin, true},
		{"national admin gives audit admin", rbac.NationalAdmin, rbac.AuditAdmin, true},
		{"national admin gives province admin", rbac.NationalAdmin, rbac.ProvinceAdmin, true},
		{"national admin cannot give an unknown role", rbac.NationalAdmin, "ghost", false},
		{"county clerk gives nothing", rbac.CountyClerk, rbac.CountyClerk, false},
		{"province leader gives nothing", rbac.ProvinceLeader, rbac.CountyClerk, false},
		{"security admin gives nothing", rbac.SecurityAdmin, rbac.CountyClerk, false},
		{"audit admin gives nothing", rbac.AuditAdmin, rbac.AuditAdmin, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rbac.CanGrant(tc.by, tc.role); got != tc.want {
				t.Errorf("CanGrant(%q, %q) = %v, want %v", tc.by, tc.role, got, tc.want)
			}
		})
	}

	// Exhaustively: county_admin may give exactly the other county roles
	// (county_clerk, county_reviewer, county_leader, disclosure_head,
	// county_officer, county_legal), and an unknown role
	// grants nothing at all.
	for _, by := range []string{rbac.CountyAdmin, "ghost", "", "Country_Admin"} {
		for _, r := range rbac.Roles {
			want := by == rbac.CountyAdmin && (r.Name == rbac.CountyClerk || r.Name == rbac.CountyReviewer ||
				r.Name == rbac.CountyLeader || r.Name == rbac.DisclosureHead || r.Name == rbac.CountyOfficer ||
				r.Name == rbac.CountyLegal)
			t.Run("by "+by+" gives "+r.Name, func(t *testing.T) {
				if got := rbac.CanGrant(by, r.Name); got != want {
					t.Errorf("CanGrant(%q, %q) = %v, want %v", by, r.Name, got, want)
				}
			})
		}
	}
}

func TestRoleTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		role  string
		level rbac.Level
		duty  rbac.Duty
	}{
		{"national admin is a system duty", rbac.NationalAdmin, rbac.LevelNational, rbac.DutySystem},
		{"province admin is a system duty", rbac.ProvinceAdmin, rbac.LevelProvince, rbac.DutySystem},
		{"county admin is a system duty", rbac.CountyAdmin, rbac.LevelCounty, rbac.DutySystem},
		{"province leader has no duty", rbac.ProvinceLeader, rbac.LevelProvince, ""},
		{"county clerk has no duty", rbac.CountyClerk, rbac.LevelCounty, ""},
		{"county reviewer has no duty", rbac.CountyReviewer, rbac.LevelCounty, ""},
		{"disclosure head is a county role without duty", rbac.DisclosureHead, rbac.LevelCounty, ""},
		{"county officer is a county role without duty", rbac.CountyOfficer, rbac.LevelCounty, ""},
		{"county legal is a county role without duty", rbac.CountyLegal, rbac.LevelCounty, ""},
		{"security admin", rbac.SecurityAdmin, rbac.LevelAny, rbac.DutySecurity},
		{"audit admin", rbac.AuditAdmin, rbac.LevelAny, rbac.DutyAudit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, ok := rbac.Role(tc.role)
			if !ok {
				t.Fatalf("Role(%q) unknown", tc.role)
			}
			if info.Level != tc.level || info.Duty != tc.duty || info.Title == "" {
				t.Errorf("Role(%q) = %+v, want level %v duty %q and a title", tc.role, info, tc.level, tc.duty)
			}
			if rbac.RoleTitle(tc.role) != info.Title {
				t.Errorf("RoleTitle(%q) = %q, want %q", tc.role, rbac.RoleTitle(tc.role), info.Title)
			}
		})
	}
	if _, ok := rbac.Role("ghost"); ok {
		t.Error(`Role("ghost") is known`)
	}
	if got := rbac.RoleTitle("ghost"); got != "ghost" {
		t.Errorf(`RoleTitle("ghost") = %q, want the name itself`, got)
	}
}
