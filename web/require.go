package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
)

// Scope picks the region a request is about.
type Scope func(c *fiber.Ctx) (string, error)

// CountyScope takes the region from the {county} path parameter.
func CountyScope(c *fiber.Ctx) (string, error) {
	v := c.Params("county")
	if lvl, ok := rbac.RegionLevel(v); !ok || lvl != rbac.LevelCounty {
		return "", apperr.InvalidField("county", "县级区划代码应为6位数字")
	}
	return v, nil
}

// ProvinceScope takes the region from the {province} path parameter.
func ProvinceScope(c *fiber.Ctx) (string, error) {
	v := c.Params("province")
	if lvl, ok := rbac.RegionLevel(v); !ok || lvl != rbac.LevelProvince {
		return "", apperr.InvalidField("province", "省级区划代码应为2位数字")
	}
	return v, nil
}

// NationalScope is for operations over the whole country.
func NationalScope(*fiber.Ctx) (string, error) { return rbac.NationalRegion, nil }

// Checker answers (user, region, permission); rbac.Enforcer is the real one.
// Allowed answers from the policy this replica holds and never reads the
// database; Check, on a refusal, first makes sure that policy is current
// (one read), so a grant just made on another replica is honoured.
type Checker interface {
	Allowed(userID int64, region, perm string) (bool, error)
	Check(ctx context.Context, userID int64, region, perm string) (bool, error)
}

// policyCurrentKey marks, in a request's Locals, that a refused check of
// this request already brought the replica's policy up to date.
type policyCurrentKey struct{}

// Allowed answers a permission question of request c so that it reads the
// writes of every replica at the cost of at most one database read per
// request: it asks the plain checker.Allowed, and only the request's first
// refusal is asked again through checker.Check, which brings the policy up to
// date; later refusals of the request stand, since the policy is now as new
// as the request. Allowed answers never read. Page flags ("may edit") that
// should see a grant made a moment ago on another replica use this rather
// than checker.Allowed.
func Allowed(c *fiber.Ctx, checker Checker, userID int64, region, perm string) (bool, error) {
	ok, err := checker.Allowed(userID, region, perm)
	if err != nil || ok || c.Locals(policyCurrentKey{}) != nil {
		return ok, err
	}
	ok, err = checker.Check(c.UserContext(), userID, region, perm)
	if err == nil {
		c.Locals(policyCurrentKey{}, true)
	}
	return ok, err
}

// Require lets a request through only when the signed-in user holds perm in the
// region the scope names: 401 when signed out, 403 on a deny, 500 when the
// check itself fails. A deny is decided on the current policy (Allowed), so a
// role granted on any replica opens the route on this one at once.
func Require(checker Checker, perm string, scope Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := CurrentUser(c)
		if p == nil {
			if wantsHTML(c) {
				return c.Redirect("/login?next="+pathEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			return apperr.ErrUnauthorized
		}
		region, err := scope(c)
		if err != nil {
			return err
		}
		ok, err := Allowed(c, checker, p.UserID, region, perm)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.ErrForbidden
		}
		return c.Next()
	}
}

// RequireUser lets any signed-in user through.
func RequireUser(c *fiber.Ctx) error {
	if CurrentUser(c) == nil {
		if wantsHTML(c) {
			return c.Redirect("/login?next="+pathEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return apperr.ErrUnauthorized
	}
	return c.Next()
}

// DecodeJSON reads a JSON request body into v: 415 unless the body is JSON, 400
// when it is not one object, not valid UTF-8 or has a NUL character in a
// string (encoding/json would store the first replaced and the second as is),
// with a field name when a value has the wrong type or the JSON is malformed.
func DecodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return &apperr.Error{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "请以 application/json 格式提交", Fields: map[string]string{"content_type": "应为 application/json"}}
	}
	body := c.Body()
	if len(body) == 0 {
		return apperr.Invalid("请求内容为空", nil)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := jsonField(te.Field)
			if field == "" {
				field = "body"
			}
			return apperr.Invalid("字段类型有误", map[string]string{field: "类型应为 " + jsonKind(te.Type.Kind().String())})
		}
		return apperr.Invalid("JSON 格式有误", nil)
	}
	if dec.More() {
		return apperr.Invalid("JSON 格式有误：只能提交一个对象", nil)
	}
	return nil
}

// jsonField turns encoding/json's path of a type error into the client's
// field name: the path names an embedded struct by its Go type (e.g.
// "Content.statutory_limit_workdays"), which is no JSON key; our keys are
// all lower case.
func jsonField(path string) string {
	parts := strings.Split(path, ".")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ".")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "字符串"
	case "bool":
		return "布尔值"
	case "slice", "array":
		return "数组"
	case "struct", "map":
		return "对象"
	}
	return "数字"
}

// Paging reads ?page= and ?per_page= (at most 100) with defaults 1 and 20.
func Paging(c *fiber.Ctx) (page, perPage int, err error) {
	page, perPage = c.QueryInt("page", 1), c.QueryInt("per_page", 20)
	if page < 1 || page > 1_000_000 {
		return 0, 0, apperr.InvalidField("page", "页码应为正整数")
	}
	if perPage < 1 || perPage > 100 {
		return 0, 0, apperr.InvalidField("per_page", "每页条数应在1到100之间")
	}
	return page, perPage, nil
}

// ActiveCounty lets a public request through only when the {county} of its
// path passes check (an active pilot county); anything else is not found.
func ActiveCounty(c *fiber.Ctx, check func(ctx context.Context, county string) error) error {
	code, err := CountyScope(c)
	if err != nil {
		return err
	}
	if err := check(c.UserContext(), code); err != nil {
		return err
	}
	return c.Next()
}

// checkJSONText refuses a body that is not one JSON object (a null would
// decode into a zero value and replace a whole record), invalid UTF-8, or a
// string holding NUL (\u0000), naming the field where it can.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return apperr.Invalid("请求内容不是有效的 UTF-8 文本", map[string]string{"body": "含有无效的 UTF-8 字节"})
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return apperr.Invalid("请求内容应为一个 JSON 对象", map[string]string{"body": "应为 JSON 对象"})
	}
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil // malformed: the decoder names that
	}
	if field, ok := nulField(doc, ""); ok {
		if field == "" {
			field = "body"
		}
		return apperr.Invalid("内容不能含有空字符（NUL）", map[string]string{field: "不能含有空字符（NUL）"})
	}
	return nil
}

// nulField finds a string holding NUL in a decoded JSON value and returns
// its path (keys joined by dots, indexes in brackets).
func nulField(v any, path string) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, strings.ContainsRune(x, 0)
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.ContainsRune(k, 0) {
				return p, true
			}
			if f, ok := nulField(e, p); ok {
				return f, true
			}
		}
	case []any:
		for i, e := range x {
			if f, ok := nulField(e, path+"["+strconv.Itoa(i)+"]"); ok {
				return f, true
			}
		}
	}
	return "", false
}
