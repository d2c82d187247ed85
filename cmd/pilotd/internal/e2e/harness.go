package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
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

	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/users"
	"safetypilot/web/challenge"

	"github.com/alexedwards/argon2id"
)

// AdminPassword is the bootstrap administrator's password in tests.
const AdminPassword = "Admin@Test2026"

// SecretKey encrypts the stored TOTP secrets of test services
// (PILOT_SECRET_KEY, which MySQL requires).
var SecretKey = bytes.Repeat([]byte{0x5a}, 32)

// CheapHashing makes the tests' hundreds of sign-ins cheap: argon2id with
// 256 KiB and one pass instead of the service's 19 MiB and two, which took
// two thirds of the tests' CPU time. Tests of the hashing itself live in
// modules/users and use the default.
var CheapHashing = func() *users.Hashing {
	h, err := users.NewHashing(argon2id.Params{Memory: 256, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		panic(err)
	}
	return h
}()

// SecretKeyBase64 is SecretKey as the --secret-key flag takes it, for
// services configured from flags (replicas on one MySQL database).
var SecretKeyBase64 = base64.StdEncoding.EncodeToString(SecretKey)

// Service is the fully wired service on a fresh database of one dialect,
// with the test that owns it.
type Service struct {
	T   testing.TB
	Svc *server.Service
}

// New migrates a fresh database and wires the whole service on it.
// Administrators sign in with a password only and the per-IP sign-in limit is
// out of reach, unless an option changes the configuration.
func New(t testing.TB, dialect db.Dialect, options ...func(*server.Config)) *Service {
	t.Helper()
	cfg := server.Config{BootstrapPassword: AdminPassword, BodyLimit: 1 << 20, UploadLimit: 10 << 20, CookieSecure: "auto",
		LogFormat: "text", LogLevel: "error", DBMaxOpen: 8, OverdueSchedule: "*/5 * * * *", ReportsSchedule: "0 1 1 * *",
		RequireAdminTOTP: false, SignInPerMinute: 100_000, AuditRetentionDays: 180,
		ChallengeDifficulty: challenge.DefaultDifficulty, SecretKey: SecretKey, PasswordHashing: CheapHashing}
	for _, o := range options {
		o(&cfg)
	}
	// An option may name the database, so two services share one (replicas).
	if dialect == db.MySQL && cfg.DSN == "" {
		cfg.DSN = dbtest.CreateMySQLDatabase(t)
	} else if dialect == db.SQLite && cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	return Wire(t, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// Wire migrates the database cfg names and wires the whole service on it,
// closing the database when the test ends.
func Wire(t testing.TB, cfg server.Config, log *slog.Logger) *Service {
	t.Helper()
	ctx := context.Background()
	database, migrator, err := server.OpenDatabase(ctx, cfg, log)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { database.Close() })
	svc, err := server.Build(ctx, cfg, log, database, migrator)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return &Service{T: t, Svc: svc}
}

// FlagConfig is the configuration a replica started with args gets (the
// defaults of every other setting), plus what every test service has: the
// tests' secret key and bootstrap password, administrators without a second
// factor, and cheap password hashing.
func FlagConfig(t testing.TB, args ...string) server.Config {
	t.Helper()
	cfg, err := server.ParseConfig(append([]string{"--secret-key", SecretKeyBase64,
		"--bootstrap-admin-password", AdminPassword, "--require-admin-totp=false"}, args...))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.PasswordHashing = CheapHashing
	return cfg
}

// ForEachDialect runs f against a fresh service on SQLite and on MariaDB, in
// parallel subtests.
func ForEachDialect(t *testing.T, f func(t *testing.T, s *Service)) {
	ForEachDialectWith(t, nil, f)
}

// ForEachDialectWith is ForEachDialect on services whose configuration
// option changes (nil: none).
func ForEachDialectWith(t *testing.T, option func(*server.Config), f func(t *testing.T, s *Service)) {
	var options []func(*server.Config)
	if option != nil {
		options = append(options, option)
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			if d == db.MySQL {
				dbtest.RequireMySQL(t)
			}
			f(t, New(t, d, options...))
		})
	}
}

// Response is a decoded API answer.
type Response struct {
	Status int
	Body   map[string]any
	Raw    []byte
	Header http.Header
}

// ErrorCode is the error.code of an error response, or "".
func (r Response) ErrorCode() string {
	if e, ok := r.Body["error"].(map[string]any); ok {
		code, _ := e["code"].(string)
		return code
	}
	return ""
}

// Do sends a request through the Fiber app. body may be nil, a string (sent
// as is) or any value (sent as JSON); token, when set, is a bearer token.
func (s *Service) Do(method, path, token string, body any) Response {
	s.T.Helper()
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
				s.T.Fatalf("marshal: %v", err)
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
	return s.Send(req)
}

