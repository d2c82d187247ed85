package rbac

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Assignment is one role a user holds in one region.
type Assignment struct {
	UserID int64  `db:"user_id" json:"-"`
	Role   string `db:"role" json:"role"`
	Region string `db:"region" json:"region"`
}

// Assignments lists a user's roles, ordered for stable display.
func Assignments(ctx context.Context, q sqlx.QueryerContext, userID int64) ([]Assignment, error) {
	var out []Assignment
	err := sqlx.SelectContext(ctx, q, &out,
		`SELECT user_id, role, region FROM user_roles WHERE user_id = ? ORDER BY region, role`, userID)
	if err != nil {
		return nil, fmt.Errorf("rbac: assignments: %w", err)
	}
	return out, nil
}

// Grant gives a user a role in a region inside tx, enforcing the level of the
// role and the separation of administrator duties, and bumps the policy version
// and logs the change so every replica applies it. The caller checks that the grantor may grant it.
func Grant(ctx context.Context, tx *sqlx.Tx, userID int64, role, region string, grantedBy int64) error {
	info, ok := Role(role)
	if !ok {
		return apperr.InvalidField("roles", "未知角色："+role)
	}
	if !info.FitsLevel(region) {
		return apperr.InvalidField("roles", fmt.Sprintf("角色“%s”不能在该区域授予", info.Title))
	}
	if userID == grantedBy {
		return apperr.Forbidden("self_grant", "不能给自己授予角色")
	}
	var already int
	if err := tx.GetContext(ctx, &already, `SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = ? AND region = ?`,
		userID, role, region); err != nil {
		return fmt.Errorf("rbac: grant: %w", err)
	}
	if already > 0 {
		return nil
	}
	// Bumping the version before reading the user's roles takes the row lock
	// that serialises every grant and revoke, so two concurrent grants cannot
	// both pass the separation-of-duties check on MySQL.
	version, err := bumpVersion(ctx, tx)
	if err != nil {
		return err
	}
	held, err := Assignments(ctx, tx, userID)
	if err != nil {
		return err
	}
	for _, h := range held {
		hi, _ := Role(h.Role)
		if info.Duty != "" && hi.Duty != "" && hi.Duty != info.Duty {
			return apperr.Conflict("separation_of_duties",
				fmt.Sprintf("三员分立：该用户已担任“%s”，不能再担任“%s”", hi.Title, info.Title))
		}
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)`,
		userID, role, region, grantedBy, db.Now()); err != nil {
		return fmt.Errorf("rbac: grant: %w", err)
	}
	return logChange(ctx, tx, change{Version: version, Op: opGrant, UserID: userID, Role: role, Region: region})
}

// Revoke takes a role away, bumps the policy version and logs the change.
func Revoke(ctx context.Context, tx *sqlx.Tx, userID int64, role, region string) error {
	version, err := bumpVersion(ctx, tx)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ? AND role = ? AND region = ?`,
		userID, role, region)
	if err != nil {
		return fmt.Errorf("rbac: revoke: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	return logChange(ctx, tx, change{Version: version, Op: opRevoke, UserID: userID, Role: role, Region: region})
}

// bumpVersion increments the policy version, taking its row lock until tx
// ends, and returns the new version.
func bumpVersion(ctx context.Context, tx *sqlx.Tx) (int64, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE policy_version SET version = version + 1 WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("rbac: bump version: %w", err)
	}
	var v int64
	if err := tx.GetContext(ctx, &v, `SELECT version FROM policy_version WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("rbac: bump version: %w", err)
	}
	return v, nil
}

// Logged change operations.
const (
	opGrant  = "grant"
	opRevoke = "revoke"
)

// change is one row of the policy_changes log: what the version it carries
// changed in user_roles.
type change struct {
	Version int64  `db:"version"`
	Op      string `db:"op"`
	UserID  int64  `db:"user_id"`
	Role    string `db:"role"`
	Region  string `db:"region"`
}

// keepChanges is how many versions the log keeps; a replica further behind
// reloads everything.
const keepChanges = 10000

// logChange records c under its version and trims the log to keepChanges.
func logChange(ctx context.Context, tx *sqlx.Tx, c change) error {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO policy_changes (version, op, user_id, role, region, changed_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.Version, c.Op, c.UserID, c.Role, c.Region, db.Now()); err != nil {
		return fmt.Errorf("rbac: log change: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM policy_changes WHERE version <= ?`, c.Version-keepChanges); err != nil {
		return fmt.Errorf("rbac: trim changes: %w", err)
	}
	return nil
}

// changesSince reads the logged changes after version from, up to version to.
func changesSince(ctx context.Context, q sqlx.QueryerContext, from, to int64) ([]change, error) {
	var out []change
	if err := sqlx.SelectContext(ctx, q, &out,
		`SELECT version, op, user_id, role, region FROM policy_changes WHERE version > ? AND version <= ? ORDER BY version`,
		from, to); err != nil {
		return nil, fmt.Errorf("rbac: policy changes: %w", err)
	}
	return out, nil
}

// contiguous reports whether changes are exactly the versions from+1..to, so
// applying them brings a replica at from to to; a gap (trimmed log, a change
// made without logging) means a full reload.
func contiguous(changes []change, from, to int64) bool {
	if int64(len(changes)) != to-from {
		return false
	}
	for i, c := range changes {
		if c.Version != from+1+int64(i) {
			return false
		}
	}
	return true
}

// UsersWithRole lists the users holding role in exactly region (for notices).
func UsersWithRole(ctx context.Context, q sqlx.QueryerContext, role, region string) ([]int64, error) {
	var out []int64
	if err := sqlx.SelectContext(ctx, q, &out, `SELECT user_id FROM user_roles WHERE region = ? AND role = ? ORDER BY user_id`,
		region, role); err != nil {
		return nil, fmt.Errorf("rbac: users with role: %w", err)
	}
	return out, nil
}
