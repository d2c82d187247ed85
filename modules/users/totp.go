package users

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	qrcode "github.com/skip2/go-qrcode"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// Two-factor settings (RFC 6238 as every authenticator app reads it).
const (
	TOTPIssuer        = "SafetyPilot"
	totpPeriod        = 30
	totpSkew          = 1 // one step either side, for clock drift
	RecoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// RequiresTOTP reports whether holders of role must sign in with two factors
// (every administrator duty: system, security and audit administrators).
func RequiresTOTP(role string) bool {
	info, ok := rbac.Role(role)
	return ok && info.Duty != ""
}

func anyRequiresTOTP(roles []rbac.Assignment) bool {
	for _, a := range roles {
		if RequiresTOTP(a.Role) {
			return true
		}
	}
	return false
}

// totpRow is a user's second factor; ConfirmedAt is nil while enrolment is
// pending. Secret is the stored (encrypted) form; see SecretBox.
type totpRow struct {
	Secret      string     `db:"secret"`
	ConfirmedAt *time.Time `db:"confirmed_at"`
	LastStep    int64      `db:"last_step"`
}

func (s *Store) totp(ctx context.Context, userID int64) (totpRow, bool, error) {
	var r totpRow
	err := s.db.GetContext(ctx, &r, `SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = ?`, userID)
	if db.IsNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("users: totp: %w", err)
	}
	return r, true, nil
}

// TOTPEnrolled reports whether the user has a confirmed second factor.
func (s *Service) TOTPEnrolled(ctx context.Context, userID int64) (bool, error) {
	r, ok, err := s.store.totp(ctx, userID)
	return ok && r.ConfirmedAt != nil, err
}

// mustEnroll reports whether a user is required to use two factors but has none yet.
func (s *Service) mustEnroll(ctx context.Context, userID int64, roles []rbac.Assignment) (bool, error) {
	if !s.requiresTOTP(roles) {
		return false, nil
	}
	enrolled, err := s.TOTPEnrolled(ctx, userID)
	return !enrolled, err
}

// requiresTOTP reports whether a user with these roles must use two factors.
func (s *Service) requiresTOTP(roles []rbac.Assignment) bool {
	return s.RequireAdminTOTP && anyRequiresTOTP(roles)
}

// Enrolment is a new (pending) second factor as shown once to its owner.
type Enrolment struct {
	Secret        string   `json:"secret"`
	OTPAuthURL    string   `json:"otpauth_url"`
	RecoveryCodes []string `json:"recovery_codes"`
}

// QRDataURI renders the otpauth URL as a PNG data: URI for the enrolment page.
func (e Enrolment) QRDataURI() (string, error) { return qrDataURI(e.OTPAuthURL) }