// Send runs a prepared request through the app and decodes a JSON answer.
func (s *Service) Send(req *http.Request) Response {
	s.T.Helper()
	res, err := s.Svc.App.Test(req, 10_000)
	if err != nil {
		s.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode, Raw: raw, Header: res.Header}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.Body)
	}
	return out
}

// Must asserts the status of a response and returns it.
func (s *Service) Must(want int, r Response) Response {
	s.T.Helper()
	if r.Status != want {
		s.T.Fatalf("status %d, want %d: %s", r.Status, want, r.Raw)
	}
	return r
}

// Login signs in and returns the bearer token.
func (s *Service) Login(username, password string) string {
	s.T.Helper()
	r := s.Must(200, s.Do("POST", "/api/v1/session", "", map[string]string{"username": username, "password": password}))
	token, _ := r.Body["token"].(string)
	if token == "" {
		s.T.Fatalf("no token in %s", r.Raw)
	}
	return token
}

// AdminToken signs in as the bootstrap national administrator.
func (s *Service) AdminToken() string { return s.Login("admin", AdminPassword) }

// Onboard recommends and approves a county of province as the national
// administrator, then signs its administrator in with a changed password.
// It returns the county administrator's token.
func (s *Service) Onboard(province, county string) string {
	s.T.Helper()
	admin := s.AdminToken()
	s.Must(201, s.Do("POST", "/api/v1/provinces/"+province+"/counties", admin,
		map[string]string{"code": county, "egov_readiness": "良好", "recommendation": "推荐"}))
	r := s.Must(200, s.Do("POST", "/api/v1/provinces/"+province+"/counties/"+county+"/approve", admin, nil))
	creds := r.Body["admin"].(map[string]any)
	username, initial := creds["username"].(string), creds["initial_password"].(string)
	token := s.Login(username, initial)
	s.Must(204, s.Do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "County#Pass2026"}))
	return token
}

// AddUser creates a county user with roles via the API and returns their
// token after the first password change.
func (s *Service) AddUser(adminToken, county, username string, roles ...string) (int64, string) {
	s.T.Helper()
	r := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/users", adminToken,
		map[string]any{"username": username, "display_name": username, "roles": roles}))
	initial := r.Body["initial_password"].(string)
	token := s.Login(username, initial)
	s.Must(204, s.Do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "User#Pass2026x"}))
	return int64(r.Body["id"].(float64)), token
}

func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// CountRows runs a COUNT query directly against the database.
func (s *Service) CountRows(query string, args ...any) int {
	s.T.Helper()
	var n int
	if err := s.Svc.DB.Get(&n, query, args...); err != nil {
		s.T.Fatalf("%s: %v", query, err)
	}
	return n
}

// ChallengeAnswer is a solved challenge of a public form.
type ChallengeAnswer struct{ ID, Solution string }

// Fields adds the answer to a page form's values (and returns them).
func (a ChallengeAnswer) Fields(v url.Values) url.Values {
	v.Set(challenge.FieldID, a.ID)
	v.Set(challenge.FieldSolution, a.Solution)
	return v
}

// Header puts the answer in the headers a public JSON POST carries.
func (a ChallengeAnswer) Header(req *http.Request) {
	req.Header.Set(challenge.HeaderID, a.ID)
	req.Header.Set(challenge.HeaderSolution, a.Solution)
}

// SolvedChallenge fetches a challenge of the public form kind ("apply" or
// "info-request") of county from GET /api/v1/public/challenge, solves it as
// the page's script does, and dates its issue back past the pages' minimum
// fill-in time, as if a person had taken that long to type.
func (s *Service) SolvedChallenge(kind, county string) ChallengeAnswer {
	s.T.Helper()
	r := s.Must(200, s.Do("GET", "/api/v1/public/challenge?form="+kind+"&county="+county, "", nil))
	id, _ := r.Body["id"].(string)
	nonce, _ := r.Body["nonce"].(string)
	difficulty, _ := r.Body["difficulty"].(float64)
	if id == "" || nonce == "" {
		s.T.Fatalf("challenge: %s", r.Raw)
	}
	issued := db.Now().Add(-s.Svc.Challenges.Config().MinDelay - time.Second)
	if _, err := s.Svc.DB.Exec(`UPDATE form_challenges SET issued_at = ? WHERE id = ?`, issued, id); err != nil {
		s.T.Fatalf("age challenge: %v", err)
	}
	return ChallengeAnswer{ID: id, Solution: challenge.Solve(nonce, int(difficulty))}
}
