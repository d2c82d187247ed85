package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// sameDatabase is an option that wires a second service (a restart, another
// replica) on the database of s, with the given key of the stored secrets.
func sameDatabase(s *testService, key []byte) func(*config) {
	return func(c *config) {
		c.DSN, c.DataDir, c.SecretKey = s.svc.cfg.DSN, s.svc.cfg.DataDir, key
	}
}

// rawSecret reads a user's stored TOTP secret as the database holds it.
func (s *testService) rawSecret(userID int64) string {
	s.t.Helper()
	var v string
	if err := s.svc.db.Get(&v, `SELECT secret FROM user_totp WHERE user_id = ?`, userID); err != nil {
		s.t.Fatalf("raw secret: %v", err)
	}
	return v
}

// TestTOTPSecretsEncrypted: the stored secret is versioned AES-GCM ciphertext,
// not the secret; a row moved to another user does not decrypt; a replica
// with another key fails sign-in closed with a clear error (no panic, no
// sign-in), while the right key still works.
func TestTOTPSecretsEncrypted(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", "340102")
		clerkID, clerk := s.addUser(admin, "340102", "clerk_a", "county_clerk")
		otherID, other := s.addUser(admin, "340102", "clerk_b", "county_clerk")
		secret, _ := s.enrolTOTP(clerk)
		s.enrolTOTP(other)

		raw := s.rawSecret(clerkID)
		if !strings.HasPrefix(raw, "v1:") || raw == secret || strings.Contains(raw, secret) {
			t.Fatalf("stored secret %q is not ciphertext of %q", raw, secret)
		}
		if got := s.secretOf("clerk_a"); got != secret {
			t.Fatalf("decrypted %q, want %q", got, secret)
		}

		// Rows swapped between users: neither decrypts, sign-in fails closed.
		otherRaw := s.rawSecret(otherID)
		swap := func(a, b string) {
			t.Helper()
			for id, v := range map[int64]string{clerkID: a, otherID: b} {
				if _, err := s.svc.db.Exec(`UPDATE user_totp SET secret = ? WHERE user_id = ?`, v, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		swap(otherRaw, raw)
		if r := s.signIn("clerk_a", "User#Pass2026x", totpCode(t, secret, 1)); r.Status != 500 || r.ErrorCode() != "totp_secret_unreadable" {
			t.Fatalf("swapped row: %d %s", r.Status, r.Raw)
		}
		swap(raw, otherRaw)

		// Another replica with a different key refuses, clearly.
		wrongKey := bytes.Repeat([]byte{0x17}, 32)
		wrong := newTestService(t, db.Dialect(s.svc.db.Dialect), sameDatabase(s, wrongKey))
		r := wrong.signIn("clerk_a", "User#Pass2026x", totpCode(t, secret, 1))
		if r.Status != 500 || r.ErrorCode() != "totp_secret_unreadable" || !strings.Contains(string(r.Raw), "无法解密") {
			t.Fatalf("wrong key: %d %s", r.Status, r.Raw)
		}
		if _, err := wrong.svc.users.Secrets.Open(clerkID, raw); err == nil {
			t.Fatal("the wrong key decrypts the stored secret")
		}
		if n := s.countRows(`SELECT COUNT(*) FROM audit_log WHERE detail = 'sign-in failed: totp_secret_unreadable'`); n != 2 {
			t.Errorf("%d unreadable-secret sign-ins audited, want 2", n)
		}
		if got := s.rawSecret(clerkID); got != raw {
			t.Error("a failed decryption changed the stored secret")
		}
		// The right key still signs in.
		s.must(200, s.signIn("clerk_a", "User#Pass2026x", totpCode(t, secret, 1)))
	})
}

// TestTOTPPlaintextEncryptedOnStart: a secret stored in clear (before
// encryption) is encrypted when a service starts, once, and keeps working.
func TestTOTPPlaintextEncryptedOnStart(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		admin := s.onboard("34", "340102")
		clerkID, clerk := s.addUser(admin, "340102", "clerk_a", "county_clerk")
		secret, _ := s.enrolTOTP(clerk)
		if _, err := s.svc.db.Exec(`UPDATE user_totp SET secret = ? WHERE user_id = ?`, secret, clerkID); err != nil {
			t.Fatal(err)
		}
		// The old row is unusable until encrypted: verification never reads clear text.
		if r := s.signIn("clerk_a", "User#Pass2026x", totpCode(t, secret, 1)); r.Status != 500 {
			t.Fatalf("plaintext row accepted: %d %s", r.Status, r.Raw)
		}

		restarted := newTestService(t, db.Dialect(s.svc.db.Dialect), sameDatabase(s, testSecretKey))
		raw := restarted.rawSecret(clerkID)
		if !strings.HasPrefix(raw, "v1:") || strings.Contains(raw, secret) {
			t.Fatalf("after start the row is %q", raw)
		}
		if got := restarted.secretOf("clerk_a"); got != secret {
			t.Fatalf("encrypted row decrypts to %q, want %q", got, secret)
		}
		for _, svc := range []*testService{s, restarted} {
			if n, err := svc.svc.users.EncryptStoredSecrets(context.Background()); err != nil || n != 0 {
				t.Fatalf("second pass encrypted %d (%v), want 0", n, err)
			}
		}
		if restarted.rawSecret(clerkID) != raw {
			t.Fatal("the second pass rewrote an encrypted row")
		}
		restarted.must(200, restarted.signIn("clerk_a", "User#Pass2026x", totpCode(t, secret, 1)))
	})
}

