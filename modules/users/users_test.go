package users_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/modules/users"
	"safetypilot/rbac"
)

// openUsersDB returns a fresh, fully migrated database of the dialect, owned by t.
func openUsersDB(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, dialect)
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// eachDialect runs f in a parallel subtest per dialect, each on its own database.
func eachDialect(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			f(t, openUsersDB(t, dialect))
		})
	}
}

func newService(t *testing.T, d *db.DB) *users.Service {
	t.Helper()
	e, err := rbac.NewEnforcer(context.Background(), d)
	if err != nil {
		t.Fatalf("enforcer: %v", err)
	}
	return users.NewService(d, e, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// createUser stores an account with the given password and returns its id.
func createUser(t *testing.T, d *db.DB, username, password, region string, mustChange bool) int64 {
	t.Helper()
	hash, err := users.DefaultHashing.Hash(password)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	u := users.User{Username: username, DisplayName: username, HomeRegion: region, PasswordHash: hash, MustChangePassword: mustChange}
	err = d.InTx(context.Background(), func(tx *sqlx.Tx) error {
		return users.NewStore(d).Insert(context.Background(), tx, &u)
	})
	if err != nil {
		t.Fatalf("insert %s: %v", username, err)
	}
	return u.ID
}

func wantAppErr(t *testing.T, err error, status int, code string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want apperr %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("error = %d %s (%s), want %d %s", e.Status, e.Code, e.Message, status, code)
	}
	return e
}

func TestCheckPasswordPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"all four classes", "Abcdef1!", true},
		{"upper lower digit", "Abcdefg1", true},
		{"upper lower symbol", "Abcdefg!", true},
		{"lower digit symbol", "abcdef1!", true},
		{"upper digit symbol", "ABCDEF1!", true},
		{"Chinese characters count as symbols", "密码Abcd12", true},
		{"128 characters", "Aa1" + strings.Repeat("x", 125), true},
		{"empty", "", false},
		{"seven characters of four classes", "Abcd1!x", false},
		{"only lower case", "abcdefgh", false},
		{"only upper case", "ABCDEFGH", false},
		{"only digits", "12345678", false},
		{"lower and digits", "abcdefg1", false},
		{"upper and symbols", "ABCDEFG!", false},
		{"eight bytes but seven characters", "Ab1密码密码", false},
		{"129 characters", "Aa1" + strings.Repeat("x", 126), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := users.CheckPasswordPolicy(tc.pw)
			if tc.ok {
				if err != nil {
					t.Errorf("CheckPasswordPolicy(%q) = %v, want ok", tc.pw, err)
				}
				return
			}
			e := wantAppErr(t, err, http.StatusBadRequest, "invalid_input")
			if e.Fields["new_password"] == "" {
				t.Errorf("error does not name new_password: %+v", e)
			}
		})
	}
}

func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		pw := users.GeneratePassword()
		if err := users.CheckPasswordPolicy(pw); err != nil {
			t.Fatalf("generated password %q breaks the policy: %v", pw, err)
		}
		if len(pw) != 14 {
			t.Errorf("generated password %q has %d characters, want 14", pw, len(pw))
		}
		if strings.ContainsAny(pw, "0O1lI") {
			t.Errorf("generated password %q has a confusable character", pw)
		}
		if seen[pw] {
			t.Errorf("generated password %q twice", pw)
		}
		seen[pw] = true
	}
}

func TestValidateUsername(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, username string
		ok             bool
	}{
		{"three letters", "abc", true},
		{"digits first", "1ab", true},
		{"county admin pattern", "admin_340102", true},
		{"dots and dashes", "li.ming-2", true},
		{"32 characters", strings.Repeat("a", 32), true},
		{"upper case", "ZhangSan", true},
		{"empty", "", false},
		{"two characters", "ab", false},
		{"33 characters", strings.Repeat("a", 33), false},
		{"starts with underscore", "_abc", false},
		{"starts with dot", ".abc", false},
		{"starts with dash", "-abc", false},
		{"space inside", "li ming", false},
		{"Chinese", "张三丰", false},
		{"at sign", "li@ming", false},
		{"trailing newline", "abc\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := users.ValidateUsername(tc.username)
			if tc.ok {
				if err != nil {
					t.Errorf("ValidateUsername(%q) = %v, want ok", tc.username, err)
				}
				return
			}
			e := wantAppErr(t, err, http.StatusBadRequest, "invalid_input")
			if e.Fields["username"] == "" {
				t.Errorf("error does not name username: %+v", e)
			}
		})
	}
}

