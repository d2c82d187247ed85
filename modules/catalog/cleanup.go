package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// The 2026 clean-up (职权清理) of the eleven basic powers: each comes with a
// shipped suggestion and its legal ground (content/cleanup.json); the county
// confirms it or changes it with a reason. A decision also becomes the
// item's recorded clean-up result (inventory_status), so the catalog, the
// public inventory and the reports agree with it.

// Decisions on a suggestion.
const (
	DecisionPending   = "pending"
	DecisionConfirmed = "confirmed"
	DecisionChanged   = "changed"
)

// CleanupItem is one power of the clean-up with its suggestion and the
// county's decision.
type CleanupItem struct {
	Code            string     `json:"code"`
	Name            string     `json:"name"`
	SuggestedStatus string     `json:"suggested_status"`
	SuggestedReason string     `json:"suggested_reason"`
	Law             string     `json:"law"`
	Article         string     `json:"article"`
	ChangedBy       string     `json:"changed_by"`
	MovedTo         string     `json:"moved_to"`
	Verification    string     `json:"verification"`
	Note            string     `json:"note"`
	Sources         []Source   `json:"sources"`
	Decision        string     `json:"decision"`
	Status          string     `json:"inventory_status"`
	Reason          string     `json:"reason"`
	DecidedBy       *int64     `json:"decided_by,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
}

// CleanupSummary is the 底数 before and after the clean-up: the powers held
// before, the results decided so far, and the powers the bureau still holds
// after it (保留 and 调整; 取消, 下放 and 转移 leave the bureau).
type CleanupSummary struct {
	Before    int            `json:"before"`
	Decided   int            `json:"decided"`
	Pending   int            `json:"pending"`
	HeldAfter int            `json:"held_after"`
	ByResult  map[string]int `json:"by_result"`
}

// Cleanup is a county's clean-up: every item and the summary.
type Cleanup struct {
	Items   []CleanupItem  `json:"items"`
	Summary CleanupSummary `json:"summary"`
}

type cleanupRow struct {
	Code            string    `db:"code"`
	SuggestedStatus string    `db:"suggested_status"`
	Decision        string    `db:"decision"`
	DecidedStatus   string    `db:"decided_status"`
	Reason          string    `db:"reason"`
	DecidedBy       int64     `db:"decided_by"`
	DecidedAt       time.Time `db:"decided_at"`
}

// Holds tells whether a clean-up result leaves the power with the bureau.
func Holds(status string) bool { return status == "kept" || status == "adjusted" }

// SummarizeCleanup counts decisions (status by code, "" while pending) over
// the powers held before the clean-up.
func SummarizeCleanup(before int, decided map[string]string) CleanupSummary {
	sum := CleanupSummary{Before: before, ByResult: map[string]int{}}
	for _, st := range decided {
		if st == "" {
			continue
		}
		sum.Decided++
		sum.ByResult[st]++
		if Holds(st) {
			sum.HeldAfter++
		}
	}
	sum.Pending = before - sum.Decided
	return sum
}

// Cleanup returns a county's clean-up with its summary.
func (s *Service) Cleanup(ctx context.Context, county string) (Cleanup, error) {
	var rows []cleanupRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT code, suggested_status, decision, decided_status, reason, decided_by, decided_at
		FROM catalog_cleanup WHERE county_code = ?`, county); err != nil {
		return Cleanup{}, fmt.Errorf("catalog: cleanup: %w", err)
	}
	byCode := map[string]cleanupRow{}
	for _, r := range rows {
		byCode[r.Code] = r
	}
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return Cleanup{}, err
	}
	names := map[string]string{}
	for _, it := range items {
		names[it.Code] = it.Name
	}
	out := Cleanup{Items: []CleanupItem{}}
	decided := map[string]string{}
	for _, sg := range s.shipped.Suggestions {
		name, held := names[sg.Code]
		if !held {
			continue // a county whose catalog lacks the item has nothing to clean up
		}
		it := CleanupItem{Code: sg.Code, Name: name, SuggestedStatus: sg.SuggestedStatus, SuggestedReason: sg.Reason,
			Law: sg.Law, Article: sg.Article, ChangedBy: sg.ChangedBy, MovedTo: sg.MovedTo, Verification: sg.Verification,
			Note: sg.Note, Sources: sg.Sources, Decision: DecisionPending}
		decided[sg.Code] = ""
		if r, ok := byCode[sg.Code]; ok {
			by, at := r.DecidedBy, r.DecidedAt
			it.Decision, it.Status, it.Reason, it.DecidedBy, it.DecidedAt = r.Decision, r.DecidedStatus, r.Reason, &by, &at
			decided[sg.Code] = r.DecidedStatus
		}
		out.Items = append(out.Items, it)
	}
	out.Summary = SummarizeCleanup(len(out.Items), decided)
	return out, nil
}

