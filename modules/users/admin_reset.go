package users

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/web"
)

// NationalAdminUsername is the national administrator created at bootstrap.
const NationalAdminUsername = "admin"

// ResetAdminPassword gives the national administrator a new random password
// that must be changed at the next sign-in, ends all its sessions, and
// records the reset in the national audit chain, in one transaction. It is
// the operator's way back in from the command line when that password is
// lost. The second factor is kept unless resetTOTP is set: whoever can run
// the command holds the database, but a kept factor still stops someone who
// only learned the printed password.
func (s *Service) ResetAdminPassword(ctx context.Context, auditor web.Auditor, resetTOTP bool) (string, error) {
	password := GeneratePassword()
	hash, err := s.Hashing.Hash(password)
	if err != nil {
		return "", err
	}
	u, err := s.store.ByUsername(ctx, NationalAdminUsername)
	if err != nil {
		return "", fmt.Errorf("users: national administrator %q: %w", NationalAdminUsername, err)
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?`,
			hash, true, db.Now(), u.ID); err != nil {
			return fmt.Errorf("users: reset admin password: %w", err)
		}
		stmts := []string{`DELETE FROM sessions WHERE user_id = ?`}
		if resetTOTP {
			stmts = append(stmts, `DELETE FROM user_totp WHERE user_id = ?`, `DELETE FROM recovery_codes WHERE user_id = ?`)
		}
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
				return fmt.Errorf("users: reset admin password: %w", err)
			}
		}
		detail := "password reset from the command line; sessions ended; second factor kept"
		if resetTOTP {
			detail = "password reset from the command line; sessions ended; second factor removed"
		}
		return auditor.RecordTx(ctx, tx, web.AuditEntry{Chain: rbac.NationalRegion, UserID: u.ID, Username: u.Username,
			Region: rbac.NationalRegion, Action: "CLI reset-admin-password", Object: fmt.Sprintf("users:%d", u.ID),
			Outcome: "success", IP: "local", Detail: detail})
	})
	if err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "national administrator password reset", "username", NationalAdminUsername, "totp_reset", resetTOTP)
	return password, nil
}
