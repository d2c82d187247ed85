package rbac_test

import (
	"context"
	"testing"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/rbac"
)

// check asks e.Check and fails the test on an error.
func check(t *testing.T, e *rbac.Enforcer, userID int64, region, perm string) bool {
	t.Helper()
	ok, err := e.Check(context.Background(), userID, region, perm)
	if err != nil {
		t.Fatalf("Check(%d, %q, %q): %v", userID, region, perm, err)
	}
	return ok
}

// TestCheckReadsGrantsOfOtherReplicas: two replicas on one database, and no
// poll. A grant made through replica a is honoured by replica b at the first
// check, because a refusal makes b catch up first; a revoke through a is
// honoured by b once its poll applies it, and until then b may still allow
// (revokes are not read-your-writes; see Enforcer.Check).
func TestCheckReadsGrantsOfOtherReplicas(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, da, dbb *db.DB) {
		ctx := context.Background()
		a, err := rbac.NewEnforcer(ctx, da)
		if err != nil {
			t.Fatal(err)
		}
		b, err := rbac.NewEnforcer(ctx, dbb)
		if err != nil {
			t.Fatal(err)
		}
		const user = 10
		if check(t, b, user, "340102", "cases:handle") {
			t.Fatal("replica b allows before any grant")
		}

		mustGrant(t, da, user, rbac.CountyAdmin, "340102", 1)
		reloadIfChanged(t, a)
		if !check(t, a, user, "340102", "users:manage") {
			t.Fatal("replica a does not honour its own grant")
		}
		if allowed(t, b, user, "340102", "users:manage") {
			t.Fatal("replica b holds the grant already: the test proves nothing")
		}
		if !check(t, b, user, "340102", "users:manage") {
			t.Error("replica b refuses a grant made through replica a (Check did not catch up)")
		}
		if !allowed(t, b, user, "340102", "cases:read") {
			t.Error("replica b did not keep the policy it caught up to")
		}
		if check(t, b, user, "340103", "users:manage") {
			t.Error("replica b allows the grant in another county")
		}

		if err := revoke(ctx, da, user, rbac.CountyAdmin, "340102"); err != nil {
			t.Fatal(err)
		}
		reloadIfChanged(t, a)
		if check(t, a, user, "340102", "users:manage") {
			t.Error("replica a still honours a role it revoked")
		}
		// The window Check documents: an allowed check reads nothing, so b
		// honours the revoked role until its poll.
		if !check(t, b, user, "340102", "users:manage") {
			t.Error("replica b refuses before its poll applied the revoke: did an allowed check read the database?")
		}
		reloadIfChanged(t, b) // the poll (Watch)
		if check(t, b, user, "340102", "users:manage") {
			t.Error("replica b still honours the revoked role after its poll")
		}
	})
}

// TestCheckAllowedReadsNothing proves that an allowed check never touches the
// database: with replica b's handle closed, its allowed questions (cached and
// new) are still answered, while a refusal, which must read the version,
// returns the error instead of a silent deny.
func TestCheckAllowedReadsNothing(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, da, dbb *db.DB) {
		ctx := context.Background()
		const user = 11
		mustGrant(t, da, user, rbac.CountyClerk, "340102", 1)
		b, err := rbac.NewEnforcer(ctx, dbb)
		if err != nil {
			t.Fatal(err)
		}
		if !check(t, b, user, "340102", "cases:read") {
			t.Fatal("replica b refuses the clerk's own county")
		}
		if err := dbb.Close(); err != nil {
			t.Fatal(err)
		}
		for _, perm := range []string{"cases:read", "cases:handle"} { // warm, then new
			if ok, err := b.Check(ctx, user, "340102", perm); err != nil || !ok {
				t.Errorf("Check(%q) with the database closed = %v, %v; want allowed without a read", perm, ok, err)
			}
		}
		if ok, err := b.Check(ctx, user, "340102", "users:manage"); err == nil {
			t.Errorf("a refusal with the database closed = %v, nil; want the version read's error", ok)
		}
		if ok, err := b.Allowed(user, "340102", "users:manage"); err != nil || ok {
			t.Errorf("Allowed with the database closed = %v, %v; want a plain refusal", ok, err)
		}
	})
}

// TestCheckRefusalWithoutChange: a refusal whose replica is current stays a
// refusal after one version read, and so does one after an unrelated change.
func TestCheckRefusalWithoutChange(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, da, dbb *db.DB) {
		ctx := context.Background()
		const user = 12
		mustGrant(t, da, user, rbac.CountyClerk, "340102", 1)
		b, err := rbac.NewEnforcer(ctx, dbb)
		if err != nil {
			t.Fatal(err)
		}
		if check(t, b, user, "340102", "users:manage") {
			t.Error("a clerk may manage users")
		}
		mustGrant(t, da, user+1, rbac.CountyClerk, "340103", 1)
		if check(t, b, user, "340103", "cases:read") {
			t.Error("a clerk may read a neighbour's cases after an unrelated grant")
		}
		if !allowed(t, b, user+1, "340103", "cases:read") {
			t.Error("the refusal did not bring replica b up to date")
		}
	})
}
