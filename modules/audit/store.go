// Package audit is the append-only audit log: every state-changing request is
// an entry chained to the one before it by a hash (SHA-256, or SM3 from the
// anchor where the database moved to the guomi profile), so any edit or
// deletion of a kept entry is detected by Verify. There is one chain per
// region — each county, each province, and "*" for the nation and for
// requests of no region — so audited writes of different counties never
// queue on one head row, on one database or across a cluster. Only audit
// administrators read it; nothing in the product updates or deletes it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/modules/seal"
	"safetypilot/rbac"
	"safetypilot/web"
)

// Entry is one kept audit record.
type Entry struct {
	ID       int64     `db:"id" json:"id"`
	Chain    string    `db:"chain" json:"chain"`
	Seq      int64     `db:"seq" json:"seq"`
	At       time.Time `db:"at" json:"at"`
	UserID   int64     `db:"user_id" json:"user_id"`
	Username string    `db:"username" json:"username"`
	Region   string    `db:"region" json:"region"`
	Action   string    `db:"action" json:"action"`
	Object   string    `db:"object" json:"object"`
	Outcome  string    `db:"outcome" json:"outcome"`
	IP       string    `db:"ip" json:"ip"`
	Detail   string    `db:"detail" json:"detail"`
	PrevHash string    `db:"prev_hash" json:"prev_hash"`
	Hash     string    `db:"hash" json:"hash"`
}

// genesisHash is the previous hash of every chain's first entry.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// chainHash binds an entry to its predecessor; JSON keeps the fields
// unambiguous. The chain's name is not hashed: an entry moved to another
// chain breaks the sequence of both.
func chainHash(e Entry) string { return chainHashWith(sha256.New, e) }

// chainHashWith is chainHash with the hash of a chain's algorithm.
func chainHashWith(h func() hash.Hash, e Entry) string {
	fields, _ := json.Marshal([]string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.UserID, 10), e.Username, e.Region, e.Action, e.Object, e.Outcome, e.IP, e.Detail,
	})
	d := h()
	d.Write(fields)
	return hex.EncodeToString(d.Sum(nil))
}

// Store writes and reads the log.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

// Record implements web.Auditor for an entry that commits on its own (a
// request that changed nothing, or failed).
func (s *Store) Record(ctx context.Context, in web.AuditEntry) error {
	// The entry's own transaction must not carry the request's commit hook.
	ctx = db.WithoutCommitHook(ctx)
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error { return s.recordTx(ctx, tx, in) })
}

// RecordTx implements web.Auditor: the entry joins tx, the transaction of
// the change it records.
func (s *Store) RecordTx(ctx context.Context, tx *sqlx.Tx, in web.AuditEntry) error {
	return s.recordTx(ctx, tx, in)
}

// advanceHeadSQL takes the chain's head row lock (creating the row for a
// chain's first entry) and moves its seq on by one, so writers of one chain
// queue here and read the hash their predecessor committed.
func (s *Store) advanceHeadSQL() string {
	if s.db.Dialect == db.MySQL {
		return `INSERT INTO audit_chains (chain, seq, hash) VALUES (?, 1, '` + genesisHash + `') ON DUPLICATE KEY UPDATE seq = seq + 1`
	}
	return `INSERT INTO audit_chains (chain, seq, hash) VALUES (?, 1, '` + genesisHash + `') ON CONFLICT (chain) DO UPDATE SET seq = seq + 1`
}