// CleanupInput is a county's decision: confirm the suggestion, or change the
// result (with a reason).
type CleanupInput struct {
	Confirm bool   `json:"-"`
	Status  string `json:"inventory_status"`
	Reason  string `json:"reason"`
}

// maxCleanupReason bounds the reason of a changed result.
const maxCleanupReason = 2000

// DecideCleanup records a decision on one suggestion and writes the result
// into the item's content as a new version (unless it already says so).
func (s *Service) DecideCleanup(ctx context.Context, county, code string, by int64, in CleanupInput) (CleanupItem, error) {
	sg, ok := s.shipped.Suggestion(code)
	if !ok {
		return CleanupItem{}, apperr.ErrNotFound
	}
	decision, status, reason := DecisionConfirmed, sg.SuggestedStatus, sg.Reason
	if !in.Confirm {
		reason = strings.TrimSpace(in.Reason)
		f := fieldErrors{}
		switch {
		case in.Status == "":
			f.add("inventory_status", "请选择清理结果")
		case InventoryTitle(in.Status) == in.Status:
			f.add("inventory_status", "清理结果应为保留、取消、调整、下放或转移之一")
		}
		if reason == "" {
			f.add("reason", "改变清理建议须说明理由")
		} else if utf8.RuneCountInString(reason) > maxCleanupReason {
			f.add("reason", "理由不能超过%d个字", maxCleanupReason)
		}
		if err := f.err(); err != nil {
			return CleanupItem{}, err
		}
		decision, status = DecisionChanged, in.Status
		if status == sg.SuggestedStatus {
			decision = DecisionConfirmed
		}
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		it, err := s.store.Item(ctx, tx, county, code)
		if err != nil {
			return err
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, `UPDATE catalog_cleanup SET suggested_status = ?, decision = ?, decided_status = ?, reason = ?,
			decided_by = ?, decided_at = ? WHERE county_code = ? AND code = ?`, sg.SuggestedStatus, decision, status, reason, by, now, county, code)
		if err != nil {
			return fmt.Errorf("catalog: update cleanup: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_cleanup (county_code, code, suggested_status, decision, decided_status,
				reason, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, code, sg.SuggestedStatus, decision, status,
				reason, by, now); err != nil {
				if db.IsDuplicate(err) {
					return apperr.Conflict("edit_conflict", "该事项的清理结果刚被他人确认，请刷新后重试")
				}
				return fmt.Errorf("catalog: insert cleanup: %w", err)
			}
		}
		if decision == DecisionConfirmed {
			reason = sg.Reason + movedTo(sg.MovedTo)
		}
		return s.recordResult(ctx, tx, it, status, reason, decision == DecisionConfirmed, by)
	})
	if err != nil {
		return CleanupItem{}, err
	}
	c, err := s.Cleanup(ctx, county)
	if err != nil {
		return CleanupItem{}, err
	}
	for _, x := range c.Items {
		if x.Code == code {
			return x, nil
		}
	}
	return CleanupItem{}, apperr.ErrNotFound
}

// recordResult makes the item's latest content carry the decided result. An
// item never saved starts from its template; one whose content already says
// so (for a confirmation: the same result, whatever reason it gives) gains no
// version.
func (s *Service) recordResult(ctx context.Context, tx *sqlx.Tx, it Item, status, reason string, confirmed bool, by int64) error {
	var c Content
	if it.LatestVersion == 0 {
		t, err := s.TemplateFor(ctx, tx, provinceOf(it.CountyCode), it.Code)
		if err != nil && err != apperr.ErrNotFound {
			return err
		}
		c = t.Content
	} else {
		var raw string
		if err := tx.GetContext(ctx, &raw, `SELECT content FROM catalog_versions WHERE county_code = ? AND code = ? AND version = ?`,
			it.CountyCode, it.Code, it.LatestVersion); err != nil {
			return fmt.Errorf("catalog: latest content: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return fmt.Errorf("catalog: decode content: %w", err)
		}
	}
	if c.InventoryStatus == status && (confirmed || status == "kept" || c.InventoryReason == reason) {
		return nil
	}
	c.InventoryStatus = status
	if status == "kept" {
		c.InventoryReason = ""
	} else {
		c.InventoryReason = reason
	}
	if err := c.Validate(it.Category); err != nil {
		return err
	}
	_, err := s.store.insertVersion(ctx, tx, it, it.Name, c, by)
	return err
}
