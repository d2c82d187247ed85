package server

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// OpenAPIDoc describes the whole HTTP API; a test keeps it in step with the routes.
//
//go:embed openapi.json
var OpenAPIDoc []byte

func serveOpenAPI(c *fiber.Ctx) error {
	c.Type("json", "utf-8")
	return c.Send(OpenAPIDoc)
}
