package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/audit"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// TestPurgeKeepsSixMonths: a purge refuses any cutoff younger than 180 days,
// removes only the prefix of the chain written before the cutoff, and leaves a
// chain that still verifies; forged purges and later deletions are detected.
func TestPurgeKeepsSixMonths(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openAuditDB(t, dialect)
			s := audit.NewStore(d)
			record(t, s, 3)
			time.Sleep(5 * time.Millisecond)
			mark := db.Now()
			time.Sleep(5 * time.Millisecond)
			record(t, s, 2)

			// Anything younger than 180 days is refused, whatever the clock says.
			for _, age := range []time.Duration{0, 24 * time.Hour, audit.MinRetention - time.Second} {
				if _, err := s.Purge(ctx, time.Now().Add(-age), time.Now()); !errors.Is(err, audit.ErrTooRecent) {
					t.Fatalf("purge of entries %v old: err = %v, want ErrTooRecent", age, err)
				}
			}
			// Nothing is old enough today.
			if res, err := s.Purge(ctx, time.Now().Add(-audit.MinRetention), time.Now()); err != nil || res.Removed != 0 {
				t.Fatalf("purge today = %+v, %v; want nothing removed", res, err)
			}

			// Seen from 181 days after mark, the three entries before it may go.
			later := mark.Add(audit.MinRetention + 24*time.Hour)
			res, err := s.Purge(ctx, mark, later)
			// The county's three, and the national entry that opened its chain.
			if err != nil || res.Removed != 4 || res.Chains != 2 {
				t.Fatalf("purge = %+v, %v; want 4 removed from 2 chains", res, err)
			}
			var through []int64
			if err := d.Select(&through, `SELECT through_seq FROM audit_purges ORDER BY chain`); err != nil || len(through) != 2 ||
				through[0] != 1 || through[1] != 3 {
				t.Fatalf("purge records: %v (%v), want the national chain through 1 and the county's through 3", through, err)
			}
			var left int
			if err := d.Get(&left, `SELECT COUNT(*) FROM audit_log WHERE at >= ? AND action <> ?`, mark, audit.PurgeAction); err != nil || left != 2 {
				t.Fatalf("entries after the cutoff: %d (%v), want 2 kept", left, err)
			}
			if err := d.Get(&left, `SELECT COUNT(*) FROM audit_log WHERE at < ?`, mark); err != nil || left != 0 {
				t.Fatalf("entries before the cutoff: %d (%v), want none", left, err)
			}
			// The county's 4, 5 and its purge entry; the national purge entry.
			if v := verify(t, s); !v.OK || v.Entries != 4 || v.Chains != 2 {
				t.Fatalf("verify after purge = %+v", v)
			}
			record(t, s, 1)
			if v := verify(t, s); !v.OK || v.Entries != 5 {
				t.Fatalf("verify after more writes = %+v", v)
			}

			// Deleting a kept entry is still detected.
			if _, err := d.Exec(`DELETE FROM audit_log WHERE chain = '340102' AND seq = 4`); err != nil {
				t.Fatal(err)
			}
			if v := verify(t, s); v.OK || v.Chain != "340102" || v.BrokenAt != 4 {
				t.Fatalf("verify after deleting seq 4 = %+v", v)
			}
			// A purge row without the purge's chained entry is a forgery.
			if _, err := d.Exec(`INSERT INTO audit_purges (chain, through_seq, anchor_hash, entries, cutoff, purged_at) VALUES ('340102', 5, 'x', 1, ?, ?)`,
				db.Now(), db.Now()); err != nil {
				t.Fatal(err)
			}
			if v := verify(t, s); v.OK {
				t.Fatalf("verify with a forged purge = %+v", v)
			}
		})
	}
}

// TestExportCSV: the export has Chinese headers, a BOM, every entry oldest
// first, and defuses cells a spreadsheet would read as formulas.
func TestExportCSV(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openAuditDB(t, db.SQLite)
	s := audit.NewStore(d)
	record(t, s, 2)
	e := entry(3)
	e.Username = "=cmd()"
	if err := s.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.ExportCSV(ctx, &buf, "34"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
		t.Fatal("no byte-order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "日志链" || rows[0][1] != "序号" || rows[0][4] != "用户名" || rows[1][0] != "340102" ||
		rows[1][1] != "1" || rows[1][8] != "成功" {
		t.Fatalf("rows = %q", rows)
	}
	if rows[3][4] != "'=cmd()" {
		t.Fatalf("formula cell = %q", rows[3][4])
	}
	buf.Reset()
	if err := s.ExportCSV(ctx, &buf, "35"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("another province's export has %d lines", n)
	}
}
