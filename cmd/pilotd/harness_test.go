package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/web/challenge"
)

// adminPassword is the bootstrap administrator's password in tests.
const adminPassword = "Admin@Test2026"

// testSecretKey encrypts the stored TOTP secrets of test services
// (PILOT_SECRET_KEY, which MySQL requires).
var testSecretKey = bytes.Repeat([]byte{0x5a}, 32)

// testService is the fully wired service on a fresh database of one dialect.
type testService struct {
	t   testing.TB
	svc *service
}

// newTestService migrates a fresh database and wires the whole service on it.
// Administrators sign in with a password only and the per-IP sign-in limit is
// out of reach, unless an option changes the configuration.
func newTestService(t testing.TB, dialect db.Dialect, options ...func(*config)) *testService {
	t.Helper()
	ctx := context.Background()
	cfg := config{BootstrapPassword: adminPassword, BodyLimit: 1 << 20, UploadLimit: 10 << 20, CookieSecure: "auto",
		LogFormat: "text", LogLevel: "error", DBMaxOpen: 8, OverdueSchedule: "*/5 * * * *", ReportsSchedule: "0 1 1 * *",
		RequireAdminTOTP: false, SignInPerMinute: 100_000, AuditRetentionDays: 180,
		ChallengeDifficulty: challenge.DefaultDifficulty, SecretKey: testSecretKey}
	for _, o := range options {
		o(&cfg)
	}
	// An option may name the database, so two services share one (replicas).
	if dialect == db.MySQL && cfg.DSN == "" {
		cfg.DSN = dbtest.CreateMySQLDatabase(t)
	} else if dialect == db.SQLite && cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	database, migrator, err := openDatabase(ctx, cfg, log)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { database.Close() })
	svc, err := build(ctx, cfg, log, database, migrator)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return &testService{t: t, svc: svc}
}

// forEachDialect runs f against a fresh service on SQLite and on MariaDB.
func forEachDialect(t *testing.T, f func(t *testing.T, s *testService)) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			if d == db.MySQL {
				dbtest.RequireMySQL(t)
			}
			f(t, newTestService(t, d))
		})
	}
}

// response is a decoded API answer.
type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
	Header http.Header
}

// ErrorCode is the error.code of an error response, or "".
func (r response) ErrorCode() string {
	if e, ok := r.Body["error"].(map[string]any); ok {
		code, _ := e["code"].(string)
		return code
	}
	return ""
}

// do sends a request through the Fiber app. body may be nil, a string (sent
// as is) or any value (sent as JSON); token, when set, is a bearer token.
func (s *testService) do(method, path, token string, body any) response {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			reader = strings.NewReader(b)
		case []byte:
			reader = bytes.NewReader(b)
		default:
			data, err := json.Marshal(b)
			if err != nil {
				s.t.Fatalf("marshal: %v", err)
			}
			reader = bytes.NewReader(data)
		}
	}
	req := httptest.NewRequest(method, path, reader)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// send runs a prepared request through the app and decodes a JSON answer.
func (s *testService) send(req *http.Request) response {
	s.t.Helper()
	res, err := s.svc.app.Test(req, 10_000)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: raw, Header: res.Header}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.Body)
	}
	return out
}

// must asserts the status of a response and returns it.
func (s *testService) must(want int, r response) response {
	s.t.Helper()
	if r.Status != want {
		s.t.Fatalf("status %d, want %d: %s", r.Status, want, r.Raw)
	}
	return r
}

// login signs in and returns the bearer token.
func (s *testService) login(username, password string) string {
	s.t.Helper()
	r := s.must(200, s.do("POST", "/api/v1/session", "", map[string]string{"username": username, "password": password}))
	token, _ := r.Body["token"].(string)
	if token == "" {
		s.t.Fatalf("no token in %s", r.Raw)
	}
	return token
}

// adminToken signs in as the bootstrap national administrator.
func (s *testService) adminToken() string { return s.login("admin", adminPassword) }

// onboard recommends and approves a county of province as the national
// administrator, then signs its administrator in with a changed password.
// It returns the county administrator's token.
func (s *testService) onboard(province, county string) string {
	s.t.Helper()
	admin := s.adminToken()
	s.must(201, s.do("POST", "/api/v1/provinces/"+province+"/counties", admin,
		map[string]string{"code": county, "egov_readiness": "良好", "recommendation": "推荐"}))
	r := s.must(200, s.do("POST", "/api/v1/provinces/"+province+"/counties/"+county+"/approve", admin, nil))
	creds := r.Body["admin"].(map[string]any)
	username, initial := creds["username"].(string), creds["initial_password"].(string)
	token := s.login(username, initial)
	s.must(204, s.do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "County#Pass2026"}))
	return token
}

// addUser creates a county user with roles via the API and returns their
// token after the first password change.
func (s *testService) addUser(adminToken, county, username string, roles ...string) (int64, string) {
	s.t.Helper()
	r := s.must(201, s.do("POST", "/api/v1/counties/"+county+"/users", adminToken,
		map[string]any{"username": username, "display_name": username, "roles": roles}))
	initial := r.Body["initial_password"].(string)
	token := s.login(username, initial)
	s.must(204, s.do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "User#Pass2026x"}))
	return int64(r.Body["id"].(float64)), token
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// countRows runs a COUNT query directly against the database.
func (s *testService) countRows(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.svc.db.Get(&n, query, args...); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// challengeAnswer is a solved challenge of a public form.
type challengeAnswer struct{ ID, Solution string }

// fields adds the answer to a page form's values (and returns them).
func (a challengeAnswer) fields(v url.Values) url.Values {
	v.Set(challenge.FieldID, a.ID)
	v.Set(challenge.FieldSolution, a.Solution)
	return v
}

// header puts the answer in the headers a public JSON POST carries.
func (a challengeAnswer) header(req *http.Request) {
	req.Header.Set(challenge.HeaderID, a.ID)
	req.Header.Set(challenge.HeaderSolution, a.Solution)
}

// solvedChallenge fetches a challenge of the public form kind ("apply" or
// "info-request") of county from GET /api/v1/public/challenge, solves it as
// the page's script does, and dates its issue back past the pages' minimum
// fill-in time, as if a person had taken that long to type.
func (s *testService) solvedChallenge(kind, county string) challengeAnswer {
	s.t.Helper()
	r := s.must(200, s.do("GET", "/api/v1/public/challenge?form="+kind+"&county="+county, "", nil))
	id, _ := r.Body["id"].(string)
	nonce, _ := r.Body["nonce"].(string)
	difficulty, _ := r.Body["difficulty"].(float64)
	if id == "" || nonce == "" {
		s.t.Fatalf("challenge: %s", r.Raw)
	}
	issued := db.Now().Add(-s.svc.challenges.Config().MinDelay - time.Second)
	if _, err := s.svc.db.Exec(`UPDATE form_challenges SET issued_at = ? WHERE id = ?`, issued, id); err != nil {
		s.t.Fatalf("age challenge: %v", err)
	}
	return challengeAnswer{ID: id, Solution: challenge.Solve(nonce, int(difficulty))}
}
