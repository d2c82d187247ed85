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

// TestDecisionCacheKeepsHotSet checks the decision cache's bound and its
// eviction: through a stream of one-off questions twenty times the bound,
// the questions asked again and again (the hot set) are answered from the
// cache every time, while the one-offs are evicted; Delete and Clear remove
// decisions.
func TestDecisionCacheKeepsHotSet(t *testing.T) {
	const size = 64
	c := newDecisionCache(size)
	// ask does what Casbin's cached Enforce does, Get and Set on a miss, and
	// reports whether the cache answered.
	ask := func(key string, decide bool) (bool, bool) {
		if v, err := c.Get(key); err == nil {
			return v, true
		}
		if err := c.Set(key, decide); err != nil {
			t.Fatal(err)
		}
		return decide, false
	}
	hot := make([]string, 10)
	for i := range hot {
		hot[i] = fmt.Sprintf("u:%d$$340102$$cases:read$$", i)
		ask(hot[i], i%2 == 0)
	}
	const sweep = 20 * size
	missed := 0
	for i := range sweep {
		ask(fmt.Sprintf("u:%d$$110101$$users:manage$$", 1000+i), false)
		if n := c.len(); n > size {
			t.Fatalf("the cache holds %d decisions, over its bound %d", n, size)
		}
		if i%16 == 15 { // the hot set is asked again as the sweep goes on
			for j, k := range hot {
				v, hit := ask(k, j%2 == 0)
				if !hit {
					missed++
				}
				if v != (j%2 == 0) {
					t.Fatalf("hot decision %q = %v, want %v", k, v, j%2 == 0)
				}
			}
		}
	}
	if missed > 0 {
		t.Errorf("the hot set missed the cache %d times during the sweep, want never", missed)
	}
	if n := c.len(); n != size {
		t.Errorf("the cache holds %d decisions after the sweep, want it full (%d)", n, size)
	}
	if _, err := c.Get("u:1000$$110101$$users:manage$$"); err == nil {
		t.Error("the sweep's first one-off question was kept instead of evicted")
	}
	if _, err := c.Get(fmt.Sprintf("u:%d$$110101$$users:manage$$", 1000+sweep-1)); err != nil {
		t.Error("the sweep's last question was not kept")
	}
	if got := c.stored.Load(); got != int64(len(hot)+sweep) {
		t.Errorf("stored = %d, want one per miss (%d)", got, len(hot)+sweep)
	}
	if err := c.Delete(hot[0]); err != nil {
		t.Errorf("Delete(%q) = %v", hot[0], err)
	}
	if _, err := c.Get(hot[0]); err == nil {
		t.Error("a deleted decision is still answered")
	}
	if err := c.Delete(hot[0]); err == nil {
		t.Error("Delete of an absent decision did not say so")
	}
	if err := c.Clear(); err != nil || c.len() != 0 {
		t.Errorf("Clear left %d decisions, %v", c.len(), err)
	}
	if _, err := c.Get(hot[1]); err == nil {
		t.Error("a decision survived Clear")
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
