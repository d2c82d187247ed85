package db_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/pressly/goose/v3"

	"safetypilot/modules/audit"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/web"
)

// sqlMigrations is a goose provider of the SQL migration files alone, for
// tests that move the schema version by version: the seed migrations hold
// reference data these tests do not need.
func sqlMigrations(t *testing.T, d *db.DB, dialect db.Dialect) *goose.Provider {
	t.Helper()
	gooseDialect := goose.DialectSQLite3
	if dialect == db.MySQL {
		gooseDialect = goose.DialectMySQL
	}
	p, err := goose.NewProvider(gooseDialect, d.DB.DB, os.DirFS("migrations/"+string(dialect)), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCaseCountsBackfill migrates to the version before case_counts, stores
// cases the way an older release did (without counts), and checks that the
// migrations to case_counts count exactly those cases, on both engines; down
// drops the counts and up counts them again.
func TestCaseCountsBackfill(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, dialect)
		p := sqlMigrations(t, d, dialect)
		if _, err := p.UpTo(ctx, 50); err != nil {
			t.Fatalf("up to 50: %v", err)
		}
		type kase struct{ county, item, status string }
		var stored []kase
		for i, k := range []kase{
			{"340102", "274", "submitted"}, {"340102", "274", "submitted"}, {"340102", "274", "delivered"},
			{"340102", "281", "accepted"}, {"340102", "281", "returned"}, {"340102", "281", "accepted"},
			{"340103", "274", "submitted"}, {"340103", "282", "withdrawn"}, {"340103", "282", "withdrawn"},
			{"350102", "274", "in_review"},
		} {
			if _, err := d.ExecContext(ctx, `INSERT INTO cases (county_code, tracking_no, item_code, item_version, item_name,
				channel, applicant_name, applicant_credit_code, applicant_contact, applicant_phone, received_on, status,
				statutory_days, promised_days, extension_days, extension_allowed, extended, deadline, promised_deadline,
				provisional, clock_running, warning, current_step, handler_id, decision, reason, created_by, created_at,
				updated_at) VALUES (?, ?, ?, 1, '事项', 'counter', '某公司', '91340100MA2N000000', '', '', '2026-03-02', ?,
				20, 10, 0, 0, ?, '2026-03-30', '2026-03-16', ?, ?, 'none', 1, 1, '', '', 1, ?, ?)`,
				k.county, fmt.Sprintf("T%04d", i), k.item, k.status, false, false, true, db.Now(), db.Now()); err != nil {
				t.Fatalf("insert case: %v", err)
			}
			stored = append(stored, k)
		}
		want := map[kase]int{}
		for _, k := range stored {
			want[k]++
		}
		counts := func() map[kase]int {
			t.Helper()
			var rows []struct {
				County string `db:"county_code"`
				Item   string `db:"item_code"`
				Status string `db:"status"`
				N      int    `db:"n"`
			}
			if err := d.SelectContext(ctx, &rows, `SELECT county_code, item_code, status, n FROM case_counts`); err != nil {
				t.Fatalf("case_counts: %v", err)
			}
			got := map[kase]int{}
			for _, r := range rows {
				got[kase{r.County, r.Item, r.Status}] = r.N
			}
			return got
		}

		if _, err := p.UpTo(ctx, 52); err != nil {
			t.Fatalf("up to 52: %v", err)
		}
		if got := counts(); !reflect.DeepEqual(got, want) {
			t.Errorf("backfilled counts %v, want %v", got, want)
		}
		if _, err := p.DownTo(ctx, 50); err != nil {
			t.Fatalf("down to 50: %v", err)
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM case_counts`); err == nil {
			t.Errorf("case_counts still there after down (%d rows)", n)
		}
		if _, err := p.UpTo(ctx, 52); err != nil {
			t.Fatalf("up to 52 again: %v", err)
		}
		if got := counts(); !reflect.DeepEqual(got, want) {
			t.Errorf("counts after down and up %v, want %v", got, want)
		}
	})
}

// TestCaseEventsWarningCounty: migrations 00053–00055 give the case-level light
// events of existing and new rows their county in warning_county and every
// other event NULL, on both engines; down and up again keep that.
func TestCaseEventsWarningCounty(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, dialect)
		p := sqlMigrations(t, d, dialect)
		if _, err := p.UpTo(ctx, 52); err != nil {
			t.Fatalf("up to 52: %v", err)
		}
		insert := func(kind string) {
			t.Helper()
			if _, err := d.ExecContext(ctx, `INSERT INTO case_events (case_id, county_code, kind, from_status, to_status,
				actor_id, actor_name, note, at) VALUES (1, '340102', ?, 'accepted', 'accepted', 0, '超期预警任务', '', ?)`,
				kind, db.Now()); err != nil {
				t.Fatalf("insert %s: %v", kind, err)
			}
		}
		kinds := []string{"submit", "flag_yellow", "step_flag_yellow", "flag_red", "step_flag_red", "deliver"}
		for _, kind := range kinds[:3] {
			insert(kind) // before the migration
		}
		check := func(when string, rows int) {
			t.Helper()
			var got []struct {
				Kind   string  `db:"kind"`
				County *string `db:"warning_county"`
			}
			if err := d.SelectContext(ctx, &got, `SELECT kind, warning_county FROM case_events ORDER BY id`); err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if len(got) != rows {
				t.Fatalf("%s: %d events, want %d", when, len(got), rows)
			}
			for _, e := range got {
				light := e.Kind == "flag_yellow" || e.Kind == "flag_red"
				if light && (e.County == nil || *e.County != "340102") || !light && e.County != nil {
					t.Errorf("%s: event %s has warning_county %v", when, e.Kind, e.County)
				}
			}
		}
		indexes := func() []string {
			t.Helper()
			q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case_events' AND sql IS NOT NULL ORDER BY name`
			if dialect == db.MySQL {
				q = `SELECT DISTINCT index_name FROM information_schema.statistics
					WHERE table_schema = DATABASE() AND table_name = 'case_events' AND index_name <> 'PRIMARY' ORDER BY index_name`
			}
			var names []string
			if err := d.SelectContext(ctx, &names, q); err != nil {
				t.Fatalf("indexes: %v", err)
			}
			return names
		}
		if got, want := indexes(), []string{"case_events_case", "case_events_county_kind"}; !reflect.DeepEqual(got, want) {
			t.Errorf("indexes at 52: %v, want %v", got, want)
		}
		if _, err := p.UpTo(ctx, 55); err != nil {
			t.Fatalf("up to 55: %v", err)
		}
		if got, want := indexes(), []string{"case_events_case", "case_events_warnings"}; !reflect.DeepEqual(got, want) {
			t.Errorf("indexes at 55: %v, want %v", got, want)
		}
		for _, kind := range kinds[3:] {
			insert(kind) // after it
		}
		check("after up", len(kinds))
		if _, err := p.DownTo(ctx, 52); err != nil {
			t.Fatalf("down to 52: %v", err)
		}
		if _, err := d.ExecContext(ctx, `SELECT warning_county FROM case_events`); err == nil {
			t.Error("warning_county still there after down")
		}
		if got, want := indexes(), []string{"case_events_case", "case_events_county_kind"}; !reflect.DeepEqual(got, want) {
			t.Errorf("indexes after down: %v, want %v", got, want)
		}
		if _, err := p.UpTo(ctx, 55); err != nil {
			t.Fatalf("up to 55 again: %v", err)
		}
		check("after down and up", len(kinds))
	})
}

