package server_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
)

// TestDemoBannerListsEveryAccount: the banner --demo prints names every
// account of the database, admin included, and every demo account it names
// signs in with the demo password.
func TestDemoBannerListsEveryAccount(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	var out bytes.Buffer
	if err := s.Svc.AddDemo(context.Background(), &out); err != nil {
		t.Fatalf("demo: %v", err)
	}
	banner := out.String()
	var usernames []string
	if err := s.Svc.DB.Select(&usernames, `SELECT username FROM users ORDER BY username`); err != nil {
		t.Fatal(err)
	}
	if len(usernames) < 2 {
		t.Fatalf("only %v accounts after the demo", usernames)
	}
	for _, u := range usernames {
		if !regexp.MustCompile(`(^|[：\s])` + regexp.QuoteMeta(u) + `($|[（\s])`).MatchString(banner) {
			t.Errorf("account %s missing from the banner:\n%s", u, banner)
			continue
		}
		if u != "admin" {
			s.Login(u, server.DemoPassword)
		}
	}
}
