package platform_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// cuttableProxy forwards TCP connections to the MariaDB server until cut,
// which closes its listener and every connection, as a database that went
// away does; restore listens again on the same address.
type cuttableProxy struct {
	t        *testing.T
	addr     string
	upstream string
	mu       sync.Mutex
	ln       net.Listener
	conns    []net.Conn
}

func newCuttableProxy(t *testing.T, upstream string) *cuttableProxy {
	t.Helper()
	p := &cuttableProxy{t: t, upstream: upstream}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *cuttableProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", p.upstream)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() { _, _ = io.Copy(client, server); client.Close() }()
		}
	}()
}

// cut closes the listener and every forwarded connection.
func (p *cuttableProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the proxy's address.
func (p *cuttableProxy) restore() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// TestDatabaseUnavailable: while the database cannot be reached, API calls
// and pages that need it answer 503 with Retry-After and a Chinese message
// (never a 500), /readyz says so, and the service recovers by itself when the
// database is back.
func TestDatabaseUnavailable(t *testing.T) {
	t.Parallel()
	dsn := dbtest.CreateMySQLDatabase(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCuttableProxy(t, cfg.Addr)
	cfg.Addr = proxy.addr
	s := e2e.New(t, db.MySQL, func(c *server.Config) { c.DSN = cfg.FormatDSN() })
	admin := s.AdminToken()
	county := s.Onboard("34", "340102")

	proxy.cut()
	for _, c := range []struct {
		what, method, path, token string
		body                      any
	}{
		{"session", "GET", "/api/v1/session", admin, nil},
		{"sign-in", "POST", "/api/v1/session", "", map[string]string{"username": "admin", "password": e2e.AdminPassword}},
		{"case list", "GET", "/api/v1/counties/340102/cases", county, nil},
		{"public catalog", "GET", "/api/v1/public/counties/340102/catalog", "", nil},
		{"user creation", "POST", "/api/v1/counties/340102/users", county, map[string]any{"username": "clerk9", "display_name": "clerk9", "roles": []string{"county_clerk"}}},
	} {
		r := s.Do(c.method, c.path, c.token, c.body)
		if r.Status != 503 || r.ErrorCode() != "service_unavailable" || r.Header.Get("Retry-After") != "5" {
			t.Errorf("%s while the database is away: %d %q Retry-After %q, want 503 service_unavailable 5: %s",
				c.what, r.Status, r.ErrorCode(), r.Header.Get("Retry-After"), r.Raw)
		}
		if !strings.Contains(string(r.Raw), "数据库") {
			t.Errorf("%s: the message does not say what is wrong in Chinese: %s", c.what, r.Raw)
		}
	}
	page := s.Do("GET", "/portal/340102", "", nil)
	if page.Status != 503 || page.Header.Get("Retry-After") != "5" || !strings.Contains(string(page.Raw), "数据库") {
		t.Errorf("portal page while the database is away: %d, Retry-After %q: %.300s", page.Status, page.Header.Get("Retry-After"), page.Raw)
	}
	if r := s.Do("GET", "/readyz", "", nil); r.Status != 503 {
		t.Errorf("/readyz while the database is away: %d", r.Status)
	}

	proxy.restore()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := s.Do("GET", "/api/v1/session", admin, nil)
		if r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recovered 20 s after the database came back: %d %s", r.Status, r.Raw)
		}
		if r.Status != 503 {
			t.Fatalf("while reconnecting: %d, want 503 or 200: %s", r.Status, r.Raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.Must(201, s.Do("POST", "/api/v1/counties/340102/users", county,
		map[string]any{"username": "clerk9", "display_name": "clerk9", "roles": []string{"county_clerk"}}))
	if n := s.CountRows(`SELECT COUNT(*) FROM users WHERE username = 'clerk9'`); n != 1 {
		t.Errorf("%d users clerk9 after the refused and the accepted creation, want 1", n)
	}
}

// TestRequestTimeout: a request that outruns PILOT_REQUEST_TIMEOUT has its
// database calls cancelled and answers 503 request_timeout with Retry-After;
// its audit entry is still written, since the log must hold every attempt.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialectWith(t, func(c *server.Config) { c.RequestTimeout = time.Nanosecond }, func(t *testing.T, s *e2e.Service) {
		r := s.Do("POST", "/api/v1/session", "", map[string]string{"username": "admin", "password": e2e.AdminPassword})
		if r.Status != 503 || r.ErrorCode() != "request_timeout" || r.Header.Get("Retry-After") != "5" {
			t.Fatalf("sign-in past its deadline: %d %q Retry-After %q: %s", r.Status, r.ErrorCode(), r.Header.Get("Retry-After"), r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Errorf("%d sessions opened by a request that timed out", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE object = '/api/v1/session' AND outcome = 'error'`); n != 1 {
			t.Errorf("%d audit entries of the timed-out sign-in, want 1", n)
		}
	})
}
