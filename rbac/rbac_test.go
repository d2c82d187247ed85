package rbac_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/rbac"
)

// openRBACDB returns a fresh, fully migrated database of the dialect, owned by t.
func openRBACDB(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, dialect)
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// eachDialect runs f in a parallel subtest per dialect, each on its own database.
func eachDialect(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			f(t, openRBACDB(t, dialect))
		})
	}
}

func grant(ctx context.Context, d *db.DB, userID int64, role, region string, by int64) error {
	return d.InTx(ctx, func(tx *sqlx.Tx) error { return rbac.Grant(ctx, tx, userID, role, region, by) })
}

func revoke(ctx context.Context, d *db.DB, userID int64, role, region string) error {
	return d.InTx(ctx, func(tx *sqlx.Tx) error { return rbac.Revoke(ctx, tx, userID, role, region) })
}

func mustGrant(t *testing.T, d *db.DB, userID int64, role, region string, by int64) {
	t.Helper()
	if err := grant(context.Background(), d, userID, role, region, by); err != nil {
		t.Fatalf("grant %s in %s to %d: %v", role, region, userID, err)
	}
}

func policyVersion(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var v int64
	if err := d.Get(&v, `SELECT version FROM policy_version WHERE id = 1`); err != nil {
		t.Fatalf("policy version: %v", err)
	}
	return v
}

func assignments(t *testing.T, d *db.DB, userID int64) []rbac.Assignment {
	t.Helper()
	out, err := rbac.Assignments(context.Background(), d, userID)
	if err != nil {
		t.Fatalf("assignments: %v", err)
	}
	return out
}

// wantAppErr checks that err is a client error with that status and code.
func wantAppErr(t *testing.T, err error, status int, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want apperr %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("error = %d %s (%s), want %d %s", e.Status, e.Code, e.Message, status, code)
	}
}

func allowed(t *testing.T, e *rbac.Enforcer, userID int64, region, perm string) bool {
	t.Helper()
	ok, err := e.Allowed(userID, region, perm)
	if err != nil {
		t.Fatalf("Allowed(%d, %s, %s): %v", userID, region, perm, err)
	}
	return ok
}

func TestAssignments(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if got := assignments(t, d, 7); len(got) != 0 {
			t.Fatalf("assignments of a user without roles = %v", got)
		}
		v0 := policyVersion(t, d)
		mustGrant(t, d, 7, rbac.CountyClerk, "340103", 1)
		mustGrant(t, d, 7, rbac.CountyReviewer, "340102", 1)
		mustGrant(t, d, 7, rbac.CountyClerk, "340102", 1)
		mustGrant(t, d, 8, rbac.CountyClerk, "340102", 1)
		if v := policyVersion(t, d); v != v0+4 {
			t.Errorf("policy version after 4 grants = %d, want %d", v, v0+4)
		}
		want := []rbac.Assignment{
			{UserID: 7, Role: rbac.CountyClerk, Region: "340102"},
			{UserID: 7, Role: rbac.CountyReviewer, Region: "340102"},
			{UserID: 7, Role: rbac.CountyClerk, Region: "340103"},
		}
		if got := assignments(t, d, 7); !reflect.DeepEqual(got, want) {
			t.Fatalf("assignments = %+v, want %+v", got, want)
		}

		// Granting a role the user already holds is a no-op.
		v1 := policyVersion(t, d)
		mustGrant(t, d, 7, rbac.CountyClerk, "340102", 2)
		if got := assignments(t, d, 7); !reflect.DeepEqual(got, want) {
			t.Errorf("assignments after a repeated grant = %+v, want %+v", got, want)
		}
		if v := policyVersion(t, d); v != v1 {
			t.Errorf("a repeated grant bumped the version: %d → %d", v1, v)
		}

		// Revoke removes exactly one assignment and bumps the version.
		if err := revoke(ctx, d, 7, rbac.CountyReviewer, "340102"); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if v := policyVersion(t, d); v != v1+1 {
			t.Errorf("policy version after revoke = %d, want %d", v, v1+1)
		}
		want = []rbac.Assignment{want[0], want[2]}
		if got := assignments(t, d, 7); !reflect.DeepEqual(got, want) {
			t.Errorf("assignments after revoke = %+v, want %+v", got, want)
		}
		if got := assignments(t, d, 8); len(got) != 1 {
			t.Errorf("another user's assignments changed: %+v", got)
		}

		// Revoking what is not held is not found and changes nothing.
		v2 := policyVersion(t, d)
		err := revoke(ctx, d, 7, rbac.CountyReviewer, "340102")
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("revoke of a role not held = %v, want not found", err)
		}
		if v := policyVersion(t, d); v != v2 {
			t.Errorf("a failed revoke bumped the version: %d → %d", v2, v)
		}
	})
}

