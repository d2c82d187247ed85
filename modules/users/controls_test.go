package users

// Tests that pin single security controls of the account rules, each of which
// fails when its control is removed (issue #9). They use unexported parts of
// the package, hence the internal test package.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp/totp"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/rbac"
)

// controlService is a service with a TOTP key on a fresh, migrated database.
func controlService(t *testing.T, dialect db.Dialect) (*Service, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, dialect)
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	e, err := rbac.NewEnforcer(ctx, d)
	if err != nil {
		t.Fatalf("enforcer: %v", err)
	}
	s := NewService(d, e, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if s.Secrets, err = NewSecretBox(bytes.Repeat([]byte{0x42}, SecretKeySize)); err != nil {
		t.Fatalf("secret box: %v", err)
	}
	return s, d
}

// controlUser stores a county clerk with password and returns its id.
func controlUser(t *testing.T, s *Service, d *db.DB, username, password string) int64 {
	t.Helper()
	ctx := context.Background()
	hash, err := DefaultHashing.Hash(password)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	u := User{Username: username, DisplayName: username, HomeRegion: "340102", PasswordHash: hash}
	if err := d.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.store.Insert(ctx, tx, &u); err != nil {
			return err
		}
		return rbac.Grant(ctx, tx, u.ID, rbac.CountyClerk, "340102", 9999)
	}); err != nil {
		t.Fatalf("insert %s: %v", username, err)
	}
	return u.ID
}

// TestSessionTokensStoredHashed: the sessions table holds the SHA-256 of each
// token, never the token, so a leaked table does not leak sessions; and each
// sign-in gets a token of its own.
func TestSessionTokensStoredHashed(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		s, d := controlService(t, dialect)
		const password = "Secret#2026x"
		id := controlUser(t, s, d, "clerk_hash", password)
		first, err := s.Login(ctx, "clerk_hash", password)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		second, err := s.Login(ctx, "clerk_hash", password)
		if err != nil {
			t.Fatalf("second login: %v", err)
		}
		if first.Token == second.Token {
			t.Fatal("two sign-ins got the same session token")
		}
		for _, in := range []SignIn{first, second} {
			sum := sha256.Sum256([]byte(in.Token))
			var clear, hashed int
			if err := d.Get(&clear, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, in.Token); err != nil {
				t.Fatal(err)
			}
			if err := d.Get(&hashed, `SELECT COUNT(*) FROM sessions WHERE token_hash = ? AND user_id = ?`,
				hex.EncodeToString(sum[:]), id); err != nil {
				t.Fatal(err)
			}
			if clear != 0 || hashed != 1 {
				t.Errorf("sessions with the token in clear: %d, with its SHA-256: %d; want 0 and 1", clear, hashed)
			}
			if p, err := s.Resolve(ctx, in.Token); err != nil || p == nil || p.UserID != id {
				t.Errorf("Resolve = %+v, %v; want user %d", p, err, id)
			}
		}
	})
}

// TestTOTPStepSpentOnce: two sign-ins that both read the second factor before
// either spent the code (a race between requests or replicas) cannot both
// use it: the step is claimed in the database, not only checked in memory.
func TestTOTPStepSpentOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		s, d := controlService(t, dialect)
		id := controlUser(t, s, d, "clerk_totp", "Secret#2026x")
		enrolment, err := s.StartTOTP(ctx, id)
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		code := func(offset int) string {
			c, err := totp.GenerateCode(enrolment.Secret, time.Now().Add(time.Duration(offset)*totpPeriod*time.Second))
			if err != nil {
				t.Fatalf("totp: %v", err)
			}
			return c
		}
		if err := s.ConfirmTOTP(ctx, id, code(0)); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		// Both sign-ins read the factor now, before either checks its code.
		stale, ok, err := s.store.totp(ctx, id)
		if err != nil || !ok {
			t.Fatalf("totp row: %v, %v", ok, err)
		}
		next := code(1)
		if ok, err := s.checkSecondFactor(ctx, id, stale, next); err != nil || !ok {
			t.Fatalf("first use of the code: %v, %v; want accepted", ok, err)
		}
		if ok, err := s.checkSecondFactor(ctx, id, stale, next); err != nil || ok {
			t.Fatalf("second use of the same code from the same read: %v, %v; want refused", ok, err)
		}
	})
}

// TestMatchTOTPRefusesSpentSteps: a code is matched only for a step later
// than the last one used, so a code seen once (or an older one) is refused
// before the database is asked.
func TestMatchTOTPRefusesSpentSteps(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Now()
	step := now.Unix() / totpPeriod
	code, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
	if err != nil {
		t.Fatalf("totp: %v", err)
	}
	if got, ok := matchTOTP(secret, code, step-1, now); !ok || got != step {
		t.Fatalf("fresh code: step %d, %v; want %d, true", got, ok, step)
	}
	for _, last := range []int64{step, step + 1} {
		if got, ok := matchTOTP(secret, code, last, now); ok {
			t.Errorf("code of step %d after step %d was used: accepted as step %d", step, last, got)
		}
	}
}
