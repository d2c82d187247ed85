package web

import (
	"mime"

	"github.com/gofiber/fiber/v2"
)

// SendFile answers with a stored file as a download: the type it was
// stored as (checked from its bytes on upload, never taken from the name
// or the client), its name (RFC 2231-encoded when not ASCII), no sniffing
// by the browser, and never kept in a cache. Case materials and penalty
// evidence are sent through it.
func SendFile(c *fiber.Ctx, fileName, contentType string, data []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": fileName}))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}