type lockState struct {
	FailedLogins int        `db:"failed_logins"`
	LockedUntil  *time.Time `db:"locked_until"`
}

func readLock(t *testing.T, d *db.DB, id int64) lockState {
	t.Helper()
	var s lockState
	if err := d.Get(&s, `SELECT failed_logins, locked_until FROM users WHERE id = ?`, id); err != nil {
		t.Fatalf("read lock state: %v", err)
	}
	return s
}

// TestRecordFailure checks the one-statement lockout on both engines, whose
// UPDATE semantics differ (MySQL's later assignments see earlier ones).
func TestRecordFailure(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store := users.NewStore(d)
		id := createUser(t, d, "li.ming", "Secret#2026", "340102", false)
		other := createUser(t, d, "wang.fang", "Secret#2026", "340102", false)
		first := db.Now().Add(users.LockDuration)
		second := first.Add(time.Hour)
		steps := []struct {
			name       string
			lockUntil  time.Time
			wantFailed int
			wantLocked *time.Time
		}{
			{"1st failure counts", first, 1, nil},
			{"2nd failure counts", first, 2, nil},
			{"3rd failure counts", first, 3, nil},
			{"4th failure counts", first, 4, nil},
			{"5th failure locks and resets the count", first, 0, &first},
			{"6th failure counts again and keeps the lock", second, 1, &first},
			{"7th failure counts", second, 2, &first},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				if err := store.RecordFailure(ctx, id, s.lockUntil); err != nil {
					t.Fatalf("record failure: %v", err)
				}
				got := readLock(t, d, id)
				if got.FailedLogins != s.wantFailed {
					t.Errorf("failed_logins = %d, want %d", got.FailedLogins, s.wantFailed)
				}
				switch {
				case s.wantLocked == nil && got.LockedUntil != nil:
					t.Errorf("locked_until = %v, want NULL", got.LockedUntil)
				case s.wantLocked != nil && (got.LockedUntil == nil || !got.LockedUntil.Equal(*s.wantLocked)):
					t.Errorf("locked_until = %v, want %v", got.LockedUntil, *s.wantLocked)
				}
			})
		}
		t.Run("another account is untouched", func(t *testing.T) {
			if got := readLock(t, d, other); got.FailedLogins != 0 || got.LockedUntil != nil {
				t.Errorf("other account = %+v", got)
			}
		})
		t.Run("success clears count and lock", func(t *testing.T) {
			if err := store.OpenSession(ctx, strings.Repeat("s", 43), "csrf", id, db.Now()); err != nil {
				t.Fatalf("open session: %v", err)
			}
			if got := readLock(t, d, id); got.FailedLogins != 0 || got.LockedUntil != nil {
				t.Errorf("after success = %+v, want 0 and NULL", got)
			}
		})
		t.Run("concurrent failures count right", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, users.MaxFailures)
			for i := 0; i < users.MaxFailures; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- store.RecordFailure(ctx, other, first)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("record failure: %v", err)
				}
			}
			got := readLock(t, d, other)
			if got.FailedLogins != 0 || got.LockedUntil == nil || !got.LockedUntil.Equal(first) {
				t.Errorf("after %d concurrent failures = %+v, want locked until %v with the count reset",
					users.MaxFailures, got, first)
			}
		})
	})
}

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	const password = "Secret#2026"
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newService(t, d)
		id := createUser(t, d, "li.ming", password, "340102", false)
		createUser(t, d, "wang.fang", password, "340102", false)
		attempts := []struct {
			name     string
			username string
			password string
			status   int // 0: signed in
			code     string
		}{
			{"unknown user", "nobody", password, http.StatusUnauthorized, "invalid_credentials"},
			{"4 wrong passwords: 1", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"4 wrong passwords: 2", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"4 wrong passwords: 3", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"4 wrong passwords: 4", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"a right password resets the count", "li.ming", password, 0, ""},
			{"wrong 1", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"wrong 2", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"wrong 3", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"wrong 4", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"wrong 5 locks", "li.ming", "wrong", http.StatusUnauthorized, "invalid_credentials"},
			{"6th attempt is locked out even with the right password", "li.ming", password, http.StatusTooManyRequests, "account_locked"},
			{"7th attempt is locked out", "li.ming", "wrong", http.StatusTooManyRequests, "account_locked"},
			{"another account still signs in", "wang.fang", password, 0, ""},
		}
		for _, a := range attempts {
			t.Run(a.name, func(t *testing.T) {
				in, err := svc.Login(ctx, a.username, a.password)
				if a.status == 0 {
					if err != nil {
						t.Fatalf("login: %v", err)
					}
					if len(in.Token) != 43 || len(in.CSRFToken) != 43 || in.User.Username != a.username {
						t.Errorf("sign-in = %+v", in)
					}
					return
				}
				wantAppErr(t, err, a.status, a.code)
			})
		}
		t.Run("lock expires", func(t *testing.T) {
			s := readLock(t, d, id)
			if s.LockedUntil == nil || s.LockedUntil.Before(time.Now().Add(users.LockDuration-time.Minute)) {
				t.Fatalf("lock state = %+v, want locked for %v", s, users.LockDuration)
			}
			if _, err := d.Exec(`UPDATE users SET locked_until = ? WHERE id = ?`, db.Now().Add(-time.Second), id); err != nil {
				t.Fatalf("expire lock: %v", err)
			}
			if _, err := svc.Login(ctx, "li.ming", password); err != nil {
				t.Fatalf("login after the lock expired: %v", err)
			}
			if s := readLock(t, d, id); s.FailedLogins != 0 || s.LockedUntil != nil {
				t.Errorf("lock state after sign-in = %+v, want cleared", s)
			}
		})
		t.Run("disabled account", func(t *testing.T) {
			if _, err := d.Exec(`UPDATE users SET disabled = ? WHERE id = ?`, true, id); err != nil {
				t.Fatalf("disable: %v", err)
			}
			_, err := svc.Login(ctx, "li.ming", password)
			wantAppErr(t, err, http.StatusUnauthorized, "invalid_credentials")
		})
	})
}