// TestAuditChainsMigration: 00059–00063 turn the single audit chain into
// the national one of the per-region chains, keeping its entries, seq and
// head, so the log still verifies and goes on; down and up again keep a
// log of one chain intact both ways.
func TestAuditChainsMigration(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, dialect)
		p := sqlMigrations(t, d, dialect)
		// This release's audit store also needs the hash algorithm of
		// each chain (00163).
		if _, err := p.UpTo(ctx, 163); err != nil {
			t.Fatalf("up to 163: %v", err)
		}
		store := audit.NewStore(d)
		national := web.AuditEntry{Username: "admin", Region: "*", Action: "POST /api/v1/provinces/:province/counties",
			Object: "/api/v1/provinces/34/counties", Outcome: "success", IP: "10.0.0.1"}
		for i := 0; i < 3; i++ {
			if err := store.Record(ctx, national); err != nil {
				t.Fatal(err)
			}
		}
		// Down to 58: the log is as the single-chain release kept it.
		if _, err := p.DownTo(ctx, 58); err != nil {
			t.Fatalf("down to 58: %v", err)
		}
		var head struct {
			Seq  int64  `db:"seq"`
			Hash string `db:"hash"`
		}
		if err := d.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil || head.Seq != 3 {
			t.Fatalf("audit_head at 58: %+v, %v; want seq 3", head, err)
		}
		var last string
		if err := d.GetContext(ctx, &last, `SELECT hash FROM audit_log WHERE seq = 3`); err != nil || last != head.Hash {
			t.Fatalf("head hash %s, last entry's %s (%v)", head.Hash, last, err)
		}
		if _, err := p.UpTo(ctx, 163); err != nil {
			t.Fatalf("up to 163 again: %v", err)
		}
		county := national
		county.Region, county.Object = "340102", "/api/v1/counties/340102/cases"
		for _, e := range []web.AuditEntry{national, county, county} {
			if err := store.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		v, err := store.Verify(ctx)
		// The national chain: 3 + 1 + the county chain's opening; the county's 2.
		if err != nil || !v.OK || v.Chains != 2 || v.Entries != 7 {
			t.Fatalf("verify = %+v, %v; want 2 intact chains of 7 entries", v, err)
		}
		var seqs []int64
		if err := d.SelectContext(ctx, &seqs, `SELECT seq FROM audit_log WHERE chain = '*' ORDER BY seq`); err != nil ||
			!reflect.DeepEqual(seqs, []int64{1, 2, 3, 4, 5}) {
			t.Fatalf("national chain seq %v (%v), want 1–5: the old entries and the new", seqs, err)
		}
	})
}

