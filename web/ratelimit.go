package web

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// RateLimiter counts requests per client in fixed windows kept in the
// database, so a limit holds across every replica.
type RateLimiter struct {
	db *db.DB
}

// NewRateLimiter uses the rate_limits table.
func NewRateLimiter(database *db.DB) *RateLimiter { return &RateLimiter{db: database} }

// Hit counts one request of key in the current window of length per and
// reports whether it is within limit.
func (r *RateLimiter) Hit(ctx context.Context, key string, limit int, per time.Duration) (bool, error) {
	ctx = db.WithoutCommitHook(ctx) // bookkeeping, not the request's change
	now := time.Now().UTC()
	window := now.Truncate(per)
	bucket := key + "@" + strconv.FormatInt(window.Unix(), 10)
	if len(bucket) > 160 {
		bucket = bucket[:160]
	}
	for attempt := 1; attempt <= db.TxAttempts; attempt++ {
		if attempt > 1 && db.Backoff(ctx, attempt-1) != nil {
			break
		}
		res, err := r.db.ExecContext(ctx, `UPDATE rate_limits SET hits = hits + 1 WHERE bucket = ?`, bucket)
		if db.IsRetryable(err) {
			continue // rolled back (deadlock, Galera conflict): nothing was counted
		}
		if err != nil {
			return false, fmt.Errorf("ratelimit: count: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = r.db.ExecContext(ctx, `INSERT INTO rate_limits (bucket, hits, window_end) VALUES (?, 1, ?)`,
				bucket, window.Add(per))
			if db.IsDuplicate(err) || db.IsRetryable(err) {
				continue // another replica opened the window first; count again
			}
			if err != nil {
				return false, fmt.Errorf("ratelimit: open window: %w", err)
			}
		}
		var hits int
		if err := r.db.GetContext(ctx, &hits, `SELECT hits FROM rate_limits WHERE bucket = ?`, bucket); err != nil {
			return false, fmt.Errorf("ratelimit: read: %w", err)
		}
		return hits <= limit, nil
	}
	return false, fmt.Errorf("ratelimit: could not count %s", key)
}

// Cleanup removes finished windows.
func (r *RateLimiter) Cleanup(ctx context.Context) error {
	_, err := r.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_end < ?`, time.Now().UTC().Add(-time.Minute))
	return err
}

// Limit is middleware allowing limit requests per client IP per window.
func (r *RateLimiter) Limit(name string, limit int, per time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ok, err := r.Hit(c.UserContext(), name+":"+c.IP(), limit, per)
		if err != nil {
			return err
		}
		if !ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(per.Seconds())))
			return apperr.TooMany("rate_limited", "请求过于频繁，请稍后再试")
		}
		return c.Next()
	}
}
