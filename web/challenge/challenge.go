// Package challenge is the proof-of-work check of the public forms (MLPS 2.0
// level 3, 入侵防范): before the online application or the information
// request is accepted, the browser (or an API client) must find a solution
// whose SHA-256 together with a random nonce starts with a number of zero
// bits. Challenges are rows of form_challenges, so every replica sharing the
// database can check any of them, and each is redeemed once: the redemption
// is a conditional UPDATE, which a replay on another replica loses. Pages
// also refuse forms sent implausibly fast after the challenge was issued and
// forms whose hidden honeypot field was filled in. No outside service is
// involved; web/static/challenge.js solves the challenge in the browser.
package challenge

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Names of the form fields and headers that carry a solution.
const (
	// FieldID and FieldSolution are the hidden fields of a page form.
	FieldID       = "challenge_id"
	FieldSolution = "challenge_solution"
	// FieldHoneypot is a field people never see; only robots fill it in.
	FieldHoneypot = "website"
	// HeaderID and HeaderSolution carry the solution on the JSON API.
	HeaderID       = "X-Challenge-Id"
	HeaderSolution = "X-Challenge-Solution"
)

// Defaults of Config.
const (
	// DefaultDifficulty (16 leading zero bits, about 65,000 hashes on
	// average) takes a phone's browser well under a second.
	DefaultDifficulty = 16
	DefaultTTL        = 10 * time.Minute
	DefaultMinDelay   = 2 * time.Second
	// MaxDifficulty keeps a misconfiguration from locking the public out.
	MaxDifficulty = 24
	// IssuesPerMinute caps the challenges one client IP is given (form pages
	// and the API together), so page views cannot flood the table.
	IssuesPerMinute = 60
)

// maxSolution bounds a solution: decimal digits, so nonce and solution fit
// one SHA-256 block (55 bytes) and the browser's solver stays simple.
const maxSolution = 20

// Config tunes the challenges.
type Config struct {
	// Difficulty is the number of leading zero bits SHA-256(nonce ||
	// solution) must have (0 asks for no work).
	Difficulty int
	// TTL is how long a challenge may be redeemed after it was issued.
	TTL time.Duration
	// MinDelay is the least time between issue and a page form's submission;
	// a person takes longer to fill in a form.
	MinDelay time.Duration
	// RequireOnAPI makes the public JSON POSTs demand a solved challenge too
	// (the pages always do).
	RequireOnAPI bool
}

// DefaultConfig is the configuration used unless told otherwise.
func DefaultConfig() Config {
	return Config{Difficulty: DefaultDifficulty, TTL: DefaultTTL, MinDelay: DefaultMinDelay}
}

// Service issues and redeems challenges.
type Service struct {
	db  *db.DB
	cfg Config
}

