package challenge

import (
	"context"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
)

// countyCode is the shape of a county code in the query.
var countyCode = regexp.MustCompile(`^[0-9]{6}$`)

// Mount registers GET /api/v1/public/challenge?form=apply|info-request&county=XXXXXX.
// limit counts the request against the client's limit; active refuses a
// county that is not an active pilot.
func (s *Service) Mount(app *fiber.App, limit fiber.Handler, active func(ctx context.Context, county string) error) {
	app.Get("/api/v1/public/challenge", limit, func(c *fiber.Ctx) error {
		kind, county := c.Query("form"), c.Query("county")
		fields := map[string]string{}
		if kind != KindApply && kind != KindInfoRequest {
			fields["form"] = "表单应为 apply 或 info-request"
		}
		if !countyCode.MatchString(county) {
			fields["county"] = "县级区划代码应为6位数字"
		}
		if len(fields) > 0 {
			return apperr.Invalid("参数有误", fields)
		}
		if err := active(c.UserContext(), county); err != nil {
			return err
		}
		ch, err := s.Issue(c.UserContext(), Form(kind, county))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(ch)
	})
}

// RequireOnAPI is middleware for a public JSON POST: when the configuration
// asks for it, the request must carry a solved challenge for the form that
// form names (in the X-Challenge-Id and X-Challenge-Solution headers).
func (s *Service) RequireOnAPI(form func(c *fiber.Ctx) string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !s.cfg.RequireOnAPI {
			return c.Next()
		}
		id, solution := strings.TrimSpace(c.Get(HeaderID)), strings.TrimSpace(c.Get(HeaderSolution))
		if err := s.Redeem(c.UserContext(), form(c), id, solution, 0); err != nil {
			return err
		}
		return c.Next()
	}
}

// CheckPage redeems the challenge a page form was submitted with: the hidden
// fields must hold a solution, the honeypot must be empty and the form must
// not come back sooner than a person could have filled it in.
func (s *Service) CheckPage(c *fiber.Ctx, form string) error {
	if c.FormValue(FieldHoneypot) != "" {
		return ErrFailed
	}
	id, solution := strings.TrimSpace(c.FormValue(FieldID)), strings.TrimSpace(c.FormValue(FieldSolution))
	if id == "" || solution == "" {
		return ErrPageRequired
	}
	return s.Redeem(c.UserContext(), form, id, solution, s.cfg.MinDelay)
}

// ErrPageRequired is ErrRequired as a page explains it: the browser's script
// solves the challenge, so without it the form cannot be sent.
var ErrPageRequired = refusal("challenge_required", "未完成安全验证：请启用浏览器脚本，等待安全验证完成后再提交")
