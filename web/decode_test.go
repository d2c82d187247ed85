package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
)

// TestDecodeJSONRefusesAlteredText: a body that is not one object, that is
// not valid UTF-8, or that holds NUL in a string is refused with 400 naming
// the field, before anything is decoded; a backslash followed by "u0000" as
// text is no NUL and passes.
func TestDecodeJSONRefusesAlteredText(t *testing.T) {
	var decoded fuzzTarget
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		e, ok := apperr.As(err)
		if !ok {
			return c.Status(500).SendString(err.Error())
		}
		return c.Status(e.Status).JSON(ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
	}})
	app.Post("/", func(c *fiber.Ctx) error {
		decoded = fuzzTarget{}
		if err := DecodeJSON(c, &decoded); err != nil {
			return err
		}
		return c.SendStatus(204)
	})
	for _, tc := range []struct {
		name  string
		body  string
		field string // "" for accepted
	}{
		{"object", `{"name":"甲"}`, ""},
		{"escaped backslash, not NUL", `{"name":"a\\u0000"}`, ""},
		{"null", `null`, "body"},
		{"array", `[{"name":"x"}]`, "body"},
		{"number", ` 7`, "body"},
		{"string", `"x"`, "body"},
		{"invalid UTF-8 in a value", "{\"name\":\"\xff\"}", "body"},
		{"invalid UTF-8 in a key", "{\"\xc3(\":1}", "body"},
		{"NUL in a value", `{"name":"a\u0000b"}`, "name"},
		{"NUL in a nested value", `{"nested":{"day":"\u0000"}}`, "nested.day"},
		{"NUL in a list", `{"tags":["a","b\u0000"]}`, "tags[1]"},
		{"NUL in a map value", `{"extra":{"k":"\u0000"}}`, "extra.k"},
		{"NUL in a key", `{"extra":{"k\u0000":"v"}}`, "extra.k\x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(tc.body)))
			req.Header.Set("Content-Type", "application/json")
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			if tc.field == "" {
				if res.StatusCode != 204 {
					t.Fatalf("status %d, want 204: %s", res.StatusCode, raw)
				}
				return
			}
			var body ErrorBody
			if err := json.Unmarshal(raw, &body); err != nil || res.StatusCode != 400 || body.Error.Code != "invalid_input" {
				t.Fatalf("status %d, want 400 invalid_input: %s", res.StatusCode, raw)
			}
			if _, ok := body.Error.Fields[tc.field]; !ok {
				t.Errorf("fields %v do not name %q", body.Error.Fields, tc.field)
			}
		})
	}
}