func TestGrantRules(t *testing.T) {
	t.Parallel()
	type held struct {
		role, region string
	}
	cases := []struct {
		name   string
		held   []held // roles the user (id 10) holds first, granted by 1
		role   string
		region string
		by     int64
		status int    // 0: the grant succeeds
		code   string // apperr code when it fails
	}{
		{name: "county clerk in a county", role: rbac.CountyClerk, region: "340102", by: 1},
		{name: "province admin in a province", role: rbac.ProvinceAdmin, region: "34", by: 1},
		{name: "security admin in the country", role: rbac.SecurityAdmin, region: "*", by: 1},
		{name: "audit admin in a county", role: rbac.AuditAdmin, region: "340102", by: 1},
		{name: "unknown role", role: "ghost", region: "340102", by: 1,
			status: http.StatusBadRequest, code: "invalid_input"},
		{name: "county role at province level", role: rbac.CountyClerk, region: "34", by: 1,
			status: http.StatusBadRequest, code: "invalid_input"},
		{name: "province role at county level", role: rbac.ProvinceAdmin, region: "340102", by: 1,
			status: http.StatusBadRequest, code: "invalid_input"},
		{name: "national role in a province", role: rbac.NationalAdmin, region: "34", by: 1,
			status: http.StatusBadRequest, code: "invalid_input"},
		{name: "county role in the country", role: rbac.CountyAdmin, region: "*", by: 1,
			status: http.StatusBadRequest, code: "invalid_input"},
		{name: "malformed region", role: rbac.SecurityAdmin, region: "3401", by: 1,
			status: http.StatusBadRequest, code: "invalid_input"},
		{name: "self grant", role: rbac.CountyClerk, region: "340102", by: 10,
			status: http.StatusForbidden, code: "self_grant"},
		{name: "security admin to an audit admin", held: []held{{rbac.AuditAdmin, "*"}},
			role: rbac.SecurityAdmin, region: "*", by: 1,
			status: http.StatusConflict, code: "separation_of_duties"},
		{name: "security admin to an audit admin of another region", held: []held{{rbac.AuditAdmin, "34"}},
			role: rbac.SecurityAdmin, region: "340102", by: 1,
			status: http.StatusConflict, code: "separation_of_duties"},
		{name: "audit admin to a security admin", held: []held{{rbac.SecurityAdmin, "34"}},
			role: rbac.AuditAdmin, region: "34", by: 1,
			status: http.StatusConflict, code: "separation_of_duties"},
		{name: "county admin to an audit admin", held: []held{{rbac.AuditAdmin, "340102"}},
			role: rbac.CountyAdmin, region: "340102", by: 1,
			status: http.StatusConflict, code: "separation_of_duties"},
		{name: "audit admin to a province admin", held: []held{{rbac.ProvinceAdmin, "34"}},
			role: rbac.AuditAdmin, region: "340102", by: 1,
			status: http.StatusConflict, code: "separation_of_duties"},
		{name: "two system roles are one duty", held: []held{{rbac.ProvinceAdmin, "34"}},
			role: rbac.CountyAdmin, region: "340102", by: 1},
		{name: "a role without duty beside a security admin", held: []held{{rbac.SecurityAdmin, "340102"}},
			role: rbac.CountyClerk, region: "340102", by: 1},
		{name: "an audit admin beside a clerk", held: []held{{rbac.CountyClerk, "340102"}},
			role: rbac.AuditAdmin, region: "340102", by: 1},
	}
	for _, dialect := range dbtest.Dialects {
		for _, tc := range cases {
			t.Run(string(dialect)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				d := openRBACDB(t, dialect)
				ctx := context.Background()
				for _, h := range tc.held {
					mustGrant(t, d, 10, h.role, h.region, 1)
				}
				before := assignments(t, d, 10)
				v0 := policyVersion(t, d)
				err := grant(ctx, d, 10, tc.role, tc.region, tc.by)
				after := assignments(t, d, 10)
				if tc.status == 0 {
					if err != nil {
						t.Fatalf("grant: %v", err)
					}
					if len(after) != len(before)+1 {
						t.Errorf("assignments after grant = %+v, want one more than %+v", after, before)
					}
					if v := policyVersion(t, d); v != v0+1 {
						t.Errorf("policy version = %d, want %d", v, v0+1)
					}
					return
				}
				wantAppErr(t, err, tc.status, tc.code)
				if !reflect.DeepEqual(after, before) {
					t.Errorf("a refused grant changed the assignments: %+v → %+v", before, after)
				}
				if v := policyVersion(t, d); v != v0 {
					t.Errorf("a refused grant bumped the version: %d → %d", v0, v)
				}
			})
		}
	}
}

