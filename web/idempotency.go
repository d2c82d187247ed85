package web

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// HeaderIdempotencyKey names the header a client sends so that a POST it
// repeats (after a timeout, a lost answer, a double click) creates nothing
// twice: the repeat gets the first answer.
const HeaderIdempotencyKey = "Idempotency-Key"

// Idempotency remembers, in the database (so on every replica), the answer
// to each POST sent with an Idempotency-Key, per client (the signed-in user,
// or the IP of an anonymous one), key and route.
type Idempotency struct{ db *db.DB }

// NewIdempotency uses the idempotency_keys table.
func NewIdempotency(database *db.DB) *Idempotency { return &Idempotency{db: database} }

// maxIdempotencyKey bounds the key, which clients choose (a UUID has 36).
const maxIdempotencyKey = 128

var (
	errBadIdempotencyKey = apperr.InvalidField("idempotency_key", "Idempotency-Key 应为1至128个可打印字符")
	errIdempotencyBusy   = apperr.Conflict("idempotency_in_progress", "相同的请求正在处理中，请稍后再试")
)

// middleware answers a repeated POST with the first answer. The first
// request claims its key with a row (unique per client, key and route), so
// of two at once only one runs; the other is told 409 to try again. Only a
// successful answer (2xx) is kept: after a refusal or an error the key is
// free again, so a corrected or retried request runs.
//
// The claim and the business transaction are separate: if this replica
// dies between the handler's commit and storing the answer, the key stays
// claimed and a repeat answers 409 until Cleanup forgets it (a day), never
// a second creation.
func (i *Idempotency) middleware(c *fiber.Ctx) error {
	key := c.Get(HeaderIdempotencyKey)
	if c.Method() != fiber.MethodPost || key == "" {
		return c.Next()
	}
	if len(key) > maxIdempotencyKey || !printable(key) {
		return errBadIdempotencyKey
	}
	owner := "ip:" + c.IP()
	if p := CurrentUser(c); p != nil {
		owner = "u:" + strconv.FormatInt(p.UserID, 10)
	}
	route := c.Path()
	ctx := db.WithoutCommitHook(c.UserContext()) // bookkeeping, not the request's change
	if replayed, err := i.replay(ctx, c, owner, key, route); replayed || err != nil {
		return err
	}
	_, err := i.db.ExecContext(ctx, `INSERT INTO idempotency_keys (owner, idem_key, route, status, content_type, body, created_at)
		VALUES (?, ?, ?, 0, '', ?, ?)`, owner, key, route, []byte{}, db.Now())
	if db.IsDuplicate(err) {
		if replayed, err := i.replay(ctx, c, owner, key, route); replayed || err != nil {
			return err
		}
		return errIdempotencyBusy
	}
	if err != nil {
		return fmt.Errorf("idempotency: claim: %w", err)
	}
	herr := c.Next()
	status := c.Response().StatusCode()
	done := context.WithoutCancel(ctx)
	if herr != nil || status < 200 || status >= 300 {
		if _, err := i.db.ExecContext(done, `DELETE FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND route = ? AND status = 0`,
			owner, key, route); err != nil && herr == nil {
			return fmt.Errorf("idempotency: release: %w", err)
		}
		return herr
	}
	// The kept answer may carry personal data (an entity's contact, say),
	// so it is sealed at rest like the columns it came from.
	body, err := i.db.SealField(string(c.Response().Body()), idempotencyField(owner, key, route))
	if err != nil {
		return fmt.Errorf("idempotency: seal answer: %w", err)
	}
	if _, err := i.db.ExecContext(done, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE owner = ? AND idem_key = ? AND route = ?`,
		status, string(c.Response().Header.ContentType()), []byte(body), owner, key, route); err != nil {
		return fmt.Errorf("idempotency: keep answer: %w", err)
	}
	return nil
}

// replay sends the stored answer of a finished request with this key, and
// reports whether there was one (a claimed, unfinished key has none).
func (i *Idempotency) replay(ctx context.Context, c *fiber.Ctx, owner, key, route string) (bool, error) {
	var row struct {
		Status      int    `db:"status"`
		ContentType string `db:"content_type"`
		Body        []byte `db:"body"`
	}
	err := i.db.GetContext(ctx, &row, `SELECT status, content_type, body FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND route = ?`,
		owner, key, route)
	if db.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("idempotency: look up: %w", err)
	}
	if row.Status == 0 {
		return false, nil
	}
	body, err := i.db.OpenField(string(row.Body), idempotencyField(owner, key, route))
	if err != nil {
		return false, fmt.Errorf("idempotency: open answer: %w", err)
	}
	c.Set("Idempotent-Replayed", "true")
	c.Set(fiber.HeaderContentType, row.ContentType)
	return true, c.Status(row.Status).Send([]byte(body))
}

func idempotencyField(owner, key, route string) db.Field {
	return db.Field{Table: "idempotency_keys", Column: "body", Row: owner + "\x00" + key + "\x00" + route}
}

// Cleanup forgets the keys used before before.
func (i *Idempotency) Cleanup(ctx context.Context, before time.Time) (int64, error) {
	res, err := i.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, before)
	if err != nil {
		return 0, fmt.Errorf("idempotency: cleanup: %w", err)
	}
	return res.RowsAffected()
}

func printable(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
