package db

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// CommitHook is work that must commit in the same transaction as the change
// a request makes — the request's audit entry — so that neither can exist
// without the other. It travels in the request's context: every transaction
// run under that context calls BeforeCommit just before committing (a hook
// error rolls the change back) and AfterCommit once the outcome is known.
type CommitHook interface {
	BeforeCommit(ctx context.Context, tx *sqlx.Tx) error
	AfterCommit(committed bool)
}

type commitHookKey struct{}

// WithCommitHook returns a context whose transactions carry hook.
func WithCommitHook(ctx context.Context, hook CommitHook) context.Context {
	return context.WithValue(ctx, commitHookKey{}, hook)
}

// WithoutCommitHook returns ctx without its commit hook, for writes that are
// not the change a request makes: an audit entry of its own, and the
// service's bookkeeping around requests — rate-limit buckets, form
// challenges, idempotency keys, sign-in failure counters — which must not
// carry the request's entry (it would claim a success before the request
// has one).
func WithoutCommitHook(ctx context.Context) context.Context {
	if commitHookOf(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, commitHookKey{}, nil)
}

func commitHookOf(ctx context.Context) CommitHook {
	h, _ := ctx.Value(commitHookKey{}).(CommitHook)
	return h
}

// ExecContext runs one statement. Under a context that carries a commit hook
// the statement runs in its own transaction with the hook, so a single-statement
// change commits with its audit entry like any other; otherwise it runs as is.
func (d *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if commitHookOf(ctx) == nil {
		return d.DB.ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := d.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// NamedExecContext is ExecContext with named arguments.
func (d *DB) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	if commitHookOf(ctx) == nil {
		return d.DB.NamedExecContext(ctx, query, arg)
	}
	var res sql.Result
	err := d.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = tx.NamedExecContext(ctx, query, arg)
		return err
	})
	return res, err
}
