// Package users holds accounts, passwords, sign-in and sessions: argon2id
// hashes, the password policy, lockout after repeated failures, sessions kept in
// the database (so any replica serves them) with an idle timeout, and the API
// and pages for signing in, changing the password and managing staff.
package users

import (
	"crypto/rand"
	"math/big"
	"regexp"
	"time"
	"unicode"
	"unicode/utf8"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
)

// Limits of the sign-in rules.
const (
	MaxFailures     = 5
	LockDuration    = 15 * time.Minute
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	MinPasswordLen  = 8
)

// User is an account.
type User struct {
	ID                 int64      `db:"id" json:"id"`
	Username           string     `db:"username" json:"username"`
	DisplayName        string     `db:"display_name" json:"display_name"`
	HomeRegion         string     `db:"home_region" json:"home_region"`
	PasswordHash       string     `db:"password_hash" json:"-"`
	MustChangePassword bool       `db:"must_change_password" json:"must_change_password"`
	FailedLogins       int        `db:"failed_logins" json:"-"`
	LockedUntil        *time.Time `db:"locked_until" json:"-"`
	Disabled           bool       `db:"disabled" json:"disabled"`
	CreatedAt          time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at" json:"-"`
}

// UserView is a user with roles as the API shows it.
type UserView struct {
	User
	Roles []rbac.Assignment `json:"roles"`
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$`)

// maxUsernameRunes is the longest name that is counted as given when a
// sign-in names no account (signin_failures.username holds 64 characters;
// accounts have at most 32, so no account shares a longer name's key).
const maxUsernameRunes = 64

// ValidateUsername accepts 3–32 letters, digits, "_", "." and "-". Usernames
// are kept in lower case so both engines treat them alike.
func ValidateUsername(name string) error {
	if !usernamePattern.MatchString(name) {
		return apperr.InvalidField("username", "用户名应为3至32位字母、数字、下划线、点或连字符，并以字母或数字开头")
	}
	return nil
}

// CheckPasswordPolicy demands at least 8 characters from at least three of the
// four classes: upper case, lower case, digits, other symbols.
func CheckPasswordPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return apperr.InvalidField("new_password", "密码至少8位")
	}
	if len(pw) > 128 {
		return apperr.InvalidField("new_password", "密码不能超过128个字符")
	}
	var upper, lower, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return apperr.InvalidField("new_password", "密码须包含大写字母、小写字母、数字、符号中的至少三类")
	}
	return nil
}

// GeneratePassword makes a one-time password that satisfies the policy and is
// easy to read aloud (no 0/O or 1/l/I).
func GeneratePassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnpqrstuvwxyz"
		digits = "23456789"
	)
	sets := []string{upper, lower, digits, upper + lower + digits}
	out := make([]byte, 14)
	for i := range out {
		set := sets[3]
		if i < 3 {
			set = sets[i]
		}
		out[i] = set[randInt(len(set))]
	}
	// Shuffle so the classes are not always in front.
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}
