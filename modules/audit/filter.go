package audit

import (
	"strings"
	"time"

	"safetypilot/rbac"
)

// Outcomes are the outcome values an entry can have, in the order pages list them.
var Outcomes = []string{"success", "denied", "rejected", "error"}

// OutcomeTitle is the Chinese name of an outcome.
func OutcomeTitle(o string) string {
	if t, ok := outcomeTitles[o]; ok {
		return t
	}
	return o
}

// Filter narrows the log for the auditor's list and export.
type Filter struct {
	Scope    string    // region: entries of it and of the regions under it
	From     time.Time // entries at or after it (UTC); zero for no bound
	Until    time.Time // entries before it (UTC); zero for no bound
	Username string    // exact, lower case
	Action   string    // part of "METHOD /route", e.g. "totp/reset"
	Outcome  string    // one of Outcomes, or "" for all
}

// likeEscaper escapes LIKE wildcards for `ESCAPE '!'`, which both engines read alike.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// where is the SQL condition of the filter with its arguments.
func (f Filter) where() (string, []any) {
	conds, args := []string{}, []any{}
	scope, scopeArgs := rbac.CoveredSQL("region", f.Scope)
	conds, args = append(conds, scope), append(args, scopeArgs...)
	if !f.From.IsZero() {
		conds = append(conds, `at >= ?`)
		args = append(args, f.From.UTC())
	}
	if !f.Until.IsZero() {
		conds = append(conds, `at < ?`)
		args = append(args, f.Until.UTC())
	}
	if f.Username != "" {
		conds = append(conds, `username = ?`)
		args = append(args, f.Username)
	}
	if f.Action != "" {
		conds = append(conds, `action LIKE ? ESCAPE '!'`)
		args = append(args, "%"+likeEscaper.Replace(f.Action)+"%")
	}
	if f.Outcome != "" {
		conds = append(conds, `outcome = ?`)
		args = append(args, f.Outcome)
	}
	if len(conds) == 0 {
		return `1 = 1`, nil
	}
	return strings.Join(conds, ` AND `), args
}
