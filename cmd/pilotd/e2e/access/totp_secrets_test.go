package access_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seal"
)

// sameDatabase is an option that wires a second service (a restart, another
// replica) on the database of s, with the given key of the stored secrets.
func sameDatabase(s *e2e.Service, key []byte) func(*server.Config) {
	return func(c *server.Config) {
		c.DSN, c.DataDir, c.SecretKey = s.Svc.Config.DSN, s.Svc.Config.DataDir, key
	}
}

// rawSecret reads a user's stored TOTP secret as the database holds it.
func rawSecret(s *e2e.Service, userID int64) string {
	s.T.Helper()
	var v string
	if err := s.Svc.DB.Get(&v, `SELECT secret FROM user_totp WHERE user_id = ?`, userID); err != nil {
		s.T.Fatalf("raw secret: %v", err)
	}
	return v
}

// TestTOTPSecretsEncrypted: the stored secret is sealed with the
// cryptographic profile's cipher (SM4-GCM by default, key version in the
// value), not the secret; a row moved to another user does not decrypt and
// sign-in fails closed with a clear error; a replica with another master key
// refuses to start rather than serve with keys that open nothing.
func TestTOTPSecretsEncrypted(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", "340102")
		clerkID, clerk := s.AddUser(admin, "340102", "clerk_a", "county_clerk")
		otherID, other := s.AddUser(admin, "340102", "clerk_b", "county_clerk")
		secret, _ := enrolTOTP(s, clerk)
		enrolTOTP(s, other)

		raw := rawSecret(s, clerkID)
		if !strings.HasPrefix(raw, "enc1:gm:1:") || raw == secret || strings.Contains(raw, secret) {
			t.Fatalf("stored secret %q is not ciphertext of %q", raw, secret)
		}
		if got := secretOf(s, "clerk_a"); got != secret {
			t.Fatalf("decrypted %q, want %q", got, secret)
		}

		// Rows swapped between users: neither decrypts, sign-in fails closed.
		otherRaw := rawSecret(s, otherID)
		swap := func(a, b string) {
			t.Helper()
			for id, v := range map[int64]string{clerkID: a, otherID: b} {
				if _, err := s.Svc.DB.Exec(`UPDATE user_totp SET secret = ? WHERE user_id = ?`, v, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		swap(otherRaw, raw)
		if r := signIn(s, "clerk_a", "User#Pass2026x", totpCode(t, secret, 1)); r.Status != 500 || r.ErrorCode() != "totp_secret_unreadable" {
			t.Fatalf("swapped row: %d %s", r.Status, r.Raw)
		}
		swap(raw, otherRaw)

		// Another replica with a different master key refuses to start, clearly.
		wrong := s.Svc.Config
		wrong.SecretKey = bytes.Repeat([]byte{0x17}, 32)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		database, migrator, err := server.OpenDatabase(context.Background(), wrong, log)
		if err != nil {
			t.Fatal(err)
		}
		_, err = server.Build(context.Background(), wrong, log, database, migrator)
		database.Close()
		if !errors.Is(err, seal.ErrUnknownMaster) || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
			t.Fatalf("a replica with the wrong key: %v", err)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE detail = 'sign-in failed: totp_secret_unreadable'`); n != 1 {
			t.Errorf("%d unreadable-secret sign-ins audited, want 1", n)
		}
		if got := rawSecret(s, clerkID); got != raw {
			t.Error("a failed decryption changed the stored secret")
		}
		// The right key still signs in.
		s.Must(200, signIn(s, "clerk_a", "User#Pass2026x", totpCode(t, secret, 1)))
	})
}

// TestTOTPPlaintextEncryptedOnStart: a secret stored in clear (before
// encryption) is encrypted when a service starts, once, and keeps working.
func TestTOTPPlaintextEncryptedOnStart(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		admin := s.Onboard("34", "340102")
		clerkID, clerk := s.AddUser(admin, "340102", "clerk_a", "county_clerk")
		secret, _ := enrolTOTP(s, clerk)
		if _, err := s.Svc.DB.Exec(`UPDATE user_totp SET secret = ? WHERE user_id = ?`, secret, clerkID); err != nil {
			t.Fatal(err)
		}
		// The old row is unusable until encrypted: verification never reads clear text.
		if r := signIn(s, "clerk_a", "User#Pass2026x", totpCode(t, secret, 1)); r.Status != 500 {
			t.Fatalf("plaintext row accepted: %d %s", r.Status, r.Raw)
		}

		restarted := e2e.New(t, db.Dialect(s.Svc.DB.Dialect), sameDatabase(s, e2e.SecretKey))
		raw := rawSecret(restarted, clerkID)
		if !strings.HasPrefix(raw, "enc1:") || strings.Contains(raw, secret) {
			t.Fatalf("after start the row is %q", raw)
		}
		if got := secretOf(restarted, "clerk_a"); got != secret {
			t.Fatalf("encrypted row decrypts to %q, want %q", got, secret)
		}
		for _, svc := range []*e2e.Service{s, restarted} {
			if n, err := svc.Svc.Users.EncryptStoredSecrets(context.Background()); err != nil || n != 0 {
				t.Fatalf("second pass encrypted %d (%v), want 0", n, err)
			}
		}
		if rawSecret(restarted, clerkID) != raw {
			t.Fatal("the second pass rewrote an encrypted row")
		}
		restarted.Must(200, signIn(restarted, "clerk_a", "User#Pass2026x", totpCode(t, secret, 1)))

		// A secret in the former format (AES-256-GCM under the master key,
		// "v1:") still signs in, and moves to the profile's sealing.
		v1, err := s.Svc.Users.Secrets.Seal(clerkID, secret)
		if err != nil || !strings.HasPrefix(v1, "v1:") {
			t.Fatalf("former format: %q %v", v1, err)
		}
		if _, err := s.Svc.DB.Exec(`UPDATE user_totp SET secret = ? WHERE user_id = ?`, v1, clerkID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Svc.Users.EncryptStoredSecrets(context.Background()); err != nil || n != 1 {
			t.Fatalf("moving the former format: %d %v", n, err)
		}
		if raw := rawSecret(s, clerkID); !strings.HasPrefix(raw, "enc1:") || secretOf(s, "clerk_a") != secret {
			t.Fatalf("after moving: %q", raw)
		}
	})
}

// TestSecretKeyFile: on the embedded SQLite database without PILOT_SECRET_KEY
// the first start makes a 0600 key file in the data folder and later starts
// reuse it.
func TestSecretKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noKey := func(c *server.Config) { c.DataDir, c.SecretKey = dir, nil }
	s := e2e.New(t, db.SQLite, noKey)
	st, err := os.Stat(filepath.Join(dir, server.SecretKeyFile))
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	admin := s.Onboard("34", "340102")
	_, clerk := s.AddUser(admin, "340102", "clerk_a", "county_clerk")
	secret, _ := enrolTOTP(s, clerk)

	again := e2e.New(t, db.SQLite, noKey)
	if got := secretOf(again, "clerk_a"); got != secret {
		t.Fatalf("after a restart the secret decrypts to %q", got)
	}
}

// TestSecretKeyConfig: a malformed key is refused by name; on MySQL `serve`
// refuses to start without a key, naming PILOT_SECRET_KEY, while `migrate`
// needs none.
func TestSecretKeyConfig(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"abc", "not base64!"} {
		if _, err := server.ParseConfig([]string{"--secret-key", bad}); err == nil || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
			t.Errorf("key %q: %v", bad, err)
		}
	}
	cfg, err := server.ParseConfig([]string{"--secret-key", "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo="})
	if err != nil || !bytes.Equal(cfg.SecretKey, e2e.SecretKey) {
		t.Fatalf("good key: %v", err)
	}
	if _, err := server.LoadSecretKey(server.Config{DSN: "root@tcp(db:3306)/pilot"}); err == nil || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
		t.Fatalf("MySQL without a key: %v", err)
	}

	dbtest.RequireMySQL(t)
	dsn := dbtest.CreateMySQLDatabase(t)
	args := []string{"--db-dsn", dsn, "--secret-key", "", "--log-format", "text", "--log-level", "error", "--addr", "127.0.0.1:0"}
	var out bytes.Buffer
	if err := server.Run(context.Background(), append([]string{"migrate"}, args...), &out, &out); err != nil {
		t.Fatalf("migrate without a key: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = server.Run(ctx, append([]string{"serve"}, args...), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
		t.Fatalf("serve on MySQL without a key: %v", err)
	}
}
