package rbac

import (
	"fmt"
	"slices"
	"testing"
)

// TestRoleManager checks the role manager's answers: a link holds in its
// region and in every region that region covers, and nowhere else.
func TestRoleManager(t *testing.T) {
	rm := newRoleManager()
	for _, l := range [][3]string{
		{"u:1", "province_admin", "34"}, {"u:1", "province_admin", "34"}, {"u:1", "county_clerk", "340102"},
		{"u:2", "province_admin", "66"}, {"u:3", "national_admin", "*"},
		{"province_admin", "users:manage", "*"}, {"national_admin", "users:manage", "*"},
		{"county_clerk", "cases:handle", "*"}, {"county_clerk", "cases:read", "*"},
	} {
		if err := rm.AddLink(l[0], l[1], l[2]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name                 string
		name1, name2, region string
		want                 bool
	}{
		{"direct", "u:1", "province_admin", "34", true},
		{"through a role", "u:1", "users:manage", "34", true},
		{"province role in its county", "u:1", "users:manage", "340103", true},
		{"other province", "u:1", "users:manage", "35", false},
		{"other province's county", "u:1", "users:manage", "350102", false},
		{"county role in its county", "u:1", "cases:handle", "340102", true},
		{"county role in a neighbour", "u:1", "cases:handle", "340103", false},
		{"county role not upwards", "u:1", "cases:handle", "34", false},
		{"other role's permission", "u:1", "cases:handle", "34", false},
		{"XPCC city under 66", "u:2", "users:manage", "659001", true},
		{"XPCC elsewhere in Xinjiang", "u:2", "users:manage", "650102", false},
		{"national everywhere", "u:3", "users:manage", "659001", true},
		{"national in the country", "u:3", "users:manage", "*", true},
		{"province role not national", "u:1", "users:manage", "*", false},
		{"itself", "u:9", "u:9", "11", true},
		{"absent", "u:9", "users:manage", "11", false},
		{"role to permission", "county_clerk", "cases:read", "110101", true},
		{"not upwards", "cases:read", "county_clerk", "110101", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rm.HasLink(tt.name1, tt.name2, tt.region)
			if err != nil || got != tt.want {
				t.Errorf("HasLink(%q, %q, %q) = %v, %v; want %v", tt.name1, tt.name2, tt.region, got, err, tt.want)
			}
		})
	}
	if got, _ := rm.GetRoles("u:1", "34"); !slices.Equal(got, []string{"province_admin"}) {
		t.Errorf("GetRoles kept a duplicate link: %v", got)
	}
	if got, _ := rm.GetRoles("u:1", "340102"); !slices.Equal(got, []string{"province_admin", "county_clerk"}) {
		t.Errorf("GetRoles in a county = %v", got)
	}
	if got, _ := rm.GetImplicitRoles("u:1", "340102"); !slices.Equal(got, []string{"province_admin", "county_clerk", "users:manage", "cases:handle", "cases:read"}) {
		t.Errorf("GetImplicitRoles = %v", got)
	}
	if got, _ := rm.GetUsers("county_clerk", "340102"); !slices.Equal(got, []string{"u:1"}) {
		t.Errorf("GetUsers = %v", got)
	}
	if got, _ := rm.GetUsers("county_clerk", "340103"); len(got) != 0 {
		t.Errorf("GetUsers in another county = %v", got)
	}
	if got, _ := rm.GetDomains("u:1"); !slices.Equal(got, []string{"34", "340102"}) {
		t.Errorf("GetDomains = %v", got)
	}
	if err := rm.DeleteLink("county_clerk", "cases:handle", "*"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := rm.HasLink("u:1", "cases:handle", "340102"); ok {
		t.Error("link still there after DeleteLink")
	}
	if ok, _ := rm.HasLink("u:1", "cases:read", "340102"); !ok {
		t.Error("DeleteLink removed the wrong link")
	}
	if err := rm.DeleteLink("u:1", "province_admin", "35"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := rm.HasLink("u:1", "province_admin", "34"); !ok {
		t.Error("DeleteLink in another region removed the link")
	}
	if err := rm.DeleteLink("u:1", "province_admin", "34"); err != nil {
		t.Fatal(err)
	}
	if err := rm.DeleteDomain("340102"); err != nil {
		t.Fatal(err)
	}
	if _, held := rm.links["u:1"]; held {
		t.Error("a name without links is kept")
	}
	for _, domain := range [][]string{nil, {"34", "35"}} {
		if _, err := rm.HasLink("u:2", "users:manage", domain...); err == nil {
			t.Errorf("HasLink accepted regions %v", domain)
		}
		if err := rm.AddLink("u:2", "county_clerk", domain...); err == nil {
			t.Errorf("AddLink accepted regions %v", domain)
		}
	}
	if err := rm.Clear(); err != nil || len(rm.links) != 0 {
		t.Errorf("Clear left %d names, %v", len(rm.links), err)
	}
}

// TestRoleManagerCycle checks that a cycle ends at the depth limit.
func TestRoleManagerCycle(t *testing.T) {
	rm := newRoleManager()
	_ = rm.AddLink("a", "b", "*")
	_ = rm.AddLink("b", "a", "*")
	if ok, _ := rm.HasLink("a", "c", "11"); ok {
		t.Error("a reaches c")
	}
	if ok, _ := rm.HasLink("b", "b", "11"); !ok {
		t.Error("b does not reach itself")
	}
}

// TestDecisionCacheBound checks that the cache starts over at its bound.
func TestDecisionCacheBound(t *testing.T) {
	c := newDecisionCache(3)
	for _, k := range []string{"a", "b", "c"} {
		_ = c.Set(k, true)
	}
	if c.len() != 3 {
		t.Fatalf("len = %d, want 3", c.len())
	}
	_ = c.Set("d", false)
	if c.len() != 1 {
		t.Errorf("len = %d after the bound, want 1", c.len())
	}
	if v, err := c.Get("d"); err != nil || v {
		t.Errorf("Get(d) = %v, %v", v, err)
	}
	if _, err := c.Get("a"); err == nil {
		t.Error("a survived the start-over")
	}
}

// BenchmarkReaches measures the role manager's answer alone over a national
// number of users in random order, as first-time checks meet it.
func BenchmarkReaches(b *testing.B) {
	rm := newRoleManager()
	const users = 100_000
	for _, perm := range []string{"cases:read", "cases:handle", "catalog:read", "catalog:edit", "disclosure:read"} {
		_ = rm.AddLink(CountyClerk, perm, NationalRegion)
	}
	for i := range users {
		_ = rm.AddLink(Subject(int64(i)), CountyClerk, fmt.Sprintf("%02d%04d", 11+i%31, i%97))
	}
	subjects := make([]string, 1<<16)
	regions := make([]string, len(subjects))
	for i := range subjects {
		u := (i * 7919) % users
		subjects[i] = Subject(int64(u))
		regions[i] = fmt.Sprintf("%02d%04d", 11+u%31, (u+i%2)%97)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i & (len(subjects) - 1)
		rm.reaches(subjects[j], "cases:handle", regions[j], maxHierarchy)
	}
}
