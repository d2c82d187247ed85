package users

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/rbac"
)

const userColumns = `id, username, display_name, home_region, password_hash, must_change_password,
	failed_logins, locked_until, disabled, created_at, updated_at`

// Store is the SQL of accounts and sessions.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

// ByUsername finds an account by its sign-in name.
func (s *Store) ByUsername(ctx context.Context, username string) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE username = ?`, username)
	if db.IsNoRows(err) {
		return u, apperr.ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("users: by username: %w", err)
	}
	return u, nil
}

// ByID finds an account by id.
func (s *Store) ByID(ctx context.Context, q sqlx.QueryerContext, id int64) (User, error) {
	var u User
	err := sqlx.GetContext(ctx, q, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	if db.IsNoRows(err) {
		return u, apperr.ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("users: by id: %w", err)
	}
	return u, nil
}

// InRegion lists the accounts whose home is region (a county or province).
func (s *Store) InRegion(ctx context.Context, region string) ([]User, error) {
	out := []User{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+userColumns+` FROM users WHERE home_region = ? ORDER BY id`, region)
	if err != nil {
		return nil, fmt.Errorf("users: in region: %w", err)
	}
	return out, nil
}

// Count returns how many accounts exist.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM users`); err != nil {
		return 0, fmt.Errorf("users: count: %w", err)
	}
	return n, nil
}

// Insert creates an account inside tx and sets its id.
func (s *Store) Insert(ctx context.Context, tx *sqlx.Tx, u *User) error {
	now := db.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	res, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, home_region, password_hash,
		must_change_password, failed_logins, locked_until, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?, ?)`,
		u.Username, u.DisplayName, u.HomeRegion, u.PasswordHash, u.MustChangePassword, u.Disabled, now, now)
	if db.IsDuplicate(err) {
		return apperr.Conflict("duplicate", "用户名已被使用")
	}
	if err != nil {
		return fmt.Errorf("users: insert: %w", err)
	}
	u.ID, err = res.LastInsertId()
	return err
}

// RecordFailure counts a wrong password; the MaxFailures-th in a row locks the
// account until lockUntil. It is one statement so concurrent attempts count right;
// locked_until is assigned first because MySQL, unlike SQLite, lets later
// assignments see earlier ones.
func (s *Store) RecordFailure(ctx context.Context, id int64, lockUntil time.Time) error {
	// A failed sign-in commits no change of its own; its count is bookkeeping.
	_, err := s.db.ExecContext(db.WithoutCommitHook(ctx), `UPDATE users SET
		locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END,
		failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END
		WHERE id = ?`, MaxFailures, lockUntil, MaxFailures, id)
	if err != nil {
		return fmt.Errorf("users: record failure: %w", err)
	}
	return nil
}

// UnknownLockedUntil is when the lock on a name that belongs to no account
// ends (nil when it is not locked): failed sign-ins under such a name are
// counted and locked like an account's, so the answers do not tell which
// names are accounts.
func (s *Store) UnknownLockedUntil(ctx context.Context, name string) (*time.Time, error) {
	var until *time.Time
	err := s.db.GetContext(ctx, &until, `SELECT locked_until FROM signin_failures WHERE username = ?`, name)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("users: unknown name lock: %w", err)
	}
	return until, nil
}

// RecordUnknownFailure counts a failed sign-in under a name no account has,
// exactly as RecordFailure does for an account.
func (s *Store) RecordUnknownFailure(ctx context.Context, name string, now, lockUntil time.Time) error {
	q := `INSERT INTO signin_failures (username, failed_logins, locked_until, updated_at) VALUES (?, 1, NULL, ?)
		ON DUPLICATE KEY UPDATE
		locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END,
		failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END,
		updated_at = ?`
	if s.db.Dialect == db.SQLite {
		q = `INSERT INTO signin_failures (username, failed_logins, locked_until, updated_at) VALUES (?, 1, NULL, ?)
		ON CONFLICT (username) DO UPDATE SET
		locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END,
		failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END,
		updated_at = ?`
	}
	if _, err := s.db.ExecContext(db.WithoutCommitHook(ctx), q, name, now, MaxFailures, lockUntil, MaxFailures, now); err != nil {
		return fmt.Errorf("users: record unknown failure: %w", err)
	}
	return nil
}

// DeleteStaleUnknownFailures forgets names no account has that failed no
// sign-in since before, so guessed names do not pile up.
func (s *Store) DeleteStaleUnknownFailures(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM signin_failures WHERE updated_at < ? AND (locked_until IS NULL OR locked_until < ?)`, before, before)
	if err != nil {
		return 0, fmt.Errorf("users: forget unknown names: %w", err)
	}
	return res.RowsAffected()
}

