package rbac_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// referencePolicy reads policy.csv into role → permissions, independently of
// the enforcer's loader.
func referencePolicy(t *testing.T) map[string]map[string]bool {
	t.Helper()
	f, err := os.Open("policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) != 3 || strings.TrimSpace(parts[0]) != "p" {
			t.Fatalf("policy.csv: unexpected line %q", line)
		}
		role, perm := strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		if out[role] == nil {
			out[role] = map[string]bool{}
		}
		out[role][perm] = true
	}
	return out
}

// referenceAllowed is the plain definition: some assignment of the user whose
// role has the permission and whose region covers the target.
func referenceAllowed(policy map[string]map[string]bool, held []rbac.Assignment, region, perm string) bool {
	for _, a := range held {
		if policy[a.Role][perm] && rbac.Covers(a.Region, region) {
			return true
		}
	}
	return false
}

// TestEnforcerMatchesReference compares Allowed with referenceAllowed for
// random users, regions and permissions, after a full load and after grants
// and revokes a second replica applies incrementally.
func TestEnforcerMatchesReference(t *testing.T) {
	t.Parallel()
	policy := referencePolicy(t)
	var roles, perms []string
	for role, ps := range policy {
		roles = append(roles, role)
		for p := range ps {
			perms = append(perms, p)
		}
	}
	perms = append(perms, "nothing:ever", "")
	regions := []string{"*", "34", "35", "65", "66", "340102", "340103", "350102", "650102",
		"659001", "659012", "660101", "6590", "3401", "", "**", "3a0102", "34010x"}
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(7, uint64(len(d.Dialect))))
		const users = 60
		held := map[int64][]rbac.Assignment{}
		has := func(uid int64, role, region string) bool {
			for _, a := range held[uid] {
				if a.Role == role && a.Region == region {
					return true
				}
			}
			return false
		}
		// Any role in any well-formed region, written directly: the check must
		// agree with the reference even where Grant's rules would refuse.
		for uid := int64(1); uid <= users; uid++ {
			for n := r.IntN(3); n > 0; n-- {
				role, region := roles[r.IntN(len(roles))], regions[r.IntN(12)]
				if has(uid, role, region) {
					continue
				}
				if _, err := d.Exec(`INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)`,
					uid, role, region, 0, db.Now()); err != nil {
					t.Fatal(err)
				}
				held[uid] = append(held[uid], rbac.Assignment{UserID: uid, Role: role, Region: region})
			}
		}
		a, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		b, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		compare := func(step string, e *rbac.Enforcer) {
			t.Helper()
			for i := 0; i < 3000; i++ {
				uid := int64(1 + r.IntN(users+2))
				region, perm := regions[r.IntN(len(regions))], perms[r.IntN(len(perms))]
				if r.IntN(3) == 0 && len(held[uid]) > 0 {
					region = held[uid][r.IntN(len(held[uid]))].Region
				}
				want := referenceAllowed(policy, held[uid], region, perm)
				if got := allowed(t, e, uid, region, perm); got != want {
					t.Fatalf("%s: Allowed(%d, %q, %q) = %v, reference %v (holds %v)", step, uid, region, perm, got, want, held[uid])
				}
			}
		}
		compare("full load", b)
		for round := 0; round < 5; round++ {
			for n := 0; n < 10; n++ {
				uid := int64(1 + r.IntN(users))
				if hs := held[uid]; len(hs) > 0 && r.IntN(2) == 0 {
					h := hs[r.IntN(len(hs))]
					if err := revoke(ctx, d, uid, h.Role, h.Region); err != nil {
						t.Fatal(err)
					}
					for i, x := range hs {
						if x == h {
							held[uid] = append(hs[:i:i], hs[i+1:]...)
							break
						}
					}
					continue
				}
				role := roles[r.IntN(len(roles))]
				region := regions[r.IntN(12)]
				if info, _ := rbac.Role(role); !info.FitsLevel(region) || has(uid, role, region) {
					continue
				}
				if err := grant(ctx, d, uid, role, region, 0); err != nil {
					continue // separation of duties may refuse it
				}
				held[uid] = append(held[uid], rbac.Assignment{UserID: uid, Role: role, Region: region})
			}
			reloadIfChanged(t, b)
			compare(fmt.Sprintf("round %d, incremental", round), b)
		}
		if err := a.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		compare("full reload", a)
	})
}

// TestEnforcerIncremental checks that a second enforcer on the same database
// applies grants and revokes from the change log, and reloads everything when
// the log no longer covers what it missed.
func TestEnforcerIncremental(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		b, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		const (
			user   = 10
			hidden = 11 // written without a version bump or log: only a full load sees it
			late   = 12
		)
		if _, err := d.Exec(`INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)`,
			hidden, rbac.CountyClerk, "340102", 1, db.Now()); err != nil {
			t.Fatal(err)
		}
		mustGrant(t, d, user, rbac.CountyClerk, "340102", 1)
		mustGrant(t, d, user, rbac.ProvinceLeader, "35", 1)
		reloadIfChanged(t, b)
		if !allowed(t, b, user, "340102", "cases:handle") || !allowed(t, b, user, "350102", "dashboard:read") {
			t.Fatal("replica b did not apply the grants")
		}
		if allowed(t, b, hidden, "340102", "cases:handle") {
			t.Fatal("replica b reloaded everything instead of applying the logged grants")
		}
		if err := revoke(ctx, d, user, rbac.CountyClerk, "340102"); err != nil {
			t.Fatal(err)
		}
		reloadIfChanged(t, b)
		if allowed(t, b, user, "340102", "cases:handle") {
			t.Error("replica b did not apply the revoke")
		}
		if !allowed(t, b, user, "350102", "dashboard:read") {
			t.Error("the revoke took away another role")
		}

		// Trimmed log: b is behind by a change the log no longer holds.
		mustGrant(t, d, late, rbac.CountyReviewer, "340103", 1)
		if _, err := d.Exec(`DELETE FROM policy_changes`); err != nil {
			t.Fatal(err)
		}
		reloadIfChanged(t, b)
		if !allowed(t, b, late, "340103", "cases:approve") {
			t.Error("replica b missed a grant whose log entry was trimmed")
		}
		if !allowed(t, b, hidden, "340102", "cases:handle") {
			t.Error("replica b did not fall back to a full reload")
		}
		if err := a.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if !allowed(t, a, late, "340103", "cases:approve") {
			t.Error("replica a does not see the grant after Reload")
		}
	})
}

// TestEnforcerChecksDuringChanges asks checks from other goroutines while
// grants and revokes are applied: once ReloadIfChanged returns, every check
// sees the change, whatever the decision cache held before.
func TestEnforcerChecksDuringChanges(t *testing.T) {
	t.Parallel()
	d := openRBACDB(t, db.SQLite)
	ctx := context.Background()
	e, err := rbac.NewEnforcer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	const user = 20
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				// Distinct questions too, so the cache and the memo keep growing.
				if _, err := e.Allowed(int64(user+i%500), "340102", "cases:handle"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if i%2 == 0 {
			mustGrant(t, d, user, rbac.CountyClerk, "340102", 1)
		} else if err := revoke(ctx, d, user, rbac.CountyClerk, "340102"); err != nil {
			t.Fatal(err)
		}
		reloadIfChanged(t, e)
		if got, want := allowed(t, e, user, "340102", "cases:handle"), i%2 == 0; got != want {
			t.Fatalf("change %d: Allowed = %v, want %v", i, got, want)
		}
	}
	close(done)
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