func (s *Store) recordTx(ctx context.Context, tx *sqlx.Tx, in web.AuditEntry) error {
	chain := in.Chain
	if chain == "" {
		chain = web.AuditChain(in.Region)
	}
	if _, err := tx.ExecContext(ctx, s.advanceHeadSQL(), chain); err != nil {
		return fmt.Errorf("audit: lock head: %w", err)
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
		Algo string `db:"algo"`
	}
	if err := tx.GetContext(ctx, &head, `SELECT seq, hash, algo FROM audit_chains WHERE chain = ?`, chain); err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	if head.Seq == 1 {
		// A new chain starts with the database's profile's hash.
		algo, err := profileHash(ctx, tx)
		if err != nil {
			return err
		}
		if algo != head.Algo {
			if err := anchorTx(ctx, tx, chain, 1, algo); err != nil {
				return err
			}
			head.Algo = algo
		}
	}
	h, err := seal.HashByName(head.Algo)
	if err != nil {
		return fmt.Errorf("audit: chain %s: %w", chain, err)
	}
	e := Entry{Chain: chain, Seq: head.Seq, At: db.Now(), UserID: in.UserID, Username: truncate(in.Username, 64),
		Region: truncate(in.Region, 6), Action: truncate(in.Action, 128), Object: truncate(in.Object, 255),
		Outcome: in.Outcome, IP: truncate(in.IP, 64), Detail: truncate(in.Detail, 2000), PrevHash: head.Hash}
	e.Hash = chainHashWith(h, e)
	if _, err := tx.NamedExecContext(ctx, `INSERT INTO audit_log
		(chain, seq, at, user_id, username, region, action, object, outcome, ip, detail, prev_hash, hash) VALUES
		(:chain, :seq, :at, :user_id, :username, :region, :action, :object, :outcome, :ip, :detail, :prev_hash, :hash)`, e); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_chains SET hash = ? WHERE chain = ?`, e.Hash, chain); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	if e.Seq == 1 && chain != rbac.NationalRegion {
		// A chain's first entry is announced in the national chain, so a
		// region's whole chain cannot be deleted, head and all, unnoticed.
		return s.recordTx(ctx, tx, web.AuditEntry{Username: "pilotd", Region: rbac.NationalRegion,
			Action: ChainOpenAction, Object: chainObject(chain), Outcome: "success"})
	}
	return nil
}

// ChainOpenAction is the action of the national entry that announces a
// region's chain.
const ChainOpenAction = "audit-chain-open"

func chainObject(chain string) string { return "audit_chains:" + chain }

const entryColumns = `id, chain, seq, at, user_id, username, region, action, object, outcome, ip, detail, prev_hash, hash`

// newestFirst orders entries of all chains by when they were written; id
// breaks ties between entries of one microsecond.
const newestFirst = ` ORDER BY at DESC, id DESC`

// List returns the newest entries of the regions under scope, a page at a time.
func (s *Store) List(ctx context.Context, scope string, page, perPage int) ([]Entry, int, error) {
	return s.ListFiltered(ctx, Filter{Scope: scope}, page, perPage)
}

// ListFiltered returns the newest entries the filter selects, a page at a time,
// with how many it selects in all.
func (s *Store) ListFiltered(ctx context.Context, f Filter, page, perPage int) ([]Entry, int, error) {
	where, args := f.where()
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM audit_log WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	out := []Entry{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+entryColumns+` FROM audit_log WHERE `+where+
		newestFirst+` LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return out, total, nil
}