// SetPassword stores a new hash and whether it must be changed at next sign-in.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	_, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?`,
		hash, mustChange, db.Now(), id)
	if err != nil {
		return fmt.Errorf("users: set password: %w", err)
	}
	return nil
}

// session is a row of the sessions table.
type session struct {
	UserID     int64     `db:"user_id"`
	CSRFToken  string    `db:"csrf_token"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
	// TOTPEnrolled is whether the user has a confirmed second factor, read
	// with the session so that a request needs no query of its own for it.
	TOTPEnrolled bool
}

// hashToken is how tokens are kept: a leaked table does not leak sessions.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// OpenSession stores a new session for userID and clears the account's
// failure count, in one transaction: the sign-in is one change, which
// commits with its audit entry.
func (s *Store) OpenSession(ctx context.Context, token, csrf string, userID int64, now time.Time) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL
			WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, userID); err != nil {
			return fmt.Errorf("users: clear failures: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, hashToken(token), userID, csrf, now, now, now.Add(AbsoluteTimeout)); err != nil {
			return fmt.Errorf("users: create session: %w", err)
		}
		return nil
	})
}

// Session loads a live request's session by token with its user and the
// user's roles, in one query: it runs on every authenticated request.
func (s *Store) Session(ctx context.Context, token string) (session, User, []rbac.Assignment, bool, error) {
	var se session
	var u User
	roles := []rbac.Assignment{}
	rows, err := s.db.QueryContext(ctx, `SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, `+db.Qualify("u", userColumns)+`,
		r.role, r.region, t.confirmed_at IS NOT NULL FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN user_totp t ON t.user_id = u.id
		WHERE s.token_hash = ? ORDER BY r.region, r.role`, hashToken(token))
	if err != nil {
		return se, u, nil, false, fmt.Errorf("users: session: %w", err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		found = true
		var role, region sql.NullString
		if err := rows.Scan(&se.UserID, &se.CSRFToken, &se.LastSeenAt, &se.ExpiresAt, &u.ID, &u.Username, &u.DisplayName,
			&u.HomeRegion, &u.PasswordHash, &u.MustChangePassword, &u.FailedLogins, &u.LockedUntil, &u.Disabled,
			&u.CreatedAt, &u.UpdatedAt, &role, &region, &se.TOTPEnrolled); err != nil {
			return se, u, nil, false, fmt.Errorf("users: session: %w", err)
		}
		if role.Valid {
			roles = append(roles, rbac.Assignment{UserID: u.ID, Role: role.String, Region: region.String})
		}
	}
	if err := rows.Err(); err != nil {
		return se, u, nil, false, fmt.Errorf("users: session: %w", err)
	}
	return se, u, roles, found, nil
}

// TouchSession moves the idle clock of a session.
func (s *Store) TouchSession(ctx context.Context, token string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now, hashToken(token))
	if err != nil {
		return fmt.Errorf("users: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	if err != nil {
		return fmt.Errorf("users: delete session: %w", err)
	}
	return nil
}

// DeleteOtherSessions ends every session of a user but the one given.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID int64, keepToken string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, hashToken(keepToken))
	if err != nil {
		return fmt.Errorf("users: delete sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle or expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`, now, now.Add(-IdleTimeout))
	if err != nil {
		return 0, fmt.Errorf("users: expire sessions: %w", err)
	}
	return res.RowsAffected()
}
