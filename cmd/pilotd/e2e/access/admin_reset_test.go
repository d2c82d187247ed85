package access_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/audit"
	"safetypilot/modules/db"
)

// printedPassword is the password a command printed on its own line.
var printedPassword = regexp.MustCompile(`(?m)^  初始密码：(\S+)$`)

// commandArgs are the flags that point a command at s's database.
func commandArgs(s *e2e.Service) []string {
	return []string{"--data-dir", s.Svc.Config.DataDir, "--db-dsn", s.Svc.Config.DSN,
		"--secret-key", e2e.SecretKeyBase64, "--log-format", "json", "--log-level", "info"}
}

// TestResetAdminPasswordCommand: `pilotd reset-admin-password` gives admin a
// new password printed once on stdout (not in the log): the old password and
// the old sessions stop working, the new one signs in with a change forced,
// the reset is in an intact audit chain, and the second factor is kept
// unless --reset-totp is given.
func TestResetAdminPasswordCommand(t *testing.T) {
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		old := s.AdminToken()
		secret, _ := enrolTOTP(s, old)
		var stdout, stderr bytes.Buffer
		if err := server.Run(context.Background(), append([]string{"reset-admin-password"}, commandArgs(s)...), &stdout, &stderr); err != nil {
			t.Fatalf("reset-admin-password: %v (%s)", err, stderr.String())
		}
		m := printedPassword.FindStringSubmatch(stdout.String())
		if m == nil {
			t.Fatalf("no password printed on stdout: %q", stdout.String())
		}
		password := m[1]
		if strings.Contains(stderr.String(), password) {
			t.Errorf("the new password is in the log: %s", stderr.String())
		}
		s.Must(401, s.Do("GET", "/api/v1/session", old, nil))
		s.Must(401, signIn(s, "admin", e2e.AdminPassword, ""))
		s.Must(401, signIn(s, "admin", password, "")) // the second factor is kept
		r := s.Must(200, signIn(s, "admin", password, totpCode(t, secret, 1)))
		if r.Body["must_change_password"] != true {
			t.Errorf("sign-in with the printed password: must_change_password = %v, want true", r.Body["must_change_password"])
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = 'CLI reset-admin-password' AND outcome = 'success'`); n != 1 {
			t.Errorf("%d audit entries of the reset, want 1", n)
		}

		stdout.Reset()
		if err := server.Run(context.Background(), append([]string{"reset-admin-password", "--reset-totp"}, commandArgs(s)...), &stdout, &stderr); err != nil {
			t.Fatalf("reset-admin-password --reset-totp: %v (%s)", err, stderr.String())
		}
		m2 := printedPassword.FindStringSubmatch(stdout.String())
		if m2 == nil || m2[1] == password {
			t.Fatalf("second reset printed %q, want a new password", stdout.String())
		}
		s.Must(401, signIn(s, "admin", password, ""))
		s.Must(200, signIn(s, "admin", m2[1], "")) // no second factor asked any more
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = 'CLI reset-admin-password'`); n != 2 {
			t.Errorf("%d audit entries of resets, want 2", n)
		}
		v, err := audit.NewStore(s.Svc.DB).Verify(context.Background())
		if err != nil || !v.OK {
			t.Errorf("audit chain after the resets: %+v, %v", v, err)
		}
	})
}

// TestFirstRunPrintsAdminPassword: on an empty database the generated
// password of admin is printed plainly on stdout, and the log only says that
// the account was created.
func TestFirstRunPrintsAdminPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"reset-admin-password", "--data-dir", dir, "--db-dsn", "", "--log-format", "json", "--log-level", "info"}
	if err := server.Run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("first run: %v (%s)", err, stderr.String())
	}
	m := printedPassword.FindStringSubmatch(stdout.String())
	if m == nil || !strings.Contains(stdout.String(), "用户名：admin") {
		t.Fatalf("stdout %q: want the username and password on lines of their own", stdout.String())
	}
	if strings.Contains(stderr.String(), m[1]) {
		t.Errorf("the generated password is in the log: %s", stderr.String())
	}
	// The same deployment: the master key is the key file the first run made.
	s := e2e.New(t, db.SQLite, func(c *server.Config) { c.DataDir, c.SecretKey = dir, nil })
	r := s.Must(200, signIn(s, "admin", m[1], ""))
	if r.Body["must_change_password"] != true {
		t.Errorf("first sign-in: must_change_password = %v, want true", r.Body["must_change_password"])
	}
}
