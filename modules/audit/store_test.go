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

// county is the region of the test entries, and so their chain.
const county = "340102"

// announced is the national entry that opens the county's chain, which
// Verify counts beside the county's own entries.
func announced(n int) int64 {
	if n == 0 {
		return 0
	}
	return 1
}

// checkChain asserts the county chain holds seq 1..n with every prev_hash
// linking to the hash before, and its head at the last.
func checkChain(t *testing.T, d *db.DB, n int) {
	t.Helper()
	var rows []chainRow
	if err := d.Select(&rows, `SELECT seq, detail, prev_hash, hash FROM audit_log WHERE chain = ? ORDER BY seq`, county); err != nil {
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
	err := d.Get(&head, `SELECT seq, hash FROM audit_chains WHERE chain = ?`, county)
	if n == 0 && db.IsNoRows(err) {
		return
	}
	if err != nil {
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
				if v := verify(t, s); !v.OK || v.Entries != int64(tc.n)+announced(tc.n) || v.BrokenAt != 0 {
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
	in := " AND chain = '" + county + "'"
	cases := []struct {
		name     string
		tamper   []string
		chain    string // the chain found broken
		brokenAt int64
		entries  int64 // intact entries before the break, the national chain's one included
	}{
		{"edited detail", []string{`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3` + in}, county, 3, 3},
		{"edited first entry", []string{`UPDATE audit_log SET username = 'someone' WHERE seq = 1` + in}, county, 1, 1},
		{"edited last entry", []string{`UPDATE audit_log SET outcome = 'denied' WHERE seq = 5` + in}, county, 5, 5},
		{"forged hash", []string{`UPDATE audit_log SET hash = '` + strings.Repeat("f", 64) + `' WHERE seq = 2` + in}, county, 2, 2},
		{"deleted last entry", []string{`DELETE FROM audit_log WHERE seq = 5` + in}, county, 5, 5},
		{"deleted last two entries", []string{`DELETE FROM audit_log WHERE seq >= 4` + in}, county, 4, 4},
		{"deleted middle entry", []string{`DELETE FROM audit_log WHERE seq = 3` + in}, county, 3, 3},
		{"deleted first entry", []string{`DELETE FROM audit_log WHERE seq = 1` + in}, county, 1, 1},
		{"deleted the county's entries", []string{`DELETE FROM audit_log WHERE chain = '` + county + `'`}, county, 1, 1},
		{"deleted everything", []string{`DELETE FROM audit_log`}, "*", 1, 0},
		{"deleted middle entry and renumbered the rest", []string{
			`DELETE FROM audit_log WHERE seq = 3` + in,
			`UPDATE audit_log SET seq = 3 WHERE seq = 4` + in,
			`UPDATE audit_log SET seq = 4 WHERE seq = 5` + in,
		}, county, 3, 3},
		{"moved an entry to another chain", []string{`UPDATE audit_log SET chain = '340103' WHERE seq = 5` + in,
			`INSERT INTO audit_chains (chain, seq, hash) SELECT '340103', seq, hash FROM audit_log WHERE chain = '340103'`}, county, 5, 5},
		{"deleted the county's chain, head and all", []string{`DELETE FROM audit_log WHERE chain = '` + county + `'`,
			`DELETE FROM audit_chains WHERE chain = '` + county + `'`}, county, 1, 0},
		{"deleted the county's head", []string{`DELETE FROM audit_chains WHERE chain = '` + county + `'`}, county, 1, 0},
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
				if v.OK || v.Chain != tc.chain || v.BrokenAt != tc.brokenAt || v.Entries != tc.entries || v.Reason == "" {
					t.Errorf("verify = %+v, want chain %s broken at %d after %d intact entries", v, tc.chain, tc.brokenAt, tc.entries)
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
			if err := d.Select(&details, `SELECT detail FROM audit_log WHERE chain = ?`, county); err != nil {
				t.Fatalf("details: %v", err)
			}
			seen := map[string]bool{}
			for _, x := range details {
				seen[x] = true
			}
			if len(seen) != writers*each {
				t.Errorf("%d distinct entries kept, want %d", len(seen), writers*each)
			}
			if v := verify(t, s); !v.OK || v.Entries != writers*each+1 {
				t.Errorf("verify = %+v, want OK with %d entries and the county's announcement", v, writers*each)
			}
		})
	}
}

// TestChainPerRegion: writers of four counties, a province and the nation
// race; every region gets a chain of its own, numbered from 1 without gaps,
// and the nation's chain announces each other chain once.
func TestChainPerRegion(t *testing.T) {
	t.Parallel()
	regions := []string{"340102", "340103", "340104", "350102", "340000", "*"}
	const each = 12
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		d := openAuditDB(t, dialect)
		s := audit.NewStore(d)
		var wg sync.WaitGroup
		errs := make(chan error, len(regions)*each)
		for _, region := range regions {
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each/2; i++ {
						e := entry(i)
						e.Region = region
						if err := s.Record(context.Background(), e); err != nil {
							errs <- err
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("record: %v", err)
		}
		var chains []struct {
			Chain string `db:"chain"`
			N     int    `db:"n"`
			Max   int    `db:"max_seq"`
		}
		if err := d.Select(&chains, `SELECT chain, COUNT(*) AS n, MAX(seq) AS max_seq FROM audit_log GROUP BY chain ORDER BY chain`); err != nil {
			t.Fatal(err)
		}
		if len(chains) != len(regions) {
			t.Fatalf("chains = %+v, want one per region", chains)
		}
		for _, c := range chains {
			want := each
			if c.Chain == "*" {
				want += len(regions) - 1 // the announcements
			}
			if c.N != want || c.Max != want {
				t.Errorf("chain %s: %d entries up to seq %d, want %d", c.Chain, c.N, c.Max, want)
			}
		}
		if v := verify(t, s); !v.OK || v.Chains != len(regions) || v.Entries != int64(len(regions)*each+len(regions)-1) {
			t.Errorf("verify = %+v", v)
		}
	})
}
