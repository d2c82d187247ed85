package web

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/rbac"
)

// countingChecker passes every question to the real enforcer and counts
// them: Allowed questions (which never read the database) and Check calls
// (web.Allowed makes one only after a plain refusal, so each reads the policy
// version once).
type countingChecker struct {
	e  *rbac.Enforcer
	mu sync.Mutex
	// asked counts Allowed questions by "region perm"; checks counts Check calls.
	asked  map[string]int
	checks int
}

func newCountingChecker(e *rbac.Enforcer) *countingChecker {
	return &countingChecker{e: e, asked: map[string]int{}}
}

func (c *countingChecker) Allowed(userID int64, region, perm string) (bool, error) {
	c.mu.Lock()
	c.asked[region+" "+perm]++
	c.mu.Unlock()
	return c.e.Allowed(userID, region, perm)
}

func (c *countingChecker) Check(ctx context.Context, userID int64, region, perm string) (bool, error) {
	c.mu.Lock()
	c.checks++
	c.mu.Unlock()
	return c.e.Check(ctx, userID, region, perm)
}

// grantRoles gives a user roles through the real grant path.
func grantRoles(t *testing.T, d *db.DB, userID int64, roles ...rbac.Assignment) {
	t.Helper()
	ctx := context.Background()
	for _, a := range roles {
		if err := d.InTx(ctx, func(tx *sqlx.Tx) error { return rbac.Grant(ctx, tx, userID, a.Role, a.Region, 1) }); err != nil {
			t.Fatalf("grant %s in %s: %v", a.Role, a.Region, err)
		}
	}
}

// migratedSQLite is a fresh, migrated SQLite database owned by t.
func migratedSQLite(t *testing.T) *db.DB {
	t.Helper()
	d := dbtest.Open(t, db.SQLite)
	m, err := db.NewMigrator(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNavAsksOncePerPage renders a page for a clerk of two counties, then the
// error page in the same request: the menu asks each (region, permission)
// question once in all, however many entries share a permission, and only
// with the plain check, which reads no database.
func TestNavAsksOncePerPage(t *testing.T) {
	d := migratedSQLite(t)
	const user = 7
	held := []rbac.Assignment{{Role: rbac.CountyClerk, Region: "340102"}, {Role: rbac.CountyClerk, Region: "340103"}}
	grantRoles(t, d, user, held...)
	e, err := rbac.NewEnforcer(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	checker := newCountingChecker(e)
	p, err := NewPages(func(_ context.Context, code string) string { return code })
	if err != nil {
		t.Fatal(err)
	}
	p.NavChecker = checker
	p.AddNav(
		NavEntry{Title: "审计日志", Perm: "audit:read", URL: func(string) string { return "/audit" }},
		NavEntry{Title: "登录记录", Perm: "audit:read", URL: func(string) string { return "/audit/sign-ins" }},
		NavEntry{Title: "用户管理", Perm: "users:manage", URL: func(r string) string { return RegionURL(r) + "/users" }},
		NavEntry{Title: "办件", Perm: "cases:read", URL: func(r string) string { return RegionURL(r) + "/cases" }},
		NavEntry{Title: "办件统计", Perm: "cases:read", URL: func(r string) string { return RegionURL(r) + "/cases/stats" }},
	)
	content, err := p.Parse(fstest.MapFS{"page.html": {Data: []byte(`{{define "content"}}<p>页面</p>{{end}}`)}}, "page.html")
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler), p)})
	app.Get("/counties/:county/cases", func(c *fiber.Ctx) error {
		c.Locals(principalKey, &Principal{UserID: user, Username: "clerk", DisplayName: "办事员", Roles: held})
		if err := p.Render(c, content, View{Title: "办件", Region: c.Params("county")}); err != nil {
			return err
		}
		// A failure after rendering: the error page renders in the same request.
		return apperr.Conflict("test_conflict", "冲突")
	})
	res, err := app.Test(httptest.NewRequest("GET", "/counties/340102/cases", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != fiber.StatusConflict || !strings.Contains(string(body), "冲突") {
		t.Fatalf("status %d, body %s; want the error page after the page", res.StatusCode, body)
	}
	want := map[string]int{}
	for _, r := range []string{"340102", "340103"} {
		for _, perm := range []string{"audit:read", "users:manage", "cases:read"} {
			want[r+" "+perm] = 1
		}
	}
	if len(checker.asked) != len(want) {
		t.Errorf("the menu asked %v; want each of %d questions once", checker.asked, len(want))
	}
	for q, n := range checker.asked {
		if want[q] != n {
			t.Errorf("the menu asked %q %d times, want %d", q, n, want[q])
		}
	}
	if checker.checks != 0 {
		t.Errorf("the menu made %d checks that read the database, want none", checker.checks)
	}
	for _, link := range []string{`href="/counties/340102/cases" class="current"`, `href="/counties/340103/cases"`, `href="/counties/340103/cases/stats"`} {
		if !strings.Contains(string(body), link) {
			t.Errorf("the menu lacks %s", link)
		}
	}
	for _, link := range []string{`href="/audit"`, `/users"`} {
		if strings.Contains(string(body), link) {
			t.Errorf("the menu shows %s to a clerk", link)
		}
	}
}
