package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
)

// TextSizeCookie holds a visitor's choice of the larger-text mode (大字版,
// for the elderly): "large", or absent for the standard size. It is read
// server-side, so the mode works without JavaScript.
const TextSizeCookie = "sp_text"

// TextSizePath switches the text size and returns to the page it came from.
const TextSizePath = "/text-size"

// largeText reports whether the request asks for the larger-text mode.
func largeText(c *fiber.Ctx) bool { return c.Cookies(TextSizeCookie) == "large" }

// switchTextSize handles GET /text-size?size=large|standard&next=/path: it
// keeps the choice for a year in a cookie and goes back to next (a local
// path only). A plain link, not a form, so that it works from every page and
// without JavaScript; the cookie is a display preference and nothing else.
func switchTextSize(c *fiber.Ctx) error {
	cookie := &fiber.Cookie{Name: TextSizeCookie, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"}
	switch c.Query("size") {
	case "large":
		cookie.Value, cookie.Expires = "large", time.Now().AddDate(1, 0, 0)
	case "standard":
		cookie.Value, cookie.Expires, cookie.MaxAge = "", time.Unix(1, 0), -1
	default:
		return apperr.InvalidField("size", "字号只能选择大字版或标准版")
	}
	c.Cookie(cookie)
	return c.Redirect(SafeNext(c.Query("next")), fiber.StatusSeeOther)
}