// Verification is the result of checking every chain.
type Verification struct {
	OK      bool  `json:"ok"`
	Entries int64 `json:"entries"` // entries found intact, in all chains
	Chains  int   `json:"chains"`  // chains checked
	// Where the first broken chain breaks: the chain, the seq in it, and why.
	Chain    string `json:"chain,omitempty"`
	BrokenAt int64  `json:"broken_at,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Verify walks every chain in order and reports the first entry that does
// not match its hash, its predecessor, or its chain's head, and any entries
// of a chain that has no head.
func (s *Store) Verify(ctx context.Context) (Verification, error) {
	var heads []struct {
		Chain string `db:"chain"`
		Seq   int64  `db:"seq"`
		Hash  string `db:"hash"`
	}
	if err := s.db.SelectContext(ctx, &heads, `SELECT chain, seq, hash FROM audit_chains ORDER BY chain`); err != nil {
		return Verification{}, fmt.Errorf("audit: chains: %w", err)
	}
	var orphan []string
	if err := s.db.SelectContext(ctx, &orphan, `SELECT DISTINCT chain FROM audit_log
		WHERE chain NOT IN (SELECT chain FROM audit_chains)`); err != nil {
		return Verification{}, fmt.Errorf("audit: chains: %w", err)
	}
	if len(orphan) > 0 {
		return Verification{Chain: orphan[0], BrokenAt: 1, Reason: "链头已被删除（该区域的记录没有对应的链头）"}, nil
	}
	var announced []string
	if err := s.db.SelectContext(ctx, &announced, `SELECT object FROM audit_log WHERE chain = ? AND action = ?`,
		rbac.NationalRegion, ChainOpenAction); err != nil {
		return Verification{}, fmt.Errorf("audit: chains: %w", err)
	}
	known := map[string]bool{}
	for _, h := range heads {
		known[chainObject(h.Chain)] = true
	}
	for _, a := range announced {
		if !known[a] {
			return Verification{Chain: strings.TrimPrefix(a, chainObject("")), BrokenAt: 1,
				Reason: "整条区域链已被删除（全国链记载了它的开设）"}, nil
		}
	}
	total := Verification{OK: true}
	for _, h := range heads {
		v, err := s.verifyChain(ctx, h.Chain, h.Seq, h.Hash)
		if err != nil {
			return Verification{}, err
		}
		total.Chains++
		total.Entries += v.Entries
		if !v.OK {
			v.Entries, v.Chains = total.Entries, total.Chains
			return v, nil
		}
	}
	return total, nil
}

// verifyChain checks one chain against its head.
func (s *Store) verifyChain(ctx context.Context, chain string, headSeq int64, headHash string) (Verification, error) {
	prev, next := genesisHash, int64(1)
	broken := func(at, checked int64, reason string) (Verification, error) {
		return Verification{Chain: chain, BrokenAt: at, Entries: checked, Reason: reason}, nil
	}
	// After a purge the chain starts at the anchor the purge kept, which the
	// purge's own (chained) entry vouches for.
	var anchor struct {
		Through int64  `db:"through_seq"`
		Hash    string `db:"anchor_hash"`
	}
	err := s.db.GetContext(ctx, &anchor, `SELECT through_seq, anchor_hash FROM audit_purges WHERE chain = ?
		ORDER BY through_seq DESC LIMIT 1`, chain)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return Verification{}, fmt.Errorf("audit: purges: %w", err)
	default:
		var vouched int
		if err := s.db.GetContext(ctx, &vouched, `SELECT COUNT(*) FROM audit_log WHERE chain = ? AND action = ? AND object = ?`,
			chain, PurgeAction, purgeObject(chain, anchor.Through)); err != nil {
			return Verification{}, fmt.Errorf("audit: purge entry: %w", err)
		}
		if vouched == 0 {
			return broken(anchor.Through+1, 0, "清理记录没有对应的审计条目（疑似伪造）")
		}
		prev, next = anchor.Hash, anchor.Through+1
	}
	anchors, err := s.hashAnchors(ctx, chain)
	if err != nil {
		return Verification{}, err
	}
	first := next
	const batch = 1000
	for {
		var entries []Entry
		err := s.db.SelectContext(ctx, &entries, `SELECT `+entryColumns+` FROM audit_log WHERE chain = ? AND seq >= ?
			ORDER BY seq LIMIT ?`, chain, next, batch)
		if err != nil {
			return Verification{}, fmt.Errorf("audit: verify: %w", err)
		}
		for _, e := range entries {
			switch {
			case e.Seq != next:
				return broken(next, next-first, "缺少序号为 "+strconv.FormatInt(next, 10)+" 的记录")
			case e.PrevHash != prev:
				return broken(e.Seq, next-first, "与前一条记录的链接不符")
			case chainHashWith(anchors.at(e.Seq), e) != e.Hash:
				return broken(e.Seq, next-first, "记录内容与其哈希不符（已被修改）")
			}
			prev, next = e.Hash, next+1
		}
		if len(entries) < batch {
			break
		}
	}
	if headSeq != next-1 || headHash != prev {
		return broken(next, next-first, "最新记录已被删除（与链头不符）")
	}
	return Verification{OK: true, Entries: next - first}, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// chainTitle names a chain for people: its region code, or 全国.
func chainTitle(chain string) string {
	if chain == rbac.NationalRegion {
		return "全国"
	}
	return chain
}