// New checks cfg and builds the service on the form_challenges table.
func New(database *db.DB, cfg Config) (*Service, error) {
	if cfg.Difficulty < 0 || cfg.Difficulty > MaxDifficulty {
		return nil, fmt.Errorf("challenge: difficulty %d outside 0..%d", cfg.Difficulty, MaxDifficulty)
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MinDelay < 0 || cfg.MinDelay >= cfg.TTL {
		return nil, fmt.Errorf("challenge: minimum delay %s outside 0..%s", cfg.MinDelay, cfg.TTL)
	}
	return &Service{db: database, cfg: cfg}, nil
}

// Config is the configuration in force.
func (s *Service) Config() Config { return s.cfg }

// Form names the public form a challenge is for; a challenge issued for one
// form and county is refused on every other.
func Form(kind, county string) string { return kind + ":" + county }

// The kinds of public form.
const (
	KindApply       = "apply"
	KindInfoRequest = "info-request"
)

// Challenge is one issued challenge, as the page and the API give it out.
type Challenge struct {
	ID         string    `json:"id"`
	Form       string    `json:"form"`
	Nonce      string    `json:"nonce"`
	Difficulty int       `json:"difficulty"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Algorithm says what to compute, for API clients.
	Algorithm string `json:"algorithm"`
	// MinDelayMS is how long a page waits after loading before it submits.
	MinDelayMS int64 `json:"-"`
}

// algorithm describes the puzzle to API clients.
const algorithm = "sha256(nonce + solution) with difficulty leading zero bits; solution: 1-20 decimal digits"

// Issue stores a new challenge for form and returns it. Now and then it also
// removes expired challenges, so the table stays small without a job.
func (s *Service) Issue(ctx context.Context, form string) (Challenge, error) {
	ctx = db.WithoutCommitHook(ctx) // bookkeeping, not the request's change
	now := db.Now()
	c := Challenge{ID: randomHex(), Form: form, Nonce: randomHex(), Difficulty: s.cfg.Difficulty,
		ExpiresAt: now.Add(s.cfg.TTL), Algorithm: algorithm, MinDelayMS: s.cfg.MinDelay.Milliseconds()}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO form_challenges (id, form, nonce, difficulty, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.ID, c.Form, c.Nonce, c.Difficulty, now, c.ExpiresAt); err != nil {
		return Challenge{}, fmt.Errorf("challenge: issue: %w", err)
	}
	if mrand.IntN(32) == 0 {
		if _, err := s.Cleanup(ctx); err != nil {
			return Challenge{}, err
		}
	}
	return c, nil
}

// Cleanup removes the challenges that can no longer be redeemed.
func (s *Service) Cleanup(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM form_challenges WHERE expires_at < ?`, db.Now())
	if err != nil {
		return 0, fmt.Errorf("challenge: cleanup: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Errors a client sees: 400, like any other form that cannot be accepted as
// sent, so nothing is stored (never 403, which means a missing permission).
var (
	// ErrRequired: no challenge was sent.
	ErrRequired = refusal("challenge_required", "请先完成安全验证后再提交")
	// ErrFailed: unknown challenge, one for another form, or a wrong solution.
	ErrFailed = refusal("challenge_failed", "安全验证未通过，请重新提交")
	// ErrExpired: the challenge is older than its TTL.
	ErrExpired = refusal("challenge_failed", "安全验证已过期，请重新提交")
	// ErrUsed: the challenge was redeemed before (a replay).
	ErrUsed = refusal("challenge_failed", "安全验证已使用过，请重新获取后提交")
	// ErrTooFast: a page form came back sooner than a person could fill it in.
	ErrTooFast = refusal("challenge_failed", "提交过快，请稍候再提交")
)

func refusal(code, message string) *apperr.Error {
	return &apperr.Error{Status: http.StatusBadRequest, Code: code, Message: message}
}

// stored is a challenge row.
type stored struct {
	Form       string     `db:"form"`
	Nonce      string     `db:"nonce"`
	Difficulty int        `db:"difficulty"`
	IssuedAt   time.Time  `db:"issued_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	RedeemedAt *time.Time `db:"redeemed_at"`
}

// Redeem accepts solution for challenge id once, if it was issued for form,
// has not expired, is at least minAge old and the solution does the work.
// The errors are the client errors above; a lost race with another replica
// redeeming the same challenge is ErrUsed.
func (s *Service) Redeem(ctx context.Context, form, id, solution string, minAge time.Duration) error {
	ctx = db.WithoutCommitHook(ctx) // bookkeeping, not the request's change
	if id == "" || solution == "" {
		return ErrRequired
	}
	if len(id) != 32 || !validSolution(solution) {
		return ErrFailed
	}
	var c stored
	err := s.db.GetContext(ctx, &c, `SELECT form, nonce, difficulty, issued_at, expires_at, redeemed_at
		FROM form_challenges WHERE id = ?`, id)
	if db.IsNoRows(err) {
		return ErrFailed
	}
	if err != nil {
		return fmt.Errorf("challenge: read: %w", err)
	}
	now := db.Now()
	switch {
	case c.Form != form:
		return ErrFailed
	case c.RedeemedAt != nil:
		return ErrUsed
	case !now.Before(c.ExpiresAt):
		return ErrExpired
	case now.Sub(c.IssuedAt) < minAge:
		return ErrTooFast
	case !Solved(c.Nonce, solution, c.Difficulty):
		return ErrFailed
	}
	res, err := s.db.ExecContext(ctx, `UPDATE form_challenges SET redeemed_at = ?
		WHERE id = ? AND redeemed_at IS NULL AND expires_at > ?`, now, id, now)
	if err != nil {
		return fmt.Errorf("challenge: redeem: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("challenge: redeem: %w", err)
	} else if n != 1 {
		return ErrUsed
	}
	return nil
}

// Solved reports whether SHA-256(nonce || solution) starts with difficulty
// zero bits.
func Solved(nonce, solution string, difficulty int) bool {
	sum := sha256.Sum256([]byte(nonce + solution))
	return leadingZeros(sum) >= difficulty
}

// Solve finds the smallest solution of a challenge: what the browser's script
// does, for API clients written in Go and for tests.
func Solve(nonce string, difficulty int) string {
	for i := uint64(0); ; i++ {
		s := strconv.FormatUint(i, 10)
		if Solved(nonce, s, difficulty) {
			return s
		}
	}
}

func leadingZeros(sum [sha256.Size]byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

func validSolution(s string) bool {
	if len(s) == 0 || len(s) > maxSolution {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// randomHex is 128 random bits as 32 lowercase hex characters.
func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