func TestEnforcer(t *testing.T) {
	t.Parallel()
	const (
		national   = 1
		clerk      = 10 // county_clerk in 340102
		province   = 20 // province_admin in 34
		xpcc       = 30 // province_admin in 66
		xinjiang   = 40 // province_admin in 65
		auditor    = 50 // audit_admin in 34
		head       = 60 // disclosure_head in 340102
		leader     = 70 // county_leader in 340102
		reviewer   = 80 // county_reviewer in 340102
		officer    = 90 // county_officer in 340102
		legal      = 91 // county_legal in 340102
		unassigned = 99
	)
	cases := []struct {
		name   string
		user   int64
		region string
		perm   string
		want   bool
	}{
		{"clerk handles cases in their county", clerk, "340102", "cases:handle", true},
		{"clerk cannot handle cases in a sibling county", clerk, "340103", "cases:handle", false},
		{"clerk has no role in the province", clerk, "34", "cases:handle", false},
		{"clerk cannot approve counties", clerk, "340102", "counties:approve", false},
		{"clerk cannot manage users", clerk, "340102", "users:manage", false},
		{"province admin approves counties in 34", province, "34", "counties:approve", true},
		{"province admin manages users in a county of 34", province, "340102", "users:manage", true},
		{"province admin reads the catalog of a county of 34", province, "340103", "catalog:read", true},
		{"province admin cannot approve in 35", province, "35", "counties:approve", false},
		{"province admin cannot manage users in a county of 35", province, "350102", "users:manage", false},
		{"province admin has no national reach", province, "*", "counties:read", false},
		{"province admin does not handle cases", province, "340102", "cases:handle", false},
		{"XPCC admin manages its city", xpcc, "659001", "users:manage", true},
		{"XPCC admin does not reach Xinjiang's counties", xpcc, "650102", "users:manage", false},
		{"Xinjiang admin does not reach the XPCC cities", xinjiang, "659001", "users:manage", false},
		{"Xinjiang admin manages its own counties", xinjiang, "650102", "users:manage", true},
		{"national admin manages users in a county", national, "340102", "users:manage", true},
		{"national admin manages divisions in the country", national, "*", "divisions:manage", true},
		{"national admin does not read the audit log", national, "*", "audit:read", false},
		{"audit admin reads the audit log below their region", auditor, "340102", "audit:read", true},
		{"audit admin cannot read the audit log of 35", auditor, "35", "audit:read", false},
		{"audit admin cannot manage users", auditor, "34", "users:manage", false},
		{"a user without roles is denied", unassigned, "340102", "region:read", false},
		{"disclosure head extends requests in their county", head, "340102", "disclosure:extend", true},
		{"disclosure head cannot extend in a sibling county", head, "340103", "disclosure:extend", false},
		{"disclosure head does not answer requests", head, "340102", "disclosure:write", false},
		{"disclosure head does not review records", head, "340102", "disclosure:review", false},
		{"county leader extends requests", leader, "340102", "disclosure:extend", true},
		{"reviewer does not extend requests", reviewer, "340102", "disclosure:extend", false},
		{"clerk does not extend requests", clerk, "340102", "disclosure:extend", false},
		{"officer edits entities in their county", officer, "340102", "entities:edit", true},
		{"officer cannot edit entities in a sibling county", officer, "340103", "entities:edit", false},
		{"officer does not import entities", officer, "340102", "entities:import", false},
		{"officer does not handle cases", officer, "340102", "cases:handle", false},
		{"legal reviewer reads entities", legal, "340102", "entities:read", true},
		{"legal reviewer does not edit entities", legal, "340102", "entities:edit", false},
		{"clerk does not read entities", clerk, "340102", "entities:read", false},
		{"an unknown permission is denied", national, "*", "nothing:ever", false},
	}
	eachDialect(t, func(t *testing.T, d *db.DB) {
		mustGrant(t, d, national, rbac.NationalAdmin, "*", 0)
		mustGrant(t, d, clerk, rbac.CountyClerk, "340102", national)
		mustGrant(t, d, province, rbac.ProvinceAdmin, "34", national)
		mustGrant(t, d, xpcc, rbac.ProvinceAdmin, "66", national)
		mustGrant(t, d, xinjiang, rbac.ProvinceAdmin, "65", national)
		mustGrant(t, d, auditor, rbac.AuditAdmin, "34", national)
		mustGrant(t, d, head, rbac.DisclosureHead, "340102", province)
		mustGrant(t, d, leader, rbac.CountyLeader, "340102", province)
		mustGrant(t, d, reviewer, rbac.CountyReviewer, "340102", province)
		mustGrant(t, d, officer, rbac.CountyOfficer, "340102", province)
		mustGrant(t, d, legal, rbac.CountyLegal, "340102", province)
		e, err := rbac.NewEnforcer(context.Background(), d)
		if err != nil {
			t.Fatalf("enforcer: %v", err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if got := allowed(t, e, tc.user, tc.region, tc.perm); got != tc.want {
					t.Errorf("Allowed(%d, %q, %q) = %v, want %v", tc.user, tc.region, tc.perm, got, tc.want)
				}
			})
		}
	})
}

