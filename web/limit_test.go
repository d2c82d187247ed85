package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestBodyLimitNamesTheLimit checks that a body over the limit is refused
// before the handler with a message that tells how much is allowed, and that
// an upload route is left to its own, larger limit.
func TestBodyLimitNamesTheLimit(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler), nil)})
	app.Use(limitBody(1 << 20))
	reached := 0
	handler := func(c *fiber.Ctx) error { reached++; return c.SendStatus(fiber.StatusNoContent) }
	app.Post("/api/v1/counties/:county/disclosures", handler)
	app.Post("/api/v1/counties/:county/cases/:id/materials", handler)

	big := strings.Repeat("a", 1<<20+1)
	req := httptest.NewRequest("POST", "/api/v1/counties/340102/disclosures", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	res, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Error ErrorDetail }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != fiber.StatusRequestEntityTooLarge || body.Error.Code != "body_too_large" || !strings.Contains(body.Error.Message, "1MB") {
		t.Fatalf("status %d, error %+v; want 413 body_too_large naming 1MB", res.StatusCode, body.Error)
	}
	if reached != 0 {
		t.Fatalf("the handler ran for a refused body")
	}

	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	part, err := w.CreateFormFile("file", "scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req = httptest.NewRequest("POST", "/api/v1/counties/340102/cases/1/materials", &form)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if res, err = app.Test(req); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != fiber.StatusNoContent || reached != 1 {
		t.Fatalf("upload route: status %d, reached %d; want it passed to its handler", res.StatusCode, reached)
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int]string{1 << 20: "1MB", 32 << 20: "32MB", 1500: "2KB", 1 << 10: "1KB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