type sessionRow struct {
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

func TestSessions(t *testing.T) {
	t.Parallel()
	const password = "Secret#2026"
	cases := []struct {
		name      string
		lastSeen  time.Duration // how long ago the session was last seen
		expiresIn time.Duration // 0: untouched
		disable   bool
		live      bool
		touched   bool // the idle clock moved
	}{
		{name: "live session", live: true},
		{name: "seen 5 minutes ago moves the idle clock", lastSeen: 5 * time.Minute, live: true, touched: true},
		{name: "seen 29 minutes ago is still live", lastSeen: 29 * time.Minute, live: true, touched: true},
		{name: "idle more than 30 minutes", lastSeen: 31 * time.Minute},
		{name: "idle for a day", lastSeen: 24 * time.Hour},
		{name: "past the absolute limit", expiresIn: -time.Second},
		{name: "disabled user", disable: true},
	}
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newService(t, d)

		t.Run("unknown tokens", func(t *testing.T) {
			for _, token := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("A", 44)} {
				p, err := svc.Resolve(ctx, token)
				if p != nil || err != nil {
					t.Errorf("Resolve(%q) = %+v, %v; want nil, nil", token, p, err)
				}
			}
		})

		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				username := "user" + string(rune('a'+i)) + "x"
				id := createUser(t, d, username, password, "340102", true)
				if err := d.InTx(ctx, func(tx *sqlx.Tx) error {
					return rbac.Grant(ctx, tx, id, rbac.CountyClerk, "340102", 9999)
				}); err != nil {
					t.Fatalf("grant: %v", err)
				}
				in, err := svc.Login(ctx, username, password)
				if err != nil {
					t.Fatalf("login: %v", err)
				}
				now := db.Now()
				if tc.lastSeen != 0 {
					if _, err := d.Exec(`UPDATE sessions SET last_seen_at = ?, created_at = ? WHERE user_id = ?`,
						now.Add(-tc.lastSeen), now.Add(-tc.lastSeen), id); err != nil {
						t.Fatalf("age session: %v", err)
					}
				}
				if tc.expiresIn != 0 {
					if _, err := d.Exec(`UPDATE sessions SET expires_at = ? WHERE user_id = ?`, now.Add(tc.expiresIn), id); err != nil {
						t.Fatalf("expire session: %v", err)
					}
				}
				if tc.disable {
					if _, err := d.Exec(`UPDATE users SET disabled = ? WHERE id = ?`, true, id); err != nil {
						t.Fatalf("disable: %v", err)
					}
				}
				p, err := svc.Resolve(ctx, in.Token)
				if err != nil {
					t.Fatalf("resolve: %v", err)
				}
				var rows []sessionRow
				if err := d.Select(&rows, `SELECT last_seen_at, expires_at FROM sessions WHERE user_id = ?`, id); err != nil {
					t.Fatalf("sessions: %v", err)
				}
				if !tc.live {
					if p != nil {
						t.Fatalf("Resolve = %+v, want nil", p)
					}
					if !tc.disable && len(rows) != 0 {
						t.Errorf("the dead session was not deleted: %+v", rows)
					}
					return
				}
				if p == nil {
					t.Fatal("Resolve = nil, want the principal")
				}
				if p.UserID != id || p.Username != username || p.HomeRegion != "340102" ||
					!p.MustChangePassword || p.CSRFToken != in.CSRFToken {
					t.Errorf("principal = %+v", p)
				}
				if len(p.Roles) != 1 || p.Roles[0].Role != rbac.CountyClerk || p.Roles[0].Region != "340102" {
					t.Errorf("principal roles = %+v, want county_clerk in 340102", p.Roles)
				}
				if len(rows) != 1 {
					t.Fatalf("sessions = %+v, want one", rows)
				}
				moved := rows[0].LastSeenAt.After(now.Add(-time.Minute))
				if tc.touched && !moved {
					t.Errorf("last_seen_at = %v, want moved to now", rows[0].LastSeenAt)
				}
			})
		}
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	const (
		password = "Secret#2026"
		next     = "Better#2027"
	)
	refusals := []struct {
		name    string
		current string
		next    string
		field   string
	}{
		{"wrong current password", "Wrong#2026", next, "current_password"},
		{"new password breaks the policy", password, "simple", "new_password"},
		{"new password equals the current one", password, password, "new_password"},
		{"new password contains the username", password, "Li.Ming#2027", "new_password"},
	}
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newService(t, d)
		id := createUser(t, d, "li.ming", password, "340102", true)
		createUser(t, d, "wang.fang", password, "340102", false)
		login := func(username, pw string) users.SignIn {
			t.Helper()
			in, err := svc.Login(ctx, username, pw)
			if err != nil {
				t.Fatalf("login %s: %v", username, err)
			}
			return in
		}
		current, other1, other2 := login("li.ming", password), login("li.ming", password), login("li.ming", password)
		bystander := login("wang.fang", password)
		live := func(token string) bool {
			t.Helper()
			p, err := svc.Resolve(ctx, token)
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			return p != nil
		}

		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				err := svc.ChangePassword(ctx, id, current.Token, tc.current, tc.next)
				e := wantAppErr(t, err, http.StatusBadRequest, "invalid_input")
				if e.Fields[tc.field] == "" {
					t.Errorf("error does not name %s: %+v", tc.field, e)
				}
				if !live(current.Token) || !live(other1.Token) || !live(other2.Token) {
					t.Errorf("a refused change ended sessions")
				}
			})
		}

		t.Run("change ends the other sessions and keeps this one", func(t *testing.T) {
			if err := svc.ChangePassword(ctx, id, current.Token, password, next); err != nil {
				t.Fatalf("change password: %v", err)
			}
			if !live(current.Token) {
				t.Error("the current session ended")
			}
			if live(other1.Token) || live(other2.Token) {
				t.Error("another session of the user survived")
			}
			if !live(bystander.Token) {
				t.Error("another user's session ended")
			}
			p, _ := svc.Resolve(ctx, current.Token)
			if p == nil || p.MustChangePassword {
				t.Errorf("principal after change = %+v, want must_change_password cleared", p)
			}
			_, err := svc.Login(ctx, "li.ming", password)
			wantAppErr(t, err, http.StatusUnauthorized, "invalid_credentials")
			login("li.ming", next)
		})
	})
}
