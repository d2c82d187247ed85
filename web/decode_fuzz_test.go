package web

import (
	"bytes"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
)

type fuzzTarget struct {
	Name   string            `json:"name"`
	Count  int               `json:"count"`
	Ratio  float64           `json:"ratio"`
	On     bool              `json:"on"`
	Tags   []string          `json:"tags"`
	Extra  map[string]string `json:"extra"`
	Nested struct {
		Day string `json:"day"`
	} `json:"nested"`
}

// FuzzDecodeJSON: whatever body and content type arrive, DecodeJSON answers
// with the contract's envelope (200 here, 400 or 415), never a server error.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"name":"甲","count":1,"tags":["a"],"nested":{"day":"2026-01-01"}}`), "application/json")
	f.Add([]byte(`{"count":"1"}`), "application/json; charset=utf-8")
	f.Add([]byte(`{} {}`), "application/json")
	f.Add([]byte(`{"nested":{"day":1}}`), "APPLICATION/JSON")
	f.Add([]byte(``), "application/json")
	f.Add([]byte("\xff\xfe{"), "text/plain")
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		if e, ok := apperr.As(err); ok {
			return c.Status(e.Status).JSON(ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
		}
		return c.Status(500).SendString(err.Error())
	}})
	app.Post("/", func(c *fiber.Ctx) error {
		var v fuzzTarget
		if err := DecodeJSON(c, &v); err != nil {
			return err
		}
		return c.SendStatus(200)
	})
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		res, err := app.Test(req, -1)
		if err != nil {
			t.Skip() // a header fasthttp itself cannot carry
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		switch res.StatusCode {
		case 200, 400, 415:
		default:
			t.Fatalf("status %d for %q (%q): %s", res.StatusCode, body, contentType, raw)
		}
	})
}
