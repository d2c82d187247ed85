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
// so every replica reloads. The caller checks that the grantor may grant it.
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
	if err := bumpVersion(ctx, tx); err != nil {
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
	return nil
}

// Revoke takes a role away and bumps the policy version.
func Revoke(ctx context.Context, tx *sqlx.Tx, userID int64, role, region string) error {
	if err := bumpVersion(ctx, tx); err != nil {
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
	return nil
}

func bumpVersion(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE policy_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("rbac: bump version: %w", err)
	}
	return nil
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
