package web

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/rbac"
)

// TestRequireReadsGrantsOfOtherReplicas: on each engine, a role granted
// through replica a opens a route on replica b at once (Require's refusal
// brings b up to date), and a request makes at most one refused Check, so
// the page's later questions cost no database read.
func TestRequireReadsGrantsOfOtherReplicas(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, da, dbb *db.DB) {
		ctx := context.Background()
		const admin = 8
		b, err := rbac.NewEnforcer(ctx, dbb)
		if err != nil {
			t.Fatal(err)
		}
		checker := newCountingChecker(b)
		var flags []bool
		app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler), nil)})
		app.Use(func(c *fiber.Ctx) error {
			c.Locals(principalKey, &Principal{UserID: admin, Username: "admin"})
			return c.Next()
		})
		app.Get("/api/v1/counties/:county/users", Require(checker, "users:manage", CountyScope), func(c *fiber.Ctx) error {
			flags = flags[:0]
			for _, perm := range []string{"security:manage", "audit:read", "cases:handle", "catalog:edit"} {
				ok, err := Allowed(c, checker, admin, c.Params("county"), perm)
				if err != nil {
					return err
				}
				flags = append(flags, ok)
			}
			return c.SendStatus(fiber.StatusNoContent)
		})
		get := func() int {
			t.Helper()
			res, err := app.Test(httptest.NewRequest("GET", "/api/v1/counties/340102/users", nil))
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusCode
		}
		if got := get(); got != fiber.StatusForbidden {
			t.Fatalf("before the grant: status %d, want 403", got)
		}

		grantRoles(t, da, admin, rbac.Assignment{Role: rbac.CountyAdmin, Region: "340102"})
		if ok, err := b.Allowed(admin, "340102", "users:manage"); err != nil || ok {
			t.Fatalf("replica b holds the grant already (%v, %v): the test proves nothing", ok, err)
		}
		checker.checks = 0
		if got := get(); got != fiber.StatusNoContent {
			t.Fatalf("after a grant through replica a: status %d on replica b, want 204", got)
		}
		if want := []bool{false, false, false, true}; len(flags) != len(want) || flags[0] || flags[1] || flags[2] || !flags[3] {
			t.Errorf("the page's flags = %v, want %v", flags, want)
		}
		// Require's refusal was the request's one Check (one version read);
		// the page's three refused flags then asked the plain check only.
		if checker.checks != 1 {
			t.Errorf("the request made %d Checks, want 1 (the refusal that caught up)", checker.checks)
		}

		checker.checks = 0
		if got := get(); got != fiber.StatusNoContent {
			t.Fatalf("again: status %d, want 204", got)
		}
		// The gate is allowed now (no read); the first refused flag is the
		// request's one Check, and the later refusals ask the plain check.
		if checker.checks != 1 {
			t.Errorf("the request made %d Checks, want 1 (the first refused flag)", checker.checks)
		}
	})
}
