package challenge_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/web/challenge"
)

func newService(t *testing.T, d *db.DB, cfg challenge.Config) *challenge.Service {
	t.Helper()
	s, err := challenge.New(d, cfg)
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	return s
}

// testConfig asks for little work so the tests run fast; the minimum delay is
// what the pages use.
func testConfig() challenge.Config {
	cfg := challenge.DefaultConfig()
	cfg.Difficulty = 8
	return cfg
}

// wantCode asserts err is the client error with code and message.
func wantCode(t *testing.T, what string, err error, want *apperr.Error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("%s: %v, want %s", what, err, want.Code)
	}
	if e.Code != want.Code || e.Message != want.Message || e.Status != 400 {
		t.Errorf("%s: %d %s %q, want 400 %s %q", what, e.Status, e.Code, e.Message, want.Code, want.Message)
	}
}

// TestSolved checks the puzzle against SHA-256 computed independently, and
// that Solve finds the smallest solution.
func TestSolved(t *testing.T) {
	const nonce = "00112233445566778899aabbccddeeff"
	for _, difficulty := range []int{0, 1, 4, 8, 12, 16} {
		s := challenge.Solve(nonce, difficulty)
		if !challenge.Solved(nonce, s, difficulty) {
			t.Errorf("difficulty %d: Solve gave %s, which Solved refuses", difficulty, s)
		}
		n, _ := strconv.Atoi(s)
		for i := 0; i <= n; i++ {
			sum := sha256.Sum256([]byte(nonce + strconv.Itoa(i)))
			zeros := 0
			for _, b := range sum {
				bits := 0
				for bits < 8 && b&(0x80>>bits) == 0 {
					bits++
				}
				zeros += bits
				if bits < 8 {
					break
				}
			}
			if got := challenge.Solved(nonce, strconv.Itoa(i), difficulty); got != (zeros >= difficulty) {
				t.Fatalf("difficulty %d, solution %d: Solved = %v with %d leading zero bits", difficulty, i, got, zeros)
			}
			if i < n && zeros >= difficulty {
				t.Errorf("difficulty %d: %d solves it, but Solve gave %s", difficulty, i, s)
			}
		}
	}
}