func qrDataURI(content string) (string, error) {
	png, err := qrcode.Encode(content, qrcode.Medium, 256)
	if err != nil {
		return "", fmt.Errorf("users: qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

var errTOTPEnrolled = apperr.Conflict("totp_already_enrolled", "已启用双因素认证；如需更换，请联系安全保密管理员")

// StartTOTP creates (or replaces) a pending secret and ten fresh recovery
// codes. A user with a confirmed factor cannot replace it this way.
func (s *Service) StartTOTP(ctx context.Context, userID int64) (Enrolment, error) {
	u, err := s.store.ByID(ctx, s.db, userID)
	if err != nil {
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: u.Username, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("users: totp generate: %w", err)
	}
	out := Enrolment{Secret: key.Secret(), OTPAuthURL: key.URL()}
	sealed, err := s.sealSecret(userID, out.Secret)
	if err != nil {
		return Enrolment{}, err
	}
	for range RecoveryCodeCount {
		out.RecoveryCodes = append(out.RecoveryCodes, newRecoveryCode())
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var confirmed int
		if err := tx.GetContext(ctx, &confirmed, `SELECT COUNT(*) FROM user_totp WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID); err != nil {
			return fmt.Errorf("users: totp: %w", err)
		}
		if confirmed > 0 {
			return errTOTPEnrolled
		}
		for _, q := range []string{`DELETE FROM user_totp WHERE user_id = ?`, `DELETE FROM recovery_codes WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("users: totp reset: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_totp (user_id, secret, confirmed_at, last_step, created_at) VALUES (?, ?, NULL, 0, ?)`,
			userID, sealed, db.Now()); err != nil {
			return fmt.Errorf("users: totp insert: %w", err)
		}
		for _, code := range out.RecoveryCodes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?, ?, NULL)`,
				userID, hashRecoveryCode(code)); err != nil {
				return fmt.Errorf("users: recovery code: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Enrolment{}, err
	}
	return out, nil
}

// PendingTOTP returns the pending secret's otpauth URL (for re-showing the QR
// code after a mistyped confirmation), or "" when none is pending.
func (s *Service) PendingTOTP(ctx context.Context, userID int64) (Enrolment, bool, error) {
	r, ok, err := s.store.totp(ctx, userID)
	if err != nil || !ok || r.ConfirmedAt != nil {
		return Enrolment{}, false, err
	}
	u, err := s.store.ByID(ctx, s.db, userID)
	if err != nil {
		return Enrolment{}, false, err
	}
	secret, err := s.openSecret(ctx, userID, r.Secret)
	if err != nil {
		return Enrolment{}, false, err
	}
	return Enrolment{Secret: secret, OTPAuthURL: otpauthURL(u.Username, secret)}, true, nil
}

func otpauthURL(account, secret string) string {
	return fmt.Sprintf("otpauth://totp/%s:%s?algorithm=SHA1&digits=6&issuer=%s&period=30&secret=%s",
		TOTPIssuer, account, TOTPIssuer, secret)
}

// ConfirmTOTP turns a pending secret into the user's second factor once a
// code from the authenticator matches it.
func (s *Service) ConfirmTOTP(ctx context.Context, userID int64, code string) error {
	r, ok, err := s.store.totp(ctx, userID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.InvalidField("code", "请先生成双因素认证密钥")
	}
	if r.ConfirmedAt != nil {
		return errTOTPEnrolled
	}
	secret, err := s.openSecret(ctx, userID, r.Secret)
	if err != nil {
		return err
	}
	step, ok := matchTOTP(secret, code, r.LastStep, db.Now())
	if !ok {
		return apperr.InvalidField("code", "动态验证码不正确，请核对手机时间后重试")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND confirmed_at IS NULL`,
		db.Now(), step, userID)
	if err != nil {
		return fmt.Errorf("users: totp confirm: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errTOTPEnrolled
	}
	return nil
}

// matchTOTP checks a six-digit code against the steps around now and returns
// the matching step, which must be later than the last one used (no replay).
func matchTOTP(secret, code string, lastStep int64, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		st := step + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0).UTC(), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && st > lastStep {
			return st, true
		}
	}
	return 0, false
}

// checkSecondFactor verifies the code given at sign-in: a TOTP code (each
// step used once) or one of the unused recovery codes, which is then spent.
// A stored secret that does not decrypt fails closed, before any code is tried.
func (s *Service) checkSecondFactor(ctx context.Context, userID int64, r totpRow, code string) (bool, error) {
	secret, err := s.openSecret(ctx, userID, r.Secret)
	if err != nil {
		return false, err
	}
	if step, ok := matchTOTP(secret, code, r.LastStep, db.Now()); ok {
		res, err := s.db.ExecContext(ctx, `UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
		if err != nil {
			return false, fmt.Errorf("users: totp step: %w", err)
		}
		n, _ := res.RowsAffected()
		return n == 1, nil
	}
	norm := normalizeRecoveryCode(code)
	if len(norm) != 10 {
		return false, nil
	}
	res, err := s.db.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		db.Now(), userID, hashRecoveryCode(norm))
	if err != nil {
		return false, fmt.Errorf("users: recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID)
	return n, err
}

// Recovery codes are ten characters from an alphabet without look-alikes,
// shown as xxxxx-xxxxx; they carry ~50 bits, so a plain SHA-256 suffices.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

func newRecoveryCode() string {
	b := make([]byte, 10)
	for i := range b {
		b[i] = recoveryAlphabet[randInt(len(recoveryAlphabet))]
	}
	return string(b[:5]) + "-" + string(b[5:])
}

func normalizeRecoveryCode(code string) string {
	return strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(code), "-", ""), " ", ""))
}

func hashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("safetypilot-recovery:" + normalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}
