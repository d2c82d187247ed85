package db

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser"
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
