package rbac

import (
	"slices"
	"testing"
)

// TestRoleManager checks the role manager against the answers Casbin's
// default one gives for the same links.
func TestRoleManager(t *testing.T) {
	rm := newRoleManager()
	for _, l := range [][2]string{
		{"u:1@34", "province_admin"}, {"u:1@34", "province_admin"}, {"u:1@340102", "county_clerk"},
		{"province_admin", "users:manage"}, {"county_clerk", "cases:handle"}, {"county_clerk", "cases:read"},
	} {
		if err := rm.AddLink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name         string
		name1, name2 string
		want         bool
	}{
		{"direct", "u:1@34", "province_admin", true},
		{"through a role", "u:1@34", "users:manage", true},
		{"other region", "u:1@35", "users:manage", false},
		{"other role's permission", "u:1@34", "cases:handle", false},
		{"itself", "u:9@11", "u:9@11", true},
		{"absent", "u:9@11", "users:manage", false},
		{"role to permission", "county_clerk", "cases:read", true},
		{"not upwards", "cases:read", "county_clerk", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rm.HasLink(tt.name1, tt.name2)
			if err != nil || got != tt.want {
				t.Errorf("HasLink(%q, %q) = %v, %v; want %v", tt.name1, tt.name2, got, err, tt.want)
			}
		})
	}
	if got, _ := rm.GetRoles("u:1@34"); !slices.Equal(got, []string{"province_admin"}) {
		t.Errorf("GetRoles kept a duplicate link: %v", got)
	}
	if got, _ := rm.GetImplicitRoles("u:1@340102"); !slices.Equal(got, []string{"county_clerk", "cases:handle", "cases:read"}) {
		t.Errorf("GetImplicitRoles = %v", got)
	}
	if got, _ := rm.GetUsers("county_clerk"); !slices.Equal(got, []string{"u:1@340102"}) {
		t.Errorf("GetUsers = %v", got)
	}
	if err := rm.DeleteLink("county_clerk", "cases:handle"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := rm.HasLink("u:1@340102", "cases:handle"); ok {
		t.Error("link still there after DeleteLink")
	}
	if ok, _ := rm.HasLink("u:1@340102", "cases:read"); !ok {
		t.Error("DeleteLink removed the wrong link")
	}
	if err := rm.DeleteLink("u:1@34", "province_admin"); err != nil {
		t.Fatal(err)
	}
	if _, held := rm.links["u:1@34"]; held {
		t.Error("a name without links is kept")
	}
	if _, err := rm.HasLink("u:1@34", "users:manage", "34"); err == nil {
		t.Error("a domain is accepted")
	}
	if err := rm.Clear(); err != nil || len(rm.links) != 0 {
		t.Errorf("Clear left %d names, %v", len(rm.links), err)
	}
}

// TestRoleManagerCycle checks that a cycle ends at the depth limit.
func TestRoleManagerCycle(t *testing.T) {
	rm := newRoleManager()
	_ = rm.AddLink("a", "b")
	_ = rm.AddLink("b", "a")
	if ok, _ := rm.HasLink("a", "c"); ok {
		t.Error("a reaches c")
	}
	if ok, _ := rm.HasLink("b", "b"); !ok {
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
