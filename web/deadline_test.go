package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestRequestDeadline: every request's context has the configured deadline,
// and work that outruns it answers 503 request_timeout with Retry-After,
// not a 500.
func TestRequestDeadline(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)})
	app.Use(requestDeadline(50 * time.Millisecond))
	var left time.Duration
	app.Get("/quick", func(c *fiber.Ctx) error {
		deadline, ok := c.UserContext().Deadline()
		if !ok {
			return c.SendStatus(500)
		}
		left = time.Until(deadline)
		return c.SendStatus(204)
	})
	app.Get("/slow", func(c *fiber.Ctx) error {
		select {
		case <-c.UserContext().Done():
			return c.UserContext().Err()
		case <-time.After(5 * time.Second):
			return c.SendStatus(204)
		}
	})
	res, err := app.Test(httptest.NewRequest("GET", "/quick", nil), -1)
	if err != nil || res.StatusCode != 204 || left <= 0 || left > 50*time.Millisecond {
		t.Fatalf("quick request: %v %v, deadline in %v", res.StatusCode, err, left)
	}
	start := time.Now()
	res, err = app.Test(httptest.NewRequest("GET", "/slow", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body ErrorBody
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 503 || body.Error.Code != "request_timeout" || res.Header.Get("Retry-After") != retryAfterSeconds {
		t.Errorf("slow request: %d %q Retry-After %q, want 503 request_timeout", res.StatusCode, body.Error.Code, res.Header.Get("Retry-After"))
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("slow request ended after %v, not at its deadline", took)
	}
}
