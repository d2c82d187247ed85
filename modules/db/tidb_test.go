package db

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // value expressions for the parser
)

// TestTiDBParsesMySQLMigrations keeps the national path (TiDB, README
// "Towards TiDB") from breaking silently: every statement of every MySQL
// migration, up and down, must parse with TiDB's own parser. TiDB-only
// clauses go in /*T! … */ comments, which MySQL skips and TiDB reads.
func TestTiDBParsesMySQLMigrations(t *testing.T) {
	files, err := fs.Glob(migrationFiles, "migrations/mysql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no MySQL migrations: %v", err)
	}
	p := parser.New()
	statements := 0
	for _, name := range files {
		raw, err := fs.ReadFile(migrationFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range gooseStatements(t, name, string(raw)) {
			statements++
			if _, _, err := p.Parse(stmt, "utf8mb4", "utf8mb4_unicode_ci"); err != nil {
				t.Errorf("%s: TiDB cannot parse\n%s\n%v", name, stmt, err)
			}
		}
	}
	t.Logf("%d statements of %d migrations parsed by TiDB's parser", statements, len(files))
}

// orderedByID lists the tables whose AUTO_INCREMENT id order the service
// relies on as insertion order. TiDB hands ids out of per-server caches, so
// ids are unique but not increasing across TiDB servers unless the table is
// created with AUTO_ID_CACHE=1 (MySQL-compatible mode, TiDB 6.5 and later),
// and TiDB will not switch an existing table to it (ALTER TABLE between 1 and
// another cache size is refused): it has to be in the CREATE TABLE, as a
// /*T! AUTO_ID_CACHE=1 */ comment that MySQL and MariaDB skip. Tables that
// order by id only to break ties or to page in a stable order need unique
// ids alone and are not listed (cases, users, info_requests,
// disclosure_attachments).
var orderedByID = []string{
	"county_events",        // tenants.Service.Events: a county's status history, oldest first (ORDER BY id)
	"audit_log",            // the audit export reads all chains in id order (seq orders one chain only, 00059)
	"discretion_decisions", // catalog.Store.Decisions: an item's decisions, newest first (ORDER BY id DESC)
	"catalog_pushes",       // catalog.Service.Pushes (ORDER BY id DESC) and Changes (ORDER BY c.push_id DESC): newest push first
	"case_events",          // cases.Store.events: a case's history, oldest first (ORDER BY id)
	"case_pauses",          // cases.Store.pauses: a case's pauses in the order they were started (ORDER BY id)
	"notices",              // notices.Store.List: a user's notices, newest first, paged (ORDER BY id DESC)
	"job_runs",             // jobs.Runner.Runs (ORDER BY id DESC) and the last-success gauge (MAX(id) per job)
	"disclosure_records",   // disclosure.Service.List: a county's records, newest first, paged (ORDER BY id DESC)
	"disclosure_reviews",   // disclosure review history (ORDER BY id); the record page takes the last staged review as the rejection
}

// TestTiDBAutoIDCache checks, with TiDB's parser, that every CREATE TABLE of
// a table in orderedByID carries AUTO_ID_CACHE=1 and that each of them is
// created by some MySQL migration: a TiDB deployment created from the
// migrations then hands out ids in insertion order where the code needs it.
func TestTiDBAutoIDCache(t *testing.T) {
	files, err := fs.Glob(migrationFiles, "migrations/mysql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no MySQL migrations: %v", err)
	}
	want := map[string]bool{}
	for _, table := range orderedByID {
		want[table] = true
	}
	p := parser.New()
	created := map[string]bool{}
	for _, name := range files {
		raw, err := fs.ReadFile(migrationFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range gooseStatements(t, name, string(raw)) {
			nodes, _, err := p.Parse(stmt, "utf8mb4", "utf8mb4_unicode_ci")
			if err != nil {
				continue // TestTiDBParsesMySQLMigrations reports it
			}
			for _, node := range nodes {
				create, ok := node.(*ast.CreateTableStmt)
				if !ok || !want[create.Table.Name.L] {
					continue
				}
				created[create.Table.Name.L] = true
				if cache, ok := autoIDCache(create); !ok || cache != 1 {
					t.Errorf("%s: CREATE TABLE %s needs /*T! AUTO_ID_CACHE=1 */ after its table options (found set=%v value=%d): "+
						"the service orders it by id", name, create.Table.Name.O, ok, cache)
				}
			}
		}
	}
	for _, table := range orderedByID {
		if !created[table] {
			t.Errorf("no MySQL migration creates %s, listed in orderedByID", table)
		}
	}
}

// autoIDCache returns the AUTO_ID_CACHE table option of a CREATE TABLE.
func autoIDCache(create *ast.CreateTableStmt) (uint64, bool) {
	for _, opt := range create.Options {
		if opt.Tp == ast.TableOptionAutoIdCache {
			return opt.UintValue, true
		}
	}
	return 0, false
}

// gooseStatements splits a goose SQL migration into its statements (Up and
// Down): our migrations end each statement with a semicolon at the end of a
// line and use no StatementBegin blocks; one that does fails here, so this
// splitter is taught about it rather than silently skipping it.
func gooseStatements(t *testing.T, name, text string) []string {
	t.Helper()
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "-- +goose") && strings.Contains(trimmed, "Statement") {
			t.Fatalf("%s: goose statement blocks are not handled by this test's splitter", name)
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		t.Errorf("%s: a statement without its closing semicolon: %s", name, rest)
	}
	return out
}
