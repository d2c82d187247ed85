package users

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/web"
)

// ResetPermission is what a security administrator holds to reset a lost
// second factor of an account in the region of their role.
const ResetPermission = "users:reset_2fa"

// MaxResetReason bounds the reason a reset must give (it goes into the audit entry).
const MaxResetReason = 500

var (
	errSelfReset    = apperr.Forbidden("self_reset", "不能重置自己的双因素认证")
	errNotEnrolled  = apperr.Conflict("totp_not_enrolled", "该用户未启用双因素认证，无需重置")
	errResetReason  = apperr.InvalidField("reason", "请填写重置原因")
	errReasonLength = apperr.InvalidField("reason", fmt.Sprintf("重置原因不能超过%d个字", MaxResetReason))
)

// CheckResetReason trims the reason of a reset and checks it is given and short enough.
func CheckResetReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", errResetReason
	case utf8.RuneCountInString(reason) > MaxResetReason:
		return "", errReasonLength
	}
	return reason, nil
}

// ResetTOTP removes the second factor (secret and recovery codes) of an
// account homed in region and ends all its sessions, for a user who lost it.
// The caller has been checked for ResetPermission in region; nobody resets
// their own factor. An administrator must enrol again at the next sign-in.
func (s *Service) ResetTOTP(ctx context.Context, by *web.Principal, region string, userID int64, reason string) (User, error) {
	reason, err := CheckResetReason(reason)
	if err != nil {
		return User{}, err
	}
	if userID == by.UserID {
		return User{}, errSelfReset
	}
	var target User
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		u, err := s.store.ByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.HomeRegion != region {
			return apperr.ErrNotFound
		}
		target = u
		res, err := tx.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("users: reset totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotEnrolled
		}
		for _, q := range []string{`DELETE FROM recovery_codes WHERE user_id = ?`, `DELETE FROM sessions WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("users: reset totp: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	s.log.InfoContext(ctx, "second factor reset", "user_id", userID, "by", by.UserID, "region", region)
	return target, nil
}

// SecurityView is an account as the security administrator's page shows it.
type SecurityView struct {
	UserView
	TOTPEnabled bool
}

// ListForSecurity lists the accounts homed in region with whether each has a
// confirmed second factor.
func (s *Service) ListForSecurity(ctx context.Context, region string) ([]SecurityView, error) {
	list, err := s.List(ctx, region)
	if err != nil {
		return nil, err
	}
	var enrolled []int64
	if err := s.db.SelectContext(ctx, &enrolled, `SELECT t.user_id FROM user_totp t JOIN users u ON u.id = t.user_id
		WHERE u.home_region = ? AND t.confirmed_at IS NOT NULL`, region); err != nil {
		return nil, fmt.Errorf("users: enrolled: %w", err)
	}
	on := map[int64]bool{}
	for _, id := range enrolled {
		on[id] = true
	}
	out := make([]SecurityView, 0, len(list))
	for _, u := range list {
		out = append(out, SecurityView{UserView: u, TOTPEnabled: on[u.ID]})
	}
	return out, nil
}

// resetAuditDetail is what the audit entry of a reset says, reason included;
// a refused over-long reason is cut to MaxResetReason characters, so the
// entry still fits its column and the refusal is recorded.
func resetAuditDetail(userID int64, reason string) string {
	r := []rune(strings.TrimSpace(reason))
	if len(r) > MaxResetReason {
		r = append(r[:MaxResetReason], '…')
	}
	return fmt.Sprintf("totp reset of user %d; reason: %s", userID, string(r))
}
