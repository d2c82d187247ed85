package audit

// Tests that pin single checks of Verify, each of which fails when its check
// is removed (issue #9). The attacker they model knows the chain's format:
// the hash is unkeyed SHA-256, so an edited entry can be given a matching
// hash, and only the links between entries and the purge record give it away.
// They use the unexported chainHash, hence the internal test package.

import (
	"context"
	"fmt"
	"testing"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/web"
)

// controlStore is a store with n entries on a fresh, migrated database.
func controlStore(t *testing.T, dialect db.Dialect, n int) (*Store, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, dialect)
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	s := NewStore(d)
	for i := 1; i <= n; i++ {
		if err := s.Record(ctx, web.AuditEntry{UserID: int64(i), Username: fmt.Sprintf("user%d", i), Region: "340102",
			Action: "POST /api/v1/things", Object: fmt.Sprintf("/api/v1/things/%d", i), Outcome: "success",
			IP: "10.0.0.1", Detail: fmt.Sprintf("第%d条", i)}); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	return s, d
}

func controlVerify(t *testing.T, s *Store) Verification {
	t.Helper()
	v, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return v
}

// TestVerifyDetectsRehashedEdit: an entry edited in the middle of the chain
// and given the hash of its new content is still found, by the next entry's
// link to the old hash.
func TestVerifyDetectsRehashedEdit(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		s, d := controlStore(t, dialect, 5)
		var e Entry
		if err := d.Get(&e, `SELECT `+entryColumns+` FROM audit_log WHERE chain = '340102' AND seq = 3`); err != nil {
			t.Fatal(err)
		}
		if chainHash(e) != e.Hash {
			t.Fatal("the stored entry does not hash to its hash: the test would prove nothing")
		}
		e.Outcome, e.Detail = "denied", "nothing happened"
		e.Hash = chainHash(e)
		if _, err := d.Exec(`UPDATE audit_log SET outcome = ?, detail = ?, hash = ? WHERE chain = '340102' AND seq = 3`, e.Outcome, e.Detail, e.Hash); err != nil {
			t.Fatal(err)
		}
		if v := controlVerify(t, s); v.OK || v.Chain != "340102" || v.BrokenAt != 4 || v.Entries != 4 {
			t.Fatalf("verify = %+v, want broken at 4 (its link to entry 3) after 3 entries and the national one", v)
		}
	})
}

// TestVerifyDetectsForgedPurge: deleting the oldest entries and adding a purge
// record with the right anchor hash, but without the purge's own chained
// entry, is found; a real purge writes that entry.
func TestVerifyDetectsForgedPurge(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		s, d := controlStore(t, dialect, 5)
		var anchor string
		if err := d.Get(&anchor, `SELECT hash FROM audit_log WHERE chain = '340102' AND seq = 3`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(`DELETE FROM audit_log WHERE chain = '340102' AND seq <= 3`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(`INSERT INTO audit_purges (chain, through_seq, anchor_hash, entries, cutoff, purged_at) VALUES ('340102', 3, ?, 3, ?, ?)`,
			anchor, db.Now(), db.Now()); err != nil {
			t.Fatal(err)
		}
		if v := controlVerify(t, s); v.OK || v.BrokenAt != 4 {
			t.Fatalf("verify = %+v, want broken at 4 (a purge nobody recorded)", v)
		}
	})
}
