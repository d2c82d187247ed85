package users

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// SecretKeySize is the length of the key that encrypts TOTP secrets (AES-256).
const SecretKeySize = 32

// sealedPrefix marks the stored format of an encrypted secret, so the format
// can change later without guessing: "v1:" + base64(nonce | ciphertext+tag).
const sealedPrefix = "v1:"

// SecretBox is the former sealing of TOTP secrets: AES-256-GCM under the
// master key itself ("v1:"). New secrets are sealed with the cryptographic
// profile (package seal); the box only opens rows not yet moved.
// Each sealed value is bound to its user id (GCM associated data), so a row
// copied to another user does not decrypt.
type SecretBox struct{ aead cipher.AEAD }

// NewSecretBox builds the box from a 32-byte key.
func NewSecretBox(key []byte) (*SecretBox, error) {
	if len(key) != SecretKeySize {
		return nil, fmt.Errorf("users: secret key is %d bytes, want %d", len(key), SecretKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("users: secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("users: secret key: %w", err)
	}
	return &SecretBox{aead: aead}, nil
}

// ParseSecretKey decodes a base64 (standard or URL alphabet) 32-byte key.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != SecretKeySize {
				return nil, fmt.Errorf("want base64 of %d bytes, got %d bytes", SecretKeySize, len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("not valid base64")
}

// LoadOrCreateKeyFile returns the key kept in path, creating the file with a
// random key (mode 0600) the first time. Two processes racing to create it
// agree: the one that loses reads the winner's key.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("users: key folder: %w", err)
	}
	key := make([]byte, SecretKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("users: random key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("users: write key file %s: %w", path, werr)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("users: create key file %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("users: read key file %s: %w", path, err)
	}
	key, err = ParseSecretKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("users: key file %s: %w", path, err)
	}
	return key, nil
}

func secretAD(userID int64) []byte {
	return []byte("safetypilot/user_totp.secret/" + strconv.FormatInt(userID, 10))
}

// Seal encrypts the secret of userID into its stored form.
func (b *SecretBox) Seal(userID int64, secret string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("users: nonce: %w", err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(secret), secretAD(userID))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// errSecretUnreadable is what a sign-in or enrolment meets when a stored
// secret does not decrypt (a different PILOT_SECRET_KEY, a tampered or moved
// row, or a plaintext row not yet encrypted): the second factor fails closed.
var errSecretUnreadable = &apperr.Error{Status: 500, Code: "totp_secret_unreadable",
	Message: "双因素认证密钥无法解密（服务密钥与加密时不一致或数据已被改动），请联系系统运维人员或安全保密管理员"}

// Open decrypts a stored secret of userID. Anything but a v1 value sealed
// with this key for this user is an error.
func (b *SecretBox) Open(userID int64, stored string) (string, error) {
	if !IsSealed(stored) {
		return "", errors.New("users: totp secret is not encrypted")
	}
	raw, err := base64.StdEncoding.DecodeString(stored[len(sealedPrefix):])
	if err != nil {
		return "", fmt.Errorf("users: totp secret encoding: %w", err)
	}
	n := b.aead.NonceSize()
	if len(raw) < n+b.aead.Overhead() {
		return "", errors.New("users: totp secret too short")
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], secretAD(userID))
	if err != nil {
		return "", fmt.Errorf("users: totp secret does not decrypt: %w", err)
	}
	return string(plain), nil
}

// IsSealed reports whether a stored secret is in the encrypted format.
func IsSealed(stored string) bool { return strings.HasPrefix(stored, sealedPrefix) }

// SealedColumns is the TOTP secret, for key rotation and the profile
// migration; rows in the former format are EncryptStoredSecrets' to move.
var SealedColumns = []seal.Column{
	{Table: "user_totp", Column: "secret", RowKey: "user_id", ID: "user_id", OnlySealed: true},
}

// totpField is where a TOTP secret lives, for the cryptographic profile's
// sealing (package seal): bound to its user.
func totpField(userID int64) db.Field {
	return db.Field{Table: "user_totp", Column: "secret", Row: strconv.FormatInt(userID, 10)}
}

// EncryptStoredSecrets brings every TOTP secret under the cryptographic
// profile's sealing (SM4-GCM under guomi): rows stored in clear (before
// encryption, or by a replica of an older release) and rows in the former
// "v1:" AES-256-GCM format, opened with the SecretBox. Each row is replaced
// only if it still holds what was read, so replicas doing this at the same
// time, or again, change nothing twice.
func (s *Service) EncryptStoredSecrets(ctx context.Context) (int, error) {
	if s.Secrets == nil || s.db.Fields == nil {
		return 0, errNoSecretBox
	}
	var rows []struct {
		UserID int64  `db:"user_id"`
		Secret string `db:"secret"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT user_id, secret FROM user_totp WHERE secret NOT LIKE ?`, "enc1:%"); err != nil {
		return 0, fmt.Errorf("users: plaintext secrets: %w", err)
	}
	done := 0
	for _, r := range rows {
		plain := r.Secret
		if IsSealed(r.Secret) {
			var err error
			if plain, err = s.Secrets.Open(r.UserID, r.Secret); err != nil {
				s.log.ErrorContext(ctx, "stored TOTP secret cannot be decrypted; check PILOT_SECRET_KEY", "user_id", r.UserID, "err", err)
				continue
			}
		}
		sealed, err := s.db.SealField(plain, totpField(r.UserID))
		if err != nil {
			return done, err
		}
		res, err := s.db.ExecContext(ctx, `UPDATE user_totp SET secret = ? WHERE user_id = ? AND secret = ?`, sealed, r.UserID, r.Secret)
		if err != nil {
			return done, fmt.Errorf("users: encrypt secret: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			done++
		}
	}
	return done, nil
}

var errNoSecretBox = errors.New("users: no key to encrypt TOTP secrets (Service.Secrets or DB.Fields is nil)")

// sealSecret is the stored form of a new secret of userID: sealed with the
// cryptographic profile (db.DB.Fields).
func (s *Service) sealSecret(userID int64, secret string) (string, error) {
	if s.db.Fields == nil {
		return "", errNoSecretBox
	}
	return s.db.SealField(secret, totpField(userID))
}

// openSecret decrypts a stored secret, failing closed (and logging why) when
// it cannot.
func (s *Service) openSecret(ctx context.Context, userID int64, stored string) (string, error) {
	var plain string
	var err error
	switch {
	case strings.HasPrefix(stored, "enc1:") && s.db.Fields != nil:
		plain, err = s.db.OpenField(stored, totpField(userID))
	case s.Secrets == nil:
		return "", errNoSecretBox
	default:
		// The former format, until EncryptStoredSecrets moves it; a
		// plaintext row fails here, closed.
		plain, err = s.Secrets.Open(userID, stored)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "stored TOTP secret cannot be decrypted; check PILOT_SECRET_KEY", "user_id", userID, "err", err)
		return "", errSecretUnreadable
	}
	return plain, nil
}
