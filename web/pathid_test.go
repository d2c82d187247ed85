package web

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
)

func TestPathID(t *testing.T) {
	app := fiber.New()
	var got int64
	var gotErr error
	app.Get("/x/:id", func(c *fiber.Ctx) error {
		got, gotErr = PathID(c, "id")
		return c.SendStatus(fiber.StatusNoContent)
	})
	for raw, want := range map[string]int64{"7": 7, "9007199254740993": 9007199254740993, "0": 0, "-3": 0, "abc": 0, "1e3": 0} {
		if _, err := app.Test(httptest.NewRequest("GET", "/x/"+raw, nil)); err != nil {
			t.Fatal(err)
		}
		if want > 0 && (gotErr != nil || got != want) {
			t.Errorf("PathID(%q) = %d, %v; want %d", raw, got, gotErr, want)
		}
		if want == 0 && !errors.Is(gotErr, apperr.ErrNotFound) {
			t.Errorf("PathID(%q) = %d, %v; want not found", raw, got, gotErr)
		}
	}
}