// TestSecretKeyFile: on the embedded SQLite database without PILOT_SECRET_KEY
// the first start makes a 0600 key file in the data folder and later starts
// reuse it.
func TestSecretKeyFile(t *testing.T) {
	dir := t.TempDir()
	noKey := func(c *config) { c.DataDir, c.SecretKey = dir, nil }
	s := newTestService(t, db.SQLite, noKey)
	st, err := os.Stat(filepath.Join(dir, secretKeyFile))
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	admin := s.onboard("34", "340102")
	_, clerk := s.addUser(admin, "340102", "clerk_a", "county_clerk")
	secret, _ := s.enrolTOTP(clerk)

	again := newTestService(t, db.SQLite, noKey)
	if got := again.secretOf("clerk_a"); got != secret {
		t.Fatalf("after a restart the secret decrypts to %q", got)
	}
}

// TestSecretKeyConfig: a malformed key is refused by name; on MySQL `serve`
// refuses to start without a key, naming PILOT_SECRET_KEY, while `migrate`
// needs none.
func TestSecretKeyConfig(t *testing.T) {
	for _, bad := range []string{"abc", "not base64!"} {
		if _, err := parseConfig([]string{"--secret-key", bad}); err == nil || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
			t.Errorf("key %q: %v", bad, err)
		}
	}
	cfg, err := parseConfig([]string{"--secret-key", "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo="})
	if err != nil || !bytes.Equal(cfg.SecretKey, testSecretKey) {
		t.Fatalf("good key: %v", err)
	}
	if _, err := secretKey(config{DSN: "root@tcp(db:3306)/pilot"}); err == nil || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
		t.Fatalf("MySQL without a key: %v", err)
	}

	dbtest.RequireMySQL(t)
	dsn := dbtest.CreateMySQLDatabase(t)
	args := []string{"--db-dsn", dsn, "--secret-key", "", "--log-format", "text", "--log-level", "error", "--addr", "127.0.0.1:0"}
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"migrate"}, args...), &out, &out); err != nil {
		t.Fatalf("migrate without a key: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = run(ctx, append([]string{"serve"}, args...), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "PILOT_SECRET_KEY") {
		t.Fatalf("serve on MySQL without a key: %v", err)
	}
}
