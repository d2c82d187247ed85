package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"safetypilot/modules/audit"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/web"
)

const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// openAuditDB returns a fresh, fully migrated database of the dialect, owned by t.
func openAuditDB(t *testing.T, dialect db.Dialect) *db.DB {
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

func entry(i int) web.AuditEntry {
	return web.AuditEntry{UserID: int64(i), Username: fmt.Sprintf("user%d", i), Region: "340102",
		Action: "POST /api/v1/things", Object: fmt.Sprintf("/api/v1/things/%d", i), Outcome: "success",
		IP: "10.0.0.1", Detail: fmt.Sprintf("第%d条", i)}
}

func record(t *testing.T, s *audit.Store, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if err := s.Record(context.Background(), entry(i)); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
}

type chainRow struct {
	Seq      int64  `db:"seq"`
	Detail   string `db:"detail"`
	PrevHash string `db:"prev_hash"`
	Hash     string `db:"hash"`
}

// checkChain asserts seq 1..n with every prev_hash linking to the hash before.
func checkChain(t *testing.T, d *db.DB, n int) {
	t.Helper()
	var rows []chainRow
	if err := d.Select(&rows, `SELECT seq, detail, prev_hash, hash FROM audit_log ORDER BY seq`); err != nil {
		t.Fatalf("read log: %v", err)
	}
	if len(rows) != n {
		t.Fatalf("log has %d entries, want %d", len(rows), n)
	}
	prev := zeroHash
	for i, r := range rows {
		if r.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, r.Seq)
		}
		if r.PrevHash != prev {
			t.Fatalf("entry %d prev_hash = %s, want %s", r.Seq, r.PrevHash, prev)
		}
		if len(r.Hash) != 64 || r.Hash == prev {
			t.Fatalf("entry %d hash = %q", r.Seq, r.Hash)
		}
		prev = r.Hash
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := d.Get(&head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil {
		t.Fatalf("head: %v", err)
	}
	if head.Seq != int64(n) || head.Hash != prev {
		t.Fatalf("head = %+v, want seq %d hash %s", head, n, prev)
	}
}

func verify(t *testing.T, s *audit.Store) audit.Verification {
	t.Helper()
	v, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return v
}

func TestRecordAndVerify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		n    int
	}{
		{"empty log", 0},
		{"one entry", 1},
		{"five entries", 5},
	}
	for _, dialect := range dbtest.Dialects {
		for _, tc := range cases {
			t.Run(string(dialect)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				d := openAuditDB(t, dialect)
				s := audit.NewStore(d)
				record(t, s, tc.n)
				checkChain(t, d, tc.n)
				if v := verify(t, s); !v.OK || v.Entries != int64(tc.n) || v.BrokenAt != 0 {
					t.Errorf("verify = %+v, want OK with %d entries", v, tc.n)
				}
				if tc.n == 0 {
					return
				}
				list, total, err := s.List(context.Background(), "34", 1, 50)
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				if total != tc.n || len(list) != tc.n || list[0].Seq != int64(tc.n) || list[0].Detail != entry(tc.n).Detail {
					t.Errorf("list = %d of %d, newest %+v", len(list), total, list[0])
				}
			})
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		tamper   []string
		brokenAt int64
		entries  int64 // intact entries before the break
	}{
		{"edited detail", []string{`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3`}, 3, 2},
		{"edited first entry", []string{`UPDATE audit_log SET username = 'someone' WHERE seq = 1`}, 1, 0},
		{"edited last entry", []string{`UPDATE audit_log SET outcome = 'denied' WHERE seq = 5`}, 5, 4},
		{"forged hash", []string{`UPDATE audit_log SET hash = '` + strings.Repeat("f", 64) + `' WHERE seq = 2`}, 2, 1},
		{"deleted last entry", []string{`DELETE FROM audit_log WHERE seq = 5`}, 5, 4},
		{"deleted last two entries", []string{`DELETE FROM audit_log WHERE seq >= 4`}, 4, 3},
		{"deleted middle entry", []string{`DELETE FROM audit_log WHERE seq = 3`}, 3, 2},
		{"deleted first entry", []string{`DELETE FROM audit_log WHERE seq = 1`}, 1, 0},
		{"deleted everything", []string{`DELETE FROM audit_log`}, 1, 0},
		{"deleted middle entry and renumbered the rest", []string{
			`DELETE FROM audit_log WHERE seq = 3`,
			`UPDATE audit_log SET seq = 3 WHERE seq = 4`,
			`UPDATE audit_log SET seq = 4 WHERE seq = 5`,
		}, 3, 2},
	}
	for _, dialect := range dbtest.Dialects {
		for _, tc := range cases {
			t.Run(string(dialect)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				d := openAuditDB(t, dialect)
				s := audit.NewStore(d)
				record(t, s, 5)
				if v := verify(t, s); !v.OK {
					t.Fatalf("verify before tampering = %+v", v)
				}
				for _, q := range tc.tamper {
					if _, err := d.Exec(q); err != nil {
						t.Fatalf("tamper %q: %v", q, err)
					}
				}
				v := verify(t, s)
				if v.OK || v.BrokenAt != tc.brokenAt || v.Entries != tc.entries || v.Reason == "" {
					t.Errorf("verify = %+v, want broken at %d after %d intact entries", v, tc.brokenAt, tc.entries)
				}
			})
		}
	}
}

// TestConcurrentRecord has writers race for the head row; the chain must stay
// whole on both engines.
func TestConcurrentRecord(t *testing.T) {
	t.Parallel()
	const writers, each = 8, 10
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			d := openAuditDB(t, dialect)
			s := audit.NewStore(d)
			var wg sync.WaitGroup
			errs := make(chan error, writers*each)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						e := entry(w*each + i + 1)
						e.Detail = fmt.Sprintf("writer %d entry %d", w, i)
						if err := s.Record(context.Background(), e); err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("record: %v", err)
			}
			checkChain(t, d, writers*each)
			var details []string
			if err := d.Select(&details, `SELECT detail FROM audit_log`); err != nil {
				t.Fatalf("details: %v", err)
			}
			seen := map[string]bool{}
			for _, x := range details {
				seen[x] = true
			}
			if len(seen) != writers*each {
				t.Errorf("%d distinct entries kept, want %d", len(seen), writers*each)
			}
			if v := verify(t, s); !v.OK || v.Entries != writers*each {
				t.Errorf("verify = %+v, want OK with %d entries", v, writers*each)
			}
		})
	}
}
