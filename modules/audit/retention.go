package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/web"
)

// MinRetention is the shortest time an entry is kept: GB/T 22239-2019 level 3
// (and the Cybersecurity Law, art. 21) ask for at least six months of logs.
const MinRetention = 180 * 24 * time.Hour

// PurgeAction is the action of the entry a purge writes into the chain.
const PurgeAction = "audit-purge"

func purgeObject(chain string, through int64) string {
	return "audit_log:chain=" + chain + ",through=" + strconv.FormatInt(through, 10)
}

// ErrTooRecent refuses a purge that would remove entries younger than MinRetention.
var ErrTooRecent = apperr.InvalidField("before", "审计记录至少保存180天，不能清理180天内的记录")

// PurgeResult says what a purge removed.
type PurgeResult struct {
	Removed int64 // entries deleted, in all chains
	Chains  int   // chains that lost entries
}

// Purge deletes, chain by chain, the oldest entries written before cutoff,
// which must be at least MinRetention before now. Only a prefix of each
// chain is deleted, up to its first entry at or after cutoff, so no younger
// entry is ever removed even when replica clocks disagreed. The hash of the
// last deleted entry is kept as the chain's new anchor, and the purge itself
// is an entry of that chain.
func (s *Store) Purge(ctx context.Context, cutoff, now time.Time) (PurgeResult, error) {
	if cutoff.After(now.Add(-MinRetention)) {
		return PurgeResult{}, ErrTooRecent
	}
	var chains []string
	if err := s.db.SelectContext(ctx, &chains, `SELECT chain FROM audit_chains ORDER BY chain`); err != nil {
		return PurgeResult{}, fmt.Errorf("audit: purge chains: %w", err)
	}
	var out PurgeResult
	for _, chain := range chains {
		removed, err := s.purgeChain(ctx, chain, cutoff)
		if err != nil {
			return out, err
		}
		if removed > 0 {
			out.Removed += removed
			out.Chains++
		}
	}
	return out, nil
}