// TestRedeem: a solved challenge is accepted once; missing, wrong, foreign,
// expired, early and replayed ones are refused, on both engines.
func TestRedeem(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, d, _ *db.DB) {
		ctx := context.Background()
		s := newService(t, d, testConfig())
		form := challenge.Form(challenge.KindApply, "340102")
		issue := func() challenge.Challenge {
			t.Helper()
			c, err := s.Issue(ctx, form)
			if err != nil {
				t.Fatalf("issue: %v", err)
			}
			if len(c.ID) != 32 || len(c.Nonce) != 32 || c.Difficulty != 8 || c.Form != form || c.MinDelayMS != 2000 {
				t.Fatalf("issued %+v", c)
			}
			return c
		}
		// age moves the challenge's issue (and expiry) into the past.
		age := func(c challenge.Challenge, by time.Duration) {
			t.Helper()
			if _, err := d.Exec(`UPDATE form_challenges SET issued_at = ?, expires_at = ? WHERE id = ?`,
				db.Now().Add(-by), db.Now().Add(10*time.Minute-by), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		wrong := func(c challenge.Challenge) string {
			for i := 0; ; i++ {
				if s := strconv.Itoa(i); !challenge.Solved(c.Nonce, s, c.Difficulty) {
					return s
				}
			}
		}

		c := issue()
		sol := challenge.Solve(c.Nonce, c.Difficulty)
		wantCode(t, "no id", s.Redeem(ctx, form, "", sol, 0), challenge.ErrRequired)
		wantCode(t, "no solution", s.Redeem(ctx, form, c.ID, "", 0), challenge.ErrRequired)
		wantCode(t, "unknown id", s.Redeem(ctx, form, "0123456789abcdef0123456789abcdef", sol, 0), challenge.ErrFailed)
		wantCode(t, "not digits", s.Redeem(ctx, form, c.ID, "12a", 0), challenge.ErrFailed)
		wantCode(t, "wrong solution", s.Redeem(ctx, form, c.ID, wrong(c), 0), challenge.ErrFailed)
		wantCode(t, "other county", s.Redeem(ctx, challenge.Form(challenge.KindApply, "340103"), c.ID, sol, 0), challenge.ErrFailed)
		wantCode(t, "other form", s.Redeem(ctx, challenge.Form(challenge.KindInfoRequest, "340102"), c.ID, sol, 0), challenge.ErrFailed)
		// An hour: too fast however slowly a busy machine got here.
		wantCode(t, "too fast", s.Redeem(ctx, form, c.ID, sol, time.Hour), challenge.ErrTooFast)
		age(c, 3*time.Second)
		if err := s.Redeem(ctx, form, c.ID, sol, 2*time.Second); err != nil {
			t.Fatalf("solved challenge refused: %v", err)
		}
		wantCode(t, "replay", s.Redeem(ctx, form, c.ID, sol, 0), challenge.ErrUsed)

		// Both are issued before one expires: Issue now and then cleans up
		// expired challenges itself, which would leave Cleanup nothing to do.
		expired, fresh := issue(), issue()
		age(expired, 11*time.Minute)
		wantCode(t, "expired", s.Redeem(ctx, form, expired.ID, challenge.Solve(expired.Nonce, expired.Difficulty), 0), challenge.ErrExpired)

		// Cleanup removes the expired challenge only.
		n, err := s.Cleanup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n < 1 {
			t.Errorf("cleanup removed %d rows", n)
		}
		var left int
		if err := d.Get(&left, `SELECT COUNT(*) FROM form_challenges WHERE id IN (?, ?)`, expired.ID, fresh.ID); err != nil {
			t.Fatal(err)
		}
		if left != 1 {
			t.Errorf("%d of the expired and the fresh challenge left, want 1", left)
		}
		if err := s.Redeem(ctx, form, fresh.ID, challenge.Solve(fresh.Nonce, fresh.Difficulty), 0); err != nil {
			t.Errorf("fresh challenge after cleanup: %v", err)
		}
	})
}

// TestRedeemOnceAcrossReplicas: two services on separate pools of one
// database (two replicas) race to redeem the same solution; exactly one wins,
// and a later replay on either fails.
func TestRedeemOnceAcrossReplicas(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, a, b *db.DB) {
		ctx := context.Background()
		replicas := []*challenge.Service{newService(t, a, testConfig()), newService(t, b, testConfig())}
		form := challenge.Form(challenge.KindInfoRequest, "340102")
		for round := 0; round < 5; round++ {
			c, err := replicas[round%2].Issue(ctx, form)
			if err != nil {
				t.Fatal(err)
			}
			sol := challenge.Solve(c.Nonce, c.Difficulty)
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = replicas[i%2].Redeem(ctx, form, c.ID, sol, 0)
				}()
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, challenge.ErrUsed):
				default:
					t.Errorf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d redemptions succeeded, want 1", round, won)
			}
			for i, r := range replicas {
				wantCode(t, "replay on replica "+strconv.Itoa(i), r.Redeem(ctx, form, c.ID, sol, 0), challenge.ErrUsed)
			}
		}
	})
}

// TestNewRejectsBadConfig keeps a misconfiguration from serving.
func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]challenge.Config{
		"negative difficulty":    {Difficulty: -1},
		"too hard":               {Difficulty: challenge.MaxDifficulty + 1},
		"delay longer than ttl":  {Difficulty: 8, TTL: time.Second, MinDelay: 2 * time.Second},
		"negative minimum delay": {Difficulty: 8, MinDelay: -time.Second},
	} {
		if _, err := challenge.New(nil, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