// TestMigrateRepairsMissingZeroVersion: a version table left without its
// zero row (goose's CREATE TABLE committed, its INSERT lost, as three
// replicas on Galera once left it) no longer fails every start: Up gives the
// table its zero row once and migrates. MySQL only: SQLite creates the
// table and the row in one transaction, and one process migrates it.
func TestMigrateRepairsMissingZeroVersion(t *testing.T) {
	dbtest.RequireMySQL(t)
	ctx := context.Background()
	d := dbtest.Open(t, db.MySQL)
	ddl := `CREATE TABLE goose_db_version (id bigint(20) unsigned NOT NULL AUTO_INCREMENT, version_id bigint NOT NULL,
		is_applied boolean NOT NULL, tstamp datetime NULL default CURRENT_TIMESTAMP, PRIMARY KEY(id))`
	if _, err := d.ExecContext(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	m, err := db.NewMigrator(d)
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.Up(ctx)
	if err != nil {
		t.Fatalf("up on a version table without its zero row: %v", err)
	}
	var zero, applied int
	if err := d.GetContext(ctx, &zero, `SELECT COUNT(*) FROM goose_db_version WHERE version_id = 0`); err != nil {
		t.Fatal(err)
	}
	if err := d.GetContext(ctx, &applied, `SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	if zero != 1 || applied != n || n == 0 {
		t.Errorf("after the repair: %d zero rows, %d versions recorded, %d migrations run", zero, applied, n)
	}
	if ok, err := m.Current(ctx); err != nil || !ok {
		t.Errorf("schema current after the repair: %v %v", ok, err)
	}
}