// purgeChain is Purge of one chain, in one transaction.
func (s *Store) purgeChain(ctx context.Context, chain string, cutoff time.Time) (int64, error) {
	var removed int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		removed = 0
		// Take the head's lock first, as writers do.
		if _, err := tx.ExecContext(ctx, `UPDATE audit_chains SET seq = seq WHERE chain = ?`, chain); err != nil {
			return fmt.Errorf("audit: lock head: %w", err)
		}
		var bounds struct {
			Oldest *int64 `db:"oldest"`
			Young  *int64 `db:"young"`
			Newest *int64 `db:"newest"`
		}
		if err := tx.GetContext(ctx, &bounds, `SELECT MIN(seq) AS oldest, MAX(seq) AS newest,
			(SELECT MIN(seq) FROM audit_log WHERE chain = ? AND at >= ?) AS young FROM audit_log WHERE chain = ?`,
			chain, cutoff, chain); err != nil {
			return fmt.Errorf("audit: purge bounds: %w", err)
		}
		if bounds.Oldest == nil {
			return nil
		}
		through := *bounds.Newest
		if bounds.Young != nil {
			through = *bounds.Young - 1
		}
		if through < *bounds.Oldest {
			return nil
		}
		var anchor string
		if err := tx.GetContext(ctx, &anchor, `SELECT hash FROM audit_log WHERE chain = ? AND seq = ?`, chain, through); err != nil {
			return fmt.Errorf("audit: purge anchor: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE chain = ? AND seq <= ?`, chain, through)
		if err != nil {
			return fmt.Errorf("audit: purge: %w", err)
		}
		removed, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_purges (chain, through_seq, anchor_hash, entries, cutoff, purged_at)
			VALUES (?, ?, ?, ?, ?, ?)`, chain, through, anchor, removed, cutoff.UTC(), db.Now()); err != nil {
			return fmt.Errorf("audit: purge record: %w", err)
		}
		return s.recordTx(ctx, tx, web.AuditEntry{Username: "pilotd", Region: chain, Chain: chain, Action: PurgeAction,
			Object: purgeObject(chain, through), Outcome: "success",
			Detail: fmt.Sprintf("removed %d entries written before %s", removed, cutoff.UTC().Format(time.RFC3339))})
	})
	return removed, err
}

var beijing = time.FixedZone("CST", 8*3600)

// csvHeader names the export's columns for the auditor (Chinese, as Excel shows them).
var csvHeader = []string{"日志链", "序号", "时间（北京时间）", "用户ID", "用户名", "区域", "操作", "对象", "结果", "IP地址", "详情", "前一条哈希", "本条哈希"}

var outcomeTitles = map[string]string{"success": "成功", "denied": "拒绝", "rejected": "无效请求", "error": "错误"}

// csvCell keeps a spreadsheet from reading a value as a formula.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// ExportCSV writes every entry of the regions under scope, oldest first, as
// UTF-8 CSV with a byte-order mark (so spreadsheet software reads the Chinese).
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, scope string) error {
	return s.ExportFiltered(ctx, w, Filter{Scope: scope})
}

// ExportFiltered is ExportCSV of the entries the filter selects.
func (s *Store) ExportFiltered(ctx context.Context, w io.Writer, f Filter) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	where, args := f.where()
	after := int64(0)
	const batch = 1000
	for {
		var entries []Entry
		// Oldest first in the order written (id; see the migrations'
		// AUTO_ID_CACHE note for TiDB), a batch at a time.
		err := s.db.SelectContext(ctx, &entries, `SELECT `+entryColumns+` FROM audit_log WHERE `+where+
			` AND id > ? ORDER BY id LIMIT ?`, append(append([]any{}, args...), after, batch)...)
		if err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		for _, e := range entries {
			outcome := outcomeTitles[e.Outcome]
			if outcome == "" {
				outcome = e.Outcome
			}
			if err := cw.Write([]string{chainTitle(e.Chain), strconv.FormatInt(e.Seq, 10), e.At.In(beijing).Format("2006-01-02 15:04:05"),
				strconv.FormatInt(e.UserID, 10), csvCell(e.Username), e.Region, csvCell(e.Action), csvCell(e.Object),
				outcome, csvCell(e.IP), csvCell(e.Detail), e.PrevHash, e.Hash}); err != nil {
				return err
			}
			after = e.ID
		}
		if len(entries) < batch {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// SignInActions are the audited routes that are sign-in attempts.
var SignInActions = []string{"POST /api/v1/session", "POST /login"}

// SignIn is one sign-in attempt as the audit log kept it.
type SignIn struct {
	ID       int64     `db:"id" json:"id"`
	Seq      int64     `db:"seq" json:"seq"`
	At       time.Time `db:"at" json:"at"`
	Username string    `db:"username" json:"username"`
	IP       string    `db:"ip" json:"ip"`
	Outcome  string    `db:"outcome" json:"outcome"`
	Success  bool      `db:"-" json:"success"`
	Reason   string    `db:"detail" json:"reason"`
	Via      string    `db:"action" json:"via"`
}

// SignInFilter narrows the sign-in history.
type SignInFilter struct {
	Scope    string    // region: sign-ins of accounts homed in it or under it
	Username string    // exact, lower case
	Failed   bool      // only failures
	From     time.Time // attempts at or after it (UTC); zero for no bound
	Until    time.Time // attempts before it (UTC); zero for no bound
}

// SignIns lists sign-in attempts, newest first, a page at a time.
func (s *Store) SignIns(ctx context.Context, f SignInFilter, page, perPage int) ([]SignIn, int, error) {
	where, args := `action IN (?, ?)`, []any{SignInActions[0], SignInActions[1]}
	if f.Scope != rbac.NationalRegion {
		scope, scopeArgs := rbac.CoveredSQL("home_region", f.Scope)
		where += ` AND username IN (SELECT username FROM users WHERE ` + scope + `)`
		args = append(args, scopeArgs...)
	}
	if f.Username != "" {
		where += ` AND username = ?`
		args = append(args, f.Username)
	}
	if f.Failed {
		where += ` AND outcome <> 'success'`
	}
	if !f.From.IsZero() {
		where += ` AND at >= ?`
		args = append(args, f.From.UTC())
	}
	if !f.Until.IsZero() {
		where += ` AND at < ?`
		args = append(args, f.Until.UTC())
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM audit_log WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("audit: sign-ins: %w", err)
	}
	out := []SignIn{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, seq, at, username, ip, outcome, detail, action FROM audit_log WHERE `+where+
		newestFirst+` LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: sign-ins: %w", err)
	}
	for i := range out {
		out[i].Success = out[i].Outcome == "success"
		out[i].Reason = strings.TrimPrefix(out[i].Reason, "sign-in failed: ")
		if out[i].Via == SignInActions[0] {
			out[i].Via = "api"
		} else {
			out[i].Via = "page"
		}
	}
	return out, total, nil
}