// TestEnforcerReplicas simulates two replicas: two enforcers on one database,
// where assignments change through only one of them.
func TestEnforcerReplicas(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			t.Fatalf("enforcer a: %v", err)
		}
		b, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			t.Fatalf("enforcer b: %v", err)
		}
		const user = 10
		steps := []struct {
			name   string
			change func(t *testing.T)
			reload func(t *testing.T, e *rbac.Enforcer) // how replica b catches up
			wantA  bool                                 // a reloads at once
			wantB  bool                                 // b before catching up
			after  bool                                 // b after catching up
		}{
			{
				name:   "grant on a reaches b after ReloadIfChanged",
				change: func(t *testing.T) { mustGrant(t, d, user, rbac.CountyClerk, "340102", 1) },
				reload: reloadIfChanged,
				wantA:  true, wantB: false, after: true,
			},
			{
				name:   "nothing changed: ReloadIfChanged keeps the policy",
				change: func(t *testing.T) {},
				reload: reloadIfChanged,
				wantA:  true, wantB: true, after: true,
			},
			{
				name: "revoke on a takes effect on b after ReloadIfChanged",
				change: func(t *testing.T) {
					if err := revoke(ctx, d, user, rbac.CountyClerk, "340102"); err != nil {
						t.Fatalf("revoke: %v", err)
					}
				},
				reload: reloadIfChanged,
				wantA:  false, wantB: true, after: false,
			},
			{
				// A row written without bumping the version is not noticed by the
				// poll — the version row is what replicas watch — but Reload sees it.
				name: "a change without a version bump needs a full Reload",
				change: func(t *testing.T) {
					if _, err := d.Exec(`INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)`,
						user, rbac.CountyClerk, "340102", 1, db.Now()); err != nil {
						t.Fatalf("insert: %v", err)
					}
				},
				reload: func(t *testing.T, e *rbac.Enforcer) {
					reloadIfChanged(t, e)
					if allowed(t, e, user, "340102", "cases:handle") {
						t.Errorf("ReloadIfChanged reloaded although the version did not change")
					}
					if err := e.Reload(ctx); err != nil {
						t.Fatalf("reload: %v", err)
					}
				},
				wantA: true, wantB: false, after: true,
			},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				s.change(t)
				if err := a.Reload(ctx); err != nil {
					t.Fatalf("reload a: %v", err)
				}
				if got := allowed(t, a, user, "340102", "cases:handle"); got != s.wantA {
					t.Errorf("replica a allowed = %v, want %v", got, s.wantA)
				}
				if got := allowed(t, b, user, "340102", "cases:handle"); got != s.wantB {
					t.Errorf("replica b before catching up allowed = %v, want %v", got, s.wantB)
				}
				s.reload(t, b)
				if got := allowed(t, b, user, "340102", "cases:handle"); got != s.after {
					t.Errorf("replica b after catching up allowed = %v, want %v", got, s.after)
				}
			})
		}
	})
}

func reloadIfChanged(t *testing.T, e *rbac.Enforcer) {
	t.Helper()
	if err := e.ReloadIfChanged(context.Background()); err != nil {
		t.Fatalf("ReloadIfChanged: %v", err)
	}
}

// TestConcurrentDutyGrants races two grants of different administrator duties
// to one user: exactly one may win, on both engines.
func TestConcurrentDutyGrants(t *testing.T) {
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for round := int64(0); round < 5; round++ {
			user := 100 + round
			errs := make(chan error, 2)
			for _, role := range []string{rbac.SecurityAdmin, rbac.AuditAdmin} {
				go func(role string) { errs <- grant(ctx, d, user, role, "*", 1) }(role)
			}
			var failures int
			for i := 0; i < 2; i++ {
				if err := <-errs; err != nil {
					wantAppErr(t, err, 409, "separation_of_duties")
					failures++
				}
			}
			if failures != 1 || len(assignments(t, d, user)) != 1 {
				t.Fatalf("round %d: %d refusals, roles %v; want exactly one duty", round, failures, assignments(t, d, user))
			}
		}
	})
}
