package platform_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
)

// startOn opens (migrating) the embedded SQLite database in dataDir and wires
// the whole service on it, as `pilotd serve` does, with the configuration's
// defaults for everything else. The database is closed when the test ends,
// or earlier by the caller.
func startOn(t *testing.T, dataDir string) (*e2e.Service, *db.DB) {
	t.Helper()
	cfg, err := server.ParseConfig([]string{"--data-dir", dataDir, "--db-dsn", "", "--bootstrap-admin-password", e2e.AdminPassword,
		"--log-format", "text", "--log-level", "error", "--require-admin-totp=false"})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	database, migrator, err := server.OpenDatabase(ctx, cfg, log)
	if err != nil {
		t.Fatalf("open database in %s: %v", dataDir, err)
	}
	t.Cleanup(func() { database.Close() }) // closing twice is harmless
	svc, err := server.Build(ctx, cfg, log, database, migrator)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if current, err := migrator.Current(ctx); err != nil || !current {
		t.Errorf("schema not current after start (%v, %v)", current, err)
	}
	return &e2e.Service{T: t, Svc: svc}, database
}

// TestRestartKeepsData: everything written before a restart on the same data
// folder is there after it: the county, its users and their passwords and
// sessions, the catalog with its published version, and the audit log, whose
// chain goes on intact.
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const county = e2e.CatCountyA

	s, database := startOn(t, dir)
	countyAdmin := s.Onboard("34", county)
	clerkID, clerk := s.AddUser(countyAdmin, county, "clerk_a", "county_clerk")
	r := s.Must(201, s.Do("POST", "/api/v1/national/users", s.AdminToken(),
		map[string]any{"username": "auditor", "display_name": "审计管理员", "roles": []string{"audit_admin"}}))
	initial := r.Body["initial_password"].(string)
	s.Must(204, s.Do("POST", "/api/v1/session/password", s.Login("auditor", initial),
		map[string]string{"current_password": initial, "new_password": "Audit#Pass2026x"}))
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, e2e.FireworksContent()))
	s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), countyAdmin, nil))
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, e2e.With(e2e.FireworksContent(), "fees", "重启前的草稿")))
	before := struct{ items, versions, audit, users, sessions int }{
		s.CountRows(`SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, county),
		s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ?`, county),
		s.CountRows(`SELECT COUNT(*) FROM audit_log`),
		s.CountRows(`SELECT COUNT(*) FROM users`),
		s.CountRows(`SELECT COUNT(*) FROM sessions`),
	}
	if before.items != 31 || before.versions != 2 || before.audit == 0 {
		t.Fatalf("before the restart: %+v", before)
	}
	if err := database.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "pilot.db")); err != nil || fi.Size() == 0 {
		t.Fatalf("database file after closing: %v", err)
	}

	// Start again on the same folder.
	s, _ = startOn(t, dir)
	if n := s.CountRows(`SELECT COUNT(*) FROM users`); n != before.users {
		t.Errorf("%d users after the restart, had %d (bootstrap ran again?)", n, before.users)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM users WHERE username = 'admin'`); n != 1 {
		t.Errorf("%d bootstrap administrators", n)
	}
	// Sessions live in the database: tokens from before the restart still work.
	c := s.Must(200, s.Do("GET", "/api/v1/counties/"+county, countyAdmin, nil))
	if co, _ := c.Body["county"].(map[string]any); co == nil || co["status"] != "active" || co["name"] != "瑶海区" {
		t.Errorf("county after the restart: %s", c.Raw)
	}
	session := s.Must(200, s.Do("GET", "/api/v1/session", clerk, nil))
	if u, _ := session.Body["user"].(map[string]any); u == nil || e2e.Num(u["id"]) != clerkID || u["must_change_password"] != false {
		t.Errorf("the clerk's session after the restart: %s", session.Raw)
	}
	// Users sign in with the passwords they chose, with their roles.
	clerk2 := s.Login("clerk_a", "User#Pass2026x")
	s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk2, nil))
	s.Must(403, s.Do("POST", e2e.CatPath(county, "/274/publish"), clerk2, nil)) // still a clerk, not an administrator
	s.AdminToken()

	// The catalog: all items, the published version for the public, the draft for staff.
	list := s.Must(200, s.Do("GET", e2e.CatPath(county, ""), countyAdmin, nil))
	if e2e.Num(list.Body["total"]) != 31 {
		t.Errorf("%v catalog items after the restart", list.Body["total"])
	}
	it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk, nil))
	if e2e.Num(it.Body["version"]) != 2 || e2e.Num(it.Body["published_version"]) != 1 || it.Body["fees"] != "重启前的草稿" {
		t.Errorf("item 274 after the restart: %s", it.Raw)
	}
	pub := s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))
	if pub.Body["fees"] != "不收费" || e2e.Num(pub.Body["promised_limit_workdays"]) != 13 {
		t.Errorf("public 274 after the restart: %s", pub.Raw)
	}
	if n := s.CountRows(`SELECT COUNT(*) FROM catalog_versions WHERE county_code = ?`, county); n != before.versions {
		t.Errorf("%d versions after the restart, had %d", n, before.versions)
	}

	// The audit log kept every entry and its chain continues intact.
	if n := s.CountRows(`SELECT COUNT(*) FROM audit_log`); n < before.audit {
		t.Errorf("%d audit entries after the restart, had %d", n, before.audit)
	}
	var first string
	if err := s.Svc.DB.Get(&first, `SELECT action FROM audit_log WHERE seq = 1`); err != nil || first == "" {
		t.Errorf("first audit entry: %q %v", first, err)
	}
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/275"), clerk, map[string]any{"summary": "重启后的修改"}))
	auditor := s.Login("auditor", "Audit#Pass2026x")
	v := s.Must(200, s.Do("GET", "/api/v1/audit/verify", auditor, nil))
	if v.Body["ok"] != true || int(e2e.Num(v.Body["entries"])) != s.CountRows(`SELECT COUNT(*) FROM audit_log`) {
		t.Errorf("audit chain after the restart: %s", v.Raw)
	}
	entries := s.Must(200, s.Do("GET", "/api/v1/audit?per_page=100", auditor, nil))
	if !strings.Contains(string(entries.Raw), "/api/v1/counties/"+county+"/catalog/274/publish") ||
		!strings.Contains(string(entries.Raw), "/api/v1/counties/"+county+"/catalog/275") {
		t.Errorf("audit entries from before and after the restart are not both listed: %.500s", entries.Raw)
	}
}

// metricLine finds the sample of name whose labels include all of labels
// (each `key="value"`) and returns its value, or -1.
func metricLine(text, name string, labels ...string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		labelPart, value := "", line[len(name):]
		if strings.HasPrefix(value, "{") {
			end := strings.LastIndex(value, "}")
			labelPart, value = value[1:end], value[end+1:]
		}
		ok := true
		for _, l := range labels {
			ok = ok && (strings.HasPrefix(labelPart, l+",") || strings.Contains(labelPart, ","+l+",") ||
				strings.HasSuffix(labelPart, ","+l) || labelPart == l)
		}
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return -1
		}
		return f
	}
	return -1
}

// TestMetrics: /metrics counts requests by route template (never the
// concrete path) and status code, times them in buckets, and reports the
// database pool.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	adminA := s.Onboard("34", e2e.CatCountyA)
	s.Onboard("34", e2e.CatCountyB)
	const route = `route="/api/v1/counties/:county/catalog"`
	s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, ""), adminA, nil))
	s.Must(200, s.Do("GET", e2e.CatPath(e2e.CatCountyA, ""), adminA, nil))
	s.Must(403, s.Do("GET", e2e.CatPath(e2e.CatCountyB, ""), adminA, nil))
	s.Must(401, s.Do("GET", e2e.CatPath(e2e.CatCountyA, ""), "", nil))
	s.Must(404, s.Do("GET", "/api/v1/no-such-endpoint/340102", "", nil))

	r := s.Must(200, s.Do("GET", "/metrics", "", nil))
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	text := string(r.Raw)
	for _, c := range []struct {
		code string
		want float64
	}{{"200", 2}, {"403", 1}, {"401", 1}} {
		if got := metricLine(text, "pilot_http_requests_total", `method="GET"`, route, `code="`+c.code+`"`); got != c.want {
			t.Errorf("pilot_http_requests_total{%s,code=%q} = %v, want %v", route, c.code, got, c.want)
		}
	}
	for _, concrete := range []string{"/api/v1/counties/" + e2e.CatCountyA + "/catalog", "/api/v1/counties/" + e2e.CatCountyB + "/catalog", "no-such-endpoint"} {
		if strings.Contains(text, `route="`+concrete) || strings.Contains(text, concrete+`"`) {
			t.Errorf("a concrete path is a label value: %s", concrete)
		}
	}
	if got := metricLine(text, "pilot_http_requests_total", `route="unmatched"`, `code="404"`); got < 1 {
		t.Errorf("unknown paths are not counted as route=\"unmatched\" (%v)", got)
	}
	// The histogram: cumulative buckets ending in +Inf, which equals the count.
	for _, le := range []string{"0.001", "0.005", "0.1", "1", "5"} {
		if got := metricLine(text, "pilot_http_request_duration_seconds_bucket", `method="GET"`, route, `le="`+le+`"`); got < 0 {
			t.Errorf("no duration bucket le=%s for the catalog route", le)
		}
	}
	inf := metricLine(text, "pilot_http_request_duration_seconds_bucket", `method="GET"`, route, `le="+Inf"`)
	count := metricLine(text, "pilot_http_request_duration_seconds_count", `method="GET"`, route)
	if inf != 4 || count != 4 {
		t.Errorf("duration +Inf bucket %v and count %v, want 4 requests", inf, count)
	}
	if sum := metricLine(text, "pilot_http_request_duration_seconds_sum", `method="GET"`, route); sum <= 0 {
		t.Errorf("duration sum %v", sum)
	}
	// The database pool.
	for _, name := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections",
		"go_sql_max_open_connections", "go_sql_wait_count_total", "go_sql_max_idle_closed_total"} {
		if got := metricLine(text, name, `db_name="sqlite"`); got < 0 {
			t.Errorf("no %s{db_name=\"sqlite\"}", name)
		}
	}
	if !regexp.MustCompile(`(?m)^go_goroutines \d+`).MatchString(text) {
		t.Errorf("no Go runtime metrics")
	}
}
