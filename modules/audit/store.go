// Package audit is the append-only audit log: every state-changing request is
// an entry chained to the one before it by a SHA-256 hash, so any edit or
// deletion of a kept entry is detected by Verify. Only audit administrators
// read it; nothing in the product updates or deletes it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/web"
)

// Entry is one kept audit record.
type Entry struct {
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

// chainHash binds an entry to its predecessor; JSON keeps the fields unambiguous.
func chainHash(e Entry) string {
	fields, _ := json.Marshal([]string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.UserID, 10), e.Username, e.Region, e.Action, e.Object, e.Outcome, e.IP, e.Detail,
	})
	sum := sha256.Sum256(fields)
	return hex.EncodeToString(sum[:])
}

// Store writes and reads the log.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

// Record implements web.Auditor. The head row serialises writers on every
// replica: its UPDATE takes the row lock before the previous hash is read.
func (s *Store) Record(ctx context.Context, in web.AuditEntry) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error { return recordTx(ctx, tx, in) })
}

func recordTx(ctx context.Context, tx *sqlx.Tx, in web.AuditEntry) error {
	{
		if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("audit: lock head: %w", err)
		}
		var head struct {
			Seq  int64  `db:"seq"`
			Hash string `db:"hash"`
		}
		if err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil {
			return fmt.Errorf("audit: read head: %w", err)
		}
		e := Entry{Seq: head.Seq, At: db.Now(), UserID: in.UserID, Username: truncate(in.Username, 64),
			Region: truncate(in.Region, 6), Action: truncate(in.Action, 128), Object: truncate(in.Object, 255),
			Outcome: in.Outcome, IP: truncate(in.IP, 64), Detail: truncate(in.Detail, 2000), PrevHash: head.Hash}
		e.Hash = chainHash(e)
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO audit_log
			(seq, at, user_id, username, region, action, object, outcome, ip, detail, prev_hash, hash) VALUES
			(:seq, :at, :user_id, :username, :region, :action, :object, :outcome, :ip, :detail, :prev_hash, :hash)`, e); err != nil {
			return fmt.Errorf("audit: insert: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
			return fmt.Errorf("audit: move head: %w", err)
		}
		return nil
	}
}

const entryColumns = `seq, at, user_id, username, region, action, object, outcome, ip, detail, prev_hash, hash`

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
		` ORDER BY seq DESC LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return out, total, nil
}

// Verification is the result of checking the whole chain.
type Verification struct {
	OK       bool   `json:"ok"`
	Entries  int64  `json:"entries"`
	BrokenAt int64  `json:"broken_at,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Verify walks the chain in order and reports the first entry that does not
// match its hash, its predecessor, or the head.
func (s *Store) Verify(ctx context.Context) (Verification, error) {
	prev, next := "0000000000000000000000000000000000000000000000000000000000000000", int64(1)
	// After a purge the chain starts at the anchor the purge kept, which the
	// purge's own (chained) entry vouches for.
	var anchor struct {
		Through int64  `db:"through_seq"`
		Hash    string `db:"anchor_hash"`
	}
	err := s.db.GetContext(ctx, &anchor, `SELECT through_seq, anchor_hash FROM audit_purges ORDER BY through_seq DESC LIMIT 1`)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return Verification{}, fmt.Errorf("audit: purges: %w", err)
	default:
		var vouched int
		if err := s.db.GetContext(ctx, &vouched, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?`,
			PurgeAction, purgeObject(anchor.Through)); err != nil {
			return Verification{}, fmt.Errorf("audit: purge entry: %w", err)
		}
		if vouched == 0 {
			return Verification{BrokenAt: anchor.Through + 1, Reason: "清理记录没有对应的审计条目（疑似伪造）"}, nil
		}
		prev, next = anchor.Hash, anchor.Through+1
	}
	first := next
	const batch = 1000
	for {
		var entries []Entry
		err := s.db.SelectContext(ctx, &entries, `SELECT `+entryColumns+` FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?`, next, batch)
		if err != nil {
			return Verification{}, fmt.Errorf("audit: verify: %w", err)
		}
		for _, e := range entries {
			switch {
			case e.Seq != next:
				return Verification{BrokenAt: next, Entries: next - first, Reason: "缺少序号为 " + strconv.FormatInt(next, 10) + " 的记录"}, nil
			case e.PrevHash != prev:
				return Verification{BrokenAt: e.Seq, Entries: next - first, Reason: "与前一条记录的链接不符"}, nil
			case chainHash(e) != e.Hash:
				return Verification{BrokenAt: e.Seq, Entries: next - first, Reason: "记录内容与其哈希不符（已被修改）"}, nil
			}
			prev, next = e.Hash, next+1
		}
		if len(entries) < batch {
			break
		}
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := s.db.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil {
		return Verification{}, fmt.Errorf("audit: head: %w", err)
	}
	if head.Seq != next-1 || head.Hash != prev {
		return Verification{BrokenAt: next, Entries: next - first, Reason: "最新记录已被删除（与链头不符）"}, nil
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
