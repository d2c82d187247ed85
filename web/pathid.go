package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
)

// PathID reads a positive numeric id from the route parameter name. Anything
// else is 404, as an id that does not exist is: a malformed id must not
// tell a caller more than a missing one.
func PathID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}
